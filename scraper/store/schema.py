"""The archive's schema as a list of migrations, m001 onwards, in the order they run.

A migration's name is what an archive records as applied: never rename one,
never reorder them; a change is a new migration at the end."""

from __future__ import annotations

import json
import sqlite3

import sqlite_utils
from sqlite_utils.migrations import Migrations

from ..dates import utc_text
from .images import packed_candidates
from .views import (CRAWL_VIEWS, FACET_COUNT_ROWS, FACET_COUNTS_SQL, FTS_TOKENIZE,
                    IMAGE_CANDIDATE_VIEWS, POST_SEARCH_SQL, SITE_VIEWS)

migrations = Migrations("blogarchive")


@migrations()
def m001_initial(db: sqlite_utils.Database) -> None:
    db["blogs"].create(
        {
            "id": str,
            "url": str,
            "platform": str,
            "title": str,
            "description": str,
            "feed_url": str,
            "language": str,
            "posts_expected": int,
            "first_seen": str,
            "last_seen": str,
        },
        pk="id",
    )
    db["authors"].create(
        {"id": int, "blog_id": str, "name": str, "url": str},
        pk="id",
        foreign_keys=[("blog_id", "blogs", "id")],
    )
    db["authors"].create_index(["blog_id", "name", "url"], unique=True)
    db["posts"].create(
        {
            "id": str,
            "blog_id": str,
            "url": str,
            "title": str,
            "author": str,
            "author_id": int,
            "published": str,
            "updated": str,
            "labels": str,  # JSON array, for the label facet (_facet_list) and __arraycontains
            "body_html": str,
            "body_text": str,
            "word_count": int,
            "comment_count": int,
            "image_count": int,
            "content_hash": str,
            "first_seen": str,
            "last_seen": str,
            "last_changed": str,
            "gone_at": str,
            "crawl_id": int,  # the crawl that last saved it
        },
        pk="id",
        foreign_keys=[("blog_id", "blogs", "id"), ("author_id", "authors", "id")],
    )
    db["posts"].create_index(["url"], unique=True)
    db["posts"].create_index(["published"])
    db["labels"].create(
        {"id": int, "blog_id": str, "name": str},
        pk="id",
        foreign_keys=[("blog_id", "blogs", "id")],
    )
    db["labels"].create_index(["blog_id", "name"], unique=True)
    db["post_labels"].create(
        {"post_id": str, "label_id": int, "position": int},
        pk=("post_id", "label_id"),
        foreign_keys=[("post_id", "posts", "id"), ("label_id", "labels", "id")],
    )
    db["comments"].create(
        {
            "id": str,
            "post_id": str,
            "position": int,
            "author": str,
            "author_url": str,
            "published": str,
            "in_reply_to": str,
            "body_html": str,
            "body_text": str,
            "first_seen": str,
        },
        pk="id",
        foreign_keys=[("post_id", "posts", "id")],
    )
    db["images"].create(
        {
            "sha256": str,
            "content": bytes,
            "content_type": str,
            "size": int,
            "width": int,
            "height": int,
            "source_url": str,
            "path": str,  # set when images are kept on disk instead of in content
            "fetched": str,
        },
        pk="sha256",
    )
    db["post_images"].create(
        {
            "post_id": str,
            "position": int,
            "src": str,
            "full_url": str,
            "alt": str,
            "caption": str,
            "link": str,
            "width": int,
            "height": int,
            "candidates": str,  # JSON: URLs to try, best first
            "image_sha256": str,
            "fetched_url": str,
            "fetch_error": str,
            "fetch_attempts": int,
        },
        pk=("post_id", "position"),
        foreign_keys=[("post_id", "posts", "id"), ("image_sha256", "images", "sha256")],
    )
    db["post_versions"].create(
        {
            "post_id": str,
            "version": int,
            "captured": str,
            "title": str,
            "published": str,
            "updated": str,
            "labels": str,
            "body_html": str,
            "body_text": str,
            "content_hash": str,
        },
        pk=("post_id", "version"),
        foreign_keys=[("post_id", "posts", "id")],
    )
    db["crawls"].create(
        {
            "id": int,
            "started": str,
            "finished": str,
            "status": str,  # running | finished | failed | interrupted
            "seeds": str,
            "pages": int,
            "posts_found": int,
            "posts_new": int,
            "posts_updated": int,
            "posts_unchanged": int,
            "posts_gone": int,
            "posts_expected": int,
            "images_new": int,
            "images_failed": int,
            "errors": int,
            "errors_by_kind": str,  # JSON {kind: {"count": n, "examples": [url, …]}}
            "duration_s": float,
            "message": str,
        },
        pk="id",
    )
    db["fetches"].create(
        {
            "url": str,
            "kind": str,
            "status": int,
            "error": str,
            "message": str,
            "etag": str,
            "last_modified": str,
            "content_hash": str,
            "post_id": str,
            "fetched_at": str,
            "crawl_id": int,
        },
        pk="url",
        foreign_keys=[("crawl_id", "crawls", "id")],
    )
    db["fetches"].create_index(["crawl_id", "status"])
    db.index_foreign_keys()
    db["posts"].enable_fts(
        ["title", "body_text"], fts_version="FTS5", create_triggers=True, tokenize=FTS_TOKENIZE
    )
    db["comments"].enable_fts(
        ["author", "body_text"], fts_version="FTS5", create_triggers=True, tokenize=FTS_TOKENIZE
    )


