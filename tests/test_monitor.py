"""Drift monitor arithmetic (the end-to-end drift run is in tests/test_crawl.py)."""

from __future__ import annotations

from typing import Any

from crawler.extensions.monitor import coverage, coverage_failures
from crawler.items import Article


def test_coverage_counts_the_share_of_items_with_each_field() -> None:
    items = [
        Article(url="u1", title="a", body=["x"], captions=["c"], author="A"),
        Article(url="u2", title="b", body=["y"]),
        Article(url="u3", title="c", body=[]),
        Article(url="u4", title="d", body=["z"], author="B"),
    ]
    shares = coverage(items)
    assert shares["title"] == 1.0 and shares["body"] == 0.75 and shares["captions"] == 0.25
    assert shares["author"] == 0.5 and shares["lead"] == 0.0


def test_a_field_below_its_threshold_is_named() -> None:
    failures = coverage_failures({"title": 1.0, "body": 0.2}, {"title": 1.0, "body": 1.0})
    assert failures == ["field 'body' on 20% of items, below the 100% threshold"]
    assert coverage_failures({"title": 1.0}, {"title": 0.9}) == []


def _monitor(min_items: int) -> tuple[Any, Any]:
    from scrapy.utils.test import get_crawler

    from crawler.extensions.monitor import DriftMonitor
    from crawler.sites import get_site

    crawler = get_crawler(settings_dict={"VN_MONITOR_MIN_ITEMS": min_items})
    spider = type("S", (), {"site": get_site("thaibinh")})()
    return DriftMonitor.from_crawler(crawler), spider


def _drifted(n: int, suspect: int = 0) -> list[Article]:
    return [
        Article(
            url=f"u{i}",
            title="t",
            published_at="2021-01-01",
            body=["x"],
            lead="l",
            captions=["c"],
            author="a",
            extraction={
                "template": "liferay-journal",
                "fallback": ["body", "published_at"] if i % 4 else ["body"],
                **({"suspect": "hidden: the body sits in a hidden element"} if i < suspect else {}),
            },
        )
        for i in range(n)
    ]


def test_fallback_above_the_threshold_fails_the_run_naming_site_and_field() -> None:
    monitor, spider = _monitor(min_items=20)
    for item in _drifted(20, suspect=2):
        monitor.item_seen(item)
    monitor.spider_closed(spider, "finished")
    stats = monitor.crawler.stats
    failure = stats.get_value("vn/failure")
    assert "template drift on thaibinh: body from fallback on 100 % of items" in failure
    assert "published_at from fallback on 75 % of items" in failure
    assert stats.get_value("vn/extraction/fallback/body") == 1.0
    assert stats.get_value("vn/extraction/fallback/published_at") == 0.75
    assert stats.get_value("vn/extraction/suspect") == 0.1
    assert "suspect body 10 %" in stats.get_value("vn/extraction/summary")


def test_fallback_rates_below_the_minimum_sample_are_not_judged() -> None:
    monitor, spider = _monitor(min_items=20)
    for item in _drifted(19):
        monitor.item_seen(item)
    monitor.spider_closed(spider, "finished")
    stats = monitor.crawler.stats
    assert stats.get_value("vn/failure") is None
    assert stats.get_value("vn/coverage/judged").startswith("too few items to judge")
    assert stats.get_value("vn/extraction/fallback/body") == 1.0  # reported, not judged


def test_a_share_at_the_threshold_is_not_an_alarm() -> None:
    from crawler.extensions.monitor import fallback_failures

    assert fallback_failures({"body": 0.2}, 0.2) == []
    assert fallback_failures({"body": 0.25, "lead": 0.1}, 0.2) == ["body from fallback on 25 % of items"]
