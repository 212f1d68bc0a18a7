"""``?_label=X`` on an archive's ``posts`` table: the posts under a label, found
through the ``labels`` and ``post_labels`` tables and their indexes.

``?labels__arraycontains=X`` selects the same posts, but Datasette writes it as a
``json_each`` over every post's ``labels`` column (100k posts: about 70 ms of CPU
for each of the page's count and facet queries; 1M posts: past the time limit).
A ``filters_from_request`` hook can add conditions but cannot take Datasette's own
filter away, so the label links use this argument instead; the old one keeps working.
With a plain ``blog_id=`` argument too, only that blog's label of that name counts
(two blogs in one archive may use the same label).
"""

from __future__ import annotations

from datasette import hookimpl
from datasette.filters import FilterArguments

from .archive import archive_names

ARG = "_label"


def label_clause(param: str, blog_param: str | None) -> str:
    blog = f" and l.blog_id = :{blog_param}" if blog_param else ""
    return ("id in (select pl.post_id from post_labels pl join labels l on l.id = pl.label_id"
            f" where l.name = :{param}{blog})")


@hookimpl
def filters_from_request(request, database, table, datasette):
    if table != "posts" or database not in archive_names(datasette):
        return None
    labels = request.args.getlist(ARG)
    if not labels:
        return None
    where, params, described = [], {}, []
    blog_param = None
    if request.args.get("blog_id"):
        blog_param = "label_blog_id"
        params[blog_param] = request.args["blog_id"]
    for i, label in enumerate(labels):
        params[f"label_{i}"] = label
        where.append(label_clause(f"label_{i}", blog_param))
        described.append(f'label is "{label}"')
    return FilterArguments(where, params, described, {})
