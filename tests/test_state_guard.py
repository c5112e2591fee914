"""The state guards itself (issue 15): an emptied or missing state is rebuilt from the published
feeds (or the run refuses, naming the rebuild command), a damaged one stops the run with one clear
line, and `python -m crawler.state rebuild` restores it. Never every article written again.
"""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from pathlib import Path

from crawl_helpers import ROOT, feed_lines, run_crawl

from crawler.state.sqlite import SqliteStateStore

KEY = "dongthap"  # 13 articles


def _first_crawl(server, data: Path) -> None:
    proc, stats = run_crawl(KEY, server.base_url(KEY), data)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert stats["vn/items_written"] == 13


def _assert_each_stored_once(server, data: Path) -> None:
    urls = Counter(line["url"] for line in feed_lines(data, KEY))
    assert sorted(urls) == sorted(server.listed_urls(KEY)) and set(urls.values()) == {1}


def test_a_state_truncated_to_zero_bytes_is_rebuilt_from_the_feeds(fresh_replica, tmp_path: Path) -> None:
    server = fresh_replica(KEY)
    _first_crawl(server, tmp_path)
    state = tmp_path / "state.sqlite"
    state.write_bytes(b"")
    proc, stats = run_crawl(KEY, server.base_url(KEY), tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "the state was empty while feeds exist: rebuilt 13 articles from 1 files" in proc.stderr
    assert stats.get("vn/items_written", 0) == 0  # nothing written again
    _assert_each_stored_once(server, tmp_path)
    # Ids, hashes and revisions came back: an edited article is revision 2 of the same id.
    store = SqliteStateStore(state)
    try:
        for line in feed_lines(tmp_path, KEY):
            known = store.get(KEY, line["url"])
            assert known is not None
            assert (known.article_id, known.content_hash, known.revision) == (
                line["id"],
                line["content_hash"],
                line["revision"],
            )
    finally:
        store.close()


def test_a_missing_state_is_refused_when_auto_rebuild_is_off(fresh_replica, tmp_path: Path) -> None:
    server = fresh_replica(KEY)
    _first_crawl(server, tmp_path)
    (tmp_path / "state.sqlite").unlink()
    proc, stats = run_crawl(KEY, server.base_url(KEY), tmp_path, VN_STATE_AUTO_REBUILD=0)
    assert proc.returncode == 1
    assert "python -m crawler.state rebuild" in stats["vn/failure"]
    assert f"--site {KEY}" in stats["vn/failure"]
    assert stats.get("downloader/request_count", 0) == 0
    _assert_each_stored_once(server, tmp_path)


def test_a_damaged_state_is_one_clear_error_then_the_rebuild_command_restores_it(
    fresh_replica, tmp_path: Path
) -> None:
    server = fresh_replica(KEY)
    _first_crawl(server, tmp_path)
    state = tmp_path / "state.sqlite"
    for suffix in ("-wal", "-shm"):
        assert not Path(f"{state}{suffix}").exists()  # checkpointed at close: the file is all there is
    with state.open("r+b") as fh:  # one zeroed page (page size 4096)
        fh.seek(4096)
        fh.write(b"\0" * 4096)
    proc, stats = run_crawl(KEY, server.base_url(KEY), tmp_path)
    assert proc.returncode == 1
    errors = [line for line in proc.stderr.splitlines() if "ERROR" in line]
    assert len(errors) == 1, proc.stderr[-3000:]
    assert f"the state file {state} is corrupt" in errors[0]
    assert "python -m crawler.state rebuild" in errors[0]
    assert "Traceback" not in proc.stderr
    assert "template drift" not in proc.stderr
    assert stats.get("vn/items_written", 0) == 0

    rebuild = subprocess.run(
        [sys.executable, "-m", "crawler.state", "rebuild", "--data-dir", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert rebuild.returncode == 0, rebuild.stderr
    assert f"{KEY}: 13 articles from 1 files (13 lines, 0 skipped)" in rebuild.stdout
    assert "moved" in rebuild.stderr and list(tmp_path.glob("state.sqlite.corrupt-*"))
    proc, stats = run_crawl(KEY, server.base_url(KEY), tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert stats.get("vn/items_written", 0) == 0
    _assert_each_stored_once(server, tmp_path)


def test_a_rebuild_leaves_the_part_file_of_a_running_worker_alone(tmp_path: Path) -> None:
    """Two workers share a data folder (distributed mode): the second, finding the state empty
    and a `.part` of the first, must not publish or delete the file the first is writing. Only a
    `.part` whose writer's run lock is free is an orphan."""
    from scrapy.settings import Settings

    from crawler.pipelines import acquire_run_lock
    from crawler.state.rebuild import ensure_state

    site_dir = tmp_path / "dongthap"
    site_dir.mkdir()
    live = site_dir / "dongthap-20261204T222051715901Z-w1-3971.jsonl.part"
    live.write_bytes(b"")  # opened, nothing committed yet
    orphan = site_dir / "dongthap-20261203T101010000000Z-w9-1234.jsonl.part"
    orphan.write_bytes(b'{"url": "https://dongthap.gov.vn/-/a", "id": "x", "content_hash": "h"}\n{"url')
    lock = acquire_run_lock(site_dir / "run-w1.lock")  # w1 is running
    store = SqliteStateStore(tmp_path / "state.sqlite")
    try:
        assert ensure_state(store, Settings({"VN_DATA_DIR": str(tmp_path)}), "dongthap") is None
        assert live.exists() and live.read_bytes() == b""  # still w1's
        assert not orphan.exists()  # w9 is gone: its complete line is published and counted
        assert [p.name for p in site_dir.glob("*.jsonl")] == [orphan.name.removesuffix(".part")]
        assert store.count("dongthap") == 1
    finally:
        lock.close()
        store.close()