@migrations()
def m002_feed_entries(db: sqlite_utils.Database) -> None:
    # What the blog's own feed lists: the measure of completeness and the
    # source of exact times where a page shows none (classic templates).
    db["feed_entries"].create(
        {
            "url": str,
            "blog_id": str,
            "post_id": str,
            "title": str,
            "published": str,
            "updated": str,
            "labels": str,
            "comment_count": int,
            "first_seen": str,
            "last_seen": str,
            "crawl_id": int,
        },
        pk="url",
        foreign_keys=[("blog_id", "blogs", "id"), ("crawl_id", "crawls", "id")],
    )
    db["feed_entries"].create_index(["blog_id"])


@migrations()
def m003_image_urls(db: sqlite_utils.Database) -> None:
    # Every URL an image file was fetched under (or is known by), so the same
    # photo in ten posts is fetched once and a re-run fetches none again.
    db["image_urls"].create(
        {"url": str, "sha256": str, "fetched": str},
        pk="url",
        foreign_keys=[("sha256", "images", "sha256")],
    )
    db["image_urls"].create_index(["sha256"])
    db["post_images"].create_index(["full_url"])
    # Full-size URLs that could not be had, and why: posts found later in the
    # same run show the reason too, and the next run tries them again.
    db["image_failures"].create(
        {"url": str, "error": str, "attempts": int, "last_tried": str},
        pk="url",
    )


@migrations()
def m004_incremental(db: sqlite_utils.Database) -> None:
    # A blog crawled to the end once can be re-crawled incrementally; until
    # then a re-run resumes discovery. Fetches say why each URL was asked for.
    db["blogs"].add_column("last_complete_crawl", int)
    db["fetches"].add_column("reason", str)


@migrations()
def m005_published_utc(db: sqlite_utils.Database) -> None:
    # Offsets differ between posts (DST) and blogs: sort and compare on the instant.
    db["posts"].add_column("published_utc", str)
    for post_id, published in db.execute("SELECT id, published FROM posts").fetchall():
        db.execute("UPDATE posts SET published_utc = ? WHERE id = ?",
                   [utc_text(published) or "", post_id])
    db["posts"].create_index(["published_utc"])
    db["posts"].create_index(["blog_id", "published_utc"])
    db["posts"].create_index(["last_changed"])
    db["posts"].create_index(["gone_at"])


@migrations()
def m006_facet_indexes(db: sqlite_utils.Database) -> None:
    # The default facets of the published posts table (author, labels; year and
    # blog already have one) read these indexes instead of every row's page.
    db["posts"].create_index(["author"], if_not_exists=True)
    db["posts"].create_index(["labels"], if_not_exists=True)


@migrations()
def m007_label_kinds(db: sqlite_utils.Database) -> None:
    # WordPress has categories and tags; both are labels, told apart by kind.
    db["labels"].add_column("kind", str)


@migrations()
def m008_site_views(db: sqlite_utils.Database) -> None:
    for name, sql in SITE_VIEWS.items():
        db.create_view(name, sql.strip(), replace=True)


