"""Any other blog (static site generators, hand-made sites, custom CMSs): tried last.

Nothing is assumed about the software, so everything rests on evidence:

- a site is a blog when its page says so (JSON-LD ``Blog``/``BlogPosting``/
  ``Article``, microformats ``h-feed``/``h-entry``, ``og:type=article``, a feed link);
- a link is followed only when its URL has a blog shape (dated paths,
  ``/posts/slug``, ``/page/2/``, ``/tags/x/``) or its place in the page says
  what it is (``rel=next``, ``rel=bookmark``, ``rel=tag``, ``.h-entry .u-url``);
- a page is a post only on evidence (structured data, ``h-entry``,
  ``article:published_time``, or a dated URL with a date on the page); any other
  page is refused, so a crawl never archives a whole site.

Metadata comes from JSON-LD, microformats and OpenGraph (extruct), dates from
htmldate when nothing structured states them, and the body from the markup
that identifies it (``e-content``, ``articleBody``, ``entry-content``) or else
from trafilatura.

Why one module of some 550 lines: the evidence rules for what is a blog, a post and a
followable link are one policy and are read together when a site is misjudged; shared
readers are already in base.py, bodies.py, syndication.py and scraper/extract/.
"""

from __future__ import annotations

import json
import re
from typing import Iterator
from urllib.parse import parse_qsl, unquote, urljoin, urlsplit, urlunsplit

from parsel import Selector

from ..dates import parse_iso
from ..htmltext import clean_text, html_to_text, word_count
from ..items import Blog, Post, content_hash
from ..urls import host, strip_params
from .. import extract
from ..extract import Found, Page
from ..extract.scope import main_scope
from .base import (FeedPage, Link, Platform, absolute, blog_posting, json_ld_objects, keep_found, own_url,
                   page_languages, page_query)
from .bodies import body_and_images
from .syndication import parse_syndication
from .post_evidence import NotAPost, listed_in, one_article, title_disagreement

NAME = "generic"
# robots.txt names the sitemaps of a site that follows no convention for them
SITEMAPS_IN_ROBOTS = True

ARTICLE_TYPES = {"BlogPosting", "Article", "NewsArticle", "TechArticle", "Report",
                 "SocialMediaPosting", "LiveBlogPosting", "ScholarlyArticle"}
DATED_POST = re.compile(r"^/(?:[a-z0-9_-]+/)?\d{4}/\d{2}/(?:\d{2}/)?[^/]*[a-zA-Z][^/]*(?:/|\.html?)?$")
SLUG_POST = re.compile(r"^/(?:posts?|blog|articles?|entries|entry|notes?|p|writing|essays?)/"
                       r"(?!page/|tags?/|categor)[^/]*[a-zA-Z][^/]*(?:/|\.html?)?$")
PAGED = re.compile(r"^(.*?/)(?:page/?(\d+)(?:/|\.html)?|page(\d+)/?)$")
TERM = re.compile(r"^/(?:(?:blog|posts)/)?(tags?|categor(?:y|ies)|topics?|labels?)/[^/]+(?:/|\.html)?$")
ARCHIVE = re.compile(r"^/(?:\d{4}/(?:\d{2}/)?|archives?(?:/|\.html)|blog/?|posts/?|(?:blog/)?archive/?)$")
FEED = re.compile(r"(?:^|/)(?:feed|rss|atom|index)\.(?:xml|rss|atom|json)$|^/(?:feed|rss|atom)/?$")
NEVER = re.compile(r"/(?:wp-admin|login|logout|signin|signup|register|cart|checkout|search|cdn-cgi)\b"
                   r"|\.(?:jpe?g|png|gif|webp|svg|pdf|zip|gz|mp3|mp4|css|js|ico|woff2?)$", re.I)
TRACKING = {"utm_source", "utm_medium", "utm_campaign", "ref", "source"}


# -- detection and URLs ----------------------------------------------------------------


