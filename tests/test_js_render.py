"""JavaScript-rendered sites: real `scrapy crawl` processes rendering with the system Chromium.

The replica's dongthap-js site ships article pages whose ADT is empty until a script fills it from
/o/api/news/<id>: only a browser sees the article. Its content is dongthap's, so every rendered item
must equal what the (non-JS) dongthap parser gives for the same article.

Chromium is required, not optional: without it these tests fail (CI installs it in .ci/run).
"""

from __future__ import annotations

import json
import os
import urllib.request
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from crawl_helpers import feed_lines, run_crawl
from scrapy.crawler import Crawler
from scrapy.utils.project import get_project_settings

from crawler.extract import extract_page
from crawler.render import PLAYWRIGHT_HANDLER, ChromiumMissing, configure, request_meta
from crawler.sites import SITES
from crawler.spiders import site_spider
from replica.server import ReplicaServer

SITES_DIR = Path(__file__).resolve().parent / "sites"
KEY, PLAIN = "dongthap-js", "dongthap"
CHROMIUM = os.environ.get("VN_CHROMIUM_PATH", "/usr/bin/chromium")
# What the feed must carry exactly as dongthap's parser gives it (URLs compared by path).
SAME_FIELDS = ("title", "published_at", "modified_at", "lead", "body", "captions", "author", "category")


@pytest.fixture(scope="module")
def chromium() -> str:
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(
            f"no Chromium at {CHROMIUM}: JavaScript rendering cannot be tested. Install the system "
            "browser (`apt-get install chromium`, as .ci/run does) or set VN_CHROMIUM_PATH.",
            pytrace=False,
        )
    return CHROMIUM


@pytest.fixture(scope="module")
def sites() -> Iterator[ReplicaServer]:
    with ReplicaServer(SITES_DIR, [KEY, PLAIN]) as server:
        yield server


@dataclass
class Crawl:
    returncode: int
    stderr: str
    stats: dict[str, Any]
    lines: list[dict[str, Any]]
    log: dict[str, Any]  # the replica's request log of the crawled site
    data: Path


def crawl(server: ReplicaServer, data: Path, **settings: Any) -> Crawl:
    server.reset_log(KEY)
    proc, stats = run_crawl(KEY, server.base_url(KEY), data, timeout=60, **settings)
    return Crawl(proc.returncode, proc.stderr, stats, feed_lines(data, KEY), server.log(KEY), data)


@pytest.fixture(scope="module")
def rendered(chromium: str, sites: ReplicaServer, tmp_path_factory: pytest.TempPathFactory) -> Crawl:
    run = crawl(sites, tmp_path_factory.mktemp("rendered"))
    assert run.returncode == 0, run.stderr[-3000:]
    return run


def _path(url: str) -> str:
    """A URL without its origin: the two replica sites differ only in their port."""
    return "/" + url.split("/", 3)[-1]


def _plain_item(server: ReplicaServer, slug: str) -> dict[str, Any]:
    """The dongthap replica page of the same article, through dongthap's parser."""
    url = next(u for u in server.listed_urls(PLAIN) if u.endswith("/" + slug))
    with urllib.request.urlopen(url, timeout=10) as resp:
        return extract_page(url, resp.read(), resp.headers.get("Content-Type"), site_key=PLAIN)


# ---- (a) rendered crawl -------------------------------------------------------------------------


def test_rendered_crawl_stores_every_article_once(rendered: Crawl, sites: ReplicaServer) -> None:
    counts = Counter(line["url"] for line in rendered.lines)
    assert [u for u, n in counts.items() if n > 1] == [], "articles written twice"
    assert sorted(counts) == sorted(sites.listed_urls(KEY))
    assert {line["site"] for line in rendered.lines} == {KEY}
    assert rendered.stats.get("vn/rejected", 0) == 0
    assert not (rendered.data / "rejects" / f"{KEY}.jsonl").exists()


def test_rendered_items_equal_what_the_plain_parser_gives(rendered: Crawl, sites: ReplicaServer) -> None:
    by_slug = {a.slug: a for a in sites.articles(KEY)}
    for line in rendered.lines:
        slug = line["url"].rsplit("/", 1)[-1]
        plain = _plain_item(sites, slug)
        assert plain["body"], f"{slug}: the plain page has no body to compare with"
        for name in SAME_FIELDS:
            assert line[name] == plain[name], f"{slug}: field {name!r} differs from dongthap's"
        for name in ("images", "attachments"):
            got = json.loads(json.dumps(line[name]).replace(sites.base_url(KEY), "BASE"))
            want = json.loads(json.dumps(plain[name]).replace(sites.base_url(PLAIN), "BASE"))
            assert got == want, f"{slug}: {name} differ from dongthap's"
        # ...and against the source content itself.
        source = by_slug[slug]
        assert line["title"] == source.title
        assert line["published_at"] == source.published.strftime("%Y-%m-%dT%H:%M:00+07:00")
        assert line["lead"] == source.lead
        assert line["author"] == source.author
        assert len(line["body"]) >= len(source.body)
        assert line["captions"] == [i["caption"] for i in source.images if i.get("caption")]


# ---- (c) only flagged requests go through the browser ---------------------------------------------


