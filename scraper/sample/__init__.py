"""A fake but faithful Blogger blog served over real HTTP (demo, tests, benchmarks).

    from scraper.sample import make_blog, BlogServer, expected_post
    with BlogServer(make_blog("layout")) as server:
        ...  # crawl server.url; images live on server.image_url
"""
from .content import make_blog, make_demo_blog
from .expected import expected_post
from .model import SampleBlog, SampleComment, SampleImage, SamplePost

__all__ = ["make_blog", "make_demo_blog", "expected_post", "BlogServer",
           "SampleBlog", "SampleComment", "SampleImage", "SamplePost"]


def __getattr__(name):
    # Lazy, so `python -m scraper.sample.server` doesn't import the module twice.
    if name == "BlogServer":
        from .server import BlogServer
        return BlogServer
    raise AttributeError(name)
