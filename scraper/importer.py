"""`blogarchive import FILE`: a blog's own export file into the archive.

Reads a Blogger export (the Atom "feeds/archive" backup with kind categories,
and the Takeout ``feed.atom`` with ``blogger:type``) or a WordPress WXR file,
and saves posts, labels, comments and images (as ``post_images`` rows whose
files a later crawl fetches) through the store's save_* functions. Ids are the
ones a crawl of the same blog gives (Blogger post ids; ``wp:<host>:<id>`` for
WordPress), so a later crawl updates the imported posts instead of adding
them again.

The XML is parsed without network access or entity expansion.
"""

from __future__ import annotations

import html
import re
import sys
from dataclasses import asdict
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import click
from lxml import etree
from parsel import Selector

from . import store
from .dates import parse_iso
from .htmltext import clean_text, html_to_text, sanitize_html, word_count
from .items import Blog, Comment, Post, content_hash
from .platforms import blogger, wordpress
from .platforms.base import absolutize
from .progress import Steps, steps

ATOM = "http://www.w3.org/2005/Atom"
THR = "http://purl.org/syndication/thread/1.0"
APP = "http://purl.org/atom/app#"
APP07 = "http://www.w3.org/2007/app"
BLOGGER2018 = "http://schemas.google.com/blogger/2018"
KIND_SCHEME = "http://schemas.google.com/g/2005#kind"
WP_NAMESPACES = ("http://wordpress.org/export/", "https://wordpress.org/export/")


class ImportError_(ValueError):
    """The file is not an export this command reads (the message says why)."""


def _parse(path: Path) -> etree._Element:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True,
                             remove_blank_text=False, recover=False)
    try:
        return etree.parse(str(path), parser).getroot()
    except etree.XMLSyntaxError as e:
        raise ImportError_(f"{path}: not well-formed XML ({e})") from e


def read_export(path: str | Path, blog_url: str = "") -> tuple[Blog, list[Post], dict]:
    """(blog, posts, counts) from an export file; nothing is written."""
    root = _parse(Path(path))
    tag = etree.QName(root).localname
    if tag == "feed" and etree.QName(root).namespace == ATOM:
        return read_blogger(root, blog_url)
    if tag == "rss" and any(ns and ns.startswith(WP_NAMESPACES) for ns in root.nsmap.values()):
        return read_wxr(root, blog_url)
    raise ImportError_(f"{path}: neither a Blogger export (Atom) nor a WordPress export (WXR)")


# -- Blogger -------------------------------------------------------------------------


def _text(el, path: str, ns: dict) -> str:
    found = el.find(path, ns)
    return found.text or "" if found is not None else ""


def read_blogger(root, blog_url: str = "") -> tuple[Blog, list[Post], dict]:
    ns = {"a": ATOM, "thr": THR, "b": BLOGGER2018, "app": APP, "app07": APP07}
    feed_id = _text(root, "a:id", ns)
    m = re.search(r"blog-(\d+)", feed_id)
    if not m:
        raise ImportError_("an Atom file, but not a Blogger export (no blog id)")
    blog_id = m.group(1)
    alternate = root.find("a:link[@rel='alternate']", ns)
    origin = blog_url or (alternate.get("href") if alternate is not None else "")
    entries = root.findall("a:entry", ns)
    posts_by_id: dict[str, Post] = {}
    comments: list[tuple[str, Comment]] = []
    counts = {"posts": 0, "drafts": 0, "pages": 0, "comments": 0, "other": 0}
    for entry in entries:
        kind = _blogger_kind(entry, ns)
        if kind == "post":
            if _blogger_draft(entry, ns):
                counts["drafts"] += 1
                continue
            post = _blogger_post(entry, ns, blog_id, origin)
            if post is None:
                counts["drafts"] += 1
                continue
            if not origin:
                raise ImportError_("this export does not name the blog's address: give it with --url")
            posts_by_id[post.id] = post
        elif kind == "comment":
            found = _blogger_comment(entry, ns)
            if found:
                comments.append(found)
        elif kind == "page":
            counts["pages"] += 1
        else:
            counts["other"] += 1
    for post_id, comment in comments:
        post = posts_by_id.get(post_id)
        if post is not None:
            comment.position = len(post.comments)
            post.comments.append(comment)
            counts["comments"] += 1
    posts = list(posts_by_id.values())
    counts["posts"] = len(posts)
    if not origin:
        raise ImportError_("this export does not name the blog's address: give it with --url")
    parts = urlsplit(origin)
    blog = Blog(id=blog_id, url=f"{parts.scheme}://{parts.netloc}/", platform=blogger.NAME,
                title=clean_text(_text(root, "a:title", ns)),
                feed_url=urljoin(origin, "/feeds/posts/default"))
    return blog, posts, counts


