"""The archive database: schema, migrations, full-text search and save_* functions.

Everything that knows a table or column name lives in this package. Writes are
short transactions (one per item, or a crawl's batch of items: scraper/pipelines.py) in
WAL mode, so Datasette can read while a crawl writes and a crawl killed at any moment
leaves a consistent file.

Callers use ``from scraper import store`` and ``store.save_post(...)``; the modules
hold one concern each:

- ``schema``: the migrations m001 onwards; ``views``: the SQL views, search index
  and triggers they create
- ``db``: opening (read-write or read-only), checks, snapshots, compacting
- ``crawls``: crawls, fetches, warnings; ``blogs``: blogs
- ``posts``: posts, versions, comments; ``labels``: authors and labels;
  ``feeds``: feed entries and label pages, and what they state about posts
- ``images``: image files and the image folder; ``captures``: the WARC record index
- ``rows``: the time stamp, the row helpers the others share, and ``atomic`` (a
  transaction, or a savepoint within one)
"""

from .blogs import find_blog, mark_complete, save_blog
from .captures import (
    count_posts_without_capture,
    feed_captures,
    last_capture,
    post_captures,
    save_captures,
)
from .crawls import (
    crawl_progress,
    fetch_validators,
    finish_crawl,
    post_warnings,
    recent_crawls,
    record_fetch,
    start_crawl,
)
from .db import (
    BUSY_TIMEOUT_MS,
    StoreError,
    check_sqlite,
    check_writable,
    compact,
    compact_after_run,
    page_count,
    open_db,
    open_readonly,
    pending_migrations,
    snapshot,
    unused_bytes,
)
from .feeds import feed_entry, feed_watermark, save_feed_entries, save_label_listing
from .images import (
    IMAGES_DIR,
    image_failed,
    image_files,
    image_folder,
    image_known,
    images_missing,
    save_image,
    set_image_folder,
)
from .posts import (
    count_posts,
    live_post_urls,
    mark_gone,
    post_state,
    save_comments,
    save_post,
    touch_post,
)
from .rows import atomic, now
from .schema import migrations
from .views import FTS_TOKENIZE, POST_SEARCH_SQL, SITE_VIEWS

__all__ = [
    "BUSY_TIMEOUT_MS", "FTS_TOKENIZE", "atomic", "IMAGES_DIR", "POST_SEARCH_SQL", "SITE_VIEWS",
    "StoreError", "check_sqlite", "check_writable", "count_posts", "count_posts_without_capture",
    "crawl_progress", "feed_captures", "feed_entry", "feed_watermark", "fetch_validators",
    "find_blog", "finish_crawl", "image_failed", "image_files", "image_folder", "image_known",
    "images_missing", "last_capture", "live_post_urls", "mark_complete", "mark_gone",
    "migrations", "now", "open_db", "open_readonly", "pending_migrations", "post_captures",
    "post_state", "post_warnings", "recent_crawls", "record_fetch", "save_blog", "save_captures",
    "save_comments", "save_feed_entries", "save_image", "save_label_listing", "save_post",
    "set_image_folder", "snapshot", "unused_bytes", "compact", "compact_after_run", "page_count", "start_crawl", "touch_post",
]
