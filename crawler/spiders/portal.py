"""`scrapy crawl portal -a url=https://some.gov.vn/ [-a template=KEY]`: any portal, no file edited.

The start page tells the family (crawler/parsers/portal.py; when it carries no marker, a probe of
`/wp-json/wp/v2/posts` decides), then the family's own crawl loop runs, unchanged:

- WordPress: the WordPress spider's discovery chain (REST, sitemaps, feed, then the category
  pages of the site's menu as listings);
- Liferay: the start page and the pages its menu links to are tried as listing pages; those
  whose template parser finds article links are walked by the Liferay loop (pagination,
  incremental stop).

The site is built on the fly: key = the host (items and files under `data/<host>/`), template
"auto" (each page's template detected) unless `-a template=KEY` names one. Politeness, the
pipelines, the state and the summary are those of every other crawl.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlsplit

from scrapy.http import Request, Response

from crawler.parsers import PARSERS
from crawler.parsers.liferay import LIFERAY_PARSERS
from crawler.parsers.portal import detect_family, navigation_links
from crawler.parsers.wordpress import WORDPRESS_PARSERS
from crawler.sites import Site
from crawler.spiders.arguments import SpiderArgumentError, parse_origin_url
from crawler.spiders.liferay import LiferaySpider
from crawler.spiders.wordpress import WordPressSpider

logger = logging.getLogger(__name__)

AUTO = "auto"


def template_family(template: str) -> str | None:
    """The family a template key belongs to (None for "auto")."""
    if template in LIFERAY_PARSERS:
        return "liferay"
    if template in WORDPRESS_PARSERS:
        return "wordpress"
    return None


def parse_template(value: str | None) -> str:
    template = value or AUTO
    if template not in PARSERS:
        known = ", ".join(sorted(PARSERS))
        if template == AUTO:
            raise SpiderArgumentError(
                f"-a template: automatic template detection is not available in this version; "
                f"give -a template=KEY (known: {known})"
            )
        raise SpiderArgumentError(f"-a template: unknown {template!r} (known: {known}, or auto)")
    return template


def parse_portal_url(value: str | None) -> str:
    if not value:
        raise SpiderArgumentError(
            "-a url: the portal's address is required, e.g. -a url=https://example.gov.vn/"
        )
    parse_origin_url(value, "url")
    return value.strip()


class AnyPortalSpider(WordPressSpider, LiferaySpider):
    """Both families' crawl loops (MRO: WordPress, Liferay, the shared base); which one runs is
    decided once the start page is in."""

    name = "portal"
    # Menu pages tried as listings (Liferay): enough for a portal's news sections, polite to the rest.
    MAX_LISTING_PROBES = 20

    def __init__(
        self, *args: Any, url: str | None = None, template: str | None = None, **kwargs: Any
    ) -> None:
        self.start_url = parse_portal_url(url)
        parts = urlsplit(self.start_url)
        self.forced_family = template_family(parse_template(template))
        self.portal_site = Site(
            key=(parts.hostname or "").lower(),
            family=self.forced_family or "liferay",  # until the start page says
            template=template or AUTO,
            base_url=f"{parts.scheme}://{parts.netloc}",
            listing_paths=(parts.path or "/",),
        )
        kwargs.pop("base_url", None)  # the url is the address: no other base
        super().__init__(*args, **kwargs)

    def registry_site(self) -> Site:
        return self.portal_site

    @classmethod
    def check_arguments(cls, arguments: dict[str, Any]) -> None:
        super().check_arguments({k: v for k, v in arguments.items() if k != "base_url"})
        parse_portal_url(arguments.get("url"))
        parse_template(arguments.get("template"))

    async def start(self) -> AsyncIterator[Any]:
        yield Request(
            self.start_url,
            callback=self.parse_start,
            errback=self.on_start_error,
            meta={"vn_page": "discovery"},
            dont_filter=True,
        )

    def on_start_error(self, failure: Any) -> None:
        self.on_error(failure)
        self.crawler.stats.set_value("vn/failure", f"start page {self.start_url} unusable: {failure.value}")

    async def parse_start(self, response: Response) -> AsyncIterator[Any]:
        html = self.decode(response)
        if html is None:
            self.crawler.stats.set_value("vn/failure", f"start page {response.url} is not an HTML page")
            return
        family = detect_family(html)
        if family is None:  # no marker: a WordPress REST API answering decides
            yield Request(
                f"{self.base_url}/wp-json/wp/v2/posts?per_page=1",
                callback=self.parse_rest_probe,
                errback=self.on_rest_probe_error,
                cb_kwargs={"html": html, "url": response.url},
                meta={"vn_page": "discovery", "handle_httpstatus_all": True},
                dont_filter=True,
            )
            return
        async for request in self.begin(family, html, response.url):
            yield request

    async def parse_rest_probe(self, response: Response, html: str | bytes, url: str) -> AsyncIterator[Any]:
        try:
            posts = json.loads(response.body) if response.status == 200 else None
        except (ValueError, RecursionError):
            posts = None
        family = "wordpress" if isinstance(posts, list) else "liferay"
        async for request in self.begin(family, html, url):
            yield request

    async def on_rest_probe_error(self, failure: Any) -> AsyncIterator[Any]:
        kwargs = failure.request.cb_kwargs
        async for request in self.begin("liferay", kwargs["html"], kwargs["url"]):
            yield request

    async def begin(self, detected: str, html: str | bytes, url: str) -> AsyncIterator[Any]:
        """Settle the site (family, listing paths) and hand over to that family's loop."""
        family = self.forced_family or detected
        if family != detected:
            logger.warning(
                "%s looks like %s, but -a template=%s is %s", url, detected, self.site.template, family
            )
        stats = self.crawler.stats
        stats.set_value("vn/portal/detected", detected)
        stats.set_value("vn/portal/family", family)
        menu = navigation_links(html, url)
        if family == "wordpress":
            # The category pages of the menu: the last source of WordPress discovery.
            paths = [urlsplit(u).path for u in menu if "/category/" in u] or ["/"]
            self.use_site("wordpress", paths)
            async for request in WordPressSpider.start(self):
                yield request
            return
        self.use_site("liferay", [urlsplit(url).path or "/"])
        for request in self.follow_candidate(html, url):
            yield request
        for candidate in menu[: self.MAX_LISTING_PROBES]:
            yield Request(
                candidate,
                callback=self.parse_candidate,
                errback=self.on_candidate_error,
                meta={"vn_page": "discovery"},
            )

    def use_site(self, family: str, listing_paths: list[str]) -> None:
        self.site = dataclasses.replace(self.site, family=family, listing_paths=tuple(listing_paths))
        logger.info("%s: %s portal, listings from %s", self.site.key, family, ", ".join(listing_paths))

    def parse_candidate(self, response: Response) -> Any:
        html = self.decode(response)
        if html is not None:
            yield from self.follow_candidate(html, response.url)

    def follow_candidate(self, html: str | bytes, url: str) -> Any:
        """A menu page whose articles the template parser finds is a listing: the Liferay loop
        walks it (and its pages); any other page is left alone."""
        try:
            listing = self.parser.parse_listing(html, url)
        except Exception as exc:
            logger.debug("%s is not a listing page: %r", url, exc)
            return
        if not listing.article_urls:
            return
        self.crawler.stats.inc_value("vn/portal/listings")
        self.crawler.stats.inc_value("vn/pages/listing")
        logger.info("%s: listing page %s (%d articles)", self.site.key, url, len(listing.article_urls))
        yield from self.follow_listing(listing, url, 1, 0)

    def on_candidate_error(self, failure: Any) -> None:
        logger.debug("menu page %s unusable: %s", failure.request.url, failure.getErrorMessage())
