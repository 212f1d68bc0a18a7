"""Downloader middlewares: what the web does wrong, handled once, before the spider sees it.

- ``RetryAfter``: 429/503 honour ``Retry-After`` (seconds or an HTTP date, capped
  at BLOGARCHIVE_RETRY_AFTER_MAX), else back off exponentially from
  BLOGARCHIVE_RETRY_BACKOFF; the whole host waits, not just the one request.
  Retries count against Scrapy's RETRY_TIMES / ``max_retry_times``.
- ``Encoding``: pages whose charset declaration is missing or wrong are read in
  the encoding their bytes are actually in.
- ``SizeLimit``: a download cut off by DOWNLOAD_MAXSIZE says so.
- ``OffsiteRedirect``: a page of the blog that redirects to another host is
  not fetched there (the seed may: that is how a blog's other names are learnt);
  a redirect back into its own chain is recorded as a loop.
- ``PrivateAddress`` (+ ``PrivateAddressResolver``): with
  BLOGARCHIVE_ALLOW_PRIVATE off, no request goes to a private, loopback or
  link-local address, whether written in the URL, resolved from a name, or
  reached by a redirect.
- ``UserAgent``: the User-Agent names the project and BLOGARCHIVE_CONTACT.
- ``ConditionalRequests``: a request the crawl's plan marks ``conditional`` carries
  the validators of the URL's last answer in the archive (If-None-Match,
  If-Modified-Since), so an unchanged page answers 304 with no body.
- ``FreedTrees``: each page's parsed tree is freed as soon as the spider is done
  with the page, not whenever Python's cycle collector gets round to it.
"""

from __future__ import annotations

import codecs
import email.utils
import ipaddress
import logging
import socket
import time
from urllib.parse import urljoin, urlsplit

from scrapy import signals
from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.exceptions import DownloadCancelledError, IgnoreRequest, NotConfigured
from parsel import Selector
from scrapy.http import HtmlResponse, JsonResponse, TextResponse, XmlResponse
from scrapy.resolver import CachingThreadedResolver
from scrapy.settings import SETTINGS_PRIORITIES
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.response import get_base_url
from twisted.internet import task, threads
from twisted.internet.error import DNSLookupError
from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding, resolve_encoding

from . import store

logger = logging.getLogger(__name__)


class Refused(IgnoreRequest):
    """A request the archiver will not make; ``kind`` is what the crawl records."""

    kind = "refused"

    def __init__(self, message: str, kind: str | None = None):
        super().__init__(message)
        if kind:
            self.kind = kind


class TooLarge(Exception):
    kind = "too_large"


def _sleep(seconds: float):
    from twisted.internet import reactor

    return maybe_deferred_to_future(task.deferLater(reactor, seconds, lambda: None))


def _hostport(url: str) -> str:
    return urlsplit(url).netloc.lower()


# -- Retry-After -----------------------------------------------------------------


def retry_after_seconds(value: bytes | str | None, now: float | None = None) -> float | None:
    """Retry-After as seconds from now: delta-seconds or an HTTP date; None if absent or bad."""
    if not value:
        return None
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


class RetryAfter:
    CODES = (429, 503)

    def __init__(self, crawler):
        settings = crawler.settings
        self.crawler = crawler
        self.enabled = settings.getbool("RETRY_ENABLED")
        self.cap = settings.getfloat("BLOGARCHIVE_RETRY_AFTER_MAX", 120.0)
        self.backoff = settings.getfloat("BLOGARCHIVE_RETRY_BACKOFF", 5.0)
        self.paused: dict[str, float] = {}  # host:port → time.monotonic() it may be asked again

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    async def process_request(self, request, spider=None):
        until = self.paused.get(_hostport(request.url))
        if until is not None:
            wait = until - time.monotonic()
            if wait > 0:
                await _sleep(wait)
        return None

    def process_response(self, request, response, spider=None):
        if (response.status not in self.CODES or not self.enabled
                or request.meta.get("dont_retry")):
            return response
        spider = spider or self.crawler.spider
        asked = retry_after_seconds(response.headers.get("Retry-After"))
        attempt = request.meta.get("retry_times", 0)
        delay = asked if asked is not None else self.backoff * (2 ** attempt)
        delay = min(delay, self.cap)
        retry = get_retry_request(request, spider=spider,
                                  reason=f"{response.status} (waiting {delay:.1f}s)")
        if retry is None:
            return response  # recorded as http_429 / http_503 by the spider
        key = _hostport(request.url)
        self.paused[key] = max(self.paused.get(key, 0.0), time.monotonic() + delay)
        self.crawler.stats.inc_value(f"blogarchive/retry_after/{response.status}")
        logger.info("%s answered %s: the host waits %.1fs%s", request.url, response.status, delay,
                    "" if asked is None else f" (Retry-After: {asked:.0f}s)")
        return retry


# -- encodings -------------------------------------------------------------------

