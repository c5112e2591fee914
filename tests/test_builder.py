"""The item builder (crawler/builder.py, issue 14 item 1): the spider's article callback and
`crawler.extract` build the same item, and refuse the same page with the same reject.

The crawl path here is the spider's own callback (`parse_article`, as Scrapy calls it) over the
real state store and reject log; tests/test_one_path.py runs whole crawls, extract batches and
re-extractions.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from scrapy.http import HtmlResponse, Request
from scrapy.utils.test import get_crawler

from crawler.builder import Reject, build_item, finish_item, problems
from crawler.extract import Rejected, extract_page
from crawler.items import Article
from crawler.sites import get_site
from crawler.spiders.base import PortalSpider, listed_url

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden"
CASES = ("dongthap", "gialai")  # Liferay; WordPress


def _case(key: str) -> tuple[str, bytes, dict[str, Any]]:
    case = GOLDEN / key / "reference"
    url = (case / "url.txt").read_text(encoding="utf-8").strip()
    expected = json.loads((case / "expected.json").read_text(encoding="utf-8"))
    return url, (case / "page.html").read_bytes(), expected


def _bodiless(key: str) -> tuple[str, bytes]:
    """The reference page with every body paragraph's text cut out: title and date stay."""
    url, page, expected = _case(key)
    html = page.decode("utf-8")
    for paragraph in expected["body"]:
        html = html.replace(paragraph, "")
    return url, html.encode("utf-8")


def _spider(tmp_path: Path, key: str) -> PortalSpider:
    from scrapy.utils.project import get_project_settings

    from crawler.spiderloader import SiteSpiderLoader

    spider_cls = SiteSpiderLoader.from_settings(get_project_settings()).load(key)
    crawler = get_crawler(spider_cls, {"VN_DATA_DIR": str(tmp_path)})
    spider = spider_cls.from_crawler(crawler)
    spider.run = 1
    return spider


def _crawl_page(spider: PortalSpider, url: str, body: bytes, **context: Any) -> list[Article]:
    """The page through the spider's article callback, owed first as a listed article is."""
    spider.state_store.owe(spider.site.key, url, 1)
    request = Request(url, meta={"vn_page": "article", "vn_owed": url}, cb_kwargs=context)
    response = HtmlResponse(
        url, body=body, headers={"Content-Type": "text/html; charset=UTF-8"}, request=request
    )
    return list(spider.parse_article(response, **context))


