"""Post pages in the markup of real themes and generators, with what a reader sees on each.

Each renderer reproduces the structure of a real template's single-post page (studied
from the themes' public templates: the WordPress defaults, Astra, GeneratePress, OceanWP,
Hestia, Genesis, a news/magazine theme with an SEO plugin, static exports; Hugo, Jekyll,
Ghost, Pelican, a newsletter platform, a publishing platform, a hand-written page), filled
with our own words. ``theme_pages()`` yields ``(family, theme, url, html, truth)``; truth is
what the page shows: the title, the local day, the author, the labels in the order shown and
the text blocks of the body (captions included).

Posts are published shortly after local midnight in a +02:00 blog, so a time given in UTC
falls on the day before: the day shown is the truth (FIELD-NOTES W13).
"""
from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from html import escape
from typing import Callable, Iterator

from .content import AUTHORS, CAPTIONS, TITLES, _fill, _make_paragraphs, slugify

TZ = timezone(timedelta(hours=2))
SITE = "Quayside Ledger"
ORIGIN = "https://ledger.example"
CATEGORIES = ["Harbours", "Diplomacy", "Trains", "Letters"]
TAGS = ["ferries", "customs", "night trains", "Gdańsk", "summit", "cranes"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]


def esc(text: str) -> str:
    return escape(text, quote=True)


@dataclass
class ThemePost:
    post_id: int
    title: str
    slug: str
    author: str
    published: datetime  # local, +02:00
    categories: list
    tags: list
    paragraphs: list
    subheading: str  # an h2/h1 inside the text: never the title
    caption: str
    commenter: str = "Élodie Marchand"
    related: list = field(default_factory=list)  # titles of other posts (related-post boxes)

    @property
    def utc(self) -> datetime:
        return self.published.astimezone(timezone.utc)

    def path(self, style: str = "date") -> str:
        if style == "date":
            return f"/{self.published:%Y/%m/%d}/{self.slug}/"
        return f"/{self.slug}/"

    def long_date(self) -> str:
        return f"{MONTHS[self.published.month - 1]} {self.published.day}, {self.published.year}"

    def short_date(self) -> str:
        return f"{MONTHS[self.published.month - 1][:3]} {self.published.day}, {self.published.year}"

    def day_month_year(self) -> str:
        return f"{self.published.day} {MONTHS[self.published.month - 1]} {self.published.year}"


def make_posts(n: int, seed: int) -> list[ThemePost]:
    rng = random.Random(seed)
    posts = []
    start = datetime(2021, 7, 14, 0, 25, tzinfo=TZ)
    for i in range(n):
        title = _fill(rng.choice(TITLES), rng)
        published = start + timedelta(days=i * 37 + rng.randrange(5), minutes=rng.randrange(90))
        posts.append(ThemePost(
            post_id=200 + i * 11 + seed, title=title, slug=slugify(title) + f"-{seed}-{i}",
            author=AUTHORS[(seed + i) % len(AUTHORS)], published=published,
            categories=[CATEGORIES[(seed + i) % len(CATEGORIES)]],
            tags=[TAGS[(seed + i) % len(TAGS)], TAGS[(seed + i + 2) % len(TAGS)]],
            paragraphs=list(_make_paragraphs(rng.randrange(2 ** 32), 90, 220)),
            subheading=["Preamble", "What the harbour master said", "Stop! This part is out of date"][i % 3],
            caption=rng.choice(CAPTIONS),
            related=[_fill(rng.choice(TITLES), rng) for _ in range(3)]))
    return posts


# -- shared pieces ----------------------------------------------------------------------


def body_blocks(post: ThemePost, figure: str = "wp") -> str:
    img = f"{ORIGIN}/wp-content/uploads/{post.published:%Y/%m}/quay-{post.post_id}-1024x683.jpg"
    if figure == "wp":
        image = (f'<figure class="wp-block-image size-large"><img decoding="async" src="{img}" '
                 f'alt="the quay" class="wp-image-{post.post_id + 1}"><figcaption class="wp-element-caption">'
                 f'{esc(post.caption)}</figcaption></figure>')
    else:
        image = f'<figure><img src="{img}" alt="the quay"><figcaption>{esc(post.caption)}</figcaption></figure>'
    p = [f"<p>{esc(t)}</p>" for t in post.paragraphs]
    return "\n".join([p[0], f"<h2>{esc(post.subheading)}</h2>", *p[1:2], image, *p[2:]])


def truth_blocks(post: ThemePost) -> list[str]:
    p = post.paragraphs
    return [p[0], post.subheading, *p[1:2], post.caption, *p[2:]]


def wp_head(post: ThemePost, url: str, extra: str = "", title_sep: str = "&#8211;") -> str:
    return (f'<meta charset="UTF-8"><title>{esc(post.title)} {title_sep} {SITE}</title>'
            f'<link rel="alternate" type="application/rss+xml" title="{SITE} &raquo; Feed" href="{ORIGIN}/feed/">'
            f'<link rel="stylesheet" href="{ORIGIN}/wp-includes/css/dist/block-library/style.min.css">'
            f'<meta name="generator" content="WordPress 6.5.2">{extra}')


def page(head: str, body: str, body_class: str = "", lang: str = "en-US") -> str:
    return (f'<!DOCTYPE html><html lang="{lang}"><head>{head}</head>'
            f'<body class="{body_class}">{body}</body></html>')


def comments(post: ThemePost) -> str:
    return (f'<div id="comments" class="comments-area"><h2 class="comments-title">One thought on '
            f'&ldquo;{esc(post.title)}&rdquo;</h2><ol class="comment-list"><li id="comment-9{post.post_id}" '
            f'class="comment even thread-even depth-1"><article class="comment-body"><footer class="comment-meta">'
            f'<div class="comment-author vcard"><b class="fn">{esc(post.commenter)}</b> <span class="says">says:</span>'
            f'</div><div class="comment-metadata"><a href="#comment-9{post.post_id}"><time datetime="2023-01-02T10:00:00+00:00">'
            f'January 2, 2023 at 10:00 am</time></a></div></footer><div class="comment-content"><p>Thanks, '
            f'see <a href="{ORIGIN}/tag/misc/" rel="tag">this</a>.</p></div></article></li></ol></div>')


