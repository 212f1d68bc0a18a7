"""A fake WordPress blog served over real HTTP, in two theme markups (tests, benchmarks).

    from scraper.sample.wordpress import make_wp_blog, WordPressServer, expected_wp_post
    with WordPressServer(make_wp_blog("twentyten")) as server:
        ...  # crawl server.url

Themes: ``twentyten`` (the classic ``div.hentry`` markup of Twenty Ten and
Thematic: dates shown as "March 27, 2017", ``[caption]`` divs, classic
galleries, a lazy-loading plugin, Jetpack sharing buttons) and ``block`` (a
block theme: ``.wp-block-post-*``, ``figure``/``figcaption``, nested
galleries, ``-scaled`` uploads, ``data-orig-file``). The REST API
(``/wp-json/wp/v2/posts``) can be on, off, or answer 401 (``rest``). Every
page, feed, image and the WXR export are rendered from one model, in our own
words (the vocabulary of ``scraper.sample.content``).
"""
from __future__ import annotations

import hashlib
import json
import random
import re
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable, Optional
from urllib.parse import parse_qs, unquote, urlsplit

from .content import (ALTS, AUTHORS, CAPTIONS, COMMENT_BODIES, COMMENTERS, IMAGE_SUBJECTS,
                      QUOTES, TITLES, _fill, _make_paragraphs, slugify)
from .images import content_type, make_image
from .model import parse_offset

CATEGORIES = ["Diplomacy", "Harbours", "Trains", "Letters from readers", "Café politics"]
TAGS = ["summit", "Kim Jong Un", "night trains", "Gdańsk", "ferries", "customs", "São Paulo"]
LAZY_GIF = "data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7"
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]


def esc(text: str) -> str:
    return escape(text, quote=True)


# -- model ------------------------------------------------------------------------


@dataclass(eq=False)
class WPImage:
    attachment_id: int
    stem: str  # file name without extension
    ext: str
    width: int  # the upload's size
    height: int
    year: int
    month: int
    alt: str = ""
    caption: str = ""
    style: str = "plain"  # plain | caption | lazy | figure | scaled | jetpack

    def url(self, origin: str, size: str = "") -> str:
        """size: "" (the upload), "scaled", or "WxH"."""
        suffix = f"-{size}" if size else ""
        return f"{origin}/wp-content/uploads/{self.year}/{self.month:02d}/{self.stem}{suffix}.{self.ext}"

    def fit(self, box: int) -> tuple[int, int]:
        scale = min(1.0, box / max(self.width, self.height))
        return max(1, round(self.width * scale)), max(1, round(self.height * scale))

    def size_name(self, box: int) -> str:
        w, h = self.fit(box)
        return f"{w}x{h}"

    @property
    def scaled(self) -> bool:
        return max(self.width, self.height) > 2560

    @property
    def kind(self) -> str:
        return "png" if self.ext == "png" else "jpeg"


@dataclass(eq=False)
class WPComment:
    comment_id: int
    author: str
    author_url: str
    published: datetime
    body: str
    parent: int = 0


@dataclass(eq=False)
class WPPost:
    post_id: int
    slug: str
    title: str
    author: str
    published: datetime
    updated: datetime
    categories: list
    tags: list
    blocks: list  # ("p", text) | ("quote", text) | ("image", WPImage) | ("gallery", [WPImage], caption)
    comments: list = field(default_factory=list)


@dataclass(eq=False)
class WPBlog:
    title: str
    description: str
    theme: str = "twentyten"  # twentyten | block
    posts: list = field(default_factory=list)
    tz: str = "+02:00"
    rest: str = "on"  # on | off | forbidden
    permalinks: str = "date"  # date (/2017/03/27/slug/) | postname (/slug/)
    page_size: int = 5
    rss_size: int = 10
    version: int = 0

    def sorted_posts(self) -> list:
        return sorted(self.posts, key=lambda p: (-p.published.timestamp(), -p.post_id))

    def path(self, post: WPPost) -> str:
        if self.permalinks == "postname":
            return f"/{post.slug}/"
        return f"/{post.published:%Y/%m/%d}/{post.slug}/"

    def images(self) -> list:
        found = {}
        for post in self.posts:
            for block in post.blocks:
                if block[0] == "image":
                    found[block[1].attachment_id] = block[1]
                elif block[0] == "gallery":
                    for image in block[1]:
                        found[image.attachment_id] = image
        return list(found.values())


def _term_slug(name: str) -> str:
    return slugify(name).replace("blog-post", "term")


def make_wp_blog(theme: str = "twentyten", n_posts: int = 24, seed: int = 3, rest: str = "on",
                 permalinks: Optional[str] = None, tz: str = "+02:00", page_size: int = 5) -> WPBlog:
    """A deterministic fake WordPress blog."""
    rng = random.Random(seed)
    tzinfo = parse_offset(tz)
    blog = WPBlog(title="Quayside Dispatches", description="Summits, harbours and the trains between them",
                  theme=theme, tz=tz, rest=rest, page_size=page_size,
                  permalinks=permalinks or ("date" if theme == "twentyten" else "postname"))
    start = datetime(2016, 1, 4, 9, 0, tzinfo=tzinfo)
    attachment = 1000
    next_comment = 500
    slugs: set[str] = set()
    styles = (["caption", "plain", "lazy", "gallery"] if theme == "twentyten"
              else ["figure", "scaled", "jetpack", "gallery"])
    for i in range(n_posts):
        published = (start + timedelta(days=i * 9 + rng.randrange(0, 5), minutes=rng.randrange(0, 600),
                                       seconds=rng.randrange(60)))
        updated = published + timedelta(hours=rng.randrange(1, 400), seconds=rng.randrange(60))
        title = _fill(rng.choice(TITLES), rng)
        if i == 2:
            title = 'Trains & harbours: the "slow" summit'
        slug = slugify(title)
        while slug in slugs:
            slug += "-2"
        slugs.add(slug)
        paragraphs = list(_make_paragraphs(rng.randrange(2 ** 32), 60, 260))
        blocks: list = [("p", text) for text in paragraphs]
        if i % 3 == 0:
            blocks.insert(1, ("quote", rng.choice(QUOTES)))
        n_images = [1, 0, 2, 1][i % 4]
        for k in range(n_images):
            style = styles[(i + k) % len(styles)]
            month_images = []
            for _ in range(3 if style == "gallery" else 1):
                attachment += 1
                subject = IMAGE_SUBJECTS[attachment % len(IMAGE_SUBJECTS)]
                big = style == "scaled"
                width, height = (3000, 2000) if big else rng.choice([(1600, 1200), (1200, 800), (900, 1200)])
                month_images.append(WPImage(
                    attachment_id=attachment, stem=f"{subject}-{attachment}",
                    ext="png" if attachment % 7 == 0 else "jpg", width=width, height=height,
                    year=published.year, month=published.month, alt=rng.choice(ALTS),
                    caption=rng.choice(CAPTIONS) if style in ("caption", "figure", "gallery") or
                    (style not in ("plain", "lazy") and rng.random() < 0.3) else "",
                    style=style))
            where = min(len(blocks), 1 + k * 2)
            if style == "gallery":
                blocks.insert(where, ("gallery", month_images, "Three views of the quay" if i % 2 else ""))
            else:
                blocks.insert(where, ("image", month_images[0]))
        post = WPPost(
            post_id=10 + i * 7, slug=slug, title=title, author=AUTHORS[i % len(AUTHORS)],
            published=published, updated=updated,
            categories=[CATEGORIES[i % len(CATEGORIES)]] + ([CATEGORIES[(i + 2) % 5]] if i % 4 == 1 else []),
            tags=[TAGS[j % len(TAGS)] for j in range(i % 3)] if i % 5 else [TAGS[i % len(TAGS)]],
            blocks=blocks)
        when = published
        for c in range([2, 0, 3, 1][i % 4]):
            next_comment += 1
            when = when + timedelta(minutes=rng.randrange(10, 3000))
            parent = post.comments[0].comment_id if c == 2 else 0
            post.comments.append(WPComment(
                comment_id=next_comment, author=rng.choice(COMMENTERS),
                author_url="https://readers.example.net/" + str(next_comment) if c == 1 else "",
                published=when.replace(second=0), body=_fill(rng.choice(COMMENT_BODIES), rng),
                parent=parent))
        blog.posts.append(post)
    return blog


