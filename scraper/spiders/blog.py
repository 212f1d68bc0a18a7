"""The `blog` spider: callbacks only.

Each answer is handed to the blog's plan (scraper/plan/), which says what to ask for
next, and to the platform (scraper/platforms/), which reads it; the spider turns the
plan's wants into requests and what the platform read into items for the pipeline.
It decides nothing itself and never writes the database.

    scrapy crawl blog -a url=https://example.blogspot.com/ -s BLOGARCHIVE_DB=example.db
"""

from __future__ import annotations

import scrapy
from protego import Protego
from scrapy import signals
from scrapy.exceptions import DontCloseSpider
from scrapy.http import HtmlResponse, TextResponse
from scrapy.utils.sitemap import Sitemap

from .. import images, platforms, readers
from ..failures import HOST_DOWN, failure_kind, http_status, short_reason
from ..items import Blog, FeedEntries, Fetch, ImageFile, LabelListing, PostComments, PostSeen
from ..plan import Archive, BlogPlan, ImagePlan, ImageWant, Limits, Want
from ..urls import check_url, host, origin

# Lower numbers are fetched later: posts first, then feeds, listings last, so
# the queue holds few pages at a time.
PRIORITY = {"comments": 25, "post": 30, "feed": 40, "sitemap": 39, "robots": 39, "home": 10, "archive": 10,
            "label": 5, "older": 8, "image": 35}
# What a file format starts with: served as text/html, it is still not a page.
BINARY_MAGIC = (b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"%PDF", b"PK\x03\x04", b"\x1f\x8b",
                b"RIFF", b"\x00\x00\x01\x00", b"7z\xbc\xaf", b"Rar!", b"\x7fELF", b"ID3")


