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


def exported_tables(conn: sqlite3.Connection) -> tuple[list[str], list[str]]:
    """(tables to export, tables left out): the FTS indexes are derived data."""
    rows = conn.execute(
        "select name, sql from sqlite_master where type = 'table' order by name").fetchall()
    virtual = {name for name, sql in rows if (sql or "").upper().startswith("CREATE VIRTUAL TABLE")}
    keep, skip = [], []
    for name, _ in rows:
        if name.startswith("sqlite_"):
            continue
        if name in virtual or any(name.startswith(v + "_") for v in virtual):
            skip.append(name)
        else:
            keep.append(name)
    return keep, skip


def table_columns(conn: sqlite3.Connection, table: str) -> list[dict]:
    return [{"name": r[1], "type": r[2], "pk": r[5]}
            for r in conn.execute(f'PRAGMA table_info("{table}")')]


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
