"""In-memory model of a fake Blogger blog.

The server renders every page from this model on each request (with a cache
keyed on ``SampleBlog.version``), so tests can mutate a blog between two crawls
and see exactly what a real Blogger would serve afterwards.

Every mutation goes through a ``SampleBlog`` method, which bumps ``version``;
if you change attributes by hand, call ``blog.touch()`` afterwards.
"""
from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Callable, Iterable, Optional


@dataclass(eq=False)
class SampleImage:
    name: str                 # file name as it appears in the URL, e.g. "harbour-crane.jpg"
    width: int                # original size (what s0 / s1600 serve)
    height: int
    alt: str = ""
    caption: str = ""         # "" = no tr-caption table
    kind: str = "jpeg"        # "jpeg" | "png" | "gif"
    linked: bool = True       # thumbnail wrapped in <a href=original>
    image_id: str = ""        # the "AVvXsE…" path segment; filled by content/make_image_id
    missing_original: bool = False   # s0/s1600 answer 404, smaller sizes still work
    fake_html: bool = False          # the ".jpg" is really an HTML page
    display_width: int = 320  # size of the thumbnail shown in the post

    @property
    def display_height(self) -> int:
        return max(1, round(self.height * self.display_width / self.width))


@dataclass(eq=False)
class SampleComment:
    comment_id: str           # numeric string, like Blogger's
    author: str
    published: datetime       # aware
    body: str                 # plain text (may contain a URL)


class LazyText(Sequence):
    """Paragraphs generated on demand from a seed, so 100k-post blogs stay small.

    ``maker(seed)`` must be deterministic; results are not kept (the renderer
    caches pages instead)."""

    __slots__ = ("seed", "maker")

    def __init__(self, seed: int, maker: Callable[[int], list]):
        self.seed = seed
        self.maker = maker

    def _items(self) -> list:
        return self.maker(self.seed)

    def __getitem__(self, i):
        return self._items()[i]

    def __len__(self):
        return len(self._items())

    def __iter__(self):
        return iter(self._items())

    def __eq__(self, other):
        return list(self) == list(other)

    def __repr__(self):
        return f"LazyText(seed={self.seed})"


@dataclass(eq=False)
class SamplePost:
    post_id: str              # 18-19 digits
    slug: str                 # without ".html"; Blogger adds "_NN" on collisions
    title: str                # "" = untitled (no h3 rendered)
    author: str
    published: datetime       # aware, in the blog's offset
    updated: datetime
    labels: list = field(default_factory=list)
    paragraphs: Sequence = field(default_factory=list)   # list[str] or LazyText
    quote: Optional[str] = None
    quote_after: int = 0      # blockquote goes after this many paragraphs
    images: list = field(default_factory=list)           # list[SampleImage]
    image_after: list = field(default_factory=list)      # paragraph index each image follows
    comments: list = field(default_factory=list)         # list[SampleComment]
    extra_html: str = ""      # markup appended to the body as written (e.g. a link to a label page)

    @property
    def path(self) -> str:
        return f"/{self.published:%Y}/{self.published:%m}/{self.slug}.html"

    @property
    def published_ts(self) -> float:
        return self.published.timestamp()


def parse_offset(text: str) -> timezone:
    """'+02:00' / '-0700' / 'Z' → timezone."""
    text = text.strip()
    if text in ("Z", "z", "+00:00", ""):
        return timezone.utc
    sign = -1 if text[0] == "-" else 1
    digits = text.lstrip("+-").replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


