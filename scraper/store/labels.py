"""Authors and labels: one row per name and blog, looked up or added as posts name them."""

from __future__ import annotations

import sqlite_utils

from .rows import lookup


def author_id(db: sqlite_utils.Database, blog_id: str, name: str, url: str) -> int | None:
    if not name and not url:
        return None
    return lookup(db, "authors", {"blog_id": blog_id, "name": name or "", "url": url or ""})


def label_ids(db: sqlite_utils.Database, blog_id: str, names: list[str],
              kinds: dict[str, str] | None = None) -> list[int]:
    ids = [lookup(db, "labels", {"blog_id": blog_id, "name": name}) for name in names]
    for name, label_id in zip(names, ids):
        kind = (kinds or {}).get(name)
        if kind:  # a name that is both a category and a tag is kept as the category
            db.execute("UPDATE labels SET kind = ? WHERE id = ? AND (kind IS NULL OR kind = '' "
                       "OR (? = 'category' AND kind != 'category'))", [kind, label_id, kind])
    return ids


def save_labels(db: sqlite_utils.Database, post_id: str, blog_id: str, labels: list[str],
                kinds: dict[str, str] | None = None, new: bool = False) -> None:
    """The post's labels, in order (``new``: the post has none stored yet)."""
    if not new:
        db.execute("DELETE FROM post_labels WHERE post_id = ?", [post_id])
    ids = label_ids(db, blog_id, labels, kinds)
    db.conn.executemany("INSERT INTO post_labels (post_id, label_id, position) VALUES (?, ?, ?)",
                        [(post_id, i, n) for n, i in enumerate(ids)])

