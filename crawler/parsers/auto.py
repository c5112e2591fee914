"""Template `auto`: per page, detect the CMS template and let its parser read the page; fall back
to `generic` (the content engine) when that parser finds no article or no body.

The item says which template produced it (`Article.extraction["template"]`), so a feed of
auto-parsed pages shows how much came from real templates and how much from the engine.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from crawler.content.guard import flatten_deep
from crawler.items import Article
from crawler.parsers.base import Listing, ParseError, TemplateParser, record_extraction
from crawler.parsers.generic import GenericParser, not_article_reason

__all__ = ["AutoParser"]

GENERIC = "generic"


def _detect(html: str | bytes, url: str) -> str:
    """The detected template key (crawler.detect imports this package: imported on use)."""
    from crawler.detect import detect

    return detect(html, url).template


def _listing_templates(html: str | bytes, url: str) -> list[str]:
    """The templates whose listing rules may read this page, most likely first: the detected
    template, then every template of the detected CMS family. A listing page carries no article
    template's marks (no `.news-detail` on a Liferay 7 list), but its family's marks."""
    from crawler.detect import detect
    from crawler.parsers import LIFERAY_PARSERS, WORDPRESS_PARSERS

    verdict = detect(html, url)
    family = {"liferay": LIFERAY_PARSERS, "publishingportal": LIFERAY_PARSERS, "wordpress": WORDPRESS_PARSERS}
    found = [verdict.template] if verdict.template != GENERIC else []
    return found + [t for t in family.get(verdict.family, {}) if t not in found]


class AutoParser(TemplateParser):
    template: ClassVar[str] = "auto"
    version: ClassVar[str] = "1.0"  # detection rules; the items name the parser that did the work

    def __init__(self, base_url: str, options: dict[str, Any] | None = None) -> None:
        super().__init__(base_url, options)
        self._generic = GenericParser(base_url, options)
        self._parsers: dict[str, TemplateParser] = {}  # template key -> parser (no per-page state)

    def _parser(self, template: str) -> TemplateParser:
        parser = self._parsers.get(template)
        if parser is None:
            from crawler.parsers import PARSERS  # the registry imports this module

            parser = self._parsers[template] = PARSERS[template](self.base_url, self.options)
        return parser

    def parse_or_reason(self, html: str | bytes, url: str) -> Article | str:
        """The article, or why the page is not one (for the offline extractor's error line)."""
        html = flatten_deep(html)  # once, for detection, the template and the engine
        template = _detect(html, url)
        if template != GENERIC:
            try:
                article = self._parser(template).parse_article(html, url)
            except ParseError:
                article = None  # the fingerprint matched but the page is not that template's
            if article is not None and article.body:
                return article  # its parser recorded itself (template, version, fallback)
        from crawler.content import extract  # the engine imports crawler.parsers.dom: no cycle

        x = extract(html, url)
        reason = not_article_reason(x, url)
        if reason is not None:
            return reason
        article = self._generic.article_from(x, url)
        assert article is not None
        # Named here: article_from is not a recorded parser method, and "auto" did no work itself.
        return record_extraction(article, self._generic.template, self._generic.version)

    def parse_article(self, html: str | bytes, url: str) -> Article | None:
        result = self.parse_or_reason(html, url)
        return result if isinstance(result, Article) else None

    def parse_rest_post(
        self, post: Mapping[str, Any], html: str | bytes | None = None, url: str | None = None
    ) -> Article | None:
        """A WordPress REST entry (the WordPress spider's discovery): the detected WordPress
        template reads the entry and its page; the plain WordPress parser when the page is not
        at hand or detection names no WordPress theme."""
        from crawler.parsers import WORDPRESS_PARSERS

        template = _detect(html, url or "") if html else "wordpress"
        parser = self._parser(template if template in WORDPRESS_PARSERS else "wordpress")
        return parser.parse_rest_post(post, html, url)  # type: ignore[attr-defined]

    def parse_listing(self, html: str | bytes, url: str) -> Listing:
        """The family listing rules that find the most article links; the engine's otherwise."""
        best: Listing | None = None
        for template in _listing_templates(html, url):
            try:
                listing = self._parser(template).parse_listing(html, url)
            except (ParseError, NotImplementedError):
                continue
            if listing.article_urls and (best is None or len(listing.article_urls) > len(best.article_urls)):
                best = listing
        return best or self._generic.parse_listing(html, url)

    def canonical_url(self, url: str) -> str:
        return self._generic.canonical_url(url)

    def is_article_url(self, url: str) -> bool:
        return self._generic.is_article_url(url)
