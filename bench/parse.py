"""CPU of reading a Blogger post page: building the page's lxml tree alone, and the whole
``blogger.parse_post``, per page, on the post pages of a site built by make_site.py.

Each round makes new HtmlResponse objects (untimed: a response caches its selector), then
times, with ``time.process_time``, either building each response's tree (``.selector``) or
``parse_post`` over each (which builds the tree too). The figure is the best round's CPU
per page: the other engineers' jobs on the machine only ever add to it.

    python bench/parse.py                          # /tmp/site-1k, every post page, 5 rounds
    python bench/parse.py /tmp/site-1k --pages 200 --repeat 3
    python bench/parse.py --scraper-path /tmp/before   # another copy of the project
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
# bench/ must not come first on sys.path: a script there named like a package would shadow it.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != BENCH] + [str(BENCH)]

import benchlib  # noqa: E402


def load_pages(root: Path, limit: int | None) -> list[tuple[str, bytes]]:
    """(URL, body) of the site's post pages, in path order."""
    site = benchlib.Site.load(root)
    paths = sorted(site.post_paths())[:limit]
    base = site.url.rstrip("/")
    return [(base + path, benchlib.page_file(root, path, "", "html").read_bytes()) for path in paths]


def responses(pages):
    from scrapy.http import HtmlResponse
    return [HtmlResponse(url, body=body, encoding="utf-8") for url, body in pages]


def timed(pages, work, repeat: int) -> list[float]:
    """CPU seconds of ``work(response)`` over every page, once per round."""
    rounds = []
    for _ in range(repeat):
        batch = responses(pages)
        gc.collect()
        start = time.process_time()
        for response in batch:
            work(response)
        rounds.append(time.process_time() - start)
        del batch
    return rounds


def measure(pages, repeat: int) -> dict:
    from scraper.platforms import blogger

    posts = [blogger.parse_post(r) for r in responses(pages)]  # warm up; and what was read
    tree = timed(pages, lambda r: r.selector, repeat)
    whole = timed(pages, blogger.parse_post, repeat)
    n = len(pages)
    figures = {
        "pages": n,
        "repeat": repeat,
        "tree_ms": min(tree) * 1000 / n,
        "parse_post_ms": min(whole) * 1000 / n,
        "tree_rounds_ms": [t * 1000 / n for t in tree],
        "parse_post_rounds_ms": [t * 1000 / n for t in whole],
        "posts": len(posts),
        "comments": sum(len(p.comments) for p in posts),
        "images": sum(len(p.images) for p in posts),
        "words": sum(p.word_count for p in posts),
        "page_kb": sum(len(body) for _, body in pages) / n / 1024,
    }
    figures["ratio"] = figures["parse_post_ms"] / figures["tree_ms"]
    return figures


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", nargs="?", type=Path, default=Path("/tmp/site-1k"),
                        help="a site built by make_site.py (its site.json and posts.txt)")
    parser.add_argument("--pages", type=int, default=None, help="the first N post pages (all)")
    parser.add_argument("--repeat", type=int, default=5, help="rounds of each measurement")
    parser.add_argument("--scraper-path", type=Path, default=ROOT,
                        help="the copy of the project to import scraper from (this one)")
    parser.add_argument("--json", type=Path, help="write the figures here too")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(args.scraper_path.resolve()))

    pages = load_pages(args.site, args.pages)
    if not pages:
        sys.exit(f"{args.site}: no post pages")
    figures = measure(pages, max(1, args.repeat))
    print(f"{figures['pages']} post pages of {args.site} ({figures['page_kb']:.1f} KB each), "
          f"best of {figures['repeat']} rounds, CPU per page:")
    print(f"  lxml tree alone       {figures['tree_ms']:7.3f} ms")
    print(f"  parse_post, whole     {figures['parse_post_ms']:7.3f} ms")
    print(f"  parse_post / tree     {figures['ratio']:7.2f}x")
    print(f"  read: {figures['posts']} posts, {figures['comments']} comments, "
          f"{figures['images']} images, {figures['words']} words")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1))


if __name__ == "__main__":
    main()
