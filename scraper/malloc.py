"""Page-sized buffers taken from the system and given back to it at once (glibc).

glibc serves a buffer above its mmap threshold (128 KiB) with a mapping of its own, returned
to the system when freed; but each time such a buffer is freed it raises the threshold to that
size (up to 32 MiB). After the first big page, every page-sized buffer (a body, its text, a
WARC record and its compressed copy) comes from the heaps instead, where freed space is
reused but seldom returned, and the WARC thread's heap kept growing: crawling a site of
242 KB post pages, RSS rose about 13 KB a page (163 to 218 MB over 6,500 pages, still rising);
with the threshold held at 128 KiB it stayed at 144-153 MB. ``mallopt`` with an explicit
threshold turns the raising off. Elsewhere than glibc nothing changes.
"""

from __future__ import annotations

import ctypes
import logging

logger = logging.getLogger(__name__)

M_MMAP_THRESHOLD = -3  # glibc's <malloc.h>
MMAP_THRESHOLD = 128 * 1024  # glibc's own starting value, kept


def hold_mmap_threshold(threshold: int = MMAP_THRESHOLD) -> bool:
    """Buffers of ``threshold`` bytes and more mapped apart from now on. False where the C
    library has no ``mallopt`` (not glibc)."""
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        logger.debug("no mallopt in this C library: buffers are left to its own policy")
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    return bool(mallopt(M_MMAP_THRESHOLD, threshold))


class PageBuffers:
    """Scrapy extension (settings ``EXTENSIONS``): holds the threshold for the crawl."""

    def __init__(self, held: bool):
        self.held = held

    @classmethod
    def from_crawler(cls, crawler):
        return cls(hold_mmap_threshold())
