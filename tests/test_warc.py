"""WARC archives (crawler.warc) and offline re-extraction from them (crawler.reextract)."""

from __future__ import annotations

import gzip
import json
import logging
import os
import re
import subprocess
import sys
from ipaddress import IPv4Address
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from scrapy import Spider, signals
from scrapy.exceptions import NotConfigured
from scrapy.http import HtmlResponse, Request, Response
from scrapy.utils.test import get_crawler

from crawler.warc import WarcWriterMiddleware, read_warc, warc_files, warcinfo_fields

HTML = (
    "<html><head><meta charset='utf-8'><title>Tin tức</title></head><body><p>Đảng bộ khối</p></body></html>"
)


class SiteSpider(Spider):
    name = "dongthap"
    base_url = "http://127.0.0.1:8001"


# No crawl runs here: CoreStats would fail on a spider_closed without a spider_opened.
NO_CORESTATS = {"scrapy.extensions.corestats.CoreStats": None}


def middleware(tmp_path: Path, spider: type[Spider] = SiteSpider, **settings: Any) -> WarcWriterMiddleware:
    crawler = get_crawler(
        spider,
        {"VN_WARC_ENABLED": True, "VN_DATA_DIR": str(tmp_path), "EXTENSIONS": NO_CORESTATS, **settings},
    )
    crawler.spider = spider()
    return WarcWriterMiddleware.from_crawler(crawler)


def exchange(n: int = 1, body: bytes | None = None, **meta: Any) -> tuple[Request, Response]:
    url = f"http://127.0.0.1:8001/tin-tuc/bai-{n}?p=1"
    request = Request(url, headers={"User-Agent": "vnportal-test", "Accept-Encoding": "gzip"}, meta=meta)
    raw = gzip.compress(HTML.encode()) if body is None else body
    headers = [
        ("Content-Type", "text/html; charset=utf-8"),
        ("Content-Encoding", "gzip"),
        ("Content-Length", str(len(raw))),
        ("Set-Cookie", "a=1"),
        ("Set-Cookie", "b=2"),
        ("Transfer-Encoding", "chunked"),
    ]
    response = HtmlResponse(
        url,
        status=200,
        headers=headers,
        body=raw,
        request=request,
        ip_address=IPv4Address("127.0.0.1"),
        protocol="HTTP/1.1",
    )
    return request, response


def close(mw: WarcWriterMiddleware) -> None:
    """End the crawl as Scrapy does: the middleware closes its file on the spider_closed signal."""
    mw.crawler.signals.send_catch_log(signals.spider_closed, spider=mw.crawler.spider, reason="finished")


def records(path: Path) -> list[tuple[Any, bytes]]:
    """(record, raw payload) pairs: records are streams, read each before the next."""
    return [(r, r.raw_stream.read()) for r in read_warc(path)]


def test_wired_next_to_the_downloader_so_it_sees_raw_responses() -> None:
    from scrapy.settings import Settings
    from scrapy.utils.conf import build_component_list

    settings = Settings()
    settings.setmodule("crawler.settings")
    order = build_component_list(settings.getwithbase("DOWNLOADER_MIDDLEWARES"))
    names = [c if isinstance(c, str) else f"{c.__module__}.{c.__qualname__}" for c in order]
    warc = names.index("crawler.warc.WarcWriterMiddleware")
    # process_response runs from the end of this list: the archive sees a response before these.
    for before in ("HttpCompressionMiddleware", "RedirectMiddleware", "RetryMiddleware", "CookiesMiddleware"):
        assert warc > next(i for i, n in enumerate(names) if n.endswith("." + before)), before
    assert settings.getbool("VN_WARC_ENABLED") is False


def test_disabled_by_default(tmp_path: Path) -> None:
    crawler = get_crawler(SiteSpider, {"VN_DATA_DIR": str(tmp_path)})
    with pytest.raises(NotConfigured):
        WarcWriterMiddleware.from_crawler(crawler)


