"""Redis state: what distributed workers share, so an article stored by one is known to all.

Same behaviour as `crawler.state.sqlite`, key for key:

    <prefix>:state:<site>:articles       hash  url -> JSON [article_id, content_hash, revision, modified_at]
    <prefix>:state:<site>:hashes         hash  content_hash -> url
    <prefix>:state:file:<path>           hash  site, owner, offset, open
    <prefix>:state:<site>:open:<owner>   set   paths of the owner's unfinished files
    <prefix>:state:<site>:meta           hash  key -> value (per-site facts kept across runs)
    <prefix>:state:<site>:owed           hash  url -> JSON [reason, attempts, next_run, first_seen,
                                               last_seen, last_run, abandoned] (owed-articles ledger)

`commit_written` is one Lua script (Redis runs a script atomically), so the article's state
and its file's committed length can never disagree, as with SQLite's transaction. Every write
is idempotent, which is what lets the client retry it after a dropped connection.

Durability is the server's: run Redis with `appendonly yes` (AOF). Because an article and its
file offset are committed together, a server that loses its last second of writes loses both,
and the next run cuts the file back and fetches those articles again: still exactly-once.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import redis
from redis.backoff import ExponentialBackoff
from redis.retry import Retry

from crawler.state.base import Known, OpenFile, Owed, next_due

# KEYS: articles, hashes, file, owed. ARGV: url, record, content_hash, offset, revision, path.
# A claim: it commits only if this URL is at the previous revision and the content is not held by
# another URL, so two workers racing on one article cannot both write it. A retry of a commit
# that already went through (same path and revision) succeeds again. The offset is set only for a
# registered file, like SQLite's UPDATE of a missing row.
_COMMIT = """
local cur = redis.call('HGET', KEYS[1], ARGV[1])
local revision = tonumber(ARGV[5])
if cur then
    local rec = cjson.decode(cur)
    if not (tonumber(rec[3]) == revision and rec[5] == ARGV[6]) and tonumber(rec[3]) ~= revision - 1 then
        return 0
    end
elseif revision ~= 1 then
    return 0
end
local holder = redis.call('HGET', KEYS[2], ARGV[3])
if holder and holder ~= ARGV[1] then
    return 0
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('HSET', KEYS[2], ARGV[3], ARGV[1])
if redis.call('EXISTS', KEYS[3]) == 1 then
    redis.call('HSET', KEYS[3], 'offset', ARGV[4])
end
redis.call('HDEL', KEYS[4], ARGV[1])
return 1
"""

# KEYS: articles, owed. ARGV: url, record. Owed only when not stored and not owed already.
_OWE = """
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then return 0 end
return redis.call('HSETNX', KEYS[2], ARGV[1], ARGV[2])
"""

# KEYS: articles, owed. ARGV: url, reason, run, max_attempts, now. Returns the new record, or
# false when the URL is stored (then it is not owed). Same rules as SqliteStateStore.owe_failed.
_OWE_FAILED = """
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then
    redis.call('HDEL', KEYS[2], ARGV[1])
    return false
end
local run = tonumber(ARGV[3])
local cur = redis.call('HGET', KEYS[2], ARGV[1])
local attempts, first_seen = 0, ARGV[5]
local same_run = false
if cur then
    local rec = cjson.decode(cur)
    attempts, first_seen = tonumber(rec[2]), rec[4]
    same_run = tonumber(rec[6]) == run and attempts > 0
end
if not same_run then attempts = attempts + 1 end
local next_run = run + math.pow(2, math.max(attempts - 1, 0))
local abandoned = 0
if attempts >= tonumber(ARGV[4]) then abandoned = 1 end
local rec = cjson.encode({ARGV[2], attempts, next_run, first_seen, ARGV[5], run, abandoned})
redis.call('HSET', KEYS[2], ARGV[1], rec)
return rec
"""

# KEYS: file, new open-set. ARGV: site, owner, old open-set prefix.
# INSERT OR REPLACE: a re-registered path leaves the open set of its former owner.
_REGISTER = """
local old = redis.call('HMGET', KEYS[1], 'site', 'owner')
if old[1] and old[2] then
    redis.call('SREM', ARGV[3] .. old[1] .. ':open:' .. old[2], KEYS[1])
