"""Microformats2 ``h-entry`` and schema.org microdata, through extruct (mf2py underneath)."""

from __future__ import annotations

import re


def _extract(html: str, url: str, syntax: str) -> list:
    try:
        import extruct

        return extruct.extract(html, base_url=url, syntaxes=[syntax], uniform=True,
                               errors="ignore").get(syntax) or []
    except Exception:  # broken markup must not lose the post
        return []


def hentry(html: str, url: str) -> dict:
    """The properties of the page's one h-entry (a listing of several is no post's)."""
    entries = []
    for item in _extract(html, url, "microformat"):
        if "h-entry" in (item.get("type") or []):
            entries.append(item)
        else:
            entries += [c for c in item.get("children") or [] if "h-entry" in (c.get("type") or [])]
    if len(entries) != 1:
        return {}
    props = dict(entries[0].get("properties") or {})
    # mf2 implies a name from the whole entry's text when none is marked: not a title.
    if not re.search(r"class=['\"][^'\"]*\bp-name\b", html):
        props.pop("name", None)
    return props


def microdata_article(html: str, url: str) -> dict:
    from .jsonld import ARTICLE_TYPES, types

    for item in _extract(html, url, "microdata"):
        if types(item) & ARTICLE_TYPES:
            return item
    return {}


def mf_text(value) -> str:
    """An mf2 property's first value as text (nested h-card → its name)."""
    if isinstance(value, list):
        value = value[0] if value else ""
    if isinstance(value, dict):
        props = value.get("properties")
        if isinstance(props, dict):
            return mf_text(props.get("name"))
        return str(value.get("value") or value.get("name") or "")
    return value if isinstance(value, str) else ""
