"""What went wrong with a request, as a short stable name the archive records.

Scrapy and Twisted name the same trouble differently from one version to the next
(``TCPTimedOutError``, ``DownloadTimeoutError``…); the crawl records one name per kind
so that `status`, the summary and the Datasette pages can count them.
"""

from __future__ import annotations

from scrapy.exceptions import IgnoreRequest
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import ConnectionDone, ConnectionLost

KINDS = {
    "DNSLookupError": "dns", "CannotResolveHostError": "dns",
    "TimeoutError": "timeout", "TCPTimedOutError": "timeout", "DownloadTimeoutError": "timeout",
    "ConnectionRefusedError": "connection_refused",
    "DownloadConnectionRefusedError": "connection_refused",
    "ResponseDataLossError": "truncated", "ConnectionLost": "connection_lost",
    "ResponseNeverReceived": "connection_lost", "DownloadCancelledError": "cancelled",
    "DownloadFailedError": "connection_lost",  # closed before any answer
}
# After these, other URLs on the same host are not tried in this run.
HOST_DOWN = {"dns", "connection_refused"}


def failure_kind(failure) -> tuple[str, str]:
    """(kind, message) for a Twisted failure of a download."""
    message = str(failure.value)[:500]
    kind = getattr(failure.value, "kind", None)  # scraper.middlewares names its own
    if isinstance(kind, str) and kind:
        return kind, message
    lowered = message.lower()
    if "maxsize" in lowered or "max size" in lowered or "larger than" in lowered:
        return "too_large", message  # also decompression bombs (IgnoreRequest)
    if failure.check(IgnoreRequest):
        if "max redirections" in lowered:
            return "redirect_loop", message
        return ("robots" if "robots" in lowered else "ignored"), message
    name = failure.type.__name__ if failure.type else "error"
    if name == "ResponseDataLossError":  # reset mid-body, or closed short of Content-Length
        reasons = getattr(failure.value.__cause__, "reasons", None) or []
        if any(r.check(ConnectionLost) and not r.check(ConnectionDone) for r in reasons):
            return "connection_reset", "the connection was reset in the middle of the body"
        return "truncated", message or "the body ended before the length the server announced"
    return KINDS.get(name, name), message


def http_status(failure) -> int | None:
    """The HTTP status of a failure that is an HTTP error answer, else None."""
    return failure.value.response.status if failure.check(HttpError) else None


def short_reason(failure) -> str:
    """"HTTP 404", or the failure's kind: said in a line of the crawl's record."""
    status = http_status(failure)
    return f"HTTP {status}" if status else failure_kind(failure)[0]
