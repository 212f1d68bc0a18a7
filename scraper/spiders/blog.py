"""The `blog` spider: navigation only.

It asks the platform registry what a page is and which of its links lead to
posts, fetches each post once per run, and hands what the platform parsed to
the pipeline. It never parses a field itself and never touches the database.

    scrapy crawl blog -a url=https://example.blogspot.com/ -s BLOGARCHIVE_DB=example.db
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import ModuleType
import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.http import TextResponse
from scrapy.utils.sitemap import Sitemap
from scrapy.spidermiddlewares.httperror import HttpError

from .. import images, platforms, store
from ..items import FeedEntries, Fetch, ImageFailure, ImageFile
from ..urls import check_url, host

# Lower numbers are fetched later: posts first, then feeds, listings last, so
# the queue holds few pages at a time.
PRIORITY = {"post": 30, "feed": 40, "sitemap": 39, "home": 10, "archive": 10, "label": 5, "older": 8,
            "image": 35}
FAILURE_KINDS = {
    "DNSLookupError": "dns", "CannotResolveHostError": "dns",
    "TimeoutError": "timeout", "TCPTimedOutError": "timeout", "DownloadTimeoutError": "timeout",
    "ConnectionRefusedError": "connection_refused",
    "DownloadConnectionRefusedError": "connection_refused",
    "ResponseDataLossError": "truncated", "ConnectionLost": "connection_lost",
    "ResponseNeverReceived": "connection_lost", "DownloadCancelledError": "cancelled",
}
# After these, other URLs on the same host are not tried in this run.
HOST_DOWN = {"dns", "connection_refused"}
LISTING_ROLES = {"home", "archive", "label", "older"}


@dataclass
class Site:
    """What the spider knows of one blog during a run."""

    seed: str
    hosts: set[str]
    platform: ModuleType | None = None
    blog_id: str = ""
    seen: set[str] = field(default_factory=set)  # dedupe keys of everything requested
    listings: int = 0
    requests: int = 0
    feeds_started: bool = False


class BlogSpider(scrapy.Spider):
    name = "blog"

    def __init__(self, url: str | None = None, urls: str | list[str] | None = None, **kwargs):
        super().__init__(**kwargs)
        seeds: list[str] = []
        if url:
            seeds.append(url)
        if isinstance(urls, str):
            seeds.extend(u for u in urls.split() if u)
        elif urls:
            seeds.extend(urls)
        if not seeds:
            raise ValueError("give the blog's address: scrapy crawl blog -a url=https://…")
        self.seeds = [check_url(u) for u in seeds]
        self.sites: list[Site] = [Site(seed=s, hosts={host(s)}) for s in self.seeds]
        self.images_requested: set[str] = set()
        self.hosts_down: set[str] = set()
        self._archive = None

    @property
    def archive(self):
        """The archive, read-only for the spider: what earlier runs already hold."""
        if self._archive is None:
            self._archive = store.open_db(self.settings.get("BLOGARCHIVE_DB"))
        return self._archive

    def closed(self, reason):
        if self._archive is not None:
            self._archive.close()

    # -- start -----------------------------------------------------------------

    async def start(self):
        for request in self.start_requests():
            yield request

    def start_requests(self):
        for site in self.sites:
            yield self._request(site, site.seed, "home", force=True)

    # -- bookkeeping -----------------------------------------------------------

    def _site(self, url: str) -> Site | None:
        h = host(url)
        for site in self.sites:
            if h in site.hosts:
                return site
        return None

    def _key(self, site: Site, url: str) -> str:
        return site.platform.dedupe_key(url) if site.platform else url

    def _request(self, site: Site, url: str, role: str, *, force: bool = False, **meta):
        key = self._key(site, url)
        if not force:
            if key in site.seen:
                return None
            if role in LISTING_ROLES:
                if site.listings >= self.settings.getint("BLOGARCHIVE_MAX_LISTING_PAGES"):
                    self.logger.warning("listing budget spent for %s; not following %s", site.seed, url)
                    return None
                site.listings += 1
            if site.requests >= self.settings.getint("BLOGARCHIVE_MAX_REQUESTS_PER_BLOG"):
                return None
        site.seen.add(key)
        site.requests += 1
        callback = {"feed": self.parse_feed, "sitemap": self.parse_sitemap}.get(role, self.parse_page)
        return scrapy.Request(
            url,
            callback=callback,
            errback=self.failed,
            priority=PRIORITY.get(role, 0),
            meta={"role": role, **meta},
            dont_filter=force,
        )

    # -- callbacks -------------------------------------------------------------

    def parse_page(self, response):
        role = response.meta.get("role", "home")
        site = self._site(response.url) or self._site(response.request.url)
        if site is None:
            return
        site.hosts.add(host(response.url))  # redirects to the blog's own other name
        if not isinstance(response, TextResponse) or b"html" not in response.headers.get(
            "Content-Type", b"text/html"
        ).lower():
            yield self._fetch(response, role, error="not_html",
                              message=response.headers.get("Content-Type", b"").decode("latin-1"))
            return
        if site.platform is None:
            site.platform = platforms.detect(response)
            if site.platform is None:
                yield self._fetch(response, role, error="unrecognised",
                                  message="no platform recognised this page")
                self.logger.error("%s: not a blog this archiver recognises", response.url)
                return
            site.seen = {self._key(site, u) for u in [site.seed, response.url]}
            blog = site.platform.parse_blog(response)
            site.blog_id = blog.id
            yield blog
            # Sitemaps list every post with its last change: a second, cheap census.
            for url in getattr(site.platform, "sitemap_urls", lambda _: [])(blog.url):
                request = self._request(site, url, "sitemap")
                if request is not None:
                    yield request
        platform = site.platform

        post_id = ""
        if platform.classify(response.url) == "post" or role == "post":
            try:
                post = platform.parse_post(response)
            except ValueError as e:
                yield self._fetch(response, role, error="parse_error", message=str(e))
                return
            post_id = post.id
            yield post
            yield from self._image_requests(post)
        yield self._fetch(response, role, post_id=post_id)

        new_posts = 0
        older: list[str] = []
        for link in platform.links(response):
            if host(link.url) not in site.hosts:
                continue
            if link.role == "older":
                older.append(link.url)
                continue
            if link.role == "feed":
                if not site.feeds_started:
                    site.feeds_started = True
                    request = self._request(site, link.url, "feed")
                    if request:
                        yield request
                continue
            request = self._request(site, link.url, link.role)
            if request is not None:
                new_posts += link.role == "post"
                yield request
        # "Older posts" chains overlap (B1, B2): walk the home chain to its end,
        # any other chain only while it still shows posts we had not seen.
        chain = role in ("home", "older") and response.meta.get("chain", role == "home")
        if chain or new_posts:
            for url in older:
                request = self._request(site, url, "older", chain=chain)
                if request is not None:
                    yield request

    def parse_feed(self, response):
        site = self._site(response.url) or self._site(response.request.url)
        if site is None or site.platform is None:
            return
        try:
            page = site.platform.parse_feed(response)
        except Exception as e:  # a broken feed must not stop the crawl
            yield self._fetch(response, "feed", error="parse_error", message=str(e))
            return
        yield self._fetch(response, "feed")
        yield FeedEntries(blog_id=site.blog_id, total=page.total, entries=page.entries,
                          url=response.url)
        for entry in page.entries:
            if host(entry["url"]) in site.hosts:
                request = self._request(site, entry["url"], "post")
                if request is not None:
                    yield request
        if page.next_url and host(page.next_url) in site.hosts:
            request = self._request(site, page.next_url, "feed")
            if request is not None:
                yield request

    def parse_sitemap(self, response):
        site = self._site(response.url) or self._site(response.request.url)
        if site is None or site.platform is None:
            return
        yield self._fetch(response, "sitemap")
        try:
            sitemap = Sitemap(response.body)
        except Exception as e:
            yield self._fetch(response, "sitemap", error="parse_error", message=str(e)[:300])
            return
        for entry in sitemap:
            url = entry.get("loc", "").strip()
            if not url or host(url) not in site.hosts:
                continue
            role = "sitemap" if sitemap.type == "sitemapindex" else site.platform.classify(url)
            if role in ("sitemap", "post"):
                request = self._request(site, url, role)
                if request is not None:
                    yield request

    # -- images ----------------------------------------------------------------

    def _image_requests(self, post):
        mode = self.settings.get("BLOGARCHIVE_IMAGES", "db")
        if mode == "none":
            return
        for image in post.images:
            key = image.full_url
            if not key.startswith(("http://", "https://")) or key in self.images_requested:
                continue
            self.images_requested.add(key)
            if store.image_known(self.archive, key):
                continue
            request = self._image_request(key, image.candidates or [key])
            if request is not None:
                yield request
            else:
                yield ImageFailure(key=key, url=key, error="host_down",
                                   message=f"{host(key)} did not answer earlier in this run")

    def _image_request(self, key: str, candidates: list[str], errors: list[str] | None = None):
        candidates = [c for c in candidates if c.startswith(("http://", "https://"))
                      and host(c) not in self.hosts_down]
        if not candidates:
            return None
        return scrapy.Request(
            candidates[0],
            callback=self.parse_image,
            errback=self.image_failed,
            priority=PRIORITY["image"],
            meta={"role": "image", "key": key, "rest": candidates[1:], "errors": errors or [],
                  "download_maxsize": self.settings.getint("BLOGARCHIVE_IMAGE_MAXSIZE")},
        )

    def parse_image(self, response):
        meta = response.meta
        try:
            info = images.inspect(response.body)
        except images.NotAnImage as e:
            yield from self._next_candidate(response.url, meta, e.kind, str(e))
            return
        yield ImageFile(key=meta["key"], url=response.url, body=response.body, info=info)

    def image_failed(self, failure):
        request = failure.request
        kind, message = self._failure_kind(failure)
        if failure.check(HttpError):
            kind = f"http_{failure.value.response.status}"
        if kind in HOST_DOWN:
            self.hosts_down.add(host(request.url))
        yield from self._next_candidate(request.url, request.meta, kind, message)

    def _next_candidate(self, url: str, meta: dict, kind: str, message: str):
        """The original failed: try the next size (s1600, the linked file, the shown one)."""
        errors = meta.get("errors", []) + [f"{kind}: {url}"]
        request = self._image_request(meta["key"], meta.get("rest", []), errors)
        if request is not None:
            yield request
            return
        yield ImageFailure(key=meta["key"], url=url, error=kind, message="; ".join(errors)[:500])

    @staticmethod
    def _failure_kind(failure) -> tuple[str, str]:
        """A short, stable name for what went wrong (Scrapy's and Twisted's names vary)."""
        message = str(failure.value)[:500]
        if failure.check(IgnoreRequest):
            return ("robots" if "robots" in message.lower() else "ignored"), message
        name = failure.type.__name__ if failure.type else "error"
        lowered = message.lower()
        if "maxsize" in lowered or "max size" in lowered or "larger than" in lowered:
            return "too_large", message
        return FAILURE_KINDS.get(name, name), message

    def failed(self, failure):
        request = failure.request
        role = request.meta.get("role", "other")
        if failure.check(HttpError):
            response = failure.value.response
            if role == "sitemap" and response.status in (404, 410):
                yield self._fetch(response, role)  # many blogs have none: not an error
                return
            yield self._fetch(response, role, error=f"http_{response.status}")
            return
        if failure.check(IgnoreRequest):
            reason = str(failure.value) or "ignored"
            kind = "robots" if "robots" in reason.lower() else "ignored"
            yield Fetch(url=request.url, kind=role, error=kind, message=reason)
            return
        kind, message = self._failure_kind(failure)
        yield Fetch(url=request.url, kind=role, error=kind, message=message)

    def _fetch(self, response, role: str, error: str = "", message: str = "", post_id: str = ""):
        headers = response.headers
        return Fetch(
            url=response.url,
            kind=role,
            status=response.status,
            error=error,
            message=message,
            etag=headers.get("ETag", b"").decode("latin-1"),
            last_modified=headers.get("Last-Modified", b"").decode("latin-1"),
            post_id=post_id,
        )