def related(post: ThemePost) -> str:
    items = "".join(f'<li><h3><a href="{ORIGIN}/2019/01/0{i + 1}/r-{i}/">{esc(t)}</a></h3><time datetime='
                    f'"2019-01-0{i + 1}T08:00:00+02:00">January {i + 1}, 2019</time></li>'
                    for i, t in enumerate(post.related))
    return f'<section class="related-posts"><h2>Related posts</h2><ul>{items}</ul></section>'


def sidebar() -> str:
    return (f'<aside id="secondary" class="widget-area"><section class="widget widget_tag_cloud"><h2 class="widget-title">'
            f'Tags</h2><div class="tagcloud"><a href="{ORIGIN}/tag/misc/" class="tag-cloud-link">misc</a></div></section>'
            f'<section class="widget widget_recent_entries"><h2 class="widget-title">Recent Posts</h2><ul><li><a href="'
            f'{ORIGIN}/2018/05/05/older/">An older post</a> <span class="post-date">May 5, 2018</span></li></ul></section></aside>')


def site_header() -> str:
    return (f'<header id="masthead" class="site-header"><div class="site-branding"><p class="site-title"><a href="{ORIGIN}/" '
            f'rel="home">{SITE}</a></p><p class="site-description">Harbours, trains and summits</p></div>'
            f'<nav class="main-navigation"><a href="{ORIGIN}/about/">About</a></nav></header>')


def wp_terms(post: ThemePost, sep: str = ", ") -> tuple[str, str]:
    cats = sep.join(f'<a href="{ORIGIN}/category/{slugify(c)}/" rel="category tag">{esc(c)}</a>' for c in post.categories)
    tags = sep.join(f'<a href="{ORIGIN}/tag/{slugify(t)}/" rel="tag">{esc(t)}</a>' for t in post.tags)
    return cats, tags


def single_classes(post: ThemePost) -> str:
    return f"post-template-default single single-post postid-{post.post_id} single-format-standard"


def article_classes(post: ThemePost) -> str:
    return (f"post-{post.post_id} post type-post status-publish format-standard hentry "
            + " ".join(f"category-{slugify(c)}" for c in post.categories))


# -- WordPress themes ------------------------------------------------------------------------


def twentyeleven(post: ThemePost, url: str) -> str:
    cats, tags = wp_terms(post)
    article = (f'<article id="post-{post.post_id}" class="{article_classes(post)}"><header class="entry-header">'
               f'<h1 class="entry-title">{esc(post.title)}</h1><div class="entry-meta"><span class="sep">Posted on </span>'
               f'<a href="{url}" title="{post.published:%-I:%M %p}" rel="bookmark"><time class="entry-date" '
               f'datetime="{post.published.isoformat()}">{post.long_date()}</time></a><span class="by-author"> '
               f'<span class="sep"> by </span> <span class="author vcard"><a class="url fn n" href="{ORIGIN}/author/'
               f'{slugify(post.author)}/" title="View all posts by {esc(post.author)}" rel="author">{esc(post.author)}'
               f'</a></span></span></div></header><div class="entry-content">{body_blocks(post)}</div>'
               f'<footer class="entry-meta">This entry was posted in {cats} and tagged {tags} by '
               f'<a href="{ORIGIN}/author/{slugify(post.author)}/">{esc(post.author)}</a>.</footer></article>')
    return page(wp_head(post, url), f'<div id="page" class="hfeed">{site_header()}<div id="main"><div id="primary">'
                f'<div id="content" role="main">{article}{comments(post)}</div></div>{sidebar()}</div></div>',
                single_classes(post))


def twentyseventeen(post: ThemePost, url: str) -> str:
    cats, tags = wp_terms(post)
    article = (f'<article id="post-{post.post_id}" class="{article_classes(post)}"><header class="entry-header">'
               f'<div class="entry-meta"><span class="posted-on"><span class="screen-reader-text">Posted on</span> '
               f'<a href="{url}" rel="bookmark"><time class="entry-date published" datetime="{post.published.isoformat()}">'
               f'{post.long_date()}</time><time class="updated" datetime="{(post.published + timedelta(days=3)).isoformat()}">'
               f'{post.long_date()}</time></a></span><span class="byline"> by <span class="author vcard"><a class="url fn n" '
               f'href="{ORIGIN}/author/{slugify(post.author)}/">{esc(post.author)}</a></span></span></div>'
               f'<h1 class="entry-title">{esc(post.title)}</h1></header><div class="entry-content">{body_blocks(post)}</div>'
               f'<footer class="entry-footer"><span class="cat-tags-links"><span class="cat-links"><span class="screen-reader-text">'
               f'Categories</span>{cats}</span><span class="tags-links"><span class="screen-reader-text">Tags</span>{tags}'
               f'</span></span></footer></article>')
    nav = (f'<nav class="navigation post-navigation"><div class="nav-links"><div class="nav-previous"><a href="{ORIGIN}/'
           f'2019/01/01/r-0/" rel="prev"><span class="nav-title">{esc(post.related[0])}</span></a></div></div></nav>')
    return page(wp_head(post, url), f'{site_header()}<div class="site-content-contain"><div id="content" class="site-content">'
                f'<div class="wrap"><div id="primary" class="content-area"><main id="main" class="site-main">{article}{nav}'
                f'{comments(post)}</main></div>{sidebar()}</div></div></div>', single_classes(post) + " has-sidebar")


