"""The fake Blogger (scraper.sample) serves what real Blogger serves."""
from __future__ import annotations

import urllib.error
import urllib.request
from datetime import timedelta
from urllib.parse import quote, unquote

import pytest
from parsel import Selector

from scraper.sample import BlogServer, expected_post, make_blog
from scraper.sample.images import image_size
from scraper.sample.model import SamplePost, parse_offset


def fetch(url: str, **headers):
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, response.read(), response.headers
    except urllib.error.HTTPError as error:
        return error.code, error.read(), error.headers


def page(url: str) -> Selector:
    status, body, _ = fetch(url)
    assert status == 200, url
    return Selector(text=body.decode("utf-8"))


@pytest.fixture(scope="module")
def layout():
    blog = make_blog("layout", n_posts=45, seed=1)
    with BlogServer(blog) as server:
        yield blog, server


def listed_ids(sel: Selector) -> list:
    return sel.css("div.post meta[itemprop=postId]::attr(content)").getall()


def test_home_page_has_blogger_markers_and_navigation(layout):
    blog, server = layout
    sel = page(server.url)
    assert sel.css("meta[name=generator]::attr(content)").get() == "blogger"
    assert sel.css("link[rel='service.post']::attr(href)").get().endswith(f"/feeds/{blog.blog_id}/posts/default")
    assert listed_ids(sel) == [p.post_id for p in blog.sorted_posts()[:blog.page_size]]
    older = sel.css("a.blog-pager-older-link::attr(href)").get()
    assert "/search?updated-max=" in older and "%2B02%3A00" not in older and "%2B02:00" in older
    hrefs = sel.css("#BlogArchive1 a::attr(href)").getall()
    assert any(h.endswith("/2017/") for h in hrefs) and any(h.endswith("/2017/05/") for h in hrefs)
    assert any("action=toggle" in h for h in hrefs)          # the trap a crawler must skip
    assert any(h.endswith("/search/label/Kim%20Jong%20Un") for h in sel.css("#Label1 a::attr(href)").getall())
    # date headers only when the day changes
    assert len(sel.css("h2.date-header")) == len({p.published.date() for p in blog.sorted_posts()[:7]})


def test_search_page_same_under_two_offsets(layout):
    blog, server = layout
    last = blog.sorted_posts()[6].published
    pages = []
    for offset in ("+02:00", "-07:00"):
        stamp = last.astimezone(parse_offset(offset)).isoformat()
        pages.append(listed_ids(page(f"{server.origin}/search?updated-max={quote(stamp)}&max-results=7")))
    assert pages[0] == pages[1] == [p.post_id for p in blog.sorted_posts()[7:14]]
    # the "Newer Posts" link (alt offset, reverse-paginate) leads back to the first page's posts
    sel = page(f"{server.origin}/search?updated-max={quote(last.isoformat())}&max-results=7")
    newer = sel.css("a.blog-pager-newer-link::attr(href)").get()
    assert "reverse-paginate=true" in newer and "-07:00" in unquote(newer)
    assert listed_ids(page(newer)) == [p.post_id for p in blog.sorted_posts()[:7]]


def test_label_pages_with_space_and_accent(layout):
    blog, server = layout
    for label in ("Kim Jong Un", "Café política"):
        wanted = [p.post_id for p in blog.sorted_posts() if label in p.labels][:blog.label_page_size]
        assert listed_ids(page(server.origin + "/search/label/" + quote(label))) == wanted
    assert fetch(server.origin + "/search/label/No%20such%20label")[0] == 404


def test_month_archive_older_link_leaves_the_month(layout):
    blog, server = layout
    post = blog.sorted_posts()[10]
    sel = page(f"{server.origin}/{post.published:%Y/%m}/")
    ids = listed_ids(sel)
    assert post.post_id in ids
    older = sel.css("a.blog-pager-older-link::attr(href)").get()
    assert older and "/search?updated-max=" in older          # not filtered by month (B2)


def test_feed_paging_totals(layout):
    blog, server = layout
    first = Selector(text=fetch(server.origin + "/feeds/posts/default")[1].decode(), type="xml")
    first.register_namespace("a", "http://www.w3.org/2005/Atom")
    first.register_namespace("os", "http://a9.com/-/spec/opensearchrss/1.0/")
    assert first.xpath("//os:totalResults/text()").get() == "45"
    assert len(first.xpath("//a:entry")) == 25
    next_url = first.xpath("//a:link[@rel='next']/@href").get()
    assert "start-index=26" in next_url
    second = Selector(text=fetch(next_url)[1].decode(), type="xml")
    second.register_namespace("a", "http://www.w3.org/2005/Atom")
    assert len(second.xpath("//a:entry")) == 20
    assert not second.xpath("//a:link[@rel='next']")
    ids = first.xpath("//a:entry/a:id/text()").getall() + second.xpath("//a:entry/a:id/text()").getall()
    assert {i.rsplit("-", 1)[1] for i in ids} == {p.post_id for p in blog.posts}


