"""The runs manifest: `<VN_DATA_DIR>/runs/<site>.jsonl`, one JSON line per run of the site.

Beside `rejects/<site>.jsonl`, not in the site folder: consumers that read `<site>/*.jsonl` as
items must not meet it there.

Published `.jsonl` files never change (the store writes `.part` and renames it at close), so a
consumer needs only to know which files are new: each run appends one line naming the files it
published, with their item counts and byte sizes. A file that a killed run left behind is
published by the next run of that worker (crawler.pipelines.recover_part_files), which appends
a line for it at once. `python -m crawler.feed` reads the manifest from a cursor.

A line is appended with one `write` on an `O_APPEND` descriptor, so lines of workers sharing a
disk never interleave; a reader takes only lines that end in a newline.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.exceptions import NotConfigured

MANIFEST_DIR = "runs"
STORE_PIPELINE = "crawler.pipelines.JsonlStorePipeline"


def _iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def count_lines(path: Path) -> int:
    with path.open("rb") as fh:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 20), b""))


def manifest_path(data_dir: Path, site: str) -> Path:
    return data_dir / MANIFEST_DIR / f"{site}.jsonl"


def published_entry(path: Path, items: int | None = None) -> dict[str, Any]:
    """{file (name within the site folder), items, bytes} of a published file."""
    return {
        "file": path.name,
        "items": count_lines(path) if items is None else items,
        "bytes": path.stat().st_size,
    }


def append_run(site_dir: Path, record: dict[str, Any]) -> None:
    """Append one line to the manifest of `site_dir` (`<data>/<site>`) in a single write."""
    line = (json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")
    path = manifest_path(site_dir.parent, site_dir.name)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, line)
    finally:
        os.close(fd)


def record_recovered(path: Path) -> None:
    """The line of a killed run whose `.part` file the next run published as `path`."""
    append_run(
        path.parent,
        {
            "run": path.stem,
            "started": None,
            "finished": _iso(datetime.now(UTC)),
            "files": [published_entry(path)],
            "finish_reason": "recovered",  # the run was killed; its committed lines were published later
        },
    )


class RunManifest:
    """Appends this run's line to the manifest when the spider closes (after the store published
    its file, with the finish reason only the spider_closed signal carries)."""

    def __init__(self, crawler: Any, data_dir: Path) -> None:
        self.crawler = crawler
        self.data_dir = data_dir

    @classmethod
    def from_crawler(cls, crawler: Any) -> RunManifest:
        s = crawler.settings
        if not s.getbool("VN_MANIFEST_ENABLED", True):
            raise NotConfigured("VN_MANIFEST_ENABLED is off")
        if not s.getbool("VN_STORE_ENABLED", True) or STORE_PIPELINE not in s.getwithbase("ITEM_PIPELINES"):
            raise NotConfigured("the JSONL store is off: nothing is published")
        ext = cls(crawler, Path(s.get("VN_DATA_DIR", "data")))
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_closed(self, spider: Any, reason: str) -> None:
        stats = self.crawler.stats
        site = getattr(getattr(spider, "site", None), "key", None) or spider.name
        site_dir = self.data_dir / site
        if not site_dir.is_dir():  # the store never opened (the run stopped before it)
            return
        published = stats.get_value("vn/store/file")
        items = stats.get_value("vn/items_written", 0)
        files = [published_entry(Path(published), items)] if published else []
        start = stats.get_value("start_time")
        append_run(
            site_dir,
            {
                "run": Path(published).name.removesuffix(".jsonl") if published else f"{site}-{os.getpid()}",
                "started": _iso(start),
                "finished": _iso(datetime.now(UTC)),
                "files": files,
                "finish_reason": reason,
            },
        )
