"""WARC capture: its cost in crawl throughput and disk, and reparse speed, in one run.

    python bench/warc.py --posts 1000 --repeat 3              # capture on vs off, same site
    python bench/warc.py --posts 1000 --reparse-posts 10000   # and reparse of a 10k archive
    python bench/warc.py --reparse-only --reparse-posts 10000  # reparse alone: posts/s, CPU, RSS

For a fixture blog (bench/make_site.py, served statically), crawls alternate
`--warc none` (the baseline) and `--warc pages`, images off, concurrency 16: posts/s
of each (median), the overhead ratio, WARC bytes per post page (the gzip record of
the page, and all records of the crawl per post). With --reparse-posts, a crawl of
that many posts with capture on, then `blogarchive reparse` over it, offline:
posts per second, with the crawl's own rate beside it.

Noisy machine (2 cores, other jobs): repeat, and read the medians.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
# bench/ must not come first on sys.path (a script here named like a package would shadow it).
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != BENCH] + [str(BENCH)]
import benchlib  # noqa: E402
from benchlib import BLOGARCHIVE, FAST, median, run_measured  # noqa: E402


def crawl(site, server, db: Path, warc: str) -> dict:
    for f in db.parent.glob(db.name + "*"):
        shutil.rmtree(f) if f.is_dir() else f.unlink()
    run = run_measured([*BLOGARCHIVE, "crawl", site.url, "--db", str(db), "--images", "none",
                        "--warc", warc, "--quiet", *FAST], cwd=benchlib.ROOT)
    if run.returncode != 0:
        print(f"crawl exited {run.returncode}: {run.stderr[-2000:]}", file=sys.stderr)
    con = sqlite3.connect(db)
    posts = con.execute("SELECT COUNT(*) FROM posts").fetchone()[0]
    crawl_s = con.execute("SELECT duration_s FROM crawls ORDER BY id DESC LIMIT 1").fetchone()[0]
    page_bytes, pages = con.execute(
        "SELECT COALESCE(SUM(length), 0), COUNT(*) FROM captures WHERE role = 'post'").fetchone()
    records = con.execute("SELECT COUNT(*) FROM captures").fetchone()[0]
    con.close()
    folder = db.with_name(db.name + ".warc")
    warc_bytes = sum(f.stat().st_size for f in folder.glob("*")) if folder.is_dir() else 0
    return {"warc": warc, "rc": run.returncode, "posts": posts, "crawl_s": crawl_s,
            "wall_s": run.wall, "cpu_s": run.cpu, "posts_per_s": posts / crawl_s if crawl_s else 0,
            "post_record_bytes": page_bytes / pages if pages else 0, "records": records,
            "warc_bytes": warc_bytes}


def reparse(db: Path) -> dict:
    started = time.monotonic()
    run = run_measured([*BLOGARCHIVE, "reparse", str(db)], cwd=benchlib.ROOT)
    wall = time.monotonic() - started
    con = sqlite3.connect(db)
    row = con.execute("SELECT posts_found, posts_updated, duration_s FROM crawls "
                      "WHERE kind = 'reparse' ORDER BY id DESC LIMIT 1").fetchone()
    con.close()
    return {"rc": run.returncode, "posts": row[0], "updated": row[1], "run_s": row[2],
            "wall_s": wall, "cpu_s": run.cpu, "posts_per_s": row[0] / row[2] if row[2] else 0,
            "cpu_ms_per_post": 1000 * run.cpu / row[0] if row[0] else 0,
            "peak_rss_mb": run.peak_rss_mb, "maxrss_mb": run.maxrss_mb}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--reparse-posts", type=int, default=0)
    parser.add_argument("--server", default="auto", choices=["auto", "nginx", "python"])
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--reparse-only", action="store_true",
                        help="skip the capture on/off crawls: only build, crawl and reparse "
                             "the --reparse-posts archive")
    args = parser.parse_args(argv)
    from make_site import build

    own = args.workdir is None
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="bench-warc-"))
    workdir.mkdir(parents=True, exist_ok=True)
    results = {"load_before": benchlib.load_average(), "runs": []}
    try:
        if not args.reparse_only:
            site = build(workdir / f"site-{args.posts}", args.posts, quiet=True)
            with benchlib.serve(site, args.server) as server:
                for rep in range(args.repeat):
                    for warc in (("none", "pages") if rep % 2 == 0 else ("pages", "none")):
                        row = crawl(site, server, workdir / f"{warc}.db", warc)
                        results["runs"].append(row)
                        print(json.dumps(row), flush=True)
            off = median([r["posts_per_s"] for r in results["runs"] if r["warc"] == "none"])
            on = median([r["posts_per_s"] for r in results["runs"] if r["warc"] == "pages"])
            captured = [r for r in results["runs"] if r["warc"] == "pages"]
            results["summary"] = {
                "posts": args.posts, "posts_per_s_off": off, "posts_per_s_on": on,
                "overhead": 1 - on / off if off else None,
                "post_record_bytes": median([r["post_record_bytes"] for r in captured]),
                "warc_bytes_per_post": median([r["warc_bytes"] / r["posts"] for r in captured]),
                "records_per_post": median([r["records"] / r["posts"] for r in captured]),
            }
        if args.reparse_posts:
            big = build(workdir / f"site-{args.reparse_posts}", args.reparse_posts, quiet=True)
            with benchlib.serve(big, args.server) as server:
                crawled = crawl(big, server, workdir / "big.db", "pages")
            print(json.dumps(crawled), flush=True)
            again = reparse(workdir / "big.db")
            print(json.dumps(again), flush=True)
            results["reparse"] = {"crawl": crawled, "reparse": again}
        results["load_after"] = benchlib.load_average()
        if not args.reparse_only:
            s = results["summary"]
            print(f"\n{args.posts} posts, median of {args.repeat}: capture off "
                  f"{s['posts_per_s_off']:.1f} posts/s, on {s['posts_per_s_on']:.1f} posts/s, "
                  f"overhead {s['overhead']:.1%}; post page record "
                  f"{s['post_record_bytes'] / 1024:.1f} KB (gzip), all WARC "
                  f"{s['warc_bytes_per_post'] / 1024:.1f} KB per post, "
                  f"{s['records_per_post']:.2f} responses indexed per post")
        if args.reparse_posts:
            r, c = results["reparse"]["reparse"], results["reparse"]["crawl"]
            print(f"reparse of {r['posts']} posts: {r['posts_per_s']:.1f} posts/s "
                  f"({r['run_s']:.1f} s, {r['updated']} updated), {r['cpu_ms_per_post']:.1f} ms "
                  f"CPU a post, peak RSS {r['peak_rss_mb']:.0f} MB; the crawl that made it: "
                  f"{c['posts_per_s']:.1f} posts/s")
        print(f"load before {results['load_before']}, after {results['load_after']}")
        if args.json:
            args.json.write_text(json.dumps(results, indent=2, default=str))
        return 0
    finally:
        if own:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
