"""What makes the archive smaller on disk: a run that wrote most of it leaves it compacted (one
that added little leaves it be); indexes another index covers are not kept."""

from __future__ import annotations

import random
import shutil
import sqlite3
from pathlib import Path

from scraper import store
from scraper.images import inspect
from scraper.store.images import BY_FULL_URL

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de"
    "0000000c4944415408d763f8cfc0000003010100c9fe92ef0000000049454e44ae426082")


def post(n: int) -> dict:
    text = f"Ferry {n} left the north quay at dawn."
    return {"id": str(1000 + n), "blog_id": "77", "url": f"http://blog.example/{n * 7919 % 997:03d}/{n}.html",
            "title": f"Harbour note {n}", "published": f"20{n % 20:02d}-0{n % 9 + 1}-1{n % 10}T10:00:00Z",
            "labels": [f"label {n % 13}"], "body_html": f"<p>{text}</p>", "body_text": text,
            "word_count": 8, "comments": [{"id": f"c{n}", "author": "Bo", "body_text": f"Seen {n}"}]}


def searched(conn) -> list:
    return conn.execute(
        "SELECT p.id, snippet(posts_fts, 1, '[', ']', '…', 6) FROM posts_fts "
        "JOIN posts p ON p.search_rowid = posts_fts.rowid WHERE posts_fts MATCH 'ferry' "
        "ORDER BY p.id").fetchall() + conn.execute(
        "SELECT c.id FROM comments_fts JOIN comments c ON c.rowid = comments_fts.rowid "
        "WHERE comments_fts MATCH 'seen' ORDER BY c.id").fetchall()


def test_a_run_that_wrote_most_of_the_archive_leaves_it_compacted(tmp_path):
    path = tmp_path / "archive.db"
    db = store.open_db(path)
    store.save_blog(db, {"id": "77", "url": "http://blog.example/", "platform": "blogger"})
    pages_before = store.page_count(db)
    numbers = list(range(800))
    random.Random(16).shuffle(numbers)  # as a crawl saves them: not in key or date order
    for n in numbers:
        store.save_post(db, post(n))
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.execute("VACUUM INTO ?", [str(tmp_path / "compact.db")])
    found = searched(db.conn)
    assert len(found) == 1600

    before, after = store.compact_after_run(db, pages_before)
    assert after < before
    assert path.stat().st_size == after == (tmp_path / "compact.db").stat().st_size
    assert searched(db.conn) == found
    for index in ("posts_fts", "comments_fts"):
        db.execute(f"INSERT INTO {index} ({index}, rank) VALUES ('integrity-check', 1)")

    pages = store.page_count(db)
    store.save_post(db, post(800))
    assert store.compact_after_run(db, pages) is None
    db.close()
    assert sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_indexes_another_index_covers_are_dropped_and_lookups_still_use_one(tmp_path):
    path = tmp_path / "archive.db"
    shutil.copy(Path(__file__).parent / "fixtures" / "archive-v16.sqlite", path)
    lookups = {"idx_post_images_post_id": "SELECT * FROM post_images WHERE post_id = '1'",
               "idx_post_labels_post_id": "SELECT * FROM post_labels WHERE post_id = '1'",
               "idx_fetches_crawl_id": "SELECT * FROM fetches WHERE crawl_id = 1",
               "idx_post_images_full_url": "SELECT * FROM post_images WHERE " + BY_FULL_URL.replace(
                   "?", "'http://x.example/s1600/a.png'")}
    indexes = "SELECT name FROM sqlite_master WHERE type = 'index'"
    conn = sqlite3.connect(path)
    assert set(lookups) <= {r[0] for r in conn.execute(indexes)}
    conn.close()
    db = store.open_db(path)
    assert not set(lookups) & {r[0] for r in db.execute(indexes)}
    for sql in lookups.values():
        plan = " ".join(r[3] for r in db.execute("EXPLAIN QUERY PLAN " + sql))
        assert plan.startswith("SEARCH") and "INDEX" in plan, plan
    db.close()


def test_images_whose_urls_end_alike_are_linked_and_failed_apart(tmp_path):
    db = store.open_db(tmp_path / "archive.db")
    store.save_blog(db, {"id": "77", "url": "http://blog.example/", "platform": "blogger"})
    tail = "/a-long-shared-folder/s1600/the-same-file-name.png"  # more than the 40 indexed
    urls = ["http://one.example" + tail, "http://two.example" + tail, "http://three.example" + tail]
    for n, url in enumerate(urls):
        store.save_post(db, dict(post(n), images=[{"position": 0, "src": url, "full_url": url}]))
    store.save_image(db, urls[0], urls[0], PNG, inspect(PNG))
    store.image_failed(db, urls[1], "http_404")
    rows = db.execute("SELECT full_url, image_sha256, fetch_error FROM post_images "
                      "ORDER BY post_id").fetchall()
    assert rows == [(urls[0], inspect(PNG).sha256, None), (urls[1], None, "http_404"),
                    (urls[2], None, None)]
    db.close()