class BlogSpider(scrapy.Spider):
    name = "blog"

    def __init__(self, url: str | None = None, urls: str | list[str] | None = None,
                 full: bool | str = False, **kwargs):
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
        self.full = str(full).lower() in ("1", "true", "yes")
        self.sites: list[BlogPlan] = []
        self.readers: readers.Readers | None = None

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        spider.archive = Archive(settings.get("BLOGARCHIVE_DB"))
        limits = Limits.from_settings(settings)
        spider.sites = [BlogPlan(seed, spider.archive, limits, spider.full) for seed in spider.seeds]
        spider.image_plan = ImagePlan(spider.archive, settings.get("BLOGARCHIVE_IMAGES", "db"),
                                  settings.getint("BLOGARCHIVE_IMAGE_MAX_ATTEMPTS", 5))
        workers = readers.worker_count(settings.get("BLOGARCHIVE_PARSE_WORKERS", 0))
        spider.readers = readers.Readers(workers, crawler) if workers > 0 else None
        crawler.signals.connect(spider._idle, signal=signals.spider_idle)
        return spider

    def _idle(self):
        held = [want for site in self.sites for want in site.idle()]
        for want in held:
            self.crawler.engine.crawl(self._request(want))
        if held:
            raise DontCloseSpider

    def closed(self, reason):
        if self.readers is not None:
            self.readers.close()
        self.archive.close()

    # -- requests ------------------------------------------------------------------

    def _request(self, want: Want) -> scrapy.Request:
        callback = {"feed": self.parse_feed, "sitemap": self.parse_sitemap, "robots": self.parse_robots,
                    "comments": self.parse_comments}.get(want.role, self.parse_page)
        # `conditional`: scraper.middlewares.ConditionalRequests adds the validators.
        return scrapy.Request(
            want.url,
            callback=callback,
            errback=self.failed,
            priority=PRIORITY.get(want.role, 0),
            meta={"handle_httpstatus_list": [304], **want.request_meta},
            dont_filter=want.force,
        )

    def _out(self, things):
        """The plan's wants as requests; items as they are."""
        for thing in things:
            if isinstance(thing, Want):
                yield self._request(thing)
            elif isinstance(thing, ImageWant):
                yield self._image_request(thing)
            else:
                yield thing

    # -- start -----------------------------------------------------------------------

    async def start(self):
        for site in self.sites:
            record = self.archive.blog(origin(site.seed))
            if record:
                try:
                    site.resume(record, platforms.by_name(record["platform"]))
                except KeyError:
                    pass  # a platform this version no longer knows: a first crawl
            yield self._request(site.want(site.seed, "home", force=True, seed=True))

    def _site(self, url: str) -> BlogPlan | None:
        for site in self.sites:
            if site.owns(url):
                return site
        return None

    def _site_of(self, response) -> tuple[BlogPlan | None, bool]:
        """The blog a response belongs to, and whether a redirect took it off the blog's hosts."""
        site = self._site(response.url)
        if site is not None:
            return site, False
        first = (response.meta.get("redirect_urls") or [response.request.url])[0]
        return self._site(first), True

    def may_redirect(self, request, target: str) -> bool:
        """Follow this redirect? Within the blog, yes; to another host only from the seed
        (the blog's other name: http→https, blogspot→custom domain), for feeds (FeedBurner)
        and for images (CDNs). Asked by scraper.middlewares.OffsiteRedirect."""
        meta = request.meta
        if meta.get("seed") or meta.get("role") in ("image", "feed"):
            return True
        first = (meta.get("redirect_urls") or [request.url])[0]
        site = self._site(request.url) or self._site(first)
        return site is None or site.owns(target)

    # -- pages -----------------------------------------------------------------------

    def parse_page(self, response):
        steps = self._page(response)
        if self.readers is None or response.meta.get("role") != "post":
            return steps
        return self._awaiting(steps)

    async def _awaiting(self, steps):
        """The page's steps, with a worker's reading awaited where they hand a page over
        (``readers.PostPage``) and sent back in (None: read it here)."""
        reading = None
        while True:
            try:
                thing = steps.send(reading)
            except StopIteration:
                return
            reading = None
            if isinstance(thing, readers.PostPage):
                reading = await self.readers.read(thing)
            else:
                yield thing

    def _page(self, response):
        role = response.meta.get("role", "home")
        site, moved = self._site_of(response)
        if site is None:
            return
        if role == "post":
            yield from self._out(site.post_answered())
        if moved:
            if not response.meta.get("seed"):  # pages off the blog are not archived
                first = response.meta["redirect_urls"][0] if response.meta.get("redirect_urls") \
                    else response.request.url
                yield Fetch(url=first, kind=role, status=response.status, error="offsite_redirect",
                            message=f"redirected to {response.url}, off the blog; not followed",
                            reason=response.meta.get("reason", ""))
                return
            site.hosts.add(host(response.url))  # the seed redirects to the blog's own other name
        if response.status == 304:
            yield from self._not_modified(site, response, role)
            return
        problem = self._not_a_page(response)
        if problem:
            yield self._fetch(response, role, *problem)
            return
        if site.platform is None:
            site.platform = platforms.detect(response)
            if site.platform is None:
                yield self._fetch(response, role, error="unrecognised",
                                  message="no platform recognised this page")
                self.logger.error("%s: not a blog this archiver recognises", response.url)
                return
        if role == "home" and not site.feeds_started:
            blog = site.platform.parse_blog(response)
            wants = site.started(blog, response.url)
            yield blog
            yield from self._out(wants)
            yield from self._out(self.image_plan.missing(site.blog_id))
        platform = site.platform

        post_id, links = "", None
        if platform.classify(response.url) == "post" or role == "post":
            listed = site.evidence(response.url, response.meta.get("listed"))
            reading = None
            if self.readers is not None and role == "post" and isinstance(response, HtmlResponse):
                for _ in range(2):
                    reading = yield readers.PostPage(platform.NAME, response.url, response.body,
                                                     response.encoding, listed, site.follows_links_of_post())
                    now = site.evidence(response.url, response.meta.get("listed"))
                    if now == listed:
                        break
                    # The blog said more of the page while it was read (its feed named it): read
                    # with what is known now, as this process would have read it now.
                    listed, reading = now, None
            if reading is not None:
                post, reason, links = reading.post, reading.refusal, reading.links
            else:  # read here
                try:
                    post = platform.parse_post(response, listed)
                except ValueError as e:
                    post, reason = None, str(e)
            if post is None:  # the evidence rule refused it: counted with its reason
                refusal = site.refused(response.url, listed, self._fetch(
                    response, role, error="not_a_post", message=reason.removeprefix(f"{response.url}: ")))
                if refusal is not None:
                    yield refusal
                return
            post_id = post.id
            yield post
            yield from self._out(self.image_plan.for_post(post))
            yield from self._out(site.post_parsed(post.url, post.id, len(post.comments)))
        yield self._fetch(response, role, post_id=post_id)
        if post_id and not site.follows_links_of_post():
            return
        if not post_id:
            label, listed = platform.label_listing(response)
            if label and listed:
                yield LabelListing(blog_id=site.blog_id, label=label, url=response.url, post_urls=listed)
        yield from self._out(site.links(role, platform.links(response) if links is None else links,
                                        response.meta.get("chain")))

    @staticmethod
    def _not_a_page(response) -> tuple[str, str] | None:
        """(error, message) when the answer is no HTML page at all."""
        if not isinstance(response, TextResponse) or b"html" not in response.headers.get(
            "Content-Type", b"text/html"
        ).lower():
            return "not_html", response.headers.get("Content-Type", b"").decode("latin-1")
        if not response.body.strip():
            return "empty", "the server sent no content"
        head = response.body[:2048]
        if head.startswith(BINARY_MAGIC) or (b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff"))):
            return "binary", "served as text/html but the body is a binary file"
        return None

    def _not_modified(self, site: BlogPlan, response, role: str):
        """304: the archive's copy stands. The home page unchanged still means: check the feed."""
        yield self._fetch(response, role)
        if role == "post":
            yield PostSeen(url=site.platform.canonical(response.url) if site.platform else response.url)
        elif role == "home":
            wants = site.home_unchanged()
            if wants is not None:
                record = site.blog_record
                yield Blog(id=record["id"], url=record["url"], platform=record["platform"],
                           title=record.get("title") or "")
                yield from self._out(wants)
                yield from self._out(self.image_plan.missing(site.blog_id))

    # -- feeds -------------------------------------------------------------------------

    def parse_feed(self, response):
        site, _ = self._site_of(response)
        if site is None or site.platform is None:
            return
        if response.status == 304:
            yield self._fetch(response, "feed")
            return
        try:
            page = site.platform.parse_feed(response)
        except Exception as e:  # a broken feed must not stop the crawl
            fallback = site.feed_fallback(response.meta)
            if fallback is not None:
                yield self._fetch(response, "feed", message=f"not a feed ({e}); reading {fallback.url}")
                yield self._request(fallback)
                return
            yield self._fetch(response, "feed", error="parse_error", message=str(e))
            yield from self._out(site.feed_unreadable(response.meta, f"not a feed: {e}"))
            return
        yield self._fetch(response, "feed")
        yield FeedEntries(blog_id=site.blog_id, total=page.total, entries=page.entries,
                          url=response.url)
        yield from self._out(site.feed_read(page, response.meta))

    def parse_comments(self, response):
        site, _ = self._site_of(response)
        if site is None or site.platform is None or response.status == 304:
            return
        try:
            comments, next_url = site.platform.parse_comment_feed(response)
        except Exception as e:
            yield self._fetch(response, "comments", error="parse_error", message=str(e)[:300])
            return
        yield self._fetch(response, "comments")
        yield PostComments(post_id=response.meta["post_id"], url=response.url, comments=comments)
        yield from self._out(site.comments_next(next_url, response.meta["post_id"]))

    def parse_robots(self, response):
        """robots.txt's Sitemap lines: sitemaps kept where no convention says."""
        site, _ = self._site_of(response)
        if site is None or site.platform is None:
            return
        yield self._fetch(response, "robots")
        sitemaps = Protego.parse(response.body.decode("utf-8", "replace")).sitemaps
        yield from self._out(site.robots_sitemaps(sitemaps))

    def parse_sitemap(self, response):
        site, _ = self._site_of(response)
        if site is None or site.platform is None:
            return
        yield self._fetch(response, "sitemap")
        if response.status == 304:
            return
        try:
            sitemap = Sitemap(response.body)
        except Exception as e:
            yield self._fetch(response, "sitemap", error="parse_error", message=str(e)[:300])
            return
        urls = (entry.get("loc", "") for entry in sitemap)
        yield from self._out(site.sitemap_entries(sitemap.type == "sitemapindex", urls))

    # -- images ------------------------------------------------------------------------

    def _image_request(self, want: ImageWant) -> scrapy.Request:
        return scrapy.Request(
            want.candidates[0],
            callback=self.parse_image,
            errback=self.image_failed,
            priority=PRIORITY["image"],
            # Embedded images are part of the page, fetched as a browser would: no robots.txt
            # round trip per image host; other sizes now, the next run later, instead of retries.
            meta={"role": "image", "key": want.key, "rest": want.candidates[1:], "errors": want.errors,
                  "download_maxsize": self.settings.getint("BLOGARCHIVE_IMAGE_MAXSIZE"),
                  "dont_obey_robotstxt": True, "max_retry_times": 0},
        )

    def parse_image(self, response):
        meta = response.meta
        try:
            info = images.inspect(response.body)
        except images.NotAnImage as e:
            yield from self._out([self.image_plan.failed(meta["key"], response.url, meta.get("rest", []),
                                                     meta.get("errors", []), e.kind)])
            return
        yield ImageFile(key=meta["key"], url=response.url, body=response.body, info=info)

    def image_failed(self, failure):
        request = failure.request
        kind, _ = failure_kind(failure)
        status = http_status(failure)
        if status:
            kind = f"http_{status}"
        meta = request.meta
        yield from self._out([self.image_plan.failed(meta["key"], request.url, meta.get("rest", []),
                                                 meta.get("errors", []), kind, kind in HOST_DOWN)])

    # -- failures ------------------------------------------------------------------------

    def failed(self, failure):
        request = failure.request
        role = request.meta.get("role", "other")
        site = self._site(request.url) if role in ("feed", "post") else None
        if role == "feed" and site is not None:
            fallback = site.feed_fallback(request.meta)
            if fallback is not None:  # not an error of the crawl: another feed says the same
                yield Fetch(url=(request.meta.get("redirect_urls") or [request.url])[0], kind="feed",
                            status=http_status(failure),
                            message=f"{short_reason(failure)}; reading {fallback.url} instead")
                yield self._request(fallback)
                return
            yield from self._out(site.feed_unreadable(request.meta, short_reason(failure)))
        if role == "post" and site is not None:
            yield from self._out(site.post_answered())
        status = http_status(failure)
        if status is not None:
            response = failure.value.response
            if role in ("sitemap", "robots") and status in (404, 410):
                yield self._fetch(response, role)  # many blogs have none: not an error
                return
            yield self._fetch(response, role, error=f"http_{status}")
            return
        kind, message = failure_kind(failure)
        # Under the URL the crawl asked for, not the last hop of a redirect chain.
        url = (request.meta.get("redirect_urls") or [request.url])[0]
        yield Fetch(url=url, kind=role, error=kind, message=message)

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
            reason=response.meta.get("reason", ""),
        )