# -- markup -------------------------------------------------------------------------


def _shown_date(when: datetime, theme: str) -> str:
    if theme == "twentyten":
        return f"{MONTHS[when.month - 1]} {when.day}, {when.year}"
    return f"{when.day} {MONTHS[when.month - 1]} {when.year}"


def _clock(when: datetime) -> str:
    hour = when.hour % 12 or 12
    return f"{hour}:{when.minute:02d} {'am' if when.hour < 12 else 'pm'}"


def _srcset(image: WPImage, origin: str) -> str:
    parts = [f"{image.url(origin, image.size_name(300))} {image.fit(300)[0]}w",
             f"{image.url(origin, image.size_name(1024))} {image.fit(1024)[0]}w"]
    if image.scaled:
        parts.append(f"{image.url(origin, 'scaled')} 2560w")
    else:
        parts.append(f"{image.url(origin)} {image.width}w")
    return ", ".join(parts)


def image_html(image: WPImage, origin: str) -> str:
    medium = image.url(origin, image.size_name(300))
    large = image.url(origin, image.size_name(1024))
    alt = f' alt="{esc(image.alt)}"'
    w, h = image.fit(300)
    if image.style == "caption":
        img = (f'<img class="size-medium wp-image-{image.attachment_id}" src="{medium}"{alt} '
               f'width="{w}" height="{h}" srcset="{_srcset(image, origin)}" '
               f'sizes="(max-width: {w}px) 100vw, {w}px" />')
        return (f'<div id="attachment_{image.attachment_id}" style="width: {w + 10}px" '
                f'class="wp-caption aligncenter"><a href="{image.url(origin)}">{img}</a>'
                f'<p class="wp-caption-text">{esc(image.caption)}</p></div>')
    if image.style == "plain":
        img = (f'<img class="aligncenter size-medium wp-image-{image.attachment_id}" src="{medium}"{alt} '
               f'width="{w}" height="{h}" srcset="{_srcset(image, origin)}" />')
        return f'<p><a href="{image.url(origin)}">{img}</a></p>'
    if image.style == "lazy":
        return (f'<p><img class="lazy lazy-hidden aligncenter size-medium wp-image-{image.attachment_id}" '
                f'src="{LAZY_GIF}" data-lazy-type="image" data-lazy-src="{medium}" '
                f'data-lazy-srcset="{_srcset(image, origin)}"{alt} width="{w}" height="{h}" />'
                f'<noscript><img class="aligncenter size-medium wp-image-{image.attachment_id}" '
                f'src="{medium}"{alt} width="{w}" height="{h}" /></noscript></p>')
    caption = (f'<figcaption class="wp-element-caption">{esc(image.caption)}</figcaption>'
               if image.caption else "")
    if image.style == "scaled":
        src = image.url(origin, "scaled")
        return (f'<figure class="wp-block-image size-full"><img decoding="async" src="{src}"{alt} '
                f'class="wp-image-{image.attachment_id}" srcset="{_srcset(image, origin)}" '
                f'sizes="(max-width: 2560px) 100vw, 2560px" />{caption}</figure>')
    if image.style == "jetpack":
        lw, lh = image.fit(1024)
        return (f'<figure class="wp-block-image size-large"><img loading="lazy" decoding="async" '
                f'data-attachment-id="{image.attachment_id}" data-orig-file="{image.url(origin)}" '
                f'data-orig-size="{image.width},{image.height}" data-medium-file="{medium}" '
                f'data-large-file="{large}" src="{large}"{alt} width="{lw}" height="{lh}" '
                f'class="wp-image-{image.attachment_id}" />{caption}</figure>')
    # figure (block editor image)
    return (f'<figure class="wp-block-image size-large"><a href="{image.url(origin)}"><img decoding="async" '
            f'src="{large}"{alt} class="wp-image-{image.attachment_id}" '
            f'srcset="{_srcset(image, origin)}" /></a>{caption}</figure>')


