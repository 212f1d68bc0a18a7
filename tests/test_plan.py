"""The crawl's plan, driven without Scrapy: what a blog's crawl asks for, and when it stops.

A real (temporary) archive stands for what earlier runs hold; the platforms are the
real ones; pages and feeds are given as the records the platforms would read from
them (links, feed pages).
"""

from __future__ import annotations

import tracemalloc
from dataclasses import asdict

import pytest

from scraper import platforms, store
from scraper.items import Blog, Fetch, Image, ImageFailure, Post
from scraper.plan import Archive, BlogPlan, Fingerprints, ImagePlan, ImageWant, Limits, Want
from scraper.platforms.base import FeedPage, Link

BLOG = "https://notes.blogspot.com/"


def post_url(n: int) -> str:
    return f"{BLOG}2024/{1 + n % 12:02d}/post-{n}.html"


@pytest.fixture
def archive(tmp_path):
    archive = Archive(str(tmp_path / "a.db"))
    yield archive
    archive.close()


def blogger_plan(archive, **limits) -> BlogPlan:
    plan = BlogPlan(BLOG, archive, Limits(**limits))
    plan.platform = platforms.by_name("blogger")
    return plan


def started(plan: BlogPlan) -> list[Want]:
    """The home page was read: the blog is known, its feed and sitemap are asked for."""
    return plan.started(Blog(id="b1", url=BLOG, platform="blogger", title="Notes"), BLOG)


def urls(wants) -> list[str]:
    return [w.url for w in wants if isinstance(w, Want)]


def test_a_page_is_asked_for_once_whatever_its_presentation_parameters(archive):
    plan = blogger_plan(archive)
    assert plan.want(post_url(1), "post") is not None
    assert plan.want(post_url(1), "post") is None
    assert plan.want(post_url(1) + "?m=1", "post") is None  # the mobile view is the same post
    assert plan.want(post_url(1) + "?m=1", "post", force=True) is not None  # unless forced


def test_a_listing_page_that_shows_no_new_post_is_a_dead_end(archive):
    """A crawler trap (an endless calendar) links to ever more listing pages that show the
    same posts: after the first, none of its links is followed."""
    plan = blogger_plan(archive)
    posts = [Link(post_url(n), "post") for n in range(3)]
    first = plan.links("archive", posts + [Link(f"{BLOG}2024/02/", "archive")])
    assert f"{BLOG}2024/02/" in urls(first)
    again = plan.links("archive", posts + [Link(f"{BLOG}2024/03/", "archive")])
    assert again == []  # same posts: the calendar's next page is not followed


def test_the_listing_budget_stops_discovery(archive, caplog):
    plan = blogger_plan(archive, max_listing_pages=2)
    wants = [plan.want(f"{BLOG}search/label/x{n}", "label") for n in range(4)]
    assert [w is not None for w in wants] == [True, True, False, False]
    assert "listing budget spent" in caplog.text
    assert plan.want(post_url(1), "post") is not None  # posts are still fetched


def test_the_request_budget_stops_everything(archive):
    plan = blogger_plan(archive, max_requests=3)
    assert len([w for w in (plan.want(post_url(n), "post") for n in range(10)) if w]) == 3


def test_listings_wait_for_the_feed_and_are_dropped_when_it_lists_every_post(archive):
    plan = blogger_plan(archive)
    wants = started(plan)
    assert [w.role for w in wants] == ["feed"]  # the sitemap waits for it too
    assert plan.links("home", [Link(f"{BLOG}search/label/x", "label")]) == []  # held
    page = FeedPage(entries=[{"url": post_url(n)} for n in range(3)], total=3)
    out = plan.feed_read(page, wants[0].request_meta)
    assert sorted(urls(out)) == sorted([post_url(n) for n in range(3)] + [f"{BLOG}sitemap.xml"])
    assert plan.feed_complete
    assert not plan.follows_links_of_post()
    assert plan.links("label", [Link(f"{BLOG}search/label/y", "label")]) == []


def test_a_feed_that_falls_short_releases_the_listings_it_held(archive):
    plan = blogger_plan(archive)
    feed = started(plan)[0]
    plan.links("home", [Link(f"{BLOG}search/label/x", "label")])
    page = FeedPage(entries=[{"url": post_url(1)}], total=5)  # says 5, lists 1
    out = plan.feed_read(page, feed.request_meta)
    assert f"{BLOG}search/label/x" in urls(out)
    assert not plan.feed_complete and not plan.feed_running


