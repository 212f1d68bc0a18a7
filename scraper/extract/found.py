"""A value and the evidence that gave it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable


@dataclass(frozen=True)
class Found:
    value: Any = ""
    source: str = ""  # "" when nothing gave the field
    note: str = ""  # where two sources disagreed, what each said

    def __bool__(self) -> bool:
        return bool(self.value)


NOTHING = Found()


def first(candidates: Iterable[Found | None]) -> Found:
    """The first candidate that holds a value (candidates may be lazy: a generator)."""
    for candidate in candidates:
        if candidate:
            return candidate
    return NOTHING
