"""Current-theme family (Contempo/Soho/Notable markup, 2017-).

Listings show snippets only ('Read more'); the full body, JSON-LD and
comments are on the post page."""
from __future__ import annotations

import json

from .. import locales
from ..markup import (body_html, canonical_url, esc, head_links, image_url, label_links, page_title,
                      profile_url, show_comment_url, snippet)
from ..pages import iso
from ..widgets import archive_widget, labels_widget, links_widget


def render(blog, page, origin, image_origin, sidebar) -> str:
    loc = blog.locale
    single = page.kind == "post"
    out = ["<!DOCTYPE html>", f"<html dir='ltr' lang='{loc}'>", "<head>",
           "<meta content='width=device-width, initial-scale=1' name='viewport'/>",
           head_links(blog, origin, page_title(blog, page), canonical_url(origin, page), page.post, image_origin),
           "</head>", f"<body class='version-1-3-3 variant-indie_light {'item-view' if single else 'feed-view'}'>",
           "<div class='bg-photo-overlay'></div>", "<div class='page'>",
           "<header class='centered-top-container' role='banner'><div class='centered-top'>",
           "<div class='section' id='header'><div class='widget Header' data-version='2' id='Header1'>",
           f"<div class='header-widget'><div><h1><a href='{origin}/'>{esc(blog.title)}</a></h1></div>",
           f"<p>{esc(blog.description)}</p></div></div></div></div></header>",
           "<div class='page_body'><div class='centered'>",
           "<main class='centered-bottom' id='main' role='main' tabindex='-1'>",
           "<div class='main section' id='page_body'><div class='widget Blog' data-version='2' id='Blog1'>",
           "<div class='blog-posts hfeed container'>"]
    if page.kind == "label":
        out.append(f"<div class='post-filter-message'><div>{esc(locales.s(loc, 'labels'))} "
                   f"<span class='search-label'>{esc(page.label)}</span></div></div>")
    for p in page.posts:
        out.append(_post(blog, p, origin, image_origin, single))
    out.append("</div>")
    out.append(_pager(blog, page, origin))
    out.append("</div></div></main>")
    out.append("<aside class='sidebar-container container sidebar-invisible' role='complementary'>"
               "<div class='sidebar_bottom section' id='sidebar_bottom'>")
    out.append(sidebar(lambda: "\n".join([archive_widget(blog, origin, "h3 class='title'").replace("</h3 class='title'>", "</h3>"),
                                          labels_widget(blog, origin, "h3 class='title'").replace("</h3 class='title'>", "</h3>"),
                                          links_widget(blog, origin, "h3 class='title'").replace("</h3 class='title'>", "</h3>")])))
    out.append("</div></aside></div></div></div>\n</body>\n</html>")
    return "\n".join(out)


def _json_ld(blog, p, origin, image_origin) -> str:
    data = {"@context": "http://schema.org", "@type": "BlogPosting",
            "mainEntityOfPage": {"@type": "WebPage", "@id": origin + p.path},
            "headline": p.title, "description": snippet(p, 150),
            "datePublished": iso(p.published), "dateModified": iso(p.updated),
            "publisher": {"@type": "Organization", "name": "Blogger"},
            "author": {"@type": "Person", "name": p.author}}
    if p.images:
        data["image"] = {"@type": "ImageObject", "url": image_url(image_origin, p.images[0], "w1200-h630-p-k-no-nu"),
                         "height": 630, "width": 1200}
    # '</' can't appear inside a script element.
    return ("<script type='application/ld+json'>" + json.dumps(data, ensure_ascii=False).replace("</", "<\\/")
            + "</script>")


