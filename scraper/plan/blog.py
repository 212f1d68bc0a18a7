"""One blog's plan: what its crawl asks for next, and when it stops (see __init__.py)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from urllib.parse import urljoin

from ..dates import utc_instant
from ..items import Fetch
from ..platforms.base import Platform
from ..platforms.post_evidence import listed_in
from ..urls import host
from .archive import Archive
from .seen import Fingerprints

logger = logging.getLogger("scraper.plan")

LISTING_ROLES = {"home", "archive", "label", "older"}


@dataclass
class Want:
    """A URL the plan wants fetched: its role (post, feed, home, archive, label, older,
    sitemap, robots, comments), why, and what the answer's handler needs to know."""

    url: str
    role: str
    reason: str = "discovered"
    force: bool = False  # asked for again even if fetched before in this run
    conditional: bool = False  # with the validators of the last answer (If-None-Match…)
    meta: dict = field(default_factory=dict)

    @property
    def request_meta(self) -> dict:
        """What the request carries, and the answer gives back to the plan."""
        return {"role": self.role, "reason": self.reason, "conditional": self.conditional, **self.meta}


@dataclass(frozen=True)
class Limits:
    max_listing_pages: int = 20000
    max_requests: int = 1_000_000
    feed_read_ahead: int = 500

    @classmethod
    def from_settings(cls, settings) -> Limits:
        return cls(settings.getint("BLOGARCHIVE_MAX_LISTING_PAGES"),
                   settings.getint("BLOGARCHIVE_MAX_REQUESTS_PER_BLOG"),
                   settings.getint("BLOGARCHIVE_FEED_READ_AHEAD"))


