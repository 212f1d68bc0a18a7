"""`blogarchive writer`: the one process that writes the archive of a distributed run.

Items are taken with BLMOVE into ``items:processing`` and removed from there only
after the SQLite commit (a killed writer loses nothing; a starting writer puts
back what a dead one left). They are saved by the StorePipeline of the embedded
crawl, which also writes the run's `crawls` row when the queue has drained. The
`captures` rows of the workers' WARC records come with their items and are
committed with them.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import time
from collections import Counter
from pathlib import Path

from .. import items as items_module
from .. import store
from ..lock import Busy, exclusive
from ..extensions import end_crawl
from ..pipelines import StorePipeline
from ..runner import project_settings
from .queue import K, BlogQueue, connect, text
from .resume import note_saved
from .transport import decode_message

logger = logging.getLogger(__name__)


class ArchiveUnwritable(Exception):
    """The archive takes no more writes (disk full, read-only): the items wait in Redis."""


class _Stats:
    """What StorePipeline asks of Scrapy's stats, summed over every worker (in Redis)."""

    NAMES = {"downloader/request_count": "requests", "response_received_count": "responses"}

    def __init__(self, r):
        self.r = r
        self.local = Counter()

    def inc_value(self, key, count=1, start=0, spider=None):
        self.local[key] += count

    def get_value(self, key, default=None, spider=None):
        if key in self.NAMES:
            raw = self.r.hget(K.stats, self.NAMES[key])
            return int(raw) if raw is not None else default
        return self.local.get(key, default)


class _Crawler:
    """The part of a Scrapy crawler StorePipeline reads: settings and stats (no engine)."""

    def __init__(self, settings, stats):
        self.settings, self.stats = settings, stats


