"""The queries behind the site's charts, with and without their covering indexes.

    python bench/charts.py --db /tmp/archive-20k.db              # built (bench/store.py) if missing
    python bench/charts.py --db /tmp/archive-20k.db --posts 20000 --repeat 5

Each chart's canned query (metadata.yml) is timed on a copy of the archive without
the indexes of migration m012_chart_indexes (the baseline), then with them, in the
same run; median of --repeat runs each, and the ratio.
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != BENCH] + [str(BENCH)]

import benchlib  # noqa: E402

CHART_QUERIES = ["posts_per_month", "label_against_all_posts", "posts_found_per_run",
                 "expected_vs_archived", "errors_by_kind"]
INDEXES = ["idx_posts_month_counts", "idx_posts_first_seen_gone"]


def canned() -> dict:
    import yaml

    metadata = BENCH.parent / "datasette" / "blogarchive_site" / "metadata.yml"
    return yaml.safe_load(metadata.read_text("utf-8"))["databases"]["archive"]["queries"]


def timings(path: Path, queries: dict, params: dict, repeat: int) -> dict:
    con = sqlite3.connect(path)
    out = {}
    for name in CHART_QUERIES:
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            rows = con.execute(queries[name]["sql"], params).fetchall()
            times.append(time.perf_counter() - started)
        out[name] = {"ms": benchlib.median(times) * 1000, "rows": len(rows)}
    con.close()
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True, help="archive (built if missing)")
    parser.add_argument("--posts", type=int, default=20000, help="size of the archive to build")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    if not args.db.exists():
        import store as store_bench

        store_bench.run(args.posts, "sample", args.db, fts=True, quiet=True)
    from scraper import store

    store.open_db(args.db).close()  # current migrations: the views and the indexes
    queries = canned()
    con = sqlite3.connect(args.db)
    n_posts = con.execute("select count(*) from posts").fetchone()[0]
    label = con.execute("select l.name from labels l join post_labels pl on pl.label_id = l.id "
                        "group by l.id order by count(*) desc limit 1").fetchone()
    con.close()
    params = {"blog": "", "label": label[0] if label else ""}
    with tempfile.TemporaryDirectory() as tmp:
        bare = Path(tmp) / "without-indexes.db"
        shutil.copy(args.db, bare)
        con = sqlite3.connect(bare)
        for index in INDEXES:
            con.execute(f"drop index if exists {index}")
        con.commit()
        con.close()
        before = timings(bare, queries, params, args.repeat)
    after = timings(args.db, queries, params, args.repeat)
    rows = [{"query": name, "rows": after[name]["rows"],
             "without indexes ms": before[name]["ms"], "with ms": after[name]["ms"],
             "ratio": f"{before[name]['ms'] / max(after[name]['ms'], 1e-3):.1f}x"}
            for name in CHART_QUERIES]
    print(f"archive {args.db}: {n_posts} posts; median of {args.repeat} runs")
    print(benchlib.table(rows, list(rows[0])))
    print(f"load average {benchlib.load_average()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
