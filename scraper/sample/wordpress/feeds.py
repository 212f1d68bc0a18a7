"""What the blog serves besides pages: its RSS feed, its REST API's post objects and
its WXR export (Tools → Export)."""

from __future__ import annotations

from datetime import datetime, timezone
from email.utils import format_datetime

from ..content import AUTHORS
from ..markup import esc
from .markup import body_html
from .model import CATEGORIES, TAGS, WPBlog, WPPost, term_slug


def _rfc822(when: datetime) -> str:
    return format_datetime(when.astimezone(timezone.utc), usegmt=False).replace("-0000", "+0000")


def rss(blog: WPBlog, origin: str) -> str:
    items = []
    for post in blog.sorted_posts()[: blog.rss_size]:
        link = origin + blog.path(post)
        cats = "".join(f"<category><![CDATA[{c}]]></category>" for c in post.categories + post.tags)
        items.append(
            f"<item><title>{esc(post.title)}</title><link>{link}</link><comments>{link}#comments</comments>"
            f"<pubDate>{_rfc822(post.published)}</pubDate><dc:creator><![CDATA[{post.author}]]></dc:creator>"
            f"{cats}<guid isPermaLink=\"false\">{origin}/?p={post.post_id}</guid>"
            f"<description><![CDATA[{post.blocks[0][1][:120]} […]]]></description>"
            f"<wfw:commentRss>{link}feed/</wfw:commentRss><slash:comments>{len(post.comments)}</slash:comments>"
            f"</item>")
    return ('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:wfw="http://wellformedweb.org/CommentAPI/" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom" '
            'xmlns:slash="http://purl.org/rss/1.0/modules/slash/"><channel>'
            f"<title>{esc(blog.title)}</title><atom:link href=\"{origin}/feed/\" rel=\"self\" "
            f"type=\"application/rss+xml\" /><link>{origin}</link><description>{esc(blog.description)}"
            f"</description><language>en-GB</language>{''.join(items)}</channel></rss>")


def _local(when: datetime) -> str:
    return when.replace(tzinfo=None).isoformat()


def _gmt(when: datetime) -> str:
    return when.astimezone(timezone.utc).replace(tzinfo=None).isoformat()


def rest_post(blog: WPBlog, post: WPPost, origin: str) -> dict:
    return {
        "id": post.post_id, "date": _local(post.published), "date_gmt": _gmt(post.published),
        "guid": {"rendered": f"{origin}/?p={post.post_id}"},
        "modified": _local(post.updated), "modified_gmt": _gmt(post.updated),
        "slug": post.slug, "status": "publish", "type": "post", "link": origin + blog.path(post),
        "title": {"rendered": esc(post.title)},
        "content": {"rendered": body_html(blog, post, origin), "protected": False},
        "author": AUTHORS.index(post.author) + 1,
        "categories": [CATEGORIES.index(c) + 1 for c in post.categories],
        "tags": [TAGS.index(t) + 100 for t in post.tags],
    }


def wxr(blog: WPBlog, origin: str) -> str:
    """The blog's WordPress export (WXR 1.2), as Tools → Export writes it."""
    def cdata(text: str) -> str:
        return f"<![CDATA[{text}]]>"

    items = []
    for post in blog.sorted_posts():
        cats = "".join(f'<category domain="category" nicename="{term_slug(c)}">{cdata(c)}</category>'
                       for c in post.categories)
        cats += "".join(f'<category domain="post_tag" nicename="{term_slug(t)}">{cdata(t)}</category>'
                        for t in post.tags)
        comments = "".join(
            f"<wp:comment><wp:comment_id>{c.comment_id}</wp:comment_id><wp:comment_author>{cdata(c.author)}"
            f"</wp:comment_author><wp:comment_author_url>{esc(c.author_url)}</wp:comment_author_url>"
            f"<wp:comment_date>{cdata(_local(c.published).replace('T', ' '))}</wp:comment_date>"
            f"<wp:comment_date_gmt>{cdata(_gmt(c.published).replace('T', ' '))}</wp:comment_date_gmt>"
            f"<wp:comment_content>{cdata(c.body)}</wp:comment_content><wp:comment_approved>{cdata('1')}"
            f"</wp:comment_approved><wp:comment_type>{cdata('comment')}</wp:comment_type>"
            f"<wp:comment_parent>{c.parent}</wp:comment_parent></wp:comment>" for c in post.comments)
        content = body_html(blog, post, origin).rsplit('\n<div class="sharedaddy', 1)[0]
        items.append(
            f"<item><title>{cdata(post.title)}</title><link>{origin + blog.path(post)}</link>"
            f"<pubDate>{_rfc822(post.published)}</pubDate><dc:creator>{cdata(term_slug(post.author))}</dc:creator>"
            f'<guid isPermaLink="false">{origin}/?p={post.post_id}</guid><description></description>'
            f"<content:encoded>{cdata(content)}</content:encoded><excerpt:encoded>{cdata('')}</excerpt:encoded>"
            f"<wp:post_id>{post.post_id}</wp:post_id><wp:post_date>{cdata(_local(post.published).replace('T', ' '))}"
            f"</wp:post_date><wp:post_date_gmt>{cdata(_gmt(post.published).replace('T', ' '))}</wp:post_date_gmt>"
            f"<wp:post_modified>{cdata(_local(post.updated).replace('T', ' '))}</wp:post_modified>"
            f"<wp:post_modified_gmt>{cdata(_gmt(post.updated).replace('T', ' '))}</wp:post_modified_gmt>"
            f"<wp:post_name>{cdata(post.slug)}</wp:post_name><wp:status>{cdata('publish')}</wp:status>"
            f"<wp:post_parent>0</wp:post_parent><wp:post_type>{cdata('post')}</wp:post_type>"
            f"{cats}{comments}</item>")
    authors = "".join(f"<wp:author><wp:author_login>{cdata(term_slug(a))}</wp:author_login>"
                      f"<wp:author_display_name>{cdata(a)}</wp:author_display_name></wp:author>"
                      for a in AUTHORS)
    return ('<?xml version="1.0" encoding="UTF-8" ?>\n<rss version="2.0" '
            'xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
            'xmlns:wfw="http://wellformedweb.org/CommentAPI/" xmlns:dc="http://purl.org/dc/elements/1.1/" '
            'xmlns:wp="http://wordpress.org/export/1.2/"><channel>'
            f"<title>{esc(blog.title)}</title><link>{origin}</link><description>{esc(blog.description)}"
            f"</description><language>en-GB</language><wp:wxr_version>1.2</wp:wxr_version>"
            f"<wp:base_site_url>{origin}</wp:base_site_url><wp:base_blog_url>{origin}</wp:base_blog_url>"
            f"{authors}{''.join(items)}</channel></rss>\n")

