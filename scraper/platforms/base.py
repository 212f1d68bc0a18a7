"""What every platform shares: the Platform interface, link and feed records, small HTML helpers."""

from __future__ import annotations

import copy
import functools
import json
import re
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import lxml.html
import lxml.html.defs
from lxml import etree
from parsel import Selector

from ..urls import host


@dataclass(frozen=True)
class Link:
    url: str
    role: str  # post | archive | label | older | home | feed


@dataclass
class FeedPage:
    entries: list[dict] = field(default_factory=list)  # url, post_id, published, updated, labels…
    next_url: str = ""
    total: int | None = None  # what the feed says the blog holds


class Platform:
    """One blogging platform, as the crawler asks it things.

    A platform module keeps its readers as plain functions and ends with a subclass that
    names them (``detect = staticmethod(detect)``…) and one instance, ``PLATFORM``, which
    the registry (``platforms/__init__.py``) lists. The hooks below the first group have
    defaults: a platform overrides only what it has.
    """

    NAME = ""
    SITEMAPS_IN_ROBOTS = False  # read robots.txt's Sitemap lines (wherever the site keeps them)

    # -- every platform says these ----------------------------------------------------

    def detect(self, response) -> bool:
        raise NotImplementedError

    def canonical(self, url: str) -> str:
        raise NotImplementedError

    def dedupe_key(self, url: str) -> str:
        raise NotImplementedError

    def classify(self, url: str) -> str | None:
        raise NotImplementedError

    def links(self, response):
        raise NotImplementedError

    def parse_blog(self, response):
        raise NotImplementedError

    def parse_post(self, response, feed_entry: dict | None = None):
        raise NotImplementedError

    def feed_urls(self, blog_url: str) -> list[str]:
        raise NotImplementedError

    def parse_feed(self, response) -> FeedPage:
        raise NotImplementedError

    # -- optional, with what a platform without them does ----------------------------

    def feed_candidates(self, blog_url: str, declared: str = "") -> list[str]:
        """The feeds to read, best first (the next stands in when one cannot be read)."""
        return list(dict.fromkeys(([declared] if declared else []) + self.feed_urls(blog_url)))

    def changes_feed_url(self, blog_url: str, declared: str = "") -> str:
        """The feed an incremental run reads: ordered by last change where the platform can."""
        return declared or self.feed_urls(blog_url)[0]

    def sitemap_urls(self, blog_url: str) -> list[str]:
        return []

    def feed_page_urls(self, next_url: str, total: int) -> list[str]:
        """Every later page of the feed at once (to fetch side by side); [] reads one by one."""
        return []

    def label_listing(self, response) -> tuple[str, list[str]]:
        """(label, post URLs) when the page lists the posts of one label."""
        return "", []

    def comment_feed_url(self, post_id: str, page_url: str) -> str:
        """A post's own comment feed ("" when the platform has none)."""
        return ""

    def parse_comment_feed(self, response) -> tuple[list, str]:
        """(comments, next page URL) of a comment feed page."""
        raise NotImplementedError(f"{self.NAME} has no comment feeds")

    def __repr__(self) -> str:
        return f"<platform {self.NAME}>"


# An http(s) URL naming its host: joined to any base of the same scheme it gives the same
# URL (urljoin keeps only the base's scheme), so its join is looked up, not redone, when it
# comes again on another page (a blog's sidebar and menus) or twice on one (a body's image).
ABSOLUTE_HTTP = re.compile(r"(https?)://[^/?#\t\n\r][^\t\n\r]*\Z")
_JOINED: dict[tuple[str, str], str] = {}


@functools.lru_cache(maxsize=256)
def _scheme(base: str) -> str:
    """The base's scheme, as urljoin reads it (raising what it raises)."""
    return urlsplit(base).scheme


def join_url(base: str, href: str) -> str:
    """``urljoin(base, href)``, remembered for absolute http(s) links."""
    if base and ABSOLUTE_HTTP.match(href):
        key = (_scheme(base), href)
        joined = _JOINED.get(key)
        if joined is None:
            if len(_JOINED) >= 8192:
                _JOINED.clear()
            joined = _JOINED[key] = urljoin(base, href)
        return joined
    return urljoin(base, href)


def page_query(query: str) -> etree.XPath:
    """A query written with ``//``, compiled with ``/descendant::`` in its place: the same
    nodes, given that no predicate is positional and no literal holds "//". With a predicate,
    libxml2 evaluates ``//x[p]`` as a child step from every node of the page. Strings come
    back as plain ``str`` (what parsel's ``getall()`` gives, without a Selector for each)."""
    return etree.XPath(query.replace("//", "/descendant::"), smart_strings=False)


def absolute(base: str, href: str) -> str:
    """A link's absolute http(s) URL; "" for fragments, scripts, mail and data links."""
    href = (href or "").strip()
    if not href or href.startswith(("#", "javascript:", "mailto:", "tel:", "data:")):
        return ""
    url = join_url(base, href)
    return url if url.startswith(("http://", "https://")) else ""


