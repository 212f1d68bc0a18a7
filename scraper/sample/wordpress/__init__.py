"""A fake WordPress blog served over real HTTP, in two theme markups (tests, benchmarks).

    from scraper.sample.wordpress import make_wp_blog, WordPressServer, expected_wp_post
    with WordPressServer(make_wp_blog("twentyten")) as server:
        ...  # crawl server.url

Themes: ``twentyten`` (the classic ``div.hentry`` markup of Twenty Ten and
Thematic: dates shown as "March 27, 2017", ``[caption]`` divs, classic
galleries, a lazy-loading plugin, Jetpack sharing buttons) and ``block`` (a
block theme: ``.wp-block-post-*``, ``figure``/``figcaption``, nested
galleries, ``-scaled`` uploads, ``data-orig-file``). The REST API
(``/wp-json/wp/v2/posts``) can be on, off, or answer 401 (``rest``). Every
page, feed, image and the WXR export are rendered from one model, in our own
words (the vocabulary of ``scraper.sample.content``).

``model``: the blog as data; ``markup``: its pages; ``feeds``: RSS, REST and WXR;
``expected``: what a perfect extractor gets; ``server``: the HTTP server.
``python -m scraper.sample.wordpress`` serves one.
"""

from .expected import expected_wp_post
from .feeds import rest_post, rss, wxr
from .markup import body_html, render_listing, render_post
from .model import CATEGORIES, TAGS, WPBlog, WPComment, WPImage, WPPost, make_wp_blog
from .server import WordPressServer

__all__ = [
    "CATEGORIES", "TAGS", "WPBlog", "WPComment", "WPImage", "WPPost", "WordPressServer",
    "body_html", "expected_wp_post", "make_wp_blog", "render_listing", "render_post", "rest_post",
    "rss", "wxr",
]
