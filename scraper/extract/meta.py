"""``<meta>`` tags (OpenGraph, ``article:*``, Dublin Core, author) and the site's own name."""

from __future__ import annotations

import re

from parsel import Selector

from ..htmltext import clean_text
from .jsonld import types

FEED_TITLE_TAIL = re.compile(r"\s*(?:[»|:–—-]\s*)?(?:comments\s+)?(?:rss|atom|json)?\s*(?:2\.0\s*)?"
                             r"(?:feed|flux)?\s*$", re.I)
SITE_TITLE = (
    "//*[contains(concat(' ', normalize-space(@class), ' '), ' site-title ')"
    " or @id='site-title' or @id='blog-title' or contains(@class, 'blog-title')"
    " or contains(@class, 'site-name') or contains(@class, 'wp-block-site-title')"
    " or contains(@class, 'navbar-brand') or contains(@class, 'site-logo')"
    " or contains(@class, 'logo-text')]"
    " | //header//a[@rel='home'] | //a[contains(@class, 'site-title')]"
)


def by_attribute(sel: Selector, attribute: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for node in sel.xpath(f"//meta[@{attribute}][@content]"):
        name = (node.attrib.get(attribute) or "").strip().lower()
        value = clean_text(node.attrib.get("content"))
        if name and value:
            found.setdefault(name, []).append(value)
    return found


def site_names(page) -> list[str]:
    """Every name the site gives itself on this page, most explicit first."""
    names = list(page.properties.get("og:site_name", []))
    for obj in page.jsonld:
        kinds = types(obj)
        if kinds & {"WebSite", "Blog"} and isinstance(obj.get("name"), str):
            names.append(obj["name"])
        if kinds & {"Organization"} and isinstance(obj.get("name"), str):
            names.append(obj["name"])
    names += page.names.get("application-name", [])
    for node in page.sel.xpath(SITE_TITLE)[:4]:
        text = clean_text(" ".join(node.xpath(".//text()").getall()))
        if not text:
            text = clean_text(node.xpath(".//img/@alt").get())
        names.append(text)
    for title in page.sel.xpath("//link[@rel='alternate'][contains(@type, 'rss') or "
                                "contains(@type, 'atom')]/@title").getall():
        if "comment" not in title.lower():
            names.append(FEED_TITLE_TAIL.sub("", clean_text(title)))
    return [n for n in dict.fromkeys(clean_text(n) for n in names) if n and len(n) <= 120]