def _rejects(tmp_path: Path, key: str) -> list[dict[str, Any]]:
    path = tmp_path / "rejects" / f"{key}.jsonl"
    return (
        [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []
    )


def _without_crawled_at(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k != "crawled_at"}


@pytest.mark.parametrize("key", CASES)
def test_the_spider_and_extract_build_the_same_item(key: str, tmp_path: Path) -> None:
    from crawler.items import article_record

    url, page, expected = _case(key)
    spider = _spider(tmp_path, key)
    (item,) = _crawl_page(spider, url, page)
    assert listed_url(item) == url  # the ledger key rides along to the pipelines
    crawled = article_record(item)
    extracted = extract_page(url, page, "text/html; charset=UTF-8")
    assert _without_crawled_at(crawled) == _without_crawled_at(extracted)
    assert crawled["id"] and crawled["content_hash"] and crawled["title"] == expected["title"]
    assert _rejects(tmp_path, key) == []


@pytest.mark.parametrize("key", CASES)
def test_a_page_without_body_is_the_same_reject_in_the_spider_and_in_extract(
    key: str, tmp_path: Path
) -> None:
    url, page = _bodiless(key)
    spider = _spider(tmp_path, key)
    assert _crawl_page(spider, url, page) == []  # nothing reaches the pipelines
    (logged,) = _rejects(tmp_path, key)
    assert logged["reason"] == "missing_body" and logged["all_reasons"] == ["missing_body"]
    stats = spider.crawler.stats
    assert stats.get_value("vn/validate/missing_body") == 1
    assert stats.get_value("vn/rejected/missing_body") == 1
    (owed,) = spider.state_store.owed(key)  # still owed, with the reason
    assert (owed.url, owed.reason, owed.attempts) == (url, "missing_body", 1)

    with pytest.raises(Rejected) as caught:
        extract_page(url, page, "text/html; charset=UTF-8")
    record = caught.value.record
    assert record == {
        "url": logged["url"],
        "rejected": logged["reason"],
        "all_reasons": logged["all_reasons"],
        "title": logged["title"],
    }


def test_extract_prints_the_reject_line_and_exits_1(tmp_path: Path) -> None:
    url, page = _bodiless("dongthap")
    path = tmp_path / "page.html"
    path.write_bytes(page)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    run = [sys.executable, "-m", "crawler.extract"]
    proc = subprocess.run([*run, "--url", url, str(path)], cwd=ROOT, env=env, capture_output=True, text=True)
    assert proc.returncode == 1, proc.stderr
    line = json.loads(proc.stdout)
    assert (line["rejected"], line["all_reasons"]) == ("missing_body", ["missing_body"])
    assert url.startswith(line["url"])  # the article's canonical URL, as in the rejects file
    # A batch prints the same line and goes on.
    good_url, good_page, _ = _case("dongthap")
    (tmp_path / "good.html").write_bytes(good_page)
    (tmp_path / "m.tsv").write_text(f"{url}\tpage.html\n{good_url}\tgood.html\n", encoding="utf-8")
    proc = subprocess.run(
        [*run, "--batch", str(tmp_path / "m.tsv")], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr
    first, second = (json.loads(x) for x in proc.stdout.splitlines())
    assert first == line
    assert good_url.startswith(second["url"]) and second["body"]


def test_a_rest_post_builds_the_same_item_in_the_spider_and_the_builder(tmp_path: Path) -> None:
    url, page, _ = _case("gialai")
    post = json.loads((ROOT / "tests" / "golden_rest" / "gialai" / "reference" / "post.json").read_text())
    spider = _spider(tmp_path, "gialai")
    (item,) = _crawl_page(spider, url, page, post={"post": post})
    built = build_item(page, url, get_site("gialai"), None, "text/html; charset=UTF-8", {"post": post})
    assert isinstance(built, Article)
    built.crawled_at = item.crawled_at
    assert built == item
    assert item.source_id and item.source_id.startswith("wp:")


def _article(**fields: Any) -> Article:
    base: dict[str, Any] = {
        "url": "https://dongthap.gov.vn/-/a",
        "title": "Tiêu đề",
        "published_at": "2021-01-22T15:31:00+07:00",
        "body": ["Đoạn một."],
        "site": "dongthap",
        "fetched_url": "https://dongthap.gov.vn/-/a",
    }
    return Article(**{**base, **fields})


def test_an_item_the_parser_flags_suspect_is_rejected_as_suspect_body() -> None:
    flagged = _article(
        extraction={"template": "liferay", "suspect": "body disagrees with the generic extractor"}
    )
    assert problems(flagged) == ["suspect_body"]
    reject = finish_item(flagged)
    assert isinstance(reject, Reject) and reject.reason == "suspect_body"
    assert reject.details["suspect"] == "body disagrees with the generic extractor"
    # The other reasons come first; the unflagged item passes.
    assert problems(_article(body=[], extraction={"suspect": True})) == ["missing_body", "suspect_body"]
    assert problems(_article(extraction={"template": "liferay", "parser_version": 3})) == []


def test_a_body_cut_at_the_walkers_paragraph_limit_is_a_reject_not_an_item() -> None:
    # A 50 MB dump of paragraphs (tests/test_generic_extractor.py): the walker reads 10,000 of
    # them; the builder does not store that as the whole article.
    para = "<p>Một đoạn văn dài của trang rất lớn, lặp lại nhiều lần, có dấu phẩy, và chữ.</p>\n"
    head = '<html><body><article><h1>Trang lớn</h1><time datetime="2024-05-01T08:00:00+07:00"></time>'
    html = head + para * 12_000 + "</article>"
    with pytest.raises(Rejected) as exc:
        extract_page("https://example.org/lon", html.encode("utf-8"))
    assert exc.value.record["rejected"] == "body_truncated"
    assert problems(_article(body=["Đoạn văn."] * 9_999)) == []


def test_validation_rules() -> None:
    now = datetime(2025, 1, 1, tzinfo=UTC)
    assert problems(_article(title=" ", body=["  "], published_at=None)) == [
        "missing_title",
        "missing_body",
        "missing_date",
    ]
    soon = (now + timedelta(hours=30)).isoformat()
    later = (now + timedelta(hours=40)).isoformat()
    assert problems(_article(published_at=soon), now=now) == []
    assert problems(_article(published_at=later), now=now) == ["future_date"]
    item = finish_item(_article(body=["  Đoạn   một. "]), now=now)
    assert (
        isinstance(item, Article) and item.body == ["Đoạn một."] and item.crawled_at == "2025-01-01T00:00:00Z"
    )
    assert finish_item(_article(body=[]), validate=False).body == []  # type: ignore[union-attr]
