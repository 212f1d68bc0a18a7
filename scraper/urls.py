"""URL rules shared by every platform: what makes two URLs the same thing."""

from __future__ import annotations

import functools
import re
from urllib.parse import parse_qsl, unquote, urlsplit, urlunsplit

from w3lib.url import safe_url_string

# Query parameters that never change what a page holds.
TRACKING_PARAMS = {
    "fbclid", "gclid", "mc_cid", "mc_eid", "_ga", "ref", "ref_src", "igshid",
}
# Session ids (compared lower-case): a new one per visit would make every page new.
SESSION_PARAMS = {
    "phpsessid", "jsessionid", "aspsessionid", "sessionid", "session_id", "sessid", "cfid",
    "cftoken", "zenid", "oscsid",
}
# …and the same as path parameters: /page.html;jsessionid=…
SESSION_PATH_PARAM = re.compile(r";(?:jsessionid|phpsessid|sessionid)=[^/?#;]*", re.I)
ALLOWED_SCHEMES = {"http", "https"}


class UnsupportedURL(ValueError):
    pass


def check_url(url: str) -> str:
    """Only http(s) URLs with a host are crawled; anything else is refused clearly."""
    parts = urlsplit(url.strip())
    if parts.scheme.lower() not in ALLOWED_SCHEMES:
        raise UnsupportedURL(f"{url!r}: only http and https URLs can be archived")
    if not parts.hostname:
        raise UnsupportedURL(f"{url!r}: no host name")
    return safe_url_string(url.strip())


def strip_params(url: str, drop=(), drop_prefixes=("utm_",), fragment: bool = True) -> str:
    """Remove tracking and presentation parameters (and the fragment) from a URL.

    The remaining query is kept byte for byte: Blogger writes offsets such as
    ``+02:00`` unescaped, and decoding then re-encoding them would change them.
    """
    parts = urlsplit(url)
    kept = []
    for pair in parts.query.split("&") if parts.query else []:
        key = unquote(pair.split("=", 1)[0])
        if key in drop or key in TRACKING_PARAMS or key.startswith(tuple(drop_prefixes)) \
                or key.lower() in SESSION_PARAMS:
            continue
        kept.append(pair)
    path = SESSION_PATH_PARAM.sub("", parts.path)
    return urlunsplit(
        (parts.scheme, parts.netloc.lower(), path or "/", "&".join(kept),
         "" if fragment else parts.fragment)
    )


def query_params(url: str) -> dict[str, str]:
    """Query parameters, decoded, with a literal '+' kept as '+' (Blogger's offsets)."""
    query = urlsplit(url).query.replace("+", "%2B")
    return dict(parse_qsl(query, keep_blank_values=True))


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.lower()}/"


@functools.lru_cache(maxsize=8192)
def host(url: str) -> str:
    """Host and port (the port only when not the scheme's default): one site each."""
    parts = urlsplit(url)
    name = (parts.hostname or "").lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    if port and (parts.scheme, port) not in (("http", 80), ("https", 443)):
        return f"{name}:{port}"
    return name
