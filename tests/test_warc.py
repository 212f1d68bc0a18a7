"""Every response kept as fetched: WARC files beside the archive, indexed in `captures`."""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import signal
import sqlite3
import subprocess
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from conftest import FAST, crawl, run_cli
from faultserver import FaultServer
from scraper.sample import BlogServer, make_blog
from scraper.warcfiles import read_record, seal, whole_length
from test_faults_crash import small_disk, slow_posts, start_crawl, stored_urls, wait_until  # noqa: F401


def sha1_b32(data: bytes) -> str:
    return "sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode()


def read_all(folder: Path) -> list[dict]:
    """Every record of every WARC file, read back with warcio, payload digests checked."""
    records = []
    for path in sorted(folder.glob("*.warc.gz")):
        with open(path, "rb") as f:
            iterator = ArchiveIterator(f, check_digests="raise")
            for record in iterator:
                payload = record.raw_stream.read()
                records.append({
                    "file": path.name, "offset": iterator.get_record_offset(),
                    "type": record.rec_type, "url": record.rec_headers.get_header("WARC-Target-URI"),
                    "digest": record.rec_headers.get_header("WARC-Payload-Digest"),
                    "concurrent": record.rec_headers.get_header("WARC-Concurrent-To"),
                    "id": record.rec_headers.get_header("WARC-Record-ID"),
                    "status": record.http_headers.get_statuscode() if record.http_headers else None,
                    "payload": payload,
                })
    return records


def test_every_response_is_a_whole_record_indexed_with_its_post(tmp_path):
    blog = make_blog("layout", n_posts=12, seed=31)
    db_path = tmp_path / "archive.db"
    with BlogServer(blog) as server:
        crawl(server.url, db_path)
        asked = len(server.requests) + len(server.image_requests)
    folder = tmp_path / "archive.db.warc"
    files = sorted(p.name for p in folder.iterdir())
    assert files and all(f.startswith("127.0.0.1_") and f.endswith("-1-00000.warc.gz") for f in files)
    records = read_all(folder)
    responses = [r for r in records if r["type"] == "response"]
    requests = [r for r in records if r["type"] == "request"]
    # one response and one request record per HTTP exchange, tied together
    assert len(responses) == len(requests) == asked, (len(responses), asked)
    assert {r["concurrent"] for r in requests} == {r["id"] for r in responses}
    for r in responses:
        assert r["digest"] == sha1_b32(r["payload"])  # the digest of what was written
    urls = {r["url"] for r in responses}
    assert any(u.endswith("/robots.txt") for u in urls)
    assert any("/feeds/" in u for u in urls) and any("sitemap" in u for u in urls)
    assert any("/img/" in u for u in urls)  # images too (--warc all is the default)

    db = sqlite3.connect(db_path)
    rows = db.execute("SELECT url, warc_file, offset, length, status, digest, post_id FROM captures"
                      ).fetchall()
    assert len(rows) == len(responses)  # every record is indexed
    by_place = {(r["file"], r["offset"]): r for r in responses}
    request_at = {(r["file"], r["offset"]): r["concurrent"] for r in requests}
    for url, warc_file, offset, length, status, digest, _ in rows:
        record = by_place[(warc_file, offset)]
        assert (record["url"], int(record["status"]), record["digest"]) == (url, status, digest)
        assert request_at[(warc_file, offset + length)] == record["id"]  # its request follows it
        assert read_record(folder, warc_file, offset).payload == record["payload"]
    # each post points to the page it was read from (which names the post's id)
    posts = db.execute("SELECT p.id, p.url, c.url, c.warc_file, c.offset FROM posts p "
                       "JOIN captures c ON c.post_id = p.id AND c.status = 200").fetchall()
    assert len(posts) == 12
    for post_id, url, captured_url, warc_file, offset in posts:
        assert captured_url == url
        assert post_id in read_record(folder, warc_file, offset).content.decode("utf-8")
    assert db.execute("SELECT COUNT(*) FROM captures WHERE image_sha256 IS NOT NULL").fetchone()[0] \
        == db.execute("SELECT COUNT(*) FROM images").fetchone()[0] > 0


