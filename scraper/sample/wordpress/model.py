"""The fake WordPress blog as data: posts, images, comments and terms, made
deterministically from a seed in our own words."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Optional

from ..content import (
    ALTS,
    AUTHORS,
    CAPTIONS,
    COMMENT_BODIES,
    COMMENTERS,
    IMAGE_SUBJECTS,
    QUOTES,
    TITLES,
    _fill,
    _make_paragraphs,
    slugify,
)
from ..model import parse_offset

CATEGORIES = ["Diplomacy", "Harbours", "Trains", "Letters from readers", "Café politics"]


TAGS = ["summit", "Kim Jong Un", "night trains", "Gdańsk", "ferries", "customs", "São Paulo"]


@dataclass(eq=False)
class WPImage:
    attachment_id: int
    stem: str  # file name without extension
    ext: str
    width: int  # the upload's size
    height: int
    year: int
    month: int
    alt: str = ""
    caption: str = ""
    style: str = "plain"  # plain | caption | lazy | figure | scaled | jetpack

    def url(self, origin: str, size: str = "") -> str:
        """size: "" (the upload), "scaled", or "WxH"."""
        suffix = f"-{size}" if size else ""
        return f"{origin}/wp-content/uploads/{self.year}/{self.month:02d}/{self.stem}{suffix}.{self.ext}"

    def fit(self, box: int) -> tuple[int, int]:
        scale = min(1.0, box / max(self.width, self.height))
        return max(1, round(self.width * scale)), max(1, round(self.height * scale))

    def size_name(self, box: int) -> str:
        w, h = self.fit(box)
        return f"{w}x{h}"

    @property
    def scaled(self) -> bool:
        return max(self.width, self.height) > 2560

    @property
    def kind(self) -> str:
        return "png" if self.ext == "png" else "jpeg"


@dataclass(eq=False)
class WPComment:
    comment_id: int
    author: str
    author_url: str
    published: datetime
    body: str
    parent: int = 0


@dataclass(eq=False)
class WPPost:
    post_id: int
    slug: str
    title: str
    author: str
    published: datetime
    updated: datetime
    categories: list
    tags: list
    blocks: list  # ("p", text) | ("quote", text) | ("image", WPImage) | ("gallery", [WPImage], caption)
    comments: list = field(default_factory=list)


@dataclass(eq=False)
class WPBlog:
    title: str
    description: str
    theme: str = "twentyten"  # twentyten | block
    posts: list = field(default_factory=list)
    tz: str = "+02:00"
    rest: str = "on"  # on | off | forbidden
    permalinks: str = "date"  # date (/2017/03/27/slug/) | postname (/slug/)
    page_size: int = 5
    rss_size: int = 10
    version: int = 0

    def sorted_posts(self) -> list:
        return sorted(self.posts, key=lambda p: (-p.published.timestamp(), -p.post_id))

    def path(self, post: WPPost) -> str:
        if self.permalinks == "postname":
            return f"/{post.slug}/"
        return f"/{post.published:%Y/%m/%d}/{post.slug}/"

    def images(self) -> list:
        found = {}
        for post in self.posts:
            for block in post.blocks:
                if block[0] == "image":
                    found[block[1].attachment_id] = block[1]
                elif block[0] == "gallery":
                    for image in block[1]:
                        found[image.attachment_id] = image
        return list(found.values())


def term_slug(name: str) -> str:
    return slugify(name).replace("blog-post", "term")


def make_wp_blog(theme: str = "twentyten", n_posts: int = 24, seed: int = 3, rest: str = "on",
                 permalinks: Optional[str] = None, tz: str = "+02:00", page_size: int = 5) -> WPBlog:
    """A deterministic fake WordPress blog."""
    rng = random.Random(seed)
    tzinfo = parse_offset(tz)
    blog = WPBlog(title="Quayside Dispatches", description="Summits, harbours and the trains between them",
                  theme=theme, tz=tz, rest=rest, page_size=page_size,
                  permalinks=permalinks or ("date" if theme == "twentyten" else "postname"))
    start = datetime(2016, 1, 4, 9, 0, tzinfo=tzinfo)
    attachment = 1000
    next_comment = 500
    slugs: set[str] = set()
    styles = (["caption", "plain", "lazy", "gallery"] if theme == "twentyten"
              else ["figure", "scaled", "jetpack", "gallery"])
    for i in range(n_posts):
        published = (start + timedelta(days=i * 9 + rng.randrange(0, 5), minutes=rng.randrange(0, 600),
                                       seconds=rng.randrange(60)))
        updated = published + timedelta(hours=rng.randrange(1, 400), seconds=rng.randrange(60))
        title = _fill(rng.choice(TITLES), rng)
        if i == 2:
            title = 'Trains & harbours: the "slow" summit'
        slug = slugify(title)
        while slug in slugs:
            slug += "-2"
        slugs.add(slug)
        paragraphs = list(_make_paragraphs(rng.randrange(2 ** 32), 60, 260))
        blocks: list = [("p", text) for text in paragraphs]
        if i % 3 == 0:
            blocks.insert(1, ("quote", rng.choice(QUOTES)))
        n_images = [1, 0, 2, 1][i % 4]
        for k in range(n_images):
            style = styles[(i + k) % len(styles)]
            month_images = []
            for _ in range(3 if style == "gallery" else 1):
                attachment += 1
                subject = IMAGE_SUBJECTS[attachment % len(IMAGE_SUBJECTS)]
                big = style == "scaled"
                width, height = (3000, 2000) if big else rng.choice([(1600, 1200), (1200, 800), (900, 1200)])
                month_images.append(WPImage(
                    attachment_id=attachment, stem=f"{subject}-{attachment}",
                    ext="png" if attachment % 7 == 0 else "jpg", width=width, height=height,
                    year=published.year, month=published.month, alt=rng.choice(ALTS),
                    caption=rng.choice(CAPTIONS) if style in ("caption", "figure", "gallery") or
                    (style not in ("plain", "lazy") and rng.random() < 0.3) else "",
                    style=style))
            where = min(len(blocks), 1 + k * 2)
            if style == "gallery":
                blocks.insert(where, ("gallery", month_images, "Three views of the quay" if i % 2 else ""))
            else:
                blocks.insert(where, ("image", month_images[0]))
        post = WPPost(
            post_id=10 + i * 7, slug=slug, title=title, author=AUTHORS[i % len(AUTHORS)],
            published=published, updated=updated,
            categories=[CATEGORIES[i % len(CATEGORIES)]] + ([CATEGORIES[(i + 2) % 5]] if i % 4 == 1 else []),
            tags=[TAGS[j % len(TAGS)] for j in range(i % 3)] if i % 5 else [TAGS[i % len(TAGS)]],
            blocks=blocks)
        when = published
        for c in range([2, 0, 3, 1][i % 4]):
            next_comment += 1
            when = when + timedelta(minutes=rng.randrange(10, 3000))
            parent = post.comments[0].comment_id if c == 2 else 0
            post.comments.append(WPComment(
                comment_id=next_comment, author=rng.choice(COMMENTERS),
                author_url="https://readers.example.net/" + str(next_comment) if c == 1 else "",
                published=when.replace(second=0), body=_fill(rng.choice(COMMENT_BODIES), rng),
                parent=parent))
        blog.posts.append(post)
    return blog

