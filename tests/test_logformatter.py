"""The project's log formatter: no per-page DEBUG records when the log level hides them."""

from __future__ import annotations

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from crawler.items import Article
from crawler.logformatter import QuietDropLogFormatter


def _formatter(**settings: object) -> QuietDropLogFormatter:
    return QuietDropLogFormatter.from_crawler(get_crawler(settings_dict=settings))


REQUEST = Request("https://dongthap.gov.vn/tin-tuc")
RESPONSE = HtmlResponse(REQUEST.url, body=b"<html></html>", request=REQUEST)


@pytest.mark.parametrize(
    "settings", [{"LOG_LEVEL": "INFO"}, {"LOG_LEVEL": "WARNING"}, {"LOG_ENABLED": False}]
)
def test_hidden_debug_lines_are_not_built(settings: dict) -> None:
    fmt = _formatter(**settings)
    assert fmt.crawled(REQUEST, RESPONSE, None) is None
    assert fmt.scraped(Article(url=REQUEST.url), RESPONSE, None) is None


@pytest.mark.parametrize("level", ["DEBUG", "debug", 10])
def test_debug_lines_are_kept_at_debug_level(level: object) -> None:
    fmt = _formatter(LOG_LEVEL=level)
    crawled = fmt.crawled(REQUEST, RESPONSE, None)
    assert crawled is not None and "Crawled" in crawled["msg"]
    scraped = fmt.scraped(Article(url=REQUEST.url), RESPONSE, None)
    assert scraped is not None and "Scraped" in scraped["msg"]


def test_drops_name_the_reason_only() -> None:
    out = _formatter(LOG_LEVEL="INFO").dropped(
        Article(url=REQUEST.url), ValueError("duplicate"), RESPONSE, None
    )
    assert (
        out["args"] == {"exception": out["args"]["exception"]}
        and str(out["args"]["exception"]) == "duplicate"
    )
