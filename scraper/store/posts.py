"""Posts: saved with their body, labels, images and comments in one transaction, older
content kept as versions, marked gone rather than deleted."""

from __future__ import annotations

import functools
import json
import sqlite3
import zlib

import sqlite_utils

from ..dates import utc_instant, utc_text
from ..items import content_hash
from .feeds import feed_fills, is_the_blog_name, merge_stated, restate_changes, stated_by_blog
from .images import link_post_images
from .labels import author_id, save_labels
from .rows import atomic, first_row, now, upsert, upsert_all, upsert_sql

POST_ROW_SQL = ("SELECT id, url, title, published, updated, labels, content_hash, first_seen, "
                "last_changed FROM posts WHERE ")


def save_post(db: sqlite_utils.Database, post: dict, crawl_id: int | None = None) -> str:
    """Save one post with its labels, images and comments in one transaction.

    Returns "new", "updated" (content hash changed; the old content is kept in
    post_versions), "unchanged", or "older": the archive holds a newer copy (by
    the platform's `updated`), which stays current; this one becomes a version.
    The body is written only when it is new or changed (its text also when only
    the extraction of the text changed), so an unchanged post costs no body
    write and no search-index write. What the blog stated elsewhere (its feed
    entry, its label pages) is read once and merged before the row is written.
    """
    stamp = now()
    labels = list(dict.fromkeys(post.get("labels") or []))  # keep order, drop repeats
    post_hash = post.get("content_hash") or content_hash(post["title"], post["body_html"])
    with atomic(db):
        said = stated_by_blog(db, post["url"])
        stated = merge_stated(said, {
            "title": post.get("title") or "", "author": post.get("author") or "",
            "author_url": post.get("author_url") or "", "labels": labels,
            "sources": dict(post.get("sources") or {}), "notes": dict(post.get("notes") or {})})
        post = {**post, **{k: v for k, v in stated.items() if k != "labels"}}
        labels = stated["labels"]
        blog = db.execute("SELECT title FROM blogs WHERE id = ?", [post["blog_id"]]).fetchone()
        if blog is None:  # checked here, not left to the commit (keys are checked there when
            # the body goes first), where it would undo everything the transaction holds
            raise sqlite3.IntegrityError(f"FOREIGN KEY constraint failed: no blog {post['blog_id']!r}")
        if is_the_blog_name(post["title"], blog[0]):  # a banner, not the post's title
            post["title"] = ""
            post["sources"] = {k: v for k, v in post["sources"].items() if k != "title"}
        old = _stored_row(db, post["id"], post["url"])
        if old is not None and old["id"] != post["id"]:
            # The same URL under another id (e.g. an import matched by URL) is the same post.
            _rekey_post(db, old["id"], post["id"])
            old = dict(old, id=post["id"])
        row = {
            "id": post["id"],
            "blog_id": post["blog_id"],
            "url": post["url"],
            "title": post.get("title") or "",
            "author": post.get("author") or "",
            "author_id": author_id(db, post["blog_id"], post.get("author"), post.get("author_url")),
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
            # Its search-index key, which the insert trigger would otherwise add by
            # rewriting the row just written.
            row["search_rowid"] = db.execute(
                "SELECT COALESCE(MAX(search_rowid), 0) + 1 FROM posts").fetchone()[0]
        elif old["content_hash"] != post_hash:
            status = "updated"
            row["last_changed"] = stamp
            _keep_version(db, old, stamp)
        else:
            status = "unchanged"
        if said["entry"] is not None:
            _fill_from_blog(db, row, said, post.get("author_url") or "")
        body = {"post_id": post["id"], "body_html": post.get("body_html") or "",
                "body_text": post.get("body_text") or ""}
        if status == "new":
            _insert_new_post(db, body, row)
        else:
            upsert(db, "posts", row, ("id",))
        if status == "updated":
            upsert(db, "post_bodies", body, ("post_id",))
        elif status == "unchanged":  # same HTML; its text differs only if the extraction changed
            db.execute("UPDATE post_bodies SET body_text = ? WHERE post_id = ? AND body_text IS NOT ?",
                       [body["body_text"], body["post_id"], body["body_text"]])
        new = status == "new"  # nothing of it stored yet: no rows of it to compare or clear
        save_labels(db, post["id"], post["blog_id"], labels, post.get("label_kinds"), new=new)
        link_post_images(db, post["id"], post.get("images") or [], new=new)
        _save_comments(db, post["id"], post.get("comments") or [], stamp)
    return status


def _insert_new_post(db: sqlite_utils.Database, body: dict, row: dict) -> None:
    """A new post's body, then its row, in one statement.

    The body goes first, so that the post's one search-index row is written once,
    with it (the row's insert trigger reads the body). Its key names a post not yet
    written when it is inserted: in one statement, the foreign key is checked at the
    statement's end, when the post is there. (``PRAGMA defer_foreign_keys``, which
    did this before, expires every prepared statement of the connection when it is
    set: SQLite compiled each statement of the write path again for every new post,
    the row's insert with its triggers and indexes among them, a quarter of the CPU.)
    The statement is an insert into a view of this connection's temporary schema
    (nothing in the archive) whose trigger does the two upserts ``upsert`` would.
    """
    cols = tuple(row)
    sql = _new_post_sql(cols)
    params = [body["body_html"], body["body_text"], *row.values()]
    try:
        db.conn.execute(sql, params)
    except sqlite3.OperationalError as e:
        view = _new_post_view(cols)
        if f"no such table: temp.{view}" not in str(e):
            raise
        # Not made on this connection yet (or undone with the transaction that made it).
        db.conn.execute(f"CREATE TEMP VIEW {view} AS SELECT "
                        + ", ".join(f"NULL AS [{c}]" for c in ("body_html", "body_text", *cols)))
        values = ", ".join(f"new.[{c}]" for c in cols)
        db.conn.execute(
            f"CREATE TEMP TRIGGER {view}_insert INSTEAD OF INSERT ON {view} BEGIN "
            + upsert_sql("post_bodies", ("post_id", "body_html", "body_text"), ("post_id",))
            .replace("VALUES (?, ?, ?)", "VALUES (new.[id], new.[body_html], new.[body_text])")
            + "; "
            + upsert_sql("posts", cols, ("id",)).replace(
                f"VALUES ({', '.join('?' for _ in cols)})", f"VALUES ({values})")
            + "; END")
        db.conn.execute(sql, params)


def _new_post_view(cols: tuple[str, ...]) -> str:
    return f"blogarchive_new_post_{zlib.crc32(' '.join(cols).encode()):08x}"


@functools.lru_cache(maxsize=8)
def _new_post_sql(cols: tuple[str, ...]) -> str:
    return (f"INSERT INTO temp.{_new_post_view(cols)} VALUES "
            f"({', '.join('?' for _ in range(len(cols) + 2))})")


def _stored_row(db: sqlite_utils.Database, post_id: str, url: str) -> dict | None:
    """The stored post with this id, else the one at this URL (one lookup for both)."""
    cursor = db.execute(POST_ROW_SQL + "id = ? OR url = ?", [post_id, url])
    names = [d[0] for d in cursor.description]
    rows = [dict(zip(names, r)) for r in cursor.fetchall()]
    return next((r for r in rows if r["id"] == post_id), rows[0] if rows else None)


def _fill_from_blog(db: sqlite_utils.Database, row: dict, said: dict, author_url: str) -> None:
    """What the feed entry fills (exact times) and what a second reading of the blog's
    statements changes, on the row before it is written: the same row as writing it and
    then filling it from the feed (``feeds.fill_from_feed``), in one write."""
    row.update(feed_fills(said["entry"], row))
    changes = restate_changes(said, {**row, "author_url": author_url})
    if "author_id" in changes:
        changes["author_id"] = author_id(db, row["blog_id"], *changes["author_id"])
    row.update(changes)


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
        body = first_row(db, "SELECT body_html, body_text FROM post_bodies WHERE post_id = ?",
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


def _save_comments(db: sqlite_utils.Database, post_id: str, comments: list[dict], stamp: str,
                   only_new: bool = False) -> None:
    """Insert the comments, or update those stored (their first-seen time kept); with
    ``only_new`` (an older copy of the post) a stored comment is the later one and stays."""
    rows = [{
        "id": comment["id"],
        "post_id": post_id,
        "position": comment.get("position", 0),
        "author": comment.get("author") or "",
        "author_url": comment.get("author_url") or "",
        "published": comment.get("published") or None,
        "in_reply_to": comment.get("in_reply_to") or None,
        "body_html": comment.get("body_html") or "",
        "body_text": comment.get("body_text") or "",
        "first_seen": stamp,
    } for comment in comments]
    keep = tuple(rows[0]) if only_new and rows else ("first_seen",)  # all: DO NOTHING
    upsert_all(db, "comments", rows, ("id",), keep=keep)


def save_comments(db: sqlite_utils.Database, post_id: str, comments: list[dict]) -> int:
    """Comments found beyond the post page (its comment feed); returns how many were new."""
    with atomic(db):
        if db["posts"].count_where("id = ?", [post_id]) == 0:
            return 0
        before = db["comments"].count_where("post_id = ?", [post_id])
        _save_comments(db, post_id, comments, now())
        after = db["comments"].count_where("post_id = ?", [post_id])
        db.execute("UPDATE posts SET comment_count = MAX(COALESCE(comment_count, 0), ?) WHERE id = ?",
                   [after, post_id])
    return after - before


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


def live_post_urls(db: sqlite_utils.Database, blog_id: str) -> list[str]:
    return [r[0] for r in db.execute(
        "SELECT url FROM posts WHERE blog_id = ? AND gone_at IS NULL", [blog_id])]


def count_posts(db: sqlite_utils.Database, blog_id: str) -> int:
    return db["posts"].count_where("blog_id = ? AND gone_at IS NULL", [blog_id])


def touch_post(db: sqlite_utils.Database, url: str, crawl_id: int | None) -> None:
    """Seen again, unchanged (a 304): only last_seen moves."""
    with atomic(db):
        db.execute("UPDATE posts SET last_seen = ?, gone_at = NULL WHERE url = ?", [now(), url])


def mark_gone(db: sqlite_utils.Database, url: str) -> bool:
    """A post that now answers 404/410 is marked, never deleted. True if newly marked."""
    with atomic(db):
        cursor = db.execute(
            "UPDATE posts SET gone_at = ? WHERE url = ? AND gone_at IS NULL", [now(), url]
        )
    return cursor.rowcount > 0

