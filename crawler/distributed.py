"""Distributed mode: N worker processes share one frontier and one article state in Redis.

Switched on by `VN_DISTRIBUTED=1`, or by `REDIS_URL` (setting or environment) unless
`VN_DISTRIBUTED=0`. `DistributedAddon` (in ADDONS) then points the crawl at:

- the request queue and dupefilter of scrapy-redis, one per site (`<prefix>:<site>:requests`,
  `<prefix>:<site>:dupefilter`), fingerprinted by the crawler's own request fingerprinter, so
  the shared filter agrees with Scrapy's default one;
- the article state in Redis (`crawler.state.redis`), so a worker never writes what another
  one stored. Each worker writes its own JSONL files (`VN_WORKER_ID`).

One run of a site, as Redis keys under `<prefix>:<site>:`:

    seed           absent | seeding:<session> (with a TTL) | done:<session> | finished:<time>
    requests       zset: the shared frontier (scrapy-redis PriorityQueue)
    dupefilter     set: fingerprints seen in this run (cleared when the next run is seeded)
    sessions       set: live worker processes
    alive:<s>      the lease of session <s>, refreshed by its heartbeat, expires when it dies
    inflight:<s>   hash: requests session <s> popped and has not finished processing

Seeding: the first process that finds no run going (`scrapy seed <site>` or any worker)
claims `seed` and pushes the spider's start requests; every other worker's start() yields
nothing and takes requests from the shared queue.

Popping a request moves it into the popper's `inflight` hash in one Lua script; it leaves that
hash only once the engine is done with it (response parsed, items through the pipelines, new
requests pushed). A killed worker's lease expires and the first survivor to notice puts its
in-flight requests back in the queue: they are re-queued, not re-discovered. Processing one
twice is harmless (the dupefilter drops its links, the dedup state its items).

A worker finishes when the run is seeded, the queue is empty and no live session has anything
in flight, continuously for `VN_REDIS_IDLE_CLOSE` seconds; the one that sees it first marks the
run finished (same check, atomically), so the next seed starts a fresh run.

Shims for scrapy-redis 0.9.1 on Scrapy 2.19 (nothing in site-packages is patched):
- its scheduler builds the dupefilter with `from_spider`, or else with `from_settings`, which
  Scrapy's own RFPDupeFilter no longer has (AttributeError at open): DUPEFILTER_CLASS is ours;
- its RFPDupeFilter hashes requests its own way (ignores REQUEST_FINGERPRINTER_CLASS, and a
  different JSON than Scrapy's fingerprinter): ours uses `crawler.request_fingerprinter`; its
  `close()` deletes the shared set: ours keeps it;
- its scheduler passes `spider=` to the stats collector, deprecated in 2.19: ours does not;
- its RedisSpider reads its first batch in `start_requests()`, which Scrapy 2.16+ no longer
  calls: we do not use it; seeding goes through the spider's `async def start()`
  (SeedOnceMiddleware);
- what it pops lives only in the worker's memory, and a worker pops as much as its downloader
  accepts: in-flight hash and leases above, and `VN_REDIS_MAX_IN_FLIGHT`;
- it idles forever once the queue is empty: the spider_idle handler here ends the run;
- add-ons' `update_settings` runs after Scrapy 2.19 has built the spider (whose `from_crawler`
  opens the state store): the add-on also applies itself in `update_pre_crawler_settings`.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from scrapy import signals
from scrapy.exceptions import DontCloseSpider, NotConfigured
from scrapy.http import Request
from scrapy.settings import BaseSettings
from twisted.internet import task

from crawler.internals import decode_queued_request, requests_in_progress, wake_engine

try:  # the "redis" extra; single-machine mode runs without it
    from scrapy_redis import connection as redis_connection
    from scrapy_redis.dupefilter import RFPDupeFilter as _RedisRFPDupeFilter
    from scrapy_redis.scheduler import Scheduler as _RedisScheduler
except ImportError:  # pragma: no cover - exercised only on installs without the extra
    redis_connection = None
    _RedisRFPDupeFilter = object  # type: ignore[assignment,misc]
    _RedisScheduler = object  # type: ignore[assignment,misc]

logger = logging.getLogger(__name__)

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


# ---- switching distributed mode on --------------------------------------------------------


def redis_url(settings: BaseSettings) -> str | None:
    return settings.get("REDIS_URL") or os.environ.get("REDIS_URL") or None


def distributed_enabled(settings: BaseSettings) -> bool:
    """`VN_DISTRIBUTED` (setting, then environment) decides; unset, a configured REDIS_URL does."""
    raw = settings.get("VN_DISTRIBUTED")
    if raw is None or raw == "":
        raw = os.environ.get("VN_DISTRIBUTED", "")
    value = str(raw).strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    return bool(redis_url(settings))


def worker_id(settings: BaseSettings) -> str:
    """The same default as the JSONL store's, so files and sessions carry one name."""
    return settings.get("VN_WORKER_ID") or socket.gethostname().split(".")[0] or "worker"


