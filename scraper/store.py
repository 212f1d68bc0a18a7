"""The archive database: schema, migrations, full-text search and save_* functions.

Everything that knows a table or column name lives here. Writes are short
transactions (one per item) in WAL mode, so Datasette can read while a crawl
writes and a crawl killed at any moment leaves a consistent file.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import tempfile
from pathlib import Path
from typing import Any, Iterable

import sqlite_utils
from sqlite_utils.migrations import Migrations

from .dates import utc_instant, utc_text
from .items import content_hash

BUSY_TIMEOUT_MS = 30_000
FTS_TOKENIZE = "unicode61 remove_diacritics 2"

migrations = Migrations("blogarchive")


class StoreError(Exception):
    """The database cannot be used: the message says why, for a person."""


def now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


# -- schema -----------------------------------------------------------------


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


# Views the published site reads (charts, canned queries): the column names of
# the tables are spelled here, once. A later change is a migration that
# recreates the view.
SITE_VIEWS = {
    # Every month from a blog's first post to its last, months without posts
    # included (posts = 0), with the month's words, reported comments and images.
    "posts_by_month": """
        with recursive
        dated as (
            select blog_id, substr(published, 1, 7) as month, word_count, comment_count,
                   image_count
            from posts where published glob '[0-9][0-9][0-9][0-9]-[0-9][0-9]*'
        ),
        span as (select blog_id, min(month) as first, max(month) as last from dated group by blog_id),
        months(blog_id, month, last) as (
            select blog_id, first, last from span
            union all
            select blog_id, strftime('%Y-%m', month || '-01', '+1 month'), last
            from months where month < last
        )
        select m.blog_id, m.month, count(d.month) as posts,
               coalesce(sum(d.word_count), 0) as words,
               coalesce(sum(d.comment_count), 0) as comments,
               coalesce(sum(d.image_count), 0) as images
        from months m left join dated d on d.blog_id = m.blog_id and d.month = m.month
        group by m.blog_id, m.month
    """,
    # Posts per label per month (months with posts under the label only).
    "label_posts_by_month": """
        select l.blog_id, l.name as label, substr(p.published, 1, 7) as month,
               count(*) as posts
        from post_labels pl
        join labels l on l.id = pl.label_id
        join posts p on p.id = pl.post_id
        where p.published glob '[0-9][0-9][0-9][0-9]-[0-9][0-9]*'
        group by l.blog_id, l.name, month
    """,
    # One row per crawl: what it found against what the blog says it has, and how
    # many posts the archive held when it ended.
    "crawl_runs": """
        select c.id as crawl_id, c.started, c.finished, c.status, c.pages,
               c.posts_found, c.posts_expected,
               (select count(*) from posts p
                where p.first_seen <= coalesce(c.finished, c.started)
                  and (p.gone_at is null or p.gone_at > coalesce(c.finished, c.started)))
                 as posts_archived,
               c.posts_new, c.posts_updated, c.posts_unchanged, c.posts_gone,
               c.images_new, c.images_failed, c.errors, c.duration_s
        from crawls c
    """,
    # Failed requests per crawl and kind (from crawls.errors_by_kind).
    "crawl_errors": """
        select c.id as crawl_id, c.started, e.key as kind,
               coalesce(json_extract(e.value, '$.count'), e.value) as errors
        from crawls c, json_each(case when json_valid(c.errors_by_kind)
                                      then c.errors_by_kind else '{}' end) e
    """,
}


@migrations()
def m008_site_views(db: sqlite_utils.Database) -> None:
    for name, sql in SITE_VIEWS.items():
        db.create_view(name, sql.strip(), replace=True)


@migrations()
def m009_image_store(db: sqlite_utils.Database) -> None:
    # Settings of the archive itself. images_dir: the folder holding the image
    # files of a `--images dir:PATH` crawl, for serve, export and status to find.
    db["archive_settings"].create({"name": str, "value": str}, pk="name")


IMAGES_DIR = "images_dir"


def set_image_folder(db: sqlite_utils.Database, folder: str | os.PathLike) -> None:
    with db.atomic():
        _upsert(db, "archive_settings", {"name": IMAGES_DIR, "value": str(folder)}, ("name",))


def image_folder(db: sqlite_utils.Database) -> Path | None:
    """Where this archive keeps its image files, if it keeps any outside the database."""
    try:
        row = db.execute("SELECT value FROM archive_settings WHERE name = ?", [IMAGES_DIR]).fetchone()
    except sqlite3.OperationalError:  # an archive from before m009, opened read-only
        return None
    return Path(row[0]) if row and row[0] else None


def image_files(db: sqlite_utils.Database) -> tuple[Path | None, int, list[str]]:
    """(folder, files kept there, relative paths listed but missing)."""
    folder = image_folder(db)
    if folder is None:
        return None, 0, []
    paths = [r[0] for r in db.execute("SELECT path FROM images WHERE content IS NULL AND path IS NOT NULL")]
    missing = [p for p in paths if not (folder / p).is_file()]
    return folder, len(paths) - len(missing), missing


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


# The FTS index of posts reads title from posts and body_text from post_bodies
# through the posts_with_bodies view; every post is in it (a post with no body row
# by its title alone, as the view's LEFT JOIN gives it to a rebuild). Its rowid is
# posts.search_rowid, a column of its own, because a table keyed by text may get
# new rowids from VACUUM. Triggers fire only when an indexed value really changes,
# so re-saving an unchanged post, touching it, marking it gone or counting its
# comments rewrites no index row.
POST_SEARCH_SQL = f"""
CREATE VIEW posts_with_bodies AS
  SELECT p.*, b.body_html AS body_html, b.body_text AS body_text
  FROM posts p LEFT JOIN post_bodies b ON b.post_id = p.id;
CREATE VIRTUAL TABLE posts_fts USING fts5(
  title, body_text, content='posts_with_bodies', content_rowid='search_rowid',
  tokenize='{FTS_TOKENIZE}');
