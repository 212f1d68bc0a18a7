"""Commands that crawl: quiet runs, honest exits, clean stops, resumed re-runs."""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.request

import pytest

from conftest import CORPUS, FAST, ROOT, crawl, free_port, mirror_server, run_cli
from scraper.sample import BlogServer, make_blog
from scraper.sample.fixture_server import Reply
from scraper.sample.handmade import HandmadeServer, make_handmade_blog


# -- 6: a re-run that could not look for changes ----------------------------------------------


class ChangesFeedBroken(BlogServer):
    """A Blogger blog whose feed ordered by change stops answering (404) when told to."""

    broken = False

    def _route(self, path, query):
        if self.broken and query.get("orderby") == "updated":
            return self._not_found()
        return super()._route(path, query)


def test_a_rerun_whose_feed_of_changes_fails_still_finds_the_new_posts(tmp_path):
    blog = make_blog("layout", n_posts=20, seed=61)
    later = blog.sorted_posts()[10:12]  # back-dated: not on the home page when they appear
    for post in later:
        blog.delete_post(post)
    db_path = tmp_path / "archive.db"
    with ChangesFeedBroken(blog) as server:
        crawl(server.url, db_path)
        for post in later:
            blog.add_post(post)
        server.broken = True
        result = crawl(server.url, db_path, expect_ok=False)
        stored_again = [r[1] for r in server.requests if r[1] in {p.path for p in blog.posts}
                        and r[1] not in {p.path for p in later}]
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    assert "crawl 2: finished" in result.stdout and "posts new 2" in result.stdout
    db = sqlite3.connect(db_path)
    assert db.execute("SELECT COUNT(*) FROM posts").fetchone()[0] == 20
    assert "orderby=updated" in result.stdout  # the broken feed is named among the errors
    assert len(stored_again) == 18  # each stored post fetched once, by the first crawl only


def test_a_missing_robots_txt_is_not_an_error(tmp_path):
    class NoRobots(HandmadeServer):
        def route(self, path, query):
            if path == "/robots.txt":
                return Reply(404, "text/html", b"<html><body>Not found</body></html>")
            return super().route(path, query)

    blog = make_handmade_blog(n_posts=6, seed=7)
    with NoRobots(blog) as server:
        result = crawl(server.url, tmp_path / "a.db")
    assert "crawl 1: finished" in result.stdout
    assert "robots.txt" not in result.stdout and "errors 0" in result.stdout


# -- 5: quiet where it should be ------------------------------------------------------------


def summary_only(output: str) -> bool:
    """Every line is the summary line or one of its indented detail lines."""
    lines = output.strip().splitlines()
    return bool(lines) and lines[0].startswith("crawl 1: ") and all(
        line.startswith("  ") for line in lines[1:])


def test_without_a_terminal_a_crawl_prints_its_summary_and_nothing_else(tmp_path):
    # (run_cli captures stdout and stderr: no terminal, as under cron)
    blog = make_blog("layout", n_posts=9, seed=71)
    with BlogServer(blog) as server:
        result = crawl(server.url, tmp_path / "a.db")
    assert result.stderr == "", result.stderr[:2000]
    assert summary_only(result.stdout), result.stdout[:2000]
    assert "crawl 1: finished" in result.stdout and "posts new 9" in result.stdout


def test_quiet_says_in_a_few_lines_that_a_blog_did_not_answer(tmp_path):
    dead = f"http://127.0.0.1:{free_port()}/"
    result = run_cli("crawl", dead, "--db", str(tmp_path / "a.db"), "--quiet", *FAST)
    assert result.returncode == 1
    output = result.stdout + result.stderr
    assert "Traceback" not in output and "Disabled" not in output
    assert len(output.strip().splitlines()) <= 5, output[:3000]
    assert "crawl 1: failed" in result.stdout and "connection_refused: 1" in result.stdout


def test_log_file_gets_the_whole_log_and_the_console_the_summary(tmp_path):
    blog = make_blog("layout", n_posts=6, seed=72)
    log = tmp_path / "logs" / "crawl.log"
    assert run_cli("crawl", "http://127.0.0.1:9/", "--log", str(log)).returncode == 2  # no folder
    log.parent.mkdir()
    with BlogServer(blog) as server:
        result = crawl(server.url, tmp_path / "a.db", "--log", str(log))
    assert result.stderr == "" and summary_only(result.stdout), result.stdout + result.stderr
    text = log.read_text()
    assert "[scrapy.core.engine] INFO: Spider opened" in text and "Spider closed (finished)" in text


