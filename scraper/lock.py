"""One writer per archive: an advisory lock beside the database file.

flock is released by the kernel when the process dies, even by SIGKILL, so a
crashed crawl never leaves a stale lock behind.
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
    handle = open(lock_path, "a+")
    deadline = time.monotonic() + wait
    try:
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    handle.seek(0)
                    holder = handle.read().strip()
                    raise Busy(
                        f"another crawl is writing {path} (lock {lock_path}"
                        + (f", held by {holder}" if holder else "") + "); try again when it ends"
                    ) from None
                time.sleep(0.5)
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}")
        handle.flush()
        yield
    finally:
        handle.close()
