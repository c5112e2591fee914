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
