"""An ``.atom`` output for any query returning ``atom_id``, ``atom_title`` and
``atom_updated`` (datasette-atom's column names): ``/<db>/newest_posts.atom``.

Not datasette-atom itself: an archive's feed must point its entries at the archived
post pages and its images at the archived copies (``/-/images/…``), which needs the
post_images rows of each entry; datasette-atom passes the stored HTML through as is.
"""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET

from datasette import hookimpl
from datasette.utils.asgi import Response

from .archive import archive_names
from .bodies import image_map, render_body
from .urls import post_url

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

