"""The site registry: one entry per portal. Adding a site of a known template is one entry here.

Spiders, the offline extractor, the replica and the tests all iterate this registry;
nothing else in the project branches on a site key.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Site:
    key: str  # spider name and output folder: data/<key>/
    family: str  # "liferay" or "wordpress": which spider base class crawls it
    template: str  # parser key, see crawler.parsers.PARSERS
    base_url: str  # the real site's origin, e.g. "https://dongthap.gov.vn"
    listing_paths: tuple[str, ...] = ()  # listing pages to start from (newest first)
    name: str | None = None  # the item's `site` value when it differs from `key`
    domains: tuple[str, ...] = ()  # extra domains the site serves articles from
    render_js: str | None = None  # None, "article" or "listing": what goes through the browser
    options: dict[str, Any] = field(default_factory=dict)  # template overrides (see each parser)
    # Template-drift monitor: minimum share of items that must have each field.
    coverage: dict[str, float] = field(default_factory=dict)

    @property
    def site_name(self) -> str:
        return self.name or self.key

    @cached_property  # asked for every URL site_for_url maps (frozen: cached in __dict__ once)
    def host(self) -> str:
        return urlsplit(self.base_url).hostname or ""


DEFAULT_COVERAGE = {"title": 1.0, "published_at": 1.0, "body": 1.0}

SITES: dict[str, Site] = {
    s.key: s
    for s in [
        Site(
            key="backan",
            family="liferay",
            template="publishingportal",
            base_url="https://backan.gov.vn",
            listing_paths=("/web/guest/tin-hoat-dong",),
            coverage={**DEFAULT_COVERAGE, "captions": 0.3, "author": 0.5},
        ),
        # The same PublishingPortal blocks in the SharePoint 2013 chrome of the same portal.
        Site(
            key="backan-sharepoint",
            name="backan",
            family="liferay",
            template="publishingportal",
            base_url="https://backan.gov.vn",
            listing_paths=("/Pages/TinHoatDong.aspx",),
            coverage={**DEFAULT_COVERAGE, "captions": 0.3, "author": 0.5},
        ),
        Site(
            key="dongthap",
            family="liferay",
            template="liferay-adt",
            base_url="https://dongthap.gov.vn",
            listing_paths=("/tin-tuc",),
            coverage={**DEFAULT_COVERAGE, "author": 0.5},
        ),
        # Not a real portal: the replica's JavaScript variant of dongthap (host made up), whose
        # article body is filled in by a script from a JSON endpoint, as some Liferay 7 portals
        # do. It proves the rendering path end to end (tests/test_js_render.py).
        Site(
            key="dongthap-js",
            family="liferay",
            template="liferay-adt",
            base_url="https://js.dongthap.gov.vn",
            listing_paths=("/tin-tuc",),
            render_js="article",
            # Rendered once the script put the body's first block into the ADT container.
            options={"render_wait": ".news-detail div.content > *"},
            coverage={**DEFAULT_COVERAGE, "author": 0.5},
        ),
        Site(
            key="thaibinh",
            family="liferay",
            template="liferay-journal",
            base_url="https://dangbokhoi.thaibinh.gov.vn",
            listing_paths=("/web/guest/tin-tuc",),
            coverage={**DEFAULT_COVERAGE, "captions": 0.3},
        ),
        Site(
            key="khoicq",
            family="wordpress",
            template="wp-newspaper",
            base_url="https://dangbokhoicq.ninhbinh.gov.vn",
            listing_paths=("/category/tin-hoat-dong/",),
            # The site's WordPress time zone is left at UTC: its "+00:00" times are local wall time.
            options={"wp_timezone_is_wall_time": True},
            coverage={**DEFAULT_COVERAGE, "captions": 0.3},
        ),
        Site(
            key="gialai",
            family="wordpress",
            template="wp-sahifa",
            base_url="https://dangbokhoi.gialai.gov.vn",
            listing_paths=("/category/xay-dung-dang/",),
            coverage={**DEFAULT_COVERAGE, "captions": 0.3},
        ),
    ]
}


def get_site(key: str) -> Site:
    try:
        return SITES[key]
    except KeyError:
        raise KeyError(f"unknown site {key!r}; known: {', '.join(sorted(SITES))}") from None


def site_for_url(url: str, sites: dict[str, Site] | None = None) -> Site:
    """The registry entry serving `url`, by host; when two entries share a host (one portal in
    two chromes) the one whose listing path shares the URL's first path segment wins."""
    sites = SITES if sites is None else sites
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    candidates = [s for s in sites.values() if host == s.host or host in s.domains]
    if not candidates:
        raise KeyError(f"no registered site serves {host!r}")
    first = parts.path.lstrip("/").split("/", 1)[0].lower()
    for s in candidates:
        if any(p.lstrip("/").split("/", 1)[0].lower() == first for p in s.listing_paths):
            return s
    return candidates[0]
