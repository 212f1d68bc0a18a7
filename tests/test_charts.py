"""Charts in a real browser: Debian's chromium (Playwright) opens the home page, a label's
page and the crawls page of a crawled archive served by a real Datasette.

Each chart must draw one mark per row of the canned query it links (fetched from its
JSON link), and those rows must be what the archive says, counted here from the posts
and crawls tables in Python: every month from the first post to the last (months
without posts as zero bars), a label's posts against all posts, one bar per crawl,
one per kind of error. A screenshot of every chart is kept in tests/artifacts/charts/.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest

from scraper import store
from test_datasette import datasette_server, site  # noqa: F401  (the fixture)

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).parent / "artifacts" / "charts"

if not Path(CHROMIUM).exists():
    pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)", allow_module_level=True)

sync_api = pytest.importorskip("playwright.sync_api")


def months_between(first: str, last: str) -> list[str]:
    year, month = int(first[:4]), int(first[5:7])
    out = []
    while f"{year:04d}-{month:02d}" <= last:
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


@pytest.fixture(scope="module")
def charted(site, tmp_path_factory):  # noqa: F811
    """The crawled archive, copied, with two more crawls on record (one with failures)."""
    path = tmp_path_factory.mktemp("charts") / "harbour.db"
    source = sqlite3.connect(site.db)
    target = sqlite3.connect(path)
    source.backup(target)
    source.close()
    target.close()
    db = store.open_db(path)
    for errors in ({"http_404": {"count": 3, "examples": ["http://blog.example/a"]},
                    "timeout": {"count": 2, "examples": ["http://blog.example/b"]}},
                   {}):
        crawl_id = store.start_crawl(db, ["http://blog.example/"])
        store.finish_crawl(db, crawl_id, status="finished", posts_found=5, posts_expected=40,
                           errors=sum(e["count"] for e in errors.values()), errors_by_kind=errors)
    db.close()
    with datasette_server([path]) as base:
        yield base, path


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield b
        b.close()


def charts_on(browser, url: str, shot_name: str) -> list[dict]:
    """Every chart of a page: its marks, its data rows (from its JSON link), its text."""
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    elsewhere = []
    page.on("request", lambda r: urlsplit(r.url).hostname != "127.0.0.1" and elsewhere.append(r.url))
    page.goto(url)
    found = []
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for i, figure in enumerate(page.locator("figure.ba-chart").all()):
        figure.scroll_into_view_if_needed()
        figure.screenshot(path=str(ARTIFACTS / f"{shot_name}-{i}.png"))
        data_url = figure.get_attribute("data-json")
        response = page.request.get(urlsplit(url)._replace(path="", query="").geturl() + data_url)
        assert response.ok, data_url
        found.append({
            "title": figure.locator("figcaption strong").inner_text(),
            "marks": figure.locator("svg .role-mark path").count(),
            "rows": json.loads(response.body()),
            "label": figure.locator("svg").get_attribute("aria-label"),
            "role": figure.locator("svg").get_attribute("role"),
            "table_rows": figure.locator("details.ba-chart-data tbody tr").count(),
            "csv": figure.get_by_role("link", name="CSV").get_attribute("href"),
        })
    page.close()
    assert elsewhere == [], elsewhere  # no CDN, no script from anywhere else
    return found


def assert_readable(chart: dict) -> None:
    assert chart["marks"] == len(chart["rows"]) > 0, (chart["title"], chart["marks"], len(chart["rows"]))
    assert chart["role"] == "img" and chart["label"].startswith(chart["title"])
    assert chart["table_rows"] == len(chart["rows"])
    assert ".csv?" in chart["csv"]


def test_home_page_charts_posts_words_and_comments_per_month_with_gaps(browser, charted):
    base, path = charted
    conn = sqlite3.connect(path)
    posts = conn.execute("select substr(published, 1, 7), word_count, comment_count from posts "
                         "where published is not null").fetchall()
    conn.close()
    per_month = Counter(month for month, _, _ in posts)
    months = months_between(min(per_month), max(per_month))
    empty = [m for m in months if m not in per_month]
    assert empty, "the sample archive should have months without posts"

    charts = charts_on(browser, base + "/", "home")
    assert [c["title"] for c in charts] == [
        "Posts per month", "Words per month", "Comments per month (on that month's posts)"]
    for chart in charts:
        assert_readable(chart)
        assert [r["month"] for r in chart["rows"]] == months  # one bar per month, gaps too
    posts_chart, words_chart, comments_chart = charts
    assert {r["month"]: r["posts"] for r in posts_chart["rows"]} == {m: per_month[m] for m in months}
    assert [r["month"] for r in posts_chart["rows"] if r["posts"] == 0] == empty
    assert sum(r["words"] for r in words_chart["rows"]) == sum(w or 0 for _, w, _ in posts)
    assert sum(r["comments"] for r in comments_chart["rows"]) == sum(c or 0 for _, _, c in posts)


def test_label_page_charts_the_label_against_all_posts(browser, charted):
    base, path = charted
    conn = sqlite3.connect(path)
    rows = conn.execute("select substr(published, 1, 7), labels from posts where published is not null").fetchall()
    conn.close()
    label = "Airships"
    labelled = Counter(month for month, labels in rows if label in json.loads(labels or "[]"))
    months = months_between(min(m for m, _ in rows), max(m for m, _ in rows))

    # what label links use, and Datasette's own label filter (the facet's links)
    for arg in ("_label", "labels__arraycontains"):
        (chart,) = charts_on(browser, f"{base}/harbour/posts?{arg}={quote(label)}", "label")
        assert_readable(chart)
        assert len(chart["rows"]) == 2 * len(months)
        mine = {r["month"]: r["posts"] for r in chart["rows"] if r["series"] == label}
        assert mine == {m: labelled.get(m, 0) for m in months}
        assert sum(r["posts"] for r in chart["rows"] if r["series"] == "all posts") == len(rows)


def test_crawls_page_charts_runs_expectations_and_errors(browser, charted):
    base, path = charted
    conn = sqlite3.connect(path)
    crawls = conn.execute("select id, posts_found, posts_expected, errors_by_kind from crawls").fetchall()
    conn.close()
    kinds = [(cid, kind) for cid, _, _, errors in crawls
             for kind, value in json.loads(errors or "{}").items() if value["count"] > 0]
    assert len(crawls) >= 3 and ("timeout" in {k for _, k in kinds})

    found, versus, errors = charts_on(browser, base + "/harbour/crawls", "crawls")
    for chart in (found, versus, errors):
        assert_readable(chart)
    assert sorted(r["crawl_id"] for r in found["rows"]) == [c[0] for c in crawls]
    assert {r["crawl_id"]: r["posts_found"] for r in found["rows"]} == {c[0]: c[1] or 0 for c in crawls}
    expected = sum(1 for c in crawls if c[2] is not None)
    assert Counter(r["series"] for r in versus["rows"]) == {"expected": expected, "archived": len(crawls)}
    assert sorted((r["crawl_id"], r["kind"]) for r in errors["rows"]) == sorted(kinds)
    assert sum(r["errors"] for r in errors["rows"] if r["kind"] == "timeout") == 2
