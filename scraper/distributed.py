"""Scale out: many crawler processes share one frontier in Redis; one writer keeps the archive.

    blogarchive crawl  --redis redis://host:6379/0 URL…   seed the shared frontier, then exit
    blogarchive worker --redis redis://host:6379/0        crawl from it (any number, any machine)
    blogarchive writer --redis redis://host:6379/0 --db archive.db   the one process writing SQLite
    blogarchive queue  --redis redis://host:6379/0        what is queued, in flight, pending

It is the single-machine path, distributed, not a second crawler: the workers run
the same `blog` spider (navigation, platforms, per-blog bookkeeping) with
scrapy-redis' scheduler and a shared dupefilter; the writer drives the same
StorePipeline (and so the same store.save_* code) the embedded crawl uses.

What Redis holds (all keys under ``blogarchive:``; one Redis instance, not a Cluster):

- the frontier: one sorted set of serialised requests per host (``q:<host>``), a
  sorted set of hosts by the time their next request may start (``hosts``), so a
  worker always takes a request from a host that may be asked now: the per-host
  interval holds across every worker, and the hosts are interleaved;
- the dupefilter (``dupefilter``): fingerprints of the canonical URL, the platform's
  ``dedupe_key``, so a post is fetched once however many workers run;
- requests in flight (``inflight``): a popped request moves there atomically (Lua)
  and leaves only when its callback's items are in the item queue and its new
  requests in the frontier. A worker killed with SIGKILL stops its heartbeat; its
  entries go back to the frontier (any worker, the writer, or ``queue --requeue-stale``);
- the spider's per-blog bookkeeping (``site:<seed>…``): platform, blog id, mode, the
  feed's progress, listings that wait for the feed, posts the feed listed, comment
  counts: what one process kept in memory, shared by all workers;
- items (``items``), drained by the writer with LMOVE into ``items:processing`` and
  removed from there only after the SQLite commit; a writer that starts puts back
  what a dead writer left there. The writer owns the ``crawls`` row of the run.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
import logging
import os
import signal
import socket
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from pathlib import Path

import click
import redis as redis_lib

from . import images as images_module
from . import items as items_module
from . import platforms, store
from .spiders.blog import BlogSpider, Site
from .urls import host

logger = logging.getLogger(__name__)

PREFIX = "blogarchive"
_PLACEHOLDER_SEED = "http://distributed.invalid/"


class K:
    """Redis key names."""

    run = f"{PREFIX}:run"  # hash: id, state, started, seeds, crawl_id, finished
    sites = f"{PREFIX}:sites"  # set of seeds in this run
    hostmap = f"{PREFIX}:hostmap"  # hash: host → seed
    hosts = f"{PREFIX}:hosts"  # zset: host → when its next request may start (ms)
    hostnext = f"{PREFIX}:hostnext"  # hash: host → when its next request may start (ms)
    hostq = f"{PREFIX}:hostq"  # hash: host → requests queued
    hostdone = f"{PREFIX}:hostdone"  # hash: host → responses received
    queued = f"{PREFIX}:queued"  # counter: requests queued, all hosts
    seq = f"{PREFIX}:seq"  # counter: request order and in-flight ids
    dupefilter = f"{PREFIX}:dupefilter"
    inflight = f"{PREFIX}:inflight"  # hash: id → serialised request
    inflight_info = f"{PREFIX}:inflight:info"  # hash: id → {"w", "t", "h", "s"}
    items = f"{PREFIX}:items"
    processing = f"{PREFIX}:items:processing"
    stats = f"{PREFIX}:stats"  # hash: requests, responses, <worker>:responses, …
    writer = f"{PREFIX}:writer"  # hash: state (counts, errors, expected, blogs)
    writer_seen = f"{PREFIX}:writer:seen"  # set: "<blog id>\t<post id>" written in this run
    gate = f"{PREFIX}:gate:"  # + host: held for one interval by each request
    worker = f"{PREFIX}:worker:"  # + id: heartbeat, expires when the worker dies

    @staticmethod
    def queue(h: str) -> str:
        return f"{PREFIX}:q:{h}"

    @staticmethod
    def site(seed: str, part: str = "") -> str:
        return f"{PREFIX}:site:{seed}" + (f":{part}" if part else "")


def connect(url: str) -> redis_lib.Redis:
    client = redis_lib.Redis.from_url(url, socket_timeout=30, socket_connect_timeout=10,
                                      health_check_interval=30)
    client.ping()
    return client


def _s(value) -> str:
    return value.decode() if isinstance(value, bytes) else (value or "")


# -- the frontier: per-host queues, in flight, acknowledged -------------------------------

_NOW = "local t = redis.call('TIME'); local now = t[1] * 1000 + math.floor(t[2] / 1000)\n"

# KEYS: dupefilter, q:<host>, hosts, hostnext, hostq, queued, seq
# ARGV: fingerprint ('' = don't filter), host, priority, data
_PUSH = _NOW + """
if ARGV[1] ~= '' and redis.call('SADD', KEYS[1], ARGV[1]) == 0 then return 0 end
local order = redis.call('INCR', KEYS[7]) % 4294967296
local score = -tonumber(ARGV[3]) * 4294967296 + order
redis.call('ZADD', KEYS[2], score, ARGV[4])
if not redis.call('ZSCORE', KEYS[3], ARGV[2]) then
  local nxt = tonumber(redis.call('HGET', KEYS[4], ARGV[2]) or '0')
  redis.call('ZADD', KEYS[3], math.max(now, nxt), ARGV[2])
end
redis.call('HINCRBY', KEYS[5], ARGV[2], 1)
redis.call('INCR', KEYS[6])
return 1
"""

# KEYS: hosts, hostnext, hostq, queued, seq, inflight, inflight_info
# ARGV: worker id, interval (ms), queue key prefix
# → {0} nothing queued · {1, ms} nothing may start for ms · {2, id, data}
_POP = _NOW + """
for attempt = 1, 5 do
  local ready = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, 1)
  if #ready == 0 then
    local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
    if #first == 0 then return {0} end
    return {1, math.max(1, tonumber(first[2]) - now)}
  end
  local h = ready[1]
  local qk = ARGV[3] .. h
  local m = redis.call('ZRANGE', qk, 0, 0, 'WITHSCORES')
  if #m == 0 then
    redis.call('ZREM', KEYS[1], h)
  else
    redis.call('ZREMRANGEBYRANK', qk, 0, 0)
    local nxt = now + tonumber(ARGV[2])
    redis.call('HSET', KEYS[2], h, nxt)
    if redis.call('ZCARD', qk) == 0 then redis.call('ZREM', KEYS[1], h)
    else redis.call('ZADD', KEYS[1], nxt, h) end
    redis.call('HINCRBY', KEYS[3], h, -1)
    redis.call('DECR', KEYS[4])
    local id = tostring(redis.call('INCR', KEYS[5]))
    redis.call('HSET', KEYS[6], id, m[1])
    redis.call('HSET', KEYS[7], id, cjson.encode({w = ARGV[1], t = now, h = h, s = m[2]}))
    return {2, id, m[1]}
  end
