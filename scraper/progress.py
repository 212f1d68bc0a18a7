"""Progress on long commands: a live line on a terminal, quiet without one.

- ``Progress``, the crawl's Scrapy extension: reads Scrapy's stats (the pipeline
  counts posts and images into them), so the numbers are the same ones `crawls`
  records at the end; periodic log lines when the log goes to a file.
- ``steps()``, for every other long command (import, export, run, reparse, the
  benchmarks)::

      with steps("importing posts") as progress:
          progress.total(len(posts))
          for post in posts:
              ...
              progress.advance()

  On a terminal (stderr), a bar with counts, elapsed and remaining time that is
  erased when done; without one (cron, CI, pipes) or with
  ``BLOGARCHIVE_PROGRESS=off``, nothing at all.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import time
from typing import Iterator, TextIO

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


# -- any other long command ------------------------------------------------------------


class Steps:
    """What a long command tells its progress line; this one tells nobody."""

    def total(self, n: int | None) -> None:
        """How many steps there are, once known (None: unknown, a spinner)."""

    def advance(self, n: int = 1) -> None:
        """n more steps done."""

    def describe(self, text: str) -> None:
        """What is being done now."""


class _LiveSteps(Steps):
    def __init__(self, bar, task):
        self.bar, self.task = bar, task

    def total(self, n):
        self.bar.update(self.task, total=n)

    def advance(self, n=1):
        self.bar.advance(self.task, n)

    def describe(self, text):
        self.bar.update(self.task, description=text)


def live(stream: TextIO | None = None) -> bool:
    """A person is watching: the stream is a terminal and progress is not turned off."""
    stream = stream or sys.stderr
    return os.environ.get("BLOGARCHIVE_PROGRESS", "") != "off" and stream.isatty()


@contextlib.contextmanager
def steps(description: str, total: int | None = None, *,
          stream: TextIO | None = None) -> Iterator[Steps]:
    """A progress line for a long command: see the module's docstring."""
    stream = stream or sys.stderr
    if not live(stream):
        yield Steps()
        return
    from rich.console import Console
    from rich.progress import (BarColumn, MofNCompleteColumn, Progress, SpinnerColumn,
                               TextColumn, TimeElapsedColumn, TimeRemainingColumn)

    columns = [SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
               MofNCompleteColumn(), TimeElapsedColumn(), TimeRemainingColumn()]
    # Lines printed meanwhile go above the bar when they share its terminal; output sent
    # elsewhere (a file, a pipe) stays where it was sent.
    with Progress(*columns, console=Console(file=stream), transient=True,
                  redirect_stdout=sys.stdout.isatty(), redirect_stderr=False) as bar:
        yield _LiveSteps(bar, bar.add_task(description, total=total))
