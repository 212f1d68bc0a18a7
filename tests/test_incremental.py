"""Re-runs fetch only what changed, keep history, and resume what was cut short."""

from __future__ import annotations

import json
import sqlite3
from urllib.parse import urlsplit

from conftest import crawl, run_cli
from scraper.sample import BlogServer, make_blog


def page_requests(server, since: int) -> list[str]:
    """Blog-host requests after index `since`, robots.txt aside."""
    return [r[1] for r in server.requests[since:] if r[1] != "/robots.txt"]


def post_paths(blog) -> set[str]:
    return {p.path for p in blog.posts}


def test_reruns_fetch_only_what_is_new_or_changed(tmp_path):
    blog = make_blog("layout", n_posts=48, seed=21)
    later = blog.sorted_posts()[:3]  # published later, between two crawls
    for post in later:
        blog.delete_post(post)
    db_path = tmp_path / "archive.db"
    with BlogServer(blog) as server:
        crawl(server.url, db_path)
        db = sqlite3.connect(db_path)
        assert db.execute("SELECT COUNT(*) FROM posts").fetchone()[0] == 45

        # 1. Nothing changed: a handful of requests, no post page.
        mark = len(server.requests)
        crawl(server.url, db_path)
        asked = page_requests(server, mark)
        assert len(asked) <= 5, asked
        assert not set(asked) & post_paths(blog)

        # 2. k new posts: at most k + 5 requests, each new post once.
        for post in later:
            blog.add_post(post)
        mark = len(server.requests)
        result = crawl(server.url, db_path)
        asked = page_requests(server, mark)
        assert len(asked) <= len(later) + 5, asked
        assert sorted(p for p in asked if p in post_paths(blog)) == sorted(p.path for p in later)
        assert "posts new 3" in result.stdout
        assert db.execute("SELECT COUNT(*) FROM posts").fetchone()[0] == 48

        # 3. One post edited: it alone is fetched and gets a version; the old text is kept.
        edited = blog.sorted_posts()[17]
        old_text = db.execute("SELECT body_text FROM posts_with_bodies WHERE id = ?", [edited.post_id]).fetchone()[0]
        blog.edit_post(edited, paragraphs=["The quay was rebuilt over the winter.", "Nobody noticed."])
        mark = len(server.requests)
        result = crawl(server.url, db_path)
        asked = page_requests(server, mark)
        assert [p for p in asked if p in post_paths(blog)] == [edited.path]
        versions = db.execute("SELECT post_id, version, body_text FROM post_versions").fetchall()
        assert versions == [(edited.post_id, 1, old_text)]
        now_text = db.execute("SELECT body_text FROM posts_with_bodies WHERE id = ?", [edited.post_id]).fetchone()[0]
        assert "The quay was rebuilt over the winter.\n\nNobody noticed." in now_text
        assert "updated 1" in result.stdout

        # 4. `updated` moves without an edit (B15): refetched, but no new version.
        touched = blog.sorted_posts()[30]
        blog.bump_updated(touched)
        crawl(server.url, db_path)
        assert db.execute("SELECT COUNT(*) FROM post_versions").fetchone()[0] == 1

        # 5. A label renamed: the posts carrying it show the new name.
        renamed = blog.rename_label("Summit", "Summits and talks")
        assert renamed
        crawl(server.url, db_path)
        labels = [json.loads(r[0]) for r in db.execute("SELECT labels FROM posts")]
        assert sum("Summits and talks" in ls for ls in labels) == renamed
        assert not any("Summit" in ls for ls in labels)

        # 6. A post deleted: marked gone, never deleted from the archive.
        gone = blog.sorted_posts()[25]
        blog.delete_post(gone)
        result = crawl(server.url, db_path)
        row = db.execute("SELECT gone_at, body_text FROM posts_with_bodies WHERE id = ?", [gone.post_id]).fetchone()
        assert row[0] and row[1]
        assert "gone 1" in result.stdout

    # The crawls table tells each run's story.
    crawls = db.execute("SELECT status, posts_new, posts_updated, posts_gone FROM crawls ORDER BY id").fetchall()
    assert [c[0] for c in crawls] == ["finished"] * 7
    assert [c[1] for c in crawls] == [45, 0, 3, 0, 0, 0, 0]
    assert crawls[3][2] == 1 and crawls[6][3] == 1
    status = run_cli("status", str(db_path), "--json", check=True)
    assert [r["id"] for r in json.loads(status.stdout)["crawls"]] == [7, 6, 5, 4, 3, 2, 1]
    reasons = dict(db.execute("SELECT url, reason FROM fetches WHERE url LIKE ?", [f"%{gone.path}"]))
    assert list(reasons.values()) == ["missing-from-feed"]


def test_full_revalidates_every_post_with_conditional_requests(tmp_path):
    blog = make_blog("contempo", n_posts=20, seed=4)
    db_path = tmp_path / "archive.db"
    with BlogServer(blog) as server:
        crawl(server.url, db_path)
        mark = len(server.requests)
        result = crawl(server.url, db_path, "--full")
        statuses = {urlsplit(r[1]).path: r[2] for r in server.requests[mark:]}
    for post in blog.posts:
        assert statuses[post.path] == 304, post.path
    assert "unchanged 20" in result.stdout
    db = sqlite3.connect(db_path)
    assert db.execute("SELECT COUNT(*) FROM post_versions").fetchone()[0] == 0
    # Each 304 is kept as a revisit record tied to its post, like the page it stands for.
    not_modified = db.execute("SELECT c.post_id, p.id FROM captures c LEFT JOIN posts p "
                              "ON p.url = c.url WHERE c.status = 304").fetchall()
    assert len(not_modified) == 20 and all(c == p is not None for c, p in not_modified), not_modified


def test_a_crawl_cut_short_resumes_without_refetching(tmp_path):
    blog = make_blog("layout", n_posts=40, seed=8)
    db_path = tmp_path / "archive.db"
    with BlogServer(blog) as server:
        first = crawl(server.url, db_path, "-s", "CLOSESPIDER_ITEMCOUNT=15",
                      "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1", expect_ok=False)
        assert first.returncode == 1  # cut short: not a success
        db = sqlite3.connect(db_path)
        stored_first = {r[0] for r in db.execute("SELECT url FROM posts")}
        assert 0 < len(stored_first) < 40
        mark = len(server.requests)
        crawl(server.url, db_path)
        refetched = [r[1] for r in server.requests[mark:]
                     if server.origin + r[1] in stored_first]
    assert refetched == []
    assert db.execute("SELECT COUNT(*) FROM posts").fetchone()[0] == 40
    assert db.execute("SELECT status FROM crawls ORDER BY id").fetchall() == [("failed",), ("finished",)]
