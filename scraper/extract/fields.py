"""Each field of a post from ordered evidence: the platform's precise source (given by the
caller as ``precise``), structured metadata, then document cues. Every function returns a
``Found``: the value and the name of the evidence that gave it."""

from __future__ import annotations

import datetime as dt
import re
from typing import Iterable, Iterator
from urllib.parse import unquote, urljoin, urlsplit

from ..dates import combine_local, parse_iso
from ..htmltext import clean_text
from . import dates, jsonld, titles
from .found import Found, first
from .microformats import mf_text
from .scope import in_meta, main_scope, own

# -- title ------------------------------------------------------------------------------


def title(page, precise: Iterable[Found] = (), scope=None, body=None,
          site_names: Iterable[str] = ()) -> Found:
    names = [*site_names, *page.site_names]
    scope = scope if scope is not None else main_scope(page)
    tag, removed = titles.title_tag(page, names)
    heads = titles.headings(scope, body)

    def structured() -> Iterator[Found]:
        art = page.article
        yield Found(_text(art.get("headline") or art.get("name")), page.article_source)
        yield Found(clean_text(mf_text(page.hentry.get("name"))), "h-entry")
        yield Found(titles.less_site_name(page.prop("og:title"), names), "og:title")
        yield Found(titles.less_site_name(page.prop("twitter:title"), names), "twitter:title")
        yield Found(page.prop("dc.title") or page.prop("dcterms.title"), "dc.title")

    def cues() -> Iterator[Found]:
        shown = titles.matching_heading(tag, heads)
        yield Found(shown, "h1")
        if removed:
            yield Found(tag, "title-tag")
        yield Found(heads[0] if heads else "", "h1")
        yield Found(tag, "title-tag")

    found = first([*precise, *structured(), *cues()])
    # a <title> that is only the site's name says nothing about which post this is
    if found and tag and found.source not in ("title-tag",) and not any(titles.same(tag, n) for n in names):
        a, b = titles._norm(found.value), titles._norm(tag)
        if a not in b and b not in a:
            return Found(found.value, found.source, f"title-tag says {tag!r}")
    return found


def _text(value) -> str:
    if isinstance(value, list):
        value = value[0] if value else ""
    return clean_text(value) if isinstance(value, str) else ""


# -- author -----------------------------------------------------------------------------

NOT_A_NAME = re.compile(r"[→»›←«‹]|https?://|^(?:view|see|read|more|all|posts?|about|by|written|"
                        r"leave|comment|reply|edit|home|admin|author|unknown|anonymous)\b|@\w+\.\w",
                        re.I)
BYLINE = (
    ".//*[contains(@class, 'author') and contains(@class, 'vcard')]//*[contains(@class, 'fn')]",
    ".//*[contains(@class, 'author') and contains(@class, 'vcard')]//a",
    ".//*[contains(@class, 'author') and contains(@class, 'vcard')]",
    ".//*[contains(@class, 'wp-block-post-author-name')]",
    ".//*[contains(concat(' ', normalize-space(@class), ' '), ' p-author ')]",
    ".//*[@itemprop='author']//*[@itemprop='name']",
    ".//*[@itemprop='author']",
    ".//a[@rel='author']",
    ".//*[contains(@class, 'byline')]//a[contains(@href, '/author/')]",
    ".//*[contains(@class, 'post-author') or contains(@class, 'author-name') or "
    "contains(@class, 'entry-author')]",
    ".//a[contains(@href, '/author/')]",
)


def plausible_name(text: str) -> str:
    text = clean_text(text)
    text = re.sub(r"^(?:by|par|von|por|di|door)\s+", "", text, flags=re.I)
    if not text or len(text) > 80 or NOT_A_NAME.search(text) or not re.search(r"[^\W\d_]", text):
        return ""
    return text


