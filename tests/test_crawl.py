"""End to end: real `scrapy crawl` processes against the replica over HTTP on 127.0.0.1."""

from __future__ import annotations

import json
import signal
import time
from collections import Counter
from pathlib import Path

import jsonschema
import pytest
from crawl_helpers import ROOT, feed_lines, part_lines, run_crawl, start_crawl

from crawler.sites import SITES

SCHEMA = json.loads((ROOT / "schema" / "article.schema.json").read_text(encoding="utf-8"))
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)


def assert_valid(lines: list[dict]) -> None:
    for line in lines:
        errors = [e.message for e in VALIDATOR.iter_errors(line)]
        assert not errors, f"{line['url']}: {errors}"


def assert_exactly_once(lines: list[dict], expected_urls: list[str]) -> None:
    counts = Counter(line["url"] for line in lines)
    assert {u for u, n in counts.items() if n > 1} == set(), "articles written twice"
    assert sorted(counts) == sorted(expected_urls)


@pytest.mark.parametrize("key", sorted(SITES))
def test_a_cron_run_then_another_writes_every_article_once(key: str, fresh_replica, tmp_path: Path) -> None:
    server = fresh_replica(key)
    base = server.base_url(key)
    proc, _ = run_crawl(key, base, tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    lines = feed_lines(tmp_path, key)
    assert_exactly_once(lines, server.listed_urls(key))
    assert_valid(lines)
    assert {line["site"] for line in lines} == {SITES[key].site_name}
    assert not list((tmp_path / key).glob("*.part")), "a finished run leaves no .part file"

    server.reset_log(key)
    again, stats2 = run_crawl(key, base, tmp_path)
    assert again.returncode == 0, again.stderr[-3000:]
    assert stats2.get("vn/items_written", 0) == 0
    assert stats2.get("vn/pages/article", 0) == 0, "the second run fetched stored articles"
    assert len(feed_lines(tmp_path, key)) == len(lines)


def test_demo_writes_valid_jsonl_for_every_site(tmp_path: Path) -> None:
    import subprocess
    import sys

    proc = subprocess.run(
        [sys.executable, "-m", "replica.demo", "--data-dir", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    assert "pages" in proc.stdout and "duplicates" in proc.stdout  # the summary table
    for key in SITES:
        files = list((tmp_path / key).glob("*.jsonl"))
        assert files, f"no JSONL for {key}"
        lines = feed_lines(tmp_path, key)
        assert lines
        assert_valid(lines)


def _kill_when_written(proc, data_dir: Path, key: str, lines: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while part_lines(data_dir, key) < lines:
        assert proc.poll() is None, f"crawl ended before it could be killed: {proc.stderr.read()[-2000:]}"
        assert time.monotonic() < deadline, "crawl wrote too little to be killed mid-run"
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)


@pytest.mark.parametrize("mode", ["incremental", "archive"])
def test_a_crawl_killed_with_sigkill_and_restarted_has_every_article_once(
    mode: str, fresh_replica, tmp_path: Path
) -> None:
    key = "dongthap"
    server = fresh_replica(key)
    base = server.base_url(key)
    # Slow article pages so the kill lands mid-run, with requests in flight and lines written.
    server.set_faults(key, [{"path": "/content/", "kind": "delay", "delay": 0.25}])
    extra = {"JOBDIR": str(tmp_path / "job")} if mode == "archive" else {}
    proc = start_crawl(key, base, tmp_path, f"mode={mode}", CONCURRENT_REQUESTS="2", **extra)
    _kill_when_written(proc, tmp_path, key, lines=4)
    assert proc.returncode == -signal.SIGKILL
    assert list((tmp_path / key).glob("*.part")), "the killed run left its .part file"

    server.clear_faults(key)
    proc2, stats = run_crawl(key, base, tmp_path, f"mode={mode}", **extra)
    assert proc2.returncode == 0, proc2.stderr[-3000:]
    assert stats.get("vn/store/recovered_files") == 1
    assert not list((tmp_path / key).glob("*.part"))
    lines = feed_lines(tmp_path, key)  # every line parses (json.loads in feed_lines)
    assert_exactly_once(lines, server.listed_urls(key))


@pytest.mark.parametrize(
    ("options", "source"),
    [
        ({}, "rest"),
        ({"rest": 403}, "sitemap"),
        ({"rest": 401, "sitemaps": False}, "rss"),
        ({"rest": 404, "sitemaps": False, "feed": False}, "listing"),
    ],
)
@pytest.mark.parametrize("key", ["khoicq", "gialai"])
def test_wordpress_discovery_falls_back_and_stores_every_post_once(
    key: str, options: dict, source: str, fresh_replica, tmp_path: Path
) -> None:
    server = fresh_replica(key)
    server.set_options(key, options)
    proc, stats = run_crawl(key, server.base_url(key), tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert stats["vn/discovery"] == source
    assert f"discovering articles through {source}" in proc.stderr
    lines = feed_lines(tmp_path, key)
    # A first run walks everything: with RSS (newest posts only) the listings supply the rest.
    assert_exactly_once(lines, server.listed_urls(key))
    assert_valid(lines)
