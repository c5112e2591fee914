"""Rejects: every page or item that does not reach the feed is logged, counted and kept.

One JSON line per reject in `<VN_DATA_DIR>/rejects/<site>.jsonl` with the reason, so a
drop is never silent; stats count them under `vn/rejected/<reason>`. The log is a Scrapy
extension (EXTENSIONS), shared by the spider and the pipelines through `RejectLog.for_crawler`.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy.exceptions import NotConfigured

from crawler.paths import safe_child

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


class RejectLog:
    def __init__(self, data_dir: str | Path, crawler: Any = None) -> None:
        self.dir = Path(data_dir) / "rejects"
        # Read the stats through the crawler: spiders are built before Scrapy sets crawler.stats.
        self.crawler = crawler
        self._files: dict[str, Any] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RejectLog:
        """Built by Scrapy as an extension (in EXTENSIONS); its files close when the engine stops."""
        from scrapy import signals

        log = cls(crawler.settings.get("VN_DATA_DIR", "data"), crawler)
        crawler.signals.connect(log.close, signal=signals.engine_stopped)
        return log

    @classmethod
    def for_crawler(cls, crawler: Crawler) -> RejectLog:
        """The crawler's reject log (`crawler.get_extension(RejectLog)`)."""
        log = crawler.get_extension(cls)
        if log is None:
            raise NotConfigured("crawler.rejects.RejectLog is not enabled in EXTENSIONS")
        return log

    def reject(self, site: str, url: str | None, reason: str, **details: Any) -> None:
        record = {
            "site": site,
            "url": url,
            "reason": reason,
            "at": datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
            **details,
        }
        fh = self._files.get(site)
        if fh is None:
            path = safe_child(self.dir, f"{site}.jsonl")
            path.parent.mkdir(parents=True, exist_ok=True)
            fh = self._files[site] = path.open("a", encoding="utf-8")
        fh.write(json.dumps(record, ensure_ascii=False) + "\n")
        fh.flush()
        stats = getattr(self.crawler, "stats", None)
        if stats is not None:
            stats.inc_value("vn/rejected")
            stats.inc_value(f"vn/rejected/{reason}")
        logger.warning("rejected %s (%s): %s", url, site, reason)

    def close(self) -> None:
        for fh in self._files.values():
            fh.close()
        self._files.clear()
