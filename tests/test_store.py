"""The archive database: upserts keep FTS in step, history is kept, nothing is stored twice."""

from __future__ import annotations

import json
import sqlite3

import pytest

from scraper import store
from scraper.images import inspect


def make_post(**changes):
    post = {
        "id": "4242", "blog_id": "77", "url": "http://blog.example/2024/01/a.html",
        "title": "Harbour cranes", "author": "Ana", "published": "2024-01-02T10:00:00+02:00",
        "labels": ["Kim Jong Un", "Café política"], "body_html": "<p>Cranes at dawn.</p>",
        "body_text": "Cranes at dawn.", "word_count": 3,
        "images": [{"position": 0, "src": "http://img.example/s320/a.png",
                    "full_url": "http://img.example/s1600/a.png", "alt": "", "caption": "Dawn"}],
        "comments": [{"id": "9001", "author": "Bo", "body_text": "Nice"}],
    }
    post.update(changes)
    return post


@pytest.fixture
def db(tmp_path):
    database = store.open_db(tmp_path / "a.db")
    store.save_blog(database, {"id": "77", "url": "http://blog.example/", "platform": "blogger"})
    yield database
    database.close()


def test_resaving_adds_nothing_and_search_stays_in_step(db):
    assert store.save_post(db, make_post()) == "new"
    for _ in range(3):
        assert store.save_post(db, make_post()) == "unchanged"
    assert db.execute("SELECT COUNT(*) FROM posts").fetchone()[0] == 1
    # INSERT OR REPLACE would grow the FTS index on every save; upserts must not.
    assert db.execute("SELECT COUNT(*) FROM posts_fts_docsize").fetchone()[0] == 1
    assert db.execute("SELECT COUNT(*) FROM post_labels").fetchone()[0] == 2
    assert db.execute("SELECT COUNT(*) FROM comments").fetchone()[0] == 1
    hits = db.execute("SELECT rowid FROM posts_fts WHERE posts_fts MATCH 'dawn'").fetchall()
    assert len(hits) == 1


def test_labels_are_kept_exactly_and_facetable(db):
    store.save_post(db, make_post())
    row = db["posts"].get("4242")
    assert json.loads(row["labels"]) == ["Kim Jong Un", "Café política"]
    names = [r[0] for r in db.execute(
        "SELECT l.name FROM post_labels pl JOIN labels l ON l.id = pl.label_id "
        "WHERE pl.post_id = '4242' ORDER BY pl.position")]
    assert names == ["Kim Jong Un", "Café política"]


def test_changed_content_keeps_the_previous_version(db):
    store.save_post(db, make_post())
    assert store.save_post(db, make_post(body_html="<p>Cranes at dusk.</p>",
                                         body_text="Cranes at dusk.")) == "updated"
    versions = list(db["post_versions"].rows)
    assert len(versions) == 1 and versions[0]["body_text"] == "Cranes at dawn."
    assert db.execute("SELECT body_text FROM posts_with_bodies WHERE id = '4242'").fetchone() == (
        "Cranes at dusk.",)
    # The search index follows the new text.
    assert not db.execute("SELECT * FROM posts_fts WHERE posts_fts MATCH 'dawn'").fetchall()
    # An updated time alone (Blogger moves it without edits) is not a change.
    assert store.save_post(db, make_post(body_html="<p>Cranes at dusk.</p>",
                                         updated="2030-01-01T00:00:00+00:00")) == "unchanged"


def test_same_image_in_two_posts_is_stored_once(db, tmp_path):
    png = bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de"
        "0000000c4944415408d763f8cfc0000003010100c9fe92ef0000000049454e44ae426082")
    store.save_post(db, make_post())
    info = inspect(png)
    assert store.save_image(db, "http://img.example/s1600/a.png", "http://img.example/s0/a.png",
                            png, info) is True
    store.save_post(db, make_post(id="4243", url="http://blog.example/2024/01/b.html"))
    rows = list(db.execute("SELECT post_id, image_sha256 FROM post_images ORDER BY post_id"))
    assert rows == [("4242", info.sha256), ("4243", info.sha256)]
    assert db.execute("SELECT COUNT(*) FROM images").fetchone()[0] == 1
    content = db.execute("SELECT content FROM images").fetchone()[0]
    assert content == png and info.width == 1 and info.height == 1
    assert store.image_known(db, "http://img.example/s1600/a.png")


def test_a_post_known_under_another_id_takes_the_crawled_id_with_its_rows(db):
    # An imported post (keyed by the export's id) met again by a crawl under the
    # platform's id: one post, its labels, images, comments and history moved over,
    # with foreign keys enforced all along.
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    store.save_post(db, make_post(id="77:import:a", body_html="<p>Cranes at dusk.</p>"))
    store.save_post(db, make_post(id="77:import:a", body_html="<p>Cranes at night.</p>"))
    assert store.save_post(db, make_post()) == "updated"
    assert [r[0] for r in db.execute("SELECT id FROM posts")] == ["4242"]
    for table, count in (("post_labels", 2), ("post_images", 1), ("comments", 1),
                         ("post_versions", 2)):
        rows = db.execute(f"SELECT post_id, COUNT(*) FROM [{table}] GROUP BY post_id").fetchall()
        assert rows == [("4242", count)], table
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []


def test_foreign_keys_link_rows(db):
    store.save_post(db, make_post())
    fks = {(fk.table, fk.column, fk.other_table) for fk in db["post_labels"].foreign_keys}
    assert ("post_labels", "post_id", "posts") in fks
    assert ("post_labels", "label_id", "labels") in fks
    with pytest.raises(sqlite3.IntegrityError):
        store.save_post(db, make_post(id="1", url="http://x/1", blog_id="nope"))
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_unwritable_places_fail_before_anything_else(tmp_path):
    with pytest.raises(store.StoreError, match="does not exist"):
        store.open_db(tmp_path / "missing" / "a.db")
    folder = tmp_path / "a-folder.db"
    folder.mkdir()
    with pytest.raises(store.StoreError, match="is a folder"):
        store.open_db(folder)


def test_resaving_keeps_first_seen_times_and_follows_the_images(db):
    image = {"position": 0, "src": "http://img.example/s320/a.png",
             "full_url": "http://img.example/s1600/a.png", "alt": "", "caption": "Dawn"}
    other = {**image, "position": 1, "full_url": "http://img.example/s1600/b.png"}
    store.image_failed(db, "http://img.example/s1600/b.png", "http_404")
    store.save_post(db, make_post(images=[image, other]))
    assert db.execute("SELECT position, fetch_error FROM post_images ORDER BY position"
                      ).fetchall() == [(0, None), (1, "http_404")]  # it failed for another post
    db.execute("UPDATE comments SET first_seen = '2001-01-01T00:00:00+00:00'")
    db.execute("UPDATE post_images SET image_sha256 = NULL, fetch_attempts = 3 WHERE position = 0")
    moved = {**image, "full_url": "http://img.example/s1600/c.png"}
    assert store.save_post(db, make_post(
        images=[moved], comments=[{"id": "9001", "author": "Bo", "body_text": "Nicer"},
                                  {"id": "9002", "author": "Cy", "body_text": "Hm"}])) == "unchanged"
    # the image gone from the page is gone; a different file at a place starts afresh
    assert db.execute("SELECT position, full_url, fetch_attempts FROM post_images").fetchall() == [
        (0, "http://img.example/s1600/c.png", 0)]
    comments = db.execute("SELECT id, body_text, first_seen > '2002' FROM comments ORDER BY id"
                          ).fetchall()
    assert comments == [("9001", "Nicer", 0), ("9002", "Hm", 1)]
    # an older copy (by the platform's updated time) adds new comments, changes none
    store.save_post(db, make_post(updated="2030-01-01T00:00:00+00:00"))
    assert store.save_post(db, make_post(
        updated="2020-01-01T00:00:00+00:00", comments=[{"id": "9001", "body_text": "Old"},
                                                       {"id": "9003", "body_text": "New"}])) == "unchanged"
    assert db.execute("SELECT id, body_text FROM comments ORDER BY id").fetchall() == [
        ("9001", "Nice"), ("9002", "Hm"), ("9003", "New")]


def test_a_long_comment_thread_is_kept_whole_in_order_and_searchable(db):
    """Comments are written many to a statement: a thread longer than one statement holds
    is kept whole, in page order, a comment the page shows twice once (its later copy)."""
    thread = [{"id": f"c{n}", "author": f"Reader {n}", "position": n,
               "body_text": f"Point number{n} taken"} for n in range(250)]
    thread.append({**thread[7], "body_text": "Point edited"})
    assert store.save_post(db, make_post(comments=thread)) == "new"
    rows = db.execute("SELECT id, position, body_text FROM comments ORDER BY rowid").fetchall()
    assert [r[0] for r in rows] == [f"c{n}" for n in range(250)]
    assert rows[7] == ("c7", 7, "Point edited")
    assert db.execute("SELECT rowid FROM comments_fts WHERE comments_fts MATCH 'number249'"
                      ).fetchall() == [(250,)]
    assert db.execute("SELECT COUNT(*) FROM comments_fts WHERE comments_fts MATCH 'edited'"
                      ).fetchone()[0] == 1
    db.execute("UPDATE comments SET first_seen = '2001-01-01T00:00:00+00:00'")
    assert store.save_post(db, make_post(comments=thread[:250])) == "unchanged"
    assert db.execute("SELECT COUNT(*), MAX(first_seen) FROM comments").fetchone() == (
        250, "2001-01-01T00:00:00+00:00")
    assert db.execute("SELECT body_text FROM comments WHERE id = 'c7'").fetchone()[0] == (
        "Point number7 taken")

def test_a_new_post_sets_no_pragma_and_survives_a_rolled_back_batch(db):
    """Setting a flag pragma (defer_foreign_keys) makes SQLite compile every prepared
    statement again: a new post is saved without one, its body before its row, in a
    statement whose helper view a rolled-back transaction takes away and the next save
    makes again."""
    seen = []
    db.conn.set_trace_callback(seen.append)
    db.conn.execute("BEGIN")
    assert store.save_post(db, make_post()) == "new"
    db.conn.execute("ROLLBACK")
    assert db.execute("SELECT COUNT(*) FROM posts").fetchone()[0] == 0
    assert store.save_post(db, make_post()) == "new"
    assert store.save_post(db, make_post(id="4243", url="http://blog.example/2024/01/b.html")) == "new"
    db.conn.set_trace_callback(None)
    assert not [s for s in seen if "defer_foreign_keys" in s]
    assert db.execute("SELECT COUNT(*) FROM post_bodies").fetchone()[0] == 2
    hits = db.execute("SELECT rowid FROM posts_fts WHERE posts_fts MATCH 'dawn'").fetchall()
    assert len(hits) == 2
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    with pytest.raises(sqlite3.IntegrityError):  # the body's key is checked, at once
        db.conn.execute("INSERT INTO post_bodies (post_id, body_html, body_text) VALUES ('x', '', '')")
