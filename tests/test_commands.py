"""Commands that behave: reading commands never write, quiet runs, honest exits, clean stops."""

from __future__ import annotations

import json
import sqlite3

from conftest import run_cli
from scraper import store


def make_archive(path, seeds=("http://blog.example/",), **fields) -> int:
    """A real archive file with one finished crawl row."""
    db = store.open_db(path)
    crawl_id = store.start_crawl(db, list(seeds))
    store.finish_crawl(db, crawl_id, status="finished", pages=12, posts_new=7, errors=0,
                       errors_by_kind={}, **fields)
    db.close()
    return crawl_id


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
    assert data[0]["seeds"] == seeds
    text = run_cli("status", str(path), check=True, timeout=60).stdout
    started = data[0]["started"]
    assert started in text  # the whole timestamp, not "2026-12-…"
    assert "…" not in text