def _blogger_kind(entry, ns) -> str:
    btype = entry.find("b:type", ns)
    if btype is not None and btype.text:
        return btype.text.strip().lower()
    for cat in entry.findall("a:category", ns):
        if cat.get("scheme") == KIND_SCHEME:
            return cat.get("term", "").rsplit("#", 1)[-1]
    return ""


def _blogger_draft(entry, ns) -> bool:
    status = entry.find("b:status", ns)
    if status is not None and (status.text or "").strip().upper() not in ("LIVE", ""):
        return True
    for path in ("app:control/app:draft", "app07:control/app07:draft"):
        draft = entry.find(path, ns)
        if draft is not None and (draft.text or "").strip().lower() == "yes":
            return True
    return False


def _blogger_post(entry, ns, blog_id: str, origin: str) -> Post | None:
    ident = _text(entry, "a:id", ns)
    m = re.search(r"post-(\d+)$", ident)
    if not m:
        return None
    post_id = m.group(1)
    link = entry.find("a:link[@rel='alternate']", ns)
    filename = _text(entry, "b:filename", ns)
    if link is not None and link.get("href"):
        url = link.get("href")
    elif filename and origin:
        url = urljoin(origin, filename)
    else:
        return None  # no address: never published
    url = blogger.canonical(url)
    labels = [c.get("term") for c in entry.findall("a:category", ns)
              if c.get("scheme") != KIND_SCHEME and c.get("term")]
    content = entry.find("a:content", ns)
    raw = content.text or "" if content is not None else ""
    body_html, images = "", []
    if raw.strip():
        absolute = absolutize(f"<div>{raw}</div>", url)
        images = list(blogger._images(Selector(text=absolute), url))
        body_html = sanitize_html(blogger._inner_html(absolute))
    body_text = html_to_text(body_html)
    title = clean_text(_text(entry, "a:title", ns))
    replies = _text(entry, "thr:total", ns)
    return Post(
        id=post_id,
        blog_id=blog_id,
        url=url,
        title=title,
        author=clean_text(_text(entry, "a:author/a:name", ns)),
        author_url=_text(entry, "a:author/a:uri", ns),
        published=parse_iso(_text(entry, "a:published", ns)),
        updated=parse_iso(_text(entry, "a:updated", ns)),
        labels=list(dict.fromkeys(labels)),
        body_html=body_html,
        body_text=body_text,
        word_count=word_count(body_text),
        content_hash=content_hash(title, body_html),
        images=images,
        comment_count=int(replies) if replies.strip().isdigit() else None,
        fetched_url="",
    )


