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
NOT_A_WORD = re.compile(r"(?<!\S)[^\w\s]+(?!\S)")  # a whole run of punctuation or symbols
SKIPPED_TAGS = frozenset(("script", "style", "noscript", "template"))
SPACES = re.compile(r"[ \t\r\f\v]+")
BLANK_LINES = re.compile(r"\n{3,}")


def sanitize_html(html: str) -> str:
    """Allow-list sanitising (htmlpolicy): what survives is safe to render in a reader's browser."""
    return sanitize(html)


def html_to_text(html: str) -> str:
    """Readable plain text: paragraphs separated by blank lines, <br> as line breaks."""
    if not html or not html.strip():
        return ""
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    parts: list[str] = []
    _walk(root, parts.append)
    # Runs of spaces collapsed over the whole text at once (never across a line break).
    text = SPACES.sub(" ", "".join(parts).replace("\xa0", " "))
    text = "\n".join([line.strip() for line in text.split("\n")])
    return BLANK_LINES.sub("\n\n", text).strip()


def _walk(el, append) -> None:
    """``el``'s text in reading order, block by block. A module function, not a closure:
    a recursive closure is a reference cycle that keeps the text until the cycle collector
    runs."""
    tag = el.tag if isinstance(el.tag, str) else ""
    if tag in SKIPPED_TAGS:
        if el.tail:
            append(el.tail)
        return
    block = tag in BLOCK_TAGS
    if block:
        append("\n\n")
    elif tag == "br":
        append("\n")
    elif tag in ("td", "th"):
        append(" ")
    if el.text and tag:
        append(el.text)
    for child in el:
        _walk(child, append)
    if block:
        append("\n\n")
    if el.tail:
        append(el.tail)


def word_count(text: str) -> int:
    """Words as a reader counts them: space-separated runs holding a letter or digit."""
    if not text:
        return 0
    # Every run, less those with no letter or digit (counted in C, not token by token).
    return len(text.split()) - len(NOT_A_WORD.findall(text))


def clean_text(text: str | None) -> str:
    """Collapse white space in a short text such as a title, an author or a caption."""
    return re.sub(r"\s+", " ", (text or "").replace("\xa0", " ")).strip()
