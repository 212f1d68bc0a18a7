"""What a blog states about its posts outside their pages: its feed entries and its
label pages, and how they fill or correct a stored post (title, author, exact
time, labels), noting where the sources disagree."""

from __future__ import annotations

import datetime as dt
import json

import sqlite_utils

from ..dates import utc_instant, utc_text
from .labels import author_id, save_labels
from .rows import atomic, first_row, now, upsert


def save_feed_entries(db: sqlite_utils.Database, blog_id: str, entries: list[dict],
                      crawl_id: int | None = None) -> None:
    stamp = now()
    with atomic(db):
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
                "first_seen": stamp,  # a new entry's; a stored one keeps its own
            }
            upsert(db, "feed_entries", row, ("url",), keep=("first_seen",))
            fill_from_feed(db, row)


def _has_offset(value: str | None) -> bool:
    return bool(value) and len(value) > 19 and value[19] in "+-Z"


def fill_from_feed(db: sqlite_utils.Database, entry: dict) -> None:
    """Give a post what the feed states and its page did not: the exact time (where the
    page showed none, or only a local time), the title, the author, the labels."""
    post = first_row(db, "SELECT id, url, published, updated, sources FROM posts WHERE url = ?",
                    [entry["url"]])
    if post is None:
        return
    changes = feed_fills(entry, post)
    if changes:
        db["posts"].update(post["id"], changes)
    _restate(db, post["url"])


def feed_fills(entry: dict, post: dict) -> dict:
    """The columns of a post row (published, updated, sources) its feed entry fills."""
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
    return changes


def _restate(db: sqlite_utils.Database, url: str) -> None:
    """Fill a stored post from its feed entry and the label pages that came after it."""
    post = first_row(db, "SELECT p.id, p.blog_id, p.url, p.title, p.author, a.url AS author_url, p.labels, "
                        "p.sources, p.notes FROM posts p LEFT JOIN authors a ON a.id = p.author_id "
                        "WHERE p.url = ?", [url])
    if post is None:
        return
    changes = restate_changes(stated_by_blog(db, post["url"]), post)
    if not changes:
        return
    if "labels" in changes:
        save_labels(db, post["id"], post["blog_id"], json.loads(changes["labels"]))
    if "author_id" in changes:
        changes["author_id"] = author_id(db, post["blog_id"], changes["author_id"][0],
                                         changes["author_id"][1])
    db["posts"].update(post["id"], changes)


def restate_changes(said: dict, post: dict) -> dict:
    """The columns of a stored post row (title, author, labels, sources, notes, as stored)
    that what the blog stated elsewhere (``stated_by_blog``) changes. A new author is
    given as ``author_id``: its (name, url), for the caller to look up."""
    current = {"title": post["title"] or "", "author": post["author"] or "",
               "author_url": post["author_url"] or "",
               "labels": json.loads(post["labels"] or "[]"),
               "sources": json.loads(post["sources"] or "{}"),
               "notes": json.loads(post["notes"] or "{}")}
    stated = merge_stated(said, current)
    changes = {k: v for k, v in stated.items() if v != current[k]}
    if "labels" in changes:
        changes["labels"] = json.dumps(changes["labels"], ensure_ascii=False)
    if "author" in changes or "author_url" in changes:
        changes["author_id"] = (stated["author"], stated["author_url"])
        changes.pop("author_url", None)  # kept on the authors row
    for column in ("sources", "notes"):
        if column in changes:
            changes[column] = json.dumps(changes[column], ensure_ascii=False, sort_keys=True) \
                if changes[column] else None
    return changes


def is_the_blog_name(title: str, blog_name: str | None) -> bool:
    """A "title" that is the blog's own name (a site banner's h1, a <title> of "| Blog")."""
    name = (blog_name or "").strip().lower()
    return bool(title) and bool(name) and title.strip(" |·•–—:-»").strip().lower() == name


