"""The Redis side of a distributed run: the run, the queue of blogs, the leases, the items.

A queue entry is every seed of one host (one blog, or several blogs that share a
host and so must share its politeness). A worker takes an entry only while no
other worker holds that host: taking it moves it, in one Lua script, into
``leases`` with the worker's id. It leaves when the blog's crawl has ended and
all its items are in the item list. A worker killed with SIGKILL stops its
heartbeat (a key that expires); its leases then go back to the head of the queue.
A lease also goes back when its crawl has made no progress (no request came back
from the network) for the lease's timeout, although its worker still beats: a
crawl that hangs must not keep its blog forever.
"""

from __future__ import annotations

import json
import os
import socket
import time
import uuid

import redis as redis_lib

from ..store import now
from ..urls import host

PREFIX = "blogarchive"


class K:
    """Redis key names (one Redis instance, not a Cluster: the scripts touch several keys)."""

    run = f"{PREFIX}:run"  # hash: id, state (running|finished), started, seeds, crawl_id, crawl_db
    blogs = f"{PREFIX}:blogs"  # list of queue entries (JSON), taken from the left
    leases = f"{PREFIX}:leases"  # hash: entry id → {"entry", "worker", "taken"}
    held = f"{PREFIX}:held"  # hash: host → entry id of its lease
    items = f"{PREFIX}:items"
    processing = f"{PREFIX}:items:processing"
    stats = f"{PREFIX}:stats"  # hash: requests, responses, worker:<id>:responses, blogs_done
    writer = f"{PREFIX}:writer"  # hash: state (counts, errors, expected, blogs) of a restarted writer
    writer_seen = f"{PREFIX}:writer:seen"  # set: "<blog id>\t<post id>" written in this run
    saved = f"{PREFIX}:saved:"  # + host: hash post url → id, saved by the writer in this run
    saved_blogs = f"{PREFIX}:saved-blogs"  # hash: host → the blog record the writer saved
    progress = f"{PREFIX}:progress"  # hash: entry id → when its crawl last had an answer (s)
    gate = f"{PREFIX}:gate:"  # + host: held for one interval by each request
    worker = f"{PREFIX}:worker:"  # + id: heartbeat, expires when the worker dies


def connect(url: str) -> redis_lib.Redis:
    client = redis_lib.Redis.from_url(url, socket_timeout=30, socket_connect_timeout=10,
                                      health_check_interval=30)
    client.ping()
    return client


def text(value) -> str:
    return value.decode() if isinstance(value, bytes) else (value or "")


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


# KEYS: blogs, leases, held, progress · ARGV: worker id, now (s), how far to look,
# progress timeout (s, 0 = none) → the entry taken, or false when every queued host is
# held by another worker
_TAKE = """
for _, raw in ipairs(redis.call('LRANGE', KEYS[1], 0, tonumber(ARGV[3]) - 1)) do
  local entry = cjson.decode(raw)
  if redis.call('HEXISTS', KEYS[3], entry.host) == 0 then
    redis.call('LREM', KEYS[1], 1, raw)
    redis.call('HSET', KEYS[2], entry.id,
               cjson.encode({entry = raw, worker = ARGV[1], taken = tonumber(ARGV[2]),
                             timeout = tonumber(ARGV[4])}))
    redis.call('HSET', KEYS[3], entry.host, entry.id)
    redis.call('HSET', KEYS[4], entry.id, ARGV[2])
    return raw
  end
end
return false
"""

# KEYS: blogs, leases, held, progress · ARGV: entry id, host, 1 = back to the queue, holder
_RELEASE = """
local lease = redis.call('HGET', KEYS[2], ARGV[1])
if not lease or cjson.decode(lease).worker ~= ARGV[4] then return 0 end
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[4], ARGV[1])
if redis.call('HGET', KEYS[3], ARGV[2]) == ARGV[1] then redis.call('HDEL', KEYS[3], ARGV[2]) end
if ARGV[3] == '1' then redis.call('LPUSH', KEYS[1], cjson.decode(lease).entry) end
return 1
"""

