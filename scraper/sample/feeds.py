"""Atom/RSS feeds, comment feeds, sitemap and robots.txt in Blogger's formats."""
from __future__ import annotations

from datetime import datetime, timezone
from email.utils import format_datetime
from xml.sax.saxutils import escape as xesc

from .markup import body_html, esc, show_comment_url, snippet
from .model import SampleBlog, SamplePost

NS = ("xmlns='http://www.w3.org/2005/Atom' xmlns:openSearch='http://a9.com/-/spec/opensearchrss/1.0/' "
      "xmlns:blogger='http://schemas.google.com/blogger/2008' xmlns:georss='http://www.georss.org/georss' "
      "xmlns:gd=\"http://schemas.google.com/g/2005\" xmlns:thr='http://purl.org/syndication/thread/1.0'")
XML_HEAD = "<?xml version='1.0' encoding='UTF-8'?>"


def feed_time(when: datetime, millis: int = 1) -> str:
    """Feeds carry milliseconds (published is usually .001) — pages don't."""
    base = when.replace(microsecond=0).isoformat()
    return f"{base[:19]}.{millis:03d}{base[19:]}"


def _updated_millis(post: SamplePost) -> int:
    return int(post.post_id[-3:]) % 1000


def blog_updated(blog: SampleBlog) -> datetime:
    posts = blog.posts
    return max((p.updated for p in posts), default=datetime(2014, 1, 1, tzinfo=blog.tzinfo))


def atom(blog: SampleBlog, origin: str, image_origin: str, query: dict, summary: bool = False) -> str:
    posts = blog.sorted_posts()
    if query.get("orderby") == "updated":  # Blogger's ?orderby=updated: last changed first
        posts = sorted(posts, key=lambda p: (p.updated, p.post_id), reverse=True)
    order = "&orderby=updated" if query.get("orderby") == "updated" else ""
    start, n = _paging(query, blog)
    shown = posts[start - 1:start - 1 + n]
    kind = "summary" if summary else "default"
    base = f"{origin}/feeds/posts/{kind}"
    out = [XML_HEAD, f"<feed {NS}>", f"<id>tag:blogger.com,1999:blog-{blog.blog_id}</id>",
           f"<updated>{feed_time(blog_updated(blog), 71)}</updated>"]
    out += [f'<category term="{xesc(label)}"/>' for label in sorted(blog.label_counts())]
    out += [f"<title type='text'>{xesc(blog.title)}</title>",
            f"<subtitle type='html'>{xesc(blog.description)}</subtitle>",
            f"<link rel='http://schemas.google.com/g/2005#feed' type='application/atom+xml' href='{base}'/>",
            f"<link rel='self' type='application/atom+xml' href='{esc(base + _qs(start, n) + order)}'/>",
            f"<link rel='alternate' type='text/html' href='{origin}/'/>",
            "<link rel='hub' href='http://pubsubhubbub.appspot.com/'/>"]
    if start - 1 + n < len(posts):
        # Real Blogger points rel=next at www.blogger.com/feeds/<id>/…; we stay on our origin.
        out.append(f"<link rel='next' type='application/atom+xml' href='{esc(base + _qs(start + n, n) + order)}'/>")
    out += ["<author><name>Harbour Notes team</name><email>noreply@blogger.com</email></author>",
            "<generator version='7.00' uri='http://www.blogger.com'>Blogger</generator>",
            f"<openSearch:totalResults>{len(posts)}</openSearch:totalResults>",
            f"<openSearch:startIndex>{start}</openSearch:startIndex>",
            f"<openSearch:itemsPerPage>{n}</openSearch:itemsPerPage>"]
    for p in shown:
        out.append(_entry(blog, p, origin, image_origin, summary))
    out.append("</feed>")
    return "".join(out)


