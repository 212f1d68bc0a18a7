"""Charts where people would rather look than read: Vega-Lite specs rendered to SVG on
the server (vl-convert), so they need no JavaScript and no CDN.

Every chart is drawn from a canned query of metadata.yml, which reads the SQL views
of scraper/store/views.py; the chart links that query as CSV and JSON and carries a text
alternative (a sentence, and the data as a table). Where they appear:

- the home page, per blog: posts, words and comments per month (``home``);
- a label's page (``/db/posts?_label=X``, or ``?labels__arraycontains=X``): that label's posts per month
  against all posts;
- the crawls table: posts found per run, expected against archived, errors by kind.
"""

from __future__ import annotations

import asyncio
import functools
import json
from urllib.parse import urlencode

import markupsafe
from datasette import hookimpl
from datasette.database import QueryInterrupted
from datasette.utils import derive_named_parameters

from .archive import archive_names
from .until_changed import kept_or_later

VEGA_LITE = "https://vega.github.io/schema/vega-lite/v5.json"
WIDTH, HEIGHT = 640, 120
BLUE, PALE = "#1f4e79", "#c9d3df"
MONTH = {"field": "month", "type": "temporal", "timeUnit": "utcyearmonth", "title": None,
         "axis": {"format": "%Y", "labelAngle": 0, "grid": False,
                  "tickCount": {"interval": "year", "step": 1}}}
CRAWL = {"field": "crawl_id", "type": "ordinal", "title": "crawl",
         "axis": {"labelAngle": 0, "labelOverlap": True}}


def _spec(values: list[dict], description: str, width=WIDTH, **chart) -> dict:
    return {"$schema": VEGA_LITE, "description": description, "width": width, "height": HEIGHT,
            "data": {"values": values}, "config": {"view": {"stroke": None}}, **chart}


PER_CRAWL = {"step": 18}
STILL_COUNTING = ("Not drawn: its counts took longer than a page may. They are being counted "
                  "now and the chart will be here when this page is loaded again.")  # one band per crawl, however few


def month_bars(field: str, title: str):
    def build(rows, description):
        return _spec(rows, description, mark={"type": "bar", "color": BLUE}, encoding={
            "x": MONTH, "y": {"field": field, "type": "quantitative", "title": title}})
    return build


def label_bars(label: str):
    def build(rows, description):
        # One bar per row: the month's posts in pale, the label's drawn over them.
        return _spec(rows, description, mark={"type": "bar"}, encoding={
            "x": MONTH,
            "y": {"field": "posts", "type": "quantitative", "title": "posts", "stack": None},
            "color": {"field": "series", "type": "nominal", "title": None,
                      "scale": {"domain": ["all posts", label], "range": [PALE, BLUE]},
                      "legend": {"orient": "top"}},
        })
    return build


def crawl_bars(field: str, title: str):
    def build(rows, description):
        return _spec(rows, description, width=PER_CRAWL, mark={"type": "bar", "color": BLUE}, encoding={
            "x": CRAWL, "y": {"field": field, "type": "quantitative", "title": title}})
    return build


def crawl_pairs(rows, description):
    return _spec(rows, description, width=PER_CRAWL, mark={"type": "bar"}, encoding={
        "x": CRAWL, "xOffset": {"field": "series", "sort": ["expected", "archived"]},
        "y": {"field": "posts", "type": "quantitative", "title": "posts"},
        "color": {"field": "series", "type": "nominal", "title": None,
                  "scale": {"domain": ["expected", "archived"], "range": [PALE, BLUE]},
                  "legend": {"orient": "top"}}})


def crawl_stack(rows, description):
    return _spec(rows, description, width=PER_CRAWL, mark={"type": "bar"}, encoding={
        "x": CRAWL, "y": {"field": "errors", "type": "quantitative", "title": "failed requests"},
        "color": {"field": "kind", "type": "nominal", "title": None, "legend": {"orient": "top"}}})


@functools.lru_cache(maxsize=256)
def _svg(spec_json: str) -> str:
    import vl_convert

    return vl_convert.vegalite_to_svg(json.loads(spec_json))


async def svg_of(spec: dict) -> str:
    """Rendering takes a fraction of a second (and the first one longer): off the loop."""
    text = json.dumps(spec, sort_keys=True, default=str)
    return await asyncio.get_running_loop().run_in_executor(None, _svg, text)


def describe(title: str, rows: list[dict], x: str, y: str, series: str | None = None) -> str:
    """One sentence a screen reader can read instead of the picture."""
    if not rows:
        return f"{title}: no data."
    unit = "month" if x == "month" else "crawl"
    groups: dict = {}
    for row in rows:
        groups.setdefault(row.get(series) if series else None, []).append(row)
    parts = []
    for name, group in groups.items():
        total = sum(r[y] or 0 for r in group)
        top = max(group, key=lambda r: r[y] or 0)
        label = f"{name}: " if name is not None else ""
        parts.append(f"{label}{total:,} in all, the most in {unit} {top[x]} ({top[y] or 0:,})")
    xs = [r[x] for r in rows]
    count = len(set(xs))
    return (f"{title}: {count} {unit}{'s' if count != 1 else ''} from {min(xs)} to {max(xs)}; "
            + "; ".join(parts) + ".")


