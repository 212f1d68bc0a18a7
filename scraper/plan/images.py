"""Post images across a crawl: each once, its candidate URLs in order, hosts that did not
answer skipped.

Images are ordinary requests of the spider, not Scrapy's FilesPipeline: in the
images benchmark the stock FilesPipeline writing to disk was about as fast as a
bare download, and the archive's writer (sha256, header sniffing, a BLOB insert)
1.45x that, so speed alone would favour it. What keeps images here is the
interface: the media pipeline has no hook to try an image's next candidate URL
(``s0`` -> ``s1600`` -> the page's own ``src``) within one item, it logs an ERROR
with a traceback for every failed file (a blog with hundreds of dead images would
fill the cron mail that should only carry real failures), and it keeps every
result for the whole crawl, so the bytes would reach the single-writer store
pipeline by a second road.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..items import ImageFailure
from ..urls import host
from .archive import Archive
from .seen import Fingerprints


@dataclass
class ImageWant:
    """An image to fetch: the first of its candidate URLs, the others if that one fails."""

    key: str  # the image's full-size URL, as the archive knows it
    candidates: list[str]
    errors: list[str] = field(default_factory=list)


class ImagePlan:
    """Post images across the crawl: each once, hosts that did not answer skipped."""

    def __init__(self, archive: Archive, mode: str = "db", max_attempts: int = 5):
        self.archive = archive
        self.mode = mode
        self.max_attempts = max_attempts
        self.requested = Fingerprints()
        self.hosts_down: set[str] = set()

    def _first(self, key: str) -> bool:
        if not key.startswith(("http://", "https://")) or key in self.requested:
            return False
        self.requested.add(key)
        return True

    def for_post(self, post) -> list[ImageWant | ImageFailure]:
        if self.mode == "none":
            return []
        out: list[ImageWant | ImageFailure] = []
        for image in post.images:
            key = image.full_url
            if not self._first(key) or self.archive.image_known(key):
                continue
            want = self.want(key, image.candidates or [key])
            out.append(want or ImageFailure(key=key, url=key, error="host_down",
                                            message=f"{host(key)} did not answer earlier in this run"))
        return out

    def missing(self, blog_id: str) -> list[ImageWant]:
        """Images an earlier run could not get (or never reached): tried again."""
        if self.mode == "none" or not blog_id:
            return []
        out = []
        for image in self.archive.images_missing(blog_id, self.max_attempts):
            if self._first(image["full_url"]):
                want = self.want(image["full_url"], image["candidates"])
                if want is not None:
                    out.append(want)
        return out

    def want(self, key: str, candidates: list[str], errors: list[str] | None = None) -> ImageWant | None:
        candidates = [c for c in candidates if c.startswith(("http://", "https://"))
                      and host(c) not in self.hosts_down]
        return ImageWant(key, candidates, errors or []) if candidates else None

    def failed(self, key: str, url: str, rest: list[str], errors: list[str], kind: str,
               host_down: bool = False) -> ImageWant | ImageFailure:
        """``url`` did not give the image: the next size (s1600, the linked file, the shown
        one), or the image's failure when none is left."""
        if host_down:
            self.hosts_down.add(host(url))
        errors = errors + [f"{kind}: {url}"]
        want = self.want(key, rest, errors)
        if want is not None:
            return want
        return ImageFailure(key=key, url=url, error=kind, message="; ".join(errors)[:500])
