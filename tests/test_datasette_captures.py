"""The page as fetched, on the published site: a post links to its stored page, served
from the WARC files as text or as a sandboxed page, never from the original host."""

from __future__ import annotations

import sqlite3

from conftest import crawl
from scraper.sample import BlogServer, make_blog
from scraper.warcfiles import read_record
from test_datasette import datasette_server, fetch


def test_a_post_links_to_its_page_as_fetched_served_safely(tmp_path):
    blog = make_blog("layout", n_posts=6, seed=61)
    db_path = tmp_path / "harbour.db"
    with BlogServer(blog) as server:
        crawl(server.url, db_path)
    conn = sqlite3.connect(db_path)
    post_id, title = conn.execute("SELECT id, title FROM posts WHERE title != '' ORDER BY id").fetchone()
    capture_id, warc_file, offset = conn.execute(
        "SELECT id, warc_file, offset FROM captures WHERE post_id = ? AND status = 200", [post_id]
    ).fetchone()
    image_capture = conn.execute("SELECT id FROM captures WHERE image_sha256 IS NOT NULL").fetchone()[0]
    conn.close()
    stored = read_record(tmp_path / "harbour.db.warc", warc_file, offset).content

    with datasette_server([db_path]) as base:
        status, _, page = fetch(f"{base}/harbour/posts/{post_id}")
        assert status == 200
        link = f"/-/captures/harbour/{capture_id}"
        assert f'href="{link}"' in page.decode() and f'href="{link}?view=page"' in page.decode()

        status, headers, body = fetch(base + link)
        assert status == 200
        assert headers["Content-Type"].startswith("text/plain")
        assert "sandbox" in headers["Content-Security-Policy"]
        assert headers["X-Content-Type-Options"] == "nosniff"
        shown = body.decode("utf-8")
        assert "HTTP 200" in shown and stored.decode("utf-8") in shown

        status, headers, body = fetch(base + link + "?view=page")
        assert status == 200 and headers["Content-Type"].startswith("text/html")
        assert headers["Content-Security-Policy"].startswith("sandbox")
        assert "default-src 'none'" in headers["Content-Security-Policy"]
        assert body == stored  # the markup as it was fetched

        status, headers, body = fetch(f"{base}/-/captures/harbour/{image_capture}")
        assert status == 200 and b"not shown as text" in body
        assert fetch(f"{base}/-/captures/harbour/999999")[0] == 404
        assert fetch(f"{base}/-/captures/nope/{capture_id}")[0] == 404