@dataclass(eq=False)
class SampleBlog:
    blog_id: str
    title: str
    description: str = ""
    template: str = "layout"          # "classic" | "layout" | "contempo" | "awesome"
    posts: list = field(default_factory=list)
    page_size: int = 7                # posts on home / search / archive pages
    label_page_size: int = 20         # real Blogger label pages default to 20
    feed_page_size: int = 25          # Atom default; max-results capped at feed_max
    feed_max: int = 150
    tz: str = "+02:00"
    locale: str = "en"                # "en" | "es" | "fr"
    broken_links: list = field(default_factory=lambda: ["/p/old-about-page.html", "/2009/02/moved-away.html"])
    generator_meta: bool = True
    # --- knobs -------------------------------------------------------------
    archive_style: str = "hierarchy"  # "hierarchy" | "dropdown" | "flat" (layout/contempo)
    pager_start_param: bool = False   # add &start=N&by-date=false to "Older Posts"
    alt_offset: str = "-07:00"        # "Newer Posts" + archive-page "Older Posts" links use this offset
    robots_disallow_search: bool = False  # real Blogger: True. False so crawlers can test /search paging
    classic_pager: bool = False       # classic blogs: "Older Posts" on home (old classic had none)
    body_style: str = "p"             # "p" (<p> paragraphs) | "br" (text<br /><br />, older editor)
    mobile_links: bool = True         # emit some ?m=1 and ?showComment= links, like real pages
    sitemap_page_size: int = 150
    comments_in_page: Optional[int] = None  # render only the first N comments (None: all)
    feed_enabled: bool = True         # False: Blogger's "Allow blog feed: None" (feeds answer 404)
    sitemap_enabled: bool = True
    version: int = 0                  # bumped by every mutation; the render cache key

    def __post_init__(self):
        self._index = None

    # --- queries used by the renderers ----------------------------------------
    @property
    def tzinfo(self) -> timezone:
        return parse_offset(self.tz)

    def touch(self) -> None:
        """Call after changing attributes by hand: invalidates caches."""
        self.version += 1
        self._index = None

    def sorted_posts(self) -> list:
        """Posts newest first (stable: ties broken by post_id)."""
        self._ensure_index()
        return self._index[0]

    def _ensure_index(self):
        if self._index is None or self._index[2] != self.version:
            ordered = sorted(self.posts, key=lambda p: (-p.published_ts, p.post_id))
            keys = [-p.published_ts for p in ordered]
            by_path = {p.path: p for p in ordered}
            by_id = {p.post_id: p for p in ordered}
            position = {p.post_id: i for i, p in enumerate(ordered)}
            self._index = (ordered, keys, self.version, by_path, by_id, position)

    def position(self, post: SamplePost) -> int:
        """Index of post in sorted_posts()."""
        self._ensure_index()
        return self._index[5][post.post_id]

    def post_by_path(self, path: str) -> Optional[SamplePost]:
        self._ensure_index()
        return self._index[3].get(path)

    def post_by_id(self, post_id: str) -> Optional[SamplePost]:
        self._ensure_index()
        return self._index[4].get(post_id)

    def index_before(self, ts: float) -> int:
        """Position in sorted_posts() of the first post published strictly before ts."""
        self._ensure_index()
        return bisect.bisect_right(self._index[1], -ts)

    def index_at_or_after(self, ts: float) -> int:
        """Number of posts published strictly after ts."""
        self._ensure_index()
        return bisect.bisect_left(self._index[1], -ts)

    def label_counts(self) -> dict:
        counts: dict = {}
        for post in self.posts:
            for label in post.labels:
                counts[label] = counts.get(label, 0) + 1
        return counts

    def months(self) -> list:
        """[(year, month, count)] newest first."""
        counts: dict = {}
        for post in self.posts:
            key = (post.published.year, post.published.month)
            counts[key] = counts.get(key, 0) + 1
        return [(y, m, counts[(y, m)]) for (y, m) in sorted(counts, reverse=True)]

    # --- mutations (incremental-crawl tests) ----------------------------------
    def add_post(self, post: SamplePost) -> SamplePost:
        if self.post_by_path(post.path) is not None:
            raise ValueError(f"path already used: {post.path}")
        self.posts.append(post)
        self.touch()
        return post

    def edit_post(self, post: SamplePost, paragraphs: Iterable[str] | None = None,
                  title: str | None = None, when: datetime | None = None) -> SamplePost:
        """Change the body (and/or title); ``updated`` moves forward."""
        if paragraphs is not None:
            post.paragraphs = list(paragraphs)
        if title is not None:
            post.title = title
        post.updated = when or _later(post.updated)
        self.touch()
        return post

    def delete_post(self, post: SamplePost) -> None:
        """The post disappears from every listing and feed; its URL answers 404."""
        self.posts.remove(post)
        self.touch()

    def rename_label(self, old: str, new: str) -> int:
        changed = 0
        for post in self.posts:
            if old in post.labels:
                post.labels = [new if lab == old else lab for lab in post.labels]
                post.updated = _later(post.updated)
                changed += 1
        self.touch()
        return changed

    def bump_updated(self, post: SamplePost, when: datetime | None = None) -> None:
        """``updated`` moves, content stays (Blogger mass migrations do this, B15)."""
        post.updated = when or _later(post.updated)
        self.touch()


def _later(when: datetime) -> datetime:
    """A strictly later time, at least now, in the same offset."""
    now = datetime.now(when.tzinfo).replace(microsecond=0)
    return max(now, when + timedelta(seconds=1))
