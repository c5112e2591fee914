"""Distributed mode against a real redis-server and the replica.

Unit tests of the pieces (settings switch, shared dupefilter, frontier bookkeeping), then real
`scrapy crawl` worker processes: two workers share one site; one is SIGKILLed mid-crawl and
the survivor finishes; `scrapy seed` seeds once; and without Redis the crawl is unchanged.
"""

from __future__ import annotations

import json
import os
import pickle
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from redis_fixtures import RedisServer, redis_server, redis_url  # noqa: F401  (fixtures)
from scrapy import Request, Spider
from scrapy.crawler import CrawlerRunner
from scrapy.dupefilters import RFPDupeFilter
from scrapy.settings import Settings
from scrapy.utils.project import get_project_settings
from scrapy.utils.test import get_crawler

from crawler.distributed import Frontier, RedisDupeFilter, apply_distributed_settings, distributed_enabled

ROOT = Path(__file__).resolve().parent.parent
SITE = "dongthap"  # a Liferay replica site: listing pages -> 13 articles
WP_SITE = "khoicq"  # a WordPress one: REST API pages -> 13 posts

# ---- the switch -------------------------------------------------------------------------------


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in ("REDIS_URL", "VN_DISTRIBUTED", "VN_WORKER_ID"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_off_without_redis(clean_env: pytest.MonkeyPatch) -> None:
    settings = get_project_settings()
    assert not distributed_enabled(settings)
    crawler = CrawlerRunner(settings).create_crawler(SITE)
    assert crawler.settings["SCHEDULER"] == "crawler.scheduler.JobdirScheduler"
    assert crawler.settings["VN_STATE_BACKEND"] == "sqlite"


def test_redis_url_in_the_environment_switches_it_on(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("REDIS_URL", "redis://127.0.0.1:1/0")
    clean_env.setenv("VN_WORKER_ID", "w7")
    crawler = CrawlerRunner(get_project_settings()).create_crawler(SITE)
    s = crawler.settings
    assert s["SCHEDULER"] == "crawler.distributed.DistributedScheduler"
    assert s["DUPEFILTER_CLASS"] == "crawler.distributed.RedisDupeFilter"
    assert s.getbool("SCHEDULER_PERSIST") and s["VN_STATE_BACKEND"] == "redis"
    assert s["REDIS_URL"] == "redis://127.0.0.1:1/0" and s["VN_WORKER_ID"] == "w7"
    assert s["SCHEDULER_QUEUE_KEY"] % {"spider": SITE} == "vnportal:dongthap:requests"
    assert any("SeedOnceMiddleware" in str(k) for k in s.getdict("SPIDER_MIDDLEWARES"))
    # Set before any crawler exists: the spider's from_crawler already sees the Redis backend.


def test_explicit_switch_wins_over_the_environment(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("REDIS_URL", "redis://127.0.0.1:1/0")
    assert not distributed_enabled(Settings({"VN_DISTRIBUTED": "0"}))
    clean_env.delenv("REDIS_URL")
    clean_env.setenv("VN_DISTRIBUTED", "1")
    assert distributed_enabled(Settings())
    with pytest.raises(RuntimeError, match="REDIS_URL"):
        apply_distributed_settings(Settings())


def test_command_line_overrides_distributed_settings(clean_env: pytest.MonkeyPatch) -> None:
    settings = Settings({"REDIS_URL": "redis://x/0", "VN_STATE_BACKEND": "sqlite"}, priority="project")
    settings.set("SCHEDULER_QUEUE_KEY", "custom:%(spider)s", priority="cmdline")
    assert apply_distributed_settings(settings)
    assert settings["VN_STATE_BACKEND"] == "redis"  # over settings.py
    assert settings["SCHEDULER_QUEUE_KEY"] == "custom:%(spider)s"  # under -s


# ---- the shared dupefilter --------------------------------------------------------------------


class _Spider(Spider):
    name = SITE


def test_redis_dupefilter_fingerprints_like_scrapy(redis_url: str) -> None:  # noqa: F811
    crawler = get_crawler(_Spider, {"REDIS_URL": redis_url, "SCHEDULER_DUPEFILTER_KEY": "t:%(spider)s:df"})
    worker1, worker2 = RedisDupeFilter.from_crawler(crawler), RedisDupeFilter.from_crawler(crawler)
    local = RFPDupeFilter.from_crawler(crawler)
    base = "https://dongthap.gov.vn/-/asset_publisher/x/content/bai"
    requests = [
        Request(f"{base}?a=1&b=2"),
        Request(f"{base}?b=2&a=1"),  # same after w3lib canonicalization
        Request(f"{base}?a=1&b=2#top"),  # fragments never reach the server
        Request(f"{base}?a=1&b=2", method="POST"),
        Request("https://dongthap.gov.vn/tin-tuc"),
        Request("https://dongthap.gov.vn/tin-tuc"),
    ]
    for request in requests:
        assert (
            worker1.request_fingerprint(request) == crawler.request_fingerprinter.fingerprint(request).hex()
        )
    # Two workers sharing the Redis set filter exactly what Scrapy's own filter filters.
    shared = [(worker1 if i % 2 else worker2).request_seen(r) for i, r in enumerate(requests)]
    assert shared == [local.request_seen(r) for r in requests] == [False, True, True, False, False, True]
    worker1.close("finished")  # a worker closing leaves the shared set to the others
    assert worker2.request_seen(requests[0])


# ---- the frontier bookkeeping -----------------------------------------------------------------


def _frontier(server: Any, worker: str, lease: float = 30.0) -> Frontier:
    return Frontier(server, "t", SITE, worker, lease)


def test_frontier_seeds_once_tracks_in_flight_and_finishes(redis_server: RedisServer, redis_url: str) -> None:  # noqa: F811
    r = redis_server.client()
    a, b = _frontier(r, "a"), _frontier(r, "b")
    a.join()
    b.join()
    assert a.claim_seed() == "claimed"
    assert b.claim_seed().startswith("seeding:a.")  # the run is taken: b only joins it
    r.zadd(a.queue_key, {b"req-1": 0, b"req-2": -1})
    assert a.seed_done()
    assert b.claim_seed().startswith("done:a.")

    ident, data = b.pop()
    assert data == b"req-2"  # the highest priority first (scrapy-redis scores are -priority)
    assert a.status() == a.status(finish=True)  # one queued, one in flight: not finished
    assert (a.status().queued, a.status().in_flight) == (1, 1)
    b.done([ident])
    a.pop()
    assert a.status(finish=True).in_flight == 1
    a.done([i.decode() for i in r.hkeys(a.inflight_key)])
    r.sadd(a.dupefilter_key, "fp")
    final = b.status(finish=True)
    assert final.finished and not r.exists(a.dupefilter_key)  # the next run filters afresh
    assert b.claim_seed() == "claimed"  # and can be seeded


def test_a_dead_sessions_requests_are_requeued(redis_server: RedisServer, redis_url: str) -> None:  # noqa: F811
    r = redis_server.client()
    dead, alive = _frontier(r, "dead", lease=0.2), _frontier(r, "alive")
    dead.join()
    alive.join()
    r.zadd(dead.queue_key, {b"r1": 0, b"r2": -5, b"r3": 0})
    dead.pop()
    dead.pop()
    assert alive.reap_dead() == {}  # its lease still runs
    time.sleep(0.3)  # no heartbeat: the lease expires
    assert alive.reap_dead() == {dead.session: 2}
    assert {m: s for m, s in r.zrange(alive.queue_key, 0, -1, withscores=True)} == {
        b"r1": 0.0,
        b"r2": -5.0,
        b"r3": 0.0,
    }
    assert alive.status().in_flight == 0 and not r.sismember(alive.sessions_key, dead.session)


# ---- worker processes against the replica ----------------------------------------------------


def _env(redis: str | None, worker: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "VN_DISTRIBUTED", "VN_WORKER_ID")}
    if redis:
        env["REDIS_URL"] = redis
    if worker:
        env["VN_WORKER_ID"] = worker
    return env


FAST = [
    "-s", "AUTOTHROTTLE_ENABLED=0",
    "-s", "DOWNLOAD_DELAY=0",
    "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=2",
    "-s", "VN_PROGRESS_INTERVAL=0",
    "-s", "VN_REDIS_LEASE=2",
    "-s", "VN_REDIS_IDLE_CLOSE=1",
    "-s", "VN_REDIS_POLL_INTERVAL=0.2",
    "-s", "LOG_LEVEL=INFO",
]  # fmt: skip


class Worker:
    """One `scrapy crawl <site>` process; its log (stats dump included) goes to a file."""

    def __init__(
        self,
        tmp: Path,
        name: str,
        base: str,
        redis: str | None,
        command: str = "crawl",
        *extra: str,
        site: str = SITE,
    ) -> None:
        run = f"{name}-{time.monotonic_ns()}"
        self.log, self.stats_file = tmp / f"{run}.log", tmp / f"{run}.stats.json"
        args = [sys.executable, "-m", "scrapy", command, site, "-a", f"base_url={base}"]
        args += ["-s", f"VN_DATA_DIR={tmp / 'data'}", "-s", f"VN_STATS_FILE={self.stats_file}", *FAST, *extra]
        with self.log.open("wb") as out:
            self.proc = subprocess.Popen(
                args, cwd=ROOT, env=_env(redis, name), stdout=out, stderr=subprocess.STDOUT
            )

    def wait(self, timeout: float = 45) -> int:
        return self.proc.wait(timeout=timeout)

    def kill(self) -> None:
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)

    def text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def stats(self) -> dict[str, Any]:
        return json.loads(self.stats_file.read_text(encoding="utf-8"))


@pytest.fixture
def spawn(tmp_path: Path) -> Iterator[Callable[..., Worker]]:
    """Starts workers; any still running after the test (a failed one) is killed."""
    started: list[Worker] = []

    def make(
        name: str, base: str, redis: str | None, command: str = "crawl", *extra: str, site: str = SITE
    ) -> Worker:
        worker = Worker(tmp_path, name, base, redis, command, *extra, site=site)
        started.append(worker)
        return worker

    yield make
    for worker in started:
        if worker.proc.poll() is None:
            worker.proc.kill()
            worker.proc.wait(timeout=10)


def written(data_dir: Path, site: str = SITE) -> list[str]:
    urls = []
    for path in sorted((data_dir / site).glob("*.jsonl")):
        urls += [json.loads(line)["url"] for line in path.read_text(encoding="utf-8").splitlines()]
    return urls


@pytest.fixture
def slow_site(fresh_replica: Any) -> Any:
    """The site, each page answered after a delay, so that a crawl lasts a few seconds."""

    def make(delay: float, site: str = SITE) -> Any:
        replica = fresh_replica(site)
        replica.set_faults(site, [{"path": "^/(?!robots)", "kind": "delay", "delay": delay}])
        return replica

    return make


@pytest.mark.parametrize("site", [SITE, WP_SITE])
def test_two_workers_share_one_site_and_write_each_article_once(
    site: str,
    tmp_path: Path,
    spawn: Callable[..., Worker],
    slow_site: Any,
    redis_server: RedisServer,  # noqa: F811
    redis_url: str,  # noqa: F811
) -> None:
    replica = slow_site(0.5, site)
    base = replica.base_url(site)
    started = time.monotonic()
    workers = [spawn(name, base, redis_url, site=site) for name in ("w1", "w2")]
    codes = [w.wait() for w in workers]
    elapsed = time.monotonic() - started
    assert codes == [0, 0], [w.text()[-3000:] for w in workers]

    urls = written(tmp_path / "data", site)
    listed = replica.listed_urls(site)
    assert sorted(urls) == sorted(listed) and len(listed) >= 12  # every article, exactly once
    stats = [w.stats() for w in workers]
    pages = [s.get("scheduler/dequeued/redis", 0) for s in stats]
    assert all(p > 0 for p in pages), pages  # both did part of the work
    assert sum(s.get("vn/items_written", 0) for s in stats) == len(listed)
    assert sorted(s["vn/distributed/seed"] for s in stats) == ["claimed", "joined"]  # seeded once
    assert all(s["finish_reason"] == "finished" for s in stats)
    # Each page of the site was fetched once across both workers (the shared dupefilter).
    fetched = Counter(r["path"] for r in replica.requests(site) if r["path"] != "/robots.txt")
    assert max(fetched.values()) == 1 and sum(fetched.values()) == sum(pages)
    items = [s.get("vn/items_written", 0) for s in stats]
    print(f"\ntwo workers on {site}: pages {pages}, items {items}, {elapsed:.1f}s")
    r = redis_server.client()
    assert r.get(f"vnportal:{site}:seed").startswith(b"finished:")  # marked for the next run
    assert r.zcard(f"vnportal:{site}:requests") == 0 and r.scard(f"vnportal:{site}:sessions") == 0


def committed_lines(r: Any, data_dir: Path) -> list[str]:
    """URLs in a killed worker's .part files, up to the length its state committed."""
    urls = []
    for path in (data_dir / SITE).glob("*.jsonl.part"):
        offset = int(r.hget(f"vnportal:state:file:{path}", "offset") or 0)
        lines = path.read_bytes()[:offset].decode("utf-8").splitlines()
        urls += [json.loads(line)["url"] for line in lines]
    return urls


def _in_flight_of(r: Any, worker: str) -> dict[bytes, bytes]:
    for key in r.scan_iter(f"vnportal:{SITE}:inflight:{worker}.*"):
        return r.hgetall(key)
    return {}


def test_a_killed_workers_requests_are_requeued_and_nothing_is_lost(
    tmp_path: Path,
    spawn: Callable[..., Worker],
    slow_site: Any,
    redis_server: RedisServer,  # noqa: F811
    redis_url: str,  # noqa: F811
) -> None:
    replica = slow_site(1.0)
    base = replica.base_url(SITE)
    r = redis_server.client()
    started = time.monotonic()
    victim = spawn("victim", base, redis_url)
    survivor = spawn("survivor", base, redis_url)
    # Kill the victim mid-crawl: articles are being stored and it holds requests it popped.
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not (
        r.hlen(f"vnportal:state:{SITE}:articles") >= 3 and len(_in_flight_of(r, "victim")) >= 1
    ):
        time.sleep(0.05)
    victim.kill()
    held = _in_flight_of(r, "victim")
    assert held, victim.text()[-3000:]
    held_urls = {pickle.loads(v.split(b"|", 1)[1])["url"] for v in held.values()}

    assert survivor.wait() == 0, survivor.text()[-3000:]
    stats = survivor.stats()
    # Re-queued, not re-discovered: exactly what the victim held went back into the queue.
    assert stats["vn/distributed/requeued"] == len(held)
    assert "died; re-queued its" in survivor.text()
    published = written(tmp_path / "data")
    listed = replica.listed_urls(SITE)
    assert len(published) == len(set(published))  # no duplicate, even for half-done requests
    # What the victim committed is in its .part file until it is restarted (documented recovery).
    part = committed_lines(r, tmp_path / "data")
    restart = spawn("victim", base, redis_url)
    assert restart.wait() == 0, restart.text()[-3000:]
    assert "recovered" in restart.text() and not list((tmp_path / "data" / SITE).glob("*.part"))
    urls = written(tmp_path / "data")
    assert sorted(urls) == sorted(listed)  # every article exactly once
    assert set(part) <= set(urls) and set(published).isdisjoint(part)
    print(
        f"\nkill: victim held {len(held)} in flight ({len(held_urls)} URLs), had committed {len(part)};"
        f" survivor pages {stats.get('scheduler/dequeued/redis')}, items {stats.get('vn/items_written', 0)};"
        f" {time.monotonic() - started:.1f}s with the restart"
    )


def test_seed_command_seeds_once_and_workers_do_not_reseed(
    tmp_path: Path,
    spawn: Callable[..., Worker],
    slow_site: Any,
    redis_server: RedisServer,  # noqa: F811
    redis_url: str,  # noqa: F811
) -> None:
    replica = slow_site(0.05)
    base = replica.base_url(SITE)
    r = redis_server.client()
    first = spawn("seeder", base, redis_url, "seed")
    assert first.wait() == 0, first.text()[-3000:]
    assert "seeded 1 start requests; 1 queued" in first.text()
    again = spawn("seeder", base, redis_url, "seed")
    assert again.wait() == 0 and "already seeded" in again.text()
    assert r.zcard(f"vnportal:{SITE}:requests") == 1
    assert replica.requests(SITE) == []  # seeding fetches nothing

    worker = spawn("w1", base, redis_url)
    assert worker.wait() == 0, worker.text()[-3000:]
    assert worker.stats()["vn/distributed/seed"] == "joined"
    assert sorted(written(tmp_path / "data")) == sorted(replica.listed_urls(SITE))

    # The run is finished: a new seed starts the next (incremental) run with a fresh filter,
    # so the first listing page is fetched again, and everything on it is already stored.
    third = spawn("seeder", base, redis_url, "seed")
    assert third.wait() == 0 and "seeded 1 start requests" in third.text()
    replica.reset_log(SITE)
    rerun = spawn("w2", base, redis_url)
    assert rerun.wait() == 0, rerun.text()[-3000:]
    stats = rerun.stats()
    assert stats["vn/distributed/seed"] == "joined" and stats.get("vn/items_written", 0) == 0
    assert [q["path"] for q in replica.requests(SITE) if q["path"] != "/robots.txt"] == ["/tin-tuc"]


def test_single_machine_mode_is_unchanged_without_redis(
    tmp_path: Path, spawn: Callable[..., Worker], slow_site: Any
) -> None:
    replica = slow_site(0.0)
    worker = spawn("solo", replica.base_url(SITE), None)
    assert worker.wait() == 0, worker.text()[-3000:]
    stats = worker.stats()
    assert stats["scheduler/dequeued"] > 0 and "scheduler/dequeued/redis" not in stats  # Scrapy's scheduler
    assert "shared frontier" not in worker.text()
    assert sorted(written(tmp_path / "data")) == sorted(replica.listed_urls(SITE))
    assert (tmp_path / "data" / "state.sqlite").exists()


def test_owed_articles_are_shared_by_the_workers_and_fetched_first_by_the_next_run(
    tmp_path: Path,
    spawn: Callable[..., Worker],
    fresh_replica: Any,
    redis_server: RedisServer,  # noqa: F811
    redis_url: str,  # noqa: F811
) -> None:
    """The owed-articles ledger (issue 15) in distributed mode: what two workers failed to fetch
    is owed in Redis, and the next run (one worker) fetches it first and stores it once."""
    from crawler.state.redis import RedisStateStore

    replica = fresh_replica(SITE)
    base = replica.base_url(SITE)
    paths = sorted(u.removeprefix(base) for u in replica.listed_urls(SITE))[:2]
    failing = [{"path": p + "$", "kind": "status", "status": 503, "times": 1} for p in paths]
    # Every other page answers after 0.5 s: both workers join the one run (as in the test above).
    replica.set_faults(SITE, [*failing, {"path": "^/(?!robots)", "kind": "delay", "delay": 0.5}])
    workers = [spawn(name, base, redis_url, "crawl", "-s", "RETRY_TIMES=0") for name in ("w1", "w2")]
    # The worker that met a failure says so (the other one may have closed before it happened).
    assert 1 in [w.wait() for w in workers]
    assert sorted(w.stats()["vn/distributed/seed"] for w in workers) == ["claimed", "joined"]
    replica.set_faults(SITE, None)
    store = RedisStateStore(redis_url)
    try:
        owed = store.owed(SITE)
        assert sorted(o.url for o in owed) == sorted(base + p for p in paths)
        assert {(o.reason, o.attempts) for o in owed} == {("http_503", 1)}
        rerun = spawn("w3", base, redis_url, "crawl", "-s", "RETRY_TIMES=0")
        assert rerun.wait() == 0, rerun.text()[-3000:]
        stats = rerun.stats()
        assert (stats["vn/owed/due"], stats["vn/owed/recovered"], stats["vn/owed/total"]) == (2, 2, 0)
        assert store.owed(SITE) == []
    finally:
        store.close()
    urls = written(tmp_path / "data")
    assert sorted(urls) == sorted(replica.listed_urls(SITE))  # every article, exactly once
