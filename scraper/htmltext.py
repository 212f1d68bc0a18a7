"""Scraped HTML made safe to publish, and turned into plain text.

Bodies are sanitised with the one policy in htmlpolicy.py before they are
stored; the Datasette site applies the same policy again when it renders.
"""

from __future__ import annotations

import re

import lxml.html

from .htmlpolicy import sanitize

BLOCK_TAGS = {
    "p", "div", "blockquote", "li", "ul", "ol", "table", "tr", "h1", "h2", "h3", "h4", "h5",
    "h6", "pre", "figure", "figcaption", "dl", "dt", "dd", "hr", "section", "article",
    "header", "footer", "caption",
}
WORD_RE = re.compile(r"\w+(?:[-'’]\w+)*", re.UNICODE)


def sanitize_html(html: str) -> str:
    """Allow-list sanitising (htmlpolicy): what survives is safe to render in a reader's browser."""
    return sanitize(html)


def html_to_text(html: str) -> str:
    """Readable plain text: paragraphs separated by blank lines, <br> as line breaks."""
    if not html or not html.strip():
        return ""
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    parts: list[str] = []

    def walk(el) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag in ("script", "style", "noscript", "template"):
            if el.tail:
                parts.append(el.tail)
            return
        if tag in BLOCK_TAGS:
            parts.append("\n\n")
        if tag == "br":
            parts.append("\n")
        if tag in ("td", "th"):
            parts.append(" ")
        if el.text and tag:
            parts.append(el.text)
        for child in el:
            walk(child)
        if tag in BLOCK_TAGS:
            parts.append("\n\n")
        if el.tail:
            parts.append(el.tail)

    walk(root)
    text = "".join(parts).replace("\xa0", " ")
    lines = [re.sub(r"[ \t\r\f\v]+", " ", line).strip() for line in text.split("\n")]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def word_count(text: str) -> int:
    """Words as a reader counts them: space-separated runs holding a letter or digit."""
    return sum(1 for token in (text or "").split() if WORD_RE.search(token))


def clean_text(text: str | None) -> str:
    """Collapse white space in a short text such as a title, an author or a caption."""
    return re.sub(r"\s+", " ", (text or "").replace("\xa0", " ")).strip()