class Writer:
    def __init__(self, r, db_path: str, settings):
        self.r = r
        self.queue = BlogQueue(r)
        self.db_path = db_path
        self.settings = settings
        self.pipeline: StorePipeline | None = None
        self.run_id = None
        self.written = 0
        self.crash_after = int(os.environ.get("BLOGARCHIVE_TEST_WRITER_CRASH_AFTER", "0") or 0)

    def recover(self) -> int:
        """Put back what a writer killed mid-item left in processing."""
        moved = 0
        while self.r.lmove(K.processing, K.items, "LEFT", "RIGHT") is not None:
            moved += 1
        if moved:
            logger.warning("%d items a stopped writer had taken are queued again", moved)
        return moved

    def _open(self, run_id: str) -> None:
        pipeline = StorePipeline(self.db_path, self.settings.getfloat("BLOGARCHIVE_ERROR_THRESHOLD"))
        pipeline.crawler = _Crawler(self.settings, _Stats(self.r))
        pipeline.db = store.open_db(self.db_path)
        crawl_id = self.r.hget(K.run, "crawl_id")
        here = str(Path(self.db_path).resolve())
        if crawl_id is not None and text(self.r.hget(K.run, "crawl_db")) == here and \
                pipeline.db["crawls"].count_where("id = ?", [int(crawl_id)]):
            pipeline.crawl_id = int(crawl_id)  # a writer restarted: the same crawl goes on
            state = json.loads(text(self.r.hget(K.writer, "state")) or "{}")
            pipeline.counts.update(state.get("counts", {}))
            for kind, entry in state.get("errors", {}).items():
                pipeline.errors[kind] = entry
            pipeline.expected.update(state.get("expected", {}))
            for blog in state.get("blogs", []):
                pipeline.posts_seen.setdefault(blog, set())
            logger.info("writer resumes crawl %s of run %s", pipeline.crawl_id, run_id)
        else:
            seeds = json.loads(text(self.r.hget(K.run, "seeds")) or "[]")
            pipeline.crawl_id = store.start_crawl(pipeline.db, seeds)
            self.r.hset(K.run, mapping={"crawl_id": pipeline.crawl_id, "crawl_db": here})
            logger.info("writer opens crawl %s for run %s", pipeline.crawl_id, run_id)
        self.pipeline, self.run_id = pipeline, run_id

    def _state(self) -> str:
        p = self.pipeline
        return json.dumps({"counts": dict(p.counts), "errors": dict(p.errors), "expected": p.expected,
                           "blogs": sorted(p.posts_seen)})

    def write(self, data: bytes) -> None:
        item, captures = decode_message(data)
        if item is None:  # records no item claimed (robots.txt, redirect hops)
            self.pipeline.index_captures(captures)
        else:
            for capture in captures:  # claimed by the item, committed with it
                self.pipeline.capture_written(capture)
            self.pipeline.process_item(item)  # the same code as the embedded crawl: store.save_*
        if self.pipeline.unwritable:  # not kept: the item goes back and waits for room
            self.r.lmove(K.processing, K.items, "LEFT", "RIGHT")
            raise ArchiveUnwritable(self.pipeline.unwritable)
        self.written += 1
        if self.crash_after and self.written >= self.crash_after:
            os.kill(os.getpid(), signal.SIGKILL)  # tests: die after the commit, before the ack
        pipe = self.r.pipeline(transaction=True)
        pipe.lrem(K.processing, 1, data)
        pipe.hset(K.writer, "state", self._state())
        if isinstance(item, items_module.Post):
            pipe.sadd(K.writer_seen, f"{item.blog_id}\t{item.id}")
        if item is not None:
            note_saved(pipe, item)  # a worker taking the blog over skips what is saved
        pipe.execute()

    def finish(self) -> dict:
        """The run's `crawls` row, as the embedded crawl writes it."""
        p = self.pipeline
        for member in self.r.sscan_iter(K.writer_seen, count=1000):
            blog, post = text(member).split("\t", 1)
            p.posts_seen[blog].add(post)
        p.close_spider()
        summary = end_crawl(p, [], "finished")
        pipe = self.r.pipeline(transaction=True)
        pipe.hset(K.run, mapping={"state": "finished", "finished": store.now()})
        pipe.delete(K.writer, K.writer_seen)
        pipe.execute()
        self.pipeline = None
        if summary is not None:  # the row itself could not be written (disk full)
            return summary
        db = store.open_db(self.db_path)
        try:
            row = store.recent_crawls(db, limit=1)[0]
        finally:
            db.close()
        logger.info("run %s finished: crawl %s %s", self.run_id, row["id"], row["status"])
        return row

    def loop(self, exit_when_done: bool = False, poll: float = 0.5, on_finish=None) -> dict | None:
        self.recover()
        last_check = 0.0
        while True:
            run = self.queue.run()
            if run.get("id") and run.get("state") == "running" and \
                    (self.pipeline is None or self.run_id != run["id"]):
                self._open(run["id"])
            data = self.r.blmove(K.items, K.processing, poll, "RIGHT", "LEFT")
            if data is not None:
                if self.pipeline is None:  # items without a run (pushed by hand): keep them
                    self.r.lmove(K.processing, K.items, "LEFT", "RIGHT")
                    time.sleep(poll)
                    continue
                self.write(data)
                continue
            now = time.monotonic()
            if now - last_check >= 1.0:
                last_check = now
                self.queue.requeue_dead()
                if self.pipeline is not None and self.queue.drained():
                    time.sleep(0.2)
                    if self.queue.drained():  # twice: no worker between taking and pushing
                        row = self.finish()
                        if on_finish:
                            on_finish(row)
                        if exit_when_done:
                            return row


def run_writer(redis_url: str, db_path: str, overrides: dict | None = None,
               exit_when_done: bool = False, on_finish=None) -> dict | None:
    """Raises store.StoreError (archive unusable or locked) and ArchiveUnwritable."""
    settings = project_settings(overrides)
    r = connect(redis_url)
    store.open_db(db_path).close()
    try:
        with exclusive(db_path):
            return Writer(r, db_path, settings).loop(exit_when_done=exit_when_done,
                                                     on_finish=on_finish)
    except Busy as e:
        raise store.StoreError(str(e)) from None
