"""One line and a non-zero exit for every mistake a user can make, never a traceback.

The crawl commands (`scrapy crawl`, `crawlall`) and the module CLIs (`python -m crawler.reextract`,
`crawler.feed`) report the errors of `known_errors()` as one `error: ...` line on stderr and exit
EXIT_ERROR. Scrapy 2.19 builds spiders and their components inside an asyncio task, where an
exception is logged as "Task exception was never retrieved" with its traceback: `CrawlErrors`
takes such exceptions from the tasks so the command can print them as one line instead. The
traceback stays available at DEBUG level (`-L DEBUG`), for bugs.
"""

from __future__ import annotations

import asyncio
import difflib
import logging
import sys
from collections.abc import Iterable
from typing import Any

from scrapy.exceptions import UsageError

from crawler.pipelines import SiteLockedError
from crawler.render import ChromiumMissing
from crawler.sites import SitesFileError
from crawler.spiders.arguments import SpiderArgumentError

logger = logging.getLogger(__name__)

EXIT_ERROR = 2


class UsageProblem(Exception):
    """A mistake on the command line (unknown spider or site); the message is the whole line."""


def unknown_name(kind: str, name: str, known: Iterable[str]) -> UsageProblem:
    """'unknown spider 'dongthp' (did you mean dongthap?); known: ...'"""
    known = sorted(known)
    close = difflib.get_close_matches(name, known, n=1)
    hint = f" (did you mean {close[0]}?)" if close else ""
    return UsageProblem(f"unknown {kind} {name!r}{hint}; known: {', '.join(known)}")


def _redis_errors() -> tuple[type[BaseException], ...]:
    try:
        from redis.exceptions import ConnectionError as RedisConnectionError
        from redis.exceptions import TimeoutError as RedisTimeoutError
    except ImportError:  # single-machine installs have no redis-py
        return ()
    return (RedisConnectionError, RedisTimeoutError)


def known_errors() -> tuple[type[BaseException], ...]:
    return (
        UsageProblem,
        UsageError,
        SpiderArgumentError,
        SitesFileError,
        ChromiumMissing,
        SiteLockedError,
        *_redis_errors(),
    )


def one_line(exc: BaseException, settings: Any = None) -> str:
    """The error as one line: the message of a known error, else its type and message."""
    if isinstance(exc, _redis_errors()):
        from crawler.distributed import redis_url

        url = redis_url(settings) if settings is not None else None
        text = (
            f"cannot reach Redis at {url or 'REDIS_URL'} ({exc}): start redis-server, fix REDIS_URL, "
            "or crawl on one machine with -s VN_DISTRIBUTED=0"
        )
    elif isinstance(exc, known_errors()):
        text = str(exc)
    elif isinstance(exc, KeyError) and exc.args:
        text = str(exc.args[0])
    else:
        text = f"{type(exc).__name__}: {exc} (run with -L DEBUG for the traceback)"
    return " ".join(text.split())


def report(exc: BaseException, settings: Any = None, prefix: str = "") -> int:
    """Print `error: <prefix><one line>` on stderr; returns the exit code to use."""
    logger.debug("error details", exc_info=exc)
    print(f"error: {prefix}{one_line(exc, settings)}", file=sys.stderr, flush=True)
    return EXIT_ERROR


class CrawlErrors:
    """The exceptions that stopped crawls from starting, by site, taken from their tasks."""

    def __init__(self) -> None:
        self.errors: dict[str, BaseException] = {}

    def watch(self, name: str, started: Any) -> None:
        """`started` is what `CrawlerProcess.crawl` returned: an asyncio task or a Deferred."""
        if isinstance(started, asyncio.Future):

            def done(task: asyncio.Future[Any]) -> None:
                # Retrieving the exception also keeps asyncio from logging it with a traceback.
                if not task.cancelled() and task.exception() is not None:
                    self.errors[name] = task.exception()  # type: ignore[assignment]

            started.add_done_callback(done)
        elif hasattr(started, "addErrback"):

            def failed(failure: Any) -> None:
                self.errors[name] = failure.value

            started.addErrback(failed)

    def report(self, settings: Any, *, per_site: bool = False) -> int:
        """One line per distinct error (the site first when several ran); 0 when none."""
        seen: set[str] = set()
        code = 0
        for name, exc in self.errors.items():
            line = one_line(exc, settings)
            if line in seen:
                continue
            seen.add(line)
            code = report(exc, settings, prefix=f"{name}: " if per_site else "")
        return code
