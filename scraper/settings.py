"""Scrapy settings: polite by default, fast when allowed (`-s NAME=VALUE`)."""

from scrapy.settings import default_settings

BOT_NAME = "blogarchive"
SPIDER_MODULES = ["scraper.spiders"]
NEWSPIDER_MODULE = "scraper.spiders"

# Where the archive goes (override with -s BLOGARCHIVE_DB=… or `blogarchive crawl --db`).
BLOGARCHIVE_DB = "archive.db"
BLOGARCHIVE_CONTACT = "https://github.com/blogarchive/blogarchive"
# Bounds that cut crawler traps off by design: listing pages followed per blog
# (archive, label and "older posts" pages), and requests per blog in one run.
BLOGARCHIVE_MAX_LISTING_PAGES = 20000
BLOGARCHIVE_MAX_REQUESTS_PER_BLOG = 1_000_000
# Feed pages are read ahead of the post pages they list while fewer than this many
# post pages wait to be fetched: memory stays flat however big the blog.
BLOGARCHIVE_FEED_READ_AHEAD = 500
# A crawl whose failed requests exceed this share of all requests exits 1.
BLOGARCHIVE_ERROR_THRESHOLD = 0.05
# `blogarchive crawl` refuses to start with less free space than this beside the archive.
BLOGARCHIVE_MIN_FREE_MB = 50

# `--contact URL` or -s BLOGARCHIVE_CONTACT=… changes the User-Agent too
# (scraper.middlewares.UserAgent); -s USER_AGENT=… replaces it whole.
USER_AGENT = f"blogarchive/0.1 (+{BLOGARCHIVE_CONTACT})"
ROBOTSTXT_OBEY = True
# Private, loopback and link-local addresses (also after DNS resolution and on
# redirects): allowed for `blogarchive crawl`, refused for scheduled runs
# (`blogarchive run`, unless the config says allow_private = true).
BLOGARCHIVE_ALLOW_PRIVATE = True

# Politeness: one request at a time per blog, AutoThrottle adapts the delay.
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 1
DOWNLOAD_DELAY = 1
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1
AUTOTHROTTLE_MAX_DELAY = 30
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0

RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [429, 500, 502, 503, 504, 522, 524, 408]
# Failures after retries are recorded in the archive and summarised at the end;
# they are not worth an ERROR line each in a cron mail.
RETRY_GIVE_UP_LOG_LEVEL = "INFO"
# With LOG_FILE (`crawl --log`), what still reaches the console ("" for nothing).
BLOGARCHIVE_CONSOLE_LEVEL = "WARNING"
# Tracebacks of failures the crawl records anyway (`crawl --verbose` shows them).
BLOGARCHIVE_TRACEBACKS = False
# 429/503: Retry-After is honoured up to this many seconds; without it the host
# waits BACKOFF, 2×BACKOFF, 4×BACKOFF… (same cap). Retries count in RETRY_TIMES.
BLOGARCHIVE_RETRY_AFTER_MAX = 120
BLOGARCHIVE_RETRY_BACKOFF = 5
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 10 * 1024 * 1024  # pages; images have their own limit
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
REDIRECT_MAX_TIMES = 10
METAREFRESH_ENABLED = True
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
# Scrapy's remote control (on by default since 2.19): an HTTP server on localhost that runs the
# Python code sent to it, its token in a job file under ~/.local/state/scrapy. A crawl has no
# use for it; like the telnet console it is off, and its module (aiohttp, 0.1 s) not imported.
REMOTE_CONTROL_ENABLED = False
# Scrapy starts CONCURRENT_ITEMS asyncio tasks for every response, however few items it gives
# (a post page gives two or three); the pipeline is synchronous, so more than one never ran
# at a time anyway. (With 1, peak memory once grew: with fewer allocations the cycle collector
# ran less often, and each page's tree waited for it; scraper.middlewares.FreedTrees frees them.)
CONCURRENT_ITEMS = 1
# Scrapy's check for `return value` in generator callbacks re-reads the callback's source
# (inspect + ast) for nearly every response, since its cache is keyed on bound methods.
WARN_ON_GENERATOR_RETURN_VALUE = False

DOWNLOADER_MIDDLEWARES = {  # see scraper/middlewares.py
    "scraper.middlewares.FreedTrees": 10,  # last before the spider: pages freed when parsed
    "scraper.middlewares.PrivateAddress": 50,
    "scrapy.downloadermiddlewares.useragent.UserAgentMiddleware": None,
    "scraper.middlewares.UserAgent": 500,
    "scraper.middlewares.ConditionalRequests": 520,  # validators of the archive's copy
    "scraper.middlewares.RetryAfter": 555,  # before RetryMiddleware (550) sees 429/503
    "scraper.middlewares.SizeLimit": 560,
    "scraper.middlewares.Encoding": 585,  # after decompression (590)
    "scraper.middlewares.OffsiteRedirect": 610,  # before RedirectMiddleware (600)
    # Next to the network: every hop, retry and image as received (scraper/capture.py).
    "scraper.capture.WarcCapture": 950,
}
TWISTED_DNS_RESOLVER = "scraper.middlewares.PrivateAddressResolver"

