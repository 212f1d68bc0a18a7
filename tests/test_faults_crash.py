"""Nothing lost: killed crawls, stopped crawls, Datasette reading while a crawl writes,
read-only and full disks (issue 7)."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from conftest import FAST, ROOT, crawl, free_port, run_cli, wait_for
from faultserver import FaultServer
from scraper import store
from scraper.sample import make_blog

POST = re.compile(r"^/\d{4}/\d{2}/[^/?]+\.html$")


def start_crawl(url: str, db: Path, log: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "scraper.cli", "crawl", url, "--db", str(db), *FAST, *extra],
        cwd=ROOT, stdout=open(log, "w"), stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"})


def stored_urls(db: Path) -> set[str]:
    """What a reader sees committed right now (an empty set before the schema exists)."""
    if not db.exists():
        return set()
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
    try:
        return {r[0] for r in conn.execute("SELECT url FROM posts")}
    except sqlite3.OperationalError:
        return set()
    finally:
        conn.close()


def wait_until(condition, timeout: float = 30, step: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(step)
    raise AssertionError("timed out")


def slow_posts(server: FaultServer, delay: float = 0.08) -> None:
    server.fault(lambda path: bool(POST.match(path)), "delay", delay=delay)


def test_sigkill_halfway_then_rerun_loses_nothing_and_refetches_nothing(tmp_path):
    blog = make_blog("layout", n_posts=60, seed=71, images=False)
    db, log = tmp_path / "archive.db", tmp_path / "crawl.log"
    with FaultServer(blog) as server:
        slow_posts(server)
        proc = start_crawl(server.url, db, log, "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=2")
        try:
            seen = wait_until(lambda: (s := stored_urls(db)) and len(s) >= 20 and s)
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=10)
        finally:
            if proc.poll() is None:
                proc.kill()
        assert proc.returncode == -signal.SIGKILL
        conn = sqlite3.connect(db)
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        after_kill = {r[0] for r in conn.execute("SELECT url FROM posts")}
        assert seen <= after_kill  # everything a reader saw committed survived the kill
        assert len(after_kill) < 60, "the crawl ended before the kill; slow it down"
        conn.close()

        server.clear()
        mark = len(server.requests)
        result = crawl(server.url, db)
        second = server.paths(mark)
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("SELECT COUNT(*), COUNT(DISTINCT url), COUNT(DISTINCT id) FROM posts"
                        ).fetchone() == (60, 60, 60)
    assert conn.execute("SELECT COUNT(*) FROM (SELECT id FROM comments GROUP BY id "
                        "HAVING COUNT(*) > 1)").fetchone()[0] == 0
    refetched = [p for p in second if server.origin + p in after_kill]
    assert refetched == []  # what the first run stored is not fetched again
    assert "crawl 2: finished" in result.stdout
    # the killed crawl does not stay "running" forever in `blogarchive status`
    assert conn.execute("SELECT id, status FROM crawls ORDER BY id").fetchall() == [
        (1, "interrupted"), (2, "finished")]


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_sigterm_and_sigint_stop_cleanly_and_say_interrupted(tmp_path, signum):
    blog = make_blog("layout", n_posts=40, seed=72, images=False, comments=False)
    db, log = tmp_path / "archive.db", tmp_path / "crawl.log"
    with FaultServer(blog) as server:
        slow_posts(server, 0.1)
        proc = start_crawl(server.url, db, log, "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1")
        try:
            wait_until(lambda: len(stored_urls(db)) >= 5)
            proc.send_signal(signum)
            proc.wait(timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
    output = log.read_text()
    assert proc.returncode == 1, output[-3000:]
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    status, found = conn.execute("SELECT status, posts_new FROM crawls").fetchone()
    assert status == "interrupted"
    assert 5 <= found < 40
    assert found == conn.execute("SELECT COUNT(*) FROM posts").fetchone()[0]
    assert "crawl 1: interrupted" in output


def test_datasette_reads_while_a_crawl_writes(tmp_path):
    blog = make_blog("layout", n_posts=40, seed=73)
    db, log = tmp_path / "archive.db", tmp_path / "crawl.log"
    store.open_db(db).close()  # Datasette needs the file; the crawl fills it
    port = free_port()
    datasette_log = tmp_path / "datasette.log"
    datasette = subprocess.Popen(
        [sys.executable, "-m", "datasette", "serve", str(db), "--port", str(port)],
        stdout=open(datasette_log, "w"), stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}/archive"
    answers, counts = [], []
    try:
        wait_for(f"http://127.0.0.1:{port}/-/versions.json", timeout=60)
        with FaultServer(blog) as server:
            slow_posts(server, 0.05)
            proc = start_crawl(server.url, db, log, "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=2")
            try:
                deadline = time.monotonic() + 90
                while proc.poll() is None and time.monotonic() < deadline:
                    for path in ("/posts.json?_shape=array&_size=5&_sort_desc=published_utc",
                                 ".json?sql=select+count(*)+as+n+from+posts&_shape=array",
                                 "/posts.json?_search=harbour&_shape=array&_size=3"):
                        try:
                            with urllib.request.urlopen(base + path, timeout=10) as r:
                                body = r.read().decode()
                                answers.append((r.status, body))
                        except urllib.error.HTTPError as e:
                            answers.append((e.code, e.read().decode()))
                        if "count(*)" in path and answers[-1][0] == 200:
                            counts.append(json.loads(answers[-1][1])[0]["n"])
                proc.wait(timeout=30)
            finally:
                if proc.poll() is None:
                    proc.kill()
    finally:
        datasette.terminate()
        datasette.wait(timeout=10)
    output = log.read_text()
    assert proc.returncode == 0, output[-3000:]
    problems = [a for a in answers if a[0] != 200 or "database is locked" in a[1]]
    assert not problems, problems[:3]
    assert "database is locked" not in output + datasette_log.read_text()
    assert len(counts) >= 5  # Datasette answered all through the crawl…
    assert counts == sorted(counts) and counts[0] < 40  # …and saw it grow
    assert sqlite3.connect(db).execute("SELECT COUNT(*) FROM posts").fetchone()[0] == 40


@pytest.fixture
def small_disk(tmp_path):
    """A tiny filesystem of our own (needs root and mount; skipped elsewhere)."""
    where = tmp_path / "disk"
    where.mkdir()

    def mount(*options: str) -> Path:
        result = subprocess.run(["mount", "-t", "tmpfs", "-o", ",".join(options), "tmpfs", str(where)],
                                capture_output=True, text=True)
        if result.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here: {result.stderr.strip()}")
        return where

    yield mount
    if subprocess.run(["umount", str(where)], capture_output=True).returncode != 0:
        subprocess.run(["umount", "-l", str(where)], capture_output=True)  # busy: detach lazily


def test_read_only_and_full_disks_fail_clearly_before_fetching(tmp_path, small_disk):
    if shutil.which("mount") is None or os.geteuid() != 0:
        pytest.skip("needs root to mount a small filesystem")
    disk = small_disk("size=1m")
    blog = make_blog("layout", n_posts=5, seed=74, images=False)
    with FaultServer(blog) as server:
        # A disk with less room than a crawl needs.
        full = run_cli("crawl", server.url, "--db", str(disk / "archive.db"), *FAST)
        assert full.returncode == 2
        assert "MB free on the disk holding the archive" in full.stderr
        # …and one so full that not even the empty archive fits (the check turned off).
        filler = disk / "filler"
        filler.write_bytes(b"\0" * (1024 * 1024 - 64 * 1024))
        fuller = run_cli("crawl", server.url, "--db", str(disk / "archive.db"), *FAST,
                         "-s", "BLOGARCHIVE_MIN_FREE_MB=0")
        assert fuller.returncode == 2
        assert "disk is full" in fuller.stderr, fuller.stderr[-2000:]
        filler.unlink()
        (disk / "archive.db").unlink(missing_ok=True)
        # A read-only filesystem, with and without an archive on it.
        store.open_db(disk / "old.db").close()
        subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
        for name in ("old.db", "new.db"):
            ro = run_cli("crawl", server.url, "--db", str(disk / name), *FAST,
                         "-s", "BLOGARCHIVE_MIN_FREE_MB=0")
            assert ro.returncode == 2, ro.stderr[-2000:]
            assert "read-only" in ro.stderr or "not writable" in ro.stderr, ro.stderr[-2000:]
        assert server.requests == []  # nothing was fetched


def test_a_disk_that_fills_mid_crawl_stops_the_crawl_and_the_next_run_goes_on(tmp_path, small_disk):
    if shutil.which("mount") is None or os.geteuid() != 0:
        pytest.skip("needs root to mount a small filesystem")
    disk = small_disk("size=1500k")
    db = disk / "archive.db"
    blog = make_blog("layout", n_posts=40, seed=75)  # with images, kept in the database
    with FaultServer(blog) as server:
        first = run_cli("crawl", server.url, "--db", str(db), *FAST, "-s", "BLOGARCHIVE_MIN_FREE_MB=0",
                        timeout=120)
        assert first.returncode == 1, first.stdout + first.stderr[-2000:]
        said = first.stdout + first.stderr
        assert "cannot write the archive" in said and "free some space" in said, said[-2000:]
        mark = len(server.requests)
        assert mark < 200, "it stopped fetching once nothing could be kept"
        conn = sqlite3.connect(db)
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        kept = conn.execute("SELECT COUNT(*) FROM posts").fetchone()[0]
        conn.close()
        assert kept < 40
        # Room again: the next run completes the archive from where the first stopped.
        subprocess.run(["mount", "-o", "remount,size=64m", str(disk)], check=True)
        second = crawl(server.url, db)
        assert "finished" in second.stdout, second.stdout + second.stderr[-2000:]
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT COUNT(*), COUNT(DISTINCT url) FROM posts").fetchone() == (40, 40)
    # every image is kept but the sample's one deliberately broken file (served as HTML)
    assert conn.execute("SELECT COUNT(*) FROM post_images WHERE image_sha256 IS NULL AND "
                        "COALESCE(fetch_error, '') NOT LIKE 'not_image%'").fetchone()[0] == 0
    assert conn.execute("SELECT COUNT(*) FROM post_images WHERE image_sha256 IS NOT NULL").fetchone()[0] > 40
    statuses = [s for (s,) in conn.execute("SELECT status FROM crawls ORDER BY id")]
    conn.close()  # (the small disk is unmounted after the test)
    assert statuses[-1] == "finished" and statuses[0] in ("failed", "interrupted")
