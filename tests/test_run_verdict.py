"""What a run reports (issue 15): the summary's owed / recovered / abandoned columns, and the drift
monitor's minimum sample ("too few items to judge" instead of an alarm on 3 items)."""

from __future__ import annotations

from types import SimpleNamespace

from scrapy.statscollectors import MemoryStatsCollector
from scrapy.utils.test import get_crawler

from crawler.extensions.monitor import DriftMonitor
from crawler.items import Article
from crawler.sites import get_site
from crawler.summary import SiteSummary, format_table


def test_the_summary_shows_owed_recovered_and_abandoned() -> None:
    stats = {
        "finish_reason": "finished",
        "vn/items_written": 40,
        "vn/owed/total": 3,
        "vn/owed/recovered": 7,
        "vn/owed/abandoned": 1,
        "vn/failure": "lost data on dongthap: 1 articles abandoned after 6 attempts",
    }
    row = SiteSummary.from_stats("dongthap", stats)
    assert (row.owed, row.recovered, row.abandoned) == (3, 7, 1) and row.failed
    header, _, line, failed = format_table([row]).splitlines()
    assert header.split()[-4:] == ["owed", "recovered", "abandoned", "finish_reason"]
    assert line.split()[-4:] == ["3", "7", "1", "finished"]
    assert failed == "FAILED dongthap: lost data on dongthap: 1 articles abandoned after 6 attempts"


def _monitor_run(items: list[Article], min_items: int = 20) -> tuple[dict, str]:
    crawler = get_crawler(settings_dict={"VN_MONITOR_MIN_ITEMS": min_items})
    crawler.stats = MemoryStatsCollector(crawler)
    monitor = DriftMonitor.from_crawler(crawler)
    for item in items:
        monitor.item_seen(item)
    crawler.stats.set_value("vn/pages/article", len(items))
    monitor.spider_closed(SimpleNamespace(site=get_site("dongthap")), "finished")
    stats = crawler.stats.get_stats()
    return stats, format_table([SiteSummary.from_stats("dongthap", {**stats, "finish_reason": "finished"})])


def _items(n: int, authors: int) -> list[Article]:
    return [
        Article(
            url=f"u{i}", title="t", published_at="2024-01-01", body=["b"], author="A" if i < authors else None
        )
        for i in range(n)
    ]


def test_three_items_are_too_few_to_judge() -> None:
    stats, table = _monitor_run(_items(3, 1))  # author on 33 %, under dongthap's 50 % threshold
    assert "vn/failure" not in stats
    assert stats["vn/coverage/judged"] == "too few items to judge (3 < 20)"
    assert "note dongthap: field coverage not judged, too few items to judge (3 < 20)" in table


def test_from_the_minimum_sample_on_coverage_is_judged() -> None:
    stats, table = _monitor_run(_items(20, 6))
    assert "field 'author' on 30% of items" in stats["vn/failure"]
    assert "FAILED dongthap: template drift on dongthap" in table


def test_zero_items_from_fetched_article_pages_still_fails() -> None:
    crawler = get_crawler(settings_dict={})
    crawler.stats = MemoryStatsCollector(crawler)
    monitor = DriftMonitor.from_crawler(crawler)
    crawler.stats.set_value("vn/pages/article", 4)
    monitor.spider_closed(SimpleNamespace(site=get_site("dongthap")), "finished")
    assert "4 article pages fetched but no item parsed" in crawler.stats.get_value("vn/failure")
