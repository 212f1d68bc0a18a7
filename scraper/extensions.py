"""The end of a crawl: its final status and summary, written to the `crawls` row (and
``StartupFrozen``, which keeps start-up's objects out of the cycle collector's way; ``Stats``,
Scrapy's stats without the cost of its deprecation hook).

``CrawlEnd`` is a Scrapy extension (settings ``EXTENSIONS``): the finish reason
(finished, shutdown, closespider…) is known only once the spider has closed, after
the pipeline has stored the last item. It reads what the pipeline counted
(scraper/pipelines.py) and what the spider's plans know of each blog, decides the
crawl's status and each blog's, and marks the blogs walked to their end complete (the
next run of those is incremental). The distributed writer ends its run with the
same ``end_crawl``.
"""

from __future__ import annotations

import gc
import logging
import sqlite3

from scrapy import signals
from scrapy.statscollectors import MemoryStatsCollector

from . import store
from .pipelines import MAX_EXAMPLES, NOT_FAILURES, REFUSED, StorePipeline

logger = logging.getLogger(__name__)


class Stats(MemoryStatsCollector):
    """Scrapy's stats (``STATS_CLASS``), the same values, at a tenth of the cost a call.

    Scrapy 2.19 hooks every attribute lookup on its collector (``__getattribute__``) to warn of
    a ``spider`` argument passed to its methods; the hook reaches even ``self._stats`` inside
    each method, through a failed lookup that raises and catches AttributeError: 5.7 µs an
    ``inc_value`` against 0.5 µs without it, and a crawl makes some 20 calls a page (Scrapy's
    downloader, scheduler and core stats, the pipeline's counts). Nothing here passes
    ``spider``; the methods still take it."""

    __getattribute__ = object.__getattribute__


class StartupFrozen:
    """What start-up made (modules, classes, settings: some 90,000 objects) lives as long as the
    crawl, yet each full collection of Python's cycle collector walked it all again (1,000-post
    crawl: 0.55 of its 0.97 s of collections). Frozen when the spider opens, thawed when it
    closes, so a process that runs several crawls frees what the last one left."""

    @classmethod
    def from_crawler(cls, crawler):
        extension = cls()
        crawler.signals.connect(extension.opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.closed, signal=signals.spider_closed)
        return extension

    def opened(self, spider):
        gc.collect()  # garbage frozen now would never be freed
        gc.freeze()

    def closed(self, spider, reason):
        gc.unfreeze()


class CrawlEnd:
    def __init__(self, crawler):
        self.crawler = crawler
        self.summary: dict | None = None  # the crawls row, when it could not be written

    @classmethod
    def from_crawler(cls, crawler):
        extension = cls(crawler)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_closed(self, spider, reason):
        pipeline = self.crawler.get_item_pipeline(StorePipeline)
        if pipeline is None or pipeline.db is None:
            return
        self.summary = end_crawl(pipeline, getattr(spider, "sites", []), reason)


