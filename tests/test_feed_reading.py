"""How the feed is read: side by side, but never far ahead of the post pages it lists."""

from __future__ import annotations

import sqlite3

from conftest import FAST, run_cli
from scraper.sample import BlogServer, make_blog


def crawl_order(tmp_path, *settings: str) -> tuple[list[str], sqlite3.Connection, set[str]]:
    blog = make_blog("layout", n_posts=200, seed=81, images=False, comments=False)
    db = tmp_path / "archive.db"
    with BlogServer(blog) as server:
        result = run_cli("crawl", server.url, "--db", str(db), *FAST,
                         "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=8", *settings, timeout=120)
        assert result.returncode == 0, result.stdout + result.stderr[-3000:]
        order = [r[1] for r in server.requests]
    return order, sqlite3.connect(db), {p.path for p in blog.posts}


def posts_before_last_feed_page(order: list[str], post_paths: set[str]) -> int:
    last = max(i for i, path in enumerate(order) if path.startswith("/feeds/posts/"))
    return sum(1 for path in order[:last] if path.split("?")[0] in post_paths)


def test_the_feed_is_read_ahead_of_the_posts_only_so_far(tmp_path):
    order, db, post_paths = crawl_order(tmp_path, "-s", "BLOGARCHIVE_FEED_READ_AHEAD=30")
    assert db.execute("SELECT COUNT(*) FROM posts").fetchone()[0] == 200
    # 8 feed pages of 25: the last one waits until most listed posts were fetched
    # (30 waiting at most, plus the page in hand and those in flight).
    assert posts_before_last_feed_page(order, post_paths) >= 200 - 30 - 25 - 8 - 8
    # The feed still listed every post: no listing page was needed.
    assert not [p for p in order if p.startswith("/search")]


def test_by_default_the_whole_feed_of_a_small_blog_is_read_first(tmp_path):
    order, db, post_paths = crawl_order(tmp_path)
    assert db.execute("SELECT COUNT(*) FROM posts").fetchone()[0] == 200
    assert posts_before_last_feed_page(order, post_paths) < 60
    feed_pages = [p for p in order if p.startswith("/feeds/posts/")]
    assert len(feed_pages) == len(set(feed_pages)) == 8
