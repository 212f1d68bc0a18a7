"""Commands that read an archive (status, serve, export) and the demo's site: they never
write it, refuse what is not an archive, say what they found, and stop cleanly."""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from conftest import crawl, free_port, run_cli, wait_for
from scraper import store
from scraper.sample import BlogServer, make_blog


def make_archive(path, seeds=("http://blog.example/",), **fields) -> int:
    """A real archive file with one finished crawl row."""
    db = store.open_db(path)
    crawl_id = store.start_crawl(db, list(seeds))
    store.finish_crawl(db, crawl_id, status="finished", pages=12, posts_new=7, errors=0,
                       errors_by_kind={}, **fields)
    db.close()
    return crawl_id


def archive_with_a_post(path) -> None:
    make_archive(path)
    db = store.open_db(path)
    store.save_blog(db, {"id": "b1", "url": "http://blog.example/", "platform": "blogger",
                         "title": "Notas del puerto"})
    store.save_post(db, {"id": "p1", "blog_id": "b1", "url": "http://blog.example/2024/05/perro.html",
                         "title": "Un perro en el muelle", "published": "2024-05-02T10:00:00+02:00",
                         "body_html": "<p>El perro grande esperaba cada tarde junto a las redes.</p>",
                         "body_text": "El perro grande esperaba cada tarde junto a las redes.",
                         "labels": ["muelle", "perros"]})
    db.close()


@contextlib.contextmanager
def serving(path, cwd):
    """`blogarchive serve` of this archive on a free port while the block runs: its base URL."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "scraper.cli", "serve", str(path), "-p", str(port)],
                            cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(base + "/", timeout=60)
        yield base
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)


def schema_and_journal(path) -> tuple[list, str]:
    conn = sqlite3.connect(path)
    try:
        return (conn.execute("SELECT type, name FROM sqlite_master ORDER BY name").fetchall(),
                conn.execute("PRAGMA journal_mode").fetchone()[0])
    finally:
        conn.close()


# -- 3: reading commands open read-only ---------------------------------------------------


def test_status_and_serve_leave_a_database_that_is_not_an_archive_untouched(tmp_path):
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    conn.commit()
    conn.close()
    before = schema_and_journal(other)
    for command in ("status", "serve"):
        result = run_cli(command, str(other), timeout=60)
        assert result.returncode == 2, result.stderr
        assert result.stderr.strip().splitlines() == [
            f"error: {other}: an SQLite database, but not a blogarchive archive "
            "(no blogs, crawls, posts table)"]
        assert schema_and_journal(other) == before == ([("table", "notes")], "delete")


def test_status_and_serve_refuse_a_file_that_is_not_a_database_in_one_line(tmp_path):
    junk = tmp_path / "notadb.db"
    junk.write_text("these are my shopping notes, not a database\n" * 40)
    for command in ("status", "serve"):
        result = run_cli(command, str(junk), timeout=60)
        assert result.returncode == 2
        assert result.stderr.strip().splitlines() == [
            f"error: {junk}: not an SQLite database (and so not a blogarchive archive)"]
        assert "Traceback" not in result.stdout + result.stderr


def test_status_reads_an_archive_without_migrating_it(tmp_path):
    path = tmp_path / "old.db"
    make_archive(path)
    conn = sqlite3.connect(path)  # as if made by an older version: the last migration not applied
    conn.execute("DELETE FROM _sqlite_migrations WHERE name = (SELECT MAX(name) FROM _sqlite_migrations)")
    conn.commit()
    applied = conn.execute("SELECT COUNT(*) FROM _sqlite_migrations").fetchone()[0]
    conn.close()
    result = run_cli("status", str(path), "--json", timeout=60)
    assert result.returncode == 0, result.stderr
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT COUNT(*) FROM _sqlite_migrations").fetchone()[0] == applied
    conn.close()


# -- 13: formats ---------------------------------------------------------------------------


def test_status_json_gives_seeds_as_an_array_and_the_table_is_not_cut(tmp_path):
    path = tmp_path / "a.db"
    seeds = ["http://first-blog.example/", "http://second-blog-with-a-long-name.example/"]
    make_archive(path, seeds=seeds, message="blog x: its feed lists 9 posts but the archive "
                 "holds 7, and this sentence is long enough to be cut at eighty columns")
    data = json.loads(run_cli("status", str(path), "--json", check=True, timeout=60).stdout)
    assert data["crawls"][0]["seeds"] == seeds
    assert data["images_dir"] is None  # images, if any, are in the database
    text = run_cli("status", str(path), check=True, timeout=60).stdout
    started = data["crawls"][0]["started"]
    assert started in text  # the whole timestamp, not "2026-12-…"
    assert "…" not in text


# -- 8, 9, 13: demo and serve check their port, stop on SIGTERM with their children, clean up ----


def metadata_files(pid: int) -> list:
    return list(Path(tempfile.gettempdir()).glob(f"blogarchive-metadata-{pid}-*.json"))


def port_answers(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def test_demo_picks_a_free_port_before_crawling_and_stops_on_sigterm(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = taken.getsockname()[1]
        proc = subprocess.Popen(
            [sys.executable, "-m", "scraper.cli", "demo", "--db", str(tmp_path / "demo.db"),
             "--port", str(busy)], cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"}, start_new_session=True)
        try:
            first = proc.stdout.readline()
            match = re.fullmatch(rf"port {busy} is in use; Datasette will listen on port (\d+)\n", first)
            assert match, first  # said before the crawl, not found out after it
            port = int(match.group(1))
            wait_for(f"http://127.0.0.1:{port}/", timeout=120)
            assert metadata_files(proc.pid)
            proc.send_signal(signal.SIGTERM)  # to the demo alone, as a supervisor does
            proc.wait(timeout=30)
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
            output = proc.stdout.read()
    assert "crawl 1: finished" in output
    assert not port_answers(port)  # Datasette went with it
    assert metadata_files(proc.pid) == []


def start_serve(tmp_path) -> tuple[Path, int, subprocess.Popen]:
    """`blogarchive serve` of a titled archive, in a session of its own."""
    path = tmp_path / "a.db"
    make_archive(path)
    db = store.open_db(path)
    store.save_blog(db, {"id": "b1", "url": "http://blog.example/", "platform": "blogger",
                         "title": "Harbour notes"})
    db.close()
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "scraper.cli", "serve", str(path), "-p", str(port)],
                            cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    return path, port, proc


def test_serve_stops_on_sigterm_and_removes_its_metadata_file(tmp_path):
    path, port, proc = start_serve(tmp_path)
    try:
        wait_for(f"http://127.0.0.1:{port}/", timeout=60)
        assert metadata_files(proc.pid)
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert not port_answers(port)
    assert metadata_files(proc.pid) == []


def test_a_killed_serve_leaves_no_title_file_behind_for_long(tmp_path):
    """SIGKILL gives `serve` no chance to remove its title file; the next command line
    built removes the files of processes that no longer run, and no one else's."""
    path, port, proc = start_serve(tmp_path)
    try:
        wait_for(f"http://127.0.0.1:{port}/", timeout=60)
        assert metadata_files(proc.pid)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    assert metadata_files(proc.pid)  # left behind by the kill
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        theirs = Path(tempfile.gettempdir()) / f"blogarchive-metadata-{alive.pid}-0123456789abcdef.json"
        theirs.write_text('{"title": "another site"}', "utf-8")
        from scraper.publish import datasette_command
        datasette_command([str(path)], port=free_port())
        assert metadata_files(proc.pid) == []
        assert theirs.exists()  # a running process's file is left alone
    finally:
        alive.kill()
        alive.wait()
        theirs.unlink(missing_ok=True)


