"""Write a run's final stats as JSON (VN_STATS_FILE), for cron wrappers, dashboards and tests."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.exceptions import NotConfigured


class StatsFile:
    def __init__(self, crawler: Any, path: str) -> None:
        self.crawler = crawler
        self.path = path

    @classmethod
    def from_crawler(cls, crawler: Any) -> StatsFile:
        path = crawler.settings.get("VN_STATS_FILE")
        if not path:
            raise NotConfigured("VN_STATS_FILE is not set")
        ext = cls(crawler, path)
        # engine_stopped comes after every spider_closed handler (the drift monitor's verdict included).
        crawler.signals.connect(ext.write, signal=signals.engine_stopped)
        return ext

    def write(self) -> None:
        spider = self.crawler.spider
        path = Path(self.path.replace("{site}", getattr(spider, "name", "spider")))
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(json.dumps(self.crawler.stats.get_stats(), default=str, indent=1), encoding="utf-8")
        os.replace(tmp, path)
