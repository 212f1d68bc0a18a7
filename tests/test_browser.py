"""The published site in a real browser: Playwright driving Debian's chromium.

A reader opens the home page, searches, opens the hit, sees its image (served from
the database), follows a label, downloads the CSV and the SQLite file; the posts
carrying XSS payloads (one crawled, one written raw into the database) run no script
and the browser never fetches anything from another host.

Skips only when /usr/bin/chromium is absent (CI installs it with apt).
"""

from __future__ import annotations

import csv
import os
import sqlite3
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from test_datasette import UNIQUE_TITLE_WORD, XSS_WORD, site  # noqa: F401  (the fixture)

CHROMIUM = "/usr/bin/chromium"
SHOTS = Path(os.environ.get("BLOGARCHIVE_SCREENSHOTS", "/tmp"))
ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]

if not Path(CHROMIUM).exists():
    pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)", allow_module_level=True)

sync_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, site):  # noqa: F811
    context = browser.new_context(accept_downloads=True, viewport={"width": 1200, "height": 900})
    pg = context.new_page()
    pg.set_default_timeout(15_000)
    pg.foreign = []  # requests to any other host: there must be none
    pg.dialogs = []
    own = urlsplit(site.base).netloc

    def on_request(request):
        parts = urlsplit(request.url)
        if parts.scheme in ("http", "https") and parts.netloc != own:
            pg.foreign.append(request.url)

    def on_dialog(dialog):
        pg.dialogs.append(dialog.message)
        dialog.dismiss()

    pg.on("request", on_request)
    pg.on("dialog", on_dialog)
    yield pg
    context.close()


def images_loaded(page) -> list:
    """Scroll every body image into view (they load lazily) and report natural widths."""
    images = page.locator(".ba-body img")
    for i in range(images.count()):
        images.nth(i).scroll_into_view_if_needed()
    page.wait_for_function(
        "() => Array.from(document.querySelectorAll('.ba-body img')).every(i => i.complete)")
    return page.eval_on_selector_all(".ba-body img", "els => els.map(i => [i.getAttribute('src'), i.naturalWidth])")


def test_reader_searches_reads_follows_a_label_and_downloads(page, site, tmp_path):  # noqa: F811
    page.goto(site.base + "/")
    page.fill("#ba-q", UNIQUE_TITLE_WORD)
    page.press("#ba-q", "Enter")
    page.wait_for_url("**/-/search?q=*")
    assert page.locator("mark").first.inner_text() == UNIQUE_TITLE_WORD
    page.screenshot(path=str(SHOTS / "blogarchive-search.png"), full_page=True)

    page.locator("a.ba-hit-title").first.click()
    page.wait_for_url(f"**/harbour/posts/{site.titled_id}")
    assert page.locator("h1").inner_text() == f"{UNIQUE_TITLE_WORD} at dawn"
    loaded = images_loaded(page)
    assert loaded == [[f"/-/images/{site.png_sha}", 40]]

    # A crawled post: every image is the archived copy, and it renders.
    page.goto(f"{site.base}/harbour/posts/{site.image_post_id}")
    loaded = images_loaded(page)
    assert loaded and all(src.startswith("/-/images/") and width > 0 for src, width in loaded), loaded
    page.screenshot(path=str(SHOTS / "blogarchive-post.png"), full_page=True)

    label = page.locator(".ba-post-head a.ba-label").first
    name = label.inner_text()
    label.click()
    page.wait_for_url("**/harbour/posts?_label=*")
    titles = page.locator("table.rows-and-columns td.col-title").all_inner_texts()
    assert titles and all(name in labels for labels in
                          page.locator("table.rows-and-columns td.col-labels").all_inner_texts())

    page.goto(site.base + "/")
    with page.expect_download() as info:
        page.locator("section[data-db=harbour]").get_by_text("exact, for programs").click()
    path = tmp_path / "posts.csv"
    info.value.save_as(path)
    records = list(csv.DictReader(open(path, encoding="utf-8", newline="")))
    assert len(records) == site.counts["posts"]
    assert any(r["title"] == f"{UNIQUE_TITLE_WORD} at dawn" for r in records)
    with page.expect_download() as info:
        page.locator("section[data-db=harbour]").get_by_text("for Excel and other spreadsheets").click()
    path = tmp_path / "posts-spreadsheet.csv"
    info.value.save_as(path)
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    assert list(csv.DictReader(open(path, encoding="utf-8-sig", newline=""))) == records

    with page.expect_download() as info:
        page.locator("section[data-db=harbour]").get_by_text("Download the SQLite file").click()
    db_path = tmp_path / "downloaded.db"
    info.value.save_as(db_path)
    conn = sqlite3.connect(db_path)
    assert conn.execute("select count(*) from posts").fetchone()[0] == site.counts["posts"]
    conn.close()
    assert page.foreign == [], page.foreign
    assert page.dialogs == []


@pytest.mark.parametrize("which", ["crawled", "raw"])
def test_xss_payloads_run_no_script(page, site, which):  # noqa: F811
    post_id = site.xss_post_id if which == "crawled" else site.raw_evil_id
    page.goto(f"{site.base}/harbour/posts/{post_id}")
    page.wait_for_load_state("load")
    body = page.locator(".ba-body")
    assert (XSS_WORD if which == "crawled" else "Rawevil") in body.inner_text()
    link = page.locator(".ba-body a", has_text="click me")
    if link.count():
        link.first.click()
        page.wait_for_timeout(200)
    page.wait_for_timeout(300)
    assert page.evaluate("typeof window.__xss") == "undefined"
    assert page.dialogs == []
    assert page.locator(".ba-body script, .ba-body iframe, .ba-body object, .ba-body svg").count() == 0
    handlers = page.eval_on_selector_all(
        ".ba-body *", "els => els.flatMap(e => Array.from(e.attributes).map(a => a.name))"
        ".filter(n => n.startsWith('on') || n === 'style')")
    assert handlers == []
    assert page.foreign == [], page.foreign
    if which == "raw":
        page.screenshot(path=str(SHOTS / "blogarchive-xss.png"), full_page=True)
