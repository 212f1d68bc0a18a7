"""Blogger labels and authors from every place the blog states them, never from a post's text.

An Awesome Inc. blog whose post pages show no labels line and name the author only in
``<span class='fn'>``: labels from the feed's ``<category term>`` (and, with the feed
switched off, from the blog's label pages), the author from the byline (or the feed).
A classic-template post whose text links to a label page does not get that label.
"""

from __future__ import annotations

import json
import sqlite3

import pytest
from scrapy.http import HtmlResponse

from scraper.platforms import blogger
from scraper.sample import make_blog
from scraper.sample.pages import resolve
from scraper.sample.server import BlogServer
from scraper.sample.templates import render_page

from conftest import crawl


def _rows(db, sql, params=()):
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    rows = [dict(r) for r in conn.execute(sql, params)]
    conn.close()
    return rows


def _awesome_blog(**knobs):
    return make_blog("awesome", n_posts=12, seed=5, locale="fr", images=False, comments=False, **knobs)


def _crawled(blog, db) -> tuple[str, dict]:
    """Crawl the blog into db: its origin, and the posts stored (every one) by URL."""
    with BlogServer(blog) as server:
        crawl(server.url, db)
        origin = server.origin
    posts = {r["url"]: r for r in _rows(db, "SELECT * FROM posts")}
    assert len(posts) == len(blog.posts)
    return origin, posts


@pytest.fixture(scope="module")
def without_feed(tmp_path_factory):
    """The blog with its feed switched off, crawled once: (blog, archive, origin, posts)."""
    blog = _awesome_blog(feed_enabled=False)
    db = tmp_path_factory.mktemp("nofeed") / "awesome-nofeed.db"
    return (blog, db, *_crawled(blog, db))


def test_awesome_inc_labels_from_the_feed_and_author_from_the_byline(tmp_path):
    blog = _awesome_blog()
    db = tmp_path / "awesome.db"
    origin, posts = _crawled(blog, db)
    for post in blog.posts:
        got = posts[origin + post.path]
        assert json.loads(got["labels"]) == post.labels, post.path
        assert got["author"] == post.author
        sources = json.loads(got["sources"])
        assert sources["labels"] == "feed" and sources["author"] == "post-author", sources
    authors = {r["name"] for r in _rows(db, "SELECT name FROM authors")}
    assert authors == {p.author for p in blog.posts}
    stored = _rows(db, "SELECT p.url, l.name FROM post_labels pl JOIN posts p ON p.id = pl.post_id "
                       "JOIN labels l ON l.id = pl.label_id")
    assert len(stored) == sum(len(p.labels) for p in blog.posts)
    warnings = json.loads(_rows(db, "SELECT warnings FROM crawls")[0]["warnings"])
    untitled = [origin + p.path for p in blog.posts if not p.title]
    assert warnings == ({"post_without_title": {"count": len(untitled), "examples": untitled}}
                        if untitled else {})


def test_without_a_feed_labels_come_from_the_blogs_label_pages(without_feed):
    blog, db, origin, posts = without_feed
    for post in blog.posts:
        got = posts[origin + post.path]
        assert sorted(json.loads(got["labels"])) == sorted(post.labels), post.path
        if post.labels:
            assert json.loads(got["sources"])["labels"] == "label-page"
    listed = _rows(db, "SELECT COUNT(*) AS n FROM label_listings")[0]["n"]
    assert listed == sum(len(p.labels) for p in blog.posts)


def test_a_link_to_a_label_page_inside_the_text_is_not_a_label():
    blog = make_blog("classic", n_posts=4, seed=2, images=False)
    post = blog.posts[1]
    post.extra_html = ('<p>Listen to some of our past <a href="/search/label/jingles">jingles</a> '
                       'while you read.</p>')
    blog.touch()
    origin = "http://blog.test"
    page = resolve(blog, post.path, {})
    html = render_page(blog, page, origin, "http://img.test", lambda make: make())
    parsed = blogger.parse_post(HtmlResponse(url=origin + post.path, body=html.encode("utf-8")))
    assert "jingles" in parsed.body_text
    assert parsed.labels == post.labels
    assert "jingles" not in parsed.labels


def test_label_pages_that_agree_with_each_other_are_no_disagreement(without_feed):
    _, db, _, _ = without_feed
    assert _rows(db, "SELECT COUNT(*) AS n FROM posts WHERE notes IS NOT NULL")[0]["n"] == 0
    assert "labels_disagree" not in json.loads(_rows(db, "SELECT warnings FROM crawls")[0]["warnings"])


def test_a_label_page_listing_a_post_under_a_label_its_page_does_not_show_is_noted(tmp_path):
    from scraper import store

    db = store.open_db(tmp_path / "a.db")
    store.save_blog(db, {"id": "b1", "url": "http://blog.test/", "platform": "blogger"})
    post = {"id": "p1", "blog_id": "b1", "url": "http://blog.test/2020/01/a.html", "title": "A",
            "body_html": "<p>x</p>", "labels": ["Ferries"], "sources": {"labels": "labels-line"}}
    store.save_post(db, post)
    store.save_label_listing(db, "b1", "Ferries", "http://blog.test/search/label/Ferries", [post["url"]])
    assert db["posts"].get("p1")["notes"] is None
    store.save_label_listing(db, "b1", "Trains", "http://blog.test/search/label/Trains", [post["url"]])
    row = db["posts"].get("p1")
    assert json.loads(row["labels"]) == ["Ferries", "Trains"]
    assert json.loads(row["sources"])["labels"] == "labels-line+label-page"
    assert "label-page: Ferries, Trains" in json.loads(row["notes"])["labels"]


def test_a_feed_that_disagrees_with_the_page_is_noted_once_however_often_the_post_is_saved(tmp_path):
    from scraper import store

    db = store.open_db(tmp_path / "a.db")
    store.save_blog(db, {"id": "b1", "url": "http://blog.test/", "platform": "blogger"})
    url = "http://blog.test/2020/01/a.html"
    store.save_feed_entries(db, "b1", [{"url": url, "title": "A", "labels": ["Ferries", "Buses"]}])
    store.save_label_listing(db, "b1", "Trains", "http://blog.test/search/label/Trains", [url])
    post = {"id": "p1", "blog_id": "b1", "url": url, "title": "A", "body_html": "<p>x</p>",
            "labels": ["Ferries"], "sources": {"labels": "labels-line"}}
    store.save_post(db, post)
    first = db["posts"].get("p1")
    assert json.loads(first["labels"]) == ["Ferries", "Buses", "Trains"]
    assert json.loads(first["notes"]) == {
        "labels": "stored: Ferries; feed: Ferries, Buses; label-page: Trains"}
    store.save_post(db, post)  # the next crawl finds the page as it was
    store.save_feed_entries(db, "b1", [{"url": url, "title": "A", "labels": ["Ferries", "Buses"]}])
    assert db["posts"].get("p1")["notes"] == first["notes"]