# -- 1: images kept in a folder are published, exported and accounted for --------------------


def test_images_in_a_folder_of_their_own_are_served_exported_and_shown(tmp_path):
    blog = make_blog("layout", n_posts=6, seed=81)
    db_path, images = tmp_path / "archive" / "a.db", tmp_path / "elsewhere" / "imgs"
    db_path.parent.mkdir()
    with BlogServer(blog) as server:
        crawl(server.url, db_path, "--images", f"dir:{images}")
    conn = sqlite3.connect(db_path)
    files = conn.execute("SELECT sha256, path FROM images WHERE content IS NULL").fetchall()
    conn.close()
    assert files and all((images / path).is_file() for _, path in files)

    status = run_cli("status", str(db_path), check=True, timeout=60)
    assert f"images: {len(files)} files in {images}" in status.stdout
    shown = json.loads(run_cli("status", str(db_path), "--json", check=True, timeout=60).stdout)
    assert shown["images_dir"] == str(images)
    assert shown["image_files"] == {"files": len(files), "missing": []}

    with serving(db_path, tmp_path) as base:
        for sha256, path in files:
            with urllib.request.urlopen(f"{base}/-/images/{sha256}") as answer:
                assert answer.read() == (images / path).read_bytes()

    snapshot = run_cli("export", str(db_path), "--format", "sqlite", "--out", str(tmp_path / "s.db"),
                       check=True, timeout=120)
    assert f"images: kept as files in {images}, not in the snapshot" in snapshot.stdout
    out = tmp_path / "export"
    run_cli("export", str(db_path), "--format", "csv", "--out", str(out), check=True, timeout=120)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["image_files"]["files"] == len(files) and manifest["image_files"]["missing"] == []
    for _, path in files:
        assert (out / "images" / path).read_bytes() == (images / path).read_bytes()

    (images / files[0][1]).unlink()  # a file lost from the folder is named, never skipped
    shown = json.loads(run_cli("status", str(db_path), "--json", check=True, timeout=60).stdout)
    assert shown["image_files"] == {"files": len(files) - 1, "missing": [files[0][1]]}