def test_request_and_response_records_with_original_headers(tmp_path: Path) -> None:
    mw = middleware(tmp_path, VN_WORKER_ID="w1")
    request, response = exchange(vn_page="article", redirect_urls=["http://127.0.0.1:8001/old"])
    assert mw.process_response(request, response) is response
    close(mw)

    (path,) = (tmp_path / "warc" / "dongthap").iterdir()
    assert path.name.startswith("dongthap-") and path.name.endswith("-w1-00000.warc.gz")
    (info, info_body), (resp, raw), (req, req_body) = records(path)

    assert info.rec_type == "warcinfo"
    fields = dict(line.split(": ", 1) for line in info_body.decode().splitlines())
    assert fields["vn-site"] == "dongthap" and fields["isPartOf"] == "dongthap"
    assert fields["vn-base-url"] == "http://127.0.0.1:8001"
    assert fields["software"].startswith("vnportal-crawler/")

    assert resp.rec_type == "response" and req.rec_type == "request"
    url = "http://127.0.0.1:8001/tin-tuc/bai-1?p=1"
    assert resp.rec_headers["WARC-Target-URI"] == req.rec_headers["WARC-Target-URI"] == url
    assert resp.rec_headers["WARC-Date"] == req.rec_headers["WARC-Date"]
    assert req.rec_headers["WARC-Concurrent-To"] == resp.rec_headers["WARC-Record-ID"]
    assert resp.rec_headers["WARC-Concurrent-To"] == req.rec_headers["WARC-Record-ID"]
    assert resp.rec_headers["WARC-IP-Address"] == "127.0.0.1"
    assert resp.rec_headers["VN-Page"] == "article"
    assert resp.rec_headers["VN-Redirected-From"] == "http://127.0.0.1:8001/old"

    # The body as the server sent it (still gzip), with the headers that describe it.
    http = resp.http_headers
    assert (http.protocol, http.statusline) == ("HTTP/1.1", "200 OK")
    assert raw == response.body and gzip.decompress(raw).decode() == HTML
    assert http["Content-Encoding"] == "gzip" and http["Content-Length"] == str(len(raw))
    assert [v for k, v in http.headers if k == "Set-Cookie"] == ["a=1", "b=2"]
    assert http["Transfer-Encoding"] is None  # the stored body is not chunked

    assert req.http_headers.protocol == "GET"
    assert req.http_headers.statusline == "/tin-tuc/bai-1?p=1 HTTP/1.1"
    assert req.http_headers["Host"] == "127.0.0.1:8001"
    assert req.http_headers["User-Agent"] == "vnportal-test"
    assert req_body == b""

    stats = mw.crawler.stats
    assert stats.get_value("vn/warc/records") == 3
    assert stats.get_value("vn/warc/bytes") == path.stat().st_size
    assert stats.get_value("vn/warc/files") == 1


def test_files_rotate_at_max_bytes_each_with_warcinfo(tmp_path: Path) -> None:
    mw = middleware(tmp_path, VN_WARC_MAX_BYTES=3000)
    for n in range(10):
        mw.process_response(*exchange(n, body=os.urandom(1200)))
    close(mw)

    files = warc_files([tmp_path / "warc"])
    assert len(files) >= 3
    assert [f.name[-len("00000.warc.gz") :] for f in files] == [f"{i:05d}.warc.gz" for i in range(len(files))]
    seen = []
    for f in files:
        recs = records(f)
        assert recs[0][0].rec_type == "warcinfo"
        assert warcinfo_fields_from(recs[0][1])["vn-site"] == "dongthap"
        seen += [r.rec_headers["WARC-Target-URI"] for r, _ in recs if r.rec_type == "response"]
        # Rotation happens after a whole pair: no request is separated from its response.
        assert sum(r.rec_type == "response" for r, _ in recs) == sum(r.rec_type == "request" for r, _ in recs)
    assert seen == [f"http://127.0.0.1:8001/tin-tuc/bai-{n}?p=1" for n in range(10)]
    assert mw.crawler.stats.get_value("vn/warc/files") == len(files)
    assert mw.crawler.stats.get_value("vn/warc/bytes") == sum(f.stat().st_size for f in files)


def warcinfo_fields_from(body: bytes) -> dict[str, str]:
    return dict(line.split(": ", 1) for line in body.decode().splitlines())


def test_file_is_open_until_the_spider_closes(tmp_path: Path) -> None:
    mw = middleware(tmp_path)
    mw.process_response(*exchange(1))
    site_dir = tmp_path / "warc" / "dongthap"
    (open_file,) = site_dir.iterdir()
    assert open_file.name.endswith(".warc.gz.open")
    assert not list(site_dir.glob("*.warc.gz"))
    close(mw)
    (final,) = site_dir.iterdir()
    assert final.name == open_file.name.removesuffix(".open")
    close(mw)  # idempotent
    assert list(site_dir.iterdir()) == [final]


