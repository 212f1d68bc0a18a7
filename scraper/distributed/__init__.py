"""Scale-out: a Redis queue of blogs, workers that each crawl whole blogs with the
single-machine crawler, and one writer per archive.

    blogarchive crawl  --redis redis://host:6379/0 URL…   put the blogs in the queue, then exit
    blogarchive worker --redis redis://host:6379/0        take blogs and crawl them (any number)
    blogarchive writer --redis redis://host:6379/0 --db archive.db   the one process writing SQLite
    blogarchive queue  --redis redis://host:6379/0        blogs queued, leased, items pending

Politeness allows one request at a time per blog, so one blog never needed two
machines: a worker leases a whole blog (all seeds on one host together), runs the
unchanged `blog` spider on it through Scrapy's public CrawlerProcess, and pushes the
items to Redis; the writer saves them with the same StorePipeline the embedded crawl
uses. Only hosts that several blogs share (image hosts) need a gate across workers:
a downloader middleware takes a per-host Redis key before each request. Why this
split, and what it guarantees: docs/scale-out.md.

Needs the `redis` client (the cluster extra): importing this package without it
raises ImportError, which the command line turns into a one-line message.
"""

import redis  # noqa: F401  (the cluster extra: fail at import, not halfway through a run)
