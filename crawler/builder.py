"""The item builder: page bytes -> a validated, normalized Article, or a Reject with its reason.

The one path from page to item. The crawl's article callbacks (crawler/spiders/base.py, in the
crawl process or a parse worker), `python -m crawler.extract` and, through the crawl,
`python -m crawler.reextract` all build their items here, so the same page gives the same item
(or the same reject) whichever way it comes in. No Scrapy: bytes in, item or reject out.

    bytes --decode--> markup --site parser--> Article --provenance--> validate --> normalize
                                    |                                    |
                                    +-- None: not_an_article             +-- missing_*, future_date,
                                                                              suspect_body,
                                                                              body_truncated
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from crawler.content import walker
from crawler.items import Article
from crawler.normalize.article import normalize_article
from crawler.normalize.text import clean_text, page_markup
from crawler.parsers.cache import ParserSpec, cached_parser, parser_spec
from crawler.sites import Site

__all__ = [
    "DEFAULT_FUTURE_TOLERANCE",
    "Reject",
    "build_item",
    "build_unregistered",
    "finish_item",
    "parse_call",
    "parse_page",
    "problems",
]

# A published date this far past now is a parse error (a month read as a day), not news.
DEFAULT_FUTURE_TOLERANCE = timedelta(hours=36)


@dataclass
class Reject:
    """A page or item that does not become a feed line: the reason, and what tells it apart."""

    url: str
    reason: str
    details: dict[str, Any] = field(default_factory=dict)

    def record(self) -> dict[str, Any]:
        """The reject as `crawler.extract` prints it."""
        return {"url": self.url, "rejected": self.reason, **self.details}


def parse_call(context: dict[str, Any] | None) -> tuple[str, tuple[Any, ...]]:
    """The parser method a page goes to, and its arguments before (html, url). A WordPress post
    found through the REST API carries its entry ("post") and is built from both."""
    post = (context or {}).get("post")
    if post is not None:
        # The discovery entry keeps the raw REST post (title, content) under "post".
        return "parse_rest_post", (post.get("post", post),)
    return "parse_article", ()


def parse_page(
    spec: ParserSpec,
    method: str,
    extra: tuple[Any, ...],
    body: bytes,
    content_type: str | None,
    url: str,
) -> Article | None:
    """Decode `body` and call the (cached) site parser's `method(*extra, html, url)`.

    The part of the build a parse worker runs (crawler/parseworker.py)."""
    parser = cached_parser(spec)
    result: Article | None = getattr(parser, method)(*extra, page_markup(body, content_type), url)
    return result


def problems(
    article: Article, *, future_tolerance: timedelta = DEFAULT_FUTURE_TOLERANCE, now: datetime | None = None
) -> list[str]:
    """Why `article` may not be stored (the first reason names the reject), or []."""
    missing = []
    if not clean_text(article.url):
        missing.append("url")
    if not clean_text(article.title):
        missing.append("title")
    if not any(clean_text(p) for p in article.body):
        missing.append("body")
    if not article.published_at:
        missing.append("date")
    reasons = [f"missing_{name}" for name in missing]
    if article.published_at and _in_future(article.published_at, future_tolerance, now):
        reasons.append("future_date")
    # A parser that cross-checked its body and doubts it says so in `extraction`.
    if article.extraction and "suspect" in article.extraction:
        reasons.append("suspect_body")
    # Every parser's walker stops at MAX_PARAGRAPHS (a 50 MB dump is no article): a body that
    # long was cut there, and is not stored as if it were whole.
    if len(article.body) >= walker.MAX_PARAGRAPHS:
        reasons.append("body_truncated")
    return reasons


def _in_future(iso: str, tolerance: timedelta, now: datetime | None) -> bool:
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        return False
    if moment.tzinfo is None:  # a bare date: compare at the end of that day, local time
        moment = moment.replace(tzinfo=UTC) - timedelta(hours=7)
    return moment > (now or datetime.now(UTC)) + tolerance


def provenance(article: Article, site_name: str, fetched_url: str) -> Article:
    article.site = site_name
    article.fetched_url = fetched_url
    return article


def finish_item(
    article: Article,
    *,
    validate: bool = True,
    normalize: bool = True,
    future_tolerance: timedelta = DEFAULT_FUTURE_TOLERANCE,
    now: datetime | None = None,
) -> Article | Reject:
    """Validate, then normalize, an article that has its provenance."""
    if validate:
        reasons = problems(article, future_tolerance=future_tolerance, now=now)
        if reasons:
            details: dict[str, Any] = {"all_reasons": reasons, "title": article.title}
            if "suspect_body" in reasons and article.extraction:
                details["suspect"] = article.extraction.get("suspect")
            return Reject(article.url or article.fetched_url or "", reasons[0], details)
    return normalize_article(article, now=now) if normalize else article


def build_item(
    body: bytes,
    url: str,
    site: Site,
    base_url: str | None = None,
    content_type: str | None = None,
    context: dict[str, Any] | None = None,
    **rules: Any,
) -> Article | Reject:
    """The item a page of `site` gives: parsed with the site's parser bound to `base_url` (the
    site's own by default), with its provenance, validated and normalized; or a Reject.
    `context`: what discovery knew of the page (a WordPress REST entry under "post")."""
    method, extra = parse_call(context)
    article = parse_page(parser_spec(site, base_url or site.base_url), method, extra, body, content_type, url)
    if article is None:
        return Reject(url, "not_an_article", {"template": site.template})
    return finish_item(provenance(article, site.site_name, url), **rules)


def build_unregistered(
    body: bytes, url: str, content_type: str | None = None, **rules: Any
) -> Article | Reject:
    """A page of a host the registry does not know: the auto template, the host as site."""
    from crawler.parsers.auto import AutoParser

    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if not host:
        raise KeyError(f"no host in {url!r}")
    parser = cached_parser(("auto", f"{parts.scheme}://{parts.netloc}", ()))
    assert isinstance(parser, AutoParser)
    result = parser.parse_or_reason(page_markup(body, content_type), url)
    if isinstance(result, str):
        return Reject(url, "not_an_article", {"why": result})
    return finish_item(provenance(result, host, url), **rules)
