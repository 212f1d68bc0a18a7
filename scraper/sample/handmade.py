"""A fake hand-made blog (a static site generator's output) served over real HTTP.

    from scraper.sample.handmade import make_handmade_blog, HandmadeServer, expected_handmade_post

Jekyll-like: posts at ``/YYYY/MM/DD/slug.html``, a home page with the latest
posts and ``rel=next`` to ``/page2/``, tag pages, an archive page, an Atom feed
of the latest ten, a sitemap listing every page (posts, about, projects) and a
robots.txt naming it. Two kinds of post page: "rich" ones (JSON-LD
``BlogPosting``, ``h-entry`` markup, ``e-content``) and "plain" ones (an
``<article>`` with no structured data: the date only in the address and the
text, the body found by text extraction). Pages that are not posts (about,
projects) must never be archived.
"""
from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Optional

from .content import AUTHORS, CAPTIONS, IMAGE_SUBJECTS, QUOTES, TITLES, _fill, _make_paragraphs, slugify
from .fixture_server import FixtureServer, Reply
from .images import make_image
from .markup import esc
from .model import parse_offset

TAGS = ["harbours", "trains", "summits", "notes", "maps"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]


@dataclass(eq=False)
class HMPost:
    slug: str
    title: str
    published: datetime
    updated: datetime
    tags: list
    paragraphs: list
    quote: str = ""
    image: Optional[tuple] = None  # (file name, alt, caption)
    rich: bool = True

    @property
    def path(self) -> str:
        return f"/{self.published:%Y/%m/%d}/{self.slug}.html"


@dataclass(eq=False)
class HMBlog:
    title: str
    author: str
    posts: list = field(default_factory=list)
    page_size: int = 4
    feed_size: int = 10
    sitemap_path: str = "/sitemap.xml"  # robots.txt names it, wherever it is
    unlisted: int = 0  # the oldest N posts: in the sitemap only (no listing, feed or post links them)

    def sorted_posts(self) -> list:
        return sorted(self.posts, key=lambda p: -p.published.timestamp())

    def listed_posts(self) -> list:
        ordered = self.sorted_posts()
        return ordered[: len(ordered) - self.unlisted]


def make_handmade_blog(n_posts: int = 14, seed: int = 4, tz: str = "-05:00") -> HMBlog:
    rng = random.Random(seed)
    blog = HMBlog(title="Night Train Notebook", author=AUTHORS[1])
    start = datetime(2019, 2, 3, 8, 0, tzinfo=parse_offset(tz))
    for i in range(n_posts):
        published = start + timedelta(days=i * 11 + rng.randrange(4), minutes=rng.randrange(700))
        title = _fill(rng.choice(TITLES), rng)
        post = HMPost(
            slug=slugify(title) + f"-{i}", title=title, published=published,
            updated=published + timedelta(days=rng.randrange(1, 30)),
            tags=[TAGS[i % len(TAGS)]] + ([TAGS[(i + 2) % len(TAGS)]] if i % 3 == 0 else []),
            paragraphs=list(_make_paragraphs(rng.randrange(2 ** 32), 150, 400)),
            quote=rng.choice(QUOTES) if i % 4 == 1 else "",
            image=(f"{IMAGE_SUBJECTS[i % len(IMAGE_SUBJECTS)]}.jpg", "a photo from the trip",
                   rng.choice(CAPTIONS)) if i % 2 == 0 else None,
            rich=i % 5 != 3)
        blog.posts.append(post)
    return blog


def _nav(origin: str) -> str:
    return (f'<header class="site-header"><a class="site-title" href="{origin}/">Night Train Notebook</a>'
            f'<nav><a href="{origin}/">Home</a> <a href="{origin}/archive/">Archive</a> '
            f'<a href="{origin}/about/">About</a> <a href="{origin}/projects/timetable-printer/">Projects</a>'
            f'</nav></header>')


def _footer(origin: str) -> str:
    return (f'<footer class="site-footer"><p>Written by hand, built with a static generator. '
            f'<a href="{origin}/feed.xml">Subscribe</a> · <a href="{origin}/contact/">Contact</a></p>'
            f'<p>Copyright the author; all rights reserved.</p></footer>')


def _head(blog: HMBlog, origin: str, title: str, canonical: str, extra: str = "") -> str:
    return (f'<meta charset="utf-8"><title>{esc(title)}</title>'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<link rel="canonical" href="{canonical}">'
            f'<link type="application/atom+xml" rel="alternate" href="{origin}/feed.xml" '
            f'title="{esc(blog.title)}">{extra}')


