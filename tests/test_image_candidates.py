"""Candidate chains of post images stored without repeating the row's own URLs.

An archive made before (tests/fixtures/archive-v16.sqlite, made with
tests/fixtures/make_archive_v16.py: a Blogger and a WordPress blog, images not
fetched) migrates in place: the same images, the same chain for every image, the
same fetch order, every URL still readable in SQL, Datasette's views and exports.
"""

from __future__ import annotations

import csv
import json
import shutil
import sqlite3
from pathlib import Path

from conftest import run_cli
from scraper import store
from scraper.plan.archive import Archive
from scraper.plan.images import ImagePlan
from scraper.store.images import candidate_chain, packed_candidates

V16 = Path(__file__).parent / "fixtures" / "archive-v16.sqlite"
COLUMNS = ("post_id", "position", "src", "full_url", "alt", "caption", "link", "width", "height",
           "image_sha256", "fetched_url", "fetch_error", "fetch_attempts")


def chains_as_stored_before(conn) -> dict:
    return {(r[0], r[1]): json.loads(r[2]) for r in conn.execute(
        "SELECT post_id, position, candidates FROM post_images")}


def missing_as_read_before(conn, blog_id: str) -> list[dict]:
    """The fetch queue as the image fetcher read it before m017 (the query it ran then)."""
    rows = conn.execute(
        "SELECT pi.full_url, MIN(pi.candidates) FROM post_images pi JOIN posts p ON p.id = pi.post_id "
        "WHERE p.blog_id = ? AND pi.image_sha256 IS NULL AND COALESCE(pi.fetch_attempts, 0) < ? "
        "GROUP BY pi.full_url", [blog_id, 5]).fetchall()
    return [{"full_url": url, "candidates": json.loads(c) if c else [url]} for url, c in rows]


def csv_chains(path: Path) -> dict:
    with open(path, encoding="utf-8", newline="") as f:
        return {(r["post_id"], int(r["position"])): json.loads(r["candidates"])
                for r in csv.DictReader(f)}


def test_an_archive_made_before_migrates_with_the_same_chains_and_fetch_order(tmp_path):
    path = tmp_path / "archive.db"
    shutil.copy(V16, path)
    conn = sqlite3.connect(path)
    # A second post showing a file at another size: its chain differs, and the queue
    # takes one chain per file (the first by its JSON text, as the stored lists were compared).
    pid, pos, src, full, link, stored = conn.execute(
        "SELECT post_id, position, src, full_url, link, candidates FROM post_images "
        "WHERE candidates LIKE '%/s0/%' ORDER BY post_id, position LIMIT 1").fetchone()
    other = conn.execute("SELECT id FROM posts WHERE blog_id = (SELECT blog_id FROM posts "
                         "WHERE id = ?) AND id != ? LIMIT 1", [pid, pid]).fetchone()[0]
    small = src.replace("/s320/", "/s72/").replace("/w640-h480/", "/s72/")
    assert small != src
    conn.execute("INSERT INTO post_images (post_id, position, src, full_url, link, candidates) "
                 "VALUES (?, 99, ?, ?, ?, ?)",
                 [other, small, full, link, json.dumps(json.loads(stored)[:-1] + [small])])
    conn.commit()
    rows_before = conn.execute(f"SELECT {', '.join(COLUMNS)} FROM post_images ORDER BY 1, 2").fetchall()
    chains_before = chains_as_stored_before(conn)
    blogs = [r[0] for r in conn.execute("SELECT id FROM blogs ORDER BY id")]
    queue_before = {b: missing_as_read_before(conn, b) for b in blogs}
    stored_bytes_before = conn.execute("SELECT SUM(LENGTH(candidates)) FROM post_images").fetchone()[0]
    conn.close()
    assert len(blogs) == 2 and all(queue_before.values())
    assert any(len(c) >= 3 for c in chains_before.values())
    run_cli("export", str(path), "--out", str(tmp_path / "csv-before"), check=True)

    db = store.open_db(path)
    assert db.execute(f"SELECT {', '.join(COLUMNS)} FROM post_images ORDER BY 1, 2").fetchall() \
        == rows_before
    stored = {(r["post_id"], r["position"]): r for r in db.query("SELECT * FROM post_images")}
    assert {k: candidate_chain(r["candidates"], r) for k, r in stored.items()} == chains_before
    listed: dict = {}
    for post_id, position, url in db.execute(
            "SELECT post_id, position, url FROM post_image_candidates ORDER BY post_id, position, rank"):
        listed.setdefault((post_id, position), []).append(url)
    assert listed == chains_before
    assert {(r[0], r[1]): json.loads(r[2]) for r in db.execute(
        "SELECT post_id, position, candidates FROM post_images_with_candidates")} == chains_before
    for blog in blogs:
        assert store.images_missing(db, blog, 5) == queue_before[blog]
        plan = ImagePlan(Archive(str(path)))
        assert [(w.key, w.candidates) for w in plan.missing(blog)] == \
            [(q["full_url"], q["candidates"]) for q in queue_before[blog]]
    stored_bytes = db.execute("SELECT SUM(LENGTH(candidates)) FROM post_images").fetchone()[0]
    assert stored_bytes < stored_bytes_before / 2, (stored_bytes, stored_bytes_before)
    assert db.execute("SELECT COUNT(*) FROM post_images WHERE candidates LIKE '%\"src\"%'").fetchone()[0]
    db.close()

    run_cli("export", str(path), "--out", str(tmp_path / "csv-after"), check=True)
    after = csv_chains(tmp_path / "csv-after" / "post_images.csv")
    assert after == csv_chains(tmp_path / "csv-before" / "post_images.csv") == chains_before


