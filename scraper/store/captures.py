"""Where each response fetched is kept: an index of WARC records, tied to the post or
image they hold, and read back by reparse and the site."""

from __future__ import annotations

from typing import Iterable

import sqlite_utils

from .rows import first_row

CAPTURE_COLUMNS = ("url", "record_type", "warc_file", "offset", "length", "status", "content_type",
                   "digest", "fetched_at", "crawl_id", "role", "post_id", "image_sha256",
                   "revisit_of")


def save_captures(db: sqlite_utils.Database, captures: list[dict], crawl_id: int | None,
                  post_id: str | None = None, image_sha256: str | None = None) -> None:
    """Index WARC records; call inside the transaction that saves what they hold.

    A record of a known post's address with no post given (a 304 Not Modified, which
    no new post item comes with) is tied to that post."""
    if not captures:  # (most items: the page's records went with its post, or no WARC is kept)
        return
    rows = [{**c, "crawl_id": crawl_id, "post_id": post_id or c.get("post_id"),
             "image_sha256": image_sha256 or c.get("image_sha256")} for c in captures]
    values = ["COALESCE(?, (SELECT id FROM posts WHERE url = ?))" if c == "post_id" else "?"
              for c in CAPTURE_COLUMNS]
    db.conn.executemany(
        f"INSERT INTO captures ({', '.join(CAPTURE_COLUMNS)}) VALUES ({', '.join(values)})",
        [[v for c in CAPTURE_COLUMNS
          for v in ((row.get(c), row["url"]) if c == "post_id" else (row.get(c),))]
         for row in rows])


def last_capture(db: sqlite_utils.Database, url: str) -> dict | None:
    """The latest full response record of a URL (what a revisit record refers to)."""
    return first_row(db, "SELECT id, url, digest, fetched_at, warc_file, offset FROM captures "
                        "WHERE url = ? AND record_type = 'response' ORDER BY id DESC LIMIT 1", [url])


def post_captures(db: sqlite_utils.Database, post_ids: Iterable[str] | None = None):
    """(post row, its latest capture) for every post with a stored page, revisits resolved
    to the record that holds the payload."""
    sql = (
        "SELECT p.id, p.blog_id, p.url, b.platform, COALESCE(o.warc_file, c.warc_file), "
        "COALESCE(o.offset, c.offset), c.fetched_at, c.id FROM posts p "
        "JOIN blogs b ON b.id = p.blog_id "
        "JOIN captures c ON c.id = (SELECT MAX(id) FROM captures WHERE post_id = p.id "
        "AND status = 200) LEFT JOIN captures o ON o.id = c.revisit_of ORDER BY p.id"
    )
    for row in db.execute(sql):
        if post_ids is not None and row[0] not in post_ids:
            continue
        yield {"id": row[0], "blog_id": row[1], "url": row[2], "platform": row[3],
               "warc_file": row[4], "offset": row[5], "fetched_at": row[6], "capture_id": row[7]}


def feed_captures(db: sqlite_utils.Database):
    """(blog id, platform, url, warc file, offset) of the last full copy of each feed page
    a blog's crawls fetched."""
    sql = (
        "SELECT b.id, b.platform, c.url, COALESCE(o.warc_file, c.warc_file), "
        "COALESCE(o.offset, c.offset), c.crawl_id FROM captures c "
        "LEFT JOIN captures o ON o.id = c.revisit_of "
        "JOIN blogs b ON c.url LIKE rtrim(b.url, '/') || '/%' "
        "WHERE c.role = 'feed' AND c.status = 200 AND c.id IN "
        "(SELECT MAX(id) FROM captures WHERE role = 'feed' AND status = 200 GROUP BY url) "
        "ORDER BY c.id"
    )
    for row in db.execute(sql):
        yield row[:5]


def count_posts_without_capture(db: sqlite_utils.Database) -> int:
    return db.execute("SELECT COUNT(*) FROM posts WHERE id NOT IN "
                      "(SELECT post_id FROM captures WHERE post_id IS NOT NULL AND status = 200)"
                      ).fetchone()[0]

