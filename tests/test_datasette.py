"""The published site: a real Datasette (started as `blogarchive serve` starts it) over an
archive made by a real crawl of the sample blog, asked over HTTP.

The crawl goes through a small proxy that adds an XSS payload to one post (so the
payload travels the real path: page → parser → store → Datasette), and a second
malicious row is written straight into the database, bypassing the store's
sanitiser, to prove that the site sanitises again when it renders.
"""

from __future__ import annotations

import contextlib
import csv
import html
import http.client
import io
import json
import re
import sqlite3
import struct
import subprocess
import threading
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
import zlib
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from conftest import crawl, free_port, wait_for
from scraper import store
from scraper.publish import datasette_command
from scraper.sample import BlogServer, make_demo_blog
from scraper.sample.markup import linkify

XSS_WORD = "Xssmarker"
XSS_PAYLOAD = (
    f"<b>{XSS_WORD}</b> payload: "
    "<script>window.__xss = 1; alert('script')</script>"
    "<img src=\"x\" onerror=\"window.__xss = 2; alert('onerror')\">"
    "<a href=\"javascript:window.__xss = 3; alert('js-link')\" id=\"xss-link\">click me</a>"
    "<iframe src=\"javascript:alert('iframe')\"></iframe>"
    "<object data=\"javascript:alert('object')\"></object>"
    "<svg onload=\"alert('svg')\"><circle r=\"4\"/></svg>"
    "<div style=\"background:url(javascript:alert('css'));width:expression(alert('expr'))\">styled</div>"
)
RAW_EVIL_BODY = (
    "<p>Rawevil body text survives.</p>" + XSS_PAYLOAD.replace(XSS_WORD, "Rawevil")
    + "<form action=\"https://evil.example/\"><input name=\"q\"></form>"
    "<img src=\"https://evil.example/tracker.png\" alt=\"tracker\">"
    "<p onclick=\"alert('click')\">Click text</p>"
)
UNIQUE_TITLE_WORD = "Zeppelinhafen"
COMMENT_WORD = "quokkaphoto"
BULK_POSTS = 1100


