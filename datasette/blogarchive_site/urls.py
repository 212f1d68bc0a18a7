"""Addresses inside the site (pure functions of the Datasette instance)."""

from __future__ import annotations

from urllib.parse import urlencode

from datasette.utils import tilde_encode

SEARCH_PATH = "/-/search"


def post_url(datasette, database: str, post_id) -> str:
    return datasette.urls.row(database, "posts", tilde_encode(str(post_id)))


def label_url(datasette, database: str, label: str, blog_id: str | None = None) -> str:
    """The posts with this label (of this blog only, when given: two blogs in one
    archive may use the same label). ``_label`` reads the label tables' indexes
    (label_filter.py), where ``labels__arraycontains`` reads every post's labels."""
    params = {"_label": label, **({"_label_blog": blog_id} if blog_id else {}),
              "_sort_desc": "published_utc"}
    return datasette.urls.table(database, "posts") + "?" + urlencode(params)


def image_url(datasette, sha256: str) -> str:
    return datasette.urls.path(f"/-/images/{sha256}")


def reading_list_url(datasette, database: str) -> str:
    columns = ["title", "published", "author", "labels", "body_text", "comment_count"]
    return (datasette.urls.table(database, "posts_with_bodies") + "?"  # posts and their text
            + urlencode([("_col", c) for c in columns] + [("_sort_desc", "published_utc")]))


def feed_url(datasette, database: str) -> str:
    return datasette.urls.path(f"{datasette.urls.database(database)}/newest_posts.atom")


def search_url(datasette) -> str:
    return datasette.urls.path(SEARCH_PATH)