def gallery_html(images: list, caption: str, origin: str, theme: str, post_id: int) -> str:
    if theme == "twentyten":
        items = []
        for image in images:
            thumb = image.url(origin, "150x150")
            dd = (f'<dd class="wp-caption-text gallery-caption" id="gallery-1-{image.attachment_id}">'
                  f'{esc(image.caption)}</dd>') if image.caption else ""
            items.append(f'<dl class="gallery-item"><dt class="gallery-icon landscape">'
                         f'<a href="{image.url(origin)}"><img width="150" height="150" src="{thumb}" '
                         f'class="attachment-thumbnail size-thumbnail" alt="{esc(image.alt)}" /></a>'
                         f'</dt>{dd}</dl>')
        return (f'<div id="gallery-1" class="gallery galleryid-{post_id} gallery-columns-3 '
                f'gallery-size-thumbnail">{"".join(items)}<br style="clear: both" /></div>')
    inner = []
    for image in images:
        large = image.url(origin, image.size_name(1024))
        cap = (f'<figcaption class="wp-element-caption">{esc(image.caption)}</figcaption>'
               if image.caption else "")
        inner.append(f'<figure class="wp-block-image size-large"><img decoding="async" '
                     f'data-id="{image.attachment_id}" src="{large}" alt="{esc(image.alt)}" '
                     f'class="wp-image-{image.attachment_id}" srcset="{_srcset(image, origin)}" />{cap}</figure>')
    cap = (f'<figcaption class="blocks-gallery-caption wp-element-caption">{esc(caption)}</figcaption>'
           if caption else "")
    return (f'<figure class="wp-block-gallery has-nested-images columns-default is-cropped">'
            f'{"".join(inner)}{cap}</figure>')


def body_html(blog: WPBlog, post: WPPost, origin: str) -> str:
    out = []
    for block in post.blocks:
        kind = block[0]
        if kind == "p":
            out.append(f"<p>{esc(block[1])}</p>")
        elif kind == "quote":
            cls = ' class="wp-block-quote"' if blog.theme == "block" else ""
            out.append(f"<blockquote{cls}><p>{esc(block[1])}</p></blockquote>")
        elif kind == "image":
            out.append(image_html(block[1], origin))
        else:
            out.append(gallery_html(block[1], block[2], origin, blog.theme, post.post_id))
    link = origin + blog.path(post)
    out.append(f'<div class="sharedaddy sd-sharing-enabled"><div class="sd-block sd-social">'
               f'<h3 class="sd-title">Share this:</h3><ul><li><a href="{link}?share=twitter" '
               f'class="share-twitter sd-button">Twitter</a></li><li><a href="{link}?share=facebook" '
               f'class="share-facebook sd-button">Facebook</a></li></ul></div></div>')
    return "\n".join(out)


def _head(blog: WPBlog, origin: str, title: str, canonical: str, post: Optional[WPPost]) -> str:
    lines = ['<meta charset="UTF-8" />', f"<title>{esc(title)}</title>",
             '<link rel="profile" href="https://gmpg.org/xfn/11" />',
             f'<link rel="pingback" href="{origin}/xmlrpc.php" />',
             f'<link rel="alternate" type="application/rss+xml" title="{esc(blog.title)} &raquo; Feed" '
             f'href="{origin}/feed/" />',
             f'<link rel="alternate" type="application/rss+xml" title="{esc(blog.title)} &raquo; '
             f'Comments Feed" href="{origin}/comments/feed/" />']
    if blog.theme == "twentyten":
        lines.append(f'<link rel="stylesheet" href="{origin}/wp-content/themes/twentyten/style.css?ver=20231107" />')
    else:
        lines.append(f"<link rel='stylesheet' id='wp-block-library-css' href='{origin}/wp-includes/css/dist/"
                     f"block-library/style.min.css?ver=6.4.2' media='all' />")
    if post is not None:
        lines.append(f'<link rel="alternate" type="application/rss+xml" title="{esc(post.title)} Comments '
                     f'Feed" href="{canonical}feed/" />')
    if blog.rest != "off":
        lines.append(f'<link rel="https://api.w.org/" href="{origin}/wp-json/" />')
        if post is not None:
            lines.append(f'<link rel="alternate" type="application/json" '
                         f'href="{origin}/wp-json/wp/v2/posts/{post.post_id}" />')
    lines.append(f'<link rel="EditURI" type="application/rsd+xml" title="RSD" href="{origin}/xmlrpc.php?rsd" />')
    lines.append('<meta name="generator" content="WordPress 6.4.2" />')
    lines.append(f'<link rel="canonical" href="{canonical}" />')
    if post is not None:
        lines.append(f"<link rel='shortlink' href='{origin}/?p={post.post_id}' />")
        if blog.theme == "block":
            lines.append('<meta property="og:type" content="article" />')
    return "\n".join(lines)


def _terms_links(names: list, base: str, origin: str, rel: str) -> list:
    return [f'<a href="{origin}/{base}/{_term_slug(n)}/" rel="{rel}">{esc(n)}</a>' for n in names]


def _comment_html(blog: WPBlog, post: WPPost, comment: WPComment, origin: str, depth: int) -> str:
    link = origin + blog.path(post)
    replies = [c for c in post.comments if c.parent == comment.comment_id]
    children = "".join(_comment_html(blog, post, c, origin, depth + 1) for c in replies)
    name = (f"<a href='{esc(comment.author_url)}' rel='external nofollow ugc' class='url'>{esc(comment.author)}</a>"
            if comment.author_url else esc(comment.author))
    reply = (f"<a rel='nofollow' class='comment-reply-link' href='{link}?replytocom={comment.comment_id}#respond' "
             f"data-commentid='{comment.comment_id}'>Reply</a>")
    cls = f"comment {'even' if depth % 2 else 'odd'} depth-{depth}"
    if blog.theme == "twentyten":
        kids = f"<ul class='children'>{children}</ul>" if children else ""
        return (f'<li class="{cls}" id="li-comment-{comment.comment_id}"><div id="comment-{comment.comment_id}">'
                f'<div class="comment-author vcard"><img alt="" src="https://secure.gravatar.com/avatar/'
                f'{comment.comment_id}?s=40" class="avatar avatar-40 photo" height="40" width="40" />'
                f'<cite class="fn">{name}</cite> <span class="says">says:</span></div>'
                f'<div class="comment-meta commentmetadata"><a href="{link}#comment-{comment.comment_id}">'
                f'{_shown_date(comment.published, "twentyten")} at {_clock(comment.published)}</a></div>'
                f'<div class="comment-body"><p>{esc(comment.body)}</p></div>'
                f'<div class="reply">{reply}</div></div>{kids}</li>')
    kids = f'<ol class="children">{children}</ol>' if children else ""
    return (f'<li id="comment-{comment.comment_id}" class="{cls}"><div class="wp-block-columns">'
            f'<div class="wp-block-column"><div class="wp-block-comment-author-name">{name}</div>'
            f'<div class="wp-block-comment-date"><time datetime="{comment.published.isoformat()}">'
            f'<a href="{link}#comment-{comment.comment_id}">{_shown_date(comment.published, "block")} at '
            f'{comment.published:%H:%M}</a></time></div><div class="wp-block-comment-content">'
            f'<p>{esc(comment.body)}</p></div><div class="wp-block-comment-reply-link">{reply}</div>'
            f'</div></div>{kids}</li>')