# Title evidence the feed's title outranks: document cues that may name the site, not the post.
WEAK_TITLE = {"h1", "title-tag"}


def stated_elsewhere(db: sqlite_utils.Database, url: str, post: dict) -> dict:
    """What the blog states about a post outside its page (its feed entry, its label
    pages), added to what the page said: see ``merge_stated``."""
    return merge_stated(stated_by_blog(db, url), post)


def stated_by_blog(db: sqlite_utils.Database, url: str) -> dict:
    """A post URL's feed entry (None if no feed listed it) and the labels of the label
    pages that listed it, in the order they came: two lookups by URL."""
    return {"entry": first_row(db, "SELECT title, author, author_url, labels, published, updated "
                                   "FROM feed_entries WHERE url = ?", [url]),
            # sorted here: an ORDER BY rowid would sort in a temporary b-tree on every post
            "label_pages": [label for _, label in sorted(db.execute(
                "SELECT rowid, label FROM label_listings WHERE post_url = ?", [url]))]}


def merge_stated(said: dict, post: dict) -> dict:
    """``post`` with what the blog stated elsewhere (``stated_by_blog``): the title and
    author where the page gave none; labels as the union, noted where the sources disagree."""
    post = {**post, "sources": dict(post["sources"]), "notes": dict(post["notes"])}
    entry = said["entry"] or {}
    if entry.get("title") and (not post["title"] or post["sources"].get("title") in WEAK_TITLE):
        post["title"] = entry["title"]  # the blog's own word for it beats a heading's guess
        post["sources"]["title"] = "feed"
    if not post["author"] and entry.get("author"):
        post["author"], post["author_url"] = entry["author"], entry.get("author_url") or ""
        post["sources"]["author"] = "feed"
    stated = {"feed": json.loads(entry.get("labels") or "[]"), "label-page": said["label_pages"]}
    labels = list(post["labels"])
    own = post["sources"].get("labels", "")
    differ = []
    for source, names in stated.items():
        if not names:
            continue
        others = [t for t in own.split("+") if t and t != source]
        if source == "label-page" or source in own.split("+"):
            # label pages come one by one, and a source merged before is in the labels
            # already: only a label none of the others gave is a disagreement
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
        note = f"stored: {', '.join(post['labels'])}; " + "; ".join(differ)
        post["notes"]["labels"] = note if not earlier or earlier in note else f"{earlier}; {note}"
    post["labels"] = labels
    return post


def save_label_listing(db: sqlite_utils.Database, blog_id: str, label: str, listing_url: str,
                       post_urls: list[str]) -> None:
    """A label page of the blog lists these posts: each has the label (stored posts now,
    the others when they are saved)."""
    stamp = now()
    with atomic(db):
        for url in dict.fromkeys(post_urls):
            db.execute("INSERT INTO label_listings (post_url, label, blog_id, listing_url, first_seen) "
                       "VALUES (?, ?, ?, ?, ?) ON CONFLICT (post_url, label) DO NOTHING",
                       [url, label, blog_id, listing_url, stamp])
            _restate(db, url)


def feed_entry(db: sqlite_utils.Database, url: str) -> dict | None:
    """What the blog's feed said of this post URL (title, times, labels, author), if it listed it."""
    row = first_row(db, "SELECT url, post_id, title, published, updated, labels, author, author_url "
                       "FROM feed_entries WHERE url = ?", [url])
    if row is None:
        return None
    row["labels"] = json.loads(row["labels"] or "[]")
    return {k: v for k, v in row.items() if v not in (None, "")}


def feed_watermark(db: sqlite_utils.Database, blog_id: str) -> dt.datetime | None:
    """The latest change the blog's feed has shown us (as a UTC instant)."""
    latest = None
    for (value,) in db.execute("SELECT updated FROM feed_entries WHERE blog_id = ?", [blog_id]):
        when = utc_instant(value)
        if when and (latest is None or when > latest):
            latest = when
    return latest