def apply_distributed_settings(settings: BaseSettings) -> bool:
    """Point the crawl at Redis when distributed mode is on; returns whether it is."""
    if not distributed_enabled(settings):
        return False
    if redis_connection is None:
        raise RuntimeError("distributed mode needs scrapy-redis: pip install 'vnportal-crawler[redis]'")
    url = redis_url(settings)
    if not url:
        raise RuntimeError("VN_DISTRIBUTED is on but REDIS_URL is not set")
    prefix = settings.get("VN_REDIS_PREFIX") or "vnportal"
    forced = {
        "REDIS_URL": url,
        "SCHEDULER": "crawler.distributed.DistributedScheduler",
        "DUPEFILTER_CLASS": "crawler.distributed.RedisDupeFilter",
        # One worker closing must never clear the queue the others still work on.
        "SCHEDULER_PERSIST": True,
        # The Lua pop below reads a sorted set: scrapy-redis's PriorityQueue.
        "SCHEDULER_QUEUE_CLASS": "scrapy_redis.queue.PriorityQueue",
        # scrapy-redis puts the spider name (= the site key) in place of %(spider)s.
        "SCHEDULER_QUEUE_KEY": f"{prefix}:%(spider)s:requests",
        "SCHEDULER_DUPEFILTER_KEY": f"{prefix}:%(spider)s:dupefilter",
        "VN_STATE_BACKEND": "redis",
    }
    if not settings.get("VN_WORKER_ID") and os.environ.get("VN_WORKER_ID"):
        forced["VN_WORKER_ID"] = os.environ["VN_WORKER_ID"]  # one per process, handy from a shell
    for name, value in forced.items():
        # Above settings.py (project priority), below `-s` on the command line.
        settings.set(name, value, priority="spider")
    settings.set_in_component_priority_dict("SPIDER_MIDDLEWARES", SeedOnceMiddleware, 5)
    settings.set_in_component_priority_dict("EXTENSIONS", FrontierExtension, 0)
    return True


class DistributedAddon:
    """Distributed mode as a Scrapy add-on (ADDONS in settings.py).

    Applied before any crawler exists (`update_pre_crawler_settings`, called by every
    CrawlerProcess/CrawlerRunner): Scrapy 2.19 builds the spider, whose `from_crawler` opens
    the state store, before it runs add-ons' `update_settings`, so that would be too late for
    VN_STATE_BACKEND. `update_settings` applies the same again for crawlers built without a
    runner.
    """

    @classmethod
    def update_pre_crawler_settings(cls, settings: BaseSettings) -> None:
        apply_distributed_settings(settings)

    def update_settings(self, settings: BaseSettings) -> None:
        apply_distributed_settings(settings)


# ---- the run's shared coordination state ----------------------------------------------------

# KEYS: queue, inflight, seq. Pop the best request and record it in flight, in one step.
_POP = """
local r = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #r == 0 then return false end
redis.call('ZREM', KEYS[1], r[1])
local id = redis.call('INCR', KEYS[3])
redis.call('HSET', KEYS[2], id, r[2] .. '|' .. r[1])
return {tostring(id), r[1]}
"""

# KEYS: inflight, queue, sessions, alive. ARGV: session, force.
# Put a session's in-flight requests back in the queue, unless its lease is still alive.
_REQUEUE = """
if ARGV[2] ~= '1' and redis.call('EXISTS', KEYS[4]) == 1 then return -1 end
local all = redis.call('HGETALL', KEYS[1])
local n = 0
for i = 2, #all, 2 do
    local v = all[i]
    local sep = string.find(v, '|', 1, true)
    redis.call('ZADD', KEYS[2], string.sub(v, 1, sep - 1), string.sub(v, sep + 1))
    n = n + 1
end
redis.call('DEL', KEYS[1])
redis.call('SREM', KEYS[3], ARGV[1])
return n
"""

