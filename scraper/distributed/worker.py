"""`blogarchive worker`: take blogs from the queue and crawl each with the `blog` spider.

One process runs several crawls at once (``BLOGARCHIVE_WORKER_BLOGS``), each an
ordinary Scrapy crawler of one queue entry, started through the public
CrawlerProcess API; its items go to Redis (PushItems) instead of SQLite.
"""

from __future__ import annotations

import logging
import os
import signal
import tempfile
import threading
import time
from pathlib import Path

from scrapy.crawler import Crawler, CrawlerProcess
from scrapy.utils.reactor import install_reactor

from ..runner import project_settings
from ..spiders.blog import BlogSpider
from ..warcfiles import slug, warc_dir
from .queue import K, BlogQueue, connect, worker_name
from .resume import saved, scratch_archive

logger = logging.getLogger(__name__)

SCRATCH_PRIORITY = 50  # Scrapy's highest named priority, "cmdline", is 40
DEFAULT_WARC_DIR = "blogarchive.warc"  # without --warc-dir or --archive, in the current folder


def worker_settings(redis_url: str, worker_id: str, overrides: dict | None = None):
    settings = project_settings()
    extensions = dict(settings.getdict("EXTENSIONS"))
    extensions["scraper.distributed.transport.WorkerStats"] = 100
    for name, value in {
        "BLOGARCHIVE_REDIS_URL": redis_url,
        "BLOGARCHIVE_WORKER_ID": worker_id,
        "ITEM_PIPELINES": {"scraper.distributed.transport.PushItems": 300},
        "EXTENSIONS": extensions,
        "DOWNLOAD_HANDLERS": {"http": "scraper.distributed.gate.GatedHTTPHandler",
                              "https": "scraper.distributed.gate.GatedHTTPHandler"},
        "BLOGARCHIVE_PROGRESS": "off",
    }.items():
        settings.set(name, value, priority="project")
    for name, value in (overrides or {}).items():
        settings.set(name, value, priority="cmdline")
    return settings


