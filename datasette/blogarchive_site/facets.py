"""Facets that stay fast on big archives: ``?_facet_year=published`` (posts per year of
an ISO date) and ``?_facet_list=labels`` (posts per label of a JSON-array column).

Over the whole posts table (no filter, no search) both read the counts the archive
keeps by triggers (``post_facet_counts``, migration m015) instead of every post:
1M posts, a second or more each otherwise. Filtered, they count the rows, and the
counts are kept until the archive changes (until_changed.py)."""

from __future__ import annotations

import sqlite3
from urllib.parse import parse_qsl, urlencode

from datasette import hookimpl
from datasette.database import QueryInterrupted
from datasette.facets import Facet
from datasette.utils import escape_sqlite, path_with_added_args, path_with_removed_args

from . import label_filter
from .archive import archive_names
from .until_changed import kept_or_later


class _CountingFacet(Facet):
    """A facet counted by one SQL query over the table's filtered rows; choosing a value
    adds ``<column>__<lookup>=value`` to the query string. Subclasses give the query."""

    lookup = ""
    # (column, name in post_facet_counts, order): the facet of the whole posts table
    # whose counts the archive keeps; its rows come in this facet's order.
    kept: tuple[str, str, str] = ("", "", "")

    async def suggest(self):
        return []

    def facet_sql(self, col: str, limit: int) -> str:
        raise NotImplementedError

    def choosing_args(self, column: str) -> list[str]:
        """The query-string arguments that choose one of the column's values; a new
        choice is written with the first."""
        return [f"{column}__{self.lookup}"]

    def _whole_table(self, column: str) -> bool:
        """Is this facet over every post (the table page with no filter and no search)?"""
        return (self.table == "posts" and column == self.kept[0] and not self.params
                and self.sql.rstrip().endswith(f"from {escape_sqlite(self.table)}"))

    async def _rows(self, column: str, limit: int):
        time_limit = self.ds.setting("facet_time_limit_ms")
        if self._whole_table(column):
            try:
                return await self.ds.execute(
                    self.database, "select value, posts as count from post_facet_counts "
                    f"where facet = :facet order by {self.kept[2]} limit {limit}",
                    {"facet": self.kept[1]}, custom_time_limit=time_limit)
            except sqlite3.OperationalError:  # an archive from before m015: counted below
                pass
        sql = self.facet_sql(escape_sqlite(column), limit)
        params = sorted(self.params.items()) if isinstance(self.params, dict) else self.params
        key = ("facet", sql, tuple(params))

        def count(limit_ms):
            return self.ds.execute(self.database, sql, self.params, truncate=False,
                                   custom_time_limit=limit_ms or time_limit)

        # A big filtered set (a label in half the posts, a word in most) takes a read of
        # each of its posts: kept until the archive changes, for its next readers; past
        # the facet time limit the page says so and the next page has it.
        return await kept_or_later(self.ds, self.database, key, count)

    async def facet_results(self):
        results, timed_out = [], []
        facet_size = self.get_facet_size()
        seen = set()
        for source_and_config in self.get_configs():
            config = source_and_config["config"]
            column = config.get("column") or config["simple"]
            if column in seen:  # in metadata and in the query string: once
                continue
            seen.add(column)
            try:
                rows = await self._rows(column, facet_size + 1)
            except QueryInterrupted:
                timed_out.append(column)
                continue
            values = []
            results.append({
                "name": column,
                "type": self.type,
                "results": values,
                "hideable": source_and_config["source"] != "metadata",
                "toggle_url": self.ds.urls.path(
                    path_with_removed_args(self.request, {f"_facet_{self.type}": column})
                ),
                "truncated": len(rows) > facet_size,
            })
            keys = self.choosing_args(column)
            chosen = {value for key in keys for value in self.request.args.getlist(key)}
            for row in rows.rows[:facet_size]:
                selected = row["value"] in chosen
                if selected:
                    # whichever argument chose it (path_with_removed_args takes one per name)
                    query = urlencode([(k, v) for k, v in parse_qsl(self.request.query_string)
                                       if not (k in keys and v == row["value"])])
                    toggle = self.request.path + (f"?{query}" if query else "")
                else:
                    toggle = path_with_added_args(self.request, {keys[0]: row["value"]})
                values.append({
                    "value": row["value"],
                    "label": row["value"],
                    "count": row["count"],
                    "toggle_url": self.ds.absolute_url(self.request, toggle),
                    "selected": selected,
                })
        return results, timed_out


class YearFacet(_CountingFacet):
    """``?_facet_year=published``: counts per year of an ISO date column, newest first;
    choosing a year filters ``published__startswith=YYYY``."""

    type = "year"
    lookup = "startswith"
    kept = ("published", "year", "value desc")

    def facet_sql(self, col: str, limit: int) -> str:
        return (f"select substr({col}, 1, 4) as value, count(*) as count from ({self.sql}) "
                f"where {col} glob '[0-9][0-9][0-9][0-9]*' group by value "
                f"order by value desc limit {limit}")


class ListFacet(_CountingFacet):
    """``?_facet_list=labels``: counts per item of a JSON-array column (labels); choosing one
    filters ``labels__arraycontains=``. Datasette's own array facet de-duplicates with
    ``distinct j.value, inner.*``, which copies every row's whole body (seconds over a
    big archive); a post's labels are unique already (post_labels), so only the label
    column is read here."""

    type = "list"
    lookup = "arraycontains"
    kept = ("labels", "label", "count desc, value")

    def choosing_args(self, column: str) -> list[str]:
        # An archive's labels are chosen with _label, which reads the label tables'
        # indexes (label_filter.py); the JSON filter of older links is still understood.
        if self.table == "posts" and column == "labels" and self.database in archive_names(self.ds):
            return [label_filter.ARG, *super().choosing_args(column)]
        return super().choosing_args(column)

    def facet_sql(self, col: str, limit: int) -> str:
        return (f"select j.value as value, count(*) as count from (select {col} from ({self.sql})) t, "
                f"json_each(case when json_valid(t.{col}) then t.{col} else '[]' end) j "
                f"where j.type = 'text' group by j.value order by count desc, value limit {limit}")


@hookimpl
def register_facet_classes():
    return [YearFacet, ListFacet]
