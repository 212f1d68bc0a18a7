"""Export time, size and memory per format, on an archive of N posts.

    nice python bench/export.py --posts 10000 --db /tmp/archive-10k.db
    nice python bench/export.py --posts 100000 --db /tmp/archive-100k.db   # builds it if missing
    python bench/export.py --posts 30 --only csv,xlsx --json out.json      # smoke (tests/test_bench_smoke.py)

Each format runs as the real command (`blogarchive export`, a subprocess), one
after the other on the same archive: csv, csv --spreadsheet-safe, jsonl, parquet,
xlsx (bodies left out, the default), xlsx --with-bodies, sqlite (VACUUM INTO).
The baseline, measured in the same run: the sqlite3 command-line tool writing
every exported table as CSV (`.mode csv`), what a user without blogarchive would
do. Ratios are against it (wall and CPU time; on a shared machine CPU is the
steadier figure) and against the archive file (size). Peak RSS
is of the whole process tree (sampled); the workbook writer streams, so its
memory should not grow with the archive (compare a 10k and a 100k run).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sqlite3
import sys
import tempfile
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != BENCH] + [str(BENCH)]

import benchlib  # noqa: E402

ROOT = BENCH.parent
RUNS = [
    ("csv", ["--format", "csv"], "dir"),
    ("csv --spreadsheet-safe", ["--format", "csv", "--spreadsheet-safe"], "dir"),
    ("jsonl", ["--format", "jsonl"], "dir"),
    ("parquet", ["--format", "parquet"], "dir"),
    ("xlsx", ["--format", "xlsx"], "file"),
    ("xlsx --with-bodies", ["--format", "xlsx", "--with-bodies"], "file"),
    ("sqlite", ["--format", "sqlite"], "file"),
]


def ensure_archive(db: Path, posts: int) -> None:
    if db.exists():
        return
    import store as store_bench
    store_bench.run(posts, "sample", db, fts=True, quiet=True)


def size_of(path: Path) -> int:
    if path.is_dir():
        return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())
    return path.stat().st_size if path.exists() else 0


def sqlite3_baseline(db: Path, out: Path) -> benchlib.Run:
    """The sqlite3 tool writing each table the export writes as CSV with a header."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    from scraper.tables import exported_tables

    tables, _ = exported_tables(conn)
    conn.close()
    out.mkdir(parents=True, exist_ok=True)
    script = [".headers on", ".mode csv"]
    for table in tables:
        script += [f".once {out / (table + '.csv')}", f'select * from "{table}";']
    script_file = out / "script.sql"
    script_file.write_text("\n".join(script) + "\n")
    return benchlib.run_measured(["sqlite3", "-readonly", str(db), f".read {script_file}"])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--db", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=None, help="Where the exports go (removed after).")
    parser.add_argument("--only", default=None, help="Comma-separated run names, e.g. xlsx,parquet")
    parser.add_argument("--json", type=Path, default=None, help="Also write the figures here.")
    args = parser.parse_args(argv)

    db = args.db or Path(tempfile.gettempdir()) / f"archive-{args.posts}.db"
    ensure_archive(db, args.posts)
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    posts = conn.execute("select count(*) from posts").fetchone()[0]
    conn.close()
    archive_bytes = size_of(db)
    work = args.out or Path(tempfile.mkdtemp(prefix="export-bench-"))
    print(f"archive {db}: {posts:,} posts, {archive_bytes / 2**20:,.0f} MB; load {benchlib.load_average()}")

    rows = []
    base = sqlite3_baseline(db, work / "baseline")
    base_s = base.wall
    rows.append({"format": "baseline: sqlite3 .mode csv", "wall_s": base.wall, "cpu_s": base.cpu,
                 "peak_rss_mb": base.peak_rss_mb, "mb": size_of(work / "baseline") / 2**20,
                 "x_base_wall": 1.0, "x_base_cpu": 1.0, "x_archive": size_of(work / "baseline") / archive_bytes})
    shutil.rmtree(work / "baseline")
    wanted = set(args.only.split(",")) if args.only else None
    for name, options, kind in RUNS:
        if wanted and name.split()[0] not in wanted and name not in wanted:
            continue
        target = work / (name.replace(" ", "").replace("--", "-") + (".xlsx" if "xlsx" in name else ".db" if kind == "file" else ""))
        run = benchlib.run_measured([sys.executable, "-m", "scraper.cli", "export", str(db), *options,
                                     "--out", str(target)], cwd=ROOT)
        if run.returncode != 0:
            print(f"{name}: failed ({run.returncode}): {run.stderr.strip()[-500:]}")
            continue
        manifest = (target / "manifest.json" if kind == "dir"
                    else target.with_name(target.stem + ".manifest.json"))
        written = (sum(t["rows"] for t in json.loads(manifest.read_text())["tables"])
                   if manifest.exists() else None)
        size = size_of(target) + (size_of(manifest) if kind == "file" else 0)
        rows.append({"format": name, "rows": written, "wall_s": run.wall, "cpu_s": run.cpu, "peak_rss_mb": run.peak_rss_mb,
                     "mb": size / 2**20, "x_base_wall": run.wall / base_s, "x_base_cpu": run.cpu / base.cpu, "x_archive": size / archive_bytes})
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()
    print(benchlib.table(rows, ["format", "rows", "wall_s", "cpu_s", "peak_rss_mb", "mb", "x_base_wall", "x_base_cpu",
                                 "x_archive"]))
    if args.json:
        args.json.write_text(json.dumps({"posts": posts, "archive_bytes": archive_bytes, "runs": rows},
                                        indent=2) + "\n")
    if not args.out:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
