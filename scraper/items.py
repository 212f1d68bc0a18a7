"""The data that flows from the platform parsers to the store.

Plain dataclasses (itemadapter understands them), so a parser can be tested
without Scrapy and the store never sees a Response.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field


def content_hash(title: str, body_html: str) -> str:
    """What "changed" means: the title or the sanitised body, nothing else."""
    return hashlib.sha256(f"{title}\n{body_html}".encode("utf-8")).hexdigest()


@dataclass
class Blog:
    id: str  # the platform's blog id where there is one, else a hash of the origin
    url: str  # origin, e.g. https://example.blogspot.com/
    platform: str
    title: str = ""
    description: str = ""
    feed_url: str = ""
    language: str = ""
    posts_expected: int | None = None  # what the blog itself says (feed totalResults)


@dataclass
class Image:
    position: int
    src: str  # the URL in the page, as shown
    full_url: str  # best guess at the original file
    alt: str | None = None  # None: no alt attribute; "": empty alt
    caption: str = ""
    link: str = ""  # href of an enclosing <a>, if any
    width: int | None = None  # original size when the markup states it
    height: int | None = None
    candidates: list[str] = field(default_factory=list)  # fallbacks, best first


@dataclass
class Comment:
    id: str
    author: str = ""
    author_url: str = ""
    published: str = ""
    body_html: str = ""
    body_text: str = ""
    in_reply_to: str = ""
    position: int = 0


@dataclass
class Post:
    id: str
    blog_id: str
    url: str
    title: str = ""
    author: str = ""
    author_url: str = ""
    published: str = ""  # ISO 8601, with offset when the page gives one
    updated: str = ""
    labels: list[str] = field(default_factory=list)
    # label → its kind where the platform has several (WordPress: category, tag)
    label_kinds: dict[str, str] = field(default_factory=dict)
    body_html: str = ""  # sanitised
    body_text: str = ""
    word_count: int = 0
    content_hash: str = ""
    images: list[Image] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)
    comment_count: int | None = None  # what the page says, when it says it
    fetched_url: str = ""  # the URL that answered, before canonicalisation
    # field name → the evidence that gave it (og:title, feed, permalink, …)
    sources: dict[str, str] = field(default_factory=dict)
    # where two independent sources disagree: kind (labels, title) → what each said
    notes: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Fetch:
    """One request's outcome: kept so a crawl can say what it could not get."""

    url: str
    kind: str  # post | listing | feed | image | robots | other
    status: int | None = None  # HTTP status, None when no response arrived
    error: str = ""  # kind of failure (http_404, timeout, dns, too_large, …)
    message: str = ""
    etag: str = ""
    last_modified: str = ""
    content_hash: str = ""
    post_id: str = ""
    reason: str = ""  # why it was asked for: discovered, new, changed-in-feed, revalidate, …


@dataclass
class FeedEntries:
    """One feed page's worth of post records (URL, id, exact times, labels)."""

    blog_id: str
    url: str
    total: int | None  # how many posts the feed says the blog holds
    entries: list[dict] = field(default_factory=list)


@dataclass
class LabelListing:
    """A blog's own label page listing posts: each of them has that label."""

    blog_id: str
    label: str
    url: str  # the label page
    post_urls: list[str] = field(default_factory=list)


@dataclass
class ImageFile:
    """A downloaded, verified image file for every post image whose full size is ``key``."""

    key: str  # the full-size URL the posts name
    url: str  # the URL that answered
    body: bytes
    info: object  # images.ImageInfo


@dataclass
class ImageFailure:
    key: str
    url: str
    error: str  # http_404, not_image, too_large, timeout, …
    message: str = ""


@dataclass
class PostSeen:
    """A post that answered 304 Not Modified: still there, unchanged."""

    url: str


@dataclass
class PostComments:
    """Comments of one post read from its comment feed (more than its page shows)."""

    post_id: str
    url: str
    comments: list[Comment] = field(default_factory=list)
