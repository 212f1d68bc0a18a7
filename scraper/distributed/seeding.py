"""`blogarchive crawl --redis`: put blogs in the queue of a run (a new one, or the one going on)."""

from __future__ import annotations

from .queue import K, BlogQueue, connect


def seed(redis_url: str, urls: list[str], full: bool = False) -> dict:
    """Queue the blogs. When a run is going, they join it; otherwise a new run starts.

    Raises redis.RedisError or ValueError when Redis cannot be reached.
    """
    queue = BlogQueue(connect(redis_url))
    if queue.busy():
        run_id = queue.add_to_run(list(urls))
        seeded = queue.put(list(urls), full)
    else:
        run_id = queue.new_run(list(urls))  # "seeding": the writer waits until all are queued
        seeded = queue.put(list(urls), full)
        queue.r.hset(K.run, "state", "running")
    return {"run": run_id, "seeded": seeded, "queued": queue.r.llen(K.blogs)}
