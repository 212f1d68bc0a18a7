"""Security: only http(s); private, loopback and link-local addresses refused when asked
(and by default in scheduled runs); robots.txt; an honest User-Agent (issue 7)."""

from __future__ import annotations

import asyncio
import sqlite3

import pytest
import scrapy
from twisted.internet.error import DNSLookupError

from conftest import FAST, crawl, run_cli
from faultserver import FaultServer
from scraper.middlewares import PrivateAddress, PrivateAddressResolver, Refused, is_public
from scraper.sample import make_blog

REFUSE = ("-s", "BLOGARCHIVE_ALLOW_PRIVATE=0")


def test_only_http_and_https_urls_are_crawled(tmp_path):
    for url in ("file:///etc/passwd", "data:text/html,<p>hi</p>", "javascript:alert(1)"):
        result = run_cli("crawl", url, "--db", str(tmp_path / "a.db"))
        assert result.returncode == 2 and "only http and https" in result.stderr, url
    assert not (tmp_path / "a.db").exists()


def test_private_addresses_are_refused_when_asked(tmp_path):
    blog = make_blog("layout", n_posts=4, seed=81, images=False)
    with FaultServer(blog) as server:
        for seed in (server.url, f"http://localhost:{server.port}/"):  # a literal; a name
            db = tmp_path / f"{seed.split('/')[2].split(':')[0]}.db"
            result = crawl(seed, db, *REFUSE, expect_ok=False)
            assert result.returncode == 1
            assert "private_address: 1" in result.stdout, result.stdout
            error, message = sqlite3.connect(db).execute(
                "SELECT error, message FROM fetches").fetchone()
            assert error == "private_address" and "127.0.0.1" in message
        assert server.requests == []  # not even robots.txt was asked for


def test_scheduled_runs_refuse_private_addresses_unless_the_config_allows(tmp_path):
    blog = make_blog("layout", n_posts=4, seed=82, images=False)
    with FaultServer(blog) as server:
        config = tmp_path / "blogs.toml"
        settings = [f'{a.split("=")[0]} = "{a.split("=")[1]}"' for a in FAST[1::2]]
        config.write_text("\n".join(["[defaults.settings]", *settings, "[[blog]]",
                                     f'url = "{server.url}"', 'db = "a.db"']) + "\n")
        refused = run_cli("run", str(config))
        assert refused.returncode == 1 and "private_address" in refused.stdout, refused.stdout
        assert server.requests == []
        config.write_text(config.read_text().replace('db = "a.db"', 'db = "a.db"\nallow_private = true'))
        allowed = run_cli("run", str(config))
        assert allowed.returncode == 0, allowed.stdout
    assert sqlite3.connect(tmp_path / "a.db").execute("SELECT COUNT(*) FROM posts").fetchone()[0] == 4


@pytest.mark.parametrize("address,public", [
    ("127.0.0.1", False), ("10.1.2.3", False), ("172.16.0.9", False), ("192.168.1.1", False),
    ("169.254.169.254", False), ("100.64.0.1", False), ("0.0.0.0", False), ("::1", False),
    ("fe80::1", False), ("fd00::1", False), ("::ffff:10.0.0.1", False), ("224.0.0.1", False),
    ("93.184.216.34", True), ("2606:2800:220:1:248:1893:25c8:1946", True),
])
def test_what_counts_as_private(address, public):
    assert is_public(address) is public


def test_redirects_and_dns_answers_are_checked_too():
    # Every redirect goes through the downloader middlewares again: a blog redirecting to
    # an intranet address is refused there, and says where it came from.
    request = scrapy.Request("http://10.0.0.5/admin",
                             meta={"redirect_urls": ["http://blog.example.com/post.html"]})
    with pytest.raises(Refused) as refused:
        asyncio.run(PrivateAddress().process_request(request))
    assert refused.value.kind == "private_address"
    assert "redirect from http://blog.example.com/post.html" in str(refused.value)
    # The resolver Twisted connects with refuses private answers (DNS rebinding).
    with pytest.raises(DNSLookupError):
        PrivateAddressResolver._check("192.168.0.10", "rebind.example")
    assert PrivateAddressResolver._check("93.184.216.34", "example.com") == "93.184.216.34"


def test_robots_txt_is_obeyed_unless_told_and_the_user_agent_names_us(tmp_path):
    blog = make_blog("layout", n_posts=8, seed=83, images=False, comments=False)
    posts = blog.sorted_posts()
    hidden = {p.path for p in posts if p.path.startswith(posts[0].path[:6])}  # newest year
    robots = f"User-agent: *\nDisallow: {posts[0].path[:6]}\n".encode()
    with FaultServer(blog) as server:
        server.fault("/robots.txt", "body", body=robots, ctype="text/plain")
        polite = crawl(server.url, tmp_path / "polite.db", expect_ok=False)
        polite_asked = list(server.requests)
        mark = len(server.requests)
        crawl(server.url, tmp_path / "owner.db", "--ignore-robots",
              "--contact", "mailto:archivist@example.org")
        owner_asked = server.requests[mark:]
    assert not hidden & {r[1] for r in polite_asked}
    errors = dict(sqlite3.connect(tmp_path / "polite.db").execute("SELECT url, error FROM fetches"))
    assert {errors[server.origin + path] for path in hidden} == {"robots"}
    assert "robots" in polite.stdout
    assert hidden <= {r[1] for r in owner_asked}
    assert sqlite3.connect(tmp_path / "owner.db").execute("SELECT COUNT(*) FROM posts").fetchone()[0] == 8
    assert {r[5] for r in polite_asked} == {"blogarchive/0.1.0 (+https://github.com/blogarchive/blogarchive)"}
    assert {r[5] for r in owner_asked} == {"blogarchive/0.1.0 (+mailto:archivist@example.org)"}
