"""Post and listing pages in two theme markups: ``twentyten`` (classic ``div.hentry``)
and ``block`` (a block theme), with their images, galleries, comments and sidebar."""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from ..markup import esc
from .model import CATEGORIES, TAGS, WPBlog, WPComment, WPImage, WPPost, term_slug

LAZY_GIF = "data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7"


MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]


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
    return [f'<a href="{origin}/{base}/{term_slug(n)}/" rel="{rel}">{esc(n)}</a>' for n in names]


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
    cats = "".join(f'<li class="cat-item"><a href="{origin}/category/{term_slug(c)}/">{esc(c)}</a></li>'
                   for c in CATEGORIES if any(c in p.categories for p in blog.posts))
    months = sorted({(p.published.year, p.published.month) for p in blog.posts}, reverse=True)
    archive = "".join(f"<li><a href='{origin}/{y}/{m:02d}/'>{MONTHS[m - 1]} {y}</a></li>" for y, m in months)
    tags = "".join(f'<a href="{origin}/tag/{term_slug(t)}/" class="tag-cloud-link">{esc(t)}</a> '
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
    author = f'{origin}/author/{term_slug(post.author)}/'
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

