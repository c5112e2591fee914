"""Log lines for dropped items name the reason, not the whole article (the rejects file has it)."""

from __future__ import annotations

import logging
from typing import Any

from scrapy import logformatter


class QuietDropLogFormatter(logformatter.LogFormatter):
    def dropped(self, item: Any, exception: BaseException, response: Any, spider: Any) -> dict[str, Any]:
        # Duplicates are routine in every incremental run; invalid items are already logged as rejects.
        return {"level": logging.DEBUG, "msg": "Dropped: %(exception)s", "args": {"exception": exception}}
