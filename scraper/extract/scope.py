"""What on a page speaks for the post: its own header, meta and footer, not the boxes
around it (author boxes, related posts, comments, widgets, site header and footer)."""

from __future__ import annotations

import re

# Class or id words (a whole word, or its first part: "author-box", "comments-area")
# of boxes that are not the post's own, however near it they sit.
NOT_THE_POST = re.compile(
    r"^(?:comments?|comment-list|commentlist|comment-respond|respond|related|yarpp|jp-relatedposts|"
    r"author-?(?:box|bio|info|card|profile|description|section|wrap)|about-author|saboxplugin|"
    r"widgets?|widget-area|sidebar|secondary|site-header|masthead|site-footer|colophon|footer-widgets|"
    r"post-navigation|navigation|nav-links|breadcrumbs?|share|sharing|sharedaddy|subscribe|"
    r"subscription|popular|trending|recommended|more-stories|read-more|responses)(?:$|[-_])", re.I)
NOT_THE_POST_TAGS = {"aside", "nav", "form", "script", "style", "noscript", "template"}
# A footer or meta line placed inside the text container (Pelican's post-info) is still meta.
META = re.compile(r"^(?:post-info|entry-meta|post-meta|byline|entry-footer|post-footer|meta)$", re.I)


def _marks(node) -> list[str]:
    return f"{node.get('class') or ''} {node.get('id') or ''}".split()


def outside_post(el, body=None) -> bool:
    """True when ``el`` sits in something that is not the post's own (or in its body,
    when ``body`` — the body's element — is given: links inside the text are not meta,
    unless a footer or meta line inside the container holds them)."""
    node = el
    in_meta = False
    while node is not None:
        tag = node.tag if isinstance(node.tag, str) else ""
        if tag in ("body", "html"):
            return False
        if body is not None and node is body and not in_meta:
            return True
        if tag in NOT_THE_POST_TAGS:
            return True
        if tag == "footer" and node.getparent() is not None and node.getparent().tag == "body":
            return True
        marks = _marks(node)
        if any(NOT_THE_POST.match(m) for m in marks):
            return True
        if tag in ("footer", "address") or any(META.match(m) for m in marks):
            in_meta = True
        node = node.getparent()
    return False


def in_meta(el, scope) -> bool:
    """Inside the post's header, footer or a meta line (below ``scope``)."""
    for node in el.iterancestors():
        if node is scope:
            return False
        tag = node.tag if isinstance(node.tag, str) else ""
        if tag in ("footer", "header", "address") or any(
                META.match(m) or re.search(r"meta|info|tags|labels|categor|taxonom", m, re.I) for m in _marks(node)):
            return True
    return False


def own(elements, body=None) -> list:
    return [el for el in elements if not outside_post(el, body)]


def main_scope(page):
    """Where the post is when the platform does not say: the one ``<article>``, else
    ``<main>``, else the whole page."""
    for query in ("//article", "//main", "//*[@role='main']", "//*[@id='content' or @id='main']"):
        found = [el for el in page.root.xpath(query) if not outside_post(el)]
        if len(found) == 1:
            return found[0]
    return page.root