# -- 4: status during a crawl --------------------------------------------------------------------


def test_status_during_a_crawl_shows_the_counts_so_far(tmp_path):
    blog = make_blog("layout", n_posts=30, seed=93)
    db_path = tmp_path / "a.db"
    with BlogServer(blog) as server:
        proc = subprocess.Popen(
            [sys.executable, "-m", "scraper.cli", "crawl", server.url, "--db", str(db_path),
             "-s", "DOWNLOAD_DELAY=0.25", "-s", "AUTOTHROTTLE_ENABLED=0", "--images", "none"],
            cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            seen = None
            deadline = time.monotonic() + 120
            while proc.poll() is None and time.monotonic() < deadline:
                time.sleep(0.5)
                if not db_path.exists():
                    continue
                result = run_cli("status", str(db_path), "--json", timeout=60)
                rows = json.loads(result.stdout)["crawls"] if result.returncode == 0 else []
                if rows and rows[0]["status"] == "running" and (rows[0]["posts_new"] or 0) >= 3:
                    seen = rows[0]
                    break
        finally:
            proc.wait(timeout=180)
    assert seen is not None, "no running crawl row ever showed its posts"
    assert seen["pages"] >= seen["posts_new"] >= 3 and seen["posts_new"] < 30


# -- 12: malformed and empty searches --------------------------------------------------------------


def test_malformed_and_empty_searches_get_words_and_a_form_not_errors(tmp_path):
    path = tmp_path / "archive.db"
    archive_with_a_post(path)
    with serving(path, tmp_path) as base:
        page = urllib.request.urlopen(base + "/-/search?q=perro+OR").read().decode()
        assert "is not valid search syntax" in page and "searched for the words" in page
        assert "Un <mark>perro</mark> en el muelle" in page  # found by the word it could read
        empty = urllib.request.urlopen(base + "/archive/search?q=")
        assert empty.status == 200
        form = empty.read().decode()
        assert 'name="q"' in form and "syntax error" not in form
        found = json.loads(urllib.request.urlopen(base + "/archive/search.json?q=perro&_shape=array").read())
        assert [row["post_id"] for row in found] == ["p1"]


# -- 13: formats ---------------------------------------------------------------------------


def test_jsonl_export_gives_labels_as_arrays(tmp_path):
    path = tmp_path / "archive.db"
    archive_with_a_post(path)
    run_cli("export", str(path), "--format", "jsonl", "--out", str(tmp_path / "out"), check=True)
    post = json.loads((tmp_path / "out" / "posts.jsonl").read_text().splitlines()[0])
    assert post["labels"] == ["muelle", "perros"]
    crawl_row = json.loads((tmp_path / "out" / "crawls.jsonl").read_text().splitlines()[0])
    assert crawl_row["seeds"] == ["http://blog.example/"]


# -- 10: home page label chips belong to their blog ------------------------------------------------


def test_home_page_label_chips_lead_to_their_own_blogs_posts(tmp_path):
    path = tmp_path / "archive.db"
    make_archive(path)
    db = store.open_db(path)
    for blog_id, title, posts in (("b1", "Orilla norte", 2), ("b2", "Orilla sur", 1)):
        store.save_blog(db, {"id": blog_id, "url": f"http://{blog_id}.example/", "platform": "blogger",
                             "title": title})
        for n in range(posts):
            store.save_post(db, {"id": f"{blog_id}-{n}", "blog_id": blog_id,
                                 "url": f"http://{blog_id}.example/2024/0{n + 1}/x.html",
                                 "title": f"{title}, paseo {n}", "published": f"2024-0{n + 1}-02T10:00:00Z",
                                 "body_html": "<p>Caminamos junto al agua.</p>",
                                 "body_text": "Caminamos junto al agua.", "labels": ["viajes"]})
    db.close()
    with serving(path, tmp_path) as base:
        home = urllib.request.urlopen(base + "/").read().decode()
        chips = re.findall(r'<a class="ba-label" href="([^"]+)">viajes <span class="ba-count">(\d)</span>', home)
        assert len(chips) == 2, chips
        for href, count in chips:
            href = href.replace("&amp;", "&")
            url = base + href.replace("/archive/posts?", "/archive/posts.json?_shape=array&", 1)
            rows = json.loads(urllib.request.urlopen(url).read())
            assert len(rows) == int(count) and len({r["blog_id"] for r in rows}) == 1, (href, rows)
