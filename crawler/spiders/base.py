"""The crawl loop every portal spider shares; families override discovery, sites override nothing.

A spider is bound to one registry entry (`site_key`). It never parses HTML itself: listing and
article pages go to the site's template parser (pure functions), and every failure becomes a
counted, logged reject instead of an exception.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from datetime import date
from typing import Any, ClassVar
from urllib.parse import urlsplit

import scrapy
from scrapy import signals
from scrapy.http import Request, Response, TextResponse
from scrapy.utils.reactor import is_asyncio_reactor_installed
from twisted.python.failure import Failure

from crawler.items import Article
from crawler.normalize.text import page_markup
from crawler.parsepool import ParsePool
from crawler.parsers import Listing, parser_for
from crawler.parsers.cache import parser_spec
from crawler.rejects import RejectLog
from crawler.render import configure as configure_rendering
from crawler.render import request_meta
from crawler.sites import SITES, Site, get_site
from crawler.spiders.arguments import (
    parse_mode,
    parse_origin_url,
    parse_refresh_days,
    parse_since,
)
from crawler.state import StateStore, state_store_for

logger = logging.getLogger(__name__)


class PortalSpider(scrapy.Spider):
    """Base spider: listing pages -> article pages -> Article items.

    Arguments (``-a name=value``): ``base_url`` (crawl a replica or mirror instead of the real
    site), ``mode`` ("incremental", the default, stops paginating at a listing page whose
    articles are all stored; "archive" walks the whole history), ``since`` (YYYY-MM-DD: skip and
    stop at older articles), ``refresh_days`` (re-fetch stored articles listed as this recent, to
    catch edits; default VN_REFRESH_DAYS).
    """

    site_key: ClassVar[str] = ""

    def __init__(
        self,
        *args: Any,
        base_url: str | None = None,
        mode: str | None = None,
        since: str | None = None,
        refresh_days: str | int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.site: Site = self.registry_site()
        self.listed: set[str] = set()  # article URLs the listing pages of this run showed
        self.base_url = parse_origin_url(base_url, "base_url") if base_url else self.site.base_url
        self.parser = parser_for(self.site, self.base_url)
        self.mode = parse_mode(mode)
        self.since: date | None = parse_since(since)
        # Stored articles whose listing date is this recent are fetched again: edits happen in the
        # first days, and a changed article is written again as a new revision.
        self.refresh_days = parse_refresh_days(refresh_days)
        hosts = {urlsplit(self.base_url).hostname or "", *self.site.domains}
        self.allowed_domains = sorted(h for h in hosts if h)

    def registry_site(self) -> Site:
        """The registry entry this spider crawls (the `portal` spider builds one instead)."""
        return get_site(self.site_key or self.name)

    @classmethod
    def check_arguments(cls, arguments: dict[str, Any]) -> None:
        """Raise SpiderArgumentError for a `-a` value `__init__` would refuse, before any crawl
        starts (Scrapy builds the spider inside its crawl task, where an error is a traceback)."""
        parse_mode(arguments.get("mode"))
        parse_since(arguments.get("since"))
        parse_refresh_days(arguments.get("refresh_days"))
        if arguments.get("base_url"):
            parse_origin_url(arguments["base_url"], "base_url")

    @classmethod
    def update_settings(cls, settings: Any) -> None:
        super().update_settings(settings)
        key = cls.site_key or getattr(cls, "name", None)
        if key in SITES:  # a site with render_js gets the Playwright download handlers (crawler/render.py)
            configure_rendering(SITES[key], settings)

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> PortalSpider:
        if not kwargs.get("base_url"):
            # VN_BASE_URLS = {"dongthap": "http://127.0.0.1:8001"}: how `make demo` points at the replica.
            override = (crawler.settings.getdict("VN_BASE_URLS") or {}).get(cls.site_key or cls.name)
            if override:
                kwargs["base_url"] = override
        spider = super().from_crawler(crawler, *args, **kwargs)
        if spider.refresh_days is None:
            spider.refresh_days = crawler.settings.getint("VN_REFRESH_DAYS", 2)
        spider.state_store = state_store_for(crawler)
        spider.rejects = RejectLog.for_crawler(crawler)
        workers = crawler.settings.getint("VN_PARSE_WORKERS", 0)
        if workers > 0 and not is_asyncio_reactor_installed():
            logger.warning("VN_PARSE_WORKERS needs the asyncio reactor (TWISTED_REACTOR): parsing in-thread")
        elif workers > 0:
            spider.parse_pool = ParsePool.acquire(workers)
        crawler.signals.connect(spider.on_opened, signal=signals.spider_opened)
        crawler.signals.connect(spider.on_closed, signal=signals.spider_closed)
        return spider

    # ---- run bookkeeping ------------------------------------------------------------------

    # Incremental runs may stop at a listing page of stored articles only when the previous run
    # saw every listing page it wanted: after a killed run, or one whose listing pages failed,
    # articles beyond that point may never have been seen, so this run walks all listings again
    # (still fetching only unknown articles).
    FRONTIER_KEY = "listings_complete"
    walk_all = False

    def on_opened(self, spider: PortalSpider) -> None:
        stats = self.crawler.stats
        stats.set_value("vn/site", self.site.key)
        stats.set_value("vn/mode", self.mode)
        self.walk_all = (
            self.mode == "archive" or self.state_store.get_meta(self.site.key, self.FRONTIER_KEY) != "1"
        )
        if self.walk_all and self.mode == "incremental":
            logger.info("%s: the previous run did not see every listing: walking them all", self.site.key)
            stats.set_value("vn/walk_all", True)
        self.state_store.set_meta(self.site.key, self.FRONTIER_KEY, "0")

    def on_closed(self, spider: PortalSpider, reason: str) -> None:
        if self.parse_pool is not None:
            self.parse_pool.release()
        stats = self.crawler.stats
        failed = sum(stats.get_value(f"vn/errors/{kind}", 0) for kind in ("listing", "discovery"))
        if reason == "finished" and not failed:
            self.state_store.set_meta(self.site.key, self.FRONTIER_KEY, "1")

    state_store: StateStore  # not `state`: Scrapy's JOBDIR extension owns spider.state
    rejects: RejectLog
    parse_pool: ParsePool | None = None

    # ---- requests -------------------------------------------------------------------------

    def listing_request(self, url: str, page: int = 1, stale: int = 0) -> Request:
        return Request(
            url,
            callback=self.parse_listing_pooled if self.parse_pool is not None else self.parse_listing,
            errback=self.on_error,
            cb_kwargs={"page": page, "stale": stale} if stale else {"page": page},
            meta={"vn_page": "listing", **self.render_meta("listing")},
        )

    def article_request(self, url: str, **cb_kwargs: Any) -> Request:
        return Request(
            url,
            callback=self.parse_article_pooled if self.parse_pool is not None else self.parse_article,
            errback=self.on_error,
            cb_kwargs=cb_kwargs,
            meta={"vn_page": "article", **self.render_meta("article")},
        )

    def render_meta(self, kind: str) -> dict[str, Any]:
        """Only requests of the kind the registry flags go through the browser (crawler/render.py)."""
        crawler = getattr(self, "crawler", None)
        return request_meta(self.site, kind, crawler.settings if crawler else None)

    async def start(self) -> AsyncIterator[Any]:
        for path in self.site.listing_paths:
            yield self.listing_request(self.base_url + path)

    # ---- listings -------------------------------------------------------------------------

    # A pager that loops or never ends (page N+1 shows what earlier pages showed, or nothing,
    # forever) is cut after this many pages in a row that list no article new to this run.
    # Three: a fully repeated page can also come from >= 5 articles published between two
    # listing fetches (the items shift down), but not three times in a row.
    MAX_STALE_LISTING_PAGES = 3

    def parse_listing(self, response: Response, page: int = 1, stale: int = 0) -> Iterator[Request]:
        """Listing page -> article requests and the next listing page, parsed in this thread."""
        self.crawler.stats.inc_value("vn/pages/listing")
        html = self.decode(response)
        if html is None:
            return
        try:
            listing = self.parser.parse_listing(html, response.url)
        except Exception as exc:  # a parser bug must not stop the crawl: count it and go on
            self.reject(response.url, "listing_parse_error", error=repr(exc))
            return
        yield from self.follow_listing(listing, response.url, page, stale)

    async def parse_listing_pooled(
        self, response: Response, page: int = 1, stale: int = 0
    ) -> AsyncIterator[Request]:
        """`parse_listing`, with the page parsed by a worker process (VN_PARSE_WORKERS)."""
        if self.parse_pool is None or not self.parse_pool.usable:  # resumed without workers, or they failed
            for request in self.parse_listing(response, page, stale):
                yield request
            return
        self.crawler.stats.inc_value("vn/pages/listing")
        if self.unusable(response):
            return
        self.crawler.stats.inc_value("vn/parse/pooled")
        try:
            listing = await self.pooled_parse("parse_listing", (), response)
        except Exception as exc:
            self.reject(response.url, "listing_parse_error", error=repr(exc))
            return
        for request in self.follow_listing(listing, response.url, page, stale):
            yield request

    def follow_listing(self, listing: Listing, url: str, page: int, stale: int) -> Iterator[Request]:
        if not listing.article_urls:
            self.crawler.stats.inc_value("vn/listing/empty")
            logger.warning("listing page %s holds no article links", url)
        urls, dates = listing.article_urls, listing.dates
        yield from (self.article_request(u) for u in self.new_urls(urls, dates))
        stale = 0 if self.first_listed(urls) else stale + 1
        if not listing.next_page or not self.should_paginate(urls, dates, url):
            return
        if stale >= self.MAX_STALE_LISTING_PAGES:
            self.crawler.stats.inc_value("vn/listing/loop")
            self.reject(url, "listing_loop", page=page, stale_pages=stale, next_page=listing.next_page)
            return
        yield self.listing_request(listing.next_page, page + 1, stale)

    def first_listed(self, urls: list[str]) -> bool:
        """Whether `urls` holds an article no listing page of this run listed before (remembered)."""
        fresh = not self.listed.issuperset(urls)
        self.listed.update(urls)
        return fresh

    def new_urls(self, urls: list[str], dates: dict[str, str]) -> list[str]:
        """URLs worth fetching: those not stored yet, never older than `since`."""
        wanted = [u for u in urls if not self.before_since(dates.get(u))]
        if len(wanted) < len(urls):
            self.crawler.stats.inc_value("vn/skipped/before_since", len(urls) - len(wanted))
        # Both modes skip what is stored: archive mode differs in walking every listing page, so
        # a resumed backfill re-reads listings but fetches only the articles it still lacks.
        known = self.stored(wanted) - {u for u in wanted if self.recent(dates.get(u))}
        if known:
            self.crawler.stats.inc_value("vn/skipped/already_stored", len(known))
        return [u for u in wanted if u not in known]

    def recent(self, iso: str | None) -> bool:
        if not iso or not self.refresh_days:
            return False
        return (date.today() - date.fromisoformat(iso[:10])).days <= self.refresh_days

    def stored(self, urls: list[str]) -> set[str]:
        return self.state_store.known_urls(self.site.key, urls)

    def should_paginate(self, urls: list[str], dates: dict[str, str], page_url: str) -> bool:
        """Archive mode walks to the end; incremental mode stops at a page of stored articles."""
        if self.since and dates and all(self.before_since(dates.get(u)) for u in urls):
            logger.info("stopping at %s: every article is older than %s", page_url, self.since)
            return False
        if self.walk_all or not urls:
            return True
        # Checked after this page's new articles were requested, not stored: a page counts as
        # "seen" only when everything on it was stored by an earlier run.
        if len(self.stored(urls)) < len(set(urls)):
            return True
        logger.info("stopping at %s: every article on it is already stored", page_url)
        self.crawler.stats.set_value("vn/stopped_at", page_url)
        return False

    def before_since(self, iso: str | None) -> bool:
        return bool(self.since and iso and date.fromisoformat(iso[:10]) < self.since)

    # ---- articles -------------------------------------------------------------------------

    def parse_article(self, response: Response, **context: Any) -> Iterator[Article]:
        """Article page -> Article, parsed in this thread."""
        self.crawler.stats.inc_value("vn/pages/article")
        html = self.decode(response)
        if html is None:
            return
        try:
            article = self.build_article(html, response, **context)
        except Exception as exc:
            logger.exception("parser failed on %s", response.url)
            self.reject(response.url, "parse_error", error=repr(exc))
            return
        found = self.finish_article(article, response)
        if found is not None:
            yield found

    async def parse_article_pooled(self, response: Response, **context: Any) -> AsyncIterator[Article]:
        """Article page -> Article, parsed by a worker process (VN_PARSE_WORKERS, crawler/parsepool.py)."""
        if self.parse_pool is None or not self.parse_pool.usable:  # resumed without workers, or they failed
            for article in self.parse_article(response, **context):
                yield article
            return
        self.crawler.stats.inc_value("vn/pages/article")
        if self.unusable(response):
            return
        method, extra = self.parse_call(context)
        self.crawler.stats.inc_value("vn/parse/pooled")
        try:
            article = await self.pooled_parse(method, extra, response)
        except Exception as exc:  # the worker's traceback is in the message
            logger.error("parser failed on %s: %s", response.url, exc)
            self.reject(response.url, "parse_error", error=repr(exc))
            return
        found = self.finish_article(article, response)
        if found is not None:
            yield found

    async def pooled_parse(self, method: str, extra: tuple[Any, ...], response: Response) -> Any:
        assert self.parse_pool is not None
        return await self.parse_pool.parse(
            parser_spec(self.site, self.base_url),
            method,
            extra,
            response.body,
            self.content_type(response),
            response.url,
        )

    def parse_call(self, context: dict[str, Any]) -> tuple[str, tuple[Any, ...]]:
        """The parser method an article response goes to, and its arguments before (html, url)."""
        return "parse_article", ()

    def build_article(self, html: str | bytes, response: Response, **context: Any) -> Article | None:
        method, extra = self.parse_call(context)
        article: Article | None = getattr(self.parser, method)(*extra, html, response.url)
        return article

    def finish_article(self, article: Article | None, response: Response) -> Article | None:
        """The parsed article with its crawl fields, or None after a reject or a `since` skip."""
        if article is None:
            self.reject(response.url, "not_an_article")
            return None
        article.site = self.site.site_name
        article.fetched_url = response.url
        if self.before_since(article.published_at):
            self.crawler.stats.inc_value("vn/skipped/before_since")
            return None
        return article

    def decode(self, response: Response) -> str | bytes | None:
        """The page as the parsers take it (text, or UTF-8 bytes), or None after a reject for what
        is not a usable HTML page."""
        if self.unusable(response):
            return None
        return page_markup(response.body, self.content_type(response))

    def unusable(self, response: Response) -> bool:
        """True (after a reject) for an empty body or a response that is not text."""
        if not response.body.strip():
            self.reject(response.url, "empty_body", status=response.status)
            return True
        if not isinstance(response, TextResponse):
            self.reject(response.url, "not_html", content_type=self.content_type(response))
            return True
        return False

    @staticmethod
    def content_type(response: Response) -> str | None:
        raw = response.headers.get("Content-Type")
        return raw.decode("latin-1") if raw else None

    # ---- failures -------------------------------------------------------------------------

    def on_error(self, failure: Failure) -> None:
        """Called once retries are exhausted (5xx, timeouts, resets, data loss, size limit)."""
        request = failure.request  # type: ignore[attr-defined]
        from scrapy.spidermiddlewares.httperror import HttpError

        if failure.check(HttpError):
            reason = f"http_{failure.value.response.status}"
        else:
            reason = failure.type.__name__ if failure.type else "download_error"
        self.crawler.stats.inc_value(f"vn/errors/{request.meta.get('vn_page', 'page')}")
        self.reject(request.url, reason, page=request.meta.get("vn_page"), error=failure.getErrorMessage())

    def reject(self, url: str, reason: str, **details: Any) -> None:
        self.rejects.reject(self.site.key, url, reason, **details)