def own_url(response, canonical) -> str:
    """The page's canonical link when it stays on the host it was fetched from, else the URL
    fetched (both through the platform's ``canonical``)."""
    fetched = canonical(response.url)
    for href in response.selector.xpath("//link[@rel='canonical']/@href").getall():
        url = canonical(urljoin(response.url, href.strip()))
        if host(url) == host(fetched):
            return url
    return fetched


def page_languages(sel: Selector) -> list[str] | None:
    """The languages to read dates shown on the page in: its own, then English."""
    lang = (sel.xpath("/html/@lang").get() or "").split("-")[0].lower()
    return [lang, "en"] if lang and lang != "en" else None


def keep_found(found, name: str, sources: dict, notes: dict):
    """The value of a field the evidence layer found (scraper.extract.Found); its evidence into
    ``sources``, any disagreement into ``notes``."""
    if found:
        sources[name] = found.source
    if found.note:
        notes[name] = found.note
    return found.value if found else ([] if name == "labels" else "")


def absolutize(html: str, base_url: str) -> str:
    """Make every link and image URL in a fragment absolute, so it still works in the archive."""
    if not html or not html.strip():
        return html
    el = lxml.html.fragment_fromstring(html, create_parent=False) if html.lstrip().startswith("<") \
        else lxml.html.fragment_fromstring(html, create_parent="div")
    el.make_links_absolute(base_url, resolve_base_href=False, handle_failures="ignore")
    return lxml.html.tostring(el, encoding="unicode")


def absolute_copy(element, base_url: str):
    """A detached copy of a page's element (an lxml.html element) with every link and image
    URL made absolute: what ``absolutize`` gives for its serialisation, without a re-parse.

    That is lxml's ``make_links_absolute(base_url, resolve_base_href=False,
    handle_failures="ignore")``; where every link of the copy is in a link attribute (href,
    src…), as in nearly every post, the same is done here in one walk over the elements,
    without the per-element tests of lxml's ``iterlinks``."""
    el = copy.deepcopy(element)
    el.tail = None
    links = []
    for node in el.iter(etree.Element):
        if node.tag in LINKS_ELSEWHERE or "url(" in (node.get("style") or "").lower():
            el.make_links_absolute(base_url, resolve_base_href=False, handle_failures="ignore")
            return el
        links.extend((node, name, link) for name, link in node.items() if name in LINK_ATTRIBUTES)
    for node, name, link in links:
        try:
            new = join_url(base_url, link.strip())
        except ValueError:
            new = link.strip()
        if new != link:
            node.set(name, new)
    return el


# Where lxml's make_links_absolute finds links besides link attributes: <object>, <meta
# refresh>, <param>, <style>, url() in a style attribute; and a <base href>, which its
# rewrite_links applies. A copy holding any of them takes lxml's own path.
LINKS_ELSEWHERE = frozenset(("object", "meta", "param", "style", "base"))
LINK_ATTRIBUTES = lxml.html.defs.link_attrs


# What lxml.html.tostring removes from what it serialises (no match can span two children:
# each child's markup ends with ">" or with its escaped tail).
META_CONTENT_TYPE = re.compile(r'<meta http-equiv="Content-Type"[^>]*>')


def inner_html(el) -> str:
    """The content of an element, without the element itself (its id/class are the page's):
    each child as ``lxml.html.tostring`` gives it, one regular expression over them all."""
    text = el.text or ""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") + META_CONTENT_TYPE.sub(
        "", "".join([etree.tostring(child, method="html", encoding="unicode") for child in el]))


JSON_LD = "application/ld+json"
JSON_LD_TEXTS = etree.XPath(f"/descendant::script[@type='{JSON_LD}']/text()", smart_strings=False)
CHILD_TEXTS = etree.XPath("text()", smart_strings=False)


def holds(node, tag: str) -> bool:
    """Is there a <tag> element at or under ``node``? Next to free when the page has none at
    all: lxml looks the name up in the document's table of names and walks nothing, where a
    query for it walks every node of the page."""
    return next(node.iter(tag), None) is not None


def _json_ld_texts(doc) -> list[str]:
    """What ``JSON_LD_TEXTS`` gives, by lxml's walk over the page's <script> elements alone:
    one JSON-LD script's text is its text nodes; with more, the query keeps page order."""
    scripts = [el for el in doc.iter("script") if el.get("type") == JSON_LD]
    if not scripts:
        return []
    if len(scripts) == 1:
        return CHILD_TEXTS(scripts[0])
    return JSON_LD_TEXTS(doc)


def json_ld_objects(sel: Selector) -> list[dict]:
    """Every JSON-LD object on the page (top level, lists and @graph flattened)."""
    found: list[dict] = []
    for raw in _json_ld_texts(sel.root.getroottree().getroot()):
        try:
            data = json.loads(raw)
        except ValueError:
            continue
        stack = [data]
        while stack:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                found.append(item)
                if "@graph" in item:
                    stack.append(item["@graph"])
    return found


def blog_posting(sel: Selector) -> dict:
    for obj in json_ld_objects(sel):
        kind = obj.get("@type")
        kinds = kind if isinstance(kind, list) else [kind]
        if any(k in ("BlogPosting", "Article", "NewsArticle", "TechArticle", "Report",
                     "SocialMediaPosting", "LiveBlogPosting") for k in kinds):
            return obj
    return {}
