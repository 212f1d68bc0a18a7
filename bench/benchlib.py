"""Shared helpers of the benchmarks: static servers, measured subprocesses, ports, tables.

Not a test module and not part of the package: the scripts beside it import it
(`python bench/crawl.py` puts bench/ on sys.path).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
PYTHON = sys.executable
BLOGARCHIVE = [PYTHON, "-m", "scraper.cli"]

# The speed settings of issue 8: a local server we own, 16 requests at a time.
FAST = ["-s", "CONCURRENT_REQUESTS=16", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=16",
        "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=0"]

# Static layout written by make_site.py and read by both servers below:
#   <root>/blog/<decoded path>@<raw query>.<type>     e.g. blog/2017/05/x.html@m=1.html
#   <root>/img/<decoded path>                          image host
# The type suffix gives the Content-Type; the raw query (as the link has it)
# keeps every /search?updated-max=… page distinct, as nginx's $args sees it.
TYPES = {"html": "text/html; charset=UTF-8", "atom": "application/atom+xml; charset=UTF-8",
         "rss": "application/rss+xml; charset=UTF-8", "xml": "application/xml; charset=UTF-8",
         "txt": "text/plain; charset=UTF-8", "jpg": "image/jpeg", "jpeg": "image/jpeg",
         "png": "image/png", "gif": "image/gif", "ico": "image/gif"}
SUFFIX_OF = {"text/html": "html", "application/atom+xml": "atom", "application/rss+xml": "rss",
             "application/xml": "xml", "text/plain": "txt", "image/gif": "ico"}
PAGE_SUFFIXES = ("html", "atom", "xml", "txt", "rss", "ico")
BLOG_HOST = "127.0.0.1"
IMAGE_HOST = "127.0.0.2"  # another host name, as Blogger's image hosts are: wget stays off it


def free_port(host: str = "127.0.0.1", lo: int = 20000, hi: int = 29999) -> int:
    """A free port below the ephemeral range, so a site built for it can be served later."""
    import random
    for _ in range(200):
        port = random.randint(lo, hi)
        with socket.socket() as s:
            try:
                s.bind((host, port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port")


def wait_port(host: str, port: int, timeout: float = 10.0, proc: subprocess.Popen | None = None,
              stderr: Path | None = None) -> None:
    """Wait until something listens on host:port; with ``proc``, stop waiting if it ends
    (its ``stderr`` file says why)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=0.5):
            return
        if proc is not None and proc.poll() is not None:
            said = stderr.read_text(errors="replace").strip().splitlines()[-1:] if stderr else []
            raise RuntimeError(f"the server for {host}:{port} ended with {proc.returncode}: "
                               + (said[0] if said else "no message"))
        time.sleep(0.05)
    raise RuntimeError(f"nothing answers on {host}:{port}")


def page_file(root: Path, path: str, query: str, suffix: str) -> Path:
    return root / "blog" / (unquote(path).lstrip("/") + f"@{query}.{suffix}")


# -- servers -----------------------------------------------------------------


def end_server(server, signum: int) -> None:
    """Stop a server process with ``signum`` (killed after 10 s) and remove its folder."""
    if server.proc is not None and server.proc.poll() is None:
        server.proc.send_signal(signum)
        try:
            server.proc.wait(10)
        except subprocess.TimeoutExpired:
            server.proc.kill()
            server.proc.wait()
    server.proc = None
    shutil.rmtree(server.prefix, ignore_errors=True)


@dataclass
class Site:
    """A site written by make_site.py (its manifest)."""
    root: Path
    manifest: dict

    @classmethod
    def load(cls, root) -> "Site":
        root = Path(root)
        return cls(root, json.loads((root / "site.json").read_text()))

    @property
    def port(self) -> int:
        return self.manifest["port"]

    @property
    def image_port(self) -> int:
        return self.manifest["image_port"]

    @property
    def url(self) -> str:
        return f"http://{BLOG_HOST}:{self.port}/"

    @property
    def image_url(self) -> str:
        return f"http://{IMAGE_HOST}:{self.image_port}/"

    def post_paths(self) -> set:
        return set((self.root / "posts.txt").read_text().split())


class StaticServer:
    """Base: start(), stop(), log() -> [(port, status, bytes, request_uri)]."""

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    def mark(self) -> int:
        return len(self.log())

    def since(self, mark: int) -> list:
        return self.log()[mark:]


