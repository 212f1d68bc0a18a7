"""Blogger URL rules: one URL per thing, noise never followed, originals found."""

from scraper.platforms import blogger

BASE = "https://news.example.com"


def test_presentation_parameters_and_fragments_are_dropped():
    assert blogger.canonical(f"{BASE}/2023/09/x.html?m=1") == f"{BASE}/2023/09/x.html"
    assert blogger.canonical(f"{BASE}/2023/09/x.html?showComment=1378749646495#c123") == \
        f"{BASE}/2023/09/x.html"
    assert blogger.canonical(f"{BASE}/2023/09/x.html?utm_source=tw&m=0#more") == f"{BASE}/2023/09/x.html"
    # Legacy country domains are the same blog.
    assert blogger.canonical("http://foo.blogspot.fr/2012/01/a.html") == \
        "http://foo.blogspot.com/2012/01/a.html"


def test_the_same_older_posts_page_under_two_offsets_is_one_page():
    a = f"{BASE}/search?updated-max=2010-07-12T16:35:00%2B02:00&max-results=7"
    b = f"{BASE}/search?updated-max=2010-07-12T07:35:00-07:00&max-results=7"
    c = f"{BASE}/search?max-results=7&updated-max=2010-07-12T16:35:00+02:00&m=1"
    assert blogger.dedupe_key(a) == blogger.dedupe_key(b) == blogger.dedupe_key(c)
    other = f"{BASE}/search?updated-max=2010-07-12T07:35:00-07:00&max-results=7&start=7&by-date=false"
    assert blogger.dedupe_key(other) != blogger.dedupe_key(a)


def test_a_label_listing_under_any_other_query_is_the_same_listing():
    # A page linking to itself with ?x=n + 1 would otherwise be endless URLs of one listing.
    assert blogger.canonical(f"{BASE}/search/label/Harbours?x=1") == f"{BASE}/search/label/Harbours"
    assert blogger.canonical(f"{BASE}/search/label/Harbours?x=2&m=1") == f"{BASE}/search/label/Harbours"
    paged = f"{BASE}/search/label/Harbours?updated-max=2013-10-02T19:36:00Z&max-results=20&start=20"
    assert blogger.canonical(paged + "&x=3") == paged
    assert blogger.canonical(f"{BASE}/search?updated-max=2013-10-02T19:36:00Z&sid=9") == \
        f"{BASE}/search?updated-max=2013-10-02T19:36:00Z"


def test_links_are_classified_by_their_shape():
    cases = {
        "/2023/09/summit-ends.html": "post",
        "/2023/": "archive",
        "/2023/09/": "archive",
        "/2013_10_01_archive.html": "archive",
        "/search?updated-max=2013-10-02T19:36:00%2B02:00&max-results=7": "older",
        "/search?updated-max=2013-10-02T19:36:00%2B02:00&max-results=7&reverse-paginate=true": "newer",
        "/search/label/Kim%20Jong%20Un": "label",
        "/search/label/Ferries%2FTrains": "label",  # a label with a "/" in its name
        "/search/label/Harbours/deeper1/": None,  # a path below a label page: a trap
        "/search/label/Caf%C3%A9%20pol%C3%ADtica?updated-max=2013-10-02T19:36:00Z&max-results=20": "older",
        "/feeds/posts/default": "feed",
        "/?widgetType=BlogArchive&widgetId=BlogArchive1&action=toggle&dir=open&toggle=MONTHLY-1": None,
        "/search?q=summit": None,
        "/feeds/123456789/comments/default": None,
        "/2013/09/CSI/": None,
        "/p/about.html": None,
    }
    for path, role in cases.items():
        assert blogger.classify(BASE + path) == role, path


def test_full_size_image_urls():
    thumb = "https://blogger.googleusercontent.com/img/b/R29vZ2xl/AVvXsEabc/s320/crane.jpg"
    assert blogger.full_size(thumb) == "https://blogger.googleusercontent.com/img/b/R29vZ2xl/AVvXsEabc/s1600/crane.jpg"
    assert blogger.original(thumb).endswith("/s0/crane.jpg")
    assert blogger.full_size("http://1.bp.blogspot.com/-x/y/z/w/s72-c/a.png").endswith("/s1600/a.png")
    assert blogger.full_size("http://1.bp.blogspot.com/-x/y/z/w/s1600-h/a.png").endswith("/s1600/a.png")
    assert blogger.full_size("http://1.bp.blogspot.com/-x/y/z/w/w400-h300-p-k-no-nu/a.png").endswith("/s1600/a.png")
    assert blogger.full_size("https://lh3.googleusercontent.com/abc=w400-h300").endswith("=s1600")
    # Not a Blogger image host: left alone.
    assert blogger.full_size("https://example.org/s320/a.png") == "https://example.org/s320/a.png"


def test_every_later_feed_page_is_named_from_the_second():
    second = "https://a.blogspot.com/feeds/posts/default?start-index=26&max-results=25&alt=atom"
    assert blogger.feed_page_urls(second, 80) == [
        "https://a.blogspot.com/feeds/posts/default?start-index=26&max-results=25&alt=atom",
        "https://a.blogspot.com/feeds/posts/default?start-index=51&max-results=25&alt=atom",
        "https://a.blogspot.com/feeds/posts/default?start-index=76&max-results=25&alt=atom",
    ]
    # A next link of another shape is followed as it is.
    odd = "https://a.blogspot.com/feeds/posts/default?page=2"
    assert blogger.feed_page_urls(odd, 80) == [odd]
