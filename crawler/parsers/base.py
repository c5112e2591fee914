"""What every template parser offers. Pure: HTML and URL in, data out; no Scrapy.

A parser is instantiated once per site (it may carry site options such as a
time-zone quirk) and is then used for every page of that site, so it must not
keep per-page state on `self`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
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


# The parser methods that return an Article: each item they return records which parser built it.
ARTICLE_METHODS = ("parse_article", "parse_rest_post")


def record_extraction(article: Article | None, template: str, version: str) -> Article | None:
    """Set `extraction["template"]` and `["parser_version"]` on `article`, keeping other keys
    (e.g. a `fallback` list, `[]` when the parser named none). Pure and cheap: one small dict per item."""
    if article is not None:
        found = article.extraction or {}
        if found.get("parser_version") and found.get("template") != template:
            return article  # a delegating parser (auto): the parser that did the work is named
        article.extraction = {
            **found,
            "template": template,
            "parser_version": version,
            "fallback": found.get("fallback", []),
        }
    return article


def _recording(method: Callable[..., Article | None]) -> Callable[..., Article | None]:
    page_method = method.__name__ == "parse_article"

    @functools.wraps(method)
    def wrapper(self: TemplateParser, *args: Any, **kwargs: Any) -> Article | None:
        article = method(self, *args, **kwargs)
        if page_method and article is not None and self.completes(article):
            # Step 3 of the fallback and the cross-check (crawler.parsers.crosscheck): once, by
            # the parser that did the work (a delegating parser finds it done).
            from crawler.parsers.crosscheck import complete

            html = kwargs.get("html", args[0] if args else None)
            url = kwargs.get("url", args[1] if len(args) > 1 else "")
            if html is not None:
                article = complete(self, article, html, url)
        return record_extraction(article, self.template, self.version)

    wrapper.records_extraction = True  # type: ignore[attr-defined]
    return wrapper


class NotAnArticle(ParseError):
    """A page that parses but holds no article (a listing, search, login or error page)."""


class TemplateParser:
    """Base of all template parsers.

    Subclasses set `template` (the registry's template key) and `version`, and implement the
    methods. `options` are the registry entry's per-site overrides (e.g. ``{"wp_timezone": "UTC"}``).

    Versions, as Fundus does: a parser class declares its own `version` ("MAJOR.MINOR"; a
    selector fix bumps the minor, a new field the major) and every item it returns records it
    with the template key in `Article.extraction`, so a re-extraction can tell which items a
    parser change touched. Subclasses need nothing for that: `parse_article` and
    `parse_rest_post`, wherever they are defined, are wrapped once at class creation.
    """

    template: ClassVar[str] = ""
    version: ClassVar[str] = "0"
    # Whether `parse_article`'s items get the generic engine's fields when still missing and
    # the body cross-check (crawler.parsers.crosscheck); off for parsers that are the engine.
    # A site turns the cross-check off with the option ``{"crosscheck": False}``.
    generic_fallback: ClassVar[bool] = True

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for name in ARTICLE_METHODS:
            method = cls.__dict__.get(name)
            if callable(method) and not getattr(method, "records_extraction", False):
                setattr(cls, name, _recording(method))

    def __init__(self, base_url: str, options: dict[str, Any] | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.options = dict(options or {})

    def completes(self, article: Article) -> bool:
        """Whether this parser's wrapper completes `article`: not when the engine is the parser,
        nor when another (delegated-to) parser already recorded its work."""
        found = article.extraction or {}
        delegated = found.get("parser_version") and found.get("template") != self.template
        return self.generic_fallback and not delegated

    def crosscheck_enabled(self) -> bool:
        return bool(self.options.get("crosscheck", True))

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
