"""Item pipelines, in order: deduplicate (300), store (900).

The spider's items come out of the item builder (crawler/builder.py) validated and normalized;
`ValidatePipeline` and `NormalizePipeline` apply the same functions to items built elsewhere.

Each stage is one class wired by ITEM_PIPELINES, built through `from_crawler`, switched by a
`VN_<STAGE>_ENABLED` flag, and counts what it does under `vn/...` stats keys.
"""

from __future__ import annotations

import json
import logging
import os
import socket
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from itemadapter import ItemAdapter
from scrapy.exceptions import DropItem, NotConfigured

from crawler.builder import Reject, finish_item, problems
from crawler.items import Article, article_record
from crawler.manifest import record_recovered
from crawler.normalize.article import normalize_article
from crawler.paths import safe_child
from crawler.rejects import RejectLog
from crawler.spiders.base import listed_url
from crawler.state import Known, StateStore, state_store_for

logger = logging.getLogger(__name__)


def _site_key(crawler: Any) -> str:
    """The running spider's site key (its registry entry), which namespaces state and output."""
    spider = crawler.spider
    site = getattr(spider, "site", None)
    return site.key if site is not None else spider.name


def _lost(crawler: Any, item: Any, reason: str) -> None:
    """An item that will not be stored: its article stays owed (the portal spider's ledger)."""
    spider = crawler.spider
    url = listed_url(item) or getattr(item, "url", None)
    if url and hasattr(spider, "article_lost"):
        spider.article_lost(url, reason)


def _settled(crawler: Any, item: Any) -> None:
    """An item whose article is stored already (a duplicate): no longer owed."""
    spider = crawler.spider
    for url in {listed_url(item), getattr(item, "url", None)}:
        if url and hasattr(spider, "settle"):
            spider.settle(url)


def _check_enabled(crawler: Any, flag: str) -> None:
    if not crawler.settings.getbool(flag, True):
        raise NotConfigured(f"{flag} is off")


class ValidatePipeline:
    """The item builder's validation (crawler/builder.py) for items built elsewhere: items without
    url, title, body or a (plausible) date go to the rejects file, not the feed.

    Not in ITEM_PIPELINES: the portal spiders' items come out of the builder validated."""

    def __init__(self, crawler: Any, rejects: RejectLog, stats: Any, future_tolerance: timedelta) -> None:
        self.crawler = crawler
        self.rejects = rejects
        self.stats = stats
        self.future_tolerance = future_tolerance

    @classmethod
    def from_crawler(cls, crawler: Any) -> ValidatePipeline:
        _check_enabled(crawler, "VN_VALIDATE_ENABLED")
        hours = crawler.settings.getfloat("VN_VALIDATE_FUTURE_TOLERANCE_HOURS", 36)
        return cls(crawler, RejectLog.for_crawler(crawler), crawler.stats, timedelta(hours=hours))

    def problems(self, article: Article) -> list[str]:
        return problems(article, future_tolerance=self.future_tolerance)

    def process_item(self, item: Article) -> Article:
        built = finish_item(item, normalize=False, future_tolerance=self.future_tolerance)
        if isinstance(built, Reject):
            reasons = built.details["all_reasons"]
            for field in reasons:
                self.stats.inc_value(f"vn/validate/{field}")
            self.rejects.reject(_site_key(self.crawler), built.url, built.reason, **built.details)
            _lost(self.crawler, item, built.reason)
            raise DropItem(f"invalid item {item.url}: {', '.join(reasons)}")
        return item


class NormalizePipeline:
    """The item builder's normalization (crawler/normalize/article.py) for items built elsewhere:
    NFC, whitespace folding, empty paragraphs dropped; fills id, content_hash, crawled_at."""

    @classmethod
    def from_crawler(cls, crawler: Any) -> NormalizePipeline:
        _check_enabled(crawler, "VN_NORMALIZE_ENABLED")
        return cls()

    def process_item(self, item: Article) -> Article:
        return normalize_article(item)


class DedupPipeline:
    """Drops what an earlier line (this run or any earlier one) already holds.

    Same canonical URL and content: duplicate. Same URL, new content: a new revision.
    Same content under another URL: duplicate. The state is written by the store, in the
    same step as the line, so a crash cannot leave them disagreeing.
    """

    def __init__(self, crawler: Any, state: StateStore, stats: Any) -> None:
        self.crawler = crawler
        self.state = state
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Any) -> DedupPipeline:
        _check_enabled(crawler, "VN_DEDUP_ENABLED")
        return cls(crawler, state_store_for(crawler), crawler.stats)

    def process_item(self, item: Article) -> Article:
        site = _site_key(self.crawler)
        try:
            return self._check(site, item)
        except DropItem:
            _settled(self.crawler, item)
            raise
        except Exception as exc:  # an unreadable state must cost a counted reject, not a silent drop
            RejectLog.for_crawler(self.crawler).reject(site, item.url, "state_error", error=repr(exc))
            _lost(self.crawler, item, "state_error")
            raise DropItem(f"state error on {item.url}: {exc!r}") from exc

    def _check(self, site: str, item: Article) -> Article:
        known = self.state.get(site, item.url)
        if known is not None:
            if known.content_hash == item.content_hash:
                self.stats.inc_value("vn/duplicates/url")
                raise DropItem(f"duplicate of stored {item.url}")
            item.revision = known.revision + 1
            self.stats.inc_value("vn/revisions")
            logger.info("article changed since stored: %s now revision %d", item.url, item.revision)
            return item
        other = self.state.url_for_hash(site, item.content_hash or "")
        if other is not None and other != item.url:
            self.stats.inc_value("vn/duplicates/content")
            raise DropItem(f"{item.url} has the same content as stored {other}")
        return item


