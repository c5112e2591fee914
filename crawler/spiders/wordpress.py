"""WordPress news sites: discovery from the best source the site offers, newest first.

REST API (`/wp-json/wp/v2/posts`) -> core or Yoast sitemaps -> RSS -> category listings. The
first source that answers is used, logged, and recorded in the `vn/discovery` stat. Articles
found through REST are built from the REST entry plus the post page's theme markup.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from typing import Any

from scrapy.http import Request, Response

from crawler.parsers.base import ParseError
from crawler.parsers.wp_discovery import (
    parse_rest_posts,
    parse_rss,
    parse_sitemap,
    parse_sitemap_index,
    rest_total_pages,
)
from crawler.spiders.base import PortalSpider

logger = logging.getLogger(__name__)

# Each source's entry point, tried in this order.
SITEMAP_INDEXES = ("/wp-sitemap.xml", "/sitemap_index.xml")
RSS_PATH = "/feed/"


def _instant(iso: str | None) -> datetime | None:
    """An aware datetime for comparisons; None for a missing, bare-date or unparsable value."""
    try:
        moment = datetime.fromisoformat(iso) if iso else None
    except ValueError:
        return None
    return moment if moment is not None and moment.tzinfo is not None else None


class WordPressSpider(PortalSpider):
    rest_page_size = 10
    sitemap_failed = False  # a post sitemap was unparsable and the feed/listings took over

    @property
    def wall_time(self) -> bool:
        """The site's WordPress clock says +00:00 but shows local time (registry option)."""
        return bool(self.site.options.get("wp_timezone_is_wall_time"))

    async def start(self) -> AsyncIterator[Any]:
        if self.state_error:
            return
        for request in self.owed_requests():  # the owed articles first, as every portal spider
            yield request
        yield self.rest_request(1)

    # ---- discovery source chain -----------------------------------------------------------

    def discovery_request(self, url: str, callback: Any, **cb_kwargs: Any) -> Request:
        # Discovery answers are judged here (a 403 from a blocked API means "try the next source").
        return Request(
            url,
            callback=callback,
            errback=self.on_discovery_error,
            cb_kwargs=cb_kwargs,
            meta={"vn_page": "discovery", "handle_httpstatus_all": True},
            dont_filter=True,
        )

    def rest_request(self, page: int) -> Request:
        url = f"{self.base_url}/wp-json/wp/v2/posts?per_page={self.rest_page_size}&page={page}"
        return self.discovery_request(url, self.parse_rest_page, page=page)

    def use_source(self, source: str) -> None:
        if self.crawler.stats.get_value("vn/discovery") != source:
            self.crawler.stats.set_value("vn/discovery", source)
            logger.info("%s: discovering articles through %s", self.site.key, source)

    def fall_back(self, failed: str, why: str, *, after: str | None = None) -> Iterator[Request]:
        """Count and log why `failed` is unusable, then request the source that follows `after`
        (default: `failed`) in the chain."""
        self.crawler.stats.inc_value(f"vn/discovery_failed/{failed}")
        logger.warning("%s: %s unusable (%s), falling back", self.site.key, failed, why)
        order = ["rest", *SITEMAP_INDEXES, "rss", "listing"]
        following = order[order.index(after or failed) + 1 :]
        nxt = following[0]
        if nxt in SITEMAP_INDEXES:
            yield self.discovery_request(self.base_url + nxt, self.parse_sitemap_index, source=nxt)
        elif nxt == "rss":
            yield self.discovery_request(self.base_url + RSS_PATH, self.parse_rss_feed)
        else:
            self.use_source("listing")
            for path in self.site.listing_paths:
                yield self.listing_request(self.base_url + path)

    def on_discovery_error(self, failure: Any) -> Iterator[Request]:
        request = failure.request
        callback = request.callback
        source = {
            self.parse_rest_page: "rest",
            self.parse_rss_feed: "rss",
        }.get(callback, request.cb_kwargs.get("source", "rss"))
        if source == "rest" and request.cb_kwargs.get("page", 1) > 1:
            self.on_error(failure)  # a later REST page failing is an error, not a reason to switch
            return
        yield from self.fall_back(source, failure.getErrorMessage())

    # ---- REST -----------------------------------------------------------------------------

    def parse_rest_page(self, response: Response, page: int) -> Iterator[Request]:
        if response.status != 200:
            if page == 1:
                yield from self.fall_back("rest", f"HTTP {response.status}")
            else:  # the posts of this page and beyond are not discovered: a lost listing page
                self.listing_lost(response.url, f"http_{response.status}")
            return
        try:
            posts = parse_rest_posts(response.body, self.base_url, wall_time=self.wall_time)
        except (ParseError, ValueError, json.JSONDecodeError) as exc:
            if page == 1:
                yield from self.fall_back("rest", f"not a post list: {exc}")
            else:
                self.listing_lost(response.url, "rest_parse_error", error=str(exc))
            return
        self.use_source("rest")
        self.crawler.stats.inc_value("vn/pages/rest")
        links = [p["link"] for p in posts]
        fresh = 0
        for post in posts:
            if self.wanted(post["link"], post.get("published_at"), post.get("modified_at")):
                fresh += 1
                yield self.article_request(post["link"], post=post)
        total = rest_total_pages({k.decode(): v[0].decode() for k, v in response.headers.items()})
        more = (total is None and len(posts) == self.rest_page_size) or (total is not None and page < total)
        if more and (self.walk_all or fresh or not links):
            yield self.rest_request(page + 1)
        elif more:
            logger.info("stopping at REST page %d: every post on it is stored and unchanged", page)

    def wanted(self, url: str, published: str | None, modified: str | None) -> bool:
        """Fetch what is new, or changed since stored (by the CMS's modified time), within `since`."""
        if self.before_since(published):
            self.crawler.stats.inc_value("vn/skipped/before_since")
            return False
        if url in self.owed_at_start or url in self.abandoned:  # requested first, backing off, or given up
            return False
        known = self.state_store.get(self.site.key, url)
        if known is None:
            return True
        new_time, old_time = _instant(modified), _instant(known.modified_at)
        if new_time and old_time and new_time > old_time:
            self.crawler.stats.inc_value("vn/refetch/modified")
            return True
        self.crawler.stats.inc_value("vn/skipped/already_stored")
        return False

    # ---- sitemaps and RSS -----------------------------------------------------------------

    def parse_sitemap_index(self, response: Response, source: str) -> Iterator[Request]:
        try:
            if response.status != 200:
                raise ParseError(f"HTTP {response.status}")
            sitemaps = parse_sitemap_index(response.body, self.base_url)
        except ParseError as exc:
            yield from self.fall_back(source, str(exc))
            return
        post_maps = [u for u in sitemaps if "post" in u.rsplit("/", 1)[-1]] or sitemaps
        if not post_maps:
            yield from self.fall_back(source, "no post sitemaps")
            return
        self.use_source("sitemap")
        for url in post_maps:
            yield Request(
                url, callback=self.parse_post_sitemap, errback=self.on_error, meta={"vn_page": "discovery"}
            )

    def parse_post_sitemap(self, response: Response) -> Iterator[Request]:
        self.crawler.stats.inc_value("vn/pages/sitemap")
        try:
            entries = parse_sitemap(response.body, self.base_url, wall_time=self.wall_time)
        except ParseError as exc:
            self.reject(response.url, "sitemap_parse_error", error=str(exc))
            # Its posts must still be found: once per run, the sources after the sitemaps take over.
            if not self.sitemap_failed:
                self.sitemap_failed = True
                yield from self.fall_back("post_sitemap", str(exc), after=SITEMAP_INDEXES[-1])
            return
        for url, lastmod in entries:
            if self.wanted(url, None, lastmod):
                yield self.article_request(url)

    def parse_rss_feed(self, response: Response) -> Iterator[Request]:
        try:
            if response.status != 200:
                raise ParseError(f"HTTP {response.status}")
            entries = parse_rss(response.body, self.base_url, wall_time=self.wall_time)
        except ParseError as exc:
            yield from self.fall_back("rss", str(exc))
            return
        self.use_source("rss")
        for url, published in entries:
            if self.wanted(url, published, None):
                yield self.article_request(url)
        if self.walk_all:
            # A feed holds only the newest posts: a backfill (or a run after an incomplete one)
            # also walks the category listings for the rest of the history.
            for path in self.site.listing_paths:
                yield self.listing_request(self.base_url + path)
