"""The four item pipelines wired as in settings over one test crawler (no network, no engine)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from scrapy import Spider
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler

from crawler.items import Article
from crawler.pipelines import DedupPipeline, JsonlStorePipeline, NormalizePipeline, ValidatePipeline
from crawler.state import state_store_for

# The shared components the pipelines reach through the crawler (as settings.py wires them).
EXTENSIONS = {"crawler.state.StateStoreExtension": 100, "crawler.rejects.RejectLog": 110}


class SiteSpider(Spider):
    name = "dongthap"


def article(n: int, **overrides: object) -> Article:
    fields: dict[str, Any] = {
        "url": f"https://dongthap.gov.vn/-/asset_publisher/x/content/bai-{n}",
        "title": f"Bài viết số {n}",
        "published_at": "2021-01-22T15:31:00+07:00",
        "body": [f"Đoạn một của bài {n}.", "Đoạn hai."],
        "site": "dongthap",
    }
    fields.update(overrides)
    return Article(**fields)


class Pipes:
    """Validate, normalize, dedup and store over one crawler and data dir; `close()` ends the run."""

    def __init__(self, data_dir: Path, settings: dict[str, Any] | None = None, worker: str = "w1") -> None:
        self.crawler = get_crawler(
            SiteSpider,
            {
                "VN_DATA_DIR": str(data_dir),
                "VN_WORKER_ID": worker,
                "EXTENSIONS": EXTENSIONS,
                **(settings or {}),
            },
        )
        self.crawler.spider = SiteSpider()
        self.stages = [
            cls.from_crawler(self.crawler)
            for cls in (ValidatePipeline, NormalizePipeline, DedupPipeline, JsonlStorePipeline)
        ]
        self.store = self.stages[-1]
        self.store.open_spider()

    def feed(self, item: Article) -> Article | None:
        try:
            for stage in self.stages:
                item = stage.process_item(item)
        except DropItem:
            return None
        return item

    def close(self) -> None:
        self.store.close_spider()
        state_store_for(self.crawler).close()

    def stat(self, key: str) -> int:
        return self.crawler.stats.get_value(key, 0)


def lines(data_dir: Path, pattern: str = "dongthap/*.jsonl") -> list[dict[str, Any]]:
    out = []
    for path in sorted(data_dir.glob(pattern)):
        out += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return out
