"""Crawls and fetches: a crawl's row from start to finish, every URL's last response
(the validators of conditional requests), and what a crawl warns about."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, Iterable

import sqlite_utils

from .rows import atomic, first_row, now, upsert


def start_crawl(db: sqlite_utils.Database, seeds: Iterable[str], kind: str = "crawl") -> int:
    with atomic(db):
        # Only one crawl writes an archive at a time (scraper/lock.py), so a row
        # still "running" is from a process that was killed before it could say so.
        db.execute(
            "UPDATE crawls SET status = 'interrupted', message = ? WHERE status = 'running'",
            ["the crawl process ended without closing its crawl (killed, or the machine stopped)"],
        )
        table = db["crawls"].insert(
            {"started": now(), "status": "running", "seeds": json.dumps(list(seeds)), "kind": kind}
        )
    return table.last_pk


def finish_crawl(db: sqlite_utils.Database, crawl_id: int, **fields: Any) -> None:
    for column in ("errors_by_kind", "blogs", "warnings"):
        if isinstance(fields.get(column), (dict, list)):
            fields[column] = json.dumps(fields[column], ensure_ascii=False)
    fields.setdefault("finished", now())
    started = db["crawls"].get(crawl_id)["started"]
    fields.setdefault(
        "duration_s",
        round(
            (dt.datetime.fromisoformat(fields["finished"]) - dt.datetime.fromisoformat(started))
            .total_seconds(),
            3,
        ),
    )
    with atomic(db):
        db["crawls"].update(crawl_id, fields)


def crawl_progress(db: sqlite_utils.Database, crawl_id: int, **counts: int) -> None:
    """The running crawl's counts so far, for whoever looks while it runs."""
    with atomic(db):
        db["crawls"].update(crawl_id, counts)


def record_fetch(db: sqlite_utils.Database, fetch: dict, crawl_id: int | None) -> None:
    row = {k: v for k, v in fetch.items() if v not in (None, "") or k in ("error", "message")}
    row["status"] = fetch.get("status")
    row["fetched_at"] = now()
    row["crawl_id"] = crawl_id
    with atomic(db):  # keeps the columns this fetch does not state (one row per response)
        upsert(db, "fetches", {c: v for c, v in row.items() if c in FETCH_COLUMNS}, ("url",))


FETCH_COLUMNS = {"url", "kind", "status", "error", "message", "etag", "last_modified",
                 "content_hash", "post_id", "fetched_at", "crawl_id", "reason"}


def fetch_validators(db: sqlite_utils.Database, url: str) -> dict | None:
    """What we know of a URL from earlier runs (ETag, Last-Modified, hash, status)."""
    return first_row(db, "SELECT * FROM fetches WHERE url = ?", [url])


# What a crawl warns about in the posts it saved: kind → the condition on a post (with its body).
POST_GAPS = {
    "post_without_title": "COALESCE(title, '') = ''",
    "post_without_date": "COALESCE(published, '') = ''",
    "post_with_empty_body": "COALESCE(body_text, '') = '' AND COALESCE(image_count, 0) = 0",
}


def post_warnings(db: sqlite_utils.Database, crawl_id: int, examples: int = 5) -> dict:
    """Posts this crawl saved with a field nothing could give, or whose sources disagreed:
    {kind: {"count": n, "examples": [url, …]}}."""
    found: dict[str, dict] = {}

    def add(kind: str, count: int, urls: list[str]) -> None:
        if count:
            found[kind] = {"count": count, "examples": urls}

    for kind, condition in POST_GAPS.items():
        where = f"crawl_id = ? AND {condition}"
        add(kind, db["posts_with_bodies"].count_where(where, [crawl_id]),
            [r[0] for r in db.execute(f"SELECT url FROM posts_with_bodies WHERE {where} "
                                      "ORDER BY url LIMIT ?", [crawl_id, examples])])
    for field, count in db.execute(
            "SELECT j.key, COUNT(*) FROM posts, json_each(posts.notes) j "
            "WHERE posts.crawl_id = ? AND posts.notes IS NOT NULL GROUP BY j.key", [crawl_id]):
        add(f"{field}_disagree", count, [r[0] for r in db.execute(
            "SELECT url FROM posts, json_each(posts.notes) j WHERE posts.crawl_id = ? "
            "AND j.key = ? ORDER BY url LIMIT ?", [crawl_id, field, examples])])
    return found


def recent_crawls(db: sqlite_utils.Database, limit: int = 10) -> list[dict]:
    rows = list(db["crawls"].rows_where(order_by="id DESC", limit=limit))
    for row in rows:  # JSON columns as the values they hold, for `status --json`
        for column in ("errors_by_kind", "seeds", "blogs", "warnings"):
            if row.get(column):
                row[column] = json.loads(row[column])
    return rows

