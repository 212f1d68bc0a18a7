"""One page and every structured signal on it, each read at most once."""

from __future__ import annotations

from functools import cached_property
from urllib.parse import urljoin

from parsel import Selector

from . import jsonld, meta, microformats


class Page:
    """A fetched page: its URL, its HTML and what its markup states about itself."""

    def __init__(self, url: str, html: str, selector: Selector | None = None):
        self.url = url
        self.html = html
        self.sel = selector if selector is not None else Selector(text=html)

    @cached_property
    def root(self):
        return self.sel.root

    @cached_property
    def jsonld(self) -> list[dict]:
        return jsonld.objects(self.sel)

    @cached_property
    def article(self) -> dict:
        """The JSON-LD (else microdata) Article/BlogPosting the page describes itself as."""
        return jsonld.article(self.jsonld) or self.microdata

    @cached_property
    def article_source(self) -> str:
        return "json-ld" if jsonld.article(self.jsonld) else ("microdata" if self.microdata else "")

    @cached_property
    def nodes_by_id(self) -> dict[str, dict]:
        return {o["@id"]: o for o in self.jsonld if isinstance(o.get("@id"), str)}

    @cached_property
    def microdata(self) -> dict:
        return microformats.microdata_article(self.html, self.url) if "itemprop" in self.html else {}

    @cached_property
    def hentry(self) -> dict:
        """Properties of the page's own h-entry (mf2), {} when it has none or several."""
        return microformats.hentry(self.html, self.url) if "h-entry" in self.html else {}

    @cached_property
    def properties(self) -> dict[str, list[str]]:
        """``<meta property=…>`` (OpenGraph, ``article:*``), lower-cased names, every value."""
        return meta.by_attribute(self.sel, "property")

    @cached_property
    def names(self) -> dict[str, list[str]]:
        """``<meta name=…>`` (author, description, Dublin Core ``dc.*``), lower-cased names."""
        return meta.by_attribute(self.sel, "name")

    def prop(self, name: str) -> str:
        values = self.properties.get(name) or self.names.get(name) or []
        return values[0] if values else ""

    @cached_property
    def canonical(self) -> str:
        href = self.sel.xpath("//link[@rel='canonical']/@href").get()
        return urljoin(self.url, href.strip()) if href and href.strip() else ""

    @cached_property
    def shortlink(self) -> str:
        href = self.sel.xpath("//link[@rel='shortlink']/@href").get()
        return urljoin(self.url, href.strip()) if href and href.strip() else ""

    @cached_property
    def site_names(self) -> list[str]:
        return meta.site_names(self)
