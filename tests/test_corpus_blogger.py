"""The real saved Blogger blogs in ../shared/corpus, crawled by the real CLI.

Ground truth is read from the saved files with plain regular expressions
(independent of the parser under test): every saved post page must be in the
archive, once, with its title, exact published time and labels.
"""

from __future__ import annotations

import html
import json
import re
import sqlite3

import pytest

from conftest import CORPUS, crawl, mirror_server

POST_FILE = re.compile(r"^\d{4}/\d{2}/[^/?]+\.html$")


def saved_posts(site: str) -> dict[str, dict]:
    root = CORPUS / "sites" / site
    posts = {}
    for path in sorted(root.rglob("*.html")):
        rel = path.relative_to(root).as_posix()
        if not POST_FILE.match(rel) or rel.endswith("/index.html"):
            continue
        text = path.read_text("utf-8", errors="replace")
        title = re.search(r"<h3 class='post-title entry-title'[^>]*>\s*(.*?)\s*</h3>", text, re.S)
        published = re.search(r"<abbr class='published'[^>]*title='([^']+)'", text)
        body = re.search(r"<div class='post-body entry-content'[^>]*>(.*?)<div class='post-footer'>", text, re.S)
        body_words = len(re.findall(r"\w+", html.unescape(re.sub(r"<[^>]+>", " ", body.group(1))))) if body else 0
        labels = re.findall(r"<a href='[^']*search/label/[^']*' rel='tag'>([^<]*)</a>", text)
        posts["/" + rel] = {
            "title": html.unescape(re.sub(r"<[^>]+>", "", title.group(1))).strip() if title else "",
            "published": published.group(1) if published else None,
            "labels": [html.unescape(label) for label in labels],
            "has_text": body_words > 0,
        }
    return posts


@pytest.mark.parametrize(
    "site,host,expected_total",
    [
        ("jorgeelconstructor.blogspot.com", "jorgeelconstructor.blogspot.com", 39),
        ("klenovsekboris.blogspot.com", "klenovsekboris.blogspot.com", 7),
    ],
)
def test_every_saved_post_is_archived_with_its_fields(tmp_path, site, host, expected_total):
    if not (CORPUS / "sites" / site).is_dir():
        pytest.skip(f"the saved blog {site} is not here")
    truth = saved_posts(site)
    assert len(truth) >= expected_total - 1
    with mirror_server(site, host) as (url, log):
        db_path = tmp_path / "archive.db"
        result = crawl(url, db_path)
        requested = [line.split(" ", 2)[2] for line in log.read_text().splitlines()]
    db = sqlite3.connect(db_path)
    db.row_factory = sqlite3.Row
    rows = {r["url"].replace(url.rstrip("/"), ""): dict(r) for r in db.execute("SELECT * FROM posts_with_bodies")}
    missing = sorted(set(truth) - set(rows))
    assert not missing, f"saved post pages not archived: {missing}"
    for path, want in truth.items():
        got = rows[path]
        assert got["title"] == want["title"], path
        if want["published"]:
            assert got["published"] == want["published"], path
        assert json.loads(got["labels"]) == want["labels"], path
        assert (got["word_count"] > 0) == want["has_text"], path
    # The blog's own count is recorded and met: nothing missed silently.
    crawl_row = db.execute("SELECT * FROM crawls ORDER BY id DESC").fetchone()
    assert crawl_row["status"] == "finished", dict(crawl_row)
    assert crawl_row["posts_expected"] == expected_total
    assert db.execute("SELECT COUNT(*) FROM posts").fetchone()[0] == expected_total
    # One request per post page: ?showComment= and ?m=1 copies are never fetched.
    post_requests = [p for p in requested if re.match(r"^/\d{4}/\d{2}/[^/]+\.html", p)
                     and not p.endswith("/index.html")]
    assert len(post_requests) == len(set(post_requests)) == expected_total, post_requests
    assert not [p for p in requested if "showComment" in p or "m=1" in p]
    assert "posts new" in result.stdout


def test_rerun_adds_nothing_twice(tmp_path):
    with mirror_server("jorgeelconstructor.blogspot.com", "jorgeelconstructor.blogspot.com") as (url, _):
        db_path = tmp_path / "archive.db"
        crawl(url, db_path)
        second = crawl(url, db_path)
    db = sqlite3.connect(db_path)
    assert db.execute("SELECT COUNT(*) FROM posts").fetchone()[0] == 39
    assert db.execute("SELECT COUNT(*) FROM post_versions").fetchone()[0] == 0
    assert db.execute("SELECT COUNT(*) FROM posts_fts").fetchone()[0] == 39
    assert db.execute("SELECT COUNT(*) FROM posts_fts_docsize").fetchone()[0] == 39
    assert db.execute("SELECT COUNT(*) FROM crawls").fetchone()[0] == 2
    assert "posts new 0" in second.stdout
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
