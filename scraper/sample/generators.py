"""Static-generator blogs with no structured data, served over real HTTP: Hugo and Pelican.

    from scraper.sample.generators import make_generator_blog, GeneratorServer

Their markup follows the generators' own minimal themes: Hugo with an XMin-style
theme (``<h1><span class="title">``, the date as text in ``<h2 class="date">``,
posts at ``/posts/<slug>/``, a home page listing every post, ``index.xml`` RSS 2.0
with every post, tag pages under ``/tags/``) and Pelican's ``simple`` theme (the
site name in the banner ``h1``, the post title in ``h2.entry-title``, posts at
``/<slug>.html``, ``/index2.html`` paging without ``rel=next``, category and tag
pages, ``feeds/all.atom.xml`` with every article). Neither page carries JSON-LD,
OpenGraph or h-entry markup: the blog's own feed is the evidence that a page is a
post. Pages that are not posts (about, tag and category lists) must never be archived.

``gaps=True`` makes a blog that lacks what a crawl should warn about: a post with
no title anywhere, one with no date anywhere, one with no text, and one whose
``<title>`` names another post.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import format_datetime

from .content import AUTHORS, TITLES, _fill, _make_paragraphs, slugify
from .fixture_server import FixtureServer, Reply
from .markup import esc
from .model import parse_offset

TAGS = ["ferries", "timetables", "harbours", "winter", "maps", "signals"]
HTML = "text/html; charset=utf-8"
NOT_FOUND = Reply(404, HTML, b"<!DOCTYPE html><html><body><h1>404 Page not found</h1></body></html>")


@dataclass(eq=False)
class GenPost:
    slug: str
    title: str
    published: datetime
    tags: list
    paragraphs: list
    category: str = "notes"
    show_title: bool = True  # False: no title on the page or in the feed
    show_date: bool = True  # False: no date on the page or in the feed
    page_title: str = ""  # the <title>, when it is not the post's own (a theme bug)


@dataclass(eq=False)
class GenBlog:
    generator: str  # hugo | pelican
    title: str
    author: str
    posts: list = field(default_factory=list)
    page_size: int = 5  # Pelican's DEFAULT_PAGINATION
    feed: bool = True  # False: the feed is switched off (404), pages stand on their own

    def ordered(self) -> list:
        return sorted(self.posts, key=lambda p: -p.published.timestamp())

    def path(self, post: GenPost) -> str:
        return f"/posts/{post.slug}/" if self.generator == "hugo" else f"/{post.slug}.html"

    def post_at(self, path: str) -> GenPost | None:
        return next((p for p in self.posts if self.path(p) == path), None)


def make_generator_blog(generator: str, n_posts: int = 12, seed: int = 7, tz: str = "+02:00",
                        gaps: bool = False) -> GenBlog:
    rng = random.Random(seed)
    name = "Ferry Timetable Notes" if generator == "hugo" else "Signal Box Diary"
    blog = GenBlog(generator=generator, title=name, author=AUTHORS[2 if generator == "hugo" else 0])
    start = datetime(2021, 3, 1, 7, 30, tzinfo=parse_offset(tz))
    for i in range(n_posts):
        title = _fill(rng.choice(TITLES), rng)
        post = GenPost(
            slug=slugify(title) + f"-{i}", title=title,
            published=start + timedelta(days=i * 9 + rng.randrange(3), minutes=rng.randrange(600)),
            tags=[TAGS[i % len(TAGS)]] + ([TAGS[(i + 3) % len(TAGS)]] if i % 2 else []),
            paragraphs=list(_make_paragraphs(rng.randrange(2 ** 32), 120, 320)),
            category=["notes", "travel"][i % 2])
        if gaps and i == 2:
            post.show_title = False
        if gaps and i == 4:
            post.show_date = False
        if gaps and i == 6:
            post.paragraphs = []
        if gaps and i == 8:
            post.page_title = blog.posts[0].title
        blog.posts.append(post)
    return blog


# -- Hugo, XMin-style theme --------------------------------------------------------------


def _hugo_page(blog: GenBlog, origin: str, title: str, main: str) -> str:
    doc_title = f"{esc(title)} | {esc(blog.title)}" if title is not None else esc(blog.title)
    menu = "".join(f'<li><a href="{origin}{href}">{name}</a></li>' for name, href in
                   (("Home", "/"), ("About", "/about/"), ("Tags", "/tags/"), ("Subscribe", "/index.xml")))
    return (f'<!DOCTYPE html>\n<html lang="en">\n  <head>\n    <meta charset="utf-8">\n'
            f'    <title>{doc_title}</title>\n    <link rel="stylesheet" href="{origin}/css/style.css" />\n'
            f'    <link rel="alternate" type="application/rss+xml" href="{origin}/index.xml" '
            f'title="{esc(blog.title)}" />\n  </head>\n  <body>\n    <nav>\n    <ul class="menu">{menu}</ul>\n'
            f'    <hr/>\n    </nav>\n{main}\n  <footer>\n  <hr/>\n  <p>Made with Hugo. '
            f'<a href="{origin}/index.xml">RSS</a></p>\n  </footer>\n  </body>\n</html>\n')


def hugo_post(blog: GenBlog, post: GenPost, origin: str) -> str:
    meta = f'<h1><span class="title">{esc(post.title) if post.show_title else ""}</span></h1>\n'
    meta += f'<h2 class="author">{esc(blog.author)}</h2>\n'
    if post.show_date:
        meta += f'<h2 class="date">{post.published:%Y/%m/%d}</h2>\n'
    body = "\n".join(f"<p>{esc(p)}</p>" for p in post.paragraphs)
    main = f'<div class="article-meta">\n{meta}</div>\n\n<main>\n{body}\n</main>\n'

    shown = post.page_title or (post.title if post.show_title else "")
    return _hugo_page(blog, origin, shown, main)


def hugo_list(blog: GenBlog, posts: list, origin: str, heading: str | None) -> str:
    items = "".join(
        f'  <li>\n    <span class="date">{p.published:%Y/%m/%d}</span>\n'
        f'    <a href="{origin}{blog.path(p)}">{esc(p.title) if p.show_title else blog.path(p)}</a>\n  </li>\n'
        for p in posts)
    main = (f"<h1>{esc(heading)}</h1>\n" if heading else "") + f"<ul>\n{items}</ul>"
    return _hugo_page(blog, origin, heading, main)


def hugo_rss(blog: GenBlog, origin: str) -> str:
    items = "".join(
        f"    <item>\n      <title>{esc(p.title) if p.show_title else ''}</title>\n"
        f"      <link>{origin}{blog.path(p)}</link>\n"
        + (f"      <pubDate>{format_datetime(p.published)}</pubDate>\n" if p.show_date else "")
        + f"      <guid>{origin}{blog.path(p)}</guid>\n"
        f"      <description>{esc(esc(p.paragraphs[0][:120])) if p.paragraphs else ''}</description>\n"
        f"    </item>\n"
        for p in blog.ordered())
    return ('<?xml version="1.0" encoding="utf-8" standalone="yes"?>\n'
            '<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">\n  <channel>\n'
            f"    <title>{esc(blog.title)}</title>\n    <link>{origin}/</link>\n"
            f"    <description>Recent content on {esc(blog.title)}</description>\n"
            "    <generator>Hugo</generator>\n    <language>en-us</language>\n"
            f'    <atom:link href="{origin}/index.xml" rel="self" type="application/rss+xml" />\n'
            f"{items}  </channel>\n</rss>\n")


# -- Pelican, the "simple" theme ---------------------------------------------------------


def _pelican_page(blog: GenBlog, origin: str, content: str, head: str = "", title: str = "") -> str:
    return (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n        <title>{esc(title or blog.title)}</title>\n'
            f'        <meta charset="utf-8" />\n        <link href="{origin}/feeds/all.atom.xml" '
            f'type="application/atom+xml" rel="alternate" title="{esc(blog.title)} Full Atom Feed" />\n'
            f'{head}</head>\n\n<body id="index" class="home">\n        <header id="banner" class="body">\n'
            f'                <h1><a href="{origin}/">{esc(blog.title)}</a></h1>\n'
            f'        </header><!-- /#banner -->\n        <nav id="menu"><ul>\n'
            f'            <li><a href="{origin}/pages/about.html">About</a></li>\n'
            f'            <li><a href="{origin}/category/notes.html">notes</a></li>\n'
            f'            <li><a href="{origin}/category/travel.html">travel</a></li>\n'
            f'        </ul></nav><!-- /#menu -->\n{content}\n'
            f'        <footer id="contentinfo" class="body">\n'
            f'                <address id="about" class="vcard body">\n'
            f'                Proudly powered by Pelican, which takes great advantage of Python.\n'
            f'                </address><!-- /#about -->\n        </footer><!-- /#contentinfo -->\n'
            f'</body>\n</html>\n')


def pelican_post(blog: GenBlog, post: GenPost, origin: str) -> str:
    link = origin + blog.path(post)
    head = "".join(f'        <meta name="tags" content="{t}" />\n' for t in post.tags)
    info = ""
    if post.show_date:
        info += (f'    <abbr class="published" title="{post.published.isoformat()}">\n'
                 f'      {post.published:%a %d %B %Y}\n    </abbr>\n')
    info += (f'    <address class="vcard author">\n      By <a class="url fn" href="{origin}/author/'
             f'{slugify(blog.author)}.html">{esc(blog.author)}</a>\n    </address>\n')
    body = "\n".join(f"<p>{esc(p)}</p>" for p in post.paragraphs)
    title = esc(post.title) if post.show_title else ""
    content = (f'<section id="content" class="body">\n  <header>\n    <h2 class="entry-title">\n'
               f'      <a href="{link}" rel="bookmark"\n         title="Permalink to {title}">{title}</a></h2>\n'
               f'  </header>\n  <footer class="post-info">\n{info}  </footer><!-- /.post-info -->\n'
               f'  <div class="entry-content">\n    {body}\n  </div><!-- /.entry-content -->\n</section>')
    return _pelican_page(blog, origin, content, head, title=post.page_title)


def pelican_list(blog: GenBlog, posts: list, origin: str, heading: str, older: str = "") -> str:
    items = "".join(
        f'        <li><article class="hentry">\n                <header> <h2 class="entry-title">'
        f'<a href="{origin}{blog.path(p)}" rel="bookmark" title="Permalink to {esc(p.title)}">'
        f'{esc(p.title) if p.show_title else ""}</a></h2> </header>\n'
        f'                <footer class="post-info">\n'
        f'                    <abbr class="published" title="{p.published.isoformat()}"> '
        f'{p.published:%a %d %B %Y} </abbr>\n                </footer><!-- /.post-info -->\n'
        f'                <div class="entry-content"> <p>{esc(p.paragraphs[0][:160]) if p.paragraphs else ""}'
        f'</p> </div><!-- /.entry-content -->\n        </article></li>\n'
        for p in posts)
    pager = f'<p class="paginator"> Page 1 <a href="{origin}{older}">&raquo;</a></p>' if older else ""
    content = (f'<section id="content">\n<h2>{esc(heading)}</h2>\n\n<ol id="post-list">\n{items}'
               f'</ol><!-- /#posts-list -->\n{pager}\n</section><!-- /#content -->')
    return _pelican_page(blog, origin, content)


def pelican_atom(blog: GenBlog, origin: str) -> str:
    entries = "".join(
        f'<entry><title>{esc(p.title) if p.show_title else ""}</title>'
        f'<link href="{origin}{blog.path(p)}" rel="alternate"></link>'
        + (f"<published>{p.published.isoformat()}</published><updated>{p.published.isoformat()}</updated>"
           if p.show_date else "")
        + f"<author><name>{esc(blog.author)}</name></author>"
        f"<id>tag:127.0.0.1,{p.published:%Y-%m-%d}:/{p.slug}.html</id>"
        f'<summary type="html">{esc(esc(p.paragraphs[0][:120])) if p.paragraphs else ""}</summary>'
        f'<category term="{p.category}"></category></entry>'
        for p in blog.ordered())
    newest = blog.ordered()[0].published.isoformat()
    return ('<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">'
            f'<title>{esc(blog.title)}</title><link href="{origin}/" rel="alternate"></link>'
            f'<link href="{origin}/feeds/all.atom.xml" rel="self"></link><id>{origin}/</id>'
            f"<updated>{newest}</updated>{entries}</feed>")


# -- the server ------------------------------------------------------------------------


class GeneratorServer(FixtureServer):
    def __init__(self, blog: GenBlog, port: int = 0):
        self.blog = blog
        super().__init__(self.route, port)

    def route(self, path: str, query: dict) -> Reply:
        blog = self.blog
        page = self._hugo(path) if blog.generator == "hugo" else self._pelican(path)
        if page is None:
            return NOT_FOUND
        ctype, text = page
        return Reply(200, ctype, text.encode("utf-8"))

    def _about(self) -> str:
        return ("<p>I keep notes on ferry and train timetables, mostly written on the way home. "
                "Nothing here is official; check the operator before you travel.</p>")

    def _hugo(self, path: str):
        blog, origin = self.blog, self.origin
        if path == "/index.xml" and blog.feed:
            return "application/rss+xml", hugo_rss(blog, origin)
        if path == "/":
            return HTML, hugo_list(blog, blog.ordered(), origin, None)
        if path == "/about/":
            return HTML, _hugo_page(blog, origin, "About", f'<div class="article-meta">\n<h1><span class='
                                    f'"title">About</span></h1>\n</div>\n<main>\n{self._about()}\n</main>')
        if path == "/tags/":
            return HTML, hugo_list(blog, [], origin, "Tags")
        if path.startswith("/tags/"):
            tag = path.strip("/").split("/")[-1]
            posts = [p for p in blog.ordered() if tag in p.tags]
            return (HTML, hugo_list(blog, posts, origin, tag)) if posts else None
        post = blog.post_at(path)
        return (HTML, hugo_post(blog, post, origin)) if post else None

    def _pelican(self, path: str):
        blog, origin = self.blog, self.origin
        ordered = blog.ordered()
        size = blog.page_size
        if path == "/feeds/all.atom.xml" and blog.feed:
            return "application/atom+xml", pelican_atom(blog, origin)
        if path in ("/", "/index.html") or (path.startswith("/index") and path[6:-5].isdigit()):
            n = 1 if path in ("/", "/index.html") else int(path[6:-5])
            shown = ordered[(n - 1) * size: n * size]
            if not shown:
                return None
            older = f"/index{n + 1}.html" if n * size < len(ordered) else ""
            return HTML, pelican_list(blog, shown, origin, "All articles", older)
        if path == "/pages/about.html":
            return HTML, _pelican_page(blog, origin, '<section id="content" class="body">\n'
                                       f'    <h1 class="entry-title">About</h1>\n{self._about()}\n</section>')
        for prefix, attr in (("/category/", "category"), ("/tag/", "tags")):
            if path.startswith(prefix) and path.endswith(".html"):
                name = path[len(prefix):-5]
                posts = [p for p in ordered if name == p.category or (attr == "tags" and name in p.tags)]
                return (HTML, pelican_list(blog, posts, origin, name)) if posts else None
        post = blog.post_at(path)
        return (HTML, pelican_post(blog, post, origin)) if post else None
