"""VN_PARSE_WORKERS: article pages parsed in worker processes give the very items in-process parsing gives."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from crawl_helpers import ROOT, crawlall_command, feed_lines, run_crawl

from crawler.parsepool import ParsePool, ParseWorkerError, parser_spec, run_parser
from crawler.sites import get_site


def _items(data_dir: Path, key: str) -> list[dict]:
    lines = [{k: v for k, v in line.items() if k != "crawled_at"} for line in feed_lines(data_dir, key)]
    return sorted(lines, key=lambda line: line["url"])


# dongthap: Liferay pages; khoicq: WordPress, whose articles come with their REST entry
# (parse_rest_post gets the post as an extra argument, which must survive the trip to the worker).
@pytest.mark.parametrize("key", ["dongthap", "khoicq"])
def test_worker_processes_store_the_same_items_as_parsing_in_process(
    key: str, fresh_replica, tmp_path: Path
) -> None:
    server = fresh_replica(key)
    base = server.base_url(key)
    inproc, inproc_stats = run_crawl(key, base, tmp_path / "inproc")
    pooled, pooled_stats = run_crawl(key, base, tmp_path / "pooled", VN_PARSE_WORKERS=2)
    assert inproc.returncode == 0, inproc.stderr[-3000:]
    assert pooled.returncode == 0, pooled.stderr[-3000:]

    assert "vn/parse/pooled" not in inproc_stats
    pages = pooled_stats["vn/pages/article"] + pooled_stats.get("vn/pages/listing", 0)
    assert pooled_stats["vn/parse/pooled"] == pages > 0
    expected = _items(tmp_path / "inproc", key)
    assert len(expected) == len(server.listed_urls(key))
    assert _items(tmp_path / "pooled", key) == expected
    assert pooled_stats.get("vn/rejected", 0) == inproc_stats.get("vn/rejected", 0)


# -- the pool itself (no crawl) -------------------------------------------------------------------

GOLDEN = Path(__file__).parent / "golden" / "dongthap"


def _job(method: str = "parse_article") -> tuple:
    """ParsePool.parse / run_parser arguments for a golden dongthap page."""
    case = sorted(p for p in GOLDEN.iterdir() if (p / "page.html").is_file())[0]
    url = (case / "url.txt").read_text(encoding="utf-8").strip()
    spec = parser_spec(get_site("dongthap"), "https://dongthap.gov.vn")
    return spec, method, (), (case / "page.html").read_bytes(), None, url


JOB = _job()


def test_a_parser_failure_comes_back_as_an_error_and_the_worker_survives() -> None:
    async def scenario() -> None:
        pool = ParsePool(1)
        try:
            with pytest.raises(ParseWorkerError, match="AttributeError"):
                await pool.parse(*_job("no_such_method"))
            pid = pool._workers[0].process.pid
            article = await pool.parse(*JOB)
            assert article == run_parser(*JOB)
            assert pool._workers[0].process.pid == pid
        finally:
            pool.close()

    asyncio.run(scenario())


def test_a_killed_worker_fails_its_pages_and_is_replaced() -> None:
    async def scenario() -> None:
        pool = ParsePool(1)
        try:
            first = await pool.parse(*JOB)
            worker = pool._workers[0]
            worker.process.send_signal(signal.SIGSTOP)  # hold the next page inside the worker...
            held = asyncio.ensure_future(pool.parse(*JOB))
            await asyncio.sleep(0.2)
            worker.process.kill()  # ...and kill it with the page
            with pytest.raises(ParseWorkerError, match="died"):
                await asyncio.wait_for(held, 10)
            again = await pool.parse(*JOB)
            assert again == first
            assert pool._workers[0].process.pid != worker.process.pid
            assert worker.process.wait(5) is not None
        finally:
            pool.close()

    asyncio.run(scenario())


def test_closing_the_pool_ends_its_workers() -> None:
    async def scenario() -> list[subprocess.Popen[bytes]]:
        pool = ParsePool(2)
        await asyncio.gather(*(pool.parse(*JOB) for _ in range(8)))
        processes = [w.process for w in pool._workers]
        assert len(processes) == 2
        started = time.monotonic()
        pool.close()
        assert time.monotonic() - started < 5, "workers must leave at once when their socket closes"
        return processes

    for process in asyncio.run(scenario()):
        assert process.returncode == 0


def test_workers_that_cannot_start_make_the_pool_give_up() -> None:
    async def scenario() -> None:
        pool = ParsePool(1, command=[sys.executable, "-c", "raise SystemExit(3)"])
        try:
            for _ in range(ParsePool.MAX_DEATHS_WITHOUT_REPLY):
                assert pool.usable
                with pytest.raises(ParseWorkerError, match="died"):
                    await asyncio.wait_for(pool.parse(*JOB), 10)
            assert not pool.usable  # the spider parses in its own thread from now on
        finally:
            pool.close()

    asyncio.run(scenario())


def test_the_spiders_of_one_crawlall_share_one_pool(fresh_replica, tmp_path: Path) -> None:
    keys = ["dongthap", "khoicq"]
    server = fresh_replica(*keys)
    cmd = crawlall_command(keys, tmp_path, {k: server.base_url(k) for k in keys}, VN_PARSE_WORKERS=1)
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stderr.count("parse worker") == 1, "one worker for both spiders"
    for key in keys:
        assert len(feed_lines(tmp_path, key)) == len(server.listed_urls(key))
