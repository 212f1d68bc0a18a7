"""A big archive, fast: generated posts written in bulk, for the Datasette benchmarks.

    python bench/bulk_archive.py --posts 100000 --out /tmp/a-100k-old.db --shape before-bodies
    python bench/bulk_archive.py --posts 1000000 --out /tmp/a-1m.db

bench/store.py builds archives one save_post at a time (≈ 400 posts/s here: 4
minutes for 100k, 40 for 1M); this writes the same tables in batches through the
store's own schema (its migrations) and triggers. Posts of one blog over 15
years: 300-2,000 words (median ≈ 1,000; ≈ 6.5 KB of text and ≈ 9 KB of HTML a
post, as the sample blog's), 27 labels with a long tail (top five on 16-17 %
of the posts), a few authors, comment and image counts. The words the Datasette
benchmark searches for in the worst case (harbour, Tromsø, ceasefire, night
train, peace talks, Gdańsk, ferry, quay…) are in 86-100 % of the posts, as in
the sample blog; "ref<N>" tokens are in 50 posts each (selective searches).

--shape before-bodies stops the schema before the bodies moved out of posts
(bodies in posts, as archives made before that change), so that the same posts
can be measured in both shapes: `blogarchive upgrade` converts a copy.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
import time
from pathlib import Path

BODIES_MIGRATION = "m014_post_bodies"
COMMON = ["harbour", "Tromsø", "ceasefire", "night train", "peace talks", "Gdańsk", "ferry",
          "quay", "quayside", "summit"]
LABELS = [f"Label {i}" for i in range(22)] + ["Summit", "Kim Jong Un", "Harbour", "Ferries", "Ports"]


def vocabulary(rng: random.Random, size: int = 8000) -> list[str]:
    letters = "abcdefghijklmnoprstuvyz"
    words = set()
    while len(words) < size:
        words.add("".join(rng.choice(letters) for _ in range(rng.randint(2, 10))))
    return sorted(words)


def paragraphs(rng: random.Random, count: int = 4000) -> list[tuple[str, int]]:
    """Paragraphs to draw posts from, each with its number of words."""
    words = vocabulary(rng)
    weights = [1 / (i + 1) for i in range(len(words))]  # Zipf-like, as text is
    pool = []
    for _ in range(count):
        chosen = rng.choices(words, weights, k=rng.randint(40, 160))
        for term in COMMON:
            if rng.random() < 0.22:
                chosen.insert(rng.randrange(len(chosen)), term)
        text = " ".join(chosen)
        pool.append((text[0].upper() + text[1:] + ".", len(text.split())))
    return pool


_POOL: list[tuple[str, int]] = []  # set before the workers fork: they share it


def post_rows(n_posts: int, seed: int, first: int = 0, count: int | None = None) -> list[tuple]:
    """Posts first … first+count-1 of n_posts, as rows of COLUMNS. A batch depends only
    on (seed, first), so batches can be made in any process, in any order."""
    if not _POOL:
        _POOL.extend(paragraphs(random.Random(seed)))
    rng = random.Random(seed * 1_000_003 + first)
    label_weights = [1 / (i + 1) ** 0.9 for i in range(len(LABELS))]
    start = dt.datetime(2010, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    span = 15 * 365 * 86400
    refs = max(1, n_posts // 50)
    rows = []
    for i in range(first, min(n_posts, first + (n_posts if count is None else count))):
        when = start + dt.timedelta(seconds=int(span * i / n_posts) + rng.randint(0, 3600))
        paras = [rng.choice(_POOL) for _ in range(rng.randint(3, 20))]
        texts = [t for t, _ in paras]
        texts[rng.randrange(len(texts))] += f" ref{i % refs}"
        text = "\n\n".join(texts)
        html = ('<div class="separator"><a href="https://img.example/s1600/p%d.jpg">'
                '<img src="https://img.example/s320/p%d.jpg" width="320" height="240" '
                'alt="photo"></a></div>' % (i, i)
                + "".join(f'<p style="text-align: justify;">{p}</p>' for p in texts))
        labels = list(dict.fromkeys(rng.choices(LABELS, label_weights, k=rng.randint(1, 4))))
        published = when.isoformat()
        rows.append((
            str(7_000_000_000_000_000_000 + i), "1", f"https://blog.example/p/{i}.html",
            f"{rng.choice(COMMON).title()} notes {i}", f"Writer {i % 5}", published,
            when.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"), published,
            json.dumps(labels), sum(n for _, n in paras) + 1, rng.choice([0, 0, 1, 2, 5]), 1,
            f"{i:064x}", STAMP, STAMP, STAMP, html, text,
        ))
    return rows


LABEL_IDS = {name: n + 1 for n, name in enumerate(LABELS)}
STAMP = "2026-12-01T00:00:00+00:00"
COLUMNS = ["id", "blog_id", "url", "title", "author", "published", "published_utc", "updated",
           "labels", "word_count", "comment_count", "image_count", "content_hash", "first_seen",
           "last_seen", "last_changed", "body_html", "body_text"]
POST_COLUMNS = COLUMNS[:-2]


def _batch(args: tuple) -> list[tuple]:
    return post_rows(*args)


def build(n_posts: int, out: Path, shape: str, seed: int = 8, batch: int = 5000,
          workers: int = 1) -> dict:
    """Write n_posts generated posts to a new archive at out; workers > 0 make the
    batches in other processes while this one writes."""
    from scraper import store

    for f in out.parent.glob(out.name + "*"):
        f.unlink()
    if shape == "before-bodies":
        import sqlite_utils

        db = sqlite_utils.Database(out)
        store.migrations.apply(db, stop_before=BODIES_MIGRATION)
    else:
        db = store.open_db(out)
    # A generator's file, not a crawl's: no journal and no fsync (a crash leaves a
    # broken file, made again), so each page is written once, not to the WAL and back.
    db.execute("PRAGMA journal_mode = OFF")
    db.execute("PRAGMA synchronous = OFF")
    db.execute("PRAGMA cache_size = -262144")  # 256 MB: FTS segment merges stay in memory
    db.execute("INSERT INTO blogs (id, url, platform, title) VALUES ('1', 'https://blog.example/', "
               "'blogger', 'Bulk Harbour Notes')")
    db.conn.executemany("INSERT INTO labels (id, blog_id, name) VALUES (?, '1', ?)",
                        [(n + 1, name) for n, name in enumerate(LABELS)])
    db.conn.commit()
    started, cpu = time.perf_counter(), time.process_time()
    _POOL[:] = paragraphs(random.Random(seed))
    jobs = [(n_posts, seed, first, batch) for first in range(0, n_posts, batch)]
    done = 0
    for chunk in _made(jobs, workers):
        with db.atomic():
            _write(db, shape, chunk, done)
        done += len(chunk)
        if done % 50_000 < batch:
            print(f"  {done:,} posts, {time.perf_counter() - started:.0f} s", file=sys.stderr)
    db.execute("PRAGMA journal_mode = WAL")  # as the store leaves an archive
    db.close()
    return {"posts": n_posts, "shape": shape, "seconds": round(time.perf_counter() - started, 1),
            "writer_cpu_s": round(time.process_time() - cpu, 1), "bytes": out.stat().st_size}


def _made(jobs: list[tuple], workers: int):
    """The batches in order; with workers, made ahead by other processes, at most
    workers + 1 batches ahead (a batch is ≈ 130 MB of rows: an unbounded queue
    would fill the memory while the writer, the slower side, catches up)."""
    if not workers:
        yield from map(_batch, jobs)
        return
    import collections
    import multiprocessing

    pool = multiprocessing.get_context("fork").Pool(workers)
    pending: collections.deque = collections.deque()
    try:
        for job in jobs:
            pending.append(pool.apply_async(_batch, (job,)))
            if len(pending) > workers:
                yield pending.popleft().get()
        while pending:
            yield pending.popleft().get()
    finally:
        pool.terminate()


def _write(db, shape: str, chunk: list[tuple], done: int) -> None:
    if shape == "before-bodies":
        _insert(db, "posts", COLUMNS, chunk)
    else:
        db.execute("PRAGMA defer_foreign_keys = ON")  # bodies first: one index row each
        _insert(db, "post_bodies", ["post_id", "body_html", "body_text"],
                [(r[0], r[-2], r[-1]) for r in chunk])
        # search_rowid as the store's insert trigger numbers them (max + 1, in order)
        _insert(db, "posts", POST_COLUMNS + ["search_rowid"],
                [r[:-2] + (done + n + 1,) for n, r in enumerate(chunk)])
    _insert(db, "post_labels", ["post_id", "label_id", "position"],
            [(r[0], LABEL_IDS[name], position) for r in chunk
             for position, name in enumerate(json.loads(r[8]))])


def _insert(db, table: str, columns: list[str], rows: list[tuple]) -> None:
    db.conn.executemany(
        f"INSERT INTO [{table}] ({', '.join(f'[{c}]' for c in columns)}) "
        f"VALUES ({', '.join('?' for _ in columns)})", rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--shape", choices=["current", "before-bodies"], default="current")
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--batch", type=int, default=5000, help="posts a transaction")
    parser.add_argument("--workers", type=int, default=1,
                        help="processes making posts while this one writes (0: this one)")
    args = parser.parse_args()
    print(json.dumps(build(args.posts, args.out, args.shape, args.seed, args.batch, args.workers)))


if __name__ == "__main__":
    main()
