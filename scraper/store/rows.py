"""Row helpers every writer of the archive uses: the time stamp, one row as a dict,
an upsert and a lookup that cost one statement each."""

from __future__ import annotations

import datetime as dt
import functools
import itertools

import sqlite_utils


def now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def first_row(db: sqlite_utils.Database, sql: str, params: list) -> dict | None:
    cursor = db.execute(sql, params)
    row = cursor.fetchone()
    return dict(zip([d[0] for d in cursor.description], row)) if row else None


def rows_of(db: sqlite_utils.Database, sql: str, params: list) -> list[dict]:
    cursor = db.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


@functools.lru_cache(maxsize=256)
def upsert_sql(table: str, cols: tuple[str, ...], pk: tuple[str, ...],
               keep: tuple[str, ...] = ()) -> str:
    """``INSERT ... ON CONFLICT DO UPDATE`` of these columns, built once for each shape:
    on conflict every column but the key and ``keep`` (e.g. a first-seen time) is updated."""
    updates = ", ".join(f"[{c}] = excluded.[{c}]" for c in cols if c not in pk and c not in keep)
    return (f"INSERT INTO [{table}] ({', '.join(f'[{c}]' for c in cols)}) "
            f"VALUES ({', '.join('?' for _ in cols)}) ON CONFLICT ({', '.join(pk)}) "
            + (f"DO UPDATE SET {updates}" if updates else "DO NOTHING"))


def upsert(db: sqlite_utils.Database, table: str, row: dict, pk: tuple[str, ...],
           keep: tuple[str, ...] = ()) -> None:
    """Insert, or update the given columns of the row with this key; the rest (and
    ``keep``) are kept.

    What sqlite-utils' ``upsert`` does, as one statement and without its schema
    introspection on every call: this runs for every post, image and comment.
    """
    db.execute(upsert_sql(table, tuple(row), pk, keep), list(row.values()))


def upsert_all(db: sqlite_utils.Database, table: str, rows: list[dict], pk: tuple[str, ...],
               keep: tuple[str, ...] = ()) -> None:
    """``upsert`` of each row in turn, one statement for each run of rows with the same columns."""
    for cols, run in itertools.groupby(rows, key=tuple):
        db.conn.executemany(upsert_sql(table, cols, pk, keep), [list(r.values()) for r in run])


def lookup(db: sqlite_utils.Database, table: str, values: dict) -> int:
    """The id of the row with these values, inserted if missing (like ``Table.lookup``)."""
    where = " AND ".join(f"[{k}] = ?" for k in values)
    found = db.execute(f"SELECT id FROM [{table}] WHERE {where}", list(values.values())).fetchone()
    if found:
        return found[0]
    return db.execute(
        f"INSERT INTO [{table}] ({', '.join(f'[{k}]' for k in values)}) "
        f"VALUES ({', '.join('?' for _ in values)})", list(values.values())).lastrowid

