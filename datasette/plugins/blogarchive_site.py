"""blogarchive's Datasette plugin: posts that read as posts, images from the database,
search across posts and comments, an Atom feed, and safe rendering of scraped HTML.

Loaded with ``--plugins-dir datasette/plugins`` (``blogarchive serve`` does it).
Self-contained: needs only datasette, nh3 and lxml (no import of the scraper).

What it adds
- every served database that has a ``posts`` table gets the ``databases: archive:``
  block of ``datasette/metadata.yml`` (descriptions, facets, canned queries), whatever
  the file is called;
- ``/-/images/<sha256>``: the bytes of an archived image, from the ``images`` table;
- ``/-/search?q=…[&label=…][&db=…]``: ranked full-text search over posts and comments,
  with highlighted snippets (``/-/search`` is also where the home page's box goes);
- the row page of ``posts`` (``row.html``) shows the post: title, date, author, labels
  linking to the label's posts, the body sanitised again with nh3 and with its images
  pointing at the archived copies (never at the original host), comments, the link to
  the original and the older/newer posts;
- table and query cells show text snippets, label links and thumbnails, not HTML walls;
- a ``year`` facet (``?_facet_year=published``) and a ``list`` facet
  (``?_facet_list=labels``) that stays fast on big archives;
- an ``.atom`` output for any query returning ``atom_id``, ``atom_title``,
  ``atom_updated`` (the columns datasette-atom uses): ``/<db>/newest_posts.atom``;
- headers: a Content-Security-Policy that lets images load only from this site, and
  ``/robots.txt`` that asks search engines not to index the copy.
"""

from __future__ import annotations

import copy
import datetime as dt
import html
import json
import re
import sqlite3
import threading
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import quote, urlencode

import lxml.html
import markupsafe
import nh3
import yaml
from datasette import hookimpl
from datasette.database import QueryInterrupted
from datasette.facets import Facet
from datasette.utils import (
    escape_fts,
    escape_sqlite,
    path_with_added_args,
    path_with_removed_args,
    tilde_decode,
    tilde_encode,
)
from datasette.utils.asgi import Response

PLUGIN = "blogarchive-site"
METADATA_FILE = Path(__file__).resolve().parent.parent / "metadata.yml"
TEMPLATE_DB = "archive"  # the database key in metadata.yml that describes an archive

# -- sanitising (render time; the store sanitised already, this is the second line) --

ALLOWED_TAGS = {
    "a", "abbr", "b", "bdi", "bdo", "blockquote", "br", "caption", "cite", "code", "dd", "del",
    "details", "dfn", "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4",
    "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q",
    "rp", "rt", "ruby", "s", "samp", "small", "span", "strike", "strong", "sub",
    "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "time", "tr", "u", "ul",
    "var", "wbr",
}
ALLOWED_ATTRIBUTES = {
    "*": {"class", "dir", "lang", "title"},
    "a": {"href", "name"},
    "img": {"src", "alt", "width", "height", "loading"},
    "td": {"colspan", "rowspan", "align"},
    "th": {"colspan", "rowspan", "align", "scope"},
    "table": {"align"},
    "time": {"datetime"},
    "ol": {"start", "type"},
    "blockquote": {"cite"},
    "q": {"cite"},
}
URL_SCHEMES = {"http", "https", "mailto"}
# Removed together with everything inside them (nh3 keeps the text of other unknown tags).
DROP_WITH_CONTENT = {"script", "style", "iframe", "object", "embed", "noscript", "template",
                     "svg", "math", "frame", "frameset", "applet", "audio", "video", "form",
                     "textarea", "select", "button", "title", "head"}


