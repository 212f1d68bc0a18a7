"""Hugo and Pelican blogs whose pages carry no structured data: the blog's own feed is the
evidence that a page is a post, and gives its title and date; what no source gives is a
counted warning with example URLs, in the summary, the crawls row and `blogarchive status`."""

from __future__ import annotations

import json
import sqlite3

import pytest
from scrapy.http import HtmlResponse

from scraper.platforms import generic
from scraper.platforms.post_evidence import NotAPost
from scraper.sample.generators import GeneratorServer, hugo_post, make_generator_blog

from conftest import crawl, run_cli


def _posts(db) -> dict:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    rows = {r["url"]: dict(r) for r in conn.execute("SELECT * FROM posts")}
    conn.close()
    return rows


def _warnings(db) -> dict:
    conn = sqlite3.connect(db)
    raw = conn.execute("SELECT warnings FROM crawls ORDER BY id DESC").fetchone()[0]
    conn.close()
    return json.loads(raw or "{}")


@pytest.mark.parametrize("generator", ["hugo", "pelican"])
def test_every_post_from_the_feed_with_title_and_date_and_no_warning(generator, tmp_path):
    blog = make_generator_blog(generator)
    db = tmp_path / f"{generator}.db"
    with GeneratorServer(blog) as server:
        result = crawl(server.url, db)
        origin = server.origin
    posts = _posts(db)
    assert sorted(posts) == sorted(origin + blog.path(p) for p in blog.posts), "only the posts, all of them"
    for post in blog.posts:
        got = posts[origin + blog.path(post)]
        assert got["title"] == post.title
        assert got["published"] == post.published.isoformat()
        assert got["word_count"] >= 100
        assert json.loads(got["labels"]) == ([post.category] if generator == "pelican" else [])
        sources = json.loads(got["sources"])
        # Pelican's theme states the exact time (abbr.published); Hugo's shows only the day
        assert sources["published"] in (("time", "feed") if generator == "pelican" else ("feed",)), sources
        assert sources["title"], sources
    assert _warnings(db) == {}
    assert "warnings" not in result.stdout


@pytest.mark.parametrize("generator", ["hugo", "pelican"])
def test_a_blog_lacking_titles_dates_and_text_is_warned_about_with_examples(generator, tmp_path):
    blog = make_generator_blog(generator, gaps=True)
    db = tmp_path / f"{generator}-gaps.db"
    with GeneratorServer(blog) as server:
        result = crawl(server.url, db)
        url = {i: server.origin + blog.path(blog.posts[i]) for i in (2, 4, 6, 8)}
    posts = _posts(db)
    assert len(posts) == len(blog.posts)
    assert posts[url[2]]["title"] == "", "the blog's name is not the post's title"
    assert posts[url[4]]["published"] is None
    warnings = _warnings(db)
    assert warnings == {
        "post_without_title": {"count": 1, "examples": [url[2]]},
        "post_without_date": {"count": 1, "examples": [url[4]]},
        "post_with_empty_body": {"count": 1, "examples": [url[6]]},
        "title_disagree": {"count": 1, "examples": [url[8]]},
    }
    assert blog.posts[0].title in json.loads(posts[url[8]]["notes"])["title"]
    for kind, info in warnings.items():
        assert f"{kind}: 1  e.g. {info['examples'][0]}" in result.stdout
    status = run_cli("status", str(db), check=True).stdout
    assert "warnings by kind" in status
    for kind, info in warnings.items():
        assert kind in status and info["examples"][0] in status


def test_without_a_feed_pages_shaped_like_one_article_linked_from_the_listing_are_posts(tmp_path):
    blog = make_generator_blog("hugo", n_posts=6)
    blog.feed = False
    db = tmp_path / "hugo-nofeed.db"
    with GeneratorServer(blog) as server:
        crawl(server.url, db)
        origin = server.origin
    posts = _posts(db)
    assert sorted(posts) == sorted(origin + blog.path(p) for p in blog.posts)
    for post in blog.posts:
        got = posts[origin + blog.path(post)]
        assert got["title"] == post.title
        assert got["published"], "a date from the page itself"
        assert json.loads(got["sources"])["published"] == "htmldate"


