"""Which served databases are archives, and what Datasette is told about them.

Every served database holding a ``posts`` table gets the ``databases: archive:``
block of metadata.yml (descriptions, facets, canned queries), whatever the file
is called; the site's style sheet is served from ``static/`` by Datasette's
plugin static mechanism (``/-/static-plugins/blogarchive/``).
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import yaml
from datasette import hookimpl

DISTRIBUTION = "blogarchive"  # the name Datasette serves the package's static/ under
SITE_DIR = Path(__file__).resolve().parent  # the package: metadata.yml, templates/, static/
METADATA_FILE = SITE_DIR / "metadata.yml"
TEMPLATE_DB = "archive"  # the database key in metadata.yml that describes an archive

# -- which databases are archives ----------------------------------------------------

_archive_cache: dict[tuple, frozenset] = {}
_cache_lock = threading.Lock()


def archive_names(datasette) -> frozenset:
    """Names of the served databases that hold a blogarchive schema (a posts table)."""
    key = (id(datasette), tuple(sorted(datasette.databases)))
    with _cache_lock:
        if key in _archive_cache:
            return _archive_cache[key]
    names = set()
    for name, db in datasette.databases.items():
        if name.startswith("_") or not getattr(db, "path", None):
            continue
        try:
            conn = sqlite3.connect(f"file:{Path(db.path).as_posix()}?mode=ro", uri=True)
            try:
                found = conn.execute(
                    "select 1 from sqlite_master where type = 'table' and name = 'posts'"
                ).fetchone()
            finally:
                conn.close()
        except sqlite3.Error:
            found = None
        if found:
            names.add(name)
    result = frozenset(names)
    with _cache_lock:
        _archive_cache[key] = result
    return result


_bundled: dict = {}


def bundled_metadata() -> dict:
    if "data" not in _bundled:
        try:
            _bundled["data"] = yaml.safe_load(METADATA_FILE.read_text("utf-8")) or {}
        except (OSError, yaml.YAMLError):
            _bundled["data"] = {}
    return _bundled["data"]


# -- connections ----------------------------------------------------------------------

# Memory-mapped reads: facets and searches over a big archive walk many pages, and
# reading them through the map instead of read() calls takes half the time. Only
# address space is reserved; a crawl may write meanwhile (WAL), never truncate.
MMAP_BYTES = 8 * 1024**3


@hookimpl
def prepare_connection(conn):
    conn.execute(f"PRAGMA mmap_size = {MMAP_BYTES}")


# -- metadata for every archive database ------------------------------------------


@hookimpl
def get_metadata(datasette, key, database, table):
    names = archive_names(datasette)
    if not names:  # a Datasette serving other databases is left as it is
        return {}
    bundled = bundled_metadata()
    template = ((bundled.get("databases") or {}).get(TEMPLATE_DB)) or {}
    # Copies: Datasette merges metadata sources into the first dict in place.
    result = fresh({k: v for k, v in bundled.items() if k != "databases"})
    if template:
        result["databases"] = {name: fresh(template) for name in names}
    return result


def fresh(value):
    """A copy of parsed YAML's dicts and lists (strings and numbers are shared): what
    Datasette may change in place. Datasette asks for metadata dozens of times a page;
    copy.deepcopy took about 10 ms of a page's CPU."""
    if isinstance(value, dict):
        return {k: fresh(v) for k, v in value.items()}
    if isinstance(value, list):
        return [fresh(v) for v in value]
    return value


@hookimpl
def extra_css_urls(datasette):
    if not archive_names(datasette):
        return []
    return [datasette.urls.static_plugins(DISTRIBUTION, "blogarchive.css")]
