"""The validate/normalize/dedup/store pipelines, built from a real test crawler (no network)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pipeline_helpers import Pipes, article, lines
from scrapy.exceptions import DropItem

from crawler.pipelines import SiteLockedError
from crawler.state import Known, state_store_for


def test_valid_items_are_written_once_as_utf8_jsonl(tmp_path: Path) -> None:
    pipes = Pipes(tmp_path)
    assert pipes.feed(article(1)) is not None
    assert pipes.feed(article(1)) is None  # same URL, same content
    pipes.close()
    files = list((tmp_path / "dongthap").glob("*.jsonl"))
    assert len(files) == 1 and not list((tmp_path / "dongthap").glob("*.part"))
    raw = files[0].read_text(encoding="utf-8")
    assert "Bài viết số 1" in raw  # not ASCII-escaped
    (record,) = lines(tmp_path)
    assert record["revision"] == 1 and len(record["id"]) == 32 and record["crawled_at"].endswith("Z")
    assert pipes.stat("vn/duplicates/url") == 1


def test_second_run_writes_nothing_and_an_edit_is_a_new_revision(tmp_path: Path) -> None:
    first = Pipes(tmp_path)
    for n in range(3):
        first.feed(article(n))
    first.close()
    second = Pipes(tmp_path)
    assert [second.feed(article(n)) for n in range(3)] == [None, None, None]
    edited = second.feed(article(1, body=["Nội dung đã sửa."]))
    second.close()
    assert edited is not None and edited.revision == 2
    revisions = sorted((r["url"][-5:], r["revision"]) for r in lines(tmp_path))
    assert revisions == [("bai-0", 1), ("bai-1", 1), ("bai-1", 2), ("bai-2", 1)]


def test_same_content_under_another_url_is_written_once(tmp_path: Path) -> None:
    pipes = Pipes(tmp_path)
    pipes.feed(article(1))
    twin = article(1, url="https://dongthap.gov.vn/tin-tuc/-/asset_publisher/x/content/bai-1-copy")
    assert pipes.feed(twin) is None
    pipes.close()
    assert len(lines(tmp_path)) == 1 and pipes.stat("vn/duplicates/content") == 1


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"title": "  "}, "missing_title"),
        ({"body": ["", "\u00a0"]}, "missing_body"),
        ({"published_at": None}, "missing_date"),
        ({"published_at": "2999-01-01T00:00:00+07:00"}, "future_date"),
    ],
)
def test_invalid_items_go_to_rejects_with_reason(tmp_path: Path, overrides: dict, reason: str) -> None:
    pipes = Pipes(tmp_path)
    assert pipes.feed(article(7, **overrides)) is None
    pipes.close()
    assert lines(tmp_path) == []
    (reject,) = lines(tmp_path, "rejects/dongthap.jsonl")
    assert reject["reason"] == reason and reject["url"].endswith("bai-7")
    assert pipes.stat(f"vn/rejected/{reason}") == 1


def test_killed_run_is_cut_back_to_its_last_committed_line(tmp_path: Path) -> None:
    first = Pipes(tmp_path)
    first.feed(article(1))
    first.feed(article(2))
    part = first.store._path
    # A kill between writing a line and committing it: an uncommitted line, then a torn one.
    first.store._fh.write(b'{"url": "uncommitted"}\n{"url": "to')
    first.store._fh.flush()
    # The process dies: nothing else runs, the OS drops its lock and connections.
    first.store._lock.close()
    state_store_for(first.crawler).close()
    assert part.name.endswith(".part")

    second = Pipes(tmp_path)  # recovery happens when the next run opens
    assert not part.exists()
    assert [r["url"][-5:] for r in lines(tmp_path)] == ["bai-1", "bai-2"]
    assert second.feed(article(2)) is None and second.feed(article(3)) is not None
    second.close()
    assert sorted(r["url"][-5:] for r in lines(tmp_path)) == ["bai-1", "bai-2", "bai-3"]
    assert second.stat("vn/store/recovered_files") == 1


def test_a_second_concurrent_run_of_one_site_is_refused(tmp_path: Path) -> None:
    first = Pipes(tmp_path)
    with pytest.raises(SiteLockedError):
        Pipes(tmp_path)
    first.close()


def test_a_line_lost_to_another_writer_is_taken_back(tmp_path: Path) -> None:
    pipes = Pipes(tmp_path)
    item = article(1)
    for stage in pipes.stages[:-1]:
        item = stage.process_item(item)
    # Another worker stores the same article between this one's dedup check and its store.
    shared = state_store_for(pipes.crawler)
    shared.commit_written("dongthap", Known(item.url, item.id, item.content_hash, 1, None), "/other", 0)
    with pytest.raises(DropItem):
        pipes.store.process_item(item)
    assert pipes.feed(article(2)) is not None
    pipes.close()
    assert [r["url"][-5:] for r in lines(tmp_path)] == ["bai-2"]
    assert pipes.stat("vn/duplicates/race") == 1