def test_a_feed_that_cannot_be_read_falls_back_to_the_next(archive):
    plan = BlogPlan("https://words.example/", archive)
    plan.platform = platforms.by_name("wordpress")
    wants = plan.started(Blog(id="w", url="https://words.example/", platform="wordpress"),
                         "https://words.example/")
    rest = wants[0]
    assert "/wp-json/wp/v2/posts" in rest.url
    rss = plan.feed_fallback(rest.request_meta)
    assert rss is not None and rss.url == "https://words.example/feed/"
    assert plan.feed_fallback(rss.request_meta) is None  # no third feed
    plan.links("home", [Link("https://words.example/category/a/", "label")])
    assert "https://words.example/category/a/" in urls(plan.feed_unreadable(rss.request_meta, "HTTP 403"))


def test_a_page_refused_while_the_feed_is_read_waits_for_the_feed(archive):
    plan = blogger_plan(archive)
    feed = started(plan)[0]
    url = post_url(7)
    refusal = Fetch(url=url, kind="post", error="not_a_post")
    assert plan.refused(url, {}, refusal) is None  # held: the feed may yet name it
    out = plan.feed_read(FeedPage(entries=[{"url": url}], total=1), feed.request_meta)
    asked = [w for w in out if isinstance(w, Want) and w.url == url]
    assert asked and asked[0].reason == "listed-in-feed" and asked[0].meta["listed"]["listed_in"] == "feed"
    assert refusal not in out  # the feed overturned it

    other = blogger_plan(archive)
    feed = started(other)[0]
    assert other.refused(url, {}, refusal) is None
    out = other.feed_read(FeedPage(entries=[{"url": post_url(8)}], total=1), feed.request_meta)
    assert refusal in out  # the feed did not name it: the refusal stands


def test_feed_pages_are_read_ahead_only_while_few_posts_wait(archive):
    plan = blogger_plan(archive, feed_read_ahead=60)
    feed = started(plan)[0]
    entries = [{"url": post_url(n)} for n in range(25)]
    next_url = f"{BLOG}feeds/posts/summary?start-index=26&max-results=25"
    out = plan.feed_read(FeedPage(entries=entries, next_url=next_url, total=500), feed.request_meta)
    # 25 posts wait; each page asked for will list 25 more: 25 + 25 < 60, 25 + 50 ≥ 60
    assert len([w for w in out if w.role == "feed"]) == 2
    assert len(plan.feed_todo) == 17  # the other 17 of the blog's 19 later pages wait
    later = [w for _ in range(25) for w in plan.post_answered()]
    assert [w.role for w in later] == ["feed"]  # 0 + 2 × 25 < 60: room for one more
    assert len(plan.feed_todo) == 16
    answered = later[0].request_meta
    plan.feed_read(FeedPage(entries=[], total=500), answered)
    assert answered["fanned"] not in plan.feed_pages_left


def test_a_first_crawl_skips_posts_the_archive_holds(archive):
    store.save_blog(archive.db, {"id": "b1", "url": BLOG, "platform": "blogger", "title": "Notes"})
    store.save_post(archive.db, asdict(Post(id="p1", blog_id="b1", url=post_url(1), title="One")))
    plan = blogger_plan(archive)
    assert plan.want_post(post_url(1)) is None
    assert plan.want_post(post_url(2)) is not None


def _archived_blog(archive, updated: str):
    db = archive.db
    store.save_blog(db, {"id": "b1", "url": BLOG, "platform": "blogger", "title": "Notes"})
    crawl = store.start_crawl(db, [BLOG])
    for n in range(3):
        store.save_post(db, asdict(Post(id=f"p{n}", blog_id="b1", url=post_url(n), title=f"P{n}",
                                        updated=updated)), crawl)
    store.save_feed_entries(db, "b1", [{"url": post_url(n), "post_id": f"p{n}", "updated": updated}
                                       for n in range(3)], crawl)
    store.mark_complete(db, "b1", crawl)
    return store.find_blog(db, BLOG)


