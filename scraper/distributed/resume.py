"""A blog taken over from a worker that stopped: what the writer saved is not fetched again.

With each item it acknowledges, the writer notes in Redis the blog record and the
URL and id of every post it saved, per host. A worker without an archive of its
own (no ``--archive``) gives the crawl of a host that already has saved posts a
scratch archive holding just those: the spider then carries on as after an
interrupted crawl of its own archive (saved posts are skipped), unchanged. A
worker with ``--archive`` reads the archive itself.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

from .. import items as items_module
from .. import store
from ..urls import host
from .queue import K, text


def note_saved(pipe, item) -> None:
    """Add to the writer's acknowledgement (one MULTI): what a taking-over worker may skip."""
    if isinstance(item, items_module.Post):
        pipe.hset(K.saved + host(item.url), item.url, item.id)
    elif isinstance(item, items_module.Blog):
        pipe.hset(K.saved_blogs, host(item.url), json.dumps(asdict(item)))


def saved(r, blog_host: str) -> tuple[dict | None, dict[str, str]]:
    """(the blog record, {post url: post id}) the writer has saved for a host in this run."""
    raw = r.hget(K.saved_blogs, blog_host)
    posts = {text(url): text(post_id) for url, post_id in r.hgetall(K.saved + blog_host).items()}
    return (json.loads(raw) if raw else None), posts


def scratch_archive(path: Path, blog: dict, posts: dict[str, str]) -> Path:
    """An archive that knows only the blog and which of its posts are saved."""
    db = store.open_db(path)
    try:
        store.save_blog(db, blog)
        for url, post_id in posts.items():
            store.save_post(db, asdict(items_module.Post(id=post_id, blog_id=blog["id"], url=url)))
    finally:
        db.close()
    return path