def twentytwentyfour(post: ThemePost, url: str) -> str:
    cats = ", ".join(f'<a href="{ORIGIN}/category/{slugify(c)}/" rel="tag">{esc(c)}</a>' for c in post.categories)
    tags = ", ".join(f'<a href="{ORIGIN}/tag/{slugify(t)}/" rel="tag">{esc(t)}</a>' for t in post.tags)
    main = (f'<main class="wp-block-group" style="margin-top:var(--wp--preset--spacing--50)"><div class="wp-block-group">'
            f'<h1 style="font-size:var(--wp--preset--font-size--x-large)" class="wp-block-post-title">{esc(post.title)}</h1>'
            f'<div class="wp-block-template-part"><div class="wp-block-group is-layout-flex"><div class="wp-block-post-date">'
            f'<time datetime="{post.published.isoformat()}"><a href="{url}">{post.long_date()}</a></time></div>'
            f'<p>by</p><div class="wp-block-post-author-name"><a href="{ORIGIN}/author/{slugify(post.author)}/" target="_self" '
            f'class="wp-block-post-author-name__link">{esc(post.author)}</a></div><p>in</p>'
            f'<div class="taxonomy-category wp-block-post-terms">{cats}</div></div></div></div>'
            f'<div class="entry-content wp-block-post-content has-global-padding is-layout-constrained">{body_blocks(post)}</div>'
            f'<div class="wp-block-group"><div class="taxonomy-post_tag wp-block-post-terms">{tags}</div></div>'
            f'<div class="wp-block-comments">{comments(post)}</div></main>')
    header = (f'<header class="wp-block-template-part"><p class="wp-block-site-title"><a href="{ORIGIN}" rel="home">{SITE}</a>'
              f'</p></header>')
    return page(wp_head(post, url), f'<div class="wp-site-blocks">{header}{main}</div>',
                single_classes(post) + " wp-embed-responsive")


def astra(post: ThemePost, url: str) -> str:
    cats, tags = wp_terms(post)
    article = (f'<article class="{article_classes(post)} ast-article-single" id="post-{post.post_id}" itemtype='
               f'"https://schema.org/CreativeWork" itemscope="itemscope"><div class="ast-post-format- single-layout-1">'
               f'<header class="entry-header"><h1 class="entry-title" itemprop="headline">{esc(post.title)}</h1>'
               f'<div class="entry-meta">{cats} / By <span class="posted-by vcard author" itemtype="https://schema.org/Person" '
               f'itemscope="itemscope" itemprop="author"><a title="View all posts by {esc(post.author)}" href="{ORIGIN}/author/'
               f'{slugify(post.author)}/" rel="author" class="url fn n" itemprop="url"><span class="author-name" itemprop="name">'
               f'{esc(post.author)}</span></a></span> / <span class="posted-on"><span class="published" itemprop="datePublished">'
               f' {post.long_date()}</span></span></div></header><div class="entry-content clear" itemprop="text">'
               f'{body_blocks(post)}</div></div><footer class="entry-footer"><span class="tags-links">{tags}</span>'
               f'</footer></article>')
    return page(wp_head(post, url), f'<div class="hfeed site" id="page">{site_header()}<div id="content" class="site-content">'
                f'<div class="ast-container"><div id="primary" class="content-area primary"><main id="main" class="site-main">'
                f'{article}{comments(post)}</main></div>{sidebar()}</div></div></div>',
                single_classes(post) + " ast-separate-container ast-right-sidebar astra-4.6.4")


def generatepress(post: ThemePost, url: str) -> str:
    cats, tags = wp_terms(post)
    article = (f'<article id="post-{post.post_id}" class="{article_classes(post)}" itemtype="https://schema.org/CreativeWork" '
               f'itemscope><div class="inside-article"><header class="entry-header"><h1 class="entry-title" itemprop="headline">'
               f'{esc(post.title)}</h1><div class="entry-meta"><span class="posted-on"><time class="entry-date published" '
               f'datetime="{post.published.isoformat()}" itemprop="datePublished">{post.long_date()}</time></span> '
               f'<span class="byline">by <span class="author vcard" itemprop="author" itemtype="https://schema.org/Person" '
               f'itemscope><a class="url fn n" href="{ORIGIN}/author/{slugify(post.author)}/" title="View all posts by '
               f'{esc(post.author)}" rel="author" itemprop="url"><span class="author-name" itemprop="name">{esc(post.author)}'
               f'</span></a></span></span></div></header><div class="entry-content" itemprop="text">{body_blocks(post)}</div>'
               f'<footer class="entry-meta" aria-label="Entry meta"><span class="cat-links"><span class="screen-reader-text">'
               f'Categories </span>{cats}</span> <span class="tags-links"><span class="screen-reader-text">Tags </span>{tags}'
               f'</span></footer></div></article>')
    return page(wp_head(post, url), f'{site_header()}<div class="site grid-container container hfeed" id="page"><div class='
                f'"site-content" id="content"><div class="content-area" id="primary"><main class="site-main" id="main">{article}'
                f'{comments(post)}</main></div><div class="widget-area sidebar is-right-sidebar" id="right-sidebar">{sidebar()}'
                f'</div></div></div>', single_classes(post) + " right-sidebar nav-float-right")


def oceanwp(post: ThemePost, url: str) -> str:
    cats, tags = wp_terms(post)
    bio = (f'<section id="author-bio" class="clr"><div id="author-bio-inner"><div class="author-bio-content clr">'
           f'<h3 class="author-bio-title"><a href="{ORIGIN}/author/{slugify(post.author)}/">{esc(post.author)}</a></h3>'
           f'<div class="author-bio-description clr"><p>Writes about quays.</p></div><a href="{ORIGIN}/author/'
           f'{slugify(post.author)}/" class="author-bio-link">View Archive &rarr;</a></div></div></section>')
    article = (f'<article id="post-{post.post_id}"><div class="thumbnail"></div><header class="entry-header clr">'
               f'<h2 class="single-post-title entry-title" itemprop="headline">{esc(post.title)}</h2></header>'
               f'<ul class="meta ospm-default clr"><li class="meta-author" itemprop="name"><span class="screen-reader-text">'
               f'Post author:</span><a href="{ORIGIN}/author/{slugify(post.author)}/" title="Posts by {esc(post.author)}" '
               f'rel="author" itemprop="author" itemscope="itemscope" itemtype="https://schema.org/Person">{esc(post.author)}'
               f'</a></li><li class="meta-date" itemprop="datePublished"><span class="screen-reader-text">Post published:'
               f'</span>{post.long_date()}</li><li class="meta-cat"><span class="screen-reader-text">Post category:</span>'
               f'{cats}</li></ul><div class="entry-content clr" itemprop="text">{body_blocks(post)}</div>'
               f'<div class="post-tags clr"><span class="owp-tag-text">Tags: </span>{tags}</div>{bio}{related(post)}'
               f'{comments(post)}</article>')
    return page(wp_head(post, url), f'<div id="outer-wrap" class="site clr"><div id="wrap" class="clr">{site_header()}'
                f'<main id="main" class="site-main clr" role="main"><div id="content-wrap" class="container clr"><div id="primary" '
                f'class="content-area clr"><div id="content" class="site-content clr">{article}</div></div>{sidebar()}</div>'
                f'</main></div></div>', single_classes(post) + " oceanwp-theme content-right-sidebar")


