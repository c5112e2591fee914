"""Drift monitor arithmetic (the end-to-end drift run is in tests/test_crawl.py)."""

from __future__ import annotations

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