# KEYS: queue, seed, sessions, dupefilter. ARGV: inflight prefix, finished marker, finish?
# The frontier's state; with finish=1 and a quiet seeded run, mark the run finished.
_STATUS = """
local queued = redis.call('ZCARD', KEYS[1])
local busy = 0
for _, s in ipairs(redis.call('SMEMBERS', KEYS[3])) do
    busy = busy + redis.call('HLEN', ARGV[1] .. s)
end
local seed = redis.call('GET', KEYS[2]) or ''
if ARGV[3] == '1' and queued == 0 and busy == 0 and string.sub(seed, 1, 5) == 'done:' then
    redis.call('DEL', KEYS[4])
    redis.call('SET', KEYS[2], ARGV[2])
    seed = ARGV[2]
end
return {queued, busy, seed}
"""

# KEYS: seed, queue, sessions, dupefilter. ARGV: inflight prefix, seeding marker, ttl ms.
# Claim the seeding of a new run: none recorded, the last one finished, or one that is
# recorded as running but has nothing left (its last worker died before marking it).
_CLAIM = """
local seed = redis.call('GET', KEYS[1]) or ''
local free = seed == '' or string.sub(seed, 1, 9) == 'finished:'
if not free and string.sub(seed, 1, 5) == 'done:' and redis.call('ZCARD', KEYS[2]) == 0 then
    free = true
    for _, s in ipairs(redis.call('SMEMBERS', KEYS[3])) do
        if redis.call('HLEN', ARGV[1] .. s) > 0 then free = false end
    end
end
if not free then return seed end
redis.call('DEL', KEYS[4])
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 'claimed'
"""

# KEYS: seed. ARGV: expected value, new value ('' = just extend), ttl ms.
_SEED_CAS = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if ARGV[2] == '' then
    redis.call('PEXPIRE', KEYS[1], ARGV[3])
else
    redis.call('SET', KEYS[1], ARGV[2])
