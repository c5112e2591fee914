"""Run several sites' spiders in one process and summarize them (`scrapy crawlall`, `make demo`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from scrapy.crawler import Crawler, CrawlerProcess

from crawler.sites import SITES
from crawler.spiders import site_spider
from crawler.summary import SiteSummary


def schedule_sites(
    process: Any,
    keys: list[str],
    spider_args: dict[str, Any] | None = None,
    watch: Callable[[str, Any], None] | None = None,
) -> dict[str, Crawler]:
    """Add one crawler per site to `process` (run concurrently, each with its own politeness).

    Every key and spider argument is checked before the first crawler is added, so a mistake
    stops the command before anything runs; `watch(key, task)` sees each crawl's task.
    """
    from crawler.cli import UsageProblem

    unknown = sorted(set(keys) - set(SITES))
    if unknown:
        raise UsageProblem(f"unknown sites: {', '.join(unknown)}; known: {', '.join(sorted(SITES))}")
    for key in keys:
        site_spider(key).check_arguments(spider_args or {})
    crawlers: dict[str, Crawler] = {}
    for key in keys:
        crawlers[key] = process.create_crawler(site_spider(key))
    for key, crawler in crawlers.items():
        started = process.crawl(crawler, **(spider_args or {}))
        if watch is not None:
            watch(key, started)
    return crawlers


def crawl_stats(crawler: Crawler) -> dict[str, Any]:
    """The crawl's stats; empty when it never started (Scrapy 2.19 raises RuntimeError then)."""
    try:
        return crawler.stats.get_stats()
    except RuntimeError:
        return {}


def summaries(crawlers: dict[str, Crawler]) -> list[SiteSummary]:
    return [SiteSummary.from_stats(key, crawl_stats(c)) for key, c in crawlers.items()]


def run_sites(keys: list[str], settings: Any, spider_args: dict[str, Any] | None = None) -> list[SiteSummary]:
    process = CrawlerProcess(settings)
    crawlers = schedule_sites(process, keys, spider_args)
    process.start()
    return summaries(crawlers)