def _evidence(sel: Selector) -> set[str]:
    """What the page itself says it is."""
    found: set[str] = set()
    for obj in json_ld_objects(sel):
        kinds = obj.get("@type")
        kinds = set(kinds if isinstance(kinds, list) else [kinds])
        if kinds & ARTICLE_TYPES:
            found.add("json-ld-article")
        if kinds & {"Blog", "WebSite"} and (obj.get("blogPost") or "Blog" in kinds):
            found.add("json-ld-blog")
    classes = " ".join(sel.xpath("//*[@class]/@class").getall())
    if re.search(r"(?<![\w-])h-entry(?![\w-])", classes):
        found.add("h-entry")
    if re.search(r"(?<![\w-])h-feed(?![\w-])", classes):
        found.add("h-feed")
    if (sel.xpath("//meta[@property='og:type']/@content").get() or "").strip().lower() == "article":
        found.add("og-article")
    if sel.xpath("//meta[@property='article:published_time']/@content").get():
        found.add("article-time")
    if sel.xpath("//*[@itemprop='articleBody' or @itemprop='blogPost']"):
        found.add("microdata")
    if sel.xpath("//link[@rel='alternate'][contains(@type, 'rss') or contains(@type, 'atom') or "
                 "contains(@type, 'feed+json')]"):
        found.add("feed")
    return found


def detect(response) -> bool:
    """A blog by evidence: structured data, microformats, an article type or a feed."""
    try:
        sel = response.selector
    except AttributeError:
        return False
    return bool(_evidence(sel))


def canonical(url: str) -> str:
    url = strip_params(url, drop=TRACKING)
    parts = urlsplit(url)
    path = parts.path
    if path.endswith("/index.html") or path.endswith("/index.htm"):
        path = path.rsplit("/", 1)[0] + "/"
    return urlunsplit((parts.scheme, parts.netloc, path or "/", parts.query, ""))


def dedupe_key(url: str) -> str:
    return canonical(url)


def classify(url: str) -> str | None:
    parts = urlsplit(url)
    path = unquote(canonical(url).split(parts.netloc, 1)[-1].split("?", 1)[0]) or "/"
    params = dict(parse_qsl(parts.query, keep_blank_values=True))
    if NEVER.search(path):
        return None
    if FEED.search(path):
        return "feed"
    if params:
        if set(params) == {"page"} and params["page"].isdigit():
            return "older"
        return None
    if path == "/":
        return "home"
    m = PAGED.match(path)
    if m:
        return "older"
    if TERM.match(path):
        return "label"
    if ARCHIVE.match(path):
        return "archive"
    if DATED_POST.match(path) or SLUG_POST.match(path):
        return "post"
    return None


# Where static generators and blog engines put the feed when no <link rel=alternate> says:
# Jekyll, Hugo, Pelican (and many others), tried in turn until one answers.
FEED_PATHS = ("/feed.xml", "/index.xml", "/feeds/all.atom.xml", "/atom.xml", "/rss.xml", "/feed/")


def feed_urls(blog_url: str) -> list[str]:
    return [urljoin(blog_url, path) for path in FEED_PATHS]


def sitemap_urls(blog_url: str) -> list[str]:
    return [urljoin(blog_url, "/sitemap.xml")]


# -- links ---------------------------------------------------------------------------------

CONTEXT = tuple((role, page_query(query)) for role, query in (
    ("post", "//*[contains(concat(' ', normalize-space(@class), ' '), ' h-entry ')]"
             "//a[contains(concat(' ', normalize-space(@class), ' '), ' u-url ')]/@href"
             " | //a[contains(concat(' ', normalize-space(@rel), ' '), ' bookmark ')]/@href"
             " | //article//*[self::h1 or self::h2 or self::h3]//a/@href"),
    ("older", "//a[contains(concat(' ', normalize-space(@rel), ' '), ' next ')]/@href"
              " | //link[@rel='next']/@href"),
    ("label", "//a[contains(concat(' ', normalize-space(@rel), ' '), ' tag ')]/@href"
              " | //*[contains(concat(' ', normalize-space(@class), ' '), ' p-category ')]/@href"),
))
LINK_TARGETS = page_query("//a/@href | //link[@rel='next']/@href")


