"""Row helpers every writer of the archive uses: the time stamp, one row as a dict,
an upsert and a lookup that cost one statement each, and transactions."""

from __future__ import annotations

import datetime as dt
import functools
import itertools

import sqlite_utils


def now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


class atomic:
    """``with atomic(db):`` what sqlite-utils' ``db.atomic()`` does (a transaction, or a
    savepoint inside one; undone if the block raises), under one savepoint name.

    sqlite-utils names each savepoint anew (``SAVEPOINT sqlite_utils_<random hex>``), so
    each one is a statement SQLite compiles and Python caches once and never again (four
    pairs a saved post). Savepoints of one name nest: ``RELEASE`` and ``ROLLBACK TO``
    take the innermost of that name.
    """

    __slots__ = ("conn", "savepoint")

    def __init__(self, db: sqlite_utils.Database):
        self.conn = db.conn

    def __enter__(self):
        self.savepoint = self.conn.in_transaction
        self.conn.execute(SAVEPOINT if self.savepoint else "BEGIN")

    def __exit__(self, kind, error, trace) -> None:
        conn = self.conn
        if kind is None:
            try:
                conn.execute(RELEASE if self.savepoint else "COMMIT")
                return
            except BaseException:
                if self.savepoint:
                    raise
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
        # An error such as a RAISE(ROLLBACK) trigger can end the whole transaction,
        # savepoints included: nothing is left to undo then.
        if conn.in_transaction:
            if self.savepoint:
                conn.execute(ROLLBACK_TO)
                conn.execute(RELEASE)
            else:
                conn.execute("ROLLBACK")


SAVEPOINT, RELEASE, ROLLBACK_TO = ("SAVEPOINT blogarchive", "RELEASE SAVEPOINT blogarchive",
                                   "ROLLBACK TO SAVEPOINT blogarchive")


def first_row(db: sqlite_utils.Database, sql: str, params: list) -> dict | None:
    """The first row of a SELECT as a dict (a SELECT needs none of what ``db.execute``
    adds around a write: the connection runs it as it is)."""
    cursor = db.conn.execute(sql, params)
    row = cursor.fetchone()
    return dict(zip([d[0] for d in cursor.description], row)) if row else None


def rows_of(db: sqlite_utils.Database, sql: str, params: list) -> list[dict]:
    cursor = db.conn.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


@functools.lru_cache(maxsize=256)
def upsert_sql(table: str, cols: tuple[str, ...], pk: tuple[str, ...],
               keep: tuple[str, ...] = (), rows: int = 1) -> str:
    """``INSERT ... ON CONFLICT DO UPDATE`` of these columns (``rows`` rows of them), built
    once for each shape: on conflict every column but the key and ``keep`` (e.g. a
    first-seen time) is updated."""
    updates = ", ".join(f"[{c}] = excluded.[{c}]" for c in cols if c not in pk and c not in keep)
    values = ", ".join([f"({', '.join('?' for _ in cols)})"] * rows)
    return (f"INSERT INTO [{table}] ({', '.join(f'[{c}]' for c in cols)}) "
            f"VALUES {values} ON CONFLICT ({', '.join(pk)}) "
            + (f"DO UPDATE SET {updates}" if updates else "DO NOTHING"))


def upsert(db: sqlite_utils.Database, table: str, row: dict, pk: tuple[str, ...],
           keep: tuple[str, ...] = ()) -> None:
    """Insert, or update the given columns of the row with this key; the rest (and
    ``keep``) are kept.

    What sqlite-utils' ``upsert`` does, as one statement and without its schema
    introspection on every call: this runs for every post, image and comment.
    """
    db.execute(upsert_sql(table, tuple(row), pk, keep), list(row.values()))


# Rows in one INSERT: far below SQLite's limit of bound values (32,766) for any table here.
ROWS_A_STATEMENT = 100


def upsert_all(db: sqlite_utils.Database, table: str, rows: list[dict], pk: tuple[str, ...],
               keep: tuple[str, ...] = ()) -> None:
    """``upsert`` of each row in turn, one statement for each run of rows with the same columns.

    One statement, not one a row: each statement that writes a table with triggers
    begins a statement savepoint, at which the search index (FTS5) writes what it
    holds as a new segment, later merged again; a post's comments are one segment so.
    The rows of a multi-row INSERT are written in order, as one after the other.
    """
    for cols, run in itertools.groupby(rows, key=tuple):
        run = list(run)
        for start in range(0, len(run), ROWS_A_STATEMENT):
            chunk = run[start:start + ROWS_A_STATEMENT]
            db.conn.execute(upsert_sql(table, cols, pk, keep, len(chunk)),
                            [v for r in chunk for v in r.values()])


@functools.lru_cache(maxsize=64)
def lookup_sql(table: str, cols: tuple[str, ...]) -> tuple[str, str]:
    """The SELECT and the INSERT of ``lookup`` for these columns, built once."""
    return (f"SELECT id FROM [{table}] WHERE {' AND '.join(f'[{k}] = ?' for k in cols)}",
            f"INSERT INTO [{table}] ({', '.join(f'[{k}]' for k in cols)}) "
            f"VALUES ({', '.join('?' for _ in cols)})")


def lookup(db: sqlite_utils.Database, table: str, values: dict) -> int:
    """The id of the row with these values, inserted if missing (like ``Table.lookup``)."""
    select, insert = lookup_sql(table, tuple(values))
    params = list(values.values())
    found = db.conn.execute(select, params).fetchone()
    if found:
        return found[0]
    return db.execute(insert, params).lastrowid

