"""One writer per archive: an advisory lock beside the database file.

flock is released by the kernel when the process dies, even by SIGKILL, so a
crashed crawl never leaves a lock held; the file itself goes when its holder ends
(a killed holder's file is reused, and removed, by the next run).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from pathlib import Path


class Busy(Exception):
    """Another process holds the lock; the message says which file."""


@contextlib.contextmanager
def exclusive(path: str | os.PathLike, *, wait: float = 0, what: str = "archive"):
    lock_path = Path(f"{path}.lock")
    deadline = time.monotonic() + wait
    handle = _acquire(lock_path, path, deadline)
    try:
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}")
        handle.flush()
        yield
    finally:
        # Removed while still held, so no lock file outlives its run; a process that
        # was waiting on this file notices it was unlinked and locks the new one.
        lock_path.unlink(missing_ok=True)
        handle.close()


def _acquire(lock_path: Path, path, deadline: float):
    while True:
        handle = open(lock_path, "a+")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if time.monotonic() >= deadline:
                handle.seek(0)
                holder = handle.read().strip()
                handle.close()
                raise Busy(
                    f"another crawl is writing {path} (lock {lock_path}"
                    + (f", held by {holder}" if holder else "") + "); try again when it ends"
                ) from None
            handle.close()
            time.sleep(0.5)
            continue
        try:
            same = os.stat(lock_path).st_ino == os.fstat(handle.fileno()).st_ino
        except FileNotFoundError:
            same = False
        if same:
            return handle
        handle.close()  # locked a file its holder removed on the way out: lock the new one
