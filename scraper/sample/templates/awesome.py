"""Awesome Inc. (Tina Chen's layout theme, 2011 on): the layout family's page, its own post.

As seen on blogs that hide the labels line in the Blog widget's settings: the
footer keeps an empty ``<span class='post-labels'>``, so a post's labels are
stated only by the feed (``<category term>``) and by the label pages that list
it. The byline is the older hCard form, the name as plain text in
``<span class='fn'>`` ("Publié par <span class='fn'>André</span>"), with no
profile link or ``itemprop``.
"""
from __future__ import annotations

from .. import locales
from ..markup import body_html, esc
from ..pages import iso
from . import layout


def render(blog, page, origin, image_origin, sidebar) -> str:
    return layout.render(blog, page, origin, image_origin, sidebar, post_markup=_post)


def _post(blog, p, origin, image_origin, single: bool) -> str:
    loc = blog.locale
    url = origin + p.path
    out = ["<div class='post-outer'>",
           "<div class='post hentry uncustomized-post-template' itemprop='blogPost' itemscope='itemscope' "
           "itemtype='http://schema.org/BlogPosting'>",
           f"<meta content='{blog.blog_id}' itemprop='blogId'/>",
           f"<meta content='{p.post_id}' itemprop='postId'/>",
           f"<a name='{p.post_id}'></a>"]
    if p.title:
        title = esc(p.title) if single else f"<a href='{url}'>{esc(p.title)}</a>"
        out.append(f"<h3 class='post-title entry-title' itemprop='name'>\n{title}\n</h3>")
    out += ["<div class='post-header'>\n<div class='post-header-line-1'></div>\n</div>",
            f"<div class='post-body entry-content' id='post-body-{p.post_id}' "
            "itemprop='description articleBody'>",
            body_html(p, blog, image_origin),
            "<div style='clear: both;'></div>\n</div>",
            "<div class='post-footer'>", "<div class='post-footer-line post-footer-line-1'>",
            f"<span class='post-author vcard'>\n{locales.s(loc, 'posted_by')}\n"
            f"<span class='fn'>{esc(p.author)}</span>\n</span>",
            "<span class='post-timestamp'>", locales.s(loc, "at"),
            f"<a class='timestamp-link' href='{url}' rel='bookmark' title='permanent link'>"
            f"<abbr class='published' title='{iso(p.published)}'>{locales.time_text(p.published, loc)}</abbr></a>",
            "</span>", "<span class='post-comment-link'>", "</span>", "</div>",
            "<div class='post-footer-line post-footer-line-2'>", "<span class='post-labels'>\n</span>",
            "</div>", "<div class='post-footer-line post-footer-line-3'>",
            "<span class='post-location'>\n</span>", "</div>", "</div>", "</div>", "</div>"]
    return "\n".join(out)