CREATE TRIGGER posts_ai AFTER INSERT ON posts BEGIN
  UPDATE posts SET search_rowid = (SELECT COALESCE(MAX(search_rowid), 0) + 1 FROM posts)
  WHERE id = new.id AND new.search_rowid IS NULL;
  INSERT INTO posts_fts (rowid, title, body_text)
    SELECT p.search_rowid, p.title, b.body_text FROM posts p
    LEFT JOIN post_bodies b ON b.post_id = p.id WHERE p.id = new.id;
END;
CREATE TRIGGER posts_ad AFTER DELETE ON posts BEGIN
  INSERT INTO posts_fts (posts_fts, rowid, title, body_text) VALUES ('delete', old.search_rowid,
    old.title, (SELECT body_text FROM post_bodies WHERE post_id = old.id));
  DELETE FROM post_bodies WHERE post_id = old.id;
END;
CREATE TRIGGER posts_au AFTER UPDATE OF title ON posts WHEN old.title IS NOT new.title BEGIN
  INSERT INTO posts_fts (posts_fts, rowid, title, body_text) VALUES ('delete', old.search_rowid,
    old.title, (SELECT body_text FROM post_bodies WHERE post_id = new.id));
  INSERT INTO posts_fts (rowid, title, body_text) VALUES (new.search_rowid,
    new.title, (SELECT body_text FROM post_bodies WHERE post_id = new.id));
END;
CREATE TRIGGER post_bodies_ai AFTER INSERT ON post_bodies BEGIN
  INSERT INTO posts_fts (posts_fts, rowid, title, body_text)
    SELECT 'delete', p.search_rowid, p.title, NULL FROM posts p WHERE p.id = new.post_id;
  INSERT INTO posts_fts (rowid, title, body_text)
    SELECT p.search_rowid, p.title, new.body_text FROM posts p WHERE p.id = new.post_id;
END;
CREATE TRIGGER post_bodies_ad AFTER DELETE ON post_bodies BEGIN
  INSERT INTO posts_fts (posts_fts, rowid, title, body_text)
    SELECT 'delete', p.search_rowid, p.title, old.body_text FROM posts p WHERE p.id = old.post_id;
  INSERT INTO posts_fts (rowid, title, body_text)
    SELECT p.search_rowid, p.title, NULL FROM posts p WHERE p.id = old.post_id;
END;
CREATE TRIGGER post_bodies_au AFTER UPDATE OF body_text ON post_bodies
WHEN old.body_text IS NOT new.body_text BEGIN
  INSERT INTO posts_fts (posts_fts, rowid, title, body_text)
    SELECT 'delete', p.search_rowid, p.title, old.body_text FROM posts p WHERE p.id = new.post_id;
  INSERT INTO posts_fts (rowid, title, body_text)
    SELECT p.search_rowid, p.title, new.body_text FROM posts p WHERE p.id = new.post_id;
END;
DROP TRIGGER IF EXISTS comments_au;
CREATE TRIGGER comments_au AFTER UPDATE OF author, body_text ON comments
WHEN old.author IS NOT new.author OR old.body_text IS NOT new.body_text BEGIN
  INSERT INTO comments_fts (comments_fts, rowid, author, body_text)
    VALUES ('delete', old.rowid, old.author, old.body_text);
  INSERT INTO comments_fts (rowid, author, body_text)
    VALUES (new.rowid, new.author, new.body_text);
END;
"""

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
    _execute_statements(db, POST_SEARCH_SQL)
    db.execute("INSERT INTO posts_fts (posts_fts) VALUES ('rebuild')")
    for _, _, sql in dependants:
        db.execute(sql)


def _execute_statements(db: sqlite_utils.Database, script: str) -> None:
    """Run SQL statements one by one inside the open transaction (executescript commits)."""
    statement = ""
    for line in script.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            db.execute(statement)
            statement = ""


# -- opening ----------------------------------------------------------------


def check_sqlite() -> None:
    conn = sqlite3.connect(":memory:")
    try:
        conn.execute("CREATE VIRTUAL TABLE t USING fts5(x)")
    except sqlite3.OperationalError as e:  # pragma: no cover - depends on the build
        raise StoreError(f"this SQLite ({sqlite3.sqlite_version}) has no FTS5: {e}") from e
    finally:
        conn.close()


def check_writable(path: str | os.PathLike) -> None:
    """Can the archive be created here? Tried, not guessed: root passes every access()
    check, and /proc or a read-only mount still refuse a new file."""
    folder = Path(path).resolve().parent
    try:
        handle, probe = tempfile.mkstemp(dir=folder, prefix=".blogarchive-probe-")
    except OSError as e:
        raise StoreError(f"{path}: cannot create the database, {folder} is not writable") from e
    os.close(handle)
    os.unlink(probe)


def open_db(path: str | os.PathLike, *, create: bool = True) -> sqlite_utils.Database:
    """Open (and create or migrate) an archive, failing early with a clear message."""
    path = Path(path)
    if not create and not path.exists():
        raise StoreError(f"{path}: no such archive")
    parent = path.resolve().parent
    if not parent.is_dir():
        raise StoreError(f"{path}: folder {parent} does not exist")
    if path.is_dir():
        raise StoreError(f"{path}: is a folder, not a database file")
    if path.exists() and not os.access(path, os.W_OK):
        raise StoreError(f"{path}: the database file is read-only")
    if not path.exists():
        check_writable(path)
    check_sqlite()
    try:
        db = sqlite_utils.Database(path)
        db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        db.enable_wal()
        db.execute("PRAGMA foreign_keys = ON")
        db.execute("PRAGMA synchronous = NORMAL")
        migrations.apply(db)
    except sqlite3.DatabaseError as e:
        raise StoreError(f"{path}: cannot open the archive: {e}") from e
    return db


SQLITE_MAGIC = b"SQLite format 3\x00"
ARCHIVE_TABLES = {"posts", "crawls", "blogs"}


def open_readonly(path: str | os.PathLike) -> sqlite_utils.Database:
    """Open an archive for reading only: nothing is created, migrated or switched to WAL.

    For the commands that read (`status`, `serve`): a file that is not an
    archive is refused with one line, and left exactly as it was.
    """
    path = Path(path)
    if not path.exists():
        raise StoreError(f"{path}: no such archive")
    if path.is_dir():
        raise StoreError(f"{path}: is a folder, not a database file")
    try:
        with open(path, "rb") as f:
            head = f.read(len(SQLITE_MAGIC))
    except OSError as e:
        raise StoreError(f"{path}: cannot be read: {e.strerror}") from e
    if head != SQLITE_MAGIC:
        raise StoreError(f"{path}: not an SQLite database (and so not a blogarchive archive)")
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError as e:
        raise StoreError(f"{path}: cannot open the archive: {e}") from e
    if not ARCHIVE_TABLES <= tables:
        conn.close()
        raise StoreError(f"{path}: an SQLite database, but not a blogarchive archive "
                         f"(no {', '.join(sorted(ARCHIVE_TABLES - tables))} table)")
    return sqlite_utils.Database(conn)


def pending_migrations(db: sqlite_utils.Database) -> list[str]:
    """Schema changes an archive has not had yet (read-only: it writes nothing)."""
    return [m.name for m in migrations.pending(db)]


# -- crawls and fetches -----------------------------------------------------


def start_crawl(db: sqlite_utils.Database, seeds: Iterable[str], kind: str = "crawl") -> int:
    with db.atomic():
        # Only one crawl writes an archive at a time (scraper/lock.py), so a row
        # still "running" is from a process that was killed before it could say so.
        db.execute(
            "UPDATE crawls SET status = 'interrupted', message = ? WHERE status = 'running'",
            ["the crawl process ended without closing its crawl (killed, or the machine stopped)"],
        )
        table = db["crawls"].insert(
            {"started": now(), "status": "running", "seeds": json.dumps(list(seeds)), "kind": kind}
        )
    return table.last_pk


def finish_crawl(db: sqlite_utils.Database, crawl_id: int, **fields: Any) -> None:
    for column in ("errors_by_kind", "blogs", "warnings"):
        if isinstance(fields.get(column), (dict, list)):
            fields[column] = json.dumps(fields[column], ensure_ascii=False)
    fields.setdefault("finished", now())
    started = db["crawls"].get(crawl_id)["started"]
    fields.setdefault(
        "duration_s",
        round(
            (dt.datetime.fromisoformat(fields["finished"]) - dt.datetime.fromisoformat(started))
            .total_seconds(),
            3,
        ),
    )
    with db.atomic():
        db["crawls"].update(crawl_id, fields)


def crawl_progress(db: sqlite_utils.Database, crawl_id: int, **counts: int) -> None:
    """The running crawl's counts so far, for whoever looks while it runs."""
    with db.atomic():
        db["crawls"].update(crawl_id, counts)


