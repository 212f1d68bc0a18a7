"""Run a crawl in this process, with the project's settings and the user's overrides."""

from __future__ import annotations

import logging
import signal

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from . import logs, store
from .lock import Busy, exclusive

logger = logging.getLogger(__name__)


def project_settings(overrides: dict | None = None) -> Settings:
    settings = Settings()
    settings.setmodule("scraper.settings", priority="project")
    for name, value in (overrides or {}).items():
        settings.set(name, value, priority="cmdline")
    return settings


def parse_overrides(pairs: tuple[str, ...] | list[str]) -> dict:
    """`-s NAME=VALUE` pairs, as Scrapy's own command line takes them."""
    overrides = {}
    for pair in pairs:
        if "=" not in pair:
            raise ValueError(f"-s {pair!r}: expected NAME=VALUE")
        name, value = pair.split("=", 1)
        overrides[name.strip()] = value
    return overrides


def crawl(urls: list[str], db_path: str, overrides: dict | None = None, full: bool = False,
          wait: float = 0) -> dict:
    """Crawl the blogs into the archive; returns the `crawls` row of this run.

    Raises store.StoreError before any fetching when the archive cannot be
    written, or when another crawl is writing it (after ``wait`` seconds).
    """
    settings = project_settings({**(overrides or {}), "BLOGARCHIVE_DB": db_path})
    db = store.open_db(db_path)  # fail early (read-only, bad path) before any fetching
    images = settings.get("BLOGARCHIVE_IMAGES", "db")
    if images.startswith("dir:"):  # the archive says where its image files are
        store.set_image_folder(db, images[4:])
    db.close()
    try:
        with exclusive(db_path, wait=wait):
            db = store.open_db(db_path)
            pages_before = store.page_count(db)
            db.close()
            row = _crawl(urls, db_path, settings, full)
            _compact(db_path, pages_before)
            return row
    except Busy as e:
        raise store.StoreError(str(e)) from None


def _compact(db_path: str, pages_before: int) -> None:
    """A crawl that wrote most of the archive (the first one) leaves it compacted."""
    db = store.open_db(db_path)
    try:
        sizes = store.compact_after_run(db, pages_before)
    finally:
        db.close()
    if sizes:
        logger.info("archive compacted: %.1f MB -> %.1f MB", sizes[0] / 1e6, sizes[1] / 1e6)


def _crawl(urls: list[str], db_path: str, settings: Settings, full: bool) -> dict:
    stop_handlers = {signum: signal.getsignal(signum) for signum in (signal.SIGTERM, signal.SIGINT)}
    process = CrawlerProcess(settings)
    logs.configure(settings)
    from .spiders.blog import BlogSpider

    crawler = process.create_crawler(BlogSpider)
    process.crawl(crawler, urls=list(urls), full=full)
    process.start()
    # Scrapy's shutdown handlers outlive the crawl: whatever this process does next
    # (demo serves the archive) must stop on SIGTERM and Ctrl-C as before.
    for signum, handler in stop_handlers.items():
        signal.signal(signum, handler)
    db = store.open_db(db_path)
    try:
        crawl_id = getattr(crawler.spider, "crawl_id", None)
        if crawl_id is None:
            return {"status": "failed", "message": "the crawl did not start"}
        row = store.recent_crawls(db, limit=1)[0]
        from .extensions import CrawlEnd

        summary = crawler.get_extension(CrawlEnd).summary
        if summary and row.get("status") == "running":  # the final write failed (disk full)
            return summary
        return row
    finally:
        db.close()
