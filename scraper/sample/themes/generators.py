"""Single-post pages of other generators and platforms: Hugo, Jekyll, Ghost, Pelican, a
newsletter platform, a publishing platform and a hand-written page."""

from __future__ import annotations

import json
from typing import Callable

from ..content import slugify
from ..markup import esc
from .pieces import (
    ORIGIN,
    SITE,
    ThemePost,
    body_blocks,
    page,
)


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

