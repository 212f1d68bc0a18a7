"""Layout-template family (Simple/Watermark/Picture Window era, 2010-2016 markup)."""
from __future__ import annotations

from .. import locales
from ..markup import (body_html, canonical_url, esc, head_links, label_links, page_title,
                      profile_url, show_comment_url)
from ..pages import iso
from ..widgets import archive_widget, labels_widget, links_widget


def render(blog, page, origin, image_origin, sidebar, post_markup=None) -> str:
    """``post_markup``: a layout theme's own rendering of one post (default: Simple/Watermark)."""
    loc = blog.locale
    post_markup = post_markup or _post
    post = page.post
    out = ["<!DOCTYPE html>",
           "<html class='v2' dir='ltr' xmlns='http://www.w3.org/1999/xhtml' xmlns:b='http://www.google.com/2005/gml/b' "
           "xmlns:data='http://www.google.com/2005/gml/data' xmlns:expr='http://www.google.com/2005/gml/expr'>",
           "<head>", "<meta content='width=1100' name='viewport'/>",
           head_links(blog, origin, page_title(blog, page), canonical_url(origin, page), post, image_origin),
           "</head>", "<body class='loading'>",
           "<div class='content'><div class='content-outer'><div class='content-inner'>",
           "<header><div class='header-outer'><div class='region-inner header-inner'>",
           "<div class='header section' id='header'><div class='widget Header' data-version='1' id='Header1'>",
           "<div id='header-inner'><div class='titlewrapper'>",
           f"<h1 class='title'>\n<a href='{origin}/'>{esc(blog.title)}</a>\n</h1>",
           "</div><div class='descriptionwrapper'>",
           f"<p class='description'><span>{esc(blog.description)}</span></p>",
           "</div></div></div></div></div></div></header>",
           "<div class='main-outer'><div class='region-inner main-inner'><div class='columns fauxcolumns'>",
           "<div class='columns-inner'><div class='column-center-outer'><div class='column-center-inner'>",
           "<div class='main section' id='main'><div class='widget Blog' data-version='1' id='Blog1'>"]
    if page.kind == "label":
        out.append(f"<div class='status-msg-wrap'><div class='status-msg-body'>"
                   f"{esc(locales.s(loc, 'labels'))} <b>{esc(page.label)}</b></div></div>")
    out.append("<div class='blog-posts hfeed'>")
    last_day = None
    for p in page.posts:
        day = p.published.date()
        if day != last_day:
            if last_day is not None:
                out.append("</div></div>")
            # Date header only when the day changes (B14).
            out.append("<div class=\"date-outer\">\n<h2 class='date-header'><span>"
                       f"{esc(locales.date_header(p.published, loc))}</span></h2>\n<div class=\"date-posts\">")
            last_day = day
        out.append(post_markup(blog, p, origin, image_origin, single=page.kind == "post"))
    if last_day is not None:
        out.append("</div></div>")
    out.append("</div>")
    out.append(_pager(blog, page, origin))
    out.append("<div class='clear'></div>\n<div class='blog-feeds'><div class='feed-links'>"
               f"{locales.s(loc, 'subscribe')}\n<a class='feed-link' href='{origin}/feeds/posts/default' "
               f"target='_blank' type='application/atom+xml'>{locales.s(loc, 'posts_atom')}</a></div></div>")
    out.append("</div></div></div></div>")
    out.append("<div class='column-right-outer'><div class='column-right-inner'><aside>"
               "<div class='sidebar section' id='sidebar-right-1'>")
    out.append(sidebar(lambda: "\n".join([archive_widget(blog, origin), labels_widget(blog, origin),
                                          links_widget(blog, origin)])))
    out.append("</div></aside></div></div>")
    out.append("</div></div></div></div>")
    mobile = canonical_url(origin, page) + ("&m=1" if "?" in page.path else "?m=1")
    out.append(f"<div class='mobile-link-button'><a href='{esc(mobile)}'>{locales.s(loc, 'mobile')}</a></div>")
    out.append("</div></div></div>\n</body>\n</html>")
    return "\n".join(out)


