"""The `blog` spider: navigation only.

It asks the platform registry what a page is and which of its links lead to
posts, fetches each post once per run, and hands what the platform parsed to
the pipeline. It never parses a field itself and never touches the database.

    scrapy crawl blog -a url=https://example.blogspot.com/ -s BLOGARCHIVE_DB=example.db
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import ModuleType
from urllib.parse import urljoin

import scrapy
from protego import Protego
from scrapy import signals
from scrapy.exceptions import DontCloseSpider, IgnoreRequest
from scrapy.http import TextResponse
from scrapy.utils.sitemap import Sitemap
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import ConnectionDone, ConnectionLost

from .. import images, platforms, store
from ..items import (Blog, FeedEntries, Fetch, ImageFailure, ImageFile, LabelListing, PostComments,
                     PostSeen)
from ..dates import utc_instant
from ..platforms.post_evidence import listed_in
from ..urls import check_url, host, origin

# Lower numbers are fetched later: posts first, then feeds, listings last, so
# the queue holds few pages at a time.
PRIORITY = {"comments": 25, "post": 30, "feed": 40, "sitemap": 39, "robots": 39, "home": 10, "archive": 10, "label": 5, "older": 8,
            "image": 35}
FAILURE_KINDS = {
    "DNSLookupError": "dns", "CannotResolveHostError": "dns",
    "TimeoutError": "timeout", "TCPTimedOutError": "timeout", "DownloadTimeoutError": "timeout",
    "ConnectionRefusedError": "connection_refused",
    "DownloadConnectionRefusedError": "connection_refused",
    "ResponseDataLossError": "truncated", "ConnectionLost": "connection_lost",
    "ResponseNeverReceived": "connection_lost", "DownloadCancelledError": "cancelled",
    "DownloadFailedError": "connection_lost",  # closed before any answer
}
# What a file format starts with: served as text/html, it is still not a page.
BINARY_MAGIC = (b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"%PDF", b"PK\x03\x04", b"\x1f\x8b",
                b"RIFF", b"\x00\x00\x01\x00", b"7z\xbc\xaf", b"Rar!", b"\x7fELF", b"ID3")
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
    blog_record: dict | None = None  # the archived blog, when an earlier run saw it
    # discover: first crawl (or a resumed one): walk everything, skip posts already stored;
    # incremental: the blog was crawled to the end before: feed + home page, new and changed only;
    # full: walk everything and revalidate every stored post.
    mode: str = "discover"
    seen: set[str] = field(default_factory=set)  # dedupe keys of everything requested
    listings: int = 0
    requests: int = 0
    feeds_started: bool = False
    watermark: object = None  # latest change the feed showed in earlier runs (UTC)
    census: set[str] | None = None  # post URLs the full feed lists (when deletions are suspected)
    listed: set[str] = field(default_factory=set)  # post URLs the feed listed in this run
    shown: set[str] = field(default_factory=set)  # dedupe keys of posts pages showed in this run
    # The feed listed as many posts as it says the blog has: listing pages can
    # only repeat it, so no more of them are fetched.
    feed_complete: bool = False
    # Comment counts the feed states, and comments the post pages showed: a post
    # with more than its page shows has its comment feed read (B16).
    comment_counts: dict = field(default_factory=dict)
    page_comments: dict = field(default_factory=dict)
    feed_running: bool = False  # listing pages wait while the feed is being read…
    deferred: list = field(default_factory=list)  # …here: (url, role, meta)
    # Feed pages asked for side by side (the platform can name them all from the
    # first): the feed has ended when none is left. Needs one process's count.
    fan_out: bool = True
    feed_pages_left: set = field(default_factory=set)  # asked for, not answered yet
    feed_todo: list = field(default_factory=list)  # not asked for yet: posts are queued enough
    posts_pending: int = 0  # post pages asked for and not answered: the read-ahead
    feed_page_size: int = 25
    feed_fallbacks: list = field(default_factory=list)  # feeds to try if the first cannot be read
    # Pages refused as posts while the feed is still being read: the feed may yet name
    # them (then they are asked for again, as listed there); the refusal stands otherwise.
    held_refusals: dict = field(default_factory=dict)  # post URL → its Fetch
    name: str = ""  # the blog's own name: a page whose <title> is only this names no post


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
        self.sites: list[Site] = [Site(seed=s, hosts={host(s)}) for s in self.seeds]
        self.images_requested: set[str] = set()
        self.hosts_down: set[str] = set()
        self._archive = None

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider._idle, signal=signals.spider_idle)
        return spider

    def _idle(self):
        """Nothing left to fetch but feed pages held back: ask for them now (a post request
        that never came back, dropped on the way, must not hold the feed forever)."""
        held = [(site, url) for site in self.sites for url in site.feed_todo]
        for site, _ in held:
            site.feed_todo = []
        for site, url in held:
            request = self._fanned_request(site, url)
            if request is not None:
                self.crawler.engine.crawl(request)
        if held:
            raise DontCloseSpider

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
            record = store.find_blog(self.archive, origin(site.seed))
            if record:
                self._resume(site, record)
            yield self._request(site, site.seed, "home", force=True, seed=True)

    def _resume(self, site: Site, record: dict) -> None:
        """An archived blog: pick the platform and the mode from what the archive holds."""
        try:
            site.platform = platforms.by_name(record["platform"])
        except KeyError:
            return
        site.blog_record = record
        site.blog_id = record["id"]
        site.name = record.get("title") or ""
        if self.full:
            site.mode = "full"
        elif record.get("last_complete_crawl"):
            site.mode = "incremental"
            site.watermark = store.feed_watermark(self.archive, record["id"])
        else:
            site.mode = "discover"  # an interrupted first crawl: carry on where it stopped
        self.logger.info("%s: archived before, %s crawl", site.seed, site.mode)

    # -- bookkeeping -----------------------------------------------------------

    def _site(self, url: str) -> Site | None:
        h = host(url)
        for site in self.sites:
            if h in site.hosts:
                return site
        return None

    def _site_of(self, response) -> tuple[Site | None, bool]:
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
        return site is None or host(target) in site.hosts

    def _key(self, site: Site, url: str) -> str:
        return site.platform.dedupe_key(url) if site.platform else url

    def _request(self, site: Site, url: str, role: str, *, force: bool = False,
                 reason: str = "discovered", **meta):
        key = self._key(site, url)
        if not force:
            if key in site.seen:
                return None
            if role in LISTING_ROLES and site.feed_complete:
                return None
            if (role in LISTING_ROLES or role == "sitemap") and site.feed_running:
                # Held while the feed is read: listings are then needed only if it fell
                # short; sitemaps, read after it, add only what it did not list.
                site.seen.add(key)
                site.deferred.append((url, role, {"reason": reason, **meta}))
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
        if role == "post":
            site.posts_pending += 1
        callback = {"feed": self.parse_feed, "sitemap": self.parse_sitemap, "robots": self.parse_robots,
                    "comments": self.parse_comments}.get(role, self.parse_page)
        headers = {}
        # Conditional requests: posts whenever the archive has them; listings and
        # feeds only in incremental runs (a full run must read them whole).
        if (role == "post" and site.mode != "discover") or (
            site.mode == "incremental" and role in ("home", "feed", "sitemap")
        ):
            headers = self._validators(url)
        return scrapy.Request(
            url,
            callback=callback,
            errback=self.failed,
            priority=PRIORITY.get(role, 0),
            headers=headers or None,
            meta={"role": role, "reason": reason, "handle_httpstatus_list": [304], **meta},
            dont_filter=force,
        )

    def _validators(self, url: str) -> dict:
        """If-None-Match / If-Modified-Since from the last time this URL answered."""
        known = store.fetch_validators(self.archive, url)
        if not known or known.get("status") not in (200, 304):
            return {}
        headers = {}
        if known.get("etag"):
            headers["If-None-Match"] = known["etag"]
        if known.get("last_modified"):
            headers["If-Modified-Since"] = known["last_modified"]
        return headers

    def _post_request(self, site: Site, url: str, reason: str = "discovered", listed: dict | None = None):
        """Ask for a post page unless this run's mode says the archive's copy will do.
        ``listed``: where the blog names it (its feed entry, sitemap, a listing page)."""
        if self._key(site, url) in site.seen:
            return None  # each listing page names many posts again: skip the store lookups
        if site.mode in ("discover", "incremental"):
            known = store.fetch_validators(self.archive, url)
            if known and known.get("status") in (404, 410) and not store.post_state(self.archive, url):
                return None  # a dead link recorded earlier: --full tries it again
            state = store.post_state(self.archive, url)
            if state is not None and not state["gone_at"]:
                return None  # stored by an earlier (maybe interrupted) run
            if state is None and site.mode == "incremental":
                reason = "new"
        elif site.mode == "full":
            reason = "revalidate" if store.post_state(self.archive, url) else "new"
        if listed:
            return self._request(site, url, "post", reason=reason, listed=listed)
        return self._request(site, url, "post", reason=reason)

    # -- callbacks -------------------------------------------------------------

    def parse_page(self, response):
        role = response.meta.get("role", "home")
        site, moved = self._site_of(response)
        if site is None:
            return
        if role == "post":
            yield from self._post_answered(site)
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
        if not isinstance(response, TextResponse) or b"html" not in response.headers.get(
            "Content-Type", b"text/html"
        ).lower():
            yield self._fetch(response, role, error="not_html",
                              message=response.headers.get("Content-Type", b"").decode("latin-1"))
            return
        if not response.body.strip():
            yield self._fetch(response, role, error="empty", message="the server sent no content")
            return
        head = response.body[:2048]
        if head.startswith(BINARY_MAGIC) or (b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff"))):
            yield self._fetch(response, role, error="binary",
                              message="served as text/html but the body is a binary file")
            return
        if site.platform is None:
            site.platform = platforms.detect(response)
            if site.platform is None:
                yield self._fetch(response, role, error="unrecognised",
                                  message="no platform recognised this page")
                self.logger.error("%s: not a blog this archiver recognises", response.url)
                return
        if role == "home" and not site.feeds_started:
            yield from self._start_blog(site, response)
        platform = site.platform

        post_id = ""
        if platform.classify(response.url) == "post" or role == "post":
            # What the blog said of this page where it was found (its feed entry, its
            # sitemap, a listing): evidence that it is a post, and fields its page may lack.
            listed = dict(response.meta.get("listed") or {})
            if listed_in(listed) != "feed" and platform.canonical(response.url) in site.listed:
                listed["listed_in"] = "feed"  # found elsewhere first; the feed names it too
            if site.name:
                listed["site_name"] = site.name
            try:
                post = platform.parse_post(response, listed)
            except ValueError as e:  # the evidence rule refused it: counted with its reason
                refusal = self._fetch(response, role, error="not_a_post",
                                      message=str(e).removeprefix(f"{response.url}: "))
                if site.feed_running and listed_in(listed) != "feed":
                    site.held_refusals[platform.canonical(response.url)] = refusal
                else:
                    yield refusal
                return
            post_id = post.id
            yield post
            yield from self._image_requests(post)
            site.page_comments[post.url] = (post.id, len(post.comments))
            yield from self._comment_feed(site, post.url)
        yield self._fetch(response, role, post_id=post_id)
        if post_id and (site.feed_complete or site.feed_running):
            # The feed lists every post (or is being read: if it falls short, the listing
            # pages held back meanwhile are walked): a post page's links add nothing.
            return

        listing = getattr(platform, "label_listing", None)
        label, listed = listing(response) if listing and not post_id else ("", [])
        if label and listed:
            yield LabelListing(blog_id=site.blog_id, label=label, url=response.url, post_urls=listed)

        new_posts = 0
        fresh = 0  # posts this page shows that no page showed before in this run
        older: list[str] = []
        listings = []
        for link in platform.links(response):
            if host(link.url) not in site.hosts:
                continue
            if link.role == "older":
                older.append(link.url)
            elif link.role == "post":
                key = self._key(site, link.url)
                if key not in site.shown:
                    site.shown.add(key)
                    fresh += 1
                request = self._post_request(
                    site, link.url, listed={"listed_in": "listing"} if role in LISTING_ROLES else None)
                if request is not None:
                    new_posts += 1
                    yield request
            elif link.role in LISTING_ROLES and site.mode != "incremental" and not site.feed_complete:
                listings.append(link)
        # Crawler traps (endless calendars, deep or permuted listing URLs) show nothing
        # new: a listing page that shows no post unseen in this run is a dead end.
        if role == "home" or fresh:
            for link in listings:
                request = self._request(site, link.url, link.role)
                if request is not None:
                    yield request
        # "Older posts" chains overlap (B1, B2): walk the home chain to its end,
        # any other chain only while it still shows posts we had not seen. An
        # incremental run walks from the home page only while pages show new posts.
        chain = role in ("home", "older") and response.meta.get("chain", role == "home")
        if site.mode == "incremental" or site.feed_complete:
            chain = False
        if chain or (new_posts and not site.feed_complete):
            for url in older:
                request = self._request(site, url, "older", chain=chain)
                if request is not None:
                    yield request

    def _start_blog(self, site: Site, response):
        """First page of a blog in this run: record the blog, start its feed and sitemap."""
        site.feeds_started = True
        site.seen |= {self._key(site, u) for u in [site.seed, response.url]}
        blog = site.platform.parse_blog(response)
        site.blog_id = site.blog_id or blog.id
        site.name = blog.title
        blog.id = site.blog_id
        yield blog
        yield from self._feed_requests(site, blog.url, blog.feed_url)
        yield from self._missing_images(site)

    def _feed_requests(self, site: Site, blog_url: str, feed_url: str = ""):
        if site.mode == "incremental":
            changes = getattr(site.platform, "changes_feed_url", None)
            url = changes(blog_url) if changes else (feed_url or site.platform.feed_urls(blog_url)[0])
            request = self._request(site, url, "feed", reason="changes")
            if request is not None:
                yield request
            return
        # One feed at a time, the platform's choice first; the others stand by in case it
        # cannot be read (gone, forbidden, not a feed).
        choose = getattr(site.platform, "feed_candidates", None)
        candidates = choose(blog_url, feed_url) if choose else list(dict.fromkeys(
            ([feed_url] if feed_url else []) + site.platform.feed_urls(blog_url)))
        for i, url in enumerate(candidates):
            request = self._request(site, url, "feed", first_feed=True)
            if request is not None:
                site.feed_running = True
                site.feed_fallbacks = candidates[i + 1:]
                yield request
                break
        # Sitemaps list every post with its last change: a second, cheap census.
        for url in getattr(site.platform, "sitemap_urls", lambda _: [])(blog_url):
            request = self._request(site, url, "sitemap")
            if request is not None:
                yield request
        if getattr(site.platform, "SITEMAPS_IN_ROBOTS", False):  # wherever the site keeps them
            request = self._request(site, urljoin(blog_url, "/robots.txt"), "robots")
            if request is not None:
                yield request

    def _not_modified(self, site: Site, response, role: str):
        """304: the archive's copy stands. The home page unchanged still means: check the feed."""
        yield self._fetch(response, role)
        if role == "post":
            yield PostSeen(url=site.platform.canonical(response.url) if site.platform else response.url)
        elif role == "home" and site.blog_record and not site.feeds_started:
            site.feeds_started = True
            record = site.blog_record
            yield Blog(id=record["id"], url=record["url"], platform=record["platform"],
                       title=record.get("title") or "")
            yield from self._feed_requests(site, record["url"], record.get("feed_url") or "")
            yield from self._missing_images(site)

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
            fallback = self._feed_fallback(site, response.request)
            if fallback is not None:
                yield self._fetch(response, "feed", message=f"not a feed ({e}); reading {fallback.url}")
                yield fallback
                return
            yield self._fetch(response, "feed", error="parse_error", message=str(e))
            if self._reads_changes(site, response.request):
                yield from self._changes_unreadable(site, f"not a feed: {e}")
                return
            if site.feed_running:
                yield from self._feed_ended(site, complete=False)
            return
        yield self._fetch(response, "feed")
        yield FeedEntries(blog_id=site.blog_id, total=page.total, entries=page.entries,
                          url=response.url)
        census = response.meta.get("census")
        if census:
            site.census.update(e["url"] for e in page.entries)
        site.listed.update(e["url"] for e in page.entries if host(e["url"]) in site.hosts)
        for entry in page.entries:
            if entry.get("comment_count"):
                site.comment_counts[entry["url"]] = entry["comment_count"]
                yield from self._comment_feed(site, entry["url"])
        more = True
        for entry in page.entries:
            if host(entry["url"]) not in site.hosts:
                continue
            if site.mode == "incremental" and not census:
                more = self._changed_entry(site, entry, more)
                request = self._changed_request(site, entry)
            elif entry["url"] in site.held_refusals:  # refused before the feed named it
                del site.held_refusals[entry["url"]]
                request = self._request(site, entry["url"], "post", force=True, reason="listed-in-feed",
                                        listed={**entry, "listed_in": "feed"})
            else:
                request = self._post_request(site, entry["url"], listed={**entry, "listed_in": "feed"})
            if request is not None:
                yield request
        if site.mode == "incremental" and not census and response.meta.get("reason") == "changes":
            yield from self._check_deletions(site, page.total)
        if response.meta.get("fanned"):
            site.feed_pages_left.discard(response.meta["fanned"])
            yield from self._feed_more(site)
            if site.feed_running and not site.feed_pages_left and not site.feed_todo:
                complete = page.total is not None and len(site.listed) >= page.total > 0
                yield from self._feed_ended(site, complete)
            return
        fan_out = getattr(site.platform, "feed_page_urls", None)
        if fan_out and site.fan_out and site.mode != "incremental" and not census and page.total \
                and page.next_url and host(page.next_url) in site.hosts and site.feed_running:
            site.feed_todo = list(fan_out(page.next_url, page.total))
            site.feed_page_size = max(1, len(page.entries))
            yield from self._feed_more(site)
            if site.feed_pages_left or site.feed_todo:
                return
        request = None
        if page.next_url and host(page.next_url) in site.hosts and (more or census):
            request = self._request(site, page.next_url, "feed", reason=response.meta.get("reason", ""),
                                    census=census)
            if request is not None:
                yield request
        elif census:
            yield from self._missing_from_census(site)
        if request is None and site.feed_running:
            complete = page.total is not None and len(site.listed) >= page.total > 0
            yield from self._feed_ended(site, complete)

    def _fanned_request(self, site: Site, url: str):
        request = self._request(site, url, "feed")
        if request is not None:
            request.meta["fanned"] = request.url
            site.feed_pages_left.add(request.url)
        return request

    def _feed_more(self, site: Site):
        """Later feed pages, side by side, while fewer post pages than the read-ahead wait
        (each feed page queues its posts: an unbounded read would hold a big blog's every
        post request in memory)."""
        limit = self.settings.getint("BLOGARCHIVE_FEED_READ_AHEAD")
        # posts asked for, and those the feed pages in flight will list
        while site.feed_todo and \
                site.posts_pending + len(site.feed_pages_left) * site.feed_page_size < limit:
            request = self._fanned_request(site, site.feed_todo.pop(0))
            if request is not None:
                yield request

    def _post_answered(self, site: Site):
        site.posts_pending = max(0, site.posts_pending - 1)
        if site.feed_todo:
            yield from self._feed_more(site)

    def _comment_feed(self, site: Site, url: str):
        """Read a post's comment feed when the blog says it has more comments than its page shows."""
        make_url = getattr(site.platform, "comment_feed_url", None)
        if make_url is None or url not in site.page_comments or url not in site.comment_counts:
            return
        post_id, shown = site.page_comments[url]
        if site.comment_counts[url] > shown:
            request = self._request(site, make_url(post_id, url), "comments", post_id=post_id)
            if request is not None:
                yield request

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
        if next_url and host(next_url) in site.hosts:
            request = self._request(site, next_url, "comments", post_id=response.meta["post_id"])
            if request is not None:
                yield request

    def _feed_fallback(self, site: Site, request):
        """The next feed to read when the first page of this one could not be read."""
        if not (site.feed_running and request.meta.get("first_feed")):
            return None
        while site.feed_fallbacks:
            fallback = self._request(site, site.feed_fallbacks.pop(0), "feed", first_feed=True)
            if fallback is not None:
                return fallback
        return None

    def _feed_ended(self, site: Site, complete: bool):
        """The feed is read (or failed): drop the waiting listing pages if it listed everything."""
        site.feed_running = False
        site.feed_complete = site.feed_complete or complete
        refusals, site.held_refusals = site.held_refusals, {}
        yield from refusals.values()
        waiting, site.deferred = site.deferred, []
        if site.feed_complete:
            listings = [w for w in waiting if w[1] in LISTING_ROLES]
            self.logger.info("%s: the feed listed every post; %d listing pages not needed",
                             site.seed, len(listings))
            waiting = [w for w in waiting if w[1] not in LISTING_ROLES]
        for url, role, meta in waiting:
            site.seen.discard(self._key(site, url))
            request = self._request(site, url, role, **meta)
            if request is not None:
                yield request

    @staticmethod
    def _reads_changes(site: Site, request) -> bool:
        return site.mode == "incremental" and request.meta.get("reason") == "changes"

    def _changes_unreadable(self, site: Site, why: str):
        """The feed of changes failed: without it new posts would be missed, so this run
        looks the way a first crawl does (full feed, sitemaps, listings), skipping what
        the archive holds."""
        self.logger.warning("%s: the feed of changes could not be read (%s); walking the blog "
                            "instead, skipping the posts already archived", site.seed, why)
        site.mode = "discover"
        record = site.blog_record or {}
        blog_url = record.get("url") or site.seed
        yield from self._feed_requests(site, blog_url, record.get("feed_url") or "")
        # The home page may have answered 304: ask again, unconditionally, for its links.
        request = self._request(site, blog_url, "home", force=True, seed=True, reason="fallback")
        if request is not None:
            yield request

    def _changed_entry(self, site: Site, entry: dict, more: bool) -> bool:
        """The feed is ordered by last change: stop paging at the first entry we have seen."""
        when = utc_instant(entry.get("updated"))
        if site.watermark is not None and when is not None and when <= site.watermark:
            return False
        return more

    def _changed_request(self, site: Site, entry: dict):
        state = store.post_state(self.archive, entry["url"])
        listed = {**entry, "listed_in": "feed"}
        if state is None:
            return self._request(site, entry["url"], "post", reason="new", listed=listed)
        seen_change = utc_instant(state["feed_updated"] or state["updated"])
        changed = utc_instant(entry.get("updated"))
        if state["gone_at"] or seen_change is None or (changed and changed > seen_change):
            return self._request(site, entry["url"], "post", reason="changed-in-feed", listed=listed)
        return None

    def _check_deletions(self, site: Site, total: int | None):
        """Fewer posts in the feed than in the archive: list the feed whole to find which went."""
        if total is None or site.census is not None:
            return
        live = len(store.live_post_urls(self.archive, site.blog_id))
        if total >= live:
            return
        site.census = set()
        url = site.platform.feed_urls(site.blog_record["url"] if site.blog_record else site.seed)[0]
        request = self._request(site, url, "feed", reason="census", census=True, force=True)
        if request is not None:
            yield request

    def _missing_from_census(self, site: Site):
        for url in store.live_post_urls(self.archive, site.blog_id):
            if url not in site.census:
                request = self._request(site, url, "post", reason="missing-from-feed")
                if request is not None:
                    yield request

    def parse_robots(self, response):
        """robots.txt's Sitemap lines: sitemaps kept where no convention says."""
        site, _ = self._site_of(response)
        if site is None or site.platform is None:
            return
        yield self._fetch(response, "robots")
        for url in Protego.parse(response.body.decode("utf-8", "replace")).sitemaps:
            if host(url) in site.hosts:
                request = self._request(site, url.strip(), "sitemap")
                if request is not None:
                    yield request

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
        for entry in sitemap:
            url = entry.get("loc", "").strip()
            if not url or host(url) not in site.hosts:
                continue
            if sitemap.type == "sitemapindex":
                request = self._request(site, url, "sitemap")
            elif site.platform.classify(url) == "post":
                request = self._post_request(site, url, listed={"listed_in": "sitemap"})
            else:
                request = None
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

    def _missing_images(self, site: Site):
        """Images an earlier run could not get (or never reached): try them again."""
        if self.settings.get("BLOGARCHIVE_IMAGES", "db") == "none" or not site.blog_id:
            return
        limit = self.settings.getint("BLOGARCHIVE_IMAGE_MAX_ATTEMPTS", 5)
        for image in store.images_missing(self.archive, site.blog_id, limit):
            key = image["full_url"]
            if key in self.images_requested or not key.startswith(("http://", "https://")):
                continue
            self.images_requested.add(key)
            request = self._image_request(key, image["candidates"])
            if request is not None:
                yield request

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
            # Embedded images are part of the page, fetched as a browser would: no
            # robots.txt round trip per image host; other sizes now, the next run later,
            # instead of retries.
            meta={"role": "image", "key": key, "rest": candidates[1:], "errors": errors or [],
                  "download_maxsize": self.settings.getint("BLOGARCHIVE_IMAGE_MAXSIZE"),
                  "dont_obey_robotstxt": True, "max_retry_times": 0},
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
        kind = getattr(failure.value, "kind", None)  # scraper.middlewares names its own
        if isinstance(kind, str) and kind:
            return kind, message
        lowered = message.lower()
        if "maxsize" in lowered or "max size" in lowered or "larger than" in lowered:
            return "too_large", message  # also decompression bombs (IgnoreRequest)
        if failure.check(IgnoreRequest):
            if "max redirections" in lowered:
                return "redirect_loop", message
            return ("robots" if "robots" in lowered else "ignored"), message
        name = failure.type.__name__ if failure.type else "error"
        if name == "ResponseDataLossError":  # reset mid-body, or closed short of Content-Length
            reasons = getattr(failure.value.__cause__, "reasons", None) or []
            if any(r.check(ConnectionLost) and not r.check(ConnectionDone) for r in reasons):
                return "connection_reset", "the connection was reset in the middle of the body"
            return "truncated", message or "the body ended before the length the server announced"
        return FAILURE_KINDS.get(name, name), message

    def failed(self, failure):
        request = failure.request
        role = request.meta.get("role", "other")
        if role == "feed":
            site = self._site(request.url)
            fallback = self._feed_fallback(site, request) if site is not None else None
            if fallback is not None:  # not an error of the crawl: another feed says the same
                status = failure.value.response.status if failure.check(HttpError) else None
                reason = f"HTTP {status}" if status else self._failure_kind(failure)[0]
                yield Fetch(url=(request.meta.get("redirect_urls") or [request.url])[0], kind="feed",
                            status=status, message=f"{reason}; reading {fallback.url} instead")
                yield fallback
                return
            if site is not None and self._reads_changes(site, request):
                status = failure.value.response.status if failure.check(HttpError) else None
                yield from self._changes_unreadable(
                    site, f"HTTP {status}" if status else self._failure_kind(failure)[0])
            elif site is not None and site.feed_running:
                yield from self._feed_ended(site, complete=False)
        if role == "post":
            site = self._site(request.url)
            if site is not None:
                yield from self._post_answered(site)
        if failure.check(HttpError):
            response = failure.value.response
            if role in ("sitemap", "robots") and response.status in (404, 410):
                yield self._fetch(response, role)  # many blogs have none: not an error
                return
            yield self._fetch(response, role, error=f"http_{response.status}")
            return
        kind, message = self._failure_kind(failure)
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
