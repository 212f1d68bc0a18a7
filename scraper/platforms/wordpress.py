"""WordPress (self-hosted and WordPress.com): what its pages are and what they hold.

Detected by markup, never by host: the generator meta, ``wp-content`` paths,
the REST API link (``rel="https://api.w.org/"``), ``postid-N`` body classes.
Themes differ wildly (Twenty Ten / Thematic ``div.hentry``, HTML5 ``article``,
block themes ``.wp-block-post-*``), so fields are read by trying each markup
in turn; URL shapes depend on the permalink setting, so links are classified
by URL where the shape says it and by their place in the page otherwise
(``rel=bookmark`` titles, ``rel=tag`` terms, post navigation).

The feed is the REST API (``/wp-json/wp/v2/posts``: ids, exact times with
offsets, totals) when the blog announces it, else the RSS feed (latest posts
only): a source of URLs and exact times, never of bodies.

Bodies and images are read by ``bodies``, RSS and Atom by ``syndication``
(both shared with the generic platform).

Why one module of some 700 lines: the URL shapes of WordPress's permalink settings,
its theme markups, its comments and its two feeds (REST and RSS) are read together
(a link's role, a post's id and its comments' ids all come from the same classes and
paths); what other platforms share is in base.py, bodies.py, syndication.py and
scraper/extract/.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Iterator
from urllib.parse import parse_qsl, unquote, urlencode, urljoin, urlsplit, urlunsplit

import lxml.html
from parsel import Selector

from ..dates import combine_local, parse_clock, parse_date_text, parse_iso
from ..htmltext import clean_text, html_to_text, sanitize_html, word_count
from ..items import Blog, Comment, Post, content_hash
from ..urls import host, strip_params
from .. import extract
from ..extract import Found, Page
from ..extract.fields import term_links
from ..extract.scope import outside_post
from .base import FeedPage, Link, Platform, absolute, keep_found, own_url, page_languages, page_query
from .bodies import _has_class, body_and_images
from .syndication import parse_syndication

NAME = "wordpress"
# robots.txt names the core sitemap (/wp-sitemap.xml, WordPress 5.5+) or a plugin's
SITEMAPS_IN_ROBOTS = True

# -- URL shapes ----------------------------------------------------------------

DATE_POST = re.compile(r"^/\d{4}/\d{2}/(?:\d{2}/)?(?!page/)[^/]*[^/\d][^/]*/?$")
ARCHIVES_POST = re.compile(r"^/(?:archives|index\.php/archives)/\d+/?$")
DATE_ARCHIVE = re.compile(r"^/\d{4}/(?:\d{2}/(?:\d{2}/)?)?$")
TERM_ARCHIVE = re.compile(r"^/(category|tag|topics?|tags|categories)/.+$")
AUTHOR_ARCHIVE = re.compile(r"^/author/[^/]+/?$")
PAGED = re.compile(r"^(.*/)page/(\d+)/?$")
REST_POSTS = re.compile(r"/wp-json/wp/v2/posts/?$")
FEED_PATH = re.compile(r"(^|/)(feed|rss|rss2|atom|rdf)/?$|/wp-rss2?\.php$|/wp-atom\.php$")
NEVER_PATHS = ("/wp-admin", "/wp-login.php", "/xmlrpc.php", "/wp-content/", "/wp-includes/",
               "/wp-json", "/wp-cron.php", "/wp-comments-post.php", "/trackback", "/embed/",
               "/jetpack-comment/", "/amp/", "/comment-page-", "/attachment/", "/wp-signup.php",
               "/page/%d", "/cdn-cgi/")
NEVER_PARAMS = {"replytocom", "share", "like_comment", "m", "s", "attachment_id", "ical",
                "time", "preview", "action", "nb", "redirect_to", "doing_wp_cron", "rest_route",
                "unapproved", "moderation-hash", "pwd", "amp", "outputType", "ak_action",
                "wc-api", "lang", "print", "add-to-cart", "orderby"}
# Presentation-only parameters: the same page without them.
PRESENTATION_PARAMS = {"replytocom", "share", "like_comment", "nb", "amp", "utm_source",
                       "unapproved", "moderation-hash", "preview_id", "ver", "noamp"}

GENERATOR = re.compile(r"<meta[^>]+name=['\"]generator['\"][^>]+content=['\"]WordPress", re.I)
GENERATOR_REV = re.compile(r"<meta[^>]+content=['\"]WordPress[^>]+name=['\"]generator", re.I)
API_LINK = re.compile(r"rel=['\"]https://api\.w\.org/['\"]", re.I)
POSTID = re.compile(r"\bpostid-(\d+)\b")
SHORTLINK_ID = re.compile(r"[?&]p=(\d+)")
REST_ID = re.compile(r"/wp/v2/posts/(\d+)")


def detect(response) -> bool:
    """WordPress by its markup (two independent signs, or one unmistakable one)."""
    text = response.text
    head = text[:60000]
    if GENERATOR.search(head) or GENERATOR_REV.search(head) or API_LINK.search(head):
        return True
    signs = 0
    if re.search(r"/wp-content/(?:themes|plugins|uploads)/", text):
        signs += 1
    if re.search(r"/wp-includes/", text) or "xmlrpc.php" in head:
        signs += 1
    body_class = " ".join(response.selector.xpath("//body/@class").getall())
    if POSTID.search(body_class) or re.search(r"\b(?:wp-theme-|wp-embed-responsive|"
                                             r"single-format-|page-template-|"
                                             r"logged-in|admin-bar)", body_class):
        signs += 1
    if re.search(r"class=['\"][^'\"]*\bwp-(?:block-|image-\d|caption\b|smiley)", text):
        signs += 1
    return signs >= 2


def _clean_path(path: str) -> str:
    """Offline mirrors save ``/slug/`` as ``/slug/index.html``: the same page."""
    if path.endswith("/index.html"):
        path = path[: -len("index.html")]
    elif path.endswith("/index.htm"):
        path = path[: -len("index.htm")]
    return path or "/"


def canonical(url: str) -> str:
    """The one URL a page is known by: no reply/share parameters, no fragment, no index.html,
    no ``/page/1/``."""
    url = strip_params(url, drop=PRESENTATION_PARAMS)
    parts = urlsplit(url)
    path = _clean_path(parts.path)
    m = PAGED.match(path)
    if m and m.group(2) == "1":
        path = m.group(1)
    query = parts.query
    if query:
        pairs = [(k, v) for k, v in parse_qsl(query, keep_blank_values=True)]
        if any(k == "paged" and v == "1" for k, v in pairs):
            query = urlencode([(k, v) for k, v in pairs if k != "paged"])
    return urlunsplit((parts.scheme, parts.netloc, path, query, ""))


def dedupe_key(url: str) -> str:
    return canonical(url)


def _params(url: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))


def classify(url: str) -> str | None:
    """post | archive | label | older | home | feed | None (not a page to follow)."""
    parts = urlsplit(url)
    path = _clean_path(unquote(parts.path) or "/")
    params = _params(url)
    if REST_POSTS.search(path) or params.get("rest_route", "").rstrip("/") == "/wp/v2/posts":
        return "feed"
    lowered = path.lower()
    if any(marker in lowered for marker in NEVER_PATHS):
        return None
    if set(params) & NEVER_PARAMS:
        return None
    if FEED_PATH.search(lowered) or "feed" in params:
        return "feed" if path in ("/feed/", "/feed") and not params else None
    if set(params) - {"p", "paged", "cat", "tag", "author", "page_id"}:
        return None  # unknown parameters: not a page we know (plugins, searches, traps)
    if path == "/" and params:
        if set(params) == {"p"} and params["p"].isdigit():
            return "post"  # plain permalinks, or a shortlink (redirects to the permalink)
        if "paged" in params and params["paged"].isdigit():
            return "older"
        if params.keys() & {"cat", "tag"}:
            return "label"
        if "author" in params:
            return "archive"
        return None
    if params:
        return None
    m = PAGED.match(path)
    if m:
        return "older" if m.group(2).isdigit() and _listing_base(m.group(1)) else None
    if path == "/":
        return "home"
    if ARCHIVES_POST.match(path) or DATE_POST.match(path):
        return "post"
    if DATE_ARCHIVE.match(path):
        return "archive"
    if TERM_ARCHIVE.match(path):
        return "label"
    if AUTHOR_ARCHIVE.match(path):
        return "archive"
    return None


def _listing_base(prefix: str) -> bool:
    return prefix == "/" or bool(DATE_ARCHIVE.match(prefix) or TERM_ARCHIVE.match(prefix)
                                 or AUTHOR_ARCHIVE.match(prefix) or prefix.startswith("/blog/"))


def rest_url(blog_url: str, page: int = 1, api_root: str = "", **extra) -> str:
    """The REST posts listing, 100 a page (the most WordPress gives)."""
    query = {"per_page": "100", "page": str(page), **extra}
    if api_root and "rest_route=" in api_root:
        base = urljoin(blog_url, "/")
        return base + "?" + urlencode({"rest_route": "/wp/v2/posts", **query})
    root = api_root or urljoin(blog_url, "/wp-json/")
    if not root.endswith("/"):
        root += "/"
    return root + "wp/v2/posts?" + urlencode(query)


def feed_urls(blog_url: str) -> list[str]:
    # The REST API (every post, exact times, totals); the RSS feed (the latest posts) when
    # the API is switched off or forbidden, as security plugins often make it (W2).
    return [rest_url(blog_url), urljoin(blog_url, "/feed/")]


def changes_feed_url(blog_url: str) -> str:
    """REST posts ordered by last change, newest first: what an incremental run reads."""
    return rest_url(blog_url, orderby="modified", order="desc")


# -- links -----------------------------------------------------------------------

POST_CONTEXT = (
    "//*[contains(concat(' ', normalize-space(@class), ' '), ' entry-title ')]//a/@href"
    " | //*[contains(@class, 'wp-block-post-title')]//a/@href"
    " | //a[contains(concat(' ', normalize-space(@rel), ' '), ' bookmark ')]/@href"
    " | //*[contains(@class, 'post-navigation') or contains(@class, 'nav-previous')"
    "     or contains(@class, 'nav-next') or contains(@class, 'wp-block-post-navigation-link')]"
    "//a/@href"
)
TERM_CONTEXT = (
    "//a[contains(concat(' ', normalize-space(@rel), ' '), ' tag ')]/@href"
    " | //a[contains(concat(' ', normalize-space(@rel), ' '), ' category ')]/@href"
    " | //*[contains(@class, 'cat-links') or contains(@class, 'tag-links')"
    "     or contains(@class, 'tags-links') or contains(@class, 'wp-block-post-terms')"
    "     or contains(@class, 'widget_categories') or contains(@class, 'wp-block-categories')"
    "     or contains(@class, 'tagcloud') or contains(@class, 'wp-block-tag-cloud')]//a/@href"
)
OLDER_CONTEXT = (
    "//link[@rel='next']/@href"
    " | //a[contains(@class, 'next') and contains(@class, 'page-numbers')]/@href"
    " | //*[contains(@class, 'wp-block-query-pagination')]//a/@href"
    " | //*[contains(@class, 'nav-links') or contains(@class, 'pagination')]//a/@href"
)


BODY_CLASSES = page_query("//body/@class")
SINGLE_CONTEXT = page_query(
    "//*[contains(@class, 'post-navigation') or contains(@class, 'nav-previous')"
    " or contains(@class, 'nav-next') or contains(@class, 'wp-block-post-navigation-link')"
    " or @id='nav-above' or @id='nav-below']//a/@href"
    " | //a[@rel='prev' or @rel='next']/@href")
LINK_TARGETS = page_query("//a/@href | //link[@rel='next']/@href | //option/@value")
POST_CONTEXT_HREFS, TERM_CONTEXT_HREFS, OLDER_CONTEXT_HREFS = (
    page_query(POST_CONTEXT), page_query(TERM_CONTEXT), page_query(OLDER_CONTEXT))


def _body_classes(sel: Selector) -> set[str]:
    return set(" ".join(BODY_CLASSES(sel.root)).split())


def _is_single(sel: Selector) -> bool:
    classes = _body_classes(sel)
    return "single" in classes or any(POSTID.match(c) for c in classes)


def links(response) -> Iterator[Link]:
    """Every link on the page that leads to posts, classified; nothing else."""
    sel = response.selector
    base = response.url
    own = host(base)
    single = _is_single(sel)
    by_context: dict[str, str] = {}
    if not single:
        for href in POST_CONTEXT_HREFS(sel.root):
            by_context.setdefault(absolute(base, href), "post")
    else:
        for href in SINGLE_CONTEXT(sel.root):
            by_context.setdefault(absolute(base, href), "post")
    for href in TERM_CONTEXT_HREFS(sel.root):
        by_context.setdefault(absolute(base, href), "label")
    if not single:
        for href in OLDER_CONTEXT_HREFS(sel.root):
            by_context.setdefault(absolute(base, href), "older")
    seen: set[str] = set()
    for href in LINK_TARGETS(sel.root):
        url = absolute(base, href)
        if not url or host(url) != own:
            continue
        role = classify(url)
        if role is None and url in by_context and _followable(url):
            role = by_context[url]
        if role in (None, "feed"):
            continue
        if role == "home" and url in by_context and by_context[url] == "post":
            continue
        key = canonical(url)
        if key in seen:
            continue
        seen.add(key)
        yield Link(key, role)



def _followable(url: str) -> bool:
    """A link the page marks as a post or a term, and which is no trap or endpoint."""
    parts = urlsplit(url)
    path = unquote(parts.path).lower()
    if any(marker in path for marker in NEVER_PATHS) or FEED_PATH.search(path):
        return False
    if re.search(r"\.(jpe?g|png|gif|webp|pdf|zip|mp3|mp4|css|js|xml|txt)$", path):
        return False
    return not (set(_params(url)) - {"p", "paged", "cat", "tag", "page_id"})


# -- the blog ------------------------------------------------------------------------


def blog_id_for(url: str) -> str:
    """WordPress sites have no global id: the host names the blog (scheme left out)."""
    return "wp:" + host(url)


def _api_root(sel: Selector, page_url: str) -> str:
    href = sel.xpath("//link[@rel='https://api.w.org/']/@href").get()
    return urljoin(page_url, href.strip()) if href else ""


def parse_blog(response) -> Blog:
    sel = response.selector
    title = clean_text(" ".join(sel.css(
        "#site-title a ::text, .site-title a ::text, #blog-title a ::text, "
        ".wp-block-site-title a ::text, #site-title ::text, .site-title ::text"
    ).getall()[:3])) or clean_text(sel.xpath("//meta[@property='og:site_name']/@content").get())
    if not title:
        title = clean_text(re.split(r"\s+[|–—-]\s+", sel.xpath("//title/text()").get() or "")[0])
    description = clean_text(" ".join(sel.css(
        "#site-description ::text, .site-description ::text, #blog-description ::text, "
        ".wp-block-site-tagline ::text"
    ).getall()))
    api = _api_root(sel, response.url)
    origin = _origin(response.url)
    if api:
        feed_url = rest_url(origin, api_root=api)
    else:
        feed_url = ""
        for link in sel.xpath("//link[@rel='alternate'][contains(@type, 'rss') or contains(@type, 'atom')]"):
            href = urljoin(response.url, link.attrib.get("href", "").strip())
            path = urlsplit(href).path
            if host(href) == host(response.url) and "comments" not in path and \
                    _clean_path(path) in ("/feed/", "/feed", "/rss/", "/atom/"):
                feed_url = canonical(href) if path.endswith("index.html") else href
                break
    return Blog(
        id=blog_id_for(response.url),
        url=origin,
        platform=NAME,
        title=title,
        description=description,
        feed_url=feed_url,
        language=sel.xpath("/html/@lang").get() or "",
    )


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.lower()}/"


# -- the post ------------------------------------------------------------------------


def _post_root(sel: Selector) -> Selector | None:
    for query in (
        "//article[contains(concat(' ', normalize-space(@class), ' '), ' type-post ')]",
        "//*[contains(concat(' ', normalize-space(@class), ' '), ' type-post ')]",
        "//*[starts-with(@id, 'post-')][contains(concat(' ', normalize-space(@class), ' '), ' hentry ')]",
        "//*[contains(concat(' ', normalize-space(@class), ' '), ' hentry ')]",
        "//main[.//*[contains(@class, 'wp-block-post-content')]]",
        "//article[.//*[contains(@class, 'entry-content')]]",
    ):
        found = sel.xpath(query)
        if len(found) == 1 or (found and query.startswith("//main")):
            return found[0]
        if found and _is_single(sel):
            # Related-post teasers share the markup: the post is the one with the most text.
            return max(found, key=lambda f: len(" ".join(
                f.css(", ".join(BODY_QUERIES) + " ::text").getall() or [""])))
    return None


def parse_post(response, feed_entry: dict | None = None) -> Post:
    """Everything a single post page says. ``feed_entry`` (REST or RSS) fills gaps."""
    sel = response.selector
    feed_entry = feed_entry or {}
    classes = _body_classes(sel)
    if (classes & {"attachment", "archive", "blog", "home", "search", "error404", "page"}
            or any(c.startswith("page-id-") for c in classes)) and not _is_single(sel):
        raise ValueError(f"{response.url}: not a single post (body class {' '.join(sorted(classes))!r})")
    root = _post_root(sel)
    if root is None and _is_single(sel):
        # A custom theme with none of the usual markup: read it as any other blog would be.
        from . import generic

        post = generic.parse_post(response, feed_entry)
        bid = blog_id_for(response.url)
        wp_id = _wp_post_id(sel, sel) or str(feed_entry.get("wp_id") or "")
        post.blog_id = bid
        post.id = f"{bid}:{wp_id}" if wp_id else f"{bid}:url:{urlsplit(post.url).path}"
        return post
    if root is None:
        raise ValueError(f"{response.url}: no post found on the page")
    url = own_url(response, canonical)
    bid = blog_id_for(response.url)
    wp_id = _wp_post_id(sel, root) or str(feed_entry.get("wp_id") or "")
    post_id = f"{bid}:{wp_id}" if wp_id else feed_entry.get("post_id") or \
        f"{bid}:url:{urlsplit(url).path}"
    page = Page(response.url, response.text, sel)
    body = _body(root)
    scope, body_el = root.root, (body.root if body is not None else None)
    sources: dict[str, str] = {}
    notes: dict[str, str] = {}
    title = keep_found(extract.title(page, precise=[_entry_title(root, body_el),
                                               Found(feed_entry.get("title") or "", "feed")],
                                scope=scope, body=body_el), "title", sources, notes)
    found = extract.author(page, scope=scope, body=body_el)
    author, author_url = found.value if found else ("", "")
    author_url = canonical(urljoin(response.url, author_url)) if author_url else ""
    keep_found(found, "author", sources, notes)
    published = keep_found(extract.published(page, precise=[Found(feed_entry.get("published") or "", "feed")],
                                        scope=scope, body=body_el, languages=page_languages(sel)),
                      "published", sources, notes)
    updated = keep_found(extract.updated(page, precise=[Found(feed_entry.get("updated") or "", "feed")],
                                    scope=scope, body=body_el, like=published), "updated", sources, notes)
    terms = term_links(scope, body_el)
    labels = keep_found(extract.labels(page, precise=[Found(list(feed_entry.get("labels") or []), "feed")],
                                  scope=scope, body=body_el, shown=[n for n, _ in terms]),
                   "labels", sources, notes)
    categories = [n for n, kind in terms if kind == "category"]
    tags = [n for n, kind in terms if kind != "category"]
    sources["id"] = "postid" if wp_id else ("feed" if feed_entry.get("post_id") else "url")
    body_html, images = "", []
    if body is not None:
        body_html, images = body_and_images(body.get(), response.url)
    body_text = html_to_text(body_html)
    sources["body"] = "entry-content" if body is not None else ""
    if word_count(body_text) < 15 and not images:
        # A theme whose markup hides the body from us: find the main text by extraction.
        from .generic import _extracted_body

        extracted_html, extracted_images = _extracted_body(response.text, response.url, sel, title)
        if word_count(html_to_text(extracted_html)) > word_count(body_text):
            body_html, images = extracted_html, extracted_images
            body_text = html_to_text(body_html)
            sources["body"] = "text-extraction"
    comments = list(_comments(sel, response.url, bid))
    post = Post(
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
        sources=sources,
        notes=notes,
    )
    post.label_kinds = {**{t: "tag" for t in tags}, **{c: "category" for c in categories}}
    return post



def _wp_post_id(sel: Selector, root: Selector) -> str:
    m = POSTID.search(" ".join(sel.xpath("//body/@class").getall()))
    if m:
        return m.group(1)
    m = re.match(r"post-(\d+)$", root.attrib.get("id", ""))
    if m:
        return m.group(1)
    for cls in root.xpath("./@class").getall():
        m = re.search(r"\bpost-(\d+)\b", cls)
        if m:
            return m.group(1)
    for href in sel.xpath("//link[@rel='shortlink']/@href").getall():
        m = SHORTLINK_ID.search(href)
        if m:
            return m.group(1)
    for href in sel.xpath("//link[@rel='alternate'][@type='application/json']/@href").getall():
        m = REST_ID.search(unquote(href))
        if m:
            return m.group(1)
    return ""


def _entry_title(root: Selector, body_el) -> Found:
    """The theme's own title element (``.entry-title``, block ``.wp-block-post-title``)."""
    for query in (".entry-title", ".wp-block-post-title", ".post-title"):
        for el in [f for f in root.css(query) if not outside_post(f.root, body_el)]:
            text = clean_text(" ".join(el.xpath(".//text()").getall()))
            if text:
                return Found(text, "entry-title")
    return Found()




