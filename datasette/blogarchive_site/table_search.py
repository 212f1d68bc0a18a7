"""``?_search=`` (and ``?_search_title=``, ``?_search_body_text=``) on an archive's
``posts`` table, fast for a word in most posts.

Datasette's own search filter writes ``search_rowid in (select rowid from posts_fts
where posts_fts match …)``, which SQLite reads as "look up every match, then sort
them all": for a word in most posts that is nearly every post sorted to show the
first 50 (100k posts: 180 ms of CPU; bench/README.md). When the words are in most
posts this filter writes ``+search_rowid in (…)`` instead: the ``+`` keeps SQLite
from driving the query by the matches, so it walks posts in the page's order (the
``published_utc`` index) and stops at the end of the page. A word in fewer posts keeps
the lookup: the page's count and facets share the filter, and written with the ``+``
they read every post instead of the matches. Same rows, same order.

The posts table's metadata therefore names no ``fts_table``: this filter is the
only one that searches it, and it tells the page that the table can be searched.
"""

from __future__ import annotations

import math
import sqlite3

from datasette import hookimpl
from datasette.filters import FilterArguments
from datasette.utils import escape_fts
from datasette.utils.asgi import BadRequest

from .archive import archive_names

FTS_TABLE = "posts_fts"
FTS_COLUMNS = ("title", "body_text")


def broad_from(posts: int) -> int:
    """How many matches make a search broad enough to walk, for a query that only fills a
    page. A lookup costs about five times a step of the walk, and a walk to fill a page of
    50 takes 50 × posts / matches steps: the two cross near sqrt(10 × posts) matches."""
    return max(100, int(math.sqrt(10 * posts)))


def table_broad_from(posts: int) -> int:
    """The same for the table page, whose count and facets share the filter: written
    with the ``+`` they read every post instead of the matches, so the walk pays only
    when the matches are most of the posts (1M posts, a word in 0.5 % of them: 1.3 s of
    CPU walked, mostly facets; bench/README.md)."""
    return max(100, posts // 2)


async def is_broad(db, match: str, params: dict, threshold=broad_from) -> bool:
    """Are there at least threshold(posts) matches? Reads no more doclist than that."""
    try:
        posts = (await db.execute("select max(search_rowid) from posts")).first()[0] or 0
        cap = threshold(posts)
        found = (await db.execute(
            f"select count(*) from (select rowid from {FTS_TABLE} where {match} limit {cap})",
            params)).first()[0]
    except sqlite3.OperationalError:  # bad query syntax: the page's own query says so
        return False
    return found >= cap


@hookimpl(trylast=True)  # after Datasette's own search filter, so that supports_search holds
def filters_from_request(request, database, table, datasette):
    if table != "posts" or database not in archive_names(datasette):
        return None

    async def inner():
        # An empty search box submitted is no search (FTS5 would call it a syntax error).
        searches = {k: request.args[k] for k in request.args
                    if k.startswith("_search") and k != "_searchmode" and request.args[k].strip()}
        context = {"supports_search": True}
        if not searches:
            return FilterArguments([], {}, [], context)
        raw = (datasette.table_metadata(database, table).get("searchmode") == "raw"
               and request.args.get("_searchmode") != "escaped") or request.args.get("_searchmode") == "raw"
        db = datasette.get_database(database)
        where, params, described = [], {}, []
        for i, (key, text) in enumerate(searches.items()):
            column = key[len("_search_"):] if key != "_search" else None
            if key != "_search" and column not in FTS_COLUMNS:
                raise BadRequest("Cannot search by that column")
            name = "search" if column is None else f"search_{i}"
            params[name] = text if raw else escape_fts(text)
            match = f"{column if column else FTS_TABLE} match :{name}"
            plus = "+" if await is_broad(db, match, {name: params[name]}, table_broad_from) else ""
            where.append(f"{plus}search_rowid in (select rowid from {FTS_TABLE} where {match})")
            described.append(f'search matches "{text}"' if column is None
                             else f'search column "{column}" matches "{text}"')
            context["search"] = text
        return FilterArguments(where, params, described, context)

    return inner
