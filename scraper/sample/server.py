"""Serve a SampleBlog over real HTTP, like Blogger: a blog host and an image host.

    with BlogServer(make_blog()) as server:
        urllib.request.urlopen(server.url)

    python -m scraper.sample.server --template layout --posts 45 --port 8200
"""
from __future__ import annotations

import argparse
import hashlib
import re
import threading
import time
from collections import OrderedDict
from datetime import datetime, timezone
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlsplit

from . import feeds, locales
from .fixture_server import serve_until_interrupted
from .images import content_type, make_image
from .model import SampleBlog
from .pages import flat_query, resolve
from .templates import render_page

IMAGE_RE = re.compile(r"^/img/b/R29vZ2xl/([A-Za-z0-9_-]+)/([^/]+)/([^/]+)$")
SIZE_RE = re.compile(r"^[sS](\d+)(-c)?(?:-h)?$|^w(\d+)-h(\d+)(?:-.*)?$")
FEED_COMMENTS_RE = re.compile(r"^/feeds/(\d+)/comments/(default|summary)$")
IGNORED_PARAMS = ("m", "showComment")   # same page as without them (B5, B6)


class _Response:
    __slots__ = ("status", "ctype", "body", "headers")

    def __init__(self, status, ctype, body, headers=None):
        self.status, self.ctype, self.body = status, ctype, body
        self.headers = headers or {}


class _QuietServer(ThreadingHTTPServer):
    """Clients that hang up early (a crawler refusing a too-large body) are normal here."""

    def handle_error(self, request, client_address):
        pass


