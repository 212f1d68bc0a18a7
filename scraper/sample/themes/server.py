"""A whole blog in one WordPress theme (home page and post pages, no REST API, no
feed: a static export) served over real HTTP."""

from __future__ import annotations

from ..fixture_server import FixtureServer, Reply
from ..markup import esc
from .pieces import article_classes, page, site_header
from .posts import ORIGIN, SITE, ThemePost, make_posts
from .truth import truth
from .wordpress import WORDPRESS


def wp_home(theme: str, posts: list[ThemePost]) -> str:
    """The blog's home page: the latest posts as WordPress lists them (``rel=bookmark`` titles)."""
    items = "".join(
        f'<article id="post-{p.post_id}" class="{article_classes(p)}"><header class="entry-header"><h2 class="entry-title">'
        f'<a href="{ORIGIN}{p.path()}" rel="bookmark">{esc(p.title)}</a></h2><div class="entry-meta">{p.long_date()}</div>'
        f'</header><div class="entry-summary"><p>{esc(p.paragraphs[0][:120])}</p></div></article>' for p in posts)
    head = (f'<meta charset="UTF-8"><title>{SITE}</title><meta name="generator" content="WordPress 5.7.2">'
            f'<link rel="stylesheet" href="{ORIGIN}/wp-content/themes/{theme}/style.css">')
    return page(head, f'{site_header()}<main id="main" class="site-main">{items}</main>', "home blog")


class ThemeBlogServer:
    """One WordPress theme's blog (home page and post pages, no REST API, no feed — a static
    export) on a real local HTTP server; ``truth[url]`` is what each post page shows."""

    def __init__(self, theme: str, n_posts: int = 4, seed: int = 7):
        self.theme, self.render = theme, WORDPRESS[theme]
        self.posts = make_posts(n_posts, seed)
        self.server = FixtureServer(self.route)
        self.origin = self.server.origin
        self.url = self.server.url
        self.truth = {self.origin + p.path(): truth("wordpress", theme, p) for p in self.posts}

    def route(self, path: str, query: dict):
        html = "text/html; charset=utf-8"
        if path == "/robots.txt":
            return Reply(200, "text/plain", b"User-agent: *\nAllow: /\n")
        if path == "/" and not query:
            return Reply(200, html, self._local(wp_home(self.theme, self.posts)))
        for post in self.posts:
            if path == post.path():
                return Reply(200, html, self._local(self.render(post, ORIGIN + post.path())))
        return Reply(404, html, b"<html><body>Not found</body></html>")

    def _local(self, text: str) -> bytes:
        return text.replace(ORIGIN, self.origin).encode("utf-8")

    def paths(self) -> list[str]:
        return self.server.paths()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.server.stop()