def test_unchanged_responses_become_revisits_and_pages_mode_skips_images(tmp_path):
    blog = make_blog("layout", n_posts=8, seed=32)
    with BlogServer(blog) as server:
        crawl(server.url, tmp_path / "a.db")
        crawl(server.url, tmp_path / "a.db", "--full")
        crawl(server.url, tmp_path / "pages.db", "--warc", "pages")
        crawl(server.url, tmp_path / "none.db", "--warc", "none")
    records = read_all(tmp_path / "a.db.warc")
    second = [r for r in records if "-2-" in r["file"] and r["type"] in ("response", "revisit")]
    revisits = [r for r in second if r["type"] == "revisit"]
    assert revisits, "the unchanged home page, feed and robots.txt are revisits"
    originals = {(r["url"], r["digest"]) for r in records if r["type"] == "response" and "-1-" in r["file"]}
    for r in revisits:
        assert (r["url"], r["digest"]) in originals and r["payload"] == b""
    db = sqlite3.connect(tmp_path / "a.db")
    assert db.execute(
        "SELECT COUNT(*) FROM captures r JOIN captures o ON o.id = r.revisit_of "
        "WHERE r.record_type = 'revisit' AND o.digest = r.digest AND o.url = r.url").fetchone()[0] \
        == len(revisits)
    pages = read_all(tmp_path / "pages.db.warc")
    assert pages and not [r for r in pages if "/img/" in (r["url"] or "")]
    assert not (tmp_path / "none.db.warc").exists()
    assert sqlite3.connect(tmp_path / "none.db").execute("SELECT COUNT(*) FROM captures"
                                                         ).fetchone()[0] == 0