def hestia(post: ThemePost, url: str) -> str:
    cats = "".join(f'<a href="{ORIGIN}/category/{slugify(c)}/" title="View all posts in {esc(c)}" class="label label-primary">'
                   f'{esc(c)}</a>' for c in post.categories)
    tags = "".join(f'<a href="{ORIGIN}/tag/{slugify(t)}/" class="entry-tag">{esc(t)}</a>' for t in post.tags)
    header = (f'<div id="primary" class="boxed-layout-header page-header header-small" data-parallax="active"><div class="container">'
              f'<div class="row"><div class="col-md-10 col-md-offset-1 text-center"><h1 class="hestia-title entry-title">'
              f'{esc(post.title)}</h1><h4 class="author">Published by <a href="{ORIGIN}/author/{slugify(post.author)}/" '
              f'class="vcard author"><strong class="fn">{esc(post.author)}</strong></a> on <time class="entry-date published" '
              f'datetime="{post.published.isoformat()}" content="{post.published:%Y-%m-%d}">{post.long_date()}</time></h4>'
              f'</div></div></div><div class="header-filter"></div></div>')
    article = (f'<div class="main main-raised"><div class="blog-post blog-post-wrapper"><div class="container"><article id="post-'
               f'{post.post_id}" class="section section-text"><div class="row"><div class="col-md-8 single-post-container" '
               f'data-layout="sidebar-right"><div class="single-post-wrap entry-content">{body_blocks(post)}</div>'
               f'<div class="section section-blog-info"><div class="row"><div class="col-md-6"><div class="entry-categories">'
               f'Categories: {cats}</div><div class="entry-tags">{tags}</div></div></div></div>{comments(post)}</div>'
               f'<div class="col-md-3 blog-sidebar-wrapper">{sidebar()}</div></div></article></div></div></div>')
    return page(wp_head(post, url), f'<div class="wrapper post-{post.post_id} post type-post status-publish hentry">'
                f'{site_header()}{header}{article}</div>', single_classes(post) + " header-layout-default")


def genesis(post: ThemePost, url: str) -> str:
    cats, tags = wp_terms(post)
    article = (f'<article class="{article_classes(post)} entry" aria-label="{esc(post.title)}" itemscope itemtype='
               f'"https://schema.org/CreativeWork"><header class="entry-header"><h1 class="entry-title" itemprop="headline">'
               f'{esc(post.title)}</h1><p class="entry-meta"><time class="entry-time" itemprop="datePublished" datetime="'
               f'{post.published.isoformat()}">{post.long_date()}</time> by <span class="entry-author" itemprop="author" '
               f'itemscope itemtype="https://schema.org/Person"><a href="{ORIGIN}/author/{slugify(post.author)}/" class='
               f'"entry-author-link" rel="author" itemprop="url"><span class="entry-author-name" itemprop="name">'
               f'{esc(post.author)}</span></a></span> <span class="entry-comments-link"><a href="{url}#comments">1 Comment'
               f'</a></span></p></header><div class="entry-content" itemprop="text">{body_blocks(post)}</div>'
               f'<footer class="entry-footer"><p class="entry-meta"><span class="entry-categories">Filed Under: {cats}</span> '
               f'<span class="entry-tags">Tagged With: {tags}</span></p></footer></article>')
    return page(wp_head(post, url), f'<div class="site-container">{site_header()}<div class="site-inner"><div class="content-sidebar-wrap">'
                f'<main class="content" id="genesis-content">{article}{comments(post)}</main>{sidebar()}</div></div></div>',
                single_classes(post) + " header-full-width content-sidebar genesis-breadcrumbs-hidden")