def test_nothing_fetched_leaves_no_file(tmp_path: Path) -> None:
    close(middleware(tmp_path))
    assert not (tmp_path / "warc").exists()


def test_a_write_failure_is_counted_not_raised(tmp_path: Path) -> None:
    (tmp_path / "warc").write_text("not a directory")
    mw = middleware(tmp_path)
    request, response = exchange(1)
    assert mw.process_response(request, response) is response
    assert mw.crawler.stats.get_value("vn/warc/errors") == 1


@pytest.mark.parametrize("where", ["middle", "trailer"])
def test_torn_open_file_is_readable_up_to_the_tear(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, where: str
) -> None:
    mw = middleware(tmp_path)
    sizes = []
    for n in range(5):
        mw.process_response(*exchange(n, body=os.urandom(4000)))
        sizes.append(mw._file.size if mw._file else 0)
    # The process "dies" here: no close, the file keeps its .open name. Tear the last member.
    (open_file,) = (tmp_path / "warc" / "dongthap").iterdir()
    data = open_file.read_bytes()
    cut = (sizes[3] + sizes[4]) // 2 if where == "middle" else sizes[4] - 3
    open_file.write_bytes(data[:cut])

    with caplog.at_level(logging.WARNING, logger="crawler.warc"):
        recs = records(open_file)
    types = [r.rec_type for r, _ in recs]
    # A pair is written response first. Torn in the middle: the 5th response is lost; torn in
    # the gzip trailer of the last member: only the 5th request is.
    tail = [] if where == "middle" else ["response"]
    assert types == ["warcinfo"] + ["response", "request"] * 4 + tail
    assert "torn tail" in caplog.text
    assert all(len(body) == 4000 for r, body in recs if r.rec_type == "response")


def test_warc_files_finds_finished_and_open_files_in_order(tmp_path: Path) -> None:
    d = tmp_path / "warc" / "x"
    d.mkdir(parents=True)
    for name in ("x-1-w-00001.warc.gz", "x-1-w-00000.warc.gz", "x-1-w-00002.warc.gz.open", "notes.txt"):
        (d / name).write_bytes(b"")
    assert [f.name for f in warc_files([tmp_path])] == [
        "x-1-w-00000.warc.gz",
        "x-1-w-00001.warc.gz",
        "x-1-w-00002.warc.gz.open",
    ]
    with pytest.raises(FileNotFoundError):
        warc_files([tmp_path / "missing"])


def test_warcinfo_fields_reads_what_the_writer_wrote(tmp_path: Path) -> None:
    mw = middleware(tmp_path)
    mw.process_response(*exchange(1))
    close(mw)
    (path,) = warc_files([tmp_path])
    info = next(iter(read_warc(path)))
    assert warcinfo_fields(info)["vn-site"] == "dongthap"


# ---- re-extraction -------------------------------------------------------------------------

GOLDEN = Path(__file__).parent / "golden" / "gialai" / "reference"
REPLICA = "http://127.0.0.1:9"  # where the "crawl" happened: the URL cannot tell the site
ARTICLE_PATH = "/giao-ban-cong-tac-xay-dung-dang-quy-i-nam-2023/"
CATEGORY_PAGE = (
    b"<html><head><meta charset='utf-8'><title>Xay dung Dang</title></head>"
    b"<body class='archive category'><article><h2><a href='/a/'>Bai</a></h2></article></body></html>"
)


class GialaiSpider(Spider):
    name = "gialai"
    base_url = REPLICA


def served(
    path: str,
    body: bytes,
    *,
    status: int = 200,
    ctype: str = "text/html; charset=UTF-8",
    encode: bool = False,
    **meta: Any,
) -> tuple[Request, Response]:
    url = REPLICA + path
    request = Request(url, meta=meta)
    headers = {"Content-Type": ctype}
    if encode:  # as a server with gzip on sends it: the archive keeps these bytes
        body = gzip.compress(body)
        headers["Content-Encoding"] = "gzip"
    return request, Response(url, status=status, headers=headers, body=body, request=request)


