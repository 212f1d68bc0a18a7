"""Fixture Blogger blogs, one per template family, crawled by the real CLI.

Each blog is served by a real local HTTP server (scraper.sample) and every
field of every post is compared with what the page shows.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import datetime, timezone
import sqlite3
from urllib.parse import unquote, urlsplit

import pytest

from conftest import crawl, crawled_archive
from scraper.sample import BlogServer, expected_post, make_blog

FAMILIES = [
    # (template, locale, posts, knobs): the largest spans several years.
    # No feed and no sitemap: every post must be found through the archive pages.
    ("layout", "es", 45, {"archive_style": "hierarchy", "pager_start_param": True,
                          "feed_enabled": False, "sitemap_enabled": False}),
    ("classic", "en", 24, {"classic_pager": True}),
    ("contempo", "fr", 24, {"archive_style": "dropdown"}),
]


def instant(iso: str) -> datetime:
    return datetime.fromisoformat(iso).astimezone(timezone.utc)


def rows(db, sql, *params):
    return [dict(r) for r in db.execute(sql, params)]


@pytest.fixture(scope="module", params=FAMILIES, ids=[f[0] for f in FAMILIES])
def crawled(request, tmp_path_factory):
    template, locale, n, knobs = request.param
    blog = make_blog(template, n_posts=n, seed=11, locale=locale, **knobs)
    db_path = tmp_path_factory.mktemp(template) / "archive.db"
    with crawled_archive(BlogServer(blog), db_path) as (server, result, db):
        yield blog, server, db, result


def test_every_post_has_its_exact_fields(crawled):
    blog, server, db, _ = crawled
    assert len({p.published.year for p in blog.posts}) >= 3 or len(blog.posts) < 40
    for post in blog.posts:
        want = expected_post(blog, post, server.origin, server.image_origin)
        got = rows(db, "SELECT * FROM posts_with_bodies WHERE url = ?", want["url"])
        assert got, f"{want['url']} not archived"
        got = got[0]
        assert got["id"] == want["post_id"]
        assert got["blog_id"] == want["blog_id"]
        assert got["title"] == want["title"]
        assert got["author"] == want["author"]
        if blog.template == "classic":
            # The page shows only a date and "9:23 PM"; the feed gives the exact time.
            assert got["published"].startswith(want["published_local"])
        assert got["published"] == want["published"]
        assert json.loads(got["labels"]) == want["labels"]
        # Captions stay in the text, where the reader sees them (photo credits are searchable).
        assert got["body_text"] == "\n\n".join(want["text_blocks"]), want["url"]
        text = "\n\n".join(want["text_blocks"])
        assert got["word_count"] == sum(1 for t in text.split() if re.search(r"\w", t))
        images = rows(db, "SELECT src, full_url, alt, caption FROM post_images "
                          "WHERE post_id = ? ORDER BY position", got["id"])
        assert images == [
            {"src": i["src"], "full_url": i["full_url"], "alt": i["alt"], "caption": i["caption"]}
            for i in want["images"]
        ]
        comments = rows(db, "SELECT id, author, body_text, published FROM comments "
                            "WHERE post_id = ? ORDER BY position", got["id"])
        assert [dict(c, published=instant(c["published"])) for c in comments] == \
            [dict(c, published=instant(c["published"])) for c in want["comments"]]


def test_body_html_is_sanitised_and_keeps_structure(crawled):
    blog, server, db, _ = crawled
    for row in rows(db, "SELECT body_html FROM posts_with_bodies"):
        html = row["body_html"].lower()
        assert "<script" not in html and "onclick" not in html and "style=" not in html
    quoted = [p for p in blog.posts if p.quote]
    assert quoted
    post = quoted[0]
    body = rows(db, "SELECT body_html FROM posts_with_bodies WHERE id = ?", post.post_id)[0]["body_html"]
    assert "<blockquote" in body


def test_each_post_fetched_once_and_noise_never_followed(crawled):
    blog, server, db, _ = crawled
    paths = [unquote(urlsplit(r[1]).path) + ("?" + urlsplit(r[1]).query if urlsplit(r[1]).query else "")
             for r in server.requests]
    post_paths = {p.path for p in blog.posts}
    for path in post_paths:
        assert paths.count(path) == 1, f"{path} fetched {paths.count(path)} times"
    assert not [p for p in paths if "m=1" in p or "showComment" in p or "action=toggle" in p
                or "reverse-paginate" in p]
    if blog.feed_enabled:
        # The feed listed every post: listing pages would only repeat it.
        assert not [p for p in paths if p.startswith(("/search", "/20")) and p not in post_paths
                    and not p.endswith(".html")], paths
        crawl_row = rows(db, "SELECT * FROM crawls")[0]
        assert crawl_row["posts_expected"] == len(blog.posts)
        return
    # The same "Older posts" page under two time-zone offsets is fetched once.
    listing = {}
    for r in server.requests:
        parts = urlsplit(r[1])
        query = dict(q.split("=", 1) for q in parts.query.split("&") if "=" in q)
        if "updated-max" not in query:
            continue
        when = instant(unquote(query["updated-max"]).replace(" ", "+"))
        key = (unquote(parts.path), when, query.get("max-results"), query.get("start"))
        listing[key] = listing.get(key, 0) + 1
    assert listing and max(listing.values()) == 1, listing
    # Without a feed the blog states no count; every post is there all the same.
    crawl_row = rows(db, "SELECT * FROM crawls")[0]
    assert crawl_row["status"] == "finished" and crawl_row["posts_expected"] is None
    assert rows(db, "SELECT COUNT(*) AS n FROM posts")[0]["n"] == len(blog.posts)


def test_broken_links_are_recorded_and_the_crawl_goes_on(crawled):
    blog, server, db, result = crawled
    failed = {urlsplit(r["url"]).path: r for r in rows(db, "SELECT * FROM fetches WHERE status = 404")}
    assert "/2009/02/moved-away.html" in failed
    assert failed["/2009/02/moved-away.html"]["error"] == "http_404"
    assert "http_404" in result.stdout


def test_images_are_in_the_archive_deduplicated_and_verified(crawled):
    blog, server, db, result = crawled
    stored = rows(db, "SELECT sha256, content, content_type, width, height, source_url FROM images")
    assert stored
    for image in stored:
        assert hashlib.sha256(image["content"]).hexdigest() == image["sha256"]
        assert image["content_type"].startswith("image/")
    wanted = {}
    for post in blog.posts:
        for image in expected_post(blog, post, server.origin, server.image_origin)["images"]:
            wanted[image["full_url"]] = image
    linked = rows(db, "SELECT full_url, image_sha256, fetch_error, fetched_url FROM post_images")
    by_url = {}
    for row in linked:
        by_url.setdefault(row["full_url"], set()).add((row["image_sha256"], row["fetch_error"]))
    sha_of = {}
    for url, image in wanted.items():
        outcomes = by_url[url]
        assert len(outcomes) == 1, f"{url} stored differently in different posts"
        sha, error = next(iter(outcomes))
        if not image["fetchable"]:
            assert sha is None and "not_image" in error
            continue
        assert sha and error is None, (url, error)
        sha_of[url] = sha
        file = rows(db, "SELECT width, height FROM images WHERE sha256 = ?", sha)[0]
        if image["original_missing"]:
            # s0 and s1600 answer 404: the shown size is kept instead.
            assert (file["width"], file["height"]) == (image["display_width"], image["display_height"])
        else:
            assert (file["width"], file["height"]) == (image["width"], image["height"])
    # Each distinct picture is one file, however many posts show it.
    assert len(stored) == len(set(sha_of.values())) == len(sha_of)
    shared = rows(db, "SELECT image_sha256, COUNT(DISTINCT post_id) AS n FROM post_images "
                      "WHERE image_sha256 IS NOT NULL GROUP BY image_sha256 HAVING n > 1")
    assert shared, "the fixture reuses photos across posts"
    # No image URL was downloaded twice.
    image_paths = [r[1] for r in server.image_requests]
    assert len(image_paths) == len(set(image_paths))
    assert "images new" in result.stdout and "image_not_image: 1" in result.stdout


def test_comments_beyond_the_page_come_from_the_comment_feed(tmp_path):
    # Blogger pages show the first comments and load the rest by script (B16).
    blog = make_blog("layout", n_posts=10, seed=11, comments_in_page=1)
    many = [p for p in blog.posts if len(p.comments) > 1]
    assert many
    with BlogServer(blog) as server:
        crawl(server.url, tmp_path / "a.db")
        feeds = [r[1] for r in server.requests if "/comments/default" in r[1]]
        db = sqlite3.connect(tmp_path / "a.db")
        db.row_factory = sqlite3.Row
        for post in blog.posts:
            want = expected_post(blog, post, server.origin, server.image_origin)["comments"]
            got = rows(db, "SELECT id, author, body_text, published FROM comments "
                           "WHERE post_id = ? ORDER BY position", post.post_id)
            assert [(c["id"], c["author"], c["body_text"], instant(c["published"])) for c in got] == \
                [(c["id"], c["author"], c["body_text"], instant(c["published"])) for c in want]
    # Only the posts with hidden comments had their comment feed read.
    assert sorted(f.split("/")[2] for f in feeds) == sorted(p.post_id for p in many)