def magazine_yoast(post: ThemePost, url: str) -> str:
    """A news/magazine theme (ColorMag-like) with Yoast SEO: JSON-LD graph in UTC, Person author."""
    utc = post.utc.isoformat()
    person = f"{ORIGIN}/#/schema/person/{post.post_id:x}"
    graph = {"@context": "https://schema.org", "@graph": [
        {"@type": "Article", "@id": f"{url}#article", "isPartOf": {"@id": url}, "author": {"name": post.author, "@id": person},
         "headline": post.title, "datePublished": utc, "dateModified": utc, "mainEntityOfPage": {"@id": url},
         "publisher": {"@id": f"{ORIGIN}/#organization"}, "keywords": post.tags, "articleSection": post.categories,
         "inLanguage": "en-US"},
        {"@type": "WebPage", "@id": url, "url": url, "name": f"{post.title} - {SITE}", "datePublished": utc},
        {"@type": "WebSite", "@id": f"{ORIGIN}/#website", "url": ORIGIN + "/", "name": SITE},
        {"@type": "Organization", "@id": f"{ORIGIN}/#organization", "name": SITE},
        {"@type": "Person", "@id": person, "name": post.author, "url": f"{ORIGIN}/author/{slugify(post.author)}/"}]}
    extra = (f'<meta property="og:locale" content="en_US"><meta property="og:type" content="article">'
             f'<meta property="og:title" content="{esc(post.title)} - {SITE}"><meta property="og:url" content="{url}">'
             f'<meta property="og:site_name" content="{SITE}"><meta property="article:published_time" content="{utc}">'
             f'<meta name="author" content="{esc(post.author)}"><link rel="canonical" href="{url}">'
             f'<script type="application/ld+json" class="yoast-schema-graph">{json.dumps(graph)}</script>')
    cats = "".join(f'<a href="{ORIGIN}/category/{slugify(c)}/" style="background:#289dcc" rel="category tag">{esc(c)}</a>'
                   for c in post.categories)
    tags = ", ".join(f'<a href="{ORIGIN}/tag/{slugify(t)}/" rel="tag">{esc(t)}</a>' for t in post.tags)
    box = (f'<div class="author-box"><div class="author-img"></div><h4 class="author-name">{esc(post.related[1][:18])}</h4>'
           f'<p class="author-description">Guest editor.</p><a href="{ORIGIN}/author/x/" class="author-url">View Archive &rarr;</a></div>')
    article = (f'<article id="post-{post.post_id}" class="{article_classes(post)}"><div class="article-content clearfix">'
               f'<div class="above-entry-meta"><span class="cat-links">{cats}</span></div><header class="entry-header">'
               f'<h1 class="entry-title">{esc(post.title)}</h1></header><div class="below-entry-meta"><span class="posted-on">'
               f'<a href="{url}" rel="bookmark"><span class="entry-date published">{post.long_date()}</span></a></span>'
               f'<span class="byline"><span class="author vcard"><a class="url fn n" href="{ORIGIN}/author/x/">View Archive &rarr;'
               f'</a></span></span><span class="comments"><a href="{url}#respond">No Comments</a></span>'
               f'<span class="tag-links">{tags}</span></div><div class="entry-content clearfix">{body_blocks(post)}</div></div>'
               f'{box}{related(post)}</article>')
    return page(wp_head(post, url, extra, "-"), f'<div id="page" class="hfeed site">{site_header()}<div id="main" class="clearfix">'
                f'<div class="inner-wrap"><div id="primary"><div id="content" class="clearfix">{article}{comments(post)}</div>'
                f'</div><div id="secondary">{sidebar()}</div></div></div></div>', single_classes(post) + " wide")


def static_export(post: ThemePost, url: str) -> str:
    """A WordPress 5.7 blog saved as a static site (Simply Static): no REST, no JSON-LD, no entry-title,
    h1.page-title, the date only as text and in the permalink."""
    cats, tags = wp_terms(post)
    head = (f'<meta charset="UTF-8"><title>{esc(post.title)} &#8211; {SITE}</title>'
            f'<link rel="stylesheet" href="{ORIGIN}/wp-content/themes/harbour/style.css">'
            f'<meta name="generator" content="WordPress 5.7.2">')
    body = (f'{site_header()}<div id="content" class="site-content"><header class="page-header">'
            f'<h1 class="page-title">{esc(post.title)}</h1></header><div class="container">'
            f'<article id="post-{post.post_id}" class="{article_classes(post)}"><div class="post-meta">{post.long_date()}'
            f' &middot; {cats}</div><div class="entry-content">{body_blocks(post)}</div><div class="post-footer">{tags}</div>'
            f'</article></div></div>')
    return page(head, body, single_classes(post))


def twentytwentyone_export(post: ThemePost, url: str) -> str:
    """Twenty Twenty-One as a WP2Static export: meta in the entry footer, no REST link."""
    cats, tags = wp_terms(post)
    article = (f'<article id="post-{post.post_id}" class="{article_classes(post)} entry"><header class="entry-header alignwide">'
               f'<h1 class="entry-title">{esc(post.title)}</h1></header><div class="entry-content">{body_blocks(post)}</div>'
               f'<footer class="entry-footer default-max-width"><div class="posted-by"><span class="posted-on">Published '
               f'<time class="entry-date published updated" datetime="{post.published.isoformat()}">{post.long_date()}</time>'
               f'</span><span class="byline">By <a href="{ORIGIN}/author/{slugify(post.author)}/" rel="author">{esc(post.author)}'
               f'</a></span></div><div class="post-taxonomies"><span class="cat-links">Categorized as {cats} </span>'
               f'<span class="tags-links">Tagged {tags}</span></div></footer></article>')
    return page(wp_head(post, url), f'<div id="page" class="site">{site_header()}<div id="content" class="site-content">'
                f'<div id="primary" class="content-area"><main id="main" class="site-main">{article}{comments(post)}</main>'
                f'</div></div></div>', single_classes(post) + " is-light-theme")


WORDPRESS: dict[str, Callable] = {
    "twentyeleven": twentyeleven, "twentyseventeen": twentyseventeen, "twentytwentyfour": twentytwentyfour,
    "twentytwentyone-wp2static": twentytwentyone_export, "astra": astra, "generatepress": generatepress,
    "oceanwp": oceanwp, "hestia": hestia, "genesis": genesis, "magazine-yoast": magazine_yoast,
    "simply-static-export": static_export,
}

# -- other generators -------------------------------------------------------------------------


def generic_head(post: ThemePost, title: str, extra: str = "") -> str:
    return f'<meta charset="utf-8"><title>{esc(title)}</title><meta name="viewport" content="width=device-width">{extra}'


def hugo(post: ThemePost, url: str) -> str:
    """A Hugo theme with no JSON-LD, OpenGraph or h-entry: title in an h1, date as text."""
    tags = "".join(f'<li><a href="{ORIGIN}/tags/{slugify(t)}/">{esc(t)}</a></li>' for t in post.tags)
    body = (f'<header class="header"><nav class="nav"><div class="logo"><a href="{ORIGIN}/" accesskey="h" title="{SITE} (Alt + H)">'
            f'{SITE}</a></div></nav></header><main class="main"><article class="post-single"><header class="post-header">'
            f'<h1 class="post-title">{esc(post.title)}</h1><div class="post-meta">{post.long_date()}&nbsp;·&nbsp;4 min&nbsp;·&nbsp;'
            f'{esc(post.author)}</div></header><div class="post-content">{body_blocks(post, "plain")}</div>'
            f'<footer class="post-footer"><ul class="post-tags">{tags}</ul></footer></article></main>'
            f'<footer class="footer"><span>&copy; 2021 {SITE}</span></footer>')
    return page(generic_head(post, f"{post.title} | {SITE}"), body, "list")


