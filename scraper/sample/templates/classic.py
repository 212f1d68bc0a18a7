"""Classic-template family (<$BlogItemBody$> era, Minima-like markup, pre-2007).

Visible time is only '9:23 PM' under a per-day date header: no offset anywhere
on the page (the feed has it)."""
from __future__ import annotations

from .. import locales
from ..markup import (body_html, canonical_url, esc, head_links, label_links, page_title,
                      profile_url, show_comment_url)
from ..pages import label_path


def render(blog, page, origin, image_origin, sidebar) -> str:
    loc = blog.locale
    out = ['<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">',
           '<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="en" lang="en">', "<head>",
           head_links(blog, origin, page_title(blog, page), canonical_url(origin, page), page.post, image_origin),
           "</head>", "<body>", '<div id="outer-wrapper">',
           '<div id="header-wrapper"><div id="header">',
           f'<h1 id="blog-title"><a href="{origin}/">{esc(blog.title)}</a></h1>',
           f'<p id="description">{esc(blog.description)}</p>', "</div></div>",
           '<div id="main-wrapper"><div id="main"><div id="main2">']
    last_day = None
    for p in page.posts:
        if p.published.date() != last_day:
            out.append(f'<h2 class="date-header">{esc(locales.date_header(p.published, loc))}</h2>')
            last_day = p.published.date()
        out.append(_post(blog, p, origin, image_origin, page.kind == "post"))
    if page.kind == "post":
        out.append(_comments(blog, page.post, origin))
    elif page.older_url:
        out.append(f'<p id="blog-pager"><a class="blog-pager-older-link" href="{esc(origin + page.older_url)}">'
                   f'{locales.s(loc, "older_posts")}</a></p>')
    out.append("</div></div></div>")
    out.append(sidebar(lambda: _sidebar(blog, origin)))
    out.append('<div id="footer"><p><!-- Blogger classic footer --></p></div>')
    out.append("</div>\n</body>\n</html>")
    return "\n".join(out)


def _post(blog, p, origin, image_origin, single) -> str:
    loc = blog.locale
    url = origin + p.path
    out = ['<div class="post">', f'<a name="{p.post_id}"></a>']
    if p.title:
        title = esc(p.title) if single else f'<a href="{url}" title="permanent link">{esc(p.title)}</a>'
        out.append(f'<h3 class="post-title">{title}</h3>')
    out += ['<div class="post-body">', '<div style="clear:both;"></div>', body_html(p, blog, image_origin),
            '<div style="clear:both; padding-bottom:0.25em"></div>', "</div>"]
    n = len(p.comments)
    out.append('<p class="post-footer">')
    out.append(f'<em>{locales.s(loc, "posted_by").lower()} {esc(p.author)} {locales.s(loc, "at")} '
               f'<a href="{url}" title="permanent link">{locales.time_text(p.published, loc)}</a></em>')
    if not single:
        out.append(f'<a class="comment-link" href="{url}#comments">{locales.s(loc, "comments_link", n=n)}</a>')
    out.append(f'<span class="item-control admin-{p.post_id[-6:]}"><a href="https://www.blogger.com/post-edit.g?'
               f'blogID={blog.blog_id}&amp;postID={p.post_id}" title="Edit Post">'
               '<img class="icon-action" alt="" src="https://resources.blogblog.com/img/icon18_edit_allbkg.gif" height="18" width="18"></a></span>')
    out.append("</p>")
    if p.labels:
        links = ", ".join(f'<a href="{href}" rel="tag">{esc(label)}</a>' for label, href in label_links(p, origin))
        out.append(f'<p class="post-labels">{locales.s(loc, "labels")} {links}</p>')
    out.append("</div>")
    return "\n".join(out)


def _comments(blog, p, origin) -> str:
    """Classic comments: dl#comments-block with dt/dd triples."""
    loc = blog.locale
    n = len(p.comments)
    items = []
    for c in p.comments[:blog.comments_in_page]:  # None: all; Blogger shows 200, loads more by script
        author = (esc(c.author) if c.author == "Anonymous" else
                  f'<a href="{profile_url(c.author)}" rel="nofollow">{esc(c.author)}</a>')
        items.append(f'<dt class="comment-author" id="c{c.comment_id}"><a name="c{c.comment_id}"></a>\n'
                     f'{author} {locales.s(loc, "said")}\n</dt>\n'
                     f'<dd class="comment-body">\n<p>{esc(c.body)}</p>\n</dd>\n'
                     f'<dd class="comment-footer">\n<span class="comment-timestamp"><a href="{esc(show_comment_url(origin, p, c))}" '
                     f'title="comment permalink">{c.published:%m/%d/%Y} {locales.time_text(c.published, loc)}</a></span>\n</dd>')
    count = locales.s(loc, "n_comments", n=n)
    return ('<div id="comments">\n<a name="comments"></a>\n'
            f"<h4>{esc(count)}</h4>\n<dl id=\"comments-block\">\n" + "\n".join(items) + "\n</dl>\n"
            f'<p class="comment-timestamp"><a class="comment-link" id="comment-form" '
            f'href="https://www.blogger.com/comment.g?blogID={blog.blog_id}&amp;postID={p.post_id}">{locales.s(loc, "post_comment")}</a></p>\n'
            f'<p class="comment-timestamp"><a href="{origin}/">&lt;&lt; {locales.s(loc, "home")}</a></p>\n</div>')


def _sidebar(blog, origin) -> str:
    loc = blog.locale
    out = ['<div id="sidebar-wrapper"><div id="sidebar">',
           f'<h2 class="sidebar-title">{locales.s(loc, "previous_posts")}</h2>', '<ul id="recently">']
    for p in blog.sorted_posts()[:10]:
        out.append(f'<li><a href="{origin}{p.path}">{esc(p.title) or "&nbsp;"}</a></li>')
    out += ["</ul>", f'<h2 class="sidebar-title">{locales.s(loc, "archives")}</h2>', '<ul class="archive-list">']
    for year, month, _count in sorted(blog.months()):   # classic lists oldest first
        out.append(f'<li><a href="{origin}/{year}_{month:02d}_01_archive.html">'
                   f'{locales.month_name(month, loc)} {year}</a></li>')
    out += ["</ul>", f'<h2 class="sidebar-title">{locales.s(loc, "labels_title")}</h2>', "<ul>"]
    counts = blog.label_counts()
    for label in sorted(counts, key=str.casefold):
        out.append(f'<li><a href="{origin}{label_path(label)}">{esc(label)}</a> ({counts[label]})</li>')
    out += ["</ul>", f'<h2 class="sidebar-title">{locales.s(loc, "links")}</h2>', "<ul>"]
    out += [f'<li><a href="{origin}{esc(path)}">{esc(path)}</a></li>' for path in blog.broken_links]
    posts = blog.sorted_posts()
    if blog.mobile_links and posts:
        out.append(f'<li><a href="{origin}{posts[-1].path}?m=1">{esc(posts[-1].title) or "first post"}</a></li>')
    out += ["</ul>", '<p id="powered-by"><a href="https://www.blogger.com"><img src="https://www.blogger.com/buttons/blogger-powered.gif" alt="Powered by Blogger" /></a></p>',
            "</div></div>"]
    return "\n".join(out)
