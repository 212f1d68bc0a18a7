"""What every platform module shares: link and feed records, small HTML helpers."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import lxml.html
from parsel import Selector


@dataclass(frozen=True)
class Link:
    url: str
    role: str  # post | archive | label | older | home | feed


@dataclass
class FeedPage:
    entries: list[dict] = field(default_factory=list)  # url, post_id, published, updated, labels…
    next_url: str = ""
    total: int | None = None  # what the feed says the blog holds


def absolutize(html: str, base_url: str) -> str:
    """Make every link and image URL in a fragment absolute, so it still works in the archive."""
    if not html or not html.strip():
        return html
    el = lxml.html.fragment_fromstring(html, create_parent=False) if html.lstrip().startswith("<") \
        else lxml.html.fragment_fromstring(html, create_parent="div")
    el.make_links_absolute(base_url, resolve_base_href=False, handle_failures="ignore")
    return lxml.html.tostring(el, encoding="unicode")


def json_ld_objects(sel: Selector) -> list[dict]:
    """Every JSON-LD object on the page (top level, lists and @graph flattened)."""
    found: list[dict] = []
    for raw in sel.xpath("//script[@type='application/ld+json']/text()").getall():
        try:
            data = json.loads(raw)
        except ValueError:
            continue
        stack = [data]
        while stack:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                found.append(item)
                if "@graph" in item:
                    stack.append(item["@graph"])
    return found


def blog_posting(sel: Selector) -> dict:
    for obj in json_ld_objects(sel):
        kind = obj.get("@type")
        kinds = kind if isinstance(kind, list) else [kind]
        if any(k in ("BlogPosting", "Article", "NewsArticle", "TechArticle", "Report",
                     "SocialMediaPosting", "LiveBlogPosting") for k in kinds):
            return obj
    return {}