def links(response) -> Iterator[Link]:
    sel = response.selector
    base = response.url
    own = host(base)
    single = _is_post_page(sel, base)
    by_context: dict[str, str] = {}
    for role, query in CONTEXT:
        if single and role in ("older", "post"):
            continue  # a post's "next" is a post; its title links are itself
        for href in query(sel.root):
            url = absolute(base, href)
            if url:
                by_context.setdefault(canonical(url), role)
    seen: set[str] = set()
    for href in LINK_TARGETS(sel.root):
        url = absolute(base, href)
        if not url or host(url) != own:
            continue
        key = canonical(url)
        role = classify(key)
        if role is None and key in by_context and not NEVER.search(urlsplit(key).path):
            role = by_context[key]
        if role in (None, "feed") or key in seen:
            continue
        seen.add(key)
        yield Link(key, role)



def _is_post_page(sel: Selector, url: str) -> bool:
    evidence = _evidence(sel)
    if evidence & {"json-ld-article", "og-article", "article-time"}:
        return True
    return "h-entry" in evidence and "h-feed" not in evidence and \
        len(sel.xpath("//*[contains(concat(' ', normalize-space(@class), ' '), ' h-entry ')]")) == 1


# -- the blog --------------------------------------------------------------------------------


def blog_id_for(url: str) -> str:
    return "site:" + host(url)


def parse_blog(response) -> Blog:
    sel = response.selector
    title = clean_text(sel.xpath("//meta[@property='og:site_name']/@content").get())
    for obj in json_ld_objects(sel):
        if obj.get("@type") in ("Blog", "WebSite") and obj.get("name") and not title:
            title = clean_text(obj["name"])
    if not title:
        title = clean_text(re.split(r"\s+[|·–—-]\s+", sel.xpath("//title/text()").get() or "")[-1])
    feed_url = ""
    for link in sel.xpath("//link[@rel='alternate'][contains(@type, 'rss') or contains(@type, 'atom')"
                          " or contains(@type, 'feed+json')]"):
        href = urljoin(response.url, (link.attrib.get("href") or "").strip())
        if host(href) == host(response.url) and "comment" not in href.lower():
            feed_url = href
            break
    parts = urlsplit(response.url)
    return Blog(
        id=blog_id_for(response.url),
        url=f"{parts.scheme}://{parts.netloc.lower()}/",
        platform=NAME,
        title=title,
        description=clean_text(sel.xpath("//meta[@name='description']/@content").get()),
        feed_url=feed_url,
        language=sel.xpath("/html/@lang").get() or "",
    )


# -- the post ----------------------------------------------------------------------------------


def _structured(response) -> dict:
    """JSON-LD, microformats (h-entry) and OpenGraph, merged into one view of the page."""
    sel = response.selector
    data: dict = {"ld": blog_posting(sel), "mf": {}, "og": {}}
    try:
        import extruct

        found = extruct.extract(response.text, base_url=response.url, uniform=True,
                                syntaxes=["microformat", "opengraph", "microdata"], errors="ignore")
    except Exception:  # broken markup must not lose the post
        found = {}
    for item in found.get("microformat") or []:
        if "h-entry" in (item.get("type") or []):
            data["mf"] = item.get("properties") or {}
            break
        for child in item.get("children") or []:
            if "h-entry" in (child.get("type") or []) and not data["mf"]:
                data["mf"] = child.get("properties") or {}
    for item in found.get("opengraph") or []:
        data["og"].update({k: v for k, v in item.items() if isinstance(v, str)})
    for item in found.get("microdata") or []:
        kind = item.get("@type")
        kinds = kind if isinstance(kind, list) else [kind]
        if set(kinds) & ARTICLE_TYPES and not data["ld"]:
            data["ld"] = item
    return data


