"""A fake Blogger blog on 127.0.0.1 that misbehaves on purpose.

`FaultServer` serves a `scraper.sample` blog (every page rendered by the same
code as `BlogServer`, with links pointing at this server) and lets a test make
chosen URLs fail the way the real web fails:

    with FaultServer(make_blog("layout", n_posts=12)) as server:
        server.fault("/2018/05/a.html", "status", status=503, times=1,
                     headers={"Retry-After": "2"})
        server.fault(re.compile(r"\\.html\\?x="), "reset")
        crawl(server.url, db)

A fault matches a request by its path with query (an exact string, a compiled
regex searched in it, or a callable); ``times`` makes it clear after that many
answers (None: never clears). Kinds:

- ``status``: answer ``status`` with ``headers`` and a small HTML ``body``
- ``redirect``: ``status`` (default 301) to ``location``
- ``delay``: wait ``delay`` seconds, then answer normally (slow server)
- ``timeout``: accept, say nothing for ``delay`` seconds, hang up
- ``reset``: send the headers and half the body, then a TCP reset
- ``truncate``: promise more bytes (Content-Length) than are sent, close cleanly
- ``empty``: 200, text/html, no body
- ``body``: exactly ``body`` with ``ctype`` and ``headers`` (binary, bombs, big pages)
- ``stream``: ``size`` bytes of ``ctype`` without a Content-Length, until close
- ``recode``: the normal page (after ``edit(text)``), encoded in ``encoding``;
  ``header_charset`` is what Content-Type says (None: no charset), ``meta_charset``
  replaces the page's meta charset (None: removed), ``bom`` prefixes a BOM
- ``edit``: the normal page passed through ``edit(text) -> text`` or ``edit(text, path)``
  (UTF-8); with ``source`` the page of that path is served instead, as a 200 (traps)

Every request is logged in ``requests`` as (method, path, status, time, Host, User-Agent).
"""

from __future__ import annotations

import inspect
import re
import socket
import struct
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable

from scraper.sample.server import BlogServer, _not_modified, _Response

META_CHARSET = re.compile(r"<meta content='text/html; charset=UTF-8' http-equiv='Content-Type'/>")
SMALL_PAGE = b"<!DOCTYPE html><html><head><title>Error</title></head><body><p>Error.</p></body></html>"


@dataclass
class Fault:
    match: object
    kind: str
    times: int | None = None
    options: dict = field(default_factory=dict)
    served: int = 0

    host: str | None = None  # only requests for this Host header ("localhost:8000")

    def matches(self, path: str, host: str = "") -> bool:
        if self.times is not None and self.served >= self.times:
            return False
        if self.host is not None and host != self.host:
            return False
        if callable(self.match) and not isinstance(self.match, re.Pattern):
            return bool(self.match(path))
        if isinstance(self.match, re.Pattern):
            return bool(self.match.search(path))
        return path == self.match


class _Quiet(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128  # a crawler opens many connections at once

    def handle_error(self, request, client_address):
        pass  # clients hanging up on a fault are the point


class FaultServer:
    """A sample blog whose pages can be made to fail. Attributes: url, origin, port, blog."""

    def __init__(self, blog, host: str = "127.0.0.1", tls_dir=None):
        self.blog = blog
        self.inner = BlogServer(blog, host=host)  # renders pages and serves the images
        self.requests: list[tuple] = []
        self.faults: list[Fault] = []
        self._lock = threading.Lock()
        self.httpd = _Quiet((host, 0), _handler(self))
        self.port = self.httpd.server_address[1]
        scheme = "http"
        if tls_dir is not None:  # HTTPS with a throwaway self-signed certificate
            import ssl

            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*_self_signed(tls_dir, host))
            self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
            scheme = "https"
        self.origin = f"{scheme}://{host}:{self.port}"
        self.url = self.origin + "/"
        self.image_origin = self.inner.image_origin
        # Pages render their links with this server's address, not the inner one's.
        self.inner.origin = self.origin
        self.inner.url = self.url
        self._thread = threading.Thread(target=self.httpd.serve_forever,
                                        kwargs={"poll_interval": 0.1}, daemon=True)
        self._thread.start()

    # -- setup -------------------------------------------------------------------

    def fault(self, match, kind: str, times: int | None = None, host: str | None = None,
              **options) -> Fault:
        fault = Fault(match, kind, times, options, host=host)
        with self._lock:
            self.faults.append(fault)
        return fault

    def clear(self) -> None:
        with self._lock:
            self.faults.clear()

    def post_url(self, post) -> str:
        return self.origin + post.path

    # -- what happened -------------------------------------------------------------

    def hits(self, path: str) -> list[tuple]:
        with self._lock:
            return [r for r in self.requests if r[1] == path]

    def paths(self, since: int = 0) -> list[str]:
        with self._lock:
            return [r[1] for r in self.requests[since:]]

    # -- lifecycle -----------------------------------------------------------------

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.inner.stop()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()

    # -- serving -------------------------------------------------------------------

    def _take(self, path: str, host: str = "") -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if fault.matches(path, host):
                    fault.served += 1
                    return fault
        return None

    def _log(self, method: str, path: str, status, host: str, agent: str = "") -> None:
        with self._lock:
            self.requests.append((method, path, status, time.time(), host, agent))

    def normal(self, path: str) -> _Response:
        return self.inner._blog_response(path)


