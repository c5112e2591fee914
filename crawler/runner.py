"""Run several sites' spiders in one process and summarize them (`scrapy crawlall`, `make demo`)."""

from __future__ import annotations

from typing import Any

from scrapy.crawler import Crawler, CrawlerProcess

from crawler.sites import SITES
from crawler.spiders import site_spider
from crawler.summary import SiteSummary


def schedule_sites(
    process: Any, keys: list[str], spider_args: dict[str, Any] | None = None
) -> dict[str, Crawler]:
    """Add one crawler per site to `process` (run concurrently, each with its own politeness)."""
    unknown = sorted(set(keys) - set(SITES))
    if unknown:
        raise KeyError(f"unknown sites: {', '.join(unknown)}; known: {', '.join(sorted(SITES))}")
    crawlers: dict[str, Crawler] = {}
    for key in keys:
        crawler = process.create_crawler(site_spider(key))
        crawlers[key] = crawler
        process.crawl(crawler, **(spider_args or {}))
    return crawlers


def summaries(crawlers: dict[str, Crawler]) -> list[SiteSummary]:
    return [
        SiteSummary.from_stats(key, c.stats.get_stats() if c.stats else {}) for key, c in crawlers.items()
    ]


def run_sites(keys: list[str], settings: Any, spider_args: dict[str, Any] | None = None) -> list[SiteSummary]:
    process = CrawlerProcess(settings)
    crawlers = schedule_sites(process, keys, spider_args)
    process.start()
    return summaries(crawlers)
