"""`blogarchive import`: Blogger and WordPress export files into the archive, then a crawl
of the same blog matches the imported posts instead of duplicating them."""

from __future__ import annotations

import html
import json
import re
import sqlite3

import pytest

from conftest import CORPUS, crawl, mirror_server, run_cli
from scraper.sample.wordpress import WordPressServer, expected_wp_post, make_wp_blog, wxr

EXPORTS = CORPUS / "exports"
TAKEOUT = EXPORTS / "blogger-takeout-klenovsekboris-blog-09-23-2024.xml"
WXR_UNIT = EXPORTS / "wxr-themeunittestdata.wordpress.xml"


def need(path):
    if not path.is_file():
        pytest.skip(f"{path} is not here")
    return path


def open_db(path):
    db = sqlite3.connect(path)
    db.row_factory = sqlite3.Row
    return db


def test_blogger_export_then_crawl_matches_the_imported_posts(tmp_path):
    text = need(TAKEOUT).read_text("utf-8")
    # Ground truth by regular expressions, independent of the importer.
    truth = {}
    for entry in re.findall(r"<entry>(.*?)</entry>", text, re.S):
        if "kind#post" not in entry:
            continue
        post_id = re.search(r"\.post-(\d+)</id>", entry).group(1)
        truth[post_id] = {
            "title": html.unescape(re.search(r"<title type='text'>(.*?)</title>", entry).group(1)),
            "published": re.search(r"<published>(.*?)</published>", entry).group(1),
            "url": re.search(r"<link rel='alternate' type='text/html' href='([^']+)'", entry).group(1),
        }
    db_path = tmp_path / "archive.db"
    result = run_cli("import", str(TAKEOUT), "--db", str(db_path), check=True)
    assert "posts new 8" in result.stdout
    db = open_db(db_path)
    rows = {r["id"]: dict(r) for r in db.execute("SELECT * FROM posts_with_bodies")}
    assert set(rows) == set(truth)
    for post_id, want in truth.items():
        got = rows[post_id]
        assert got["title"] == want["title"]
        assert got["url"] == want["url"]
        # 2024-08-13T18:00:00.020+02:00 → seconds, offset kept.
        assert got["published"] == re.sub(r"\.\d+", "", want["published"])
        assert got["blog_id"] == "4972270896425558817" and got["word_count"] > 0
    blog = dict(db.execute("SELECT * FROM blogs").fetchone())
    assert (blog["platform"], blog["url"]) == ("blogger", "http://klenovsekboris.blogspot.com/")
    images = db.execute("SELECT COUNT(*) FROM post_images WHERE image_sha256 IS NULL").fetchone()[0]
    assert images > 0  # to fetch later
    db.close()
    # Importing again changes nothing.
    again = run_cli("import", str(TAKEOUT), "--db", str(db_path), check=True)
    assert "posts new 0, updated 0, unchanged 8" in again.stdout
    # The same blog crawled (from its saved copy, under another address): same posts, same ids.
    with mirror_server("klenovsekboris.blogspot.com", "klenovsekboris.blogspot.com") as (url, _):
        crawl(url, db_path, "--images", "none")
    db = open_db(db_path)
    after = {r["id"]: dict(r) for r in db.execute("SELECT * FROM posts_with_bodies")}
    assert set(after) == set(truth)  # nothing duplicated
    crawled = {i for i, r in after.items() if r["url"].startswith(url)}
    assert len(crawled) == 7  # the snapshot lacks one post: it stays as imported
    # (Titles follow the pages now: the snapshot is older than the export.)
    assert db.execute("SELECT COUNT(*) FROM blogs").fetchone()[0] == 1