# KEYS: blogs, leases, held, progress · ARGV: entry id, now (s)
# → 1 when the lease had no progress for its timeout and went back to the queue
_EXPIRE = """
local raw = redis.call('HGET', KEYS[2], ARGV[1])
if not raw then return 0 end
local lease = cjson.decode(raw)
if not lease.timeout or lease.timeout <= 0 then return 0 end
local last = tonumber(redis.call('HGET', KEYS[4], ARGV[1]) or lease.taken)
if tonumber(ARGV[2]) - last <= lease.timeout then return 0 end
local host = cjson.decode(lease.entry).host
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[4], ARGV[1])
if redis.call('HGET', KEYS[3], host) == ARGV[1] then redis.call('HDEL', KEYS[3], host) end
redis.call('LPUSH', KEYS[1], lease.entry)
return 1
"""


class BlogQueue:
    def __init__(self, client: redis_lib.Redis, worker_id: str = ""):
        self.r = client
        self.worker_id = worker_id
        self._take = client.register_script(_TAKE)
        self._release = client.register_script(_RELEASE)
        self._expire = client.register_script(_EXPIRE)

    # -- seeding ---------------------------------------------------------------

    def busy(self) -> bool:
        """A run is going: blogs queued or leased, or items not yet written."""
        state = text(self.r.hget(K.run, "state"))
        return state == "running" and bool(self.r.llen(K.blogs) or self.r.hlen(K.leases)
                                           or self.r.llen(K.items) or self.r.llen(K.processing))

    def new_run(self, seeds: list[str]) -> str:
        """Start a run: the previous run's counters and writer state go."""
        self.r.delete(K.run, K.stats, K.writer, K.writer_seen, K.saved_blogs, K.progress,
                      *self.r.scan_iter(match=K.saved + "*", count=1000))
        run_id = uuid.uuid4().hex[:12]
        self.r.hset(K.run, mapping={"id": run_id, "state": "seeding", "started": now(),
                                    "seeds": json.dumps(seeds)})
        return run_id

    def add_to_run(self, seeds: list[str]) -> str:
        known = json.loads(text(self.r.hget(K.run, "seeds")) or "[]")
        self.r.hset(K.run, "seeds", json.dumps(known + [u for u in seeds if u not in known]))
        return text(self.r.hget(K.run, "id"))

    def put(self, urls: list[str], full: bool = False) -> int:
        """Queue the blogs, one entry per host. Returns how many entries were queued."""
        by_host: dict[str, list[str]] = {}
        for url in urls:
            by_host.setdefault(host(url), []).append(url)
        entries = [json.dumps({"id": uuid.uuid4().hex[:12], "host": h, "urls": seeds, "full": full})
                   for h, seeds in by_host.items()]
        if entries:
            self.r.rpush(K.blogs, *entries)
        return len(entries)

    # -- workers ---------------------------------------------------------------

    def take(self, look_ahead: int = 1000, timeout: float = 0) -> dict | None:
        """The next blog no other worker holds. ``timeout``: seconds without progress after
        which the lease goes back to the queue although this worker lives (0: never)."""
        raw = self._take(keys=[K.blogs, K.leases, K.held, K.progress],
                         args=[self.worker_id, time.time(), look_ahead, timeout])
        return json.loads(raw) if raw else None

    def progress(self, entry_id: str) -> None:
        """The crawl of this lease had an answer from the network just now."""
        self.r.hset(K.progress, entry_id, time.time())

    def done(self, entry: dict) -> bool:
        """The blog's crawl ended and its items are all in the item list (False: the lease
        was no longer this worker's)."""
        return bool(self._release(keys=[K.blogs, K.leases, K.held, K.progress],
                                  args=[entry["id"], entry["host"], 0, self.worker_id]))

    def give_back(self, entry: dict, holder: str | None = None) -> bool:
        """Not crawled to its end (the worker stops, or died): the next worker takes it first."""
        return bool(self._release(keys=[K.blogs, K.leases, K.held, K.progress],
                                  args=[entry["id"], entry["host"], 1, holder or self.worker_id]))

    def heartbeat(self, ttl: float, **info) -> None:
        info = {"pid": os.getpid(), "host": socket.gethostname(), "at": time.time(), **info}
        self.r.set(K.worker + self.worker_id, json.dumps(info), px=int(ttl * 1000))

    def leave(self) -> None:
        self.r.delete(K.worker + self.worker_id)

    def mine(self) -> set[str]:
        """The entry ids this worker holds."""
        return {entry_id for entry_id, lease in self.leases().items() if lease["worker"] == self.worker_id}

    def leases(self) -> dict[str, dict]:
        found = {}
        for entry_id, raw in self.r.hgetall(K.leases).items():
            lease = json.loads(raw)
            lease["entry"] = json.loads(lease["entry"])
            found[text(entry_id)] = lease
        return found

    def workers(self) -> dict[str, dict]:
        found = {}
        for key in self.r.scan_iter(match=K.worker + "*", count=1000):
            raw = self.r.get(key)
            if raw:
                found[text(key)[len(K.worker):]] = json.loads(raw)
        return found

    def requeue_dead(self, only_worker: str | None = None) -> int:
        """Leases of workers whose heartbeat has expired (or of ``only_worker``) go back, and
        leases whose crawl made no progress for their timeout."""
        alive = set(self.workers())
        moved = 0
        progress = self.idle()
        for entry_id, lease in self.leases().items():
            if (lease["worker"] == only_worker) if only_worker else lease["worker"] not in alive:
                moved += self.give_back(lease["entry"], lease["worker"])
            elif not only_worker and 0 < (lease.get("timeout") or 0) < progress.get(entry_id, 0):
                if self._expire(keys=[K.blogs, K.leases, K.held, K.progress],
                                args=[entry_id, time.time()]):  # checked again, atomically
                    moved += 1
        return moved

    def idle(self) -> dict[str, float]:
        """Seconds since each lease's crawl last had an answer (or was taken)."""
        now_s = time.time()
        found = {text(k): now_s - float(v) for k, v in self.r.hgetall(K.progress).items()}
        for entry_id, lease in self.leases().items():
            found.setdefault(entry_id, now_s - lease["taken"])
        return found

    # -- the run ---------------------------------------------------------------

    def run(self) -> dict:
        return {text(k): text(v) for k, v in self.r.hgetall(K.run).items()}

    def drained(self) -> bool:
        """Nothing queued, leased, or left to write: the run can be finished."""
        pipe = self.r.pipeline(transaction=True)
        pipe.llen(K.blogs)
        pipe.hlen(K.leases)
        pipe.llen(K.items)
        pipe.llen(K.processing)
        pipe.hget(K.run, "state")
        blogs, leases, items, processing, state = pipe.execute()
        return text(state) == "running" and not (blogs or leases or items or processing)

    def status(self) -> dict:
        leases = self.leases()
        workers = self.workers()
        idle = self.idle()
        stats = {text(k): int(v) for k, v in self.r.hgetall(K.stats).items()}
        now_s = time.time()
        return {
            "run": self.run(),
            "queued": self.r.llen(K.blogs),
            "in_flight": len(leases),
            "in_flight_stale": sum(1 for lease in leases.values() if lease["worker"] not in workers),
            "leases": {lease["entry"]["host"]: {"worker": lease["worker"],
                                                "for_s": round(now_s - lease["taken"], 1),
                                                "idle_s": round(idle.get(entry_id, 0), 1),
                                                "urls": lease["entry"]["urls"]}
                       for entry_id, lease in leases.items()},
            "items_pending": self.r.llen(K.items),
            "items_writing": self.r.llen(K.processing),
            "workers": workers,
            "requests": stats.get("requests", 0),
            "responses": stats.get("responses", 0),
            "blogs_done": stats.get("blogs_done", 0),
            "per_worker": {k.split(":", 1)[1].rsplit(":", 1)[0]: v for k, v in stats.items()
                           if k.startswith("worker:")},
            "redis_memory_bytes": self.r.info("memory").get("used_memory"),
        }
