"""Post bodies live in post_bodies; search follows them and nothing else.

An archive made before the split (tests/fixtures/archive-v7.sqlite, made with
tests/fixtures/make_archive_v7.py) migrates in place with the same posts, search
results and CSV export; touching, re-saving or marking posts rewrites no row of
the search index.
"""

from __future__ import annotations

import csv
import hashlib
import shutil
import sqlite3
from pathlib import Path

import pytest

from conftest import crawl, run_cli
from scraper import store
from scraper.sample import BlogServer, make_blog

V7 = Path(__file__).parent / "fixtures" / "archive-v7.sqlite"
BODIES_MIGRATION = "m014_post_bodies"
TERMS = ["harbour", "ferry", "quay*", '"north quay"', "title:harbour", "ferry OR timetable"]


def search(conn, term: str) -> list[tuple]:
    return conn.execute(
        "SELECT rowid, highlight(posts_fts, 0, '[', ']'), "
        "snippet(posts_fts, 1, '[', ']', '…', 12), round(bm25(posts_fts), 6) "
        "FROM posts_fts WHERE posts_fts MATCH ? ORDER BY rank, rowid", [term]).fetchall()


def rows(conn, sql: str) -> list[dict]:
    cursor = conn.execute(sql)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, r)) for r in cursor]