@migrations()
def m009_image_store(db: sqlite_utils.Database) -> None:
    # Settings of the archive itself. images_dir: the folder holding the image
    # files of a `--images dir:PATH` crawl, for serve, export and status to find.
    db["archive_settings"].create({"name": str, "value": str}, pk="name")


@migrations()
def m010_crawl_blogs(db: sqlite_utils.Database) -> None:
    # A crawl of several blogs: one line per blog (found, expected, errors, status), JSON.
    db["crawls"].add_column("blogs", str)


@migrations()
def m011_captures(db: sqlite_utils.Database) -> None:
    # Every response kept as fetched, in WARC files beside the archive: where its
    # record is (file, offset, length) and what it was, tied to the post or image.
    db["captures"].create(
        {
            "id": int,
            "url": str,
            "record_type": str,  # response | revisit (identical payload to revisit_of)
            "warc_file": str,  # inside <archive>.warc/
            "offset": int,
            "length": int,
            "status": int,
            "content_type": str,
            "digest": str,  # WARC-Payload-Digest of the payload as written
            "fetched_at": str,
            "crawl_id": int,
            "role": str,  # post | home | archive | feed | sitemap | robots | image | …
            "post_id": str,
            "image_sha256": str,
            "revisit_of": int,
        },
        pk="id",
        foreign_keys=[("crawl_id", "crawls", "id"), ("post_id", "posts", "id"),
                      ("image_sha256", "images", "sha256"), ("revisit_of", "captures", "id")],
    )
    db["captures"].create_index(["url", "id"])
    db["captures"].create_index(["post_id"])
    db["captures"].create_index(["crawl_id"])
    db["captures"].create_index(["image_sha256"])
    db["crawls"].add_column("kind", str)  # crawl | reparse
    db["crawls"].add_column("changes", str)  # reparse: JSON {field: posts changed}


@migrations()
def m012_chart_indexes(db: sqlite_utils.Database) -> None:
    # The site's charts read posts_by_month and crawl_runs on every page view: from
    # these covering indexes instead of every post's whole row (20k posts: 0.9 s → 0.2 s
    # and 0.9 s → 1 ms; bench/README.md).
    db["posts"].create_index(["blog_id", "published", "word_count", "comment_count", "image_count"],
                             index_name="idx_posts_month_counts", if_not_exists=True)
    db["posts"].create_index(["first_seen", "gone_at"], index_name="idx_posts_first_seen_gone",
                             if_not_exists=True)


@migrations()
def m013_field_provenance(db: sqlite_utils.Database) -> None:
    # Which evidence gave each field of a post (JSON {field: evidence}), where two
    # sources disagreed (JSON {field: what each said}), and each crawl's warnings
    # (JSON {kind: {"count": n, "examples": [url, …]}}): a field nothing could give
    # is counted, never a silent blank.
    db["posts"].add_column("sources", str)
    db["posts"].add_column("notes", str)
    db["crawls"].add_column("warnings", str)
    db["feed_entries"].add_column("author", str)
    db["feed_entries"].add_column("author_url", str)
    # The blog's own label pages: a post a label page lists has that label.
    db["label_listings"].create(
        {"post_url": str, "label": str, "blog_id": str, "listing_url": str, "first_seen": str},
        pk=("post_url", "label"),
        foreign_keys=[("blog_id", "blogs", "id")],
    )


POST_COLUMN_ORDER = [
    "id", "blog_id", "url", "title", "author", "author_id", "published", "published_utc",
    "updated", "labels", "word_count", "comment_count", "image_count", "content_hash",
    "first_seen", "last_seen", "last_changed", "gone_at", "crawl_id", "search_rowid",
]


