"""The crawl loop every portal spider shares; families override discovery, sites override nothing.

A spider is bound to one registry entry (`site_key`). It never parses HTML itself: listing and
article pages go to the site's template parser (pure functions), and every failure becomes a
counted, logged reject instead of an exception.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from datetime import date, timedelta
from typing import Any, ClassVar
from urllib.parse import urlsplit

import scrapy
from scrapy import signals
from scrapy.exceptions import DropItem
from scrapy.http import Request, Response, TextResponse
from scrapy.utils.reactor import is_asyncio_reactor_installed
from twisted.python.failure import Failure

from crawler.budget import markup_depth
from crawler.builder import Reject, finish_item, parse_call, parse_page, provenance
from crawler.distributed import distributed_enabled
from crawler.items import Article
from crawler.middlewares.redirects import RedirectRefused
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
from crawler.state import StateStore, StateStoreExtension, state_store_for

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
        self.requested_listings: set[str] = set()  # listing pages this process requested or walked
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
        # The components the spider shares with the pipelines (in settings.py's EXTENSIONS too).
        settings.setdefault_in_component_priority_dict("EXTENSIONS", StateStoreExtension, 100)
        settings.setdefault_in_component_priority_dict("EXTENSIONS", RejectLog, 110)
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
        s = crawler.settings
        spider.max_attempts = s.getint("VN_OWED_MAX_ATTEMPTS", 6)
        spider.owed_fail_percent = s.getfloat("VN_OWED_FAIL_PERCENT", 5.0)
        spider.max_listing_pages = s.getint("VN_MAX_LISTING_PAGES", 5000)
        spider.max_depth = s.getint("VN_MAX_MARKUP_DEPTH", 4000)
        spider.max_inline_bytes = s.getint("VN_MAX_INLINE_PARSE_BYTES", 8 * 1024 * 1024)
        spider.seed_only = s.getbool("VN_SEED_ONLY", False)
        # How the item builder finishes an article (crawler/builder.py): the same rules as extract's.
        spider.item_rules = {
            "validate": s.getbool("VN_VALIDATE_ENABLED", True),
            "normalize": s.getbool("VN_NORMALIZE_ENABLED", True),
            "future_tolerance": timedelta(hours=s.getfloat("VN_VALIDATE_FUTURE_TOLERANCE_HOURS", 36)),
        }
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
    RUNS_KEY = "runs"  # the site's run counter: owed articles back off in runs, not hours
    walk_all = False
    state_error: str | None = None
    _run = 0
    _run_joined = False
    max_attempts = 6
    owed_fail_percent = 5.0
    max_listing_pages = 5000
    max_depth = 4000
    max_inline_bytes = 8 * 1024 * 1024
    seed_only = False
    item_rules: ClassVar[dict[str, Any]] = {}

    def on_opened(self, spider: PortalSpider) -> None:
        stats = self.crawler.stats
        # Checked by the state store extension when it was built (crawler/state/__init__.py).
        ext = self.crawler.get_extension(StateStoreExtension)
        self.state_error = ext.state_error if ext is not None else "the state store extension is off"
        stats.set_value("vn/site", self.site.key)
        stats.set_value("vn/mode", self.mode)
        if self.state_error:  # start() yields nothing: the run ends at once, failed
            logger.error("%s", self.state_error)
            add_failure(stats, self.state_error)
            return
        # Counted by the process that starts the run (owed_requests): in distributed mode the
        # workers that join the seeder's run take its number (`run`).
        self.run = int(self.state_store.get_meta(self.site.key, self.RUNS_KEY) or 0) + 1
        ledger = self.state_store.owed(self.site.key)
        self.abandoned = {o.url for o in ledger if o.abandoned}
        self.owed_at_start = {o.url for o in ledger if not o.abandoned}
        self.due = self.state_store.owed_due(self.site.key, self.run)
        stats.set_value("vn/owed/due", len(self.due))
        if self.seed_only:  # `scrapy seed` only pushes start requests: it walks nothing
            return
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
        if self.state_error or self.seed_only:
            return
        stats = self.crawler.stats
        failed = sum(stats.get_value(f"vn/errors/{kind}", 0) for kind in ("listing", "discovery"))
        # "finished" is not enough: a resumed JOBDIR run finishes too, after walking only what its
        # queue held. Complete means every listing chain this run started reached its end.
        if reason == "finished" and not failed:
            if self.walked_every_listing():
                self.state_store.set_meta(self.site.key, self.FRONTIER_KEY, "1")
            elif not distributed_enabled(self.crawler.settings):
                # A listing request vanished without an error (workers of a distributed run walk
                # each other's chains, so only a lone run can tell): the next run walks them all.
                stats.set_value("vn/listing/incomplete", self.chains - self.chain_ends)
                logger.warning(
                    "%s: the run finished before %d of its %d listing walks reached their end;"
                    " the next run walks every listing again",
                    self.site.key,
                    self.chains - self.chain_ends,
                    self.chains,
                )
        self.account_owed(reason)

    @property
    def run(self) -> int:
        """This run's number for the site (owed articles back off in runs)."""
        stats = getattr(self.crawler, "stats", None) if hasattr(self, "crawler") else None
        if not self._run_joined and stats is not None and stats.get_value("vn/distributed/seed") == "joined":
            # A distributed worker that joined a run seeded elsewhere: the seeder counted it.
            self._run_joined = True
            self._run = int(self.state_store.get_meta(self.site.key, self.RUNS_KEY) or 0) or self._run
        return self._run

    @run.setter
    def run(self, value: int) -> None:
        self._run = value

    def walked_every_listing(self) -> bool:
        return self.chain_ends >= self.chains

    def account_owed(self, reason: str) -> None:
        """Ledger figures for the summary, and `vn/failure` when this run lost data."""
        stats = self.crawler.stats
        ledger = self.state_store.owed(self.site.key)
        owed = [o for o in ledger if not o.abandoned]
        still = {o.url for o in ledger}
        stats.set_value("vn/owed/total", len(owed))
        stats.set_value("vn/owed/recovered", len(self.owed_at_start - still))
        stats.set_value("vn/owed/new", sum(1 for o in owed if o.url not in self.owed_at_start))
        abandoned = [o for o in ledger if o.abandoned and o.url not in self.abandoned]
        stats.set_value("vn/owed/abandoned", len(abandoned))
        if reason != "finished":
            return
        failures = []
        if self.lost_listing:
            failures.append(f"listing page lost: {self.lost_listing[0]} ({self.lost_listing[1]})")
        if abandoned:
            failures.append(
                f"{len(abandoned)} articles abandoned after {self.max_attempts} attempts"
                f" (e.g. {abandoned[0].url}: {abandoned[0].reason})"
            )
        # Owed by this run: what it listed and tried (or was due to retry) and did not store.
        mine = [o for o in owed if o.last_run == self.run]
        listed = max(len(self.listed), self.article_requests, 1)
        share = 100.0 * len(mine) / listed
        if mine and share > self.owed_fail_percent:
            failures.append(
                f"{len(mine)} owed articles ({share:.0f} % of {listed} listed) over the"
                f" {self.owed_fail_percent:g} % threshold"
            )
        if failures:
            message = f"lost data on {self.site.key}: " + "; ".join(failures)
            logger.error(message)
            add_failure(stats, message)

    @property
    def state_store(self) -> StateStore:  # not `state`: Scrapy's JOBDIR extension owns spider.state
        """The crawl's state store (crawler.state.StateStoreExtension)."""
        return state_store_for(self.crawler)

    @property
    def rejects(self) -> RejectLog:
        """The crawl's reject log (crawler.rejects.RejectLog, an extension)."""
        return RejectLog.for_crawler(self.crawler)

    parse_pool: ParsePool | None = None
    # Ledger bookkeeping of this run (set in on_opened).
    abandoned: set[str] = frozenset()  # type: ignore[assignment]
    owed_at_start: set[str] = frozenset()  # type: ignore[assignment]
    due: list[str] = []
    article_requests = 0
    lost_listing: tuple[str, str] | None = None
    # Listing chains (one per listing path, merged when a resumed queue walks the same pages):
    # the listings are complete when as many chains ended as started.
    chains = 0
    chain_ends = 0

    # ---- requests -------------------------------------------------------------------------

    def listing_request(self, url: str, page: int = 1, stale: int = 0) -> Request:
        if page == 1:
            self.chains += 1
        self.requested_listings.add(url)
        return Request(
            url,
            callback=self.parse_listing_pooled if self.parse_pool is not None else self.parse_listing,
            errback=self.on_error,
            cb_kwargs={"page": page, "stale": stale} if stale else {"page": page},
            meta={"vn_page": "listing", **self.render_meta("listing")},
            # Listing pages are always fetched: a JOBDIR's saved duplicate filter holds the pages of
            # the killed run, including the one whose answer was lost with it, and would cut the walk
            # there. Pages already walked by this process are not requested twice (follow_listing).
            dont_filter=True,
        )

    def article_request(self, url: str, *, owed: bool = False, **cb_kwargs: Any) -> Request:
        """An article to fetch; it is owed (in the state's ledger) until it is stored. `owed`: it
        already is, from an earlier run, and is fetched whatever the duplicate filter remembers."""
        self.article_requests += 1
        if not owed:
            self.state_store.owe(self.site.key, url, self.run)
        return Request(
            url,
            callback=self.parse_article_pooled if self.parse_pool is not None else self.parse_article,
            errback=self.on_error,
            cb_kwargs=cb_kwargs,
            meta={"vn_page": "article", "vn_owed": url, **self.render_meta("article")},
            dont_filter=owed,
        )

    def render_meta(self, kind: str) -> dict[str, Any]:
        """Only requests of the kind the registry flags go through the browser (crawler/render.py)."""
        crawler = getattr(self, "crawler", None)
        return request_meta(self.site, kind, crawler.settings if crawler else None)

    async def start(self) -> AsyncIterator[Any]:
        if self.state_error:
            return
        for request in self.owed_requests():
            yield request
        for path in self.site.listing_paths:
            yield self.listing_request(self.base_url + path)

    def owed_requests(self) -> Iterator[Request]:
        """Every run, incremental or archive, first fetches the owed articles due this run."""
        self.state_store.set_meta(self.site.key, self.RUNS_KEY, str(self.run))
        if self.due:
            logger.info("%s: fetching %d owed articles first", self.site.key, len(self.due))
        for url in self.due:
            yield self.article_request(url, owed=True)

    # ---- listings -------------------------------------------------------------------------

    # A pager that loops or never ends (page N+1 shows what earlier pages showed, or nothing,
    # forever) is cut after this many pages in a row that list no article new to this run.
    # Three: a fully repeated page can also come from >= 5 articles published between two
    # listing fetches (the items shift down), but not three times in a row.
    MAX_STALE_LISTING_PAGES = 3

    def parse_listing(self, response: Response, page: int = 1, stale: int = 0) -> Iterator[Request]:
        """Listing page -> article requests and the next listing page, parsed in this thread."""
        self.crawler.stats.inc_value("vn/pages/listing")
        self.requested_listings.add(response.url)
        if self.too_large_inline(response):
            return
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
        self.requested_listings.add(response.url)
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
            self.chain_ends += 1
            return
        if listing.next_page in self.requested_listings:
            # Walked (or queued) by another chain of this process, e.g. a resumed JOBDIR queue's:
            # that chain goes on from there (and a chain that fails there fails the run).
            self.chain_ends += 1
            self.crawler.stats.inc_value("vn/listing/merged")
            return
        if stale >= self.MAX_STALE_LISTING_PAGES or page >= self.max_listing_pages:
            # The pager's end as far as it can be told: the chain ends here, counted and logged.
            self.chain_ends += 1
            self.crawler.stats.inc_value("vn/listing/loop")
            why = "listing_loop" if stale >= self.MAX_STALE_LISTING_PAGES else "listing_page_limit"
            self.reject(url, why, page=page, stale_pages=stale, next_page=listing.next_page)
            return
        yield self.listing_request(listing.next_page, page + 1, stale)

    def first_listed(self, urls: list[str]) -> bool:
        """Whether `urls` holds an article no listing page of this run listed before (remembered)."""
        fresh = not self.listed.issuperset(urls)
        self.listed.update(urls)
        return fresh

    def new_urls(self, urls: list[str], dates: dict[str, str]) -> list[str]:
        """URLs worth fetching: those not stored yet, never older than `since`."""
        # Owed articles are not requested from listings: the due ones were requested first, the
        # others wait out their backoff, and abandoned ones are given up.
        recent = [u for u in urls if not self.before_since(dates.get(u))]
        if len(recent) < len(urls):
            self.crawler.stats.inc_value("vn/skipped/before_since", len(urls) - len(recent))
        wanted = [u for u in recent if u not in self.owed_at_start and u not in self.abandoned]
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
        if len(self.stored(urls) | (self.owed_at_start & set(urls))) < len(set(urls)):
            return True
        logger.info("stopping at %s: every article on it is already stored", page_url)
        self.crawler.stats.set_value("vn/stopped_at", page_url)
        return False

    def before_since(self, iso: str | None) -> bool:
        return bool(self.since and iso and date.fromisoformat(iso[:10]) < self.since)

    # ---- articles -------------------------------------------------------------------------

    def parse_article(self, response: Response, **context: Any) -> Iterator[Article]:
        """Article page -> Article, parsed in this thread (the item builder, crawler/builder.py)."""
        self.crawler.stats.inc_value("vn/pages/article")
        if self.too_large_inline(response) or self.unusable(response):
            return
        method, extra = self.parse_call(context)
        try:
            article = parse_page(
                parser_spec(self.site, self.base_url),
                method,
                extra,
                response.body,
                self.content_type(response),
                response.url,
            )
        except Exception as exc:
            logger.exception("parser failed on %s", response.url)
            self.reject(response.url, "parse_error", owed=response.meta.get("vn_owed"), error=repr(exc))
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
            self.reject(response.url, "parse_error", owed=response.meta.get("vn_owed"), error=repr(exc))
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
        return parse_call(context)

    def finish_article(self, article: Article | None, response: Response) -> Article | None:
        """The parsed article finished by the item builder (provenance, validation, normalization),
        or None after a reject or a `since` skip."""
        owed = response.meta.get("vn_owed")
        if article is None:
            self.reject(response.url, "not_an_article", owed=owed)
            return None
        provenance(article, self.site.site_name, response.url)
        if self.before_since(article.published_at):
            self.crawler.stats.inc_value("vn/skipped/before_since")
            self.settle(owed)
            return None
        item = finish_item(article, **self.item_rules)
        if isinstance(item, Reject):
            self.invalid(item, owed, article, response)
            return None
        # The ledger's key (the listed URL) rides along to the pipelines, out of the feed record.
        item.__dict__[LISTED_ATTR] = owed
        return item

    def invalid(self, reject: Reject, owed: str | None, article: Article, response: Response) -> None:
        """An article the builder refused: counted per reason, logged, and still owed. It is
        announced as a dropped item, as a pipeline's drop is, so the drift monitor's field
        coverage still counts what the parser missed."""
        reasons = reject.details.get("all_reasons", [reject.reason])
        for reason in reasons:
            self.crawler.stats.inc_value(f"vn/validate/{reason}")
        self.reject(reject.url, reject.reason, owed=owed or reject.url, **reject.details)
        self.crawler.signals.send_catch_log(
            signals.item_dropped,
            item=article,
            response=response,
            spider=self,
            exception=DropItem(f"invalid item {reject.url}: {', '.join(reasons)}"),
        )

    def decode(self, response: Response) -> str | bytes | None:
        """The page as the parsers take it (text, or UTF-8 bytes), or None after a reject for what
        is not a usable HTML page."""
        if self.unusable(response):
            return None
        return page_markup(response.body, self.content_type(response))

    def too_large_inline(self, response: Response) -> bool:
        """True (after a reject) for a page over VN_MAX_INLINE_PARSE_BYTES about to be parsed in the
        crawl's own thread: only a parse worker may take that long (see the setting)."""
        size = len(response.body)
        if not self.max_inline_bytes or size <= self.max_inline_bytes:
            return False
        if response.meta.get("vn_page") == "listing":  # what it lists goes undiscovered: the run fails
            self.crawler.stats.inc_value("vn/errors/listing")
            if self.lost_listing is None:
                self.lost_listing = (response.url, "too_large")
        self.reject(
            response.url,
            "too_large",
            owed=response.meta.get("vn_owed"),
            page=response.meta.get("vn_page"),
            bytes=size,
            limit=self.max_inline_bytes,
            hint="parse workers take such pages: -s VN_PARSE_WORKERS=1",
        )
        return True

    def too_deep(self, response: Response) -> bool:
        """True (after a reject) for markup nested past VN_MAX_MARKUP_DEPTH (crawler/budget.py)."""
        depth = markup_depth(response.body, self.max_depth)
        if depth <= self.max_depth:
            return False
        self.reject(response.url, "too_deep", owed=response.meta.get("vn_owed"), depth=f">{self.max_depth}")
        return True

    def unusable(self, response: Response) -> bool:
        """True (after a reject) for an empty body or a response that is not text."""
        owed = response.meta.get("vn_owed")
        if self.max_depth and self.too_deep(response):
            return True
        if not response.body.strip():
            self.reject(response.url, "empty_body", owed=owed, status=response.status)
            return True
        if not isinstance(response, TextResponse):
            self.reject(response.url, "not_html", owed=owed, content_type=self.content_type(response))
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
        elif failure.check(RedirectRefused):
            reason = failure.value.reason
        else:
            reason = failure.type.__name__ if failure.type else "download_error"
        kind = request.meta.get("vn_page", "page")
        self.crawler.stats.inc_value(f"vn/errors/{kind}")
        if kind in ("listing", "discovery") and self.lost_listing is None:
            self.lost_listing = (request.url, reason)
        self.reject(
            request.url,
            reason,
            owed=request.meta.get("vn_owed"),
            page=request.meta.get("vn_page"),
            error=failure.getErrorMessage(),
        )

    def listing_lost(self, url: str, reason: str, **details: Any) -> None:
        """A listing or discovery page answered but unusable: what it lists is not discovered."""
        self.crawler.stats.inc_value("vn/errors/discovery")
        if self.lost_listing is None:
            self.lost_listing = (url, reason)
        self.reject(url, reason, page="discovery", **details)

    def reject(self, url: str, reason: str, *, owed: str | None = None, **details: Any) -> None:
        """Log and count a reject; `owed`: the listed URL of the article it costs (ledger key)."""
        self.rejects.reject(self.site.key, url, reason, **details)
        if owed:
            self.article_lost(owed, reason)

    def article_lost(self, url: str, reason: str) -> None:
        """One more failed attempt at an owed article (abandoned after VN_OWED_MAX_ATTEMPTS)."""
        try:
            owed = self.state_store.owe_failed(self.site.key, url, reason, self.run, self.max_attempts)
        except Exception as exc:  # the reject is logged already; the ledger must not stop the crawl
            # ...but an article neither stored nor owed would never be fetched again: fail the run.
            message = f"lost data on {self.site.key}: could not record {url} as owed ({exc!r})"
            logger.error(message)
            if "could not record" not in (self.crawler.stats.get_value("vn/failure") or ""):
                add_failure(self.crawler.stats, message)
            return
        if owed is not None and owed.abandoned:
            logger.error("%s: abandoned %s after %d attempts (%s)", self.site.key, url, owed.attempts, reason)

    def settle(self, url: str | None) -> None:
        if url:
            self.state_store.settle(self.site.key, url)


LISTED_ATTR = "_vn_listed_url"


def listed_url(item: Any) -> str | None:
    """The listed URL an item was fetched for (its ledger key), when a portal spider built it."""
    return getattr(item, "__dict__", {}).get(LISTED_ATTR)


def add_failure(stats: Any, message: str) -> None:
    """Append to `vn/failure` (what makes the run exit non-zero), keeping earlier reasons."""
    old = stats.get_value("vn/failure")
    stats.set_value("vn/failure", f"{old}; {message}" if old else message)
