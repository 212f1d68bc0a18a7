"""`blogarchive export`: complete, checkable copies of an archive.

- ``--format csv|jsonl --out DIR``: one file per table, every row (no row limits,
  unlike a web export), plus ``manifest.json`` with each file's row count, columns,
  size and SHA-256. BLOB columns (image bytes) are written base64-encoded (CSV: the
  base64 text; JSONL: ``{"$base64": true, "encoded": …}`` as sqlite-utils does) or
  left out with ``--blobs omit``; the manifest says which. In JSONL, columns holding
  JSON (``labels``, ``seeds`` …) are arrays and objects. Beside it,
  ``datapackage.json`` describes the folder as a Frictionless Data Package
  (``datapackage.py``).
- ``--spreadsheet-safe`` (csv): cells a spreadsheet would run as formulas get a
  leading apostrophe (see ``spreadsheet.py``), the file starts with a UTF-8 BOM so
  Excel reads the accents; the manifest says so and counts the changed cells.
  Without it the CSV is byte-faithful.
- ``--format xlsx --out FILE``: one workbook, a sheet per table (``export_xlsx.py``).
- ``--format wacz --out FILE``: the WARC files kept beside the archive, with
  their index and the post pages as its pages list, in one WACZ file that
  ReplayWeb.page or pywb replays as the blog was fetched (``export_wacz.py``).
- ``--format sqlite --out FILE``: ``VACUUM INTO`` a compact single-file snapshot,
  consistent even while a crawl is writing (WAL readers see one committed state),
  ready to publish with ``blogarchive serve --immutable`` or to download.

All tables are read inside one read transaction, so the files agree with each
other even if a crawl commits in the meantime. The archive is opened read-only.
"""

from __future__ import annotations

import base64
import contextlib
import csv
import datetime as dt
import json
import os
import shutil
import sqlite3
from pathlib import Path

import click

from . import datapackage, export_parquet, spreadsheet
from .progress import live, steps
from .tables import (JSON_COLUMNS, READ_WITHIN, blob_columns, connect_readonly, exported_tables,
                     omitted_reason, sha256_file, table_source)

FORMATS = ("csv", "jsonl", "parquet", "sqlite", "xlsx", "wacz")
CSV_NOTE = ("UTF-8, RFC 4180 (comma, double-quote, CRLF), header row; "
            "NULL is written as an empty field")