def gialai_archive(tmp_path: Path, *, close_it: bool = True) -> tuple[WarcWriterMiddleware, bytes]:
    if not GOLDEN.is_dir():
        pytest.skip("golden gialai reference page missing")
    page = (GOLDEN / "page.html").read_bytes()
    mw = middleware(tmp_path, GialaiSpider)
    for request, response in (
        served("/robots.txt", b"User-agent: *\n", ctype="text/plain"),
        served("/category/xay-dung-dang/", page, vn_page="listing"),  # a listing, whatever it holds
        served(ARTICLE_PATH, page, encode=True, vn_page="article"),
        served("/gone/", b"<html><body>404</body></html>", status=404, vn_page="article"),
        served("/category/xay-dung-dang/page/2/", CATEGORY_PAGE, vn_page="article"),
    ):
        mw.process_response(request, response)
    if close_it:
        close(mw)
    return mw, page


def expected_item(page: bytes) -> dict[str, Any]:
    from crawler.extract import extract_page

    item = extract_page(REPLICA + ARTICLE_PATH, page, "text/html; charset=UTF-8", site_key="gialai")
    item.pop("crawled_at")
    return item


def without_crawled_at(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in item.items() if k != "crawled_at"} for item in items]


ROOT = Path(__file__).resolve().parent.parent


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT)}


def run_reextract(*args: Any, stats: Path | None = None) -> subprocess.CompletedProcess[str]:
    """`python -m crawler.reextract ARGS` (a Scrapy crawl: one reactor, so one process per run)."""
    command = [sys.executable, "-m", "crawler.reextract", *map(str, args)]
    if stats is not None:
        command += ["-s", f"VN_STATS_FILE={stats / '{site}.json'}"]
    return subprocess.run(command, cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=120)


def run_stats(stats: Path, site: str = "gialai") -> dict[str, Any]:
    return json.loads((stats / f"{site}.json").read_text(encoding="utf-8"))


def test_reextract_parses_archived_articles_offline(tmp_path: Path) -> None:
    from crawler.reextract import read_items

    _, page = gialai_archive(tmp_path)
    out = tmp_path / "out"
    done = run_reextract(tmp_path / "warc", "--out", out, stats=tmp_path / "stats")
    assert done.returncode == 0, done.stderr

    assert without_crawled_at(read_items(out, "gialai")) == [expected_item(page)]
    assert not list((out / "gialai").glob("*.part"))
    c = run_stats(tmp_path / "stats")
    assert (c["vn/replay/files"], c["vn/replay/records"], c["vn/replay/responses"]) == (1, 11, 5)
    # Nothing is fetched: REST, both sitemap indexes and the feed are not archived (counted
    # misses), so discovery falls back to the archived listing, as a crawl of this archive did.
    assert c["vn/replay/miss"] == 4 and c["vn/replay/hit"] == 5
    assert c["vn/discovery"] == "listing"
    # The archived "articles" the walk did not reach are requested at the end: the 404 and the
    # category page fetched as an article are rejected as in a crawl, the article is written.
    assert c["vn/replay/unreached_articles"] == 3
    assert (c["vn/rejected/http_404"], c["vn/rejected/not_an_article"]) == (1, 1)
    assert (c["vn/pages/article"], c["vn/items_written"]) == (2, 1)

    # The same archive again into the same output: the dedup state knows the article.
    again = run_reextract(tmp_path / "warc", "--out", out, stats=tmp_path / "stats")
    assert again.returncode == 0, again.stderr
    c = run_stats(tmp_path / "stats")
    assert (c.get("vn/items_written", 0), c["vn/duplicates/url"]) == (0, 1)


def test_reextract_reads_the_open_file_of_a_killed_crawl(tmp_path: Path) -> None:
    from crawler.reextract import read_items

    mw, page = gialai_archive(tmp_path, close_it=False)
    good = mw._file.size if mw._file else 0
    mw.process_response(*served("/another/", os.urandom(3000), vn_page="article"))
    (open_file,) = (tmp_path / "warc" / "gialai").glob("*.open")
    open_file.write_bytes(open_file.read_bytes()[: good + 100])  # killed while writing a record

    done = run_reextract(open_file, "--out", tmp_path / "out", stats=tmp_path / "stats")
    assert done.returncode == 0, done.stderr
    assert "torn tail" in done.stderr
    assert without_crawled_at(read_items(tmp_path / "out", "gialai")) == [expected_item(page)]
    assert run_stats(tmp_path / "stats")["vn/replay/responses"] == 5


