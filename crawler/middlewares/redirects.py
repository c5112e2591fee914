"""Turn a refused redirect of a portal page into a counted failure of that page.

Scrapy's OffsiteMiddleware drops a redirect to another domain when the new request is scheduled,
without calling the page's errback: an article redirected offsite simply vanished. Here, before
RedirectMiddleware (600) follows a 3xx, a redirect of a listing or article page that leaves the
spider's domains raises `RedirectRefused("offsite_redirect")`, which reaches the errback (a
reject, and the article stays owed). The private-address guard raises the same exception with
"private_redirect" (crawler/middlewares/addresses.py).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urljoin, urlsplit

from scrapy.exceptions import IgnoreRequest


class RedirectRefused(IgnoreRequest):
    """A redirect the crawl will not follow; `reason` is the reject reason."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def on_domains(host: str, domains: list[str]) -> bool:
    host = host.lower().rstrip(".")
    return any(host == d or host.endswith("." + d) for d in (d.lower() for d in domains))


class OffsiteRedirectGuard:
    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Any) -> OffsiteRedirectGuard:
        return cls(crawler)

    def process_response(self, request: Any, response: Any, spider: Any = None) -> Any:
        if response.status not in (301, 302, 303, 307, 308) or "vn_page" not in request.meta:
            return response
        location = response.headers.get("Location")
        domains = list(getattr(self.crawler.spider, "allowed_domains", None) or [])
        if not location or not domains:
            return response
        target = urljoin(request.url, location.decode("latin-1"))
        host = urlsplit(target).hostname or ""
        if on_domains(host, domains):
            return response
        self.stats.inc_value("vn/refused/offsite_redirect")
        raise RedirectRefused("offsite_redirect", f"redirect to {target} leaves the site")