def record_fetch(db: sqlite_utils.Database, fetch: dict, crawl_id: int | None) -> None:
    row = {k: v for k, v in fetch.items() if v not in (None, "") or k in ("error", "message")}
    row["status"] = fetch.get("status")
    row["fetched_at"] = now()
    row["crawl_id"] = crawl_id
    with db.atomic():  # keeps the columns this fetch does not state (one row per response)
        _upsert(db, "fetches", {c: v for c, v in row.items() if c in FETCH_COLUMNS}, ("url",))


FETCH_COLUMNS = {"url", "kind", "status", "error", "message", "etag", "last_modified",
                 "content_hash", "post_id", "fetched_at", "crawl_id", "reason"}


def fetch_validators(db: sqlite_utils.Database, url: str) -> dict | None:
    """What we know of a URL from earlier runs (ETag, Last-Modified, hash, status)."""
    return _one(db, "SELECT * FROM fetches WHERE url = ?", [url])


# -- blogs and posts --------------------------------------------------------


def save_blog(db: sqlite_utils.Database, blog: dict) -> None:
    row = {k: v for k, v in blog.items() if v not in (None, "")}
    stamp = now()
    with db.atomic():
        if db["blogs"].count_where("id = ?", [row["id"]]) == 0:
            row["first_seen"] = stamp
        row["last_seen"] = stamp
        db["blogs"].upsert(row, pk="id")


def _one(db: sqlite_utils.Database, sql: str, params: list) -> dict | None:
    cursor = db.execute(sql, params)
    row = cursor.fetchone()
    return dict(zip([d[0] for d in cursor.description], row)) if row else None


def _upsert(db: sqlite_utils.Database, table: str, row: dict, pk: tuple[str, ...]) -> None:
    """Insert, or update the given columns of the row with this key; the rest are kept.

    What sqlite-utils' ``upsert`` does, as one statement and without its schema
    introspection on every call: this runs for every post, image and comment.
    """
    cols = list(row)
    updates = ", ".join(f"[{c}] = excluded.[{c}]" for c in cols if c not in pk)
    db.execute(
        f"INSERT INTO [{table}] ({', '.join(f'[{c}]' for c in cols)}) "
        f"VALUES ({', '.join('?' for _ in cols)}) ON CONFLICT ({', '.join(pk)}) "
        + (f"DO UPDATE SET {updates}" if updates else "DO NOTHING"),
        [row[c] for c in cols],
    )


def _lookup(db: sqlite_utils.Database, table: str, values: dict) -> int:
    """The id of the row with these values, inserted if missing (like ``Table.lookup``)."""
    where = " AND ".join(f"[{k}] = ?" for k in values)
    found = db.execute(f"SELECT id FROM [{table}] WHERE {where}", list(values.values())).fetchone()
    if found:
        return found[0]
    return db.execute(
        f"INSERT INTO [{table}] ({', '.join(f'[{k}]' for k in values)}) "
        f"VALUES ({', '.join('?' for _ in values)})", list(values.values())).lastrowid


def _author_id(db: sqlite_utils.Database, blog_id: str, name: str, url: str) -> int | None:
    if not name and not url:
        return None
    return _lookup(db, "authors", {"blog_id": blog_id, "name": name or "", "url": url or ""})


