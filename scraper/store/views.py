"""SQL the schema creates besides tables: the site's views and the search index
with its triggers. Migrations in schema.py create them; the text lives here so
the migrations stay readable."""

from __future__ import annotations

FTS_TOKENIZE = "unicode61 remove_diacritics 2"


# Views the published site reads (charts, canned queries): the column names of
# the tables are spelled here, once. A later change is a migration that
# recreates the view.
SITE_VIEWS = {
    # Every month from a blog's first post to its last, months without posts
    # included (posts = 0), with the month's words, reported comments and images.
    "posts_by_month": """
        with recursive
        dated as (
            select blog_id, substr(published, 1, 7) as month, word_count, comment_count,
                   image_count
            from posts where published glob '[0-9][0-9][0-9][0-9]-[0-9][0-9]*'
        ),
        span as (select blog_id, min(month) as first, max(month) as last from dated group by blog_id),
        months(blog_id, month, last) as (
            select blog_id, first, last from span
            union all
            select blog_id, strftime('%Y-%m', month || '-01', '+1 month'), last
            from months where month < last
        )
        select m.blog_id, m.month, count(d.month) as posts,
               coalesce(sum(d.word_count), 0) as words,
               coalesce(sum(d.comment_count), 0) as comments,
               coalesce(sum(d.image_count), 0) as images
        from months m left join dated d on d.blog_id = m.blog_id and d.month = m.month
        group by m.blog_id, m.month
    """,
    # Posts per label per month (months with posts under the label only).
    "label_posts_by_month": """
        select l.blog_id, l.name as label, substr(p.published, 1, 7) as month,
               count(*) as posts
        from post_labels pl
        join labels l on l.id = pl.label_id
        join posts p on p.id = pl.post_id
        where p.published glob '[0-9][0-9][0-9][0-9]-[0-9][0-9]*'
        group by l.blog_id, l.name, month
    """,
    # One row per crawl: what it found against what the blog says it has, and how
    # many posts the archive held when it ended.
    "crawl_runs": """
        select c.id as crawl_id, c.started, c.finished, c.status, c.pages,
               c.posts_found, c.posts_expected,
               (select count(*) from posts p
                where p.first_seen <= coalesce(c.finished, c.started)
                  and (p.gone_at is null or p.gone_at > coalesce(c.finished, c.started)))
                 as posts_archived,
               c.posts_new, c.posts_updated, c.posts_unchanged, c.posts_gone,
               c.images_new, c.images_failed, c.errors, c.duration_s
        from crawls c
    """,
    # Failed requests per crawl and kind (from crawls.errors_by_kind).
    "crawl_errors": """
        select c.id as crawl_id, c.started, e.key as kind,
               coalesce(json_extract(e.value, '$.count'), e.value) as errors
        from crawls c, json_each(case when json_valid(c.errors_by_kind)
                                      then c.errors_by_kind else '{}' end) e
    """,
}

# m016: the crawl views read crawls only. A `reparse` run (crawls.kind, m011) fetches
# nothing and finds no post: on the crawls charts it looked like a crawl that found
# every post again with zero pages. Runs of every kind stay in `crawls` (and the
# crawl_health query, which shows the kind).
CRAWL_ONLY = "coalesce(c.kind, 'crawl') = 'crawl'"
CRAWL_VIEWS = {
    "crawl_runs": SITE_VIEWS["crawl_runs"].rstrip() + f"\n        where {CRAWL_ONLY}\n    ",
    "crawl_errors": SITE_VIEWS["crawl_errors"].rstrip() + f"\n        where {CRAWL_ONLY}\n    ",
}


# post_images.candidates names the row's own columns instead of repeating their URLs,
# and gives URLs in full_url's folder or the one above as "./rest" and "../rest" (m017,
# scraper/store/images.py): these views write every chain out. One row per candidate
# URL, rank 0 tried first; and post_images as it reads with whole chains, the JSON list
# of URLs spelled as the table held it before (exports read the table through it). Its
# columns are post_images' own, spelled out: a column added to post_images is added
# here by the same migration. A folder is the text up to the last "/": rtrim(x, every
# character of x but "/").
def _folder_sql(url: str) -> str:
    return f"rtrim({url}, replace({url}, '/', ''))"


