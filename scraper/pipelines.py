"""One pipeline: hand each item to the store and count what happened.

A failure to save one item becomes a recorded error, never a crashed crawl. The
crawl's final status is decided from these counts when the spider has closed
(scraper/extensions.py).
"""

from __future__ import annotations

import copy
import logging
import sqlite3
import time
from collections import Counter, OrderedDict, defaultdict
from dataclasses import asdict, is_dataclass

from scrapy.utils.defer import deferred_from_coro
from twisted.internet import task

from . import store
from .capture import capture_failed, capture_written, resolve
from .items import (Blog, FeedEntries, Fetch, ImageFailure, ImageFile, LabelListing, Post,
                    PostComments, PostSeen)
from .urls import host

logger = logging.getLogger(__name__)

MAX_EXAMPLES = 5
# Recorded, but not failures of the crawl: the site asked us not to fetch these.
# (Images that could not be had are reported on their own, not as crawl failures.)
# A 404/410 is an answer (a dead link, a deleted post), recorded and counted; it
# does not make the run a failure: a post the blog lists but we lack does (incomplete).
NOT_FAILURES = {"robots", "http_404", "http_410"}
# A page the evidence rule refused as a post: a warning of the crawl, not an error.
REFUSED = "not_a_post"
# SQLite errors that mean no further item can be kept (SQLITE_FULL, SQLITE_IOERR,
# SQLITE_READONLY): the crawl stops instead of fetching pages it cannot save.
STORAGE_GONE = ("disk is full", "disk i/o error", "readonly", "read-only")
# How often the running crawl's row is brought up to date.
PROGRESS_EVERY_S = 2.0
# Items a crawl writes in one transaction, and how long it keeps one open at most
# (settings BLOGARCHIVE_COMMIT_ITEMS, BLOGARCHIVE_COMMIT_SECONDS; see _begin_batch).
COMMIT_ITEMS = 32
COMMIT_SECONDS = 1.0


def post_row(post: Post) -> dict:
    """The post as the store takes it: its fields, its images and comments as dicts.

    Like ``dataclasses.asdict`` but without the deep copy of every string, list and
    dict (a third of the pipeline's own time): the store reads these, never changes them.
    """
    return {**vars(post), "images": [_fields(i) for i in post.images],
            "comments": [_fields(c) for c in post.comments]}


def _fields(value):
    return vars(value) if is_dataclass(value) else value


def capture_urls(item) -> tuple[str, ...]:
    """The URLs whose WARC records an item was read from (its `captures` rows go with it)."""
    if isinstance(item, Post):
        return tuple(dict.fromkeys(u for u in (item.fetched_url, item.url) if u))
    if isinstance(item, (Fetch, ImageFile)):
        return (item.url,)
    return ()