def _label_ids(db: sqlite_utils.Database, blog_id: str, names: list[str],
               kinds: dict[str, str] | None = None) -> list[int]:
    ids = [_lookup(db, "labels", {"blog_id": blog_id, "name": name}) for name in names]
    for name, label_id in zip(names, ids):
        kind = (kinds or {}).get(name)
        if kind:  # a name that is both a category and a tag is kept as the category
            db.execute("UPDATE labels SET kind = ? WHERE id = ? AND (kind IS NULL OR kind = '' "
                       "OR (? = 'category' AND kind != 'category'))", [kind, label_id, kind])
    return ids


POST_ROW_SQL = ("SELECT id, url, title, published, updated, labels, content_hash, first_seen, "
                "last_changed FROM posts WHERE ")


def save_post(db: sqlite_utils.Database, post: dict, crawl_id: int | None = None) -> str:
    """Save one post with its labels, images and comments in one transaction.

    Returns "new", "updated" (content hash changed; the old content is kept in
    post_versions), "unchanged", or "older": the archive holds a newer copy (by
    the platform's `updated`), which stays current; this one becomes a version.
    The body is written only when it is new or changed (its text also when only
    the extraction of the text changed), so an unchanged post costs no body
    write and no search-index write.
    """
    stamp = now()
    labels = list(dict.fromkeys(post.get("labels") or []))  # keep order, drop repeats
    post_hash = post.get("content_hash") or content_hash(post["title"], post["body_html"])
    with db.atomic():
        stated = _stated_elsewhere(db, post["url"], {
            "title": post.get("title") or "", "author": post.get("author") or "",
            "author_url": post.get("author_url") or "", "labels": labels,
            "sources": dict(post.get("sources") or {}), "notes": dict(post.get("notes") or {})})
        post = {**post, **{k: v for k, v in stated.items() if k != "labels"}}
        labels = stated["labels"]
        if _only_the_blog_name(db, post["blog_id"], post["title"]):  # a banner, not the post's title
            post["title"] = ""
            post["sources"] = {k: v for k, v in post["sources"].items() if k != "title"}
        old = _one(db, POST_ROW_SQL + "id = ?", [post["id"]])
        if old is None:
            # The same URL under another id (e.g. an import matched by URL) is the same post.
            old_by_url = _one(db, POST_ROW_SQL + "url = ?", [post["url"]])
            if old_by_url is not None:
                _rekey_post(db, old_by_url["id"], post["id"])
                old = dict(old_by_url, id=post["id"])
        row = {
            "id": post["id"],
            "blog_id": post["blog_id"],
            "url": post["url"],
            "title": post.get("title") or "",
            "author": post.get("author") or "",
            "author_id": _author_id(db, post["blog_id"], post.get("author"), post.get("author_url")),
            "published": post.get("published") or None,
            # Never NULL: Datasette's streamed CSV pages on the sort column and
            # repeats rows when it holds NULLs (seen with 0.65.5).
            "published_utc": utc_text(post.get("published")) or "",
            "updated": post.get("updated") or None,
            "labels": json.dumps(labels, ensure_ascii=False),
            "sources": json.dumps(post.get("sources") or {}, ensure_ascii=False, sort_keys=True),
            "notes": json.dumps(post["notes"], ensure_ascii=False, sort_keys=True)
            if post.get("notes") else None,
            "word_count": post.get("word_count") or 0,
            "comment_count": (
                post["comment_count"]
                if post.get("comment_count") is not None
                else len(post.get("comments") or [])
            ),
            "image_count": len(post.get("images") or []),
            "content_hash": post_hash,
            "last_seen": stamp,
            "gone_at": None,
            "crawl_id": crawl_id,
        }
        if old is not None and _older(row, old):
            # An export made before the last crawl never rolls the archive back.
            if old["content_hash"] == post_hash:
                db.execute("UPDATE posts SET last_seen = ? WHERE id = ?", [stamp, old["id"]])
                _save_comments(db, post["id"], post.get("comments") or [], stamp, only_new=True)
                return "unchanged"
            known = db.execute("SELECT 1 FROM post_versions WHERE post_id = ? AND content_hash = ?",
                               [old["id"], post_hash]).fetchone()
            if not known:
                _keep_version(db, dict(row, last_changed=row["updated"]), stamp, body={
                    "body_html": post.get("body_html") or "", "body_text": post.get("body_text") or ""})
            _save_comments(db, post["id"], post.get("comments") or [], stamp, only_new=True)
            return "older"
        if old is None:
            status = "new"
            row["first_seen"] = stamp
            row["last_changed"] = stamp
        elif old["content_hash"] != post_hash:
            status = "updated"
            row["last_changed"] = stamp
            _keep_version(db, old, stamp)
        else:
            status = "unchanged"
        body = {"post_id": post["id"], "body_html": post.get("body_html") or "",
                "body_text": post.get("body_text") or ""}
        if status == "new":
            # The body first, so that the post's one search-index row is written
            # once, with it (its key is checked at commit).
            db.execute("PRAGMA defer_foreign_keys = ON")
            _upsert(db, "post_bodies", body, ("post_id",))
        _upsert(db, "posts", row, ("id",))
        if status == "updated":
            _upsert(db, "post_bodies", body, ("post_id",))
        elif status == "unchanged":  # same HTML; its text differs only if the extraction changed
            db.execute("UPDATE post_bodies SET body_text = ? WHERE post_id = ? AND body_text IS NOT ?",
                       [body["body_text"], body["post_id"], body["body_text"]])
        listed = _one(db, "SELECT * FROM feed_entries WHERE url = ?", [row["url"]])
        if listed is not None:
            _fill_from_feed(db, listed)
        _save_labels(db, post["id"], post["blog_id"], labels, post.get("label_kinds"))
        _save_images(db, post["id"], post.get("images") or [])
        _save_comments(db, post["id"], post.get("comments") or [], stamp)
    return status


def _older(new: dict, old: dict) -> bool:
    """Is this copy older than the archive's, by the platform's own `updated`?
    (Equal or unknown: the copy fetched last, this one, is the newer.)"""
    new_time, old_time = utc_instant(new.get("updated")), utc_instant(old.get("updated"))
    return new_time is not None and old_time is not None and new_time < old_time


