"""The platforms, in the order they are tried; the generic one comes last.

Each is one module ending in a ``Platform`` subclass (``platforms/base.py``: what
every platform must say, and the optional hooks with their defaults) and its
instance ``PLATFORM``, listed here. A new platform is one new module and one line
below. The crawler asks this registry, never a platform by name.
"""

from __future__ import annotations

from . import blogger, generic, wordpress
from .base import Platform

PLATFORMS: list[Platform] = [blogger.PLATFORM, wordpress.PLATFORM, generic.PLATFORM]


def detect(response) -> Platform | None:
    for platform in PLATFORMS:
        if platform.detect(response):
            return platform
    return None


# Below this, text found on a page nobody's markup calls a post is not a post.
MIN_ASSERTED_WORDS = 30


def extract_post(response, strict: bool = False):
    """(platform name, Post, refusal) for one saved page a person says is a post.

    The platform's parser first, under the crawler's evidence rule; when that
    refuses the page (no platform, no sign of a single post), the generic
    parser's text extraction, unless ``strict``. ``refusal`` says why the rule
    refused ("" when it did not). Raises ValueError when there is no post.
    """
    platform = detect(response)
    refusal = "no platform recognised this page"
    if platform is not None:
        listed = posts_listed(response)
        if strict and platform.classify(response.url) != "post" and listed > 1:
            raise ValueError(f"this page lists {listed} posts, not one (a home, archive or label "
                             "page); extract a post's own page")
        try:
            return platform.NAME, platform.parse_post(response), ""
        except ValueError as e:
            refusal = str(e)
    if strict:
        raise ValueError(refusal)
    post = generic.parse_post(response, asserted=True)
    if post.word_count < MIN_ASSERTED_WORDS:
        raise ValueError(f"{refusal}; no main text found either (no post on this page)")
    return generic.NAME, post, refusal


# The body of one post, as Blogger templates, WordPress themes and schema.org mark it.
POST_BODIES = (".post-body", ".entry-content", "[itemprop~='articleBody']")


def posts_listed(response) -> int:
    """How many post bodies the page shows (a listing page shows several)."""
    return max(len(response.css(query)) for query in POST_BODIES)


def by_name(name: str) -> Platform:
    for platform in PLATFORMS:
        if platform.NAME == name:
            return platform
    raise KeyError(name)