def jekyll(post: ThemePost, url: str) -> str:
    """Jekyll's minima with jekyll-seo-tag: h-entry, microdata, JSON-LD BlogPosting."""
    ld = {"@context": "https://schema.org", "@type": "BlogPosting", "headline": post.title, "url": url,
          "datePublished": post.published.isoformat(), "dateModified": post.published.isoformat(),
          "author": {"@type": "Person", "name": post.author}, "mainEntityOfPage": {"@type": "WebPage", "@id": url}}
    extra = (f'<meta name="generator" content="Jekyll v4.3.2"><meta property="og:title" content="{esc(post.title)}">'
             f'<meta name="author" content="{esc(post.author)}"><meta property="og:site_name" content="{SITE}">'
             f'<meta property="og:type" content="article"><meta property="article:published_time" content="'
             f'{post.published.isoformat()}"><link rel="canonical" href="{url}">'
             f'<script type="application/ld+json">{json.dumps(ld)}</script>'
             f'<link type="application/atom+xml" rel="alternate" href="{ORIGIN}/feed.xml" title="{SITE}">')
    body = (f'<header class="site-header" role="banner"><div class="wrapper"><a class="site-title" rel="author" href="/">{SITE}</a>'
            f'</div></header><main class="page-content" aria-label="Content"><div class="wrapper"><article class="post h-entry" '
            f'itemscope itemtype="http://schema.org/BlogPosting"><header class="post-header"><h1 class="post-title p-name" '
            f'itemprop="name headline">{esc(post.title)}</h1><p class="post-meta"><time class="dt-published" datetime="'
            f'{post.published.isoformat()}" itemprop="datePublished">{post.short_date()}</time> • <span itemprop="author" '
            f'itemscope itemtype="http://schema.org/Person"><span class="p-author h-card" itemprop="name">{esc(post.author)}'
            f'</span></span></p></header><div class="post-content e-content" itemprop="articleBody">{body_blocks(post, "plain")}'
            f'</div><a class="u-url" href="{url}" hidden></a></article></div></main>')
    return page(generic_head(post, f"{post.title} | {SITE}", extra), body)


def ghost(post: ThemePost, url: str) -> str:
    """Ghost (Casper): primary tag above the title, JSON-LD Article, article:tag."""
    tag = post.tags[0]
    ld = {"@context": "https://schema.org", "@type": "Article", "publisher": {"@type": "Organization", "name": SITE},
          "author": {"@type": "Person", "name": post.author, "url": f"{ORIGIN}/author/{slugify(post.author)}/"},
          "headline": post.title, "url": url, "datePublished": post.utc.isoformat().replace("+00:00", ".000Z"),
          "dateModified": post.utc.isoformat().replace("+00:00", ".000Z"), "keywords": tag, "description": "Notes."}
    extra = (f'<link rel="canonical" href="{url}"><meta property="og:site_name" content="{SITE}"><meta property="og:type" '
             f'content="article"><meta property="og:title" content="{esc(post.title)}"><meta property="article:published_time" '
             f'content="{post.utc.isoformat().replace("+00:00", ".000Z")}"><meta property="article:tag" content="{esc(tag)}">'
             f'<script type="application/ld+json">{json.dumps(ld)}</script><meta name="generator" content="Ghost 5.82">'
             f'<link rel="alternate" type="application/rss+xml" title="{SITE}" href="{ORIGIN}/rss/">')
    body = (f'<div class="viewport"><header id="gh-head" class="gh-head outer"><a class="gh-head-logo" href="{ORIGIN}">{SITE}</a>'
            f'</header><div class="site-content"><main id="site-main" class="site-main"><article class="article post tag-'
            f'{slugify(tag)}"><header class="article-header gh-canvas"><div class="article-tag post-card-tags"><span class='
            f'"post-card-primary-tag"><a href="{ORIGIN}/tag/{slugify(tag)}/">{esc(tag)}</a></span></div><h1 class="article-title">'
            f'{esc(post.title)}</h1><div class="article-byline"><section class="article-byline-content"><div class="article-byline-meta">'
            f'<h4 class="author-name"><a href="{ORIGIN}/author/{slugify(post.author)}/">{esc(post.author)}</a></h4><div class='
            f'"byline-meta-content"><time class="byline-meta-date" datetime="{post.published:%Y-%m-%d}">{post.short_date()}'
            f'</time><span class="byline-reading-time"><span class="bull">&bull;</span> 4 min read</span></div></div></section>'
            f'</div></header><section class="gh-content gh-canvas">{body_blocks(post, "plain")}</section></article></main>'
            f'<aside class="read-more-wrap outer"><div class="read-more inner"><article class="post-card"><h2 class="post-card-title">'
            f'{esc(post.related[0])}</h2></article></div></aside></div></div>')
    return page(generic_head(post, post.title, extra), body, "post-template")