def _rekey_post(db: sqlite_utils.Database, old_id: str, new_id: str) -> None:
    # Children and parent change keys in two steps; checked together at commit
    # (the pragma ends with the transaction).
    db.execute("PRAGMA defer_foreign_keys = ON")
    for table in ("post_labels", "post_images", "comments", "post_versions"):
        db.execute(f"UPDATE [{table}] SET post_id = ? WHERE post_id = ?", [new_id, old_id])
    db.execute("UPDATE posts SET id = ? WHERE id = ?", [new_id, old_id])  # post_bodies follows


def _keep_version(db: sqlite_utils.Database, old: dict, stamp: str, body: dict | None = None) -> None:
    """Keep a version of the post: ``old``'s fields, with ``body`` or the body now stored."""
    version = (
        db.execute(
            "SELECT COALESCE(MAX(version), 0) + 1 FROM post_versions WHERE post_id = ?", [old["id"]]
        ).fetchone()[0]
    )
    if body is None:
        body = _one(db, "SELECT body_html, body_text FROM post_bodies WHERE post_id = ?",
                    [old["id"]]) or {"body_html": "", "body_text": ""}
    db["post_versions"].insert(
        {
            "post_id": old["id"],
            "version": version,
            "captured": old.get("last_changed") or old.get("first_seen") or stamp,
            "title": old["title"],
            "published": old["published"],
            "updated": old["updated"],
            "labels": old["labels"],
            "body_html": body["body_html"],
            "body_text": body["body_text"],
            "content_hash": old["content_hash"],
        }
    )


def _save_labels(db: sqlite_utils.Database, post_id: str, blog_id: str, labels: list[str],
                 kinds: dict[str, str] | None = None) -> None:
    db.execute("DELETE FROM post_labels WHERE post_id = ?", [post_id])
    ids = _label_ids(db, blog_id, labels, kinds)
    db.conn.executemany("INSERT INTO post_labels (post_id, label_id, position) VALUES (?, ?, ?)",
                        [(post_id, i, n) for n, i in enumerate(ids)])


def _save_images(db: sqlite_utils.Database, post_id: str, images: list[dict]) -> None:
    db.execute("DELETE FROM post_images WHERE post_id = ? AND position >= ?", [post_id, len(images)])
    for image in images:
        row = {
            "post_id": post_id,
            "position": image["position"],
            "src": image["src"],
            "full_url": image["full_url"],
            "alt": image.get("alt"),
            "caption": image.get("caption") or "",
            "link": image.get("link") or "",
            "width": image.get("width"),
            "height": image.get("height"),
            "candidates": json.dumps(image.get("candidates") or [image["full_url"]]),
        }
        old = _one(db, "SELECT * FROM post_images WHERE post_id = ? AND position = ?",
                   [post_id, image["position"]])
        if old is not None and old["full_url"] != row["full_url"]:
            # A different file now stands here: what we downloaded no longer applies.
            row.update(image_sha256=None, fetched_url=None, fetch_error=None, fetch_attempts=0)
        if old is None or row.get("image_sha256", old["image_sha256"]) is None:
            known = db.execute(
                "SELECT sha256, url FROM image_urls WHERE url = ?", [row["full_url"]]
            ).fetchone()
            if known:  # the same file, already kept for another post
                row.update(image_sha256=known[0], fetched_url=known[1], fetch_error=None)
            else:
                failed = db.execute(
                    "SELECT error FROM image_failures WHERE url = ?", [row["full_url"]]
                ).fetchone()
                if failed:
                    row["fetch_error"] = failed[0]
        _upsert(db, "post_images", row, ("post_id", "position"))


def _save_comments(db: sqlite_utils.Database, post_id: str, comments: list[dict], stamp: str,
                   only_new: bool = False) -> None:
    for comment in comments:
        if only_new and db.execute("SELECT 1 FROM comments WHERE id = ?", [comment["id"]]).fetchone():
            continue  # an older copy of the post: the archive's comment is the later one
        row = {
            "id": comment["id"],
            "post_id": post_id,
            "position": comment.get("position", 0),
            "author": comment.get("author") or "",
            "author_url": comment.get("author_url") or "",
            "published": comment.get("published") or None,
            "in_reply_to": comment.get("in_reply_to") or None,
            "body_html": comment.get("body_html") or "",
            "body_text": comment.get("body_text") or "",
        }
        if db.execute("SELECT 1 FROM comments WHERE id = ?", [row["id"]]).fetchone() is None:
            row["first_seen"] = stamp
        _upsert(db, "comments", row, ("id",))


def save_feed_entries(db: sqlite_utils.Database, blog_id: str, entries: list[dict],
                      crawl_id: int | None = None) -> None:
    stamp = now()
    with db.atomic():
        for entry in entries:
            row = {
                "url": entry["url"],
                "blog_id": blog_id,
                "post_id": entry.get("post_id") or None,
                "title": entry.get("title") or "",
                "published": entry.get("published") or None,
                "updated": entry.get("updated") or None,
                "labels": json.dumps(entry.get("labels") or [], ensure_ascii=False),
                "comment_count": entry.get("comment_count"),
                "author": entry.get("author") or None,
                "author_url": entry.get("author_url") or None,
                "last_seen": stamp,
                "crawl_id": crawl_id,
            }
            if db.execute("SELECT 1 FROM feed_entries WHERE url = ?", [row["url"]]).fetchone() is None:
                row["first_seen"] = stamp
            _upsert(db, "feed_entries", row, ("url",))
            _fill_from_feed(db, row)


def _has_offset(value: str | None) -> bool:
    return bool(value) and len(value) > 19 and value[19] in "+-Z"


