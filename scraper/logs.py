"""Where a crawl's log goes: a file when asked, and only what matters on the console.

Scrapy installs one root handler (the console, or LOG_FILE). With a log file,
warnings still reach the console (cron mails them); tracebacks of failures the
crawl records anyway are cut to their first line unless --verbose.
"""

from __future__ import annotations

import logging
import sys

from scrapy.settings import Settings

# Failures these loggers report are recorded by the crawl and summarised at the
# end: their tracebacks say nothing more to the person reading the output.
RECORDED_ELSEWHERE = ("scrapy.downloadermiddlewares.robotstxt",)


class OneLine(logging.Filter):
    """The message, without the traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.exc_info = None
        record.exc_text = None
        return True


def configure(settings: Settings) -> None:
    """Call after Scrapy has set up its logging (CrawlerProcess does that)."""
    if not settings.getbool("BLOGARCHIVE_TRACEBACKS"):
        for name in RECORDED_ELSEWHERE:
            logging.getLogger(name).addFilter(OneLine())
    console = settings.get("BLOGARCHIVE_CONSOLE_LEVEL")
    if settings.get("LOG_FILE") and console:
        handler = logging.StreamHandler(sys.stderr)
        handler.setLevel(console)
        handler.setFormatter(logging.Formatter(settings.get("LOG_FORMAT"),
                                               settings.get("LOG_DATEFORMAT")))
        logging.root.addHandler(handler)