def test_reextract_cli_with_site_override_prints_a_summary(tmp_path: Path) -> None:
    from crawler.reextract import read_items

    _, page = gialai_archive(tmp_path)
    (path,) = warc_files([tmp_path / "warc"])
    moved = tmp_path / "elsewhere" / "archive.warc.gz"  # no site in the path; the flag names it
    moved.parent.mkdir()
    path.rename(moved)
    from crawler.reextract import plan

    # Without --site, the warcinfo record names the site and the base URL the crawl used.
    assert [(job.site, job.base_url, job.files) for job in plan([moved])] == [("gialai", REPLICA, [moved])]
    done = run_reextract(moved, "--out", tmp_path / "out", "--site", "gialai")
    assert done.returncode == 0, done.stderr
    printed = done.stdout
    assert printed.startswith("reextract: 1 sites (gialai) from 1 WARC files")
    assert "finish_reason" in printed and "finished" in printed  # the crawl's summary table
    assert "gialai: 1 re-extracted (no archived run's items to compare with)" in printed
    assert without_crawled_at(read_items(tmp_path / "out", "gialai")) == [expected_item(page)]

    assert run_reextract(tmp_path / "nothing-here", "--out", tmp_path / "out").returncode == 2
    assert run_reextract(moved, "--site", "nosuchsite").returncode == 2


def test_a_non_warc_input_is_one_clear_error_line(tmp_path: Path) -> None:
    done = run_reextract(ROOT / "README.md", "--out", tmp_path / "out")
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        f"error: {ROOT / 'README.md'} is not a WARC file (.warc.gz, .warc or their .open files)"
    ]
    assert not (tmp_path / "out").exists()


def test_the_comparison_counts_changed_new_and_missing_items(tmp_path: Path) -> None:
    from crawler.reextract import compare

    def feed(root: Path, items: list[tuple[str, str, int]]) -> None:
        (root / "gialai").mkdir(parents=True)
        lines = [json.dumps({"id": i, "content_hash": h, "revision": r}) for i, h, r in items]
        (root / "gialai" / "gialai-1-w-1.jsonl").write_text("\n".join(lines) + "\n")

    archived, out = tmp_path / "data", tmp_path / "out"
    # a: edited in the crawl (revision 2 is what counts); b: unchanged; c: not re-extracted.
    feed(archived, [("a", "h1", 1), ("b", "h2", 1), ("c", "h3", 1), ("a", "h1b", 2)])
    # a: the parser now gives another hash; d: an article the old parser refused.
    feed(out, [("a", "h9", 1), ("b", "h2", 1), ("d", "h4", 1)])
    result = compare("gialai", out, [archived, tmp_path / "elsewhere"])
    assert (result.reextracted, result.changed, result.new, result.missing) == (3, 1, 1, 1)
    assert result.line() == f"gialai: 3 re-extracted, 1 changed, 1 new, 1 missing (compared with {archived})"
    alone = compare("gialai", out, [])
    assert alone.line() == "gialai: 3 re-extracted (no archived run's items to compare with)"


# ---- the replay middleware on its own ---------------------------------------------------------


def replay(tmp_path: Path, **settings: Any) -> Any:
    from crawler.warcreplay import WarcReplayMiddleware

    crawler = get_crawler(GialaiSpider, {"VN_REPLAY_WARC": [str(tmp_path / "warc")], **settings})
    return WarcReplayMiddleware.from_crawler(crawler)


def test_replay_answers_from_the_archive_and_counts_misses(tmp_path: Path) -> None:
    from crawler.warcreplay import ReplayMiss

    mw = middleware(tmp_path, GialaiSpider)
    flaky = [
        served("/flaky/", b"busy", status=503, vn_page="article"),
        served("/flaky/", b"<html><body>ok</body></html>", vn_page="article"),
        served("/flaky/", b"busy again", status=503, vn_page="article"),  # a later retry that failed
    ]
    for request, response in (served(ARTICLE_PATH, b"<html>page</html>", encode=True), *flaky):
        mw.process_response(request, response)
    close(mw)
    rp = replay(tmp_path)

    answer = rp.process_request(Request(REPLICA + ARTICLE_PATH))
    assert answer.status == 200 and "replayed" in answer.flags
    assert answer.headers["Content-Encoding"] == b"gzip"  # as archived: decoded by HttpCompression
    assert gzip.decompress(answer.body) == b"<html>page</html>"
    # Several answers: the last one that is not a retryable status is the one the crawl kept.
    assert rp.process_request(Request(REPLICA + "/flaky/")).body == b"<html><body>ok</body></html>"
    # A POST is another request; an unknown URL is a miss: counted, never fetched.
    for request in (Request(REPLICA + ARTICLE_PATH, method="POST"), Request(REPLICA + "/nope/")):
        with pytest.raises(ReplayMiss):
            rp.process_request(request)
    stats = rp.crawler.stats
    assert (stats.get_value("vn/replay/hit"), stats.get_value("vn/replay/miss")) == (2, 2)
    # Requested at the end if the walk misses them: VN-Page "article" pages, and HTML-200 pages of
    # archives that do not say (the first one here has no VN-Page field).
    assert list(rp.index.article_urls) == [REPLICA + ARTICLE_PATH, REPLICA + "/flaky/"]


