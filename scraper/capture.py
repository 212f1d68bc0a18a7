"""Every HTTP exchange of a crawl kept as fetched, in WARC files beside the archive.

A downloader middleware placed next to the network (after every other
middleware has set its request headers, before decompression, redirects and
retries see the response), so each hop of a redirect, each retried answer,
robots.txt, feeds, sitemaps and images are all written as they came. It hands
each record's place to the pipeline through the ``capture_written`` signal;
the pipeline commits the `captures` row with the item it belongs to.

``BLOGARCHIVE_WARC``: ``all`` (default), ``pages`` (no images), ``none``.
"""

from __future__ import annotations

import datetime as dt
import logging
from concurrent.futures import Future, ThreadPoolExecutor

from scrapy import signals
from scrapy.exceptions import NotConfigured

from . import store
from .urls import host
from .warcfiles import Exchange, WarcFiles, seal, warc_date, warc_dir

logger = logging.getLogger(__name__)

MODES = ("all", "pages", "none")
capture_written = object()  # kwargs: capture (a dict; ``resolve`` it for store.save_captures)
capture_failed = object()  # kwargs: error (the WARC files cannot be written)


def resolve(capture: dict) -> dict | None:
    """The `captures` row of a record once it is written (None if it could not be).

    Records are compressed and appended by one writer thread, in order, so the
    crawl does not wait for them; the row is complete when its item is saved.
    """
    pending = capture.pop("written", None)
    if pending is None:
        return capture
    try:
        written = pending.result()
    except OSError:
        return None
    previous = capture.pop("previous_id", None)
    capture.update(record_type=written.record_type, warc_file=written.warc_file,
                   offset=written.offset, length=written.length, digest=written.digest,
                   revisit_of=previous if written.record_type == "revisit" else None)
    return capture


class WarcCapture:
    def __init__(self, crawler, mode: str, folder, max_bytes: int):
        self.crawler = crawler
        self.mode = mode
        self.folder = folder
        self.max_bytes = max_bytes
        self.files: dict[str, WarcFiles] = {}
        self.broken = ""
        self._archive = None
        # One thread, so records are appended in order; zlib and the writes leave the GIL.
        self.writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="warc")

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        mode = settings.get("BLOGARCHIVE_WARC", "all")
        if mode not in MODES:
            raise ValueError(f"BLOGARCHIVE_WARC={mode!r}: use one of {', '.join(MODES)}")
        if mode == "none":
            raise NotConfigured
        folder = settings.get("BLOGARCHIVE_WARC_DIR") or warc_dir(settings.get("BLOGARCHIVE_DB"))
        from pathlib import Path

        middleware = cls(crawler, mode, Path(folder), settings.getint("BLOGARCHIVE_WARC_MAX_BYTES"))
        crawler.signals.connect(middleware.opened, signal=signals.spider_opened)
        crawler.signals.connect(middleware.closed, signal=signals.spider_closed)
        return middleware

    def opened(self, spider):
        for name in seal(self.folder):
            logger.warning("WARC file %s was left open by a killed crawl: sealed at its last "
                           "whole record", name)

    def closed(self, spider, reason):
        self.writer.shutdown(wait=True)
        for files in self.files.values():
            try:
                files.close()
            except OSError as e:
                logger.error("could not close WARC file %s: %s", files.name, e)
        if self._archive is not None:
            self._archive.close()

    @property
    def archive(self):
        if self._archive is None:
            self._archive = store.open_db(self.crawler.settings.get("BLOGARCHIVE_DB"))
        return self._archive

    def process_response(self, request, response, spider=None):
        if self.broken or (self.mode == "pages" and request.meta.get("role") == "image"):
            return response
        spider = spider or self.crawler.spider
        self._capture(request, response, spider)
        return response

    def _written(self, future: Future) -> None:
        error = future.exception()
        if isinstance(error, OSError):  # a full disk: stop at the first failed write, keep the rest
            from twisted.internet import reactor

            reactor.callFromThread(self._failed, error)

    def _failed(self, error: OSError) -> None:
        if self.broken:
            return
        self.broken = str(error)
        logger.error("cannot write WARC files in %s (%s): stopping the crawl", self.folder, error)
        self.crawler.signals.send_catch_log(signal=capture_failed, error=f"WARC: {error}")

    def _files(self, request, spider) -> WarcFiles:
        blog = self._blog(request, spider)
        if blog not in self.files:
            # A worker of a distributed run names its files by run and worker (spider argument
            # ``warc_name``); a crawl on one machine by its crawl id.
            name = getattr(spider, "warc_name", None) or getattr(spider, "crawl_id", 0) or 0
            self.files[blog] = WarcFiles(self.folder, blog, name, self.max_bytes)
        return self.files[blog]

    @staticmethod
    def _blog(request, spider) -> str:
        """The blog a request serves: its own host if it is a seed's, else the page that
        named it (images, CDNs), else the first seed."""
        seeds = [host(s) for s in getattr(spider, "seeds", [])]
        for url in (request.url, request.headers.get("Referer", b"").decode("latin-1")):
            if url and host(url) in seeds:
                return host(url)
        return seeds[0] if seeds else host(request.url)

    def _capture(self, request, response, spider) -> None:
        now = dt.datetime.now(dt.timezone.utc)
        exchange = Exchange(
            url=request.url,
            method=request.method,
            request_headers=_pairs(request.headers),
            request_body=request.body or b"",
            protocol=getattr(response, "protocol", None) or "HTTP/1.1",
            status=response.status,
            response_headers=_pairs(response.headers),
            body=response.body,
            fetched_at=now,
        )
        previous = store.last_capture(self.archive, request.url)
        if previous is not None:
            previous["warc_date"] = warc_date(dt.datetime.fromisoformat(previous["fetched_at"]))
        written = self.writer.submit(self._files(request, spider).write, exchange, previous)
        written.add_done_callback(self._written)
        capture = {
            "url": request.url,
            "status": response.status,
            "content_type": response.headers.get("Content-Type", b"").decode("latin-1"),
            "fetched_at": now.isoformat(timespec="seconds"),
            "role": request.meta.get("role") or ("robots" if request.url.endswith("/robots.txt")
                                                 else ""),
            "written": written,
            "previous_id": previous["id"] if previous else None,
        }
        self.crawler.signals.send_catch_log(signal=capture_written, capture=capture)


def _pairs(headers) -> list[tuple[str, str]]:
    return [(name.decode("latin-1"), value.decode("latin-1"))
            for name, values in headers.items() for value in values]