def _first(value):
    if isinstance(value, list):
        return value[0] if value else None
    return value


BODY_MARKUP = (".e-content", "[itemprop~='articleBody']", ".entry-content", ".post-content",
               ".post-body", ".article-body", ".post__content", ".content-body", ".gh-content",
               ".body.markup")


def parse_post(response, feed_entry: dict | None = None, *, asserted: bool = False) -> Post:
    """The post on a page; refused (ValueError) without evidence that it is one, unless the
    caller asserts it is (``blogarchive extract`` on a page a person saved)."""
    sel = response.selector
    feed_entry = feed_entry or {}
    url = own_url(response, canonical)
    evidence = _evidence(sel)
    data = _structured(response)
    mf = data["mf"]
    path = urlsplit(url).path
    body_sel = None
    for query in BODY_MARKUP:
        found = sel.css(query)
        if len(found) == 1 or (found and query in (".e-content", "[itemprop~='articleBody']")):
            body_sel = found[0]
            break
    strong = evidence & {"json-ld-article", "og-article", "article-time", "microdata"} or \
        ("h-entry" in evidence and mf)
    dated_url = bool(DATED_POST.match(path))
    listed = listed_in(feed_entry)
    # The blog's own feed naming the page is evidence enough; its sitemap or a listing
    # page, when the page has the shape of one article (checked below).
    needs_shape = not (strong or dated_url or asserted or listed == "feed")
    if needs_shape and listed not in ("sitemap", "listing"):
        raise NotAPost(f"{response.url}: not a post (no structured data, h-entry, dated address, "
                       "or entry in the blog's feed or sitemap)")
    page = Page(response.url, response.text, sel)
    body_el = body_sel.root if body_sel is not None else None
    scope = main_scope(page)
    sources: dict[str, str] = {}
    notes: dict[str, str] = {}
    feed_title = Found(clean_text(feed_entry.get("title")), "feed")
    found = extract.title(page, precise=[], scope=scope, body=body_el,
                          site_names=[n for n in [feed_entry.get("site_name")] if n])
    if feed_title and (not found or found.note or found.source == "title-tag"):
        found = feed_title  # the blog's own feed over an uncertain document cue
    title = keep_found(found, "title", sources, notes)
    found = extract.author(page, scope=scope, body=body_el)
    author, author_url = found.value if found else ("", "")
    keep_found(found, "author", sources, notes)
    exact_in_feed = len(feed_entry.get("published") or "") > 19
    found = extract.published(page, precise=[Found(feed_entry.get("published") or "", "feed")]
                              if exact_in_feed else [], scope=scope, body=body_el,
                              languages=page_languages(sel))
    if not found and feed_entry.get("published"):
        found = Found(feed_entry["published"], "feed")
    published = keep_found(found, "published", sources, notes)
    if not published and not strong and not asserted and listed != "feed":
        raise NotAPost(f"{response.url}: not a post (no date anywhere on the page)")
    updated = keep_found(extract.updated(page, precise=[Found(feed_entry.get("updated") or "", "feed")],
                                    scope=scope, body=body_el, like=published), "updated", sources, notes)
    labels = keep_found(extract.labels(page, precise=[Found(list(feed_entry.get("labels") or []), "feed")],
                                  scope=scope, body=body_el), "labels", sources, notes)
    if body_sel is not None:
        body_html, images = body_and_images(_without_meta(body_sel), response.url)
        body_html, images = _trimmed(body_html, images, response.text, response.url, title)
    else:
        body_html, images = _extracted_body(response.text, response.url, sel, title)
        body_html = _without_byline(body_html, author)
    body_text = html_to_text(body_html)
    sources["body"] = "content-markup" if body_sel is not None else "text-extraction"
    if needs_shape:
        why_not = one_article(sel, title, published, word_count(body_text))
        if why_not:
            raise NotAPost(f"{response.url}: not a post (listed in the blog's {listed}, but not "
                           f"shaped like one article: {why_not})")
    if "title" not in notes:
        disagreement = title_disagreement(sel)
        if disagreement:
            notes["title"] = disagreement
    bid = blog_id_for(response.url)
    return Post(
        id=f"{bid}:{path}",
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
        comments=[],
        comment_count=feed_entry.get("comment_count"),
        fetched_url=response.url,
        sources=sources,
        notes=notes,
    )


