"""Hostile pages cost linear time (issue 15): markup nested 100,000 deep is refused before parsing
as a counted `too_deep` reject (the article stays owed), a listing of 100,000 links parses in one
pass, and a pager that never ends is cut. Timings are in bench/RESULTS.md; the timeouts here only
bound what used to take minutes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from crawl_helpers import run_crawl
from hostile_pages import BASE, deep_page, huge_liferay_listing
from scrapy.http import HtmlResponse, Request
from scrapy.utils.test import get_crawler

from crawler.budget import markup_depth
from crawler.parsers import parser_for
from crawler.parsers.dom import Node, parse_fragment, short_texts
from crawler.sites import get_site
from crawler.spiders.base import PortalSpider


def test_markup_depth_counts_nesting_not_sloppy_markup() -> None:
    assert markup_depth(b"<div><span>a</span><div><b>x</b></div></div>", 100) == 3
    # Void elements and elements whose end tag may be omitted do not nest.
    assert markup_depth(b"<div>" + b"<p>a<li>b<br><img src=x><td>c" * 1000 + b"</div>", 100) == 1
    assert markup_depth(b"<x-widget/>" * 5000, 10) == 0
    assert markup_depth(b"<div>" * 100_000, 4000) == 4001  # stops at the first level over the limit
    for page in Path(__file__).parent.joinpath("golden").rglob("page.html"):
        assert markup_depth(page.read_bytes(), 10_000) < 100, page


def _spider(tmp_path: Path, key: str) -> PortalSpider:
    from scrapy.utils.project import get_project_settings

    from crawler.spiderloader import SiteSpiderLoader

    spider_cls = SiteSpiderLoader.from_settings(get_project_settings()).load(key)
    crawler = get_crawler(spider_cls, {"VN_DATA_DIR": str(tmp_path)})
    return spider_cls.from_crawler(crawler, base_url=BASE)


@pytest.mark.timeout(60)
def _article_response(url: str, body: bytes) -> HtmlResponse:
    request = Request(url, meta={"vn_page": "article", "vn_owed": url})
    return HtmlResponse(url, body=body, encoding="utf-8", request=request)


def _owed_reject(
    spider: PortalSpider, key: str, url: str, body: bytes, tmp_path: Path, reason: str
) -> dict[str, Any]:
    """Parse the owed article page: no item, one reject with `reason`, and the article still
    owed with that reason. Returns the reject record."""
    spider.state_store.owe(key, url, 1)
    spider.run = 1
    assert list(spider.parse_article(_article_response(url, body))) == []
    (reject,) = [json.loads(x) for x in (tmp_path / "rejects" / f"{key}.jsonl").read_text().splitlines()]
    assert reject["reason"] == reason
    (owed,) = spider.state_store.owed(key)
    assert (owed.url, owed.reason, owed.attempts) == (url, reason, 1)
    return reject


@pytest.mark.parametrize("key", ["thaibinh", "khoicq"])
def test_markup_nested_100k_deep_is_a_counted_too_deep_reject_and_stays_owed(
    key: str, tmp_path: Path
) -> None:
    spider = _spider(tmp_path, key)
    body, url = deep_page(f"{key}/reference", 100_000)
    reject = _owed_reject(spider, key, url, body, tmp_path, "too_deep")
    assert reject["url"] == url
    # The same page 3,000 deep is under the budget and still parsed.
    shallow = _article_response(url, deep_page(f"{key}/reference", 3000)[0])
    (article,) = list(spider.parse_article(shallow))
    assert any("Đoạn lồng sâu." in p for p in article.body)


@pytest.mark.timeout(60)  # the list-membership version took ~80 s for 90,000 links
def test_a_listing_of_100k_links_parses_in_one_pass() -> None:
    html, url = huge_liferay_listing(100_000)
    listing = parser_for(get_site("dongthap"), BASE).parse_listing(html, url)
    assert len(listing.article_urls) == len(set(listing.article_urls)) == 100_000 + 5  # and the page's own 5
    assert listing.article_urls[0].endswith("-0") and listing.article_urls[99_999].endswith("-99999")


def test_a_pager_is_cut_at_vn_max_listing_pages_with_a_counted_reject(fresh_replica, tmp_path: Path) -> None:
    key = "dongthap"  # 13 articles: 3 listing pages
    server = fresh_replica(key)
    proc, stats = run_crawl(key, server.base_url(key), tmp_path, "mode=archive", VN_MAX_LISTING_PAGES=2)
    assert stats["vn/pages/listing"] == 2
    assert stats["vn/rejected/listing_page_limit"] == 1
    assert stats["vn/items_written"] == 10
    assert proc.returncode == 0, proc.stderr[-3000:]  # a bound the operator set is not a loss


@pytest.mark.timeout(60)
def test_a_wordpress_listing_of_100k_links_parses_in_one_pass() -> None:
    from crawler.parsers.wordpress import WORDPRESS_PARSERS

    item = (
        '<li class="post-item tie-standard"><div class="post-details">'
        '<h2 class="post-title"><a href="https://x.vn/bai-{n}/">Bài {n}</a></h2></div></li>\n'
    )
    items = "".join(item.replace("{n}", str(n)) for n in range(100_000))
    html = (
        '<html><body class="archive category"><div class="main-content"><ul id="posts-container">'
        f"{items}</ul></div></body></html>"
    )
    listing = WORDPRESS_PARSERS["wp-jannah"]("https://x.vn", {}).parse_listing(
        html, "https://x.vn/category/tin/"
    )
    assert len(listing.article_urls) == len(set(listing.article_urls)) == 100_000
    assert listing.article_urls[-1] == "https://x.vn/bai-99999/"


def test_pages_over_the_inline_parse_budget_go_to_a_parse_worker_or_are_counted_rejects(
    fresh_replica, tmp_path: Path
) -> None:
    """VN_MAX_INLINE_PARSE_BYTES: the crawl's own thread never parses a page that large (it would
    hold the reactor). Without a parse worker such a page is a counted `too_large` reject that
    fails the run; with one, every article is stored. The replica's pages (~45-50 KB, listings
    and articles alike) stand in for huge pages under a small budget."""
    key = "dongthap"
    server = fresh_replica(key)
    budget = {"VN_MAX_INLINE_PARSE_BYTES": 12_000}
    inline, stats = run_crawl(key, server.base_url(key), tmp_path / "inline", **budget)
    assert inline.returncode == 1
    # The first listing page is over the budget: nothing is discovered, and the run says so.
    assert stats.get("vn/items_written", 0) == 0 and stats["vn/rejected/too_large"] == 1
    assert "lost data on dongthap: listing page lost" in stats["vn/failure"]
    assert "(too_large)" in stats["vn/failure"]
    rejects = (tmp_path / "inline" / "rejects" / f"{key}.jsonl").read_text().splitlines()
    assert {json.loads(line)["reason"] for line in rejects} == {"too_large"}
    pooled, stats = run_crawl(key, server.base_url(key), tmp_path / "pooled", VN_PARSE_WORKERS=1, **budget)
    assert pooled.returncode == 0, pooled.stderr[-3000:]
    assert stats["vn/items_written"] == 13 and "vn/rejected/too_large" not in stats


def test_an_article_page_over_the_inline_budget_is_a_too_large_reject_and_stays_owed(tmp_path: Path) -> None:
    key = "thaibinh"
    spider = _spider(tmp_path, key)
    body, url = deep_page(f"{key}/reference", 10)
    spider.max_inline_bytes = len(body) - 1
    reject = _owed_reject(spider, key, url, body, tmp_path, "too_large")
    assert (reject["bytes"], reject["limit"]) == (len(body), len(body) - 1)
    spider.max_inline_bytes = len(body)  # at the budget: parsed
    (article,) = list(spider.parse_article(_article_response(url, body)))
    assert article.title


def test_a_ledger_that_cannot_record_an_owed_article_fails_the_run(tmp_path: Path) -> None:
    """An article neither stored nor owed would never be fetched again: that is lost data."""
    key = "thaibinh"
    spider = _spider(tmp_path, key)
    spider.run = 1

    def broken(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    spider.state_store.owe_failed = broken  # type: ignore[method-assign]
    spider.reject(f"{BASE}/a", "http_503", owed=f"{BASE}/a")
    spider.reject(f"{BASE}/b", "http_503", owed=f"{BASE}/b")
    failure = spider.crawler.stats.get_value("vn/failure")
    assert failure.startswith(f"lost data on {key}: could not record {BASE}/a as owed")
    assert failure.count("could not record") == 1  # one reason, not one per article


class _CountingNode:
    """A node that counts the characters its deep text builds (short_texts' only cost)."""

    built = 0

    def __init__(self, node: Node) -> None:
        self.node, self.mem_id, self.parent = node, node.mem_id, node.parent

    def text(self, deep: bool = True) -> str:
        text = self.node.text(deep=deep)
        _CountingNode.built += len(text)
        return text


@pytest.mark.parametrize("box", ['<div class="caption">', '<div class="date">', "<span>"])
def test_texts_of_nested_boxes_are_built_in_linear_time(box: str) -> None:
    # 500 nested boxes (the depth guard's limit) around one long text: asked box by box, each
    # would build the whole text, 500 times the page; short_texts builds it about once.
    prose = "Nội dung bài viết rất dài. " * 2000
    root = parse_fragment(box * 500 + f"<p>{prose}</p><p>19/04/2021</p>")
    nodes = root.css("div, span")
    _CountingNode.built = 0
    texts = short_texts([_CountingNode(n) for n in nodes], 160)  # type: ignore[misc]
    assert texts == [t if len(t) <= 160 else None for t in (n.text(deep=True) for n in nodes)]
    assert all(t is None for t in texts)
    assert _CountingNode.built <= 2 * len(prose)


def test_short_texts_reads_short_boxes_and_skips_long_ones() -> None:
    root = parse_fragment(
        '<div class="a"><span>ngắn</span><p>' + "dài " * 100 + '</p><span class="b">19/04/2021</span></div>'
    )
    nodes = root.css("div, span")
    assert short_texts(nodes, 40) == [None, "ngắn", "19/04/2021"]


_DEEP_JSON = "[" * 50_000 + "]" * 50_000  # past the JSON decoder's nesting limit: RecursionError


def test_json_ld_nested_past_the_decoder_is_ignored_not_a_crash() -> None:
    from crawler.content import extract
    from crawler.extract import extract_page

    prose = "<p>Đoạn văn đủ dài của bài viết, có dấu phẩy, để là nội dung thật của bài.</p>" * 5
    head = f'<script type="application/ld+json">{_DEEP_JSON}</script>'
    page = f"<html><head>{head}</head><body><article><h1>T</h1>{prose}</article></body></html>"
    assert len(extract(page, "https://example.vn/bai-viet-thu").body) == 5
    # A registered WordPress site's reference page with the same block in its head: the same item.
    case = Path(__file__).parent / "golden" / "khoicq" / "reference"
    url = (case / "url.txt").read_text(encoding="utf-8").strip()
    html = (case / "page.html").read_bytes()
    hostile = html.replace(
        b"</head>", f'<script type="application/ld+json">{_DEEP_JSON}</script></head>'.encode(), 1
    )
    assert hostile != html
    assert extract_page(url, hostile)["body"] == extract_page(url, html)["body"]


def test_a_rest_response_nested_past_the_decoder_is_a_parse_error() -> None:
    from crawler.parsers.base import ParseError
    from crawler.parsers.wp_discovery import parse_rest_posts

    with pytest.raises(ParseError, match="not JSON"):
        parse_rest_posts(_DEEP_JSON, "https://example.vn")