_HERE = _folder_sql("pi.full_url")
_ABOVE = _folder_sql(f"substr({_HERE}, 1, length({_HERE}) - 1)")
_CANDIDATE_URL = ("case when c.value = 'full_url' then pi.full_url "
                  "when c.value = 'src' then pi.src when c.value = 'link' then pi.link "
                  f"when substr(c.value, 1, 3) = '../' then {_ABOVE} || substr(c.value, 4) "
                  f"when substr(c.value, 1, 2) = './' then {_HERE} || substr(c.value, 3) "
                  "else c.value end")
_CHAIN = ("json_each(case when pi.candidates is null then '[\"full_url\"]' "
          "when json_valid(pi.candidates) then pi.candidates else json_array(pi.candidates) end) c")
IMAGE_CANDIDATE_VIEWS = {
    "post_image_candidates": f"""
        select pi.post_id, pi.position, c.key as rank, {_CANDIDATE_URL} as url
        from post_images pi, {_CHAIN}
    """,
    "post_images_with_candidates": f"""
        select pi.post_id, pi.position, pi.src, pi.full_url, pi.alt, pi.caption, pi.link,
               pi.width, pi.height,
               (select '[' || coalesce(group_concat(json_quote({_CANDIDATE_URL}), ', '), '') || ']'
                from {_CHAIN}) as candidates,
               pi.image_sha256, pi.fetched_url, pi.fetch_error, pi.fetch_attempts
        from post_images pi
    """,
}


# The FTS index of posts reads title from posts and body_text from post_bodies
# through the posts_with_bodies view; every post is in it (a post with no body row
# by its title alone, as the view's LEFT JOIN gives it to a rebuild). Its rowid is
# posts.search_rowid, a column of its own, because a table keyed by text may get
# new rowids from VACUUM. Triggers fire only when an indexed value really changes,
# so re-saving an unchanged post, touching it, marking it gone or counting its
# comments rewrites no index row.
POST_SEARCH_SQL = f"""
CREATE VIEW posts_with_bodies AS
  SELECT p.*, b.body_html AS body_html, b.body_text AS body_text
  FROM posts p LEFT JOIN post_bodies b ON b.post_id = p.id;
CREATE VIRTUAL TABLE posts_fts USING fts5(
  title, body_text, content='posts_with_bodies', content_rowid='search_rowid',
  tokenize='{FTS_TOKENIZE}');
CREATE TRIGGER posts_ai AFTER INSERT ON posts BEGIN
  UPDATE posts SET search_rowid = (SELECT COALESCE(MAX(search_rowid), 0) + 1 FROM posts)
  WHERE id = new.id AND new.search_rowid IS NULL;
  INSERT INTO posts_fts (rowid, title, body_text)
    SELECT p.search_rowid, p.title, b.body_text FROM posts p
    LEFT JOIN post_bodies b ON b.post_id = p.id WHERE p.id = new.id;
END;
CREATE TRIGGER posts_ad AFTER DELETE ON posts BEGIN
  INSERT INTO posts_fts (posts_fts, rowid, title, body_text) VALUES ('delete', old.search_rowid,
    old.title, (SELECT body_text FROM post_bodies WHERE post_id = old.id));
  DELETE FROM post_bodies WHERE post_id = old.id;
END;
CREATE TRIGGER posts_au AFTER UPDATE OF title ON posts WHEN old.title IS NOT new.title BEGIN
  INSERT INTO posts_fts (posts_fts, rowid, title, body_text) VALUES ('delete', old.search_rowid,
    old.title, (SELECT body_text FROM post_bodies WHERE post_id = new.id));
  INSERT INTO posts_fts (rowid, title, body_text) VALUES (new.search_rowid,
    new.title, (SELECT body_text FROM post_bodies WHERE post_id = new.id));
END;
CREATE TRIGGER post_bodies_ai AFTER INSERT ON post_bodies BEGIN
  INSERT INTO posts_fts (posts_fts, rowid, title, body_text)
    SELECT 'delete', p.search_rowid, p.title, NULL FROM posts p WHERE p.id = new.post_id;
  INSERT INTO posts_fts (rowid, title, body_text)
    SELECT p.search_rowid, p.title, new.body_text FROM posts p WHERE p.id = new.post_id;
END;
CREATE TRIGGER post_bodies_ad AFTER DELETE ON post_bodies BEGIN
  INSERT INTO posts_fts (posts_fts, rowid, title, body_text)
    SELECT 'delete', p.search_rowid, p.title, old.body_text FROM posts p WHERE p.id = old.post_id;
  INSERT INTO posts_fts (rowid, title, body_text)
    SELECT p.search_rowid, p.title, NULL FROM posts p WHERE p.id = old.post_id;
END;
CREATE TRIGGER post_bodies_au AFTER UPDATE OF body_text ON post_bodies
WHEN old.body_text IS NOT new.body_text BEGIN
  INSERT INTO posts_fts (posts_fts, rowid, title, body_text)
    SELECT 'delete', p.search_rowid, p.title, old.body_text FROM posts p WHERE p.id = new.post_id;
  INSERT INTO posts_fts (rowid, title, body_text)
    SELECT p.search_rowid, p.title, new.body_text FROM posts p WHERE p.id = new.post_id;
END;
DROP TRIGGER IF EXISTS comments_au;
CREATE TRIGGER comments_au AFTER UPDATE OF author, body_text ON comments
WHEN old.author IS NOT new.author OR old.body_text IS NOT new.body_text BEGIN
  INSERT INTO comments_fts (comments_fts, rowid, author, body_text)
    VALUES ('delete', old.rowid, old.author, old.body_text);
  INSERT INTO comments_fts (rowid, author, body_text)
    VALUES (new.rowid, new.author, new.body_text);
END;
"""



