"""JSON-LD: every object on the page, the Article it describes, people by ``@id``.

SEO plugins (Yoast, Rank Math) put one ``@graph`` on each page: ``WebPage``,
``Article``/``BlogPosting`` whose ``author`` is ``{"@id": …}`` pointing at a
``Person`` elsewhere in the graph.
"""

from __future__ import annotations

import json
import re

from parsel import Selector

ARTICLE_TYPES = {"BlogPosting", "Article", "NewsArticle", "TechArticle", "Report",
                 "SocialMediaPosting", "LiveBlogPosting", "ScholarlyArticle", "OpinionNewsArticle",
                 "AnalysisNewsArticle", "ReportageNewsArticle", "Posting"}


def objects(sel: Selector) -> list[dict]:
    """Every JSON-LD object (top level, lists and ``@graph`` flattened), in page order."""
    found: list[dict] = []
    for raw in sel.xpath("//script[@type='application/ld+json']/text()").getall():
        try:
            data = json.loads(raw)
        except ValueError:
            # Themes leave trailing commas and raw newlines in strings: one lenient retry.
            try:
                data = json.loads(re.sub(r",\s*([}\]])", r"\1", raw), strict=False)
            except ValueError:
                continue
        stack = [data]
        while stack:
            item = stack.pop(0)
            if isinstance(item, list):
                stack[0:0] = item
            elif isinstance(item, dict):
                found.append(item)
                if "@graph" in item:
                    stack.insert(0, item["@graph"])
    return found


def types(obj: dict) -> set[str]:
    kind = obj.get("@type")
    return {k for k in (kind if isinstance(kind, list) else [kind]) if isinstance(k, str)}


def article(found: list[dict]) -> dict:
    for obj in found:
        if types(obj) & ARTICLE_TYPES:
            return obj
    return {}


def resolve(value, nodes: dict[str, dict]):
    """``{"@id": …}`` → the node it names in the page's graph."""
    if isinstance(value, dict) and isinstance(value.get("@id"), str) and value["@id"] in nodes:
        return {**nodes[value["@id"]], **value}
    return value


def person_name(value, nodes: dict[str, dict]) -> tuple[str, str]:
    """(name, url) of an ``author``: a Person object, an ``@id`` reference, a list, or text."""
    if isinstance(value, list):
        value = next((v for v in value if v), None)
    value = resolve(value, nodes)
    if isinstance(value, dict):
        name = value.get("name")
        if isinstance(name, list):
            name = name[0] if name else ""
        url = value.get("url") or ""
        if isinstance(url, list):
            url = url[0] if url else ""
        return (name if isinstance(name, str) else ""), (url if isinstance(url, str) else "")
    if isinstance(value, str):
        return value, ""
    return "", ""


def keywords(obj: dict) -> list[str]:
    value = obj.get("keywords")
    if isinstance(value, str):
        return [k.strip() for k in value.split(",") if k.strip()]
    if isinstance(value, list):
        # Some platforms prefix their tags ("Tag:cranes"); the label is what follows.
        return [re.sub(r"^Tag:", "", k).strip() for k in value if isinstance(k, str) and k.strip()]
    return []