def end_crawl(pipeline: StorePipeline, sites, reason: str | None) -> dict | None:
    """Write the crawl's row; returns it when it could not be written (a full disk), else None.
    ``sites``: the spider's per-blog plans (seed, blog_id, requests); none in the writer."""
    p = pipeline
    reason = reason or "finished"
    blogs = set(p.posts_seen) | set(p.expected)
    found = {blog: store.count_posts(p.db, blog) for blog in blogs}
    found_total = sum(found.values())
    expected_total = sum(p.expected.values()) if p.expected else None
    messages = []
    for blog, expected in p.expected.items():
        if found[blog] < expected:
            messages.append(f"blog {blog}: its feed lists {expected} posts but the archive holds {found[blog]}")
            logger.error("INCOMPLETE: %s", messages[-1])
    requests = p.crawler.stats.get_value("downloader/request_count") or 0
    failures = sum(e["count"] for k, e in p.errors.items()
                   if k not in NOT_FAILURES and not k.startswith("image_"))
    if "private_address" in p.errors:  # say how to allow it, not just that it happened
        messages.append("private and loopback addresses are refused (scheduled runs refuse them "
                        "by default); for a blog on your own network set allow_private = true "
                        "in its [[blog]] or [defaults] of blogs.toml "
                        "(blogarchive crawl: -s BLOGARCHIVE_ALLOW_PRIVATE=1)")
    if p.unwritable:
        status = "failed"
        messages.append(f"the archive could not be written: {p.unwritable}; "
                        "free some space and run again to go on")
    elif reason == "shutdown":
        status = "interrupted"
    elif reason != "finished" or not found_total:
        status = "failed"
        messages.append(f"finish reason: {reason}" if reason != "finished" else "no posts found")
    elif requests and failures / requests > p.error_threshold:
        status = "failed"
        messages.append(f"{failures} of {requests} requests failed")
    elif messages:
        status = "incomplete"
    else:
        status = "finished"
    warnings = _warnings(p)
    refused = p.refused["count"]
    if refused and refused > found_total:
        messages.append(f"most pages were refused as not posts ({refused} refused, "
                        f"{found_total} posts): see warnings.{REFUSED}")
        logger.info("mostly refused: %s", messages[-1])
    lines = _blog_lines(p, sites, status, found)
    if status in ("finished", "incomplete"):
        # The next run of each blog walked to its end can be incremental…
        complete = {line["blog_id"] for line in lines if line["status"] == "finished"}
        for blog in (blogs & complete if lines else blogs if status == "finished" else ()):
            store.mark_complete(p.db, blog, p.crawl_id)
    if status == "finished":  # …and a crawl of several blogs is as good as its worst blog
        for line in lines:
            if line["status"] != "finished":
                messages.append(f"blog {line['url']}: {line['status']}")
        worst = {line["status"] for line in lines} & {"failed", "incomplete"}
        status = "failed" if "failed" in worst else worst.pop() if worst else status
    fields = dict(
        status=status,
        **p.counts_so_far(),
        posts_expected=expected_total,
        errors_by_kind=dict(p.errors),
        warnings=warnings,
        message="; ".join(messages),
        blogs=lines,
    )
    summary = None
    try:
        store.finish_crawl(p.db, p.crawl_id, **fields)
    except sqlite3.Error as e:  # a full disk: the story is told on the console instead
        logger.error("could not record crawl %s in the archive: %s", p.crawl_id, e)
        fields["message"] += f"; this crawl's record could not be written ({e})"
        summary = {"id": p.crawl_id, "seeds": "", **fields}
    p.db.close()
    p.db = None
    return summary


def _blog_lines(p: StorePipeline, sites, status: str, found: dict[str, int]) -> list[dict]:
    """One line per blog of the crawl: what was found and expected, and its own status."""
    lines = []
    for site in sites:
        blog = site.blog_id or site.seed
        counts = p.per_blog[blog]
        have = found.get(site.blog_id, store.count_posts(p.db, site.blog_id)) if site.blog_id else 0
        expected = p.expected.get(site.blog_id)
        if status in ("interrupted", "failed"):  # the whole crawl stopped: so did each blog
            own = status
        elif not have or (site.requests and counts["failures"] / site.requests > p.error_threshold):
            own = "failed"
        elif expected is not None and have < expected:
            own = "incomplete"
        else:
            own = "finished"
        lines.append({"url": site.seed, "blog_id": site.blog_id or None, "status": own,
                      "found": have, "expected": expected, "new": counts["new"],
                      "updated": counts["updated"], "unchanged": counts["unchanged"],
                      "gone": counts["gone"], "errors": counts["errors"]})
    return lines


def _warnings(p: StorePipeline) -> dict:
    """Posts saved without a title, date or body, sources that disagreed, pages refused."""
    try:
        warnings = store.post_warnings(p.db, p.crawl_id, MAX_EXAMPLES)
    except sqlite3.Error as e:
        logger.error("could not count this crawl's warnings: %s", e)
        warnings = {}
    if p.refused["count"]:
        warnings[REFUSED] = p.refused
    for kind, info in sorted(warnings.items()):  # (the summary prints them for a person)
        logger.info("warning %s: %d, e.g. %s", kind, info["count"], ", ".join(info["examples"][:3]))
    return warnings
