"""The row page of ``posts`` (row.html) reads as the post: title, date, author, labels
linking to their posts, the body with its archived images, comments, versions, the
original and the older/newer posts. Other rows keep Datasette's row page."""

from __future__ import annotations

import html
import json

import markupsafe
from datasette import hookimpl
from datasette.utils import tilde_decode, tilde_encode

from .archive import archive_names
from .bodies import image_map, render_body
from .urls import image_url, label_url, post_url, search_url



async def post_context(datasette, database: str, post_id: str) -> dict | None:
    db = datasette.get_database(database)
    post = (await db.execute("select * from posts_with_bodies where id = ?", [post_id])).first()
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
        "labels": [{"name": n, "url": label_url(datasette, database, n, post["blog_id"])} for n in labels],
        "body": body,
        "images": [dict(r, url=image_url(datasette, r["image_sha256"]) if r["image_sha256"] else None)
                   for r in image_rows],
        "images_archived": sum(1 for r in image_rows if r["image_sha256"]),
        "comments": comments,
        "versions": [dict(v, url=datasette.urls.row(
            database, "post_versions", f"{tilde_encode(post_id)},{v['version']}")) for v in versions],
        "newer": dict(newer, url=post_url(datasette, database, newer["id"])) if newer else None,
        "older": dict(older, url=post_url(datasette, database, older["id"])) if older else None,
        "search_url": search_url(datasette),
        "posts_url": datasette.urls.table(database, "posts"),
    }



@hookimpl
def extra_template_vars(database, table, view_name, request, datasette):
    async def inner():
        if view_name != "row" or table != "posts" or database not in archive_names(datasette):
            return {}
        pks = (request.url_vars or {}).get("pks") if request else None
        context = await post_context(datasette, database, tilde_decode(pks)) if pks else None
        return {"blogarchive_post": context} if context else {}

    return inner
