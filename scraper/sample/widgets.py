"""Sidebar widgets (BlogArchive, Labels, LinkList) for the layout and contempo families."""
from __future__ import annotations

from datetime import datetime
from . import locales
from .markup import esc, show_comment_url, toggle_url
from .model import SampleBlog
from .pages import label_path, period_range


def _month_start_ms(blog: SampleBlog, year: int, month: int = 1) -> int:
    return int(datetime(year, month, 1, tzinfo=blog.tzinfo).timestamp() * 1000)


def archive_widget(blog: SampleBlog, origin: str, heading_tag: str = "h2") -> str:
    style = blog.archive_style
    months = blog.months()
    title = locales.s(blog.locale, "archive")
    head = (f"<div class='widget BlogArchive' data-version='1' id='BlogArchive1'>\n"
            f"<{heading_tag}>{title}</{heading_tag}>\n<div class='widget-content'>\n"
            "<div id='ArchiveList'>\n<div id='BlogArchive1_ArchiveList'>\n")
    tail = "</div>\n</div>\n<div class='clear'></div>\n</div>\n</div>"
    if not months:
        return head + tail
    if style == "dropdown":
        options = [f"<option value=''>{title}</option>"]
        for year, month, count in months:
            options.append(f"<option value='{origin}/{year}/{month:02d}/'>"
                           f"{locales.month_name(month, blog.locale)} {year} ({count})</option>")
        return head + "<select id='BlogArchive1_ArchiveMenu'>\n" + "\n".join(options) + "\n</select>\n" + tail
    if style == "flat":
        items = [f"<li class='archivedate'><a href='{origin}/{y}/{m:02d}/'>"
                 f"{locales.month_name(m, blog.locale)} {y}</a> ({c})</li>" for y, m, c in months]
        return head + "<ul class='flat'>\n" + "\n".join(items) + "\n</ul>\n" + tail
    return head + _hierarchy(blog, origin, months) + tail


def _hierarchy(blog: SampleBlog, origin: str, months: list) -> str:
    newest_year, newest_month = months[0][0], months[0][1]
    open_ms = _month_start_ms(blog, newest_year, newest_month)
    years: dict = {}
    for year, month, count in months:
        years.setdefault(year, []).append((month, count))
    out = []
    for year, year_months in years.items():
        opened = year == newest_year
        state = "expanded" if opened else "collapsed"
        zippy = "&#9660;&#160;" if opened else "&#9658;&#160;"
        out.append(
            f"<ul class='hierarchy'>\n<li class='archivedate {state}'>\n"
            f"<a class='toggle' href='{toggle_url(origin, 'YEARLY', _month_start_ms(blog, year), open_ms, opened)}'>"
            f"<span class='zippy{' toggle-open' if opened else ''}'>{zippy}</span></a>\n"
            f"<a class='post-count-link' href='{origin}/{year}/'>{year}</a>\n"
            f"<span class='post-count' dir='ltr'>({sum(c for _, c in year_months)})</span>")
        for month, count in year_months:
            m_open = opened and month == newest_month
            m_state = "expanded" if m_open else "collapsed"
            out.append(
                f"<ul class='hierarchy'>\n<li class='archivedate {m_state}'>\n"
                f"<a class='toggle' href='{toggle_url(origin, 'MONTHLY', _month_start_ms(blog, year, month), open_ms, m_open)}'>"
                f"<span class='zippy'>{'&#9660;' if m_open else '&#9658;'}&#160;</span></a>\n"
                f"<a class='post-count-link' href='{origin}/{year}/{month:02d}/'>{locales.month_name(month, blog.locale)}</a>\n"
                f"<span class='post-count' dir='ltr'>({count})</span>")
            if m_open:       # the open month lists its posts, like real Blogger
                first, end = period_range(blog, year, month)
                items = [f"<li><a href='{origin}{p.path}'>{esc(p.title) or '(untitled)'}</a></li>"
                         for p in blog.sorted_posts()[first:end]]
                out.append("<ul class='posts'>\n" + "\n".join(items) + "\n</ul>")
            out.append("</li>\n</ul>")
        out.append("</li>\n</ul>")
    return "\n".join(out) + "\n"


def labels_widget(blog: SampleBlog, origin: str, heading_tag: str = "h2") -> str:
    counts = blog.label_counts()
    items = []
    for label in sorted(counts, key=str.casefold):
        items.append(f"<li>\n<a dir='ltr' href='{origin}{label_path(label)}'>{esc(label)}</a>\n"
                     f"<span dir='ltr'>({counts[label]})</span>\n</li>")
    return (f"<div class='widget Label' data-version='1' id='Label1'>\n"
            f"<{heading_tag}>{locales.s(blog.locale, 'labels_title')}</{heading_tag}>\n"
            "<div class='widget-content list-label-widget-content'>\n<ul>\n" + "\n".join(items)
            + "\n</ul>\n<div class='clear'></div>\n</div>\n</div>")


def links_widget(blog: SampleBlog, origin: str, heading_tag: str = "h2") -> str:
    """Broken links (404), plus the duplicate URL forms real pages carry:
    a ?m=1 post link, a ?showComment= permalink and an unencoded label URL."""
    items = [f"<li><a href='{origin}{esc(path)}'>{esc(path.strip('/').split('/')[-1])}</a></li>"
             for path in blog.broken_links]
    posts = blog.sorted_posts()
    if blog.mobile_links and posts:
        items.append(f"<li><a href='{origin}{posts[-1].path}?m=1'>{esc(posts[-1].title) or 'first post'}</a></li>")
        with_comments = next((p for p in posts if p.comments), None)
        if with_comments:
            url = show_comment_url(origin, with_comments, with_comments.comments[0])
            items.append(f"<li><a href='{url}'>{locales.s(blog.locale, 'reply')}</a></li>")
        labelled = next((p for p in posts if any(" " in lab for lab in p.labels)), None)
        if labelled:
            raw = next(lab for lab in labelled.labels if " " in lab)
            items.append(f"<li><a href='{origin}/search/label/{esc(raw)}'>{esc(raw)}</a></li>")
    return (f"<div class='widget LinkList' data-version='1' id='LinkList1'>\n"
            f"<{heading_tag}>{locales.s(blog.locale, 'links')}</{heading_tag}>\n"
            "<div class='widget-content'>\n<ul>\n" + "\n".join(items) + "\n</ul>\n"
            "<div class='clear'></div>\n</div>\n</div>")


__all__ = ["archive_widget", "labels_widget", "links_widget"]