BODY_QUERIES = (".entry-content", ".wp-block-post-content", ".post-content", ".entry-body",
                ".post-entry", "[itemprop~='articleBody']", ".entry")
def _body(root: Selector) -> Selector | None:
    for query in BODY_QUERIES:
        found = root.css(query)
        if found:
            return found[0]
    return None


# -- comments ------------------------------------------------------------------------

COMMENT_NODES = (
    "//li[contains(concat(' ', normalize-space(@class), ' '), ' comment ')]"
    " | //div[contains(concat(' ', normalize-space(@class), ' '), ' comment ')]"
    "[starts-with(@id, 'comment-')]"
)


def _comments(sel: Selector, page_url: str, bid: str) -> Iterator[Comment]:
    root = sel.root
    position = 0
    for node in root.xpath(COMMENT_NODES):
        cid = _comment_id(node)
        if not cid:
            continue
        own = _without_replies(node)
        author_el = own.xpath(
            "(.//*[contains(@class, 'comment-author')]//*[contains(concat(' ', @class, ' '), ' fn ')]"
            " | .//*[contains(@class, 'wp-block-comment-author-name')])[1]"
        ) or own.xpath("(.//cite | .//*[contains(@class, 'comment-author')])[1]")
        author, author_url = "", ""
        if author_el:
            author = re.sub(r"\s+(says|said)\s*:?$", "", clean_text(author_el[0].text_content()))
            link = author_el[0] if author_el[0].tag == "a" else next(iter(author_el[0].iter("a")), None)
            if link is None:
                link = next(author_el[0].iterancestors("a"), None)
            author_url = (link.get("href") or "").strip() if link is not None else ""
        content = own.xpath(
            "(.//*[contains(concat(' ', @class, ' '), ' comment-content ')"
            " or contains(@class, 'wp-block-comment-content')])[1]"
        ) or own.xpath("(.//*[contains(concat(' ', @class, ' '), ' comment-body ')])[1]")
        body_html = ""
        if content:
            box = content[0]
            box.make_links_absolute(page_url, resolve_base_href=False, handle_failures="ignore")
            for junk in box.xpath(".//*[contains(@class, 'reply') or contains(@class, 'comment-meta')"
                                  " or contains(@class, 'commentmetadata') or "
                                  "contains(@class, 'comment-author')]"):
                junk.drop_tree()
            inner = (box.text or "").replace("&", "&amp;").replace("<", "&lt;") + "".join(
                lxml.html.tostring(c, encoding="unicode") for c in box)
            body_html = sanitize_html(inner)
        parent = next((a for a in node.iterancestors()
                       if a.tag == "li" and _has_class(a, "comment")), None)
        yield Comment(
            id=f"{bid}:c{cid}",
            author=author,
            author_url=author_url,
            published=_comment_time(own),
            body_html=body_html,
            body_text=html_to_text(body_html),
            in_reply_to=f"{bid}:c{_comment_id(parent)}" if parent is not None else "",
            position=position,
        )
        position += 1