def substack_like(post: ThemePost, url: str) -> str:
    """A newsletter platform's post page: JSON-LD NewsArticle in UTC, subscribe boxes inside the text."""
    ld = {"@context": "https://schema.org", "@type": "NewsArticle", "url": url, "mainEntityOfPage": url,
          "headline": post.title, "description": "A letter from the quay.",
          "datePublished": post.utc.isoformat(), "dateModified": post.utc.isoformat(), "isAccessibleForFree": True,
          "author": [{"@type": "Person", "name": post.author, "url": f"{ORIGIN}/@{slugify(post.author)}"}],
          "publisher": {"@type": "Organization", "name": SITE}}
    extra = (f'<meta property="og:title" content="{esc(post.title)}"><meta property="og:type" content="article">'
             f'<meta name="author" content="{esc(post.author)}"><link rel="canonical" href="{url}">'
             f'<script type="application/ld+json">{json.dumps(ld)}</script>')
    sub = ('<div class="subscription-widget-wrap"><div class="subscription-widget show-subscribe"><div class="preamble">'
           '<p>Thanks for reading! Subscribe for free to receive new posts.</p></div><form class="subscription-widget-subscribe">'
           '<input type="email" placeholder="Type your email…"><input type="submit" value="Subscribe"></form></div></div>')
    text = body_blocks(post, "plain")
    body = (f'<div id="entry"><div class="main-menu"><a class="navbar-title-link" href="{ORIGIN}">{SITE}</a></div>'
            f'<div class="container"><div class="single-post-container"><div class="single-post"><article class="typography '
            f'newsletter-post post"><div class="post-header"><h1 dir="auto" class="post-title published">{esc(post.title)}</h1>'
            f'<h3 dir="auto" class="subtitle">A letter from the quay</h3><div class="post-meta"><div class="profile-hover-card-target">'
            f'<a href="{ORIGIN}/@{slugify(post.author)}" class="pencraft frontend-pencraft-Text-module__decoration-hover-underline">'
            f'{esc(post.author)}</a></div><div class="pencraft pc-reset color-pub-secondary-text">{post.short_date()}</div></div></div>'
            f'<div class="available-content"><div dir="auto" class="body markup">{text}{sub}</div></div>'
            f'<div class="post-footer"><div class="like-button-container"><span>12</span></div><a class="share">Share</a>'
            f'</div></article></div></div></div></div>')
    return page(generic_head(post, f"{post.title} - by {post.author}", extra), body)


def medium_like(post: ThemePost, url: str) -> str:
    """A publishing platform's story page: generated class names, data-testid hooks, tags at the end."""
    ld = {"@context": "http://schema.org", "@type": "NewsArticle", "headline": post.title, "name": post.title,
          "url": url, "datePublished": post.utc.isoformat().replace("+00:00", ".123Z"),
          "dateModified": post.utc.isoformat().replace("+00:00", ".123Z"),
          "author": {"@type": "Person", "name": post.author, "url": f"{ORIGIN}/@{slugify(post.author)}"},
          "publisher": {"@type": "Organization", "name": "Medium-like"}, "keywords": [f"Tag:{t}" for t in post.tags]}
    extra = (f'<meta property="og:title" content="{esc(post.title)}"><meta property="og:type" content="article">'
             f'<meta property="article:published_time" content="{post.utc.isoformat().replace("+00:00", ".123Z")}">'
             f'<meta name="author" content="{esc(post.author)}"><link rel="canonical" href="{url}">'
             f'<script type="application/ld+json">{json.dumps(ld)}</script>')
    paras = "".join(f'<p id="p{i}" class="pw-post-body-paragraph nx ny gu nz b oa ob oc od oe">{esc(t)}</p>'
                    for i, t in enumerate(post.paragraphs[1:]))
    img = f"{ORIGIN}/max/1400/quay-{post.post_id}.jpeg"
    tags = "".join(f'<div class="ab cb"><a href="{ORIGIN}/tag/{slugify(t)}?source=post_page" rel="noopener follow">'
                   f'<div class="xj em cx xk go xl xm bf b bg z bk xn">{esc(t)}</div></a></div>' for t in post.tags)
    body = (f'<div id="root"><div class="a b c"><nav class="ab">{SITE}</nav><article><div class="l"><section><div class="fi fj">'
            f'<h1 id="t1" class="pw-post-title gt gu gv bf gw gx gy" data-testid="storyTitle">{esc(post.title)}</h1>'
            f'<div class="speechify-ignore ab cp"><div class="ab"><a href="{ORIGIN}/@{slugify(post.author)}?source=post_page" '
            f'data-testid="authorName">{esc(post.author)}</a></div><div class="ab ae"><span data-testid="storyReadTime">'
            f'4 min read</span><span>·</span><span data-testid="storyPublishDate">{post.short_date()}</span></div></div>'
            f'<p id="p0" class="pw-post-body-paragraph nx ny gu nz b oa ob oc od oe">{esc(post.paragraphs[0])}</p>'
            f'<h2 id="h1" class="pw-post-body-heading">{esc(post.subheading)}</h2>'
            f'<figure class="pc pd pe"><div class="pg"><picture><img alt="the quay" class="bg lp" width="700" height="467" '
            f'src="{img}"></picture></div><figcaption class="pt fe pu pi pj pv pw bf b bg z dt" data-selectable-paragraph="">'
            f'{esc(post.caption)}</figcaption></figure>{paras}</div></section></div></article>'
            f'<div class="ab ca"><div class="ab cb xi">{tags}</div></div><div class="responses">'
            f'<p>Write a response</p></div></div></div>')
    return page(generic_head(post, f"{post.title} | by {post.author} | {SITE}", extra), body)


def pelican(post: ThemePost, url: str) -> str:
    """Pelican's notmyidea theme: h1.entry-title, abbr.published, category and tags in the post footer."""
    tags = ", ".join(f'<a href="{ORIGIN}/tag/{slugify(t)}.html">{esc(t)}</a>' for t in post.tags)
    cat = post.categories[0]
    body = (f'<header id="banner" class="body"><h1><a href="{ORIGIN}/">{SITE}</a></h1><nav><ul><li class="active">'
            f'<a href="{ORIGIN}/category/{slugify(cat)}.html">{esc(cat)}</a></li></ul></nav></header>'
            f'<section id="content" class="body"><article><header><h1 class="entry-title"><a href="{url}" rel="bookmark" '
            f'title="Permalink to {esc(post.title)}">{esc(post.title)}</a></h1></header><div class="entry-content">'
            f'<footer class="post-info"><abbr class="published" title="{post.published.isoformat()}">'
            f'{post.published:%a %d %B %Y}</abbr><address class="vcard author">By <a class="url fn" href="{ORIGIN}/author/'
            f'{slugify(post.author)}.html">{esc(post.author)}</a></address><p>In <a href="{ORIGIN}/category/{slugify(cat)}.html">'
            f'{esc(cat)}</a>.</p><p>tags: {tags}</p></footer>{body_blocks(post, "plain")}</div></article></section>'
            f'<section id="extras" class="body"><div class="blogroll"><h2>links</h2></div></section>'
            f'<footer id="contentinfo" class="body"><address id="about" class="vcard body">Proudly powered by Pelican</address></footer>')
    extra = f'<link href="{ORIGIN}/feeds/all.atom.xml" type="application/atom+xml" rel="alternate" title="{SITE} Full Atom Feed">'
    return page(generic_head(post, f"{post.title} - {SITE}", extra), body)


