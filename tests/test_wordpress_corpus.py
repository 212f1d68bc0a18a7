"""The real saved WordPress blog in ../shared/corpus (Thematic theme), crawled by the real CLI.

Ground truth is read from the saved files with plain regular expressions
(independent of the parser under test): every saved post page reachable from
the home page is in the archive, once, with its title, published time and
labels (categories, then tags).
"""

from __future__ import annotations

import html
import json
import re
import sqlite3

from conftest import CORPUS, crawl, mirror_server

SITE, HOST = "blog.mylittlepwnage.com", "blog.mylittlepwnage.com"
POST_FILE = re.compile(r"^(\d{4}/\d{2}/\d{2}/[^/]+)/index\.html$")


def saved_posts() -> dict[str, dict]:
    root = CORPUS / "sites" / SITE
    posts = {}
    for path in sorted(root.rglob("index.html")):
        m = POST_FILE.match(path.relative_to(root).as_posix())
        if not m:
            continue
        text = path.read_text("utf-8", errors="replace")
        title = re.search(r'<h1 class="entry-title">(.*?)</h1>', text, re.S)
        published = re.search(r'<abbr class="published" title="([^"]+)"', text)
        utility = re.search(r'<div class="entry-utility">(.*?)</div>', text, re.S)
        utility = utility.group(1) if utility else ""
        labels = re.findall(r'rel="category tag">([^<]*)</a>', utility) + \
            re.findall(r'rel="tag">([^<]*)</a>', utility)
        postid = re.search(r'<body class="[^"]*\bpostid-(\d+)', text)
        stamp = published.group(1) if published else ""
        posts["/" + m.group(1) + "/"] = {
            "title": html.unescape(re.sub(r"<[^>]+>", "", title.group(1))).strip() if title else "",
            # "2009-03-07T23:19:10+1300" as written; the archive keeps "+13:00".
            "published": re.sub(r"([+-]\d{2})(\d{2})$", r"\1:\2", stamp),
            "labels": [html.unescape(label) for label in labels],
            "wp_id": postid.group(1) if postid else "",
        }
    return posts


def test_every_saved_post_is_archived_with_its_fields(tmp_path):
    truth = saved_posts()  # skips (below) when the corpus is absent
    with mirror_server(SITE, HOST) as (url, log):
        assert len(truth) == 66
        db_path = tmp_path / "archive.db"
        result = crawl(url, db_path, "--images", "none")
        requested = [line.split(" ", 2)[2] for line in log.read_text().splitlines()]
    db = sqlite3.connect(db_path)
    db.row_factory = sqlite3.Row
    origin = url.rstrip("/")
    rows = {r["url"].replace(origin, ""): dict(r) for r in db.execute("SELECT * FROM posts_with_bodies")}
    missing = sorted(set(truth) - set(rows))
    assert not missing, f"saved post pages not archived: {missing}"
    assert len(rows) == 66
    for path, want in truth.items():
        got = rows[path]
        assert got["title"] == want["title"], path
        assert got["published"] == want["published"], path
        assert json.loads(got["labels"]) == want["labels"], path
        assert got["id"].endswith(":" + want["wp_id"]), path
        assert got["author"] == "SCdF"
        assert got["word_count"] > 0 or "<img" in got["body_html"] or "<object" not in got["body_html"]
    # Comments (Thematic markup), with authors and their times as shown.
    assert db.execute("SELECT COUNT(*) FROM comments").fetchone()[0] > 50
    assert db.execute("SELECT COUNT(*) FROM comments WHERE author = '' OR body_text = ''"
                      ).fetchone()[0] == 0
    # Images are kept as post_images rows with the original upload as the full size.
    full = [r[0] for r in db.execute("SELECT full_url FROM post_images")]
    assert any(u.endswith("/wp-content/uploads/2009/01/carpets-this-thick.png") for u in full)
    assert not [u for u in full if re.search(r"-\d+x\d+\.(png|jpe?g)$", u, re.I)
                and "/wp-content/uploads/" in u]
    crawl_row = db.execute("SELECT * FROM crawls ORDER BY id DESC").fetchone()
    assert crawl_row["status"] == "finished", dict(crawl_row)
    # One request per post page; no feeds other than the blog's own, no traps.
    post_requests = [p for p in requested if POST_FILE.match(p.lstrip("/") + "index.html")
                     or re.match(r"^/\d{4}/\d{2}/\d{2}/[^/]+/(index\.html)?$", p)]
    assert len(post_requests) == len(set(post_requests)) == 66, post_requests
    assert not [p for p in requested if "/feed/" in p and p not in ("/feed/", "/feed/index.html")]
    assert not [p for p in requested if "xmlrpc" in p or "wp-admin" in p or "replytocom" in p]
    assert "posts new 66" in result.stdout