def _fill_from_feed(db: sqlite_utils.Database, entry: dict) -> None:
    """Give a post what the feed states and its page did not: the exact time (where the
    page showed none, or only a local time), the title, the author, the labels."""
    post = _one(db, "SELECT id, url, published, updated, sources FROM posts WHERE url = ?",
                [entry["url"]])
    if post is None:
        return
    changes = {}
    sources = json.loads(post["sources"] or "{}")
    if _has_offset(entry.get("published")) and not _has_offset(post["published"]):
        changes["published"] = entry["published"]
        changes["published_utc"] = utc_text(entry["published"])
        sources["published"] = "feed"
    if not post["updated"] and entry.get("updated"):
        changes["updated"] = entry["updated"]
        sources.setdefault("updated", "feed")
    if changes:
        changes["sources"] = json.dumps(sources, ensure_ascii=False, sort_keys=True)
        db["posts"].update(post["id"], changes)
    _restate(db, post["url"])


def _restate(db: sqlite_utils.Database, url: str) -> None:
    """Fill a stored post from its feed entry and the label pages that came after it."""
    post = _one(db, "SELECT p.id, p.blog_id, p.url, p.title, p.author, a.url AS author_url, p.labels, "
                    "p.sources, p.notes FROM posts p LEFT JOIN authors a ON a.id = p.author_id "
                    "WHERE p.url = ?", [url])
    if post is None:
        return
    current = {"title": post["title"] or "", "author": post["author"] or "",
               "author_url": post["author_url"] or "",
               "labels": json.loads(post["labels"] or "[]"),
               "sources": json.loads(post["sources"] or "{}"),
               "notes": json.loads(post["notes"] or "{}")}
    stated = _stated_elsewhere(db, post["url"], current)
    changes = {k: v for k, v in stated.items() if v != current[k]}
    if not changes:
        return
    if "labels" in changes:
        _save_labels(db, post["id"], post["blog_id"], changes["labels"])
        changes["labels"] = json.dumps(changes["labels"], ensure_ascii=False)
    if "author" in changes or "author_url" in changes:
        changes["author_id"] = _author_id(db, post["blog_id"], stated["author"], stated["author_url"])
        changes.pop("author_url", None)  # kept on the authors row
    for column in ("sources", "notes"):
        if column in changes:
            changes[column] = json.dumps(changes[column], ensure_ascii=False, sort_keys=True) \
                if changes[column] else None
    db["posts"].update(post["id"], changes)


def _only_the_blog_name(db: sqlite_utils.Database, blog_id: str, title: str) -> bool:
    """A "title" that is the blog's own name (a site banner's h1, a <title> of "| Blog")."""
    if not title:
        return False
    found = db.execute("SELECT title FROM blogs WHERE id = ?", [blog_id]).fetchone()
    name = (found[0] or "").strip().lower() if found else ""
    return bool(name) and title.strip(" |·•–—:-»").strip().lower() == name


# Title evidence the feed's title outranks: document cues that may name the site, not the post.
WEAK_TITLE = {"h1", "title-tag"}


def _stated_elsewhere(db: sqlite_utils.Database, url: str, post: dict) -> dict:
    """What the blog states about a post outside its page (its feed entry, its label
    pages), added to what the page said: the title and author where the page gave
    none; labels as the union, noted where the sources disagree."""
    post = {**post, "sources": dict(post["sources"]), "notes": dict(post["notes"])}
    entry = _one(db, "SELECT title, author, author_url, labels FROM feed_entries WHERE url = ?",
                 [url]) or {}
    if entry.get("title") and (not post["title"] or post["sources"].get("title") in WEAK_TITLE):
        post["title"] = entry["title"]  # the blog's own word for it beats a heading's guess
        post["sources"]["title"] = "feed"
    if not post["author"] and entry.get("author"):
        post["author"], post["author_url"] = entry["author"], entry.get("author_url") or ""
        post["sources"]["author"] = "feed"
    stated = {"feed": json.loads(entry.get("labels") or "[]"),
              "label-page": [r[0] for r in db.execute(
                  "SELECT label FROM label_listings WHERE post_url = ? ORDER BY rowid", [url])]}
    labels = list(post["labels"])
    own = post["sources"].get("labels", "")
    differ = []
    for source, names in stated.items():
        if not names:
            continue
        others = [t for t in own.split("+") if t and t != source]
        if source == "label-page":
            # label pages come one by one: only a label none of the others gave is a disagreement
            disagrees = any(n not in labels for n in names)
        else:  # the feed entry states the post's labels whole
            disagrees = set(names) != set(labels)
        if labels and others and disagrees:
            differ.append(f"{source}: {', '.join(names)}")
        if source not in own.split("+"):
            own = f"{own}+{source}" if own else source
        labels += [n for n in names if n not in labels]
    if own:
        post["sources"]["labels"] = own
    if differ:
        earlier = post["notes"].get("labels", "")
        said = f"stored: {', '.join(post['labels'])}; " + "; ".join(differ)
        post["notes"]["labels"] = said if not earlier or earlier in said else f"{earlier}; {said}"
    post["labels"] = labels
    return post


def save_label_listing(db: sqlite_utils.Database, blog_id: str, label: str, listing_url: str,
                       post_urls: list[str]) -> None:
    """A label page of the blog lists these posts: each has the label (stored posts now,
    the others when they are saved)."""
    stamp = now()
    with db.atomic():
        for url in dict.fromkeys(post_urls):
            db.execute("INSERT INTO label_listings (post_url, label, blog_id, listing_url, first_seen) "
                       "VALUES (?, ?, ?, ?, ?) ON CONFLICT (post_url, label) DO NOTHING",
                       [url, label, blog_id, listing_url, stamp])
            _restate(db, url)


def feed_entry(db: sqlite_utils.Database, url: str) -> dict | None:
    """What the blog's feed said of this post URL (title, times, labels, author), if it listed it."""
    row = _one(db, "SELECT url, post_id, title, published, updated, labels, author, author_url "
                   "FROM feed_entries WHERE url = ?", [url])
    if row is None:
        return None
    row["labels"] = json.loads(row["labels"] or "[]")
    return {k: v for k, v in row.items() if v not in (None, "")}


def image_known(db: sqlite_utils.Database, url: str) -> bool:
    return db["image_urls"].count_where("url = ?", [url]) > 0


