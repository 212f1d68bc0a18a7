"""Document cues for a title: the ``<title>`` less the site's name, the headings a reader sees."""

from __future__ import annotations

import re

from ..htmltext import clean_text
from .scope import outside_post

SEPARATOR = re.compile(r"(\s+(?:[|·•–—:»«~/\\-]|::|-{2})\s+)")
NOT_A_TITLE = re.compile(r"site-title|site-name|blog-title|logo|widget-title|screen-reader", re.I)


def _norm(text: str) -> str:
    return re.sub(r"[\W_]+", " ", (text or "").casefold()).strip()


def same(a: str, b: str) -> bool:
    return bool(_norm(a)) and _norm(a) == _norm(b)


def title_tag(page, site_names: list[str]) -> tuple[str, bool]:
    """(the ``<title>`` with the site's name taken off either end, whether a name was found)."""
    raw = clean_text(page.sel.xpath("(//head/title | //title)[1]//text()").get())
    parts = SEPARATOR.split(raw)
    segments, separators = parts[0::2], parts[1::2]
    names = [n for n in site_names if _norm(n)]
    removed = False
    while len(segments) > 1 and any(same(segments[-1], n) for n in names):
        segments.pop()
        separators.pop()
        removed = True
    while len(segments) > 1 and any(same(segments[0], n) for n in names):
        segments.pop(0)
        separators.pop(0)
        removed = True
    text = segments[0] + "".join(s + seg for s, seg in zip(separators, segments[1:])) if segments else ""
    return clean_text(text), removed


def less_site_name(text: str, site_names: list[str]) -> str:
    """``og:title`` and friends carry the "Post – Site" form too."""
    if not text:
        return ""
    parts = SEPARATOR.split(text)
    if len(parts) >= 3 and any(same(parts[-1], n) for n in site_names):
        return clean_text("".join(parts[:-2]))
    if len(parts) >= 3 and any(same(parts[0], n) for n in site_names):
        return clean_text("".join(parts[2:]))
    return clean_text(text)


def headings(scope, body=None) -> list[str]:
    """The post's own headings outside its text: ``h1``s, else titled ``h2``s (Pelican, Hugo)."""
    found = []
    for query in (".//h1", ".//h2[contains(@class, 'title') or contains(@class, 'p-name') or "
                  "contains(@class, 'headline') or .//a[@rel='bookmark']]"):
        for el in scope.xpath(query):
            if outside_post(el, body) or NOT_A_TITLE.search(el.get("class") or ""):
                continue
            text = clean_text(el.text_content())
            if text:
                found.append(text)
        if found:
            return found
    return found


def matching_heading(title: str, heads: list[str]) -> str:
    """The heading that is the ``<title>`` or one of its separated parts."""
    if not title:
        return ""
    parts = [p for p in SEPARATOR.split(title)[0::2] if p]
    for head in heads:
        if same(head, title) or any(same(head, p) for p in parts):
            return head
        if _norm(title).startswith(_norm(head) + " ") and len(_norm(head)) >= 0.5 * len(_norm(title)):
            return head
    return ""
