"""Spider arguments (`-a name=value`), parsed and checked in one place.

The crawl commands call `check_arguments` on the spider class before the crawl starts: a bad
value is then one line and exit 2 (crawler/cli.py), not an exception inside Scrapy's crawl task.
The spiders' `__init__` use the same parsers, so the two can never disagree.
"""

from __future__ import annotations

from datetime import date
from urllib.parse import urlsplit

MODES = ("incremental", "archive")


class SpiderArgumentError(ValueError):
    """A `-a` value the spider cannot use; the message names the argument and the expected form."""


def parse_mode(value: str | None) -> str:
    mode = value or "incremental"
    if mode not in MODES:
        raise SpiderArgumentError(f"-a mode: must be one of {', '.join(MODES)}, not {value!r}")
    return mode


def parse_since(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise SpiderArgumentError(f"-a since: must be a date YYYY-MM-DD, not {value!r}") from None


def parse_refresh_days(value: str | int | None) -> int | None:
    if value is None:
        return None
    try:
        days = int(value)
    except ValueError:
        days = -1
    if days < 0:
        raise SpiderArgumentError(f"-a refresh_days: must be a whole number of days >= 0, not {value!r}")
    return days


def parse_origin_url(value: str, argument: str) -> str:
    """An http(s) URL with a host, without its trailing slash."""
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SpiderArgumentError(
            f"-a {argument}: must be an http(s) URL with a host, e.g. https://example.gov.vn/, not {value!r}"
        )
    return value.strip().rstrip("/")
