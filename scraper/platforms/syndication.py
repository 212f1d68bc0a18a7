"""RSS 2.0 and Atom feeds: post URLs, exact times and categories (WordPress and the
generic platform read them the same way)."""

from __future__ import annotations

import email.utils
from urllib.parse import urljoin

from parsel import Selector

from ..dates import parse_iso
from ..htmltext import clean_text
from .base import FeedPage

ATOM_NS = "http://www.w3.org/2005/Atom"


def rfc822(value: str | None) -> str:
    """RSS ``pubDate`` → ISO 8601 with its offset."""
    if not value:
        return ""
    try:
        when = email.utils.parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError):
        return parse_iso(value)
    if when is None:
        return ""
    return when.isoformat() if when.tzinfo else when.isoformat()


def parse_syndication(response, canon, post_id_from_guid=lambda guid: "") -> FeedPage:
    """RSS 2.0 or Atom: post URLs, exact times, categories. Not paged (WordPress and most
    static generators list the latest posts only)."""
    sel = Selector(text=response.text, type="xml")
    sel.remove_namespaces()
    entries = []
    for item in sel.xpath("//item | //entry"):
        link = item.xpath("link[@rel='alternate']/@href | link[not(@rel)]/@href").get() \
            or clean_text(item.xpath("link/text()").get())
        if not link:
            continue
        guid = item.xpath("guid/text() | id/text()").get() or ""
        published = rfc822(item.xpath("pubDate/text()").get()) or \
            parse_iso(item.xpath("published/text() | date/text() | issued/text()").get())
        updated = parse_iso(item.xpath("updated/text() | modified/text()").get())
        comments = item.xpath("comments[not(contains(., '://'))]/text()").get()
        entries.append({
            "url": canon(urljoin(response.url, link.strip())),
            "post_id": post_id_from_guid(guid),
            "title": clean_text(" ".join(item.xpath("title//text()").getall())),
            "published": published,
            "updated": updated,
            "labels": [clean_text(c) for c in
                       item.xpath("category/text() | category/@term").getall() if clean_text(c)],
            "comment_count": int(comments) if comments and comments.strip().isdigit() else None,
            "author": clean_text(item.xpath("author/name/text() | creator/text()").get()),
        })
    return FeedPage(entries=entries, next_url="", total=None)
