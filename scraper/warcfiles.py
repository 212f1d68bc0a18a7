"""WARC files beside the archive: written whole record by record, rotated, read back.

Plain Python over warcio, no Scrapy: the capture middleware writes through
``WarcFiles``; reparse, export and the Datasette site read through ``read_record``.

Files live in ``<archive>.warc/`` as ``<blog>-<crawl>-NNNNN.warc.gz`` (one gzip
member per record, so any record can be read from its offset). A file being
written is named ``….warc.gz.open`` and renamed when it is closed; one left
``.open`` by a killed crawl is cut back to its last whole record and renamed by
the next crawl (``seal``), so every file ends on a whole record. The writer holds
an flock on its ``.open`` file, which the kernel drops when the process dies: so
several crawls (the crawls of a worker, workers sharing a folder) can seal what a
dead one left without touching a file another is still writing.
"""

from __future__ import annotations

import base64
import datetime as dt
import fcntl
import hashlib
import io
import logging
import os
import re
import zlib
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

logger = logging.getLogger(__name__)

OPEN_SUFFIX = ".open"
NOT_MODIFIED = "http://netpreserve.org/warc/1.0/revisit/server-not-modified"
MAX_FILE_BYTES = 1_000_000_000
SOFTWARE = "blogarchive"


def warc_dir(db_path: str | os.PathLike) -> Path:
    """Where an archive's WARC files go: ``archive.db`` → ``archive.db.warc/``."""
    path = Path(db_path)
    return path.with_name(path.name + ".warc")


def payload_digest(body: bytes) -> str:
    """The WARC payload digest (sha1, base32) of a body as it was written."""
    return "sha1:" + base64.b32encode(hashlib.sha1(body).digest()).decode("ascii")


def slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9.]+", "_", text).strip("_") or "blog"


def warc_date(when: dt.datetime) -> str:
    return when.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Exchange:
    """One HTTP request and the response it got, as the crawler saw them."""

    url: str
    method: str
    request_headers: list[tuple[str, str]]
    request_body: bytes
    protocol: str  # "HTTP/1.1"
    status: int
    response_headers: list[tuple[str, str]]
    body: bytes  # the payload as received (Content-Encoding kept, chunking removed)
    fetched_at: dt.datetime


@dataclass
class Written:
    """Where one response (or revisit) record went."""

    warc_file: str  # file name inside the WARC folder, without ".open"
    offset: int
    length: int
    record_type: str  # response | revisit
    digest: str
    record_id: str


class WarcFiles:
    """Rotating WARC files of one blog in one crawl, appended one whole record at a time."""

    def __init__(self, folder: Path, blog: str, crawl_id: int | str,
                 max_bytes: int = MAX_FILE_BYTES):
        self.folder = folder
        # "<blog>-<crawl>", or "<blog>-<run>-<worker>" for a worker of a distributed run
        self.prefix = "-".join([slug(blog)] + [slug(part) for part in str(crawl_id).split("-")])
        self.max_bytes = max_bytes
        self.number = -1
        self.handle = None
        self.name = ""
        self.size = 0

    def _next_file(self) -> None:
        self.close()
        self.folder.mkdir(parents=True, exist_ok=True)
        while True:
            self.number += 1
            name = f"{self.prefix}-{self.number:05d}.warc.gz"
            final, open_ = self.folder / name, self.folder / (name + OPEN_SUFFIX)
            if not final.exists() and not open_.exists():
                break
        self.name = name
        self.handle = open(open_, "ab", buffering=0)
        fcntl.flock(self.handle, fcntl.LOCK_EX | fcntl.LOCK_NB)  # ours until closed or dead
        self.size = 0
        self._append(_warcinfo(name))

    def _append(self, data: bytes) -> int:
        """Write a whole record (or none: a failed write is cut off again); returns its offset."""
        offset = self.size
        try:
            view, done = memoryview(data), 0
            while done < len(data):  # unbuffered: nothing is left behind in memory to flush later
                done += self.handle.write(view[done:])
        except OSError:
            try:
                self.handle.truncate(offset)
            except OSError:
                pass
            raise
        self.size += len(data)
        return offset

    def write(self, exchange: Exchange, previous: dict | None = None) -> Written:
        """The response (or a revisit of ``previous`` when the payload is identical) and its request.

        ``previous``: the last capture of this URL (``digest``, ``fetched_at`` and ``url``).
        """
        digest = payload_digest(exchange.body)
        response = _response_record(exchange, digest, previous)
        request = _request_record(exchange, response.rec_headers.get_header("WARC-Record-ID"))
        first = _member(response)
        length = len(first)
        data = first + _member(request)
        if self.handle is None or (self.size and self.size + len(data) > self.max_bytes):
            self._next_file()
        offset = self._append(data)
        digest = response.rec_headers.get_header("WARC-Payload-Digest") or digest
        return Written(self.name, offset, length, response.rec_type, digest,
                       response.rec_headers.get_header("WARC-Record-ID"))

    def close(self) -> None:
        if self.handle is None:
            return
        # Renamed while still locked: no other crawl can take it for a dead one's meanwhile.
        os.replace(self.folder / (self.name + OPEN_SUFFIX), self.folder / self.name)
        self.handle.close()
        self.handle = None


