"""A bare Scrapy spider: fetch a list of URLs, keep nothing. The floor under blogarchive's crawl.

    python bench/bare_spider.py urls.txt -s CONCURRENT_REQUESTS=16 ...

Same Scrapy, same concurrency and robots.txt handling as the real crawl, but
no parsing, no item, no database: what is left of the crawl's cost when
extraction and storage are taken away. It prints one JSON line (responses,
bytes). `--parse` also builds Scrapy's selector (lxml) for each page, to
separate "parse HTML" from "extract and store".
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
# bench/ must not come first on sys.path: a script there named like a package would shadow it. Appended instead, for `import benchlib`.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != BENCH] + [str(BENCH)]

import scrapy  # noqa: E402
from scrapy.crawler import CrawlerProcess  # noqa: E402


class BareSpider(scrapy.Spider):
    name = "bare"

    def __init__(self, urls_file: str, parse_html: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.urls_file = urls_file
        self.parse_html = parse_html
        self.responses = 0
        self.bytes = 0

    async def start(self):
        with open(self.urls_file) as f:
            for line in f:
                url = line.strip()
                if url:
                    yield scrapy.Request(url, callback=self.parse, errback=self.failed, dont_filter=True)

    def parse(self, response):
        self.responses += 1
        self.bytes += len(response.body)
        if self.parse_html and isinstance(response, scrapy.http.TextResponse):
            response.xpath("//a/@href").getall()

    def failed(self, failure):
        self.responses += 1


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("urls_file")
    parser.add_argument("-s", "--set", dest="settings", action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument("--parse", action="store_true", help="also parse each page with lxml")
    args = parser.parse_args(argv)
    settings = {
        "ROBOTSTXT_OBEY": True, "LOG_LEVEL": "WARNING", "TELNETCONSOLE_ENABLED": False,
        "COOKIES_ENABLED": False, "USER_AGENT": "bare-spider (blogarchive bench)",
        "REQUEST_FINGERPRINTER_IMPLEMENTATION": "2.7",
    }
    for pair in args.settings:
        name, value = pair.split("=", 1)
        settings[name] = value
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(BareSpider)
    process.crawl(crawler, urls_file=args.urls_file, parse_html=args.parse)
    process.start()
    spider = crawler.spider
    stats = crawler.stats.get_stats()
    print(json.dumps({"responses": spider.responses, "bytes": spider.bytes,
                      "requests": stats.get("downloader/request_count", 0)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
