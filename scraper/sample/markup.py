"""Markup shared by the template families: post bodies, images, URLs, head tags."""
from __future__ import annotations

import re
from html import escape
from urllib.parse import quote

from .model import SampleBlog, SampleImage, SamplePost
from .pages import iso, label_path

URL_RE = re.compile(r"https?://[^\s<>\"]+")
IMAGE_PREFIX = "/img/b/R29vZ2xl/"


def esc(text: str) -> str:
    return escape(text, quote=True)


def linkify(text: str) -> str:
    """Escape text and turn bare URLs into links (text stays identical)."""
    out, last = [], 0
    for match in URL_RE.finditer(text):
        out.append(esc(text[last:match.start()]))
        url = match.group(0)
        out.append(f'<a href="{esc(url)}">{esc(url)}</a>')
        last = match.end()
    out.append(esc(text[last:]))
    return "".join(out)


# --- images -------------------------------------------------------------------
def image_url(image_origin: str, image: SampleImage, size: str) -> str:
    return f"{image_origin}{IMAGE_PREFIX}{image.image_id}/{size}/{quote(image.name)}"


def thumb(image: SampleImage) -> tuple:
    """(size segment, shown width, shown height) of the in-post thumbnail."""
    if image.display_width == 320:
        scale = 320 / max(image.width, image.height)
        return "s320", round(image.width * scale), round(image.height * scale)
    w = image.display_width
    h = max(1, round(image.height * w / image.width))
    return f"w{w}-h{h}", w, h


def image_html(image: SampleImage, image_origin: str) -> str:
    size, w, h = thumb(image)
    img = (f'<img border="0" data-original-height="{image.height}" data-original-width="{image.width}" '
           f'height="{h}" src="{image_url(image_origin, image, size)}" width="{w}"'
           + (f' alt="{esc(image.alt)}"' if image.alt else "") + " />")
    if image.linked:
        img = (f'<a href="{image_url(image_origin, image, "s1600")}" imageanchor="1" '
               f'style="margin-left: 1em; margin-right: 1em;">{img}</a>')
    if image.caption:
        return ('<table align="center" cellpadding="0" cellspacing="0" class="tr-caption-container" '
                'style="margin-left: auto; margin-right: auto;"><tbody><tr>'
                f'<td style="text-align: center;">{img}</td></tr><tr>'
                f'<td class="tr-caption" style="text-align: center;">{esc(image.caption)}</td>'
                '</tr></tbody></table>')
    return f'<div class="separator" style="clear: both; text-align: center;">{img}</div>'


def body_blocks(post: SamplePost) -> list:
    """The body in display order: ("p", text) | ("quote", text) | ("image", SampleImage)."""
    paragraphs = list(post.paragraphs)
    blocks = []
    for i in range(len(paragraphs) + 1):
        for image, after in zip(post.images, post.image_after):
            if min(after, len(paragraphs)) == i:
                blocks.append(("image", image))
        if post.quote and min(post.quote_after, len(paragraphs)) == i:
            blocks.append(("quote", post.quote))
        if i < len(paragraphs):
            blocks.append(("p", paragraphs[i]))
    return blocks


def body_html(post: SamplePost, blog: SampleBlog, image_origin: str) -> str:
    parts = []
    for kind, value in body_blocks(post):
        if kind == "image":
            parts.append(image_html(value, image_origin))
        elif kind == "quote":
            parts.append(f"<blockquote>{esc(value)}</blockquote>")
        elif blog.body_style == "br":
            parts.append(linkify(value) + "<br />\n<br />")
        else:
            parts.append(f"<p>{linkify(value)}</p>")
    if post.extra_html:
        parts.append(post.extra_html)
    return "\n".join(parts)


def snippet(post: SamplePost, length: int = 200) -> str:
    text = " ".join(post.paragraphs)
    return text if len(text) <= length else text[:length].rsplit(" ", 1)[0] + "…"