class Worker:
    def __init__(self, redis_url: str, overrides: dict | None = None, archive: str | None = None,
                 exit_when_done: bool = False, warc_folder: str | None = None):
        self.worker_id = worker_name()
        self.queue = BlogQueue(connect(redis_url), self.worker_id)
        self.scratch = None
        overrides = dict(overrides or {})
        if archive:
            overrides["BLOGARCHIVE_DB"] = str(archive)  # read only: what earlier runs hold
        else:  # nothing archived as far as the spider knows: every run is a first crawl
            self.scratch = tempfile.TemporaryDirectory(prefix="blogarchive-worker-")
            overrides["BLOGARCHIVE_DB"] = str(Path(self.scratch.name) / "empty.db")
        # This worker's own WARC files (named by worker, so folders of several workers and
        # machines can be gathered into one): beside the archive, else in the current folder.
        overrides.setdefault("BLOGARCHIVE_WARC_DIR", str(Path(
            warc_folder or (warc_dir(archive) if archive else DEFAULT_WARC_DIR)).resolve()))
        self.settings = worker_settings(redis_url, self.worker_id, overrides)
        self.at_once = max(1, self.settings.getint("BLOGARCHIVE_WORKER_BLOGS", 8))
        self.ttl = self.settings.getfloat("BLOGARCHIVE_WORKER_TTL", 15)
        # A crawl with no answer from the network for this long gives its blog back (the
        # worker still beats, so only this tells a hung crawl from a slow one).
        self.lease_timeout = self.settings.getfloat("BLOGARCHIVE_LEASE_TIMEOUT", 600)
        self.exit_when_done = exit_when_done
        self.process = CrawlerProcess(self.settings)
        self.crawls: dict[str, tuple[dict, object]] = {}  # entry id → (entry, crawler)
        self.run_id: str | None = None
        self.lost: set[str] = set()  # leases taken back from this worker
        self.last_check = 0.0
        self.stopping = 0  # signals received
        self.failed = ""  # why this worker stopped on its own (its WARC folder is full)

    def run(self) -> None:
        # The reactor the crawls will ask for, installed before this loop takes one.
        install_reactor(self.settings["TWISTED_REACTOR"], self.settings["ASYNCIO_EVENT_LOOP"])
        from twisted.internet import reactor, task

        self.queue.heartbeat(self.ttl)
        # The heartbeat has its own thread: a page that takes seconds to parse must not
        # make this worker look dead to the others.
        threading.Thread(target=self.beat, daemon=True, name="heartbeat").start()
        loop = task.LoopingCall(self.tick)
        reactor.callWhenRunning(loop.start, 0.2)
        signal.signal(signal.SIGTERM, self.on_signal)
        signal.signal(signal.SIGINT, self.on_signal)
        logger.info("worker %s joined the queue", self.worker_id)
        if self.settings.get("BLOGARCHIVE_WARC", "all") != "none":
            logger.info("pages as fetched go to %s", self.settings.get("BLOGARCHIVE_WARC_DIR"))
        try:
            self.process.start(stop_after_crawl=False, install_signal_handlers=False)
        finally:
            self.queue.requeue_dead(only_worker=self.worker_id)  # whatever is still held
            self.queue.leave()
            if self.scratch is not None:
                self.scratch.cleanup()

    def beat(self) -> None:
        every = max(0.2, min(self.ttl / 4, 5))
        while True:
            try:
                self.queue.heartbeat(self.ttl, blogs=len(self.crawls))
            except Exception:  # Redis away for a moment: try again, the TTL is the judge
                logger.exception("heartbeat failed")
            time.sleep(every)

    def tick(self) -> None:
        try:
            self._tick()
        except Exception:  # Redis away for a moment: said, and tried again at the next tick
            logger.exception("worker %s could not reach the queue", self.worker_id)

    def _tick(self) -> None:
        from twisted.internet import reactor

        now = time.monotonic()
        if now - self.last_check >= max(0.5, min(self.ttl / 3, 5)):
            self.last_check = now
            self.queue.requeue_dead()  # any worker may put back what a dead one held
            mine = self.queue.mine()
            for entry_id, (entry, crawler) in list(self.crawls.items()):
                if entry_id not in mine and entry_id not in self.lost:
                    # Taken back while this worker looked dead: another one crawls it now.
                    logger.warning("lost the lease of %s; stopping its crawl", entry["host"])
                    self.lost.add(entry_id)
                    crawler.stop()
        if self.stopping:
            if not self.crawls and reactor.running:
                reactor.stop()
            return
        while len(self.crawls) < self.at_once:
            entry = self.queue.take(timeout=self.lease_timeout)
            if entry is None:
                break
            self.start(entry)
        if self.exit_when_done and not self.crawls and self.run_finished():
            logger.info("the run is finished; worker %s stops", self.worker_id)
            self.stopping = 1
            reactor.stop()

    def start(self, entry: dict) -> None:
        logger.info("crawling %s", " ".join(entry["urls"]))
        crawler = self._crawler(entry)
        self.crawls[entry["id"]] = (entry, crawler)
        run = self.queue.run().get("id") or "run"
        d = self.process.crawl(crawler, urls=list(entry["urls"]), full=entry.get("full", False),
                               warc_name=f"{run}-{slug(self.worker_id)}", lease_id=entry["id"])
        d.addBoth(self.ended, entry, crawler)

    def _crawler(self, entry: dict):
        """A crawler of the blog; of one taken over, with what the writer already saved."""
        if self.scratch is not None:  # no archive here: what was saved is noted in Redis
            blog, posts = saved(self.queue.r, entry["host"])
            if blog and posts:
                path = scratch_archive(Path(self.scratch.name) / f"{entry['id']}.db", blog, posts)
                settings = self.settings.copy()
                # Above "cmdline": CrawlerProcess.crawl merges its own settings into a crawler
                # given to it, where they are not set at a higher priority.
                settings.set("BLOGARCHIVE_DB", str(path), priority=SCRATCH_PRIORITY)
                logger.info("%s: taken over, %d posts already saved are skipped", entry["host"],
                            len(posts))
                return Crawler(BlogSpider, settings)
        return self.process.create_crawler(BlogSpider)

    def ended(self, result, entry: dict, crawler) -> None:
        self.crawls.pop(entry["id"], None)
        reason = crawler.stats.get_value("finish_reason") if crawler.stats else None
        if entry["id"] in self.lost:
            self.lost.discard(entry["id"])
        elif reason == "warc_unwritable":  # this machine's disk is full: another worker goes on
            self.queue.give_back(entry)
            self.failed = (f"the WARC folder {self.settings.get('BLOGARCHIVE_WARC_DIR')} takes no "
                           f"more records; {entry['host']} went back to the queue for another "
                           "worker: free some space and start this one again")
            logger.error("%s", self.failed)
            self.stopping = max(self.stopping, 1)
        elif self.stopping or reason == "shutdown":
            self.queue.give_back(entry)  # not crawled to its end: another worker starts it again
            logger.info("gave back %s (%s)", entry["host"], reason)
        else:
            self.queue.done(entry)
            self.queue.r.hincrby(K.stats, "blogs_done", 1)
            logger.info("done with %s (%s)", entry["host"], reason)
        if hasattr(result, "printTraceback"):  # a crawl that raised: said, not swallowed
            logger.error("crawl of %s failed: %s", entry["host"], result.getErrorMessage())

    def run_finished(self) -> bool:
        """The run this worker took part in is written (a worker started before any run waits)."""
        run = self.queue.run()
        if self.run_id is None and run.get("state") == "running":
            self.run_id = run.get("id")
        return bool(self.run_id) and run.get("id") == self.run_id and run.get("state") == "finished"

    def on_signal(self, signum, frame) -> None:
        """First SIGTERM/SIGINT: the crawls stop as Scrapy stops them (requests in flight are
        answered) and their blogs go back to the queue. A second one: at once."""
        from twisted.internet import reactor

        self.stopping += 1
        if self.stopping == 1:
            logger.info("stopping: the blogs being crawled go back to the queue (signal again to "
                        "stop now)")
            reactor.callFromThread(self.process.stop)
        else:
            self.queue.requeue_dead(only_worker=self.worker_id)
            self.queue.leave()
            os._exit(1)


def run_worker(redis_url: str, overrides: dict | None = None, archive: str | None = None,
               exit_when_done: bool = False, warc_folder: str | None = None) -> str:
    """Returns why the worker stopped on its own ("" when it was asked to, or is done)."""
    worker = Worker(redis_url, overrides, archive, exit_when_done, warc_folder)
    worker.run()
    return worker.failed