def test_only_article_pages_go_through_the_browser(rendered: Crawl) -> None:
    stats, articles = rendered.stats, len(rendered.lines)
    assert stats["vn/pages/article"] == articles
    # One page, one navigation, one rendered response per article: listings never saw the browser.
    assert stats["playwright/page_count"] == articles
    assert stats["playwright/request_count/navigation"] == articles
    assert stats["playwright/request_count/resource_type/document"] == articles
    assert stats["vn/render/pages"] == articles
    assert stats["playwright/browser_count"] == 1
    fetched_by_scrapy = stats["vn/pages/listing"] + stats["robotstxt/request_count"]
    assert stats["downloader/request_count"] == articles + fetched_by_scrapy
    # The page scripts did run: one JSON fetch per article; images were never requested.
    paths = Counter(r["path"].split("?")[0] for r in rendered.log["requests"])
    assert sum(n for p, n in paths.items() if p.startswith("/o/api/news/")) == articles
    assert not [p for p in paths if p.startswith("/documents/")], "images were fetched"
    assert paths["/tin-tuc"] == stats["vn/pages/listing"]  # each listing page once, by Scrapy


# ---- (b) without rendering ------------------------------------------------------------------------


def test_unrendered_pages_are_rejected_as_missing_body(sites: ReplicaServer, tmp_path: Path) -> None:
    # 13 articles: judged by the drift monitor only below its default minimum sample of 20.
    run = crawl(sites, tmp_path, VN_RENDER_JS="0", VN_MONITOR_MIN_ITEMS="3")
    articles = len(sites.listed_urls(KEY))
    assert run.lines == [], "an unrendered page reached the feed"
    assert not [k for k in run.stats if k.startswith("playwright/")], "the browser was used"
    assert run.stats["vn/pages/article"] == articles
    assert run.stats["vn/rejected/missing_body"] == articles
    rejects = [json.loads(x) for x in (tmp_path / "rejects" / f"{KEY}.jsonl").read_text().splitlines()]
    assert {r["reason"] for r in rejects} == {"missing_body"}
    assert sorted(_path(r["url"]) for r in rejects) == sorted(_path(u) for u in sites.listed_urls(KEY))
    assert all(r["title"] for r in rejects)  # the chrome ships the title: it is the body that is missing
    # The drift monitor makes the run fail loudly instead of looking like a quiet day.
    assert run.returncode != 0 and "'body'" in run.stats.get("vn/failure", "")


def test_content_that_never_appears_is_a_counted_timeout_reject(chromium: str, tmp_path: Path) -> None:
    """A template change (the body container renamed) on a rendering site: the wait for the
    site's selector times out and each article is rejected with the selector named, not stored."""
    with ReplicaServer(SITES_DIR, [KEY]) as server:
        server.set_articles(KEY, server.articles(KEY)[:4], replace=True)  # 4 timeouts make the point
        server.set_options(KEY, variant="drift")
        run = crawl(server, tmp_path, VN_RENDER_WAIT_TIMEOUT="0.5")
    articles = len(server.listed_urls(KEY))
    assert run.lines == []
    assert run.stats["vn/errors/article"] == run.stats["vn/rejected/TimeoutError"] == articles
    reject = json.loads((tmp_path / "rejects" / f"{KEY}.jsonl").read_text().splitlines()[0])
    assert reject["page"] == "article" and SITES[KEY].options["render_wait"] in reject["error"]


# ---- handlers and browser launch ------------------------------------------------------------------


def _crawler_settings(key: str, **overrides: Any) -> Any:
    settings = get_project_settings()
    settings.setdict(overrides, priority="cmdline")
    return Crawler(site_spider(key), settings).settings


def test_only_rendering_sites_get_the_playwright_handlers(chromium: str) -> None:
    for key, site in SITES.items():
        handlers = _crawler_settings(key).getdict("DOWNLOAD_HANDLERS")
        uses_browser = handlers.get("http") == handlers.get("https") == PLAYWRIGHT_HANDLER
        assert uses_browser == bool(site.render_js), key
    assert not _crawler_settings(KEY, VN_RENDER_JS="0").getdict("DOWNLOAD_HANDLERS")
    launch = _crawler_settings(KEY).getdict("PLAYWRIGHT_LAUNCH_OPTIONS")
    assert launch["executable_path"] == chromium and launch["headless"] is True
    assert "--disable-quic" in launch["args"]


def test_request_meta_flags_only_the_registered_kind() -> None:
    site = SITES[KEY]
    article = request_meta(site, "article", None)
    assert article["playwright"] is True
    (wait,) = article["playwright_page_methods"]
    assert wait.method == "wait_for_selector" and wait.args == (site.options["render_wait"],)
    assert request_meta(site, "listing", None) == {}
    assert request_meta(SITES[PLAIN], "article", None) == {}


def test_a_missing_chromium_is_a_clear_error(tmp_path: Path) -> None:
    settings = get_project_settings()
    settings.set("VN_CHROMIUM_PATH", str(tmp_path / "no-chromium"), priority="cmdline")
    with pytest.raises(ChromiumMissing, match="apt-get install chromium"):
        configure(SITES[KEY], settings)


def test_the_playwright_handler_launches_no_browser_until_a_page_is_flagged(
    chromium: str, sites: ReplicaServer, tmp_path: Path
) -> None:
    """scrapy-playwright 0.0.48 starts its driver with the engine but Chromium only on the first
    request with meta["playwright"]: forced onto a site with no flagged request, it launches none."""
    handlers = json.dumps({"http": PLAYWRIGHT_HANDLER, "https": PLAYWRIGHT_HANDLER})
    proc, stats = run_crawl(PLAIN, sites.base_url(PLAIN), tmp_path, timeout=60, DOWNLOAD_HANDLERS=handlers)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Starting download handler" in proc.stderr  # the handler was in use...
    assert len(feed_lines(tmp_path, PLAIN)) == len(sites.listed_urls(PLAIN))
    assert "playwright/browser_count" not in stats  # ...and Chromium never started
    assert "Launching browser" not in proc.stderr