def export_tables(db_path: Path, out: Path, fmt: str, blobs: str = "base64",
                  spreadsheet_safe: bool = False, on_rows=None) -> dict:
    conn = connect_readonly(db_path)
    manifest = {
        "archive": db_path.name,
        "format": fmt,
        "exported_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "sqlite_version": sqlite3.sqlite_version,
        "tables": [],
    }
    try:
        conn.execute("BEGIN")  # one snapshot for every table
        tables, skipped = exported_tables(conn)
        out.mkdir(parents=True, exist_ok=True)  # once the archive has been read: no empty folder
        for table in tables:
            source, columns, order = table_source(conn, table)
            blob_cols = blob_columns(conn, source, columns)
            names = [c["name"] for c in columns if not (blobs == "omit" and c["name"] in blob_cols)]
            select = ", ".join(f'"{n}"' for n in names)
            cursor = conn.execute(f'select {select} from "{source}" order by {order}')
            path = out / f"{table}.{fmt}"
            facts = {}
            if fmt == "parquet":
                facts = export_parquet.write_table(
                    path, names, {c["name"]: c["type"] for c in columns},
                    set(blob_cols) & set(names), cursor, on_rows=on_rows)
                rows, changed, names = facts.pop("rows"), 0, facts.pop("columns")
            else:
                rows, changed = _write(path, fmt, names, cursor, set(blob_cols) & set(names),
                                       spreadsheet_safe, on_rows=on_rows)
            entry = {
                "name": table,
                "file": path.name,
                "rows": rows,
                "columns": names,
                "bytes": path.stat().st_size,
                "sha256": sha256_file(path),
                **facts,
            }
            if spreadsheet_safe:
                entry["cells_neutralised"] = changed
            if blob_cols:
                entry["blob_columns"] = {
                    c: ("omitted" if blobs == "omit" else "binary" if fmt == "parquet" else "base64")
                    for c in blob_cols}
            manifest["tables"].append(entry)
        image_files = _copy_image_files(conn, out)
        if image_files:
            manifest["image_files"] = image_files
        described = datapackage.package(
            conn, manifest, fmt, encoding="utf-8-sig" if spreadsheet_safe else "utf-8",
            note=("Spreadsheet-safe CSV: " + spreadsheet.RULE + ".") if spreadsheet_safe else None)
        conn.execute("COMMIT")
    finally:
        conn.close()
    manifest["omitted"] = {t: omitted_reason(t, "{}." + fmt) for t in skipped}
    if fmt == "csv":
        manifest["csv"] = CSV_NOTE
        if spreadsheet_safe:
            manifest["csv"] += "; starts with a UTF-8 byte order mark (for Excel)"
            manifest["spreadsheet_safe"] = spreadsheet.RULE
    elif fmt == "parquet":
        manifest["parquet"] = ("Parquet (zstd); SQLite types kept (int64, float64, string, "
                               "binary); each ISO 8601 time column keeps its text and gains "
                               "<column>_ts, the instant as a UTC timestamp (null without an offset)")
    else:
        manifest["jsonl"] = ("one JSON object per line, UTF-8; BLOBs as "
                             '{"$base64": true, "encoded": "..."}')
    (out / "manifest.json").write_text(
        json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", "utf-8")
    (out / "datapackage.json").write_text(
        json.dumps(described, indent=2, ensure_ascii=False) + "\n", "utf-8")
    return manifest


def _json_value(text: str):
    try:
        value = json.loads(text)
    except ValueError:
        return text
    return value if isinstance(value, (list, dict)) else text


def _image_folder(db_path: Path) -> str | None:
    conn = connect_readonly(db_path)
    try:
        row = conn.execute("select value from archive_settings where name = 'images_dir'").fetchone()
    except sqlite3.OperationalError:
        row = None
    finally:
        conn.close()
    return row[0] if row and row[0] else None


def _copy_image_files(conn: sqlite3.Connection, out: Path) -> dict | None:
    """Images kept as files (``--images dir:PATH``) go with the export, in ``images/``
    under their ``images.path``; the manifest says how many, and which were missing."""
    try:
        row = conn.execute("select value from archive_settings where name = 'images_dir'").fetchone()
    except sqlite3.OperationalError:
        row = None
    if not row or not row[0]:
        return None
    folder = Path(row[0])
    copied, size, missing = 0, 0, []
    for (rel,) in conn.execute("select path from images where content is null and path is not null "
                               "order by sha256"):
        source, target = folder / rel, out / "images" / rel
        if not source.is_file():
            missing.append(rel)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        copied += 1
        size += target.stat().st_size
    return {"from": str(folder), "folder": "images", "files": copied, "bytes": size,
            "missing": missing}


def _write(path: Path, fmt: str, names: list[str], cursor, blob_cols: set[str],
           spreadsheet_safe: bool = False, on_rows=None) -> tuple[int, int]:
    """Write one table; (rows written, cells neutralised)."""
    count = changed = 0
    blob_index = [i for i, n in enumerate(names) if n in blob_cols]
    tmp = path.with_name(path.name + ".part")
    encoding = "utf-8-sig" if spreadsheet_safe else "utf-8"
    with open(tmp, "w", encoding=encoding, newline="") as f:
        if fmt == "csv":
            writer = csv.writer(f)
            writer.writerow(names)
            for row in cursor:
                if blob_index:
                    row = list(row)
                    for i in blob_index:
                        if isinstance(row[i], bytes):
                            row[i] = base64.b64encode(row[i]).decode("ascii")
                row = ["" if v is None else v for v in row]
                if spreadsheet_safe:
                    safe = [spreadsheet.neutralise(v) for v in row]
                    changed += sum(a is not b for a, b in zip(safe, row))
                    row = safe
                writer.writerow(row)
                count += 1
                if on_rows is not None:
                    on_rows(1)
        else:
            for row in cursor:
                record = {}
                for name, value in zip(names, row):
                    if isinstance(value, bytes):
                        value = {"$base64": True, "encoded": base64.b64encode(value).decode("ascii")}
                    elif name in JSON_COLUMNS and isinstance(value, str):
                        value = _json_value(value)
                    record[name] = value
                f.write(json.dumps(record, ensure_ascii=False) + "\n")
                count += 1
                if on_rows is not None:
                    on_rows(1)
    os.replace(tmp, path)
    return count, changed


def export_sqlite(db_path: Path, out: Path, force: bool = False) -> dict:
    """A consistent, compact single-file copy (rollback journal, no -wal beside it)."""
    if out.exists() and not force:
        raise click.UsageError(f"{out} exists; pass --force to replace it")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".part")
    if tmp.exists():
        tmp.unlink()
    conn = connect_readonly(db_path)
    try:
        conn.execute("VACUUM INTO ?", [str(tmp)])
    finally:
        conn.close()
    snap = sqlite3.connect(tmp, isolation_level=None)
    try:
        snap.execute("PRAGMA journal_mode = DELETE")
        check = snap.execute("PRAGMA quick_check").fetchone()[0]
        if check != "ok":
            raise click.ClickException(f"snapshot failed its check: {check}")
        tables, skipped = exported_tables(snap)
        tables += [t for t in skipped if t in READ_WITHIN]  # a snapshot holds them as tables
        counts = {t: snap.execute(f'select count(*) from "{t}"').fetchone()[0] for t in tables}
    finally:
        snap.close()
    os.replace(tmp, out)
    return {"file": str(out), "bytes": out.stat().st_size, "sha256": sha256_file(out),
            "tables": counts}


