"""The site's monthly counts (the home page's charts, a label's chart) say what the
``posts_by_month`` and ``label_posts_by_month`` views say, though they read indexes
instead of sorting every post; and the home page, whose figures are kept until the
archive changes (until_changed.py), shows what a crawl wrote while it was served."""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
import yaml

from conftest import free_port, wait_for
from scraper import store
from scraper.publish import datasette_command

METADATA = Path(__file__).resolve().parents[1] / "datasette" / "blogarchive_site" / "metadata.yml"

# What the charts' canned queries said when they read the views (every post sorted).
BY_VIEWS = {
    "posts_per_month": """
        select month, sum(posts) as posts, sum(words) as words, sum(comments) as comments,
               sum(images) as images
        from posts_by_month where (:blog = '' or blog_id = :blog) group by month order by month""",
    "label_against_all_posts": """
        with months as (select month, sum(posts) as posts from posts_by_month group by month),
        labelled as (select month, sum(posts) as posts from label_posts_by_month
                     where label = :label group by month)
        select month, series, posts from (
          select months.month, 0 as part, 'all posts' as series, months.posts from months
          union all
          select months.month, 1, :label, coalesce(labelled.posts, 0)
          from months left join labelled on labelled.month = months.month)
        order by month, part""",
}

# Two blogs whose spans overlap, months without posts, dates that are not whole dates,
# a label both blogs use and one only the second does.
POSTS = {
    "north": [("2019-11-03T10:00:00+01:00", ["Harbours"]), ("2019-11-30T23:59:00-05:00", ["Harbours", "Tides"]),
              ("2020-02-14T08:00:00+00:00", []), ("2020-02", ["Tides"]), ("last spring", ["Harbours"]),
              (None, ["Tides"]), ("2020-06-01T00:00:00+02:00", ["Harbours"])],
    "south": [("2020-01-05T12:00:00+00:00", ["Harbours", "Gulls"]), ("2020-09-09T09:09:09+00:00", ["Gulls"]),
              ("2021-03-01", ["Harbours"])],
}


def post(blog_id: str, i: int, published, labels) -> dict:
    return {"id": f"{blog_id}-{i}", "blog_id": blog_id, "url": f"http://{blog_id}.example/{i}.html",
            "title": f"Post {i}", "published": published, "labels": labels,
            "body_html": "<p>Gulls over the quay.</p>" * (i + 1), "body_text": "Gulls over the quay. " * (i + 1),
            "comment_count": i, "image_count": i % 2}


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    path = tmp_path_factory.mktemp("counts") / "quays.db"
    db = store.open_db(path)
    for blog_id, posts in POSTS.items():
        store.save_blog(db, {"id": blog_id, "url": f"http://{blog_id}.example", "title": blog_id})
        for i, (published, labels) in enumerate(posts):
            store.save_post(db, post(blog_id, i, published, labels))
    db.conn.close()
    return path


def canned(name: str) -> str:
    return yaml.safe_load(open(METADATA))["databases"]["archive"]["queries"][name]["sql"]


@pytest.mark.parametrize("blog", ["", "north", "south", "nowhere"])
def test_posts_per_month_counts_what_the_view_counts(archive, blog):
    conn = sqlite3.connect(archive)
    rows = conn.execute(canned("posts_per_month"), {"blog": blog}).fetchall()
    assert rows == conn.execute(BY_VIEWS["posts_per_month"], {"blog": blog}).fetchall()
    if blog == "north":  # the gap months are there, the undated posts are not
        assert [r[0] for r in rows] == ["2019-11", "2019-12", "2020-01", "2020-02", "2020-03",
                                        "2020-04", "2020-05", "2020-06"]
        assert [r[1] for r in rows] == [2, 0, 0, 2, 0, 0, 0, 1]


@pytest.mark.parametrize("label", ["Harbours", "Tides", "Gulls", "Nowhere"])
def test_label_chart_counts_what_the_views_count(archive, label):
    conn = sqlite3.connect(archive)
    rows = conn.execute(canned("label_against_all_posts"), {"label": label}).fetchall()
    assert rows == conn.execute(BY_VIEWS["label_against_all_posts"], {"label": label}).fetchall()
    assert len(rows) == 2 * 17  # 2019-11 to 2021-03, both series


