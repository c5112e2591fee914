"""Reliability soak: a crawl through seeded random faults stores every article exactly once and counts
every fault it met.

The replica serves 500 generated dongthap articles (100 listing pages) and, per request, draws a
fault from a fixed seed: HTTP 500/503, a response slower than DOWNLOAD_TIMEOUT, a TCP reset, or a
body cut short of its Content-Length. The draw depends on (URL, attempt number) only, so the run
is the same every time whatever the timing. The crawl's fault counts (Scrapy's downloader and
retry stats, and the project's vn/faults/<kind>) must equal the replica's fault log, kind by kind.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from crawl_helpers import feed_lines, run_crawl
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)

from crawler.extract import extract_page
from crawler.middlewares.faults import fault_kind
from crawler.summary import SiteSummary, format_table
from replica.corpus import generate_articles
from replica.server import ReplicaServer

KEY = "soak"
SITE = "dongthap"  # registry site (liferay-adt template) the generated replica stands for
ARTICLES = 500
SLOW_DELAY = 2.0
FAULTS = {
    "random": {
        "seed": 20240601,
        "status": 0.11,  # HTTP 500 / 503
        "slow": 0.05,  # answered after SLOW_DELAY s, past the crawl's 1 s DOWNLOAD_TIMEOUT
        "reset": 0.03,  # TCP RST before any response
        "truncate": 0.02,  # full Content-Length announced, half the body sent
        "slow_delay": SLOW_DELAY,
        "statuses": [500, 503],
    }
}
# 21 % of attempts fail: a URL fails all 11 attempts with p = 0.21**11 ~ 4e-8, so retries never run out.
SETTINGS = {
    "DOWNLOAD_TIMEOUT": 1,
    "RETRY_TIMES": 10,
    "CONCURRENT_REQUESTS": 16,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
}


@pytest.fixture
def soak_replica() -> Iterator[ReplicaServer]:
    server = ReplicaServer()
    articles = generate_articles(ARTICLES, 11, start=datetime(2024, 6, 1, 8, 0, 0))
    server.add_site(KEY, "liferay-adt", articles, site=SITE)
    with server:
        yield server


def _settled_log(server: ReplicaServer) -> dict[str, Any]:
    """The fault log once the last slow responses have been sent (they are logged when sent)."""
    time.sleep(SLOW_DELAY + 0.5)
    return server.log(KEY)


def test_a_crawl_through_random_faults_stores_every_article_once_and_counts_every_fault(
    soak_replica: ReplicaServer, tmp_path: Path
) -> None:
    server = soak_replica
    server.set_faults(KEY, FAULTS)
    started = time.monotonic()
    proc, stats = run_crawl(SITE, server.base_url(KEY), tmp_path, "mode=archive", timeout=110, **SETTINGS)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert time.monotonic() - started < 100
    log = _settled_log(server)
    assert not log["errors"], log["errors"]

    # What the replica injected: every kind, at about the configured shares.
    requests = log["requests"]
    faults = Counter(r["fault"] for r in requests if r["fault"])
    statuses = Counter(r["status"] for r in requests if r["fault"] == "status")
    total = len(requests)
    assert faults["status"] >= 0.09 * total and set(statuses) == {500, 503}
    assert faults["delay"] >= 0.03 * total
    assert faults["reset"] >= 0.02 * total
    assert faults["truncate"] >= 0.01 * total

    # Every article exactly once, none rejected, no request gave up.
    lines = feed_lines(tmp_path, SITE)
    counts = Counter(line["url"] for line in lines)
    assert [u for u, n in counts.items() if n > 1] == []
    assert sorted(counts) == sorted(server.listed_urls(KEY))
    assert stats["vn/items_written"] == ARTICLES
    assert "retry/max_reached" not in stats
    assert not (tmp_path / "rejects" / f"{SITE}.jsonl").exists()

    # Scrapy's own counters agree with the replica's log, kind by kind.
    assert stats.get("downloader/response_status_count/500", 0) == statuses[500]
    assert stats.get("downloader/response_status_count/503", 0) == statuses[503]
    assert stats.get("retry/reason_count/500 Internal Server Error", 0) == statuses[500]
    assert stats.get("retry/reason_count/503 Service Unavailable", 0) == statuses[503]
    exc = "downloader/exception_type_count/scrapy.exceptions."
    assert stats.get(exc + "ResponseDataLossError", 0) == faults["truncate"]
    assert stats.get(exc + "DownloadFailedError", 0) == faults["reset"]
    # A loaded machine may time out a normal response too (then retried): never fewer than injected.
    timeouts = stats.get(exc + "DownloadTimeoutError", 0)
    assert faults["delay"] <= timeouts <= faults["delay"] + 3

    # ... and so do the project's per-kind fault counts, which the run summary shows.
    assert stats.get("vn/faults/http_500", 0) == statuses[500]
    assert stats.get("vn/faults/http_503", 0) == statuses[503]
    assert stats.get("vn/faults/truncated", 0) == faults["truncate"]
    assert stats.get("vn/faults/connection", 0) == faults["reset"]
    assert stats.get("vn/faults/timeout", 0) == timeouts
    extra_timeouts = timeouts - faults["delay"]
    assert stats["vn/faults"] == sum(faults.values()) + extra_timeouts
    assert stats["retry/count"] == stats["vn/faults"]
    summary = SiteSummary.from_stats(SITE, stats)
    assert summary.faults == stats["vn/faults"] and summary.items == ARTICLES and not summary.failed
    table = format_table([summary])
    assert "faults" in table.splitlines()[0] and f" {summary.faults} " in table.splitlines()[2]


def test_a_truncated_page_is_detected_refetched_and_stored_whole(
    soak_replica: ReplicaServer, tmp_path: Path
) -> None:
    """The first 40 article responses are cut short: each is refused, fetched again, stored whole."""
    server = soak_replica
    server.set_faults(KEY, [{"path": "/content/", "kind": "truncate", "fraction": 0.6, "times": 40}])
    proc, stats = run_crawl(SITE, server.base_url(KEY), tmp_path, "mode=archive", timeout=110, **SETTINGS)
    assert proc.returncode == 0, proc.stderr[-3000:]
    log = server.log(KEY)
    cut = [r["path"] for r in log["requests"] if r["fault"] == "truncate"]
    assert len(cut) == 40
    assert stats["downloader/exception_type_count/scrapy.exceptions.ResponseDataLossError"] == 40
    assert stats["vn/faults/truncated"] == 40
    # Each cut page was fetched again, answered whole, and its item is the whole page's item.
    by_url = {line["url"]: line for line in feed_lines(tmp_path, SITE)}
    assert len(by_url) == ARTICLES == stats["vn/items_written"]
    renderer = server.renderer(KEY)
    for path in cut:
        later = [r for r in log["requests"] if r["path"] == path and r["fault"] is None]
        assert later and later[0]["status"] == 200, f"{path} was not fetched again"
        url = server.base_url(KEY) + path
        page = renderer.handle(path.partition("?")[0], {})
        assert page is not None
        whole = extract_page(url, page.bytes(), site_key=SITE)
        stored = by_url[whole["url"]]
        for field in ("title", "published_at", "lead", "body", "captions", "images", "author"):
            assert stored[field] == whole[field], f"{path}: {field} differs from the whole page's"


@pytest.mark.parametrize(
    ("exception", "kind"),
    [
        (DownloadTimeoutError("took longer than 1 seconds"), "timeout"),
        (ResponseDataLossError(), "truncated"),
        (DownloadFailedError("Connection was closed cleanly"), "connection"),
        (
            DownloadCancelledError("expected response size (52428800) larger than download max size"),
            "too_large",
        ),
        (CannotResolveHostError("no such host"), "dns"),
        (ValueError("something else"), "other"),
        (IgnoreRequest("robots.txt"), None),  # a decision, not a fault
    ],
)
def test_fault_kinds(exception: BaseException, kind: str | None) -> None:
    assert fault_kind(exception) == kind