def _without_replies(node):
    """A copy of one comment without the replies nested inside it."""
    import copy

    own = copy.deepcopy(node)
    for nested in own.xpath(".//*[contains(concat(' ', normalize-space(@class), ' '), ' children ')]"
                            " | .//li[contains(concat(' ', normalize-space(@class), ' '), ' comment ')]"):
        if nested.getparent() is not None:
            nested.drop_tree()
    return own


def _comment_id(node) -> str:
    ids = [node.get("id", "")] + [c.get("id", "") for c in node
                                  if (c.get("id") or "").startswith(("comment-", "div-comment-"))]
    for value in ids:
        m = re.search(r"comment-(\d+)$", value or "")
        if m:
            return m.group(1)
    return ""


def _comment_time(own) -> str:
    for value in own.xpath(".//time/@datetime"):
        iso = parse_iso(value)
        if len(iso) > 10:
            return iso
    meta = own.xpath("(.//*[contains(@class, 'comment-meta') or contains(@class, 'commentmetadata') or "
                     "contains(@class, 'comment-metadata') or contains(@class, 'wp-block-comment-date')])[1]")
    text = clean_text(meta[0].text_content()) if meta else ""
    m = re.search(r"([A-Z][a-z]+ \d{1,2}, \d{4}|\d{1,2} [A-Z][a-z]+ \d{4}|\d{4}-\d{2}-\d{2})", text)
    date = parse_date_text(m.group(1)) if m else None
    return combine_local(date, parse_clock(text[m.end():])) if date else ""


