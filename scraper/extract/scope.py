"""What on a page speaks for the post: its own header, meta and footer, not the boxes
around it (author boxes, related posts, comments, widgets, site header and footer)."""

from __future__ import annotations

import re

NOT_THE_POST = re.compile(
    r"(?:^|[\s_-])(?:comments?|comment-list|commentlist|comment-respond|respond|related|yarpp|"
    r"jp-relatedposts|author-?(?:box|bio|info|card|profile|description|section|wrap)|about-author|"
    r"saboxplugin|widgets?|widget-area|sidebar|secondary|site-header|masthead|site-footer|colophon|"
    r"footer-widgets|post-navigation|navigation|nav-links|breadcrumbs?|share|sharing|sharedaddy|"
    r"newsletter|subscribe|popular|trending|recommended|more-stories)(?:$|[\s_-])", re.I)
NOT_THE_POST_TAGS = {"aside", "nav", "form", "script", "style", "noscript", "template"}


def outside_post(el, body=None) -> bool:
    """True when ``el`` sits in something that is not the post's own (or in its body,
    when ``body`` — the body's element — is given: links inside the text are not meta)."""
    node = el
    while node is not None:
        if body is not None and node is body:
            return True
        tag = node.tag if isinstance(node.tag, str) else ""
        if tag in NOT_THE_POST_TAGS:
            return True
        if tag == "footer" and node.getparent() is not None and node.getparent().tag == "body":
            return True
        marks = f"{node.get('class') or ''} {node.get('id') or ''}"
        if marks.strip() and NOT_THE_POST.search(marks):
            return True
        node = node.getparent()
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
