"""`blogarchive demo`: a sample blog on 127.0.0.1, crawled into demo.db, opened in Datasette."""

from __future__ import annotations

import subprocess
import sys

import click

from .publish import datasette_command
from .report import print_summary
from .runner import crawl


def run_demo(db_path: str, port: int = 8001, serve: bool = True) -> int:
    from .sample import BlogServer, make_demo_blog

    blog = make_demo_blog()
    with BlogServer(blog) as server:
        click.echo(f"sample blog \"{blog.title}\" ({len(blog.posts)} posts) at {server.url}")
        # A local server we run ourselves: no politeness delay needed.
        row = crawl([server.url], db_path, {
            "DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False,
            "CONCURRENT_REQUESTS_PER_DOMAIN": 8, "LOG_LEVEL": "WARNING",
        })
        print_summary(row)
        if row.get("status") != "finished":
            return 1
        if not serve:
            return 0
        cmd = datasette_command(db_path, port=port)
        click.echo(f"Datasette on http://127.0.0.1:{port}/  (Ctrl-C to stop)")
        try:
            return subprocess.call(cmd)
        except KeyboardInterrupt:
            return 0


if __name__ == "__main__":
    sys.exit(run_demo("demo.db"))