end
return 1
"""


@dataclass(frozen=True)
class FrontierStatus:
    queued: int
    in_flight: int
    seed: str

    @property
    def seeded(self) -> bool:
        return self.seed.startswith("done:")

    @property
    def finished(self) -> bool:
        return self.seed.startswith("finished:")


class Frontier:
    """One site's shared run in Redis, seen from one worker process (its session)."""

    def __init__(
        self,
        server: Any,
        prefix: str,
        site: str,
        worker: str,
        lease: float,
        queue_key: str | None = None,
        dupefilter_key: str | None = None,
    ) -> None:
        self.server = server
        self.site = site
        base = f"{prefix}:{site}:"
        self.queue_key = queue_key or f"{base}requests"
        self.dupefilter_key = dupefilter_key or f"{base}dupefilter"
        self.seed_key = f"{base}seed"
        self.sessions_key = f"{base}sessions"
        self.seq_key = f"{base}seq"
        self.inflight_prefix = f"{base}inflight:"
        self.alive_prefix = f"{base}alive:"
        # Unique per process: a restarted worker (same VN_WORKER_ID) is a new session, so the
        # requests its killed predecessor held are re-queued rather than silently adopted.
        self.session = f"{worker}.{os.getpid()}.{secrets.token_hex(3)}"
        self.lease_ms = max(1, int(lease * 1000))
        self._seeding: str | None = None
        self._pop = server.register_script(_POP)
        self._requeue = server.register_script(_REQUEUE)
        self._status = server.register_script(_STATUS)
        self._claim = server.register_script(_CLAIM)
        self._seed_cas = server.register_script(_SEED_CAS)

    @classmethod
    def from_settings(cls, settings: BaseSettings, site: str) -> Frontier:
        """`site` is the spider name: the same keys the scheduler and dupefilter use."""
        names = {"spider": site}
        return cls(
            redis_connection.get_redis_from_settings(settings),
            settings.get("VN_REDIS_PREFIX") or "vnportal",
            site,
            worker_id(settings),
            settings.getfloat("VN_REDIS_LEASE", 30.0),
            queue_key=settings.get("SCHEDULER_QUEUE_KEY", "%(spider)s:requests") % names,
            dupefilter_key=settings.get("SCHEDULER_DUPEFILTER_KEY", "%(spider)s:dupefilter") % names,
        )

    @property
    def inflight_key(self) -> str:
        return self.inflight_prefix + self.session

    def _alive_key(self, session: str) -> str:
        return self.alive_prefix + session

    # ---- sessions and leases ----------------------------------------------------------------

    def join(self) -> None:
        pipe = self.server.pipeline()
        pipe.set(self._alive_key(self.session), str(time.time()), px=self.lease_ms)
        pipe.sadd(self.sessions_key, self.session)
        pipe.execute()

    def heartbeat(self) -> None:
        self.server.set(self._alive_key(self.session), str(time.time()), px=self.lease_ms)
        if self._seeding:
            self._seed_cas(keys=[self.seed_key], args=[self._seeding, "", self.lease_ms])

    def leave(self) -> int:
        """Give back whatever is still in flight (a clean stop leaves nothing) and drop the lease."""
        n = self.requeue(self.session, force=True)
        self.server.delete(self._alive_key(self.session))
        return n

    def requeue(self, session: str, *, force: bool = False) -> int:
        keys = [self.inflight_prefix + session, self.queue_key, self.sessions_key, self._alive_key(session)]
        return int(self._requeue(keys=keys, args=[session, "1" if force else "0"]))

    def reap_dead(self) -> dict[str, int]:
        """Re-queue the in-flight requests of every session whose lease has expired."""
        reaped: dict[str, int] = {}
        for raw in self.server.smembers(self.sessions_key):
            session = raw.decode() if isinstance(raw, bytes) else raw
            if session == self.session:
                continue
            n = self.requeue(session)
            if n >= 0:
                reaped[session] = n
        return reaped

    # ---- the queue ----------------------------------------------------------------------------

    def pop(self) -> tuple[str, bytes] | None:
        found = self._pop(keys=[self.queue_key, self.inflight_key, self.seq_key])
        if not found:
            return None
        ident, data = found
        return (ident.decode() if isinstance(ident, bytes) else str(ident)), data

    def done(self, idents: list[str]) -> None:
        if idents:
            self.server.hdel(self.inflight_key, *idents)

    def status(self, *, finish: bool = False) -> FrontierStatus:
        marker = f"finished:{self.session}:{time.time():.3f}"
        keys = [self.queue_key, self.seed_key, self.sessions_key, self.dupefilter_key]
        queued, busy, seed = self._status(
            keys=keys, args=[self.inflight_prefix, marker, "1" if finish else "0"]
        )
        return FrontierStatus(int(queued), int(busy), seed.decode() if isinstance(seed, bytes) else seed)

    # ---- seeding ------------------------------------------------------------------------------

    def claim_seed(self) -> str:
        """'claimed' when this process seeds the next run, else the run's current seed state."""
        marker = f"seeding:{self.session}"
        keys = [self.seed_key, self.queue_key, self.sessions_key, self.dupefilter_key]
        result = self._claim(keys=keys, args=[self.inflight_prefix, marker, max(self.lease_ms, 60_000)])
        result = result.decode() if isinstance(result, bytes) else result
        if result == "claimed":
            self._seeding = marker
        return result

    def seed_done(self) -> bool:
        if not self._seeding:
            return False
        marker, self._seeding = self._seeding, None
        done = f"done:{self.session}:{time.time():.3f}"
        return bool(self._seed_cas(keys=[self.seed_key], args=[marker, done, 0]))

    def forget(self) -> None:
        """Drop the whole frontier of the site (queue, filter, seed, sessions): `scrapy seed --force`."""
        sessions = [s.decode() for s in self.server.smembers(self.sessions_key)]
        keys = [self.queue_key, self.dupefilter_key, self.seed_key, self.sessions_key, self.seq_key]
        keys += [self.inflight_prefix + s for s in sessions] + [self._alive_key(s) for s in sessions]
        self.server.delete(*keys)


