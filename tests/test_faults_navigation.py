"""Redirects (chains, loops, off the blog, the blog's other name) and crawler traps
(endless calendars, ?date= pages, query-string permutations, session ids, infinitely
deep paths), bounded by design (issue 7)."""

from __future__ import annotations

import re
import sqlite3
from urllib.parse import parse_qs, urlsplit

from conftest import crawl
from faultserver import FaultServer
from scraper.platforms import blogger
from scraper.sample import make_blog
from scraper.urls import strip_params


def test_redirects_chains_loops_and_other_hosts(tmp_path):
    blog = make_blog("layout", n_posts=12, seed=61, images=False, comments=False)
    other = make_blog("layout", n_posts=3, seed=62, images=False, comments=False)
    chained, looping, offsite, offsite_later = [p.path for p in blog.sorted_posts()[:4]]
    db = tmp_path / "archive.db"
    with FaultServer(blog) as server, FaultServer(other) as elsewhere:
        alias = f"localhost:{server.port}"
        # The blog's other name: the seed (as a person typed it) redirects to the real one.
        server.fault("/", "redirect", host=alias, location=server.url)
        # A chain of three redirects to where the post is now.
        renamed = chained.replace(".html", "-renamed.html")
        server.fault(chained, "redirect", location="/moved/1")
        server.fault("/moved/1", "redirect", status=302, location="/moved/2")
        server.fault("/moved/2", "redirect", status=307, location=server.origin + renamed)
        server.fault(renamed, "edit", edit=lambda text: text, source=chained)
        # A loop.
        server.fault(looping, "redirect", location="/loop/a")
        server.fault("/loop/a", "redirect", location="/loop/b")
        server.fault("/loop/b", "redirect", location=looping)
        # Posts that moved to another blog: not followed there.
        server.fault(offsite, "redirect", location=elsewhere.post_url(other.sorted_posts()[0]))
        server.fault(offsite_later, "redirect", location="/moved/away")
        server.fault("/moved/away", "redirect", status=302, location=elsewhere.url)
        result = crawl(f"http://{alias}/", db, expect_ok=False)
        asked_elsewhere = list(elsewhere.requests)
        origin = server.origin
        alias_requests = [r for r in server.requests if r[4] == alias]
    conn = sqlite3.connect(db)
    stored = {r[0] for r in conn.execute("SELECT url FROM posts")}
    fetches = dict(conn.execute("SELECT url, error FROM fetches"))
    # The alias was learnt from the seed's redirect: the whole blog is archived under its name.
    assert conn.execute("SELECT url FROM blogs").fetchall() == [(origin + "/",)]
    assert [r[1] for r in alias_requests] == ["/robots.txt", "/"]
    assert origin + chained in stored  # the chain was followed to its end (rel=canonical)
    assert fetches[origin + looping] == "redirect_loop"
    assert fetches[origin + offsite] == "offsite_redirect"
    assert fetches[origin + offsite_later] == "offsite_redirect"  # also at the end of a chain
    assert asked_elsewhere == []  # nothing was fetched from the other host
    assert not any("elsewhere" in url or str(elsewhere.port) in url for url in stored)
    assert len(stored) == 12 - 3
    assert "offsite_redirect: 2" in result.stdout and "redirect_loop: 1" in result.stdout


def _trap_links(posts):
    """Every page grows links one step further into each trap."""

    def edit(text: str, path: str) -> str:
        parts = urlsplit(path)
        n = int(parse_qs(parts.query).get("x", ["0"])[0]) + 1
        links = [f"{parts.path}?x={n}",  # the same page under ever new query strings
                 f"/?date=2018-01-{n:02d}", f"/search?date=2018-01-{n:02d}"]  # calendars by date
        m = re.match(r"^/(\d{4})/(\d{2})/$", parts.path)
        year, month = (int(m.group(1)), int(m.group(2))) if m else (2015, 1)
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
        links += [f"/{year:04d}/{month:02d}/", f"/{year + 30:04d}/{month:02d}/"]  # endless months
        if parts.path.startswith("/search/label/"):  # infinitely deep paths
            links += [parts.path.rstrip("/") + f"/deeper{n}/", f"deeper{n}/"]
        else:
            links.append("/search/label/Harbours/deeper/")
        for post in posts[:3]:  # session ids
            links += [f"{post.path};jsessionid=S{n}", f"{post.path}?PHPSESSID=S{n}",
                      f"{post.path}?sessionid=S{n}&utm_source=x"]
        anchors = "".join(f"<a href='{link}'>more</a>" for link in links)
        return text.replace("</body>", anchors + "</body>")

    return edit


