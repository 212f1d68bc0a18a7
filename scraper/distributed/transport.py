"""Items on their way from the workers to the writer, and what the workers count.

Items travel as JSON (dataclasses tagged with their type, bytes in base64), so the
writer rebuilds exactly what the spider yielded and saves it with the same code.
The places of the WARC records an item was read from (the worker's own files)
travel in the same message, so the writer commits the `captures` rows with the
item; records no item claims (robots.txt, redirect hops) travel on their own.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import logging
import time
from collections import OrderedDict

from scrapy import signals
from scrapy.utils.defer import deferred_from_coro

from .. import images as images_module
from .. import items as items_module
from ..capture import capture_failed, capture_written, resolve
from ..pipelines import capture_urls
from .queue import K, connect

logger = logging.getLogger(__name__)
CAPTURES = "__captures__"  # key of a message's WARC record places

ITEM_TYPES = {cls.__name__: cls for cls in vars(items_module).values()
              if isinstance(cls, type) and dataclasses.is_dataclass(cls)}
ITEM_TYPES["ImageInfo"] = images_module.ImageInfo


def _encode(value):
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        data = {f.name: _encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
        data["__type__"] = type(value).__name__
        return data
    if isinstance(value, (bytes, bytearray)):
        return {"__bytes__": base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, dict):
        return {str(k): _encode(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_encode(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted(_encode(v) for v in value)
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(f"cannot queue a {type(value).__name__}")


def _decode(value):
    if isinstance(value, list):
        return [_decode(v) for v in value]
    if not isinstance(value, dict):
        return value
    if "__bytes__" in value and len(value) == 1:
        return base64.b64decode(value["__bytes__"])
    data = {k: _decode(v) for k, v in value.items() if k != "__type__"}
    if "__type__" in value:
        return ITEM_TYPES[value["__type__"]](**data)
    return data


def encode_item(item, captures: list[dict] | None = None) -> bytes:
    """An item (or None: records only) and the `captures` rows of its WARC records."""
    data = _encode(item) if item is not None else {}
    if captures:
        data[CAPTURES] = captures
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def decode_message(data: bytes) -> tuple[object | None, list[dict]]:
    """(the item or None, the `captures` rows that go with it)."""
    value = json.loads(data)
    captures = value.pop(CAPTURES, [])
    return (_decode(value) if value else None), captures


def decode_item(data: bytes):
    return decode_message(data)[0]


class PushItems:
    """Item pipeline of a worker: every item into the Redis list the writer drains, with
    the places of the records it was read from (scraper/capture.py, the worker's files)."""

    MAX_PENDING_URLS = 500

    def __init__(self, client, crawler=None):
        self.r = client
        self.crawler = crawler
        # WARC records written, by URL, waiting for the item that says what they hold.
        self.captures: OrderedDict[str, list[dict]] = OrderedDict()
        self.broken = ""  # the WARC folder takes no more records: nothing more is pushed

    @classmethod
    def from_crawler(cls, crawler):
        pipeline = cls(connect(crawler.settings.get("BLOGARCHIVE_REDIS_URL")), crawler)
        crawler.signals.connect(pipeline.capture_written, signal=capture_written)
        crawler.signals.connect(pipeline.capture_failed, signal=capture_failed)
        # Before the worker gives the lease up: every record indexed is in the list by then.
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    def capture_written(self, capture: dict):
        self.captures.setdefault(capture["url"], []).append(capture)
        if len(self.captures) > self.MAX_PENDING_URLS:  # redirect hops, robots.txt: no item
            self._push_pending(self.MAX_PENDING_URLS // 2)

    def capture_failed(self, error: str):
        """The worker's WARC folder takes no more records: this crawl stops (the worker gives
        its blog back) rather than archive posts without their pages."""
        if self.broken:
            return
        self.broken = error
        logger.error("%s: stopping the crawl; its blog goes back to the queue", error)
        engine = getattr(self.crawler, "engine", None)
        if engine is not None:
            deferred_from_coro(engine.close_spider_async(reason="warc_unwritable"))

    def _rows(self, captures: list[dict]) -> list[dict] | None:
        """The `captures` rows, or None when a record could not be written."""
        rows = [resolve(capture) for capture in captures]  # waits for the record to be written
        if None in rows:
            self.capture_failed("a WARC record could not be written")
            return None
        return rows

    def _push_pending(self, keep: int = 0) -> None:
        taken = []
        while len(self.captures) > keep:
            taken.extend(self.captures.popitem(last=False)[1])
        rows = self._rows(taken)
        if rows and not self.broken:
            self.r.lpush(K.items, encode_item(None, rows))

    def spider_closed(self, spider, reason):
        self._push_pending()

    def process_item(self, item, spider=None):
        taken = []
        for url in capture_urls(item):
            taken.extend(self.captures.pop(url, []))
        rows = self._rows(taken)
        if self.broken:  # not kept as fetched: the worker taking the blog back fetches it again
            return item
        self.r.lpush(K.items, encode_item(item, rows))
        return item


class WorkerStats:
    """Extension of a worker's crawls: requests and responses, summed in Redis for the
    writer's `crawls` row and for `blogarchive queue` (per worker, live); and the lease's
    progress (a request back from the network, answered or failed), at most once a second."""

    PROGRESS_EVERY_S = 1.0

    def __init__(self, crawler):
        self.r = connect(crawler.settings.get("BLOGARCHIVE_REDIS_URL"))
        self.worker_id = crawler.settings.get("BLOGARCHIVE_WORKER_ID")
        self.progress_said = 0.0
        crawler.signals.connect(self.response_received, signal=signals.response_received)
        crawler.signals.connect(self.request_reached, signal=signals.request_reached_downloader)
        crawler.signals.connect(self.request_left, signal=signals.request_left_downloader)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def response_received(self, response, request, spider):
        pipe = self.r.pipeline(transaction=False)
        pipe.hincrby(K.stats, "responses", 1)
        pipe.hincrby(K.stats, f"worker:{self.worker_id}:responses", 1)
        pipe.execute()

    def request_reached(self, request, spider):
        self.r.hincrby(K.stats, "requests", 1)

    def request_left(self, request, spider):
        lease = getattr(spider, "lease_id", None)  # spider argument given by the worker
        now = time.monotonic()
        if lease and now - self.progress_said >= self.PROGRESS_EVERY_S:
            self.progress_said = now
            self.r.hset(K.progress, lease, time.time())
