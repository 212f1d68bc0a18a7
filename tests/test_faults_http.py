"""HTTP faults on post pages: retried when they clear, recorded with a clear kind when
they don't, and the crawl goes on and says so (issue 7).

One crawl of one blog, a different fault on each of sixteen posts; each test
below reads one behaviour from that crawl.
"""

from __future__ import annotations

import gzip
import json
import sqlite3
import zlib

import pytest

from conftest import FAST, run_cli
from faultserver import FaultServer
from scraper.middlewares import retry_after_seconds
from scraper.sample import make_blog

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8
MAXSIZE = 400_000
FAULTS = {  # name → (kind, options, times)
    "503_retry_after": ("status", {"status": 503, "headers": {"Retry-After": "2"}}, 1),
    "429_retry_after_capped": ("status", {"status": 429, "headers": {"Retry-After": "3600"}}, 1),
    "429_no_retry_after": ("status", {"status": 429}, 1),
    "503_forever": ("status", {"status": 503}, None),
    "500_twice": ("status", {"status": 500}, 2),
    "500_forever": ("status", {"status": 500}, None),
    "timeout": ("timeout", {"delay": 2.5}, None),
    "hang_up": ("timeout", {"delay": 0}, None),
    "reset": ("reset", {}, None),
    "truncated": ("truncate", {}, None),
    "empty": ("empty", {}, None),
    "binary": ("body", {"body": PNG}, None),
    "too_large": ("body", {"body": b"<html><body>" + b"<p>big</p>" * 60_000 + b"</body></html>"}, None),
    "too_large_no_length": ("stream", {"size": 3_000_000}, None),
    "gzip_bomb": ("body", {"body": gzip.compress(b" " * 50_000_000),
                           "headers": {"Content-Encoding": "gzip"}}, None),
    "deflate_bomb": ("body", {"body": zlib.compress(b" " * 50_000_000),
                              "headers": {"Content-Encoding": "deflate"}}, None),
}
# What each fault that never clears is recorded as.
KINDS = {
    "503_forever": "http_503", "500_forever": "http_500", "timeout": "timeout",
    "hang_up": "connection_lost", "reset": "connection_reset", "truncated": "truncated",
    "empty": "empty", "binary": "binary", "too_large": "too_large",
    "too_large_no_length": "too_large", "gzip_bomb": "too_large", "deflate_bomb": "too_large",
}
CLEARS = ["503_retry_after", "429_retry_after_capped", "429_no_retry_after", "500_twice"]


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    blog = make_blog("layout", n_posts=len(FAULTS) + 6, seed=77, images=False, comments=False)
    db = tmp_path_factory.mktemp("http") / "archive.db"
    paths = {}
    with FaultServer(blog) as server:
        for (name, (kind, options, times)), post in zip(FAULTS.items(), blog.sorted_posts()):
            server.fault(post.path, kind, times=times, **options)
            paths[name] = post.path
        result = run_cli(
            "crawl", server.url, "--db", str(db), *FAST, "-s", "RETRY_TIMES=2",
            "-s", "DOWNLOAD_TIMEOUT=1", "-s", f"DOWNLOAD_MAXSIZE={MAXSIZE}",
            "-s", "BLOGARCHIVE_RETRY_AFTER_MAX=2", "-s", "BLOGARCHIVE_RETRY_BACKOFF=0.3",
            timeout=120)
        requests = list(server.requests)
        origin = server.origin
    conn = sqlite3.connect(db)
    status = run_cli("status", str(db))
    return {"result": result, "db": conn, "paths": paths, "requests": requests,
            "origin": origin, "blog": blog, "status": status}


def _times(run, name):
    return [r[3] for r in run["requests"] if r[1] == run["paths"][name]]


def _statuses(run, name):
    return [r[2] for r in run["requests"] if r[1] == run["paths"][name]]


def test_retry_after_in_seconds_is_honoured(run):
    first, second = _times(run, "503_retry_after")
    assert _statuses(run, "503_retry_after") == [503, 200]
    assert second - first >= 1.9  # Retry-After: 2


def test_retry_after_is_capped(run):
    first, second = _times(run, "429_retry_after_capped")  # asked for an hour
    assert 1.9 <= second - first < 10  # BLOGARCHIVE_RETRY_AFTER_MAX=2


def test_429_without_retry_after_backs_off_and_retries(run):
    first, second = _times(run, "429_no_retry_after")
    assert _statuses(run, "429_no_retry_after") == [429, 200]
    assert second - first >= 0.25  # BLOGARCHIVE_RETRY_BACKOFF=0.3


def test_500s_that_clear_on_retry_lose_nothing(run):
    assert _statuses(run, "500_twice") == [500, 500, 200]  # RETRY_TIMES=2


