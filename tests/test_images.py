"""Post images: verified by their bytes, kept once, stored where the user asked, retried."""

from __future__ import annotations

import hashlib
import io
import sqlite3
import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image as PILImage

from conftest import crawl
from scraper import images
from scraper.sample import BlogServer, make_blog


def pillow_bytes(fmt: str, size=(37, 23)) -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGB", size, (200, 90, 20)).save(buffer, format=fmt)
    return buffer.getvalue()


@pytest.mark.parametrize("fmt,kind", [("JPEG", "image/jpeg"), ("PNG", "image/png"),
                                      ("GIF", "image/gif"), ("WEBP", "image/webp")])
def test_types_and_sizes_come_from_the_bytes(fmt, kind):
    info = images.inspect(pillow_bytes(fmt))
    assert (info.content_type, info.width, info.height) == (kind, 37, 23)


def test_an_html_error_page_is_not_an_image():
    with pytest.raises(images.NotAnImage) as e:
        images.inspect(b"<!DOCTYPE html><html><body>Not found</body></html>")
    assert e.value.kind == "not_image" and "HTML page" in str(e.value)
    with pytest.raises(images.NotAnImage):
        images.inspect(b"")


def test_a_decompression_bomb_is_refused_from_its_header_alone():
    # A PNG whose header claims 100000 x 100000 pixels; its data is never decoded.
    def chunk(tag, data):
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))
    bomb = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 100000, 100000, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00" * 1000)) + chunk(b"IEND", b""))
    with pytest.raises(images.NotAnImage) as e:
        images.inspect(bomb)
    assert e.value.kind == "too_many_pixels"


def counts(db_path: Path) -> dict:
    db = sqlite3.connect(db_path)
    return {
        "images": db.execute("SELECT COUNT(*) FROM images").fetchone()[0],
        "linked": db.execute("SELECT COUNT(*) FROM post_images WHERE image_sha256 IS NOT NULL").fetchone()[0],
        "rows": db.execute("SELECT COUNT(*) FROM post_images").fetchone()[0],
        "failed": db.execute("SELECT COUNT(*) FROM post_images WHERE fetch_error IS NOT NULL").fetchone()[0],
    }


def test_images_none_keeps_only_their_urls(tmp_path):
    blog = make_blog("layout", n_posts=12, seed=31)
    with BlogServer(blog) as server:
        crawl(server.url, tmp_path / "a.db", "--images", "none")
        assert server.image_requests == []
    c = counts(tmp_path / "a.db")
    assert c["rows"] > 0 and c["images"] == 0 and c["linked"] == 0


def test_images_dir_writes_content_addressed_files(tmp_path):
    blog = make_blog("layout", n_posts=12, seed=31)
    folder = tmp_path / "files"
    with BlogServer(blog) as server:
        crawl(server.url, tmp_path / "a.db", "--images", f"dir:{folder}")
    db = sqlite3.connect(tmp_path / "a.db")
    rows = db.execute("SELECT sha256, path, content FROM images").fetchall()
    assert rows
    for sha, path, content in rows:
        assert content is None
        data = (folder / path).read_bytes()
        assert hashlib.sha256(data).hexdigest() == sha and path.startswith(f"{sha[:2]}/{sha[2:4]}/")


def test_size_limit_failures_are_recorded_and_retried_next_run(tmp_path):
    blog = make_blog("layout", n_posts=12, seed=31)
    db_path = tmp_path / "a.db"
    with BlogServer(blog) as server:
        # Originals are larger than 3 kB; some thumbnails are smaller.
        result = crawl(server.url, db_path, "-s", "BLOGARCHIVE_IMAGE_MAXSIZE=3000")
        first = counts(db_path)
        assert first["failed"] > 0 and "image_too_large" in result.stdout
        errors = [r[0] for r in sqlite3.connect(db_path).execute(
            "SELECT fetch_error FROM post_images WHERE fetch_error IS NOT NULL")]
        assert any("too_large" in e for e in errors)
        # The next run (no limit) fetches only what is missing, and gets it.
        had = {r[0].replace(server.image_origin, "") for r in sqlite3.connect(db_path).execute(
            "SELECT url FROM image_urls")}
        mark = len(server.image_requests)
        crawl(server.url, db_path)
        second = counts(db_path)
        fetched_again = {r[1] for r in server.image_requests[mark:]}
    assert second["images"] > first["images"]
    assert second["failed"] == 1  # the fixture's HTML page served as .jpg, still refused
    assert fetched_again and not fetched_again & had  # nothing already kept was fetched again
