"""Whether a page is a post, from what the blog says about it; and where its sources disagree.

Pure functions of what a parser already read, shared by the platforms. The blog
states that a URL is a post in several independent places: its feed (an entry
names the URL, with a title and a date), its sitemap, its listing pages (home,
archive, label pages). A feed entry is enough on its own; a sitemap or a listing
link is enough when the page also has the shape of one article: a title, a date
and a body of running text, not a list of several posts.
"""

from __future__ import annotations

import re

from parsel import Selector

from ..htmltext import clean_text

# Below this, a page named only by a sitemap or a listing is not an article.
MIN_ARTICLE_WORDS = 50
SEPARATORS = re.compile(r"\s+[|·•–—:-]\s+|\s*»\s*")


class NotAPost(ValueError):
    """A page the evidence refused as a post; the message says why, for the crawl's warnings."""


def listed_in(listed: dict | None) -> str:
    """feed | sitemap | listing | "" — where the blog names this page."""
    return (listed or {}).get("listed_in", "")


def one_article(sel: Selector, title: str, published: str, words: int) -> str:
    """"" when the page has the shape of one article; else why not."""
    if not title:
        return "no title"
    if not published:
        return "no date"
    if words < MIN_ARTICLE_WORDS:
        return f"{words} words of text"
    entries = sel.xpath("//article | //*[contains(concat(' ', normalize-space(@class), ' '), ' hentry ')"
                        " or contains(concat(' ', normalize-space(@class), ' '), ' h-entry ')]")
    if len(entries) > 1:
        return f"a list of {len(entries)} entries"
    return ""


def title_disagreement(sel: Selector, site_name: str = "") -> str:
    """The document's ``<title>`` and the content's ``h1`` naming different things: what each says.

    The ``<title>`` usually carries the site name too ("Post | Blog"): they agree when
    one holds the other, or the ``<title>`` is only the site's name.
    """
    doc = clean_text(sel.xpath("//title/text()").get())
    heading = clean_text(" ".join(sel.xpath(
        "(//main//h1 | //article//h1 | //*[@id='content']//h1 | //h1)[1]//text()").getall()))
    if not doc or not heading:
        return ""
    parts = [p for p in SEPARATORS.split(doc) if p]
    site = clean_text(site_name).lower()
    if site and doc.lower() == site:
        return ""
    lowered_heading = heading.lower()
    if any(p.lower() in lowered_heading or lowered_heading in p.lower() for p in parts):
        return ""
    return f"<title>: {doc}; h1: {heading}"


def merge_labels(stated: list[tuple[str, list[str]]]) -> tuple[list[str], str, str]:
    """Labels from every place the blog states them, in order of precedence:
    (the union, the sources that stated any joined with "+", a note where they differ)."""
    union: list[str] = []
    sources: list[str] = []
    said: list[tuple[str, list[str]]] = []
    for source, names in stated:
        names = [n for n in dict.fromkeys(names) if n]
        if not names:
            continue
        sources.append(source)
        said.append((source, names))
        union += [n for n in names if n not in union]
    note = ""
    if len({frozenset(names) for _, names in said}) > 1:
        note = "; ".join(f"{source}: {', '.join(names)}" for source, names in said)
    return union, "+".join(sources), note