@contextlib.contextmanager
def row_progress(db_path: Path, description: str):
    """A progress bar over every row to export, on a terminal; None (no cost) without one."""
    if not live():
        yield None
        return
    conn = connect_readonly(db_path)
    try:
        tables, _ = exported_tables(conn)
        total = sum(conn.execute(f'select count(*) from "{t}"').fetchone()[0] for t in tables)
    finally:
        conn.close()
    pending = [0]

    with steps(description, total=total) as progress:
        def on_rows(n: int) -> None:
            pending[0] += n
            if pending[0] >= 500:  # the bar is redrawn a few times a second; fewer calls suffice
                progress.advance(pending[0])
                pending[0] = 0

        yield on_rows
        progress.advance(pending[0])


class MissingExtra(click.ClickException):
    exit_code = 2  # as a usage error: nothing was read or written


@click.command()
@click.argument("db_path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="csv", show_default=True,
              help="csv, jsonl or parquet: a folder of complete tables; sqlite: one snapshot file; "
                   "xlsx: one workbook, a sheet per table.")
@click.option("--out", required=True, type=click.Path(path_type=Path),
              help="Folder (csv, jsonl, parquet) or file (sqlite, xlsx, wacz) to write.")
@click.option("--blobs", type=click.Choice(["base64", "omit"]), default="base64",
              show_default=True, help="Image bytes in csv/jsonl: base64 text, or left out.")
@click.option("--spreadsheet-safe", is_flag=True,
              help="csv: prefix cells a spreadsheet would run as formulas (=, +, -, @, tab, CR) "
                   "with an apostrophe; for opening in Excel, LibreOffice or Google Sheets.")
@click.option("--with-bodies", is_flag=True,
              help="xlsx: add the post bodies (left out by default: long text, better in CSV).")
