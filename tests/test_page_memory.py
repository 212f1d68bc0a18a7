"""A parsed page is freed as soon as the crawl is done with it (issue 16: memory that stays flat).

Scrapy's own ``response.selector`` points back at its response, so every parsed page waited
for Python's cycle collector, tens of times its size in lxml's C memory: the 10,000-post
crawl's peak RSS was 219 MB against 115 MB with the pages freed at once. Measured here as the
objects the cycle collector finds after one page is read as the spider reads it.
"""

from __future__ import annotations

import gc
from dataclasses import asdict

import pytest
from scrapy.http import HtmlResponse, JsonResponse, TextResponse, XmlResponse

from scraper import platforms
from scraper.htmltext import html_to_text
from scraper.middlewares import FreedTrees
from scraper.platforms import blogger
from scraper.sample import make_blog
from scraper.sample.pages import resolve
from scraper.sample.templates import render_page

ORIGIN = "http://blog.test"


def post_page(comments: bool = True) -> HtmlResponse:
    blog = make_blog("layout", n_posts=6, seed=5, images=True)
    post = next(p for p in blog.posts if p.comments) if comments else blog.posts[0]
    html = render_page(blog, resolve(blog, post.path, {}), ORIGIN, "http://img.test", lambda make: make())
    return HtmlResponse(url=ORIGIN + post.path, body=html.encode("utf-8"))


def read_as_the_spider_does(response) -> None:
    platform = platforms.detect(response)
    platform.parse_post(response, {"listed_in": "feed"})
    list(platform.links(response))
    platform.label_listing(response)


def left_for_the_cycle_collector(make_response) -> int:
    """Objects that only the cycle collector frees after one page has been read."""
    read_as_the_spider_does(make_response())  # first calls fill caches (compiled XPath, …)
    gc.collect()
    gc.disable()
    try:
        read_as_the_spider_does(make_response())
        return gc.collect()
    finally:
        gc.enable()


def test_a_post_page_read_by_the_spider_is_freed_without_the_cycle_collector():
    middleware = FreedTrees()
    assert left_for_the_cycle_collector(lambda: middleware.process_response(None, post_page())) == 0


def test_scrapy_alone_leaves_each_parsed_page_to_the_cycle_collector():
    """What FreedTrees is for: if Scrapy stops making the cycle, the middleware can go."""
    assert left_for_the_cycle_collector(post_page) > 0


def test_the_crawl_reads_the_same_fields_from_the_page_handed_on():
    original = post_page()
    handed_on = FreedTrees().process_response(None, original)
    assert isinstance(handed_on, HtmlResponse) and handed_on is not original
    assert asdict(blogger.parse_post(handed_on)) == asdict(blogger.parse_post(post_page()))
    assert list(blogger.links(handed_on)) == list(blogger.links(post_page()))
    assert handed_on.selector is handed_on.selector  # parsed once, as Scrapy's is


@pytest.mark.parametrize("kind, body", [
    (HtmlResponse, b"<html><head><base href='/x/'></head><body><p>Caf\xc3\xa9</p></body></html>"),
    (XmlResponse, b"<?xml version='1.0'?><feed><entry><title>Caf\xc3\xa9</title></entry></feed>"),
    (JsonResponse, b'{"title": "Caf\\u00e9"}'),
    (TextResponse, b"<p>Caf\xc3\xa9</p>"),
])
def test_every_kind_of_text_answer_keeps_its_class_and_selector(kind, body):
    response = kind(url="http://blog.test/a/page", body=body, encoding="utf-8")
    handed_on = FreedTrees().process_response(None, response)
    assert isinstance(handed_on, kind)
    assert handed_on.selector.type == response.selector.type
    assert handed_on.selector.getall() == response.selector.getall()
    assert handed_on.selector.root.base == response.selector.root.base if kind is not JsonResponse else True


def test_plain_text_of_a_body_leaves_nothing_for_the_cycle_collector():
    html = "<p>One <b>two</b></p><ul><li>three</li></ul>" * 50
    html_to_text(html)
    gc.collect()
    gc.disable()
    try:
        assert html_to_text(html).startswith("One two")
        assert gc.collect() == 0
    finally:
        gc.enable()


MAPPED_AFTER_A_BIGGER_ONE = """
import ctypes, sys
class Info(ctypes.Structure):
    _fields_ = [(n, ctypes.c_size_t) for n in ("arena", "ordblks", "smblks", "hblks", "hblkhd",
                                               "usmblks", "fsmblks", "uordblks", "fordblks", "keepcost")]
libc = ctypes.CDLL(None)
libc.mallinfo2.restype = Info
if sys.argv[1] == "held":
    from scraper.malloc import hold_mmap_threshold
    assert hold_mmap_threshold()
big = bytearray(2_000_000)
del big  # glibc would now serve anything under 2 MB from its heaps
before = libc.mallinfo2().hblks
page = bytes(300_000)
print(libc.mallinfo2().hblks - before)
"""


def test_a_page_sized_buffer_is_mapped_apart_even_after_a_bigger_one_was_freed():
    import ctypes
    import subprocess
    import sys

    if not hasattr(ctypes.CDLL(None), "mallinfo2"):
        pytest.skip("not glibc (2.33 or later): the threshold is glibc's")

    def mapped(mode: str) -> int:
        out = subprocess.run([sys.executable, "-c", MAPPED_AFTER_A_BIGGER_ONE, mode], capture_output=True,
                             text=True, check=True).stdout
        return int(out)

    assert mapped("default") == 0  # what the crawl of big pages suffered from
    assert mapped("held") == 1


def test_every_crawl_holds_the_threshold():
    from scraper.runner import project_settings

    assert "scraper.malloc.PageBuffers" in project_settings().getdict("EXTENSIONS")