class BlogPlan:
    """What the crawl knows of one blog during a run, and what it asks for next."""

    def __init__(self, seed: str, archive: Archive, limits: Limits = Limits(), full: bool = False):
        self.seed = seed
        self.hosts: set[str] = {host(seed)}
        self.archive = archive
        self.limits = limits
        self.full = full
        self.platform: Platform | None = None
        self.blog_id = ""
        self.blog_record: dict | None = None  # the archived blog, when an earlier run saw it
        self.name = ""  # the blog's own name: a page whose <title> is only this names no post
        # discover: first crawl (or a resumed one): walk everything, skip posts already stored;
        # incremental: the blog was crawled to the end before: feed + home page, new and changed
        # only; full: walk everything and revalidate every stored post.
        self.mode = "discover"
        self.seen = Fingerprints()  # dedupe keys of everything asked for
        self.shown = Fingerprints()  # dedupe keys of posts pages showed in this run
        self.listed = Fingerprints()  # post URLs the feed listed in this run
        self.census: Fingerprints | None = None  # post URLs the full feed lists (deletions)
        self.listings = 0
        self.requests = 0
        self.feeds_started = False
        self.watermark = None  # latest change the feed showed in earlier runs (UTC)
        # The feed listed as many posts as it says the blog has: listing pages can only
        # repeat it, so no more of them are fetched.
        self.feed_complete = False
        # Comment counts the feed states, and comments the post pages showed: a post with
        # more than its page shows has its comment feed read.
        self.comment_counts: dict[str, int] = {}
        self.page_comments: dict[str, tuple[str, int]] = {}
        self.feed_running = False  # listing pages wait while the feed is being read…
        self.deferred: list[tuple[str, str, dict]] = []  # …here: (url, role, meta)
        # Feed pages asked for side by side (the platform can name them all from the first):
        # the feed has ended when none is left.
        self.fan_out = True
        self.feed_pages_left: set[str] = set()  # asked for, not answered yet
        self.feed_todo: list[str] = []  # not asked for yet: posts are queued enough
        self.posts_pending = 0  # post pages asked for and not answered: the read-ahead
        self.feed_page_size = 25
        self.feed_fallbacks: list[str] = []  # feeds to try if the first cannot be read
        # Pages refused as posts while the feed is still being read: the feed may yet name
        # them (then they are asked for again, as listed there); the refusal stands otherwise.
        self.held_refusals: dict[str, Fetch] = {}

    # -- who the blog is -----------------------------------------------------------

    def owns(self, url: str) -> bool:
        return host(url) in self.hosts

    def resume(self, record: dict, platform: Platform) -> None:
        """An archived blog: the platform and the mode from what the archive holds."""
        self.platform = platform
        self.blog_record = record
        self.blog_id = record["id"]
        self.name = record.get("title") or ""
        if self.full:
            self.mode = "full"
        elif record.get("last_complete_crawl"):
            self.mode = "incremental"
            self.watermark = self.archive.watermark(record["id"])
        else:
            self.mode = "discover"  # an interrupted first crawl: carry on where it stopped
        logger.info("%s: archived before, %s crawl", self.seed, self.mode)

    def key(self, url: str) -> str:
        return self.platform.dedupe_key(url) if self.platform else url

    # -- asking ----------------------------------------------------------------------

    def want(self, url: str, role: str, *, force: bool = False, reason: str = "discovered",
             **meta) -> Want | None:
        """``url`` in ``role``, unless seen, over budget, or to wait for the feed."""
        key = self.key(url)
        if not force:
            if key in self.seen:
                return None
            if role in LISTING_ROLES and self.feed_complete:
                return None
            if (role in LISTING_ROLES or role == "sitemap") and self.feed_running:
                # Held while the feed is read: listings are then needed only if it fell
                # short; sitemaps, read after it, add only what it did not list.
                self.seen.add(key)
                self.deferred.append((url, role, {"reason": reason, **meta}))
                return None
            if role in LISTING_ROLES:
                if self.listings >= self.limits.max_listing_pages:
                    logger.warning("listing budget spent for %s; not following %s", self.seed, url)
                    return None
                self.listings += 1
            if self.requests >= self.limits.max_requests:
                return None
        self.seen.add(key)
        self.requests += 1
        if role == "post":
            self.posts_pending += 1
        # Conditional requests: posts whenever the archive has them; listings and feeds only
        # in incremental runs (a full run must read them whole).
        conditional = (role == "post" and self.mode != "discover") or (
            self.mode == "incremental" and role in ("home", "feed", "sitemap"))
        return Want(url, role, reason, force, conditional, meta)

    def want_post(self, url: str, reason: str = "discovered", listed: dict | None = None) -> Want | None:
        """A post page, unless this run's mode says the archive's copy will do.
        ``listed``: where the blog names it (its feed entry, sitemap, a listing page)."""
        if self.key(url) in self.seen:
            return None  # each listing page names many posts again: skip the archive lookups
        if self.mode in ("discover", "incremental"):
            known = self.archive.last_answer(url)
            state = self.archive.post_state(url)
            if known and known.get("status") in (404, 410) and not state:
                return None  # a dead link recorded earlier: --full tries it again
            if state is not None and not state["gone_at"]:
                return None  # stored by an earlier (maybe interrupted) run
            if state is None and self.mode == "incremental":
                reason = "new"
        elif self.mode == "full":
            reason = "revalidate" if self.archive.post_state(url) else "new"
        if listed:
            return self.want(url, "post", reason=reason, listed=listed)
        return self.want(url, "post", reason=reason)

    # -- the blog's first page ---------------------------------------------------------

    def started(self, blog, page_url: str) -> list[Want]:
        """The first page of the blog in this run was parsed into ``blog`` (a Blog item, whose
        id this sets): its feed and sitemaps next."""
        self.feeds_started = True
        self.seen.update(self.key(u) for u in (self.seed, page_url))
        self.blog_id = self.blog_id or blog.id
        self.name = blog.title
        blog.id = self.blog_id
        return self.feed_wants(blog.url, blog.feed_url)

    def home_unchanged(self) -> list[Want] | None:
        """The home page answered 304: the feed still says what changed. None when this is not
        the first sign of the blog in this run (nothing to start)."""
        if not self.blog_record or self.feeds_started:
            return None
        self.feeds_started = True
        record = self.blog_record
        return self.feed_wants(record["url"], record.get("feed_url") or "")

    def feed_wants(self, blog_url: str, feed_url: str = "") -> list[Want]:
        platform = self.platform
        wants: list[Want | None] = []
        if self.mode == "incremental":
            wants.append(self.want(platform.changes_feed_url(blog_url, feed_url), "feed",
                                   reason="changes"))
            return [w for w in wants if w]
        # One feed at a time, the platform's choice first; the others stand by in case it
        # cannot be read (gone, forbidden, not a feed).
        candidates = platform.feed_candidates(blog_url, feed_url)
        for i, url in enumerate(candidates):
            want = self.want(url, "feed", first_feed=True)
            if want is not None:
                self.feed_running = True
                self.feed_fallbacks = candidates[i + 1:]
                wants.append(want)
                break
        # Sitemaps list every post with its last change: a second, cheap census.
        wants.extend(self.want(url, "sitemap") for url in platform.sitemap_urls(blog_url))
        if platform.SITEMAPS_IN_ROBOTS:  # wherever the site keeps them
            wants.append(self.want(urljoin(blog_url, "/robots.txt"), "robots"))
        return [w for w in wants if w]

    # -- pages ------------------------------------------------------------------------

    def evidence(self, url: str, listed: dict | None) -> dict:
        """What the blog said of a post page where it was found (its feed entry, its sitemap,
        a listing): evidence that it is a post, and fields its page may lack."""
        listed = dict(listed or {})
        if listed_in(listed) != "feed" and self.platform.canonical(url) in self.listed:
            listed["listed_in"] = "feed"  # found elsewhere first; the feed names it too
        if self.name:
            listed["site_name"] = self.name
        return listed

    def refused(self, url: str, listed: dict, refusal: Fetch) -> Fetch | None:
        """A page the evidence rule refused as a post: the refusal to record now, or None when
        it waits for the feed (which may yet name the page)."""
        if self.feed_running and listed_in(listed) != "feed":
            self.held_refusals[self.platform.canonical(url)] = refusal
            return None
        return refusal

    def post_parsed(self, url: str, post_id: str, comments_shown: int) -> list[Want]:
        self.page_comments[url] = (post_id, comments_shown)
        return self._comment_feed(url)

    def follows_links_of_post(self) -> bool:
        """The feed lists every post (or is being read: if it falls short, the listing pages
        held back meanwhile are walked): a post page's links add nothing."""
        return not (self.feed_complete or self.feed_running)

    def links(self, role: str, links, chain=None) -> list[Want]:
        """What to follow of a page's links (``role``: what the page was asked for as;
        ``chain``: whether it was reached by walking an "older posts" chain)."""
        wants: list[Want] = []
        new_posts = 0
        fresh = 0  # posts this page shows that no page showed before in this run
        older: list[str] = []
        listings = []
        for link in links:
            if not self.owns(link.url):
                continue
            if link.role == "older":
                older.append(link.url)
            elif link.role == "post":
                key = self.key(link.url)
                if key not in self.shown:
                    self.shown.add(key)
                    fresh += 1
                want = self.want_post(
                    link.url, listed={"listed_in": "listing"} if role in LISTING_ROLES else None)
                if want is not None:
                    new_posts += 1
                    wants.append(want)
            elif link.role in LISTING_ROLES and self.mode != "incremental" and not self.feed_complete:
                listings.append(link)
        # Crawler traps (endless calendars, deep or permuted listing URLs) show nothing new:
        # a listing page that shows no post unseen in this run is a dead end.
        if role == "home" or fresh:
            wants.extend(w for w in (self.want(link.url, link.role) for link in listings) if w)
        # "Older posts" chains overlap: walk the home chain to its end, any other chain only
        # while it still shows posts we had not seen. An incremental run walks from the home
        # page only while pages show new posts.
        walk = role in ("home", "older") and (role == "home" if chain is None else chain)
        if self.mode == "incremental" or self.feed_complete:
            walk = False
        if walk or (new_posts and not self.feed_complete):
            wants.extend(w for w in (self.want(url, "older", chain=walk) for url in older) if w)
        return wants

    def post_answered(self) -> list[Want]:
        """A post page answered (or failed): room for more of the feed's pages."""
        self.posts_pending = max(0, self.posts_pending - 1)
        return self._feed_more() if self.feed_todo else []

    # -- the feed -----------------------------------------------------------------------

    def feed_read(self, page, meta: dict) -> list:
        """A page of the feed was read: the posts it names, and the feed's next pages (Wants),
        and refusals the feed did not overturn (Fetch items, to record)."""
        out: list = []
        census = meta.get("census")
        if census:
            self.census.update(e["url"] for e in page.entries)
        self.listed.update(e["url"] for e in page.entries if self.owns(e["url"]))
        for entry in page.entries:
            if entry.get("comment_count"):
                self.comment_counts[entry["url"]] = entry["comment_count"]
                out.extend(self._comment_feed(entry["url"]))
        more = True
        for entry in page.entries:
            if not self.owns(entry["url"]):
                continue
            listed = {**entry, "listed_in": "feed"}
            if self.mode == "incremental" and not census:
                more = self._changed_entry(entry, more)
                want = self._changed(entry)
            elif entry["url"] in self.held_refusals:  # refused before the feed named it
                del self.held_refusals[entry["url"]]
                want = self.want(entry["url"], "post", force=True, reason="listed-in-feed",
                                 listed=listed)
            else:
                want = self.want_post(entry["url"], listed=listed)
            if want is not None:
                out.append(want)
        if self.mode == "incremental" and not census and meta.get("reason") == "changes":
            out.extend(self._check_deletions(page.total))
        if meta.get("fanned"):
            self.feed_pages_left.discard(meta["fanned"])
            out.extend(self._feed_more())
            if self.feed_running and not self.feed_pages_left and not self.feed_todo:
                out.extend(self.feed_ended(self._complete(page.total)))
            return out
        if self.fan_out and self.mode != "incremental" and not census and page.total \
                and page.next_url and self.owns(page.next_url) and self.feed_running:
            self.feed_todo = list(self.platform.feed_page_urls(page.next_url, page.total))
            if self.feed_todo:
                self.feed_page_size = max(1, len(page.entries))
                out.extend(self._feed_more())
                if self.feed_pages_left or self.feed_todo:
                    return out
        want = None
        if page.next_url and self.owns(page.next_url) and (more or census):
            want = self.want(page.next_url, "feed", reason=meta.get("reason", ""), census=census)
            if want is not None:
                out.append(want)
        elif census:
            out.extend(self._missing_from_census())
        if want is None and self.feed_running:
            out.extend(self.feed_ended(self._complete(page.total)))
        return out

    def _complete(self, total: int | None) -> bool:
        return total is not None and len(self.listed) >= total > 0

    def feed_fallback(self, meta: dict) -> Want | None:
        """The next feed to read when the first page of this one could not be read."""
        if not (self.feed_running and meta.get("first_feed")):
            return None
        while self.feed_fallbacks:
            fallback = self.want(self.feed_fallbacks.pop(0), "feed", first_feed=True)
            if fallback is not None:
                return fallback
        return None

    def feed_unreadable(self, meta: dict, why: str) -> list:
        """A feed page could not be read and no other feed stands in for it."""
        if self.mode == "incremental" and meta.get("reason") == "changes":
            return self._changes_unreadable(why)
        if self.feed_running:
            return self.feed_ended(complete=False)
        return []

    def feed_ended(self, complete: bool) -> list:
        """The feed is read (or failed): drop the waiting listing pages if it listed everything."""
        self.feed_running = False
        self.feed_complete = self.feed_complete or complete
        refusals, self.held_refusals = self.held_refusals, {}
        out: list = list(refusals.values())
        waiting, self.deferred = self.deferred, []
        if self.feed_complete:
            listings = [w for w in waiting if w[1] in LISTING_ROLES]
            logger.info("%s: the feed listed every post; %d listing pages not needed",
                        self.seed, len(listings))
            waiting = [w for w in waiting if w[1] not in LISTING_ROLES]
        for url, role, meta in waiting:
            self.seen.discard(self.key(url))
            want = self.want(url, role, **meta)
            if want is not None:
                out.append(want)
        return out

    def _changes_unreadable(self, why: str) -> list[Want]:
        """The feed of changes failed: without it new posts would be missed, so this run looks
        the way a first crawl does (full feed, sitemaps, listings), skipping what the archive
        holds."""
        logger.warning("%s: the feed of changes could not be read (%s); walking the blog "
                       "instead, skipping the posts already archived", self.seed, why)
        self.mode = "discover"
        record = self.blog_record or {}
        blog_url = record.get("url") or self.seed
        wants = self.feed_wants(blog_url, record.get("feed_url") or "")
        # The home page may have answered 304: ask again, unconditionally, for its links.
        home = self.want(blog_url, "home", force=True, seed=True, reason="fallback")
        return wants + ([home] if home else [])

    def _changed_entry(self, entry: dict, more: bool) -> bool:
        """The feed is ordered by last change: stop paging at the first entry we have seen."""
        when = utc_instant(entry.get("updated"))
        if self.watermark is not None and when is not None and when <= self.watermark:
            return False
        return more

    def _changed(self, entry: dict) -> Want | None:
        state = self.archive.post_state(entry["url"])
        listed = {**entry, "listed_in": "feed"}
        if state is None:
            return self.want(entry["url"], "post", reason="new", listed=listed)
        seen_change = utc_instant(state["feed_updated"] or state["updated"])
        changed = utc_instant(entry.get("updated"))
        if state["gone_at"] or seen_change is None or (changed and changed > seen_change):
            return self.want(entry["url"], "post", reason="changed-in-feed", listed=listed)
        return None

    def _check_deletions(self, total: int | None) -> list[Want]:
        """Fewer posts in the feed than in the archive: list the feed whole to find which went."""
        if total is None or self.census is not None:
            return []
        if total >= len(self.archive.live_post_urls(self.blog_id)):
            return []
        self.census = Fingerprints()
        url = self.platform.feed_urls(self.blog_record["url"] if self.blog_record else self.seed)[0]
        want = self.want(url, "feed", reason="census", census=True, force=True)
        return [want] if want else []

    def _missing_from_census(self) -> list[Want]:
        wants = (self.want(url, "post", reason="missing-from-feed")
                 for url in self.archive.live_post_urls(self.blog_id) if url not in self.census)
        return [w for w in wants if w]

    def _fanned(self, url: str) -> Want | None:
        want = self.want(url, "feed")
        if want is not None:
            want.meta["fanned"] = want.url
            self.feed_pages_left.add(want.url)
        return want

    def _feed_more(self) -> list[Want]:
        """Later feed pages, side by side, while fewer post pages than the read-ahead wait (each
        feed page queues its posts: an unbounded read would hold a big blog's every post request
        in memory)."""
        wants = []
        # posts asked for, and those the feed pages in flight will list
        while self.feed_todo and self.posts_pending + len(self.feed_pages_left) * \
                self.feed_page_size < self.limits.feed_read_ahead:
            want = self._fanned(self.feed_todo.pop(0))
            if want is not None:
                wants.append(want)
        return wants

    def idle(self) -> list[Want]:
        """Nothing left to fetch but feed pages held back: ask for them now (a post request that
        never came back, dropped on the way, must not hold the feed forever)."""
        held, self.feed_todo = self.feed_todo, []
        return [w for w in map(self._fanned, held) if w]

    # -- comments, sitemaps --------------------------------------------------------------

    def _comment_feed(self, url: str) -> list[Want]:
        """A post's comment feed, when the blog says it has more comments than its page shows."""
        if url not in self.page_comments or url not in self.comment_counts:
            return []
        post_id, shown = self.page_comments[url]
        if self.comment_counts[url] <= shown:
            return []
        feed_url = self.platform.comment_feed_url(post_id, url)
        want = self.want(feed_url, "comments", post_id=post_id) if feed_url else None
        return [want] if want else []

    def comments_next(self, next_url: str, post_id: str) -> list[Want]:
        if not next_url or not self.owns(next_url):
            return []
        want = self.want(next_url, "comments", post_id=post_id)
        return [want] if want else []

    def robots_sitemaps(self, urls) -> list[Want]:
        """robots.txt's Sitemap lines: sitemaps kept where no convention says."""
        wants = (self.want(url.strip(), "sitemap") for url in urls if self.owns(url))
        return [w for w in wants if w]

    def sitemap_entries(self, is_index: bool, urls) -> list[Want]:
        wants = []
        for url in urls:
            url = url.strip()
            if not url or not self.owns(url):
                continue
            if is_index:
                wants.append(self.want(url, "sitemap"))
            elif self.platform.classify(url) == "post":
                wants.append(self.want_post(url, listed={"listed_in": "sitemap"}))
        return [w for w in wants if w]