def test_faults_that_clear_leave_the_post_archived(run):
    stored = {r[0] for r in run["db"].execute("SELECT url FROM posts")}
    for name in CLEARS:
        assert run["origin"] + run["paths"][name] in stored, name
    # …and every post without a fault too: one bad page does not stop the crawl.
    faulty = set(run["paths"].values())
    for post in run["blog"].posts:
        if post.path not in faulty:
            assert run["origin"] + post.path in stored


def test_faults_that_never_clear_are_recorded_with_a_clear_kind(run):
    fetches = dict(run["db"].execute("SELECT url, error FROM fetches"))
    for name, kind in KINDS.items():
        assert fetches.get(run["origin"] + run["paths"][name]) == kind, name
    assert len(_statuses(run, "500_forever")) == 3  # tried, retried twice, recorded
    assert len(_statuses(run, "503_forever")) == 3


def test_oversized_bodies_and_bombs_are_cut_off_at_the_limit(run):
    messages = dict(run["db"].execute("SELECT url, message FROM fetches WHERE error = 'too_large'"))
    for name in ("too_large", "too_large_no_length", "gzip_bomb", "deflate_bomb"):
        assert str(MAXSIZE) in messages[run["origin"] + run["paths"][name]], name
    stored = {r[0] for r in run["db"].execute("SELECT url FROM posts")}
    assert not {run["origin"] + run["paths"][n] for n in KINDS} & stored


def test_the_crawl_status_tells_the_truth(run):
    result = run["result"]
    assert result.returncode == 1, result.stderr[-3000:]
    status, message, errors = run["db"].execute(
        "SELECT status, message, errors_by_kind FROM crawls").fetchone()
    assert status == "failed"
    assert "its feed lists 22 posts but the archive holds 10" in message
    errors = json.loads(errors)
    for name, kind in KINDS.items():
        assert run["origin"] + run["paths"][name] in errors[kind]["examples"], name
    for kind in set(KINDS.values()):
        assert f"  {kind}: " in result.stdout


def test_status_shows_the_latest_errors_by_kind_with_examples(run):
    out = run["status"].stdout
    assert run["status"].returncode == 0, run["status"].stderr
    assert "crawl 1 (failed): errors by kind" in out
    for name, kind in KINDS.items():
        assert f"  {kind}: " in out
        assert run["origin"] + run["paths"][name] in out, name


def test_retry_after_header_forms():
    assert retry_after_seconds(b"120") == 120
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412480 - 30) == 30
    assert retry_after_seconds(b"soon") is None and retry_after_seconds(None) is None


@pytest.mark.parametrize("status", [403, 404])
def test_a_summary_feed_that_cannot_be_read_falls_back_to_the_full_feed(tmp_path, status):
    blog = make_blog("classic", n_posts=30, seed=78, images=False)  # classic: exact times only in feeds
    db = tmp_path / "archive.db"
    with FaultServer(blog) as server:
        server.fault("/feeds/posts/summary", "status", status=status)
        result = run_cli("crawl", server.url, "--db", str(db), *FAST, timeout=120)
        paths = server.paths()
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    assert "/feeds/posts/summary" in paths and "/feeds/posts/default" in paths
    conn = sqlite3.connect(db)
    # The full feed listed every post, so no listing page was needed and no time is local.
    assert conn.execute("SELECT COUNT(*), SUM(published LIKE '%T%:%:%+%' OR published LIKE '%T%:%:%-%' "
                        "OR published LIKE '%Z') FROM posts").fetchone() == (30, 30)
    assert not [p for p in paths if p.startswith("/search")]
    status_row, kinds = conn.execute("SELECT status, errors_by_kind FROM crawls").fetchone()
    assert status_row == "finished"
    examples = [u for kind in json.loads(kinds).values() for u in kind["examples"]]
    assert not [u for u in examples if "/feeds/" in u]  # the unreadable summary feed is noted, not an error
    note = conn.execute("SELECT message FROM fetches WHERE url LIKE '%/feeds/posts/summary'").fetchone()[0]
    assert f"HTTP {status}" in note and "/feeds/posts/default" in note


def test_the_summary_feed_is_read_when_there_is_one(tmp_path):
    blog = make_blog("layout", n_posts=60, seed=79, images=False)
    with FaultServer(blog) as server:
        result = run_cli("crawl", server.url, "--db", str(tmp_path / "a.db"), *FAST, timeout=120)
        paths = server.paths()
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    feeds = [p for p in paths if p.startswith("/feeds/posts/")]
    assert feeds and all(p.startswith("/feeds/posts/summary") for p in feeds)