def get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=30) as r:
        return r.read().decode()


def facets(base: str, label: str) -> dict:
    """The year and label facets of a label's page (counted, then kept)."""
    page = json.loads(get(f"{base}/quays/posts.json?" + urllib.parse.urlencode({"_label": label})))
    return {name: {v["value"]: v["count"] for v in facet["results"]}
            for name, facet in page["facet_results"].items() if name in ("published", "labels")}


def blog_line(page: str, blog: str) -> str:
    card = page.split(f">{blog}</a></h2>", 1)[1]
    return re.search(r"<p>([\d,]+ posts[^<]*)", card).group(1)


def test_home_page_shows_what_a_crawl_wrote_while_it_was_served(archive, tmp_path):
    path = tmp_path / "quays.db"
    source, target = sqlite3.connect(archive), sqlite3.connect(path)
    source.backup(target)
    source.close(), target.close()
    port = free_port()
    proc = subprocess.Popen(datasette_command([str(path)], port=port),
                            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for(f"{base}/-/versions.json", timeout=60)
        before = get(base + "/")
        assert blog_line(before, "south").startswith("3 posts, 2020–2021")
        assert get(base + "/") == before  # kept: the same page
        label_page = f"{base}/quays/posts?" + urllib.parse.urlencode({"_label": "Gulls"})
        assert "Gulls: 2 in all" in get(label_page)
        assert facets(base, "Gulls") == {"published": {"2020": 2}, "labels": {"Gulls": 2, "Harbours": 1}}
        # A crawl writes while the site is served: a post in a later year, under Gulls.
        db = store.open_db(path)
        store.save_post(db, post("south", 3, "2023-05-05T05:05:05+00:00", ["Gulls"]))
        db.conn.close()
        after = get(base + "/")
        assert blog_line(after, "south").startswith("4 posts, 2020–2023")
        assert "Posts per month: 41 months from 2020-01 to 2023-05" in after
        assert "Gulls: 3 in all" in get(label_page)
        assert facets(base, "Gulls") == {"published": {"2023": 1, "2020": 2}, "labels": {"Gulls": 3, "Harbours": 1}}
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_facets_past_their_time_limit_are_counted_for_the_next_page(tmp_path):
    path = tmp_path / "many.db"
    db = store.open_db(path)
    store.save_blog(db, {"id": "north", "url": "http://north.example", "title": "north"})
    labels = db["labels"].insert({"blog_id": "north", "name": "Quays"}).last_pk
    db["posts"].insert_all(({"id": f"p{i}", "blog_id": "north", "url": f"http://north.example/{i}",
                             "title": f"Post {i}", "published": f"{2001 + i % 7}-03-01T10:00:00+00:00",
                             "labels": '["Quays"]'} for i in range(6000)), batch_size=2000)
    db["post_labels"].insert_all(({"post_id": f"p{i}", "label_id": labels} for i in range(6000)), batch_size=2000)
    db.conn.commit()
    db.conn.close()
    port = free_port()
    # a time limit no facet over 6,000 posts meets (the page's own queries keep theirs)
    proc = subprocess.Popen(datasette_command([str(path)], port=port,
                                              extra=["--setting", "facet_time_limit_ms", "1"]),
                            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for(f"{base}/-/versions.json", timeout=60)
        query = urllib.parse.urlencode({"_label": "Quays", "_size": 0})
        timed_out = re.search(r"These facets timed out: ([^<]*)", get(f"{base}/many/posts?{query}"))
        assert {"published", "labels"} <= set(timed_out.group(1).split(", "))  # said, not hidden
        url = f"{base}/many/posts.json?{query}"
        for _ in range(100):
            page = json.loads(get(url))
            if "published" in page["facet_results"] and "labels" in page["facet_results"]:
                break
            time.sleep(0.1)
        years = {v["value"]: v["count"] for v in page["facet_results"]["published"]["results"]}
        assert years == {str(2001 + y): len(range(y, 6000, 7)) for y in range(7)}
        assert [(v["value"], v["count"]) for v in page["facet_results"]["labels"]["results"]] == [("Quays", 6000)]
        assert page["filtered_table_rows_count"] == 6000
    finally:
        proc.terminate()
        proc.wait(timeout=10)
