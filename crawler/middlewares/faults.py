"""Count every transport fault a crawl meets, per attempt, under `vn/faults/<kind>` (and `vn/faults`).

Scrapy's own counters are split across retry stats (only faults that were retried, keyed by
exception path or status phrase) and downloader stats (exception class paths). The run summary
wants one number per kind of fault, including the last attempt of a request that gave up:

    http_<status>  a 5xx (or another RETRY_HTTP_CODES status: 408, 429) answer
    timeout        no answer within DOWNLOAD_TIMEOUT
    connection     reset, refused or lost connection before a complete answer
    truncated      the body ended before its Content-Length (DOWNLOAD_FAIL_ON_DATALOSS)
    too_large      refused by DOWNLOAD_MAXSIZE (other cancelled downloads: cancelled)
    dns            the host name did not resolve
    other          any other download exception (its class is logged)

Placed just outside RetryMiddleware (550), so every attempt's response and exception passes
here before a retry is scheduled. IgnoreRequest (robots.txt, refused redirects) is a decision,
not a fault, and is not counted.

Twisted's connection pool re-sends a GET once, invisibly, when a reused keep-alive connection
fails before the response starts (a reset): such a fault reached neither the retry stats nor
these counts. Building this middleware turns that off (`HTTPConnectionPool.retryAutomatically`,
a documented Twisted switch, for the crawl's process), so the failure goes through
RetryMiddleware, with its retry budget and its counts, like any other.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from twisted.internet import error as tx_error
from twisted.web.client import HTTPConnectionPool, ResponseFailed

logger = logging.getLogger(__name__)

_KINDS: tuple[tuple[tuple[type[BaseException], ...], str], ...] = (
    ((DownloadTimeoutError, tx_error.TimeoutError, tx_error.TCPTimedOutError), "timeout"),
    ((ResponseDataLossError,), "truncated"),
    ((CannotResolveHostError, tx_error.DNSLookupError), "dns"),
    (
        (
            DownloadFailedError,
            DownloadConnectionRefusedError,
            ResponseFailed,
            tx_error.ConnectionRefusedError,
            tx_error.ConnectionLost,
            tx_error.ConnectionDone,
            tx_error.ConnectError,
            ConnectionError,
        ),
        "connection",
    ),
)


def fault_kind(exception: BaseException) -> str | None:
    """The fault kind of a download exception; None for what is not a fault (IgnoreRequest)."""
    if isinstance(exception, IgnoreRequest):
        return None
    if isinstance(exception, DownloadCancelledError):
        # Scrapy cancels a download that exceeds DOWNLOAD_MAXSIZE with this message.
        return "too_large" if "max size" in str(exception) else "cancelled"
    for types, kind in _KINDS:
        if isinstance(exception, types):
            return kind
    return "other"


class FaultCounter:
    def __init__(self, stats: Any, codes: set[int]) -> None:
        self.stats = stats
        self.codes = codes

    @classmethod
    def from_crawler(cls, crawler: Any) -> FaultCounter:
        HTTPConnectionPool.retryAutomatically = False  # see the module docstring
        codes = {int(c) for c in crawler.settings.getlist("RETRY_HTTP_CODES")}
        return cls(crawler.stats, codes)

    def _count(self, kind: str) -> None:
        self.stats.inc_value("vn/faults")
        self.stats.inc_value(f"vn/faults/{kind}")

    def process_response(self, request: Any, response: Any, spider: Any = None) -> Any:
        if response.status >= 500 or response.status in self.codes:
            self._count(f"http_{response.status}")
        return response

    def process_exception(self, request: Any, exception: BaseException, spider: Any = None) -> None:
        kind = fault_kind(exception)
        if kind is not None:
            if kind == "other":
                logger.info("download of %s failed: %s: %s", request.url, type(exception).__name__, exception)
            self._count(kind)
        return None  # RetryMiddleware and the errback decide what happens next