def handwritten(post: ThemePost, url: str) -> str:
    """A page written by hand: no metadata, no classes; the date as a line of text."""
    paras = "".join(f"<p>{esc(t)}</p>" for t in post.paragraphs[1:])
    img = f"{ORIGIN}/pics/quay-{post.post_id}.jpg"
    body = (f'<p><a href="{ORIGIN}/">home</a> | <a href="{ORIGIN}/diary/">diary</a></p><hr><h1>{esc(post.title)}</h1>'
            f'<p><i>{post.published:%A}, {post.day_month_year()}</i></p><p>{esc(post.paragraphs[0])}</p>'
            f'<h2>{esc(post.subheading)}</h2><p><img src="{img}" alt="the quay"><br><small>{esc(post.caption)}</small></p>'
            f'{paras}<hr><p><a href="{ORIGIN}/diary/">back to the diary</a></p>')
    return page(f"<title>{esc(post.title)}</title>", body)


GENERATORS: dict[str, Callable] = {
    "hugo": hugo, "jekyll": jekyll, "ghost": ghost, "pelican": pelican, "substack-like": substack_like,
    "medium-like": medium_like, "handwritten": handwritten,
}


def _url(family: str, theme: str, post: ThemePost) -> str:
    if family == "wordpress":
        return ORIGIN + post.path("date")
    if theme in ("ghost", "substack-like", "medium-like"):
        return f"{ORIGIN}/p/{post.slug}"
    if theme == "pelican":
        return f"{ORIGIN}/{post.slug}.html"
    if theme == "handwritten":
        return f"{ORIGIN}/diary/{post.slug}.html"
    return f"{ORIGIN}/posts/{post.slug}/"


def truth(family: str, theme: str, post: ThemePost) -> dict:
    """What a reader sees on the page."""
    if family == "wordpress":
        labels = post.categories + post.tags
    elif theme == "ghost":
        labels = post.tags[:1]
    elif theme == "pelican":
        labels = post.categories + post.tags
    elif theme in ("hugo", "medium-like"):
        labels = list(post.tags)
    else:
        labels = []
    blocks = truth_blocks(post)
    return {"title": post.title, "day": post.published.date().isoformat(), "author": post.author,
            "labels": labels, "text_blocks": blocks,
            # the author is on the page and marked as such (a byline, structured data)
            "author_marked": theme not in ("handwritten", "simply-static-export", "hugo")}


def theme_pages(per_theme: int = 3) -> Iterator[tuple[str, str, str, str, dict]]:
    """(family, theme, url, html, truth) for every theme, ``per_theme`` posts each."""
    for family, renderers in (("wordpress", WORDPRESS), ("generic", GENERATORS)):
        for seed, (theme, render) in enumerate(renderers.items()):
            for post in make_posts(per_theme, seed + (0 if family == "wordpress" else 40)):
                url = _url(family, theme, post)
                yield family, theme, url, render(post, url), truth(family, theme, post)


# -- a whole blog in one theme, served over HTTP ---------------------------------------------


def wp_home(theme: str, posts: list[ThemePost]) -> str:
    """The blog's home page: the latest posts as WordPress lists them (``rel=bookmark`` titles)."""
    items = "".join(
        f'<article id="post-{p.post_id}" class="{article_classes(p)}"><header class="entry-header"><h2 class="entry-title">'
        f'<a href="{ORIGIN}{p.path()}" rel="bookmark">{esc(p.title)}</a></h2><div class="entry-meta">{p.long_date()}</div>'
        f'</header><div class="entry-summary"><p>{esc(p.paragraphs[0][:120])}</p></div></article>' for p in posts)
    head = (f'<meta charset="UTF-8"><title>{SITE}</title><meta name="generator" content="WordPress 5.7.2">'
            f'<link rel="stylesheet" href="{ORIGIN}/wp-content/themes/{theme}/style.css">')
    return page(head, f'{site_header()}<main id="main" class="site-main">{items}</main>', "home blog")


class ThemeBlogServer:
    """One WordPress theme's blog (home page and post pages, no REST API, no feed — a static
    export) on a real local HTTP server; ``truth[url]`` is what each post page shows."""

    def __init__(self, theme: str, n_posts: int = 4, seed: int = 7):
        from .wordpress import FixtureServer

        self.theme, self.render = theme, WORDPRESS[theme]
        self.posts = make_posts(n_posts, seed)
        self.server = FixtureServer(self.route)
        self.origin = self.server.origin
        self.url = self.server.url
        self.truth = {self.origin + p.path(): truth("wordpress", theme, p) for p in self.posts}

    def route(self, path: str, query: dict):
        from .wordpress import Reply

        html = "text/html; charset=utf-8"
        if path == "/robots.txt":
            return Reply(200, "text/plain", b"User-agent: *\nAllow: /\n")
        if path == "/" and not query:
            return Reply(200, html, self._local(wp_home(self.theme, self.posts)))
        for post in self.posts:
            if path == post.path():
                return Reply(200, html, self._local(self.render(post, ORIGIN + post.path())))
        return Reply(404, html, b"<html><body>Not found</body></html>")

    def _local(self, text: str) -> bytes:
        return text.replace(ORIGIN, self.origin).encode("utf-8")

    def paths(self) -> list[str]:
        return self.server.paths()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.server.stop()
