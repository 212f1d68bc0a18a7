"""What a URL shows: listing mechanics shared by every template family.

``resolve(blog, path, query)`` turns a request into a ``Page`` (which posts,
which pager links) or None (404). Templates only decide markup.
"""
from __future__ import annotations

import re
import weakref
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Optional
from urllib.parse import parse_qs, quote, unquote

from .model import SampleBlog, SamplePost, parse_offset

YEAR_RE = re.compile(r"^/(\d{4})/(?:(\d{2})/)?$")
CLASSIC_ARCHIVE_RE = re.compile(r"^/(\d{4})_(\d{2})_(\d{2})_archive\.html$")
POST_RE = re.compile(r"^/\d{4}/\d{2}/[^/]+\.html$")


@dataclass
class Page:
    kind: str                       # home | search | label | archive | post
    posts: list
    older_url: Optional[str] = None  # path+query, relative to origin
    newer_url: Optional[str] = None
    label: Optional[str] = None
    period: Optional[tuple] = None   # (year, month|None)
    post: Optional[SamplePost] = None
    newer_post: Optional[SamplePost] = None
    older_post: Optional[SamplePost] = None
    path: str = "/"
    extra: dict = field(default_factory=dict)


def iso(when: datetime, offset: Optional[str] = None) -> str:
    """Blogger's ISO form: 2014-03-04T21:23:00+02:00 (seconds, no fraction)."""
    if offset:
        when = when.astimezone(parse_offset(offset))
    text = when.replace(microsecond=0).isoformat()
    return text


def label_path(label: str) -> str:
    return "/search/label/" + quote(label, safe="")


def search_url(base: str, ts: datetime, n: int, offset: str, reverse: bool = False,
               start: Optional[int] = None) -> str:
    """/search?updated-max=…&max-results=N[&start=N&by-date=false][&reverse-paginate=true]."""
    url = f"{base}?updated-max={quote(iso(ts, offset), safe=':')}&max-results={n}"
    if reverse:
        url += "&reverse-paginate=true"
    if start is not None:
        url += f"&start={start}&by-date=false"
    return url


def parse_ts(text: str) -> Optional[float]:
    """updated-max in any offset (a raw '+' may arrive decoded as a space)."""
    text = text.strip().replace(" ", "+")
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return when.timestamp()


class _LabelIndex:
    """Sorted post lists per label, rebuilt when the blog version changes."""

    def __init__(self):
        self.version = None
        self.lists: dict = {}

    def get(self, blog: SampleBlog, label: str) -> list:
        if self.version != blog.version:
            self.lists = {}
            for post in blog.sorted_posts():
                for name in post.labels:
                    self.lists.setdefault(name, []).append(post)
            self.version = blog.version
        return self.lists.get(label, [])


_label_indexes = weakref.WeakKeyDictionary()   # blog -> _LabelIndex


def _labelled(blog: SampleBlog, label: str) -> list:
    index = _label_indexes.setdefault(blog, _LabelIndex())
    return index.get(blog, label)


def _paged(blog, posts, base, query, page_size, kind, **extra) -> Page:
    """Blogger's updated-max paging over an already sorted (newest first) list."""
    n = _int(query.get("max-results"), page_size, 1, 500)
    ts_text = query.get("updated-max")
    reverse = query.get("reverse-paginate") == "true"
    ts = parse_ts(ts_text) if ts_text else None
    if ts_text and ts is None:
        return Page(kind=kind, posts=[], **extra)   # Blogger shows an empty listing
    keys = [-p.published_ts for p in posts] if posts is not blog.sorted_posts() else None
    if ts is None:
        first = 0
    elif reverse:
        after = (blog.index_at_or_after(ts) if keys is None else _bisect_left(keys, -ts))
        first = max(0, after - n)
    else:
        first = (blog.index_before(ts) if keys is None else _bisect_right(keys, -ts))
    shown = posts[first:first + n]
    page = Page(kind=kind, posts=shown, **extra)
    if shown and first + n < len(posts):
        start = first + n if blog.pager_start_param else None
        page.older_url = search_url(base, shown[-1].published, n, blog.tz, start=start)
    if shown and first > 0:
        page.newer_url = search_url(base, shown[0].published, n, blog.alt_offset, reverse=True)
    return page


