"""Scraped HTML made safe to publish, and turned into plain text.

Bodies are sanitised with the one policy in htmlpolicy.py before they are
stored; the Datasette site applies the same policy again when it renders.
"""

from __future__ import annotations

import re

import lxml.html
from lxml import etree

from .htmlpolicy import sanitize

BLOCK_TAGS = {
    "p", "div", "blockquote", "li", "ul", "ol", "table", "tr", "h1", "h2", "h3", "h4", "h5",
    "h6", "pre", "figure", "figcaption", "dl", "dt", "dd", "hr", "section", "article",
    "header", "footer", "caption",
}
# A whole run of punctuation or symbols, with the white space before it: matched in the text
# with a space at each end (a pattern starting with a character class is searched for fast,
# where the look-behind of (?<!\S)[^\w\s]+(?!\S) was tried at every position).
NOT_A_WORD = re.compile(r"\s[^\w\s]+(?=\s)")
SKIPPED_TAGS = frozenset(("script", "style", "noscript", "template"))
SPACES = re.compile(r"[ \t\r\f\v]+")
# lxml.html's own parser options with lxml's plain elements: the same tree, and each element
# the walk visits is made in C, not through lxml.html's class lookup (Python code).
PLAIN_HTML_PARSER = etree.HTMLParser()
# White space that str.strip() removes and SPACES leaves alone (besides line breaks and \xa0).
OTHER_SPACES = tuple("\x1c\x1d\x1e\x1f\x85\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009"
                     "\u200a\u2028\u2029\u202f\u205f\u3000")


def sanitize_html(html: str) -> str:
    """Allow-list sanitising (htmlpolicy): what survives is safe to render in a reader's browser."""
    return sanitize(html)


def html_to_text(html: str) -> str:
    """Readable plain text: paragraphs separated by blank lines, <br> as line breaks."""
    if not html or not html.strip():
        return ""
    # What fragment_fromstring(html, create_parent="div") would hold, walked as that <div>
    # (a block) without building it: moving the parsed elements into a new element is a walk
    # over each of them in lxml.
    elements = lxml.html.fragments_fromstring(html, parser=PLAIN_HTML_PARSER)
    parts: list[str] = ["\n\n"]
    if elements and isinstance(elements[0], str):
        parts.append(elements.pop(0))
    for element in elements:
        _walk(element, parts.append)
    parts.append("\n\n")
    return _tidy("".join(parts))


def _tidy(text: str) -> str:
    """Runs of spaces as one (never across a line break), each line stripped, at most one
    blank line in a row. With str.replace where the text allows: a regular expression
    replacing every single space between two words took half of html_to_text's time."""
    text = text.replace("\xa0", " ")
    if any(space in text for space in OTHER_SPACES):  # line.strip() strips these too
        text = "\n".join([line.strip() for line in SPACES.sub(" ", text).split("\n")])
    else:
        for space in "\t\r\f\v":
            if space in text:
                text = text.replace(space, " ")
        while "  " in text:
            text = text.replace("  ", " ")
        text = text.replace(" \n", "\n").replace("\n ", "\n")
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text.strip()


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
    return len(text.split()) - len(NOT_A_WORD.findall(f" {text} "))


def clean_text(text: str | None) -> str:
    """Collapse white space in a short text such as a title, an author or a caption."""
    return re.sub(r"\s+", " ", (text or "").replace("\xa0", " ")).strip()
