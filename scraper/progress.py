"""Progress while a crawl runs: a live line on a terminal, periodic log lines elsewhere.

Reads Scrapy's stats (the pipeline counts posts and images into them), so the
numbers are the same ones `crawls` records at the end.
"""

from __future__ import annotations

import logging
import time

from scrapy import signals
from scrapy.exceptions import NotConfigured
from twisted.internet import task

logger = logging.getLogger(__name__)


class Progress:
    def __init__(self, crawler, mode: str, interval: float):
        self.crawler = crawler
        self.mode = mode
        self.interval = interval
        self.started = time.monotonic()
        self.loop = None
        self.live = None

    @classmethod
    def from_crawler(cls, crawler):
        mode = crawler.settings.get("BLOGARCHIVE_PROGRESS", "log")
        if mode == "off":
            raise NotConfigured
        interval = 0.5 if mode == "rich" else crawler.settings.getfloat("BLOGARCHIVE_PROGRESS_INTERVAL", 30)
        ext = cls(crawler, mode, interval)
        crawler.signals.connect(ext.opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.closed, signal=signals.spider_closed)
        return ext

    def snapshot(self) -> dict:
        stats = self.crawler.stats
        get = lambda key: stats.get_value(key, 0) or 0  # noqa: E731
        elapsed = max(time.monotonic() - self.started, 1e-6)
        pages = get("response_received_count")
        return {
            "pages": pages,
            "new": get("blogarchive/posts_new"),
            "updated": get("blogarchive/posts_updated"),
            "unchanged": get("blogarchive/posts_unchanged"),
            "images": get("blogarchive/images_new"),
            "errors": get("blogarchive/errors"),
            "queued": get("scheduler/enqueued") - get("scheduler/dequeued"),
            "rate": pages / elapsed,
            "elapsed": elapsed,
        }

    def line(self) -> str:
        s = self.snapshot()
        return (f"{s['pages']} pages ({s['rate']:.1f}/s), posts new {s['new']} updated {s['updated']} "
                f"unchanged {s['unchanged']}, images {s['images']}, errors {s['errors']}, "
                f"queued {s['queued']}, {s['elapsed']:.0f}s")

    def opened(self, spider):
        if self.mode == "rich":
            from rich.console import Console
            from rich.live import Live

            self.live = Live(self.line(), console=Console(stderr=True), refresh_per_second=4,
                             transient=True)
            self.live.start()
        self.loop = task.LoopingCall(self.tick)
        self.loop.start(self.interval, now=False)

    def tick(self):
        if self.live is not None:
            self.live.update(self.line())
        else:
            logger.info("progress: %s", self.line())

    def closed(self, spider, reason):
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        if self.live is not None:
            self.live.stop()
