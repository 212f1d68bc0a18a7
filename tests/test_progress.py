"""Progress lines of the long commands besides crawl (import, run): on a terminal (a real
pseudo-terminal here) a live line with counts; without one (cron, CI, a pipe) not a
byte of it. The commands run as real subprocesses."""

from __future__ import annotations

import os
import pty
import re
import select
import subprocess
import sys
import time
from pathlib import Path

from conftest import free_port
from scraper.sample.wordpress import make_wp_blog, wxr

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def on_terminal(args: list[str], cwd: Path, timeout: float = 120) -> tuple[int, str, str]:
    """Run the command with a pseudo-terminal as stderr: exit code, stdout, the terminal's text."""
    master, slave = pty.openpty()
    env = dict(os.environ, TERM="xterm", COLUMNS="120")
    env.pop("BLOGARCHIVE_PROGRESS", None)
    proc = subprocess.Popen(args, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=slave, env=env)
    os.close(slave)
    seen = b""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            seen += chunk
        elif proc.poll() is not None:
            break
    out = proc.stdout.read().decode()
    code = proc.wait(timeout=30)
    os.close(master)
    return code, out, ANSI.sub("", seen.decode("utf-8", "replace"))


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "scraper.cli", *args]


def write_export(folder: Path, n_posts: int) -> Path:
    path = folder / "export.xml"
    path.write_text(wxr(make_wp_blog(n_posts=n_posts), "http://wp.example"), "utf-8")
    return path


def test_import_shows_a_progress_line_on_a_terminal_only(tmp_path):
    export = write_export(tmp_path, 30)
    code, out, terminal = on_terminal(cli("import", str(export), "--db", "a.db"), tmp_path)
    assert code == 0, (out, terminal)
    assert "posts new 30" in out
    assert "saving posts" in terminal and "30/30" in terminal, terminal

    # No terminal: the summary and nothing else.
    piped = subprocess.run(cli("import", str(export), "--db", "b.db"), cwd=tmp_path,
                           capture_output=True, text=True, timeout=120)
    assert piped.returncode == 0
    assert piped.stderr == "" and "saving posts" not in piped.stdout
    assert "posts new 30" in piped.stdout


def test_run_shows_which_blog_of_how_many_on_a_terminal_only(tmp_path):
    # Two blogs nobody answers for: each crawl fails fast, the run goes on to the next.
    dead = [f"http://127.0.0.1:{free_port()}/", f"http://127.0.0.1:{free_port()}/"]
    config = tmp_path / "blogs.toml"
    config.write_text("".join(
        f'[[blog]]\nurl = "{url}"\ndb = "blog{i}.db"\nallow_private = true\n'
        'settings = { RETRY_TIMES = 0 }\n\n' for i, url in enumerate(dead)), "utf-8")
    code, out, terminal = on_terminal(cli("run", str(config)), tmp_path, timeout=300)
    assert code == 1, (out, terminal)  # both archives failed, and the run says so
    assert "done: 0 of 2 archives ok" in out
    assert f"crawling {dead[0]}" in terminal and "2/2" in terminal, terminal

    piped = subprocess.run(cli("run", str(config)), cwd=tmp_path, capture_output=True,
                           text=True, timeout=300)
    assert piped.returncode == 1 and "done: 0 of 2 archives ok" in piped.stdout
    assert "2/2" not in piped.stdout + piped.stderr


def test_export_shows_a_progress_line_on_a_terminal_only(tmp_path):
    import sqlite3

    subprocess.run(cli("import", str(write_export(tmp_path, 30)), "--db", "a.db"), cwd=tmp_path,
                   check=True, capture_output=True, timeout=120)
    conn = sqlite3.connect(tmp_path / "a.db")
    tables = [r[0] for r in conn.execute(
        "select name from sqlite_master where type = 'table' and name not like 'sqlite_%' "
        "and (sql not like 'CREATE VIRTUAL TABLE%') and name not like '%_fts%' "
        "and name != 'post_bodies'")]  # bodies are exported inside posts
    total = sum(conn.execute(f'select count(*) from "{t}"').fetchone()[0] for t in tables)
    conn.close()
    for fmt, out in (("csv", "out"), ("xlsx", "a.xlsx")):
        code, stdout, terminal = on_terminal(cli("export", "a.db", "--format", fmt, "--out", out),
                                             tmp_path)
        assert code == 0, (stdout, terminal)
        assert "writing" in terminal and f"{total}/{total}" in terminal, terminal
    piped = subprocess.run(cli("export", "a.db", "--format", "csv", "--out", "piped"), cwd=tmp_path,
                           capture_output=True, text=True, timeout=120)
    assert piped.returncode == 0 and piped.stderr == "" and "writing" not in piped.stdout