def save_image(db: sqlite_utils.Database, key: str, fetched_url: str, body: bytes, info,
               directory: str | None = None) -> bool:
    """Keep one image file (once, by sha256) and link every post image waiting for it.

    ``key`` is the full-size URL the posts name; ``fetched_url`` the one that
    answered (a fallback size, maybe). With ``directory`` the bytes go to a
    content-addressed file instead of the database. Returns True if the file is new.
    """
    stamp = now()
    path = None
    if directory:
        rel = f"{info.sha256[:2]}/{info.sha256[2:4]}/{info.sha256}.{info.extension}"
        target = Path(directory) / rel
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_suffix(".part")
            tmp.write_bytes(body)
            tmp.replace(target)
        path = rel
    with db.atomic():
        new = db["images"].count_where("sha256 = ?", [info.sha256]) == 0
        if new:
            db["images"].insert(
                {
                    "sha256": info.sha256,
                    "content": None if directory else body,
                    "content_type": info.content_type,
                    "size": info.size,
                    "width": info.width,
                    "height": info.height,
                    "source_url": fetched_url,
                    "path": path,
                    "fetched": stamp,
                }
            )
        for url in {key, fetched_url}:
            db["image_urls"].upsert({"url": url, "sha256": info.sha256, "fetched": stamp}, pk="url")
        db.execute("DELETE FROM image_failures WHERE url = ?", [key])
        db.execute(
            "UPDATE post_images SET image_sha256 = ?, fetched_url = ?, fetch_error = NULL, "
            "fetch_attempts = COALESCE(fetch_attempts, 0) + 1 WHERE full_url = ? "
            "AND (image_sha256 IS NULL OR image_sha256 != ?)",
            [info.sha256, fetched_url, key, info.sha256],
        )
    return new


def image_failed(db: sqlite_utils.Database, key: str, reason: str) -> None:
    """Every post image that needed this file records why it could not be had."""
    with db.atomic():
        db.execute(
            "INSERT INTO image_failures (url, error, attempts, last_tried) VALUES (?, ?, 1, ?) "
            "ON CONFLICT (url) DO UPDATE SET error = excluded.error, "
            "attempts = attempts + 1, last_tried = excluded.last_tried",
            [key, reason[:500], now()],
        )
        db.execute(
            "UPDATE post_images SET fetch_error = ?, fetch_attempts = COALESCE(fetch_attempts, 0) + 1 "
            "WHERE full_url = ? AND image_sha256 IS NULL",
            [reason[:500], key],
        )


def find_blog(db: sqlite_utils.Database, url: str) -> dict | None:
    """The archived blog at this origin, if any."""
    return next(db["blogs"].rows_where("url = ?", [url], limit=1), None)


def mark_complete(db: sqlite_utils.Database, blog_id: str, crawl_id: int) -> None:
    with db.atomic():
        db.execute("UPDATE blogs SET last_complete_crawl = ? WHERE id = ?", [crawl_id, blog_id])


def post_state(db: sqlite_utils.Database, url: str) -> dict | None:
    """What the archive knows of a post URL: id, times, and when the feed last said it changed."""
    row = db.execute(
        "SELECT p.id, p.updated, p.gone_at, f.updated AS feed_updated FROM posts p "
        "LEFT JOIN feed_entries f ON f.url = p.url WHERE p.url = ?",
        [url],
    ).fetchone()
    if row is None:
        return None
    return {"id": row[0], "updated": row[1], "gone_at": row[2], "feed_updated": row[3]}


def feed_watermark(db: sqlite_utils.Database, blog_id: str) -> dt.datetime | None:
    """The latest change the blog's feed has shown us (as a UTC instant)."""
    latest = None
    for (value,) in db.execute("SELECT updated FROM feed_entries WHERE blog_id = ?", [blog_id]):
        when = utc_instant(value)
        if when and (latest is None or when > latest):
            latest = when
    return latest


def live_post_urls(db: sqlite_utils.Database, blog_id: str) -> list[str]:
    return [r[0] for r in db.execute(
        "SELECT url FROM posts WHERE blog_id = ? AND gone_at IS NULL", [blog_id])]


def touch_post(db: sqlite_utils.Database, url: str, crawl_id: int | None) -> None:
    """Seen again, unchanged (a 304): only last_seen moves."""
    with db.atomic():
        db.execute("UPDATE posts SET last_seen = ?, gone_at = NULL WHERE url = ?", [now(), url])


def images_missing(db: sqlite_utils.Database, blog_id: str, max_attempts: int) -> list[dict]:
    """Post images whose file we do not have yet (never tried, or failed fewer times than allowed)."""
    rows = db.execute(
        "SELECT pi.full_url, MIN(pi.candidates) FROM post_images pi JOIN posts p ON p.id = pi.post_id "
        "WHERE p.blog_id = ? AND pi.image_sha256 IS NULL AND COALESCE(pi.fetch_attempts, 0) < ? "
        "GROUP BY pi.full_url",
        [blog_id, max_attempts],
    ).fetchall()
    return [{"full_url": url, "candidates": json.loads(c) if c else [url]} for url, c in rows]


def save_comments(db: sqlite_utils.Database, post_id: str, comments: list[dict]) -> int:
    """Comments found beyond the post page (its comment feed); returns how many were new."""
    with db.atomic():
        if db["posts"].count_where("id = ?", [post_id]) == 0:
            return 0
        before = db["comments"].count_where("post_id = ?", [post_id])
        _save_comments(db, post_id, comments, now())
        after = db["comments"].count_where("post_id = ?", [post_id])
        db.execute("UPDATE posts SET comment_count = MAX(COALESCE(comment_count, 0), ?) WHERE id = ?",
                   [after, post_id])
    return after - before


def mark_gone(db: sqlite_utils.Database, url: str) -> bool:
    """A post that now answers 404/410 is marked, never deleted. True if newly marked."""
    with db.atomic():
        cursor = db.execute(
            "UPDATE posts SET gone_at = ? WHERE url = ? AND gone_at IS NULL", [now(), url]
        )
    return cursor.rowcount > 0


