"""Consumers read only what is new: the runs manifest (data/runs/<site>.jsonl) and crawler.feed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from crawl_helpers import ROOT, feed_lines, run_crawl
from test_crawl_modes import newer_articles


def feed(data_dir: Path, cursor: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "crawler.feed", "--cursor", str(cursor), "--data-dir", str(data_dir), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def printed(proc: subprocess.CompletedProcess[str]) -> list[dict[str, Any]]:
    assert proc.returncode == 0, proc.stderr
    return [json.loads(line) for line in proc.stdout.splitlines()]


def manifest(data_dir: Path, site: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (data_dir / "runs" / f"{site}.jsonl").read_text().splitlines()]


def test_feed_prints_each_run_once_across_two_runs(fresh_replica, tmp_path: Path) -> None:
    key = "dongthap"
    server = fresh_replica(key)
    data, cursor = tmp_path / "data", tmp_path / "cursor.json"
    first, _ = run_crawl(key, server.base_url(key), data, VN_REFRESH_DAYS="0")
    assert first.returncode == 0, first.stderr[-3000:]
    stored = feed_lines(data, key)
    assert len(stored) >= 10

    (run1,) = manifest(data, key)
    (entry,) = run1["files"]
    published = data / key / entry["file"]
    assert run1["finish_reason"] == "finished" and run1["started"] <= run1["finished"]
    assert entry["items"] == len(stored) and entry["bytes"] == published.stat().st_size

    assert printed(feed(data, cursor, "--site", key)) == stored
    assert printed(feed(data, cursor, "--site", key)) == [], "nothing new since the cursor"

    fresh = newer_articles(server.articles(key)[0], 2, start_id=90001)
    server.set_articles(key, fresh)
    second, _ = run_crawl(key, server.base_url(key), data, VN_REFRESH_DAYS="0")
    assert second.returncode == 0, second.stderr[-3000:]

    runs = manifest(data, key)
    assert len(runs) == 2 and runs[1]["files"][0]["items"] == 2
    new = printed(feed(data, cursor))  # every site: here only dongthap has runs
    assert sorted(item["title"] for item in new) == sorted(a.title for a in fresh)
    assert printed(feed(data, cursor)) == []
    assert published.read_bytes().count(b"\n") == len(stored), "a published file never changes"


def test_a_run_that_publishes_nothing_still_gets_its_line(fresh_replica, tmp_path: Path) -> None:
    key = "gialai"
    server = fresh_replica(key)
    for _ in range(2):
        proc, _ = run_crawl(key, server.base_url(key), tmp_path, VN_REFRESH_DAYS="0")
        assert proc.returncode == 0, proc.stderr[-3000:]
    runs = manifest(tmp_path, key)
    assert len(runs) == 2 and runs[0]["files"] and runs[1]["files"] == []
    assert runs[1]["finish_reason"] == "finished"


def test_feed_mistakes_are_one_line(tmp_path: Path) -> None:
    (tmp_path / "dongthap").mkdir()
    proc = feed(tmp_path, tmp_path / "c.json", "--site", "dongthp")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.splitlines() == [f"error: no data for dongthp under {tmp_path} (sites with runs: )"]
    bad = tmp_path / "bad.json"
    bad.write_text("[1, 2]")
    proc = feed(tmp_path, bad)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert len(proc.stderr.splitlines()) == 1 and "not a feed cursor" in proc.stderr


def test_a_killed_runs_file_gets_its_line_when_published(tmp_path: Path) -> None:
    from crawler.manifest import record_recovered

    published = tmp_path / "dongthap" / "dongthap-20250101T000000000000Z-w1-42.jsonl"
    published.parent.mkdir()
    published.write_bytes(b'{"n": 1}\n{"n": 2}\n')
    record_recovered(published)
    (run,) = manifest(tmp_path, "dongthap")
    assert run["finish_reason"] == "recovered"
    assert run["files"] == [{"file": published.name, "items": 2, "bytes": published.stat().st_size}]
    assert printed(feed(tmp_path, tmp_path / "cursor.json")) == [{"n": 1}, {"n": 2}]
