"""`datapackage.json`: a folder export described as a Frictionless Data Package.

Data repositories and tools (frictionless, R's frictionless, pandas readers) read
it to know each file's table, columns, types, keys and checksum. The column and
table descriptions are those the Datasette site shows (``datasette/blogarchive_site/metadata.yml``);
types come from the SQLite schema; ISO 8601 text columns are ``datetime``.
"""

from __future__ import annotations

import re
from importlib import resources
import sqlite3
from pathlib import Path

import yaml

from .tables import JSON_COLUMNS, READ_THROUGH, is_time_column, table_columns, table_source

MEDIA_TYPES = {"csv": "text/csv", "jsonl": "application/jsonl",
               "parquet": "application/vnd.apache.parquet"}
# The blogs' text belongs to their authors; the archive is a copy for research.
LICENSE = {"name": "other-closed", "title": "Posts, images and comments © their original authors"}


def site_descriptions() -> tuple[dict, dict]:
    """({table: description}, {table: {column: description}}) from the site's metadata."""
    try:  # the site package (datasette/blogarchive_site/) installed beside this one
        text = resources.files("blogarchive_site").joinpath("metadata.yml").read_text("utf-8")
    except (ModuleNotFoundError, OSError):
        return {}, {}
    data = yaml.safe_load(text) or {}
    tables = ((data.get("databases") or {}).get("archive") or {}).get("tables") or {}
    return ({t: " ".join(str(m.get("description", "")).split()) for t, m in tables.items()},
            {t: m.get("columns") or {} for t, m in tables.items()})


def field_type(column: dict, fmt: str, blob: bool) -> dict:
    declared = (column["type"] or "").upper()
    if blob:
        return ({"type": "object"} if fmt == "jsonl"
                else {"type": "any"} if fmt == "parquet"  # Parquet binary: no Table Schema type
                else {"type": "string", "format": "binary"})  # base64 text
    if fmt == "jsonl" and column["name"] in JSON_COLUMNS:
        return {"type": JSON_COLUMNS[column["name"]]}
    if is_time_column(column["name"]):
        return {"type": "datetime", "format": "any"}
    if "INT" in declared:
        return {"type": "integer"}
    if any(t in declared for t in ("REAL", "FLOA", "DOUB")):
        return {"type": "number"}
    return {"type": "string"}


def resource(conn: sqlite3.Connection, entry: dict, fmt: str, exported: set[str],
             descriptions: tuple[dict, dict], encoding: str = "utf-8") -> dict:
    table = entry["name"]
    columns = {c["name"]: c for c in table_source(conn, table)[1]}
    columns.update({c["name"]: c for c in table_columns(conn, table)})  # its key and types
    blobs = set(entry.get("blob_columns") or {})
    # posts.csv holds the bodies of post_bodies: described where the view is
    notes = {**descriptions[1].get(READ_THROUGH.get(table), {}), **descriptions[1].get(table, {})}
    fields = []
    instants = entry.get("utc_timestamp_columns") or {}
    for name in entry["columns"]:
        column = columns.get(name, {"name": name, "type": "", "pk": 0})
        if name in instants:
            fields.append({"name": name, "type": "datetime",
                           "description": f"{instants[name]} as a UTC timestamp "
                                          "(null where the text has no offset)"})
            continue
        field = {"name": name, **field_type(column, fmt, name in blobs)}
        if notes.get(name):
            field["description"] = str(notes[name])
        fields.append(field)
    schema: dict = {"fields": fields}
    if fmt == "csv":
        schema["missingValues"] = [""]
    elif fmt == "parquet":
        # frictionless reads Parquet through pandas, where a null integer becomes NaN
        schema["missingValues"] = ["", "nan"]
    keys = [c["name"] for c in sorted(columns.values(), key=lambda c: c["pk"]) if c["pk"]]
    if keys and set(keys) <= set(entry["columns"]):
        schema["primaryKey"] = keys
    foreign = []
    for ref in conn.execute(f'PRAGMA foreign_key_list("{table}")').fetchall():
        other, source, target = ref[2], ref[3], ref[4]
        if other in exported and source in entry["columns"]:
            foreign.append({"fields": [source], "reference": {"resource": other, "fields": [target]}})
    if foreign:
        schema["foreignKeys"] = foreign
    item = {
        "name": resource_name(table),
        "path": entry["file"],
        "type": "table",
        "format": fmt,
        "mediatype": MEDIA_TYPES[fmt],
        "bytes": entry["bytes"],
        "hash": f"sha256:{entry['sha256']}",
        "rows": entry["rows"],  # not in the standard; frictionless keeps it
        "schema": schema,
    }
    if fmt == "parquet":
        del item["bytes"]  # frictionless's Parquet reader cannot count bytes (manifest.json has them)
    else:
        item["encoding"] = encoding
    if descriptions[0].get(table):
        item["description"] = descriptions[0][table]
    if fmt == "jsonl" and entry["rows"] == 0:
        # frictionless cannot open an empty JSON Lines file (it finds no first row to
        # name the fields); the same zero rows, inline, validate and say so.
        for key in ("path", "format", "mediatype", "encoding", "bytes", "hash"):
            item.pop(key, None)
        item["data"] = [entry["columns"]]
        item["description"] = (item.get("description", "") + f" ({entry['file']} is empty.)").strip()
    return item


def resource_name(table: str) -> str:
    return re.sub(r"[^a-z0-9._-]", "-", table.lower())


def package(conn: sqlite3.Connection, manifest: dict, fmt: str, encoding: str = "utf-8",
            note: str | None = None) -> dict:
    """The data package for a folder export whose manifest lists the written tables."""
    descriptions = site_descriptions()
    exported = {t["name"] for t in manifest["tables"]}
    blogs = conn.execute("select coalesce(nullif(title, ''), url), url from blogs order by url").fetchall()
    name = resource_name(Path(manifest["archive"]).stem) or "archive"
    description = "Posts, labels, comments and images of the archived blog(s), with the crawl log."
    if note:
        description += " " + note
    return {
        "name": name,
        "title": " · ".join(b[0] for b in blogs) + " — archive" if blogs else name,
        "description": description,
        "created": manifest["exported_at"],
        "licenses": [LICENSE],
        "sources": [{"title": title, "path": url} for title, url in blogs],
        "resources": [resource(conn, entry, fmt, exported, descriptions, encoding)
                      for entry in manifest["tables"]],
    }
