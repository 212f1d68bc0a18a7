"""URLs seen in a run, kept as 8-byte fingerprints: memory stays flat on big blogs."""

from __future__ import annotations

import hashlib
from array import array
from bisect import bisect_left
from itertools import chain


def fingerprint(text: str) -> int:
    """8 bytes of a URL or key: a set of these is a third of a set of URL strings."""
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8", "surrogatepass"),
                                          digest_size=8).digest(), "little")


class Fingerprints:
    """A set of strings kept as 8-byte fingerprints (membership and size only).

    Most are in a sorted array (8 bytes each, looked up by bisection); the latest in a
    small set, merged into the array when it grows past an eighth of it, so that adding
    stays cheap (amortised) and memory stays near 8 bytes an entry (a Python set of ints
    takes about 60)."""

    __slots__ = ("_sorted", "_recent")

    MERGE_AT = 1024

    def __init__(self, items=()):
        self._sorted = array("Q")
        self._recent: set[int] = set()
        self.update(items)

    def _has(self, fp: int) -> bool:
        if fp in self._recent:
            return True
        i = bisect_left(self._sorted, fp)
        return i < len(self._sorted) and self._sorted[i] == fp

    def _add(self, fp: int) -> None:
        if self._has(fp):
            return
        self._recent.add(fp)
        if len(self._recent) > max(self.MERGE_AT, len(self._sorted) // 8):
            merged = array("Q", sorted(chain(self._sorted, self._recent)))
            self._sorted, self._recent = merged, set()

    def add(self, text: str) -> None:
        self._add(fingerprint(text))

    def update(self, texts) -> None:
        for text in texts:
            self._add(fingerprint(text))

    def discard(self, text: str) -> None:
        fp = fingerprint(text)
        if fp in self._recent:
            self._recent.discard(fp)
            return
        i = bisect_left(self._sorted, fp)
        if i < len(self._sorted) and self._sorted[i] == fp:
            del self._sorted[i]

    def __contains__(self, text: str) -> bool:
        return self._has(fingerprint(text))

    def __len__(self) -> int:
        return len(self._sorted) + len(self._recent)
