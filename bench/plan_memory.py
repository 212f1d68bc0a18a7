"""Memory of a blog's per-URL sets in the crawl plan: URL strings vs 8-byte fingerprints.

    python bench/plan_memory.py --posts 1000,10000,100000

The plan keeps three sets per blog that grow with it: the dedupe keys asked for, the
keys of posts pages showed, the URLs the feed listed. Each is filled with its own
copies of the strings (as parsed pages give them) and measured with tracemalloc:
once as Python sets of strings, once as scraper.plan.Fingerprints.
"""

from __future__ import annotations

import argparse
import json
import sys
import tracemalloc
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != BENCH]
from scraper import platforms  # noqa: E402
from scraper.plan import Fingerprints  # noqa: E402


def measure(posts: int) -> dict:
    blogger = platforms.by_name("blogger")
    urls = [f"http://127.0.0.1:26843/20{10 + i % 15}/{1 + i % 12:02d}/a-post-title-of-some-length-{i}.html"
            for i in range(posts)]
    keys = [blogger.dedupe_key(u) for u in urls]
    result = {"posts": posts}
    for label, make in (("strings MB", set), ("fingerprints MB", Fingerprints)):
        tracemalloc.start()
        base = tracemalloc.get_traced_memory()[0]
        sets = [make(), make(), make()]
        for url, key in zip(urls, keys):
            sets[0].add((key + " ")[:-1])
            sets[1].add((key + " ")[:-1])
            sets[2].add((url + " ")[:-1])
        result[label] = (tracemalloc.get_traced_memory()[0] - base) / 1e6
        tracemalloc.stop()
        del sets
    return result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", default="1000,10000,100000")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    rows = []
    for posts in (int(n) for n in args.posts.split(",") if n):
        r = measure(posts)
        rows.append(r)
        print(f"{posts:>8} posts: strings {r['strings MB']:.2f} MB, fingerprints "
              f"{r['fingerprints MB']:.2f} MB ({r['strings MB'] / r['fingerprints MB']:.1f}× less)")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