end
return {1, 1}
"""

# KEYS: inflight, inflight_info, hosts, hostnext, hostq, queued   ARGV: id, queue key prefix
_REQUEUE = _NOW + """
local data = redis.call('HGET', KEYS[1], ARGV[1])
local info = redis.call('HGET', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
if not data or not info then return 0 end
info = cjson.decode(info)
redis.call('ZADD', ARGV[2] .. info.h, info.s, data)
if not redis.call('ZSCORE', KEYS[3], info.h) then
  local nxt = tonumber(redis.call('HGET', KEYS[4], info.h) or '0')
  redis.call('ZADD', KEYS[3], math.max(now, nxt), info.h)
end
redis.call('HINCRBY', KEYS[5], info.h, 1)
redis.call('INCR', KEYS[6])
return 1
"""

# KEYS: gate key   ARGV: interval (ms) → 0 when the request may start now, else ms to wait
_GATE = """
if redis.call('SET', KEYS[1], '1', 'PX', ARGV[1], 'NX') then return 0 end
return math.max(1, redis.call('PTTL', KEYS[1]))
"""


class Frontier:
    """The shared frontier in Redis, as scrapy-redis' scheduler and our workers use it."""

    def __init__(self, client: redis_lib.Redis, worker_id: str = "", interval: float = 0.0):
        self.r = client
        self.worker_id = worker_id
        self.interval_ms = max(0, int(round(interval * 1000)))
        self._push = client.register_script(_PUSH)
        self._pop = client.register_script(_POP)
        self._requeue = client.register_script(_REQUEUE)
        self._gate = client.register_script(_GATE)

    def push(self, data: bytes, request_host: str, priority: int, fingerprint: bytes | str = b"") -> bool:
        return bool(self._push(
            keys=[K.dupefilter, K.queue(request_host), K.hosts, K.hostnext, K.hostq, K.queued, K.seq],
            args=[fingerprint, request_host, int(priority), data]))

    def pop(self):
        """(id, data) of a request whose host may be asked now; else (None, ms to wait or None)."""
        result = self._pop(
            keys=[K.hosts, K.hostnext, K.hostq, K.queued, K.seq, K.inflight, K.inflight_info],
            args=[self.worker_id, self.interval_ms, K.queue("")])
        if result[0] == 2:
            return _s(result[1]), result[2]
        return None, (result[1] if result[0] == 1 else None)

    def ack(self, request_id: str) -> None:
        pipe = self.r.pipeline(transaction=True)
        pipe.hdel(K.inflight, request_id)
        pipe.hdel(K.inflight_info, request_id)
        pipe.execute()

    def requeue(self, request_id: str) -> bool:
        return bool(self._requeue(
            keys=[K.inflight, K.inflight_info, K.hosts, K.hostnext, K.hostq, K.queued],
            args=[request_id, K.queue("")]))

    def in_flight(self) -> dict[str, dict]:
        return {_s(k): json.loads(v) for k, v in self.r.hgetall(K.inflight_info).items()}

    def requeue_stale(self, timeout: float, only_worker: str | None = None) -> int:
        """Put back requests whose worker died (no heartbeat) or that have been out too long."""
        now_ms = time.time() * 1000
        entries = self.in_flight()
        alive: dict[str, bool] = {}
        count = 0
        for request_id, info in entries.items():
            worker = info.get("w", "")
            if only_worker is not None:
                stale = worker == only_worker
            else:
                if worker not in alive:
                    alive[worker] = bool(self.r.exists(K.worker + worker))
                stale = not alive[worker] or now_ms - float(info.get("t", 0)) > timeout * 1000
            if stale and self.requeue(request_id):
                count += 1
        if count:
            logger.warning("%d requests in flight put back in the queue%s", count,
                           "" if only_worker else " (their worker is gone or took too long)")
        return count

    def gate_wait(self, request_host: str) -> float:
        """0 when a request to this host may start now (and takes the host's interval), else seconds."""
        if not self.interval_ms:
            return 0.0
        return self._gate(keys=[K.gate + request_host], args=[self.interval_ms]) / 1000

    def queued(self) -> int:
        return int(self.r.get(K.queued) or 0)


def request_host(url: str) -> str:
    """The unit of politeness: host and port (fixture blogs differ by port)."""
    return host(url)


# -- scrapy-redis: scheduler, dupefilter, download handler -------------------------------

from scrapy import signals  # noqa: E402
from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler  # noqa: E402
from scrapy.exceptions import DontCloseSpider  # noqa: E402
from scrapy.utils.request import request_from_dict  # noqa: E402
from scrapy_redis import picklecompat  # noqa: E402
from scrapy_redis.dupefilter import RFPDupeFilter  # noqa: E402
from scrapy_redis.scheduler import Scheduler  # noqa: E402
from w3lib.url import canonicalize_url  # noqa: E402

FRONTIER_ID = "_frontier_id"


def _interval(settings) -> float:
    value = settings.get("BLOGARCHIVE_HOST_INTERVAL")
    if value in (None, ""):
        return settings.getfloat("DOWNLOAD_DELAY")
    return float(value)


class CanonicalDupeFilter(RFPDupeFilter):
    """scrapy-redis' dupefilter on the platform's canonical form of a URL (``dedupe_key``)."""

    spider = None

    @classmethod
    def from_spider(cls, spider):
        instance = cls(connect(spider.settings.get("REDIS_URL")), key=K.dupefilter,
                       debug=spider.settings.getbool("DUPEFILTER_DEBUG"))
        instance.spider = spider
        return instance

    def request_fingerprint(self, request) -> bytes:
        key = None
        spider = self.spider
        if spider is not None and hasattr(spider, "_site"):
            site = spider._site(request.url)
            if site is not None:
                key = spider._key(site, request.url)
        key = key or canonicalize_url(request.url)
        # 16 raw bytes (not 40 hex characters): the dupefilter is most of a large run's memory.
        return hashlib.sha1(f"{request.method} {key}".encode("utf-8") + (request.body or b"")).digest()[:16]

    def close(self, reason=""):
        pass  # shared with the other workers: never cleared by one of them


class FrontierScheduler(Scheduler):
    """scrapy-redis' scheduler over per-host queues, with requests in flight tracked."""

    def open(self, spider):
        self.spider = spider
        self.frontier = Frontier(self.server, spider.worker_id, _interval(spider.settings))
        spider.frontier = self.frontier
        self.df = CanonicalDupeFilter.from_spider(spider)
        self.draining = False
        queued = self.frontier.queued()
        if queued:
            spider.logger.info("joining the shared frontier (%d requests queued)", queued)

    def close(self, reason):
        pass  # the frontier outlives any one worker

    def enqueue_request(self, request) -> bool:
        # A retry or redirect of a request in flight carries its id: the new request gets its own.
        request.meta.pop(FRONTIER_ID, None)
        data = picklecompat.dumps(request.to_dict(spider=self.spider))
        fingerprint = b"" if request.dont_filter else self.df.request_fingerprint(request)
        if not self.frontier.push(data, request_host(request.url), request.priority, fingerprint):
            self.df.log(request, self.spider)
            return False
        if self.stats:
            self.stats.inc_value("scheduler/enqueued/redis")
        return True

    def next_request(self):
        if self.draining:
            return None
        request_id, data = self.frontier.pop()
        if request_id is None:
            return None
        request = request_from_dict(picklecompat.loads(data), spider=self.spider)
        request.meta[FRONTIER_ID] = request_id
        if self.stats:
            self.stats.inc_value("scheduler/dequeued/redis")
        return request

    def has_pending_requests(self) -> bool:
        return not self.draining and self.frontier.queued() > 0


class PoliteHTTPHandler(HTTP11DownloadHandler):
    """Scrapy's HTTP handler, after the host's global interval: N workers, one rate per host.

    The wait is here, right before the request goes out, so no local queue can bunch
    requests up after it."""

    def __init__(self, crawler):
        super().__init__(crawler)
        self._frontier = Frontier(connect(crawler.settings.get("REDIS_URL")),
                                  interval=_interval(crawler.settings))

    async def download_request(self, request):
        import asyncio

        target = request_host(request.url)
        for _ in range(10_000):  # bounded: the gate frees itself after one interval
            wait = self._frontier.gate_wait(target)
            if wait <= 0:
                break
            await asyncio.sleep(wait)
        return await super().download_request(request)


# -- items: encoded for the queue, decoded by the writer ----------------------------------

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
    """Workers' only pipeline: each item goes to the Redis item queue, for the writer."""

    def __init__(self, client):
        self.r = client

    @classmethod
    def from_crawler(cls, crawler):
        return cls(connect(crawler.settings.get("REDIS_URL")))

    def process_item(self, item, spider=None):
        self.r.lpush(K.items, encode_item(item))  # before the request is acknowledged
        return item


# -- the spider: the same one, its per-blog state in Redis --------------------------------


class RedisSet:
    def __init__(self, client, key):
        self.r, self.key = client, key

    def __contains__(self, value) -> bool:
        return bool(self.r.sismember(self.key, value))

    def add(self, value) -> None:
        self.r.sadd(self.key, value)

    def update(self, values) -> None:
        values = list(values)
        if values:
            self.r.sadd(self.key, *values)

    def discard(self, value) -> None:
        self.r.srem(self.key, value)

    def __ior__(self, values):
        self.update(values)
        return self

    def __len__(self) -> int:
        return self.r.scard(self.key)

    def __iter__(self):
        return (_s(v) for v in self.r.sscan_iter(self.key))


class RedisDict:
    def __init__(self, client, key):
        self.r, self.key = client, key

    def __contains__(self, name) -> bool:
        return bool(self.r.hexists(self.key, name))

    def __getitem__(self, name):
        raw = self.r.hget(self.key, name)
        if raw is None:
            raise KeyError(name)
        return json.loads(raw)

    def get(self, name, default=None):
        try:
            return self[name]
        except KeyError:
            return default

    def __setitem__(self, name, value) -> None:
        self.r.hset(self.key, name, json.dumps(value))


class RedisList:
    """The listings that wait for the feed. Entries leave only after they are scheduled
    (``sweep_deferred``): a worker killed in between leaves them for the next one."""

    def __init__(self, client, key, snapshot=None):
        self.r, self.key, self.snapshot = client, key, snapshot

    def append(self, entry) -> None:
        self.r.rpush(self.key, json.dumps(entry))

    def raw(self) -> list[bytes]:
        return self.r.lrange(self.key, 0, -1)

    def __iter__(self):
        entries = self.snapshot if self.snapshot is not None else self.raw()
        return (json.loads(e) for e in entries)

    def __len__(self) -> int:
        return len(self.snapshot) if self.snapshot is not None else self.r.llen(self.key)


class SharedHosts(set):
    """A blog's host names: known locally, learnt from Redis, published when the seed redirects."""

    NEGATIVE_TTL = 30.0  # an alias is learnt from the seed's redirect, before any other page

    def __init__(self, client, seed, initial=()):
        super().__init__(initial)
        self.r, self.seed = client, seed
        self.not_ours: dict[str, float] = {}

    def __contains__(self, name) -> bool:
        if set.__contains__(self, name):
            return True
        now = time.monotonic()
        if self.not_ours.get(name, 0) > now:
            return False
        if self.r.sismember(K.site(self.seed, "hosts"), name):
            set.add(self, name)
            return True
        if len(self.not_ours) > 10_000:
            self.not_ours.clear()
        self.not_ours[name] = now + self.NEGATIVE_TTL
        return False

    def add(self, name) -> None:
        set.add(self, name)
        self.not_ours.pop(name, None)
        pipe = self.r.pipeline(transaction=True)
        pipe.sadd(K.site(self.seed, "hosts"), name)
        pipe.hsetnx(K.hostmap, name, self.seed)
        pipe.execute()


def _shared(name, encode, decode, default, cache=None):
    """A Site field kept in the blog's Redis hash. cache: "run" = fixed when the run is
    seeded (read once); "set" = never changes once set (platform, blog id); "true" = a
    flag that only ever turns true; None = read every time."""

    def get(self):
        if name in self._cache:
            return self._cache[name]
        raw = self._r.hget(self._key, name)
        value = default if raw is None or raw == b"" else decode(_s(raw))
        if cache == "run" or (cache == "set" and value not in (None, "")) or (cache == "true" and value):
            self._cache[name] = value
        return value

    def put(self, value):
        if value is None or value == "":
            self._r.hdel(self._key, name)
            self._cache.pop(name, None)
            return
        self._r.hset(self._key, name, encode(value))
        if cache in ("run", "set") or (cache == "true" and value):
            self._cache[name] = value
        else:
            self._cache.pop(name, None)

    return property(get, put)


def _dt(text):
    import datetime as dt

    return dt.datetime.fromisoformat(text)


class SharedSite(Site):
    """What the spider knows of one blog, shared by every worker through Redis.

    Budgets (``listings``, ``requests``) and ``seen`` stay per process: the shared
    dupefilter is what makes a URL fetched once."""

    def __init__(self, client, seed: str, hosts=()):
        object.__setattr__(self, "_r", client)
        object.__setattr__(self, "_key", K.site(seed))
        object.__setattr__(self, "_cache", {})
        object.__setattr__(self, "_deferred", RedisList(client, K.site(seed, "deferred")))
        self.seed = seed
        self.hosts = SharedHosts(client, seed, hosts or {host(seed)})
        self.seen = set()
        self.listings = 0
        self.requests = 0
        self.listed = RedisSet(client, K.site(seed, "listed"))
        self.shown = RedisSet(client, K.site(seed, "shown"))
        self.comment_counts = RedisDict(client, K.site(seed, "comment_counts"))
        self.page_comments = RedisDict(client, K.site(seed, "page_comments"))
        for f in dataclasses.fields(Site):  # fields added to Site later: per process, as declared
            if f.name not in self.__dict__ and not isinstance(getattr(type(self), f.name, None), property):
                if f.default_factory is not dataclasses.MISSING:
                    setattr(self, f.name, f.default_factory())
                elif f.default is not dataclasses.MISSING:
                    setattr(self, f.name, f.default)

    # Feed pages are read one after the other here: knowing when a side-by-side
    # read has ended would need a count shared by every worker.
    fan_out = property(lambda self: False)

    platform = _shared("platform", lambda m: m.NAME, platforms.by_name, None, cache="set")
    blog_id = _shared("blog_id", str, str, "", cache="set")
    # Decided when the run is seeded (from the archive the seeder reads), before any worker.
    mode = _shared("mode", str, str, "discover", cache="run")
    watermark = _shared("watermark", lambda d: d.isoformat(), _dt, None, cache="run")
    blog_record = _shared("blog_record", json.dumps, json.loads, None, cache="run")
    feeds_started = _shared("feeds_started", lambda b: "1" if b else "0", lambda s: s == "1", False,
                            cache="true")
    feed_running = _shared("feed_running", lambda b: "1" if b else "0", lambda s: s == "1", False)
    feed_complete = _shared("feed_complete", lambda b: "1" if b else "0", lambda s: s == "1", False,
                            cache="true")

    @property
    def census(self):
        if self._r.hget(self._key, "census") != b"1":
            return None
        return RedisSet(self._r, K.site(self.seed, "census"))

    @census.setter
    def census(self, value):
        pipe = self._r.pipeline(transaction=True)
        pipe.delete(K.site(self.seed, "census"))
        if value is None:
            pipe.hdel(self._key, "census")
        else:
            pipe.hset(self._key, "census", "1")
            if value:
                pipe.sadd(K.site(self.seed, "census"), *value)
        pipe.execute()

    @property
    def deferred(self):
        return self._deferred

    @deferred.setter
    def deferred(self, value):
        # `waiting, site.deferred = site.deferred, []`: the spider takes what waits. The
        # entries stay in Redis until they are scheduled (sweep_deferred): nothing is lost
        # if this worker dies before its callback's requests reach the frontier.
        self._deferred.snapshot = self._deferred.raw()
        object.__setattr__(self, "_deferred", RedisList(self._r, K.site(self.seed, "deferred")))
        for entry in value or []:
            self._deferred.append(entry)


class DistributedBlogSpider(BlogSpider):
    """The `blog` spider, with its blogs and their state taken from Redis."""

    name = "blog"

    def __init__(self, url=None, urls=None, full=False, **kwargs):
        seeded = bool(url or urls)
        super().__init__(url=url, urls=urls if seeded else _PLACEHOLDER_SEED, full=full, **kwargs)
        if not seeded:
            self.seeds, self.sites = [], []
        self.worker_id = kwargs.get("worker_id") or worker_name()
        self._by_seed: dict[str, SharedSite] = {}
        self._by_host: dict[str, SharedSite] = {}
        self.redis = None

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.redis = connect(crawler.settings.get("REDIS_URL"))
        spider.sites = [spider.register(site.seed) for site in spider.sites]
        return spider

    def register(self, seed: str) -> SharedSite:
        """Add a blog to the shared run (the seeder does this)."""
        site = self._shared_site(seed)
        pipe = self.redis.pipeline(transaction=True)
        pipe.sadd(K.sites, seed)
        pipe.sadd(K.site(seed, "hosts"), host(seed))
        pipe.hsetnx(K.hostmap, host(seed), seed)
        pipe.execute()
        return site

    def _shared_site(self, seed: str) -> SharedSite:
        site = self._by_seed.get(seed)
        if site is None:
            site = self._by_seed[seed] = SharedSite(self.redis, seed)
        return site

    def _site(self, url: str):
        h = host(url)
        site = self._by_host.get(h)
        if site is not None:
            return site
        seed = self.redis.hget(K.hostmap, h)
        if seed is None:
            return None
        site = self._shared_site(_s(seed))
        set.add(site.hosts, h)
        self._by_host[h] = site
        return site

    async def start(self):
        if False:  # workers start nothing: the frontier holds the work
            yield

    def start_requests(self):
        if not self.seeds:
            return []
        return super().start_requests()

    def _feed_ended(self, site, complete: bool):
        # "complete" before "not running": a worker between two reads must never see the
        # feed neither running nor complete and fetch the listing pages it made unneeded.
        if complete:
            site.feed_complete = True
        yield from super()._feed_ended(site, complete)

    def sweep_deferred(self):
        """Listings that waited for a feed now read (or failed): schedule those still waiting.

        Normally the callback that ends the feed schedules them; this puts back any that a
        worker killed at the wrong moment left, and closes the race between a listing
        deferred on one worker and the feed ending on another. Scheduling twice is harmless
        (the dupefilter); an entry leaves Redis only after it is scheduled."""
        for seed in sorted(_s(s) for s in self.redis.smembers(K.sites)):
            key = K.site(seed, "deferred")
            if not self.redis.llen(key):
                continue
            site = self._shared_site(seed)
            if site.feed_running or site.feed_complete:
                continue
            for raw in self.redis.lrange(key, 0, -1):
                url, role, meta = json.loads(raw)
                site.seen.discard(self._key(site, url))
                request = self._request(site, url, role, **meta)
                if request is not None:
                    yield request
                yield ("done", key, raw)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class WorkerExtension:
    """A worker's life: heartbeat, acknowledgements, stale requests, idle, shared stats."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.settings = crawler.settings
        self.r = connect(crawler.settings.get("REDIS_URL"))
        self.ttl = crawler.settings.getfloat("BLOGARCHIVE_WORKER_TTL", 15)
        self.stale_after = crawler.settings.getfloat("BLOGARCHIVE_INFLIGHT_TIMEOUT", 900)
        self.exit_when_done = crawler.settings.getbool("BLOGARCHIVE_EXIT_WHEN_DONE")
        self.run_id = None
        self.loops = []
        self.last_requeue = 0.0
        self.closing = False
        cs = crawler.signals
        cs.connect(self.spider_opened, signal=signals.spider_opened)
        cs.connect(self.spider_closed, signal=signals.spider_closed)
        cs.connect(self.spider_idle, signal=signals.spider_idle)
        cs.connect(self.response_received, signal=signals.response_received)
        cs.connect(self.request_reached, signal=signals.request_reached_downloader)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def spider_opened(self, spider):
        from twisted.internet import task

        self.spider = spider
        self.frontier = spider.frontier
        self.worker_id = spider.worker_id
        engine = self.crawler.engine
        # A request leaves "in flight" once the engine has handled its outcome: the
        # callback's (or errback's) items are in the item queue and its requests in the
        # frontier (Scrapy awaits both before this Deferred fires). Scrapy has no public
        # hook at that point; this is the one private name this module relies on.
        original = getattr(engine, "_handle_downloader_output", None)
        if original is None or getattr(engine, "_slot", None) is None:
            raise RuntimeError("this Scrapy version has no ExecutionEngine._handle_downloader_output;"
                               " scraper/distributed.py needs updating")

        def handled(result, request):
            d = original(result, request)
            d.addBoth(self._ack, request)
            return d

        engine._handle_downloader_output = handled
        self._run_finished()  # note the run this worker joins
        self._beat()
        beat = task.LoopingCall(self._beat)
        beat.start(max(0.5, min(self.ttl / 3, 5)), now=False)
        # A request whose host must wait is not popped: ask again soon, not at Scrapy's
        # 5-second heartbeat.
        nudge = task.LoopingCall(self._nudge)
        nudge.start(0.05, now=False)
        self.loops = [beat, nudge]
        logger.info("worker %s joined the frontier at %s", self.worker_id, self.settings.get("REDIS_URL"))

    def _ack(self, result, request):
        request_id = request.meta.get(FRONTIER_ID)
        if request_id:
            try:
                self.frontier.ack(request_id)
            except Exception:  # the entry stays in flight and is requeued: safe
                logger.exception("could not acknowledge %s", request.url)
        return result

    def _beat(self):
        info = json.dumps({"pid": os.getpid(), "host": socket.gethostname(), "at": time.time()})
        self.r.set(K.worker + self.worker_id, info, px=int(self.ttl * 1000))
        now = time.monotonic()
        if now - self.last_requeue > max(1.0, self.ttl / 3):
            self.last_requeue = now
            self.frontier.requeue_stale(self.stale_after)
        if self.exit_when_done and not self.closing and self._run_finished():
            self.closing = True
            logger.info("the run is finished; worker %s stops", self.worker_id)
            self._stop()

    def _stop(self):
        from scrapy.utils.defer import deferred_from_coro

        return deferred_from_coro(self.crawler.engine.close_spider_async(reason="finished"))

    def _run_finished(self) -> bool:
        """The run this worker took part in is written (a worker started before any run waits)."""
        run_id, state = (_s(v) for v in self.r.hmget(K.run, "id", "state"))
        if self.run_id is None and state == "running":
            self.run_id = run_id
        return bool(self.run_id) and run_id == self.run_id and state == "finished"

    def _nudge(self):
        slot = getattr(self.crawler.engine, "_slot", None)
        if slot is not None and self.frontier.queued():
            slot.nextcall.schedule()

    def spider_idle(self, spider):
        if self.closing:
            return
        for output in spider.sweep_deferred():
            if isinstance(output, tuple):
                self.r.lrem(output[1], 1, output[2])  # after the request is in the frontier
            else:
                self.crawler.engine.crawl(output)
        raise DontCloseSpider

    def response_received(self, response, request, spider):
        pipe = self.r.pipeline(transaction=False)
        pipe.hincrby(K.stats, "responses", 1)
        pipe.hincrby(K.stats, f"worker:{self.worker_id}:responses", 1)
        pipe.hincrby(K.hostdone, request_host(response.url), 1)
        pipe.execute()

    def request_reached(self, request, spider):
        self.r.hincrby(K.stats, "requests", 1)

    def spider_closed(self, spider, reason):
        for loop in self.loops:
            if loop.running:
                loop.stop()
        # Whatever this worker still holds goes back now, not after its heartbeat expires.
        self.frontier.requeue_stale(0, only_worker=self.worker_id)
        self.r.delete(K.worker + self.worker_id)


def worker_settings(redis_url: str, overrides: dict | None = None):
    from .runner import project_settings

    settings = project_settings()
    extensions = dict(settings.getdict("EXTENSIONS"))
    extensions["scraper.distributed.WorkerExtension"] = 100
    for name, value in {
        "REDIS_URL": redis_url,
        "SCHEDULER": "scraper.distributed.FrontierScheduler",
        "DUPEFILTER_CLASS": "scraper.distributed.CanonicalDupeFilter",
        "SCHEDULER_PERSIST": True,
        "ITEM_PIPELINES": {"scraper.distributed.PushItems": 300},
        "EXTENSIONS": extensions,
        "DOWNLOAD_HANDLERS": {"http": "scraper.distributed.PoliteHTTPHandler",
                              "https": "scraper.distributed.PoliteHTTPHandler"},
    }.items():
        settings.set(name, value, priority="project")
    for name, value in (overrides or {}).items():
        settings.set(name, value, priority="cmdline")
    return settings


# -- seeding ----------------------------------------------------------------------------


def _new_run(r, seeds: list[str]) -> str:
    """Start a run: the previous run's dupefilter and per-blog state go."""
    stale = [K.dupefilter, K.sites, K.hostmap, K.stats, K.writer, K.writer_seen, K.hostdone, K.run]
    for key in r.scan_iter(match=f"{PREFIX}:site:*", count=1000):
        stale.append(key)
    r.delete(*stale)
    run_id = uuid.uuid4().hex[:12]
    r.hset(K.run, mapping={"id": run_id, "state": "seeding", "started": store.now(),
                           "seeds": json.dumps(seeds)})
    return run_id


def seed(redis_url: str, urls: list[str], db_path: str | None, overrides: dict | None = None,
         full: bool = False) -> dict:
    """`blogarchive crawl --redis`: put the blogs' first requests in the shared frontier."""
    r = connect(redis_url)
    settings = worker_settings(redis_url, overrides)
    scratch = None
    if db_path and Path(db_path).exists():
        settings.set("BLOGARCHIVE_DB", str(db_path), priority="cmdline")  # read: what is archived
    else:
        scratch = tempfile.TemporaryDirectory(prefix="blogarchive-seed-")
        settings.set("BLOGARCHIVE_DB", str(Path(scratch.name) / "empty.db"), priority="cmdline")
    state = _s(r.hget(K.run, "state"))
    busy = state in ("running", "seeding") and (Frontier(r).queued() or r.hlen(K.inflight) or r.llen(K.items)
                                   or r.llen(K.processing))
    if busy:
        run_id = _s(r.hget(K.run, "id"))
        known = json.loads(_s(r.hget(K.run, "seeds")) or "[]")
        r.hset(K.run, "seeds", json.dumps(known + [u for u in urls if u not in known]))
    else:
        run_id = _new_run(r, list(urls))
    spider = DistributedBlogSpider(urls=list(urls), full=full, worker_id="seeder")
    spider.settings = settings  # no crawl in this process: only the spider's first requests
    spider.redis = r
    spider.sites = [spider.register(site.seed) for site in spider.sites]
    frontier = Frontier(r)
    seeded = 0
    for request in spider.start_requests():
        data = picklecompat.dumps(request.to_dict(spider=spider))
        if frontier.push(data, request_host(request.url), request.priority):
            seeded += 1
    spider.closed("finished")
    r.hset(K.run, "state", "running")  # the writer waits for this before judging the run
    if scratch is not None:
        scratch.cleanup()
    return {"run": run_id, "seeded": seeded, "queued": frontier.queued()}


def seed_command(redis_url: str, urls: list[str], db_path: str | None, overrides: dict,
                 full: bool = False) -> int:
    """`blogarchive crawl --redis …`: seed, say what was queued, return the exit code."""
    try:
        result = seed(redis_url, urls, db_path, overrides, full)
    except (redis_lib.RedisError, ValueError) as e:
        click.echo(f"error: cannot seed the frontier at {redis_url}: {e}", err=True)
        return 2
    click.echo(f"run {result['run']}: {result['seeded']} blogs seeded, {result['queued']} requests "
               f"queued at {redis_url}; start `blogarchive worker` and `blogarchive writer`")
    return 0


# -- the writer -------------------------------------------------------------------------


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
    def __init__(self, settings, stats):
        self.settings, self.stats = settings, stats


class Writer:
    """The one process that writes the archive: items from Redis into SQLite, acknowledged."""

    def __init__(self, r, db_path: str, settings):
        self.r = r
        self.db_path = db_path
        self.settings = settings
        self.pipeline = None
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
        from .pipelines import StorePipeline

        pipeline = StorePipeline(self.db_path, self.settings.getfloat("BLOGARCHIVE_ERROR_THRESHOLD"))
        pipeline.crawler = _Crawler(self.settings, _Stats(self.r))
        pipeline.db = store.open_db(self.db_path)
        crawl_id = self.r.hget(K.run, "crawl_id")
        crawl_db = _s(self.r.hget(K.run, "crawl_db"))
        here = str(Path(self.db_path).resolve())
        if crawl_id is not None and crawl_db == here and pipeline.db["crawls"].count_where(
                "id = ?", [int(crawl_id)]):
            pipeline.crawl_id = int(crawl_id)  # a writer restarted: the same crawl goes on
            state = json.loads(_s(self.r.hget(K.writer, "state")) or "{}")
            pipeline.counts.update(state.get("counts", {}))
            for kind, entry in state.get("errors", {}).items():
                pipeline.errors[kind] = entry
            pipeline.expected.update(state.get("expected", {}))
            for blog in state.get("blogs", []):
                pipeline.posts_seen.setdefault(blog, set())
            logger.info("writer resumes crawl %s of run %s", pipeline.crawl_id, run_id)
        else:
            seeds = json.loads(_s(self.r.hget(K.run, "seeds")) or "[]")
            pipeline.crawl_id = store.start_crawl(pipeline.db, seeds)
            self.r.hset(K.run, mapping={"crawl_id": pipeline.crawl_id, "crawl_db": here})
            logger.info("writer opens crawl %s for run %s", pipeline.crawl_id, run_id)
        self.pipeline, self.run_id = pipeline, run_id

    def _state(self) -> str:
        p = self.pipeline
        return json.dumps({"counts": dict(p.counts), "errors": dict(p.errors), "expected": p.expected,
                           "blogs": sorted(p.posts_seen)})

    def write(self, data: bytes) -> None:
        item = decode_item(data)
        self.pipeline.process_item(item)  # the same code as the embedded crawl: store.save_*
        self.written += 1
        if self.crash_after and self.written >= self.crash_after:
            os.kill(os.getpid(), signal.SIGKILL)  # tests: die after the commit, before the ack
        pipe = self.r.pipeline(transaction=True)
        pipe.lrem(K.processing, 1, data)
        pipe.hset(K.writer, "state", self._state())
        if isinstance(item, items_module.Post):
            pipe.sadd(K.writer_seen, f"{item.blog_id}\t{item.id}")
        pipe.execute()

    def run_done(self) -> bool:
        """Nothing queued, in flight, waiting for a feed, or left to write."""
        pipe = self.r.pipeline(transaction=True)
        pipe.get(K.queued)
        pipe.hlen(K.inflight)
        pipe.llen(K.items)
        pipe.llen(K.processing)
        pipe.hget(K.run, "state")
        queued, inflight, items, processing, state = pipe.execute()
        if _s(state) != "running" or int(queued or 0) or inflight or items or processing:
            return False
        for seed_url in self.r.smembers(K.sites):
            seed_url = _s(seed_url)
            if self.r.llen(K.site(seed_url, "deferred")) and \
                    self.r.hget(K.site(seed_url), "feed_complete") != b"1":
                return False
        return True

    def finish(self) -> dict:
        p = self.pipeline
        for member in self.r.sscan_iter(K.writer_seen, count=1000):
            blog, post = _s(member).split("\t", 1)
            p.posts_seen[blog].add(post)
        p.spider_closed(spider=None, reason="finished")  # the crawls row, as the embedded crawl writes it
        pipe = self.r.pipeline(transaction=True)
        pipe.hset(K.run, mapping={"state": "finished", "finished": store.now()})
        pipe.delete(K.writer, K.writer_seen)
        pipe.execute()
        bulky = ("listed", "shown", "census", "comment_counts", "page_comments")
        for key in self.r.scan_iter(match=f"{PREFIX}:site:*", count=1000):
            if _s(key).rsplit(":", 1)[-1] in bulky:  # per-post sets: not needed once written
                self.r.delete(key)
        db = store.open_db(self.db_path)
        try:
            row = store.recent_crawls(db, limit=1)[0]
        finally:
            db.close()
        logger.info("run %s finished: crawl %s %s", self.run_id, row["id"], row["status"])
        self.pipeline = None
        return row

    def loop(self, exit_when_done: bool = False, poll: float = 0.5, on_finish=None,
             stale_after: float = 900) -> dict | None:
        self.recover()
        frontier = Frontier(self.r)
        last_check = 0.0
        while True:
            run_id = _s(self.r.hget(K.run, "id")) or None
            state = _s(self.r.hget(K.run, "state"))
            if run_id and state == "running" and (self.pipeline is None or self.run_id != run_id):
                self._open(run_id)
            data = self.r.blmove(K.items, K.processing, poll, "RIGHT", "LEFT")
            if data is not None:
                if self.pipeline is None:  # items without a run (seeded by hand): keep them
                    self.r.lmove(K.processing, K.items, "LEFT", "RIGHT")
                    time.sleep(poll)
                    continue
                self.write(data)
                continue
            now = time.monotonic()
            if now - last_check >= 1.0:
                last_check = now
                frontier.requeue_stale(stale_after)
                if self.pipeline is not None and self.run_done():
                    time.sleep(0.2)
                    if self.run_done():  # twice, to be sure no worker is between two steps
                        row = self.finish()
                        if on_finish:
                            on_finish(row)
                        if exit_when_done:
                            return row


def run_writer(redis_url: str, db_path: str, overrides: dict | None = None,
               exit_when_done: bool = False, on_finish=None) -> dict | None:
    from .lock import Busy, exclusive
    from .runner import project_settings

    settings = project_settings(overrides)
    r = connect(redis_url)
    store.open_db(db_path).close()
    try:
        with exclusive(db_path):
            writer = Writer(r, db_path, settings)
            return writer.loop(exit_when_done=exit_when_done, on_finish=on_finish,
                               stale_after=settings.getfloat("BLOGARCHIVE_INFLIGHT_TIMEOUT", 900))
    except Busy as e:
        raise store.StoreError(str(e)) from None


# -- worker process ---------------------------------------------------------------------


def run_worker(redis_url: str, overrides: dict | None = None, archive: str | None = None,
               exit_when_done: bool = False, drain_timeout: float = 60) -> None:
    from scrapy.crawler import CrawlerProcess

    overrides = dict(overrides or {})
    if exit_when_done:
        overrides["BLOGARCHIVE_EXIT_WHEN_DONE"] = True
    scratch = None
    if archive:
        overrides["BLOGARCHIVE_DB"] = str(archive)  # read only: what earlier runs hold
    else:
        scratch = tempfile.TemporaryDirectory(prefix="blogarchive-worker-")
        overrides["BLOGARCHIVE_DB"] = str(Path(scratch.name) / "empty.db")
    settings = worker_settings(redis_url, overrides)
    connect(redis_url)  # fail now when Redis is not there
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(DistributedBlogSpider)

    def drain(signum, frame):
        """SIGTERM/SIGINT: take no new request, finish those in flight, then stop."""
        scheduler = getattr(getattr(crawler.engine, "_slot", None), "scheduler", None)
        if scheduler is not None and getattr(scheduler, "draining", False):
            process._signal_kill(signum, frame) if hasattr(process, "_signal_kill") else os._exit(1)
            return
        if scheduler is not None:
            scheduler.draining = True
        logger.info("stopping: finishing the requests in flight (signal again to stop now)")
        from twisted.internet import reactor

        deadline = time.monotonic() + drain_timeout

        def check():
            engine = crawler.engine
            idle = not engine.downloader.active and engine.scraper.slot is not None \
                and engine.scraper.slot.is_idle()
            if idle or time.monotonic() > deadline:
                process.stop()
            else:
                reactor.callLater(0.2, check)

        reactor.callFromThread(check)

    process.crawl(crawler)
    signal.signal(signal.SIGTERM, drain)
    signal.signal(signal.SIGINT, drain)
    try:
        process.start(install_signal_handlers=False)
    finally:
        if scratch is not None:
            scratch.cleanup()


# -- queue status -----------------------------------------------------------------------


def queue_status(r) -> dict:
    frontier = Frontier(r)
    in_flight = frontier.in_flight()
    workers = {}
    for key in r.scan_iter(match=K.worker + "*", count=1000):
        raw = r.get(key)
        if raw:
            workers[_s(key)[len(K.worker):]] = json.loads(raw)
    now_ms = time.time() * 1000
    stale = sum(1 for info in in_flight.values() if info.get("w") not in workers)
    hosts = defaultdict(lambda: {"queued": 0, "in_flight": 0, "fetched": 0})
    for name, count in r.hgetall(K.hostq).items():
        if int(count):
            hosts[_s(name)]["queued"] = int(count)
    for info in in_flight.values():
        hosts[info.get("h", "")]["in_flight"] += 1
    for name, count in r.hgetall(K.hostdone).items():
        hosts[_s(name)]["fetched"] = int(count)
    run = {_s(k): _s(v) for k, v in r.hgetall(K.run).items()}
    stats = {_s(k): int(v) for k, v in r.hgetall(K.stats).items()}
    ready = r.zcount(K.hosts, "-inf", now_ms)
    return {
        "run": run,
        "queued": frontier.queued(),
        "hosts_waiting": r.zcard(K.hosts),
        "hosts_ready": ready,
        "in_flight": len(in_flight),
        "in_flight_stale": stale,
        "oldest_in_flight_s": round((now_ms - min((i.get("t", now_ms) for i in in_flight.values()),
                                                 default=now_ms)) / 1000, 1),
        "seen": r.scard(K.dupefilter),
        "items_pending": r.llen(K.items),
        "items_writing": r.llen(K.processing),
        "workers": workers,
        "requests": stats.get("requests", 0),
        "responses": stats.get("responses", 0),
        "per_worker": {k.split(":", 1)[1].rsplit(":", 1)[0]: v for k, v in stats.items()
                       if k.startswith("worker:")},
        "hosts": dict(sorted(hosts.items())),
        "redis_memory_bytes": r.info("memory").get("used_memory"),
    }


# -- commands (registered in scraper/cli.py) --------------------------------------------


def _overrides(pairs):
    from .runner import parse_overrides

    try:
        return parse_overrides(pairs)
    except ValueError as e:
        raise click.UsageError(str(e))


def _check_redis(url: str):
    try:
        return connect(url)
    except (redis_lib.RedisError, ValueError) as e:
        click.echo(f"error: cannot reach Redis at {url}: {e}", err=True)
        sys.exit(2)


@click.command(name="worker")
@click.option("--redis", "redis_url", required=True, metavar="URL", help="redis://host:6379/0")
@click.option("--archive", default=None, metavar="PATH",
              help="The archive, read only (same machine or a copy): lets re-runs fetch only what "
                   "changed. Without it every distributed run is a first crawl.")
@click.option("-s", "--set", "overrides", multiple=True, metavar="NAME=VALUE",
              help="A Scrapy setting, e.g. -s CONCURRENT_REQUESTS=32 -s BLOGARCHIVE_HOST_INTERVAL=1.")
@click.option("--exit-when-done", is_flag=True, help="Stop when the writer has finished the run.")
@click.option("--quiet", is_flag=True, help="Warnings only.")
def worker_command(redis_url, archive, overrides, exit_when_done, quiet):
    """Crawl requests from the shared Redis frontier (run any number, on any machine)."""
    settings = _overrides(overrides)
    if quiet:
        settings.setdefault("LOG_LEVEL", "WARNING")
    settings.setdefault("BLOGARCHIVE_PROGRESS", "off")
    _check_redis(redis_url)
    run_worker(redis_url, settings, archive=archive, exit_when_done=exit_when_done)


@click.command(name="writer")
@click.option("--redis", "redis_url", required=True, metavar="URL")
@click.option("--db", "db_path", default="archive.db", show_default=True)
@click.option("-s", "--set", "overrides", multiple=True, metavar="NAME=VALUE")
@click.option("--exit-when-done", is_flag=True, help="Stop after the current run is written.")
@click.option("--quiet", is_flag=True)
def writer_command(redis_url, db_path, overrides, exit_when_done, quiet):
    """Write the items of the distributed crawl into the archive (one writer per archive)."""
    from .report import print_summary

    settings = _overrides(overrides)
    logging.basicConfig(level=logging.WARNING if quiet else logging.INFO,
                        format="%(asctime)s [%(name)s] %(levelname)s: %(message)s")
    _check_redis(redis_url)
    try:
        row = run_writer(redis_url, db_path, settings, exit_when_done=exit_when_done,
                         on_finish=lambda row: print_summary(row, quiet=quiet))
    except store.StoreError as e:
        click.echo(f"error: {e}", err=True)
        sys.exit(2)
    if row is not None:
        sys.exit(0 if row.get("status") == "finished" else 1)


@click.command(name="queue")
@click.option("--redis", "redis_url", required=True, metavar="URL")
@click.option("--requeue-stale", is_flag=True,
              help="Put back requests held by workers that are gone (or out longer than "
                   "--stale-after).")
@click.option("--stale-after", default=900.0, show_default=True, metavar="SECONDS")
@click.option("--json", "as_json", is_flag=True)
@click.option("--hosts", "max_hosts", default=20, show_default=True, help="Hosts to list.")
def queue_command(redis_url, requeue_stale, stale_after, as_json, max_hosts):
    """The shared frontier: queued, in flight, items pending, workers, per-host counts."""
    r = _check_redis(redis_url)
    if requeue_stale:
        moved = Frontier(r).requeue_stale(stale_after)
        click.echo(f"requeued {moved} stale requests", err=True)
    status = queue_status(r)
    if as_json:
        click.echo(json.dumps(status, indent=2))
        return
    run = status["run"]
    click.echo(f"run {run.get('id', '-')}: {run.get('state', 'none')} since {run.get('started', '-')}"
               f", crawl {run.get('crawl_id', '-')}, {len(json.loads(run.get('seeds') or '[]'))} blogs")
    click.echo(f"requests: {status['queued']} queued ({status['hosts_ready']} of "
               f"{status['hosts_waiting']} hosts ready), {status['in_flight']} in flight "
               f"({status['in_flight_stale']} stale), {status['seen']} seen; "
               f"{status['requests']} sent, {status['responses']} answered")
    click.echo(f"items: {status['items_pending']} pending, {status['items_writing']} being written")
    click.echo(f"workers: {len(status['workers'])} alive"
               + "".join(f"\n  {w}: {status['per_worker'].get(w, 0)} responses"
                         for w in sorted(status["workers"])))
    click.echo(f"redis memory: {status['redis_memory_bytes'] / 1024 / 1024:.1f} MB")
    rows = sorted(status["hosts"].items(), key=lambda kv: (-kv[1]["queued"], kv[0]))[:max_hosts]
    if rows:
        click.echo(f"{'host':40} {'queued':>8} {'flight':>7} {'fetched':>8}")
    for name, counts in rows:
        click.echo(f"{name:40} {counts['queued']:>8} {counts['in_flight']:>7} {counts['fetched']:>8}")
