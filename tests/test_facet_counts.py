"""Posts per year and per label, kept by triggers (post_facet_counts, migration m015),
say what counting the posts says: after the migration of an existing archive and
after every kind of change a crawl, an import or a hand edit makes."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from scraper import store

V7 = Path(__file__).parent / "fixtures" / "archive-v7.sqlite"

# What the site's year and label facets count over the posts table (facets.py).
COUNTED = """
    select 'year', substr(published, 1, 4), count(*) from posts
    where published glob '[0-9][0-9][0-9][0-9]*' group by 2
    union all
    select 'label', j.value, count(*) from posts,
      json_each(case when json_valid(posts.labels) then posts.labels else '[]' end) j
    where j.type = 'text' group by 2
"""


def counted(conn) -> dict:
    return {(facet, value): n for facet, value, n in conn.execute(COUNTED)}


def kept(conn) -> dict:
    return {(facet, value): n for facet, value, n in conn.execute(
        "select facet, value, posts from post_facet_counts")}


def test_an_existing_archive_gets_the_counts_and_they_follow_every_change(tmp_path):
    path = tmp_path / "archive.db"
    shutil.copy(V7, path)
    db = store.open_db(path)
    assert "m015_facet_counts" in {r[0] for r in db.execute("select name from _sqlite_migrations")}
    before = counted(db.conn)
    assert len([k for k in before if k[0] == "year"]) >= 2 and len(before) >= 6
    assert kept(db.conn) == before
    blog_id = db.execute("select id from blogs").fetchone()[0]
    post = {"id": "n1", "blog_id": blog_id, "url": "http://x.example/2031/01/n1.html",
            "title": "Breakwater", "published": "2031-01-02T10:00:00+01:00",
            "labels": ["Lighthouses", "Harbours"], "body_html": "<p>Gulls.</p>", "body_text": "Gulls."}
    store.save_post(db, post)
    assert kept(db.conn)[("label", "Lighthouses")] == 1 and kept(db.conn)[("year", "2031")] == 1
    assert kept(db.conn) == counted(db.conn)
    # Edited: one label dropped, another added; then another year; then touched and marked gone.
    post = dict(post, labels=["Harbours", "Tides"], body_html="<p>Gulls, again.</p>",
                body_text="Gulls, again.")
    store.save_post(db, post)
    assert ("label", "Lighthouses") not in kept(db.conn) and kept(db.conn) == counted(db.conn)
    store.save_post(db, dict(post, published="2029-12-31T23:00:00-01:00"))
    store.touch_post(db, post["url"], None)
    store.mark_gone(db, post["url"])
    assert ("label", "Lighthouses") not in kept(db.conn) and ("year", "2031") not in kept(db.conn)
    assert kept(db.conn) == counted(db.conn)
    # Written by hand: labels that are not JSON, a date that is not a date, then deleted.
    db.execute("update posts set labels = 'Tides, Harbours', published = 'last spring' where id = 'n1'")
    assert kept(db.conn) == counted(db.conn)
    db.execute("update posts set labels = '[\"Tides\", \"Tides\", 3]', published = '2030-05-01' "
               "where id = 'n1'")
    assert kept(db.conn)[("label", "Tides")] == 2 and kept(db.conn) == counted(db.conn)
    for table, column in (("post_labels", "post_id"), ("post_versions", "post_id")):
        db.execute(f"delete from {table} where {column} = 'n1'")
    db.execute("delete from posts where id = 'n1'")
    assert kept(db.conn) == before
    db.conn.commit()
    db.close()
    conn = sqlite3.connect(path)
    assert conn.execute("select count(*) from post_facet_counts where posts <= 0").fetchone()[0] == 0