def test_a_chain_is_stored_without_the_rows_own_urls_and_read_back_whole():
    row = {"full_url": "https://img.example/k3y/s1600/a.jpg", "src": "https://img.example/k3y/s320/a.jpg",
           "link": "https://img.example/k3y/s1600/a.jpg"}
    chain = ["https://img.example/k3y/s0/a.jpg", row["full_url"], row["src"]]
    stored = packed_candidates(row, chain)
    assert json.loads(stored) == ["../s0/a.jpg", "full_url", "src"]
    assert candidate_chain(stored, row) == chain
    sibling = dict(row, src="https://img.example/k3y/s1600/a-300x200.jpg", link="")
    stored = packed_candidates(sibling, [sibling["full_url"], "https://img.example/k3y/s1600/a-scaled.jpg"])
    assert json.loads(stored) == ["full_url", "./a-scaled.jpg"]
    assert packed_candidates(row, [row["full_url"]]) is None
    assert candidate_chain(None, row) == [row["full_url"]]
    assert candidate_chain(packed_candidates(row, []), row) == []
    # Not URLs, and they would read as references: never fetched, left out.
    assert candidate_chain(packed_candidates(row, ["src", "./b.jpg", row["src"]]), row) == [row["src"]]


def test_sql_views_read_the_same_chains_as_the_fetcher(tmp_path):
    db = store.open_db(tmp_path / "archive.db")
    store.save_blog(db, {"id": "77", "url": "http://blog.example/", "platform": "wordpress"})
    base = "https://blog.example/wp-content/uploads/2024/01/"
    images = [
        {"position": 0, "src": base + "café-300x200.jpg", "full_url": base + "café.jpg", "link": "",
         "candidates": [base + "café.jpg", base + "café-scaled.jpg", base + "café-300x200.jpg",
                        "https://cdn.example/ålesund/café.jpg"]},
        {"position": 1, "src": "https://x.example/a", "full_url": "https://x.example/a", "link": "",
         "candidates": ["https://x.example/a", "https://x.example/b?size=0", "https://y.example/"]},
        {"position": 2, "src": "data:image/gif;base64,R0lGOD", "full_url": "noslash", "link": "",
         "candidates": ["noslash", "data:image/gif;base64,R0lGOD"]},
    ]
    store.save_post(db, {"id": "1", "blog_id": "77", "url": "http://blog.example/1", "title": "T",
                         "body_html": "<p>x</p>", "body_text": "x", "images": images})
    rows = {r["position"]: r for r in db.query("SELECT * FROM post_images")}
    listed: dict = {}
    for position, url in db.execute("SELECT position, url FROM post_image_candidates ORDER BY position, rank"):
        listed.setdefault(position, []).append(url)
    expected = {i["position"]: i["candidates"] for i in images}
    assert {p: candidate_chain(r["candidates"], r) for p, r in rows.items()} == expected == listed
    assert json.loads(rows[0]["candidates"]) == ["full_url", "./café-scaled.jpg", "src",
                                                 "https://cdn.example/ålesund/café.jpg"]
    # Only folders of a path: another host is written out, not as "../" from "https://".
    assert json.loads(rows[1]["candidates"]) == ["full_url", "./b?size=0", "https://y.example/"]
    db.close()


def test_views_made_before_folder_entries_existed_are_made_again(tmp_path):
    path = tmp_path / "archive.db"
    shutil.copy(V16, path)
    db = store.open_db(path)
    # The view as m017 first made it: column names only.
    db.execute("DROP VIEW post_image_candidates")
    db.execute("CREATE VIEW post_image_candidates AS SELECT pi.post_id, pi.position, c.key AS rank, "
               "CASE c.value WHEN 'full_url' THEN pi.full_url WHEN 'src' THEN pi.src "
               "WHEN 'link' THEN pi.link ELSE c.value END AS url "
               "FROM post_images pi, json_each(coalesce(pi.candidates, '[\"full_url\"]')) c")
    db.execute("DELETE FROM _sqlite_migrations WHERE name = 'm019_candidate_views_read_folders'")
    db.conn.commit()
    db.close()
    db = store.open_db(path)
    urls = [r[0] for r in db.execute("SELECT url FROM post_image_candidates")]
    assert any("/s0/" in u for u in urls) and all(u.startswith("http") for u in urls)
    db.close()
