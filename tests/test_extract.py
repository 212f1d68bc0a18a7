"""The shared evidence layer on single pages: each field with the evidence that gave it."""

from __future__ import annotations

import json

from scraper.extract import Page, author, labels, published, title, updated


def page(url: str, head: str, body: str) -> Page:
    return Page(url, f"<!DOCTYPE html><html lang='en'><head>{head}</head><body>{body}</body></html>")


YOAST_GRAPH = {
    "@context": "https://schema.org",
    "@graph": [
        {"@type": "Article", "@id": "https://tide.example/2024/03/01/ferry/#article",
         "headline": "The ferry that waited",
         "author": {"name": "Mara Quist", "@id": "https://tide.example/#/schema/person/ab12"},
         "datePublished": "2024-02-29T23:30:00+00:00", "dateModified": "2024-03-02T08:00:00+00:00",
         "keywords": ["ferries", "winter"], "articleSection": ["Harbours"]},
        {"@type": "WebSite", "@id": "https://tide.example/#website", "name": "Tide Tables"},
        {"@type": "Person", "@id": "https://tide.example/#/schema/person/ab12", "name": "Mara Quist",
         "url": "https://tide.example/author/mara/"},
    ],
}


def test_yoast_graph_author_and_utc_time_told_in_the_blogs_offset():
    head = (f"<title>The ferry that waited – Tide Tables</title>"
            f"<meta property='article:published_time' content='2024-02-29T23:30:00+00:00'>"
            f"<script type='application/ld+json'>{json.dumps(YOAST_GRAPH)}</script>")
    body = ("<article class='post'><header><h1 class='entry-title'>The ferry that waited</h1>"
            "<span class='posted-on'>March 1, 2024</span></header><div class='entry-content'><p>Text "
            "about <a href='/tag/boats/' rel='tag'>boats</a>.</p></div>"
            "<div class='author-box'><a href='/author/mara/'>View Archive →</a></div></article>"
            "<ol class='comment-list'><li class='comment'><span class='fn'>Commenter Bob</span></li></ol>")
    p = page("https://tide.example/2024/03/01/ferry/", head, body)
    found = author(p)
    assert found.value == ("Mara Quist", "https://tide.example/author/mara/") and found.source == "json-ld"
    when = published(p)
    # The same instant, on the day the blog shows (the offset is inferred from that day).
    assert when.value == "2024-03-01T00:30:00+01:00" and when.source == "json-ld+shown-day"
    assert updated(p, like=when.value).value == "2024-03-02T09:00:00+01:00"
    assert title(p).value == "The ferry that waited"


def test_static_export_title_from_title_tag_date_from_text_and_permalink():
    # A static WordPress export: h1.page-title, a heading inside the text, no JSON-LD.
    head = ("<title>Notes on tide gauges &#8211; Harbour Log</title>"
            "<link rel='alternate' type='application/rss+xml' title='Harbour Log &raquo; Feed' href='/feed/'>")
    body = ("<header id='masthead'><p class='site-title'><a href='/' rel='home'>Harbour Log</a></p></header>"
            "<main><h1 class='page-title'>Notes on tide gauges</h1><div class='meta'>July 14, 2021</div>"
            "<div class='content'><h1>Preamble</h1><p>Some words.</p></div></main>")
    p = page("https://log.example/2021/07/14/notes-on-tide-gauges/", head, body)
    got = title(p)
    assert (got.value, got.source) == ("Notes on tide gauges", "h1")
    assert (published(p).value, published(p).source) == ("2021-07-14", "date-text")
    bare = page("https://log.example/2021/07/14/notes/", "<title>Notes – Harbour Log</title>"
                "<meta property='og:site_name' content='Harbour Log'>", "<main><p>Words.</p></main>")
    assert (title(bare).value, title(bare).source) == ("Notes", "title-tag")
    assert (published(bare).value, published(bare).source) == ("2021-07-14", "permalink")


def test_labels_from_the_posts_meta_never_from_its_text_union_noted():
    head = "<meta property='article:tag' content='jingles'><meta property='article:tag' content='radio'>"
    body = ("<article><div class='entry-content'><p>Some of our <a href='/tag/old/' rel='tag'>past "
            "jingles</a>.</p></div><footer class='entry-footer'><span class='tags-links'>"
            "<a href='/tag/radio/' rel='tag'>radio</a></span></footer></article>"
            "<aside class='widget'><a href='/tag/misc/' rel='tag'>misc</a></aside>")
    p = page("https://r.example/2020/01/02/x/", head, body)
    body_el = p.root.xpath("//div[@class='entry-content']")[0]
    got = labels(p, body=body_el)
    assert got.value == ["radio", "jingles"] and got.source == "rel=tag+article:tag"
    assert "rel=tag: radio" in got.note and "article:tag: jingles, radio" in got.note


def test_precise_source_first_and_nothing_found_is_empty_with_no_source():
    from scraper.extract import Found

    p = page("https://x.example/about/", "<title>About</title>", "<p>Hello</p>")
    assert title(p, precise=[Found("From the feed", "feed")]).source == "feed"
    assert published(p).value == "" and published(p).source == ""
    assert author(p).source == "" and labels(p).value == []


def test_placeholder_dates_are_no_evidence():
    # CMS defaults such as year 1 must neither win nor crash the offset arithmetic.
    head = ("<meta property='article:published_time' content='0001-01-01T00:00:00+00:00'>"
            "<title>Quay notes</title>")
    p = page("https://q.example/2022/05/09/quay-notes/", head, "<article><p>Words.</p></article>")
    got = published(p)
    assert (got.value, got.source) == ("2022-05-09", "permalink")


def test_a_content_container_that_does_not_hold_the_text_is_not_the_body():
    from scrapy.http import HtmlResponse

    from scraper.platforms import generic
    from scraper.sample.content import _make_paragraphs

    paragraphs = list(_make_paragraphs(11, 200, 300))
    html = ("<html><head><meta property='og:type' content='article'><title>Ferry strike</title></head><body>"
            "<h1>Ferry strike</h1><div class='post-content'><p>Share this story</p></div>"
            "<div class='story-body'>" + "".join(f"<p>{t}</p>" for t in paragraphs) + "</div>"
            "<div class='footer-links'><a href='/a'>About</a> <a href='/b'>Jobs</a></div></body></html>")
    post = generic.parse_post(HtmlResponse(url="https://n.example/news/ferry-strike",
                                           body=html.encode(), encoding="utf-8"))
    assert " ".join(" ".join(paragraphs).split()) in " ".join(post.body_text.split())


def test_a_byline_at_the_top_of_extracted_text_is_not_the_body():
    # A publishing platform's story: no content markup, the byline and date line sit among
    # the paragraphs; the extracted text begins with the first paragraph, not with them.
    from scrapy.http import HtmlResponse

    from scraper import platforms
    from scraper.sample.themes import ThemePost, make_posts
    from scraper.sample.themes.generators import medium_like

    post: ThemePost = make_posts(1, 3)[0]
    url = f"https://ledger.example/p/{post.slug}"
    got = platforms.extract_post(HtmlResponse(url=url, body=medium_like(post, url).encode(), encoding="utf-8"))[1]
    assert got.sources["body"] == "text-extraction"
    assert got.body_text.split("\n\n")[0] == post.paragraphs[0], got.body_text[:120]