# -- feeds: REST JSON, RSS, Atom (the syndication part is shared with generic) ---------


def parse_feed(response) -> FeedPage:
    text = response.text.lstrip()
    if text.startswith(("[", "{")):
        return _parse_rest(response)
    bid = blog_id_for(response.url)
    return parse_syndication(response, canonical, lambda guid: _rss_post_id(guid, bid))


def _rss_post_id(guid: str, bid: str) -> str:
    m = SHORTLINK_ID.search(guid or "")
    return f"{bid}:{m.group(1)}" if m else ""


def _with_offset(local: str | None, gmt: str | None) -> str:
    """REST gives site-local ``date`` and UTC ``date_gmt``: together, the time with its offset."""
    if not local:
        return ""
    try:
        when = dt.datetime.fromisoformat(local[:19])
    except ValueError:
        return ""
    if not gmt:
        return when.isoformat()
    try:
        utc = dt.datetime.fromisoformat(gmt[:19])
    except ValueError:
        return when.isoformat()
    minutes = round((when - utc).total_seconds() / 60)
    offset = dt.timezone(dt.timedelta(minutes=minutes))
    return when.replace(tzinfo=offset).isoformat()


def _parse_rest(response) -> FeedPage:
    data = json.loads(response.text)
    if isinstance(data, dict):  # {"code": "rest_disabled", …} and friends
        raise ValueError(f"REST API answered {data.get('code') or 'an object'}")
    bid = blog_id_for(response.url)
    entries = []
    for item in data:
        link = item.get("link")
        if not link or item.get("type", "post") != "post":
            continue
        title = item.get("title")
        title = title.get("rendered", "") if isinstance(title, dict) else title or ""
        entries.append({
            "url": canonical(urljoin(response.url, link)),
            "post_id": f"{bid}:{item['id']}" if item.get("id") is not None else "",
            "title": clean_text(lxml.html.fromstring(f"<p>{title}</p>").text_content()) if title else "",
            "published": _with_offset(item.get("date"), item.get("date_gmt")),
            "updated": _with_offset(item.get("modified"), item.get("modified_gmt")),
            "labels": [],
            "comment_count": None,
        })
    total = response.headers.get("X-WP-Total")
    pages = response.headers.get("X-WP-TotalPages")
    total = int(total) if total and total.strip().isdigit() else None
    pages = int(pages) if pages and pages.strip().isdigit() else None
    params = dict(parse_qsl(urlsplit(response.url).query, keep_blank_values=True))
    page = int(params.get("page", "1")) if params.get("page", "1").isdigit() else 1
    next_url = ""
    if data and (pages is None and len(data) >= int(params.get("per_page", "10") or 10)
                 or pages is not None and page < pages):
        params["page"] = str(page + 1)
        parts = urlsplit(response.url)
        next_url = urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(params), ""))
    return FeedPage(entries=entries, next_url=next_url, total=total)


class WordPress(Platform):
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

    def changes_feed_url(self, blog_url: str, declared: str = "") -> str:
        return changes_feed_url(blog_url)


PLATFORM = WordPress()
