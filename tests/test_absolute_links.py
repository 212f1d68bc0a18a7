"""base.absolute_copy: the same links as lxml's make_links_absolute, on every kind of link
lxml knows (its quick path visits only elements with link attributes)."""

import copy

import lxml.html
import pytest

from scraper.platforms.base import absolute_copy

BASE = "http://blog.example.com/2020/01/post.html"
FRAGMENTS = [
    "<div><p>no links at all</p></div>",
    "<div><a href='../x.html'>a</a> <img src=' /i.png ' alt=''> <a href='#top'>t</a>"
    " <a href='mailto:a@b.c'>m</a> <a href='https://other.example/'>o</a></div>",
    "<div><a href='http://[::1'>bad IPv6</a><a href=''>empty</a><q cite='q.html'>q</q>"
    "<form action='/f'><button formaction='/g'>b</button></form><td background='bg.gif'></td></div>",
    "<div><svg><a xlink:href='/svg.html'>s</a></svg><img lowsrc='l.gif' dynsrc='d.avi' usemap='#m'"
    " longdesc='ld.html'></div>",
    "<div style='background: url(&quot;/bg.png&quot;)'><a href='x'>x</a></div>",
    "<div><span style='BACKGROUND:URL(/a.png)'>s</span><a href='y'>y</a></div>",
    "<div><object codebase='/c/' data='d.swf' classid='k' archive='a.jar b.jar'>"
    "<param name='movie' valuetype='ref' value='v.swf'></object></div>",
    "<div><style>@import \"s.css\"; p { background: url(p.png) }</style><a href='z'>z</a></div>",
    "<div><base href='http://elsewhere.example/dir/'><a href='w.html'>w</a></div>",
    "<div><meta http-equiv='refresh' content='0; url=/next.html'><a href='n'>n</a></div>",
    "<div><a href='  spaced.html  ' src='also.html'>two</a><img srcset='a.png 1x' src='b.png'></div>",
]


@pytest.mark.parametrize("html", FRAGMENTS)
def test_absolute_copy_gives_what_make_links_absolute_gives(html):
    page = lxml.html.fromstring(f"<html><body>{html}<p>after</p></body></html>")
    element = page.body[0]
    expected = copy.deepcopy(element)
    expected.tail = None
    expected.make_links_absolute(BASE, resolve_base_href=False, handle_failures="ignore")
    got = absolute_copy(element, BASE)
    assert lxml.html.tostring(got, encoding="unicode") == lxml.html.tostring(expected, encoding="unicode")
    assert got.getparent() is None and element.getparent() is not None


@pytest.mark.parametrize("html", FRAGMENTS + [
    "<div>a &amp; b &lt;c&gt;<meta http-equiv=\"Content-Type\" content=\"text/html\">tail &lt;meta"
    "<script>x = '<meta http-equiv=\"Content-Type\" x';</script>after<!-- c --><br>end</div>",
])
def test_inner_html_is_each_child_as_lxml_html_serialises_it(html):
    from scraper.platforms.base import inner_html

    element = lxml.html.fromstring(f"<html><body>{html}</body></html>").body[0]
    text = (element.text or "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    assert inner_html(element) == text + "".join(
        lxml.html.tostring(child, encoding="unicode") for child in element)


HREFS = ["http://blog.example.com/p.html", "https://blog.example.com/a/../b?x=1#f", "http://other.example",
         "HTTP://Upper.example/x", "http://blog.example.com/?", "http://blog.example.com/#", "http:///no-host",
         "http://?q", "http://#f", "http://\t/tab", "http://h\n/x", "https://", "http:/one-slash", "//scheme.rel/x",
         "/root.html", "rel.html", "?q=1", "#top", "https://[::1]/v6", "http://h:80/x;params?q#f", "ftp://f.example/"]
BASES = [BASE, "https://blog.example.com/2020/", "http://other.example:8080/x?y#z", "ftp://f.example/dir/",
         "https://blog.example.com"]


def test_join_url_gives_urljoins_answer_on_any_base():
    from urllib.parse import urljoin

    from scraper.platforms.base import join_url

    for _ in range(2):  # the second time from what was remembered
        for base in BASES:
            for href in HREFS:
                assert join_url(base, href) == urljoin(base, href), (base, href)
    with pytest.raises(ValueError):
        join_url(BASE, "http://[::1/bad")
