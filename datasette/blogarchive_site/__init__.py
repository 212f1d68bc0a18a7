"""blogarchive's Datasette site, one module per concern, each registered as a Datasette
plugin by an entry point in pyproject.toml (so ``datasette archive.db`` serves the
whole site once the package is installed):

- ``archive``: which served databases are archives; metadata.yml for each of them;
  the style sheet; memory-mapped reads;
- ``facets``: year (``?_facet_year=published``) and label (``?_facet_list=labels``) facets;
- ``images``: ``/-/images/<sha256>``, the bytes of an archived image;
- ``bodies``: a stored body made safe (scraper.htmlpolicy) with its images pointing at
  the archived copies; FTS snippets made safe;
- ``post_page``: the row page of ``posts`` reads as the post;
- ``home``: the home page (what is archived, search box, ways in) and the table pages' links;
- ``cells``: table and query cells as snippets, label links and thumbnails;
- ``search``: ``/-/search``, ranked search over posts and comments;
- ``table_search``: ``?_search=`` on the posts table, fast for a word in most posts;
- ``feed``: the ``.atom`` output of ``newest_posts``;
- ``charts``: Vega-Lite charts drawn as SVG on the server, each from a canned query;
- ``until_changed``: results that read many posts, kept until the archive changes;
- ``security``: read-only at the door, security headers, error pages.

robots.txt comes from datasette-block-robots. templates/, static/ and metadata.yml
are in this package, where Datasette looks for a plugin's templates and static
files: the package itself is registered too (entry point ``blogarchive``).

In the repository the package is ``datasette/blogarchive_site/``; ``datasette/``
itself is not a package (it would shadow Datasette).
"""