end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'site', ARGV[1], 'owner', ARGV[2], 'offset', 0, 'open', 1)
redis.call('SADD', KEYS[2], KEYS[1])
return 1
"""

# KEYS: file. ARGV: open-set prefix.
_CLOSE = """
local f = redis.call('HMGET', KEYS[1], 'site', 'owner')
if not f[1] then return 0 end
redis.call('HSET', KEYS[1], 'open', 0)
redis.call('SREM', ARGV[1] .. f[1] .. ':open:' .. f[2], KEYS[1])
return 1
"""


class RedisStateStore:
    def __init__(self, url: str | None, prefix: str = "vnportal") -> None:
        if not url:
            raise ValueError("VN_STATE_BACKEND is 'redis' but REDIS_URL is not set")
        self.prefix = prefix
        self._base = f"{prefix}:state:"
        self._file_prefix = f"{prefix}:state:file:"
        # Dropped connections are retried: every operation here is idempotent.
        self._r = redis.Redis.from_url(
            url,
            decode_responses=True,
            socket_timeout=30,
            socket_connect_timeout=10,
            retry=Retry(ExponentialBackoff(cap=2.0, base=0.1), 5),
            retry_on_error=[redis.ConnectionError, redis.TimeoutError],
        )
        self._r.ping()  # fail at start, not at the first article
        self._commit = self._r.register_script(_COMMIT)
        self._register = self._r.register_script(_REGISTER)
        self._close = self._r.register_script(_CLOSE)
        self._owe = self._r.register_script(_OWE)
        self._owe_failed = self._r.register_script(_OWE_FAILED)

    # ---- keys -----------------------------------------------------------------------------

    def _articles(self, site: str) -> str:
        return f"{self._base}{site}:articles"

    def _hashes(self, site: str) -> str:
        return f"{self._base}{site}:hashes"

    def _open_set(self, site: str, owner: str) -> str:
        return f"{self._base}{site}:open:{owner}"

    def _file(self, path: str) -> str:
        return self._file_prefix + path

    def _meta(self, site: str) -> str:
        return f"{self._base}{site}:meta"

    def _owed(self, site: str) -> str:
        return f"{self._base}{site}:owed"

    # ---- StateStore -----------------------------------------------------------------------

    def get(self, site: str, url: str) -> Known | None:
        raw = self._r.hget(self._articles(site), url)
        if raw is None:
            return None
        article_id, content_hash, revision, modified_at = json.loads(raw)[:4]
        return Known(url, article_id, content_hash, int(revision), modified_at)

    def url_for_hash(self, site: str, content_hash: str) -> str | None:
        return self._r.hget(self._hashes(site), content_hash)

    def known_urls(self, site: str, urls: list[str]) -> set[str]:
        if not urls:
            return set()
        unique = list(dict.fromkeys(urls))
        found = self._r.hmget(self._articles(site), unique)
        return {u for u, v in zip(unique, found, strict=True) if v is not None}

    def count(self, site: str) -> int:
        return int(self._r.hlen(self._articles(site)))

    def register_file(self, site: str, path: str, owner: str) -> None:
        self._register(keys=[self._file(path), self._open_set(site, owner)], args=[site, owner, self._base])

    def open_files(self, site: str, owner: str) -> list[OpenFile]:
        keys = sorted(self._r.smembers(self._open_set(site, owner)))
        if not keys:
            return []
        pipe = self._r.pipeline(transaction=False)
        for key in keys:
            pipe.hget(key, "offset")
        offsets = pipe.execute()
        n = len(self._file_prefix)
        return [OpenFile(k[n:], int(o)) for k, o in zip(keys, offsets, strict=True) if o is not None]

    def close_file(self, path: str) -> None:
        self._close(keys=[self._file(path)], args=[self._base])

    def commit_written(self, site: str, known: Known, path: str, offset: int) -> bool:
        record = json.dumps(
            [known.article_id, known.content_hash, known.revision, known.modified_at, path],
            ensure_ascii=False,
        )
        claimed = self._commit(
            keys=[self._articles(site), self._hashes(site), self._file(path), self._owed(site)],
            args=[known.url, record, known.content_hash, offset, known.revision, path],
        )
        return bool(claimed)

    # ---- owed-articles ledger --------------------------------------------------------------

    def owe(self, site: str, url: str, run: int) -> None:
        now = _now()
        record = json.dumps(["listed", 0, run, now, now, run, 0], ensure_ascii=False)
        self._owe(keys=[self._articles(site), self._owed(site)], args=[url, record])

    def owe_failed(self, site: str, url: str, reason: str, run: int, max_attempts: int) -> Owed | None:
        raw = self._owe_failed(
            keys=[self._articles(site), self._owed(site)], args=[url, reason, run, max_attempts, _now()]
        )
        if not raw:
            return None
        owed = _owed(url, raw)
        assert owed.next_run == next_due(run, owed.attempts)
        return owed

    def settle(self, site: str, url: str) -> None:
        self._r.hdel(self._owed(site), url)

    def owed(self, site: str) -> list[Owed]:
        rows = [_owed(url, raw) for url, raw in self._r.hscan_iter(self._owed(site), count=1000)]
        return sorted(rows, key=lambda o: (o.first_seen, o.url))

    def owed_due(self, site: str, run: int) -> list[str]:
        return [o.url for o in self.owed(site) if not o.abandoned and o.next_run <= run]

    def get_meta(self, site: str, key: str) -> str | None:
        return self._r.hget(self._meta(site), key)

    def set_meta(self, site: str, key: str, value: str) -> None:
        self._r.hset(self._meta(site), key, value)

    def close(self) -> None:
        self._r.close()


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _owed(url: str, raw: str) -> Owed:
    reason, attempts, next_run, first_seen, last_seen, last_run, abandoned = json.loads(raw)
    return Owed(
        url, reason, int(attempts), int(next_run), first_seen, last_seen, int(last_run), bool(abandoned)
    )