def sanitise(fragment: str | None) -> str:
    """Allow-list cleaning with nh3: no scripts, handlers, styles, frames, javascript: URLs."""
    if not fragment:
        return ""
    return nh3.clean(
        fragment,
        tags=ALLOWED_TAGS,
        clean_content_tags=DROP_WITH_CONTENT,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


def plain_text(fragment: str | None) -> str:
    if not fragment:
        return ""
    text = nh3.clean(fragment, tags=set(), clean_content_tags=DROP_WITH_CONTENT)
    return re.sub(r"\s+", " ", html.unescape(text)).strip()


def words(text: str | None, n: int = 36) -> str:
    parts = (text or "").split()
    return " ".join(parts[:n]) + (" …" if len(parts) > n else "")


def marked(snippet: str | None) -> markupsafe.Markup:
    """FTS snippet with <mark> markers → safe HTML: everything escaped except the marks."""
    escaped = str(markupsafe.escape(snippet or ""))
    escaped = escaped.replace("&lt;mark&gt;", "<mark>").replace("&lt;/mark&gt;", "</mark>")
    escaped = escaped.replace("\x02", "<mark>").replace("\x03", "</mark>")
    # Unbalanced marks (a <mark> typed in a post and cut by the snippet) are closed.
    opened = escaped.count("<mark>") - escaped.count("</mark>")
    return markupsafe.Markup(escaped + "</mark>" * max(opened, 0))


# -- which databases are archives ----------------------------------------------------

_archive_cache: dict[tuple, frozenset] = {}
_cache_lock = threading.Lock()


def archive_names(datasette) -> frozenset:
    """Names of the served databases that hold a blogarchive schema (a posts table)."""
    key = (id(datasette), tuple(sorted(datasette.databases)))
    with _cache_lock:
        if key in _archive_cache:
            return _archive_cache[key]
    names = set()
    for name, db in datasette.databases.items():
        if name.startswith("_") or not getattr(db, "path", None):
            continue
        try:
            conn = sqlite3.connect(f"file:{Path(db.path).as_posix()}?mode=ro", uri=True)
            try:
                found = conn.execute(
                    "select 1 from sqlite_master where type = 'table' and name = 'posts'"
                ).fetchone()
            finally:
                conn.close()
        except sqlite3.Error:
            found = None
        if found:
            names.add(name)
    result = frozenset(names)
    with _cache_lock:
        _archive_cache[key] = result
    return result


_bundled: dict = {}


def bundled_metadata() -> dict:
    if "data" not in _bundled:
        try:
            _bundled["data"] = yaml.safe_load(METADATA_FILE.read_text("utf-8")) or {}
        except (OSError, yaml.YAMLError):
            _bundled["data"] = {}
    return _bundled["data"]


def plugin_setting(datasette, name, default=None):
    config = datasette.plugin_config(PLUGIN) or {}
    return config.get(name, default)


# -- connections ----------------------------------------------------------------------

# Memory-mapped reads: facets and searches over a big archive walk many pages, and
# reading them through the map instead of read() calls takes half the time. Only
# address space is reserved; a crawl may write meanwhile (WAL), never truncate.
MMAP_BYTES = 8 * 1024**3


@hookimpl
def prepare_connection(conn):
    conn.execute(f"PRAGMA mmap_size = {MMAP_BYTES}")


# -- metadata for every archive database ------------------------------------------


@hookimpl
def get_metadata(datasette, key, database, table):
    names = archive_names(datasette)
    bundled = bundled_metadata()
    template = ((bundled.get("databases") or {}).get(TEMPLATE_DB)) or {}
    # Deep copies: Datasette merges metadata sources into the first dict in place.
    result = copy.deepcopy({k: v for k, v in bundled.items() if k != "databases"})
    if template and names:
        result["databases"] = {name: copy.deepcopy(template) for name in names}
    return result


# -- facets ---------------------------------------------------------------------------


class _CountingFacet(Facet):
    """A facet counted by one SQL query over the table's filtered rows; choosing a value
    adds ``<column>__<lookup>=value`` to the query string. Subclasses give the query."""

    lookup = ""

    async def suggest(self):
        return []

    def facet_sql(self, col: str, limit: int) -> str:
        raise NotImplementedError

    async def facet_results(self):
        results, timed_out = [], []
        facet_size = self.get_facet_size()
        seen = set()
        for source_and_config in self.get_configs():
            config = source_and_config["config"]
            column = config.get("column") or config["simple"]
            if column in seen:  # in metadata and in the query string: once
                continue
            seen.add(column)
            try:
                rows = await self.ds.execute(
                    self.database, self.facet_sql(escape_sqlite(column), facet_size + 1),
                    self.params, truncate=False,
                    custom_time_limit=self.ds.setting("facet_time_limit_ms"),
                )
            except QueryInterrupted:
                timed_out.append(column)
                continue
            values = []
            results.append({
                "name": column,
                "type": self.type,
                "results": values,
                "hideable": source_and_config["source"] != "metadata",
                "toggle_url": self.ds.urls.path(
                    path_with_removed_args(self.request, {f"_facet_{self.type}": column})
                ),
                "truncated": len(rows) > facet_size,
            })
            key = f"{column}__{self.lookup}"
            chosen = self.request.args.getlist(key)
            for row in rows.rows[:facet_size]:
                selected = row["value"] in chosen
                if selected:
                    toggle = path_with_removed_args(self.request, {key: row["value"]})
                else:
                    toggle = path_with_added_args(self.request, {key: row["value"]})
                values.append({
                    "value": row["value"],
                    "label": row["value"],
                    "count": row["count"],
                    "toggle_url": self.ds.absolute_url(self.request, toggle),
                    "selected": selected,
                })
        return results, timed_out


class YearFacet(_CountingFacet):
    """``?_facet_year=published``: counts per year of an ISO date column, newest first;
    choosing a year filters ``published__startswith=YYYY``."""

    type = "year"
    lookup = "startswith"

    def facet_sql(self, col: str, limit: int) -> str:
        return (f"select substr({col}, 1, 4) as value, count(*) as count from ({self.sql}) "
                f"where {col} glob '[0-9][0-9][0-9][0-9]*' group by value "
                f"order by value desc limit {limit}")


class ListFacet(_CountingFacet):
    """``?_facet_list=labels``: counts per item of a JSON-array column (labels); choosing one
    filters ``labels__arraycontains=``. Datasette's own array facet de-duplicates with
    ``distinct j.value, inner.*``, which copies every row's whole body (seconds over a
    big archive); a post's labels are unique already (post_labels), so only the label
    column is read here."""

    type = "list"
    lookup = "arraycontains"

    def facet_sql(self, col: str, limit: int) -> str:
        return (f"select j.value as value, count(*) as count from (select {col} from ({self.sql})) t, "
                f"json_each(case when json_valid(t.{col}) then t.{col} else '[]' end) j "
                f"where j.type = 'text' group by j.value order by count desc, value limit {limit}")


@hookimpl
def register_facet_classes():
    return [YearFacet, ListFacet]


# -- URLs -----------------------------------------------------------------------------


def post_url(datasette, database: str, post_id) -> str:
    return datasette.urls.row(database, "posts", tilde_encode(str(post_id)))


def label_url(datasette, database: str, label: str) -> str:
    return (datasette.urls.table(database, "posts") + "?"
            + urlencode({"labels__arraycontains": label, "_sort_desc": "published_utc"}))


def image_url(datasette, sha256: str) -> str:
    return datasette.urls.path(f"/-/images/{sha256}")


def reading_list_url(datasette, database: str) -> str:
    columns = ["title", "published", "author", "labels", "body_text", "comment_count"]
    return (datasette.urls.table(database, "posts") + "?"
            + urlencode([("_col", c) for c in columns] + [("_sort_desc", "published_utc")]))


# -- images -----------------------------------------------------------------------------

SAFE_IMAGE_TYPES = {"image/jpeg", "image/png", "image/gif", "image/webp", "image/avif",
                    "image/bmp", "image/x-icon", "image/vnd.microsoft.icon", "image/tiff",
                    "image/svg+xml"}
MAGIC = [(b"\xff\xd8\xff", "image/jpeg"), (b"\x89PNG\r\n\x1a\n", "image/png"),
         (b"GIF87a", "image/gif"), (b"GIF89a", "image/gif"), (b"BM", "image/bmp")]


def sniff(content: bytes) -> str | None:
    for magic, kind in MAGIC:
        if content.startswith(magic):
            return kind
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "image/webp"
    return None


async def _image_row(datasette, sha256: str, database: str | None):
    names = [database] if database else sorted(archive_names(datasette))
    for name in names:
        if name not in archive_names(datasette):
            continue
        db = datasette.get_database(name)
        result = await db.execute(
            "select sha256, content, content_type, path from images where sha256 = ?", [sha256]
        )
        row = result.first()
        if row is not None:
            return db, row
    return None, None


async def serve_image(datasette, request):
    sha256 = request.url_vars["sha256"].lower()
    db, row = await _image_row(datasette, sha256, request.args.get("db"))
    if row is None:
        return Response.text("No archived image with that SHA-256", status=404)
    content = row["content"]
    if content is None and row["path"] and getattr(db, "path", None):
        base = Path(db.path).resolve().parent
        candidate = (base / row["path"]).resolve()
        if base in candidate.parents and candidate.is_file():
            content = candidate.read_bytes()
    if content is None:
        return Response.text("The image is listed but its bytes are not in the archive",
                             status=404)
    if isinstance(content, str):
        content = content.encode("latin-1")
    declared = (row["content_type"] or "").split(";")[0].strip().lower()
    content_type = declared if declared in SAFE_IMAGE_TYPES else (sniff(content) or "")
    headers = {
        "Cache-Control": "public, max-age=31536000, immutable",
        "ETag": f'"{sha256}"',
        "X-Content-Type-Options": "nosniff",
        # An SVG opened on its own must not run script either.
        "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; sandbox",
    }
    if request.headers.get("if-none-match") == f'"{sha256}"':
        return Response("", status=304, headers=headers)
    if not content_type:
        content_type = "application/octet-stream"
        headers["Content-Disposition"] = f'attachment; filename="{sha256}"'
    return Response(content, status=200, headers=headers, content_type=content_type)


def image_map(rows) -> tuple[dict, list]:
    """From post_images rows: every URL the post uses for an image → sha256 of the copy,
    and the shas in order of position (None where not archived)."""
    urls, ordered = {}, []
    for row in rows:
        sha = row["image_sha256"]
        ordered.append(sha)
        if not sha:
            continue
        for key in ("src", "full_url", "fetched_url"):
            if row[key]:
                urls.setdefault(row[key], sha)
        link = row["link"]
        if link and link == row["full_url"]:
            urls.setdefault(link, sha)
        try:
            for url in json.loads(row["candidates"] or "[]"):
                urls.setdefault(url, sha)
        except (TypeError, ValueError):
            pass
    return urls, ordered


def render_body(datasette, fragment: str | None, urls: dict | None = None,
                ordered: list | None = None, absolute=None) -> markupsafe.Markup:
    """Sanitise a stored body and point its images at the archived copies.

    An <img> whose address is not archived is replaced by a small note with a link to
    the original: the reader's browser never fetches from the original host by itself.
    ``absolute`` turns site paths into absolute URLs (the Atom feed).
    """
    clean = sanitise(fragment)
    if not clean.strip():
        return markupsafe.Markup("")
    urls = urls or {}
    ordered = ordered or []
    root = lxml.html.fragment_fromstring(clean, create_parent="div")
    images = list(root.iter("img"))
    by_position = len(images) == len(ordered)
    for index, img in enumerate(images):
        src = img.get("src") or ""
        sha = urls.get(src) or (ordered[index] if by_position else None)
        if sha:
            href = image_url(datasette, sha)
            img.set("src", absolute(href) if absolute else href)
            img.set("loading", "lazy")
            parent = img.getparent()
            if parent is not None and parent.tag == "a" and urls.get(parent.get("href") or ""):
                target = image_url(datasette, urls[parent.get("href")])
                parent.set("href", absolute(target) if absolute else target)
            continue
        note = lxml.html.Element("span")
        note.set("class", "ba-missing-image")
        note.text = "[image not archived" + (f": {img.get('alt')}" if img.get("alt") else "") + "] "
        inside_link = any(a.tag == "a" for a in img.iterancestors())
        if src.startswith(("http://", "https://")) and not inside_link:
            link = lxml.html.Element("a")
            link.set("href", src)
            link.text = "original"
            note.append(link)
        note.tail = img.tail
        parent = img.getparent()
        parent.replace(img, note)
    out = (root.text and html.escape(root.text, quote=False) or "") + "".join(
        lxml.html.tostring(child, encoding="unicode") for child in root
    )
    return markupsafe.Markup(sanitise(out))


# -- the post page (row.html) -------------------------------------------------------------


async def post_context(datasette, database: str, post_id: str) -> dict | None:
    db = datasette.get_database(database)
    post = (await db.execute("select * from posts where id = ?", [post_id])).first()
    if post is None:
        return None
    post = dict(post)
    blog = (await db.execute("select * from blogs where id = ?", [post["blog_id"]])).first()
    label_rows = (await db.execute(
        "select l.name from post_labels pl join labels l on l.id = pl.label_id "
        "where pl.post_id = ? order by pl.position", [post_id])).rows
    labels = [r["name"] for r in label_rows]
    if not labels:
        try:
            labels = [str(x) for x in json.loads(post.get("labels") or "[]")]
        except ValueError:
            labels = []
    image_rows = (await db.execute(
        "select pi.*, i.width as file_width, i.height as file_height, i.size as file_size "
        "from post_images pi left join images i on i.sha256 = pi.image_sha256 "
        "where pi.post_id = ? order by pi.position", [post_id])).rows
    urls, ordered = image_map(image_rows)
    body = render_body(datasette, post.get("body_html"), urls, ordered)
    comment_rows = (await db.execute(
        "select * from comments where post_id = ? order by position, published", [post_id])).rows
    comments = [
        dict(dict(c), body=render_body(datasette, c["body_html"]) if c["body_html"]
             else markupsafe.Markup(html.escape(c["body_text"] or "")))
        for c in comment_rows
    ]
    versions = (await db.execute(
        "select version, captured from post_versions where post_id = ? order by version",
        [post_id])).rows
    newer = older = None
    if post.get("published_utc"):
        newer = (await db.execute(
            "select id, title from posts where blog_id = ? and published_utc > ? "
            "order by published_utc limit 1", [post["blog_id"], post["published_utc"]])).first()
        older = (await db.execute(
            "select id, title from posts where blog_id = ? and published_utc < ? "
            "order by published_utc desc limit 1", [post["blog_id"], post["published_utc"]])).first()
    return {
        "post": post,
        "blog": dict(blog) if blog else None,
        "labels": [{"name": n, "url": label_url(datasette, database, n)} for n in labels],
        "body": body,
        "images": [dict(r, url=image_url(datasette, r["image_sha256"]) if r["image_sha256"] else None)
                   for r in image_rows],
        "images_archived": sum(1 for r in image_rows if r["image_sha256"]),
        "comments": comments,
        "versions": [dict(v, url=datasette.urls.row(
            database, "post_versions", f"{tilde_encode(post_id)},{v['version']}")) for v in versions],
        "newer": dict(newer, url=post_url(datasette, database, newer["id"])) if newer else None,
        "older": dict(older, url=post_url(datasette, database, older["id"])) if older else None,
        "search_url": datasette.urls.path("/-/search"),
        "posts_url": datasette.urls.table(database, "posts"),
    }


async def index_context(datasette) -> dict:
    archives = []
    for name in sorted(archive_names(datasette)):
        db = datasette.get_database(name)
        blogs = []
        for blog in (await db.execute("select * from blogs order by title")).rows:
            stats = (await db.execute(
                "select count(*) as posts, min(published) as first, max(published) as last, "
                "sum(comment_count) as comments from posts where blog_id = ?", [blog["id"]])).first()
            top = (await db.execute(
                "select l.name, count(*) as n from labels l join post_labels pl on pl.label_id = l.id "
                "where l.blog_id = ? group by l.id order by n desc, l.name limit 12",
                [blog["id"]])).rows
            blogs.append(dict(
                dict(blog), posts=stats["posts"], first=(stats["first"] or "")[:10],
                last=(stats["last"] or "")[:10], comments=stats["comments"] or 0,
                labels=[{"name": r["name"], "count": r["n"],
                         "url": label_url(datasette, name, r["name"])} for r in top],
            ))
        latest = (await db.execute("select * from crawls order by id desc limit 1")).first()
        counts = (await db.execute(
            "select (select count(*) from images) as images, "
            "(select count(*) from comments) as comments, "
            "(select count(*) from posts) as posts")).first()
        archives.append({
            "name": name,
            "url": datasette.urls.database(name),
            "blogs": blogs,
            "latest_crawl": dict(latest) if latest else None,
            "counts": dict(counts),
            "reading_list": reading_list_url(datasette, name),
            "posts_url": datasette.urls.table(name, "posts"),
            "csv_url": datasette.urls.table(name, "posts", format="csv") + "?_stream=on&_size=max&_dl=1",
            "feed_url": datasette.urls.path(f"{datasette.urls.database(name)}/newest_posts.atom"),
            "download_url": datasette.urls.path(f"/{quote(name)}.db")
            if not db.is_mutable and datasette.setting("allow_download") else None,
        })
    return {"archives": archives, "search_url": datasette.urls.path("/-/search")}


@hookimpl
def extra_template_vars(template, database, table, view_name, request, datasette):
    async def inner():
        if view_name == "index":
            return {"blogarchive": await index_context(datasette)}
        if view_name == "row" and table == "posts" and database in archive_names(datasette):
            pks = (request.url_vars or {}).get("pks") if request else None
            if pks:
                context = await post_context(datasette, database, tilde_decode(pks))
                if context:
                    return {"blogarchive_post": context}
        if database in archive_names(datasette):
            return {"blogarchive_db": {
                "feed_url": datasette.urls.path(f"{datasette.urls.database(database)}/newest_posts.atom"),
                "search_url": datasette.urls.path("/-/search"),
                "reading_list": reading_list_url(datasette, database),
            }}
        return {}

    return inner


@hookimpl
def extra_css_urls(datasette):
    return [datasette.urls.path("/-/blogarchive.css")]


CSS_FILE = Path(__file__).resolve().parent.parent / "static" / "blogarchive.css"


async def serve_css(datasette, request):
    try:
        css = CSS_FILE.read_text("utf-8")
    except OSError:
        css = ""
    return Response(css, content_type="text/css; charset=utf-8",
                    headers={"Cache-Control": "public, max-age=300"})


# -- cells ----------------------------------------------------------------------------------


def _get(row, key):
    try:
        return row[key]
    except (KeyError, IndexError, TypeError):
        return None


def _has(row, key) -> bool:
    try:
        return key in row.keys()
    except AttributeError:
        return False


def label_links(datasette, database, value) -> markupsafe.Markup | None:
    try:
        labels = json.loads(value) if isinstance(value, str) else None
    except ValueError:
        return None
    if not isinstance(labels, list):
        return None
    if not labels:
        return markupsafe.Markup('<span class="ba-none">—</span>')
    return markupsafe.Markup(" ".join(
        '<a class="ba-label" href="{}">{}</a>'.format(
            markupsafe.escape(label_url(datasette, database, str(label))), markupsafe.escape(label))
        for label in labels
    ))


def thumbnail(datasette, sha, title="") -> markupsafe.Markup:
    return markupsafe.Markup(
        '<a href="{href}"><img class="ba-thumb" loading="lazy" src="{src}" alt="{alt}"></a>'.format(
            href=markupsafe.escape(image_url(datasette, sha)),
            src=markupsafe.escape(image_url(datasette, sha)),
            alt=markupsafe.escape(title or sha[:12]),
        )
    )


def snippet_cell(text: str, n: int = 30) -> markupsafe.Markup:
    return markupsafe.Markup('<span class="ba-snippet">{}</span>').format(words(text, n))


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    if database not in archive_names(datasette):
        return None
    if table in ("posts", "comments", "post_versions", "feed_entries", None):
        if column == "body_html" and value:
            text = _get(row, "body_text") if _has(row, "body_text") else None
            if _has(row, "body_text"):
                # The text column is right beside it: say what the HTML is, not repeat it.
                return markupsafe.Markup('<span class="ba-muted">HTML, {:,} characters</span>').format(len(value))
            return snippet_cell(text or plain_text(value))
        if column == "body_text" and value:
            return snippet_cell(value)
        if column in ("atom_content_html",) and value:
            return snippet_cell(plain_text(value))
        if column == "labels" and value:
            return label_links(datasette, database, value)
    if table == "posts" and column == "title":
        pk = _get(row, "id")
        if pk is not None:
            return markupsafe.Markup('<a class="ba-title" href="{}">{}</a>').format(
                post_url(datasette, database, pk), value or "(untitled)")
    if table == "images" and column == "content" and value is not None:
        sha = _get(row, "sha256")
        if sha:
            return thumbnail(datasette, sha)
    if table == "post_images" and column == "image_sha256" and value:
        return thumbnail(datasette, value, _get(row, "alt") or "")
    if table is None:
        if column in ("snippet", "title_snippet") and value is not None:
            return marked(value)
        if column == "image_sha256" and value:
            return thumbnail(datasette, value)
        if column == "post_id" and value:
            return markupsafe.Markup('<a href="{}">{}</a>').format(
                post_url(datasette, database, value), value)
        if column in ("title", "atom_title") and _has(row, "post_id") and _get(row, "post_id"):
            return markupsafe.Markup('<a class="ba-title" href="{}">{}</a>').format(
                post_url(datasette, database, _get(row, "post_id")), value or "(untitled)")
    return None


# -- search across posts and comments ---------------------------------------------------------

PAGE_SIZE = 20


async def _run_fts(db, sql: str, params: dict, query: str):
    """Run an FTS query with the reader's syntax; if FTS5 rejects it, with every word quoted."""
    try:
        return await db.execute(sql, dict(params, q=query)), query
    except sqlite3.OperationalError:
        escaped = escape_fts(query)
        return await db.execute(sql, dict(params, q=escaped)), escaped


async def search_page(datasette, request):
    q = (request.args.get("q") or "").strip()
    label = (request.args.get("label") or "").strip()
    only_db = request.args.get("db") or ""
    sort = request.args.get("sort") or "rank"
    try:
        page = max(1, int(request.args.get("page") or 1))
    except ValueError:
        page = 1
    names = sorted(archive_names(datasette))
    if only_db:
        names = [n for n in names if n == only_db]
    results = []
    errors = []
    if q:
        label_filter = (" and exists (select 1 from json_each(p.labels) j where j.value = :label)"
                        if label else "")
        order = "p.published desc" if sort == "newest" else "bm25(posts_fts, 5.0, 1.0)"
        for name in names:
            db = datasette.get_database(name)
            params = {"label": label, "limit": PAGE_SIZE, "offset": (page - 1) * PAGE_SIZE}
            try:
                counted, used = await _run_fts(
                    db, "select count(*) as n from posts_fts join posts p on p.rowid = posts_fts.rowid "
                        f"where posts_fts match :q{label_filter}", params, q)
                posts, _ = await _run_fts(
                    db,
                    "select p.id, p.title, p.published, p.author, p.labels, "
                    "highlight(posts_fts, 0, char(2), char(3)) as title_hl, "
                    "snippet(posts_fts, 1, char(2), char(3), ' … ', 40) as snip "
                    "from posts_fts join posts p on p.rowid = posts_fts.rowid "
                    f"where posts_fts match :q{label_filter} order by {order} "
                    "limit :limit offset :offset", params, used)
                comments, _ = await _run_fts(
                    db,
                    "select c.id, c.post_id, c.author, c.published, p.title, "
                    "snippet(comments_fts, 1, char(2), char(3), ' … ', 30) as snip "
                    "from comments_fts join comments c on c.rowid = comments_fts.rowid "
                    "join posts p on p.id = c.post_id "
                    f"where comments_fts match :q{label_filter} order by bm25(comments_fts) "
                    "limit 20", params, used)
                facet, _ = await _run_fts(
                    db,
                    "select j.value as label, count(*) as n from posts_fts "
                    "join posts p on p.rowid = posts_fts.rowid, json_each(p.labels) j "
                    "where posts_fts match :q group by j.value order by n desc, j.value limit 15",
                    params, used)
            except sqlite3.OperationalError as e:
                errors.append(f"{name}: {e}")
                continue
            results.append({
                "name": name,
                "total": counted.first()["n"],
                "query": used,
                "posts": [{
                    "url": post_url(datasette, name, r["id"]),
                    "title": marked(r["title_hl"]) if r["title"] else markupsafe.Markup("(untitled)"),
                    "published": (r["published"] or "")[:10],
                    "author": r["author"],
                    "labels": [{"name": n, "url": label_url(datasette, name, n)}
                               for n in json.loads(r["labels"] or "[]")],
                    "snippet": marked(r["snip"]),
                } for r in posts.rows],
                "comments": [{
                    "url": post_url(datasette, name, r["post_id"]) + f"#comment-{quote(str(r['id']))}",
                    "title": r["title"] or "(untitled)",
                    "author": r["author"],
                    "published": (r["published"] or "")[:10],
                    "snippet": marked(r["snip"]),
                } for r in comments.rows],
                "labels": [{
                    "name": r["label"], "count": r["n"], "selected": r["label"] == label,
                    "url": datasette.urls.path("/-/search") + "?" + urlencode(
                        {"q": q, "label": r["label"], **({"db": only_db} if only_db else {})}),
                } for r in facet.rows],
                "table_url": datasette.urls.table(name, "posts") + "?" + urlencode(
                    {"_search": q, **({"labels__arraycontains": label} if label else {})}),
            })
    total = sum(r["total"] for r in results)
    if len(results) > 1:  # several archives: show those with something to show
        results = [r for r in results if r["total"] or r["comments"]] or results[:1]
    base = {"q": q, **({"label": label} if label else {}), **({"db": only_db} if only_db else {}),
            **({"sort": sort} if sort != "rank" else {})}
    more = any(r["total"] > page * PAGE_SIZE for r in results)
    context = {
        "q": q, "label": label, "db": only_db, "sort": sort, "page": page,
        "results": results, "errors": errors, "total": total,
        "databases": sorted(archive_names(datasette)),
        "search_url": datasette.urls.path("/-/search"),
        "next_url": datasette.urls.path("/-/search") + "?" + urlencode({**base, "page": page + 1}) if more else None,
        "prev_url": datasette.urls.path("/-/search") + "?" + urlencode({**base, "page": page - 1}) if page > 1 else None,
        "unlabel_url": datasette.urls.path("/-/search") + "?" + urlencode(
            {k: v for k, v in base.items() if k != "label"}),
        "sort_url": datasette.urls.path("/-/search") + "?" + urlencode(
            {**{k: v for k, v in base.items() if k != "sort"}, **({} if sort == "newest" else {"sort": "newest"})}),
    }
    return Response.html(
        await datasette.render_template("blogarchive_search.html", context, request=request)
    )


# -- Atom ----------------------------------------------------------------------------------

ATOM = "http://www.w3.org/2005/Atom"


def rfc3339(value) -> str | None:
    """An Atom date: ISO 8601 with an offset (UTC assumed where the archive has none)."""
    if not value:
        return None
    value = str(value).strip().replace(" ", "T", 1)
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.timezone.utc)
    return parsed.isoformat()


