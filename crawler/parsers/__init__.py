"""Template parsers by registry template key. Pure: no Scrapy."""

from __future__ import annotations

from crawler.parsers.auto import AutoParser
from crawler.parsers.base import Listing, ParseError, TemplateParser
from crawler.parsers.generic import GenericParser
from crawler.parsers.liferay import LIFERAY_PARSERS
from crawler.parsers.wordpress import WORDPRESS_PARSERS
from crawler.sites import Site

PARSERS: dict[str, type[TemplateParser]] = {
    **LIFERAY_PARSERS,
    **WORDPRESS_PARSERS,
    GenericParser.template: GenericParser,  # any page, no template (crawler.content)
    AutoParser.template: AutoParser,  # per page: the detected template, else generic
}

__all__ = ["PARSERS", "Listing", "ParseError", "TemplateParser", "parser_for"]


def parser_for(site: Site, base_url: str | None = None) -> TemplateParser:
    """The site's parser, bound to `base_url` (the replica's, or the real site's by default)."""
    try:
        cls = PARSERS[site.template]
    except KeyError:
        raise KeyError(f"site {site.key!r} names unknown template {site.template!r}") from None
    return cls(base_url or site.base_url, site.options)
