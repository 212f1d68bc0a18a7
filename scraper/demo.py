"""`blogarchive demo`: a sample blog on 127.0.0.1, crawled into demo.db, opened in Datasette."""

from __future__ import annotations

import socket
import sys

import click

from .publish import datasette_command, serve_until_stopped
from .report import print_summary
from .runner import crawl


def run_demo(db_path: str, port: int = 8001, serve: bool = True) -> int:
    from .sample import BlogServer, make_demo_blog

    if serve and not port_free(port):  # found out now, not after the crawl
        taken, port = port, free_port()
        click.echo(f"port {taken} is in use; Datasette will listen on port {port}")
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
    return serve_until_stopped(cmd)


def port_free(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as s:
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


if __name__ == "__main__":
    sys.exit(run_demo("demo.db"))
