"""The command line a newcomer meets: demo, extract, errors, and the Scrapy-style crawl."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import urllib.request

from conftest import ROOT, free_port, run_cli, wait_for
from scraper.sample import BlogServer, expected_post, make_blog


def test_extract_one_saved_page_to_json(tmp_path):
    blog = make_blog("contempo", n_posts=6, seed=9)
    post = blog.sorted_posts()[0]
    with BlogServer(blog) as server:
        url = server.origin + post.path
        page = tmp_path / "saved.html"
        page.write_bytes(urllib.request.urlopen(url).read())
        want = expected_post(blog, post, server.origin, server.image_origin)
    result = run_cli("extract", str(page), "--url", url, check=True)
    data = json.loads(result.stdout)
    assert data["platform"] == "blogger"
    assert (data["id"], data["title"], data["published"], data["labels"]) == \
        (want["post_id"], want["title"], want["published"], want["labels"])
    assert [i["full_url"] for i in data["images"]] == [i["full_url"] for i in want["images"]]


def test_extract_refuses_a_page_it_does_not_know(tmp_path):
    page = tmp_path / "plain.html"
    page.write_text("<html><head><title>Hello</title></head><body><p>Just a page.</p></body></html>")
    result = run_cli("extract", str(page), "--url", "http://example.org/x.html")
    assert result.returncode == 1
    assert "no platform recognised this page" in result.stderr or "no post" in result.stderr


def test_extract_falls_back_to_the_main_text_of_a_page_without_post_markup(tmp_path):
    # No platform, no date, no structured data: a crawl would not archive it, but a
    # person who saved it as a post gets its main text, and is told how it was found.
    article = " ".join(f"The lighthouse keeper logged ship number {i} passing the reef at dusk."
                       for i in range(12))
    page = tmp_path / "essay.html"
    page.write_text(
        "<html><head><title>Keeper's log</title></head><body>"
        "<nav><a href='/'>Home</a> <a href='/about'>About</a> <a href='/contact'>Contact</a></nav>"
        f"<main><h1>Keeper's log</h1><p>{article}</p><p>{article}</p></main>"
        "<footer>Menu · Subscribe · Privacy policy · Cookie settings</footer></body></html>")
    result = run_cli("extract", str(page), "--url", "http://example.org/essays/keeper", check=True)
    data = json.loads(result.stdout)
    assert data["platform"] == "generic" and "refused" in data["note"]
    assert "ship number 11 passing the reef" in data["body_text"]
    assert "Privacy policy" not in data["body_text"] and "Contact" not in data["body_text"]
    strict = run_cli("extract", str(page), "--url", "http://example.org/essays/keeper", "--strict")
    assert strict.returncode == 1 and "no platform recognised this page" in strict.stderr


def test_usage_errors_exit_2_before_fetching(tmp_path):
    result = run_cli("crawl", "ftp://example.org/blog", "--db", str(tmp_path / "a.db"))
    assert result.returncode == 2 and "only http and https" in result.stderr
    result = run_cli("crawl", "http://127.0.0.1:9/", "--db", str(tmp_path / "a.db"), "-s", "NOVALUE")
    assert result.returncode == 2 and "NAME=VALUE" in result.stderr
    result = run_cli("crawl", "http://127.0.0.1:9/", "--db", str(tmp_path / "missing" / "a.db"))
    assert result.returncode == 2 and "does not exist" in result.stderr


def test_scrapy_crawl_blog_works_from_the_project_folder(tmp_path):
    blog = make_blog("layout", n_posts=10, seed=12)
    db = tmp_path / "scrapy.db"
    with BlogServer(blog) as server:
        result = subprocess.run(
            [sys.executable, "-m", "scrapy", "crawl", "blog", "-a", f"url={server.url}",
             "-s", f"BLOGARCHIVE_DB={db}", "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=0"],
            cwd=ROOT, capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr[-3000:]
    assert sqlite3.connect(db).execute("SELECT COUNT(*) FROM posts").fetchone()[0] == 10


def test_demo_crawls_the_sample_blog_and_serves_it(tmp_path):
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "scraper.cli", "demo", "--db", str(tmp_path / "demo.db"),
                             "--port", str(port)], cwd=tmp_path, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"},
                            start_new_session=True)
    try:
        wait_for(f"http://127.0.0.1:{port}/", timeout=120)
        data = json.loads(urllib.request.urlopen(
            f"http://127.0.0.1:{port}/demo/posts.json?_shape=array&_size=100").read())
        assert len(data) == 36
        assert all(row["title"] is not None and row["published"] for row in data)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        output = proc.communicate(timeout=30)[0]
    assert "crawl 1: finished" in output and "posts new 36" in output


def test_one_crawl_archives_several_blogs(tmp_path):
    one, two = make_blog("layout", n_posts=7, seed=41), make_blog("contempo", n_posts=5, seed=42)
    with BlogServer(one) as a, BlogServer(two) as b:
        result = run_cli("crawl", a.url, b.url, "--db", str(tmp_path / "both.db"),
                         "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=0")
    assert result.returncode == 0, result.stderr[-2000:]
    db = sqlite3.connect(tmp_path / "both.db")
    per_blog = dict(db.execute("SELECT blog_id, COUNT(*) FROM posts GROUP BY blog_id"))
    assert per_blog == {one.blog_id: 7, two.blog_id: 5}
    assert "expected 12" in result.stdout


def test_crawl_with_redis_without_the_cluster_extra_says_what_to_install(tmp_path):
    # the redis client missing (a plain `pip install .`): the usual commands work, and a
    # cluster crawl is refused with the extra to install, not a traceback.
    code = ("import sys; sys.modules['redis'] = None; sys.argv[0] = 'blogarchive'; "
            "from scraper.cli import main; main()")

    def run(*args):
        return subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT,
                              capture_output=True, text=True, timeout=60)

    result = run("crawl", "--redis", "redis://127.0.0.1:9/0", "http://127.0.0.1:9/")
    assert result.returncode == 2, result.stderr[-2000:]
    assert "pip install 'blogarchive[cluster]'" in result.stderr
    assert "Traceback" not in result.stderr
    listed = run("--help")
    assert listed.returncode == 0 and "crawl" in listed.stdout and "worker" not in listed.stdout


def test_the_command_list_imports_no_command():
    # `blogarchive --help` (and a crawl) load neither Scrapy nor the exporters, the importer,
    # the scheduler or Redis just to list them; the list reads as it does with all loaded.
    code = """if True:
        import json, sys
        from click.testing import CliRunner
        from scraper.cli import main
        listed = CliRunner().invoke(main, ["--help"], prog_name="blogarchive").output
        loaded = sorted(m for m in ("scrapy", "sqlite_utils", "scraper.store", "scraper.export",
                                    "scraper.importer", "scraper.scheduled", "redis") if m in sys.modules)
        ctx = main.make_context("blogarchive", ["--help"], resilient_parsing=True)
        commands = {name: main.get_command(ctx, name) for name in main.list_commands(ctx)}
        again = CliRunner().invoke(main, ["--help"], prog_name="blogarchive").output
        print(json.dumps({"listed": listed, "loaded": loaded, "again": again,
                          "found": sorted(name for name, command in commands.items() if command)}))
    """
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr[-2000:]
    data = json.loads(result.stdout)
    assert data["loaded"] == []
    assert data["listed"] == data["again"]
    for name in ("crawl", "export", "import", "run", "status"):
        assert f"  {name} " in data["listed"]
    assert {"export", "import", "run", "crawl"} <= set(data["found"])
