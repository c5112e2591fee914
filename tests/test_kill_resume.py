"""A JOBDIR archive backfill survives kill -9: ten SIGKILLs at random moments, then one run to the
end, and every article of a 600-article site is stored exactly once (issue 15).

Before the fix the resumed run's start request was dropped by the JOBDIR's saved duplicate filter,
the run "finished" after 2 s, and most of the site was never fetched.
"""

from __future__ import annotations

import random
import signal
import time
from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest
from crawl_helpers import feed_lines, part_lines, run_crawl, start_crawl

from replica.corpus import generate_articles
from replica.server import ReplicaServer

KEY = "killsite"
SITE = "dongthap"  # liferay-adt template, 5 articles per listing page
ARTICLES = 600
KILLS = 10
SETTINGS = {"CONCURRENT_REQUESTS": 8, "CONCURRENT_REQUESTS_PER_DOMAIN": 8}


@pytest.mark.timeout(240)
def test_ten_sigkills_of_a_jobdir_backfill_then_a_run_to_the_end_store_every_article_once(
    tmp_path: Path,
) -> None:
    server = ReplicaServer()
    articles = generate_articles(ARTICLES, 15, start=datetime(2024, 9, 1))
    server.add_site(KEY, "liferay-adt", articles, site=SITE)
    with server:
        # Every page answers after 150 ms: the 120 listing pages alone take ~18 s in a row, more
        # than the ten runs get before their kills, so every kill lands mid-crawl.
        server.set_faults(KEY, [{"kind": "delay", "delay": 0.15}])
        base = server.base_url(KEY)
        jobdir = tmp_path / "job"
        rng = random.Random(15)
        stored_after_kill = []
        for _ in range(KILLS):
            proc = start_crawl(SITE, base, tmp_path, "mode=archive", JOBDIR=str(jobdir), **SETTINGS)
            time.sleep(rng.uniform(1.5, 3.5))  # the process needs ~1-2 s to start crawling
            assert proc.poll() is None, "the crawl ended before its kill: the test would prove nothing"
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            proc.stderr.close()  # type: ignore[union-attr]
            stored_after_kill.append(len(feed_lines(tmp_path, SITE)) + part_lines(tmp_path, SITE))
        assert stored_after_kill[-1] < ARTICLES, stored_after_kill  # the last run has work left

        proc, stats = run_crawl(
            SITE, base, tmp_path, "mode=archive", JOBDIR=str(jobdir), timeout=180, **SETTINGS
        )
        assert proc.returncode == 0, proc.stderr[-3000:]
        listed = set(server.listed_urls(KEY))

    lines = feed_lines(tmp_path, SITE)
    ids = Counter(line["id"] for line in lines)
    assert [i for i, n in ids.items() if n > 1] == []  # exactly once ...
    assert {line["url"] for line in lines} == listed  # ... and every one of them
    assert len(lines) == ARTICLES
    assert part_lines(tmp_path, SITE) == 0
    assert stats["vn/owed/total"] == 0
    assert stats.get("vn/failure") is None