BOMS = (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def _decodes(body: bytes, encoding: str) -> bool:
    try:
        body.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return False
    return True


def actual_encoding(body: bytes, content_type: str | None) -> str | None:
    """The encoding a page is really in, or None when the usual rules already get it right.

    Strictly valid UTF-8 with non-ASCII bytes is UTF-8, whatever the page says
    (other encodings almost never decode that way). Otherwise the declared
    encoding if the bytes decode in it, then the page's meta charset, then
    windows-1252 (what browsers assume).
    """
    if not body or body.startswith(BOMS) or body.isascii():
        return None  # a BOM wins anyway; ASCII reads the same in all of them
    if _decodes(body, "utf-8"):
        return "utf-8"
    header = http_content_type_encoding(content_type) if content_type else None
    meta = html_body_declared_encoding(body)
    for name in (header, meta, "cp1252"):
        if not name:
            continue
        name = resolve_encoding(name) or name
        if codecs.lookup(name).name == "utf-8":
            continue
        if _decodes(body, name):
            return name
    return "cp1252"


class Encoding:
    def process_response(self, request, response, spider=None):
        if not isinstance(response, HtmlResponse):
            return response
        found = actual_encoding(response.body,
                                response.headers.get("Content-Type", b"").decode("latin-1"))
        if found is None:
            return response
        current = codecs.lookup(response.encoding).name if response.encoding else ""
        if codecs.lookup(found).name == current:
            return response
        logger.debug("%s: read as %s (declared %s)", response.url, found, response.encoding)
        return response.replace(encoding=found)


# -- size limits -----------------------------------------------------------------


class SizeLimit:
    """Scrapy cancels a body that grows past DOWNLOAD_MAXSIZE without saying why."""

    def __init__(self, maxsize: int):
        self.maxsize = maxsize

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.settings.getint("DOWNLOAD_MAXSIZE"))

    def process_exception(self, request, exception, spider=None):
        if isinstance(exception, DownloadCancelledError) and not str(exception):
            limit = request.meta.get("download_maxsize", self.maxsize)
            raise TooLarge(f"the body grew past the download limit ({limit} bytes) and was cut off")
        return None


# -- redirects off the blog ------------------------------------------------------


class OffsiteRedirect:
    """Ask the spider before following a redirect to another host (see BlogSpider.may_redirect)."""

    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_response(self, request, response, spider=None):
        if response.status not in (301, 302, 303, 307, 308) or "Location" not in response.headers:
            return response
        if request.meta.get("dont_redirect"):
            return response
        spider = spider or self.crawler.spider
        may = getattr(spider, "may_redirect", None)
        target = urljoin(request.url, response.headers["Location"].decode("latin-1"))
        # Back to a URL of this very chain: a loop (without cookies it never ends), which
        # Scrapy's duplicate filter would otherwise drop without a word.
        chain = [*request.meta.get("redirect_urls", []), request.url]
        if target.split("#")[0] in {u.split("#")[0] for u in chain}:
            raise Refused(f"{chain[0]} redirects in a loop ({' → '.join(chain + [target])})",
                          kind="redirect_loop")
        if may is not None and not may(request, target):
            raise Refused(f"{request.url} redirects to {target}, off the blog; not followed",
                          kind="offsite_redirect")
        return response


# -- private addresses -----------------------------------------------------------


def is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def _literal(host: str) -> str | None:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None
    return host.strip("[]")


class PrivateAddress:
    """Refuse requests to addresses that are not public (BLOGARCHIVE_ALLOW_PRIVATE off)."""

    def __init__(self):
        self.resolved: dict[str, list[str]] = {}

    @classmethod
    def from_crawler(cls, crawler):
        if crawler.settings.getbool("BLOGARCHIVE_ALLOW_PRIVATE", True):
            raise NotConfigured  # (no message: Scrapy would print it as a warning on every crawl)
        return cls()

    async def process_request(self, request, spider=None):
        host = urlsplit(request.url).hostname or ""
        literal = _literal(host)
        if literal is not None:
            addresses = [literal]
        else:
            addresses = self.resolved.get(host)
            if addresses is None:
                try:
                    infos = await maybe_deferred_to_future(
                        threads.deferToThread(socket.getaddrinfo, host, None, 0, socket.SOCK_STREAM))
                except OSError:
                    return None  # the download records the DNS failure
                addresses = sorted({info[4][0] for info in infos})
                self.resolved[host] = addresses
        private = [a for a in addresses if not is_public(a)]
        if private:
            via = request.meta.get("redirect_urls")
            raise Refused(
                f"{request.url}: {host} is a private, loopback or link-local address "
                f"({', '.join(private)})" + (f", reached by a redirect from {via[0]}" if via else "")
                + "; set BLOGARCHIVE_ALLOW_PRIVATE=1 to allow it",
                kind="private_address",
            )
        return None


