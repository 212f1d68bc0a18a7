"""``/-/search?q=…[&label=…][&db=…][&sort=newest]``: ranked full-text search over the posts
and comments of every served archive, with highlighted snippets and label refinement."""

from __future__ import annotations

import json
import sqlite3
from urllib.parse import quote, urlencode

import markupsafe
from datasette import hookimpl
from datasette.utils import escape_fts
from datasette.utils.asgi import Response

from .archive import archive_names
from .bodies import marked
from .table_search import is_broad
from .urls import label_url, post_url, search_url


PAGE_SIZE = 20


# FTS5 operators: left dangling ("perro OR") they make the query malformed; read as
# plain words they would demand the word itself.
FTS_OPERATORS = {"AND", "OR", "NOT", "NEAR"}


def plain_words(query: str) -> str:
    """The query as plain words, each quoted, the operators dropped."""
    words = [w for w in query.split() if w not in FTS_OPERATORS]
    return escape_fts(" ".join(words or query.split()))


async def _run_fts(db, sql: str, params: dict, query: str):
    """Run an FTS query with the reader's syntax; if FTS5 rejects it, as plain words."""
    try:
        return await db.execute(sql, dict(params, q=query)), query
    except sqlite3.OperationalError:
        escaped = plain_words(query)
        return await db.execute(sql, dict(params, q=escaped)), escaped


async def _page(db, params: dict, label_filter: str, sort: str) -> list[dict]:
    """The page's posts with highlighted title and snippet, in two steps: which posts
    (by rank, or newest first by walking posts in date order when the words are in many
    of them, table_search.is_broad), then the snippets of those 20 only. Asked in one
    query, SQLite made the snippet of every match before sorting: 7 s of CPU for a word
    in 90 % of 100k posts, newest first."""
    if sort == "newest":
        plus = "+" if await is_broad(db, "posts_fts match :q", {"q": params["q"]}) else ""
        page = await db.execute(
            f"select p.search_rowid as rowid from posts p where {plus}p.search_rowid in "
            f"(select rowid from posts_fts where posts_fts match :q){label_filter} "
            "order by p.published desc, p.search_rowid desc limit :limit offset :offset", params)
    elif label_filter:
        page = await db.execute(
            "select posts_fts.rowid as rowid from posts_fts join posts p on p.search_rowid = posts_fts.rowid "
            f"where posts_fts match :q{label_filter} order by bm25(posts_fts, 5.0, 1.0) "
            "limit :limit offset :offset", params)
    else:
        page = await db.execute(
            "select rowid from posts_fts where posts_fts match :q order by bm25(posts_fts, 5.0, 1.0) "
            "limit :limit offset :offset", params)
    order = [r["rowid"] for r in page.rows]
    if not order:
        return []
    # One pass over the matches between the page's first and last rowid: asked for by
    # rowid one at a time, a prefix query (quay*) would be evaluated again for each.
    shown = await db.execute(
        "select posts_fts.rowid as rowid, p.id, p.title, p.published, p.author, p.labels, "
        "highlight(posts_fts, 0, char(2), char(3)) as title_hl, "
        "snippet(posts_fts, 1, char(2), char(3), ' … ', 40) as snip "
        "from posts_fts join posts p on p.search_rowid = posts_fts.rowid "
        "where posts_fts match :q and posts_fts.rowid between :first and :last "
        f"and +posts_fts.rowid in ({', '.join(str(int(r)) for r in order)})",
        {"q": params["q"], "first": min(order), "last": max(order)})
    by_rowid = {r["rowid"]: r for r in shown.rows}
    return [by_rowid[r] for r in order if r in by_rowid]