def _blogger_comment(entry, ns) -> tuple[str, Comment] | None:
    ident = _text(entry, "a:id", ns)
    m = re.search(r"post-(\d+)$", ident)
    if not m:
        return None
    parent = entry.find("thr:in-reply-to", ns)
    ref = parent.get("ref", "") if parent is not None else _text(entry, "b:parent", ns)
    post = re.search(r"post-(\d+)$", ref)
    if not post:
        return None
    in_reply_to = ""
    for link in entry.findall("a:link[@rel='related']", ns):
        found = re.search(r"/(\d+)$", link.get("href", ""))
        if found:
            in_reply_to = found.group(1)
    replied = _text(entry, "b:inReplyTo", ns)
    if replied:
        found = re.search(r"(\d+)$", replied)
        in_reply_to = found.group(1) if found else in_reply_to
    content = entry.find("a:content", ns)
    body_html = sanitize_html(content.text or "") if content is not None else ""
    return post.group(1), Comment(
        id=m.group(1),
        author=clean_text(_text(entry, "a:author/a:name", ns)),
        author_url=_text(entry, "a:author/a:uri", ns),
        published=parse_iso(_text(entry, "a:published", ns)),
        body_html=body_html,
        body_text=html_to_text(body_html),
        in_reply_to=in_reply_to,
    )


# -- WordPress WXR ---------------------------------------------------------------------

BLOCK_TAGS = re.compile(r"<(?:p|div|h[1-6]|ul|ol|li|blockquote|pre|table|figure|hr|dl|section)\b", re.I)
CAPTION = re.compile(r"\[caption([^\]]*)\](.*?)\[/caption\]", re.S)
GALLERY = re.compile(r"\[gallery([^\]]*)\]")
SHORTCODE = re.compile(r"\[/?[a-z_-]+(?:\s[^\]]*)?\]")


def autop(text: str) -> str:
    """WordPress stores classic posts without <p>: blank lines are paragraphs, newlines <br>."""
    if not text.strip():
        return ""
    if BLOCK_TAGS.search(text) and "\n\n" not in text:
        return text
    blocks = re.split(r"\n\s*\n", text.replace("\r\n", "\n").strip())
    out = []
    for block in blocks:
        block = block.strip()
        if not block:
            continue
        if BLOCK_TAGS.match(block) or block.startswith("<!--"):
            out.append(block)
        else:
            out.append("<p>" + block.replace("\n", "<br />\n") + "</p>")
    return "\n".join(out)


def _expand_shortcodes(text: str, attachments: dict[str, dict], post_wp_id: str) -> str:
    def caption(m):
        attrs, inner = m.group(1), m.group(2)
        cap = re.search(r'caption="([^"]*)"', attrs)
        image = re.match(r"\s*((?:<a[^>]*>)?\s*<img[^>]*>\s*(?:</a>)?)(.*)$", inner, re.S)
        shown, text_ = (image.group(1), image.group(2).strip()) if image else (inner, "")
        caption_text = cap.group(1) if cap else text_
        return f'<div class="wp-caption">{shown}<p class="wp-caption-text">{caption_text}</p></div>'

    def gallery(m):
        ids = re.search(r'ids="([\d,\s]+)"', m.group(1))
        chosen = [i.strip() for i in ids.group(1).split(",")] if ids else \
            [k for k, a in attachments.items() if a["parent"] == post_wp_id]
        items = []
        for ident in chosen:
            a = attachments.get(ident)
            if a is None:
                continue
            cap = f'<dd class="wp-caption-text gallery-caption">{html.escape(a["caption"])}</dd>' \
                if a["caption"] else ""
            items.append(f'<dl class="gallery-item"><dt class="gallery-icon"><a href="{a["url"]}">'
                         f'<img src="{a["url"]}" alt="{html.escape(a["alt"])}" /></a></dt>{cap}</dl>')
        return f'<div class="gallery">{"".join(items)}</div>'

    text = CAPTION.sub(caption, text)
    text = GALLERY.sub(gallery, text)
    return SHORTCODE.sub("", text)


