"""Markup pieces the theme pages share: the body with its figure, the head, comments,
related posts, sidebar, header and term links; and the body's text as shown."""

from __future__ import annotations

from ..content import slugify
from ..markup import esc
from .posts import ORIGIN, SITE, ThemePost


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