BYLINE_WORDS = 12


def _without_byline(body_html: str, author: str) -> str:
    """Extracted text can begin with the post's byline or date line ("Marta Ibáñez",
    "4 min read · Jul 14, 2021"): a short block among the first few naming the author or a
    date is meta, not text."""
    import lxml.html

    from ..extract.dates import WRITTEN_DATE

    if not body_html:
        return body_html
    root = lxml.html.fragment_fromstring(body_html, create_parent="div")
    leaves = [el for el in root.iter() if isinstance(el.tag, str) and el is not root
              and (el.text or "").strip()][:4]
    for leaf in leaves:
        if leaf.getparent() is None or leaf.tag in ("figcaption", "blockquote", "img"):
            continue
        block = next((a for a in [leaf, *leaf.iterancestors()] if a.tag in BLOCKS), None)
        if block is None or block is root or root not in block.iterancestors():
            continue  # no block of its own, or already gone with an earlier one
        text = clean_text(block.text_content())
        if len(text.split()) <= BYLINE_WORDS and (
                (author and clean_text(author) in text) or WRITTEN_DATE.search(text)):
            block.drop_tree()
    lead = (root.text or "").replace("&", "&amp;").replace("<", "&lt;")
    return lead + "".join(lxml.html.tostring(c, encoding="unicode") for c in root)


BLOCKS = {"p", "div", "li", "h2", "h3", "h4", "h5", "h6", "section", "header"}


def _without_meta(body_sel) -> str:
    """The text container less any meta line placed inside it (Pelican's ``footer.post-info``)."""
    import copy

    import lxml.html

    el = copy.deepcopy(body_sel.root)
    for node in el.xpath(".//footer | .//*[contains(concat(' ', normalize-space(@class), ' '), ' post-info ')"
                         " or contains(concat(' ', normalize-space(@class), ' '), ' entry-meta ')]"):
        if node.getparent() is not None:
            node.drop_tree()
    return lxml.html.tostring(el, encoding="unicode")




def _iso(value) -> str:
    value = _first(value)
    if not isinstance(value, str):
        return ""
    iso = parse_iso(value.strip())
    return iso



ARTICLE_NOISE = (
    ".//header | .//footer | .//nav | .//aside | .//form | .//script | .//style"
    " | .//*[contains(@class, 'byline') or contains(@class, 'post-meta') or contains(@class, 'entry-meta')"
    " or contains(@class, 'tags') or contains(@class, 'share') or contains(@class, 'comments')"
    " or contains(@class, 'related') or contains(@class, 'author')]"
)
WORDS = re.compile(r"\w+", re.UNICODE)


def _extracted_body(text: str, url: str, sel: Selector | None = None, title: str = ""):
    """The main text when no markup names the body: trafilatura finds it; when the page's
    single <article> holds that same text, the article (without its title, byline and
    tags) is kept instead, with its figures and captions."""
    import trafilatura

    extracted = trafilatura.extract(text, url=url, output_format="html", include_images=True,
                                    include_links=True, include_comments=False, favor_precision=True)
    inner = re.sub(r"(?s)^.*?<body>|</body>.*$", "", extracted or "")
    if sel is not None:
        articles = sel.xpath("//article")
        if len(articles) == 1 and inner:
            article = _article_body(articles[0].get(), title)
            found = WORDS.findall(html_to_text(inner).lower())
            kept = WORDS.findall(html_to_text(article).lower())
            if found and kept and len(kept) <= ARTICLE_LONGER * len(found) and \
                    len(set(found) & set(kept)) >= 0.9 * len(set(found)):
                return body_and_images(article, url)
    if not inner:
        return "", []
    inner = _drop_title(inner, title)
    return body_and_images(inner or "<p></p>", url)