def read_wxr(root, blog_url: str = "") -> tuple[Blog, list[Post], dict]:
    channel = root.find("channel")
    if channel is None:
        raise ImportError_("a WXR file without a channel")
    wp = root.nsmap.get("wp") or next(ns for ns in root.nsmap.values()
                                      if ns and ns.startswith(WP_NAMESPACES) and "/excerpt/" not in ns)
    nsmap = {"wp": wp, "content": "http://purl.org/rss/1.0/modules/content/",
             "dc": "http://purl.org/dc/elements/1.1/"}
    origin = blog_url or _text(channel, "wp:base_blog_url", nsmap) or _text(channel, "link", {})
    if not origin:
        raise ImportError_("this export does not name the blog's address: give it with --url")
    parts = urlsplit(origin)
    origin = f"{parts.scheme}://{parts.netloc.lower()}/"
    bid = wordpress.blog_id_for(origin)
    authors = {}
    for author in channel.findall("wp:author", nsmap):
        login = _text(author, "wp:author_login", nsmap)
        authors[login] = _text(author, "wp:author_display_name", nsmap) or login
    attachments = {}
    for item in channel.findall("item"):
        if _text(item, "wp:post_type", nsmap) == "attachment":
            meta = {_text(m, "wp:meta_key", nsmap): _text(m, "wp:meta_value", nsmap)
                    for m in item.findall("wp:postmeta", nsmap)}
            attachments[_text(item, "wp:post_id", nsmap)] = {
                "url": _text(item, "wp:attachment_url", nsmap),
                "parent": _text(item, "wp:post_parent", nsmap),
                "caption": clean_text(_text(item, "excerpt:encoded",
                                            {"excerpt": _excerpt_ns(root)})),
                "alt": meta.get("_wp_attachment_image_alt", ""),
            }
    counts = {"posts": 0, "drafts": 0, "pages": 0, "attachments": len(attachments), "comments": 0,
              "other": 0}
    posts = []
    for item in channel.findall("item"):
        kind = _text(item, "wp:post_type", nsmap)
        status = _text(item, "wp:status", nsmap)
        if kind == "page":
            counts["pages"] += 1
            continue
        if kind != "post":
            counts["other"] += kind != "attachment"
            continue
        if status != "publish":
            counts["drafts"] += 1
            continue
        post = _wxr_post(item, nsmap, bid, origin, authors, attachments)
        counts["comments"] += len(post.comments)
        posts.append(post)
    counts["posts"] = len(posts)
    blog = Blog(id=bid, url=origin, platform=wordpress.NAME,
                title=clean_text(_text(channel, "title", {})),
                description=clean_text(_text(channel, "description", {})),
                language=_text(channel, "language", {}),
                feed_url=wordpress.rest_url(origin))
    return blog, posts, counts


def _excerpt_ns(root) -> str:
    return next((ns for ns in root.nsmap.values() if ns and "/excerpt/" in ns),
                "http://wordpress.org/export/1.2/excerpt/")


def _wp_time(local: str, gmt: str) -> str:
    if not local or local.startswith("0000"):
        return ""
    local = local.replace(" ", "T")
    gmt = "" if not gmt or gmt.startswith("0000") else gmt.replace(" ", "T")
    return wordpress._with_offset(local, gmt)


