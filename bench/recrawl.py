"""Incremental re-crawls against a fixture blog served locally: requests and time.

    python bench/recrawl.py --posts 500 --new 10

Prints, for the first full crawl (the baseline) and for re-runs with no
change, with k new posts and with one edited post: requests to the blog host
besides robots.txt, post pages fetched, wall time, and the checks of the
targets (≤ 5 requests with no change, ≤ k + 5 with k new posts, one version
and nothing else refetched for an edit).
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from scraper.sample import BlogServer, make_blog

FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=0",
        "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=16", "-s", "CONCURRENT_REQUESTS=16",
        "-s", "LOG_LEVEL=WARNING"]


def crawl(server, db: Path) -> dict:
    mark = len(server.requests)
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "scraper.cli", "crawl", server.url, "--db", str(db),
                             "--images", "none", "--quiet", *FAST], capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"crawl failed:\n{result.stdout}\n{result.stderr}")
    asked = [r[1] for r in server.requests[mark:] if r[1] != "/robots.txt"]
    posts = {p.path for p in server.blog.posts}
    return {"requests": len(asked), "post_pages": sum(1 for a in asked if a in posts),
            "seconds": round(elapsed, 2), "asked": asked}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=500)
    parser.add_argument("--new", type=int, default=10)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)

    blog = make_blog("layout", n_posts=args.posts + args.new, seed=42, image_faults=False)
    later = blog.sorted_posts()[: args.new]
    for post in later:
        blog.delete_post(post)
    rows = {}
    with tempfile.TemporaryDirectory() as tmp, BlogServer(blog) as server:
        db = Path(tmp) / "archive.db"
        rows["full crawl (baseline)"] = crawl(server, db)
        rows["re-run, no change"] = crawl(server, db)
        for post in later:
            blog.add_post(post)
        rows[f"re-run, {args.new} new posts"] = crawl(server, db)
        edited = blog.sorted_posts()[len(blog.posts) // 2]
        blog.edit_post(edited, paragraphs=["An edited paragraph.", "And another."])
        rows["re-run, 1 edited post"] = crawl(server, db)
        con = sqlite3.connect(db)
        versions = con.execute("SELECT post_id FROM post_versions").fetchall()
        total = con.execute("SELECT COUNT(*) FROM posts").fetchone()[0]

    checks = {
        "no change: <= 5 requests": rows["re-run, no change"]["requests"] <= 5,
        f"{args.new} new: <= {args.new + 5} requests":
            rows[f"re-run, {args.new} new posts"]["requests"] <= args.new + 5,
        "edit: 1 version, only that post refetched":
            versions == [(edited.post_id,)] and rows["re-run, 1 edited post"]["post_pages"] == 1,
        f"archive holds all {args.posts + args.new} posts": total == args.posts + args.new,
    }
    if args.json:
        print(json.dumps({"rows": {k: {kk: vv for kk, vv in v.items() if kk != "asked"}
                                   for k, v in rows.items()}, "checks": checks}, indent=2))
    else:
        base = rows["full crawl (baseline)"]
        print(f"{'run':32} {'requests':>9} {'post pages':>11} {'seconds':>8} {'vs full':>8}")
        for name, row in rows.items():
            ratio = row["requests"] / base["requests"]
            print(f"{name:32} {row['requests']:>9} {row['post_pages']:>11} {row['seconds']:>8} {ratio:>8.3f}")
        for name, ok in checks.items():
            print(f"{'PASS' if ok else 'FAIL'}  {name}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
