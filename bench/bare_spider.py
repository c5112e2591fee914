"""The baseline the project's crawl is compared with: stock Scrapy following the same links.

    python -m bench.bare_spider --base http://127.0.0.1:PORT --stats-file out.json [-s NAME=VALUE ...]

Listing page -> the article links and the next listing page (one CSS query each, the same links
the project's parser follows); article page -> nothing (no parsing, no items, no pipelines). Runs
with Scrapy's default settings plus the `-s` overrides (the benchmark passes the concurrency
settings it gives the project), not with the project's settings module.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import scrapy
from scrapy import signals
from scrapy.crawler import CrawlerProcess
from scrapy.http import Request, Response

# What the project's liferay-adt parser reads on a listing page, as plain CSS.
ARTICLE_LINKS = ".asset-abstract .asset-title a::attr(href)"
NEXT_PAGE = ".pagination-bar ul.pagination li.page-item:last-child a::attr(href)"


class BareSpider(scrapy.Spider):
    name = "bare"

    def __init__(self, base_url: str, listing_path: str = "/tin-tuc", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.base_url = base_url.rstrip("/")
        self.listing_path = listing_path

    async def start(self) -> AsyncIterator[Request]:
        yield Request(self.base_url + self.listing_path, callback=self.parse_listing)

    def parse_listing(self, response: Response) -> Iterator[Request]:
        self.crawler.stats.inc_value("bare/listing")
        for href in response.css(ARTICLE_LINKS).getall():
            yield response.follow(href, callback=self.parse_article)
        nxt = response.css(NEXT_PAGE).get()
        if nxt and not nxt.startswith("javascript:"):
            yield response.follow(nxt, callback=self.parse_listing)

    def parse_article(self, response: Response) -> None:
        self.crawler.stats.inc_value("bare/article")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.bare_spider")
    ap.add_argument("--base", required=True)
    ap.add_argument("--listing-path", default="/tin-tuc")
    ap.add_argument("--stats-file", type=Path, required=True)
    ap.add_argument("-s", dest="settings", action="append", default=[], metavar="NAME=VALUE")
    args = ap.parse_args(argv)
    settings: dict[str, Any] = {
        # The project's reactor and fingerprinter; everything else is Scrapy's default.
        "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor",
        "TELNETCONSOLE_ENABLED": False,
        "LOG_LEVEL": "INFO",
    }
    for pair in args.settings:
        key, _, value = pair.partition("=")
        settings[key] = value
    process = CrawlerProcess(settings, install_root_handler=True)
    crawler = process.create_crawler(BareSpider)

    def dump() -> None:
        args.stats_file.parent.mkdir(parents=True, exist_ok=True)
        args.stats_file.write_text(json.dumps(crawler.stats.get_stats(), default=str), encoding="utf-8")

    crawler.signals.connect(dump, signal=signals.engine_stopped)
    process.crawl(crawler, base_url=args.base, listing_path=args.listing_path)
    process.start()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