def _body_html(post: HMPost, origin: str) -> str:
    parts = []
    for i, text in enumerate(post.paragraphs):
        parts.append(f"<p>{esc(text)}</p>")
        if i == 0 and post.quote:
            parts.append(f"<blockquote><p>{esc(post.quote)}</p></blockquote>")
        if i == 0 and post.image:
            name, alt, caption = post.image
            parts.append(f'<figure><img src="{origin}/assets/img/{name}" alt="{esc(alt)}">'
                         f'<figcaption>{esc(caption)}</figcaption></figure>')
    return "\n".join(parts)


def render_post(blog: HMBlog, post: HMPost, origin: str) -> str:
    link = origin + post.path
    tags = " ".join(f'<a class="p-category" rel="tag" href="{origin}/tags/{t}/">{t}</a>' for t in post.tags)
    ordered = blog.listed_posts()
    i = ordered.index(post) if post in ordered else len(ordered)
    prev_link = (f'<a class="prev" href="{origin}{ordered[i + 1].path}">« {esc(ordered[i + 1].title)}</a>'
                 if i + 1 < len(ordered) else "")
    if post.rich:
        ld = {"@context": "https://schema.org", "@type": "BlogPosting", "headline": post.title,
              "datePublished": post.published.isoformat(), "dateModified": post.updated.isoformat(),
              "author": {"@type": "Person", "name": blog.author}, "keywords": post.tags,
              "url": link, "mainEntityOfPage": link}
        extra = (f'<meta property="og:type" content="article"><meta property="og:title" '
                 f'content="{esc(post.title)}"><script type="application/ld+json">{json.dumps(ld)}</script>')
        article = (f'<article class="post h-entry"><header><h1 class="post-title p-name">{esc(post.title)}</h1>'
                   f'<p class="post-meta"><time class="dt-published" datetime="{post.published.isoformat()}">'
                   f'{post.published:%b %d, %Y}</time> • <span class="p-author h-card">{esc(blog.author)}</span>'
                   f'</p></header><div class="post-content e-content">{_body_html(post, origin)}</div>'
                   f'<p class="tags">Tagged: {tags}</p><a class="u-url" href="{link}" hidden></a></article>')
    else:
        extra = ""
        article = (f'<article><h1>{esc(post.title)}</h1><p class="byline">Posted on '
                   f'{post.published.day} {MONTHS[post.published.month - 1]} {post.published.year} '
                   f'by {esc(blog.author)}</p>{_body_html(post, origin)}<p class="tags">Tagged: {tags}</p>'
                   f'</article>')
    return (f'<!DOCTYPE html><html lang="en"><head>{_head(blog, origin, post.title, link, extra)}</head>'
            f'<body>{_nav(origin)}<main class="page-content">{article}<nav class="post-nav">{prev_link}</nav>'
            f'<aside class="related"><h2>Elsewhere on this site</h2><ul><li><a href="{origin}/about/">About '
            f'the author</a></li></ul></aside></main>{_footer(origin)}</body></html>')


def render_list(blog: HMBlog, posts: list, origin: str, path: str, title: str,
                older: str = "", newer: str = "") -> str:
    items = "".join(
        f'<li class="h-entry"><span class="post-meta"><time class="dt-published" '
        f'datetime="{p.published.isoformat()}">{p.published:%b %d, %Y}</time></span><h3>'
        f'<a class="post-link u-url p-name" href="{origin}{p.path}">{esc(p.title)}</a></h3></li>'
        for p in posts)
    pager = ""
    if older or newer:
        pager = ('<div class="pagination">' + (f'<a rel="prev" href="{origin}{newer}">Newer</a>' if newer else "")
                 + (f'<a rel="next" href="{origin}{older}">Older posts</a>' if older else "") + "</div>")
    tags = " ".join(f'<a href="{origin}/tags/{t}/">{t}</a>' for t in TAGS)
    return (f'<!DOCTYPE html><html lang="en"><head>{_head(blog, origin, title, origin + path)}</head>'
            f'<body>{_nav(origin)}<main class="page-content h-feed"><h1>{esc(title)}</h1>'
            f'<ul class="post-list">{items}</ul>{pager}<p class="tag-list">{tags}</p></main>'
            f'{_footer(origin)}</body></html>')