def test_wordpress_wxr_import(tmp_path):
    text = need(WXR_UNIT).read_text("utf-8")
    items = re.findall(r"<item>(.*?)</item>", text, re.S)

    def field(item, name):
        m = re.search(rf"<wp:{name}>(?:<!\[CDATA\[)?(.*?)(?:\]\]>)?</wp:{name}>", item, re.S)
        return m.group(1) if m else ""

    published = [i for i in items if field(i, "post_type") == "post" and field(i, "status") == "publish"]
    db_path = tmp_path / "archive.db"
    result = run_cli("import", str(WXR_UNIT), "--db", str(db_path), check=True)
    assert f"posts new {len(published)}" in result.stdout
    db = open_db(db_path)
    rows = {r["id"]: dict(r) for r in db.execute("SELECT * FROM posts_with_bodies")}
    assert len(rows) == len(published)
    approved = 0
    categories, tags_seen = set(), set()
    for item in published:
        post_id = "wp:wpthemetestdata.wordpress.com:" + field(item, "post_id")
        got = rows[post_id]
        cats = re.findall(r'<category domain="category" nicename="[^"]*"><!\[CDATA\[(.*?)\]\]>', item)
        tags = re.findall(r'<category domain="post_tag" nicename="[^"]*"><!\[CDATA\[(.*?)\]\]>', item)
        assert json.loads(got["labels"]) == list(dict.fromkeys(cats + tags)), post_id
        categories |= set(cats)
        tags_seen |= set(tags)
        gmt = field(item, "post_date_gmt")
        assert got["published_utc"] == gmt.replace(" ", "T") + "Z", post_id
        approved += sum(1 for c in re.findall(r"<wp:comment>(.*?)</wp:comment>", item, re.S)
                        if field(c, "comment_approved") == "1"
                        and field(c, "comment_type") in ("", "comment"))
    assert db.execute("SELECT COUNT(*) FROM comments").fetchone()[0] == approved
    # Categories and tags are both labels, told apart by kind (a name used as both: category).
    kinds = dict(db.execute("SELECT name, kind FROM labels").fetchall())
    assert categories and tags_seen - categories
    assert all(kinds[c] == "category" for c in categories)
    assert all(kinds[t] == "tag" for t in tags_seen - categories)
    # Gallery shortcodes and captions become images with their captions, to fetch later.
    captioned = db.execute("SELECT COUNT(*) FROM post_images WHERE caption != ''").fetchone()[0]
    assert captioned > 5
    assert db.execute("SELECT platform FROM blogs").fetchone()[0] == "wordpress"


def test_wxr_of_a_live_blog_then_crawl_matches(tmp_path):
    blog = make_wp_blog("block", n_posts=9, seed=8, rest="on")
    db_path = tmp_path / "archive.db"
    with WordPressServer(blog) as server:
        export = tmp_path / "export.xml"
        export.write_text(wxr(blog, server.origin), "utf-8")
        run_cli("import", str(export), "--db", str(db_path), check=True)
        db = open_db(db_path)
        for post in blog.posts:
            want = expected_wp_post(blog, post, server.origin)
            got = dict(db.execute("SELECT * FROM posts_with_bodies WHERE id = ?", [want["id"]]).fetchone())
            assert (got["url"], got["title"], got["published"], json.loads(got["labels"])) == \
                (want["url"], want["title"], want["published"], want["labels"])
            assert got["body_text"] == "\n\n".join(want["text_blocks"])
            images = [dict(r) for r in db.execute(
                "SELECT src, full_url, caption FROM post_images WHERE post_id = ? ORDER BY position",
                [want["id"]])]
            assert images == [{k: i[k] for k in ("src", "full_url", "caption")} for i in want["images"]]
            comments = [r[0] for r in db.execute("SELECT id FROM comments WHERE post_id = ? "
                                                 "ORDER BY position", [want["id"]])]
            assert sorted(comments) == sorted(c["id"] for c in want["comments"])
        db.close()
        result = crawl(server.url, db_path)
        paths = server.paths()
    db = open_db(db_path)
    assert db.execute("SELECT COUNT(*) FROM posts").fetchone()[0] == len(blog.posts)
    assert db.execute("SELECT COUNT(*) FROM blogs").fetchone()[0] == 1
    assert "posts new 0" in result.stdout
    # The imported posts' images were fetched by the crawl.
    assert db.execute("SELECT COUNT(*) FROM post_images WHERE image_sha256 IS NULL").fetchone()[0] == 0
    assert any("/wp-content/uploads/" in p for p in paths)


