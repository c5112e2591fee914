"""Rebuild a site's state from its published feeds (`data/<site>/*.jsonl`).

The feeds hold everything the state knows about stored articles: URL, id, content hash, revision
and modified time per line, and each file's length. Replaying the lines in file order through
`commit_written` restores the articles, their hashes and revisions, and the files' offsets, so a
lost or emptied state never makes a run write every article again.

`.part` files left without a state (their committed length is unknown) are cut after their last
complete line and published first: those lines exist, so they count as written. A `.part` whose
writer is alive (another worker sharing the data folder holds its run lock) is left alone: it
is not an orphan, and cutting it would lose what that worker writes next.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crawler.state.base import REBUILD_COMMAND, Known, StateStore

logger = logging.getLogger(__name__)

OWNER = "rebuild"
# Folders of VN_DATA_DIR that are not sites.
NOT_SITES = {"rejects", "stats", "warc"}


@dataclass
class Rebuilt:
    site: str
    files: int = 0
    lines: int = 0
    articles: int = 0  # lines committed (a revision of an article counts once more)
    skipped: int = 0  # unparsable lines, or lines the state refused (e.g. a revision gap)


def feed_files(data_dir: Path, site: str) -> list[Path]:
    """Published feeds of a site, oldest first (the names start with the site and a UTC stamp)."""
    folder = data_dir / site
    return sorted(folder.glob("*.jsonl")) if folder.is_dir() else []


def feed_sites(data_dir: Path) -> list[str]:
    if not data_dir.is_dir():
        return []
    return sorted(
        p.name
        for p in data_dir.iterdir()
        if p.is_dir() and p.name not in NOT_SITES and (feed_files(data_dir, p.name) or any(p.glob("*.part")))
    )


def writer_is_running(part: Path, site: str) -> bool:
    """Whether the worker that writes `part` (`<site>-<stamp>-<worker>-<pid>.jsonl.part`, see
    JsonlStorePipeline) holds its run lock (`run-<worker>.lock`) now."""
    found = re.fullmatch(rf"{re.escape(site)}-\d{{8}}T\d+Z-(.+)-\d+\.jsonl\.part", part.name)
    lock = part.parent / f"run-{found.group(1)}.lock" if found else None
    if lock is None or not lock.exists():
        return False
    with lock.open("a") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(fh, fcntl.LOCK_UN)
    return False


def publish_orphan_parts(data_dir: Path, site: str) -> int:
    """Cut each orphaned `.part` of the site after its last complete line and publish it; returns
    how many."""
    count = 0
    for part in sorted((data_dir / site).glob("*.jsonl.part")):
        if writer_is_running(part, site):
            continue
        data = part.read_bytes()
        keep = data.rfind(b"\n") + 1
        if keep == 0:
            part.unlink()
            continue
        if keep < len(data):
            with part.open("r+b") as fh:
                fh.truncate(keep)
        os.replace(part, part.with_name(part.name.removesuffix(".part")))
        count += 1
    return count


def rebuild_site(store: StateStore, data_dir: Path, site: str) -> Rebuilt:
    report = Rebuilt(site)
    publish_orphan_parts(data_dir, site)
    for path in feed_files(data_dir, site):
        report.files += 1
        store.register_file(site, str(path), OWNER)
        offset = 0
        with path.open("rb") as fh:
            for raw in fh:
                offset += len(raw)
                report.lines += 1
                known = _known(raw)
                if known is None or not store.commit_written(site, known, str(path), offset):
                    report.skipped += 1
                    continue
                report.articles += 1
        store.close_file(str(path))
    return report


def _known(raw: bytes) -> Known | None:
    try:
        record = json.loads(raw)
        return Known(
            record["url"],
            record.get("id") or "",
            record.get("content_hash") or "",
            int(record.get("revision") or 1),
            record.get("modified_at"),
        )
    except (ValueError, KeyError, TypeError):
        return None


def ensure_state(store: StateStore, settings: Any, site: str) -> str | None:
    """Before a crawl: an empty state while the site has published feeds is rebuilt from them
    (VN_STATE_AUTO_REBUILD) or refused. Returns the refusal message, or None to go on."""
    data_dir = Path(settings.get("VN_DATA_DIR", "data"))
    orphans = any(not writer_is_running(part, site) for part in (data_dir / site).glob("*.jsonl.part"))
    if store.count(site) or not (feed_files(data_dir, site) or orphans):
        return None
    if not settings.getbool("VN_STATE_AUTO_REBUILD", True):
        return (
            f"the state holds nothing for {site} but {data_dir / site} holds published feeds: not"
            f" writing every article again; run `{REBUILD_COMMAND} --data-dir {data_dir} --site {site}`"
        )
    report = rebuild_site(store, data_dir, site)
    logger.warning(
        "%s: the state was empty while feeds exist: rebuilt %d articles from %d files (%d lines skipped)",
        site,
        report.articles,
        report.files,
        report.skipped,
    )
    return None
