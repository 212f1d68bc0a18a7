"""Publication times: exact when the page says them, honest when it doesn't.

An ISO 8601 time with its offset is kept as written (normalised to
``YYYY-MM-DDTHH:MM:SS±HH:MM``). When a page shows only a localised date and a
clock time (Blogger's classic templates), the result has no offset rather
than an invented one.
"""

from __future__ import annotations

import datetime as dt
import re
import warnings

ISO_RE = re.compile(
    r"^\s*(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?\s*"
    r"(Z|[+-]\d{2}:?\d{2})?\s*$"
)
CLOCK_RE = re.compile(r"\b(\d{1,2})[:.h](\d{2})(?:[:.](\d{2}))?\s*([AaPp]\.?\s?[Mm]\.?)?")


def parse_iso(value: str | None) -> str:
    """ISO 8601 → canonical string (offset kept; 'Z' → '+00:00'); '' if not ISO."""
    if not value:
        return ""
    m = ISO_RE.match(value)
    if not m:
        return ""
    year, month, day, hour, minute, second, tz = m.groups()
    try:
        when = dt.datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0),
                           int(second or 0))
    except ValueError:
        return ""
    if hour is None:
        return when.date().isoformat()
    text = when.isoformat()
    if tz:
        if tz == "Z":
            text += "+00:00"
        else:
            tz = tz if ":" in tz else f"{tz[:3]}:{tz[3:]}"
            text += tz
    return text


def to_utc(value: str) -> dt.datetime | None:
    """An aware datetime in UTC for an ISO string with an offset; None otherwise."""
    iso = parse_iso(value)
    if not iso:
        return None
    when = dt.datetime.fromisoformat(iso)
    if when.tzinfo is None:
        return None
    return when.astimezone(dt.timezone.utc)


def parse_date_text(text: str, languages: list[str] | None = None) -> dt.date | None:
    """A date written for people, in any language ('mardi 17 janvier 2012')."""
    text = (text or "").strip()
    if not text:
        return None
    iso = parse_iso(text)
    if iso:
        return dt.date.fromisoformat(iso[:10])
    import dateparser  # slow to import: only classic templates need it

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        parsed = dateparser.parse(
            text,
            languages=languages or None,
            settings={"PREFER_DAY_OF_MONTH": "first", "REQUIRE_PARTS": ["day", "month", "year"]},
        )
    return parsed.date() if parsed else None


def parse_clock(text: str) -> dt.time | None:
    """'9:23 PM', '21:23', '21.23' → time; None when there is no clock time."""
    m = CLOCK_RE.search(text or "")
    if not m:
        return None
    hour, minute, second, ampm = m.groups()
    hour, minute = int(hour), int(minute)
    if ampm:
        pm = ampm.lower().startswith("p")
        if hour == 12:
            hour = 0
        if pm:
            hour += 12
    if hour > 23 or minute > 59:
        return None
    return dt.time(hour, minute, int(second or 0))


def combine_local(date: dt.date | None, clock: dt.time | None) -> str:
    """Date + clock time with no offset (the page did not say one)."""
    if date is None:
        return ""
    if clock is None:
        return date.isoformat()
    return dt.datetime.combine(date, clock).isoformat()


def utc_instant(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        when = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when.astimezone(dt.timezone.utc) if when.tzinfo else None


def utc_text(value: str | None) -> str | None:
    """ISO 8601 in UTC ('…Z') when the time has an offset; as given (local) when not."""
    when = utc_instant(value)
    if when is None:
        return value or None
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")
