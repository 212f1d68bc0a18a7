"""`blogarchive export --format wacz`: the pages as fetched, packed for replay.

The WARC files kept beside the archive (``warcfiles.py``), their CDXJ index and
a pages list (every post page, with its title and when it was fetched) in one
WACZ file (``wacz`` package), which ReplayWeb.page or pywb replays offline.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import os
import tempfile
from pathlib import Path

import click

from .tables import connect_readonly, sha256_file
from .warcfiles import OPEN_SUFFIX, warc_dir


def export_wacz(db_path: Path, out: Path, force: bool = False) -> dict:
    """The archive's WARC files, their CDXJ index and a pages list, packed as one WACZ."""
    from wacz.main import main as wacz_main

    if out.exists() and not force:
        raise click.UsageError(f"{out} exists; pass --force to replace it")
    folder = warc_dir(db_path)
    warcs = sorted(folder.glob("*.warc.gz")) if folder.is_dir() else []
    if not warcs:
        raise click.ClickException(f"{db_path}: no WARC files in {folder} (crawled with --warc none, "
                                   "or before capture existed)")
    if list(folder.glob("*" + OPEN_SUFFIX)):
        click.echo(f"note: files still being written are left out "
                   f"({', '.join(p.name for p in folder.glob('*' + OPEN_SUFFIX))})", err=True)
    conn = connect_readonly(db_path)
    try:
        pages = conn.execute(
            "SELECT p.url, p.title, MAX(c.fetched_at) FROM posts p JOIN captures c "
            "ON c.post_id = p.id AND c.status = 200 GROUP BY p.id ORDER BY p.published_utc"
        ).fetchall()
        blog = conn.execute("SELECT url, title FROM blogs ORDER BY first_seen LIMIT 1").fetchone()
    finally:
        conn.close()
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".part")
    with tempfile.TemporaryDirectory() as work:
        pages_file = Path(work) / "pages.jsonl"
        with open(pages_file, "w", encoding="utf-8") as f:
            f.write(json.dumps({"format": "json-pages-1.0", "id": "pages",
                                "title": "Post pages"}) + "\n")
            for url, title, fetched in pages:
                when = dt.datetime.fromisoformat(fetched).astimezone(dt.timezone.utc)
                f.write(json.dumps({"url": url, "title": title or url,
                                    "ts": when.strftime("%Y-%m-%dT%H:%M:%SZ")},
                                   ensure_ascii=False) + "\n")
        args = ["create", "-o", str(tmp), "-p", str(pages_file), *map(str, warcs)]
        if blog:
            args += ["--title", blog[1] or blog[0], "--url", blog[0]]
        said = io.StringIO()
        with contextlib.redirect_stdout(said):  # wacz talks on stdout; keep ours clean
            code = wacz_main(args)
    if code:
        tmp.unlink(missing_ok=True)
        raise click.ClickException(f"wacz could not pack {folder}: {said.getvalue().strip()[-500:]}")
    os.replace(tmp, out)
    return {"file": str(out), "bytes": out.stat().st_size, "sha256": sha256_file(out),
            "warcs": len(warcs), "pages": len(pages)}
