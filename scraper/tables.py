"""An archive's tables as exports read them: read-only, which to copy, in what order."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path


# Text columns holding ISO 8601 times: dates in a workbook, datetime in a data package,
# a UTC timestamp beside the text in Parquet.
TIME_COLUMNS = {"published", "updated", "first_seen", "last_seen", "last_changed", "gone_at",
                "captured", "started", "finished", "fetched", "fetched_at", "last_tried",
                "applied_at"}


def is_time_column(name: str) -> bool:
    return name in TIME_COLUMNS or name.endswith("_utc")


def is_link_column(name: str) -> bool:
    return name in ("url", "link", "src") or name.endswith("_url")


def connect_readonly(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(f"file:{path.resolve().as_posix()}?mode=ro", uri=True,
                           isolation_level=None)
    conn.execute("PRAGMA busy_timeout = 30000")
    return conn


# Tables read through a view that joins another one in: posts with their bodies
# (kept apart in post_bodies) stay one file, one sheet; post images with their
# candidate chains written out (the table names its own columns in them).
READ_THROUGH = {"posts": "posts_with_bodies", "post_images": "post_images_with_candidates"}
READ_WITHIN = {"post_bodies": "posts"}


def exported_tables(conn: sqlite3.Connection) -> tuple[list[str], list[str]]:
    """(tables to export, tables left out): the FTS indexes are derived data; post_bodies
    is read within posts (``table_source``)."""
    rows = conn.execute(
        "select name, sql from sqlite_master where type = 'table' order by name").fetchall()
    virtual = {name for name, sql in rows if (sql or "").upper().startswith("CREATE VIRTUAL TABLE")}
    keep, skip = [], []
    for name, _ in rows:
        if name.startswith("sqlite_"):
            continue
        if name in virtual or any(name.startswith(v + "_") for v in virtual) \
                or (name in READ_WITHIN and _is_view(conn, READ_THROUGH[READ_WITHIN[name]])):
            skip.append(name)
        else:
            keep.append(name)
    return keep, skip


def table_columns(conn: sqlite3.Connection, table: str) -> list[dict]:
    return [{"name": r[1], "type": r[2], "pk": r[5]}
            for r in conn.execute(f'PRAGMA table_info("{table}")')]


def _is_view(conn: sqlite3.Connection, name: str) -> bool:
    return conn.execute("select 1 from sqlite_master where type = 'view' and name = ?",
                        [name]).fetchone() is not None


def table_source(conn: sqlite3.Connection, table: str) -> tuple[str, list[dict], str]:
    """(what to read the table's rows from, its columns, the row order): the table itself,
    or the view that completes it (posts_with_bodies for posts), in the table's key order."""
    columns = table_columns(conn, table)
    order = order_by(columns)
    view = READ_THROUGH.get(table)
    if view and _is_view(conn, view):
        return view, table_columns(conn, view), order
    return table, columns, order


def omitted_reason(table: str, place: str) -> str:
    """Why a table has no file (sheet) of its own; ``place`` names the one that holds it,
    e.g. "{}.csv" or "the {} sheet"."""
    if table in READ_WITHIN:
        return f"in {place.format(READ_WITHIN[table])} (its columns are joined in there)"
    return "full-text index (derived from posts/comments; rebuild with sqlite-utils enable-fts)"


def order_by(columns: list[dict]) -> str:
    pks = sorted((c for c in columns if c["pk"]), key=lambda c: c["pk"])
    if pks:
        return ", ".join(f'"{c["name"]}"' for c in pks)
    return "rowid"


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def blob_columns(conn: sqlite3.Connection, table: str, columns: list[dict]) -> list[str]:
    found = [c["name"] for c in columns if (c["type"] or "").upper() == "BLOB"]
    for c in columns:  # untyped columns that hold blobs all the same
        if c["name"] not in found and conn.execute(
                f'select 1 from "{table}" where typeof("{c["name"]}") = \'blob\' limit 1').fetchone():
            found.append(c["name"])
    return found


# Columns that hold JSON text, and what it is: in JSONL exports they are written as
# the arrays and objects they hold (labels as ["a", "b"], not the string '["a", "b"]').
JSON_COLUMNS = {"labels": "array", "candidates": "array", "seeds": "array", "blogs": "array",
                "errors_by_kind": "object"}