def author(page, precise: Iterable[Found] = (), scope=None, body=None) -> Found:
    """(name, profile URL) with its evidence."""
    scope = scope if scope is not None else main_scope(page)

    def structured() -> Iterator[Found]:
        name, url = jsonld.person_name(page.article.get("author"), page.nodes_by_id)
        yield _person(name, url, page.article_source)
        card = page.hentry.get("author")
        url = ""
        if isinstance(card, list) and card and isinstance(card[0], dict):
            url = mf_text((card[0].get("properties") or {}).get("url"))
        yield _person(mf_text(card), url, "h-entry")
        yield _person(page.prop("author"), "", "meta:author")
        yield _person(page.prop("article:author"), "", "article:author")
        yield _person(page.prop("dc.creator") or page.prop("dcterms.creator"), "", "dc.creator")

    def cues() -> Iterator[Found]:
        for query in BYLINE:
            for el in own(scope.xpath(query), body):
                name = plausible_name(el.text_content())
                if name:
                    link = el if el.tag == "a" else next(iter(el.iter("a")), None)
                    if link is None:
                        link = next(el.iterancestors("a"), None)
                    href = (link.get("href") or "").strip() if link is not None else ""
                    yield Found((name, urljoin(page.url, href) if href else ""), "byline")
                    return
        for el in own(scope.xpath(".//*[contains(@class, 'byline') or contains(@class, 'meta') "
                                  "or contains(@class, 'posted')]"), body):
            m = re.search(r"\b(?:by|par|von|por)\s+([^\W\d_][\w.' -]{1,60}?)\s*(?:$|[|•·,(]|\bon\b)",
                          clean_text(el.text_content()), re.I)
            if m and plausible_name(m.group(1)):
                yield Found((plausible_name(m.group(1)), ""), "byline")
                return

    return first([*precise, *structured(), *cues()])


def _person(name, url, source: str) -> Found:
    name = plausible_name(name if isinstance(name, str) else "")
    return Found((name, url if isinstance(url, str) else ""), source) if name else Found()


# -- dates ------------------------------------------------------------------------------

PUBLISHED_META = ("dc.date", "dc.date.issued", "dcterms.issued", "dcterms.created", "dc.date.created",
                  "date", "pubdate", "publish-date", "publication_date", "article.published",
                  "parsely-pub-date", "sailthru.date")


def published(page, precise: Iterable[Found] = (), scope=None, body=None,
              languages: list[str] | None = None) -> Found:
    """The publication time, exact with its offset where any evidence states one; told in
    the blog's own offset when the exact time came in UTC (W13)."""
    scope = scope if scope is not None else main_scope(page)
    shown: list = []

    def shown_date():
        if not shown:
            shown.append(dates.shown_date(scope, body, languages))
        return shown[0]

    def structured() -> Iterator[Found]:
        yield Found(parse_iso(_text(page.article.get("datePublished") or page.article.get("dateCreated"))),
                    page.article_source)
        yield Found(parse_iso(mf_text(page.hentry.get("published"))), "h-entry")
        yield Found(parse_iso(page.prop("article:published_time")), "article:published_time")
        for name in PUBLISHED_META:
            yield Found(parse_iso(page.prop(name)), f"meta:{name}")

    def cues() -> Iterator[Found]:
        for value in dates.time_values(scope, body):
            yield Found(parse_iso(value), "time")
        day, clock = shown_date()
        yield Found(combine_local(day, clock), "date-text")
        day = dates.permalink_day(page.url) or dates.permalink_day(page.canonical)
        yield Found(day.isoformat() if day else "", "permalink")
        yield Found(dates.htmldate(page.html, page.url), "htmldate")

    found = first(f for f in [*precise, *structured(), *cues()] if f and _plausible(f.value))
    if not found:
        return found
    try:
        return _in_blog_offset(found, page, scope, body, shown_date)
    except (OverflowError, ValueError):  # an instant at the edge of the calendar: as given
        return found


def _plausible(iso: str) -> bool:
    """Placeholder dates (year 1, 1970, 9999) are not a publication date."""
    return 1971 <= int(iso[:4]) <= 2100 if iso[:4].isdigit() else False


def _in_blog_offset(found: Found, page, scope, body, shown_date) -> Found:
    offset = dates.offset_of(found.value)
    if offset is None or offset != dt.timedelta(0):
        return found
    for value in dates.time_values(scope, body):
        local = dates.offset_of(value)
        if local is not None and local != offset:
            return Found(dates.express(found.value, local), found.source + "+time-offset")
    day, clock = shown_date()
    if day and clock:
        local = dates.offset_from_clock(found.value, day, clock)
        if local:
            return Found(dates.express(found.value, local), found.source + "+shown-time")
    day = day or dates.permalink_day(page.url)
    if day:
        local = dates.offset_for_day(found.value, day)
        if local:
            return Found(dates.express(found.value, local), found.source + "+shown-day")
    return found


