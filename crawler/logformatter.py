"""Log lines for dropped items name the reason, not the whole article (the rejects file has it).

The per-page DEBUG lines ("Crawled (200) ...", "Scraped from ...") are not built at all when
LOG_LEVEL hides them: Scrapy's loggers hand every record to a root handler that filters by level,
so each of those lines cost a LogRecord per page for nothing.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy import logformatter


def _debug_shown(level: Any) -> bool:
    if isinstance(level, str):
        level = logging.getLevelName(level.strip().upper())
    return not isinstance(level, int) or level <= logging.DEBUG  # unknown: keep the lines


class QuietDropLogFormatter(logformatter.LogFormatter):
    def __init__(self, debug_shown: bool = True) -> None:
        self.debug_shown = debug_shown

    @classmethod
    def from_crawler(cls, crawler: Any) -> QuietDropLogFormatter:
        settings = crawler.settings
        return cls(settings.getbool("LOG_ENABLED", True) and _debug_shown(settings.get("LOG_LEVEL", "DEBUG")))

    def crawled(self, request: Any, response: Any, spider: Any) -> Any:
        return super().crawled(request, response, spider) if self.debug_shown else None

    def scraped(self, item: Any, response: Any, spider: Any) -> Any:
        return super().scraped(item, response, spider) if self.debug_shown else None

    def dropped(self, item: Any, exception: BaseException, response: Any, spider: Any) -> dict[str, Any]:
        # Duplicates are routine in every incremental run; invalid items are already logged as rejects.
        return {"level": logging.DEBUG, "msg": "Dropped: %(exception)s", "args": {"exception": exception}}
