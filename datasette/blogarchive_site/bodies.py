"""Stored HTML made ready to show: sanitised again with the store's own policy
(scraper.htmlpolicy), its images pointing at the archived copies, and FTS snippets
made safe."""

from __future__ import annotations

import html
import re

import lxml.html
import markupsafe

from scraper.htmlpolicy import sanitize, text_only
from scraper.store.images import candidate_chain

from .urls import image_url


def plain_text(fragment: str | None) -> str:
    return re.sub(r"\s+", " ", html.unescape(text_only(fragment))).strip()

def words(text: str | None, n: int = 36) -> str:
    parts = (text or "").split()
    return " ".join(parts[:n]) + (" …" if len(parts) > n else "")


def marked(snippet: str | None) -> markupsafe.Markup:
    """FTS snippet with <mark> markers → safe HTML: everything escaped except the marks."""
    escaped = str(markupsafe.escape(snippet or ""))
    escaped = escaped.replace("&lt;mark&gt;", "<mark>").replace("&lt;/mark&gt;", "</mark>")
    escaped = escaped.replace("\x02", "<mark>").replace("\x03", "</mark>")
    # Unbalanced marks (a <mark> typed in a post and cut by the snippet) are closed.
    opened = escaped.count("<mark>") - escaped.count("</mark>")
    return markupsafe.Markup(escaped + "</mark>" * max(opened, 0))



def image_map(rows) -> tuple[dict, list]:
    """From post_images rows: every URL the post uses for an image → sha256 of the copy,
    and the shas in order of position (None where not archived)."""
    urls, ordered = {}, []
    for row in rows:
        sha = row["image_sha256"]
        ordered.append(sha)
        if not sha:
            continue
        for key in ("src", "full_url", "fetched_url"):
            if row[key]:
                urls.setdefault(row[key], sha)
        link = row["link"]
        if link and link == row["full_url"]:
            urls.setdefault(link, sha)
        try:
            for url in candidate_chain(row["candidates"], row):
                urls.setdefault(url, sha)
        except (TypeError, ValueError):
            pass
    return urls, ordered


def render_body(datasette, fragment: str | None, urls: dict | None = None,
                ordered: list | None = None, absolute=None) -> markupsafe.Markup:
    """Sanitise a stored body and point its images at the archived copies.

    An <img> whose address is not archived is replaced by a small note with a link to
    the original: the reader's browser never fetches from the original host by itself.
    ``absolute`` turns site paths into absolute URLs (the Atom feed).
    """
    clean = sanitize(fragment)
    if not clean.strip():
        return markupsafe.Markup("")
    urls = urls or {}
    ordered = ordered or []
    root = lxml.html.fragment_fromstring(clean, create_parent="div")
    # Other sizes of an image (srcset, <picture> sources) are the original host's files:
    # only the archived copy in src is shown.
    for source in list(root.iter("source")):
        source.drop_tag()  # libxml2 may nest the <img> inside an unclosed <source>
    for img in root.iter("img"):
        for name in ("srcset", "sizes"):
            img.attrib.pop(name, None)
    images = list(root.iter("img"))
    by_position = len(images) == len(ordered)
    for index, img in enumerate(images):
        src = img.get("src") or ""
        sha = urls.get(src) or (ordered[index] if by_position else None)
        if sha:
            href = image_url(datasette, sha)
            img.set("src", absolute(href) if absolute else href)
            img.set("loading", "lazy")
            parent = img.getparent()
            if parent is not None and parent.tag == "a" and urls.get(parent.get("href") or ""):
                target = image_url(datasette, urls[parent.get("href")])
                parent.set("href", absolute(target) if absolute else target)
            continue
        note = lxml.html.Element("span")
        note.set("class", "ba-missing-image")
        note.text = "[image not archived" + (f": {img.get('alt')}" if img.get("alt") else "") + "] "
        inside_link = any(a.tag == "a" for a in img.iterancestors())
        if src.startswith(("http://", "https://")) and not inside_link:
            link = lxml.html.Element("a")
            link.set("href", src)
            link.text = "original"
            note.append(link)
        note.tail = img.tail
        parent = img.getparent()
        parent.replace(img, note)
    out = (root.text and html.escape(root.text, quote=False) or "") + "".join(
        lxml.html.tostring(child, encoding="unicode") for child in root
    )
    return markupsafe.Markup(sanitize(out))

