"""Opening an archive: created or migrated for writing, or read-only for the commands
that only read, failing early with a message a person can act on; and a
consistent copy of one while a crawl writes it."""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
from pathlib import Path

import sqlite_utils

from .schema import migrations

BUSY_TIMEOUT_MS = 30_000


class StoreError(Exception):
    """The database cannot be used: the message says why, for a person."""


def check_sqlite() -> None:
    conn = sqlite3.connect(":memory:")
    try:
        conn.execute("CREATE VIRTUAL TABLE t USING fts5(x)")
    except sqlite3.OperationalError as e:  # pragma: no cover - depends on the build
        raise StoreError(f"this SQLite ({sqlite3.sqlite_version}) has no FTS5: {e}") from e
    finally:
        conn.close()


def check_writable(path: str | os.PathLike) -> None:
    """Can the archive be created here? Tried, not guessed: root passes every access()
    check, and /proc or a read-only mount still refuse a new file."""
    folder = Path(path).resolve().parent
    try:
        handle, probe = tempfile.mkstemp(dir=folder, prefix=".blogarchive-probe-")
    except OSError as e:
        raise StoreError(f"{path}: cannot create the database, {folder} is not writable") from e
    os.close(handle)
    os.unlink(probe)


def open_db(path: str | os.PathLike, *, create: bool = True) -> sqlite_utils.Database:
    """Open (and create or migrate) an archive, failing early with a clear message."""
    path = Path(path)
    if not create and not path.exists():
        raise StoreError(f"{path}: no such archive")
    parent = path.resolve().parent
    if not parent.is_dir():
        raise StoreError(f"{path}: folder {parent} does not exist")
    if path.is_dir():
        raise StoreError(f"{path}: is a folder, not a database file")
    if path.exists() and not os.access(path, os.W_OK):
        raise StoreError(f"{path}: the database file is read-only")
    if not path.exists():
        check_writable(path)
    check_sqlite()
    try:
        db = sqlite_utils.Database(path)
        db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        db.enable_wal()
        db.execute("PRAGMA foreign_keys = ON")
        db.execute("PRAGMA synchronous = NORMAL")
        migrations.apply(db)
    except sqlite3.DatabaseError as e:
        raise StoreError(f"{path}: cannot open the archive: {e}") from e
    return db


SQLITE_MAGIC = b"SQLite format 3\x00"


ARCHIVE_TABLES = {"posts", "crawls", "blogs"}


def open_readonly(path: str | os.PathLike) -> sqlite_utils.Database:
    """Open an archive for reading only: nothing is created, migrated or switched to WAL.

    For the commands that read (`status`, `serve`): a file that is not an
    archive is refused with one line, and left exactly as it was.
    """
    path = Path(path)
    if not path.exists():
        raise StoreError(f"{path}: no such archive")
    if path.is_dir():
        raise StoreError(f"{path}: is a folder, not a database file")
    try:
        with open(path, "rb") as f:
            head = f.read(len(SQLITE_MAGIC))
    except OSError as e:
        raise StoreError(f"{path}: cannot be read: {e.strerror}") from e
    if head != SQLITE_MAGIC:
        raise StoreError(f"{path}: not an SQLite database (and so not a blogarchive archive)")
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError as e:
        raise StoreError(f"{path}: cannot open the archive: {e}") from e
    if not ARCHIVE_TABLES <= tables:
        conn.close()
        raise StoreError(f"{path}: an SQLite database, but not a blogarchive archive "
                         f"(no {', '.join(sorted(ARCHIVE_TABLES - tables))} table)")
    return sqlite_utils.Database(conn)


def pending_migrations(db: sqlite_utils.Database) -> list[str]:
    """Schema changes an archive has not had yet (read-only: it writes nothing)."""
    return [m.name for m in migrations.pending(db)]


def snapshot(db_path: str | os.PathLike, target: str | os.PathLike) -> None:
    """A consistent copy (VACUUM INTO), safe while a crawl writes, swapped in atomically."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".tmp")
    tmp.unlink(missing_ok=True)
    conn = sqlite3.connect(db_path)
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("VACUUM INTO ?", [str(tmp)])
    finally:
        conn.close()
    tmp.replace(target)



def unused_bytes(path: str | os.PathLike) -> tuple[int, int]:
    """(file size, bytes of free pages inside it): what compacting would give back."""
    conn = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)
    try:
        page_size, pages, free = (conn.execute(f"PRAGMA {p}").fetchone()[0]
                                  for p in ("page_size", "page_count", "freelist_count"))
    finally:
        conn.close()
    return page_size * pages, page_size * free


def page_count(db: sqlite_utils.Database) -> int:
    return db.execute("PRAGMA page_count").fetchone()[0]


# A run that wrote at least this share of the file compacts it when it ends: its indexes
# were filled in the order pages came (URLs, dates), which leaves their pages a third
# empty (10k-post crawl: 4.8 MB of 269 MB), and rewriting the file costs less than a
# hundredth of the run that wrote it (1.4 s). Later runs that add little leave it be.
COMPACT_AFTER_WRITING = 0.5


def compact_after_run(db: sqlite_utils.Database, pages_before: int) -> tuple[int, int] | None:
    """Compact the archive in place (VACUUM) when this run wrote most of it; returns
    (bytes before, after), or None when it was not worth it or could not be done (no disk
    for the copy; the archive stays as it was, usable)."""
    pages = page_count(db)
    if pages - pages_before < COMPACT_AFTER_WRITING * pages:
        return None
    page_size = db.execute("PRAGMA page_size").fetchone()[0]
    try:
        db.execute("VACUUM")
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    except sqlite3.OperationalError:  # the disk cannot hold the copy, or a reader holds it
        return None
    return pages * page_size, page_count(db) * page_size


def compact(path: str | os.PathLike) -> tuple[int, int]:
    """Rewrite the archive without its free pages; returns (bytes before, after).

    A copy is written beside it (VACUUM INTO) and swapped in atomically: the archive
    is never half-written, and the disk needs room for the copy only, which is
    checked first (StoreError if it does not fit). Nothing may have it open.
    """
    path = Path(path)
    size, free = unused_bytes(path)
    needed = size - free
    available = shutil.disk_usage(path.resolve().parent).free
    if available < needed * 1.05:
        raise StoreError(f"{path}: compacting needs {needed / 1e9:.2f} GB free beside it, "
                         f"{available / 1e9:.2f} GB are; the archive is usable as it is")
    if Path(f"{path}-wal").exists() and Path(f"{path}-wal").stat().st_size:
        raise StoreError(f"{path}: still open elsewhere (its write-ahead log is not empty)")
    snapshot(path, path)
    store_db = open_db(path)  # the copy is in rollback-journal mode: back to WAL
    store_db.close()
    return size, path.stat().st_size