def test_a_page_named_only_by_a_listing_must_look_like_one_article():
    blog = make_generator_blog("hugo", n_posts=3)
    post = blog.posts[0]
    url = "http://blog.test" + blog.path(post)
    page = HtmlResponse(url=url, body=hugo_post(blog, post, "http://blog.test").encode())
    with pytest.raises(NotAPost, match="no structured data"):
        generic.parse_post(page)
    assert generic.parse_post(page, {"listed_in": "listing"}).title == post.title
    post.paragraphs = post.paragraphs[:1]
    post.paragraphs[0] = "A short note."
    short = HtmlResponse(url=url, body=hugo_post(blog, post, "http://blog.test").encode())
    with pytest.raises(NotAPost, match="not shaped like one article: 3 words"):
        generic.parse_post(short, {"listed_in": "sitemap"})
    listed = generic.parse_post(short, {"listed_in": "feed", "title": post.title,
                                        "published": post.published.isoformat()})
    assert (listed.title, listed.published) == (post.title, post.published.isoformat())


def test_datasette_shows_where_each_field_came_from_and_the_weak_ones(tmp_path):
    import subprocess
    import urllib.request

    from conftest import free_port, wait_for
    from scraper.publish import datasette_command

    blog = make_generator_blog("pelican", gaps=True)
    db = tmp_path / "signals.db"
    with GeneratorServer(blog) as server:
        crawl(server.url, db)
        origin = server.origin
    port = free_port()
    proc = subprocess.Popen(datasette_command([str(db)], port=port), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for(f"{base}/-/versions.json", timeout=60)

        def get(path: str):
            with urllib.request.urlopen(base + path, timeout=30) as response:
                return response.read().decode("utf-8")

        weak = json.loads(get("/signals/weak_evidence.json?_shape=array"))
        assert {r["url"] for r in weak} == {origin + blog.path(blog.posts[i]) for i in (2, 4)}
        counts = {(r["field"], r["evidence"]): r["posts"]
                  for r in json.loads(get("/signals/field_sources.json?_shape=array"))}
        assert counts.get(("published", "feed"), 0) + counts.get(("published", "time"), 0) == \
            len(blog.posts) - 1
        assert sum(n for (name, _), n in counts.items() if name == "title") == len(blog.posts) - 1
        disagree = json.loads(get("/signals/disagreements.json?_shape=array"))
        assert [r["url"] for r in disagree] == [origin + blog.path(blog.posts[8])]
        assert "which evidence" in get("/signals/posts").lower() or \
            "the evidence that gave it" in get("/signals/posts")
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_a_blog_whose_pages_are_mostly_refused_says_so(tmp_path):
    blog = make_generator_blog("hugo", n_posts=5)
    blog.feed = False
    for post in blog.posts:  # one line each: nothing says these are posts
        post.paragraphs = ["Back soon."]
    db = tmp_path / "hugo-refused.db"
    with GeneratorServer(blog) as server:
        result = crawl(server.url, db, expect_ok=False)
        refused = {server.origin + blog.path(p) for p in blog.posts}
    assert result.returncode == 1
    assert "most pages were refused as not posts (5 refused, 0 posts)" in result.stdout + result.stderr
    warning = _warnings(db)["not_a_post"]
    assert warning["count"] == 5
    assert {e.split(" ")[0] for e in warning["examples"]} == refused
    assert all("2 words of text" in e for e in warning["examples"])
    conn = sqlite3.connect(db)
    kinds = conn.execute("SELECT error, COUNT(*) FROM fetches WHERE error = 'not_a_post'").fetchone()
    conn.close()
    assert kinds == ("not_a_post", 5)
