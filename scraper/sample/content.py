"""Deterministic generator of sample blogs (our own words, news-commentary theme).

``make_blog`` is seeded: the same arguments always give the same blog, down to
post ids and image bytes. Bodies are generated lazily (``LazyText``) so a
100k-post blog builds in seconds and stays small in memory.
"""
from __future__ import annotations

import base64
import hashlib
import random
import re
import unicodedata
from datetime import datetime, timedelta
from functools import lru_cache

from .model import LazyText, SampleBlog, SampleComment, SampleImage, SamplePost, parse_offset

# --- vocabulary ----------------------------------------------------------------
LEADERS = ["Kim Jong Un", "the foreign minister", "the harbour master", "the envoy",
           "the trade commissioner", "the railway board", "the mayor of Málaga",
           "the delegation from Gdańsk", "the prime minister", "the union leader"]
PLACES = ["Zürich", "Gdańsk", "Málaga", "São Paulo", "Rotterdam", "Busan", "Trieste",
          "Pyongyang", "Lisbon", "Hamburg", "Vladivostok", "Marseille", "Kraków", "Tromsø"]
NOUNS = ["summit", "harbour", "ceasefire", "trade deal", "night train", "ferry line",
         "customs union", "port strike", "border crossing", "grain corridor",
         "container terminal", "peace talks", "sanctions regime", "rail tunnel", "press briefing"]
ADJS = ["quiet", "long-delayed", "fragile", "surprising", "costly", "overdue", "cautious",
        "symbolic", "crowded", "unfinished", "careful", "noisy"]
VERBS = ["postponed", "welcomed", "questioned", "rescheduled", "praised", "doubted",
         "reopened", "signed", "blocked", "announced"]
SENTENCES = [
    "{Leader} {verb} the {adj} {noun} in {place} on Tuesday.",
    "Nobody in {place} expected the {noun} to be {verb} so quickly.",
    "The {adj} {noun} was the only topic at breakfast, and the coffee went cold.",
    "Officials {verb} the plan, although the details of the {noun} remain vague.",
    "From the quay you could watch the cranes unload another {adj} shipment.",
    "A spokesman said the {noun} would be {verb} \"within weeks\", which usually means months.",
    "In {place}, the {noun} has become a byword for patience.",
    "The last {noun} of this kind took three years and two governments.",
    "Reporters waited outside for hours while {leader} {verb} the agenda.",
    "The timetable for the {adj} {noun} was printed, then quietly withdrawn.",
    "Some delegates took the {noun} from {place}; others flew and arrived late.",
    "It is worth reading the small print: the {noun} covers less than the headlines suggest.",
    "Local papers in {place} were less kind, calling it a {adj} {noun}.",
    "The Smith & Marlowe shipping report put the cost of the {noun} at twice the estimate.",
    "Background reading on the {noun}: https://example.org/briefings/{num}",
    "Critics {verb} the {noun}, but the markets barely moved.",
    "The view from the harbour wall in {place} explains more than any communiqué.",
]
QUOTES = [
    "We did not come here to sign a piece of paper; we came to keep the trains running.",
    "A harbour is only as open as the last ship that was allowed to leave it.",
    "Summits are theatre. The real work happens on the night train home.",
    "Ni un paso atrás, dijo el alcalde, y pidió otro café.",
]
TITLES = [
    "{Leader} in {place}: the {adj} {noun}",
    "Why the {noun} in {place} matters",
    "Notes from {place}",
    "The {adj} {noun}, again",
    "After the {noun}: what {place} learned",
    "A {adj} week for the {noun}",
    "Postcard from {place}",
    "On the {noun} and its critics",
]
SPECIAL_TITLE = 'Trains & harbours: the "slow" summit'
AUTHORS = ["Marta Ibáñez", "Tom Okafor", "Lena Vogt"]
COMMENTERS = ["Anonymous", "Élodie Marchand", "Pieter", "J. Kowalski", "harbourwatcher",
              "Ana Lúcia", "R. Chen", "Unknown"]
COMMENT_BODIES = [
    "Good summary. The {noun} story is far from over.",
    "I was in {place} that week and it felt exactly like this.",
    "Do you have a source for the figures? I found this: https://example.net/data/{num}",
    "Thanks — the photo of the {noun} is wonderful.",
    "Disagree on the {noun}, but well argued.",
    "¿Y el tren nocturno? Nadie habla de eso.",
]
FREQUENT_LABELS = ["Summit", "Kim Jong Un", "Diplomacy", "Harbours", "Trains"]
MEDIUM_LABELS = ["Café política", "Sanctions", "Ferries", "Trade", "Border crossings", "Élections"]
RARE_LABELS = ["Port of Gdańsk", "Zürich talks", "Night trains", "Grain corridor", "Tromsø",
               "Customs union", "Press freedom", "São Paulo", "Strikes", "Weather", "Books",
               "Letters from readers", "Maps", "Rail tunnels", "Fish markets", "Lighthouses"]