class Nginx(StaticServer):
    """nginx (Debian's) serving a site, one worker, logging every request."""

    def __init__(self, site: Site, workers: int = 1):
        self.site = site
        self.workers = workers
        self.prefix = Path(tempfile.mkdtemp(prefix="bench-nginx-"))
        self.proc = None

    @staticmethod
    def available() -> bool:
        return shutil.which("nginx") is not None or Path("/usr/sbin/nginx").exists()

    def conf(self) -> str:
        p, root = self.prefix, self.site.root.resolve()
        try_files = " ".join(f'"$uri@$args.{s}"' for s in PAGE_SUFFIXES)
        types = "\n".join(f"    {ctype.split(';')[0]} {ext};" for ext, ctype in TYPES.items() if ext != "ico")
        user = "user root root;" if os.geteuid() == 0 else ""
        return f"""{user}
worker_processes {self.workers};
worker_rlimit_nofile 65536;
daemon off;
pid {p}/nginx.pid;
error_log {p}/error.log warn;
events {{ worker_connections 4096; }}
http {{
  log_format bench '$server_port $status $body_bytes_sent "$request_uri"';
  access_log {p}/access.log bench buffer=256k flush=1s;
  client_body_temp_path {p}/tmp; proxy_temp_path {p}/tmp; fastcgi_temp_path {p}/tmp;
  uwsgi_temp_path {p}/tmp; scgi_temp_path {p}/tmp;
  sendfile on; tcp_nopush on; tcp_nodelay on;
  keepalive_requests 1000000; keepalive_timeout 120s;
  open_file_cache max=2000 inactive=60s;
  types {{
{types}
    image/gif ico;
  }}
  default_type application/octet-stream;
  charset utf-8;
  charset_types text/html text/plain application/xml application/atom+xml application/rss+xml;
  server {{
    listen {BLOG_HOST}:{self.site.port} reuseport backlog=4096;
    root {root}/blog;
    location / {{ try_files {try_files} =404; }}
  }}
  server {{
    listen {IMAGE_HOST}:{self.site.image_port} backlog=4096;
    root {root}/img;
    location / {{ try_files $uri =404; }}
  }}
}}
"""

    def start(self) -> None:
        (self.prefix / "tmp").mkdir(exist_ok=True)
        (self.prefix / "nginx.conf").write_text(self.conf())
        binary = shutil.which("nginx") or "/usr/sbin/nginx"
        self.proc = subprocess.Popen([binary, "-p", str(self.prefix), "-c", str(self.prefix / "nginx.conf")],
                                     stdout=subprocess.DEVNULL, stderr=open(self.prefix / "stderr", "wb"))
        try:
            wait_port(BLOG_HOST, self.site.port)
            wait_port(IMAGE_HOST, self.site.image_port)
        except RuntimeError:
            self.stop()
            raise RuntimeError("nginx did not start: " + (self.prefix / "stderr").read_text()
                               + (self.prefix / "error.log").read_text() if (self.prefix / "error.log").exists() else "")

    def stop(self) -> None:
        end_server(self, signal.SIGQUIT)  # graceful: flushes the access log

    def flush(self) -> None:
        """Make nginx write its buffered access log now (SIGUSR1 reopens logs)."""
        if self.proc is not None:
            self.proc.send_signal(signal.SIGUSR1)
            time.sleep(0.3)

    def log(self) -> list:
        self.flush()
        rows = []
        path = self.prefix / "access.log"
        if not path.exists():
            return rows
        for line in path.read_text(errors="replace").splitlines():
            port, status, size, uri = line.split(" ", 3)
            rows.append((int(port), int(status), int(size), uri.strip('"')))
        return rows

    def cpu_seconds(self) -> float:
        """CPU used so far by nginx (master + workers)."""
        import psutil
        total = 0.0
        proc = psutil.Process(self.proc.pid)
        for p in [proc, *proc.children(recursive=True)]:
            t = p.cpu_times()
            total += t.user + t.system
        return total


class PythonStatic(StaticServer):
    """The same layout served by the standard library (tests, machines without nginx)."""

    def __init__(self, site: Site):
        self.site = site
        self._log: list = []
        self._lock = threading.Lock()
        self._httpds = []

    def start(self) -> None:
        for host, port, kind in ((BLOG_HOST, self.site.port, "blog"), (IMAGE_HOST, self.site.image_port, "img")):
            httpd = ThreadingHTTPServer((host, port), self._handler(kind, port))
            httpd.daemon_threads = True
            threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True).start()
            self._httpds.append(httpd)

    def stop(self) -> None:
        for httpd in self._httpds:
            httpd.shutdown()
            httpd.server_close()
        self._httpds = []

    def log(self) -> list:
        with self._lock:
            return list(self._log)

    def _handler(self, kind: str, port: int):
        server, root = self, self.site.root

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):
                split = urlsplit(self.path)
                found, ctype = None, None
                if kind == "blog":
                    for suffix in PAGE_SUFFIXES:
                        candidate = page_file(root, split.path, split.query, suffix)
                        if candidate.is_file():
                            found, ctype = candidate, TYPES[suffix]
                            break
                else:
                    candidate = root / "img" / unquote(split.path).lstrip("/")
                    if candidate.is_file():
                        found = candidate
                        ctype = TYPES.get(candidate.suffix.lower().lstrip("."), "application/octet-stream")
                body = found.read_bytes() if found else b"<html><body>Not found</body></html>"
                status = 200 if found else 404
                with server._lock:
                    server._log.append((port, status, len(body), self.path))
                self.send_response(status)
                self.send_header("Content-Type", ctype or "text/html")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        return Handler


