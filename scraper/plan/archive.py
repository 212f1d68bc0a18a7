"""What earlier runs hold, as the plan reads it (never writes it)."""

from __future__ import annotations

from .. import store


class Archive:
    """What earlier runs hold, read-only; opened on first use."""

    def __init__(self, path: str):
        self.path = path
        self._db = None

    @property
    def db(self):
        if self._db is None:
            self._db = store.open_db(self.path)
        return self._db

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    def blog(self, origin: str) -> dict | None:
        return store.find_blog(self.db, origin)

    def post_state(self, url: str) -> dict | None:
        return store.post_state(self.db, url)

    def last_answer(self, url: str) -> dict | None:
        return store.fetch_validators(self.db, url)

    def watermark(self, blog_id: str):
        return store.feed_watermark(self.db, blog_id)

    def live_post_urls(self, blog_id: str):
        return store.live_post_urls(self.db, blog_id)

    def image_known(self, url: str) -> bool:
        return store.image_known(self.db, url)

    def images_missing(self, blog_id: str, limit: int):
        return store.images_missing(self.db, blog_id, limit)