class JsonlStorePipeline:
    """One JSONL file per site per run under `<VN_DATA_DIR>/<site>/`, exactly-once across crashes.

    The file is written as `.part`; after each line the file is flushed and the article's
    state plus the file's new length are committed in one state transaction. On start, any
    `.part` left by a killed run is cut back to its last committed length (dropping a torn
    or uncommitted line, whose article the state does not know and will fetch again) and
    published by renaming it; at a clean close the file is renamed to `.jsonl`, so readers
    that glob `*.jsonl` never see a half-written file.
    """

    def __init__(
        self, crawler: Any, data_dir: Path, state: StateStore, stats: Any, fsync: bool, worker: str
    ) -> None:
        self.crawler = crawler
        self.data_dir = data_dir
        self.state = state
        self.stats = stats
        self.fsync = fsync
        self.worker = worker
        self._lock: Any = None
        self._fh: Any = None
        self._path: Path | None = None
        self._offset = 0
        self._site = ""

    @classmethod
    def from_crawler(cls, crawler: Any) -> JsonlStorePipeline:
        _check_enabled(crawler, "VN_STORE_ENABLED")
        s = crawler.settings
        worker = s.get("VN_WORKER_ID") or socket.gethostname().split(".")[0] or "worker"
        return cls(
            crawler,
            Path(s.get("VN_DATA_DIR", "data")),
            state_store_for(crawler),
            crawler.stats,
            s.getbool("VN_STORE_FSYNC", False),
            worker,
        )

    def open_spider(self) -> None:
        self._site = _site_key(self.crawler)
        if getattr(self.state, "broken", None):
            return  # the spider reports the unusable state and stops before any item
        site_dir = safe_child(self.data_dir, self._site)
        site_dir.mkdir(parents=True, exist_ok=True)
        # Two overlapping runs of one site by one worker would interleave; the second one stops here.
        self._lock = acquire_run_lock(safe_child(site_dir, f"run-{self.worker}.lock"))
        recovered = recover_part_files(self.state, self._site, self.worker)
        if recovered:
            self.stats.set_value("vn/store/recovered_files", recovered)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        name = f"{self._site}-{stamp}-{self.worker}-{os.getpid()}.jsonl.part"
        self._path = safe_child(site_dir, name)
        self.state.register_file(self._site, str(self._path), self.worker)
        self._fh = self._path.open("wb")
        self._offset = 0

    def process_item(self, item: Article) -> Article:
        record = article_record(item) if isinstance(item, Article) else ItemAdapter(item).asdict()
        line = (json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")
        self._fh.write(line)
        self._fh.flush()
        if self.fsync:
            os.fsync(self._fh.fileno())
        known = Known(item.url, item.id or "", item.content_hash or "", item.revision, item.modified_at)
        if not self.state.commit_written(self._site, known, str(self._path), self._offset + len(line)):
            # Another worker stored this article between our dedup check and now: take the line back.
            self._fh.truncate(self._offset)
            self._fh.seek(self._offset)
            self.stats.inc_value("vn/duplicates/race")
            _settled(self.crawler, item)
            raise DropItem(f"{item.url} was stored by another worker first")
        self._offset += len(line)
        listed = listed_url(item)
        if listed and listed != item.url:  # listed under another URL than its canonical one
            _settled(self.crawler, item)
        self.stats.inc_value("vn/items_written")
        return item

    def close_spider(self) -> None:
        if self._fh is None or self._path is None:
            return
        self._fh.close()
        self._fh = None
        final = publish_part_file(self._path, self._offset)
        self.state.close_file(str(self._path))
        if self._lock is not None:
            self._lock.close()
            self._lock = None
        if final is not None:
            self.stats.set_value("vn/store/file", str(final))
            logger.info("wrote %d bytes to %s", self._offset, final)


class SiteLockedError(RuntimeError):
    pass


def acquire_run_lock(path: Path) -> Any:
    """An exclusive advisory lock held for the run (released by the OS if the process dies)."""
    import fcntl

    fh = path.open("a")
    try:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        fh.close()
        raise SiteLockedError(f"another run holds {path}; not starting a second one") from None
    return fh


def publish_part_file(part: Path, committed: int) -> Path | None:
    """Cut `part` to its committed length and rename it to `.jsonl`; an empty file is removed."""
    if not part.exists():
        return None
    if part.stat().st_size != committed:
        with part.open("r+b") as fh:
            fh.truncate(committed)
    if committed == 0:
        part.unlink()
        return None
    final = part.with_name(part.name.removesuffix(".part"))
    os.replace(part, final)
    return final


def recover_part_files(state: StateStore, site: str, worker: str) -> int:
    """Publish what killed runs of `site` by this worker committed; returns how many files."""
    count = 0
    for open_file in state.open_files(site, worker):
        part = Path(open_file.path)
        final = publish_part_file(part, open_file.committed_offset)
        state.close_file(open_file.path)
        if final is not None:
            count += 1
            logger.warning("recovered %s (cut to %d committed bytes)", final, open_file.committed_offset)
            record_recovered(final)  # the killed run's line in the runs manifest (crawler/manifest.py)
    return count