def atom(blog: HMBlog, origin: str) -> str:
    entries = "".join(
        f'<entry><title>{esc(p.title)}</title><link href="{origin}{p.path}" rel="alternate" '
        f'type="text/html"/><published>{p.published.isoformat()}</published><updated>'
        f'{p.updated.isoformat()}</updated><id>{origin}{p.path}</id>'
        + "".join(f'<category term="{t}"/>' for t in p.tags) + "</entry>"
        for p in blog.listed_posts()[: blog.feed_size])
    return (f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
            f'<title>{esc(blog.title)}</title><link href="{origin}/feed.xml" rel="self"/>'
            f'<link href="{origin}/" rel="alternate"/><id>{origin}/</id>{entries}</feed>')


def sitemap(blog: HMBlog, origin: str) -> str:
    urls = [origin + "/", origin + "/about/", origin + "/projects/timetable-printer/",
            origin + "/archive/"] + [origin + p.path for p in blog.posts]
    return ('<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            + "".join(f"<url><loc>{u}</loc></url>" for u in urls) + "</urlset>")


class HandmadeServer(FixtureServer):
    def __init__(self, blog: HMBlog, port: int = 0):
        self.blog = blog
        super().__init__(self.route, port)

    def route(self, path: str, query: dict) -> Reply:
        blog, origin = self.blog, self.origin
        html = "text/html; charset=utf-8"
        ordered = blog.listed_posts()
        size = blog.page_size
        if path == "/robots.txt":
            return Reply(200, "text/plain",
                         f"User-agent: *\nAllow: /\nSitemap: {origin}{blog.sitemap_path}\n".encode())
        if path == "/feed.xml":
            return Reply(200, "application/atom+xml", atom(blog, origin).encode("utf-8"))
        if path == blog.sitemap_path:
            return Reply(200, "application/xml", sitemap(blog, origin).encode("utf-8"))
        if path.startswith("/assets/img/"):
            return Reply(200, "image/jpeg", make_image(path, 800, 600, "jpeg"))
        page = 1
        if path == "/" or (path.startswith("/page") and path[5:-1].isdigit()):
            page = 1 if path == "/" else int(path[5:-1])
            pages = -(-len(ordered) // size)
            if page > pages:
                return Reply(404, html, b"<html><body>Not found</body></html>")
            older = f"/page{page + 1}/" if page < pages else ""
            newer = ("/" if page == 2 else f"/page{page - 1}/") if page > 1 else ""
            return Reply(200, html, render_list(blog, ordered[(page - 1) * size: page * size], origin, path,
                                                blog.title, older, newer).encode("utf-8"))
        if path == "/archive/":
            return Reply(200, html, render_list(blog, ordered, origin, path, "Archive").encode("utf-8"))
        if path.startswith("/tags/"):
            tag = path.strip("/").split("/")[-1]
            posts = [p for p in ordered if tag in p.tags]
            if posts:
                return Reply(200, html, render_list(blog, posts, origin, path, f"Tag: {tag}").encode("utf-8"))
        for post in blog.posts:
            if post.path == path:
                return Reply(200, html, render_post(blog, post, origin).encode("utf-8"))
        if path in ("/about/", "/projects/timetable-printer/", "/contact/"):
            body = (f'<!DOCTYPE html><html lang="en"><head>{_head(blog, origin, "About", origin + path)}</head>'
                    f'<body>{_nav(origin)}<main><article><h1>About</h1><p>I write about trains on '
                    f'the 4th of every month since 2019.</p></article></main>{_footer(origin)}</body></html>')
            return Reply(200, html, body.encode("utf-8"))
        return Reply(404, html, b"<html><body>Not found</body></html>")


def expected_handmade_post(blog: HMBlog, post: HMPost, origin: str) -> dict:
    origin = origin.rstrip("/")
    blocks = []
    for i, text in enumerate(post.paragraphs):
        blocks.append(text)
        if i == 0 and post.quote:
            blocks.append(post.quote)
        if i == 0 and post.image:
            blocks.append(post.image[2])
    return {
        "url": origin + post.path,
        "title": post.title,
        "author": blog.author,
        "published": post.published.isoformat() if post.rich else post.published.date().isoformat(),
        "labels": list(post.tags),
        "text_blocks": blocks,
        "paragraphs": list(post.paragraphs),
        "rich": post.rich,
        "image": f"{origin}/assets/img/{post.image[0]}" if post.image else None,
        "caption": post.image[2] if post.image else None,
    }