IMAGE_SUBJECTS = ["harbour-crane", "night-train", "summit-table", "ferry-deck", "border-post",
                  "container-stack", "press-room", "lighthouse", "station-clock", "quay-at-dawn"]
CAPTIONS = ["Photo: Marta Ibáñez", "The quay at dawn (photo: T. Okafor)",
            "Delegates arriving — photo courtesy of the port authority", "Credit: Lena Vogt"]
ALTS = ["", "harbour crane", "night train at the platform", "the summit table", "ferry deck"]

BLOG_TITLES = {"en": "Harbour Notes", "es": "Notas del puerto", "fr": "Carnets du port"}
BLOG_DESCRIPTIONS = {"en": "Commentary on summits, harbours and trains",
                     "es": "Comentarios sobre cumbres, puertos y trenes",
                     "fr": "Chroniques des sommets, des ports et des trains"}


def _fill(template: str, rng: random.Random) -> str:
    leader = rng.choice(LEADERS)
    return template.format(
        Leader=leader[0].upper() + leader[1:], leader=leader, place=rng.choice(PLACES),
        noun=rng.choice(NOUNS), adj=rng.choice(ADJS), verb=rng.choice(VERBS),
        num=rng.randrange(100, 9999))


@lru_cache(maxsize=512)
def _make_paragraphs(seed: int, lo: int, hi: int) -> tuple:
    rng = random.Random(seed)
    target = rng.randint(lo, hi)
    paragraphs, words = [], 0
    while words < target:
        sentences = [_fill(rng.choice(SENTENCES), rng) for _ in range(rng.randint(2, 5))]
        text = " ".join(sentences)
        paragraphs.append(text)
        words += len(text.split())
    return tuple(paragraphs)


def paragraph_maker(words: tuple):
    lo, hi = words

    def make(seed: int) -> list:
        return list(_make_paragraphs(seed, lo, hi))
    return make


def slugify(title: str) -> str:
    """Blogger-like slug: ASCII, lowercase, hyphens, ~40 chars, 'blog-post' if empty."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_title.lower())
    slug = ""
    for word in words:
        if len(slug) + len(word) + 1 > 40 and slug:
            break
        slug = f"{slug}-{word}" if slug else word
    return slug or "blog-post"


def make_image_id(name: str, width: int, height: int) -> str:
    """Deterministic stand-in for Blogger's long 'AVvXsE…' image key."""
    digest = hashlib.sha256(f"{name}|{width}|{height}".encode()).digest() * 2
    return "AVvXsE" + base64.urlsafe_b64encode(digest).decode().rstrip("=")[:70]


def _image_pool(rng: random.Random, n: int) -> list:
    pool = []
    for i in range(n):
        subject = IMAGE_SUBJECTS[i % len(IMAGE_SUBJECTS)]
        roll = rng.random()
        kind = "png" if roll < 0.15 else "gif" if roll < 0.2 else "jpeg"
        ext = {"jpeg": rng.choice(["jpg", "JPG", "jpeg"]), "png": "png", "gif": "gif"}[kind]
        if kind == "gif":
            width, height = rng.choice([(400, 300), (480, 360)])
        else:
            width, height = rng.choice([(1600, 1200), (1200, 800), (1024, 768), (800, 1067), (640, 480)])
        name = f"{subject}-{i + 1}.{ext}" if i >= len(IMAGE_SUBJECTS) else f"{subject}.{ext}"
        image = SampleImage(name=name, width=width, height=height, alt=rng.choice(ALTS),
                            caption=rng.choice(CAPTIONS) if rng.random() < 0.35 else "",
                            kind=kind, linked=rng.random() < 0.85,
                            display_width=rng.choice([320, 320, 400, 640]))
        image.display_width = min(image.display_width, width)
        image.image_id = make_image_id(name, width, height)
        pool.append(image)
    return pool


def _labels_for(rng: random.Random) -> list:
    """Long tail: a few labels on many posts, many labels on one or two."""
    labels = []
    for _ in range(rng.choice([0, 1, 1, 2, 2, 3])):
        roll = rng.random()
        pool = FREQUENT_LABELS if roll < 0.6 else MEDIUM_LABELS if roll < 0.88 else RARE_LABELS
        label = rng.choice(pool)
        if label not in labels:
            labels.append(label)
    return labels


