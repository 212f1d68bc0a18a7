"""The home page (index.html): each archived blog with its span, counts, most used
labels and charts of its life (posts, words, comments per month), a search box over posts and comments, and the ways in (reading list, tables,
feed, CSV, the SQLite file). Table and row pages of an archive get the same links."""

from __future__ import annotations

from urllib.parse import quote

from datasette import hookimpl

from .archive import archive_names
from .charts import blog_charts
from .until_changed import LATER_LIMIT_MS, forget, kept
from .urls import feed_url, label_url, reading_list_url, search_url


async def index_context(datasette) -> dict:
    archives = []
    for name in sorted(archive_names(datasette)):
        # Counted over every post: kept until the archive changes (until_changed.py).
        archive = await kept(datasette, name, ("home",), lambda name=name: archive_context(datasette, name))
        if any(chart.get("error") for blog in archive["blogs"] for chart in blog["charts"]):
            forget(datasette, name, ("home",))  # a chart still being counted: not kept without it
        archives.append(archive)
    return {"archives": archives, "search_url": search_url(datasette)}


async def archive_context(datasette, name: str) -> dict:
    """One archive on the home page: its blogs with their counts, labels and charts."""
    db = datasette.get_database(name)
    # Counts over every post's index entry (1M posts: about half a second of CPU, more wall
    # time on a loaded machine), counted once per change of the archive: a longer limit
    # than a page's, so that the home page does not fail for them.
    limit = LATER_LIMIT_MS
    blogs = []
    for blog in (await db.execute("select * from blogs order by title")).rows:
        stats = (await db.execute(
            "select count(*) as posts, min(published) as first, max(published) as last, "
            "sum(comment_count) as comments from posts where blog_id = ?", [blog["id"]],
            custom_time_limit=limit)).first()
        top = (await db.execute(
            "select l.name, count(*) as n from labels l join post_labels pl on pl.label_id = l.id "
            "where l.blog_id = ? group by l.id order by n desc, l.name limit 12",
            [blog["id"]], custom_time_limit=limit)).rows
        blogs.append(dict(
            dict(blog), posts=stats["posts"], first=(stats["first"] or "")[:10],
            last=(stats["last"] or "")[:10], comments=stats["comments"] or 0,
            labels=[{"name": r["name"], "count": r["n"],
                     "url": label_url(datasette, name, r["name"], blog["id"])} for r in top],
            charts=await blog_charts(datasette, name, blog["id"]),
        ))
    latest = (await db.execute("select * from crawls order by id desc limit 1")).first()
    counts = (await db.execute(
        "select (select count(*) from images) as images, "
        "(select count(*) from comments) as comments, "
        "(select count(*) from posts) as posts", custom_time_limit=limit)).first()
    return {
        "name": name,
        "url": datasette.urls.database(name),
        "blogs": blogs,
        "latest_crawl": dict(latest) if latest else None,
        "counts": dict(counts),
        "reading_list": reading_list_url(datasette, name),
        "posts_url": datasette.urls.table(name, "posts"),
        "csv_url": datasette.urls.table(name, "posts", format="csv") + "?_stream=on&_size=max&_dl=1",
        "feed_url": feed_url(datasette, name),
        "download_url": datasette.urls.path(f"/{quote(name)}.db")
        if not db.is_mutable and datasette.setting("allow_download") else None,
    }


@hookimpl
def extra_template_vars(database, view_name, datasette):
    async def inner():
        if view_name == "index":
            return {"blogarchive": await index_context(datasette)}
        if database in archive_names(datasette):
            return {"blogarchive_db": {
                "feed_url": feed_url(datasette, database),
                "search_url": search_url(datasette),
                "reading_list": reading_list_url(datasette, database),
            }}
        return {}

    return inner
