"""Items on their way from the workers to the writer, and what the workers count.

Items travel as JSON (dataclasses tagged with their type, bytes in base64), so the
writer rebuilds exactly what the spider yielded and saves it with the same code.
"""

from __future__ import annotations

import base64
import dataclasses
import json

from scrapy import signals

from .. import images as images_module
from .. import items as items_module
from .queue import K, connect

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


def encode_item(item) -> bytes:
    return json.dumps(_encode(item), ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def decode_item(data: bytes):
    return _decode(json.loads(data))


class PushItems:
    """Item pipeline of a worker: every item into the Redis list the writer drains."""

    def __init__(self, client):
        self.r = client

    @classmethod
    def from_crawler(cls, crawler):
        return cls(connect(crawler.settings.get("BLOGARCHIVE_REDIS_URL")))

    def process_item(self, item, spider=None):
        self.r.lpush(K.items, encode_item(item))
        return item


class WorkerStats:
    """Extension of a worker's crawls: requests and responses, summed in Redis for the
    writer's `crawls` row and for `blogarchive queue` (per worker, live)."""

    def __init__(self, crawler):
        self.r = connect(crawler.settings.get("BLOGARCHIVE_REDIS_URL"))
        self.worker_id = crawler.settings.get("BLOGARCHIVE_WORKER_ID")
        crawler.signals.connect(self.response_received, signal=signals.response_received)
        crawler.signals.connect(self.request_reached, signal=signals.request_reached_downloader)

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