TAKEOUT_2018 = """<?xml version='1.0' encoding='utf-8'?>
<feed xmlns='http://www.w3.org/2005/Atom' xmlns:blogger='http://schemas.google.com/blogger/2018'>
  <id>tag:blogger.com,1999:blog-1234567890123456789</id>
  <title>Harbour Notes</title>
  <entry>
    <id>tag:blogger.com,1999:blog-1234567890123456789.post-1111111111111111111</id>
    <blogger:type>POST</blogger:type><blogger:status>LIVE</blogger:status>
    <author><name>Marta Ibáñez</name><uri>https://www.blogger.com/profile/1</uri></author>
    <title>The night train to Trieste</title>
    <content type='html'>&lt;p&gt;The night train left late.&lt;/p&gt;&lt;a href="https://blogger.googleusercontent.com/img/b/X/s1600/train.jpg"&gt;&lt;img src="https://blogger.googleusercontent.com/img/b/X/s320/train.jpg"/&gt;&lt;/a&gt;</content>
    <blogger:created>2019-03-01T10:00:00.000Z</blogger:created>
    <published>2019-03-04T21:23:00.000+01:00</published>
    <updated>2019-03-05T08:00:00.000+01:00</updated>
    <category scheme='tag:blogger.com,1999:blog-1234567890123456789' term='Trains'/>
    <category scheme='tag:blogger.com,1999:blog-1234567890123456789' term='Night trains'/>
    <blogger:filename>/2019/03/the-night-train-to-trieste.html</blogger:filename>
  </entry>
  <entry>
    <id>tag:blogger.com,1999:blog-1234567890123456789.post-2222222222222222222</id>
    <blogger:type>POST</blogger:type><blogger:status>DRAFT</blogger:status>
    <title>Unfinished</title><content type='html'>draft</content>
  </entry>
  <entry>
    <id>tag:blogger.com,1999:blog-1234567890123456789.post-3333333333333333333</id>
    <blogger:type>COMMENT</blogger:type><blogger:status>LIVE</blogger:status>
    <author><name>Pieter</name></author>
    <content type='html'>Lovely line.</content>
    <published>2019-03-06T09:00:00.000+01:00</published>
    <blogger:parent>tag:blogger.com,1999:blog-1234567890123456789.post-1111111111111111111</blogger:parent>
  </entry>
</feed>
"""


def test_blogger_takeout_2018_format(tmp_path):
    export = tmp_path / "feed.atom"
    export.write_text(TAKEOUT_2018, "utf-8")
    db_path = tmp_path / "archive.db"
    missing = run_cli("import", str(export), "--db", str(db_path))
    assert missing.returncode != 0 and "--url" in missing.stderr
    result = run_cli("import", str(export), "--db", str(db_path), "--url",
                     "https://harbournotes.blogspot.com/", check=True)
    assert "posts new 1" in result.stdout and "drafts 1" in result.stdout
    db = open_db(db_path)
    post = dict(db.execute("SELECT * FROM posts_with_bodies").fetchone())
    assert post["id"] == "1111111111111111111"
    assert post["url"] == "https://harbournotes.blogspot.com/2019/03/the-night-train-to-trieste.html"
    assert post["published"] == "2019-03-04T21:23:00+01:00"
    assert json.loads(post["labels"]) == ["Trains", "Night trains"]
    assert post["author"] == "Marta Ibáñez"
    comment = dict(db.execute("SELECT * FROM comments").fetchone())
    assert (comment["id"], comment["post_id"], comment["author"], comment["body_text"]) == \
        ("3333333333333333333", post["id"], "Pieter", "Lovely line.")
    image = dict(db.execute("SELECT * FROM post_images").fetchone())
    assert image["full_url"] == "https://blogger.googleusercontent.com/img/b/X/s1600/train.jpg"
    assert image["image_sha256"] is None


def test_not_an_export_is_refused(tmp_path):
    bogus = tmp_path / "notes.xml"
    bogus.write_text("<html><body>hello</body></html>", "utf-8")
    result = run_cli("import", str(bogus), "--db", str(tmp_path / "a.db"))
    assert result.returncode != 0
    assert "neither a Blogger export" in result.stderr
    broken = tmp_path / "broken.xml"
    broken.write_text("<feed", "utf-8")
    result = run_cli("import", str(broken), "--db", str(tmp_path / "a.db"))
    assert result.returncode != 0 and "not well-formed" in result.stderr
