"""Scheduled runs: a config of blogs, a lock, a log, exit codes, and the unit files."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import yaml

from conftest import FAST, ROOT, free_port, run_cli
from scraper.lock import exclusive
from scraper.sample import BlogServer, make_blog

SCHEDULED = ROOT / "scheduled"


def write_config(folder: Path, blogs: list[tuple[str, str]], **extra) -> Path:
    lines = ["[defaults]", 'log = "logs/run.log"', "allow_private = true",  # a local server
             "[defaults.settings]"]
    lines += [f'{a.split("=")[0]} = "{a.split("=")[1]}"' for a in FAST[1::2]]
    for url, db in blogs:
        lines += ["[[blog]]", f'url = "{url}"', f'db = "{db}"']
        lines += [f'{k} = "{v}"' for k, v in extra.items()]
    path = folder / "blogs.toml"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_run_archives_every_blog_publishes_and_logs(tmp_path):
    one, two = make_blog("layout", n_posts=12, seed=1), make_blog("classic", n_posts=9, seed=2)
    with BlogServer(one) as a, BlogServer(two) as b:
        config = write_config(tmp_path, [(a.url, "one.db"), (b.url, "two.db")],
                              publish_to="www/archive.db", images="dir:pics")
        result = run_cli("run", str(config))  # run from the checkout, not the file's folder
    assert result.returncode == 0, result.stdout + result.stderr
    # A relative image folder is the file's, like the archives: not wherever the timer runs.
    assert any((tmp_path / "pics").rglob("*.*")) and not (ROOT / "pics").exists()
    assert sqlite3.connect(tmp_path / "one.db").execute("SELECT COUNT(*) FROM posts").fetchone()[0] == 12
    assert sqlite3.connect(tmp_path / "two.db").execute("SELECT COUNT(*) FROM posts").fetchone()[0] == 9
    # The snapshot is a complete, consistent archive (the last one published).
    snap = sqlite3.connect(tmp_path / "www" / "archive.db")
    assert snap.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert snap.execute("SELECT COUNT(*) FROM posts").fetchone()[0] == 9
    log = (tmp_path / "logs" / "run.log").read_text()
    assert "done: 2 of 2 archives ok" in log and "crawl 1: finished" in log


def test_a_failing_blog_makes_the_run_fail_but_not_the_others(tmp_path):
    blog = make_blog("layout", n_posts=8, seed=3)
    dead = f"http://127.0.0.1:{free_port()}/"  # nothing listens there
    with BlogServer(blog) as server:
        config = write_config(tmp_path, [(dead, "dead.db"), (server.url, "good.db")])
        result = run_cli("run", str(config))
    assert result.returncode == 1
    assert "FAILED" in result.stdout and "done: 1 of 2 archives ok" in result.stdout
    assert sqlite3.connect(tmp_path / "good.db").execute("SELECT COUNT(*) FROM posts").fetchone()[0] == 8


def test_overlapping_runs_and_crawls_never_interleave(tmp_path):
    blog = make_blog("layout", n_posts=5, seed=4)
    with BlogServer(blog) as server:
        config = write_config(tmp_path, [(server.url, "a.db")])
        with exclusive(config.resolve()):  # a run is going
            second = run_cli("run", str(config))
        assert second.returncode == 75
        assert "still going" in second.stderr
        db = tmp_path / "a.db"
        with exclusive(db):  # a crawl is writing this archive
            refused = run_cli("crawl", server.url, "--db", str(db), *FAST)
        assert refused.returncode == 2
        assert "another crawl is writing" in refused.stderr
        # With --wait, the second crawl waits for the first to finish, then runs.
        release = threading.Event()

        def hold():
            with exclusive(db):
                release.wait(2)

        holder = threading.Thread(target=hold)
        holder.start()
        waited = run_cli("crawl", server.url, "--db", str(db), "--wait", "30", *FAST)
        release.set()
        holder.join()
        assert waited.returncode == 0, waited.stderr[-2000:]


def test_run_script_runs_the_config(tmp_path):
    blog = make_blog("contempo", n_posts=6, seed=5)
    with BlogServer(blog) as server:
        config = write_config(tmp_path, [(server.url, "c.db")])
        env = {**os.environ, "BLOGARCHIVE_VENV": str(Path(sys.executable).parent.parent)}
        result = subprocess.run(["bash", str(SCHEDULED / "run.sh"), str(config)],
                                capture_output=True, text=True, env=env, timeout=180)
    assert result.returncode == 0, result.stdout + result.stderr
    assert sqlite3.connect(tmp_path / "c.db").execute("SELECT COUNT(*) FROM posts").fetchone()[0] == 6


def test_systemd_units_verify(tmp_path):
    if not shutil.which("systemd-analyze"):
        pytest.skip("systemd-analyze is not installed")
    exe = Path(sys.executable).parent / "blogarchive"
    for name in ("blogarchive.service", "blogarchive.timer"):
        text = (SCHEDULED / name).read_text()
        text = text.replace("/opt/blogarchive/.venv/bin/blogarchive", str(exe))
        text = text.replace("/opt/blogarchive", str(ROOT))
        (tmp_path / name).write_text(text)
    result = subprocess.run(["systemd-analyze", "verify", str(tmp_path / "blogarchive.service"),
                             str(tmp_path / "blogarchive.timer")], capture_output=True, text=True)
    problems = [line for line in result.stderr.splitlines() if "blogarchive" in line]
    assert result.returncode == 0 and not problems, result.stderr


def test_cron_line_and_ci_workflow_are_well_formed():
    entries = [line for line in (SCHEDULED / "crontab").read_text().splitlines()
               if line.strip() and not line.startswith("#")]
    assert len(entries) == 1
    fields = entries[0].split(None, 5)
    assert len(fields) == 6 and fields[5].startswith("/opt/blogarchive/scheduled/run.sh")
    workflow = yaml.safe_load((SCHEDULED / "github-workflow.yml").read_text())
    triggers = workflow[True]  # YAML reads the key `on` as true
    assert triggers["schedule"][0]["cron"] and "workflow_dispatch" in triggers
    steps = workflow["jobs"]["archive"]["steps"]
    assert any("blogarchive run scheduled/blogs.toml" in s.get("run", "") for s in steps)
    # The example config parses and names at least one blog.
    from scraper.scheduled import load

    jobs, options = load(SCHEDULED / "blogs.toml")
    assert jobs and all(job.urls for job in jobs) and options["log"]
