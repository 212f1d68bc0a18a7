"""Items written several to a transaction: readers see them once committed, a bad item is
undone alone, and a batch the archive could not keep is not counted as saved."""

from __future__ import annotations

import sqlite3
from collections import Counter

import pytest

from scraper import store
from scraper.items import Blog, Fetch, Post
from scraper.pipelines import StorePipeline


class Stats:
    def __init__(self):
        self.values = Counter()

    def inc_value(self, key, count=1, start=0):
        self.values[key] += count

    def get_value(self, key, default=None):
        return self.values.get(key, default)


class Crawler:
    def __init__(self):
        self.stats, self.settings, self.spider, self.engine = Stats(), {}, None, None


def post(n: int, blog_id: str = "77") -> Post:
    return Post(id=f"p{n}", blog_id=blog_id, url=f"http://blog.example/2024/01/p{n}.html",
                title=f"Post {n}", published="2024-01-02T10:00:00+02:00", labels=["harbour"],
                body_html=f"<p>Cranes {n}.</p>", body_text=f"Cranes {n}.", word_count=2)


@pytest.fixture
def pipeline(tmp_path):
    p = StorePipeline(str(tmp_path / "a.db"), 0.05)
    p.crawler = Crawler()
    p.db = store.open_db(p.db_path)
    p.crawl_id = store.start_crawl(p.db, ["http://blog.example/"])
    p.commit_items, p.commit_seconds = 4, 3600.0
    yield p
    p.db.close()


def committed(p: StorePipeline) -> list[str]:
    reader = sqlite3.connect(p.db_path)
    try:
        return [r[0] for r in reader.execute("SELECT id FROM posts ORDER BY id")]
    finally:
        reader.close()


def test_a_batch_is_seen_once_committed_and_a_bad_item_is_undone_alone(pipeline):
    p = pipeline
    p.process_item(Blog(id="77", url="http://blog.example/", platform="blogger"))
    p.process_item(post(1))
    p.process_item(post(2, blog_id="no-such-blog"))  # refused: its blog was never saved
    assert committed(p) == []  # three items written, none committed yet
    p.process_item(post(3))  # the fourth: the batch is committed
    assert committed(p) == ["p1", "p3"]
    assert p.counts["new"] == 2 and p.errors["save_error"]["count"] == 1
    p.process_item(Fetch(url="http://blog.example/feeds", kind="feed", status=200))
    p.process_item(post(4))
    assert committed(p) == ["p1", "p3"]
    p.close_spider()  # the rest is committed when the crawl ends
    assert committed(p) == ["p1", "p3", "p4"]
    assert p.db.execute("SELECT COUNT(*) FROM fetches").fetchone()[0] == 2
    assert p.db.execute("SELECT COUNT(*) FROM posts_fts WHERE posts_fts MATCH 'cranes'"
                        ).fetchone()[0] == 3


def test_a_batch_the_archive_could_not_keep_is_not_counted(pipeline):
    p = pipeline
    p.process_item(Blog(id="77", url="http://blog.example/", platform="blogger"))
    p.process_item(post(1))
    p.process_item(post(2))
    p.process_item(post(3))
    p.process_item(post(4))  # committed: 1 to 3 (and the blog)
    p.process_item(post(5))
    p.process_item(post(6))
    # What SQLite does when the disk fills mid-transaction: it rolls the whole of it back.
    p.db.conn.execute("ROLLBACK")
    p.process_item(post(7))
    p.close_spider()
    assert committed(p) == ["p1", "p2", "p3", "p7"]
    # the counts are those of what was kept, and the lost posts are not taken as seen
    assert p.counts["new"] == 4 and p.posts_seen["77"] == {"p1", "p2", "p3", "p7"}
    assert p.crawler.stats.values["blogarchive/posts_new"] == 4
