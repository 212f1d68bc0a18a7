"""Scraped HTML made safe to publish, and turned into plain text.

Bodies are sanitised with nh3 (an allow-list: no scripts, event handlers,
styles, iframes or javascript: URLs) before they are stored, and Datasette
renders only sanitised columns.
"""

from __future__ import annotations

import re

import lxml.html
import nh3

ALLOWED_TAGS = {
    "a", "abbr", "b", "bdi", "bdo", "blockquote", "br", "caption", "cite", "code", "dd", "del",
    "details", "dfn", "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4",
    "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "picture", "pre", "q",
    "rp", "rt", "ruby", "s", "samp", "small", "source", "span", "strike", "strong", "sub",
    "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "time", "tr", "u", "ul",
    "var", "wbr",
}
ALLOWED_ATTRIBUTES = {
    "*": {"class", "dir", "lang", "title", "id"},
    "a": {"href", "name"},
    "img": {"src", "alt", "width", "height", "srcset", "sizes", "data-original-width",
            "data-original-height", "loading"},
    "source": {"srcset", "type", "media", "sizes"},
    "td": {"colspan", "rowspan", "align"},
    "th": {"colspan", "rowspan", "align", "scope"},
    "table": {"align"},
    "time": {"datetime"},
    "ol": {"start", "type"},
    "blockquote": {"cite"},
    "q": {"cite"},
}
URL_SCHEMES = {"http", "https", "mailto"}

BLOCK_TAGS = {
    "p", "div", "blockquote", "li", "ul", "ol", "table", "tr", "h1", "h2", "h3", "h4", "h5",
    "h6", "pre", "figure", "figcaption", "dl", "dt", "dd", "hr", "section", "article",
    "header", "footer", "caption",
}
WORD_RE = re.compile(r"\w+(?:[-'’]\w+)*", re.UNICODE)


def sanitize_html(html: str) -> str:
    """Allow-list sanitising: what survives is safe to render in a reader's browser."""
    if not html:
        return ""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    ).strip()


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
