"""`blogarchive export --format parquet`: one typed file per table that pyarrow,
pandas and DuckDB read back as the archive's rows."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import subprocess
import sys

import pyarrow as pa
import pyarrow.parquet as pq

from conftest import ROOT, run_cli
from scraper.tables import table_source
from test_export import ROWS, archive, counts  # noqa: F401  (the fixture archive)
from test_export_datapackage import validate


def utc(text):
    if not text:
        return None
    when = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return when.astimezone(dt.timezone.utc) if when.tzinfo else None


def test_parquet_reads_back_as_the_sqlite_rows(archive, tmp_path):  # noqa: F811
    path, png, sha = archive
    conn = sqlite3.connect(path)
    conn.execute("update posts set published = '2024-03-05T09:30:00' where id = 'bulk3'")  # no offset
    conn.commit()
    out = tmp_path / "parquet"
    result = run_cli("export", str(path), "--format", "parquet", "--out", str(out), check=True)
    assert "as parquet" in result.stdout
    manifest = json.loads((out / "manifest.json").read_text())
    tables = counts(path)
    assert tables.pop("post_bodies") == ROWS + 1  # exported inside posts: one file per post row
    assert {t["name"]: t["rows"] for t in manifest["tables"]} == tables
    for entry in manifest["tables"]:
        table = pq.read_table(out / entry["file"])
        assert table.num_rows == entry["rows"]
        columns = [c for c in entry["columns"] if c not in entry.get("utc_timestamp_columns", {})]
        source = table_source(conn, entry["name"])[0]  # posts: with their bodies
        sql = f'select {", ".join(columns)} from "{source}"'
        want = sorted(map(tuple, conn.execute(sql)), key=repr)
        got = sorted((tuple(r[c] for c in columns) for r in table.to_pylist()), key=repr)
        assert got == want, entry["name"]
    posts = pq.read_table(out / "posts.parquet")
    types = {f.name: f.type for f in posts.schema}
    assert types["word_count"] == pa.int64() and types["title"] == pa.string()
    assert types["published"] == pa.string()  # the text with its offset, as the blog gave it
    assert types["published_ts"] == pa.timestamp("us", tz="UTC")
    rows = {r["id"]: r for r in posts.to_pylist()}
    assert rows["1"]["published"] == "2024-01-02T10:00:00+02:00"
    assert rows["1"]["published_ts"] == dt.datetime(2024, 1, 2, 8, 0, tzinfo=dt.timezone.utc)
    assert rows["bulk3"]["published_ts"] is None  # a local time of unknown zone is no instant
    for row in rows.values():
        assert row["first_seen_ts"] == utc(row["first_seen"])
    listed = next(t for t in manifest["tables"] if t["name"] == "posts")
    assert listed["timestamps_null_without_offset"]["published_ts"] == 1
    images = pq.read_table(out / "images.parquet").to_pylist()
    assert images[0]["content"] == png and images[0]["sha256"] == sha
    conn.close()
    assert validate(out) == []
    # Other readers: pandas and DuckDB take the files as they are.
    import duckdb
    import pandas

    frame = pandas.read_parquet(out / "posts.parquet")
    assert len(frame) == ROWS + 1 and str(frame["published_ts"].dtype).startswith("datetime64")
    found = duckdb.connect().execute(
        f"select count(*), count(published_ts) from '{out / 'posts.parquet'}'").fetchone()
    assert found == (ROWS + 1, 1)  # the bulk posts have no published time; bulk3 has no offset


def test_without_pyarrow_the_message_names_the_extra(archive, tmp_path):  # noqa: F811
    path, _, _ = archive
    out = tmp_path / "parquet"
    code = ("import sys; sys.modules['pyarrow'] = None; sys.argv[0] = 'blogarchive'; "
            "from scraper.cli import main; main()")
    result = subprocess.run([sys.executable, "-c", code, "export", str(path), "--format", "parquet",
                             "--out", str(out)], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert result.returncode == 2
    assert result.stderr.strip() == ("Error: --format parquet needs pyarrow: "
                                     "pip install 'blogarchive[parquet]'")
    assert not out.exists()


def test_a_file_that_is_not_a_database_is_refused_in_one_line(tmp_path):
    junk = tmp_path / "junk.db"
    junk.write_text("not a database at all\n" * 50)
    for fmt, out in (("csv", "out-csv"), ("parquet", "out-parquet"), ("xlsx", "out.xlsx")):
        result = run_cli("export", str(junk), "--format", fmt, "--out", str(tmp_path / out))
        assert result.returncode == 1, result.stderr
        assert result.stderr.strip() == f"Error: {junk}: file is not a database"
        assert not (tmp_path / out).exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["junk.db"]
