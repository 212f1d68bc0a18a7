"""The plan of a crawl: which URLs of a blog to ask for, in what order, and when to stop.

The spider (scraper/spiders/blog.py) only carries answers here and turns what the plan
wants into Scrapy requests; every decision is taken in this package, without Scrapy, so
that tests drive it directly (tests/test_plan.py):

- dedupe: each URL once per run (by the platform's dedupe key), kept as 8-byte
  fingerprints so that memory stays flat however big the blog;
- budgets: listing pages and requests per blog (crawler traps end there);
- the feed first: listing pages and sitemaps wait while the blog's feed is read, and
  are dropped when it listed every post; feed pages are read ahead of their posts only
  while few post pages wait; a feed that cannot be read falls back to the next one
  (REST → RSS);
- the mode of the run: a first (or resumed) crawl, an incremental one that reads the
  feed of changes down to the watermark of earlier runs, or a full one;
- deletions: when the feed counts fewer posts than the archive holds, the whole feed
  is listed once (the census) and archived posts it no longer names are asked for;
- images: each image once per run, its candidate URLs in order, hosts that did not
  answer skipped.

It reads the archive (what earlier runs hold) and never writes it.
"""

from .archive import Archive
from .blog import LISTING_ROLES, BlogPlan, Limits, Want
from .images import ImagePlan, ImageWant
from .seen import Fingerprints, fingerprint

__all__ = ["Archive", "BlogPlan", "Fingerprints", "ImagePlan", "ImageWant", "LISTING_ROLES", "Limits",
           "Want", "fingerprint"]