async def search_page(datasette, request):
    q = (request.args.get("q") or "").strip()
    label = (request.args.get("label") or "").strip()
    only_db = request.args.get("db") or ""
    sort = request.args.get("sort") or "rank"
    try:
        page = max(1, int(request.args.get("page") or 1))
    except ValueError:
        page = 1
    names = sorted(archive_names(datasette))
    if only_db:
        names = [n for n in names if n == only_db]
    results = []
    errors = []
    if q:
        label_filter = (" and exists (select 1 from json_each(p.labels) j where j.value = :label)"
                        if label else "")
        for name in names:
            db = datasette.get_database(name)
            params = {"label": label, "limit": PAGE_SIZE, "offset": (page - 1) * PAGE_SIZE}
            try:
                counted, used = await _run_fts(
                    db, "select count(*) as n from posts_fts join posts p on p.search_rowid = posts_fts.rowid "
                        f"where posts_fts match :q{label_filter}" if label else
                        "select count(*) as n from posts_fts where posts_fts match :q", params, q)
                posts = await _page(db, dict(params, q=used), label_filter, sort)
                comments, _ = await _run_fts(
                    db,
                    "select c.id, c.post_id, c.author, c.published, p.title, "
                    "snippet(comments_fts, 1, char(2), char(3), ' … ', 30) as snip "
                    "from comments_fts join comments c on c.rowid = comments_fts.rowid "
                    "join posts p on p.id = c.post_id "
                    f"where comments_fts match :q{label_filter} order by bm25(comments_fts) "
                    "limit 20", params, used)
                facet, _ = await _run_fts(
                    db,
                    "select j.value as label, count(*) as n from posts_fts "
                    "join posts p on p.search_rowid = posts_fts.rowid, json_each(p.labels) j "
                    "where posts_fts match :q group by j.value order by n desc, j.value limit 15",
                    params, used)
            except sqlite3.OperationalError as e:
                errors.append(f"{name}: {e}")
                continue
            results.append({
                "name": name,
                "total": counted.first()["n"],
                "query": used,
                "posts": [{
                    "url": post_url(datasette, name, r["id"]),
                    "title": marked(r["title_hl"]) if r["title"] else markupsafe.Markup("(untitled)"),
                    "published": (r["published"] or "")[:10],
                    "author": r["author"],
                    "labels": [{"name": n, "url": label_url(datasette, name, n)}
                               for n in json.loads(r["labels"] or "[]")],
                    "snippet": marked(r["snip"]),
                } for r in posts],
                "comments": [{
                    "url": post_url(datasette, name, r["post_id"]) + f"#comment-{quote(str(r['id']))}",
                    "title": r["title"] or "(untitled)",
                    "author": r["author"],
                    "published": (r["published"] or "")[:10],
                    "snippet": marked(r["snip"]),
                } for r in comments.rows],
                "labels": [{
                    "name": r["label"], "count": r["n"], "selected": r["label"] == label,
                    "url": search_url(datasette) + "?" + urlencode(
                        {"q": q, "label": r["label"], **({"db": only_db} if only_db else {})}),
                } for r in facet.rows],
                "table_url": datasette.urls.table(name, "posts") + "?" + urlencode(
                    {"_search": q, **({"labels__arraycontains": label} if label else {})}),
            })
    total = sum(r["total"] for r in results)
    notice = ""
    if any(r["query"] != q for r in results):  # the reader is told, not left with "no match"
        notice = (f"“{q}” is not valid search syntax (a dangling OR, AND, NOT or quote?); "
                  f"searched for the words {' '.join(r['query'] for r in results[:1])} instead.")
    if len(results) > 1:  # several archives: show those with something to show
        results = [r for r in results if r["total"] or r["comments"]] or results[:1]
    base = {"q": q, **({"label": label} if label else {}), **({"db": only_db} if only_db else {}),
            **({"sort": sort} if sort != "rank" else {})}
    more = any(r["total"] > page * PAGE_SIZE for r in results)
    context = {
        "q": q, "label": label, "db": only_db, "sort": sort, "page": page,
        "results": results, "errors": errors, "total": total, "notice": notice,
        "databases": sorted(archive_names(datasette)),
        "search_url": search_url(datasette),
        "next_url": search_url(datasette) + "?" + urlencode({**base, "page": page + 1}) if more else None,
        "prev_url": search_url(datasette) + "?" + urlencode({**base, "page": page - 1}) if page > 1 else None,
        "unlabel_url": search_url(datasette) + "?" + urlencode(
            {k: v for k, v in base.items() if k != "label"}),
        "sort_url": search_url(datasette) + "?" + urlencode(
            {**{k: v for k, v in base.items() if k != "sort"}, **({} if sort == "newest" else {"sort": "newest"})}),
    }
    return Response.html(
        await datasette.render_template("blogarchive_search.html", context, request=request)
    )



@hookimpl
def register_routes():
    return [(r"^/-/search$", search_page)]