def _post(blog, p, origin, image_origin, single: bool) -> str:
    loc = blog.locale
    url = origin + p.path
    out = ["<div class='post-outer'>",
           "<div class='post hentry uncustomized-post-template' itemprop='blogPost' itemscope='itemscope' "
           "itemtype='http://schema.org/BlogPosting'>"]
    if p.images:
        from ..markup import image_url
        out.append(f"<meta content='{image_url(image_origin, p.images[0], 's72-c')}' itemprop='image_url'/>")
    out += [f"<meta content='{blog.blog_id}' itemprop='blogId'/>",
            f"<meta content='{p.post_id}' itemprop='postId'/>",
            f"<a name='{p.post_id}'></a>"]
    if p.title:    # untitled posts have no h3 at all
        title = esc(p.title) if single else f"<a href='{url}'>{esc(p.title)}</a>"
        out.append(f"<h3 class='post-title entry-title' itemprop='name'>\n{title}\n</h3>")
    out.append("<div class='post-header'>\n<div class='post-header-line-1'></div>\n</div>")
    out.append(f"<div class='post-body entry-content' id='post-body-{p.post_id}' itemprop='description articleBody'>")
    out.append(body_html(p, blog, image_origin))
    out.append("<div style='clear: both;'></div>\n</div>")
    n = len(p.comments)
    count_text = (locales.s(loc, "no_comments") if n == 0 else locales.s(loc, "one_comment") if n == 1
                  else locales.s(loc, "n_comments", n=n)).rstrip(":")
    out += ["<div class='post-footer'>", "<div class='post-footer-line post-footer-line-1'>",
            "<span class='post-author vcard'>", locales.s(loc, "posted_by"),
            "<span class='fn' itemprop='author' itemscope='itemscope' itemtype='http://schema.org/Person'>",
            f"<meta content='{profile_url(p.author)}' itemprop='url'/>",
            f"<a class='g-profile' href='{profile_url(p.author)}' rel='author' title='author profile'>",
            f"<span itemprop='name'>{esc(p.author)}</span>", "</a>", "</span>", "</span>",
            "<span class='post-timestamp'>", locales.s(loc, "at"),
            f"<meta content='{url}' itemprop='url'/>",
            f"<a class='timestamp-link' href='{url}' rel='bookmark' title='permanent link'>"
            f"<abbr class='published' itemprop='datePublished' title='{iso(p.published)}'>"
            f"{locales.time_text(p.published, loc)}</abbr></a>", "</span>",
            "<span class='post-comment-link'>"]
    if not single:
        out.append(f"<a class='comment-link' href='{url}#comment-form' onclick=''>\n{esc(count_text)}\n</a>")
    out += ["</span>", "</div>", "<div class='post-footer-line post-footer-line-2'>", "<span class='post-labels'>"]
    if p.labels:
        out.append(locales.s(loc, "labels"))
        links = [f"<a href='{href}' rel='tag'>{esc(label)}</a>" for label, href in label_links(p, origin)]
        out.append(",\n".join(links))
    out += ["</span>", "</div>", "</div>", "</div>"]
    if single:
        out.append(_comments(blog, p, origin, count_text))
    out.append("</div>")
    return "\n".join(out)


def _comments(blog, p, origin, count_text) -> str:
    """Threaded-comments markup of layout templates (ids c<commentid>)."""
    loc = blog.locale
    items = []
    for c in p.comments[:blog.comments_in_page]:  # None: all; Blogger shows 200, loads more by script
        link = show_comment_url(origin, p, c)
        author = (esc(c.author) if c.author in ("Anonymous", "Anónimo") else
                  f'<a href="{profile_url(c.author)}" rel="nofollow">{esc(c.author)}</a>')
        items.append(
            f'<li class="comment" id="c{c.comment_id}"><div class="avatar-image-container">'
            '<img src="//resources.blogblog.com/img/blank.gif" alt=""/></div><div class="comment-block">'
            f'<div class="comment-header"><cite class="user">{author}</cite><span class="icon user "></span>'
            f'<span class="datetime secondary-text"><a rel="nofollow" href="{esc(link)}">'
            f'{esc(locales.comment_time(c.published, loc))}</a></span></div>'
            f'<p class="comment-content">{esc(c.body)}</p>'
            f'<span class="comment-actions secondary-text"><a class="comment-reply" target="_self" '
            f'data-comment-id="{c.comment_id}">{locales.s(loc, "reply")}</a></span></div>'
            f'<div class="comment-replies"></div><div class="comment-replybox-single" id="c{c.comment_id}-ce"></div></li>')
    return ("<div class='comments' id='comments'>\n<a name='comments'></a>\n"
            f"<h4>{esc(count_text)}:</h4>\n<div class='comments-content'>\n<div id='comment-holder'>"
            '<div class="comment-thread toplevel-thread"><ol id="top-ra">' + "".join(items) + "</ol></div></div>\n"
            "</div>\n<p class='comment-footer'>\n<div class='comment-form'>\n<a name='comment-form'></a>\n"
            f"<h4 id='comment-post-message'>{locales.s(loc, 'post_comment')}</h4>\n"
            f"<a href='https://www.blogger.com/comment/frame/{blog.blog_id}?po={p.post_id}&amp;hl={loc}' "
            "id='comment-editor-src'></a>\n</div>\n</p>\n</div>")


def _pager(blog, page, origin) -> str:
    loc = blog.locale
    out = ["<div class='blog-pager' id='blog-pager'>"]
    if page.kind == "post":
        if page.newer_post:
            out.append(f"<span id='blog-pager-newer-link'>\n<a class='blog-pager-newer-link' href='{origin}{page.newer_post.path}' "
                       f"id='Blog1_blog-pager-newer-link' title='{locales.s(loc, 'newer_post')}'>{locales.s(loc, 'newer_post')}</a>\n</span>")
        if page.older_post:
            out.append(f"<span id='blog-pager-older-link'>\n<a class='blog-pager-older-link' href='{origin}{page.older_post.path}' "
                       f"id='Blog1_blog-pager-older-link' title='{locales.s(loc, 'older_post')}'>{locales.s(loc, 'older_post')}</a>\n</span>")
    else:
        if page.newer_url:
            out.append(f"<span id='blog-pager-newer-link'>\n<a class='blog-pager-newer-link' href='{esc(origin + page.newer_url)}' "
                       f"id='Blog1_blog-pager-newer-link' title='{locales.s(loc, 'newer_posts')}'>{locales.s(loc, 'newer_posts')}</a>\n</span>")
        if page.older_url:
            out.append(f"<span id='blog-pager-older-link'>\n<a class='blog-pager-older-link' href='{esc(origin + page.older_url)}' "
                       f"id='Blog1_blog-pager-older-link' title='{locales.s(loc, 'older_posts')}'>{locales.s(loc, 'older_posts')}</a>\n</span>")
    out.append(f"<a class='home-link' href='{origin}/'>{locales.s(loc, 'home')}</a>\n</div>")
    return "\n".join(out)
