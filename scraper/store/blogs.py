"""Blogs: one row per blog archived, found by its origin."""

from __future__ import annotations

import sqlite_utils

from .rows import atomic, now


def save_blog(db: sqlite_utils.Database, blog: dict) -> None:
    row = {k: v for k, v in blog.items() if v not in (None, "")}
    stamp = now()
    with atomic(db):
        if db["blogs"].count_where("id = ?", [row["id"]]) == 0:
            row["first_seen"] = stamp
        row["last_seen"] = stamp
        db["blogs"].upsert(row, pk="id")


def find_blog(db: sqlite_utils.Database, url: str) -> dict | None:
    """The archived blog at this origin, if any."""
    return next(db["blogs"].rows_where("url = ?", [url], limit=1), None)


def mark_complete(db: sqlite_utils.Database, blog_id: str, crawl_id: int) -> None:
    with atomic(db):
        db.execute("UPDATE blogs SET last_complete_crawl = ? WHERE id = ?", [crawl_id, blog_id])

