"""Data the replica serves: a site's articles, and the pages rendered from them.

The replica is a real HTTP server on 127.0.0.1 that serves one port per site. Each site's
pages are rendered from `tests/sites/<key>/articles.json` (content) with that template's
renderer (`replica/sites/<family>.py`), so the same engine serves the small test
replica, the 5,000-page benchmark replica and edited or re-templated sites mid-test.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol


@dataclass
class ReplicaArticle:
    id: str  # the CMS id the URLs carry (newsId, ItemID, WordPress post id, slug for Liferay 7)
    slug: str
    title: str
    published: datetime  # naive local wall time (Asia/Ho_Chi_Minh)
    body: list[str]  # HTML fragments, one per paragraph-level block
    lead: str | None = None
    images: list[dict[str, Any]] = field(default_factory=list)  # {"src": path or URL, "caption": str|None}
    author: str | None = None
    category: str | None = None
    tags: list[str] = field(default_factory=list)
    attachments: list[dict[str, str]] = field(default_factory=list)  # {"href": ..., "title": ...}
    modified: datetime | None = None
    extra: dict[str, Any] = field(default_factory=dict)  # template-specific knobs


@dataclass
class Page:
    body: bytes | str
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)

    def bytes(self) -> bytes:
        if isinstance(self.body, bytes):
            return self.body
        return self.body.encode("utf-8")


class SiteRenderer(Protocol):
    """Renders one chrome's pages for a site (one class per chrome, see `replica/sites/`).

    Built with the site's articles (newest first), the base URL the replica serves the site at
    (e.g. "http://127.0.0.1:43121", no trailing slash) and the site's options (site.json
    "options" plus whatever a test sets through the control API, e.g. {"variant": "drift"} or
    {"rest": 403}). `handle` answers one request, or None for a 404.
    """

    def __init__(self, articles: list[ReplicaArticle], base: str, options: dict[str, Any]) -> None: ...

    def handle(self, path: str, query: dict[str, list[str]]) -> Page | None: ...

    def listed_urls(self) -> list[str]:
        """Absolute URLs of every article page the site's listings link to (tests compare a crawl with it)."""
        ...
