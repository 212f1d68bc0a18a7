"""Shared test helpers: free ports, the real CLI in a subprocess, real servers."""

from __future__ import annotations

import contextlib
import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"
# Against local servers: no politeness delay, several requests at once.
FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=0",
        "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=8", "-s", "RETRY_TIMES=1"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_cli(*args: str, timeout: int = 180, check: bool = False) -> subprocess.CompletedProcess:
    """Run the real `blogarchive` command line."""
    result = subprocess.run(
        [sys.executable, "-m", "scraper.cli", *args],
        capture_output=True, text=True, timeout=timeout, cwd=ROOT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    if check and result.returncode != 0:
        raise AssertionError(f"blogarchive {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result


def crawl(url: str, db: Path, *extra: str, expect_ok: bool = True) -> subprocess.CompletedProcess:
    result = run_cli("crawl", url, "--db", str(db), *FAST, *extra)
    if expect_ok:
        assert result.returncode == 0, result.stdout + result.stderr[-5000:]
    return result


@contextlib.contextmanager
def crawled_archive(server, db_path: Path):
    """Crawl the blog a fixture server serves into db_path, the server still up inside the
    block: (server, crawl result, the archive open with rows by column name)."""
    with server:
        result = crawl(server.url, db_path)
        db = sqlite3.connect(db_path)
        db.row_factory = sqlite3.Row
        try:
            yield server, result, db
        finally:
            db.close()


def wait_for(url: str, timeout: float = 20) -> None:
    deadline = time.time() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            if time.time() > deadline:
                raise
            time.sleep(0.1)


@contextlib.contextmanager
def mirror_server(site: str, host: str, *extra: str):
    """One real saved blog from ../shared/corpus, served as if live."""
    root = CORPUS / "sites" / site
    if not root.is_dir():
        pytest.skip(f"{root} is not here")
    port = free_port()
    log = Path(os.environ.get("TMPDIR", "/tmp")) / f"mirror-{port}.log"
    proc = subprocess.Popen(
        [sys.executable, str(CORPUS / "serve_mirror.py"), "--root", str(root), "--host", host,
         "--port", str(port), "--strip-param", "m", "--strip-param", "showComment",
         "--log-requests", str(log), *extra],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(f"http://127.0.0.1:{port}/", timeout=60)
        yield f"http://127.0.0.1:{port}/", log
    finally:
        proc.terminate()
        proc.wait(timeout=10)
