"""Post pages read in worker processes (`crawl --parse-workers N`) archive exactly what
reading them in the crawl's own process archives, and a worker killed mid-crawl loses no page."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time

import psutil
import pytest

from conftest import FAST, ROOT, crawl
from scraper.sample import BlogServer, make_blog
from scraper.sample.generators import GeneratorServer, make_generator_blog

# Every table a crawl writes, as rows that do not depend on the order pages were read in
# (no ids handed out in insertion order, no times): row lists sorted.
QUERIES = {
    "blogs": "SELECT id, url, platform, title, description, feed_url, language, posts_expected FROM blogs",
    "posts": "SELECT p.id, p.blog_id, p.url, p.title, p.author, a.name, a.url, p.published, p.published_utc, "
             "p.updated, p.labels, p.word_count, p.comment_count, p.image_count, p.content_hash, p.gone_at, "
             "p.sources, p.notes FROM posts p LEFT JOIN authors a ON a.id = p.author_id",
    "post_bodies": "SELECT * FROM post_bodies",
    "post_labels": "SELECT pl.post_id, l.blog_id, l.name, l.kind, pl.position FROM post_labels pl "
                   "JOIN labels l ON l.id = pl.label_id",
    # which of an image's addresses answered depends on the order the fetches were made in
    "post_images": "SELECT post_id, position, src, full_url, alt, caption, link, width, height, candidates, "
                   "image_sha256 FROM post_images",
    "images": "SELECT sha256, content, content_type, size, width, height, source_url, path FROM images",
    "comments": "SELECT id, post_id, position, author, author_url, published, in_reply_to, body_html, "
                "body_text FROM comments",
    "fetches": "SELECT url, kind, status, error, message, etag, last_modified, content_hash, post_id, reason "
               "FROM fetches",
    "feed_entries": "SELECT url, blog_id, post_id, title, published, updated, labels, comment_count, author, "
                    "author_url FROM feed_entries",
    "crawl": "SELECT status, pages, posts_new, posts_updated, posts_unchanged, errors, errors_by_kind, "
             "warnings FROM crawls",
}


def rows(db_path) -> dict:
    db = sqlite3.connect(db_path)
    try:
        out = {name: sorted(db.execute(query).fetchall(), key=repr) for name, query in QUERIES.items()}
    finally:
        db.close()
    # errors_by_kind and warnings: example URLs in the order they were met
    out["crawl"] = [tuple(_examples_sorted(v) for v in row) for row in out["crawl"]]
    return out


def _examples_sorted(value):
    if not isinstance(value, str) or not value.startswith("{"):
        return value
    data = json.loads(value)
    for info in data.values():
        if isinstance(info, dict) and "examples" in info:
            info["examples"] = sorted(info["examples"])
    return json.dumps(data, sort_keys=True)


def reading_processes(parent: psutil.Process) -> list[psutil.Process]:
    """The crawl's page-reading workers (not multiprocessing's resource tracker)."""
    found = []
    for child in parent.children(recursive=True):
        try:
            if "spawn_main" in " ".join(child.cmdline()):
                found.append(child)
        except psutil.Error:
            pass
    return found


def test_pages_read_by_workers_give_the_same_archive(tmp_path):
    blog = make_blog("layout", n_posts=60, seed=11)
    with BlogServer(blog) as server:
        crawl(server.url, tmp_path / "here.db", "--parse-workers", "0")
        # two pages at a time: the workers are up (pages are read here until then) well before the end
        result = crawl(server.url, tmp_path / "workers.db", "--parse-workers", "2", "--verbose",
                       "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=2")
    log = result.stdout + result.stderr
    assert "'blogarchive/readers/read'" in log  # the workers read pages
    assert "blogarchive/readers/read_here" not in log and "blogarchive/readers/died" not in log
    here, workers = rows(tmp_path / "here.db"), rows(tmp_path / "workers.db")
    assert len(here["posts"]) == 60 and here["comments"] and here["post_images"] and here["post_labels"]
    for table in QUERIES:
        assert workers[table] == here[table], table


@pytest.mark.parametrize("feed", [True, False])
def test_pages_the_evidence_rule_refuses_are_refused_the_same(tmp_path, feed):
    """A generic blog: posts found by the feed or by their own markup, pages refused with the
    rule's reason, and without a feed the post pages' links followed."""
    blog = make_generator_blog("hugo", n_posts=12, seed=4)
    blog.feed = feed
    for post in blog.posts[:4]:  # nothing on these says they are posts
        post.paragraphs = ["Back soon."]
    with GeneratorServer(blog) as server:
        first = crawl(server.url, tmp_path / "here.db", "--parse-workers", "0", expect_ok=False)
        second = crawl(server.url, tmp_path / "workers.db", "--parse-workers", "1", expect_ok=False)
    assert first.returncode == second.returncode
    here, workers = rows(tmp_path / "here.db"), rows(tmp_path / "workers.db")
    refused = [r for r in here["fetches"] if r[3] == "not_a_post"]
    assert len(refused) == (0 if feed else 4) and here["posts"]
    if feed:
        # A page refused before the feed named it is asked for again ("listed-in-feed"); one
        # answered after the feed was read is taken at once ("discovered"). Which happens depends
        # on when the feed answered, in one process as with workers: the request's reason and
        # the count of requests are left out, what was archived is not.
        for archive in (here, workers):
            archive["fetches"] = sorted((r[:-1] for r in archive["fetches"]), key=repr)
            archive["crawl"] = [r[:1] + r[2:] for r in archive["crawl"]]
    for table in QUERIES:
        assert workers[table] == here[table], table


def test_a_worker_killed_mid_crawl_loses_no_page(tmp_path):
    blog = make_blog("layout", n_posts=150, seed=12)
    kills = []
    with BlogServer(blog) as server:
        crawl(server.url, tmp_path / "here.db", "--parse-workers", "0")
        proc = subprocess.Popen(
            [sys.executable, "-m", "scraper.cli", "crawl", server.url, "--db", str(tmp_path / "workers.db"),
             *FAST, "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=2", "--parse-workers", "1", "--verbose"],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"})

        def killer():  # the first two workers, each once it is reading pages (past its start-up)
            parent = psutil.Process(proc.pid)
            deadline = time.time() + 120
            while len(kills) < 2 and proc.poll() is None and time.time() < deadline:
                for worker in reading_processes(parent):
                    try:
                        busy = sum(worker.cpu_times()[:2]) > 0.3
                    except psutil.Error:
                        continue
                    if busy and worker.pid not in kills:
                        os.kill(worker.pid, signal.SIGKILL)
                        kills.append(worker.pid)
                time.sleep(0.01)

        thread = threading.Thread(target=killer)
        thread.start()
        out, err = proc.communicate(timeout=300)
        thread.join()
    assert kills
    assert proc.returncode == 0, out + err[-5000:]
    assert "a page-reading process died" in out + err
    here, workers = rows(tmp_path / "here.db"), rows(tmp_path / "workers.db")
    assert len(workers["posts"]) == 150
    for table in QUERIES:
        assert workers[table] == here[table], table