class PrivateAddressResolver(CachingThreadedResolver):
    """The names Twisted resolves when it connects: no private answers either (DNS rebinding)."""

    allow = True

    @classmethod
    def from_crawler(cls, crawler, reactor):
        resolver = super().from_crawler(crawler, reactor)
        resolver.allow = crawler.settings.getbool("BLOGARCHIVE_ALLOW_PRIVATE", True)
        return resolver

    def getHostByName(self, name, timeout=()):
        d = super().getHostByName(name, timeout)
        if not self.allow:
            d.addCallback(self._check, name)
        return d

    @staticmethod
    def _check(address, name):
        if not is_public(address):
            raise DNSLookupError(f"{name} resolves to {address}, not a public address")
        return address


# -- User-Agent ------------------------------------------------------------------


def user_agent(settings) -> str:
    """USER_AGENT as set by the user, else the project's name with BLOGARCHIVE_CONTACT."""
    if (settings.getpriority("USER_AGENT") or 0) > SETTINGS_PRIORITIES["project"]:
        return settings.get("USER_AGENT")
    from importlib.metadata import PackageNotFoundError, version

    try:
        ours = version("blogarchive")
    except PackageNotFoundError:  # pragma: no cover - running from a checkout
        ours = "0"
    contact = settings.get("BLOGARCHIVE_CONTACT") or ""
    return f"blogarchive/{ours}" + (f" (+{contact})" if contact else "")


class UserAgent:
    def __init__(self, agent: str):
        self.agent = agent

    @classmethod
    def from_crawler(cls, crawler):
        return cls(user_agent(crawler.settings))

    def process_request(self, request, spider=None):
        request.headers.setdefault(b"User-Agent", self.agent)
        return None


# -- conditional requests ------------------------------------------------------------


class ConditionalRequests:
    """If-None-Match / If-Modified-Since from the last time the URL answered (200 or 304).

    The plan says which requests may be conditional (posts the archive holds; the home
    page, feeds and sitemaps of an incremental run); the spider reads a 304 as "the
    archive's copy stands". The archive is read here, never written.
    """

    def __init__(self, db_path: str):
        self.db_path = db_path
        self.db = None

    @classmethod
    def from_crawler(cls, crawler):
        middleware = cls(crawler.settings.get("BLOGARCHIVE_DB"))
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    def spider_closed(self, spider=None):
        if self.db is not None:
            self.db.close()
            self.db = None

    def validators(self, url: str) -> dict:
        if self.db is None:
            self.db = store.open_db(self.db_path)
        known = store.fetch_validators(self.db, url)
        if not known or known.get("status") not in (200, 304):
            return {}
        headers = {}
        if known.get("etag"):
            headers["If-None-Match"] = known["etag"]
        if known.get("last_modified"):
            headers["If-Modified-Since"] = known["last_modified"]
        return headers

    def process_request(self, request, spider=None):
        # A redirect or a retry carries the headers of the request it came from.
        if request.meta.get("conditional") and not request.meta.get("redirect_urls") \
                and not request.meta.get("retry_times"):
            for name, value in self.validators(request.url).items():
                request.headers.setdefault(name, value)
        return None


# -- parsed trees ----------------------------------------------------------------


class _OwnSelector:
    """A response whose ``selector`` does not point back at it.

    Scrapy's does (``response.selector.response is response``, scrapy issue 2977): a
    reference cycle, so a parsed page is not freed when the spider is done with it but
    when Python's cycle collector next runs its oldest generation, which it does rarely
    because it counts objects, not bytes. Meanwhile each page's lxml tree, tens of times
    the page in C memory, waits: 16 pages at a time of a 10,000-post blog held 80 MB
    more at the peak. The same selector (same type, base URL and text), kept without
    the cycle."""

    __slots__ = ()
    selector_type: str | None = None

    @property
    def selector(self) -> Selector:
        tree = getattr(self, "_tree", None)
        if tree is None:
            tree = self._tree = Selector(text=self.text, type=self.selector_type,
                                         base_url=get_base_url(self))
        return tree


class HtmlPage(_OwnSelector, HtmlResponse):
    __slots__ = ("_tree",)
    selector_type = "html"


class XmlPage(_OwnSelector, XmlResponse):
    __slots__ = ("_tree",)
    selector_type = "xml"


class JsonPage(_OwnSelector, JsonResponse):
    __slots__ = ("_tree",)
    selector_type = "json"


class TextPage(_OwnSelector, TextResponse):
    __slots__ = ("_tree",)  # type left to parsel, from the body, as Scrapy does


PAGE_CLASSES = {HtmlResponse: HtmlPage, XmlResponse: XmlPage, JsonResponse: JsonPage, TextResponse: TextPage}


def own_selector(response):
    """``response`` as one of the classes above (any other kind as it is)."""
    page_class = PAGE_CLASSES.get(type(response))
    return response.replace(cls=page_class) if page_class else response


class FreedTrees:
    """Hands the spider its text answers as the classes above (last, next to the spider)."""

    def process_response(self, request, response, spider=None):
        return own_selector(response)