def _entry(blog, p, origin, image_origin, summary) -> str:
    url = origin + p.path
    n = len(p.comments)
    parts = [f"<entry><id>tag:blogger.com,1999:blog-{blog.blog_id}.post-{p.post_id}</id>",
             f"<published>{feed_time(p.published)}</published>",
             f"<updated>{feed_time(p.updated, _updated_millis(p))}</updated>"]
    parts += [f"<category scheme='http://www.blogger.com/atom/ns#' term='{esc(label)}'/>" for label in p.labels]
    parts.append(f"<title type='text'>{xesc(p.title)}</title>")
    if summary:
        parts.append(f"<summary type='text'>{xesc(snippet(p, 400))}</summary>")
    else:
        parts.append(f"<content type='html'>{xesc(body_html(p, blog, image_origin))}</content>")
    parts += [f"<link rel='replies' type='application/atom+xml' href='{origin}/feeds/{p.post_id}/comments/default' title='Post Comments'/>",
              f"<link rel='replies' type='text/html' href='{url}#comment-form' title='{n} Comments'/>",
              f"<link rel='edit' type='application/atom+xml' href='https://www.blogger.com/feeds/{blog.blog_id}/posts/default/{p.post_id}'/>",
              f"<link rel='self' type='application/atom+xml' href='https://www.blogger.com/feeds/{blog.blog_id}/posts/default/{p.post_id}'/>",
              f"<link rel='alternate' type='text/html' href='{url}' title='{esc(p.title)}'/>",
              f"<author><name>{xesc(p.author)}</name><email>noreply@blogger.com</email></author>"]
    if p.images:
        from .markup import image_url
        parts.append(f"<media:thumbnail xmlns:media='http://search.yahoo.com/mrss/' "
                     f"url='{image_url(image_origin, p.images[0], 's72-c')}' height='72' width='72'/>")
    parts.append(f"<thr:total>{n}</thr:total></entry>")
    return "".join(parts)


def rss(blog: SampleBlog, origin: str, image_origin: str, query: dict) -> str:
    posts = blog.sorted_posts()
    start, n = _paging(query, blog)
    out = [XML_HEAD, "<rss xmlns:atom='http://www.w3.org/2005/Atom' xmlns:openSearch='http://a9.com/-/spec/opensearchrss/1.0/' "
           "xmlns:blogger='http://schemas.google.com/blogger/2008' version='2.0'><channel>",
           f"<atom:id>tag:blogger.com,1999:blog-{blog.blog_id}</atom:id>",
           f"<lastBuildDate>{format_datetime(blog_updated(blog))}</lastBuildDate>",
           f"<title>{xesc(blog.title)}</title><description>{xesc(blog.description)}</description>",
           f"<link>{origin}/</link>",
           f"<openSearch:totalResults>{len(posts)}</openSearch:totalResults>",
           f"<openSearch:startIndex>{start}</openSearch:startIndex>",
           f"<openSearch:itemsPerPage>{n}</openSearch:itemsPerPage>"]
    if start - 1 + n < len(posts):
        out.append(f"<atom:link rel='next' type='application/rss+xml' href='{esc(origin + '/feeds/posts/default' + _qs(start + n, n) + '&alt=rss')}'/>")
    for p in posts[start - 1:start - 1 + n]:
        out.append(f"<item><guid isPermaLink='false'>tag:blogger.com,1999:blog-{blog.blog_id}.post-{p.post_id}</guid>"
                   f"<pubDate>{format_datetime(p.published.astimezone(timezone.utc), usegmt=True)}</pubDate>"
                   f"<atom:updated>{feed_time(p.updated, _updated_millis(p))}</atom:updated>"
                   + "".join(f"<category domain='http://www.blogger.com/atom/ns#'>{xesc(lab)}</category>" for lab in p.labels)
                   + f"<title>{xesc(p.title)}</title><description>{xesc(body_html(p, blog, image_origin))}</description>"
                   f"<link>{origin}{p.path}</link><author>noreply@blogger.com ({xesc(p.author)})</author>"
                   f"<thr:total xmlns:thr='http://purl.org/syndication/thread/1.0'>{len(p.comments)}</thr:total></item>")
    out.append("</channel></rss>")
    return "".join(out)