def _sidebar(blog: WPBlog, origin: str) -> str:
    cats = "".join(f'<li class="cat-item"><a href="{origin}/category/{_term_slug(c)}/">{esc(c)}</a></li>'
                   for c in CATEGORIES if any(c in p.categories for p in blog.posts))
    months = sorted({(p.published.year, p.published.month) for p in blog.posts}, reverse=True)
    archive = "".join(f"<li><a href='{origin}/{y}/{m:02d}/'>{MONTHS[m - 1]} {y}</a></li>" for y, m in months)
    tags = "".join(f'<a href="{origin}/tag/{_term_slug(t)}/" class="tag-cloud-link">{esc(t)}</a> '
                   for t in TAGS if any(t in p.tags for p in blog.posts))
    y, m = months[0]
    calendar = (f'<table id="wp-calendar"><caption>{MONTHS[m - 1]} {y}</caption><tbody><tr>'
                f'<td><a href="{origin}/?m={y}{m:02d}05">5</a></td></tr></tbody><tfoot><tr>'
                f'<td id="prev"><a href="{origin}/?m={y}{m - 1 if m > 1 else 12:02d}">&laquo; Prev</a></td>'
                f'</tr></tfoot></table>')
    if blog.theme == "twentyten":
        return (f'<div id="primary" class="widget-area" role="complementary"><ul class="xoxo">'
                f'<li class="widget-container widget_search"><form role="search" method="get" '
                f'action="{origin}/"><input type="text" name="s" /></form></li>'
                f'<li class="widget-container widget_calendar">{calendar}</li>'
                f'<li class="widget-container widget_categories"><h3 class="widget-title">Categories</h3>'
                f'<ul>{cats}</ul></li><li class="widget-container widget_archive"><h3 class="widget-title">'
                f'Archives</h3><ul>{archive}</ul></li><li class="widget-container widget_tag_cloud">'
                f'<div class="tagcloud">{tags}</div></li><li class="widget-container widget_meta"><ul>'
                f'<li><a href="{origin}/wp-login.php">Log in</a></li><li><a href="{origin}/feed/">Entries '
                f'feed</a></li><li><a href="{origin}/comments/feed/">Comments feed</a></li></ul></li>'
                f'</ul></div>')
    return (f'<footer class="wp-block-template-part"><div class="wp-block-group">'
            f'<ul class="wp-block-categories-list wp-block-categories">{cats}</ul>'
            f'<ul class="wp-block-archives-list wp-block-archives">{archive}</ul>'
            f'<p class="wp-block-tag-cloud">{tags}</p>{calendar}'
            f'<p><a href="{origin}/wp-admin/">Site admin</a> · <a href="{origin}/xmlrpc.php">XML-RPC</a></p>'
            f'</div></footer>')


def render_post(blog: WPBlog, post: WPPost, origin: str) -> str:
    link = origin + blog.path(post)
    ordered = blog.sorted_posts()
    i = ordered.index(post)
    older = ordered[i + 1] if i + 1 < len(ordered) else None
    newer = ordered[i - 1] if i > 0 else None
    cats = _terms_links(post.categories, "category", origin, "category tag" if blog.theme == "twentyten" else "tag")
    tags = _terms_links(post.tags, "tag", origin, "tag")
    comments = "".join(_comment_html(blog, post, c, origin, 1) for c in post.comments if not c.parent)
    head = _head(blog, origin, f"{post.title} | {blog.title}", link, post)
    author = f'{origin}/author/{_term_slug(post.author)}/'
    body_class = f"post-template-default single single-post postid-{post.post_id} single-format-standard"
    if blog.theme == "twentyten":
        nav = "".join([
            f'<div class="nav-previous"><a href="{origin + blog.path(older)}" rel="prev">'
            f'<span class="meta-nav">&larr;</span> {esc(older.title)}</a></div>' if older else "",
            f'<div class="nav-next"><a href="{origin + blog.path(newer)}" rel="next">{esc(newer.title)} '
            f'<span class="meta-nav">&rarr;</span></a></div>' if newer else ""])
        utility = "This entry was posted in " + ", ".join(cats)
        if tags:
            utility += " and tagged " + ", ".join(tags)
        body = (
            f'<div id="wrapper" class="hfeed"><div id="header"><div id="masthead"><div id="branding">'
            f'<div id="site-title"><span><a href="{origin}/" title="{esc(blog.title)}" rel="home">'
            f'{esc(blog.title)}</a></span></div><div id="site-description">{esc(blog.description)}</div>'
            f'</div><div id="access"><div class="menu-header"><ul class="menu"><li><a href="{origin}/">Home</a>'
            f'</li><li><a href="{origin}/about/">About</a></li></ul></div></div></div></div>'
            f'<div id="main"><div id="container"><div id="content" role="main">'
            f'<div id="nav-above" class="navigation">{nav}</div>'
            f'<div id="post-{post.post_id}" class="post-{post.post_id} post type-post status-publish '
            f'format-standard hentry">'
            f'<h1 class="entry-title">{esc(post.title)}</h1>'
            f'<div class="entry-meta"><span class="meta-prep meta-prep-author">Posted on</span> '
            f'<a href="{link}" title="{_clock(post.published)}" rel="bookmark"><span class="entry-date">'
            f'{_shown_date(post.published, "twentyten")}</span></a> <span class="meta-sep">by</span> '
            f'<span class="author vcard"><a class="url fn n" href="{author}" title="View all posts by '
            f'{esc(post.author)}">{esc(post.author)}</a></span></div>'
            f'<div class="entry-content">{body_html(blog, post, origin)}</div>'
            f'<div class="entry-utility">{utility}. Bookmark the <a href="{link}" rel="bookmark">permalink'
            f'</a>.</div></div>'
            f'<div id="nav-below" class="navigation">{nav}</div>'
            f'<div id="comments"><h3 id="comments-title">{len(post.comments)} Responses to '
            f'<em>{esc(post.title)}</em></h3><ol class="commentlist">{comments}</ol>'
            f'<div id="respond"><form action="{origin}/wp-comments-post.php" method="post" '
            f'id="commentform"><textarea name="comment"></textarea></form></div></div>'
            f'</div></div>{_sidebar(blog, origin)}</div>'
            f'<div id="footer"><div id="site-generator"><a href="https://wordpress.org/">Proudly powered by '
            f'WordPress.</a></div></div></div>')
    else:
        nav = "".join([
            f'<div class="post-navigation-link-previous wp-block-post-navigation-link">'
            f'<a href="{origin + blog.path(older)}" rel="prev">{esc(older.title)}</a></div>' if older else "",
            f'<div class="post-navigation-link-next wp-block-post-navigation-link">'
            f'<a href="{origin + blog.path(newer)}" rel="next">{esc(newer.title)}</a></div>' if newer else ""])
        sep = '<span class="wp-block-post-terms__separator">, </span>'
        body = (
            f'<div class="wp-site-blocks"><header class="wp-block-template-part"><div class="wp-block-group">'
            f'<p class="wp-block-site-title"><a href="{origin}/" rel="home">{esc(blog.title)}</a></p>'
            f'<p class="wp-block-site-tagline">{esc(blog.description)}</p><nav class="wp-block-navigation">'
            f'<ul><li><a class="wp-block-navigation-item__content" href="{origin}/about/">About</a></li>'
            f'</ul></nav></div></header>'
            f'<main class="wp-block-group"><div class="wp-block-group">'
            f'<h1 class="wp-block-post-title">{esc(post.title)}</h1>'
            f'<div class="wp-block-group"><div class="wp-block-post-date"><time datetime="'
            f'{post.published.isoformat()}"><a href="{link}">{_shown_date(post.published, "block")}</a>'
            f'</time></div><div class="wp-block-post-author-name"><a href="{author}" target="_self" '
            f'class="wp-block-post-author-name__link">{esc(post.author)}</a></div></div></div>'
            f'<div class="entry-content wp-block-post-content is-layout-constrained">'
            f'{body_html(blog, post, origin)}</div>'
            f'<div class="wp-block-group"><div class="taxonomy-category wp-block-post-terms">'
            f'{sep.join(cats)}</div>'
            + (f'<div class="taxonomy-post_tag wp-block-post-terms">{sep.join(tags)}</div>' if tags else "")
            + f'</div><nav class="wp-block-group">{nav}</nav>'
            f'<div class="wp-block-comments"><h2 class="wp-block-comments-title">{len(post.comments)} '
            f'responses to “{esc(post.title)}”</h2><ol class="wp-block-comment-template">{comments}</ol>'
            f'<div id="respond" class="wp-block-post-comments-form"><form action="{origin}/wp-comments-post.php">'
            f'<textarea name="comment"></textarea></form></div></div></main>{_sidebar(blog, origin)}</div>')
    return (f'<!DOCTYPE html>\n<html lang="en-GB">\n<head>\n{head}\n</head>\n'
            f'<body class="{body_class}">\n{body}\n</body>\n</html>\n')