def test_crawler_traps_are_bounded_by_design(tmp_path):
    # No feed and no sitemap: the crawl has to walk the listing pages, traps and all.
    blog = make_blog("layout", n_posts=16, seed=63, images=False, comments=False,
                     feed_enabled=False, sitemap_enabled=False)
    posts = blog.sorted_posts()
    real = {f"/{p.published:%Y}/{p.published:%m}/" for p in posts} | \
        {f"/{p.published:%Y}/" for p in posts}

    def trap_page(path: str) -> bool:  # what a normal blog would answer 404
        route = urlsplit(path).path
        return (";jsessionid" in path or bool(re.match(r"^/search/label/[^/]+/.+", route))
                or (bool(re.match(r"^/\d{4}/\d{2}/$", route)) and route not in real))

    db = tmp_path / "archive.db"
    with FaultServer(blog) as server:
        server.fault(trap_page, "edit", edit=_trap_links(posts), source="/")
        server.fault(lambda p: not p.startswith(("/robots", "/feeds", "/sitemap")), "edit",
                     edit=_trap_links(posts))
        result = crawl(server.url, db)
        asked = server.paths()
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT COUNT(*) FROM posts").fetchone()[0] == 16
    assert "crawl 1: finished" in result.stdout
    for post in posts:
        assert asked.count(post.path) == 1, post.path  # once each, under its one URL
    assert not [p for p in asked if re.search(r"[?&;](x|date|PHPSESSID|jsessionid|sessionid)=", p)]
    assert len([p for p in asked if "deeper" in p]) <= 1
    months = [p for p in asked if re.match(r"^/\d{4}/\d{2}/$", p) and p not in real]
    for month in months:  # one step into a calendar, never a walk through the centuries
        # The pages whose trap links name this month: the month after it, or the month
        # after it thirty years back; any other page names /2014/12/ and /2044/12/.
        year, number = int(month[1:5]), int(month[6:8])
        after_year, after = (year + 1, 1) if number == 12 else (year, number + 1)
        named_by = {f"/{after_year:04d}/{after:02d}/", f"/{after_year - 30:04d}/{after:02d}/"}
        assert month in ("/2014/12/", "/2044/12/") or named_by & real, (month, months)
    assert len(asked) < 80, len(asked)


def test_session_ids_and_query_permutations_are_one_url():
    base = "http://example.blogspot.com"
    post = f"{base}/2020/01/a.html"
    for variant in (f"{post}?PHPSESSID=abc", f"{post};jsessionid=ABC123", f"{post}?x=1&y=2",
                    f"{post}?sessionid=1&utm_source=tw", f"{post}?m=1#c1"):
        assert blogger.canonical(variant) == post, variant
    assert blogger.canonical(f"{base}/2020/01/?date=2020-01-01") == f"{base}/2020/01/"
    assert strip_params("http://example.org/a?id=7&PHPSESSID=x&sid=9") == "http://example.org/a?id=7&sid=9"


def test_http_to_https_redirect_of_the_seed(tmp_path):
    blog = make_blog("contempo", n_posts=6, seed=64, images=False, comments=False)
    with FaultServer(blog, tls_dir=tmp_path) as secure, FaultServer(blog) as plain:
        plain.fault(lambda path: True, "redirect", location=secure.url)  # the whole site moved
        result = crawl(plain.url, tmp_path / "archive.db")
        asked = secure.paths()
    conn = sqlite3.connect(tmp_path / "archive.db")
    assert conn.execute("SELECT url FROM blogs").fetchall() == [(secure.url,)]
    urls = [r[0] for r in conn.execute("SELECT url FROM posts")]
    assert len(urls) == 6 and all(u.startswith(secure.origin + "/") for u in urls)
    assert [p for p in plain.paths() if p != "/robots.txt"] == ["/"]  # only the seed
    assert all(blog.post_by_path(p.path).path in asked for p in blog.posts)
    assert "crawl 1: finished" in result.stdout
