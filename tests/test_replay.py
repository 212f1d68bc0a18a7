"""Replay: `export --format wacz`, replayed offline by pywb and shown by Chromium.

pywb pins redis 2.10 and scrapy-redis needs redis >= 4, so pywb cannot share the
test environment: it lives in its own virtualenv, `.venv-replay` (`.ci/run`
makes it: `python3 -m venv .venv-replay && .venv-replay/bin/pip install pywb`);
BLOGARCHIVE_PYWB names another folder holding `wayback` and `wb-manager`.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import time
import urllib.request
import zipfile
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from conftest import ROOT, crawl, free_port, run_cli
from scraper.sample import BlogServer, make_blog
from test_reparse import Listener

PYWB = Path(os.environ.get("BLOGARCHIVE_PYWB", ROOT / ".venv-replay" / "bin"))
CHROMIUM = "/usr/bin/chromium"

if not (PYWB / "wayback").exists():
    pytest.skip(f"pywb is not installed in {PYWB} (.ci/run makes .venv-replay)",
                allow_module_level=True)


@pytest.fixture(scope="module")
def replay(tmp_path_factory):
    """A blog crawled twice (so revisits too), exported as WACZ, served by pywb with the
    blog's own port answered by a counter: any live request would show there."""
    tmp = tmp_path_factory.mktemp("replay")
    db = tmp / "archive.db"
    blog = make_blog("layout", n_posts=8, seed=51)
    with BlogServer(blog) as server:
        crawl(server.url, db)
        crawl(server.url, db, "--full")
        blog_port, image_port = server.port, int(urlsplit(server.image_url).port)
    exported = run_cli("export", str(db), "--format", "wacz", "--out", str(tmp / "blog.wacz"))
    assert exported.returncode == 0, exported.stderr
    with zipfile.ZipFile(tmp / "blog.wacz") as wacz:
        names = wacz.namelist()
    assert "indexes/index.cdx.gz" in names and "pages/pages.jsonl" in names
    assert any(n.startswith("archive/") and n.endswith(".warc.gz") for n in names)

    site = tmp / "pywb"
    site.mkdir()
    for step in (["init", "blog"], ["add", "--unpack-wacz", "blog", str(tmp / "blog.wacz")]):
        result = subprocess.run([str(PYWB / "wb-manager"), *step], cwd=site, capture_output=True,
                                text=True, timeout=120)
        assert result.returncode == 0, result.stderr[-2000:]
    live = [Listener(blog_port), Listener(image_port)]
    port = free_port()
    proc = subprocess.Popen([str(PYWB / "wayback"), "-p", str(port), "-b", "127.0.0.1"], cwd=site,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 60
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/blog/", timeout=2)
                break
            except urllib.error.HTTPError:
                break
            except OSError:
                if time.time() > deadline or proc.poll() is not None:
                    raise
                time.sleep(0.2)
        conn = sqlite3.connect(db)
        posts = conn.execute("SELECT url, title FROM posts WHERE title != '' AND image_count > 0 "
                             "ORDER BY url").fetchall()
        conn.close()
        yield {"base": f"http://127.0.0.1:{port}/blog", "posts": posts, "live": live, "db": db}
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        for listener in live:
            listener.close()
    assert [listener.connections for listener in live] == [0, 0], "replay went to the live site"


def test_pywb_replays_a_post_page_as_it_was_fetched(replay):
    url, title = replay["posts"][0]
    # id_: the bytes as archived, no rewriting (a page fetched twice: the revisit resolves)
    with urllib.request.urlopen(f"{replay['base']}/id_/{url}", timeout=30) as answer:
        assert answer.status == 200
        page = answer.read().decode("utf-8")
    assert title.split()[0] in page and "<html" in page.lower()


def test_the_full_size_images_replay_from_the_export(replay):
    conn = sqlite3.connect(replay["db"])
    full_url, sha256 = conn.execute(
        "SELECT pi.fetched_url, pi.image_sha256 FROM post_images pi JOIN posts p ON p.id = pi.post_id "
        "WHERE p.url = ? AND pi.image_sha256 IS NOT NULL", [replay["posts"][0][0]]).fetchone()
    conn.close()
    with urllib.request.urlopen(f"{replay['base']}/id_/{full_url}", timeout=30) as answer:
        assert hashlib.sha256(answer.read()).hexdigest() == sha256


def test_chromium_shows_the_replayed_post(replay):
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    url, title = replay["posts"][0]
    own = urlsplit(replay["base"]).netloc
    foreign = []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = browser.new_page()
            page.on("request", lambda r: urlsplit(r.url).scheme in ("http", "https")
                    and urlsplit(r.url).netloc != own and foreign.append(r.url))
            page.goto(f"{replay['base']}/{url}", wait_until="load", timeout=30_000)
            # pywb's frame around the archived page: the post is inside it, as fetched
            frame = next(f for f in page.frames if url in f.url and "mp_/" in f.url)
            frame.wait_for_load_state("load")
            shown = frame.inner_text("body")
            headings = frame.eval_on_selector_all("h3, h1", "els => els.map(e => e.innerText)")
        finally:
            browser.close()
    assert title in shown and any(title in h for h in headings)
    assert foreign == []  # nothing asked of any other host
