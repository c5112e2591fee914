"""Template `generic`: any page, no template. A thin adapter of the content engine.

The engine (crawler.content) extracts; this module decides whether the result is an article:
a page that says it is an error, a login or a search, or whose main block is a list of linked
teasers, or that has too little prose, gives None, never an item with an empty body or the
text of another article.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, ClassVar
from urllib.parse import parse_qsl, urlsplit

from crawler.items import Article
from crawler.normalize.urls import absolute_url, canonical_netloc, canonicalize_url, plain_url
from crawler.parsers.base import Listing, TemplateParser
from crawler.parsers.dom import parse_document

if TYPE_CHECKING:
    from crawler.content import Extraction

__all__ = ["GenericParser", "not_article_reason"]

_ERROR_TITLE = re.compile(
    r"\b(?:404|403|410|500)\b|not found|page (?:not found|unavailable)|error|không tìm thấy|"
    r"không tồn tại|trang (?:bạn tìm|không)|lỗi",
    re.IGNORECASE,
)
_SEARCH_PATH = re.compile(r"/(?:search|tim-kiem|timkiem|ket-qua-tim-kiem)(?:[/.?]|$)", re.IGNORECASE)
_SEARCH_PARAMS = frozenset(("s", "q", "query", "keyword", "keywords", "search", "tukhoa", "tu_khoa"))
_LOGIN_PATH = re.compile(r"/(?:login|signin|sign-in|dang-nhap|wp-login\.php)(?:[/.?]|$)", re.IGNORECASE)
_MIN_BODY = 150  # characters of prose: less is a stub, a form or a listing's leftovers
_MIN_BODY_DECLARED = 60  # when og:type/JSON-LD says "article", a short notice still counts
_LOGIN_PROSE = 400  # characters of prose beyond what a login form's notes hold
_MAX_LINK_DENSITY = 0.5
_MAX_TEASERS = 4  # linked headings in the main block: a listing of other articles
# Article-looking URL path: a slug of several words ("word-word-word-"), or a numeric id (four
# digits) in the last segment. Read without backtracking: as a single regex
# (`/[^/?#]*(?:[a-z0-9]+-){3,}[^/?#]*|/[^/?#]*\d{4,}[^/?#]*$`, kept in the tests as the reference)
# it took time quadratic in a segment's length (0.3 s for a 4,000-character one), per link.
# A run of letters and digits holds three "word-" groups iff one starts where the run starts,
# so the slug is only tried there (the lookbehind).
_SLUG_RUN_RE = re.compile(r"(?<![a-z0-9])[a-z0-9]+-[a-z0-9]+-[a-z0-9]+-", re.IGNORECASE)
_FOUR_DIGITS_RE = re.compile(r"\d{4}")


def article_path(path: str) -> bool:
    """Whether a URL's path (no query, no fragment) looks like an article's."""
    first = path.find("/")
    if first < 0:
        return False
    return (
        _SLUG_RUN_RE.search(path, first) is not None
        or _FOUR_DIGITS_RE.search(path, path.rfind("/")) is not None
    )


def not_article_reason(x: Extraction, url: str) -> str | None:
    """Why the extraction is not an article, or None when it is one."""
    parts = urlsplit(url)
    title = x.title or ""
    if _ERROR_TITLE.search(title) and not x.declared_article:
        return f"error page ({title!r})"
    size = sum(len(p) for p in x.body)
    # A password field on a page of article prose is the site's login box (a modal, a header
    # widget), not a login page.
    if _LOGIN_PATH.search(parts.path) or (x.has_password and not x.declared_article and size < _LOGIN_PROSE):
        return "login page"
    query = {k.lower() for k, _ in parse_qsl(parts.query)}
    if _SEARCH_PATH.search(parts.path) or (query & _SEARCH_PARAMS):
        return "search page"
    if not x.declared_article:
        if x.linked_headings >= _MAX_TEASERS:
            return f"listing ({x.linked_headings} linked headings in the main block)"
        if x.link_density > _MAX_LINK_DENSITY:
            return f"listing (link density {x.link_density:.2f})"
    if size < (_MIN_BODY_DECLARED if x.declared_article else _MIN_BODY):
        return f"no article text ({size} characters of prose)"
    return None


class GenericParser(TemplateParser):
    """Any article page: the content engine's fields; None for what is not an article."""

    template: ClassVar[str] = "generic"
    version: ClassVar[str] = "1.2"  # 1.1: bodies read by the one content engine; 1.2: its one caption rule
    generic_fallback: ClassVar[bool] = False  # it is the engine: nothing to fall back on or cross-check

    def parse_article(self, html: str | bytes, url: str) -> Article | None:
        from crawler.content import extract  # the engine imports crawler.parsers.dom: no cycle at import

        return self.article_from(extract(html, url), url)

    def article_from(self, x: Extraction, url: str) -> Article | None:
        if not_article_reason(x, url) is not None:
            return None
        return Article(
            url=self.canonical_url(self._identity_url(x, url)),
            title=x.title,
            published_at=x.published_at,
            modified_at=x.modified_at,
            lead=x.lead,
            body=x.body,
            captions=x.captions,
            images=x.images,
            author=x.author,
            language=x.language,
            extraction={"template": self.template},
        )

    @staticmethod
    def _identity_url(x: Extraction, url: str) -> str:
        """The page's rel=canonical when it names an article of the same host, else `url`."""
        canonical = absolute_url(x.meta.canonical, url) if x.meta.canonical else None
        if canonical and urlsplit(canonical).hostname == urlsplit(url).hostname:
            if urlsplit(canonical).path.strip("/"):
                return canonical
        return url

    def parse_listing(self, html: str | bytes, url: str) -> Listing:
        """Article-looking links of the page's host, in page order; `rel=next` as next page."""
        root = parse_document(html)
        host = urlsplit(url).hostname
        seen: dict[str, None] = {}
        fast = type(self).canonical_url is GenericParser.canonical_url and (
            type(self).is_article_url is GenericParser.is_article_url
        )
        for a in root.css("a[href]"):
            href = absolute_url(a.attributes.get("href"), url)
            if not href:
                continue
            plain = plain_url(href) if fast and "?" not in href and "#" not in href else None
            if plain is not None:
                # scheme://netloc/path and nothing more: its host, path and canonical form
                # without urllib (~10 µs a link; a listing may carry 100k links).
                scheme, netloc, path = plain
                if (netloc.partition(":")[0].lower() or None) == host and article_path(path):
                    seen.setdefault(f"{scheme}://{canonical_netloc(scheme, netloc)}{path}", None)
            elif urlsplit(href).hostname == host and self.is_article_url(href):
                seen.setdefault(self.canonical_url(href), None)
        nxt = root.css_first('link[rel="next"], a[rel="next"]')
        next_page = absolute_url(nxt.attributes.get("href"), url) if nxt is not None else None
        return Listing(article_urls=list(seen), next_page=next_page)

    def canonical_url(self, url: str) -> str:
        return canonicalize_url(url)

    def is_article_url(self, url: str) -> bool:
        return article_path(urlsplit(url).path)
