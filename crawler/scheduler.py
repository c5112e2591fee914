"""Scrapy's scheduler, made safe to resume from a JOBDIR whose last run was killed.

queuelib's disk queues record how many requests they hold only when they are closed: the LIFO
queue in its file header, the FIFO queue in `info.json`, the priority queues in `active.json`.
After a kill -9 those counts are stale while the files still hold the dead run's requests, so a
resumed run pops requests of the dead run in place of its own, and as many of its own are never
popped: the listing walk is cut and the run "finishes" having fetched nothing new (seen in CI:
four resumed runs in a row ended early).

Nothing in that queue is needed to resume: every article a run requests is in the state's owed
ledger from the moment it is requested (fetched first by the next run), and listings are walked
again. So a queue left open by a dead run is discarded, counted and logged; a queue closed
cleanly (Ctrl-C, SIGTERM, the end of a run) is resumed as Scrapy does.
"""

from __future__ import annotations

import fcntl
import logging
import shutil
from pathlib import Path
from typing import IO, Any

from scrapy.core.scheduler import Scheduler

from crawler.pipelines import SiteLockedError

logger = logging.getLogger(__name__)

# In the JOBDIR while a run has its queue open; removed once the queue is closed cleanly.
OPEN_MARKER = "vn-queue-open"
# Held (flock) for the run: a marker whose run is still alive is not a dead run's.
LOCK_FILE = "vn-queue.lock"


class JobdirScheduler(Scheduler):
    """`Scheduler` that discards a disk queue its last run did not close (SCHEDULER setting)."""

    _lock: IO[str] | None = None

    def open(self, spider: Any) -> Any:
        if self.dqdir:
            self._guard(Path(self.dqdir))
        return super().open(spider)

    def close(self, reason: str) -> Any:
        result = super().close(reason)  # writes the queues' counts: the queue is consistent again
        if self.dqdir:
            Path(self.dqdir).parent.joinpath(OPEN_MARKER).unlink(missing_ok=True)
        if self._lock is not None:
            self._lock.close()
            self._lock = None
        return result

    def _guard(self, queue_dir: Path) -> None:
        jobdir = queue_dir.parent
        lock = jobdir.joinpath(LOCK_FILE).open("a")
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.close()
            self.dqs = None  # never opened: the engine still closes this scheduler
            raise SiteLockedError(f"another run uses JOBDIR {jobdir}; not starting a second one") from None
        self._lock = lock
        marker = jobdir / OPEN_MARKER
        if marker.exists():
            files = sum(1 for p in queue_dir.rglob("*") if p.is_file())
            shutil.rmtree(queue_dir)
            queue_dir.mkdir()
            logger.warning(
                "JOBDIR %s: the last run did not close its request queue (killed?); discarded it"
                " (%d files): its articles are owed in the state and fetched first, and every"
                " listing is walked again",
                jobdir,
                files,
            )
            if self.stats is not None:
                self.stats.set_value("vn/jobdir/discarded_queue", files)
        marker.touch()
