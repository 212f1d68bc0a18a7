"""``?_label=X`` on an archive's ``posts`` table: the posts under a label, found
through the ``labels`` and ``post_labels`` tables and their indexes.

``?labels__arraycontains=X`` selects the same posts, but Datasette writes it as a
``json_each`` over every post's ``labels`` column (100k posts: about 70 ms of CPU
for each of the page's count and facet queries; 1M posts: past the time limit).
A ``filters_from_request`` hook can add conditions but cannot take Datasette's own
filter away, so the label links use this argument instead; the old one keeps working.
Two blogs in one archive may use the same label: ``&_label_blog=B`` (what label links
write) or a plain ``&blog_id=B`` counts only blog B's label of that name. Label links
write the former because Datasette's own ``blog_id = B`` condition leads SQLite, which
has no statistics to tell it that most posts are B's, to read all of B's posts through
the blog_id index instead of looking up the label's posts (100k posts, a label in 3 %
of them: 179 ms of SQL a page instead of 57).
"""

from __future__ import annotations

from datasette import hookimpl
from datasette.filters import FilterArguments

from .archive import archive_names

ARG = "_label"
BLOG_ARG = "_label_blog"


def label_clause(param: str, blog_param: str | None, broad: bool = False) -> str:
    blog = f" and l.blog_id = :{blog_param}" if blog_param else ""
    if broad:
        # Each post asks whether it has the label (the post_labels key): the page walks
        # posts in its order and stops when it is full, instead of first listing the
        # label's posts (1M posts, a label on 445k: past the 3 s limit, a 400).
        return ("exists (select 1 from post_labels pl where pl.post_id = posts.id and pl.label_id in "
                f"(select l.id from labels l where l.name = :{param}{blog}))")
    return ("id in (select pl.post_id from post_labels pl join labels l on l.id = pl.label_id"
            f" where l.name = :{param}{blog})")


def broad_from(posts: int) -> int:
    """How many posts make a label broad enough to walk: the list of a label's posts costs
    about three lookups a post, the walk one a post until the page is full; the page's
    count and facets, sharing the filter, read every post either way when walked, and
    stop at their time limits (Datasette leaves out a count or facet that does)."""
    return max(1, posts // 4)


async def is_broad(db, label: str, blog: str | None) -> bool:
    blog_sql = " and l.blog_id = :blog" if blog else ""
    posts = (await db.execute("select max(search_rowid) from posts")).first()[0] or 0
    cap = broad_from(posts)
    found = (await db.execute(
        "select count(*) from (select 1 from labels l join post_labels pl on pl.label_id = l.id "
        f"where l.name = :label{blog_sql} limit {cap})", {"label": label, "blog": blog})).first()[0]
    return found >= cap


@hookimpl
def filters_from_request(request, database, table, datasette):
    if table != "posts" or database not in archive_names(datasette):
        return None
    labels = request.args.getlist(ARG)
    if not labels:
        return None

    async def inner():
        where, params, described = [], {}, []
        blog_param, blog = None, request.args.get(BLOG_ARG) or request.args.get("blog_id")
        if blog:
            blog_param = "label_blog_id"
            params[blog_param] = blog
        db = datasette.get_database(database)
        for i, label in enumerate(labels):
            params[f"label_{i}"] = label
            where.append(label_clause(f"label_{i}", blog_param, await is_broad(db, label, blog)))
            described.append(f'label is "{label}"' + (f' of blog "{blog}"' if request.args.get(BLOG_ARG) else ""))
        return FilterArguments(where, params, described, {})

    return inner
