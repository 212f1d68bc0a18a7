"""One HTML policy (scraper/htmlpolicy.py) when a body is stored and when it is shown.

What the store keeps (responsive images, anchors) is exactly what the site may show;
the site then shows only the archived copy of an image, never the original host's
other sizes (srcset, <picture> sources)."""

from __future__ import annotations

import re

from scraper import store
from scraper.htmltext import sanitize_html
from test_datasette import body_of, datasette_server, fetch

BODY = (
    '<p id="intro">Before the <a href="#fn1">note</a>.</p>'
    '<picture><source srcset="http://img.example/ship-800.webp 800w" type="image/webp">'
    '<img src="http://img.example/ship.jpg" srcset="http://img.example/ship-1600.jpg 2x" '
    'sizes="100vw" alt="the ship"></picture>'
    '<p id="fn1">The note.</p>'
    '<script>alert(1)</script><iframe src="http://evil.example/"></iframe>'
)


def test_stored_body_keeps_what_the_policy_allows():
    stored = sanitize_html(BODY)
    for kept in ('id="intro"', "<picture>", '<source srcset="http://img.example/ship-800.webp 800w"',
                 'srcset="http://img.example/ship-1600.jpg 2x"', 'id="fn1"'):
        assert kept in stored, kept
    assert "<script" not in stored and "alert(1)" not in stored and "<iframe" not in stored


def test_shown_body_keeps_anchors_and_points_only_at_the_archive(tmp_path):
    db_path = tmp_path / "policy.db"
    db = store.open_db(db_path)
    store.save_blog(db, {"id": "B", "url": "http://blog.example/", "platform": "blogger",
                         "title": "Policy Blog"})
    store.save_post(db, {"id": "p1", "blog_id": "B", "url": "http://blog.example/p1.html",
                         "title": "Pictures", "published": "2022-03-01T10:00:00+00:00",
                         "body_html": sanitize_html(BODY), "body_text": "Before the note. The note."})
    db.close()
    with datasette_server([db_path]) as base:
        status, _, page = fetch(base + "/policy/posts/p1")
    assert status == 200
    body = body_of(page.decode("utf-8"))
    assert 'id="intro"' in body and 'id="fn1"' in body and 'href="#fn1"' in body
    assert "<picture>" in body
    # No other size of the image from the original host: not as a source, not as srcset.
    assert "<source" not in body and "srcset" not in body and "img.example/ship-" not in body
    # Not archived: a note in place of the image, linking to the original.
    assert re.search(r'\[image not archived: the ship\] <a href="http://img.example/ship.jpg"', body), body
