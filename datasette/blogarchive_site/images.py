"""``/-/images/<sha256>``: the bytes of an archived image, from the ``images`` table (or
the folder the archive names when images are kept on disk), never from the original host."""

from __future__ import annotations

from pathlib import Path

from datasette import hookimpl
from datasette.utils.asgi import Response

from scraper.images import sniff  # the bytes' own type, as the crawl judged them

from .archive import archive_names

SAFE_IMAGE_TYPES = {"image/jpeg", "image/png", "image/gif", "image/webp", "image/avif",
                    "image/bmp", "image/x-icon", "image/vnd.microsoft.icon", "image/tiff",
                    "image/svg+xml"}


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


async def _image_folder(db) -> Path:
    """The folder the archive names for its image files (archive_settings.images_dir),
    else the archive's own folder."""
    try:
        result = await db.execute(
            "select value from archive_settings where name = 'images_dir'")
        row = result.first()
    except Exception:  # an archive older than that table
        row = None
    if row is not None and row[0]:
        return Path(row[0]).resolve()
    return Path(db.path).resolve().parent


async def serve_image(datasette, request):
    sha256 = request.url_vars["sha256"].lower()
    db, row = await _image_row(datasette, sha256, request.args.get("db"))
    if row is None:
        return Response.text("No archived image with that SHA-256", status=404)
    content = row["content"]
    if content is None and row["path"] and getattr(db, "path", None):
        base = await _image_folder(db)
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



@hookimpl
def register_routes():
    return [(r"^/-/images/(?P<sha256>[0-9a-fA-F]{64})$", serve_image)]
