"""A JOBDIR request queue left by a killed run is discarded, not resumed (crawler/scheduler.py).

queuelib's disk queues save their counts only on close: after a kill -9 Scrapy's own scheduler
pops the dead run's requests in place of the new run's, and loses as many of the new ones. These
tests kill a real process holding a real queue, then resume with each scheduler.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from scrapy import Spider
from scrapy.core.scheduler import Scheduler
from scrapy.crawler import Crawler
from scrapy.http import Request
from scrapy.utils.test import get_crawler

from crawler.pipelines import SiteLockedError
from crawler.scheduler import OPEN_MARKER, JobdirScheduler

ROOT = Path(__file__).resolve().parent.parent
# The crawl's DownloaderAwarePriorityQueue needs a running engine; the stale counts are in the
# queuelib disk queues under either priority queue (tests/test_kill_resume.py runs the real one).
PQ = "scrapy.pqueues.ScrapyPriorityQueue"


def _crawler(jobdir: Path) -> Crawler:
    return get_crawler(Spider, {"JOBDIR": str(jobdir), "SCHEDULER_PRIORITY_QUEUE": PQ})


# Enough requests that the queue files hold them on disk (not only in Python's write buffers).
DEAD_RUN = textwrap.dedent(
    """
    import os, signal, sys
    from scrapy import Spider
    from scrapy.http import Request
    from scrapy.utils.test import get_crawler
    from crawler.scheduler import JobdirScheduler

    crawler = get_crawler(Spider, {"JOBDIR": sys.argv[1], "SCHEDULER_PRIORITY_QUEUE": sys.argv[2]})
    scheduler = JobdirScheduler.from_crawler(crawler)
    scheduler.open(Spider("dead"))
    for i in range(300):
        scheduler.enqueue_request(
            Request(f"http://site.test/old/{i}", dont_filter=True, meta={"is_start_request": True})
        )
    scheduler.next_request()
    os.kill(os.getpid(), signal.SIGKILL)
    """
)


def _killed_run(jobdir: Path) -> None:
    proc = subprocess.run([sys.executable, "-c", DEAD_RUN, str(jobdir), PQ], cwd=ROOT, timeout=60)
    assert proc.returncode == -signal.SIGKILL
    assert (jobdir / OPEN_MARKER).exists()


def _resume(cls: type[Scheduler], jobdir: Path) -> list[str]:
    """Open `cls` on `jobdir`, queue three new start requests, and pop everything it gives."""
    crawler = _crawler(jobdir)
    scheduler = cls.from_crawler(crawler)
    scheduler.open(Spider("resumed"))
    new = [f"http://site.test/new/{i}" for i in range(3)]
    for url in new:
        scheduler.enqueue_request(Request(url, dont_filter=True, meta={"is_start_request": True}))
    popped = []
    while (request := scheduler.next_request()) is not None:
        popped.append(request.url)
    scheduler.close("finished")
    return popped


def test_scrapys_scheduler_resumes_a_killed_queue_wrongly(tmp_path: Path) -> None:
    """The bug this module exists for: kept as a test so that a queuelib that fixes it shows."""
    _killed_run(tmp_path / "job")
    popped = _resume(Scheduler, tmp_path / "job")
    assert len(popped) == 3
    assert all("/old/" in url for url in popped)  # the dead run's requests, none of the new ones


def test_a_killed_runs_queue_is_discarded_and_the_new_requests_all_come_out(tmp_path: Path) -> None:
    jobdir = tmp_path / "job"
    _killed_run(jobdir)
    assert any(p.is_file() and p.stat().st_size > 1000 for p in (jobdir / "requests.queue").rglob("*"))
    crawler = _crawler(jobdir)
    scheduler = JobdirScheduler.from_crawler(crawler)
    scheduler.open(Spider("resumed"))
    assert crawler.stats.get_value("vn/jobdir/discarded_queue", 0) >= 1
    scheduler.close("finished")
    assert not (jobdir / OPEN_MARKER).exists()
    assert _resume(JobdirScheduler, jobdir) == [f"http://site.test/new/{i}" for i in range(3)]


def test_a_cleanly_closed_queue_is_resumed_as_scrapy_does(tmp_path: Path) -> None:
    jobdir = tmp_path / "job"
    crawler = _crawler(jobdir)
    scheduler = JobdirScheduler.from_crawler(crawler)
    scheduler.open(Spider("first"))
    for i in range(3):
        scheduler.enqueue_request(Request(f"http://site.test/left/{i}", dont_filter=True))
    scheduler.close("shutdown")  # Ctrl-C: the queue is saved with its counts
    assert not (jobdir / OPEN_MARKER).exists()

    crawler = _crawler(jobdir)
    scheduler = JobdirScheduler.from_crawler(crawler)
    scheduler.open(Spider("resumed"))
    popped = []
    while (request := scheduler.next_request()) is not None:
        popped.append(request.url)
    scheduler.close("finished")
    assert sorted(popped) == [f"http://site.test/left/{i}" for i in range(3)]
    assert crawler.stats.get_value("vn/jobdir/discarded_queue") is None


def test_a_second_live_run_on_the_same_jobdir_is_refused(tmp_path: Path) -> None:
    jobdir = tmp_path / "job"
    first = JobdirScheduler.from_crawler(_crawler(jobdir))
    first.open(Spider("first"))
    second = JobdirScheduler.from_crawler(_crawler(jobdir))
    with pytest.raises(SiteLockedError, match="another run uses JOBDIR"):
        second.open(Spider("second"))
    second.close("shutdown")  # as the engine does after a failed open: no error of its own
    first.enqueue_request(Request("http://site.test/a", dont_filter=True))
    assert first.next_request().url == "http://site.test/a"  # the live run's queue is untouched
    first.close("finished")
    assert os.listdir(jobdir)  # and nothing was removed under it