def render_listing(blog: WPBlog, posts: list, origin: str, path: str, page: int, pages: int,
                   kind: str, heading: str = "") -> str:
    base = path if page == 1 else path.rsplit("page/", 1)[0]
    older = f"{origin}{base}page/{page + 1}/" if page < pages else ""
    newer = (f"{origin}{base}" if page == 2 else f"{origin}{base}page/{page - 1}/") if page > 1 else ""
    items = []
    for post in posts:
        link = origin + blog.path(post)
        cats = _terms_links(post.categories, "category", origin, "category tag")
        excerpt = esc(" ".join(b[1] for b in post.blocks if b[0] == "p")[:180]) + " [&hellip;]"
        if blog.theme == "twentyten":
            items.append(
                f'<div id="post-{post.post_id}" class="post-{post.post_id} post type-post status-publish '
                f'format-standard hentry"><h2 class="entry-title"><a href="{link}" rel="bookmark">'
                f'{esc(post.title)}</a></h2><div class="entry-meta"><a href="{link}" '
                f'title="{_clock(post.published)}" rel="bookmark"><span class="entry-date">'
                f'{_shown_date(post.published, "twentyten")}</span></a></div>'
                f'<div class="entry-summary"><p>{excerpt}</p></div><div class="entry-utility">'
                f'<span class="cat-links">Posted in {", ".join(cats)}</span> | <span class="comments-link">'
                f'<a href="{link}#comments">{len(post.comments)} Comments</a></span></div></div>')
        else:
            items.append(
                f'<li class="wp-block-post post-{post.post_id} post type-post status-publish format-standard '
                f'hentry"><h2 class="wp-block-post-title"><a href="{link}" target="_self">{esc(post.title)}'
                f'</a></h2><div class="wp-block-post-date"><time datetime="{post.published.isoformat()}">'
                f'<a href="{link}">{_shown_date(post.published, "block")}</a></time></div>'
                f'<div class="wp-block-post-excerpt"><p class="wp-block-post-excerpt__excerpt">{excerpt}</p>'
                f'</div></li>')
    body_class = {"home": "home blog", "label": "archive category", "archive": "archive date"}[kind]
    head = _head(blog, origin, f"{heading or blog.title} | {blog.title}", origin + path, None)
    if page < pages:
        head += f'\n<link rel="next" href="{older}" />'
    if blog.theme == "twentyten":
        nav = ('<div id="nav-below" class="navigation"><div class="nav-previous">'
               + (f'<a href="{older}"><span class="meta-nav">&larr;</span> Older posts</a>' if older else "")
               + '</div><div class="nav-next">'
               + (f'<a href="{newer}">Newer posts <span class="meta-nav">&rarr;</span></a>' if newer else "")
               + "</div></div>")
        body = (f'<div id="wrapper" class="hfeed"><div id="header"><div id="site-title"><span>'
                f'<a href="{origin}/" rel="home">{esc(blog.title)}</a></span></div></div><div id="main">'
                f'<div id="container"><div id="content" role="main">'
                + (f'<h1 class="page-title">{esc(heading)}</h1>' if heading else "")
                + "".join(items) + nav + f'</div></div>{_sidebar(blog, origin)}</div></div>')
    else:
        nav = ('<nav class="wp-block-query-pagination">'
               + (f'<a href="{newer}" class="wp-block-query-pagination-previous">Newer Posts</a>' if newer else "")
               + (f'<a href="{older}" class="wp-block-query-pagination-next">Older Posts</a>' if older else "")
               + "</nav>")
        body = (f'<div class="wp-site-blocks"><header class="wp-block-template-part"><p class="wp-block-site-title">'
                f'<a href="{origin}/" rel="home">{esc(blog.title)}</a></p></header><main class="wp-block-group">'
                + (f'<h1 class="wp-block-query-title">{esc(heading)}</h1>' if heading else "")
                + f'<div class="wp-block-query"><ul class="wp-block-post-template">{"".join(items)}</ul>'
                f'{nav}</div></main>{_sidebar(blog, origin)}</div>')
    return (f'<!DOCTYPE html>\n<html lang="en-GB">\n<head>\n{head}\n</head>\n<body class="{body_class}">\n'
            f'{body}\n</body>\n</html>\n')


