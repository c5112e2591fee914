"""What a page says about itself in machine-readable form: <meta>, JSON-LD, <html lang>.

Read once, before the engine strips scripts, into one `PageMeta` the field helpers share.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from crawler.normalize.text import clean_text
from crawler.parsers.dom import Node

__all__ = ["ARTICLE_TYPES", "PageMeta", "read_meta"]

ARTICLE_TYPES = frozenset(
    "article newsarticle blogposting reportagenews analysisnewsarticle opinionnewsarticle "
    "reviewnewsarticle backgroundnewsarticle techarticle scholarlyarticle socialmediaposting "
    "liveblogposting report".split()
)
_MAX_LD = 2_000_000  # a JSON-LD block larger than this is not metadata


@dataclass
class PageMeta:
    meta: dict[str, str] = field(default_factory=dict)  # first value per name/property, lower-cased key
    ld: dict[str, Any] = field(default_factory=dict)  # the page's article object in JSON-LD, if any
    ld_types: set[str] = field(default_factory=set)  # every @type seen, lower-cased
    lang: str | None = None  # from <html lang> / og:locale / content-language
    html_title: str | None = None
    canonical: str | None = None

    def get(self, *names: str) -> str | None:
        for name in names:
            value = self.meta.get(name)
            if value:
                return value
        return None

    @property
    def is_article(self) -> bool:
        """The page declares itself an article (og:type or JSON-LD)."""
        og = (self.meta.get("og:type") or "").lower()
        return og == "article" or bool(self.ld_types & ARTICLE_TYPES)

    @property
    def site_name(self) -> str | None:
        publisher = self.ld.get("publisher")
        name = publisher.get("name") if isinstance(publisher, dict) else None
        return self.get("og:site_name", "application-name") or (name if isinstance(name, str) else None)


def read_meta(root: Node) -> PageMeta:
    pm = PageMeta()
    for node in root.css("meta"):
        attrs = node.attributes
        key = attrs.get("property") or attrs.get("name") or attrs.get("itemprop") or attrs.get("http-equiv")
        value = attrs.get("content")
        if key and value and value.strip():
            key = key.strip().lower()
            if key not in pm.meta:  # the first value counts: later ones are not cleaned for nothing
                pm.meta[key] = clean_text(value)
    lang = root.attributes.get("lang") or root.attributes.get("xml:lang")
    lang = lang or pm.get("og:locale", "content-language", "language")
    pm.lang = lang.strip().lower() if lang and lang.strip() else None
    title = root.css_first("head title") or root.css_first("title")
    pm.html_title = clean_text(title.text()) if title is not None else None
    link = root.css_first('link[rel="canonical"]')
    pm.canonical = (link.attributes.get("href") or None) if link is not None else None
    for script in root.css('script[type="application/ld+json"]'):
        _read_ld(script.text(deep=True, strip=False), pm)
    return pm


def _read_ld(text: str, pm: PageMeta) -> None:
    if not text or len(text) > _MAX_LD:
        return
    try:
        data = json.loads(text.strip().rstrip(";"), strict=False)  # raw newlines in strings: common
    except (ValueError, RecursionError):  # broken, or nested deeper than the decoder goes
        return
    stack: list[Any] = [data]
    seen = 0
    while stack and seen < 500:  # bounded: a JSON-LD graph is not a place to spend seconds
        seen += 1
        obj = stack.pop()
        if isinstance(obj, list):
            stack.extend(reversed(obj))
            continue
        if not isinstance(obj, dict):
            continue
        types = obj.get("@type")
        names = {t.lower() for t in (types if isinstance(types, list) else [types]) if isinstance(t, str)}
        pm.ld_types |= names
        if names & ARTICLE_TYPES and not pm.ld:
            pm.ld = obj
        graph = obj.get("@graph")
        if graph is not None:
            stack.append(graph)
        main = obj.get("mainEntity")
        if isinstance(main, (dict, list)):
            stack.append(main)