def tiny_png(width: int = 3, height: int = 2, rgb=(200, 30, 60)) -> bytes:
    """A real PNG file, made by hand."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(
            ">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    raw = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


# -- a proxy that injects the payload into one post on its way to the crawler -------------


class InjectingProxy:
    """Forwards to the sample blog, rewrites its address to the proxy's, and adds
    ``replacement`` after ``needle`` in the page at ``path``."""

    def __init__(self, upstream: str, path: str, needle: str, replacement: str):
        self.upstream = urllib.parse.urlsplit(upstream)
        self.path, self.needle, self.replacement = path, needle, replacement
        self.injected = 0
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                proxy.forward(self, head=False)

            def do_HEAD(self):  # noqa: N802
                proxy.forward(self, head=True)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def forward(self, handler, head: bool):
        conn = http.client.HTTPConnection(self.upstream.hostname, self.upstream.port, timeout=30)
        headers = {k: v for k, v in handler.headers.items()
                   if k.lower() in ("user-agent", "accept", "if-none-match", "if-modified-since")}
        conn.request("HEAD" if head else "GET", handler.path, headers=headers)
        response = conn.getresponse()
        body = response.read()
        conn.close()
        old, new = self.upstream.netloc.encode(), urllib.parse.urlsplit(self.url).netloc.encode()
        body = body.replace(old, new)
        if urllib.parse.urlsplit(handler.path).path == self.path and self.needle.encode() in body:
            body = body.replace(self.needle.encode(), (self.needle + self.replacement).encode(), 1)
            self.injected += 1
        handler.send_response(response.status)
        for key, value in response.getheaders():
            if key.lower() in ("content-length", "transfer-encoding", "connection", "date", "server"):
                continue
            handler.send_header(key, value.replace(old.decode(), new.decode()))
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        if not head:
            handler.wfile.write(body)

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


# -- building the archive ------------------------------------------------------------------


@dataclass
class Site:
    base: str
    db: Path
    bulk: Path
    name: str
    blog_id: str
    xss_post_id: str
    raw_evil_id: str
    image_post_id: str
    png_sha: str
    png: bytes
    titled_id: str
    counts: dict = field(default_factory=dict)

    def get(self, path: str, **kw):
        return fetch(self.base + path, **kw)


def fetch(url: str, method: str = "GET", data: bytes | None = None):
    request = urllib.request.Request(url, method=method, data=data)
    try:
        with urllib.request.urlopen(request, timeout=30) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def fill_missing_images(db_path: Path) -> None:
    """Download images the crawl left unfetched (only while image fetching is being built)."""
    import hashlib

    conn = sqlite3.connect(db_path)
    rows = conn.execute("select post_id, position, json_group_array(url) from ("
                        "select c.post_id, c.position, c.url from post_image_candidates c "
                        "join post_images pi using (post_id, position) where pi.image_sha256 is null "
                        "order by c.post_id, c.position, c.rank) group by post_id, position").fetchall()
    for post_id, position, candidates in rows:
        for url in json.loads(candidates):
            try:
                with urllib.request.urlopen(url, timeout=10) as r:
                    data, ctype = r.read(), r.headers.get_content_type()
            except OSError:
                continue
            sha = hashlib.sha256(data).hexdigest()
            conn.execute("insert or ignore into images (sha256, content, content_type, size, "
                         "source_url) values (?, ?, ?, ?, ?)", (sha, data, ctype, len(data), url))
            conn.execute("update post_images set image_sha256 = ? where post_id = ? and position = ?",
                         (sha, post_id, position))
            break
    conn.commit()
    conn.close()


def build_archive(folder: Path) -> dict:
    blog = make_demo_blog()
    target = next(p for p in blog.sorted_posts() if p.images and len(p.paragraphs) > 1 and p.title)
    # The end of the first paragraph inside the post body (the page's meta description
    # quotes the paragraph's start, never its closing tag).
    needle = linkify(list(target.paragraphs)[0])[-40:] + "</p>"
    with BlogServer(blog) as server:
        proxy = InjectingProxy(server.origin, target.path, needle, " " + XSS_PAYLOAD)
        try:
            db_path = folder / "harbour.db"
            crawl(proxy.url, db_path)
            assert proxy.injected >= 1, "the payload never reached the crawler"
            fill_missing_images(db_path)
        finally:
            proxy.stop()
    db = store.open_db(db_path)
    blog_id = db.execute("select id from blogs").fetchone()[0]
    xss_post_id = db.execute("select id from posts where url like ?",
                             ["%" + target.path]).fetchone()[0]
    # A post whose title ranks for a word, another that only mentions it once.
    base = {"blog_id": blog_id, "author": "Test Writer", "labels": ["Airships"],
            "word_count": 10}
    store.save_post(db, dict(base, id="9000000000000000001",
                             url="http://blog.example/2019/01/zeppelin.html",
                             title=f"{UNIQUE_TITLE_WORD} at dawn",
                             published="2019-01-05T10:00:00+02:00",
                             body_html=f"<p>The {UNIQUE_TITLE_WORD} hangar, again {UNIQUE_TITLE_WORD}.</p>"
                             '<div class="separator"><a href="http://img.example/s1600/ship.png">'
                             '<img src="http://img.example/s320/ship.png" width="320" alt="a red ship">'
                             '</a></div>',
                             body_text=f"The {UNIQUE_TITLE_WORD} hangar, again {UNIQUE_TITLE_WORD}.",
                             images=[{"position": 0, "src": "http://img.example/s320/ship.png",
                                      "full_url": "http://img.example/s1600/ship.png",
                                      "alt": "a red ship", "caption": "Photo: test"}],
                             comments=[{"id": "c-quokka", "author": "Pieter",
                                        "body_html": f"<p>What a {COMMENT_WORD}!</p>",
                                        "body_text": f"What a {COMMENT_WORD}!"}]))
    store.save_post(db, dict(base, id="9000000000000000002", labels=["Harbours"],
                             url="http://blog.example/2019/02/mention.html",
                             title="A passing mention", published="2019-02-05T10:00:00+02:00",
                             body_html=f"<p>Someone said {UNIQUE_TITLE_WORD} once.</p>",
                             body_text=f"Someone said {UNIQUE_TITLE_WORD} once."))
    # The archived copy of the zeppelin post's image: a PNG we know byte for byte.
    png = tiny_png(40, 30)
    import hashlib
    png_sha = hashlib.sha256(png).hexdigest()
    db.execute("insert into images (sha256, content, content_type, size, width, height, source_url) "
               "values (?, ?, 'image/png', ?, 40, 30, 'http://img.example/s1600/ship.png')",
               [png_sha, png, len(png)])
    db.execute("update post_images set image_sha256 = ? where post_id = ?",
               [png_sha, "9000000000000000001"])
    # Written straight into the table: the store's sanitiser never saw it.
    db.execute(
        "insert into posts (id, blog_id, url, title, author, published, labels, "
        "word_count, comment_count, image_count, first_seen, last_seen, last_changed) "
        "values ('evil-raw', ?, 'http://blog.example/evil.html', ?, 'Mallory', "
        "'2019-03-01T09:00:00+00:00', ?, 5, 1, 1, "
        "'2019-03-01T09:00:00+00:00', '2019-03-01T09:00:00+00:00', '2019-03-01T09:00:00+00:00')",
        [blog_id, "<script>alert('title')</script>Evil title",
         json.dumps(["<script>alert('label')</script>", "Plain"])])
    db.execute("insert into post_bodies (post_id, body_html, body_text) "
               "values ('evil-raw', ?, 'Rawevil body text survives. Click text')", [RAW_EVIL_BODY])
    db.execute("insert into comments (id, post_id, position, author, body_html, body_text) "
               "values ('evil-comment', 'evil-raw', 0, '<b>Mallory</b>', ?, 'comment')",
               ["<p>comment</p><script>alert('comment')</script><img src=x onerror=alert(9)>"])
    db.execute("update posts set gone_at = '2019-04-01T00:00:00+00:00' "
               "where id = '9000000000000000002'")
    db.conn.commit()
    counts = {t: db.execute(f"select count(*) from [{t}]").fetchone()[0]
              for t in ("posts", "comments", "images", "post_images", "crawls")}
    image_post_id = db.execute(
        "select post_id from post_images where image_sha256 is not null and post_id != ? "
        "group by post_id order by count(*) desc limit 1", ["9000000000000000001"]).fetchone()[0]
    db.close()

    bulk_path = folder / "bulk.db"
    bulk = store.open_db(bulk_path)
    store.save_blog(bulk, {"id": "b1", "url": "http://bulk.example/", "platform": "blogger",
                           "title": "Bulk Blog"})
    with bulk.atomic():
        for i in range(BULK_POSTS):
            bulk["posts"].insert({
                "id": f"p{i:05d}", "blog_id": "b1", "url": f"http://bulk.example/{i}.html",
                "title": f"Post number {i}", "published": f"2020-01-01T00:{i // 60 % 60:02d}:{i % 60:02d}+00:00",
                "published_utc": f"2020-01-01T00:{i // 60 % 60:02d}:{i % 60:02d}Z",
                "labels": json.dumps(["Bulk", f"Group {i % 7}"]), "word_count": 6,
            })
            bulk["post_bodies"].insert({
                "post_id": f"p{i:05d}", "body_html": f"<p>Body {i}, with a comma and \"quotes\"</p>",
                "body_text": f"Body {i}, with a comma and \"quotes\"",
            })
    bulk.close()
    return {"db": db_path, "bulk": bulk_path, "blog_id": blog_id, "xss_post_id": xss_post_id,
            "image_post_id": image_post_id, "png": png, "png_sha": png_sha, "counts": counts}


@contextlib.contextmanager
def datasette_server(paths, immutable: bool = False, log: Path | None = None):
    port = free_port()
    cmd = datasette_command([str(p) for p in paths], port=port, immutable=immutable)
    assert cmd[cmd.index("--host") + 1] == "127.0.0.1"
    out = open(log, "wb") if log else subprocess.DEVNULL
    proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_for(f"http://127.0.0.1:{port}/-/versions.json", timeout=60)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        if log:
            out.close()


@pytest.fixture(scope="session")
def site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("site")
    built = build_archive(folder)
    with datasette_server([built["db"], built["bulk"]], immutable=True,
                          log=folder / "datasette.log") as base:
        yield Site(base=base, db=built["db"], bulk=built["bulk"], name="harbour",
                   blog_id=built["blog_id"], xss_post_id=built["xss_post_id"],
                   raw_evil_id="evil-raw", image_post_id=built["image_post_id"],
                   png_sha=built["png_sha"], png=built["png"],
                   titled_id="9000000000000000001", counts=built["counts"])


def rows(site: Site, path: str, **params) -> list[dict]:
    query = urllib.parse.urlencode({"_shape": "array", **params})
    status, _, body = site.get(f"{path}.json?{query}")
    assert status == 200, body[:500]
    return json.loads(body)


def text(site: Site, path: str) -> str:
    status, _, body = site.get(path)
    assert status == 200, (path, body[:800])
    return body.decode("utf-8")


def body_of(page: str) -> str:
    match = re.search(r'<div class="ba-body">(.*?)</div>\s*(?:<details class="ba-images"|<section)',
                      page, re.S)
    assert match, "no post body on the page"
    return match.group(1)


UNSAFE = re.compile(r"<script|<iframe|<object|<svg|<form|\son\w+\s*=|javascript:|expression\(|style=",
                    re.I)


# -- tests ----------------------------------------------------------------------------------


def test_home_page_shows_the_blog_a_search_box_and_ways_in(site):
    page = text(site, "/")
    assert "Harbour Notes" in page
    assert 'action="/-/search"' in page
    assert "Browse posts" in page and "Atom feed" in page
    assert 'href="/harbour.db"' in page  # immutable: the SQLite download is offered
    assert "<title>Harbour Notes" in page  # the title comes from the archived blogs


def test_metadata_applies_to_an_archive_of_any_name(site):
    # Neither file is called archive.db: the plugin applies metadata.yml's archive block.
    page = text(site, "/harbour/posts")
    assert "One row per post" in page
    assert "labels (list)" in page and "published (year)" in page
    newest = rows(site, "/harbour/posts", _size=20)
    dates = [r["published"] for r in newest]
    assert dates == sorted(dates, reverse=True)
    # The year facet counts every dated post and filters by year.
    data = json.loads(site.get("/harbour/posts.json?_size=0")[2])
    years = next(f for f in data["facet_results"].values() if f["type"] == "year")["results"]
    assert sum(y["count"] for y in years) == site.counts["posts"]
    year = years[0]["value"]
    picked = json.loads(site.get(f"/harbour/posts.json?_size=0&published__startswith={year}")[2])
    assert picked["filtered_table_rows_count"] == years[0]["count"]
    # The label facet counts posts per label and filters by label.
    labels = next(f for f in data["facet_results"].values() if f["type"] == "list")["results"]
    conn = sqlite3.connect(site.db)
    expected = {}
    for (value,) in conn.execute("SELECT labels FROM posts"):
        for name in set(json.loads(value or "[]")):
            expected[name] = expected.get(name, 0) + 1
    conn.close()
    assert {f["value"]: f["count"] for f in labels} == expected
    top = labels[0]
    assert f"_label={urllib.parse.quote_plus(top['value'])}" in top["toggle_url"]
    for arg in ("_label", "labels__arraycontains"):
        picked = json.loads(site.get(f"/harbour/posts.json?_size=0&{arg}="
                                     + urllib.parse.quote(top["value"]))[2])
        assert picked["filtered_table_rows_count"] == top["count"]
    queries = json.loads(site.get("/bulk.json")[2])["queries"]
    assert {"posts_per_month", "search", "label_cooccurrence"} <= {q["name"] for q in queries}
    # Raw/internal tables are hidden but still reachable.
    assert "fetches" not in re.findall(r'href="/harbour/(\w+)"', text(site, "/"))


def test_post_page_reads_as_a_post(site):
    page = text(site, f"/harbour/posts/{site.titled_id}")
    assert f"<h1>{UNIQUE_TITLE_WORD} at dawn</h1>" in page
    assert 'href="/harbour/posts?_label=Airships' in page
    # the label chip lists this blog's posts with the label, not another blog's
    chip = html.unescape(re.search(r'href="(/harbour/posts\?_label=Airships[^"]*)"', page)[1])
    assert urllib.parse.parse_qs(urllib.parse.urlsplit(chip).query)["_label_blog"] == [site.blog_id]
    cells = re.findall(r'class="ba-label" href="([^"]*_label=[^"]*)"', text(site, "/harbour/posts"))
    assert cells and all(f"_label_blog={site.blog_id}" in html.unescape(c) for c in cells)
    assert "hangar" in page and "Test Writer" in page
    assert 'href="http://blog.example/2019/01/zeppelin.html"' in page  # the original
    assert COMMENT_WORD in page and "Pieter" in page


def test_crawled_post_images_come_from_the_database_never_the_original(site):
    page = text(site, f"/harbour/posts/{site.image_post_id}")
    body = body_of(page)
    srcs = re.findall(r'<img[^>]*\ssrc="([^"]+)"', body)
    assert srcs and all(re.fullmatch(r"/-/images/[0-9a-f]{64}", s) for s in srcs), srcs
    for src in srcs:
        status, headers, data = site.get(src)
        assert status == 200 and headers["Content-Type"].startswith("image/") and data
    assert not re.search(r'<img[^>]*src="https?://', page)


def test_image_route_returns_the_exact_bytes(site):
    status, headers, data = site.get(f"/-/images/{site.png_sha}")
    assert status == 200
    assert data == site.png
    assert headers["Content-Type"] == "image/png"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert site.get("/-/images/" + "0" * 64)[0] == 404
    assert site.get("/-/images/../../etc/passwd")[0] == 404
    # The post's <img> was rewritten to this copy.
    assert f'src="/-/images/{site.png_sha}"' in text(site, f"/harbour/posts/{site.titled_id}")


def test_crawled_xss_payload_is_gone(site):
    page = text(site, f"/harbour/posts/{site.xss_post_id}")
    body = body_of(page)
    assert XSS_WORD in body and "click me" in body
    assert not UNSAFE.search(body), UNSAFE.search(body)
    # The stored copy was sanitised by the store already.
    stored = sqlite3.connect(site.db).execute(
        "select body_html from posts_with_bodies where id = ?", [site.xss_post_id]).fetchone()[0]
    assert XSS_WORD in stored and "<script" not in stored and "onerror" not in stored


def test_malicious_row_is_sanitised_when_rendered(site):
    stored = sqlite3.connect(site.db).execute(
        "select body_html from posts_with_bodies where id = 'evil-raw'").fetchone()[0]
    assert "<script>" in stored and "onerror" in stored  # the row really is malicious
    page = text(site, "/harbour/posts/evil-raw")
    body = body_of(page)
    assert "Rawevil body text survives." in body and "Click text" in body
    assert not UNSAFE.search(body), UNSAFE.search(body)
    assert "evil.example" not in re.sub(r'<a [^>]*>original</a>', "", body)  # no hot-link
    assert "[image not archived" in body
    comments = page.split('id="comments"', 1)[1].split("</section>", 1)[0]
    assert "<script" not in comments and "onerror" not in comments
    assert "&lt;script&gt;alert(&#39;title&#39;)" in page  # the title is text, escaped
    assert "<script>alert(" not in page
    # The table, the search page and the feed don't let it through either.
    table = text(site, "/harbour/posts?id=evil-raw")
    assert "<script>alert(" not in table and "onerror=" not in table
    search = text(site, "/-/search?q=Rawevil")
    assert "evil-raw" in search and "<script>alert(" not in search


def test_pages_carry_a_content_security_policy(site):
    status, headers, _ = site.get("/harbour/posts/evil-raw")
    policy = headers["Content-Security-Policy"]
    assert "img-src 'self' data:" in policy and "object-src 'none'" in policy
    # robots.txt (datasette-block-robots) asks every crawler to stay out.
    assert site.get("/robots.txt")[2].decode().splitlines() == ["User-agent: *", "Disallow: /"]


def test_search_page_ranks_highlights_and_filters_by_label(site):
    page = text(site, f"/-/search?q={UNIQUE_TITLE_WORD.lower()}")
    hits = re.findall(r'class="ba-hit-title" href="/harbour/posts/([^"]+)"', page)
    # Title weight: the post with the word in its title first, the mention second.
    assert hits[:2] == [site.titled_id, "9000000000000000002"], hits
    assert f"<mark>{UNIQUE_TITLE_WORD}</mark>" in page
    within = text(site, f"/-/search?q={UNIQUE_TITLE_WORD}&label=Harbours")
    assert re.findall(r'class="ba-hit-title" href="/harbour/posts/([^"]+)"', within) == [
        "9000000000000000002"]
    comments = text(site, f"/-/search?q={COMMENT_WORD}")
    assert f"<mark>{COMMENT_WORD}</mark>" in comments and "In comments" in comments
    # FTS syntax works, and a query FTS5 rejects is retried as plain words (no error page).
    assert site.get('/-/search?q=%22unbalanced')[0] == 200
    assert site.get('/-/search?q=Kim+Jong-Un')[0] == 200
    assert "1 post matches" in text(site, f"/-/search?q={UNIQUE_TITLE_WORD}+hangar")
    # Search within a label on the table page too (Datasette's own FTS + array filter).
    table = rows(site, "/harbour/posts", _search=UNIQUE_TITLE_WORD, labels__arraycontains="Airships")
    assert [r["id"] for r in table] == [site.titled_id]


def test_table_search_gives_datasettes_rows_in_order_for_broad_and_rare_words(site):
    from blogarchive_site.table_search import table_broad_from

    conn = sqlite3.connect(site.bulk)
    total = conn.execute("select count(*) from posts").fetchone()[0]

    def expected(column: str, words: str) -> list[str]:  # Datasette's own filter, in SQL
        return [r[0] for r in conn.execute(
            "select id from posts where search_rowid in (select rowid from posts_fts "
            f"where {column} match ?) order by published_utc desc", [words])]

    searches = [("_search", "posts_fts", w) for w in ("body", "1*", "quotes AND comma", '"body 17"', "17")]
    searches += [("_search_title", "title", "number"), ("_search_body_text", "body_text", "number")]
    matches = {words: len(expected(column, words)) for _, column, words in searches}
    # Both ways of asking are taken: walking posts in page order, and looking matches up.
    assert matches["body"] == total >= table_broad_from(total) > matches["1*"] > matches['"body 17"'] >= 1
    assert matches["number"] == 0  # in titles only
    for key, column, words in searches:
        want = expected(column, words)
        status, _, body = site.get(f"/bulk/posts.json?{urllib.parse.urlencode({key: words})}&_nofacet=1&_size=400")
        page = json.loads(body)
        assert status == 200 and page["filtered_table_rows_count"] == len(want), (key, words)
        got = [r[0] for r in page["rows"]]
        while page["next"]:  # the following pages, as the page's "next" link asks for them
            page = json.loads(site.get(f"/bulk/posts.json?{urllib.parse.urlencode({key: words})}"
                                       f"&_nofacet=1&_size=400&_next={page['next']}")[2])
            got += [r[0] for r in page["rows"]]
        assert got == want, (key, words)
    html_page = html.unescape(text(site, "/bulk/posts?_search=body"))
    assert 'name="_search" value="body"' in html_page and 'search matches "body"' in html_page
    assert 'name="_search"' in text(site, "/bulk/posts")
    assert site.get("/bulk/posts.json?_search_author=x")[0] == 400  # not an indexed column
    status, _, body = site.get("/bulk/posts.json?_search=+&_nofacet=1")  # the box sent empty
    assert status == 200 and json.loads(body)["filtered_table_rows_count"] == total


def test_search_page_pages_by_rank_and_newest_first_with_snippets_as_one_query_would(site):
    from blogarchive_site.table_search import broad_from

    one_query = ("select p.id, snippet(posts_fts, 1, '<mark>', '</mark>', ' … ', 40) from posts_fts "
                 "join posts p on p.search_rowid = posts_fts.rowid where posts_fts match ? "
                 "order by {order} limit 20 offset {offset}")
    newest = "p.published desc, p.search_rowid desc"
    cases = [(site.name, "harbour", "rank", "bm25(posts_fts, 5.0, 1.0)", 1),
             (site.name, "harbour", "newest", newest, 1),
             ("bulk", "body", "newest", newest, 2),  # walked
             ("bulk", "1*", "newest", newest, 3)]  # walked, a prefix
    for name, words, sort, order, page_no in cases:
        conn = sqlite3.connect(site.db if name == site.name else site.bulk)
        want = conn.execute(one_query.format(order=order, offset=20 * (page_no - 1)), [words]).fetchall()
        assert len(want) >= 10, (name, words)
        if name == "bulk":
            total = conn.execute("select count(*) from posts").fetchone()[0]
            assert conn.execute("select count(*) from posts_fts where posts_fts match ?",
                                [words]).fetchone()[0] >= broad_from(total)
        page = text(site, f"/-/search?{urllib.parse.urlencode({'q': words, 'db': name, 'sort': sort})}"
                          f"&page={page_no}")
        hits = re.findall(rf'class="ba-hit-title" href="/{name}/posts/([^"]+)"', page)
        snippets = re.findall(r'<p class="ba-snippet">(.*?)</p>', page, re.S)
        assert hits == [post_id for post_id, _ in want], (name, words, sort)
        assert [html.unescape(s) for s in snippets[:len(want)]] == [s for _, s in want], (name, words, sort)


def test_whole_table_facets_read_the_kept_counts_and_agree_with_counting_rows(site):
    for name in (site.name, "bulk"):
        facets = "_facet_list=labels&_facet_year=published&_facet_size=max"
        kept = json.loads(site.get(f"/{name}/posts.json?{facets}&_size=1")[2])["facet_results"]
        # A filter every post passes: the same facets, counted over the rows.
        counted = json.loads(site.get(f"/{name}/posts.json?{facets}&_size=1&id__not=none")[2])["facet_results"]
        for column in ("labels", "published"):
            values = [(v["value"], v["count"]) for v in kept[column]["results"]]
            assert values and values == [(v["value"], v["count"]) for v in counted[column]["results"]]
    years = [v["value"] for v in kept["published"]["results"]]
    assert years == sorted(years, reverse=True)


CANNED = {
    "search": {"q": UNIQUE_TITLE_WORD},
    "posts_containing_phrase": {"phrase": "hangar, again"},
    "posts_per_month": {},
    "posts_per_label_per_month": {"label": ""},
    "labels_by_use": {},
    "label_cooccurrence": {},
    "most_commented": {},
    "posts_by_author": {"author": "Test"},
    "images_of_a_post": {"post_id": "9000000000000000001"},
    "image_captions": {},
    "latest_crawl_changes": {},
    "changes_since": {"since": "2000-01-01"},
    "crawl_health": {},
    "coverage": {},
    "gone_posts": {},
    "newest_posts": {},
}


def test_canned_queries_answer(site):
    got = {name: rows(site, f"/harbour/{name}", **params) for name, params in CANNED.items()}
    assert {r["post_id"] for r in got["search"] if r["kind"] == "post"} >= {
        site.titled_id, "9000000000000000002"}
    assert "<mark>" in got["search"][0]["snippet"]
    assert [r["post_id"] for r in got["posts_containing_phrase"]] == [site.titled_id]
    assert sum(r["posts"] for r in got["posts_per_month"]) == site.counts["posts"]
    assert got["label_cooccurrence"] and got["labels_by_use"][0]["posts"] >= 2
    counts = [r["comment_count"] for r in got["most_commented"]]
    assert counts == sorted(counts, reverse=True) and counts[0] > 0
    assert {r["author"] for r in got["posts_by_author"]} == {"Test Writer"}
    assert got["images_of_a_post"][0]["image_sha256"] == site.png_sha
    assert any(r["caption"] == "Photo: test" for r in got["image_captions"])
    assert {r["change"] for r in got["latest_crawl_changes"]} <= {"new", "changed"}
    assert len(got["latest_crawl_changes"]) >= 36
    assert len(got["changes_since"]) == site.counts["posts"]
    assert got["crawl_health"][0]["status"] == "finished"
    assert got["coverage"] == []  # every post the feed lists is archived
    assert [r["post_id"] for r in got["gone_posts"]] == ["9000000000000000002"]
    # The newest 50 posts the blog still serves (one is gone).
    assert len(got["newest_posts"]) == min(50, site.counts["posts"] - 1)
    # A parameterised query is a form.
    form = text(site, "/harbour/posts_containing_phrase")
    assert 'name="phrase"' in form


def test_csv_streams_every_row_and_json_exports(site):
    # Posts with their bodies: one streamed download of the posts_with_bodies view.
    status, headers, data = site.get("/bulk/posts_with_bodies.csv?_stream=on&_size=max")
    assert status == 200 and headers["Content-Type"].startswith("text/plain")
    records = list(csv.DictReader(io.StringIO(data.decode("utf-8"))))
    assert len(records) == BULK_POSTS
    assert len({r["id"] for r in records}) == BULK_POSTS
    assert records[0]["body_text"].count('"quotes"') == 1  # quoting round-trips
    # Without _stream Datasette returns one page: the link to use is the streamed one.
    status, _, short = site.get("/bulk/posts.csv")
    assert len(list(csv.DictReader(io.StringIO(short.decode())))) < BULK_POSTS
    # Download as a file, and a query as CSV.
    status, headers, _ = site.get("/harbour/posts_per_month.csv?_dl=1")
    assert status == 200 and "attachment" in headers.get("content-disposition", "")
    data = json.loads(site.get("/bulk/posts.json?_shape=array&_size=max")[2])
    assert len(data) == 1000  # JSON pages: max_returned_rows, with a next link
    everything = json.loads(site.get("/harbour/posts.json?_shape=array&_size=max")[2])
    assert len(everything) == site.counts["posts"]


def test_sqlite_download_when_immutable(site, tmp_path):
    status, headers, data = site.get("/harbour.db")
    assert status == 200
    copy = tmp_path / "download.db"
    copy.write_bytes(data)
    conn = sqlite3.connect(copy)
    assert conn.execute("select count(*) from posts").fetchone()[0] == site.counts["posts"]
    assert conn.execute("pragma integrity_check").fetchone()[0] == "ok"


def test_atom_feed_is_valid(site):
    status, headers, data = site.get("/harbour/newest_posts.atom")
    assert status == 200
    assert headers["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(data)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    assert root.tag == "{http://www.w3.org/2005/Atom}feed"
    assert root.find("a:title", ns).text and root.find("a:id", ns).text and root.find("a:updated", ns).text
    entries = root.findall("a:entry", ns)
    assert len(entries) >= 30
    import datetime as dt
    for entry in entries:
        for tag in ("id", "title", "updated"):
            assert entry.find(f"a:{tag}", ns) is not None, tag
        dt.datetime.fromisoformat(entry.find("a:updated", ns).text)
        alternate = entry.find("a:link[@rel='alternate']", ns).get("href")
        assert alternate.startswith(site.base + "/harbour/posts/")
        content = entry.find("a:content", ns)
        if content is not None:
            assert not UNSAFE.search(content.text or "")
            for src in re.findall(r'<img[^>]*src="([^"]+)"', content.text or ""):
                assert src.startswith(site.base + "/-/images/")


def test_no_write_endpoints(site):
    before = sqlite3.connect(site.db).execute("select count(*) from posts").fetchone()[0]
    for path in ("/harbour/posts", "/harbour/search", "/harbour/-/insert",
                 "/harbour/posts/-/insert", "/harbour/posts/evil-raw/-/delete", "/-/search"):
        status, _, _ = site.get(path, method="POST", data=b"sql=delete+from+posts")
        assert status == 405, (path, status)
    status, _, body = site.get("/harbour.json?sql=" + urllib.parse.quote("delete from posts"))
    assert status == 400 and "Statement must be a SELECT" in json.loads(body)["error"]
    after = sqlite3.connect(site.db).execute("select count(*) from posts").fetchone()[0]
    assert before == after


def test_mutable_serve_reads_a_growing_archive_without_a_download(tmp_path):
    db_path = tmp_path / "live.db"
    db = store.open_db(db_path)
    store.save_blog(db, {"id": "L", "url": "http://live.example/", "platform": "blogger",
                         "title": "Live Blog"})
    post = {"id": "1", "blog_id": "L", "url": "http://live.example/1.html", "title": "First",
            "published": "2021-01-01T00:00:00+00:00", "body_html": "<p>one</p>",
            "body_text": "one"}
    store.save_post(db, post)
    with datasette_server([db_path]) as base:
        status, _, body = fetch(base + "/")
        assert status == 200 and b"Live Blog" in body and b'href="/live.db"' not in body
        assert fetch(base + "/live.db")[0] == 403
        # A crawl writing meanwhile: the site sees the new post at once.
        store.save_post(db, dict(post, id="2", url="http://live.example/2.html", title="Second",
                                 published="2021-01-02T00:00:00+00:00"))
        status, _, body = fetch(base + "/live/posts.json?_shape=array")
        assert [r["title"] for r in json.loads(body)] == ["Second", "First"]  # newest first
    db.close()