# -- feeds, REST, export ------------------------------------------------------------------


def _rfc822(when: datetime) -> str:
    return format_datetime(when.astimezone(timezone.utc), usegmt=False).replace("-0000", "+0000")


def rss(blog: WPBlog, origin: str) -> str:
    items = []
    for post in blog.sorted_posts()[: blog.rss_size]:
        link = origin + blog.path(post)
        cats = "".join(f"<category><![CDATA[{c}]]></category>" for c in post.categories + post.tags)
        items.append(
            f"<item><title>{esc(post.title)}</title><link>{link}</link><comments>{link}#comments</comments>"
            f"<pubDate>{_rfc822(post.published)}</pubDate><dc:creator><![CDATA[{post.author}]]></dc:creator>"
            f"{cats}<guid isPermaLink=\"false\">{origin}/?p={post.post_id}</guid>"
            f"<description><![CDATA[{post.blocks[0][1][:120]} […]]]></description>"
            f"<wfw:commentRss>{link}feed/</wfw:commentRss><slash:comments>{len(post.comments)}</slash:comments>"
            f"</item>")
    return ('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:wfw="http://wellformedweb.org/CommentAPI/" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom" '
            'xmlns:slash="http://purl.org/rss/1.0/modules/slash/"><channel>'
            f"<title>{esc(blog.title)}</title><atom:link href=\"{origin}/feed/\" rel=\"self\" "
            f"type=\"application/rss+xml\" /><link>{origin}</link><description>{esc(blog.description)}"
            f"</description><language>en-GB</language>{''.join(items)}</channel></rss>")


def _local(when: datetime) -> str:
    return when.replace(tzinfo=None).isoformat()


def _gmt(when: datetime) -> str:
    return when.astimezone(timezone.utc).replace(tzinfo=None).isoformat()


def rest_post(blog: WPBlog, post: WPPost, origin: str) -> dict:
    return {
        "id": post.post_id, "date": _local(post.published), "date_gmt": _gmt(post.published),
        "guid": {"rendered": f"{origin}/?p={post.post_id}"},
        "modified": _local(post.updated), "modified_gmt": _gmt(post.updated),
        "slug": post.slug, "status": "publish", "type": "post", "link": origin + blog.path(post),
        "title": {"rendered": esc(post.title)},
        "content": {"rendered": body_html(blog, post, origin), "protected": False},
        "author": AUTHORS.index(post.author) + 1,
        "categories": [CATEGORIES.index(c) + 1 for c in post.categories],
        "tags": [TAGS.index(t) + 100 for t in post.tags],
    }


def wxr(blog: WPBlog, origin: str) -> str:
    """The blog's WordPress export (WXR 1.2), as Tools → Export writes it."""
    def cdata(text: str) -> str:
        return f"<![CDATA[{text}]]>"

    items = []
    for post in blog.sorted_posts():
        cats = "".join(f'<category domain="category" nicename="{_term_slug(c)}">{cdata(c)}</category>'
                       for c in post.categories)
        cats += "".join(f'<category domain="post_tag" nicename="{_term_slug(t)}">{cdata(t)}</category>'
                        for t in post.tags)
        comments = "".join(
            f"<wp:comment><wp:comment_id>{c.comment_id}</wp:comment_id><wp:comment_author>{cdata(c.author)}"
            f"</wp:comment_author><wp:comment_author_url>{esc(c.author_url)}</wp:comment_author_url>"
            f"<wp:comment_date>{cdata(_local(c.published).replace('T', ' '))}</wp:comment_date>"
            f"<wp:comment_date_gmt>{cdata(_gmt(c.published).replace('T', ' '))}</wp:comment_date_gmt>"
            f"<wp:comment_content>{cdata(c.body)}</wp:comment_content><wp:comment_approved>{cdata('1')}"
            f"</wp:comment_approved><wp:comment_type>{cdata('comment')}</wp:comment_type>"
            f"<wp:comment_parent>{c.parent}</wp:comment_parent></wp:comment>" for c in post.comments)
        content = body_html(blog, post, origin).rsplit('\n<div class="sharedaddy', 1)[0]
        items.append(
            f"<item><title>{cdata(post.title)}</title><link>{origin + blog.path(post)}</link>"
            f"<pubDate>{_rfc822(post.published)}</pubDate><dc:creator>{cdata(_term_slug(post.author))}</dc:creator>"
            f'<guid isPermaLink="false">{origin}/?p={post.post_id}</guid><description></description>'
            f"<content:encoded>{cdata(content)}</content:encoded><excerpt:encoded>{cdata('')}</excerpt:encoded>"
            f"<wp:post_id>{post.post_id}</wp:post_id><wp:post_date>{cdata(_local(post.published).replace('T', ' '))}"
            f"</wp:post_date><wp:post_date_gmt>{cdata(_gmt(post.published).replace('T', ' '))}</wp:post_date_gmt>"
            f"<wp:post_modified>{cdata(_local(post.updated).replace('T', ' '))}</wp:post_modified>"
            f"<wp:post_modified_gmt>{cdata(_gmt(post.updated).replace('T', ' '))}</wp:post_modified_gmt>"
            f"<wp:post_name>{cdata(post.slug)}</wp:post_name><wp:status>{cdata('publish')}</wp:status>"
            f"<wp:post_parent>0</wp:post_parent><wp:post_type>{cdata('post')}</wp:post_type>"
            f"{cats}{comments}</item>")
    authors = "".join(f"<wp:author><wp:author_login>{cdata(_term_slug(a))}</wp:author_login>"
                      f"<wp:author_display_name>{cdata(a)}</wp:author_display_name></wp:author>"
                      for a in AUTHORS)
    return ('<?xml version="1.0" encoding="UTF-8" ?>\n<rss version="2.0" '
            'xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
            'xmlns:wfw="http://wellformedweb.org/CommentAPI/" xmlns:dc="http://purl.org/dc/elements/1.1/" '
            'xmlns:wp="http://wordpress.org/export/1.2/"><channel>'
            f"<title>{esc(blog.title)}</title><link>{origin}</link><description>{esc(blog.description)}"
            f"</description><language>en-GB</language><wp:wxr_version>1.2</wp:wxr_version>"
            f"<wp:base_site_url>{origin}</wp:base_site_url><wp:base_blog_url>{origin}</wp:base_blog_url>"
            f"{authors}{''.join(items)}</channel></rss>\n")