class FrontierExtension:
    """The crawl's Frontier (one session) as a Scrapy component, shared by the scheduler, the seed
    middleware and `scrapy seed`; in EXTENSIONS in distributed mode (apply_distributed_settings)."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self._frontier: Frontier | None = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> FrontierExtension:
        if not distributed_enabled(crawler.settings):
            raise NotConfigured("distributed mode is off")
        return cls(crawler)

    @property
    def frontier(self) -> Frontier:
        if self._frontier is None:
            self._frontier = Frontier.from_settings(self.crawler.settings, self.crawler.spidercls.name)
        return self._frontier


def frontier_for(crawler: Any) -> Frontier:
    """One Frontier (one session) per crawler, shared by the scheduler and the seed middleware."""
    ext = crawler.get_extension(FrontierExtension)
    if ext is None:
        raise NotConfigured("crawler.distributed.FrontierExtension is not enabled (distributed mode off?)")
    return ext.frontier


# ---- Scrapy components --------------------------------------------------------------------


class SeedOnceMiddleware:
    """Lets the spider's start requests through only in the process that claims the run's seed."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> SeedOnceMiddleware:
        return cls(crawler)

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        frontier = frontier_for(self.crawler)
        stats = self.crawler.stats
        if self.crawler.settings.getbool("VN_SEED_FORCE"):
            frontier.forget()
            logger.warning("%s: forgot the whole frontier (--force)", frontier.site)
        frontier.reap_dead()
        state = frontier.claim_seed()
        if state != "claimed":
            stats.set_value("vn/distributed/seed", "joined")
            logger.info(
                "%s: another process seeds or seeded this run (%s); taking requests from the shared queue",
                frontier.site,
                state or "unknown",
            )
            return
        stats.set_value("vn/distributed/seed", "claimed")
        logger.info("%s: seeding a new run into %s", frontier.site, frontier.queue_key)
        async for item in start:
            if isinstance(item, Request):
                stats.inc_value("vn/distributed/seeded")
            yield item
        # Every start request went through the scheduler into Redis before this line runs.
        frontier.seed_done()


class RedisDupeFilter(_RedisRFPDupeFilter):  # type: ignore[misc,valid-type]
    """scrapy-redis's shared set of fingerprints, fingerprinted exactly as Scrapy's default filter."""

    def __init__(
        self, server: Any, key: str, debug: bool = False, *, fingerprinter: Any = None, stats: Any = None
    ) -> None:
        super().__init__(server, key, debug)
        from scrapy.utils.request import RequestFingerprinter

        self.fingerprinter = fingerprinter or RequestFingerprinter()
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Any) -> RedisDupeFilter:
        settings = crawler.settings
        key = settings.get("SCHEDULER_DUPEFILTER_KEY", "%(spider)s:dupefilter") % {
            "spider": crawler.spidercls.name
        }
        return cls(
            redis_connection.get_redis_from_settings(settings),
            key,
            settings.getbool("DUPEFILTER_DEBUG"),
            fingerprinter=crawler.request_fingerprinter,
            stats=crawler.stats,
        )

    @classmethod
    def from_spider(cls, spider: Any) -> RedisDupeFilter:
        return cls.from_crawler(spider.crawler)

    def request_fingerprint(self, request: Request) -> str:
        return self.fingerprinter.fingerprint(request).hex()

    def log(self, request: Request, spider: Any) -> None:
        super().log(request, spider)
        if self.stats is not None:
            self.stats.inc_value("dupefilter/filtered")

    def close(self, reason: str = "") -> None:
        # scrapy-redis clears the set on close: shared with other workers, it must stay.
        return None


