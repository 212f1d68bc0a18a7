"""`blogarchive export`: complete tables with a checkable manifest, and a consistent
SQLite snapshot taken while a crawl holds a write transaction open."""

from __future__ import annotations

import base64
import csv
import hashlib
import json
import sqlite3

import pytest

from conftest import run_cli
from scraper import store
from test_datasette import tiny_png

ROWS = 1500  # more than any web page or Datasette's max_returned_rows


@pytest.fixture
def archive(tmp_path):
    path = tmp_path / "archive.db"
    db = store.open_db(path)
    store.save_blog(db, {"id": "77", "url": "http://blog.example/", "platform": "blogger",
                         "title": "Export Blog"})
    store.save_post(db, {
        "id": "1", "blog_id": "77", "url": "http://blog.example/1.html", "title": "Café, \"quoted\"",
        "author": "Ana", "published": "2024-01-02T10:00:00+02:00", "labels": ["Kim Jong Un", "Café"],
        "body_html": "<p>Line one\nline two, with comma</p>", "body_text": "Line one\nline two, with comma",
        "images": [{"position": 0, "src": "http://img.example/s320/a.png",
                    "full_url": "http://img.example/s1600/a.png", "alt": "", "caption": "Dawn"}],
        "comments": [{"id": "c1", "author": "Bo", "body_text": "Nice"}],
    })
    with db.atomic():
        db["posts"].insert_all(
            {"id": f"bulk{i}", "blog_id": "77", "url": f"http://blog.example/b{i}.html",
             "title": f"Bulk {i}", "labels": "[]"}
            for i in range(ROWS))
        db["post_bodies"].insert_all(
            {"post_id": f"bulk{i}", "body_text": f"text {i}"} for i in range(ROWS))
    png = tiny_png(5, 4)
    sha = hashlib.sha256(png).hexdigest()
    db.execute("insert into images (sha256, content, content_type, size, width, height) "
               "values (?, ?, 'image/png', ?, 5, 4)", [sha, png, len(png)])
    db.execute("update post_images set image_sha256 = ? where post_id = '1'", [sha])
    db.conn.commit()
    db.close()
    return path, png, sha


def counts(path) -> dict:
    conn = sqlite3.connect(path)
    names = [r[0] for r in conn.execute(
        "select name from sqlite_master where type = 'table' and name not like 'sqlite_%' "
        "and sql not like 'CREATE VIRTUAL TABLE%' and name not like '%_fts_%'")]
    result = {n: conn.execute(f'select count(*) from "{n}"').fetchone()[0] for n in names}
    conn.close()
    return result


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_every_table_complete_with_manifest(archive, tmp_path, fmt):
    path, png, sha = archive
    out = tmp_path / f"export-{fmt}"
    result = run_cli("export", str(path), "--format", fmt, "--out", str(out), check=True)
    assert "manifest.json" in result.stdout
    manifest = json.loads((out / "manifest.json").read_text())
    listed = {t["name"]: t for t in manifest["tables"]}
    tables = counts(path)
    # Bodies are kept apart in post_bodies and exported inside posts: one file per post row.
    assert tables.pop("post_bodies") == ROWS + 1
    assert {n: t["rows"] for n, t in listed.items()} == tables
    assert listed["posts"]["rows"] == ROWS + 1
    assert {"body_html", "body_text"} <= set(listed["posts"]["columns"])
    assert manifest["omitted"]["post_bodies"].startswith(f"in posts.{fmt}")
    assert "posts_fts" in manifest["omitted"]
    for entry in manifest["tables"]:
        data = (out / entry["file"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"]
        assert len(data) == entry["bytes"]
        if fmt == "csv":
            records = list(csv.DictReader(data.decode("utf-8").splitlines(keepends=True)))
        else:
            records = [json.loads(line) for line in data.decode("utf-8").splitlines()]
        assert len(records) == entry["rows"], entry["name"]
    assert listed["images"]["blob_columns"] == {"content": "base64"}
    if fmt == "csv":
        images = list(csv.DictReader(open(out / "images.csv", encoding="utf-8", newline="")))
        assert base64.b64decode(images[0]["content"]) == png
        posts = {r["id"]: r for r in csv.DictReader(open(out / "posts.csv", encoding="utf-8", newline=""))}
        assert posts["1"]["title"] == 'Café, "quoted"'
        assert posts["1"]["body_text"] == "Line one\nline two, with comma"
        assert json.loads(posts["1"]["labels"]) == ["Kim Jong Un", "Café"]
    else:
        image = json.loads((out / "images.jsonl").read_text().splitlines()[0])
        assert image["content"]["$base64"] is True
        assert base64.b64decode(image["content"]["encoded"]) == png
        assert image["sha256"] == sha


def test_blobs_can_be_left_out(archive, tmp_path):
    path, _, _ = archive
    out = tmp_path / "noblobs"
    run_cli("export", str(path), "--format", "csv", "--out", str(out), "--blobs", "omit", check=True)
    manifest = json.loads((out / "manifest.json").read_text())
    images = next(t for t in manifest["tables"] if t["name"] == "images")
    assert images["blob_columns"] == {"content": "omitted"} and "content" not in images["columns"]
    header = (out / "images.csv").read_text().splitlines()[0].split(",")
    assert "content" not in header and "sha256" in header


def test_sqlite_snapshot_is_consistent_while_a_crawl_writes(archive, tmp_path):
    path, png, _ = archive
    before = counts(path)
    writer = sqlite3.connect(path, isolation_level=None, timeout=30)
    writer.execute("BEGIN IMMEDIATE")  # a crawl in the middle of saving a post
    writer.execute("insert into posts (id, blog_id, url, title) values "
                   "('uncommitted', '77', 'http://blog.example/u.html', 'not yet')")
    snapshot = tmp_path / "snap" / "snapshot.db"
    try:
        result = run_cli("export", str(path), "--format", "sqlite", "--out", str(snapshot),
                         check=True, timeout=60)
    finally:
        writer.execute("COMMIT")
        writer.close()
    assert "sha256" in result.stdout
    assert counts(snapshot) == before  # the committed state, without the half-written post
    conn = sqlite3.connect(snapshot)
    assert conn.execute("pragma integrity_check").fetchone()[0] == "ok"
    assert conn.execute("pragma journal_mode").fetchone()[0] == "delete"  # one self-contained file
    assert conn.execute("select content from images").fetchone()[0] == png
    assert conn.execute("select count(*) from posts_fts where posts_fts match 'bulk'").fetchone()[0] == ROWS
    conn.close()
    assert not (snapshot.parent / "snapshot.db-wal").exists()
    assert counts(path)["posts"] == before["posts"] + 1  # the crawl's commit went through
    # An existing snapshot is not overwritten by accident.
    again = run_cli("export", str(path), "--format", "sqlite", "--out", str(snapshot))
    assert again.returncode != 0 and "--force" in again.stderr
    run_cli("export", str(path), "--format", "sqlite", "--out", str(snapshot), "--force", check=True)
    assert counts(snapshot)["posts"] == before["posts"] + 1