def test_post_page_matches_expected_and_images_are_real(layout):
    blog, server = layout
    post = next(p for p in blog.sorted_posts() if p.images and p.comments and not any(
        i.fake_html or i.missing_original for i in p.images))
    want = expected_post(blog, post, server.origin, server.image_origin)
    sel = page(want["url"] + "?m=1")                             # mobile variant = same content
    assert sel.css("link[rel=canonical]::attr(href)").get() == want["url"]
    assert sel.css("abbr.published::attr(title)").get() == want["published"]
    assert sel.css(".post-labels a[rel=tag]::text").getall() == want["labels"]
    assert sel.css("li.comment::attr(id)").getall() == ["c" + c["id"] for c in want["comments"]]
    assert sel.css(".post-body img::attr(src)").getall() == [i["src"] for i in want["images"]]
    for image in want["images"]:
        status, data, headers = fetch(image["full_url"])
        assert status == 200 and image_size(data)[1:] == (image["width"], image["height"])
        status, data, _ = fetch(image["src"])
        assert status == 200 and image_size(data)[1:] == (image["display_width"], image["display_height"])


def test_image_faults_and_404s(layout):
    blog, server = layout
    images = {i.image_id: i for p in blog.posts for i in p.images}.values()
    missing = next(i for i in images if i.missing_original)
    fake = next(i for i in images if i.fake_html)
    from scraper.sample.markup import image_url
    assert fetch(image_url(server.image_origin, missing, "s1600"))[0] == 404
    assert fetch(image_url(server.image_origin, missing, "s320"))[0] == 200
    status, body, headers = fetch(image_url(server.image_origin, fake, "s1600"))
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    for path in ("/nope", "/2014/01/no-such-post.html", blog.broken_links[0]):
        status, body, _ = fetch(server.origin + path)
        assert status == 404 and b"<html" in body


def test_conditional_get(layout):
    blog, server = layout
    url = server.origin + blog.sorted_posts()[0].path
    _, _, headers = fetch(url)
    assert fetch(url, **{"If-None-Match": headers["ETag"]})[0] == 304
    assert fetch(url, **{"If-Modified-Since": headers["Last-Modified"]})[0] == 304
    assert server.count(blog.sorted_posts()[0].path) == 3


def test_mutations_change_pages():
    blog = make_blog("layout", n_posts=12, seed=3, images=False)
    with BlogServer(blog) as server:
        victim, edited = blog.sorted_posts()[2], blog.sorted_posts()[3]
        _, _, before = fetch(server.origin + edited.path)
        blog.edit_post(edited, ["A wholly new paragraph about the ferry."])
        status, body, after = fetch(server.origin + edited.path, **{"If-None-Match": before["ETag"]})
        assert status == 200 and b"wholly new paragraph" in body and after["ETag"] != before["ETag"]
        blog.delete_post(victim)
        assert fetch(server.origin + victim.path)[0] == 404
        newest = blog.sorted_posts()[0]
        fresh = SamplePost(post_id="1234567890123456789", slug="late-news", title="Late news",
                           author="Tom Okafor", published=newest.published + timedelta(days=1),
                           updated=newest.published + timedelta(days=1), labels=["Summit"],
                           paragraphs=["Breaking."])
        blog.add_post(fresh)
        assert listed_ids(page(server.url))[0] == fresh.post_id
        blog.rename_label("Summit", "Summits")
        assert fetch(server.origin + "/search/label/Summits")[0] == 200


@pytest.mark.parametrize("template", ["classic", "contempo"])
def test_other_template_families(template):
    blog = make_blog(template, n_posts=20, seed=2, locale="es")
    with BlogServer(blog) as server:
        post = next(p for p in blog.sorted_posts() if p.title and p.comments and p.labels)
        want = expected_post(blog, post, server.origin, server.image_origin)
        sel = page(want["url"])
        assert sel.css("h3.post-title::text").get().strip() == want["title"]
        assert sel.css("[rel=tag]::text").getall() == want["labels"]
        if template == "classic":
            assert sel.css("dl#comments-block dt.comment-author::attr(id)").getall() == ["c" + c["id"] for c in want["comments"]]
            archive = page(server.url).css("ul.archive-list a::attr(href)").getall()
            assert archive and all(h.endswith("_01_archive.html") for h in archive)
            assert "T" in want["published_local"]
        else:
            assert sel.css("time.published::attr(datetime)").get() == want["published"]
            assert '"datePublished": "%s"' % want["published"] in sel.css("script[type='application/ld+json']::text").get()
            assert sel.css("article.post-outer-container li.comment::attr(id)").getall() == ["c" + c["id"] for c in want["comments"]]
