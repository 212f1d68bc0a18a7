"""Dates as a page states them: ``<time datetime>``, a shown date, the permalink, htmldate;
and the blog's own offset, so an instant given in UTC is told in the blog's time (W13)."""

from __future__ import annotations

import datetime as dt
import re

from ..dates import parse_clock, parse_date_text, parse_iso
from ..htmltext import clean_text
from .scope import own

PERMALINK_DAY = re.compile(r"/((?:19|20)\d{2})/(\d{1,2})/(\d{1,2})(?:/|[-_.])")
PERMALINK_DASHED = re.compile(r"/((?:19|20)\d{2})-(\d{2})-(\d{2})[-_/]")
DATE_CONTAINERS = (
    ".//*[contains(@class, 'date') or contains(@class, 'posted') or contains(@class, 'meta')"
    " or contains(@class, 'byline') or contains(@class, 'time') or contains(@class, 'published')"
    " or contains(@class, 'dateline') or @itemprop='datePublished' or contains(@data-testid, 'Date')]"
)
WRITTEN_DATE = re.compile(
    r"(\d{4}-\d{2}-\d{2}"
    r"|\d{1,2}(?:st|nd|rd|th)?\.?\s+(?:of\s+)?[^\W\d_]{3,}\.?,?\s+\d{4}"
    r"|[^\W\d_]{3,}\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}"
    r"|\d{1,2}[./]\d{1,2}[./]\d{4})", re.U)


def permalink_day(url: str) -> dt.date | None:
    """The day in a post's own address (``/2021/07/14/slug/``): the blog's local day."""
    from urllib.parse import urlsplit

    path = urlsplit(url).path + "/"
    m = PERMALINK_DAY.search(path) or PERMALINK_DASHED.search(path)
    if not m:
        return None
    try:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def time_values(scope, body=None, published: bool = True) -> list[str]:
    """Machine-readable times of the post's own: ``<time datetime>``, hAtom's
    ``abbr.published[title]``, microdata ``datePublished``; the published one first."""
    marked, other = [], []
    nodes = scope.xpath(".//time[@datetime] | .//abbr[@title][contains(@class, 'published') or "
                        "contains(@class, 'updated')] | .//*[@itemprop='datePublished' or "
                        "@itemprop='dateModified'][@content or @datetime]")
    for el in own(nodes, body):
        value = (el.get("datetime") or el.get("content") or
                 (el.get("title") if el.tag == "abbr" else "") or "").strip()
        if not value:
            continue
        classes = f" {el.get('class') or ''} {el.get('itemprop') or ''} "
        if published and re.search(r"published|entry-date|dt-published|post-date|datePublished", classes):
            marked.append(value)
        elif not published and re.search(r"updated|modified|dateModified|dt-updated", classes):
            marked.append(value)
        elif published and not re.search(r"updated|modified|dateModified", classes, re.I):
            other.append(value)
    return marked + other


def shown_date(scope, body=None, languages: list[str] | None = None) -> tuple[dt.date | None, dt.time | None]:
    """A date written for readers in the post's meta ("July 14, 2021", "14 juillet 2021"),
    with the clock time where the theme shows one (in the text or a title attribute)."""
    for el in own(scope.xpath(DATE_CONTAINERS), body):
        text = clean_text(" ".join(el.xpath(".//text()")))
        if not text or len(text) > 200:
            continue
        m = WRITTEN_DATE.search(text)
        if not m:
            continue
        day = parse_date_text(m.group(1), languages)
        if day is None:
            continue
        clock = parse_clock(text[m.end():m.end() + 40])
        if clock is None:
            for title in el.xpath("ancestor-or-self::*[@title][1]/@title | .//*[@title]/@title"):
                clock = parse_clock(title)
                if clock:
                    break
        return day, clock
    return None, None


def htmldate(html: str, url: str) -> str:
    """The date a page was written, by htmldate's heuristics (a day, no time): the last resort."""
    try:
        import htmldate as hd

        return hd.find_date(html, url=url, original_date=True, extensive_search=True,
                            outputformat="%Y-%m-%d") or ""
    except Exception:
        return ""


def offset_of(iso: str) -> dt.timedelta | None:
    iso = parse_iso(iso)
    if len(iso) <= 19:
        return None
    return dt.datetime.fromisoformat(iso).utcoffset()


def express(iso: str, offset: dt.timedelta) -> str:
    """The same instant told in another offset."""
    when = dt.datetime.fromisoformat(parse_iso(iso))
    return when.astimezone(dt.timezone(offset)).isoformat()


def offset_from_clock(iso: str, day: dt.date, clock: dt.time) -> dt.timedelta | None:
    """The offset that turns the instant into the local day and clock time the page shows."""
    utc = dt.datetime.fromisoformat(parse_iso(iso)).astimezone(dt.timezone.utc).replace(tzinfo=None)
    local = dt.datetime.combine(day, clock)
    minutes = round((local - utc).total_seconds() / 60 / 15) * 15
    if abs(minutes) > 14 * 60 or (local - utc).total_seconds() % 60:
        return None
    return dt.timedelta(minutes=minutes)


def offset_for_day(iso: str, day: dt.date) -> dt.timedelta | None:
    """When only the local day is known: the smallest whole-hour offset that puts the instant
    on that day (the instant is kept; only the offset it is told in is inferred)."""
    utc = dt.datetime.fromisoformat(parse_iso(iso)).astimezone(dt.timezone.utc)
    if utc.date() == day:
        return None
    for hours in sorted(range(-12, 15), key=abs):
        if (utc + dt.timedelta(hours=hours)).date() == day:
            return dt.timedelta(hours=hours)
    return None
