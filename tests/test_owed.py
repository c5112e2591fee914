"""The owed-articles ledger end to end (issue 15): an article that runs out of retries is fetched
again by later runs (1, 2, 4 ... runs apart) until stored or abandoned, and a run that loses data
exits non-zero naming the site and why. Real crawls of the replica, one subprocess per run.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from crawl_helpers import feed_lines, run_crawl

from crawler.middlewares.addresses import is_private_host

KEY = "dongthap"  # 13 articles, liferay-adt


def _article_paths(server: Any, n: int) -> list[str]:
    return [u.removeprefix(server.base_url(KEY)) for u in sorted(server.listed_urls(KEY))[:n]]


def _requests_for(server: Any, path: str) -> int:
    return sum(1 for r in server.log(KEY)["requests"] if r["path"] == path)


def _rejects(data: Path) -> list[dict[str, Any]]:
    path = data / "rejects" / f"{KEY}.jsonl"
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []


def test_articles_that_ran_out_of_retries_are_fetched_first_by_the_next_run(
    fresh_replica, tmp_path: Path
) -> None:
    server = fresh_replica(KEY)
    paths = _article_paths(server, 2)
    # Each of the two pages answers 503 to both attempts of the first run (RETRY_TIMES=1), then 200.
    server.set_faults(KEY, [{"path": p + "$", "kind": "status", "status": 503, "times": 2} for p in paths])
    proc, stats = run_crawl(KEY, server.base_url(KEY), tmp_path, RETRY_TIMES=1)
    assert proc.returncode == 1
    assert stats["vn/failure"] == (
        f"lost data on {KEY}: 2 owed articles (15 % of 13 listed) over the 5 % threshold"
    )
    assert f"lost data on {KEY}" in proc.stderr
    assert (stats["vn/owed/total"], stats["vn/owed/new"], stats["vn/owed/recovered"]) == (2, 2, 0)
    assert stats["vn/items_written"] == 11
    assert Counter(r["reason"] for r in _rejects(tmp_path)) == {"http_503": 2}

    proc, stats = run_crawl(KEY, server.base_url(KEY), tmp_path, RETRY_TIMES=1)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "fetching 2 owed articles first" in proc.stderr
    assert (stats["vn/owed/due"], stats["vn/owed/recovered"], stats["vn/owed/total"]) == (2, 2, 0)
    assert stats["vn/items_written"] == 2
    lines = feed_lines(tmp_path, KEY)
    assert sorted(line["url"] for line in lines) == sorted(server.listed_urls(KEY))  # all, once each


def test_an_owed_article_backs_off_1_2_runs_then_is_abandoned_and_fails_the_run(
    fresh_replica, tmp_path: Path
) -> None:
    server = fresh_replica(KEY)
    (path,) = _article_paths(server, 1)
    server.set_faults(KEY, [{"path": path + "$", "kind": "status", "status": 503}])  # never recovers
    settings = {"RETRY_TIMES": 0, "VN_OWED_MAX_ATTEMPTS": 3, "VN_OWED_FAIL_PERCENT": 50}
    fetched, codes, totals = [], [], []
    for _ in range(5):
        before = _requests_for(server, path)
        proc, stats = run_crawl(KEY, server.base_url(KEY), tmp_path, **settings)
        fetched.append(_requests_for(server, path) - before)
        codes.append(proc.returncode)
        totals.append((stats["vn/owed/total"], stats["vn/owed/abandoned"]))
        if stats["vn/owed/abandoned"]:
            assert "1 articles abandoned after 3 attempts" in stats["vn/failure"]
            assert f"{server.base_url(KEY)}{path}: http_503" in stats["vn/failure"]
    # Runs 1, 2 and 4 try it (attempt 1, then 1 run later, then 2 runs later); the third attempt
    # abandons it; run 5 leaves it alone. Run 1 (1 of 13 owed) is under the 50 % threshold; runs 2
    # and 4 fetch nothing but that page (the drift monitor's "all 1 article pages failed"), and
    # run 4 abandons it.
    assert fetched == [1, 1, 0, 1, 0]
    assert codes == [0, 1, 0, 1, 0]
    assert totals == [(1, 0), (1, 0), (1, 0), (0, 1), (0, 0)]
    assert len(feed_lines(tmp_path, KEY)) == 12


def test_a_lost_listing_page_fails_the_run_and_the_next_run_walks_every_listing(
    fresh_replica, tmp_path: Path
) -> None:
    server = fresh_replica(KEY)
    rule = {"path": r"/tin-tuc\?.*(cur|page)=2", "kind": "status", "status": 503, "times": 1}
    server.set_faults(KEY, [rule])
    proc, stats = run_crawl(KEY, server.base_url(KEY), tmp_path, RETRY_TIMES=0)
    lost = [r for r in server.log(KEY)["requests"] if r["fault"]]
    assert len(lost) == 1, "the rule must hit the second listing page"
    assert proc.returncode == 1
    assert stats["vn/failure"].startswith(f"lost data on {KEY}: listing page lost: ")
    assert stats["vn/failure"].endswith(f"{lost[0]['path']} (http_503)")
    proc, stats = run_crawl(KEY, server.base_url(KEY), tmp_path, RETRY_TIMES=0)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert stats.get("vn/walk_all") is True
    assert sorted(x["url"] for x in feed_lines(tmp_path, KEY)) == sorted(server.listed_urls(KEY))


def test_an_article_redirected_offsite_is_a_counted_reject_and_stays_owed(
    fresh_replica, tmp_path: Path
) -> None:
    server = fresh_replica(KEY)
    (path,) = _article_paths(server, 1)
    away = {"Location": "http://elsewhere.example.com/stolen"}
    server.set_faults(KEY, [{"path": path + "$", "kind": "status", "status": 302, "headers": away}])
    proc, stats = run_crawl(KEY, server.base_url(KEY), tmp_path)
    assert proc.returncode == 1  # 1 of 13 owed: over 5 %
    (reject,) = _rejects(tmp_path)
    assert reject["reason"] == "offsite_redirect" and reject["url"] == server.base_url(KEY) + path
    assert stats["vn/refused/offsite_redirect"] == 1 and stats["vn/owed/total"] == 1


@pytest.mark.parametrize(
    ("host", "private"),
    [
        ("100.64.0.1", True),  # shared address space (RFC 6598)
        ("100.127.255.254", True),
        ("100.128.0.1", False),
        ("2002:7f00:1::", True),  # 6to4 of 127.0.0.1
        ("2002:c0a8:101::1", True),  # 6to4 of 192.168.1.1
        ("2002:808:808::1", False),  # 6to4 of 8.8.8.8
        ("::ffff:10.0.0.1", True),  # IPv4-mapped
        ("2001:4860:4860::8888", False),
    ],
)
def test_the_private_address_guard_knows_shared_space_and_embedded_ipv4(host: str, private: bool) -> None:
    assert is_private_host(host) is private


def test_a_state_error_in_the_dedup_step_is_a_counted_reject(tmp_path: Path) -> None:
    """Before: the item vanished with the exception. Now: a `state_error` reject, counted."""
    import sqlite3

    from pipeline_helpers import Pipes, article

    pipes = Pipes(tmp_path)
    try:
        dedup = pipes.stages[2]

        def broken(*_: Any) -> None:
            raise sqlite3.DatabaseError("database disk image is malformed")

        dedup.state.get = broken  # type: ignore[method-assign]
        assert pipes.feed(article(1)) is None
        assert pipes.stat("vn/rejected/state_error") == 1
    finally:
        pipes.close()
    (reject,) = [json.loads(x) for x in (tmp_path / "rejects" / "dongthap.jsonl").read_text().splitlines()]
    assert reject["reason"] == "state_error" and "malformed" in reject["error"]


def test_a_listing_walk_cut_short_without_an_error_is_reported_and_walked_again(
    fresh_replica, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = fresh_replica(KEY)
    monkeypatch.setenv("PYTHONPATH", str(Path(__file__).parent))  # lossy_scheduler, in the crawl
    proc, stats = run_crawl(
        KEY, server.base_url(KEY), tmp_path, SCHEDULER="lossy_scheduler.LosesListingPage2"
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert stats["vn/listing/incomplete"] == 1
    assert "the run finished before 1 of its 1 listing walks reached their end" in proc.stderr
    assert stats["vn/items_written"] == 5  # listing page 1 only

    proc, stats = run_crawl(KEY, server.base_url(KEY), tmp_path)  # an incremental cron run
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert stats["vn/walk_all"] is True  # the cut walk was not taken as the whole site
    assert "vn/listing/incomplete" not in stats
    assert sorted(line["url"] for line in feed_lines(tmp_path, KEY)) == sorted(server.listed_urls(KEY))