def csv_rows(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def fts_state(conn) -> str:
    """A digest of both search indexes' stored data: unchanged means no row was rewritten."""
    digest = hashlib.sha256()
    for table in ("posts_fts_data", "posts_fts_docsize", "comments_fts_data",
                  "comments_fts_docsize"):
        for row in conn.execute(f"SELECT * FROM {table} ORDER BY 1"):
            digest.update(repr(row).encode())
    return digest.hexdigest()


class FtsWrites:
    """Counts rows written to the posts search index (FTS5's own statements, traced)."""

    def __init__(self, conn):
        self.count = 0
        conn.set_trace_callback(self._seen)

    def _seen(self, statement: str) -> None:
        if "'posts_fts_docsize'" in statement and not statement.startswith("-- SELECT"):
            self.count += 1


def test_an_archive_made_before_the_split_migrates_in_place(tmp_path):
    path = tmp_path / "archive.db"
    shutil.copy(V7, path)
    before = sqlite3.connect(path)
    posts_before = rows(before, "SELECT * FROM posts ORDER BY id")
    searches_before = {term: search(before, term) for term in TERMS}
    before.close()
    assert len(posts_before) == 30 and all(p["body_text"] for p in posts_before)
    assert all(searches_before.values()), searches_before
    run_cli("export", str(path), "--out", str(tmp_path / "csv-before"), check=True)

    db = store.open_db(path)
    columns = {c.name for c in db["posts"].columns}
    assert {"body_html", "body_text"}.isdisjoint(columns)
    assert db["post_bodies"].count == 30
    after = rows(db.conn, "SELECT * FROM posts_with_bodies ORDER BY id")
    # (columns added since, search_rowid among them, aside)
    assert [{k: p[k] for k in posts_before[0]} for p in after] == posts_before
    assert {term: search(db.conn, term) for term in TERMS} == searches_before
    db.execute("INSERT INTO posts_fts (posts_fts, rank) VALUES ('integrity-check', 1)")
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    db.close()
    assert store.open_db(path).execute(  # opening it again changes nothing
        "SELECT COUNT(*) FROM _sqlite_migrations WHERE name = ?", [BODIES_MIGRATION]).fetchone()[0] == 1

    run_cli("export", str(path), "--out", str(tmp_path / "csv-after"), check=True)
    files_before = {p.name for p in (tmp_path / "csv-before").glob("*.csv")}
    assert files_before <= {p.name for p in (tmp_path / "csv-after").glob("*.csv")}
    assert "posts.csv" in files_before and "post_bodies.csv" not in files_before
    for name in sorted(files_before - {"_sqlite_migrations.csv"}):
        old, new = csv_rows(tmp_path / "csv-before" / name), csv_rows(tmp_path / "csv-after" / name)
        # posts.csv is one download with the bodies, as before (plus search_rowid)
        assert [{k: r[k] for k in old[0]} for r in new] == old, name


def test_serve_refuses_an_old_archive_and_upgrade_converts_it(tmp_path):
    path = tmp_path / "old.db"
    shutil.copy(V7, path)
    pending = ", ".join(store.pending_migrations(store.open_readonly(path)))
    assert BODIES_MIGRATION in pending
    served = run_cli("serve", str(path), "--port", "9")
    assert served.returncode == 2
    assert served.stderr.strip().splitlines() == [
        f"error: {path}: made by an older blogarchive ({pending} not applied); "
        f"`blogarchive upgrade {path}` converts it in place"]
    assert V7.read_bytes() == path.read_bytes()  # serving never writes
    kept = tmp_path / "kept.db"
    shutil.copy(V7, kept)
    result = run_cli("upgrade", str(path), check=True)
    lines = result.stdout.strip().splitlines()
    assert lines[0] == f"{path}: applied {pending}"
    # The bodies moved out of posts left free pages: compacted by default, or on request.
    assert lines[1].startswith(f"{path}: compacting (") and lines[2].startswith(f"{path}: compacted, ")
    lines = run_cli("upgrade", "--no-vacuum", str(path), str(kept), check=True).stdout.strip().splitlines()
    assert lines[0] == f"{path}: already current" and lines[1] == f"{kept}: applied {pending}"
    assert lines[2].startswith(f"{kept}: ") and f"`blogarchive upgrade --vacuum {kept}`" in lines[2]
    assert path.stat().st_size < kept.stat().st_size * 0.9
    assert store.unused_bytes(path)[1] == 0
    lines = run_cli("upgrade", "--vacuum", str(kept), check=True).stdout.strip().splitlines()
    assert lines[0] == f"{kept}: already current" and lines[2].startswith(f"{kept}: compacted, ")
    assert kept.stat().st_size == path.stat().st_size
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT COUNT(*) FROM post_bodies").fetchone()[0] == 30
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("SELECT COUNT(*) FROM posts_fts WHERE posts_fts MATCH 'harbour'").fetchone()[0] > 0


def test_the_migrated_archive_takes_new_posts_and_edits(tmp_path):
    path = tmp_path / "archive.db"
    shutil.copy(V7, path)
    db = store.open_db(path)
    blog_id = db.execute("SELECT id FROM blogs").fetchone()[0]
    top = db.execute("SELECT MAX(search_rowid) FROM posts").fetchone()[0]
    post = {"id": "new-1", "blog_id": blog_id, "url": "http://x.example/2030/01/new.html",
            "title": "Lighthouse keepers", "body_html": "<p>Foghorn drills at noon.</p>",
            "body_text": "Foghorn drills at noon."}
    assert store.save_post(db, post) == "new"
    assert db.execute("SELECT search_rowid FROM posts WHERE id = 'new-1'").fetchone()[0] == top + 1
    assert [r[1] for r in search(db.conn, "foghorn")] == ["Lighthouse keepers"]
    edited = dict(post, title="Lighthouse crews", body_html="<p>Sirens.</p>", body_text="Sirens.")
    assert store.save_post(db, edited) == "updated"
    assert search(db.conn, "foghorn") == [] and search(db.conn, "keepers") == []
    assert [r[1] for r in search(db.conn, "sirens")] == ["Lighthouse crews"]
    assert db.execute("SELECT body_text FROM post_versions WHERE post_id = 'new-1'").fetchall() == [
        ("Foghorn drills at noon.",)]
    db.execute("INSERT INTO posts_fts (posts_fts, rank) VALUES ('integrity-check', 1)")


def test_touching_resaving_and_marking_posts_rewrites_no_search_row(tmp_path):
    db = store.open_db(tmp_path / "a.db")
    store.save_blog(db, {"id": "b", "url": "http://b.example/", "platform": "blogger"})
    posts = [{"id": str(i), "blog_id": "b", "url": f"http://b.example/{i}.html",
              "title": f"Post {i}", "published": "2024-01-02T10:00",
              "body_html": f"<p>Tide table {i}</p>", "body_text": f"Tide table {i}",
              "comments": [{"id": f"c{i}", "author": "Bo", "body_text": "Seen it"}]}
             for i in range(20)]
    for post in posts:
        store.save_post(db, post)
    writes = FtsWrites(db.conn)
    for post in posts:  # what an incremental run does to posts that did not change
        assert store.save_post(db, post) == "unchanged"
        store.touch_post(db, post["url"], None)
        store.save_comments(db, post["id"], post["comments"])
    store.save_feed_entries(db, "b", [{"url": p["url"], "published": "2024-01-02T10:00:00+02:00",
                                       "updated": "2024-01-03T10:00:00+02:00"} for p in posts])
    assert store.mark_gone(db, posts[0]["url"])
    assert db.execute("SELECT published FROM posts WHERE id = '1'").fetchone()[0].endswith("+02:00")
    assert writes.count == 0
    store.save_post(db, dict(posts[1], id="new", url="http://b.example/new.html"))
    assert writes.count == 1  # a new post: one index row, with its body
    store.save_post(db, dict(posts[1], title="Post one renamed"))
    assert writes.count == 3  # a new title: its row removed and written again
    # Same HTML, text extracted differently (a re-extraction): the text follows.
    assert store.save_post(db, dict(posts[2], body_text="Tide tables, reread")) == "unchanged"
    assert db.execute("SELECT body_text FROM post_bodies WHERE post_id = '2'").fetchone() == (
        "Tide tables, reread",)
    assert writes.count == 5
    db.execute("INSERT INTO posts_fts (posts_fts, rank) VALUES ('integrity-check', 1)")


def test_search_rowids_survive_vacuum_and_a_post_changing_its_id(tmp_path):
    db = store.open_db(tmp_path / "a.db")
    store.save_blog(db, {"id": "b", "url": "http://b.example/", "platform": "generic"})
    for i in range(40):
        store.save_post(db, {"id": f"h{i:02}", "blog_id": "b", "url": f"http://b.example/{i}.html",
                             "title": f"Note {i}", "body_html": "x", "body_text": f"word{i} sea"})
    # Deleting rows leaves gaps that VACUUM closes for tables keyed by text.
    for i in range(0, 40, 3):
        db.execute("DELETE FROM posts WHERE id = ?", [f"h{i:02}"])
    db.conn.commit()
    before = {r[0]: r[1] for r in db.execute("SELECT search_rowid, id FROM posts")}
    db.execute("VACUUM")
    assert {r[0]: r[1] for r in db.execute("SELECT search_rowid, id FROM posts")} == before
    hits = db.execute("SELECT p.id FROM posts_fts JOIN posts p ON p.search_rowid = posts_fts.rowid "
                      "WHERE posts_fts MATCH 'word7'").fetchall()
    assert hits == [("h07",)]
    assert db.execute("SELECT COUNT(*) FROM posts_fts WHERE posts_fts MATCH 'sea'").fetchone()[0] == 26
    # An import matched by URL gives the post the platform's id: the body goes with it.
    store.save_post(db, {"id": "real-7", "blog_id": "b", "url": "http://b.example/7.html",
                         "title": "Note 7", "body_html": "x", "body_text": "word7 sea"})
    assert db.execute("SELECT post_id FROM post_bodies WHERE body_text = 'word7 sea'").fetchall() == [
        ("real-7",)]
    db.execute("INSERT INTO posts_fts (posts_fts, rank) VALUES ('integrity-check', 1)")


def test_a_full_recrawl_of_an_unchanged_blog_leaves_the_search_index_untouched(tmp_path):
    blog = make_blog("layout", n_posts=24, seed=5)
    db_path = tmp_path / "archive.db"
    with BlogServer(blog) as server:
        crawl(server.url, db_path, "--images", "none")
        conn = sqlite3.connect(db_path)
        state = fts_state(conn)
        result = crawl(server.url, db_path, "--images", "none", "--full")
        assert "posts new 0, updated 0, unchanged 24," in result.stdout, result.stdout
        assert fts_state(conn) == state
        edited = blog.sorted_posts()[3]
        blog.edit_post(edited, paragraphs=["Cormorants nest on the breakwater."])
        crawl(server.url, db_path, "--images", "none")
        assert fts_state(conn) != state
        hits = conn.execute(
            "SELECT p.id FROM posts_fts JOIN posts p ON p.search_rowid = posts_fts.rowid "
            "WHERE posts_fts MATCH 'cormorants'").fetchall()
        assert hits == [(edited.post_id,)]


@pytest.fixture(autouse=True)
def _fixture_present():
    assert V7.exists(), "tests/fixtures/archive-v7.sqlite is missing"