def _trimmed(body_html: str, images: list, text: str, url: str, title: str):
    """The container the markup named is the body only where it holds the post's text: when
    it holds much less than text extraction finds (an empty or teaser box), or the same text
    with boxes around it (related posts, newsletter forms), the extracted text is kept."""
    import trafilatura

    words = WORDS.findall(html_to_text(body_html).lower())
    extracted = trafilatura.extract(text, url=url, output_format="html", include_images=True,
                                    include_links=True, include_comments=False)
    inner = _drop_title(re.sub(r"(?s)^.*?<body>|</body>.*$", "", extracted or ""), title)
    found = WORDS.findall(html_to_text(inner).lower())
    if not found:
        return body_html, images
    if not words and not images and len(found) < ARTICLE_WORDS:
        # The post's own container, empty: the post has no text (what extraction finds
        # besides is the page's menus); an article's worth of text elsewhere is the post.
        return body_html, images
    if len(words) < SHORT_CONTAINER * len(found):
        return body_and_images(inner, url)
    if len(words) > LONG_CONTAINER * len(found) and \
            len(set(found) & set(words)) >= SAME_TEXT * len(set(found)):
        return body_and_images(inner, url)
    return body_html, images


# A container with under half the extracted words does not hold the post; one with more
# than LONG_CONTAINER times the words, around the same text, holds boxes besides it.
SHORT_CONTAINER, LONG_CONTAINER, SAME_TEXT = 0.5, 1.05, 0.9
ARTICLE_LONGER = 1.1
ARTICLE_WORDS = 50


def _article_body(outer: str, title: str) -> str:
    import lxml.html

    el = lxml.html.fragment_fromstring(outer)
    for node in el.xpath(ARTICLE_NOISE):
        if node.getparent() is not None:
            node.drop_tree()
    for heading in el.xpath(".//h1"):
        if clean_text(heading.text_content()) == title and heading.getparent() is not None:
            heading.drop_tree()
            break
    return (el.text or "").replace("&", "&amp;").replace("<", "&lt;") + "".join(
        lxml.html.tostring(child, encoding="unicode") for child in el)


def _drop_title(inner: str, title: str) -> str:
    m = re.match(r"\s*<h[12][^>]*>(.*?)</h[12]>", inner, re.S)
    if m and title and clean_text(re.sub(r"<[^>]+>", "", m.group(1))) == title:
        return inner[m.end():]
    return inner


# -- feeds -----------------------------------------------------------------------------------


def parse_feed(response) -> FeedPage:
    text = response.text.lstrip()
    if text.startswith("{"):
        data = json.loads(text)
        entries = []
        for item in data.get("items") or []:
            link = item.get("url") or item.get("external_url")
            if not link:
                continue
            entries.append({
                "url": canonical(urljoin(response.url, link)),
                "post_id": "",
                "title": clean_text(item.get("title")),
                "published": parse_iso(item.get("date_published")),
                "updated": parse_iso(item.get("date_modified")),
                "labels": [clean_text(t) for t in item.get("tags") or []],
                "comment_count": None,
            })
        next_url = data.get("next_url") or ""
        return FeedPage(entries=entries, next_url=urljoin(response.url, next_url) if next_url else "")
    return parse_syndication(response, canonical)


class Generic(Platform):
    NAME = NAME
    SITEMAPS_IN_ROBOTS = SITEMAPS_IN_ROBOTS
    detect = staticmethod(detect)
    canonical = staticmethod(canonical)
    dedupe_key = staticmethod(dedupe_key)
    classify = staticmethod(classify)
    links = staticmethod(links)
    parse_blog = staticmethod(parse_blog)
    parse_post = staticmethod(parse_post)
    feed_urls = staticmethod(feed_urls)
    parse_feed = staticmethod(parse_feed)
    sitemap_urls = staticmethod(sitemap_urls)


PLATFORM = Generic()
