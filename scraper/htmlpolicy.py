"""The one HTML policy: what scraped markup may keep, when stored and when shown.

The store sanitises every body with it, and the Datasette site sanitises again
with the same function before rendering (a row written by other means is still
made safe). One allow-list, so what is archived is exactly what can be shown.
"""

from __future__ import annotations

import nh3

ALLOWED_TAGS = frozenset({
    "a", "abbr", "b", "bdi", "bdo", "blockquote", "br", "caption", "cite", "code", "dd", "del",
    "details", "dfn", "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4",
    "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "picture", "pre", "q",
    "rp", "rt", "ruby", "s", "samp", "small", "source", "span", "strike", "strong", "sub",
    "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "time", "tr", "u", "ul",
    "var", "wbr",
})
ALLOWED_ATTRIBUTES = {
    # id: footnote and heading anchors inside a post (the page's own ids are ba-*).
    "*": {"class", "dir", "lang", "title", "id"},
    "a": {"href", "name"},
    # srcset/sizes/data-original-*: which image files the post used (the site shows
    # only the archived copy; see the plugin's body rendering).
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
URL_SCHEMES = frozenset({"http", "https", "mailto"})
# Removed together with everything inside them; other unknown tags keep their text.
DROP_WITH_CONTENT = frozenset({
    "script", "style", "iframe", "object", "embed", "noscript", "template", "svg", "math",
    "frame", "frameset", "applet", "audio", "video", "form", "textarea", "select", "button",
    "title", "head",
})
LINK_REL = "noopener noreferrer nofollow"


POLICY = dict(
    tags=set(ALLOWED_TAGS),
    clean_content_tags=set(DROP_WITH_CONTENT),
    attributes={tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
    url_schemes=set(URL_SCHEMES),
    link_rel=LINK_REL,
    strip_comments=True,
)
# Built once: nh3.clean builds its sanitiser from these sets on every call, which cost more
# than cleaning a comment or a short post (an older nh3 without Cleaner: built each time).
_CLEANER = nh3.Cleaner(**POLICY) if hasattr(nh3, "Cleaner") else None


def sanitize(html: str | None) -> str:
    """Allow-list cleaning: no scripts, handlers, styles, frames or javascript: URLs."""
    if not html:
        return ""
    if _CLEANER is None:
        return nh3.clean(html, **POLICY).strip()
    return _CLEANER.clean(html).strip()


def text_only(html: str | None) -> str:
    """Every tag removed (and the content of those never shown), entities kept escaped."""
    if not html:
        return ""
    return nh3.clean(html, tags=set(), clean_content_tags=set(DROP_WITH_CONTENT))
