"""Post pages read in worker processes, beside the crawl's own process.

Reading a post page (its lxml tree, the sanitised body, the plain text, comments and
images: a third of a crawl's CPU) depends only on the page and on what the blog said of
it, so it can run on another core while the crawl's process fetches, plans and stores.
The spider hands a page over (``PostPage``: platform name, URL, body, encoding,
the plan's evidence) and gets back what ``platform.parse_post`` and ``platform.links``
would have given it in-process (``Reading``); everything stateful stays in the crawl's
process. Setting ``BLOGARCHIVE_PARSE_WORKERS`` (``crawl --parse-workers N``): 0 reads every
page in the crawl's process.

A page the workers cannot read for any reason (a worker killed or crashed, an error other
than the evidence rule's refusal, a result that cannot be sent back) is read again in the
crawl's process, so the outcome is always what reading it there gives.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass

from parsel import Selector
from w3lib.encoding import html_to_unicode
from w3lib.html import get_base_url

from . import platforms
from .items import Post
from .platforms.base import Link

logger = logging.getLogger(__name__)

# Pools replaced after a worker died; past this many, every page is read in the crawl's process.
MAX_RESTARTS = 3


def worker_count(value) -> int:
    """``BLOGARCHIVE_PARSE_WORKERS`` as a number of processes: N (0-64), or "auto": one
    reader beside the crawl where there is a second core to run it on."""
    value = str(value).strip().lower()
    if value == "auto":
        try:
            cores = len(os.sched_getaffinity(0))
        except AttributeError:
            cores = os.cpu_count() or 1
        return 1 if cores >= 2 else 0
    if not (value.isdigit() and int(value) <= 64):
        raise ValueError(f"{value!r}: a number of processes (0-64) or auto")
    return int(value)


@dataclass
class PostPage:
    """A post page as a worker reads it: what the platforms read of a response (its URL,
    text and selector), from its body and encoding, and the plan's evidence. Reading
    anything else of the page (headers, meta) fails in the worker, and the page is then
    read in the crawl's process."""

    platform: str
    url: str
    body: bytes
    encoding: str  # the response's, as Scrapy resolved it (declared, or inferred from the body)
    listed: dict
    links: bool  # also the page's links (the plan follows a post's links)

    @property
    def text(self) -> str:
        text = self.__dict__.get("_text")
        if text is None:  # as Scrapy decodes a page whose encoding is known
            text = self.__dict__["_text"] = html_to_unicode(f"charset={self.encoding}", self.body)[1]
        return text

    @property
    def selector(self) -> Selector:
        tree = self.__dict__.get("_tree")
        if tree is None:  # as Scrapy builds an HTML page's selector
            tree = self.__dict__["_tree"] = Selector(
                text=self.text, type="html", base_url=get_base_url(self.text[:4096], self.url, self.encoding))
        return tree

    def css(self, query: str):
        return self.selector.css(query)

    def xpath(self, query: str, **kwargs):
        return self.selector.xpath(query, **kwargs)


@dataclass
class Reading:
    post: Post | None
    refusal: str = ""  # the evidence rule's reason (its ValueError) when there is no post
    links: list[Link] | None = None


def read(page: PostPage) -> Reading:
    """In a worker: the page read as the spider reads it in-process."""
    platform = platforms.by_name(page.platform)
    try:
        post = platform.parse_post(page, page.listed)
    except ValueError as e:
        return Reading(None, str(e))
    return Reading(post, links=list(platform.links(page)) if page.links else None)


def _worker_start(parent: int) -> None:
    # Ctrl-C reaches the whole process group: the crawl's process decides when to stop.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from .malloc import hold_mmap_threshold

    hold_mmap_threshold()  # page-sized buffers given back, as in the crawl's process
    # A worker waits for pages on a pipe it holds both ends of: when the crawl's process is
    # killed outright, nothing else would tell it to go.
    threading.Thread(target=_orphaned, args=(parent,), daemon=True).start()


def _ready() -> None:
    """Run once by a new worker: it has imported the platforms (unpickling this function)."""


def _orphaned(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(0)


class _Pool:
    """Worker processes shared by the crawls of one process (`blogarchive worker` crawls
    several blogs at once): started at the first page, shut down when the last crawl closes.
    Until a new pool's workers are up (a fraction of a second: a new interpreter imports the
    platforms), pages are read in the crawl's process rather than waiting for them."""

    shared: dict[int, _Pool] = {}

    def __init__(self, workers: int):
        self.workers = workers
        self.executor: ProcessPoolExecutor | None = None
        self.ready = None  # a new pool's first (empty) task: done when a worker is up
        self.restarts = 0
        self.users = 0

    def get(self) -> ProcessPoolExecutor | None:
        """The pool, when its workers are up and reading."""
        if self.executor is None and self.restarts <= MAX_RESTARTS:
            import multiprocessing

            # Not forked: the crawl's process has threads (DNS, WARC writer) and a reactor.
            self.executor = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"),
                                                initializer=_worker_start, initargs=(os.getpid(),))
            self.ready = self.executor.submit(_ready)
        return self.executor if self.executor is not None and self.ready.done() else None

    def broken(self, executor: ProcessPoolExecutor) -> bool:
        """A worker died: a new pool at the next page. False when another page already said so."""
        if executor is not self.executor:
            return False
        self.executor = None
        self.restarts += 1
        executor.shutdown(wait=False, cancel_futures=True)
        if self.restarts > MAX_RESTARTS:
            logger.warning("a page-reading process died %d times: every page is now read in the "
                           "crawl's own process", self.restarts)
        else:
            logger.warning("a page-reading process died; its pages are read in the crawl's own "
                           "process, and a new one is started")
        return True

    def close(self) -> None:
        if self.executor is not None:
            self.executor.shutdown(wait=True, cancel_futures=True)
            self.executor = None


class Readers:
    """One crawl's use of the process's page-reading workers (``BLOGARCHIVE_PARSE_WORKERS``)."""

    def __init__(self, workers: int, crawler=None):
        self.crawler = crawler  # its stats count the pages read by workers, and failures
        self.pool = _Pool.shared.setdefault(workers, _Pool(workers))
        self.pool.users += 1
        self.closed = False

    async def read(self, page: PostPage) -> Reading | None:
        """The page read by a worker; None when it must be read in this process instead."""
        executor = self.pool.get()
        if executor is None:
            return None
        try:
            reading = await asyncio.wrap_future(executor.submit(read, page))
            self._count("read")
            return reading
        except BrokenProcessPool:
            if self.pool.broken(executor):
                self._count("died")
        except Exception as e:  # read again here, where it raises (or not) as it always did
            logger.debug("%s: not read by a worker (%s: %s); reading it here", page.url, type(e).__name__, e)
        self._count("read_here")
        return None

    def _count(self, what: str) -> None:
        if self.crawler is not None:
            self.crawler.stats.inc_value(f"blogarchive/readers/{what}")

    def close(self) -> None:
        """This crawl is over; the last one out shuts the workers down."""
        if self.closed:
            return
        self.closed = True
        self.pool.users -= 1
        if self.pool.users == 0:
            _Pool.shared.pop(self.pool.workers, None)
            self.pool.close()