def test_a_file_cut_mid_record_is_sealed_at_its_last_whole_record(tmp_path):
    blog = make_blog("layout", n_posts=6, seed=33, images=False)
    with BlogServer(blog) as server:
        crawl(server.url, tmp_path / "a.db")
    folder = tmp_path / "a.db.warc"
    (path,) = folder.glob("*.warc.gz")
    whole = read_all(folder)
    data = path.read_bytes()
    for cut in (1, 9, len(data) // 3):
        cutoff = folder / "x-9-00000.warc.gz.open"
        cutoff.write_bytes(data[: len(data) - cut])
        assert whole_length(cutoff) < len(data) - cut + 1
        assert seal(folder) == ["x-9-00000.warc.gz"]
        kept = read_all(folder)  # reads to the end without error, digests checked
        assert [r["id"] for r in kept if r["file"] == "x-9-00000.warc.gz"] == \
            [r["id"] for r in whole][: len([r for r in kept if r["file"] == "x-9-00000.warc.gz"])]
        (folder / "x-9-00000.warc.gz").unlink()


def test_a_file_still_being_written_is_never_sealed_by_another_crawl(tmp_path):
    # The crawls of a worker, and workers sharing a folder, each seal what a dead crawl
    # left open when they start: a file another one is writing must stay as it is.
    import datetime as dt
    import sys

    from scraper.warcfiles import Exchange, WarcFiles

    exchange = Exchange(url="http://a.example/p.html", method="GET", request_headers=[],
                        request_body=b"", protocol="HTTP/1.1", status=200,
                        response_headers=[("Content-Type", "text/html")], body=b"<p>hello</p>",
                        fetched_at=dt.datetime.now(dt.timezone.utc))
    live = WarcFiles(tmp_path, "a.example", "run1-host_1_aaaaaa")
    written = live.write(exchange)
    assert seal(tmp_path) == []
    assert written.warc_file == "a.example-run1-host_1_aaaaaa-00000.warc.gz"
    live.write(exchange)  # still its own: appended where it ends
    live.close()
    assert [r["type"] for r in read_all(tmp_path)] == ["warcinfo", "response", "request"] * 1 + \
        ["response", "request"]

    # A writer killed while its file is open: its lock dies with it, and the file is sealed.
    child = subprocess.Popen([sys.executable, "-c", (
        "import datetime as dt, os, signal, sys\n"
        "from scraper.warcfiles import Exchange, WarcFiles\n"
        "from pathlib import Path\n"
        "files = WarcFiles(Path(sys.argv[1]), 'a.example', 'run1-host_2_bbbbbb')\n"
        "files.write(Exchange('http://a.example/q.html', 'GET', [], b'', 'HTTP/1.1', 200, [],\n"
        "                     b'<p>q</p>', dt.datetime.now(dt.timezone.utc)))\n"
        "files.handle.write(b'\\x1f\\x8b\\x08 cut off')\n"
        "print('written', flush=True)\n"
        "os.kill(os.getpid(), signal.SIGSTOP)\n"), str(tmp_path)],
        cwd=Path(__file__).resolve().parent.parent, stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "written"
        assert seal(tmp_path) == []  # stopped, not dead: still its writer's
    finally:
        child.kill()
        child.wait(timeout=10)
    assert seal(tmp_path) == ["a.example-run1-host_2_bbbbbb-00000.warc.gz"]
    assert [r["url"] for r in read_all(tmp_path) if r["type"] == "response"] == \
        ["http://a.example/p.html"] * 2 + ["http://a.example/q.html"]


def test_sigkill_mid_crawl_leaves_whole_records_and_the_next_run_writes_a_new_file(tmp_path):
    blog = make_blog("layout", n_posts=40, seed=34, images=False)
    db, log = tmp_path / "archive.db", tmp_path / "crawl.log"
    folder = tmp_path / "archive.db.warc"
    with FaultServer(blog) as server:
        slow_posts(server)
        proc = start_crawl(server.url, db, log, "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=2")
        try:
            wait_until(lambda: len(stored_urls(db)) >= 10)
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=10)
        finally:
            if proc.poll() is None:
                proc.kill()
        left = list(folder.glob("*.open"))
        assert len(left) == 1  # the file being written when the process died
        assert whole_length(left[0]) <= left[0].stat().st_size
        server.clear()
        crawl(server.url, db)
    names = sorted(p.name for p in folder.iterdir())
    assert not [n for n in names if n.endswith(".open")]
    assert any("-1-00000" in n for n in names) and any("-2-00000" in n for n in names)
    records = read_all(folder)  # every file reads to its end
    conn = sqlite3.connect(db)
    for url, warc_file, offset in conn.execute("SELECT url, warc_file, offset FROM captures"):
        assert read_record(folder, warc_file, offset).url == url
    # every post has the page it was read from
    assert conn.execute("SELECT COUNT(*) FROM posts WHERE id NOT IN "
                        "(SELECT post_id FROM captures WHERE post_id IS NOT NULL)").fetchone()[0] == 0
    assert len(records) > 80


def test_a_full_disk_stops_the_crawl_at_the_first_failed_write_and_the_next_run_goes_on(
        tmp_path, small_disk):  # noqa: F811
    if shutil.which("mount") is None or os.geteuid() != 0:
        pytest.skip("needs root to mount a small filesystem")
    disk = small_disk("size=120k")  # the WARC folder only; the database has room
    db = tmp_path / "archive.db"
    blog = make_blog("layout", n_posts=40, seed=35, images=False)
    with BlogServer(blog) as server:
        first = run_cli("crawl", server.url, "--db", str(db), *FAST,
                        "-s", f"BLOGARCHIVE_WARC_DIR={disk}", timeout=120)
        assert first.returncode == 1, first.stdout + first.stderr[-2000:]
        said = first.stdout + first.stderr
        assert "WARC" in said and "free some space and run again" in said, said[-2000:]
        asked = len(server.requests)
        assert asked < 60, "it stopped fetching once the pages could not be kept"
        kept = read_all(disk)  # whole records only: the failed one was cut off again
        assert kept and not list(disk.glob("*.open"))
        conn = sqlite3.connect(db)
        for warc_file, offset in conn.execute("SELECT warc_file, offset FROM captures"):
            read_record(disk, warc_file, offset)  # every indexed record is there
        conn.close()
        subprocess.run(["mount", "-o", "remount,size=64m", str(disk)], check=True)
        second = crawl(server.url, db, "-s", f"BLOGARCHIVE_WARC_DIR={disk}")
        assert "finished" in second.stdout
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT COUNT(*) FROM posts").fetchone()[0] == 40
    assert conn.execute("SELECT COUNT(*) FROM posts WHERE id NOT IN (SELECT post_id FROM captures "
                        "WHERE post_id IS NOT NULL)").fetchone()[0] == 0
    conn.close()
    read_all(disk)
