"""Post pages in the markup of real themes and generators, with what a reader sees on each.

Each renderer reproduces the structure of a real template's single-post page (studied
from the themes' public templates: the WordPress defaults, Astra, GeneratePress, OceanWP,
Hestia, Genesis, a news/magazine theme with an SEO plugin, static exports; Hugo, Jekyll,
Ghost, Pelican, a newsletter platform, a publishing platform, a hand-written page), filled
with our own words. ``theme_pages()`` yields ``(family, theme, url, html, truth)``; truth is
what the page shows: the title, the local day, the author, the labels in the order shown and
the text blocks of the body (captions included).

Posts are published shortly after local midnight in a +02:00 blog, so a time given in UTC
falls on the day before: the day shown is the truth (FIELD-NOTES W13).

``posts``: the posts; ``pieces``: markup the pages share; ``wordpress`` and
``generators``: one renderer per theme; ``truth``: every page with what it shows;
``server``: one theme's whole blog over HTTP.
"""

from .generators import GENERATORS
from .posts import ThemePost, make_posts
from .server import ThemeBlogServer
from .truth import theme_pages, truth
from .wordpress import WORDPRESS

__all__ = ["GENERATORS", "WORDPRESS", "ThemeBlogServer", "ThemePost", "make_posts", "theme_pages", "truth"]