def test_a_scheduled_run_logs_scrapy_to_its_log_file_and_prints_summaries(tmp_path):
    blog = make_blog("layout", n_posts=6, seed=73)
    with BlogServer(blog) as server:
        (tmp_path / "blogs.toml").write_text(
            '[defaults]\nlog = "run.log"\nallow_private = true\n'
            f'[defaults.settings]\nDOWNLOAD_DELAY = "0"\nAUTOTHROTTLE_ENABLED = "0"\n'
            f'[[blog]]\nurl = "{server.url}"\ndb = "a.db"\n')
        result = run_cli("run", str(tmp_path / "blogs.toml"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "[scrapy" not in result.stdout + result.stderr
    assert "crawl 1: finished" in result.stdout
    assert "[scrapy.core.engine] INFO: Spider opened" in (tmp_path / "run.log").read_text()


# -- 2: an older import never rolls back newer crawled content ------------------------------

TAKEOUT = CORPUS / "exports" / "blogger-takeout-klenovsekboris-blog-09-23-2024.xml"


def test_importing_an_older_export_keeps_the_newer_crawled_posts_current(tmp_path):
    if not TAKEOUT.exists():
        pytest.skip(f"{TAKEOUT} is not here")
    db_path = tmp_path / "archive.db"
    # The saved blog was crawled in November 2024; the export is from September 2024.
    with mirror_server("klenovsekboris.blogspot.com", "klenovsekboris.blogspot.com") as (url, _):
        crawl(url, db_path, "--images", "none")
    columns = "id, url, title, updated, content_hash, body_html"
    conn = sqlite3.connect(db_path)
    crawled = {r[0]: r for r in conn.execute(f"SELECT {columns} FROM posts_with_bodies")}
    conn.close()
    assert len(crawled) == 7 and all(r[3] >= "2024-11-14" for r in crawled.values())

    result = run_cli("import", str(TAKEOUT), "--db", str(db_path), check=True)
    assert "posts new 1, updated 0, unchanged 0, older than the archive's 7 (kept as versions)" \
        in result.stdout, result.stdout
    conn = sqlite3.connect(db_path)
    now = {r[0]: r for r in conn.execute(f"SELECT {columns} FROM posts_with_bodies")}
    assert {k: now[k] for k in crawled} == crawled  # the crawled copies stay current, untouched
    versions = conn.execute("SELECT post_id, updated FROM post_versions ORDER BY post_id").fetchall()
    assert sorted(p for p, _ in versions) == sorted(crawled)  # the export's copies are history
    assert all("2024-08" <= updated < "2024-09-24" for _, updated in versions), versions
    conn.close()

    again = run_cli("import", str(TAKEOUT), "--db", str(db_path), check=True)
    assert "older than the archive's 7" in again.stdout
    conn = sqlite3.connect(db_path)
    assert conn.execute("SELECT COUNT(*) FROM post_versions").fetchone()[0] == 7  # not twice
    conn.close()


# -- 10: several blogs, one archive ------------------------------------------------------------


def test_a_crawl_of_several_blogs_gives_each_its_own_line(tmp_path):
    one, two = make_blog("layout", n_posts=7, seed=91), make_blog("contempo", n_posts=5, seed=92)
    dead = f"http://127.0.0.1:{free_port()}/"  # a third blog that does not answer
    db_path = tmp_path / "both.db"
    with BlogServer(one) as a, BlogServer(two) as b:
        result = run_cli("crawl", a.url, b.url, dead, "--db", str(db_path), *FAST)
    assert result.returncode == 1, result.stdout + result.stderr[-2000:]  # one blog failed
    lines = result.stdout.splitlines()
    assert f"  blog {a.url}: finished — found 7, expected 7, new 7, updated 0, unchanged 0, " \
           "errors 1" in lines, result.stdout  # (the sample blog links one page that is gone)
    assert any(line.startswith(f"  blog {b.url}: finished — found 5, expected 5, new 5,")
               for line in lines), result.stdout
    assert any(line.startswith(f"  blog {dead}: failed — found 0, new 0,") for line in lines)
    assert lines[0].startswith("crawl 1: failed")
    crawls = json.loads(run_cli("status", str(db_path), "--json", check=True).stdout)["crawls"]
    breakdown = {b["url"]: (b["status"], b["found"], b["expected"]) for b in crawls[0]["blogs"]}
    assert breakdown == {a.url: ("finished", 7, 7), b.url: ("finished", 5, 5),
                         dead: ("failed", 0, None)}
    shown = run_cli("status", str(db_path), check=True).stdout
    assert f"crawl 1, blog {b.url}: finished — found 5, expected 5" in shown
    conn = sqlite3.connect(db_path)  # the two blogs that were read to the end re-run incrementally
    assert conn.execute("SELECT COUNT(*) FROM blogs WHERE last_complete_crawl = 1").fetchone()[0] == 2
    conn.close()


# -- 7: a refused private address says which setting allows it ---------------------------------


def test_a_scheduled_run_refusing_a_private_address_names_allow_private(tmp_path):
    blog = make_blog("layout", n_posts=3, seed=94)
    with BlogServer(blog) as server:
        (tmp_path / "blogs.toml").write_text(f'[[blog]]\nurl = "{server.url}"\ndb = "a.db"\n')
        result = run_cli("run", str(tmp_path / "blogs.toml"))
    assert result.returncode == 1
    assert "set allow_private = true in its [[blog]] or [defaults] of blogs.toml" in result.stdout
    example = (ROOT / "scheduled" / "blogs.toml").read_text()
    assert "allow_private = true" in example


# -- 11: extract --strict refuses a listing page --------------------------------------------------


def test_extract_strict_refuses_a_home_page_that_lists_several_posts(tmp_path):
    blog = make_blog("layout", n_posts=9, seed=95)
    with BlogServer(blog) as server:
        home = tmp_path / "home.html"
        home.write_bytes(urllib.request.urlopen(server.url).read())
        post = blog.sorted_posts()[0]
        page = tmp_path / "post.html"
        page.write_bytes(urllib.request.urlopen(server.origin + post.path).read())
        refused = run_cli("extract", str(home), "--url", server.url, "--strict", timeout=60)
        accepted = run_cli("extract", str(page), "--url", server.origin + post.path, "--strict",
                           timeout=60)
    assert refused.returncode == 1 and refused.stdout == ""
    assert re.search(r"this page lists \d+ posts, not one", refused.stderr), refused.stderr
    assert accepted.returncode == 0 and json.loads(accepted.stdout)["id"] == post.post_id


# -- 13: leftovers and formats ----------------------------------------------------------------------


def test_no_lock_file_outlives_its_run_and_a_dead_ones_goes_too(tmp_path):
    blog = make_blog("layout", n_posts=4, seed=96)
    db_path = tmp_path / "a.db"
    stale = tmp_path / "a.db.lock"
    stale.write_text("pid 999999")  # left by a crawl that was killed
    with BlogServer(blog) as server:
        crawl(server.url, db_path, "--images", "none")
        assert not stale.exists()
        (tmp_path / "blogs.toml").write_text(
            f'[defaults]\nallow_private = true\n[[blog]]\nurl = "{server.url}"\ndb = "b.db"\n'
            '[defaults.settings]\nDOWNLOAD_DELAY = "0"\nAUTOTHROTTLE_ENABLED = "0"\n')
        assert run_cli("run", str(tmp_path / "blogs.toml")).returncode == 0
    assert sorted(p.name for p in tmp_path.glob("*.lock")) == []


def test_a_database_in_a_folder_nobody_can_write_is_named_not_writable(tmp_path):
    result = run_cli("crawl", "http://127.0.0.1:9/", "--db", "/proc/x.db")
    assert result.returncode == 2
    assert result.stderr.strip() == "error: /proc/x.db: cannot create the database, /proc is not writable"


def test_scrapy_crawl_blog_from_any_folder_with_the_settings_module(tmp_path):
    blog = make_blog("layout", n_posts=5, seed=97)
    db = tmp_path / "scrapy.db"
    with BlogServer(blog) as server:
        result = subprocess.run(
            [sys.executable, "-m", "scrapy", "crawl", "blog", "-a", f"url={server.url}",
             "-s", f"BLOGARCHIVE_DB={db}", "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=0"],
            cwd=tmp_path, capture_output=True, text=True, timeout=180,
            env={**os.environ, "SCRAPY_SETTINGS_MODULE": "scraper.settings"})
    assert result.returncode == 0, result.stderr[-3000:]
    assert sqlite3.connect(db).execute("SELECT COUNT(*) FROM posts").fetchone()[0] == 5
    assert "SCRAPY_SETTINGS_MODULE=scraper.settings scrapy crawl blog" in (ROOT / "README.md").read_text()


# -- 9: a scheduled run stopped by SIGTERM stops its crawl too --------------------------------------


def test_sigterm_to_a_scheduled_run_stops_its_crawl_as_interrupted(tmp_path):
    psutil = pytest.importorskip("psutil")
    blog = make_blog("layout", n_posts=40, seed=98)
    db_path = tmp_path / "a.db"
    with BlogServer(blog) as server:
        (tmp_path / "blogs.toml").write_text(
            f'[defaults]\nallow_private = true\nimages = "none"\n[[blog]]\nurl = "{server.url}"\n'
            'db = "a.db"\n[defaults.settings]\nDOWNLOAD_DELAY = "0.3"\nAUTOTHROTTLE_ENABLED = "0"\n')
        proc = subprocess.Popen([sys.executable, "-m", "scraper.cli", "run", str(tmp_path / "blogs.toml")],
                                cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                text=True, start_new_session=True)
        try:
            deadline = time.monotonic() + 120
            ready, children = False, []
            while time.monotonic() < deadline and not ready:
                time.sleep(0.5)
                children = psutil.Process(proc.pid).children(recursive=True)
                if children and db_path.exists():
                    try:  # crawling: some posts are stored
                        ready = sqlite3.connect(db_path).execute(
                            "SELECT COUNT(*) FROM posts").fetchone()[0] >= 3
                    except sqlite3.OperationalError:
                        continue  # the schema is being made
            assert ready, "the run never got its crawl going"
            proc.send_signal(signal.SIGTERM)  # the run alone, as systemd or a supervisor does
            output = proc.communicate(timeout=60)[0]
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 1
    assert not [c for c in children if c.is_running() and c.status() != psutil.STATUS_ZOMBIE]
    assert "STOPPED by SIGTERM" in output and "crawl 1: interrupted" in output, output
    status = sqlite3.connect(db_path).execute("SELECT status FROM crawls").fetchone()[0]
    assert status == "interrupted"