def _post(blog, p, origin, image_origin, single) -> str:
    loc = blog.locale
    url = origin + p.path
    out = ["<article class='post-outer-container'>", "<div class='post-outer'>",
           "<div class='post'>"]
    if single:
        out.append(_json_ld(blog, p, origin, image_origin))
    out.append(f"<a name='{p.post_id}'></a>")
    if p.title:
        title = esc(p.title) if single else f"<a href='{url}'>{esc(p.title)}</a>"
        out.append(f"<h3 class='post-title entry-title'>\n{title}\n</h3>")
    out += ["<div class='post-header'>", "<div class='post-header-line-1'>",
            "<span class='byline post-author vcard'>",
            f"<span class='byline-label'>{locales.s(loc, 'by')}</span>",
            "<span class='fn'>", f"<meta content='{profile_url(p.author)}'/>",
            f"<a class='g-profile' href='{profile_url(p.author)}' rel='author' title='author profile'>",
            f"<span>{esc(p.author)}</span>", "</a>", "</span>", "</span>",
            "<span class='byline post-timestamp'>", f"<meta content='{url}'/>",
            f"<a class='timestamp-link' href='{url}' rel='bookmark' title='permanent link'>",
            f"<time class='published' datetime='{iso(p.published)}' title='{iso(p.published)}'>"
            f"{esc(locales.short_date(p.published, loc))}</time>", "</a>", "</span>", "</div>", "</div>"]
    if single:
        out += ["<div class='post-body-container'>",
                f"<div class='post-body entry-content float-container' id='post-body-{p.post_id}'>",
                body_html(p, blog, image_origin), "</div>", "</div>"]
    else:
        if p.images:
            out.append(f"<div class='snippet-thumbnail'><a href='{url}'><img alt='{esc(p.images[0].alt)}' "
                       f"sizes='(max-width: 800px) 100vw, 256px' src='{image_url(image_origin, p.images[0], 'w256-h256-p-k-no-nu')}'/></a></div>")
        out += ["<div class='container post-body entry-content' id='post-snippet-" + p.post_id + "'>",
                "<div class='snippet-container r-snippetized'>",
                f"<div class='snippet-item r-snippetized'>{esc(snippet(p))}</div>",
                "<a class='snippet-fade r-snippetized' href='#'></a>", "</div>", "</div>",
                "<div class='jump-link flat-button'>",
                f"<a href='{url}' title='{esc(p.title)}'>{locales.s(loc, 'keep_reading')}</a>", "</div>"]
    out += ["<div class='post-footer'>", "<div class='post-footer-line post-footer-line-0'>"]
    if p.labels:
        out.append("<span class='byline post-labels'>")
        out.append(f"<span class='byline-label'>{locales.s(loc, 'labels')}</span>")
        out.append("".join(f"<a href='{href}' rel='tag'>{esc(label)}</a>" for label, href in label_links(p, origin)))
        out.append("</span>")
    if not single:
        out.append(f"<span class='byline post-comment-link container'><a class='comment-link flat-button ripple' "
                   f"href='{url}#comments' title='{esc(p.title)}'>{len(p.comments)}</a></span>")
    out += ["</div>", "</div>", "</div>", "</div>"]
    if single:
        out.append(_comments(blog, p, origin))
    out.append("</article>")
    return "\n".join(out)


def _comments(blog, p, origin) -> str:
    loc = blog.locale
    items = []
    for c in p.comments[:blog.comments_in_page]:  # None: all; Blogger shows 200, loads more by script
        link = show_comment_url(origin, p, c)
        items.append(
            f'<li class="comment" id="c{c.comment_id}"><div class="avatar-image-container">'
            '<img class="avatar-image" src="//resources.blogblog.com/img/blank.gif" alt=""/></div>'
            f'<div class="comment-block"><div class="comment-author"><cite class="user">{esc(c.author)}</cite></div>'
            f'<div class="comment-header"><span class="datetime secondary-text"><a rel="nofollow" href="{esc(link)}">'
            f'{esc(locales.comment_time(c.published, loc))}</a></span></div>'
            f'<p class="comment-content">{esc(c.body)}</p>'
            f'<span class="comment-actions secondary-text"><a class="comment-reply" target="_self" '
            f'data-comment-id="{c.comment_id}">{locales.s(loc, "reply")}</a></span></div>'
            f'<div class="comment-replies"><div id="c{c.comment_id}-rt" class="comment-thread inline-thread hidden">'
            f'<ol id="c{c.comment_id}-ra" class="thread-chrome thread-expanded"><div></div></ol></div></div></li>')
    return (f"<section class='comments threaded' data-embed='true' data-num-comments='{len(p.comments)}' id='comments'>\n"
            "<a name='comments'></a>\n<h3 class='title'>Comments</h3>\n<div class='comments-content'>\n"
            '<div id="comment-holder"><div class="comment-thread toplevel-thread"><ol id="top-ra">'
            + "".join(items) + "</ol></div></div>\n</div>\n"
            f"<div class='comment-footer'><div class='comment-form'><a name='comment-form'></a>"
            f"<h4 id='comment-post-message'>{locales.s(loc, 'post_comment')}</h4></div></div>\n</section>")


def _pager(blog, page, origin) -> str:
    loc = blog.locale
    out = ["<div class='blog-pager container' id='blog-pager'>"]
    if page.kind == "post":
        if page.newer_post:
            out.append(f"<a class='blog-pager-newer-link' href='{origin}{page.newer_post.path}' "
                       f"id='Blog1_blog-pager-newer-link' title='{locales.s(loc, 'newer_post')}'>{locales.s(loc, 'newer_post')}</a>")
        if page.older_post:
            out.append(f"<a class='blog-pager-older-link' href='{origin}{page.older_post.path}' "
                       f"id='Blog1_blog-pager-older-link' title='{locales.s(loc, 'older_post')}'>{locales.s(loc, 'older_post')}</a>")
    else:
        if page.newer_url:
            out.append(f"<a class='blog-pager-newer-link flat-button ripple' href='{esc(origin + page.newer_url)}' "
                       f"id='Blog1_blog-pager-newer-link' title='{locales.s(loc, 'newer_posts')}'>{locales.s(loc, 'newer_posts')}</a>")
        if page.older_url:
            out.append(f"<a class='blog-pager-older-link flat-button ripple' href='{esc(origin + page.older_url)}' "
                       f"id='Blog1_blog-pager-older-link' title='{locales.s(loc, 'more_posts')}'>{locales.s(loc, 'more_posts')}</a>")
    out.append("</div>")
    return "\n".join(out)
