"""How an archive is published: the Datasette command line with the project's settings.

The site itself (metadata, canned queries, templates, style sheet, plugins) is the
``blogarchive_site`` package, registered with Datasette through entry points: any
``datasette`` in the same environment serves it, so this adds only the settings,
the listening address and the archive's title.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Iterable

# The site package's folder: its metadata.yml describes every table and column.
_SITE = importlib.util.find_spec("blogarchive_site")
DATASETTE_DIR = Path(_SITE.origin).parent if _SITE and _SITE.origin else \
    Path(__file__).resolve().parent.parent / "datasette" / "blogarchive_site"

# Settings every published archive gets (see metadata.yml and FIELD-NOTES §5):
SETTINGS = {
    "allow_download": "on",      # the SQLite download (shown for immutable databases)
    "allow_csv_stream": "on",    # ?_stream=on: every row of a table or query as CSV
    "max_csv_mb": "0",           # no size cap on streamed CSV: complete exports
    "sql_time_limit_ms": "3000",  # research queries over a whole blog
    "facet_time_limit_ms": "500",
    "suggest_facets": "off",     # metadata names the useful facets; suggestions scan every column
    "truncate_cells_html": "200",
    "default_page_size": "50",
}


def datasette_command(db_path: str | Path | Iterable[str | Path], *, host: str = "127.0.0.1",
                      port: int = 8001, immutable: bool = False, title: str | None = None,
                      open_browser: bool = False, extra: list[str] | None = None) -> list[str]:
    """The ``datasette serve`` command line for one or several archives.

    Read-only by construction: Datasette 0.65 has no write endpoints and no canned
    query here writes; ``immutable`` opens the files with ``-i`` (no locks, counts
    cached, and the "Download SQLite DB" link appears), for a finished archive or a
    ``blogarchive export --format sqlite`` snapshot. Listens on 127.0.0.1 unless told.
    """
    paths = [db_path] if isinstance(db_path, (str, Path)) else list(db_path)
    exe = shutil.which("datasette") or str(Path(sys.executable).with_name("datasette"))
    cmd = [exe, "serve"]
    for path in paths:
        cmd += ["-i", str(path)] if immutable else [str(path)]
    cmd += ["--host", host, "--port", str(port)]
    if title is None:
        title = archive_title(paths)
    if title:
        cmd += ["--metadata", str(titled_metadata(title))]
    for name, value in SETTINGS.items():
        cmd += ["--setting", name, value]
    if open_browser:
        cmd.append("--open")
    return cmd + (extra or [])


def archive_title(paths: Iterable[str | Path]) -> str | None:
    """"<Blog title> — archive" from the archives' blogs table (None if unreadable)."""
    titles: list[str] = []
    for path in paths:
        try:
            conn = sqlite3.connect(f"file:{Path(path).resolve().as_posix()}?mode=ro", uri=True)
            try:
                rows = conn.execute("select coalesce(nullif(title, ''), url) from blogs order by title")
                titles += [r[0] for r in rows if r[0]]
            finally:
                conn.close()
        except sqlite3.Error:
            continue
    titles = list(dict.fromkeys(titles))
    if not titles:
        return None
    if len(titles) > 3:
        return f"{titles[0]}, {titles[1]} and {len(titles) - 2} more blogs — archive"
    return " · ".join(titles) + " — archive"


METADATA_PREFIX = "blogarchive-metadata-"


def titled_metadata(title: str) -> Path:
    """A metadata file that only sets the site's title, in the temp folder (the rest of
    the metadata comes from the plugin; a local file takes precedence over it).

    Datasette reads its metadata once at start-up; the file is this process's own, and
    ``serve_until_stopped`` removes it when Datasette ends.
    """
    text = json.dumps({"title": title}, ensure_ascii=False, indent=1)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
    temp = Path(tempfile.gettempdir())
    _remove_orphaned_metadata(temp)
    out = temp / f"{METADATA_PREFIX}{os.getpid()}-{digest}.json"
    if not out.exists():
        tmp = out.with_suffix(f".{id(text)}.tmp")
        tmp.write_text(text, "utf-8")
        tmp.replace(out)
    return out


def _remove_orphaned_metadata(temp: Path) -> None:
    """Remove the title files of processes that no longer run: a ``serve`` killed with
    SIGKILL, or a program that built the command line and ran Datasette itself, cannot
    remove its own, and the temp folder would collect one per run."""
    for path in temp.glob(f"{METADATA_PREFIX}*-*.json"):
        pid = path.name[len(METADATA_PREFIX):].split("-", 1)[0]
        if not pid.isdigit() or int(pid) == os.getpid() or _running(int(pid)):
            continue
        path.unlink(missing_ok=True)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)


def serve_until_stopped(cmd: list[str]) -> int:
    """Run Datasette as a child until it ends; SIGTERM, SIGINT and SIGHUP sent to this
    process are passed on to it (a supervisor stopping `serve` or `demo` stops the
    site, and the port is free), then the temporary metadata file is removed."""
    child = subprocess.Popen(cmd)

    def forward(signum, frame):
        if child.poll() is None:
            child.send_signal(signum)

    previous = {signum: signal.signal(signum, forward) for signum in STOP_SIGNALS}
    try:
        code = child.wait()
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        if child.poll() is None:  # (an error of our own, not a signal)
            child.terminate()
            child.wait()
        temp = Path(tempfile.gettempdir())
        for arg in cmd:
            if arg.startswith(str(temp / METADATA_PREFIX)):
                Path(arg).unlink(missing_ok=True)
    # Datasette stopped by the signal: the conventional 128 + signal number.
    return 128 - code if code < 0 else code
