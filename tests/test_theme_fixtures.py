"""Post pages in the markup of real themes and generators (scraper.sample.themes): every
field is what the reader sees, and says which evidence gave it — none falls back silently."""

from __future__ import annotations

import datetime as dt

import pytest
from scrapy.http import HtmlResponse

from scraper import platforms
from scraper.sample.themes import GENERATORS, WORDPRESS, theme_pages

PAGES = list(theme_pages(per_theme=3))


def shingle_f1(expected: str, got: str) -> float:
    import re
    from collections import Counter

    def sh(text):
        t = re.findall(r"\w+", text.lower())
        return Counter(tuple(t[i:i + 4]) for i in range(len(t) - 3))

    want, have = sh(expected), sh(got)
    overlap = sum((want & have).values())
    p, r = overlap / max(1, sum(have.values())), overlap / max(1, sum(want.values()))
    return 2 * p * r / (p + r) if p + r else 0.0


def parse(url: str, html: str):
    return platforms.extract_post(HtmlResponse(url=url, body=html.encode("utf-8"), encoding="utf-8"))


def test_enough_distinct_markups():
    assert len(WORDPRESS) >= 10 and len(GENERATORS) >= 6
    assert len({theme for _, theme, _, _, _ in PAGES}) == len(WORDPRESS) + len(GENERATORS)


@pytest.mark.parametrize("family,theme,url,html,truth", PAGES, ids=[f"{p[1]}-{i % 3}" for i, p in enumerate(PAGES)])
def test_fields_are_what_the_reader_sees(family, theme, url, html, truth):
    name, post, _ = parse(url, html)
    assert name == family
    assert post.title == truth["title"]
    assert post.published[:10] == truth["day"], post.sources
    assert post.labels == truth["labels"]
    if truth["author_marked"]:
        assert post.author == truth["author"]
    assert shingle_f1("\n\n".join(truth["text_blocks"]), post.body_text) >= \
        (0.99 if post.sources["body"] != "text-extraction" else 0.9), post.sources
    # Every field found says where it came from.
    for field in ("title", "published", "body") + (("labels",) if truth["labels"] else ()):
        assert post.sources.get(field), (field, post.sources)


def test_utc_times_are_told_in_the_blogs_offset_and_keep_their_instant():
    for _, theme, url, html, truth in PAGES:
        if theme not in ("magazine-yoast", "ghost", "substack-like", "medium-like"):
            continue
        _, post, _ = parse(url, html)
        when = dt.datetime.fromisoformat(post.published)
        assert when.utcoffset() != dt.timedelta(0), (theme, post.published)
        assert when.date().isoformat() == truth["day"]
        assert post.sources["published"].endswith("+shown-day"), post.sources


def test_author_boxes_comments_and_body_headings_never_speak_for_the_post():
    for _, theme, url, html, _truth in PAGES:
        _, post, _ = parse(url, html)
        assert "View Archive" not in post.author and post.author != "Élodie Marchand", theme
        assert post.title not in ("Preamble", "What the harbour master said", "Stop! This part is out of date")
        assert "misc" not in post.labels, theme  # the widget's and the comment's tag links


def test_static_export_title_and_day_from_document_cues():
    for _, theme, url, html, truth in PAGES:
        if theme == "simply-static-export":
            _, post, _ = parse(url, html)
            assert post.sources["title"] == "title-tag" and post.sources["published"] == "date-text"
            assert post.published == truth["day"]


@pytest.mark.parametrize("theme", ["simply-static-export", "magazine-yoast", "oceanwp", "hestia"])
def test_a_crawl_of_a_theme_blog_stores_what_its_pages_show(theme, tmp_path):
    # Static exports: no REST API, no feed; posts found from the home page, fields from the chain.
    import json
    import sqlite3

    from conftest import crawl
    from scraper.sample.themes import ThemeBlogServer

    with ThemeBlogServer(theme) as blog:
        crawl(blog.url, tmp_path / "a.db", "--images", "none")
        truth = blog.truth
    db = sqlite3.connect(tmp_path / "a.db")
    db.row_factory = sqlite3.Row
    rows = {r["url"]: dict(r) for r in db.execute("SELECT * FROM posts")}
    assert set(rows) == set(truth)
    for url, want in truth.items():
        got = rows[url]
        assert got["title"] == want["title"]
        assert got["published"][:10] == want["day"]
        assert json.loads(got["labels"]) == want["labels"]
        if want["author_marked"]:
            assert got["author"] == want["author"]
        # Stored with the evidence that gave each field (Datasette shows it).
        sources = json.loads(got["sources"])
        assert sources.get("title") and sources.get("published") and sources.get("labels"), sources
        if theme == "simply-static-export":
            assert (sources["title"], sources["published"]) == ("title-tag", "date-text")
