"""A hand-made blog (static generator output), crawled by the real CLI with the generic platform."""

from __future__ import annotations

import json
import sqlite3
from urllib.parse import unquote

import pytest
from scrapy.http import HtmlResponse

from conftest import crawl, crawled_archive
from scraper import platforms
from scraper.platforms import generic
from scraper.sample.fixture_server import FixtureServer, Reply
from scraper.sample.handmade import HandmadeServer, expected_handmade_post, make_handmade_blog


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    blog = make_handmade_blog(n_posts=14)
    db_path = tmp_path_factory.mktemp("handmade") / "archive.db"
    with crawled_archive(HandmadeServer(blog), db_path) as (server, result, db):
        yield blog, server, db, result


def test_every_post_and_nothing_else(crawled):
    blog, server, db, result = crawled
    rows = {r["url"]: dict(r) for r in db.execute("SELECT * FROM posts_with_bodies")}
    assert len(rows) == len(blog.posts), sorted(rows)
    assert db.execute("SELECT platform FROM blogs").fetchone()[0] == "generic"
    for post in blog.posts:
        want = expected_handmade_post(blog, post, server.origin)
        got = rows[want["url"]]
        assert got["title"] == want["title"]
        assert got["author"] == want["author"]
        # JSON-LD/h-entry posts: the exact time; plain posts: the date htmldate finds, made
        # exact by the Atom feed for the latest ones.
        in_feed = post in blog.sorted_posts()[: blog.feed_size]
        exact = post.published.isoformat()
        assert got["published"] == (exact if in_feed else want["published"]), want["url"]
        assert json.loads(got["labels"]) == want["labels"]
        assert got["body_text"] == "\n\n".join(want["text_blocks"]), want["url"]
        images = [dict(r) for r in db.execute(
            "SELECT full_url, caption FROM post_images WHERE post_id = ?", [got["id"]])]
        assert images == ([{"full_url": want["image"], "caption": want["caption"]}] if want["image"] else [])
    crawl_row = dict(db.execute("SELECT * FROM crawls").fetchone())
    assert crawl_row["status"] == "finished", crawl_row
    assert crawl_row["errors"] == 0, crawl_row


def test_pages_that_are_not_posts_are_never_fetched(crawled):
    blog, server, db, _ = crawled
    paths = [unquote(p) for p in server.paths()]
    assert not [p for p in paths if p in ("/about/", "/contact/", "/projects/timetable-printer/")]
    for post in blog.posts:
        assert paths.count(post.path) == 1, post.path
    # Older posts through rel=next (/page2/ …), the feed and the sitemap were all used.
    assert "/page2/" in paths and "/feed.xml" in paths and "/sitemap.xml" in paths


def test_posts_only_a_sitemap_named_in_robots_txt_lists_are_archived(tmp_path):
    # The three oldest posts are linked from nowhere; the one list that names them is a
    # sitemap at an address only robots.txt gives.
    blog = make_handmade_blog(n_posts=10, seed=6)
    blog.sitemap_path, blog.unlisted = "/maps/site-index.xml", 3
    hidden = {p.path for p in blog.sorted_posts()[-3:]}
    with HandmadeServer(blog) as server:
        crawl(server.url, tmp_path / "a.db")
        paths = [unquote(p) for p in server.paths()]
    db = sqlite3.connect(tmp_path / "a.db")
    urls = {u for (u,) in db.execute("SELECT url FROM posts")}
    assert {server.origin + p for p in hidden} <= urls and len(urls) == 10
    assert "/maps/site-index.xml" in paths
    assert not [p for p in paths if p in ("/about/", "/contact/", "/projects/timetable-printer/")]


def _page(url: str, body: str) -> HtmlResponse:
    return HtmlResponse(url=url, body=body.encode("utf-8"), encoding="utf-8")


def test_a_site_without_blog_evidence_is_not_crawled(tmp_path):
    page = ("<!DOCTYPE html><html><head><title>Acme widgets</title></head><body><h1>Widgets</h1>"
            "<a href='/products/1'>One</a><a href='/about'>About</a></body></html>")
    with FixtureServer(lambda path, query: Reply(200, "text/html", page.encode())) as server:
        result = crawl(server.url, tmp_path / "a.db", expect_ok=False)
        assert result.returncode == 1
        assert [p for p in server.paths() if p != "/robots.txt"] == ["/"]
    assert platforms.detect(_page("http://shop.example/", page)) is None


def test_generic_evidence_rules():
    article = ('<html><head><meta property="og:type" content="article"><title>A day</title></head>'
               '<body><article><h1>A day</h1><p>' + "words " * 60 + '</p></article></body></html>')
    post = generic.parse_post(_page("http://notes.example/notes/a-day/", article))
    assert post.title == "A day" and post.word_count == 60 and post.id == "site:notes.example:/notes/a-day/"
    about = '<html><head><link rel="alternate" type="application/rss+xml" href="/rss.xml"></head>' \
            '<body><article><h1>About</h1><p>Hello.</p></article></body></html>'
    assert platforms.detect(_page("http://notes.example/about/", about)) is generic.PLATFORM
    with pytest.raises(ValueError):
        generic.parse_post(_page("http://notes.example/about/", about))
    assert generic.classify("http://notes.example/2019/03/04/slug.html") == "post"
    assert generic.classify("http://notes.example/posts/a-day/") == "post"
    assert generic.classify("http://notes.example/page/3/") == "older"
    assert generic.classify("http://notes.example/page3/") == "older"
    assert generic.classify("http://notes.example/tags/x/") == "label"
    assert generic.classify("http://notes.example/about/") is None
    assert generic.classify("http://notes.example/search?q=x") is None