def updated(page, precise: Iterable[Found] = (), scope=None, body=None, like: str = "") -> Found:
    """The last-modified time (never guessed: only what the page or feed states), told in the
    offset of ``like`` (the published time) when it came in UTC."""
    scope = scope if scope is not None else main_scope(page)

    def structured() -> Iterator[Found]:
        yield Found(parse_iso(_text(page.article.get("dateModified"))), page.article_source)
        yield Found(parse_iso(mf_text(page.hentry.get("updated"))), "h-entry")
        yield Found(parse_iso(page.prop("article:modified_time")), "article:modified_time")
        yield Found(parse_iso(page.prop("og:updated_time")), "og:updated_time")
        for value in dates.time_values(scope, body, published=False):
            yield Found(parse_iso(value), "time")

    found = first(f for f in [*precise, *structured()] if f and _plausible(f.value))
    local = dates.offset_of(like) if like else None
    if found and local is not None and dates.offset_of(found.value) == dt.timedelta(0) and local:
        return Found(dates.express(found.value, local), found.source)
    return found


# -- labels -----------------------------------------------------------------------------

TERM_CONTAINER = re.compile(r"cat-links|categor|tags?-links|tag-links|post-tags|entry-tags|"
                            r"taxonomy-|wp-block-post-terms|post-labels|p-category|(?:^|\s)tags(?:\s|$)|"
                            r"tag-list|post-categories|entry-categories|labels?(?:\s|$)|keywords|topics",
                            re.I)
TERM_PATH = re.compile(r"/(?:tags?|categor(?:y|ies)|topics?|labels?|search/label)/", re.I)


def term_links(scope, body=None) -> list[tuple[str, str]]:
    """(name, kind) of the labels the post shows in its own meta or footer, in order;
    kind is ``category``, ``tag`` or "" — never a link inside the text (``body``)."""
    found: list[tuple[str, str]] = []
    for a in own(scope.iter("a"), body):
        rel = f" {a.get('rel') or ''} "
        classes = " ".join([a.get("class") or ""] + [p.get("class") or "" for p in
                                                   list(a.iterancestors())[:3]])
        href = unquote(urlsplit(a.get("href") or "").path)
        in_terms = bool(TERM_CONTAINER.search(classes))
        by_place = bool(TERM_PATH.search(href)) and in_meta(a, scope)
        if " tag " not in rel and " category " not in rel and not in_terms and not by_place:
            continue
        if in_terms and not (" tag " in rel or " category " in rel or TERM_PATH.search(href)
                             or "p-category" in classes or "tag" in (a.get("class") or "")):
            continue
        name = clean_text(a.text_content()).rstrip(",").strip().lstrip("#").strip()
        if not name:
            continue
        if " category " in rel or re.search(r"cat-links|categor|taxonomy-category", classes) or \
                re.search(r"/categor", href):
            kind = "category"
        elif " tag " in rel or re.search(r"tags?-links|post-tags|tag|taxonomy-post_tag", classes):
            kind = "tag"
        else:
            kind = ""
        if name not in [n for n, _ in found]:
            found.append((name, kind))
    return found


def labels(page, precise: Iterable[Found] = (), scope=None, body=None,
           shown: list[str] | None = None) -> Found:
    """Every label the blog states for the post, in the order shown, the union where
    sources disagree (noted); ``shown`` overrides the page's own term links."""
    scope = scope if scope is not None else main_scope(page)
    if shown is None:
        shown = [n for n, _ in term_links(scope, body)]
    sources = [
        Found(shown, "rel=tag"),
        *precise,
        Found(jsonld.keywords(page.article), page.article_source + ":keywords"),
        Found(page.properties.get("article:tag", []), "article:tag"),
        Found([clean_text(mf_text(c)) for c in page.hentry.get("category") or []], "h-entry"),
    ]
    names: list[str] = []
    used: list[str] = []
    for found in sources:
        if found:
            new = [clean_text(v) for v in found.value if clean_text(v) and clean_text(v) not in names]
            names += new
            used.append(found.source)
    if not names:
        return Found([], "")
    given = [set(clean_text(v) for v in f.value) for f in sources if f]
    note = ""
    # A source naming labels the first one lacks is a disagreement; one naming fewer
    # (JSON-LD keywords listing only the tags) is not.
    if len(given) > 1 and any(g - given[0] for g in given[1:]):
        note = "; ".join(f"{f.source}: {', '.join(f.value)}" for f in sources if f)
    return Found(list(dict.fromkeys(names)), "+".join(dict.fromkeys(used)), note)