ITEM_PIPELINES = {"scraper.pipelines.StorePipeline": 300}
# CrawlEnd writes the crawl's final status and summary once the spider has closed.
# PageBuffers: page-sized buffers go back to the system when freed (scraper/malloc.py).
EXTENSIONS = {"scraper.malloc.PageBuffers": 0, "scraper.progress.Progress": 500,
              "scraper.extensions.CrawlEnd": 600, "scraper.extensions.StartupFrozen": 700}

# Components turned off above are left out of Scrapy's own lists, so that they are not even
# imported: the cookies middleware imports tldextract and the remote control aiohttp, 0.1 s
# each at every crawl's start. (Scrapy imports a component named in DOWNLOADER_MIDDLEWARES or
# EXTENSIONS even to turn it off with None.) To crawl with cookies, set COOKIES_ENABLED and
# DOWNLOADER_MIDDLEWARES = {"scrapy.downloadermiddlewares.cookies.CookiesMiddleware": 700}.
# Two more that never change a request of this spider, yet run for each one:
# - OffsiteMiddleware filters by the spider's allowed_domains, which BlogSpider does not set
#   (allowed: every host). The plan decides which hosts a blog's requests go to
#   (scraper/plan), and OffsiteRedirect stops redirects off the blog.
# - DepthMiddleware counts each request's depth into its meta and the stats, which nothing
#   reads, and with DEPTH_LIMIT and DEPTH_PRIORITY at 0 limits and reorders nothing; its layer
#   around the callback's output cost for every item and request. (DEPTH_LIMIT has no effect
#   without it: the crawl's bounds are BLOGARCHIVE_MAX_LISTING_PAGES and _MAX_REQUESTS_PER_BLOG.)
_UNUSED = {"scrapy.downloadermiddlewares.cookies.CookiesMiddleware",
           "scrapy.extensions.remote_control.RemoteControl", "scrapy.extensions.telnet.TelnetConsole",
           "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware",
           "scrapy.spidermiddlewares.depth.DepthMiddleware"}
DOWNLOADER_MIDDLEWARES_BASE = {k: v for k, v in default_settings.DOWNLOADER_MIDDLEWARES_BASE.items()
                               if k not in _UNUSED}
SPIDER_MIDDLEWARES_BASE = {k: v for k, v in default_settings.SPIDER_MIDDLEWARES_BASE.items()
                           if k not in _UNUSED}
EXTENSIONS_BASE = {k: v for k, v in default_settings.EXTENSIONS_BASE.items() if k not in _UNUSED}
# "rich" (a live line on a terminal), "log" (a line every interval), "off".
BLOGARCHIVE_PROGRESS = "log"
BLOGARCHIVE_PROGRESS_INTERVAL = 30
LOGSTATS_INTERVAL = 0  # our progress line says more
STATS_CLASS = "scraper.extensions.Stats"  # Scrapy's, cheaper to call (see there)

# Posts before listings (the spider's priorities), last in first out within a priority
# (Scrapy's memory queues): the queue stays short.
SCHEDULER_PRIORITY_QUEUE = "scrapy.pqueues.DownloaderAwarePriorityQueue"
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
LOG_LEVEL = "INFO"
# With LOG_FILE (`crawl --log`), what still reaches the console ("" for nothing).
BLOGARCHIVE_CONSOLE_LEVEL = "WARNING"
# Tracebacks of failures the crawl records anyway (`crawl --verbose` shows them).
BLOGARCHIVE_TRACEBACKS = False
FEED_EXPORT_ENCODING = "utf-8"

# Post pages read (parsed, sanitised, their text and comments taken) in this many worker
# processes while the crawl's process fetches, plans and stores (scraper/readers.py);
# 0 reads them in the crawl's process; "auto": one where there are 2 cores or more (a second
# added nothing on 2 cores: the crawl's own process stays the busier one). Not the default:
# on a busy 2-core machine one worker shortened 1k-post crawls, not 200-post ones.
BLOGARCHIVE_PARSE_WORKERS = 0

# Images: "db" keeps every post image in the archive (images.content), "none"
# keeps only their URLs, "dir:/path" writes content-addressed files there.
BLOGARCHIVE_IMAGES = "db"
BLOGARCHIVE_IMAGE_MAXSIZE = 25 * 1024 * 1024
BLOGARCHIVE_IMAGE_MAX_ATTEMPTS = 5  # runs that try a failing image before giving up

# Every response kept as fetched in WARC files beside the archive (<archive>.warc/):
# "all", "pages" (not images) or "none"; files rotate at this size.
BLOGARCHIVE_WARC = "all"
BLOGARCHIVE_WARC_DIR = ""  # default: <archive>.warc next to the database
BLOGARCHIVE_WARC_MAX_BYTES = 1_000_000_000
