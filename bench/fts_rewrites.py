"""Search-index rows rewritten by an incremental run that finds posts unchanged.

    python bench/fts_rewrites.py --posts 2000 --touch 1000
    python bench/fts_rewrites.py --posts 2000 --touch 1000 --baseline /tmp/old-checkout

An archive of --posts posts is saved with store.save_post (sample model, as
bench/store.py --source sample), then --touch of them go through what a re-run
does to a post that did not change: save_post of the same content (a page
fetched again), touch_post (a 304), save_comments (its comment feed), the feed's
entries (save_feed_entries, which fills feed times into posts), and mark_gone of
one post. Rows written to the posts index are counted from FTS5's own statements
(sqlite3 trace: each REPLACE/DELETE on posts_fts_docsize is one index row
written or removed); the index's bytes are compared too. --baseline runs the
same in a subprocess with another checkout of the project on sys.path first
(e.g. main before post bodies moved), in the same run.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != BENCH] + [str(BENCH)]

import benchlib  # noqa: E402


def index_digest(db) -> str:
    digest = hashlib.sha256()
    for table in ("posts_fts_data", "posts_fts_docsize"):
        for row in db.execute(f"SELECT * FROM {table} ORDER BY 1"):
            digest.update(repr(row).encode())
    return digest.hexdigest()[:16]


def measure(n_posts: int, touch: int, db_path: Path) -> dict:
    from make_site import make_sample, renderer
    from store import sample_posts

    from scraper import store

    for f in db_path.parent.glob(db_path.name + "*"):
        f.unlink()
    blog = make_sample(n_posts, 8, "layout", robots_allow_search=False)
    server = renderer(blog, 20000, 20001)
    posts = [p for p, _ in sample_posts(blog, server)]
    db = store.open_db(db_path)
    store.save_blog(db, {"id": posts[0]["blog_id"], "url": server.origin + "/", "platform": "blogger"})
    for post in posts:
        store.save_post(db, post)
    before = index_digest(db)
    writes = {"rows written": 0, "rows deleted": 0}

    def traced(statement: str) -> None:
        if "'posts_fts_docsize'" in statement:
            if statement.startswith("-- REPLACE"):
                writes["rows written"] += 1
            elif statement.startswith("-- DELETE"):
                writes["rows deleted"] += 1

    db.conn.set_trace_callback(traced)
    started, cpu = time.perf_counter(), time.process_time()
    statuses = {}
    for post in posts[:touch]:
        status = store.save_post(db, post)
        statuses[status] = statuses.get(status, 0) + 1
        store.touch_post(db, post["url"], None)
        store.save_comments(db, post["id"], post["comments"])
    store.save_feed_entries(db, posts[0]["blog_id"], [
        {"url": p["url"], "post_id": p["id"], "title": p["title"], "published": p["published"],
         "updated": p["updated"], "labels": p["labels"], "comment_count": len(p["comments"])}
        for p in posts[:touch]])
    store.mark_gone(db, posts[0]["url"])
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    db.conn.set_trace_callback(None)
    result = {"posts": n_posts, "touched": touch, "statuses": statuses, **writes,
              "index unchanged": index_digest(db) == before,
              "ms per touched post": round(seconds * 1000 / touch, 3),
              "CPU ms per touched post": round(cpu * 1000 / touch, 3)}
    db.close()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=2000)
    parser.add_argument("--touch", type=int, default=1000)
    parser.add_argument("--baseline", default="", help="another checkout to measure first")
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)  # a single measurement
    parser.add_argument("--json", default="")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="fts-rewrites-"))
    if args.one:
        print(json.dumps(measure(args.posts, args.touch, tmp / "a.db")))
        return
    rows = []
    checkouts = ([("baseline", str(Path(args.baseline).resolve()))] if args.baseline else []) + \
        [("this checkout", str(BENCH.parent))]
    for name, root in checkouts:
        env = dict(os.environ, PYTHONPATH=os.pathsep.join([root, os.environ.get("PYTHONPATH", "")]))
        out = subprocess.run([sys.executable, __file__, "--one", "--posts", str(args.posts),
                              "--touch", str(args.touch)], env=env, check=True,
                             capture_output=True, text=True, cwd=root)
        rows.append({"code": name, **json.loads(out.stdout.strip().splitlines()[-1])})
    print(benchlib.table(rows, ["code", "posts", "touched", "statuses", "rows written", "rows deleted",
                                "index unchanged", "ms per touched post", "CPU ms per touched post"]))
    print(f"load average: {benchlib.load_average()}")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