# Posts per year of `published` and per label of `labels`, kept by triggers: the
# posts table's default year and label facets read these few rows instead of
# every post (1M posts: a second or more each). The values are exactly what the
# facets count (datasette/blogarchive_site/facets.py): the first four characters
# of a date that starts with four digits; each text item of a valid JSON array.
# A post's entries are added on insert, taken away on delete, and moved when its
# date or labels change; rows that reach 0 go. ({table}: "FROM posts" to count every
# post, empty in a trigger, which counts the one row.) (A migration that rebuilds posts,
# as m014 did, drops these triggers: it must create them again.)
FACET_COUNT_ROWS = """
    SELECT 'year' AS facet, substr({row}.published, 1, 4) AS value, {sign} AS posts {table}
    WHERE {row}.published GLOB '[0-9][0-9][0-9][0-9]*'
    UNION ALL
    SELECT 'label', j.value, {sign} FROM {table_and} json_each(
      CASE WHEN json_valid({row}.labels) THEN {row}.labels ELSE '[]' END) j
    WHERE j.type = 'text'"""


def _rows(row: str, sign: int) -> str:
    return FACET_COUNT_ROWS.format(row=row, sign=sign, table="", table_and="")


_ADD = "INSERT INTO post_facet_counts (facet, value, posts) {rows}\n" \
       "  ON CONFLICT (facet, value) DO UPDATE SET posts = posts + excluded.posts;"
_DROP_EMPTY = "DELETE FROM post_facet_counts WHERE posts = 0;"

FACET_COUNTS_SQL = f"""
CREATE TABLE post_facet_counts (
  facet TEXT NOT NULL, value TEXT NOT NULL, posts INTEGER NOT NULL,
  PRIMARY KEY (facet, value)) WITHOUT ROWID;
CREATE TRIGGER posts_facets_ai AFTER INSERT ON posts BEGIN
  {_ADD.format(rows=_rows("new", 1))}
END;
CREATE TRIGGER posts_facets_ad AFTER DELETE ON posts BEGIN
  {_ADD.format(rows=_rows("old", -1))}
  {_DROP_EMPTY}
END;
CREATE TRIGGER posts_facets_au AFTER UPDATE OF published, labels ON posts
WHEN old.published IS NOT new.published OR old.labels IS NOT new.labels BEGIN
  {_ADD.format(rows=_rows("old", -1))}
  {_ADD.format(rows=_rows("new", 1))}
  {_DROP_EMPTY}
END;
"""