_maker = WARCWriter(io.BytesIO(), gzip=True)
# warcio compresses at level 9; level 6 makes HTML pages a few per cent larger, much sooner.
GZIP_LEVEL = 6


class _Member:
    """A gzip member compressed as warcio writes the record's pieces (its headers, the HTTP
    headers, the payload in chunks): the whole record is never copied out first."""

    def __init__(self):
        self.compressor = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, zlib.MAX_WBITS + 16)
        self.parts = []

    def write(self, data: bytes) -> None:
        self.parts.append(self.compressor.compress(data))

    def flush(self) -> None:  # the member ends in bytes(): warcio flushes after each record
        pass

    def __bytes__(self) -> bytes:
        self.parts.append(self.compressor.flush())
        return b"".join(self.parts)


def _member(record) -> bytes:
    """One record as one gzip member, so it can be read from its offset alone."""
    member = _Member()
    WARCWriter(member, gzip=False).write_record(record)
    return bytes(member)


def _block_digest(record, payload: bytes) -> None:
    """The record's block digest (its HTTP headers and payload), given to warcio: it would
    otherwise read the payload once more to hash it, chunk by chunk."""
    http = record.http_headers
    http.compute_headers_buffer()  # what warcio writes as the block's head
    block = hashlib.sha1(http.headers_buff)
    block.update(payload)
    # Appended last, where warcio puts the one it computes.
    record.rec_headers.add_header(
        "WARC-Block-Digest", "sha1:" + base64.b32encode(block.digest()).decode("ascii"))


def _warcinfo(filename: str) -> bytes:
    return _member(_maker.create_warcinfo_record(filename, {
        "software": SOFTWARE, "format": "WARC File Format 1.1",
        "description": "bodies as received (Content-Encoding kept, chunked transfer decoded); "
                       "header names as normalised by Scrapy",
    }))


def _response_record(exchange: Exchange, digest: str, previous: dict | None):
    reason = HTTPStatus(exchange.status).phrase if exchange.status in HTTPStatus._value2member_map_ \
        else "Unknown"
    headers = [(k, v) for k, v in exchange.response_headers if k.lower() != "transfer-encoding"]
    http_headers = StatusAndHeaders(f"{exchange.status} {reason}", headers,
                                    protocol=exchange.protocol or "HTTP/1.1")
    warc_headers = {"WARC-Date": warc_date(exchange.fetched_at)}
    if previous and exchange.status == 304:
        # The server says the last full copy stands: a revisit of it that replay tools
        # resolve to that copy (no HTTP block of its own; the request record shows the
        # conditional request, `fetches` the validators).
        record = _maker.create_revisit_record(
            exchange.url, previous["digest"], previous["url"], previous["warc_date"],
            warc_headers_dict=warc_headers)
        record.rec_headers.replace_header("WARC-Profile", NOT_MODIFIED)
        return record
    if previous and exchange.body and previous.get("digest") == digest:
        record = _maker.create_revisit_record(
            exchange.url, digest, previous["url"], previous["warc_date"],
            http_headers=http_headers, warc_headers_dict=warc_headers)
        return record
    warc_headers["WARC-Payload-Digest"] = digest
    record = _maker.create_warc_record(exchange.url, "response", payload=io.BytesIO(exchange.body),
                                       length=len(exchange.body), http_headers=http_headers,
                                       warc_headers_dict=warc_headers)
    _block_digest(record, exchange.body)
    return record


def _request_record(exchange: Exchange, response_id: str):
    parts = exchange.url.split("/", 3)
    target = "/" + (parts[3] if len(parts) > 3 else "")
    host = parts[2] if len(parts) > 2 else ""
    headers = [("Host", host)] + [(k, v) for k, v in exchange.request_headers if k.lower() != "host"]
    http_headers = StatusAndHeaders(f"{exchange.method} {target} {exchange.protocol or 'HTTP/1.1'}",
                                    headers, is_http_request=True)
    return _maker.create_warc_record(
        exchange.url, "request", payload=io.BytesIO(exchange.request_body),
        length=len(exchange.request_body), http_headers=http_headers,
        warc_headers_dict={"WARC-Date": warc_date(exchange.fetched_at),
                           "WARC-Concurrent-To": response_id})