def _self_signed(folder, host: str) -> tuple[str, str]:
    import datetime as dt
    import ipaddress
    from pathlib import Path

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(host))]),
                           critical=False)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = Path(folder) / "cert.pem", Path(folder) / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return str(cert_path), str(key_path)


def _handler(server: FaultServer):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "GSE"
        sys_version = ""
        timeout = 30

        def log_message(self, *args):
            pass

        def do_GET(self):
            path = self.path
            host = self.headers.get("Host", "")
            fault = server._take(path, host)
            kind = fault.kind if fault else ""
            opts = fault.options if fault else {}
            if kind == "delay":
                time.sleep(opts.get("delay", 0.1))
                kind = ""
            if not kind:
                response = server.normal(path)
                status, body = response.status, response.body
                if status == 200 and _not_modified(self, response):
                    status, body = 304, b""
                server._log("GET", path, status, host, self.headers.get("User-Agent", ""))
                return self._send(status, response.ctype, body, response.headers)
            server._log("GET", path, kind if kind not in ("status", "redirect") else
                        opts.get("status", 301 if kind == "redirect" else 500), host,
                        self.headers.get("User-Agent", ""))
            try:
                getattr(self, "_" + kind)(path, **opts)
            except Exception as exc:  # a bug in a fault must show, not look like a network fault
                self._send(500, "text/plain", f"fault server error: {exc!r}".encode(), {})

        # -- the faults --------------------------------------------------------

        def _status(self, path, status=500, headers=None, body=SMALL_PAGE):
            self._send(status, "text/html; charset=UTF-8", body, headers or {})

        def _redirect(self, path, location, status=301):
            self._send(status, "text/html; charset=UTF-8", b"", {"Location": location})

        def _timeout(self, path, delay=3.0):
            time.sleep(delay)
            self.close_connection = True

        def _reset(self, path):
            body = server.normal(path).body
            self._head(200, "text/html; charset=UTF-8", len(body))
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            # SO_LINGER 0: close() sends RST instead of FIN. Close it here, before the
            # server's own shutdown(SHUT_WR) would end the stream cleanly.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            self.rfile.close()
            self.wfile.close()
            self.connection.close()

        def _truncate(self, path):
            body = server.normal(path).body
            self._head(200, "text/html; charset=UTF-8", len(body) + 5000)
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True

        def _empty(self, path):
            self._send(200, "text/html; charset=UTF-8", b"", {})

        def _body(self, path, body, ctype="text/html; charset=UTF-8", headers=None):
            self._send(200, ctype, body, headers or {})

        def _stream(self, path, size, ctype="text/html; charset=UTF-8", chunk=64 * 1024):
            self.send_response(200)
            self.send_header("Content-Type", ctype)
            self.send_header("Connection", "close")
            self.end_headers()
            block = (b"<p>" + b"x" * (chunk - 7) + b"</p>\n")[:chunk]
            sent = 0
            try:
                while sent < size:
                    self.wfile.write(block)
                    sent += len(block)
            except OSError:
                pass  # the client gave up: that is what we wanted
            self.close_connection = True

        def _edit(self, path, edit: Callable, source: str | None = None):
            response = server.normal(source or path)
            text = response.body.decode("utf-8")
            text = edit(text, path) if len(inspect.signature(edit).parameters) == 2 else edit(text)
            self._send(200 if source else response.status, response.ctype, text.encode("utf-8"), {})

        def _recode(self, path, encoding, header_charset=None, meta_charset=None, bom=b"",
                    edit: Callable[[str], str] | None = None):
            response = server.normal(path)
            text = response.body.decode("utf-8")
            if edit:
                text = edit(text)
            meta = (f"<meta content='text/html; charset={meta_charset}' http-equiv='Content-Type'/>"
                    if meta_charset else "")
            text = META_CHARSET.sub(meta, text)
            body = bom + text.encode(encoding, errors="xmlcharrefreplace")
            ctype = "text/html" + (f"; charset={header_charset}" if header_charset else "")
            self._send(response.status, ctype, body, {})

        # -- plumbing ----------------------------------------------------------

        def _head(self, status, ctype, length, headers=None):
            self.send_response(status)
            if ctype:
                self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(length))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()

        def _send(self, status, ctype, body, headers):
            self._head(status, ctype if status != 304 else "", len(body), headers)
            self.wfile.write(body)

    return Handler
