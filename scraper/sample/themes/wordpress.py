"""Single-post pages of WordPress themes: the defaults (Twenty Eleven, Seventeen,
Twenty-One as a static export, Twenty-Four), Astra, GeneratePress, OceanWP, Hestia,
Genesis, a magazine theme with an SEO plugin, and a Simply Static export."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Callable

from ..content import slugify
from ..markup import esc
from .pieces import (
    ORIGIN,
    SITE,
    ThemePost,
    article_classes,
    body_blocks,
    comments,
    page,
    related,
    sidebar,
    single_classes,
    site_header,
    wp_head,
    wp_terms,
)


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