class LiveServer(StaticServer):
    """A site of bench/live_site.py: rendered on the fly by a process of its own (its CPU is the
    server's, never the crawler's), logging as Nginx does."""

    def __init__(self, site: Site):
        self.site = site
        self.prefix = Path(tempfile.mkdtemp(prefix="bench-live-"))
        self.proc = None

    def start(self) -> None:
        # The renderer is this checkout's (scraper.sample), whatever copy is being measured.
        path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
        self.proc = subprocess.Popen([PYTHON, str(BENCH / "live_site.py"), "serve", str(self.site.root),
                                      "--log", str(self.prefix / "access.log")], cwd=ROOT,
                                     env={**os.environ, "PYTHONPATH": path},
                                     stdout=subprocess.DEVNULL, stderr=open(self.prefix / "stderr", "wb"))
        try:  # the blog is drawn first: seconds for 100,000 posts
            wait_port(BLOG_HOST, self.site.port, timeout=300, proc=self.proc,
                      stderr=self.prefix / "stderr")
            wait_port(IMAGE_HOST, self.site.image_port, proc=self.proc, stderr=self.prefix / "stderr")
        except RuntimeError:
            self.stop()
            raise

    def stop(self) -> None:
        end_server(self, signal.SIGTERM)  # its log is written line by line: nothing to flush

    def log(self) -> list:
        path = self.prefix / "access.log"
        rows = []
        for line in (path.read_text(errors="replace").splitlines() if path.exists() else []):
            port, status, size, uri = line.split(" ", 3)
            rows.append((int(port), int(status), int(size), uri.strip('"')))
        return rows

    def cpu_seconds(self) -> float:
        import psutil
        t = psutil.Process(self.proc.pid).cpu_times()
        return t.user + t.system


def serve(site: Site, kind: str = "auto") -> StaticServer:
    if site.manifest.get("live"):
        return LiveServer(site)
    if kind == "nginx" or (kind == "auto" and Nginx.available()):
        return Nginx(site)
    return PythonStatic(site)


# -- measured subprocesses ---------------------------------------------------


@dataclass
class Run:
    returncode: int
    wall: float
    cpu: float            # user + system of the process and every descendant it waited for
    peak_rss_mb: float    # peak of the summed RSS of the process tree (sampled every 50 ms)
    maxrss_mb: float      # the kernel's exact peak RSS of the process itself (wait4), children excluded
    stdout: str = ""
    stderr: str = ""
    extra: dict = field(default_factory=dict)


def run_measured(cmd: list, cwd=None, env=None, timeout: float = 3600) -> Run:
    """Run a command; measure wall time, CPU (getrusage) and peak RSS of its process tree."""
    import psutil

    out, err = tempfile.TemporaryFile(), tempfile.TemporaryFile()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=err)
    peak = 0
    ps = psutil.Process(proc.pid)
    deadline = started + timeout
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        try:
            rss = ps.memory_info().rss + sum(c.memory_info().rss for c in ps.children(recursive=True))
            peak = max(peak, rss)
        except psutil.Error:
            pass
        if time.perf_counter() > deadline:
            proc.kill()
        time.sleep(0.05)
    wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    out.seek(0)
    err.seek(0)
    return Run(proc.returncode, wall, cpu, peak / 2**20, usage.ru_maxrss / 1024,
               out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace"))


# -- figures -----------------------------------------------------------------


def median(values):
    return statistics.median(values) if values else float("nan")


def percentile(values, p: float):
    values = sorted(values)
    if not values:
        return float("nan")
    k = (len(values) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def table(rows: list, columns: list) -> str:
    """A plain-text table; rows are dicts."""
    cells = [[_fmt(r.get(c, "")) for c in columns] for r in rows]
    widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(columns)]
    lines = ["  ".join(c.rjust(w) for c, w in zip(columns, widths)),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(v.rjust(w) for v, w in zip(row, widths)) for row in cells]
    return "\n".join(lines)


def _fmt(value) -> str:
    if isinstance(value, float):
        if value != value:
            return "-"
        return f"{value:,.3f}" if abs(value) < 10 else f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


POST_RE = re.compile(r"^/\d{4}/\d{2}/[^/?]+\.html$")