def test_replay_is_off_without_files(tmp_path: Path) -> None:
    from crawler.warcreplay import WarcReplayMiddleware

    with pytest.raises(NotConfigured):
        WarcReplayMiddleware.from_crawler(get_crawler(GialaiSpider, {}))
    (tmp_path / "notes.warc.gz").write_text("not a warc")
    with pytest.raises(ValueError, match="not a WARC file"):
        WarcReplayMiddleware.from_crawler(get_crawler(GialaiSpider, {"VN_REPLAY_WARC": [str(tmp_path)]}))


# ---- end to end: crawl a replica with WARC on, stop it, re-extract offline -------------------

E2E_SITES = ("dongthap", "gialai")  # one Liferay (Asset Publisher ADT), one WordPress (REST discovery)


def crawl_command(key: str, base_url: str, data: Path) -> list[str]:
    settings = {
        "VN_WARC_ENABLED": "1",
        "VN_DATA_DIR": str(data),
        "VN_WARC_MAX_BYTES": "40000",  # several files per site: rotation, records in order across files
        "DOWNLOAD_DELAY": "0",
        "AUTOTHROTTLE_ENABLED": "0",
    }
    command = [sys.executable, "-m", "scrapy", "crawl", key, "-a", f"base_url={base_url}"]
    for name, value in settings.items():
        command += ["-s", f"{name}={value}"]
    return command


def _comparable(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(without_crawled_at(items), key=lambda item: item["url"])


def test_reextracted_items_equal_the_crawled_ones(tmp_path: Path) -> None:
    from crawler.reextract import read_items
    from replica.server import ReplicaServer

    data = {key: tmp_path / f"data-{key}" for key in E2E_SITES}
    with ReplicaServer(ROOT / "tests" / "sites", list(E2E_SITES)) as replica:
        # One article answers 503 once: the archive holds both answers, re-extraction keeps the 200.
        flaky = urlsplit(replica.listed_urls("dongthap")[0]).path
        fault = {"path": re.escape(flaky), "kind": "status", "status": 503, "times": 1}
        replica.set_faults("dongthap", [fault])
        logs = {key: tmp_path / f"crawl-{key}.log" for key in E2E_SITES}
        crawls = {}
        for key in E2E_SITES:  # both sites at once, as cron would run them
            with logs[key].open("w") as log:
                command = crawl_command(key, replica.base_url(key), data[key])
                crawls[key] = subprocess.Popen(command, cwd=ROOT, env=_env(), stdout=log, stderr=log)
        for key, proc in crawls.items():
            proc.wait(timeout=50)
            assert proc.returncode == 0, f"crawl of {key} failed:\n{logs[key].read_text()[-4000:]}"
    # The replica is stopped: from here on nothing can be fetched.

    warc_dirs = [data[key] / "warc" for key in E2E_SITES]
    for key in E2E_SITES:
        files = sorted((data[key] / "warc" / key).iterdir())
        assert len(files) >= 2 and all(f.name.endswith(".warc.gz") for f in files), files

    out = tmp_path / "reextract"
    command = [sys.executable, "-m", "crawler.reextract", *map(str, warc_dirs), "--out", str(out)]
    done = subprocess.run(command, cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=50)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("reextract: 2 sites (dongthap, gialai)")

    for key in E2E_SITES:
        crawled = read_items(data[key], key)
        assert len(crawled) >= 12, key
        assert _comparable(read_items(out, key)) == _comparable(crawled), key
        # Compared with the archived run (the crawl's data dir the WARC files are in): no change.
        line = f"{key}: {len(crawled)} re-extracted, 0 changed, 0 new, 0 missing (compared with {data[key]})"
        assert line in done.stdout, done.stdout