class BlogServer:
    """A fake Blogger blog on 127.0.0.1. Attributes: url, image_url, requests, image_requests."""

    def __init__(self, blog: SampleBlog, host: str = "127.0.0.1", port: int = 0, image_port: int = 0,
                 cache_size: int = 4096):
        self.blog = blog
        self.requests: list = []          # (method, path_with_query, status, bytes_sent, timestamp)
        self.image_requests: list = []
        self._lock = threading.Lock()
        self._cache: OrderedDict = OrderedDict()
        self._cache_size = cache_size
        self._sidebar: dict = {}
        self._images: tuple = (None, {})
        self._blog_httpd = _QuietServer((host, port), _handler(self, self._blog_response, self.requests))
        self._image_httpd = _QuietServer((host, image_port), _handler(self, self._image_response, self.image_requests))
        for httpd in (self._blog_httpd, self._image_httpd):
            httpd.daemon_threads = True
        self.origin = f"http://{host}:{self._blog_httpd.server_address[1]}"
        self.image_origin = f"http://{host}:{self._image_httpd.server_address[1]}"
        self.url = self.origin + "/"
        self.image_url = self.image_origin + "/"
        self.port = self._blog_httpd.server_address[1]
        self._threads = [threading.Thread(target=h.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
                         for h in (self._blog_httpd, self._image_httpd)]
        for thread in self._threads:
            thread.start()

    # --- lifecycle ----------------------------------------------------------
    def stop(self) -> None:
        for httpd in (self._blog_httpd, self._image_httpd):
            httpd.shutdown()
            httpd.server_close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()

    def count(self, path_with_query: str, method: str = "GET") -> int:
        """How many times a URL (path + query, as sent) was requested."""
        with self._lock:
            return sum(1 for r in self.requests if r[1] == path_with_query and r[0] == method)

    # --- blog host ----------------------------------------------------------
    def _blog_response(self, raw_path: str) -> _Response:
        split = urlsplit(raw_path)
        query = flat_query(split.query)
        for name in IGNORED_PARAMS:
            query.pop(name, None)
        key = (self.blog.version, split.path, tuple(sorted(query.items())))
        with self._lock:
            cached = self._cache.get(key)
            if cached is not None:
                self._cache.move_to_end(key)
                return cached
        response = self._route(split.path, query)
        if response.status == 200 and "ETag" not in response.headers:
            response.headers["ETag"] = '"' + hashlib.sha1(response.body).hexdigest()[:20] + '"'
        with self._lock:
            self._cache[key] = response
            if len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return response

    def _route(self, path: str, query: dict) -> _Response:
        blog, origin = self.blog, self.origin
        xml = "application/atom+xml; charset=UTF-8"
        if path == "/robots.txt":
            return _Response(200, "text/plain; charset=UTF-8", feeds.robots(blog, origin).encode())
        if not blog.sitemap_enabled and path == "/sitemap.xml":
            return self._not_found()
        if not blog.feed_enabled and (path.startswith("/feeds/") or path in ("/atom.xml", "/rss.xml")):
            return self._not_found()
        if path == "/sitemap.xml":
            return _Response(200, "application/xml; charset=UTF-8", feeds.sitemap(blog, origin, query).encode())
        if path in ("/atom.xml", "/rss.xml") and query.get("redirect") != "false":
            target = "/feeds/posts/default" + ("?alt=rss" if path == "/rss.xml" else "")
            return _Response(301, "text/html; charset=UTF-8", b"", {"Location": origin + target})
        if path in ("/feeds/posts/default", "/feeds/posts/summary", "/atom.xml", "/rss.xml"):
            if query.get("alt") == "rss" or path == "/rss.xml":
                body = feeds.rss(blog, origin, self.image_origin, query)
                return _Response(200, "application/rss+xml; charset=UTF-8", body.encode(),
                                 {"Last-Modified": _http_date(feeds.blog_updated(blog))})
            body = feeds.atom(blog, origin, self.image_origin, query, summary=path.endswith("summary"))
            return _Response(200, xml, body.encode(), {"Last-Modified": _http_date(feeds.blog_updated(blog))})
        match = FEED_COMMENTS_RE.match(path)
        if match:
            post = blog.post_by_id(match.group(1))
            if post is not None:
                return _Response(200, xml, feeds.comments_feed(blog, post, origin, query).encode())
            return self._not_found()
        if path == "/favicon.ico":
            return _Response(200, "image/gif", make_image("favicon", 16, 16, "gif"))
        page = resolve(blog, path, query)
        if page is None:
            return self._not_found()
        body = render_page(blog, page, origin, self.image_origin, self._sidebar_cache)
        headers = {}
        if page.kind == "post":
            headers["Last-Modified"] = _http_date(page.post.updated)
        return _Response(200, "text/html; charset=UTF-8", body.encode("utf-8"), headers)

    def _sidebar_cache(self, make) -> str:
        key = (self.blog.version, self.blog.template)
        html = self._sidebar.get(key)
        if html is None:
            html = make()
            self._sidebar = {key: html}
        return html

    def _not_found(self) -> _Response:
        text = locales.s(self.blog.locale, "page_not_found")
        body = (f"<!DOCTYPE html><html><head><meta content='blogger' name='generator'/><title>{self.blog.title}</title></head>"
                f"<body><div class='status-msg-wrap'><div class='status-msg-body'>{text}</div></div>"
                f"<a href='{self.origin}/'>{locales.s(self.blog.locale, 'home')}</a></body></html>")
        return _Response(404, "text/html; charset=UTF-8", body.encode("utf-8"))

    # --- image host ---------------------------------------------------------
    def _image_index(self) -> dict:
        version, index = self._images
        if version != self.blog.version:
            index = {}
            for post in self.blog.posts:
                for image in post.images:
                    index[image.image_id] = image
            self._images = (self.blog.version, index)
        return index

    def _image_response(self, raw_path: str) -> _Response:
        match = IMAGE_RE.match(urlsplit(raw_path).path)
        image = self._image_index().get(match.group(1)) if match else None
        size = SIZE_RE.match(match.group(2)) if match else None
        if image is None or size is None or unquote(match.group(3)) != image.name:
            return _Response(404, "text/html; charset=UTF-8", b"<html><body>Error 404 (Not Found)</body></html>")
        if image.fake_html:
            # Hot-link protection pages served under an image URL exist in the wild.
            body = b"<!DOCTYPE html><html><head><title>Image</title></head><body><p>This image is not available.</p></body></html>"
            return _Response(200, "text/html; charset=UTF-8", body)
        width, height = _scaled(image, size)
        if image.missing_original and (width, height) == (image.width, image.height):
            return _Response(404, "text/html; charset=UTF-8", b"<html><body>Error 404 (Not Found)</body></html>")
        body = make_image(image.name, width, height, image.kind)
        return _Response(200, content_type(image.kind), body,
                         {"ETag": '"' + hashlib.sha1(body).hexdigest()[:20] + '"',
                          "Cache-Control": "public, max-age=86400"})


def _scaled(image, size) -> tuple:
    """Blogger size segments: s0/s1600 original (we keep originals <= 1600),
    sNNN longest side, sNNN-c square crop, wNNN-hNNN exact box."""
    side, crop, w, h = size.groups()
    if w:
        return min(int(w), 4000), min(int(h), 4000)
    side = int(side)
    if side == 0 or side >= max(image.width, image.height):
        return image.width, image.height
    if crop:
        return side, side
    scale = side / max(image.width, image.height)
    return max(1, round(image.width * scale)), max(1, round(image.height * scale))


def _http_date(when: datetime) -> str:
    return format_datetime(when.astimezone(timezone.utc).replace(microsecond=0), usegmt=True)


def _not_modified(handler, response: _Response) -> bool:
    etag = response.headers.get("ETag")
    inm = handler.headers.get("If-None-Match")
    if inm is not None:
        return etag is not None and etag in [t.strip() for t in inm.split(",")] or inm.strip() == "*"
    ims = handler.headers.get("If-Modified-Since")
    last = response.headers.get("Last-Modified")
    if ims and last:
        try:
            return parsedate_to_datetime(last) <= parsedate_to_datetime(ims)
        except (TypeError, ValueError):
            return False
    return False


def _handler(server: BlogServer, respond, log: list):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "GSE"
        sys_version = ""

        def do_GET(self):
            self._serve(head=False)

        def do_HEAD(self):
            self._serve(head=True)

        def _serve(self, head: bool):
            try:
                response = respond(self.path)
            except Exception as exc:          # a bug in the fake must not hang the crawler
                response = _Response(500, "text/plain", f"sample server error: {exc!r}".encode())
            status, body = response.status, response.body
            if status == 200 and _not_modified(self, response):
                status, body = 304, b""
            sent = 0 if head else len(body)
            with server._lock:  # logged before the client can read the answer
                log.append((self.command, self.path, status, sent, time.time()))
            self.send_response(status)
            if status != 304:
                self.send_header("Content-Type", response.ctype)
            self.send_header("Content-Length", str(len(body)))
            for name, value in response.headers.items():
                self.send_header(name, value)
            self.end_headers()
            if not head:
                self.wfile.write(body)

        def log_message(self, *args):      # quiet
            pass

    return Handler


def main(argv=None) -> None:
    from .content import make_blog
    parser = argparse.ArgumentParser(description="Serve a generated sample Blogger blog.")
    parser.add_argument("--template", default="layout", choices=["classic", "layout", "contempo"])
    parser.add_argument("--posts", type=int, default=45)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--locale", default="en", choices=["en", "es", "fr"])
    parser.add_argument("--tz", default="+02:00")
    parser.add_argument("--port", type=int, default=8200)
    parser.add_argument("--image-port", type=int, default=0)
    parser.add_argument("--archive-style", default="hierarchy", choices=["hierarchy", "dropdown", "flat"])
    parser.add_argument("--robots-disallow-search", action="store_true")
    args = parser.parse_args(argv)
    blog = make_blog(template=args.template, n_posts=args.posts, seed=args.seed, locale=args.locale,
                     tz=args.tz, archive_style=args.archive_style,
                     robots_disallow_search=args.robots_disallow_search)
    server = BlogServer(blog, port=args.port, image_port=args.image_port)
    print(f"blog:   {server.url}\nimages: {server.image_url}\n{len(blog.posts)} posts, template {blog.template}. Ctrl-C stops.")
    serve_until_interrupted(server)


if __name__ == "__main__":
    main()
