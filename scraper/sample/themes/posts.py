"""The posts every theme renders: a +02:00 blog's titles, dates, terms and paragraphs,
made deterministically from a seed in our own words."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from ..content import AUTHORS, CAPTIONS, TITLES, _fill, _make_paragraphs, slugify

TZ = timezone(timedelta(hours=2))


SITE = "Quayside Ledger"


ORIGIN = "https://ledger.example"


CATEGORIES = ["Harbours", "Diplomacy", "Trains", "Letters"]


TAGS = ["ferries", "customs", "night trains", "Gdańsk", "summit", "cranes"]


MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]


@dataclass
class ThemePost:
    post_id: int
    title: str
    slug: str
    author: str
    published: datetime  # local, +02:00
    categories: list
    tags: list
    paragraphs: list
    subheading: str  # an h2/h1 inside the text: never the title
    caption: str
    commenter: str = "Élodie Marchand"
    related: list = field(default_factory=list)  # titles of other posts (related-post boxes)

    @property
    def utc(self) -> datetime:
        return self.published.astimezone(timezone.utc)

    def path(self, style: str = "date") -> str:
        if style == "date":
            return f"/{self.published:%Y/%m/%d}/{self.slug}/"
        return f"/{self.slug}/"

    def long_date(self) -> str:
        return f"{MONTHS[self.published.month - 1]} {self.published.day}, {self.published.year}"

    def short_date(self) -> str:
        return f"{MONTHS[self.published.month - 1][:3]} {self.published.day}, {self.published.year}"

    def day_month_year(self) -> str:
        return f"{self.published.day} {MONTHS[self.published.month - 1]} {self.published.year}"


def make_posts(n: int, seed: int) -> list[ThemePost]:
    rng = random.Random(seed)
    posts = []
    start = datetime(2021, 7, 14, 0, 25, tzinfo=TZ)
    for i in range(n):
        title = _fill(rng.choice(TITLES), rng)
        published = start + timedelta(days=i * 37 + rng.randrange(5), minutes=rng.randrange(90))
        posts.append(ThemePost(
            post_id=200 + i * 11 + seed, title=title, slug=slugify(title) + f"-{seed}-{i}",
            author=AUTHORS[(seed + i) % len(AUTHORS)], published=published,
            categories=[CATEGORIES[(seed + i) % len(CATEGORIES)]],
            tags=[TAGS[(seed + i) % len(TAGS)], TAGS[(seed + i + 2) % len(TAGS)]],
            paragraphs=list(_make_paragraphs(rng.randrange(2 ** 32), 90, 220)),
            subheading=["Preamble", "What the harbour master said", "Stop! This part is out of date"][i % 3],
            caption=rng.choice(CAPTIONS),
            related=[_fill(rng.choice(TITLES), rng) for _ in range(3)]))
    return posts

