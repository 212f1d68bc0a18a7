"""Table and query cells that read well: text snippets instead of HTML walls, labels
as links to their posts, titles linking to the post page, images as thumbnails."""

from __future__ import annotations

import json

import markupsafe
from datasette import hookimpl

from .archive import archive_names
from .bodies import marked, plain_text, words
from .urls import image_url, label_url, post_url



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


def label_links(datasette, database, value, blog_id: str | None = None) -> markupsafe.Markup | None:
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
            markupsafe.escape(label_url(datasette, database, str(label), blog_id)), markupsafe.escape(label))
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
            # two blogs in one archive may share a label: the link stays within this row's blog
            blog_id = row["blog_id"] if _has(row, "blog_id") else None
            if isinstance(blog_id, dict):  # the table view expands the foreign key
                blog_id = blog_id.get("value")
            return label_links(datasette, database, value, blog_id)
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