def comments_feed(blog: SampleBlog, post: SamplePost, origin: str, query: dict) -> str:
    start, n = _paging(query, blog)
    comments = post.comments
    base = f"{origin}/feeds/{post.post_id}/comments/default"
    out = [XML_HEAD, f"<feed {NS}>",
           f"<id>tag:blogger.com,1999:blog-{blog.blog_id}.post{post.post_id}..comments</id>",
           f"<updated>{feed_time(max([c.published for c in comments] or [post.updated]))}</updated>",
           f"<title type='text'>{xesc(blog.title)}: {xesc(post.title)}</title>",
           f"<link rel='http://schemas.google.com/g/2005#feed' type='application/atom+xml' href='{base}'/>",
           f"<link rel='self' type='application/atom+xml' href='{esc(base + _qs(start, n))}'/>",
           f"<link rel='alternate' type='text/html' href='{origin}{post.path}'/>"]
    if start - 1 + n < len(comments):
        out.append(f"<link rel='next' type='application/atom+xml' href='{esc(base + _qs(start + n, n))}'/>")
    out += [f"<openSearch:totalResults>{len(comments)}</openSearch:totalResults>",
            f"<openSearch:startIndex>{start}</openSearch:startIndex>",
            f"<openSearch:itemsPerPage>{n}</openSearch:itemsPerPage>"]
    for c in comments[start - 1:start - 1 + n]:
        out.append(
            f"<entry><id>tag:blogger.com,1999:blog-{blog.blog_id}.post-{c.comment_id}</id>"
            f"<published>{feed_time(c.published, 462)}</published><updated>{feed_time(c.published, 462)}</updated>"
            f"<title type='text'>{xesc(c.body[:40])}</title><content type='html'>{xesc(esc(c.body))}</content>"
            f"<link rel='edit' type='application/atom+xml' href='https://www.blogger.com/feeds/{blog.blog_id}/{post.post_id}/comments/default/{c.comment_id}'/>"
            f"<link rel='self' type='application/atom+xml' href='https://www.blogger.com/feeds/{blog.blog_id}/{post.post_id}/comments/default/{c.comment_id}'/>"
            f"<link rel='alternate' type='text/html' href='{esc(show_comment_url(origin, post, c))}' title=''/>"
            f"<author><name>{xesc(c.author)}</name><email>noreply@blogger.com</email></author>"
            f"<thr:in-reply-to xmlns:thr='http://purl.org/syndication/thread/1.0' href='{origin}{post.path}' "
            f"ref='tag:blogger.com,1999:blog-{blog.blog_id}.post-{post.post_id}' "
            f"source='https://www.blogger.com/feeds/{blog.blog_id}/posts/default/{post.post_id}' type='text/html'/>"
            "</entry>")
    out.append("</feed>")
    return "".join(out)


def sitemap(blog: SampleBlog, origin: str, query: dict) -> str:
    """/sitemap.xml: an index of ?page=N when there are more than a page of posts."""
    posts = blog.sorted_posts()
    size = blog.sitemap_page_size
    page = query.get("page")
    if page is None and len(posts) > size:
        pages = (len(posts) + size - 1) // size
        items = "".join(f"<sitemap><loc>{origin}/sitemap.xml?page={i}</loc></sitemap>" for i in range(1, pages + 1))
        return f"{XML_HEAD}<sitemapindex xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>{items}</sitemapindex>"
    try:
        number = max(1, int(page or 1))
    except ValueError:
        number = 1
    chunk = posts[(number - 1) * size:number * size]
    items = "".join(f"<url><loc>{origin}{p.path}</loc><lastmod>{p.updated.astimezone(timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')}</lastmod></url>"
                    for p in chunk)
    return f"{XML_HEAD}<urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>{items}</urlset>"


def robots(blog: SampleBlog, origin: str) -> str:
    lines = ["User-agent: Mediapartners-Google", "Disallow: ", "", "User-agent: *"]
    if blog.robots_disallow_search:      # what real Blogger serves
        lines.append("Disallow: /search")
    lines += ["Allow: /", "", f"Sitemap: {origin}/sitemap.xml", ""]
    return "\n".join(lines)


def _paging(query: dict, blog: SampleBlog) -> tuple:
    try:
        start = max(1, int(query.get("start-index", 1)))
    except ValueError:
        start = 1
    try:
        n = max(1, min(blog.feed_max, int(query.get("max-results", blog.feed_page_size))))
    except ValueError:
        n = blog.feed_page_size
    return start, n


def _qs(start: int, n: int) -> str:
    return f"?start-index={start}&max-results={n}"