# -- what a perfect extractor gets ------------------------------------------------------------


def expected_wp_post(blog: WPBlog, post: WPPost, origin: str) -> dict:
    origin = origin.rstrip("/")
    text_blocks, images = [], []

    def add_image(image: WPImage, src: str, link: str) -> None:
        images.append({"src": src, "full_url": image.url(origin), "alt": image.alt,
                       "caption": image.caption, "link": link})

    for block in post.blocks:
        kind = block[0]
        if kind in ("p", "quote"):
            text_blocks.append(block[1])
        elif kind == "image":
            image = block[1]
            medium = image.url(origin, image.size_name(300))
            src = {"caption": medium, "plain": medium, "lazy": medium,
                   "scaled": image.url(origin, "scaled"),
                   "jetpack": image.url(origin, image.size_name(1024)),
                   "figure": image.url(origin, image.size_name(1024))}[image.style]
            link = image.url(origin) if image.style in ("caption", "plain", "figure") else ""
            add_image(image, src, link)
            if image.caption and image.style in ("caption", "figure", "scaled", "jetpack"):
                text_blocks.append(image.caption)
        else:
            for image in block[1]:
                if blog.theme == "twentyten":
                    add_image(image, image.url(origin, "150x150"), image.url(origin))
                else:
                    add_image(image, image.url(origin, image.size_name(1024)), "")
                if image.caption:
                    text_blocks.append(image.caption)
            if block[2] and blog.theme == "block":
                text_blocks.append(block[2])
    bid = "wp:" + urlsplit(origin).netloc
    ordered_comments = []

    def walk(parent: int) -> None:
        for c in post.comments:
            if c.parent == parent:
                ordered_comments.append(c)
                walk(c.comment_id)

    walk(0)
    return {
        "url": origin + blog.path(post),
        "id": f"{bid}:{post.post_id}",
        "blog_id": bid,
        "title": post.title,
        "author": post.author,
        "published": post.published.isoformat(),
        "published_shown": (post.published.replace(second=0, tzinfo=None).isoformat()
                            if blog.theme == "twentyten" else post.published.isoformat()),
        "updated": post.updated.isoformat(),
        "labels": list(dict.fromkeys(post.categories + post.tags)),
        "categories": list(post.categories),
        "tags": list(post.tags),
        "text_blocks": text_blocks,
        "images": images,
        "comments": [{
            "id": f"{bid}:c{c.comment_id}", "author": c.author, "body_text": c.body,
            "published": (c.published.replace(tzinfo=None).isoformat() if blog.theme == "twentyten"
                          else c.published.isoformat()),
            "in_reply_to": f"{bid}:c{c.parent}" if c.parent else "",
        } for c in ordered_comments],
    }


# -- the server ---------------------------------------------------------------------------


class Reply:
    __slots__ = ("status", "ctype", "body", "headers")

    def __init__(self, status: int, ctype: str, body: bytes, headers: dict | None = None):
        self.status, self.ctype, self.body, self.headers = status, ctype, body, headers or {}


