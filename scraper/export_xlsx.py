"""`blogarchive export --format xlsx`: one workbook a spreadsheet opens without harm.

One sheet per table (an "about" sheet first says what is where). Every text cell
is written as a string, so no scraped title or comment is ever a formula; numbers
as numbers; ISO 8601 times as dates (in UTC where the text has an offset: Excel
dates have no time zone); addresses as links; the header row frozen. Written by
xlsxwriter in constant-memory mode, row by row, from one read-only snapshot.

Excel's limits are kept and counted, never silently: a cell holds 32,767
characters (longer text is cut and ends with a marker), a sheet 1,048,576 rows
(a longer table goes on in a sheet named "table (2)"), a sheet 65,530 links
(further addresses stay plain text, as they do past 100,000 links in the workbook,
which keeps the writer's memory flat). Image bytes are left out (a sheet cannot
show them); post bodies only with ``--with-bodies``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import click

from .tables import (blob_columns, connect_readonly, exported_tables, is_link_column,
                     is_time_column, omitted_reason, sha256_file, table_source)

MAX_CELL = 32_767
MAX_ROWS = 1_048_576
MAX_LINKS = 65_530
# xlsxwriter keeps every link of a sheet in memory until the sheet is closed (~0.7 kB
# each): a budget for the whole workbook keeps memory flat; the first sheets (posts
# first) get their links, later addresses stay text, counted.
WORKBOOK_LINKS = 100_000
MAX_LINK_LENGTH = 2_079
CUT_MARKER = " [… cut: Excel holds 32,767 characters per cell]"
# Text columns too long for a sheet row and read better on the site or in CSV.
BODY_COLUMNS = {"posts": ("body_html", "body_text"), "post_versions": ("body_html", "body_text")}
FIRST_SHEETS = {"posts": 0, "comments": 1, "labels": 2, "post_labels": 3, "post_images": 4}
def parse_time(value: str) -> dt.datetime | None:
    """An ISO 8601 text as an Excel-ready datetime: UTC when it has an offset."""
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return parsed if parsed.year >= 1900 else None  # Excel's calendar starts in 1900


class LinkBudget:
    """Links left for the whole workbook."""

    def __init__(self, left: int):
        self.left = left

    def take(self) -> bool:
        if self.left <= 0:
            return False
        self.left -= 1
        return True


class Sheet:
    """One table's sheet(s): header, formats, Excel's limits counted."""

    def __init__(self, workbook, formats: dict, budget: LinkBudget, name: str, columns: list[str]):
        self.workbook, self.formats, self.name, self.columns = workbook, formats, name, columns
        self.budget = budget
        self.kinds = ["time" if is_time_column(c) else "link" if is_link_column(c) else "text"
                      for c in columns]
        self.parts = 0
        self.rows = 0
        self.cut = 0
        self.links_as_text = 0
        self.times_as_text = 0
        self._new_part()

    def _new_part(self):
        self.parts += 1
        title = self.name if self.parts == 1 else f"{self.name} ({self.parts})"
        self.sheet = self.workbook.add_worksheet(title[:31])
        self.sheet.freeze_panes(1, 0)
        for col, name in enumerate(self.columns):
            self.sheet.write_string(0, col, name, self.formats["header"])
            width = 20 if self.kinds[col] == "time" else 40 if self.kinds[col] == "link" else 14
            self.sheet.set_column(col, col, width)
        self.row = 0
        self.links = 0

    def add(self, values) -> None:
        if self.row == MAX_ROWS - 1:
            self._new_part()
        self.row += 1
        self.rows += 1
        for col, value in enumerate(values):
            self._cell(self.row, col, value, self.kinds[col])

    def _cell(self, row: int, col: int, value, kind: str) -> None:
        sheet = self.sheet
        if value is None:
            return
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            sheet.write_number(row, col, value)
            return
        if isinstance(value, bytes):  # an untyped column holding bytes: say what is there
            value = f"[{len(value):,} bytes, left out]"
        value = str(value)
        if kind == "time" and value:
            when = parse_time(value)
            if when is not None:
                sheet.write_datetime(row, col, when, self.formats["time"])
                return
            self.times_as_text += 1
        if kind == "link" and value.startswith(("http://", "https://")):
            if len(value) <= MAX_LINK_LENGTH and self.links < MAX_LINKS and self.budget.take():
                sheet.write_url(row, col, value, self.formats["link"], string=value)
                self.links += 1
                return
            self.links_as_text += 1
        if len(value) > MAX_CELL:
            value = value[:MAX_CELL - len(CUT_MARKER)] + CUT_MARKER
            self.cut += 1
        sheet.write_string(row, col, value)

    def summary(self) -> dict:
        entry = {"name": self.name, "sheets": self.parts, "rows": self.rows,
                 "columns": self.columns, "cells_cut": self.cut}
        if self.links_as_text:
            entry["links_as_text"] = self.links_as_text
        if self.times_as_text:
            entry["times_as_text"] = self.times_as_text
        return entry


def export_xlsx(db_path: Path, out: Path, with_bodies: bool = False, force: bool = False,
                on_rows=None) -> dict:
    import xlsxwriter

    if out.exists() and not force:
        raise click.UsageError(f"{out} exists; pass --force to replace it")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".part")
    workbook = xlsxwriter.Workbook(str(tmp), {
        "constant_memory": True,        # rows go to disk as written: flat memory
        "strings_to_formulas": False,   # belt and braces: every text is written as a string
        "strings_to_numbers": False,
        "strings_to_urls": False,
    })
    formats = {"header": workbook.add_format({"bold": True, "bottom": 1}),
               "time": workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"}),
               "link": workbook.get_default_url_format()}
    budget = LinkBudget(WORKBOOK_LINKS)
    about = workbook.add_worksheet("about")
    manifest = {"archive": db_path.name, "format": "xlsx",
                "exported_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
                "tables": [], "left_out": {}}
    conn = connect_readonly(db_path)
    try:
        conn.execute("BEGIN")  # one snapshot for every sheet
        tables, skipped = exported_tables(conn)
        for table in sorted(tables, key=lambda t: (t not in FIRST_SHEETS, FIRST_SHEETS.get(t, 0), t)):
            source, columns, order = table_source(conn, table)
            leave = set(blob_columns(conn, source, columns))
            for name in leave:
                manifest["left_out"][f"{table}.{name}"] = "image bytes (BLOB)"
            if not with_bodies:
                for name in BODY_COLUMNS.get(table, ()):
                    if any(c["name"] == name for c in columns):
                        leave.add(name)
                        manifest["left_out"][f"{table}.{name}"] = "post body (--with-bodies adds it)"
            names = [c["name"] for c in columns if c["name"] not in leave]
            sheet = Sheet(workbook, formats, budget, table, names)
            select = ", ".join(f'"{n}"' for n in names)
            for row in conn.execute(f'select {select} from "{source}" order by {order}'):
                sheet.add(row)
                if on_rows is not None:
                    on_rows(1)
            manifest["tables"].append(sheet.summary())
        conn.execute("COMMIT")
    except BaseException:
        workbook.close()
        tmp.unlink(missing_ok=True)
        raise
    finally:
        conn.close()
    for table in skipped:
        manifest["left_out"][table] = omitted_reason(table, "the {} sheet")
    manifest["cells_cut"] = sum(t["cells_cut"] for t in manifest["tables"])
    manifest["notes"] = [
        "Every text cell is a string: nothing is a formula.",
        "Times are Excel dates in UTC where the archive's text has an offset "
        "(the CSV, JSONL and SQLite exports keep the offsets).",
        f"Cells longer than {MAX_CELL:,} characters are cut and end with: {CUT_MARKER.strip()}",
    ]
    _write_about(about, formats, manifest)
    workbook.close()
    os.replace(tmp, out)
    manifest["bytes"] = out.stat().st_size
    manifest["sha256"] = sha256_file(out)
    manifest_path = out.with_name(out.stem + ".manifest.json")
    manifest_path.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", "utf-8")
    manifest["manifest"] = str(manifest_path)
    return manifest


def _write_about(sheet, formats: dict, manifest: dict) -> None:
    sheet.set_column(0, 0, 28)
    sheet.set_column(1, 3, 14)
    lines = [(f"Archive {manifest['archive']}, exported {manifest['exported_at']}",)]
    lines += [(note,) for note in manifest["notes"]]
    lines += [()]
    row = 0
    for line in lines:
        if line:
            sheet.write_string(row, 0, line[0])
        row += 1
    for col, head in enumerate(("table", "rows", "sheets", "cells cut")):
        sheet.write_string(row, col, head, formats["header"])
    for entry in manifest["tables"]:
        row += 1
        sheet.write_string(row, 0, entry["name"])
        sheet.write_number(row, 1, entry["rows"])
        sheet.write_number(row, 2, entry["sheets"])
        sheet.write_number(row, 3, entry["cells_cut"])
    row += 2
    sheet.write_string(row, 0, "Left out", formats["header"])
    for what, why in manifest["left_out"].items():
        row += 1
        sheet.write_string(row, 0, what)
        sheet.write_string(row, 1, why)
