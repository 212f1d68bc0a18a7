"""The platforms, in the order they are tried; the generic one comes last.

Each is a module with the same small surface: ``NAME``, ``detect(response)``,
``canonical(url)``, ``dedupe_key(url)``, ``classify(url)``, ``links(response)``,
``parse_blog(response)``, ``parse_post(response, feed_entry)``,
``feed_urls(blog_url)``, ``parse_feed(response)``. The spider asks this
registry, never a platform by name.
"""

from __future__ import annotations

from types import ModuleType

from . import blogger, generic, wordpress

PLATFORMS: list[ModuleType] = [blogger, wordpress, generic]


def detect(response) -> ModuleType | None:
    for platform in PLATFORMS:
        if platform.detect(response):
            return platform
    return None


def by_name(name: str) -> ModuleType:
    for platform in PLATFORMS:
        if platform.NAME == name:
            return platform
    raise KeyError(name)
