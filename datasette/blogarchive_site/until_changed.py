"""Results that read many posts (the home page's figures, the charts' monthly counts),
kept until the archive changes.

Over 1M posts the home page's counts and charts read every post's index entry (about
half a second of SQL); they change only when a crawl writes. SQLite says when that
happened: ``PRAGMA data_version`` on a connection of our own changes whenever another
connection (a crawl, in this process or another) commits. A result is kept with the
version it was computed at and used while the version stays the same.
"""

from __future__ import annotations

import asyncio
import functools
import os
import sqlite3
import threading
from collections import OrderedDict
from pathlib import Path

from datasette.database import QueryInterrupted

LATER_LIMIT_MS = 30_000  # a count past a page's time limit, finished for the next page
KEPT_RESULTS = 512  # charts of as many labels as people open, and the home page
_OPEN_FILES = 16

_lock = threading.Lock()
_watchers: OrderedDict[str, sqlite3.Connection] = OrderedDict()
_results: OrderedDict[tuple, tuple[tuple, object]] = OrderedDict()


def _version(path: str) -> tuple:
    """What identifies the file's current contents: its inode (a file put in its place
    is another archive) and the data version seen by our watching connection."""
    with _lock:
        conn = _watchers.get(path)
        if conn is None:
            conn = sqlite3.connect(f"file:{Path(path).as_posix()}?mode=ro", uri=True,
                                   check_same_thread=False)
            _watchers[path] = conn
            if len(_watchers) > _OPEN_FILES:
                _watchers.popitem(last=False)[1].close()
        _watchers.move_to_end(path)
        return os.stat(path).st_ino, conn.execute("pragma data_version").fetchone()[0]


async def kept(datasette, database: str, key: tuple, compute):
    """``await compute()``, or the result it gave while the archive was as it is now.
    Databases without a file (in memory) are computed every time."""
    db = datasette.get_database(database)
    path = None if db.is_memory else db.path
    if not path:
        return await compute()
    full_key = (path, *key)
    try:
        version = _version(path)  # microseconds: no thread needed
    except (sqlite3.Error, OSError):
        return await compute()
    with _lock:
        found = _results.get(full_key)
        if found and found[0] == version:
            _results.move_to_end(full_key)
            return found[1]
    result = await compute()
    with _lock:
        _results[full_key] = (version, result)
        _results.move_to_end(full_key)
        while len(_results) > KEPT_RESULTS:
            _results.popitem(last=False)
    return result


def forget(datasette, database: str, key: tuple) -> None:
    """Drop a kept result (one that holds a part still being counted)."""
    db = datasette.get_database(database)
    with _lock:
        _results.pop((db.path, *key), None)


_later: set = set()  # counts past a page's time limit, being finished for the next page
_too_slow: set = set()  # and those past LATER_LIMIT_MS too: not tried again


async def kept_or_later(datasette, database: str, key: tuple, compute):
    """``kept()`` of ``compute(time_limit_ms)``, first with the page's limit (None: the
    caller's default). Past it, QueryInterrupted is raised for the page to say so, and
    the same count runs meanwhile with a longer limit, kept for the next page (1M posts:
    a label on 445k of them is more than 3 s of a loaded machine's wall time)."""
    try:
        return await kept(datasette, database, key, lambda: compute(None))
    except QueryInterrupted:
        full_key = (database, *key)
        if full_key not in _later and full_key not in _too_slow and len(_later) < 4:
            _later.add(full_key)
            task = asyncio.create_task(kept(datasette, database, key, lambda: compute(LATER_LIMIT_MS)))
            task.add_done_callback(functools.partial(_finished, full_key))
        raise


def _finished(full_key: tuple, task: asyncio.Task) -> None:
    _later.discard(full_key)
    if not task.cancelled() and task.exception() is not None:
        _too_slow.add(full_key)
