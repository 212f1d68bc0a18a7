"""The shared evidence layer: every signal a post page may carry, read once, in one place.

Platforms call these functions; each field comes back as a ``Found`` — the value and
the name of the evidence that gave it (``og:title``, ``json-ld``, ``h1``, ``title-tag``,
``permalink``, ``time``, ``feed`` …) — so a stored field can say where it came from.
The order is DESIGN.md's: the platform's precise source (passed in by the platform),
then structured metadata any page may carry, then document cues. Parsers here are
pure functions of (url, html); nothing here knows the store.
"""

from .found import Found, first
from .page import Page
from .fields import author, labels, published, title, updated

__all__ = ["Found", "first", "Page", "author", "labels", "published", "title", "updated"]