class StorePipeline:
    def __init__(self, db_path: str, error_threshold: float):
        self.db_path = db_path
        self.error_threshold = error_threshold
        self.db = None
        self.crawl_id: int | None = None
        self.counts: Counter = Counter()
        self.errors: dict[str, dict] = defaultdict(lambda: {"count": 0, "examples": []})
        self.refused: dict = {"count": 0, "examples": []}
        self.expected: dict[str, int] = {}  # blog id → what its feed says it holds
        self.posts_seen: dict[str, set[str]] = defaultdict(set)
        self.unwritable = ""  # why the archive stopped taking writes, if it did
        self.per_blog: dict[str, Counter] = defaultdict(Counter)  # blog (or seed) → counts
        self.progress_written = time.monotonic()
        # WARC records written, by URL, waiting for the item that says what they hold.
        self.captures: OrderedDict[str, list[dict]] = OrderedDict()
        # Items written in one transaction (1: each its own, as the scale-out writer does,
        # which acknowledges each item once it is committed); see _begin_batch.
        self.commit_items = 1
        self.commit_seconds = COMMIT_SECONDS
        self.batch_items = 0
        self.batch_began = 0.0
        self.before_batch: dict | None = None  # the tallies when the open batch began
        self.committer = None

    @classmethod
    def from_crawler(cls, crawler):
        pipeline = cls(
            crawler.settings.get("BLOGARCHIVE_DB"),
            crawler.settings.getfloat("BLOGARCHIVE_ERROR_THRESHOLD"),
        )
        pipeline.crawler = crawler
        pipeline.commit_items = crawler.settings.getint("BLOGARCHIVE_COMMIT_ITEMS", COMMIT_ITEMS)
        pipeline.commit_seconds = crawler.settings.getfloat("BLOGARCHIVE_COMMIT_SECONDS",
                                                            COMMIT_SECONDS)
        crawler.signals.connect(pipeline.capture_written, signal=capture_written)
        crawler.signals.connect(pipeline.capture_failed, signal=capture_failed)
        return pipeline

    # -- WARC records (scraper/capture.py) ---------------------------------------

    MAX_PENDING_URLS = 500

    def capture_written(self, capture: dict):
        self.captures.setdefault(capture["url"], []).append(capture)
        if len(self.captures) > self.MAX_PENDING_URLS:  # redirect hops, robots.txt: no item
            self._index_pending(self.MAX_PENDING_URLS // 2)

    def capture_failed(self, error: str):
        self._archive_unwritable(OSError(error))

    def _take_captures(self, *urls: str) -> list[dict]:
        taken = []
        for url in dict.fromkeys(u for u in urls if u):
            taken.extend(self.captures.pop(url, []))
        rows = [resolve(capture) for capture in taken]
        if None in rows:  # a record that could not be written: the disk is full
            self._archive_unwritable(OSError("a WARC record could not be written"))
        return [row for row in rows if row is not None]

    def _index_pending(self, keep: int = 0) -> None:
        """Index records no item claimed (oldest first), keeping the newest ``keep`` URLs."""
        rows = []
        while len(self.captures) > keep:
            rows.extend(self.captures.popitem(last=False)[1])
        self.index_captures([row for row in map(resolve, rows) if row is not None])

    def index_captures(self, rows: list[dict]) -> None:
        """Index records that belong to no item (robots.txt, redirect hops), in one commit."""
        if not rows:
            return
        try:
            with store.atomic(self.db):
                store.save_captures(self.db, rows, self.crawl_id)
        except sqlite3.Error as e:
            if not any(sign in str(e).lower() for sign in STORAGE_GONE):
                raise
            self._archive_unwritable(e)

    # -- lifecycle -------------------------------------------------------------

    def open_spider(self, spider=None):
        self.db = store.open_db(self.db_path)
        spider = spider or self.crawler.spider
        self.crawl_id = store.start_crawl(self.db, getattr(spider, "seeds", []))
        spider.crawl_id = self.crawl_id
        logger.info("archive %s, crawl %s", self.db_path, self.crawl_id)
        if self.commit_items > 1:  # a quiet spell does not keep written items from readers
            self.committer = task.LoopingCall(self.commit_due)
            self.committer.start(self.commit_seconds, now=False)

    def close_spider(self, spider=None):
        """Index the WARC records no item claimed and commit; the crawl's row is written after
        this, once the spider has closed and the finish reason is known (scraper/extensions.py)."""
        if self.committer is not None and self.committer.running:
            self.committer.stop()
        try:
            self._index_pending()
        except sqlite3.Error as e:
            logger.error("could not index the last WARC records: %s", e)
        self.commit()

    # -- transactions ----------------------------------------------------------
    # With BLOGARCHIVE_COMMIT_ITEMS > 1, items are written in one transaction until that
    # many are in it or BLOGARCHIVE_COMMIT_SECONDS have passed (each item still in a
    # savepoint of its own, so one that fails is undone alone). A transaction costs a
    # write of every page it touched, and the search index a segment: a post each time,
    # most of them the same index pages. A crawl killed outright loses the open batch
    # only: those pages are not in the archive, so the next run fetches them again, and
    # the counts of the crawl's row are those of what was committed with it.

    def _begin_batch(self) -> None:
        if self.before_batch is not None and not self.db.conn.in_transaction:
            self._batch_lost(sqlite3.OperationalError("the transaction was rolled back"))
        if self.commit_items <= 1 or self.unwritable or self.db.conn.in_transaction:
            return
        self.before_batch = self._tallies()
        self.db.conn.execute("BEGIN")
        self.batch_items, self.batch_began = 0, time.monotonic()

    def commit_due(self) -> None:
        """Commit the open batch if it is full or old enough."""
        if self.before_batch is not None and (
                self.batch_items >= self.commit_items
                or time.monotonic() - self.batch_began >= self.commit_seconds):
            self.commit()

    def commit(self) -> None:
        """Commit the items written since the last commit (nothing to do without a batch)."""
        if self.before_batch is None:
            return
        try:
            self.db.conn.execute("COMMIT")
        except sqlite3.Error as e:
            self._batch_lost(e)
        else:
            self.before_batch = None

    def _batch_lost(self, error: Exception) -> None:
        """The open batch could not be kept (a full disk): its items count as not saved."""
        if self.db.conn.in_transaction:
            self.db.conn.execute("ROLLBACK")
        before, self.before_batch = self.before_batch, None
        logger.error("the last %d items written were not kept: %s", self.batch_items, error)
        self.counts, self.errors, self.refused, self.expected = (
            before["counts"], before["errors"], before["refused"], before["expected"])
        self.per_blog.clear()
        self.per_blog.update(before["per_blog"])
        for blog, post_id in before["new_seen"]:
            self.posts_seen[blog].discard(post_id)
        for key, n in before["stats"].items():
            self.crawler.stats.inc_value(key, -n)
        if any(sign in str(error).lower() for sign in STORAGE_GONE):
            self._archive_unwritable(error)

    def _tallies(self) -> dict:
        """What the counts are now, to go back to if the batch begun now is lost."""
        return {"counts": Counter(self.counts), "refused": copy.deepcopy(self.refused),
                "errors": defaultdict(self.errors.default_factory, copy.deepcopy(dict(self.errors))),
                "expected": dict(self.expected),
                "per_blog": {k: Counter(v) for k, v in self.per_blog.items()},
                "new_seen": [], "stats": Counter()}

    def _stat(self, key: str) -> None:
        self.crawler.stats.inc_value(key)
        if self.before_batch is not None:
            self.before_batch["stats"][key] += 1

    def counts_so_far(self) -> dict:
        """The crawl's counters, as `crawls` keeps them (during the crawl, and at its end)."""
        return dict(
            pages=self.crawler.stats.get_value("response_received_count") or 0,
            posts_found=len(set().union(*self.posts_seen.values())) if self.posts_seen else 0,
            posts_new=self.counts["new"],
            posts_updated=self.counts["updated"],
            posts_unchanged=self.counts["unchanged"],
            posts_gone=self.counts["gone"],
            images_new=self.counts["images_new"],
            images_failed=self.counts["images_failed"],
            errors=sum(e["count"] for k, e in self.errors.items() if not k.startswith("image_")),
        )

    def _progress(self) -> None:
        """Every few seconds the running crawl's row shows its counts so far (`status`,
        the Datasette crawls page)."""
        if time.monotonic() - self.progress_written < PROGRESS_EVERY_S or self.crawl_id is None:
            return
        self.progress_written = time.monotonic()
        try:
            store.crawl_progress(self.db, self.crawl_id, **self.counts_so_far())
        except sqlite3.Error as e:  # a busy reader; the next item tries again
            logger.debug("progress of crawl %s not written: %s", self.crawl_id, e)

    def _blog_of(self, url: str) -> str:
        """The blog (its id, else its seed) a URL belongs to, by the blog's host names."""
        url_host = host(url)
        for site in getattr(getattr(self.crawler, "spider", None), "sites", None) or []:
            if url_host in site.hosts:
                return site.blog_id or site.seed
        return ""

    # -- items -----------------------------------------------------------------

    def process_item(self, item, spider=None):
        if self.db is not None:
            self._begin_batch()
        self._write(item)
        self._progress()
        if self.before_batch is not None:
            if not self.db.conn.in_transaction:  # undone whole by SQLite (an error it rolls back)
                self._batch_lost(sqlite3.OperationalError("the transaction was rolled back"))
            else:
                self.batch_items += 1
                self.commit_due()
        return item

    def _write(self, item) -> None:
        try:
            if isinstance(item, Post):
                captures = self._take_captures(*capture_urls(item))
                if self.unwritable:  # its page could not be kept: the next run fetches it again
                    return
                with store.atomic(self.db):  # the post and the records it was read from, together
                    status = store.save_post(self.db, post_row(item), self.crawl_id)
                    store.save_captures(self.db, captures, self.crawl_id, post_id=item.id)
                self.counts[status] += 1
                self.per_blog[self._blog_of(item.url) or item.blog_id][status] += 1
                self._stat(f"blogarchive/posts_{status}")
                self.counts["posts"] += 1
                if item.id not in self.posts_seen[item.blog_id] and self.before_batch is not None:
                    self.before_batch["new_seen"].append((item.blog_id, item.id))
                self.posts_seen[item.blog_id].add(item.id)
            elif isinstance(item, PostComments):
                store.save_comments(self.db, item.post_id, [_fields(c) for c in item.comments])
            elif isinstance(item, PostSeen):
                store.touch_post(self.db, item.url, self.crawl_id)
                self.counts["unchanged"] += 1
                self.per_blog[self._blog_of(item.url)]["unchanged"] += 1
                self._stat("blogarchive/posts_unchanged")
            elif isinstance(item, Fetch):
                self._fetch(item)
            elif isinstance(item, FeedEntries):
                if item.total is not None:
                    self.expected[item.blog_id] = item.total
                    store.save_blog(self.db, {"id": item.blog_id, "posts_expected": item.total})
                store.save_feed_entries(self.db, item.blog_id, item.entries, self.crawl_id)
            elif isinstance(item, ImageFile):
                mode = self.crawler.settings.get("BLOGARCHIVE_IMAGES", "db")
                directory = mode[4:] if mode.startswith("dir:") else None
                with store.atomic(self.db):
                    new = store.save_image(self.db, item.key, item.url, item.body, item.info,
                                           directory)
                    store.save_captures(self.db, self._take_captures(item.url), self.crawl_id,
                                        image_sha256=item.info.sha256)
                if new:
                    self.counts["images_new"] += 1
                    self._stat("blogarchive/images_new")
                item.body = b""  # the bytes are kept; don't hold them in memory
            elif isinstance(item, ImageFailure):
                store.image_failed(self.db, item.key, item.message or item.error)
                self.counts["images_failed"] += 1
                self._error(f"image_{item.error}", item.url)
            elif isinstance(item, LabelListing):
                store.save_label_listing(self.db, item.blog_id, item.label, item.url, item.post_urls)
            elif isinstance(item, Blog):
                store.save_blog(self.db, asdict(item))
                self.posts_seen.setdefault(item.id, set())
        except sqlite3.Error as e:
            if not any(sign in str(e).lower() for sign in STORAGE_GONE):
                self._save_failed(item, e)
            else:  # the disk is full or gone: nothing more can be kept, so stop fetching
                self.commit()  # what the batch holds so far, if there is room for it
                self._archive_unwritable(e)
        except Exception as e:  # recorded, and the crawl goes on
            self._save_failed(item, e)

    def _archive_unwritable(self, error: Exception) -> None:
        if self.unwritable:
            return
        self.unwritable = str(error)
        logger.error("cannot write the archive %s (%s): stopping the crawl. Everything saved "
                     "so far is kept; free some space and run again to go on.", self.db_path, error)
        engine = getattr(self.crawler, "engine", None)  # the distributed writer has none: it stops itself
        if engine is not None:
            deferred_from_coro(engine.close_spider_async(reason="archive_unwritable"))

    def _save_failed(self, item, e: Exception) -> None:
        """One item could not be saved: recorded as an error, and the crawl goes on."""
        logger.exception("could not save %r", getattr(item, "url", item))
        self._error("save_error", getattr(item, "url", ""))
        if isinstance(item, Post):
            store.record_fetch(
                self.db,
                {"url": item.url, "kind": "post", "status": None, "error": "save_error",
                 "message": f"{type(e).__name__}: {e}"[:500]},
                self.crawl_id,
            )

    def _fetch(self, fetch: Fetch) -> None:
        with store.atomic(self.db):
            store.record_fetch(self.db, vars(fetch), self.crawl_id)
            store.save_captures(self.db, self._take_captures(fetch.url), self.crawl_id,
                                post_id=fetch.post_id or None)
        if fetch.error == REFUSED:
            self.refused["count"] += 1
            if len(self.refused["examples"]) < MAX_EXAMPLES:
                self.refused["examples"].append(f"{fetch.url} ({fetch.message})"
                                                if fetch.message else fetch.url)
            return
        if fetch.error:
            self._error(fetch.error, fetch.url)
            if fetch.kind == "post" and fetch.status in (404, 410):
                if store.mark_gone(self.db, fetch.url):
                    self.counts["gone"] += 1
                    self.per_blog[self._blog_of(fetch.url)]["gone"] += 1

    def _error(self, kind: str, url: str) -> None:
        if not kind.startswith("image_"):  # images have their own count
            self._stat("blogarchive/errors")
            blog = self.per_blog[self._blog_of(url)]
            blog["errors"] += 1
            blog["failures"] += kind not in NOT_FAILURES
        entry = self.errors[kind]
        entry["count"] += 1
        if url and len(entry["examples"]) < MAX_EXAMPLES:
            entry["examples"].append(url)