def test_an_incremental_run_reads_the_feed_of_changes_down_to_the_last_change_seen(archive):
    record = _archived_blog(archive, "2024-05-01T10:00:00Z")
    plan = BlogPlan(BLOG, archive)
    plan.resume(record, platforms.by_name("blogger"))
    assert plan.mode == "incremental"
    assert plan.want(BLOG, "home", force=True).conditional  # the home page may answer 304
    changes = plan.home_unchanged()
    assert [w.reason for w in changes] == ["changes"] and "orderby=updated" in changes[0].url
    entries = [{"url": post_url(9), "updated": "2024-06-01T00:00:00Z"},  # new
               {"url": post_url(1), "updated": "2024-06-01T00:00:00Z"},  # edited since
               {"url": post_url(2), "updated": "2024-05-01T10:00:00Z"}]  # as archived
    out = plan.feed_read(FeedPage(entries=entries, next_url=f"{BLOG}feeds/more", total=4),
                         changes[0].request_meta)
    assert [(w.url, w.reason) for w in out] == [(post_url(9), "new"), (post_url(1), "changed-in-feed")]
    assert all(w.conditional for w in out)  # the archive has copies to compare with


def test_an_incremental_run_whose_feed_of_changes_fails_walks_the_blog(archive):
    plan = BlogPlan(BLOG, archive)
    plan.resume(_archived_blog(archive, "2024-05-01T10:00:00Z"), platforms.by_name("blogger"))
    changes = plan.home_unchanged()[0]
    out = plan.feed_unreadable(changes.request_meta, "HTTP 500")
    assert plan.mode == "discover"
    assert {w.role for w in out} >= {"feed", "home"}


def test_a_feed_counting_fewer_posts_than_the_archive_holds_lists_which_went(archive):
    plan = BlogPlan(BLOG, archive)
    plan.resume(_archived_blog(archive, "2024-05-01T10:00:00Z"), platforms.by_name("blogger"))
    changes = plan.home_unchanged()[0]
    out = plan.feed_read(FeedPage(entries=[], total=2), changes.request_meta)  # 3 archived, 2 now
    census = [w for w in out if w.reason == "census"]
    assert len(census) == 1
    gone = plan.feed_read(FeedPage(entries=[{"url": post_url(0)}, {"url": post_url(1)}], total=2),
                          census[0].request_meta)
    assert [(w.url, w.reason) for w in gone] == [(post_url(2), "missing-from-feed")]


def test_more_comments_than_the_page_shows_reads_the_comment_feed(archive):
    plan = blogger_plan(archive)
    feed = started(plan)[0]
    plan.feed_read(FeedPage(entries=[{"url": post_url(1), "comment_count": 250}], total=1), feed.request_meta)
    out = plan.post_parsed(post_url(1), "123456789", 200)
    assert [w.role for w in out] == ["comments"] and "/feeds/123456789/comments/" in out[0].url
    assert plan.post_parsed(post_url(2), "987654321", 0) == []


def test_an_image_tries_its_other_sizes_and_skips_a_host_that_is_down(archive):
    images = ImagePlan(archive)
    post = Post(id="p", blog_id="b", url=post_url(1), images=[
        Image(0, "a", "https://img.example/a.jpg",
              candidates=["https://img.example/a.jpg", "https://cdn.example/a-s1600.jpg"]),
        Image(1, "b", "https://img.example/b.jpg")])
    first, second = images.for_post(post)
    assert isinstance(first, ImageWant) and first.candidates[0] == "https://img.example/a.jpg"
    again = images.failed(first.key, first.candidates[0], first.candidates[1:], [], "dns", host_down=True)
    assert isinstance(again, ImageWant) and again.candidates == ["https://cdn.example/a-s1600.jpg"]
    failure = images.failed(second.key, second.candidates[0], [], [], "http_404")
    assert isinstance(failure, ImageFailure) and "img.example" in failure.message
    third = images.for_post(Post(id="q", blog_id="b", url=post_url(2),
                                 images=[Image(0, "c", "https://img.example/c.jpg")]))
    assert [type(x) for x in third] == [ImageFailure] and third[0].error == "host_down"
    assert images.for_post(post) == []  # each image once per run


def test_the_urls_a_big_blog_has_seen_take_a_fraction_of_their_text():
    urls = [f"https://a-rather-long-blog-name.blogspot.com/2019/07/a-post-title-slug-{n}.html"
            for n in range(10000)]
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        kept = Fingerprints(urls)
        compact = tracemalloc.get_traced_memory()[0] - before
        before = tracemalloc.get_traced_memory()[0]
        plain = {(u + " ")[:-1] for u in urls}  # copies, as parsed pages give them
        as_text = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert urls[5] in kept and "https://elsewhere/" not in kept and len(kept) == len(plain)
    assert compact < as_text / 4, (compact, as_text)
