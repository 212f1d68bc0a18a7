"""The store alone: insert rate of store.save_post with FTS on (and off), DB size over raw HTML size.

    python bench/store.py --posts 10000                  # parsed from rendered post pages
    python bench/store.py --posts 100000 --source sample --db /tmp/archive-100k.db --keep

--source parsed (default): every post page of a fixture blog (scraper.sample,
300-2,000 words, labels, 0-5 images, comments) is rendered and parsed by the
Blogger platform, exactly as in a crawl; then the posts are saved one by one
with store.save_post, each in its own transaction, as the pipeline does.
Parsing is timed separately and not counted in the insert rate.
--source sample builds the same post dicts straight from the sample's model
(no HTML parsing), for archives too big to render quickly (Datasette benchmark).
--pipeline saves them as a crawl does instead: through the crawl's StorePipeline, the
blog's feed entries first, then for each post its Post item and the Fetch item of its
page, --commit-every items a transaction (a crawl: 32).
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

BENCH = Path(__file__).resolve().parent
# bench/ must not come first on sys.path (a script there named like a package would shadow it).
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != BENCH] + [str(BENCH)]

import benchlib  # noqa: E402
from make_site import make_sample, renderer  # noqa: E402


PARSE_SECONDS = [0.0]


def parsed_posts(blog, server, limit: int | None = None):
    """(post dict, raw page bytes) for each post page, parsed by the Blogger platform."""
    from scrapy.http import HtmlResponse

    from scraper.platforms import blogger

    for post in blog.sorted_posts()[:limit]:
        response = server._blog_response(post.path)
        started = time.perf_counter()
        page = HtmlResponse(url=server.origin + post.path, body=response.body, encoding="utf-8")
        item = asdict(blogger.parse_post(page))
        PARSE_SECONDS[0] += time.perf_counter() - started
        yield item, len(response.body)


def sample_posts(blog, server, limit: int | None = None, blog_id: str = ""):
    """Post dicts straight from the sample model: no rendering, no parsing."""
    from scraper import htmltext
    from scraper.sample.markup import body_html, image_url, thumb

    for post in blog.sorted_posts()[:limit]:
        html = body_html(post, blog, server.image_origin)
        text = "\n\n".join(post.paragraphs)
        images = [{"position": i, "src": image_url(server.image_origin, im, thumb(im)[0]),
                   "full_url": image_url(server.image_origin, im, "s0"), "alt": im.alt, "caption": im.caption,
                   "link": image_url(server.image_origin, im, "s1600") if im.linked else "",
                   "width": im.width, "height": im.height, "candidates": []}
                  for i, im in enumerate(post.images)]
        comments = [{"id": c.comment_id, "author": c.author, "published": c.published.isoformat(),
                     "body_html": c.body, "body_text": c.body, "position": i}
                    for i, c in enumerate(post.comments)]
        yield {"id": post.post_id, "blog_id": blog_id or blog.blog_id, "url": server.origin + post.path,
               "title": post.title, "author": post.author, "author_url": "",
               "published": post.published.isoformat(), "updated": post.updated.isoformat(),
               "labels": list(post.labels), "body_html": html, "body_text": text,
               "word_count": htmltext.word_count(text) if hasattr(htmltext, "word_count") else len(text.split()),
               "images": images, "comments": comments}, 0


class _Stats:
    def inc_value(self, key, count=1, start=0):
        pass

    def get_value(self, key, default=None):
        return default


class _Crawler:
    """What StorePipeline reads of a Scrapy crawler, here where there is none."""
    stats, settings, spider, engine = _Stats(), {}, None, None


def through_pipeline(db, db_path: Path, crawl_id: int, origin: str, posts: list, commit_every: int,
                     times: list, progress) -> None:
    """Save the posts as a crawl does (see --pipeline); the feed entries are not timed."""
    from scraper.items import Comment, FeedEntries, Fetch, Image, Post
    from scraper.pipelines import StorePipeline

    pipeline = StorePipeline(str(db_path), 0.05)
    pipeline.crawler, pipeline.db, pipeline.crawl_id = _Crawler(), db, crawl_id
    items = [Post(**{**post, "images": [Image(**i) for i in post.get("images") or []],
                     "comments": [Comment(**c) for c in post.get("comments") or []]})
             for post, _ in posts]
    for start in range(0, len(items), 25):  # a feed page of 25 entries
        pipeline.process_item(FeedEntries(blog_id=items[0].blog_id, url=origin + "/feeds/posts/summary",
                                          total=len(items), entries=[
            {"url": i.url, "post_id": i.id, "title": i.title, "published": i.published,
             "updated": i.updated, "labels": i.labels, "author": i.author, "author_url": i.author_url}
            for i in items[start:start + 25]]))
    pipeline.commit_items = commit_every
    for item in items:
        t = time.perf_counter()
        pipeline.process_item(item)
        pipeline.process_item(Fetch(url=item.url, kind="post", status=200, post_id=item.id, reason="new"))
        times.append(time.perf_counter() - t)
        progress.advance()
    t = time.perf_counter()
    getattr(pipeline, "commit", lambda: None)()  # (a tree from before batches, for an A/B run)
    times[-1] += time.perf_counter() - t


def run(n_posts: int, source: str, db_path: Path, fts: bool = True, seed: int = 8, quiet: bool = False,
        posts_cache: list | None = None, commit_every: int = 1, pipeline: bool = False) -> dict:
    from scraper import store
    from scraper.progress import steps

    for f in db_path.parent.glob(db_path.name + "*"):
        f.unlink()
    blog = make_sample(n_posts, seed, "layout", robots_allow_search=False)
    server = renderer(blog, 20000, 20001)
    started = time.perf_counter()
    if posts_cache is not None and posts_cache:
        posts = posts_cache
    else:
        maker = parsed_posts if source == "parsed" else sample_posts
        with steps(f"preparing {n_posts} posts ({source})", total=n_posts) as progress:
            posts = []
            for item in maker(blog, server):
                posts.append(item)
                progress.advance()
        if posts_cache is not None:
            posts_cache.extend(posts)
    prepare_s = time.perf_counter() - started
    db = store.open_db(db_path)
    if not fts:
        for table in ("posts", "post_bodies", "comments"):
            for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?",
                                      [table]).fetchall():
                db.execute(f"DROP TRIGGER [{name}]")
    blog_id = posts[0][0]["blog_id"]
    store.save_blog(db, {"id": blog_id, "url": server.origin + "/", "platform": "blogger", "title": blog.title})
    crawl_id = store.start_crawl(db, [server.origin + "/"])
    times = []
    started = time.perf_counter()
    cpu0 = time.process_time()
    with steps("saving posts", total=len(posts)) as progress:
        if pipeline:
            through_pipeline(db, db_path, crawl_id, server.origin, posts, commit_every, times, progress)
        for n, (post, _) in enumerate([] if pipeline else posts):
            t = time.perf_counter()
            if commit_every > 1 and n % commit_every == 0:  # a crawl's batch (scraper/pipelines.py)
                if db.conn.in_transaction:
                    db.conn.execute("COMMIT")
                db.conn.execute("BEGIN")
            store.save_post(db, post, crawl_id)
            times.append(time.perf_counter() - t)
            progress.advance()  # outside the timed call; nothing at all without a terminal
        if db.conn.in_transaction:
            db.conn.execute("COMMIT")
    insert_s = time.perf_counter() - started
    insert_cpu = time.process_time() - cpu0
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    db_bytes = sum(f.stat().st_size for f in db_path.parent.glob(db_path.name + "*"))
    con = sqlite3.connect(db_path)
    counts = {t: con.execute(f"SELECT COUNT(*) FROM [{t}]").fetchone()[0]
              for t in ("posts", "comments", "post_labels", "post_images")}
    text_bytes = con.execute("SELECT SUM(LENGTH(CAST(body_html AS BLOB)) + LENGTH(CAST(body_text AS BLOB))) "
                             "FROM post_bodies").fetchone()[0]
    tables = {}
    try:
        for name, size in con.execute("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC LIMIT 8"):
            tables[name] = size
    except sqlite3.OperationalError:
        pass  # SQLite built without dbstat
    con.close()
    raw_html = sum(size for _, size in posts)
    result = {
        "posts": n_posts, "source": source, "fts": fts, "commit_every": commit_every, "pipeline": pipeline,
        "prepare_s": round(prepare_s, 1),
        "parse_ms_per_post": round(PARSE_SECONDS[0] * 1000 / n_posts, 2) if source == "parsed" else None,
        "insert_s": round(insert_s, 2), "insert_posts_per_s": round(n_posts / insert_s, 1),
        "insert_cpu_ms_per_post": round(insert_cpu * 1000 / n_posts, 3),
        "insert_ms_median": round(benchlib.median(times) * 1000, 3),
        "insert_ms_p95": round(benchlib.percentile(times, 95) * 1000, 3),
        "insert_ms_first_1000": round(sum(times[:1000]) / min(1000, len(times)) * 1000, 3),
        "insert_ms_last_1000": round(sum(times[-1000:]) / min(1000, len(times)) * 1000, 3),
        "db_bytes": db_bytes, "raw_post_html_bytes": raw_html,
        "db_over_raw_html": round(db_bytes / raw_html, 3) if raw_html else None,
        "stored_text_bytes": text_bytes, "rows": counts, "largest_tables_bytes": tables,
    }
    if not quiet:
        print(json.dumps(result))
    return result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=2000)
    parser.add_argument("--source", default="parsed", choices=["parsed", "sample"])
    parser.add_argument("--db", type=Path, default=None)
    parser.add_argument("--keep", action="store_true", help="keep the database (with FTS) at --db")
    parser.add_argument("--no-fts-run", action="store_true", help="skip the comparison run without FTS")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--commit-every", type=int, default=1,
                        help="posts saved in one transaction (a crawl commits up to 32 items at once)")
    parser.add_argument("--pipeline", action="store_true",
                        help="save as a crawl does: feed entries, then Post and Fetch items")
    args = parser.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="bench-store-"))
    db = args.db or tmp / "archive.db"
    try:
        cache: list = []
        results = [run(args.posts, args.source, db, fts=True, posts_cache=cache,
                       commit_every=args.commit_every, pipeline=args.pipeline)]
        if not args.no_fts_run:
            results.append(run(args.posts, args.source, tmp / "nofts.db", fts=False, posts_cache=cache,
                               commit_every=args.commit_every, pipeline=args.pipeline))
        rows = [{"posts": r["posts"], "FTS": "on" if r["fts"] else "off", "posts/s": r["insert_posts_per_s"],
                 "CPU ms": r["insert_cpu_ms_per_post"],
                 "ms median": r["insert_ms_median"], "ms p95": r["insert_ms_p95"],
                 "ms first 1k": r["insert_ms_first_1000"], "ms last 1k": r["insert_ms_last_1000"],
                 "DB MB": r["db_bytes"] / 1e6, "raw HTML MB": r["raw_post_html_bytes"] / 1e6,
                 "DB/raw": r["db_over_raw_html"] or "-"} for r in results]
        print(benchlib.table(rows, list(rows[0])))
        if results[0].get("parse_ms_per_post"):
            print(f"parsing (platform parse_post, not counted above): {results[0]['parse_ms_per_post']} ms/post")
        if args.json:
            args.json.write_text(json.dumps(results, indent=2))
    finally:
        if not args.keep:
            for f in tmp.glob("*"):
                f.unlink()
            if args.db:
                for f in args.db.parent.glob(args.db.name + "*"):
                    f.unlink()
        for f in tmp.glob("nofts.db*"):
            f.unlink()
        try:
            os.rmdir(tmp)
        except OSError:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
