"""The page as fetched: ``/-/captures/<database>/<id>`` serves a stored WARC record.

The record comes from the archive's WARC folder (``<archive>.warc/``, through
``captures``), never from the original host. It is served safely: as text/plain
(the HTTP status line, headers and the body as received, decoded), or with
``?view=page`` as HTML in a sandbox (no script, no form, nothing loaded from
anywhere: the page's own markup as it was, unstyled). The post page links to it.
"""

from __future__ import annotations

from pathlib import Path

from datasette import hookimpl
from datasette.utils.asgi import Response

from scraper.warcfiles import read_record, warc_dir

from .archive import archive_names

# Nothing runs and nothing loads: the sandbox gives the page an opaque origin.
SANDBOX = "sandbox; default-src 'none'; style-src 'unsafe-inline'"
TEXT_TYPES = ("text/", "application/xml", "application/atom+xml", "application/rss+xml",
              "application/json", "application/xhtml+xml")


def _charset(headers: list[tuple[str, str]]) -> str:
    for name, value in headers:
        if name.lower() == "content-type" and "charset=" in value.lower():
            return value.lower().split("charset=")[-1].split(";")[0].strip().strip('"') or "utf-8"
    return "utf-8"


def _content_type(headers: list[tuple[str, str]]) -> str:
    return next((v.split(";")[0].strip().lower() for k, v in headers
                 if k.lower() == "content-type"), "")


async def serve_capture(datasette, request):
    database, capture_id = request.url_vars["database"], request.url_vars["id"]
    if database not in archive_names(datasette):
        return Response.text("No such archive", status=404)
    db = datasette.get_database(database)
    try:
        row = (await db.execute(
            "select c.url, c.status, c.record_type, coalesce(o.warc_file, c.warc_file) as warc_file, "
            "coalesce(o.offset, c.offset) as offset, c.fetched_at from captures c "
            "left join captures o on o.id = c.revisit_of where c.id = ?", [int(capture_id)])).first()
    except Exception:  # an archive from before captures existed
        row = None
    if row is None or not getattr(db, "path", None):
        return Response.text("No stored record with that id", status=404)
    folder = warc_dir(Path(db.path))
    try:
        record = read_record(folder, row["warc_file"], row["offset"])
    except (OSError, ValueError) as e:
        return Response.text(f"The record is listed but cannot be read: {e}", status=404)
    kind = _content_type(record.headers)
    headers = {"X-Content-Type-Options": "nosniff", "Content-Security-Policy": SANDBOX,
               "Cache-Control": "public, max-age=86400"}
    if request.args.get("view") == "page" and kind in ("text/html", "application/xhtml+xml"):
        return Response(record.content, status=200, headers=headers,
                        content_type=f"text/html; charset={_charset(record.headers)}")
    if not kind.startswith(TEXT_TYPES):
        text = (f"{row['url']}\nfetched {row['fetched_at']}: a {kind or 'binary'} body of "
                f"{len(record.content):,} bytes, not shown as text\n")
        return Response.text(text, headers=headers)
    lines = [f"{row['url']}", f"fetched {row['fetched_at']}"
             + (" (unchanged since the copy shown: a revisit)" if row["record_type"] == "revisit" else ""),
             "", f"HTTP {row['status']}"]
    lines += [f"{name}: {value}" for name, value in record.headers]
    body = record.content.decode(_charset(record.headers), errors="replace")
    return Response.text("\n".join(lines) + "\n\n" + body, headers=headers)


@hookimpl
def register_routes():
    return [(r"^/-/captures/(?P<database>[^/]+)/(?P<id>\d+)$", serve_capture)]


@hookimpl
def extra_template_vars(database, table, view_name, request, datasette):
    """On a post's page: its page as fetched (the last stored copy)."""
    if view_name != "row" or table != "posts" or database not in archive_names(datasette):
        return {}

    async def inner():
        pks = (request.url_vars or {}).get("pks") if request else None
        if not pks:
            return {}
        from datasette.utils import tilde_decode

        db = datasette.get_database(database)
        try:
            row = (await db.execute(
                "select id, fetched_at from captures where post_id = ? and status = 200 "
                "order by id desc limit 1", [tilde_decode(pks)])).first()
        except Exception:  # an archive from before captures existed
            return {}
        if row is None:
            return {}
        base = datasette.urls.path(f"/-/captures/{database}/{row['id']}")
        return {"page_as_fetched": {"text": base, "page": base + "?view=page",
                                    "fetched_at": row["fetched_at"]}}

    return inner