def _wxr_post(item, nsmap, bid: str, origin: str, authors: dict, attachments: dict) -> Post:
    wp_id = _text(item, "wp:post_id", nsmap)
    link = _text(item, "link", {}).strip()
    url = wordpress.canonical(urljoin(origin, link)) if link else f"{origin}?p={wp_id}"
    categories = [clean_text(c.text) for c in item.findall("category") if c.get("domain") == "category"]
    tags = [clean_text(c.text) for c in item.findall("category") if c.get("domain") == "post_tag"]
    raw = _text(item, "content:encoded", nsmap)
    raw = autop(_expand_shortcodes(raw, attachments, wp_id))
    body_html, images = ("", [])
    if raw.strip():
        body_html, images = wordpress.body_and_images(raw, url)
    body_text = html_to_text(body_html)
    title = clean_text(_text(item, "title", {}))
    login = _text(item, "dc:creator", nsmap)
    comments = []
    for c in item.findall("wp:comment", nsmap):
        if _text(c, "wp:comment_approved", nsmap) != "1" or \
                _text(c, "wp:comment_type", nsmap) not in ("", "comment"):
            continue
        content = sanitize_html(autop(_text(c, "wp:comment_content", nsmap)))
        parent = _text(c, "wp:comment_parent", nsmap)
        comments.append(Comment(
            id=f"{bid}:c{_text(c, 'wp:comment_id', nsmap)}",
            author=clean_text(_text(c, "wp:comment_author", nsmap)),
            author_url=_text(c, "wp:comment_author_url", nsmap),
            published=_wp_time(_text(c, "wp:comment_date", nsmap), _text(c, "wp:comment_date_gmt", nsmap)),
            body_html=content,
            body_text=html_to_text(content),
            in_reply_to=f"{bid}:c{parent}" if parent and parent != "0" else "",
            position=len(comments),
        ))
    post = Post(
        id=f"{bid}:{wp_id}",
        blog_id=bid,
        url=url,
        title=title,
        author=authors.get(login, login),
        published=_wp_time(_text(item, "wp:post_date", nsmap), _text(item, "wp:post_date_gmt", nsmap)),
        updated=_wp_time(_text(item, "wp:post_modified", nsmap), _text(item, "wp:post_modified_gmt", nsmap)),
        labels=list(dict.fromkeys(categories + tags)),
        body_html=body_html,
        body_text=body_text,
        word_count=word_count(body_text),
        content_hash=content_hash(title, body_html),
        images=images,
        comments=comments,
    )
    post.label_kinds = {**{t: "tag" for t in tags}, **{c: "category" for c in categories}}
    return post


# -- writing ------------------------------------------------------------------------------


def import_export(path: str | Path, db_path: str | Path, blog_url: str = "",
                  progress: Steps | None = None) -> dict:
    """Read an export and save it; returns counts (posts new/updated/unchanged, …)."""
    progress = progress or Steps()
    blog, posts, counts = read_export(path, blog_url)
    progress.describe("saving posts")
    progress.total(len(posts))
    db = store.open_db(db_path)
    try:
        existing = store.find_blog(db, blog.url)
        if existing and existing["id"] != blog.id:
            blog.id = existing["id"]  # the crawl named this blog first
            for post in posts:
                post.blog_id = blog.id
        store.save_blog(db, asdict(blog))
        result = {"new": 0, "updated": 0, "unchanged": 0, "older": 0}
        for post in posts:
            result[store.save_post(db, asdict(post))] += 1
            progress.advance()
    finally:
        db.close()
    return {"blog": blog.id, "platform": blog.platform, "url": blog.url, **counts,
            **{f"posts_{k}": v for k, v in result.items()}}


@click.command()
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--db", "db_path", default="archive.db", show_default=True,
              help="The SQLite archive to create or update.")
@click.option("--url", "blog_url", default="",
              help="The blog's address, when the export does not say it.")
def import_command(path, db_path, blog_url):
    """Import a Blogger export (Atom) or a WordPress export (WXR) into the archive.

    Images become post_images rows; the next crawl of the blog fetches their files
    and matches the imported posts instead of adding them again.
    """
    try:
        with steps(f"reading {Path(path).name}") as progress:
            summary = import_export(path, db_path, blog_url, progress)
    except ImportError_ as e:
        raise click.ClickException(str(e))
    except store.StoreError as e:
        click.echo(f"error: {e}", err=True)
        sys.exit(2)
    click.echo(
        f"imported {summary['platform']} blog {summary['url']} ({summary['blog']}): "
        f"posts new {summary['posts_new']}, updated {summary['posts_updated']}, "
        f"unchanged {summary['posts_unchanged']}, "
        f"older than the archive's {summary['posts_older']} (kept as versions), "
        f"comments {summary['comments']}; "
        f"skipped drafts {summary['drafts']}, pages {summary['pages']}"
    )