def _bisect_left(keys, x):
    import bisect
    return bisect.bisect_left(keys, x)


def _bisect_right(keys, x):
    import bisect
    return bisect.bisect_right(keys, x)


def _int(value, default, lo, hi):
    try:
        return max(lo, min(hi, int(value)))
    except (TypeError, ValueError):
        return default


def flat_query(raw_query: str) -> dict:
    parsed = parse_qs(raw_query, keep_blank_values=True)
    return {k: v[0] for k, v in parsed.items()}


def resolve(blog: SampleBlog, path: str, query: dict) -> Optional[Page]:
    path = unquote(path)
    if path == "/":
        if "updated-max" in query:     # Blogger accepts paging params on the home URL too
            return _paged(blog, blog.sorted_posts(), "/search", query, blog.page_size, "search")
        posts = blog.sorted_posts()
        page = Page(kind="home", posts=posts[:blog.page_size], path="/")
        if len(posts) > blog.page_size and (blog.template != "classic" or blog.classic_pager):
            start = blog.page_size if blog.pager_start_param else None
            page.older_url = search_url("/search", posts[blog.page_size - 1].published,
                                        blog.page_size, blog.tz, start=start)
        return page
    if path == "/search":
        page = _paged(blog, blog.sorted_posts(), "/search", query, blog.page_size, "search")
        page.path = path
        return page
    if path.startswith("/search/label/"):
        label = path[len("/search/label/"):]
        posts = _labelled(blog, label)
        if not posts:
            return None
        page = _paged(blog, posts, label_path(label), query, blog.label_page_size, "label", label=label)
        page.path = label_path(label)
        return page
    if blog.template == "classic":
        match = CLASSIC_ARCHIVE_RE.match(path)
        if match:
            year, month = int(match.group(1)), int(match.group(2))
            first, end = period_range(blog, year, month)
            posts = blog.sorted_posts()[first:end]
            if not posts:
                return None
            # Classic archive pages list the whole month, no paging.
            return Page(kind="archive", posts=posts, period=(year, month), path=path)
    else:
        match = YEAR_RE.match(path)
        if match:
            return _archive(blog, int(match.group(1)), int(match.group(2)) if match.group(2) else None, path)
    if POST_RE.match(path):
        post = blog.post_by_path(path)
        if post is None:
            return None
        posts = blog.sorted_posts()
        i = blog.position(post)
        return Page(kind="post", posts=[post], post=post, path=path,
                    newer_post=posts[i - 1] if i > 0 else None,
                    older_post=posts[i + 1] if i + 1 < len(posts) else None)
    return None


def _archive(blog: SampleBlog, year: int, month: Optional[int], path: str) -> Optional[Page]:
    """/YYYY/ and /YYYY/MM/: the period's newest page_size posts; 'Older Posts'
    then continues through the WHOLE blog (field note B2), in the alt offset."""
    posts = blog.sorted_posts()
    first_index, end_index = period_range(blog, year, month)
    if first_index >= end_index:
        return None
    shown = posts[first_index:min(end_index, first_index + blog.page_size)]
    page = Page(kind="archive", posts=shown, period=(year, month), path=path)
    if first_index + len(shown) < len(posts):
        page.older_url = search_url("/search", shown[-1].published, blog.page_size, blog.alt_offset)
    if first_index > 0:
        page.newer_url = search_url("/search", shown[0].published, blog.page_size, blog.alt_offset, reverse=True)
    return page


def period_range(blog: SampleBlog, year: int, month: Optional[int]) -> tuple:
    """[first, end) indexes in sorted_posts() of a year or month, in the blog's offset."""
    tz = blog.tzinfo
    if not 1900 < year < 3000 or (month is not None and not 1 <= month <= 12):
        return 0, 0
    if month is None:
        start, end = datetime(year, 1, 1, tzinfo=tz), datetime(year + 1, 1, 1, tzinfo=tz)
    else:
        start = datetime(year, month, 1, tzinfo=tz)
        end = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=tz)
    return blog.index_before(end.timestamp()), blog.index_before(start.timestamp())
