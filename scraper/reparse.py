"""`blogarchive reparse`: the current extractors over the pages as fetched, no network.

Reads each post's page from the WARC files (via `captures`), parses it with its
blog's platform through the registry, as a crawl would, and saves it through the
same store code: a post whose content changed keeps its previous content in
`post_versions`. Feeds are read again first, so their exact times apply as in a
crawl. The run is a `crawls` row of kind ``reparse`` with, per field, how many
posts changed.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from dataclasses import asdict

from scrapy.http import HtmlResponse, TextResponse, XmlResponse
from scrapy.http.headers import Headers

from . import platforms, store
from .middlewares import actual_encoding, own_selector
from .warcfiles import read_record, warc_dir

logger = logging.getLogger(__name__)

# What a person would call a change of the post, compared stored value by stored value.
FIELDS = ("title", "author", "published", "updated", "labels", "body_html", "body_text",
          "word_count", "comment_count", "image_count")
MAX_EXAMPLES = 5


def _response(url: str, record, kind=HtmlResponse):
    headers = Headers()
    for name, value in record.headers:
        if name.lower() not in ("content-encoding", "content-length", "transfer-encoding"):
            headers.appendlist(name, value)
    response = kind(url=url, body=record.content, headers=headers)
    if kind is HtmlResponse:  # the crawl's encoding repair (scraper.middlewares.Encoding)
        found = actual_encoding(record.content, headers.get("Content-Type", b"").decode("latin-1"))
        if found and found != response.encoding:
            response = response.replace(encoding=found)
    return own_selector(response)  # freed once read, as in the crawl (scraper.middlewares.FreedTrees)


def _post_fields(db, post_id: str) -> dict:
    row = db.execute(f"SELECT {', '.join(FIELDS)} FROM posts_with_bodies WHERE id = ?",
                     [post_id]).fetchone()
    return dict(zip(FIELDS, row)) if row else {}


def reparse(db_path: str, dry_run: bool = False, progress=None) -> dict:
    """Re-extract every post from its stored page; returns the run's summary (a `crawls` row).

    ``progress``: a ``progress.Steps`` (told the number of posts, then each one done).
    """
    db = store.open_db(db_path, create=False)
    folder = warc_dir(db_path)
    todo = list(store.post_captures(db))
    run_id = None if dry_run else store.start_crawl(db, [], kind="reparse")
    changes: Counter = Counter()
    counts: Counter = Counter()
    errors: dict[str, dict] = {}

    def error(kind: str, url: str, message: str) -> None:
        entry = errors.setdefault(kind, {"count": 0, "examples": []})
        entry["count"] += 1
        if len(entry["examples"]) < MAX_EXAMPLES:
            entry["examples"].append(url)
        logger.warning("%s: %s", url, message)

    if dry_run:  # everything as a real run would do it, then undone
        db.conn.execute("BEGIN")
    try:
        counts["feeds"] = _reparse_feeds(db, folder, error)
        if progress is not None:
            progress.total(len(todo))
        for capture in todo:
            _reparse_post(db, folder, capture, dry_run, run_id, changes, counts, error)
            if progress is not None:
                progress.advance()
    finally:
        if dry_run:
            db.conn.execute("ROLLBACK")
        summary = {
            "id": run_id, "kind": "reparse",
            "status": "finished" if not errors else "incomplete",
            "posts_found": len(todo),
            "posts_updated": counts["updated"],
            "posts_unchanged": counts["unchanged"],
            "pages": len(todo) + counts["feeds"],
            "errors": sum(e["count"] for e in errors.values()),
            "errors_by_kind": errors,
            "changes": dict(sorted(changes.items())),
            "message": "dry run: nothing was written" if dry_run else "",
        }
        lacking = store.count_posts_without_capture(db)
        if lacking:
            summary["message"] = "; ".join(filter(None, [
                summary["message"], f"{lacking} posts have no stored page (archived before "
                                    "WARC capture, or with --warc none) and were left as they are"]))
        if run_id is not None:
            row = {k: v for k, v in summary.items() if k not in ("id", "kind")}
            row["changes"] = json.dumps(row["changes"])
            store.finish_crawl(db, run_id, **row)
        db.close()
    return summary


def _reparse_post(db, folder, capture: dict, dry_run: bool, run_id, changes: Counter,
                  counts: Counter, error) -> None:
    url = capture["url"]
    try:
        record = read_record(folder, capture["warc_file"], capture["offset"])
        platform = platforms.by_name(capture["platform"])
        # listed in the blog's feed: evidence that the page is a post, and its title and date
        listed = store.feed_entry(db, url)
        post = platform.parse_post(_response(record.url or url, record),
                                   {**listed, "listed_in": "feed"} if listed else None)
    except (OSError, ValueError, KeyError) as e:
        error("reparse_error", url, f"{type(e).__name__}: {e}")
        return
    before = _post_fields(db, capture["id"])
    with db.atomic():
        status = store.save_post(db, asdict(post), run_id)
        after = _post_fields(db, post.id)
    changed = [f for f in FIELDS if before.get(f) != after.get(f)]
    changes.update(changed)
    counts["updated" if status == "updated" or changed else "unchanged"] += 1


def _reparse_feeds(db, folder, error) -> int:
    """Each blog's feed pages as last fetched: what they list, with exact times."""
    read = 0
    for blog_id, platform_name, url, warc_file, offset in store.feed_captures(db):
        try:
            platform = platforms.by_name(platform_name)
            record = read_record(folder, warc_file, offset)
            page = platform.parse_feed(_response(url, record, XmlResponse if b"<?xml" in
                                                 record.content[:100] else TextResponse))
        except Exception as e:  # a feed that cannot be read again is told, never fatal
            error("feed_reparse_error", url, f"{type(e).__name__}: {e}")
            continue
        read += 1
        store.save_feed_entries(db, blog_id, page.entries)
    return read
