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


def paragraphs(rng: random.Random, count: int = 4000) -> list[str]:
    words = vocabulary(rng)
    weights = [1 / (i + 1) for i in range(len(words))]  # Zipf-like, as text is
    pool = []
    for _ in range(count):
        chosen = rng.choices(words, weights, k=rng.randint(40, 160))
        for term in COMMON:
            if rng.random() < 0.22:
                chosen.insert(rng.randrange(len(chosen)), term)
        text = " ".join(chosen)
        pool.append(text[0].upper() + text[1:] + ".")
    return pool


def post_rows(n_posts: int, seed: int):
    rng = random.Random(seed)
    pool = paragraphs(rng)
    label_weights = [1 / (i + 1) ** 0.9 for i in range(len(LABELS))]
    start = dt.datetime(2010, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    span = 15 * 365 * 86400
    for i in range(n_posts):
        when = start + dt.timedelta(seconds=int(span * i / n_posts) + rng.randint(0, 3600))
        paras = [rng.choice(pool) for _ in range(rng.randint(3, 20))]
        paras[rng.randrange(len(paras))] += f" ref{i % max(1, n_posts // 50)}"
        text = "\n\n".join(paras)
        html = ('<div class="separator"><a href="https://img.example/s1600/p%d.jpg">'
                '<img src="https://img.example/s320/p%d.jpg" width="320" height="240" '
                'alt="photo"></a></div>' % (i, i)
                + "".join(f'<p style="text-align: justify;">{p}</p>' for p in paras))
        labels = list(dict.fromkeys(rng.choices(LABELS, label_weights, k=rng.randint(1, 4))))
        published = when.isoformat()
        yield {
            "id": str(7_000_000_000_000_000_000 + i), "blog_id": "1", "url": f"https://blog.example/p/{i}.html",
            "title": f"{rng.choice(COMMON).title()} notes {i}", "author": f"Writer {i % 5}",
            "published": published,
            "published_utc": when.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "updated": published, "labels": json.dumps(labels), "body_html": html, "body_text": text,
            "word_count": len(text.split()), "comment_count": rng.choice([0, 0, 1, 2, 5]),
            "image_count": 1, "content_hash": f"{i:064x}", "first_seen": "2026-12-01T00:00:00+00:00",
            "last_seen": "2026-12-01T00:00:00+00:00", "last_changed": "2026-12-01T00:00:00+00:00",
        }


def build(n_posts: int, out: Path, shape: str, seed: int = 8, batch: int = 2000) -> dict:
    from scraper import store

    for f in out.parent.glob(out.name + "*"):
        f.unlink()
    if shape == "before-bodies":
        import sqlite_utils

        db = sqlite_utils.Database(out)
        db.enable_wal()
        store.migrations.apply(db, stop_before=BODIES_MIGRATION)
    else:
        db = store.open_db(out)
    db.execute("INSERT INTO blogs (id, url, platform, title) VALUES ('1', 'https://blog.example/', "
               "'blogger', 'Bulk Harbour Notes')")
    db.conn.commit()
    started = time.perf_counter()
    rows = post_rows(n_posts, seed)
    done = 0
    while done < n_posts:
        chunk = [next(rows) for _ in range(min(batch, n_posts - done))]
        with db.atomic():
            if shape == "before-bodies":
                _insert(db, "posts", chunk)
            else:
                db.execute("PRAGMA defer_foreign_keys = ON")  # bodies first: one index row each
                _insert(db, "post_bodies", [{"post_id": r["id"], "body_html": r["body_html"],
                                             "body_text": r["body_text"]} for r in chunk])
                _insert(db, "posts", [{k: v for k, v in r.items() if not k.startswith("body_")}
                                      for r in chunk])
        done += len(chunk)
        if done % 50_000 == 0:
            print(f"  {done:,} posts, {time.perf_counter() - started:.0f} s", file=sys.stderr)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return {"posts": n_posts, "shape": shape, "seconds": round(time.perf_counter() - started, 1),
            "bytes": out.stat().st_size}


def _insert(db, table: str, rows: list[dict]) -> None:
    columns = list(rows[0])
    db.conn.executemany(
        f"INSERT INTO [{table}] ({', '.join(f'[{c}]' for c in columns)}) "
        f"VALUES ({', '.join('?' for _ in columns)})", [[r[c] for c in columns] for r in rows])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--shape", choices=["current", "before-bodies"], default="current")
    parser.add_argument("--seed", type=int, default=8)
    args = parser.parse_args()
    print(json.dumps(build(args.posts, args.out, args.shape, args.seed)))


if __name__ == "__main__":
    main()