async def query_rows(datasette, database: str, query: str, params: dict) -> list[dict] | None:
    """The rows of a canned query (None if metadata has no such query), kept until the
    archive changes (until_changed.py): over a big archive the monthly counts read
    every post's index entry."""
    canned = (await datasette.get_canned_queries(database, None)).get(query)
    if not canned:
        return None
    db = datasette.get_database(database)

    async def run(time_limit_ms):
        # A parameter left out is empty, as on the query's own page.
        named = {name: "" for name in await derive_named_parameters(db, canned["sql"])}
        result = await db.execute(canned["sql"], {**named, **params}, custom_time_limit=time_limit_ms)
        return [dict(r) for r in result.rows]

    return await kept_or_later(datasette, database,
                               ("query", canned["sql"], tuple(sorted(params.items()))), run)


async def chart(datasette, database: str, query: str, params: dict, *, title: str, build,
                x: str, y: str, series: str | None = None, columns: list[str] | None = None,
                rows: list[dict] | None = None) -> dict:
    """A chart from a canned query: the SVG, its text alternative and its data links."""
    if rows is None:
        try:
            rows = await query_rows(datasette, database, query, params)
        except QueryInterrupted:
            return {"title": title, "error": STILL_COUNTING}
    if rows is None:
        return {"title": title, "error": f"no canned query {query}"}
    description = describe(title, rows, x, y, series)
    base = datasette.urls.database(database) + "/" + query
    args = urlencode(params)
    out = {
        "title": title, "rows": rows, "count": len(rows), "description": description,
        "columns": columns or list(rows[0].keys() if rows else []),
        "query_url": base + (f"?{args}" if args else ""),
        "csv_url": f"{base}.csv?" + urlencode({**params, "_size": "max"}),
        "json_url": f"{base}.json?" + urlencode({**params, "_shape": "array", "_size": "max"}),
        "svg": None,
    }
    if rows:
        svg = await svg_of(build(rows, description))
        # The picture is one image to assistive technology; the sentence says what it shows.
        svg = svg.replace("<svg ", '<svg role="img" aria-label="{}" '.format(
            markupsafe.escape(description)), 1)
        out["svg"] = markupsafe.Markup(svg)
    return out


async def blog_charts(datasette, database: str, blog_id: str) -> list[dict]:
    params = {"blog": blog_id}
    try:
        rows = await query_rows(datasette, database, "posts_per_month", params)  # one query, three charts
    except QueryInterrupted:
        return [{"title": title, "error": STILL_COUNTING}
                for title in ("Posts per month", "Words per month",
                              "Comments per month (on that month's posts)")]
    return [
        await chart(datasette, database, "posts_per_month", params, title="Posts per month",
                    build=month_bars("posts", "posts"), x="month", y="posts",
                    columns=["month", "posts"], rows=rows),
        await chart(datasette, database, "posts_per_month", params, title="Words per month",
                    build=month_bars("words", "words"), x="month", y="words",
                    columns=["month", "words"], rows=rows),
        await chart(datasette, database, "posts_per_month", params,
                    title="Comments per month (on that month's posts)",
                    build=month_bars("comments", "comments"), x="month", y="comments",
                    columns=["month", "comments"], rows=rows),
    ]


async def label_charts(datasette, database: str, label: str) -> list[dict]:
    return [await chart(datasette, database, "label_against_all_posts", {"label": label},
                        title=f"Posts per month under “{label}” against all posts",
                        build=label_bars(label), x="month", y="posts", series="series")]


async def crawl_charts(datasette, database: str) -> list[dict]:
    return [
        await chart(datasette, database, "posts_found_per_run", {}, title="Posts found per crawl",
                    build=crawl_bars("posts_found", "posts found"), x="crawl_id", y="posts_found"),
        await chart(datasette, database, "expected_vs_archived", {},
                    title="Posts the blog lists against posts archived, per crawl",
                    build=crawl_pairs, x="crawl_id", y="posts", series="series"),
        await chart(datasette, database, "errors_by_kind", {},
                    title="Failed requests by kind, per crawl",
                    build=crawl_stack, x="crawl_id", y="errors", series="kind"),
    ]


@hookimpl
def startup(datasette):
    # The renderer's first chart starts its JavaScript engine (about two seconds):
    # started meanwhile, not on the first reader's page.
    async def warm():
        if archive_names(datasette):
            spec = month_bars("posts", "posts")([{"month": "2000-01", "posts": 1}], "")
            asyncio.get_running_loop().run_in_executor(None, _svg, json.dumps(spec, sort_keys=True))
    return warm


@hookimpl
def extra_template_vars(database, table, view_name, request, datasette):
    async def inner():
        if view_name != "table" or database not in archive_names(datasette) or request is None:
            return {}
        if table == "crawls":
            return {"blogarchive_charts": await crawl_charts(datasette, database)}
        labels = request.args.getlist("_label") or request.args.getlist("labels__arraycontains")
        if table == "posts" and len(labels) == 1:
            return {"blogarchive_charts": await label_charts(datasette, database, labels[0])}
        return {}

    return inner
