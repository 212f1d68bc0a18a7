"""`blogarchive reparse`: the current extractors over the stored pages, with no network."""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
import threading

import yaml

from conftest import ROOT, crawl, run_cli
from scraper.sample import BlogServer, make_blog

# One extractor rule changed in the process that reparses: Blogger titles with
# "the" in them now read "THE" (the posts a real fix of the title rule would touch).
CHANGED_RULE = """
import sys
import scraper.platforms.blogger as blogger
original = blogger._title
blogger._title = lambda root: original(root).replace("the", "THE")
from scraper.cli import main
main(sys.argv[1:])
"""


class Listener:
    """A real socket on a port, counting every connection made to it."""

    def __init__(self, port: int = 0):
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", port))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            conn.close()

    def close(self):
        self.sock.shutdown(socket.SHUT_RDWR)  # wakes the accepting thread
        self.sock.close()


def reparse_offline(db, *args, blog_port: int, rule: bool = False):
    """Run reparse with the blog's own port and a proxy both answered by counters."""
    blog_listener, proxy = Listener(blog_port), Listener()
    proxy_url = f"http://127.0.0.1:{proxy.port}"
    env = {**os.environ, "http_proxy": proxy_url, "https_proxy": proxy_url,
           "HTTP_PROXY": proxy_url, "HTTPS_PROXY": proxy_url, "no_proxy": "", "NO_PROXY": ""}
    cmd = [sys.executable, "-c", CHANGED_RULE] if rule else [sys.executable, "-m", "scraper.cli"]
    try:
        result = subprocess.run([*cmd, "reparse", str(db), *args], capture_output=True, text=True,
                                timeout=180, cwd=ROOT, env=env)
    finally:
        blog_listener.close()
        proxy.close()
    assert blog_listener.connections == 0 and proxy.connections == 0, "reparse used the network"
    return result


def test_reparse_after_a_rule_changes_updates_exactly_the_affected_posts(tmp_path):
    blog = make_blog("layout", n_posts=16, seed=41)
    db_path = tmp_path / "archive.db"
    with BlogServer(blog) as server:
        crawl(server.url, db_path)
        port = server.port
    db = sqlite3.connect(db_path)
    titles = dict(db.execute("SELECT id, title FROM posts"))
    affected = {i for i, t in titles.items() if "the" in t}
    assert 0 < len(affected) < len(titles)
    before = {r[0]: r[1:] for r in db.execute("SELECT id, body_html, published, labels FROM posts_with_bodies")}

    # The extractors as they are: nothing changes, and nothing was fetched.
    same = reparse_offline(db_path, blog_port=port)
    assert same.returncode == 0, same.stdout + same.stderr[-3000:]
    assert f"posts {len(titles)}, updated 0, unchanged {len(titles)}" in same.stdout

    dry = reparse_offline(db_path, "--dry-run", blog_port=port, rule=True)
    assert dry.returncode == 0, dry.stdout + dry.stderr[-3000:]
    assert f"updated {len(affected)}" in dry.stdout and f"title: {len(affected)} posts" in dry.stdout
    assert dict(db.execute("SELECT id, title FROM posts")) == titles  # the dry run wrote nothing
    assert db.execute("SELECT COUNT(*) FROM post_versions").fetchone()[0] == 0

    result = reparse_offline(db_path, blog_port=port, rule=True)
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    now = dict(db.execute("SELECT id, title FROM posts"))
    assert {i for i in titles if now[i] != titles[i]} == affected
    assert all(now[i] == titles[i].replace("the", "THE") for i in affected)
    # the previous content is kept, for the affected posts only
    versions = dict(db.execute("SELECT post_id, title FROM post_versions"))
    assert versions == {i: titles[i] for i in affected}
    # the other fields stand as they were
    assert {r[0]: r[1:] for r in db.execute("SELECT id, body_html, published, labels FROM posts_with_bodies")} \
        == before
    run = db.execute("SELECT kind, status, posts_updated, changes FROM crawls ORDER BY id DESC"
                     ).fetchone()
    assert run[:3] == ("reparse", "finished", len(affected))
    assert json.loads(run[3]) == {"title": len(affected)}
    kinds = [k for (k,) in db.execute("SELECT kind FROM crawls ORDER BY id")]
    assert kinds == ["crawl", "reparse", "reparse"]  # the dry run left no row
    # The crawls charts show the one crawl, not the reparse runs (which fetched nothing and
    # would chart as crawls that found every post again); crawl health names each kind.
    queries = yaml.safe_load((ROOT / "datasette/blogarchive_site/metadata.yml").read_text()
                             )["databases"]["archive"]["queries"]
    crawl_id = db.execute("SELECT id FROM crawls WHERE kind = 'crawl'").fetchone()[0]
    assert [r[0] for r in db.execute(queries["posts_found_per_run"]["sql"])] == [crawl_id]
    assert {r[0] for r in db.execute(queries["expected_vs_archived"]["sql"])} == {crawl_id}
    health = db.execute(queries["crawl_health"]["sql"])
    names = [d[0] for d in health.description]
    assert [r[names.index("kind")] for r in health] == ["reparse", "reparse", "crawl"]


def test_reparse_without_stored_pages_says_so_and_changes_nothing(tmp_path):
    blog = make_blog("layout", n_posts=5, seed=42, images=False)
    db_path = tmp_path / "archive.db"
    with BlogServer(blog) as server:
        crawl(server.url, db_path, "--warc", "none")
    result = run_cli("reparse", str(db_path))
    assert result.returncode == 0, result.stderr
    assert "5 posts have no stored page" in result.stdout
    missing = run_cli("reparse", str(tmp_path / "nope.db"))
    assert missing.returncode == 2
