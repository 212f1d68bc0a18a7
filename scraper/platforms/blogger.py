"""Blogger (blogspot and custom domains): what its pages are and what they hold.

Three template families share Blogger's URL scheme but not their markup:
classic (``<$BlogItemBody$>``-era: ``p.post-footer``, ``dl#comments-block``),
layout/widget templates (``div.post-outer``, ``abbr.published``) and the
current themes (Contempo, Soho, Notable: ``article``, ``time.published``,
JSON-LD). Links are classified by URL, which is the same in all of them;
fields are read by trying each family's markup in turn.

Why one module of 800 lines: everything here reads one markup, Blogger's, in its three
template families, and the parts lean on one another (the URL scheme decides what a
post is for links, canonical URLs, label pages and feeds alike; the image size rules
serve bodies and feeds). What is shared with other platforms already lives in base.py,
bodies.py and scraper/extract/; splitting the rest by field would spread one markup's
quirks over several files without making any of them usable elsewhere.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
from typing import Iterator
from urllib.parse import unquote, urljoin, urlsplit

import lxml.html
from lxml import etree
from parsel import Selector
from parsel.csstranslator import HTMLTranslator

from ..dates import combine_local, parse_clock, parse_date_text, parse_iso
from ..htmltext import clean_text, html_to_text, sanitize_html, word_count
from ..items import Blog, Comment, Image, Post, content_hash
from ..urls import query_params, strip_params
from .base import (FeedPage, Link, Platform, absolute_copy, holds, inner_html, join_url, json_ld_objects,
                   page_languages)
from .post_evidence import merge_labels

NAME = "blogger"

# URL shapes (path only; Blogger's scheme is the same on every template).
POST_PATH = re.compile(r"^/\d{4}/\d{2}/(?!index\.html$)[^/]+\.html$")
# Year/month/day archives; "index.html" is how offline mirrors save them.
ARCHIVE_PATH = re.compile(
    r"^/\d{4}/(?:\d{2}/(?:\d{2}/)?)?(?:index\.html)?$|^/\d{4}_\d{2}_\d{2}_archive\.html$"
)
LABEL_PATH = re.compile(r"^/search/label/(.+)$")
FEED_PATH = re.compile(r"^/feeds/posts/(default|summary)$")
BLOG_ID_RE = re.compile(r"blogger\.com/feeds/(\d{5,})/")
BLOG_ID_PARAM_RE = re.compile(r"blogID=(\d{5,})")
POST_ID_RE = re.compile(r"(?:postID=|post-body-|/feeds/|post-)(\d{8,})")
MIRRORED_QUERY = re.compile(r"^(/\d{4}/\d{2}/[^/?%]+\.html)(?:%3F|\?)(?:m|showComment)=", re.I)
CCTLD_BLOGSPOT = re.compile(r"^(.+)\.blogspot\.(?!com$)[a-z.]+$")
# Parameters that only change presentation: the same page without them.
PRESENTATION_PARAMS = {"m", "showComment", "zx", "spref", "widgetType", "widgetId", "action",
                       "dir", "toggle", "toggleopen", "bc"}
# What a search or label listing's query may say; any other parameter shows the same
# listing, and kept it would make one page endless URLs (?x=1, ?x=2, …).
LISTING_PARAMS = {"updated-max", "updated-min", "start", "max-results", "by-date",
                  "reverse-paginate", "q"}
NEVER_FOLLOW = ("action=toggle", "widgetType=", "/feeds/", "/comment.g", "/post-edit.g",
                "/share-post.g", "/email-post.g", "q=", "/CSI/")
# Blogger's image hosts and the size segment in their URLs.
IMAGE_HOSTS = re.compile(r"(^|\.)(bp\.blogspot\.com|googleusercontent\.com|blogger\.com)$")
SIZE_SEGMENT = re.compile(r"/(?:[swh]\d+(?:-[a-zA-Z0-9]+)*|S\d+|w\d+-h\d+(?:-[a-zA-Z0-9]+)*|s\d+-h)/(?=[^/]+$)")
SIZE_SUFFIX = re.compile(r"=(?:[swh]\d+[^/]*)$")
SAID_SUFFIX = re.compile(
    r"\s+(said|dijo|a dit|ha detto|disse|sagte|zei|napisal\(a\)|je rekel\(a\)|kirjoitti|skrev|"
    r"napisał\(a\)|написал\(а\)|說)\s*(\.\.\.|…|:)?\s*$",
    re.IGNORECASE,
)


# -- detection and URLs ------------------------------------------------------


def detect(response) -> bool:
    """Blogger by its markup, not its host: custom domains are common."""
    head = response.text[:20000]
    if re.search(r"<meta[^>]+content=['\"]blogger['\"][^>]+name=['\"]generator", head, re.I):
        return True
    if re.search(r"<meta[^>]+name=['\"]generator['\"][^>]+content=['\"]blogger", head, re.I):
        return True
    return bool(BLOG_ID_RE.search(head)) or "_WidgetManager._Init('//www.blogger.com" in response.text


@functools.lru_cache(maxsize=8192)  # called for every link on every page
def canonical(url: str) -> str:
    """The one URL a post or listing is known by (no ?m=1, ?showComment=, fragment)."""
    url = strip_params(url, drop=PRESENTATION_PARAMS)
    parts = urlsplit(url)
    m = MIRRORED_QUERY.match(parts.path)
    if m:  # an offline mirror saved "post.html?showComment=…" as a file name
        parts = parts._replace(path=m.group(1))
    path = unquote(parts.path)
    if parts.query and (POST_PATH.match(path) or ARCHIVE_PATH.match(path)):
        parts = parts._replace(query="")  # no query changes a post or archive page: no permutations
    elif parts.query and (path == "/search" or LABEL_PATH.match(path)):
        kept = [pair for pair in parts.query.split("&")
                if unquote(pair.split("=", 1)[0]) in LISTING_PARAMS]
        parts = parts._replace(query="&".join(kept))
    netloc = parts.netloc
    m = CCTLD_BLOGSPOT.match(parts.hostname or "")
    if m:  # legacy country domains are the same blog
        netloc = f"{m.group(1)}.blogspot.com" + (f":{parts.port}" if parts.port else "")
    return parts._replace(netloc=netloc).geturl()


@functools.lru_cache(maxsize=8192)  # called for every link on every page
def dedupe_key(url: str) -> str:
    """Listing pages reached under different offsets are one page (updated-max in UTC)."""
    url = canonical(url)
    parts = urlsplit(url)
    params = query_params(url)
    if "updated-max" in params:
        when = _utc(params["updated-max"])
        if when:
            params["updated-max"] = when
        params.pop("reverse-paginate", None)
    query = "&".join(f"{k}={v}" for k, v in sorted(params.items()))
    return f"{parts.scheme}://{parts.netloc}{unquote(parts.path)}?{query}"


def _utc(value: str) -> str:
    iso = parse_iso(value)
    if not iso or len(iso) < 19:
        return ""
    when = dt.datetime.fromisoformat(iso)
    if when.tzinfo is None:
        return iso
    return when.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@functools.lru_cache(maxsize=8192)  # called for every link on every page
def classify(url: str) -> str | None:
    """post | archive | label | older | newer | home | feed | None (not ours to follow)."""
    parts = urlsplit(url)
    path = unquote(parts.path) or "/"
    if any(marker in url for marker in NEVER_FOLLOW if marker != "/feeds/"):
        return None
    if FEED_PATH.match(path):
        return "feed"
    if "/feeds/" in path:
        return None
    if POST_PATH.match(path):
        return "post"
    if ARCHIVE_PATH.match(path):
        return "archive"
    if LABEL_PATH.match(path) and "/" in parts.path[len("/search/label/"):].rstrip("/"):
        return None  # /search/label/X/more is no label page (a label's own "/" is sent as %2F)
    params = query_params(url)
    if path == "/search" or LABEL_PATH.match(path):
        if "q" in params:
            return None
        if "updated-max" in params or "start" in params:
            return "newer" if params.get("reverse-paginate") == "true" else "older"
        return "label" if LABEL_PATH.match(path) else None
    if path in ("/", "/index.html") and not parts.query:
        return "home"
    return None


def feed_urls(blog_url: str) -> list[str]:
    return [urljoin(blog_url, "/feeds/posts/default")]


def feed_candidates(blog_url: str, declared: str = "") -> list[str]:
    """The summary feed first: the same entries, times, labels and comment counts without
    the bodies (posts are read from their pages anyway, B9), a fraction of the bytes; then
    the feed the blog names, for blogs or mirrors that have no summary feed."""
    return list(dict.fromkeys([urljoin(blog_url, "/feeds/posts/summary"),
                               declared or feed_urls(blog_url)[0]]))


def changes_feed_url(blog_url: str) -> str:
    """The feed ordered by last change: an incremental run reads it until it has seen it all."""
    return urljoin(blog_url, "/feeds/posts/default?orderby=updated")


def sitemap_urls(blog_url: str) -> list[str]:
    return [urljoin(blog_url, "/sitemap.xml")]


# -- compiled queries ------------------------------------------------------------
#
# Pages are read on lxml's own elements with compiled queries (CSS translated once, as
# parsel would): parsel wraps every element and string it returns in a Selector, and a
# post page asks for a few dozen of them. Whole-page queries are written
# ``/descendant::x[…]``, not ``//x[…]``: with a predicate, libxml2 evaluates ``//x[p]`` as a
# child step from every node of the page (the same nodes, when ``p`` is not positional).

_CSS = HTMLTranslator()


def _xpath(query: str) -> etree.XPath:
    return etree.XPath(query, smart_strings=False)


def _css(query: str) -> etree.XPath:
    """A CSS query as the same XPath parsel runs for ``Selector.css``."""
    return _xpath(_CSS.css_to_xpath(query))


def _first(query: etree.XPath, node, default=None):
    found = query(node)
    return found[0] if found else default


# -- pages: links -------------------------------------------------------------

LINK_TARGETS = _xpath("/descendant::a/@href | /descendant::option/@value"
                      " | /descendant::link[@rel='next']/@href")
ATOM_FEED_LINKS = _xpath("/descendant::link[@rel='alternate'][@type='application/atom+xml']/@href")


def links(response) -> Iterator[Link]:
    """Every link on the page that leads to posts, classified; nothing else."""
    root = response.selector.root
    base = response.url
    for href in LINK_TARGETS(root):
        href = href.strip()
        if not href or href.startswith(("#", "javascript:", "mailto:")):
            continue
        url = join_url(base, href)
        if not url.startswith(("http://", "https://")):
            continue
        role = classify(url)
        if role and role != "newer":
            yield Link(canonical(url), role)
    for href in ATOM_FEED_LINKS(root):
        url = join_url(base, href.strip())
        if classify(url) == "feed":
            yield Link(url, "feed")


# -- pages: the blog ----------------------------------------------------------


STATED_BLOG_ID = _xpath("/descendant::meta[@itemprop='blogId']/@content")


def blog_id(response) -> str:
    text = response.text
    m = BLOG_ID_RE.search(text) or BLOG_ID_PARAM_RE.search(text)
    if m:
        return m.group(1)
    found = _first(STATED_BLOG_ID, response.selector.root)
    if found:
        return found.strip()
    return "blogger-" + hashlib.sha256(_origin(response.url).encode()).hexdigest()[:16]


BLOG_TITLE_TEXTS = _css("#Header1 h1 ::text, .Header h1 ::text, h1.title ::text, #blog-title ::text, "
                        ".header-widget h1 ::text")
SITE_NAME = _xpath("/descendant::meta[@property='og:site_name']/@content")
PAGE_TITLE_TEXT = _xpath("/descendant::title/text()")
BLOG_DESCRIPTION_TEXTS = _css(".Header .description ::text, #description ::text, p.description ::text")
PAGE_LANG = _xpath("/html/@lang")


def parse_blog(response) -> Blog:
    root = response.selector.root
    title = clean_text(" ".join(BLOG_TITLE_TEXTS(root))) or clean_text(
        _first(SITE_NAME, root) or (_first(PAGE_TITLE_TEXT, root) or "").split(":")[0]
    )
    description = clean_text(" ".join(BLOG_DESCRIPTION_TEXTS(root)))
    feed = ATOM_FEED_LINKS(root)
    feed_url = next((urljoin(response.url, f) for f in feed if "/feeds/posts/" in f), "")
    return Blog(
        id=blog_id(response),
        url=_origin(response.url),
        platform=NAME,
        title=title,
        description=description,
        feed_url=feed_url,
        language=_first(PAGE_LANG, root) or "",
    )


def _origin(url: str) -> str:
    parts = urlsplit(canonical(url))
    return f"{parts.scheme}://{parts.netloc}/"


# -- pages: the post ----------------------------------------------------------


CLASS_VALUES = _xpath("descendant-or-self::*/@class")
ITEMPROP_VALUES = _xpath("descendant-or-self::*/@itemprop")


class _Marks:
    """Every class and itemprop value within a post, each kind as one string. A query all of
    whose matches need a class (or itemprop) value holding some word is not run when no value
    holds it: its answer is known to be empty, and a query over the post costs as much as its
    elements, whether it finds anything or not."""

    def __init__(self, root):
        self.classes = "\n".join(CLASS_VALUES(root))
        self.itemprops = "\n".join(ITEMPROP_VALUES(root))

    def may_match(self, guard: tuple[str, str]) -> bool:
        kind, word = guard
        return word in (self.classes if kind == "class" else self.itemprops)


def _may_match(marks: _Marks | None, guard: tuple[str, str]) -> bool:
    return marks is None or marks.may_match(guard)


# (the element each query's matches are, or None for any; the query), in order of trust.
POST_ROOTS = [(tag, _xpath(query)) for tag, query in (
    ("article", "/descendant::article[contains(@class, 'post-outer-container')]"
                "[contains(concat(' ', @class, ' '), ' post-outer-container ')]"),
    ("div", "/descendant::div[contains(@class, 'post-outer')][contains(concat(' ', @class, ' '), ' post-outer ')]"),
    ("div", "/descendant::div[contains(@class, 'post')][contains(concat(' ', @class, ' '), ' post ')]"
            "[descendant::*[contains(@class, 'post-body')]]"),
    (None, "/descendant::*[contains(@class, 'hentry')][contains(concat(' ', @class, ' '), ' hentry ')]"),
    ("div", "/descendant::div[contains(@class, 'post')][contains(concat(' ', @class, ' '), ' post ')]"),
)]


def _post_root(sel: Selector):
    """The element holding one post, in whichever template family (an lxml element). A query
    for an element the page has none of is not run (the current themes' <article> on an older
    template's page): each walks the whole page."""
    root = sel.root
    for tag, query in POST_ROOTS:
        if tag and not holds(root, tag):
            continue
        found = query(root)
        if found:
            return found[0]
    return None


def parse_post(response, feed_entry: dict | None = None) -> Post:
    """Everything a post page says. ``feed_entry`` (from the blog's feed) fills gaps."""
    sel = response.selector
    root = _post_root(sel)
    if root is None:
        raise ValueError(f"{response.url}: no post found on the page")
    feed_entry = feed_entry or {}
    url = _post_url(response)
    bid = blog_id(response)
    ld = _blog_posting(sel)

    post_id = _post_id(root, sel) or feed_entry.get("post_id") or (
        "url-" + hashlib.sha256(url.encode()).hexdigest()[:20]
    )
    sources: dict[str, str] = {}
    notes: dict[str, str] = {}
    title = _title(root)
    sources["title"] = "post-title" if title else ""
    if not title and feed_entry.get("title"):
        title, sources["title"] = feed_entry["title"], "feed"
    marks = _Marks(root)
    body = _body(root, marks)
    author, author_url, sources["author"] = _author(root, ld, body, marks)
    if not author and feed_entry.get("author"):
        author, author_url = feed_entry["author"], feed_entry.get("author_url") or ""
        sources["author"] = "feed"
    published = _published(root, sel, ld, marks)
    sources["published"] = "page" if published else ""
    # Classic templates show no offset; the feed knows the exact time.
    if feed_entry.get("published") and (not published or (
            "+" not in published[10:] and "-" not in published[10:] and not published.endswith("Z"))):
        published, sources["published"] = feed_entry["published"], "feed"
    updated = _updated(root, ld, marks) or feed_entry.get("updated", "")
    # Labels from every place the blog states them for this post; the union where they differ.
    labels, sources["labels"], said = merge_labels([
        ("labels-line", _labels(root, body)), ("feed", list(feed_entry.get("labels") or []))])
    if said:
        notes["labels"] = said

    body_html = ""
    images: list[Image] = []
    if body is not None:
        # One copy of the page's own element, not a re-parse of its serialisation.
        content = absolute_copy(body, response.url)
        images = list(_images(content, response.url))
        body_html = sanitize_html(inner_html(content))
    body_text = html_to_text(body_html)
    comments = list(_comments(sel, response.url))
    _localise_comment_times(comments, published)
    return Post(
        id=post_id,
        blog_id=bid,
        url=url,
        title=title,
        author=author,
        author_url=author_url,
        published=published,
        updated=updated,
        labels=labels,
        body_html=body_html,
        body_text=body_text,
        word_count=word_count(body_text),
        content_hash=content_hash(title, body_html),
        images=images,
        comments=comments,
        comment_count=feed_entry.get("comment_count"),
        fetched_url=response.url,
        sources={k: v for k, v in sources.items() if v},
        notes=notes,
    )


def _own_urls(doc) -> Iterator[str]:
    """``//link[@rel='canonical']/@href | //meta[@property='og:url']/@content``, in page order:
    lxml's walk by tag name hands over only the page's few <link> and <meta>, where the
    XPath union tests every element twice."""
    for el in doc.iter("link", "meta"):
        if el.tag == "link" and el.get("rel") == "canonical":
            value = el.get("href")
        elif el.tag == "meta" and el.get("property") == "og:url":
            value = el.get("content")
        else:
            continue
        if value is not None:
            yield value


def _post_url(response) -> str:
    """The page's own canonical link when it names a post on this host, else the URL fetched."""
    fetched = canonical(response.url)
    for href in _own_urls(response.selector.root):
        url = canonical(join_url(response.url, href.strip()))
        if urlsplit(url).netloc == urlsplit(fetched).netloc and POST_PATH.match(urlsplit(url).path):
            return url
    return fetched


def _blog_posting(sel: Selector) -> dict:
    for obj in json_ld_objects(sel):
        if obj.get("@type") in ("BlogPosting", "Article", "NewsArticle", "SocialMediaPosting"):
            return obj
    return {}


STATED_POST_ID = _xpath("descendant::meta[@itemprop='postId']/@content")
ID_ATTRIBUTES = _xpath("descendant-or-self::*/@id | descendant::a/@name | descendant-or-self::*/@data-id"
                       " | descendant::a/@href")


def _post_id(root, sel: Selector) -> str:
    found = _first(STATED_POST_ID, root)
    if found and found.strip().isdigit():
        return found.strip()
    for attr in ID_ATTRIBUTES(root):
        attr = attr.strip()
        if attr.isdigit() and len(attr) >= 8:
            return attr
        m = POST_ID_RE.search(attr)
        if m:
            return m.group(1)
    m = re.search(r"/feeds/(\d{8,})/comments/default", sel.get())
    return m.group(1) if m else ""


TEXTS = _xpath("descendant::text()")


def _texts(node) -> list[str]:
    """The text nodes under an element (or a Selector's), as plain strings."""
    return TEXTS(getattr(node, "root", node))


def _text(node) -> str:
    return clean_text(" ".join(_texts(node)))


TITLES = _css(".post-title, .entry-title")


def _title(root) -> str:
    heading = TITLES(root)
    if not heading:
        return ""
    return _text(heading[0])


AUTHOR_NAMES = [(guard, _xpath(query), found_by) for guard, query, found_by in (
    (("itemprop", "author"), "descendant::*[@itemprop='author']/descendant::*[@itemprop='name']",
     "itemprop-author"),
    (("class", "post-author"),
     "descendant::*[contains(@class, 'post-author')]/descendant::*[contains(@class, 'fn')]", "post-author"),
    (("class", "post-author"),
     "descendant::*[contains(@class, 'post-author')]/descendant::a[contains(@class, 'g-profile')]",
     "post-author"),
    # Awesome Inc. and other layouts: "par <span class='fn'>André</span>" (hCard)
    (("class", "fn"),
     "descendant::*[contains(@class, 'fn')][contains(concat(' ', normalize-space(@class), ' '), ' fn ')]",
     "span.fn"),
)]
AUTHOR_URLS = [
    (("itemprop", "author"),
     _xpath("descendant::*[@itemprop='author']/descendant::meta[@itemprop='url']/@content")),
    (("class", "post-author"), _xpath("descendant::*[contains(@class, 'post-author')]/descendant::a/@href")),
]
BYLINES = _css(".post-footer, .post-author, .byline")
BYLINE_PROFILE = _css(".post-footer a[href*='/profile/']::attr(href)")
POSTED_BY = re.compile(r"(?:posted by|publicado por|publié par|pubblicato da|geplaatst door|"
                       r"eingestellt von|objavil)\s+(.+?)(?:\s+(?:at|a las|en|à|alle|om|um|ob)\s+\d|$)",
                       re.I)


def _author(root, ld: dict, body, marks: _Marks | None = None) -> tuple[str, str, str]:
    """(name, profile URL, evidence) of the post's author, from the post's byline, never
    from its body or its comments."""
    name, evidence = "", ""
    for guard, query, found_by in AUTHOR_NAMES:
        if not _may_match(marks, guard):
            continue
        for node in query(root):
            if _inside(node, body) or _inside_comments(node):
                continue
            name = _text(node)
            if name:
                evidence = found_by
                break
        if name:
            break
    url = next((found for guard, query in AUTHOR_URLS
                if _may_match(marks, guard) for found in query(root)[:1] if found), "")
    if not name:
        author = ld.get("author")
        if isinstance(author, list) and author:
            author = author[0]
        if isinstance(author, dict):
            name = clean_text(author.get("name"))
            url = url or author.get("url") or ""
            evidence = "json-ld" if name else ""
    if not name:
        # Classic: "posted by NAME at 9:23 PM" in the footer.
        footer = clean_text(" ".join(text for node in BYLINES(root) for text in TEXTS(node)))
        m = POSTED_BY.search(footer)
        if m:
            name = m.group(1).strip()
            url = url or _first(BYLINE_PROFILE, root) or ""
            evidence = "byline"
    return name, url.strip(), evidence


# Ancestors are looked at through their attribute values, as strings: each element that
# lxml hands to Python is a new object, made by lxml.html's class lookup (Python code).
WITHIN = _xpath("boolean(ancestor-or-self::*[count(. | $container) = 1])")
ANCESTOR_CLASSES = _xpath("ancestor-or-self::*/@class")
ANCESTOR_IDS = _xpath("ancestor-or-self::*/@id")


def _inside(node, container) -> bool:
    """Is the element ``node`` within ``container`` (or ``container`` itself)?"""
    if container is None:
        return False
    return WITHIN(node, container=container)


COMMENTS = re.compile(r"(?:^|\s)(?:comments?|comment-thread|comment-holder|comments-content)(?:\s|$)")


def _inside_comments(node) -> bool:
    """Is the element ``node`` within the comments (by an ancestor's class or id)?"""
    return any(COMMENTS.search(names) for names in ANCESTOR_CLASSES(node)) or any(
        ident in ("comments", "comment-holder") for ident in ANCESTOR_IDS(node))


def _time_queries(kind: str) -> list[tuple[tuple[str, str], etree.XPath]]:
    prop = "datePublished" if kind == "published" else "dateModified"
    # In order of trust, each looked up only when the one before gave no time.
    return [(("class", kind), _css(f"abbr.{kind}::attr(title)")),
            (("itemprop", prop),
             _xpath(f"descendant::*[@itemprop='{prop}']/@*[name() = 'title' or name() = 'content'"
                    f" or name() = 'datetime']")),
            (("class", kind), _css(f"time.{kind}::attr(datetime), .{kind}::attr(datetime)"))]


TIME_QUERIES = {kind: _time_queries(kind) for kind in ("published", "updated")}


def _stated_time(root, ld: dict, kind: str, marks: _Marks | None = None) -> str:
    """An exact time the markup states: ``kind`` is "published" or "updated"."""
    for guard, query in TIME_QUERIES[kind]:
        if not _may_match(marks, guard):
            continue
        iso = parse_iso(_first(query, root))
        if iso:
            return iso
    return parse_iso(ld.get("datePublished" if kind == "published" else "dateModified")) or ""


DATE_HEADER_TEXTS = _css("h2.date-header ::text, .date-header ::text")
STAMP_TEXTS = _css(".post-timestamp ::text, a.timestamp-link ::text")
FOOTER_TEXTS = _css(".post-footer ::text")


def _published(root, sel: Selector, ld: dict, marks: _Marks | None = None) -> str:
    stated = _stated_time(root, ld, "published", marks)
    if stated:
        return stated
    # Classic: the date header above the post and the clock time in its footer.
    header = DATE_HEADER_TEXTS(sel.root)
    date = parse_date_text(clean_text(" ".join(header)), page_languages(sel))
    stamp = clean_text(" ".join(STAMP_TEXTS(root))) or clean_text(" ".join(FOOTER_TEXTS(root)))
    return combine_local(date, parse_clock(stamp))


def _updated(root, ld: dict, marks: _Marks | None = None) -> str:
    return _stated_time(root, ld, "updated", marks)


LABEL_LINKS = _xpath("descendant::a[contains(@href, '/search/label/')]")


def _labels(root, body) -> list[str]:
    """Exact label names from the post's own labels line, in the order shown (the link text;
    the URL when it has none). Never from links in the post's text or its comments: a body
    that links to ``/search/label/jingles`` does not give the post that label."""
    names: list[str] = []
    for a in LABEL_LINKS(root):
        if _inside(a, body) or _inside_comments(a):
            continue
        name = _text(a).rstrip(",").strip()
        if not name:
            m = LABEL_PATH.match(unquote(urlsplit(a.get("href", "")).path))
            name = m.group(1).strip() if m else ""
        if name and name not in names:
            names.append(name)
    return names


# Each class test first as a plain contains(): the normalize-space() and concat() of the
# exact test are then made only for elements that may pass it.
LABEL_LISTING_POSTS = _xpath(
    "/descendant::*[contains(@class, 'blog-posts')]"
    "[contains(concat(' ', normalize-space(@class), ' '), ' blog-posts ')]"
    "/descendant::*[contains(@class, 'post-title')]"
    "[contains(concat(' ', normalize-space(@class), ' '), ' post-title ')]/descendant::a/@href"
    " | /descendant::*[contains(@class, 'blog-posts')]"
    "[contains(concat(' ', normalize-space(@class), ' '), ' blog-posts ')]"
    "/descendant::a[contains(@class, 'timestamp-link')]"
    "[contains(concat(' ', normalize-space(@class), ' '), ' timestamp-link ')]/@href")
LABEL_STATED = _xpath("(/descendant::*[contains(@class, 'status-msg-body')]/descendant::b"
                      " | /descendant::*[contains(@class, 'search-label')])[1]/descendant::text()")


def label_listing(response) -> tuple[str, list[str]]:
    """(label, post URLs) on one of the blog's label pages (``/search/label/X`` and its
    "Older posts" pages): the posts of its main column, not those of sidebar widgets."""
    m = LABEL_PATH.match(unquote(urlsplit(response.url).path))
    if not m:
        return "", []
    root = response.selector.root
    urls = []
    for post in LABEL_LISTING_POSTS(root):
        url = canonical(join_url(response.url, post.strip()))
        if classify(url) == "post" and url not in urls:
            urls.append(url)
    # The name as the page states it ("Showing posts with label <b>X</b>"); the address only
    # when the page does not say (a saved copy's address may carry a ".html" of its own).
    stated = clean_text(" ".join(LABEL_STATED(root)))
    return stated or re.sub(r"\.html?$", "", m.group(1).strip()), urls


BODIES = [(guard, _css(query)) for guard, query in (
    (("class", "post-body"), ".post-body"), (("class", "entry-content"), ".entry-content"),
    (("class", "post-entry"), ".post-entry"), (("itemprop", "articleBody"), "[itemprop~='articleBody']"))]


def _body(root, marks: _Marks | None = None):
    for guard, query in BODIES:
        if not _may_match(marks, guard):
            continue
        found = query(root)
        if found:
            return found[0]
    return None


def _inner_html(outer: str) -> str:
    """The content of the body element, without the wrapper (its id/class are ours to drop)."""
    return inner_html(lxml.html.fragment_fromstring(outer))


# -- images ---------------------------------------------------------------------


def full_size(url: str) -> str:
    """Blogger's original-size URL for any size variant (``/s320/`` → ``/s1600/``)."""
    host = (urlsplit(url).hostname or "").lower()
    if not IMAGE_HOSTS.search(host) and "/img/b/" not in url and "/img/a/" not in url:
        return url
    if SIZE_SEGMENT.search(url):
        return SIZE_SEGMENT.sub("/s1600/", url)
    if SIZE_SUFFIX.search(url):
        return SIZE_SUFFIX.sub("=s1600", url)
    return url


def original(url: str) -> str:
    """The untouched original (``/s0/``, ``=s0``), where Blogger offers it."""
    full = full_size(url)
    if "/s1600/" in full:
        return full.replace("/s1600/", "/s0/")
    if full.endswith("=s1600"):
        return full[: -len("=s1600")] + "=s0"
    return full


IMAGE_EXT = re.compile(r"\.(jpe?g|png|gif|webp|bmp|avif|tiff?)$", re.I)


def _looks_like_image(url: str) -> bool:
    parts = urlsplit(url)
    return bool(IMAGE_EXT.search(parts.path)) or bool(IMAGE_HOSTS.search(parts.hostname or ""))


IMAGES = _xpath("/descendant::img[@src or @data-src]")
IMAGE_LINK = _xpath("ancestor::a[1]/@href")
CAPTION_TABLE = _xpath("ancestor::table[contains(@class, 'tr-caption-container')][1]")
CAPTION_TABLE_TEXTS = _css(".tr-caption ::text")
FIGURE = _xpath("ancestor::figure[1]")
FIGCAPTION_TEXTS = _css("figcaption ::text")


def _images(body, page_url: str) -> Iterator[Image]:
    """The images of a post body: ``body`` is an lxml element (or a Selector's), and every
    image of its document is read."""
    for position, img in enumerate(IMAGES(getattr(body, "root", body))):
        src = (img.get("src") or "").strip()
        if not src or src.startswith("data:"):
            src = (img.get("data-src") or src).strip()
        src = join_url(page_url, src)
        link = _first(IMAGE_LINK, img, "")
        link = join_url(page_url, link.strip()) if link else ""
        if link and _looks_like_image(link):
            full = full_size(link)
        else:
            full = full_size(src)
        candidates = list(dict.fromkeys(u for u in (original(full), full, link if link and _looks_like_image(link) else "", src) if u))
        caption = ""
        table = CAPTION_TABLE(img)
        if table:
            caption = clean_text(" ".join(CAPTION_TABLE_TEXTS(table[0])))
        else:
            figure = FIGURE(img)
            if figure:
                caption = clean_text(" ".join(FIGCAPTION_TEXTS(figure[0])))
        width = img.get("data-original-width")
        height = img.get("data-original-height")
        yield Image(
            position=position,
            src=src,
            full_url=full,
            alt=img.get("alt"),
            caption=caption,
            link=link,
            width=int(width) if width and width.isdigit() else None,
            height=int(height) if height and height.isdigit() else None,
            candidates=candidates,
        )


# -- comments --------------------------------------------------------------------

LINKS_HREF = _xpath("descendant::a/@href")
SHOW_COMMENT = re.compile(r"showComment=(\d{10,})")
TIME_ATTRIBUTES = _xpath("descendant::time/@datetime | descendant::abbr/@title")


def _comment_time(nodes: list) -> str:
    """Blogger's permalinks carry the comment time in epoch milliseconds: exact. ``nodes``:
    the elements that show the time, in page order."""
    for node in nodes:
        for href in LINKS_HREF(node):
            m = SHOW_COMMENT.search(href)
            if m:
                when = dt.datetime.fromtimestamp(int(m.group(1)) / 1000, dt.timezone.utc)
                return when.isoformat(timespec="seconds")
    for node in nodes:
        for value in TIME_ATTRIBUTES(node):
            return parse_iso(value)
    return parse_iso(None)


def _localise_comment_times(comments: list[Comment], published: str) -> None:
    """Comment permalinks give UTC; show them in the blog's offset, as the blog does."""
    when = parse_iso(published)
    if len(when) <= 19:
        return
    offset = dt.datetime.fromisoformat(when).tzinfo
    for comment in comments:
        if comment.published.endswith("+00:00"):
            comment.published = (
                dt.datetime.fromisoformat(comment.published).astimezone(offset).isoformat()
            )


THREADED = _xpath("/descendant::li[starts-with(@id, 'c')][contains(concat(' ', @class, ' '), ' comment ')]")
COMMENT_BLOCK = _xpath("./div[contains(@class, 'comment-block')] | ./*[contains(@class,'comment-block')]")
COMMENT_USER = _css(".user")
COMMENT_CONTENT = _css(".comment-content")
COMMENT_PARENT = _xpath("ancestor::li[contains(concat(' ', @class, ' '), ' comment ')][1]/@id")
COMMENT_HEADER = _css(".datetime, .comment-header")
CLASSIC_COMMENTS = _xpath("/descendant::dl[@id='comments-block']/dt")
ANCHOR_NAME = _xpath("descendant::a/@name")
PROFILE_LINKS = _xpath("descendant::a[@href][not(starts-with(@href, '#'))]")
CLASSIC_BODY = _xpath("following-sibling::dd[contains(@class, 'comment-body')][1]")
CLASSIC_FOOTER = _xpath("following-sibling::dd[contains(@class, 'comment-footer') or "
                        "contains(@class, 'comment-timestamp')][1]")


def _comments(sel: Selector, page_url: str) -> Iterator[Comment]:
    position = 0
    # Threaded comments (layout templates since 2012, current themes).
    threaded = THREADED(sel.root) if holds(sel.root, "li") else []
    for li in threaded:
        cid = li.get("id")[1:]
        if not cid.isdigit():
            continue
        node = _first(COMMENT_BLOCK, li, li)
        user = COMMENT_USER(node)
        author = clean_text(" ".join(t for u in user for t in TEXTS(u))) if user else ""
        author_url = next((href for u in user for href in LINKS_HREF(u)), None) or "" if user else ""
        content = COMMENT_CONTENT(node)
        body_html = sanitize_html(lxml.html.tostring(absolute_copy(content[0], page_url),
                                                     encoding="unicode")) if content else ""
        parent = _first(COMMENT_PARENT, li)
        yield Comment(
            id=cid,
            author=author,
            author_url=author_url,
            published=_comment_time(COMMENT_HEADER(node) or [node]),
            body_html=body_html,
            body_text=html_to_text(body_html),
            in_reply_to=parent[1:] if parent else "",
            position=position,
        )
        position += 1
    if threaded:
        return
    # dl#comments-block: layout templates before threading, and classic templates.
    for dt_el in CLASSIC_COMMENTS(sel.root) if holds(sel.root, "dl") else ():
        cid = dt_el.get("id", "") or _first(ANCHOR_NAME, dt_el) or ""
        cid = cid.lstrip("c")
        if not cid.isdigit():
            continue
        profile = PROFILE_LINKS(dt_el)
        if profile:
            author = _text(profile[0])
            author_url = profile[0].get("href", "")
        else:
            author = SAID_SUFFIX.sub("", _text(dt_el))
            author_url = ""
        body_dd = CLASSIC_BODY(dt_el)
        body_html = ""
        if body_dd:
            body_html = sanitize_html(inner_html(absolute_copy(body_dd[0], page_url)))
            # Blogger wraps the text in <p> and adds a deleted-comment span; keep the text only.
        footer = CLASSIC_FOOTER(dt_el)
        yield Comment(
            id=cid,
            author=author,
            author_url=author_url,
            published=_comment_time(footer[:1]) if footer else "",
            body_html=body_html,
            body_text=html_to_text(body_html),
            position=position,
        )
        position += 1


# -- the feed --------------------------------------------------------------------

BLOGGER_FEED = re.compile(r"^https?://www\.blogger\.com/feeds/\d+/posts/(default|summary)(\?.*)?$")
ATOM = {"a": "http://www.w3.org/2005/Atom",
        "os": "http://a9.com/-/spec/opensearchrss/1.0/",
        "os11": "http://a9.com/-/spec/opensearch/1.1/",
        "thr": "http://purl.org/syndication/thread/1.0"}


def parse_feed(response) -> FeedPage:
    """Post URLs, ids, exact times and labels from one page of the Atom feed."""
    sel = Selector(text=response.text, type="xml")
    sel.register_namespace("a", ATOM["a"])
    sel.register_namespace("os", ATOM["os"])
    sel.register_namespace("os11", ATOM["os11"])
    sel.register_namespace("thr", ATOM["thr"])
    total = sel.xpath("/a:feed/os:totalResults/text() | /a:feed/os11:totalResults/text()").get()
    next_url = sel.xpath("/a:feed/a:link[@rel='next']/@href").get()
    entries = []
    for entry in sel.xpath("/a:feed/a:entry"):
        url = entry.xpath("a:link[@rel='alternate']/@href").get()
        if not url:
            continue
        ident = entry.xpath("a:id/text()").get() or ""
        m = re.search(r"post-(\d+)$", ident)
        replies = entry.xpath("thr:total/text()").get()
        entries.append(
            {
                "url": canonical(urljoin(response.url, url)),
                "post_id": m.group(1) if m else "",
                "title": clean_text(entry.xpath("a:title//text()").get()),
                "published": parse_iso(entry.xpath("a:published/text()").get()),
                "updated": parse_iso(entry.xpath("a:updated/text()").get()),
                "labels": entry.xpath("a:category/@term").getall(),
                "comment_count": int(replies) if replies and replies.isdigit() else None,
                "author": _feed_author(entry.xpath("a:author/a:name/text()").get()),
                "author_url": entry.xpath("a:author/a:uri/text()").get() or "",
            }
        )
    if next_url:
        next_url = urljoin(response.url, next_url)
        m = BLOGGER_FEED.match(next_url)
        if m:  # www.blogger.com/feeds/<id>/posts/… is the blog's own feed under another name
            next_url = urljoin(response.url, f"/feeds/posts/{m.group(1)}{m.group(2) or ''}")
    return FeedPage(
        entries=entries,
        next_url=next_url or "",
        total=int(total) if total and total.strip().isdigit() else None,
    )


def _feed_author(name: str | None) -> str:
    """Blogger writes "Unknown" for an author whose profile is hidden: no name at all."""
    name = clean_text(name)
    return "" if name in ("Unknown", "noreply@blogger.com") else name


def feed_page_urls(next_url: str, total: int) -> list[str]:
    """Every later page of a feed at once, from its second page's address and the total:
    the pages can then be fetched side by side instead of one after the other. Only the
    start-index changes (the rest of the address stays as the feed wrote it)."""
    params = query_params(next_url)
    try:
        start, size = int(params["start-index"]), int(params["max-results"])
    except (KeyError, ValueError):
        return [next_url]
    if size <= 0 or start <= 1:
        return [next_url]
    return [re.sub(r"(?<=[?&])start-index=\d+", f"start-index={n}", next_url)
            for n in range(start, total + 1, size)] or [next_url]


# -- comment feeds (B16: threaded comments beyond what the page shows) -------------


def comment_feed_url(post_id: str, page_url: str) -> str:
    return urljoin(page_url, f"/feeds/{post_id}/comments/default?max-results=200")


def parse_comment_feed(response) -> tuple[list[Comment], str]:
    """Comments from one page of a post's comment feed, and the next page's URL."""
    sel = Selector(text=response.text, type="xml")
    for prefix, uri in ATOM.items():
        sel.register_namespace(prefix, uri)
    start = sel.xpath("/a:feed/os:startIndex/text() | /a:feed/os11:startIndex/text()").get()
    offset = int(start) - 1 if start and start.strip().isdigit() else 0
    comments = []
    for n, entry in enumerate(sel.xpath("/a:feed/a:entry")):
        ident = entry.xpath("a:id/text()").get() or ""
        m = re.search(r"post-(\d+)$", ident)
        if not m:
            continue
        body_html = sanitize_html(entry.xpath("a:content/text()").get() or "")
        parent = entry.xpath("a:link[@rel='related']/@href").get() or ""
        parent_id = re.search(r"/(\d+)$", parent)
        comments.append(Comment(
            id=m.group(1),
            author=clean_text(entry.xpath("a:author/a:name/text()").get()),
            author_url=entry.xpath("a:author/a:uri/text()").get() or "",
            published=parse_iso(entry.xpath("a:published/text()").get()),
            body_html=body_html,
            body_text=html_to_text(body_html),
            in_reply_to=parent_id.group(1) if parent_id else "",
            position=offset + n,
        ))
    next_url = sel.xpath("/a:feed/a:link[@rel='next']/@href").get() or ""
    return comments, urljoin(response.url, next_url) if next_url else ""


class Blogger(Platform):
    NAME = NAME
    detect = staticmethod(detect)
    canonical = staticmethod(canonical)
    dedupe_key = staticmethod(dedupe_key)
    classify = staticmethod(classify)
    links = staticmethod(links)
    parse_blog = staticmethod(parse_blog)
    parse_post = staticmethod(parse_post)
    feed_urls = staticmethod(feed_urls)
    parse_feed = staticmethod(parse_feed)
    feed_candidates = staticmethod(feed_candidates)
    sitemap_urls = staticmethod(sitemap_urls)
    feed_page_urls = staticmethod(feed_page_urls)
    label_listing = staticmethod(label_listing)
    comment_feed_url = staticmethod(comment_feed_url)
    parse_comment_feed = staticmethod(parse_comment_feed)

    def changes_feed_url(self, blog_url: str, declared: str = "") -> str:
        return changes_feed_url(blog_url)


PLATFORM = Blogger()
