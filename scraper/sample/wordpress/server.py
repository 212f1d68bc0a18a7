"""The fake WordPress blog served on 127.0.0.1: pages, archives, feeds, the REST API
and uploads in every size, on one host as WordPress does."""

from __future__ import annotations

import hashlib
import json
import re

from ..fixture_server import FixtureServer, Reply, serve_until_interrupted
from ..images import content_type, make_image
from .feeds import rest_post, rss
from .markup import render_listing, render_post
from .model import WPBlog, make_wp_blog, term_slug

HTML = "text/html; charset=UTF-8"


UPLOAD_RE = re.compile(r"^/wp-content/uploads/(\d{4})/(\d{2})/(.+?)(?:-(\d+)x(\d+)|-(scaled))?\.(jpg|png)$")


DATE_RE = re.compile(r"^/(\d{4})/(?:(\d{2})/)?(?:page/(\d+)/)?$")


TERM_RE = re.compile(r"^/(category|tag|author)/([^/]+)/(?:page/(\d+)/)?$")


class WordPressServer(FixtureServer):
    """The fake WordPress blog on 127.0.0.1 (blog and uploads on one host, as WordPress does)."""

    def __init__(self, blog: WPBlog, port: int = 0):
        self.blog = blog
        self._cache: dict = {}
        super().__init__(self.route, port)

    def route(self, path: str, query: dict) -> Reply:
        key = (self.blog.version, path, tuple(sorted(query.items())))
        cached = self._cache.get(key)
        if cached is None:
            cached = self._cache[key] = self._route_uncached(path, query)
        return cached

    def _html(self, text: str, status: int = 200) -> Reply:
        return Reply(status, HTML, text.encode("utf-8"))

    def _not_found(self) -> Reply:
        return self._html(f"<!DOCTYPE html><html><head><meta name='generator' content='WordPress 6.4.2'/>"
                          f"<title>Page not found</title></head><body class='error404'><h1>Oops! That page "
                          f"can&rsquo;t be found.</h1><a href='{self.origin}/'>Home</a></body></html>", 404)

    def _route_uncached(self, path: str, query: dict) -> Reply:
        blog, origin = self.blog, self.origin
        if path == "/robots.txt":
            return Reply(200, "text/plain", b"User-agent: *\nDisallow: /wp-admin/\n"
                         b"Allow: /wp-admin/admin-ajax.php\n")
        m = UPLOAD_RE.match(path)
        if m:
            return self._upload(m)
        if path.startswith("/wp-json"):
            return self._rest(path, query)
        if path in ("/wp-login.php", "/xmlrpc.php") or path.startswith("/wp-admin"):
            return self._html("<html><body>Log in</body></html>")
        if path == "/feed/":
            return Reply(200, "application/rss+xml; charset=UTF-8", rss(blog, origin).encode("utf-8"))
        if path.endswith("/feed/"):
            return Reply(200, "application/rss+xml; charset=UTF-8",
                         b'<?xml version="1.0"?><rss version="2.0"><channel><title>Comments</title></channel></rss>')
        if path == "/" and "p" in query:
            post = next((p for p in blog.posts if str(p.post_id) == query["p"]), None)
            if post is None:
                return self._not_found()
            return Reply(301, HTML, b"", {"Location": origin + blog.path(post)})
        ordered = blog.sorted_posts()
        if path == "/" and set(query) <= {"paged"}:
            return self._listing(ordered, "/", 1, "home")
        if set(query) & {"m", "s", "replytocom", "share"}:
            if "share" in query:
                return Reply(302, HTML, b"", {"Location": "https://share.example.invalid/"})
            return self._listing(ordered, "/", 1, "home")
        if path.startswith("/page/"):
            m = re.match(r"^/page/(\d+)/$", path)
            return self._listing(ordered, "/", int(m.group(1)), "home") if m else self._not_found()
        m = DATE_RE.match(path)
        if m:
            year, month, page = int(m.group(1)), m.group(2), int(m.group(3) or 1)
            posts = [p for p in ordered if p.published.year == year and
                     (month is None or p.published.month == int(month))]
            base = f"/{year}/" + (f"{month}/" if month else "")
            return self._listing(posts, base, page, "archive", f"Monthly Archives: {base}")
        m = TERM_RE.match(path)
        if m:
            kind, slug, page = m.group(1), m.group(2), int(m.group(3) or 1)
            if kind == "author":
                posts = [p for p in ordered if term_slug(p.author) == slug]
            else:
                posts = [p for p in ordered if slug in
                         [term_slug(t) for t in (p.categories if kind == "category" else p.tags)]]
            return self._listing(posts, f"/{kind}/{slug}/", page, "label", slug)
        for post in blog.posts:
            if blog.path(post) == path:
                return self._html(render_post(blog, post, origin))
        if path == "/about/":
            return self._html("<!DOCTYPE html><html><head><meta name='generator' content='WordPress 6.4.2'/>"
                              "<title>About</title></head><body class='page-template-default page page-id-2'>"
                              "<div class='hentry'><h1 class='entry-title'>About</h1><div class='entry-content'>"
                              "<p>We write about harbours.</p></div></div></body></html>")
        return self._not_found()

    def _listing(self, posts: list, base: str, page: int, kind: str, heading: str = "") -> Reply:
        size = self.blog.page_size
        pages = max(1, -(-len(posts) // size))
        if not posts or page > pages:
            return self._not_found()
        shown = posts[(page - 1) * size: page * size]
        path = base if page == 1 else f"{base}page/{page}/"
        return self._html(render_listing(self.blog, shown, self.origin, path, page, pages, kind, heading))

    def _rest(self, path: str, query: dict) -> Reply:
        blog = self.blog
        if blog.rest == "off":
            return self._not_found()
        if blog.rest == "forbidden":
            body = json.dumps({"code": "rest_forbidden", "message": "REST API restricted to "
                               "authenticated users.", "data": {"status": 401}})
            return Reply(401, "application/json; charset=UTF-8", body.encode())
        ordered = blog.sorted_posts()
        if query.get("orderby") == "modified":
            ordered = sorted(blog.posts, key=lambda p: -p.updated.timestamp())
        m = re.match(r"^/wp-json/wp/v2/posts/(\d+)$", path)
        if m:
            post = next((p for p in blog.posts if p.post_id == int(m.group(1))), None)
            if post is None:
                return self._not_found()
            return Reply(200, "application/json; charset=UTF-8",
                         json.dumps(rest_post(blog, post, self.origin)).encode())
        if path.rstrip("/") != "/wp-json/wp/v2/posts":
            return Reply(200, "application/json", b'{"name":"Quayside Dispatches","namespaces":["wp/v2"]}')
        per_page = min(100, int(query.get("per_page", "10")))
        page = int(query.get("page", "1"))
        pages = max(1, -(-len(ordered) // per_page))
        if page > pages:
            body = json.dumps({"code": "rest_post_invalid_page_number", "data": {"status": 400}})
            return Reply(400, "application/json; charset=UTF-8", body.encode())
        shown = ordered[(page - 1) * per_page: page * per_page]
        body = json.dumps([rest_post(blog, p, self.origin) for p in shown])
        return Reply(200, "application/json; charset=UTF-8", body.encode("utf-8"),
                     {"X-WP-Total": str(len(ordered)), "X-WP-TotalPages": str(pages)})

    def _upload(self, m) -> Reply:
        year, month, stem, w, h, scaled, ext = m.groups()
        image = next((i for i in self.blog.images() if i.stem == stem and i.year == int(year)
                      and i.month == int(month) and i.ext == ext), None)
        if image is None:
            return Reply(404, HTML, b"<html><body>Not found</body></html>")
        if scaled:
            if not image.scaled:
                return Reply(404, HTML, b"<html><body>Not found</body></html>")
            width, height = image.fit(2560)
        elif w:
            width, height = int(w), int(h)
        else:
            width, height = image.width, image.height
        body = make_image(f"{image.stem}", width, height, image.kind)
        return Reply(200, content_type(image.kind), body,
                     {"ETag": '"' + hashlib.sha1(body).hexdigest()[:16] + '"'})


def main(argv=None) -> None:
    import argparse

    parser = argparse.ArgumentParser(description="Serve a fake WordPress blog.")
    parser.add_argument("--theme", default="twentyten", choices=["twentyten", "block"])
    parser.add_argument("--posts", type=int, default=24)
    parser.add_argument("--rest", default="on", choices=["on", "off", "forbidden"])
    parser.add_argument("--port", type=int, default=8300)
    args = parser.parse_args(argv)
    server = WordPressServer(make_wp_blog(args.theme, args.posts, rest=args.rest), port=args.port)
    print(f"blog: {server.url}  ({args.posts} posts, theme {args.theme}, REST {args.rest}). Ctrl-C stops.")
    serve_until_interrupted(server)