def can_render_atom(columns):
    return {"atom_id", "atom_title", "atom_updated"} <= set(columns or [])


async def render_atom(datasette, request, database, columns, rows, query_name, view_name):
    ET.register_namespace("", ATOM)
    rows = [dict(zip(columns, row)) if not hasattr(row, "keys") else dict(row) for row in rows]

    def absolute(path):
        return datasette.absolute_url(request, path)

    maps = {}
    if database in archive_names(datasette) and any(r.get("post_id") for r in rows):
        db = datasette.get_database(database)
        ids = [r["post_id"] for r in rows if r.get("post_id")]
        found = await db.execute(
            "select * from post_images where post_id in (select value from json_each(?)) "
            "order by post_id, position", [json.dumps(ids)])
        grouped: dict = {}
        for r in found.rows:
            grouped.setdefault(r["post_id"], []).append(r)
        maps = {pid: image_map(group) for pid, group in grouped.items()}

    feed = ET.Element(f"{{{ATOM}}}feed")
    title = datasette.metadata("title") or "Blog archive"
    if query_name:
        query = (await datasette.get_canned_queries(database, None)).get(query_name) or {}
        title = f"{title}: {query.get('title') or query_name}"
    ET.SubElement(feed, f"{{{ATOM}}}title").text = title
    ET.SubElement(feed, f"{{{ATOM}}}id").text = absolute(request.path)
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="self", href=absolute(request.full_path))
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="alternate", type="text/html",
                  href=absolute(request.path.rsplit(".atom", 1)[0]))
    updated = [u for u in (rfc3339(r.get("atom_updated")) for r in rows) if u]
    ET.SubElement(feed, f"{{{ATOM}}}updated").text = (
        max(updated) if updated else dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"))
    ET.SubElement(feed, f"{{{ATOM}}}generator").text = "blogarchive"
    for row in rows:
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
        ET.SubElement(entry, f"{{{ATOM}}}id").text = str(row["atom_id"])
        ET.SubElement(entry, f"{{{ATOM}}}title").text = str(row.get("atom_title") or "(untitled)")
        ET.SubElement(entry, f"{{{ATOM}}}updated").text = (
            rfc3339(row.get("atom_updated")) or dt.datetime.now(dt.timezone.utc).isoformat())
        if rfc3339(row.get("atom_published")):
            ET.SubElement(entry, f"{{{ATOM}}}published").text = rfc3339(row["atom_published"])
        author = ET.SubElement(entry, f"{{{ATOM}}}author")
        ET.SubElement(author, f"{{{ATOM}}}name").text = str(row.get("atom_author_name") or "unknown")
        if row.get("post_id") and database in archive_names(datasette):
            ET.SubElement(entry, f"{{{ATOM}}}link", rel="alternate", type="text/html",
                          href=absolute(post_url(datasette, database, row["post_id"])))
            if row.get("atom_link"):
                ET.SubElement(entry, f"{{{ATOM}}}link", rel="via", href=str(row["atom_link"]))
        elif row.get("atom_link"):
            ET.SubElement(entry, f"{{{ATOM}}}link", rel="alternate", href=str(row["atom_link"]))
        if row.get("atom_content_html"):
            urls, ordered = maps.get(row.get("post_id"), ({}, []))
            body = render_body(datasette, row["atom_content_html"], urls, ordered, absolute=absolute)
            ET.SubElement(entry, f"{{{ATOM}}}content", type="html").text = str(body)
    body = ET.tostring(feed, encoding="unicode", xml_declaration=False)
    return Response(
        '<?xml version="1.0" encoding="utf-8"?>\n' + body,
        content_type="application/atom+xml; charset=utf-8",
    )


@hookimpl
def register_output_renderer(datasette):
    return {"extension": "atom", "render": render_atom, "can_render": can_render_atom}


# -- routes, robots, headers ---------------------------------------------------------------------


async def robots_txt(datasette, request):
    if plugin_setting(datasette, "robots_disallow", True):
        return Response.text("User-agent: *\nDisallow: /\n")
    return Response.text("User-agent: *\nDisallow:\n")


@hookimpl
def register_routes():
    return [
        (r"^/-/images/(?P<sha256>[0-9a-fA-F]{64})$", serve_image),
        (r"^/-/search$", search_page),
        (r"^/-/blogarchive\.css$", serve_css),
        (r"^/robots\.txt$", robots_txt),
    ]


CSP = ("img-src 'self' data:; media-src 'self'; object-src 'none'; frame-src 'none'; "
       "base-uri 'self'; form-action 'self'")


READ_METHODS = {"GET", "HEAD", "OPTIONS"}


@hookimpl
def asgi_wrapper(datasette):
    """Read-only at the door: any method but GET/HEAD/OPTIONS is refused (the site has no
    write endpoints, and Datasette answers a POST to a table with a 500); security headers."""
    def wrap(app):
        async def with_headers(scope, receive, send):
            if scope.get("type") != "http":
                return await app(scope, receive, send)
            if scope.get("method", "GET").upper() not in READ_METHODS:
                await send({"type": "http.response.start", "status": 405,
                            "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                                        (b"allow", b"GET, HEAD, OPTIONS")]})
                await send({"type": "http.response.body",
                            "body": b"This archive is read-only.\n"})
                return

            async def send_with_headers(event):
                if event["type"] == "http.response.start":
                    headers = list(event.get("headers") or [])
                    names = {k.lower() for k, _ in headers}
                    content_type = next((v for k, v in headers if k.lower() == b"content-type"), b"")
                    extra = [(b"x-content-type-options", b"nosniff"),
                             (b"referrer-policy", b"same-origin")]
                    if content_type.startswith(b"text/html"):
                        extra.append((b"content-security-policy", CSP.encode()))
                    headers += [(k, v) for k, v in extra if k not in names]
                    event = dict(event, headers=headers)
                await send(event)

            return await app(scope, receive, send_with_headers)

        return with_headers

    return wrap


@hookimpl
def startup(datasette):
    # Datasette 0.65's default error page prints a rich traceback even for a plain 404
    # (no exception being handled), which recent rich versions refuse with ValueError:
    # every unknown URL then answers 500. Without rich, 404s are 404s again.
    import datasette.handle_exception as handle_exception

    handle_exception.rich = None