# --- urls ---------------------------------------------------------------------
def label_links(post: SamplePost, origin: str) -> list:
    return [(label, origin + label_path(label)) for label in post.labels]


def show_comment_url(origin: str, post: SamplePost, comment) -> str:
    ms = int(comment.published.timestamp() * 1000)
    return f"{origin}{post.path}?showComment={ms}#c{comment.comment_id}"


def profile_url(author: str) -> str:
    return "https://www.blogger.com/profile/" + str(abs(hash_int(author)) % 10 ** 20).zfill(20)


def hash_int(text: str) -> int:
    import hashlib
    return int.from_bytes(hashlib.sha1(text.encode("utf-8")).digest()[:8], "big")


def head_links(blog: SampleBlog, origin: str, title: str, canonical: str, post: SamplePost | None,
               image_origin: str) -> str:
    """The <head> tags a crawler uses to recognise Blogger (generator, service.post, feeds)."""
    lines = ["<meta content='text/html; charset=UTF-8' http-equiv='Content-Type'/>"]
    if blog.generator_meta:
        lines.append("<meta content='blogger' name='generator'/>")
    lines += [
        f"<link href='{origin}/favicon.ico' rel='icon' type='image/x-icon'/>",
        f"<link href='{esc(canonical)}' rel='canonical'/>",
        f'<link rel="alternate" type="application/atom+xml" title="{esc(blog.title)} - Atom" href="{origin}/feeds/posts/default" />',
        f'<link rel="alternate" type="application/rss+xml" title="{esc(blog.title)} - RSS" href="{origin}/feeds/posts/default?alt=rss" />',
        f'<link rel="service.post" type="application/atom+xml" title="{esc(blog.title)} - Atom" href="https://www.blogger.com/feeds/{blog.blog_id}/posts/default" />',
    ]
    if post is not None:
        lines.append(f'<link rel="alternate" type="application/atom+xml" title="{esc(blog.title)} - Atom" '
                     f'href="{origin}/feeds/{post.post_id}/comments/default" />')
        lines.append(f"<meta content='{esc(canonical)}' property='og:url'/>")
        lines.append(f"<meta content='{esc(post.title)}' property='og:title'/>")
        lines.append(f"<meta content='{esc(snippet(post, 150))}' property='og:description'/>")
        if post.images:
            og = image_url(image_origin, post.images[0], "w1200-h630-p-k-no-nu")
            lines.append(f"<meta content='{og}' property='og:image'/>")
    else:
        lines.append(f"<meta content='{esc(canonical)}' property='og:url'/>")
        lines.append(f"<meta content='{esc(blog.title)}' property='og:title'/>")
    lines.append(f"<title>{esc(title)}</title>")
    return "\n".join(lines)


def page_title(blog: SampleBlog, page) -> str:
    if page.kind == "post":
        return f"{blog.title}: {page.post.title}" if page.post.title else blog.title
    if page.kind == "label":
        return f"{blog.title}: {page.label}"
    return blog.title


def canonical_url(origin: str, page) -> str:
    if page.kind == "post":
        return origin + page.post.path
    return origin + page.path


def toggle_url(origin: str, kind: str, start_ms: int, open_ms: int, opened: bool) -> str:
    """The BlogArchive hierarchy toggles real Blogger emits (crawlers must not follow)."""
    return (f"{origin}/?widgetType=BlogArchive&amp;widgetId=BlogArchive1&amp;action=toggle"
            f"&amp;dir={'close' if opened else 'open'}&amp;toggle={kind}-{start_ms}"
            f"&amp;toggleopen=MONTHLY-{open_ms}")


__all__ = ["esc", "linkify", "image_url", "thumb", "image_html", "body_blocks", "body_html",
           "snippet", "label_links", "show_comment_url", "profile_url", "head_links",
           "page_title", "canonical_url", "toggle_url", "iso"]
