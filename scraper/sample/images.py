"""Real, decodable image files in pure Python (no Pillow): PNG, GIF, baseline JPEG.

Bytes depend only on (name, width, height, kind), so the same image served
twice is byte-identical and different sizes differ. Pictures are coarse
colour gradients: enough to be valid and distinct, cheap to make.
"""
from __future__ import annotations

import hashlib
import struct
import zlib
from functools import lru_cache

MAX_SIDE = 4000   # refuse silly sizes from URLs like /w99999-h99999/


def _palette_seed(name: str) -> tuple:
    digest = hashlib.sha256(name.encode("utf-8")).digest()
    return digest[0], digest[1], digest[2], digest[3] % 7 + 2


def _colour(seed: tuple, x: int, y: int, width: int, height: int) -> tuple:
    """A cheap deterministic pattern: gradient + tile stripes."""
    r0, g0, b0, stripes = seed
    fx, fy = x * 255 // max(1, width - 1), y * 255 // max(1, height - 1)
    band = (x * stripes // max(1, width)) % 2
    return ((r0 + fx) & 255, (g0 + fy) & 255, (b0 + 128 * band) & 255)


@lru_cache(maxsize=256)
def make_image(name: str, width: int, height: int, kind: str) -> bytes:
    width, height = max(1, min(width, MAX_SIDE)), max(1, min(height, MAX_SIDE))
    if kind == "png":
        return make_png(name, width, height)
    if kind == "gif":
        return make_gif(name, width, height)
    return make_jpeg(name, width, height)


def content_type(kind: str) -> str:
    return {"png": "image/png", "gif": "image/gif"}.get(kind, "image/jpeg")


# --- PNG --------------------------------------------------------------------
def _chunk(tag: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)


def make_png(name: str, width: int, height: int) -> bytes:
    seed = _palette_seed(name)
    # Colour varies in 16-pixel cells, so rows repeat and building them is cheap.
    rows = []
    cache: dict = {}
    for y in range(height):
        cell_y = y // 16
        row = cache.get(cell_y)
        if row is None:
            px = bytearray()
            for x in range(0, width, 16):
                px += bytes(_colour(seed, x, y, width, height)) * min(16, width - x)
            row = cache[cell_y] = b"\x00" + bytes(px)
        rows.append(row)
    raw = b"".join(rows)
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", zlib.compress(raw, 6)) + _chunk(b"IEND", b"")


# --- GIF --------------------------------------------------------------------
def make_gif(name: str, width: int, height: int) -> bytes:
    """128-colour GIF written with 'uncompressed' LZW: 8-bit codes, a clear code
    every 126 pixels so the code width never grows (valid for every decoder)."""
    seed = _palette_seed(name)
    palette = bytearray()
    for i in range(128):
        palette += bytes(((seed[0] + i * 2) & 255, (seed[1] + i) & 255, (seed[2] + 255 - i * 2) & 255))
    clear, end = 128, 129
    codes = bytearray()
    run = 0
    for y in range(height):
        for x in range(width):
            if run == 0:
                codes.append(clear)
            codes.append(((x * 64) // width + (y * 64) // height + seed[3]) & 127)
            run = (run + 1) % 126
    codes.append(end)
    data = bytearray([7])            # LZW minimum code size
    for i in range(0, len(codes), 255):
        block = codes[i:i + 255]
        data.append(len(block))
        data += block
    data.append(0)
    header = b"GIF89a" + struct.pack("<HHBBB", width, height, 0xF6, 0, 0) + bytes(palette)
    descriptor = b"," + struct.pack("<HHHHB", 0, 0, width, height, 0)
    return header + descriptor + bytes(data) + b";"


# --- JPEG -------------------------------------------------------------------
# Baseline, 3 components, no subsampling, DC-only blocks (each 8x8 block is
# flat). Minimal Huffman tables: DC symbols 0..11 all 4 bits long; AC has
# one symbol (EOB) of length 1. Quantisation 8 for DC so |diff| <= 255.
_DC_BITS = bytes([0, 0, 0, 12] + [0] * 12)
_DC_VALS = bytes(range(12))
_AC_BITS = bytes([1] + [0] * 15)
_AC_VALS = bytes([0])


def _segment(marker: int, payload: bytes) -> bytes:
    return struct.pack(">BBH", 0xFF, marker, len(payload) + 2) + payload


class _BitWriter:
    def __init__(self):
        self.out = bytearray()
        self.acc = 0
        self.n = 0

    def write(self, value: int, length: int):
        self.acc = (self.acc << length) | (value & ((1 << length) - 1))
        self.n += length
        while self.n >= 8:
            self.n -= 8
            byte = (self.acc >> self.n) & 0xFF
            self.out.append(byte)
            if byte == 0xFF:
                self.out.append(0)      # byte stuffing
        self.acc &= (1 << self.n) - 1

    def flush(self) -> bytes:
        if self.n:
            self.write((1 << (8 - self.n)) - 1, 8 - self.n)   # pad with 1-bits
        return bytes(self.out)


def _ycbcr(r: int, g: int, b: int) -> tuple:
    y = 0.299 * r + 0.587 * g + 0.114 * b
    cb = 128 - 0.168736 * r - 0.331264 * g + 0.5 * b
    cr = 128 + 0.5 * r - 0.418688 * g - 0.081312 * b
    return tuple(min(255, max(0, int(round(v)))) for v in (y, cb, cr))


def make_jpeg(name: str, width: int, height: int) -> bytes:
    seed = _palette_seed(name)
    bits = _BitWriter()
    pred = [0, 0, 0]
    blocks_x, blocks_y = (width + 7) // 8, (height + 7) // 8
    for by in range(blocks_y):
        for bx in range(blocks_x):
            rgb = _colour(seed, bx * 8, by * 8, width, height)
            for comp, value in enumerate(_ycbcr(*rgb)):
                dc = value - 128              # = 8*(v-128) / quant 8
                diff = dc - pred[comp]
                pred[comp] = dc
                size = abs(diff).bit_length()
                bits.write(size, 4)           # DC code for category `size`
                if size:
                    bits.write(diff if diff > 0 else diff + (1 << size) - 1, size)
                bits.write(0, 1)              # AC: EOB
    quant = bytes([8] + [16] * 63)
    out = bytearray(b"\xff\xd8")
    out += _segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")
    out += _segment(0xDB, b"\x00" + quant)
    out += _segment(0xC0, struct.pack(">BHHB", 8, height, width, 3) + bytes([1, 0x11, 0, 2, 0x11, 0, 3, 0x11, 0]))
    out += _segment(0xC4, b"\x00" + _DC_BITS + _DC_VALS + b"\x10" + _AC_BITS + _AC_VALS)
    out += _segment(0xDA, bytes([3, 1, 0x00, 2, 0x00, 3, 0x00, 0, 63, 0]))
    out += bits.flush()
    out += b"\xff\xd9"
    return bytes(out)


# --- reading sizes back (tests, and handy for crawler tests too) -------------
def image_size(data: bytes) -> tuple:
    """(kind, width, height) from the bytes' own headers; raises ValueError."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        w, h = struct.unpack(">II", data[16:24])
        return "png", w, h
    if data[:6] in (b"GIF87a", b"GIF89a"):
        w, h = struct.unpack("<HH", data[6:10])
        return "gif", w, h
    if data.startswith(b"\xff\xd8"):
        i = 2
        while i < len(data):
            if data[i] != 0xFF:
                raise ValueError("bad JPEG marker")
            marker = data[i + 1]
            length = struct.unpack(">H", data[i + 2:i + 4])[0]
            if marker in (0xC0, 0xC1, 0xC2):
                h, w = struct.unpack(">HH", data[i + 5:i + 9])
                return "jpeg", w, h
            i += 2 + length
    raise ValueError("not an image")