# -- reading ----------------------------------------------------------------


def locate(folder: Path, warc_file: str) -> Path:
    """The file as named in `captures`, or its ``.open`` name while a crawl still writes it."""
    path = folder / warc_file
    if not path.exists() and (folder / (warc_file + OPEN_SUFFIX)).exists():
        return folder / (warc_file + OPEN_SUFFIX)
    return path


@dataclass
class Record:
    url: str
    record_type: str
    status: int
    headers: list[tuple[str, str]]
    payload: bytes  # as written (Content-Encoding kept)
    content: bytes  # decoded (Content-Encoding undone), for parsers
    digest: str
    warc_date: str


def read_record(folder: Path, warc_file: str, offset: int) -> Record:
    """The record at ``offset``; raises ValueError if it is not a whole response or revisit."""
    with open(locate(folder, warc_file), "rb") as f:
        f.seek(offset)
        for record in ArchiveIterator(f):
            if record.rec_type not in ("response", "revisit"):
                raise ValueError(f"{warc_file}@{offset}: a {record.rec_type} record, not a response")
            payload = record.raw_stream.read()
            status = int(record.http_headers.get_statuscode() or 0) if record.http_headers else 0
            headers = list(record.http_headers.headers) if record.http_headers else []
            return Record(
                url=record.rec_headers.get_header("WARC-Target-URI"),
                record_type=record.rec_type,
                status=status,
                headers=headers,
                payload=payload,
                content=_decode(payload, headers),
                digest=record.rec_headers.get_header("WARC-Payload-Digest") or "",
                warc_date=record.rec_headers.get_header("WARC-Date") or "",
            )
    raise ValueError(f"{warc_file}@{offset}: no record there")


def _decode(payload: bytes, headers: list[tuple[str, str]]) -> bytes:
    import gzip
    import zlib

    encoding = next((v.strip().lower() for k, v in headers if k.lower() == "content-encoding"), "")
    try:
        if encoding in ("gzip", "x-gzip"):
            return gzip.decompress(payload)
        if encoding == "deflate":
            try:
                return zlib.decompress(payload)
            except zlib.error:
                return zlib.decompress(payload, -zlib.MAX_WBITS)
        if encoding == "br":
            import brotli

            return brotli.decompress(payload)
    except Exception:  # as served: the parser sees what a browser would have failed on
        return payload
    return payload


# -- repair -----------------------------------------------------------------


def whole_length(path: Path) -> int:
    """Bytes of ``path`` up to the end of its last whole record.

    One record is one gzip member, and zlib declares a member ended only once its
    trailer (CRC and length) has been read and checked: a cut-off member never counts.
    """
    import zlib

    good = 0
    with open(path, "rb") as f:
        position = 0
        pending = b""
        while True:
            member = zlib.decompressobj(wbits=31)
            data = pending
            start = position
            while not member.eof:
                if not data:
                    data = f.read(1 << 20)
                    if not data:
                        return good
                try:
                    member.decompress(data)
                except zlib.error:
                    return good
                position += len(data) - len(member.unused_data)
                data = member.unused_data
            pending = data
            good = position
            if start == position:  # pragma: no cover - an empty member cannot end
                return good


def seal(folder: Path) -> list[str]:
    """Close files a killed crawl left open: cut back to the last whole record, rename.

    A file whose writer is alive (it holds the file's flock) is left alone."""
    sealed = []
    if not folder.is_dir():
        return sealed
    for path in sorted(folder.glob("*.warc.gz" + OPEN_SUFFIX)):
        try:
            f = open(path, "r+b")
        except FileNotFoundError:  # closed by its writer meanwhile
            continue
        with f:
            try:
                fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:  # still being written
                continue
            try:
                if os.stat(path).st_ino != os.fstat(f.fileno()).st_ino:
                    continue
            except FileNotFoundError:  # sealed by its writer between the glob and the lock
                continue
            keep = whole_length(path)
            f.truncate(keep)
            final = path.with_name(path.name[: -len(OPEN_SUFFIX)])
            os.replace(path, final)
        sealed.append(final.name)
        logger.warning("%s: left open by an earlier crawl; kept %d bytes of whole records",
                       final.name, keep)
    return sealed