def _publish_times(rng: random.Random, n: int, tzinfo, start: datetime) -> list:
    """n distinct minute-precision times over >= 3 years, some days with 2-3 posts."""
    span_days = max(3 * 365 + 120, n // 8)
    start = start - timedelta(days=span_days)     # blogs end at `start`; big ones begin earlier
    times, seen = [], set()
    day_offsets = sorted(rng.randrange(span_days) for _ in range(n))
    for i, day in enumerate(day_offsets):
        if i and i % 6 == 0:
            day = day_offsets[i - 1]              # same day as the previous post
            day_offsets[i] = day
        while True:
            minute = rng.randrange(7 * 60, 23 * 60 + 50)
            when = (start + timedelta(days=day, minutes=minute)).replace(tzinfo=tzinfo)
            if when not in seen:
                seen.add(when)
                times.append(when)
                break
    return times


def make_blog(template: str = "layout", n_posts: int = 45, seed: int = 1, locale: str = "en",
              tz: str = "+02:00", images: bool = True, comments: bool = True,
              words: tuple = (60, 400), image_faults: bool = True, **knobs) -> SampleBlog:
    """A deterministic sample blog. Extra keyword arguments set SampleBlog knobs."""
    rng = random.Random(seed)
    tzinfo = parse_offset(tz)
    blog = SampleBlog(blog_id=str(rng.randrange(10 ** 18, 10 ** 19)),
                      title=BLOG_TITLES.get(locale, BLOG_TITLES["en"]),
                      description=BLOG_DESCRIPTIONS.get(locale, BLOG_DESCRIPTIONS["en"]),
                      template=template, tz=tz, locale=locale, **knobs)
    pool = _image_pool(rng, max(12, n_posts // 2)) if images else []
    favourites = pool[:4]                      # reused in several posts
    maker = paragraph_maker(tuple(words))
    times = _publish_times(rng, n_posts, tzinfo, datetime(2018, 6, 30))
    used_paths, post_ids = set(), set()
    for i, published in enumerate(times):
        title = _fill(rng.choice(TITLES), rng)
        if i == 3:
            title = ""                          # untitled post
        elif i == 5:
            title = SPECIAL_TITLE
        slug = slugify(title)
        path = f"/{published:%Y/%m}/{slug}.html"
        if path in used_paths:                  # Blogger appends _DD on collisions
            slug = f"{slug}_{published:%d}"
            n = 2
            while f"/{published:%Y/%m}/{slug}.html" in used_paths:
                slug = f"{slug.rsplit('_', 1)[0]}_{published:%d}-{n}"
                n += 1
        used_paths.add(f"/{published:%Y/%m}/{slug}.html")
        post_id = str(rng.randrange(10 ** 17, 10 ** 19))
        while post_id in post_ids:
            post_id = str(rng.randrange(10 ** 17, 10 ** 19))
        post_ids.add(post_id)
        late_edit = rng.random() < 0.1          # B15: updated years later
        updated = published + (timedelta(days=rng.randrange(700, 1500)) if late_edit
                               else timedelta(minutes=rng.randrange(1, 3000), seconds=rng.randrange(60)))
        labels = _labels_for(rng)
        if i in (0, 1, 2):                      # guarantee the tricky labels appear
            labels = [["Kim Jong Un", "Summit"], ["Café política"], ["Summit", "Harbours"]][i]
        body_seed = rng.randrange(2 ** 32)
        n_paragraphs = rng.randint(2, 6)        # positions only; clamped at render time
        post = SamplePost(post_id=post_id, slug=slug, title=title, author=rng.choice(AUTHORS),
                          published=published, updated=updated, labels=labels,
                          paragraphs=LazyText(body_seed, maker))
        if rng.random() < 0.3 or i == 0:
            post.quote = rng.choice(QUOTES)
            post.quote_after = rng.randrange(1, n_paragraphs + 1)
        if pool:
            count = rng.choice([0, 1, 1, 2, 3]) if i else 2
            for _ in range(count):
                image = rng.choice(favourites) if rng.random() < 0.25 else rng.choice(pool)
                if image not in post.images:
                    post.images.append(image)
                    post.image_after.append(rng.randrange(0, n_paragraphs + 1))
        if comments:
            count = rng.choice([0, 0, 1, 2, 4]) if i else 3
            when = published
            for _ in range(count):
                when = when + timedelta(minutes=rng.randrange(5, 5000), seconds=rng.randrange(60))
                post.comments.append(SampleComment(
                    comment_id=str(rng.randrange(10 ** 17, 10 ** 19)), author=rng.choice(COMMENTERS),
                    published=when, body=_fill(rng.choice(COMMENT_BODIES), rng)))
        blog.posts.append(post)
    if image_faults and len(pool) >= 3:
        pool[1].missing_original = True        # s0/s1600 answer 404, /s320/ works
        pool[2].fake_html = True               # a ".jpg" that is an HTML page
    blog.touch()
    return blog


def make_demo_blog() -> SampleBlog:
    """The blog `blogarchive demo` serves: small, English, clean."""
    return make_blog(template="layout", n_posts=36, seed=7, locale="en", tz="+02:00",
                     images=True, comments=True, image_faults=False)