def snapshot(db_path: str | os.PathLike, target: str | os.PathLike) -> None:
    """A consistent copy (VACUUM INTO), safe while a crawl writes, swapped in atomically."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".tmp")
    tmp.unlink(missing_ok=True)
    conn = sqlite3.connect(db_path)
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("VACUUM INTO ?", [str(tmp)])
    finally:
        conn.close()
    tmp.replace(target)


# -- captures (WARC records) ------------------------------------------------

CAPTURE_COLUMNS = ("url", "record_type", "warc_file", "offset", "length", "status", "content_type",
                   "digest", "fetched_at", "crawl_id", "role", "post_id", "image_sha256",
                   "revisit_of")


def save_captures(db: sqlite_utils.Database, captures: list[dict], crawl_id: int | None,
                  post_id: str | None = None, image_sha256: str | None = None) -> None:
    """Index WARC records; call inside the transaction that saves what they hold."""
    rows = [{**c, "crawl_id": crawl_id, "post_id": post_id or c.get("post_id"),
             "image_sha256": image_sha256 or c.get("image_sha256")} for c in captures]
    db.conn.executemany(
        f"INSERT INTO captures ({', '.join(CAPTURE_COLUMNS)}) "
        f"VALUES ({', '.join('?' for _ in CAPTURE_COLUMNS)})",
        [[row.get(c) for c in CAPTURE_COLUMNS] for row in rows])


def last_capture(db: sqlite_utils.Database, url: str) -> dict | None:
    """The latest full response record of a URL (what a revisit record refers to)."""
    return _one(db, "SELECT id, url, digest, fetched_at, warc_file, offset FROM captures "
                    "WHERE url = ? AND record_type = 'response' ORDER BY id DESC LIMIT 1", [url])


def post_captures(db: sqlite_utils.Database, post_ids: Iterable[str] | None = None):
    """(post row, its latest capture) for every post with a stored page, revisits resolved
    to the record that holds the payload."""
    sql = (
        "SELECT p.id, p.blog_id, p.url, b.platform, COALESCE(o.warc_file, c.warc_file), "
        "COALESCE(o.offset, c.offset), c.fetched_at, c.id FROM posts p "
        "JOIN blogs b ON b.id = p.blog_id "
        "JOIN captures c ON c.id = (SELECT MAX(id) FROM captures WHERE post_id = p.id "
        "AND status = 200) LEFT JOIN captures o ON o.id = c.revisit_of ORDER BY p.id"
    )
    for row in db.execute(sql):
        if post_ids is not None and row[0] not in post_ids:
            continue
        yield {"id": row[0], "blog_id": row[1], "url": row[2], "platform": row[3],
               "warc_file": row[4], "offset": row[5], "fetched_at": row[6], "capture_id": row[7]}


def feed_captures(db: sqlite_utils.Database):
    """(blog id, platform, url, warc file, offset) of the last full copy of each feed page
    a blog's crawls fetched."""
    sql = (
        "SELECT b.id, b.platform, c.url, COALESCE(o.warc_file, c.warc_file), "
        "COALESCE(o.offset, c.offset), c.crawl_id FROM captures c "
        "LEFT JOIN captures o ON o.id = c.revisit_of "
        "JOIN blogs b ON c.url LIKE rtrim(b.url, '/') || '/%' "
        "WHERE c.role = 'feed' AND c.status = 200 AND c.id IN "
        "(SELECT MAX(id) FROM captures WHERE role = 'feed' AND status = 200 GROUP BY url) "
        "ORDER BY c.id"
    )
    for row in db.execute(sql):
        yield row[:5]


def count_posts_without_capture(db: sqlite_utils.Database) -> int:
    return db.execute("SELECT COUNT(*) FROM posts WHERE id NOT IN "
                      "(SELECT post_id FROM captures WHERE post_id IS NOT NULL AND status = 200)"
                      ).fetchone()[0]


# -- reading ----------------------------------------------------------------


def count_posts(db: sqlite_utils.Database, blog_id: str) -> int:
    return db["posts"].count_where("blog_id = ? AND gone_at IS NULL", [blog_id])


# What a crawl warns about in the posts it saved: kind → the condition on a post (with its body).
POST_GAPS = {
    "post_without_title": "COALESCE(title, '') = ''",
    "post_without_date": "COALESCE(published, '') = ''",
    "post_with_empty_body": "COALESCE(body_text, '') = '' AND COALESCE(image_count, 0) = 0",
}


def post_warnings(db: sqlite_utils.Database, crawl_id: int, examples: int = 5) -> dict:
    """Posts this crawl saved with a field nothing could give, or whose sources disagreed:
    {kind: {"count": n, "examples": [url, …]}}."""
    found: dict[str, dict] = {}

    def add(kind: str, count: int, urls: list[str]) -> None:
        if count:
            found[kind] = {"count": count, "examples": urls}

    for kind, condition in POST_GAPS.items():
        where = f"crawl_id = ? AND {condition}"
        add(kind, db["posts_with_bodies"].count_where(where, [crawl_id]),
            [r[0] for r in db.execute(f"SELECT url FROM posts_with_bodies WHERE {where} "
                                      "ORDER BY url LIMIT ?", [crawl_id, examples])])
    for field, count in db.execute(
            "SELECT j.key, COUNT(*) FROM posts, json_each(posts.notes) j "
            "WHERE posts.crawl_id = ? AND posts.notes IS NOT NULL GROUP BY j.key", [crawl_id]):
        add(f"{field}_disagree", count, [r[0] for r in db.execute(
            "SELECT url FROM posts, json_each(posts.notes) j WHERE posts.crawl_id = ? "
            "AND j.key = ? ORDER BY url LIMIT ?", [crawl_id, field, examples])])
    return found


def recent_crawls(db: sqlite_utils.Database, limit: int = 10) -> list[dict]:
    rows = list(db["crawls"].rows_where(order_by="id DESC", limit=limit))
    for row in rows:  # JSON columns as the values they hold, for `status --json`
        for column in ("errors_by_kind", "seeds", "blogs", "warnings"):
            if row.get(column):
                row[column] = json.loads(row[column])
    return rows