@click.option("--force", is_flag=True, help="Replace an existing snapshot, workbook or WACZ file.")
def export_command(db_path: Path, fmt: str, out: Path, blobs: str, spreadsheet_safe: bool,
                   with_bodies: bool, force: bool):
    """Export an archive: complete tables (csv, jsonl, parquet), a workbook (xlsx), a
    SQLite snapshot or the pages as fetched (wacz).

    \b
      blogarchive export archive.db --format csv --out export/
      blogarchive export archive.db --format csv --spreadsheet-safe --out for-excel/
      blogarchive export archive.db --format sqlite --out snapshot.db
      blogarchive export archive.db --format xlsx --out archive.xlsx
      blogarchive export archive.db --format parquet --out parquet/   # needs blogarchive[parquet]
      blogarchive export archive.db --format wacz --out blog.wacz
    """
    if spreadsheet_safe and fmt != "csv":
        raise click.UsageError("--spreadsheet-safe applies to --format csv only")
    if with_bodies and fmt != "xlsx":
        raise click.UsageError("--with-bodies applies to --format xlsx (the others always "
                               "have the bodies)")
    if fmt == "parquet":
        try:
            export_parquet.require_pyarrow()
        except export_parquet.MissingParquet as e:
            raise MissingExtra(str(e))
    try:
        if fmt == "xlsx":
            if out.is_dir():
                raise click.UsageError(f"{out} is a folder; --format xlsx writes one file")
            from .export_xlsx import export_xlsx

            with row_progress(db_path, f"writing {out.name}") as on_rows:
                result = export_xlsx(db_path, out, with_bodies=with_bodies, force=force,
                                     on_rows=on_rows)
            rows = sum(t["rows"] for t in result["tables"])
            click.echo(f"{out}: {len(result['tables'])} sheets, {rows:,} rows, "
                       f"{result['cells_cut']:,} cells cut at 32,767 characters; "
                       f"{Path(result['manifest']).name} lists what is where")
            return
        if fmt == "wacz":
            if out.is_dir():
                raise click.UsageError(f"{out} is a folder; --format wacz writes one file")
            from .export_wacz import export_wacz

            result = export_wacz(db_path, out, force=force)
            click.echo(f"{out}: {result['warcs']} WARC files, {result['pages']} post pages, "
                       f"{result['bytes']:,} bytes, sha256 {result['sha256']}")
            return
        if fmt == "sqlite":
            if out.is_dir():
                raise click.UsageError(f"{out} is a folder; --format sqlite writes one file")
            with steps(f"copying {db_path.name} into {out.name}"):
                result = export_sqlite(db_path, out, force=force)
            rows = sum(result["tables"].values())
            click.echo(f"{out}: snapshot of {len(result['tables'])} tables, {rows:,} rows, "
                       f"{result['bytes']:,} bytes, sha256 {result['sha256']}")
            folder = _image_folder(db_path)
            if folder:  # --images dir:PATH: the files are not in the snapshot; say where they are
                click.echo(f"  images: kept as files in {folder}, not in the snapshot "
                           "(it names that folder; copy it along, or export csv/jsonl to include them)")
            return
        if out.exists() and not out.is_dir():
            raise click.UsageError(f"{out} is a file; --format {fmt} writes a folder")
        with row_progress(db_path, f"writing {fmt} into {out.name}/") as on_rows:
            manifest = export_tables(db_path, out, fmt, blobs=blobs,
                                     spreadsheet_safe=spreadsheet_safe, on_rows=on_rows)
    except sqlite3.DatabaseError as e:
        raise click.ClickException(f"{db_path}: {e}")
    rows = sum(t["rows"] for t in manifest["tables"])
    safe = ""
    if spreadsheet_safe:
        cells = sum(t["cells_neutralised"] for t in manifest["tables"])
        safe = f" (spreadsheet-safe: {cells:,} formula-like cells prefixed with ')"
    click.echo(f"{out}: {len(manifest['tables'])} tables, {rows:,} rows as {fmt}{safe}; "
               f"manifest.json lists counts and SHA-256 sums, datapackage.json describes the tables")
    files = manifest.get("image_files")
    if files:
        click.echo(f"  images: {files['files']} files copied from {files['from']} to "
                   f"{out / 'images'}" + (f"; {len(files['missing'])} missing there, listed in "
                                          "manifest.json" if files["missing"] else ""))
