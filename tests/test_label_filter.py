"""A label's page (``?_label=X``, what label links use) lists the same posts, in the
same order and count, as Datasette's own ``?labels__arraycontains=X``, while reading
the label tables' indexes instead of every post's labels (label_filter.py)."""

from __future__ import annotations

import json
import subprocess
import urllib.parse
import urllib.request

import pytest

from conftest import free_port, wait_for
from scraper import store
from scraper.publish import datasette_command

QUOTED = 'Quay "North" – café'
# Two blogs share "Harbours"; "Harbour" is a prefix of it and must not match it.
POSTS = {
    "north": [("Harbours", QUOTED), ("Harbours",), ("Harbour",), (QUOTED, "Tides"), ("Harbours", "Tides"), ()],
    "south": [("Harbours",), ("Tides", "Harbours"), (QUOTED,), ("Harbour", "Gulls")],
}


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    path = tmp_path_factory.mktemp("labels") / "quays.db"
    db = store.open_db(path)
    for blog_id, labelled in POSTS.items():
        store.save_blog(db, {"id": blog_id, "url": f"http://{blog_id}.example", "title": blog_id})
        for i, labels in enumerate(labelled):
            store.save_post(db, {
                "id": f"{blog_id}-{i}", "blog_id": blog_id, "url": f"http://{blog_id}.example/{i}.html",
                "title": f"Post {i}", "labels": list(labels), "body_html": "<p>Gulls.</p>",
                "body_text": "Gulls.",
                # the two blogs' posts interleave in time; two share a moment
                "published": f"2020-0{1 + i % 3}-{10 + i * 2 + (blog_id == 'south')}T08:00:00+00:00"})
    db.conn.close()
    port = free_port()
    proc = subprocess.Popen(datasette_command([str(path)], port=port),
                            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        wait_for(f"http://127.0.0.1:{port}/-/versions.json", timeout=60)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def listing(base: str, **params) -> tuple[list[str], int]:
    """Every post id the table lists, following its pages, and the count it shows."""
    url = f"{base}/quays/posts.json?" + urllib.parse.urlencode({"_size": 2, **params})
    ids, count = [], None
    while url:
        with urllib.request.urlopen(url, timeout=30) as r:
            page = json.load(r)
        ids += [row[page["columns"].index("id")] for row in page["rows"]]
        count = page["filtered_table_rows_count"] if count is None else count
        url = page["next_url"]
    return ids, count


@pytest.mark.parametrize("label", ["Harbours", "Harbour", QUOTED, "Tides", "Nowhere"])
@pytest.mark.parametrize("blog", [None, "north", "south"])
@pytest.mark.parametrize("order", [{"_sort_desc": "published_utc"}, {}])
def test_label_argument_lists_what_the_json_filter_lists(archive, label, blog, order):
    where = {"blog_id": blog} if blog else {}
    by_json = listing(archive, labels__arraycontains=label, **where, **order)
    assert listing(archive, _label=label, **where, **order) == by_json
    # what label links write: the blog as part of the label
    assert listing(archive, _label=label, **({"_label_blog": blog} if blog else {}), **order) == by_json
    expected = sum(label in labels for b, posts in POSTS.items() if blog in (None, b) for labels in posts)
    assert by_json[1] == expected == len(by_json[0])


def test_label_page_says_which_label_and_sort_links_keep_it(archive):
    with urllib.request.urlopen(f"{archive}/quays/posts?" + urllib.parse.urlencode(
            {"_label": QUOTED, "_label_blog": "north"}), timeout=30) as r:
        page = r.read().decode()
    assert "<title>quays: posts: 2 rows where label is &#34;Quay &#34;North&#34; – café&#34; of blog &#34;north&#34;" in page
    # sorting by a column keeps the label
    assert 'href="/quays/posts?_label=Quay+%22North%22+%E2%80%93+caf%C3%A9&amp;_label_blog=north&amp;_sort=title"' in page


def facet(base: str, **params) -> dict:
    """The label facet of the posts table, as its JSON gives it."""
    url = f"{base}/quays/posts.json?" + urllib.parse.urlencode({"_size": 0, **params})
    with urllib.request.urlopen(url, timeout=30) as r:
        facets = json.load(r)["facet_results"]
    return {v["value"]: v for v in next(f for f in facets.values() if f["type"] == "list")["results"]}


def test_choosing_a_label_in_the_facet_goes_to_the_label_page_and_back(archive):
    harbours = facet(archive)["Harbours"]
    assert harbours["count"] == 5 and not harbours["selected"]
    chosen = urllib.parse.urlsplit(harbours["toggle_url"])
    assert urllib.parse.parse_qs(chosen.query) == {"_size": ["0"], "_label": ["Harbours"]}  # the indexed argument
    assert listing(archive, _label="Harbours") == listing(archive, labels__arraycontains="Harbours")
    # On the label's page the facet shows it chosen; its toggle removes it, whichever
    # argument chose it (older links name labels__arraycontains).
    for arg, blog_arg in (("_label", "_label_blog"), ("labels__arraycontains", "blog_id")):
        on_page = facet(archive, **{arg: "Harbours", blog_arg: "north"})
        assert on_page["Harbours"]["selected"] and on_page["Harbours"]["count"] == 3
        assert not on_page["Tides"]["selected"]
        back = urllib.parse.parse_qs(urllib.parse.urlsplit(on_page["Harbours"]["toggle_url"]).query)
        assert back == {"_size": ["0"], blog_arg: ["north"]}
