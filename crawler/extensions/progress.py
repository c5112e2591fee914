"""A progress line per site while a crawl runs: pages, items written, rates."""

from __future__ import annotations

import logging
from typing import Any

from scrapy import signals
from scrapy.exceptions import NotConfigured
from twisted.internet import task

logger = logging.getLogger(__name__)


class ProgressLog:
    def __init__(self, crawler: Any, interval: float) -> None:
        self.crawler = crawler
        self.interval = interval
        self.loop: task.LoopingCall | None = None
        self.last = (0, 0)

    @classmethod
    def from_crawler(cls, crawler: Any) -> ProgressLog:
        interval = crawler.settings.getfloat("VN_PROGRESS_INTERVAL", 30.0)
        if interval <= 0:
            raise NotConfigured("VN_PROGRESS_INTERVAL is 0")
        ext = cls(crawler, interval)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self, spider: Any) -> None:
        self.loop = task.LoopingCall(self.report, spider)
        self.loop.start(self.interval, now=False)

    def report(self, spider: Any) -> None:
        stats = self.crawler.stats
        pages = stats.get_value("downloader/response_count", 0)
        items = stats.get_value("vn/items_written", 0)
        rate_pages = (pages - self.last[0]) / self.interval
        rate_items = (items - self.last[1]) / self.interval
        self.last = (pages, items)
        logger.info(
            "progress %s: %d pages (%.1f/s), %d items written (%.1f/s), %d rejected",
            spider.name,
            pages,
            rate_pages,
            items,
            rate_items,
            stats.get_value("vn/rejected", 0),
        )

    def spider_closed(self, spider: Any) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()