@migrations()
def m014_post_bodies(db: sqlite_utils.Database) -> None:
    # Bodies (≈ 15 KB a post) in their own table: a posts row is a few hundred
    # bytes, so listings, facets, sorts and searches over many posts stay small.
    for name in ("posts_ai", "posts_ad", "posts_au"):
        db.execute(f"DROP TRIGGER [{name}]")
    db.execute("DROP TABLE IF EXISTS posts_fts")
    # Views and triggers that name posts are set aside while the table is rebuilt.
    dependants = [
        (kind, name, sql) for kind, name, sql in db.execute(
            "SELECT type, name, sql FROM sqlite_master WHERE type IN ('view', 'trigger') "
            "AND tbl_name != 'posts' AND sql LIKE '%posts%'").fetchall()
    ]
    for kind, name, _ in dependants:
        db.execute(f"DROP {kind.upper()} [{name}]")
    db.execute(
        "CREATE TABLE post_bodies (post_id TEXT PRIMARY KEY "
        "REFERENCES posts(id) ON UPDATE CASCADE, body_html TEXT, body_text TEXT)")
    db.execute("INSERT INTO post_bodies (post_id, body_html, body_text) "
               "SELECT id, body_html, body_text FROM posts ORDER BY rowid")
    db["posts"].add_column("search_rowid", int)
    db.execute("UPDATE posts SET search_rowid = rowid")  # search results keep their rowids
    db["posts"].transform(drop={"body_html", "body_text"}, column_order=POST_COLUMN_ORDER)
    db["posts"].create_index(["search_rowid"], unique=True)
    execute_statements(db, POST_SEARCH_SQL)
    db.execute("INSERT INTO posts_fts (posts_fts) VALUES ('rebuild')")
    for _, _, sql in dependants:
        db.execute(sql)


@migrations()
def m015_facet_counts(db: sqlite_utils.Database) -> None:
    # Posts per year and per label, kept by triggers, for the facets of the whole
    # posts table (views.py says why); counted once here from the posts there are.
    execute_statements(db, FACET_COUNTS_SQL)
    rows = FACET_COUNT_ROWS.format(row="posts", sign=1, table="FROM posts", table_and="posts,")
    db.execute("INSERT INTO post_facet_counts (facet, value, posts) "
               f"SELECT facet, value, sum(posts) FROM ({rows}) GROUP BY facet, value")


@migrations()
def m016_crawl_views_without_reparse(db: sqlite_utils.Database) -> None:
    # The crawls charts read crawl_runs and crawl_errors: crawls, not reparse runs.
    for name, sql in CRAWL_VIEWS.items():
        db.create_view(name, sql.strip(), replace=True)


@migrations()
def m017_packed_image_candidates(db: sqlite_utils.Database) -> None:
    # Candidate chains name the row's own full_url, src and link instead of repeating
    # them (scraper/store/images.py); the views write them out again.
    rows = db.execute("SELECT rowid, full_url, src, link, candidates FROM post_images").fetchall()
    packed = []
    for rowid, full_url, src, link, stored in rows:
        try:
            chain = json.loads(stored) if stored else None
        except ValueError:
            continue  # not a list this code wrote: left as it is
        if isinstance(chain, list):
            row = {"full_url": full_url, "src": src, "link": link}
            packed.append((packed_candidates(row, chain), rowid))
    db.conn.executemany("UPDATE post_images SET candidates = ? WHERE rowid = ?", packed)
    for name, sql in IMAGE_CANDIDATE_VIEWS.items():
        db.create_view(name, sql.strip(), replace=True)


# Indexes that lead with the same columns as another index of their table: every lookup
# they served is served by that one (10k posts: 1.1 MB).
COVERED_INDEXES = {
    "idx_post_images_post_id": "post_images' key (post_id, position)",
    "idx_post_labels_post_id": "post_labels' key (post_id, label_id)",
    "idx_fetches_crawl_id": "idx_fetches_crawl_id_status",
}


@migrations()
def m018_covered_indexes(db: sqlite_utils.Database) -> None:
    for name in COVERED_INDEXES:
        db.execute(f"DROP INDEX IF EXISTS [{name}]")


@migrations()
def m019_candidate_views_read_folders(db: sqlite_utils.Database) -> None:
    # The views of m017 as first written read column names only; chains now also hold
    # "./" and "../" entries (scraper/store/images.py).
    for name, sql in IMAGE_CANDIDATE_VIEWS.items():
        db.create_view(name, sql.strip(), replace=True)


@migrations()
def m020_full_url_end_index(db: sqlite_utils.Database) -> None:
    # Post images are found by full-size URL through its last 40 characters
    # (scraper/store/images.py, BY_FULL_URL).
    db.execute("DROP INDEX IF EXISTS idx_post_images_full_url")
    db.execute("CREATE INDEX idx_post_images_full_url_end ON post_images (substr(full_url, -40))")


def execute_statements(db: sqlite_utils.Database, script: str) -> None:
    """Run SQL statements one by one inside the open transaction (executescript commits)."""
    statement = ""
    for line in script.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            db.execute(statement)
            statement = ""