class _Quiet(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass


class FixtureServer:
    """A threaded HTTP server on 127.0.0.1 answering with ``route(path, query) -> Reply``;
    every request is logged as (method, path_with_query, status)."""

    def __init__(self, route: Callable[[str, dict], Reply], port: int = 0):
        self.requests: list = []
        self._lock = threading.Lock()
        self._route = route
        self._httpd = _Quiet(("127.0.0.1", port), self._handler())
        self.port = self._httpd.server_address[1]
        self.origin = f"http://127.0.0.1:{self.port}"
        self.url = self.origin + "/"
        self._thread = threading.Thread(target=self._httpd.serve_forever,
                                        kwargs={"poll_interval": 0.1}, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()

    def paths(self) -> list[str]:
        with self._lock:
            return [r[1] for r in self.requests]

    def _handler(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):
                split = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(split.query, keep_blank_values=True).items()}
                try:
                    reply = server._route(unquote(split.path), query)
                except Exception as exc:  # a bug in the fake must not hang the crawler
                    reply = Reply(500, "text/plain", f"fixture error: {exc!r}".encode())
                with server._lock:
                    server.requests.append(("GET", self.path, reply.status))
                self.send_response(reply.status)
                self.send_header("Content-Type", reply.ctype)
                self.send_header("Content-Length", str(len(reply.body)))
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(reply.body)

            def log_message(self, *args):
                pass

        return Handler


HTML = "text/html; charset=UTF-8"
UPLOAD_RE = re.compile(r"^/wp-content/uploads/(\d{4})/(\d{2})/(.+?)(?:-(\d+)x(\d+)|-(scaled))?\.(jpg|png)$")
DATE_RE = re.compile(r"^/(\d{4})/(?:(\d{2})/)?(?:page/(\d+)/)?$")
TERM_RE = re.compile(r"^/(category|tag|author)/([^/]+)/(?:page/(\d+)/)?$")


class WordPressServer(FixtureServer):
    """The fake WordPress blog on 127.0.0.1 (blog and uploads on one host, as WordPress does)."""

    def __init__(self, blog: WPBlog, port: int = 0):
        self.blog = blog
        self._cache: dict = {}
        super().__init__(self.route, port)

    def route(self, path: str, query: dict) -> Reply:
        key = (self.blog.version, path, tuple(sorted(query.items())))
        cached = self._cache.get(key)
        if cached is None:
            cached = self._cache[key] = self._route_uncached(path, query)
        return cached

    def _html(self, text: str, status: int = 200) -> Reply:
        return Reply(status, HTML, text.encode("utf-8"))

    def _not_found(self) -> Reply:
        return self._html(f"<!DOCTYPE html><html><head><meta name='generator' content='WordPress 6.4.2'/>"
                          f"<title>Page not found</title></head><body class='error404'><h1>Oops! That page "
                          f"can&rsquo;t be found.</h1><a href='{self.origin}/'>Home</a></body></html>", 404)

    def _route_uncached(self, path: str, query: dict) -> Reply:
        blog, origin = self.blog, self.origin
        if path == "/robots.txt":
            return Reply(200, "text/plain", b"User-agent: *\nDisallow: /wp-admin/\n"
                         b"Allow: /wp-admin/admin-ajax.php\n")
        m = UPLOAD_RE.match(path)
        if m:
            return self._upload(m)
        if path.startswith("/wp-json"):
            return self._rest(path, query)
        if path in ("/wp-login.php", "/xmlrpc.php") or path.startswith("/wp-admin"):
            return self._html("<html><body>Log in</body></html>")
        if path == "/feed/":
            return Reply(200, "application/rss+xml; charset=UTF-8", rss(blog, origin).encode("utf-8"))
        if path.endswith("/feed/"):
            return Reply(200, "application/rss+xml; charset=UTF-8",
                         b'<?xml version="1.0"?><rss version="2.0"><channel><title>Comments</title></channel></rss>')
        if path == "/" and "p" in query:
            post = next((p for p in blog.posts if str(p.post_id) == query["p"]), None)
            if post is None:
                return self._not_found()
            return Reply(301, HTML, b"", {"Location": origin + blog.path(post)})
        ordered = blog.sorted_posts()
        if path == "/" and set(query) <= {"paged"}:
            return self._listing(ordered, "/", 1, "home")
        if set(query) & {"m", "s", "replytocom", "share"}:
            if "share" in query:
                return Reply(302, HTML, b"", {"Location": "https://share.example.invalid/"})
            return self._listing(ordered, "/", 1, "home")
        if path.startswith("/page/"):
            m = re.match(r"^/page/(\d+)/$", path)
            return self._listing(ordered, "/", int(m.group(1)), "home") if m else self._not_found()
        m = DATE_RE.match(path)
        if m:
            year, month, page = int(m.group(1)), m.group(2), int(m.group(3) or 1)
            posts = [p for p in ordered if p.published.year == year and
                     (month is None or p.published.month == int(month))]
            base = f"/{year}/" + (f"{month}/" if month else "")
            return self._listing(posts, base, page, "archive", f"Monthly Archives: {base}")
        m = TERM_RE.match(path)
        if m:
            kind, slug, page = m.group(1), m.group(2), int(m.group(3) or 1)
            if kind == "author":
                posts = [p for p in ordered if _term_slug(p.author) == slug]
            else:
                posts = [p for p in ordered if slug in
                         [_term_slug(t) for t in (p.categories if kind == "category" else p.tags)]]
            return self._listing(posts, f"/{kind}/{slug}/", page, "label", slug)
        for post in blog.posts:
            if blog.path(post) == path:
                return self._html(render_post(blog, post, origin))
        if path == "/about/":
            return self._html("<!DOCTYPE html><html><head><meta name='generator' content='WordPress 6.4.2'/>"
                              "<title>About</title></head><body class='page-template-default page page-id-2'>"
                              "<div class='hentry'><h1 class='entry-title'>About</h1><div class='entry-content'>"
                              "<p>We write about harbours.</p></div></div></body></html>")
        return self._not_found()

    def _listing(self, posts: list, base: str, page: int, kind: str, heading: str = "") -> Reply:
        size = self.blog.page_size
        pages = max(1, -(-len(posts) // size))
        if not posts or page > pages:
            return self._not_found()
        shown = posts[(page - 1) * size: page * size]
        path = base if page == 1 else f"{base}page/{page}/"
        return self._html(render_listing(self.blog, shown, self.origin, path, page, pages, kind, heading))

    def _rest(self, path: str, query: dict) -> Reply:
        blog = self.blog
        if blog.rest == "off":
            return self._not_found()
        if blog.rest == "forbidden":
            body = json.dumps({"code": "rest_forbidden", "message": "REST API restricted to "
                               "authenticated users.", "data": {"status": 401}})
            return Reply(401, "application/json; charset=UTF-8", body.encode())
        ordered = blog.sorted_posts()
        if query.get("orderby") == "modified":
            ordered = sorted(blog.posts, key=lambda p: -p.updated.timestamp())
        m = re.match(r"^/wp-json/wp/v2/posts/(\d+)$", path)
        if m:
            post = next((p for p in blog.posts if p.post_id == int(m.group(1))), None)
            if post is None:
                return self._not_found()
            return Reply(200, "application/json; charset=UTF-8",
                         json.dumps(rest_post(blog, post, self.origin)).encode())
        if path.rstrip("/") != "/wp-json/wp/v2/posts":
            return Reply(200, "application/json", b'{"name":"Quayside Dispatches","namespaces":["wp/v2"]}')
        per_page = min(100, int(query.get("per_page", "10")))
        page = int(query.get("page", "1"))
        pages = max(1, -(-len(ordered) // per_page))
        if page > pages:
            body = json.dumps({"code": "rest_post_invalid_page_number", "data": {"status": 400}})
            return Reply(400, "application/json; charset=UTF-8", body.encode())
        shown = ordered[(page - 1) * per_page: page * per_page]
        body = json.dumps([rest_post(blog, p, self.origin) for p in shown])
        return Reply(200, "application/json; charset=UTF-8", body.encode("utf-8"),
                     {"X-WP-Total": str(len(ordered)), "X-WP-TotalPages": str(pages)})

    def _upload(self, m) -> Reply:
        year, month, stem, w, h, scaled, ext = m.groups()
        image = next((i for i in self.blog.images() if i.stem == stem and i.year == int(year)
                      and i.month == int(month) and i.ext == ext), None)
        if image is None:
            return Reply(404, HTML, b"<html><body>Not found</body></html>")
        if scaled:
            if not image.scaled:
                return Reply(404, HTML, b"<html><body>Not found</body></html>")
            width, height = image.fit(2560)
        elif w:
            width, height = int(w), int(h)
        else:
            width, height = image.width, image.height
        body = make_image(f"{image.stem}", width, height, image.kind)
        return Reply(200, content_type(image.kind), body,
                     {"ETag": '"' + hashlib.sha1(body).hexdigest()[:16] + '"'})


def main(argv=None) -> None:
    import argparse

    parser = argparse.ArgumentParser(description="Serve a fake WordPress blog.")
    parser.add_argument("--theme", default="twentyten", choices=["twentyten", "block"])
    parser.add_argument("--posts", type=int, default=24)
    parser.add_argument("--rest", default="on", choices=["on", "off", "forbidden"])
    parser.add_argument("--port", type=int, default=8300)
    args = parser.parse_args(argv)
    server = WordPressServer(make_wp_blog(args.theme, args.posts, rest=args.rest), port=args.port)
    print(f"blog: {server.url}  ({args.posts} posts, theme {args.theme}, REST {args.rest}). Ctrl-C stops.")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        server.stop()


if __name__ == "__main__":
    main()
