"""One parser per (template, base URL, site options), built once per process and shared.

Parsers hold no per-page state, so the crawl's spiders, the parse workers
(crawler/parsepool.py) and `python -m crawler.extract` all take theirs from here. A
`ParserSpec` pickles and hashes, so it also names the parser across process boundaries.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from crawler.parsers import PARSERS, TemplateParser
from crawler.sites import Site

__all__ = ["ParserSpec", "cached_parser", "parser_spec"]

# What builds a site's parser, in a form that pickles and hashes: (template, base URL, options).
ParserSpec = tuple[str, str, tuple[tuple[str, Any], ...]]


def parser_spec(site: Site, base_url: str) -> ParserSpec:
    return site.template, base_url, tuple(sorted(site.options.items()))


@lru_cache(maxsize=64)
def cached_parser(spec: ParserSpec) -> TemplateParser:
    template, base_url, options = spec
    return PARSERS[template](base_url, dict(options))
