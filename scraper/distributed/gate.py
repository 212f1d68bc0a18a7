"""One request rate per host across every worker.

A blog is crawled by one worker at a time, so its own host already gets Scrapy's
politeness; but blogs share hosts (Blogger's image servers serve every Blogger
blog), and two workers crawling two blogs would each ask such a host at full
politeness. This download handler is Scrapy's own HTTP handler after a per-host
Redis key (``SET NX PX interval``): the wait sits right before the request goes
out, so no local queue can bunch requests up after it.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict

from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler

from ..urls import host
from .queue import K, connect

# KEYS: gate key · ARGV: interval (ms) → 0 when the request may start now, else ms to wait
_GATE = """
if redis.call('SET', KEYS[1], '1', 'PX', ARGV[1], 'NX') then return 0 end
return math.max(1, redis.call('PTTL', KEYS[1]))
"""


def host_interval(settings) -> float:
    """BLOGARCHIVE_HOST_INTERVAL, or DOWNLOAD_DELAY when it is not set."""
    value = settings.get("BLOGARCHIVE_HOST_INTERVAL")
    if value in (None, ""):
        return settings.getfloat("DOWNLOAD_DELAY")
    return float(value)


class HostGate:
    def __init__(self, client, interval: float):
        self.interval_ms = int(interval * 1000)
        self._gate = client.register_script(_GATE)

    def wait(self, url: str) -> float:
        """0 when a request to this host (host:port) may start now, and takes its turn;
        else the seconds until the host's turn may come."""
        if self.interval_ms <= 0:
            return 0.0
        return self._gate(keys=[K.gate + host(url)], args=[self.interval_ms]) / 1000


class GatedHTTPHandler(HTTP11DownloadHandler):
    """DOWNLOAD_HANDLERS for http and https on a worker."""

    def __init__(self, crawler):
        super().__init__(crawler)
        self.gate = HostGate(connect(crawler.settings.get("BLOGARCHIVE_REDIS_URL")),
                             host_interval(crawler.settings))
        # One waiter per host in this process asks Redis; the others queue behind it, so a
        # freed key does not wake a herd whose calls would delay the request that won it.
        self.waiting: dict[str, asyncio.Lock] = defaultdict(asyncio.Lock)

    async def download_request(self, request):
        async with self.waiting[host(request.url)]:
            for _ in range(100_000):  # bounded: each key frees itself after one interval
                wait = self.gate.wait(request.url)
                if wait <= 0:
                    break
                await asyncio.sleep(wait)
        return await super().download_request(request)