class DistributedScheduler(_RedisScheduler):  # type: ignore[misc,valid-type]
    """scrapy-redis's scheduler with in-flight tracking, dead-worker recovery and a clean stop."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.crawler: Any = None
        self.frontier: Frontier
        self.seed_only = False
        self.idle_close = 2.0
        self.poll_interval = 0.5
        self.max_in_flight = 4
        self._local: dict[str, Request] = {}  # in-flight id -> the request the engine works on
        self._quiet_since: float | None = None
        self._last_beat = 0.0
        self._last_reap = 0.0
        self._poller: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> DistributedScheduler:
        scheduler = cls.from_settings(crawler.settings)
        s = crawler.settings
        scheduler.stats = crawler.stats
        scheduler.crawler = crawler
        scheduler.frontier = frontier_for(crawler)
        scheduler.seed_only = s.getbool("VN_SEED_ONLY")
        scheduler.idle_close = s.getfloat("VN_REDIS_IDLE_CLOSE", 2.0)
        scheduler.poll_interval = s.getfloat("VN_REDIS_POLL_INTERVAL", 0.5)
        scheduler.max_in_flight = s.getint("VN_REDIS_MAX_IN_FLIGHT") or s.getint(
            "CONCURRENT_REQUESTS_PER_DOMAIN", 8
        )
        return scheduler

    def open(self, spider: Any) -> None:
        super().open(spider)
        if self.seed_only:
            return
        self.frontier.join()
        self._last_beat = time.monotonic()
        self.crawler.signals.connect(self._on_idle, signal=signals.spider_idle)
        self._poller = task.LoopingCall(self._poll)
        self._poller.start(self.poll_interval, now=False)
        logger.info("%s: joined the shared frontier as %s", self.frontier.site, self.frontier.session)

    def close(self, reason: str) -> None:
        if self._poller is not None and self._poller.running:
            self._poller.stop()
        if not self.seed_only:
            self._ack(everything=True)  # what the engine finished; leave() gives back the rest
            returned = self.frontier.leave()
            if returned:
                logger.warning(
                    "%s: gave %d unfinished requests back to the queue", self.frontier.site, returned
                )
        super().close(reason)  # persist=True: the shared queue and filter stay

    # ---- the engine's side ----------------------------------------------------------------

    def enqueue_request(self, request: Request) -> bool:
        if not request.dont_filter and self.df.request_seen(request):
            self.df.log(request, self.spider)
            return False
        self.queue.push(request)
        self.stats.inc_value("scheduler/enqueued/redis")
        return True

    def next_request(self) -> Request | None:
        if self.seed_only:
            return None
        self._ack()
        if len(self._local) >= self.max_in_flight:
            # Take no more than this worker can download at once: what it takes sits in its
            # downloader's queue, out of the other workers' reach.
            return None
        found = self.frontier.pop()
        if found is None:
            return None
        ident, data = found
        try:
            request = decode_queued_request(self.queue, data)
        except Exception:
            logger.exception("%s: dropping an undecodable queued request", self.frontier.site)
            self.frontier.done([ident])
            return None
        self._local[ident] = request
        self._quiet_since = None
        self.stats.inc_value("scheduler/dequeued/redis")
        return request

    def has_pending_requests(self) -> bool:
        return not self.seed_only and len(self) > 0

    # ---- bookkeeping ----------------------------------------------------------------------

    def _ack(self, *, everything: bool = False) -> None:
        """Take the requests the engine has finished out of this session's in-flight hash."""
        if not self._local:
            return
        inprogress = requests_in_progress(self.crawler)
        if inprogress is None and not everything:
            return  # no view into the engine: acknowledged when it is idle
        done = [i for i, r in self._local.items() if inprogress is None or r not in inprogress]
        for ident in done:
            del self._local[ident]
        self.frontier.done(done)

    def _poll(self) -> None:
        now = time.monotonic()
        if now - self._last_beat >= self.frontier.lease_ms / 3000:
            self._last_beat = now
            self.frontier.heartbeat()
        if now - self._last_reap >= self.frontier.lease_ms / 1000:
            self._reap()  # busy workers too, so a dead worker's requests do not wait for the end
        self._ack()
        # An idle engine looks at the scheduler only every 5 s; other workers' new requests
        # and the idle check below should not wait that long.
        wake_engine(self.crawler)

    def _reap(self) -> None:
        self._last_reap = time.monotonic()
        for session, n in self.frontier.reap_dead().items():
            if not n:
                continue  # a dead session with nothing in flight: just forgotten
            self.stats.inc_value("vn/distributed/requeued", n)
            logger.warning(
                "%s: worker session %s died; re-queued its %d in-flight requests",
                self.frontier.site,
                session,
                n,
            )

    def _on_idle(self, spider: Any) -> None:
        """Keep an idle worker open while the run has work anywhere; end it when it has none."""
        self._ack(everything=requests_in_progress(self.crawler) is None)
        self._reap()
        status = self.frontier.status()
        if status.queued:
            self._quiet_since = None
            raise DontCloseSpider
        if status.finished or not status.seed:
            # Another worker ended the run (or nobody seeded one): nothing more will come.
            logger.info("%s: run over (%s), closing", self.frontier.site, status.seed or "not seeded")
            return
        if not status.seeded or status.in_flight:
            self._quiet_since = None  # still seeding, or others may yet push new requests
            raise DontCloseSpider
        now = time.monotonic()
        if self._quiet_since is None:
            self._quiet_since = now
        if now - self._quiet_since < self.idle_close:
            raise DontCloseSpider
        final = self.frontier.status(finish=True)  # re-checked and marked in one script
        if not final.finished:
            self._quiet_since = None
            raise DontCloseSpider
        logger.info(
            "%s: shared frontier empty and no worker busy for %.1f s: run finished",
            self.frontier.site,
            self.idle_close,
        )
