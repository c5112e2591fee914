"""What every template parser offers. Pure: HTML and URL in, data out; no Scrapy.

A parser is instantiated once per site (it may carry site options such as a
time-zone quirk) and is then used for every page of that site, so it must not
keep per-page state on `self`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from crawler.items import Article


@dataclass
class Listing:
    """What a listing page yields: article links (canonical, absolute, newest first)
    and the next listing page to visit, or None at the end."""

    article_urls: list[str] = field(default_factory=list)
    next_page: str | None = None
    # Dates the listing shows next to its links (ISO, as parse_vn_date gives), when it shows them:
    # they let a `since`-bounded run stop paginating without fetching old articles.
    dates: dict[str, str] = field(default_factory=dict)


class ParseError(ValueError):
    """A page that cannot be parsed at all (not HTML, wrong template). The message says why."""


class NotAnArticle(ParseError):
    """A page that parses but holds no article (a listing, search, login or error page)."""


class TemplateParser:
    """Base of all template parsers.

    Subclasses set `template` (the registry's template key) and implement the methods.
    `options` are the registry entry's per-site overrides (e.g. ``{"wp_timezone": "UTC"}``).
    """

    template: ClassVar[str] = ""

    def __init__(self, base_url: str, options: dict[str, Any] | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.options = dict(options or {})

    def parse_article(self, html: str | bytes, url: str) -> Article | None:
        """Return the article on this page, or None when the page is not an article.

        Fields the page lacks stay empty (None / []); the validate pipeline decides
        what is acceptable. `url` is the URL the page was fetched from. `html` is text, or the
        page's bytes when it is UTF-8 (crawler.normalize.text.page_markup).
        """
        raise NotImplementedError

    def parse_listing(self, html: str | bytes, url: str) -> Listing:
        raise NotImplementedError

    def canonical_url(self, url: str) -> str:
        """The article's identity URL: navigation/tracking parameters dropped."""
        raise NotImplementedError

    def is_article_url(self, url: str) -> bool:
        raise NotImplementedError
