"""A threaded HTTP server on 127.0.0.1 for the fake blogs: each answers with its own
``route(path, query) -> Reply`` and every request is logged."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable
from urllib.parse import parse_qs, unquote, urlsplit


class Reply:
    __slots__ = ("status", "ctype", "body", "headers")

    def __init__(self, status: int, ctype: str, body: bytes, headers: dict | None = None):
        self.status, self.ctype, self.body, self.headers = status, ctype, body, headers or {}


class _Quiet(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass


class FixtureServer:
    """A threaded HTTP server on 127.0.0.1 answering with ``route(path, query) -> Reply``;
    every request is logged as (method, path_with_query, status)."""

    def __init__(self, route: Callable[[str, dict], Reply], port: int = 0):
        self.requests: list = []
        self._lock = threading.Lock()
        self._route = route
        self._httpd = _Quiet(("127.0.0.1", port), self._handler())
        self.port = self._httpd.server_address[1]
        self.origin = f"http://127.0.0.1:{self.port}"
        self.url = self.origin + "/"
        self._thread = threading.Thread(target=self._httpd.serve_forever,
                                        kwargs={"poll_interval": 0.1}, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()

    def paths(self) -> list[str]:
        with self._lock:
            return [r[1] for r in self.requests]

    def _handler(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):
                split = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(split.query, keep_blank_values=True).items()}
                try:
                    reply = server._route(unquote(split.path), query)
                except Exception as exc:  # a bug in the fake must not hang the crawler
                    reply = Reply(500, "text/plain", f"fixture error: {exc!r}".encode())
                with server._lock:
                    server.requests.append(("GET", self.path, reply.status))
                self.send_response(reply.status)
                self.send_header("Content-Type", reply.ctype)
                self.send_header("Content-Length", str(len(reply.body)))
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(reply.body)

            def log_message(self, *args):
                pass

        return Handler



def serve_until_interrupted(server) -> None:
    """Keep a fixture server answering until Ctrl-C (``python -m scraper.sample…``)."""
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        server.stop()
