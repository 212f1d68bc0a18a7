"""Every theme's pages with what a reader sees on each: ``theme_pages()`` yields
``(family, theme, url, html, truth)``."""

from __future__ import annotations

from typing import Iterator

from .generators import GENERATORS
from .pieces import truth_blocks
from .posts import ORIGIN, ThemePost, make_posts
from .wordpress import WORDPRESS


def page_url(family: str, theme: str, post: ThemePost) -> str:
    if family == "wordpress":
        return ORIGIN + post.path("date")
    if theme in ("ghost", "substack-like", "medium-like"):
        return f"{ORIGIN}/p/{post.slug}"
    if theme == "pelican":
        return f"{ORIGIN}/{post.slug}.html"
    if theme == "handwritten":
        return f"{ORIGIN}/diary/{post.slug}.html"
    return f"{ORIGIN}/posts/{post.slug}/"


def truth(family: str, theme: str, post: ThemePost) -> dict:
    """What a reader sees on the page."""
    if family == "wordpress":
        labels = post.categories + post.tags
    elif theme == "ghost":
        labels = post.tags[:1]
    elif theme == "pelican":
        labels = post.categories + post.tags
    elif theme in ("hugo", "medium-like"):
        labels = list(post.tags)
    else:
        labels = []
    blocks = truth_blocks(post)
    return {"title": post.title, "day": post.published.date().isoformat(), "author": post.author,
            "labels": labels, "text_blocks": blocks,
            # the author is on the page and marked as such (a byline, structured data)
            "author_marked": theme not in ("handwritten", "simply-static-export", "hugo")}


def theme_pages(per_theme: int = 3) -> Iterator[tuple[str, str, str, str, dict]]:
    """(family, theme, url, html, truth) for every theme, ``per_theme`` posts each."""
    for family, renderers in (("wordpress", WORDPRESS), ("generic", GENERATORS)):
        for seed, (theme, render) in enumerate(renderers.items()):
            for post in make_posts(per_theme, seed + (0 if family == "wordpress" else 40)):
                url = page_url(family, theme, post)
                yield family, theme, url, render(post, url), truth(family, theme, post)

