"""What a downloaded image file is: its type from its magic bytes, its size from its header.

Nothing here decodes pixels, so a decompression bomb costs nothing; files whose
header claims an absurd pixel count are refused all the same, because the
archive's readers would decode them.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

import imagesize

SIGNATURES = [
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"BM", "image/bmp"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
    (b"\x00\x00\x01\x00", "image/x-icon"),
]
EXTENSIONS = {
    "image/jpeg": "jpg", "image/png": "png", "image/gif": "gif", "image/webp": "webp",
    "image/bmp": "bmp", "image/tiff": "tif", "image/x-icon": "ico", "image/avif": "avif",
    "image/heic": "heic",
}
MAX_PIXELS = 200_000_000


class NotAnImage(ValueError):
    """The bytes are not an image we keep; the message is the recorded reason."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind


@dataclass
class ImageInfo:
    sha256: str
    content_type: str
    size: int
    width: int | None
    height: int | None

    @property
    def extension(self) -> str:
        return EXTENSIONS.get(self.content_type, "bin")


def sniff(body: bytes) -> str | None:
    """The image type the bytes themselves say, whatever the server claimed."""
    for magic, kind in SIGNATURES:
        if body.startswith(magic):
            return kind
    if body[:4] == b"RIFF" and body[8:12] == b"WEBP":
        return "image/webp"
    if body[4:8] == b"ftyp":
        brand = body[8:12]
        if brand in (b"avif", b"avis"):
            return "image/avif"
        if brand in (b"heic", b"heix", b"mif1", b"msf1"):
            return "image/heic"
    return None


def inspect(body: bytes, max_pixels: int = MAX_PIXELS) -> ImageInfo:
    if not body:
        raise NotAnImage("empty", "the server sent no bytes")
    kind = sniff(body)
    if kind is None:
        start = body[:64].lstrip().lower()
        what = "an HTML page" if start.startswith((b"<!doctype html", b"<html")) else "not an image"
        raise NotAnImage("not_image", f"{what} ({len(body)} bytes, starts {body[:8]!r})")
    width, height = imagesize.get(io.BytesIO(body))
    if width is None or width < 0:
        width = height = None
    if width and height and width * height > max_pixels:
        raise NotAnImage("too_many_pixels", f"{width}x{height} pixels is over {max_pixels}")
    return ImageInfo(
        sha256=hashlib.sha256(body).hexdigest(),
        content_type=kind,
        size=len(body),
        width=width,
        height=height,
    )
