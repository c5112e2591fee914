"""One contract, two backends: the Redis state behaves exactly like the SQLite state.

Every test runs against `SqliteStateStore` and `RedisStateStore` (a real redis-server), and
the last one drives the real pipelines through a killed run on each backend.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pipeline_helpers import Pipes, article
from redis_fixtures import redis_server, redis_url  # noqa: F401  (fixtures)

from crawler.state import Known, OpenFile, StateStore, open_state_store, state_store_for

BACKENDS = ["sqlite", "redis"]


@pytest.fixture(params=BACKENDS)
def backend_settings(request: pytest.FixtureRequest, tmp_path: Path) -> dict:
    """Crawler settings selecting one backend (empty state each test)."""
    if request.param == "sqlite":
        return {"VN_STATE_BACKEND": "sqlite", "VN_STATE_PATH": str(tmp_path / "state.sqlite")}
    url = request.getfixturevalue("redis_url")
    return {"VN_STATE_BACKEND": "redis", "REDIS_URL": url, "VN_REDIS_PREFIX": "test"}


@pytest.fixture
def open_store(backend_settings: dict) -> Iterator[Callable[[], StateStore]]:
    """Opens stores on the same state (a second one is another process, or a restart)."""
    from scrapy.settings import Settings

    opened: list[StateStore] = []

    def _open() -> StateStore:
        store = open_state_store(Settings(backend_settings))
        opened.append(store)
        return store

    yield _open
    for store in opened:
        try:
            store.close()
        except Exception:
            pass


def known(n: int, *, revision: int = 1, content: str | None = None, modified: str | None = None) -> Known:
    return Known(f"https://a.gov.vn/bai-{n}", f"id{n}", content or f"hash{n}", revision, modified)


def test_both_backends_implement_the_whole_interface() -> None:
    """A method added to StateStore fails here until both backends have it."""
    from crawler.state.redis import RedisStateStore
    from crawler.state.sqlite import SqliteStateStore

    wanted = {name for name in vars(StateStore) if not name.startswith("_")}
    for backend in (SqliteStateStore, RedisStateStore):
        assert wanted <= set(dir(backend)), (backend.__name__, wanted - set(dir(backend)))


def test_factory_picks_the_backend(open_store: Callable[[], StateStore], backend_settings: dict) -> None:
    store = open_store()
    expected = "SqliteStateStore" if backend_settings["VN_STATE_BACKEND"] == "sqlite" else "RedisStateStore"
    assert type(store).__name__ == expected


def test_unknown_site_is_empty(open_store: Callable[[], StateStore]) -> None:
    store = open_store()
    assert store.get("s", "https://a.gov.vn/x") is None
    assert store.url_for_hash("s", "nope") is None
    assert store.known_urls("s", []) == set()
    assert store.known_urls("s", ["https://a.gov.vn/x"]) == set()
    assert store.count("s") == 0
    assert store.open_files("s", "w1") == []


def test_commit_written_records_article_hash_and_offset(open_store: Callable[[], StateStore]) -> None:
    store = open_store()
    store.register_file("s", "/data/s/f1.jsonl.part", "w1")
    store.commit_written("s", known(1, modified="2024-01-02T03:04:05+07:00"), "/data/s/f1.jsonl.part", 120)
    store.commit_written("s", known(2), "/data/s/f1.jsonl.part", 250)
    assert store.get("s", known(1).url) == known(1, modified="2024-01-02T03:04:05+07:00")
    assert store.get("s", known(2).url) == known(2)  # modified_at None survives the round trip
    assert store.url_for_hash("s", "hash2") == known(2).url
    assert store.open_files("s", "w1") == [OpenFile("/data/s/f1.jsonl.part", 250)]
    assert store.count("s") == 2


def test_known_urls_is_the_stored_subset(open_store: Callable[[], StateStore]) -> None:
    store = open_store()
    for n in (1, 3):
        store.commit_written("s", known(n), "/unregistered", 0)
    urls = [known(n).url for n in (1, 2, 3, 3)]
    assert store.known_urls("s", urls) == {known(1).url, known(3).url}


def test_sites_are_separate(open_store: Callable[[], StateStore]) -> None:
    store = open_store()
    store.commit_written("a", known(1), "/x", 10)
    assert store.get("b", known(1).url) is None and store.url_for_hash("b", "hash1") is None
    assert store.count("a") == 1 and store.count("b") == 0


def test_new_revision_replaces_the_article_keeps_the_old_hash(
    open_store: Callable[[], StateStore],
) -> None:
    store = open_store()
    store.commit_written("s", known(1), "/x", 10)
    store.commit_written("s", known(1, revision=2, content="hash1-v2"), "/x", 20)
    assert store.get("s", known(1).url) == known(1, revision=2, content="hash1-v2")
    assert store.url_for_hash("s", "hash1-v2") == known(1).url
    assert store.url_for_hash("s", "hash1") == known(1).url  # the old content still maps to its URL
    assert store.count("s") == 1


def test_open_files_are_per_site_and_owner_and_sorted(open_store: Callable[[], StateStore]) -> None:
    store = open_store()
    store.register_file("s", "/d/s/b.part", "w1")
    store.register_file("s", "/d/s/a.part", "w1")
    store.register_file("s", "/d/s/c.part", "w2")
    store.register_file("t", "/d/t/d.part", "w1")
    assert store.open_files("s", "w1") == [OpenFile("/d/s/a.part", 0), OpenFile("/d/s/b.part", 0)]
    assert store.open_files("s", "w2") == [OpenFile("/d/s/c.part", 0)]
    assert store.open_files("t", "w1") == [OpenFile("/d/t/d.part", 0)]


def test_close_file_and_re_register(open_store: Callable[[], StateStore]) -> None:
    store = open_store()
    store.register_file("s", "/d/s/a.part", "w1")
    store.commit_written("s", known(1), "/d/s/a.part", 99)
    store.close_file("/d/s/a.part")
    store.close_file("/d/s/never-registered.part")  # a no-op, not an error
    assert store.open_files("s", "w1") == []
    # Registering the same path again starts it over (INSERT OR REPLACE), under its new owner.
    store.register_file("s", "/d/s/a.part", "w1")
    store.register_file("s", "/d/s/a.part", "w2")
    assert store.open_files("s", "w1") == []
    assert store.open_files("s", "w2") == [OpenFile("/d/s/a.part", 0)]


def test_commit_to_an_unregistered_file_stores_the_article_only(open_store: Callable[[], StateStore]) -> None:
    store = open_store()
    store.commit_written("s", known(1), "/d/s/ghost.part", 50)
    assert store.get("s", known(1).url) == known(1)
    assert store.open_files("s", "w1") == []


def test_state_is_shared_between_stores_and_survives_a_reopen(open_store: Callable[[], StateStore]) -> None:
    first, second = open_store(), open_store()
    first.register_file("s", "/d/s/a.part", "w1")
    first.commit_written("s", known(1), "/d/s/a.part", 40)
    assert second.get("s", known(1).url) == known(1)  # another worker sees it at once
    first.close()
    third = open_store()
    assert third.open_files("s", "w1") == [OpenFile("/d/s/a.part", 40)]
    assert third.known_urls("s", [known(1).url]) == {known(1).url}


def test_meta_is_per_site_and_kept(open_store: Callable[[], StateStore]) -> None:
    store = open_store()
    assert store.get_meta("s", "listings_complete") is None
    store.set_meta("s", "listings_complete", "0")
    store.set_meta("s", "listings_complete", "1")
    store.set_meta("t", "listings_complete", "0")
    assert store.get_meta("s", "listings_complete") == "1"
    assert open_store().get_meta("t", "listings_complete") == "0"


def test_commit_written_is_idempotent(open_store: Callable[[], StateStore]) -> None:
    """A retried commit (the Redis client retries dropped connections) changes nothing."""
    store = open_store()
    store.register_file("s", "/d/s/a.part", "w1")
    for _ in range(2):
        store.commit_written("s", known(1), "/d/s/a.part", 40)
    assert store.count("s") == 1 and store.open_files("s", "w1") == [OpenFile("/d/s/a.part", 40)]


def test_redis_commit_is_one_script(redis_url: str) -> None:  # noqa: F811
    """Atomic by construction: the article, its hash and the file offset change in one EVALSHA."""
    import redis

    from crawler.state.redis import RedisStateStore

    store = RedisStateStore(redis_url, prefix="t")
    store.register_file("s", "/d/s/a.part", "w1")
    client = redis.Redis.from_url(redis_url)
    with client.monitor() as monitor:
        store.commit_written("s", known(1), "/d/s/a.part", 40)
        commands = []
        for event in monitor.listen():
            commands.append(event["command"].split()[0].upper())
            if commands[-1] in ("EVALSHA", "EVAL"):
                break
    assert commands[-1] in ("EVALSHA", "EVAL") and not {"HSET", "MULTI"} & set(commands[:-1])
    store.close()
    client.close()


# ---- the pipelines over each backend ---------------------------------------------------------


def urls(data_dir: Path) -> list[str]:
    out = []
    for path in sorted(data_dir.glob("dongthap/*.jsonl")):
        out += [json.loads(line)["url"][-5:] for line in path.read_text(encoding="utf-8").splitlines()]
    return out


def test_pipelines_are_exactly_once_across_a_killed_run(tmp_path: Path, backend_settings: dict) -> None:
    first = Pipes(tmp_path, backend_settings)
    first.feed(article(1))
    first.feed(article(2))
    first.store._fh.write(b'{"url": "uncommitted"}\n{"url": "to')  # killed between write and commit
    first.store._fh.flush()
    first.store._lock.close()
    state_store_for(first.crawler).close()

    other = Pipes(tmp_path, backend_settings, worker="w2")  # another worker: not its file to recover
    assert other.feed(article(2)) is None  # but it knows what w1 stored
    other.close()
    assert urls(tmp_path) == []

    second = Pipes(tmp_path, backend_settings)  # w1 again: publishes its committed lines
    assert urls(tmp_path) == ["bai-1", "bai-2"]
    assert second.feed(article(3)) is not None and second.feed(article(1)) is None
    second.close()
    assert sorted(urls(tmp_path)) == ["bai-1", "bai-2", "bai-3"]


def test_commit_is_a_claim_two_writers_cannot_both_store_one_article(open_store) -> None:
    worker_a, worker_b = open_store(), open_store()
    worker_a.register_file("s", "/d/a.part", "a")
    worker_b.register_file("s", "/d/b.part", "b")
    assert worker_a.commit_written("s", known(1), "/d/a.part", 10) is True
    # b checked before a committed, and tries to store the same revision: refused.
    assert worker_b.commit_written("s", known(1), "/d/b.part", 10) is False
    # The same content under another URL: refused too.
    twin = Known("https://a.gov.vn/bai-1-copy", "idx", "hash1", 1, None)
    assert worker_b.commit_written("s", twin, "/d/b.part", 10) is False
    # A retried commit of what a already committed succeeds again (idempotent), a next revision too.
    assert worker_a.commit_written("s", known(1), "/d/a.part", 10) is True
    assert worker_b.commit_written("s", known(1, revision=2, content="new"), "/d/b.part", 20) is True
    assert worker_a.commit_written("s", known(1, revision=2, content="other"), "/d/a.part", 20) is False
    assert {f.path: f.committed_offset for f in worker_b.open_files("s", "b")} == {"/d/b.part": 20}
    assert worker_a.get("s", known(1).url).revision == 2


# ---- the owed-articles ledger (issue 15) -------------------------------------------------------


def test_known_urls_takes_more_urls_than_sqlite_has_placeholders(
    open_store: Callable[[], StateStore],
) -> None:
    """Stock SQLite allows 32,766 placeholders: a 40,000-link listing must still be looked up."""
    store = open_store()
    store.commit_written("s", known(7), "/x", 0)
    urls = [f"https://a.gov.vn/bai-{n}" for n in range(40_000)]
    assert store.known_urls("s", urls) == {known(7).url}


def test_a_listed_article_is_owed_until_stored(open_store: Callable[[], StateStore]) -> None:
    store = open_store()
    store.commit_written("s", known(1), "/x", 10)
    for n in (1, 2, 3):
        store.owe("s", known(n).url, 5)
    store.owe("s", known(2).url, 6)  # listed again: still the first record
    owed = store.owed("s")
    assert [o.url for o in owed] == [known(2).url, known(3).url]  # a stored article is never owed
    assert {(o.reason, o.attempts, o.next_run, o.last_run, o.abandoned) for o in owed} == {
        ("listed", 0, 5, 5, False)
    }
    assert store.owed_due("s", 5) == [known(2).url, known(3).url]
    store.commit_written("s", known(2), "/x", 20)  # stored: leaves the ledger in the same step
    store.settle("s", known(3).url)  # a duplicate of a stored article
    assert store.owed("s") == [] and store.owed_due("s", 9) == []
    assert store.owed("other") == []


def test_failed_attempts_back_off_1_2_4_runs_then_abandon(open_store: Callable[[], StateStore]) -> None:
    store = open_store()
    url = known(1).url
    store.owe("s", url, 1)
    first = store.owe_failed("s", url, "http_503", 1, 4)
    assert first is not None and (first.reason, first.attempts, first.next_run) == ("http_503", 1, 2)
    # A second failure in the same run is not another attempt.
    again = store.owe_failed("s", url, "timeout", 1, 4)
    assert again is not None and (again.reason, again.attempts, again.next_run) == ("timeout", 1, 2)
    assert store.owed_due("s", 1) == [] and store.owed_due("s", 2) == [url]
    second = store.owe_failed("s", url, "http_503", 2, 4)
    assert second is not None and (second.attempts, second.next_run) == (2, 4)
    assert store.owed_due("s", 3) == [] and store.owed_due("s", 4) == [url]
    third = store.owe_failed("s", url, "parse_error", 4, 4)
    assert third is not None and (third.attempts, third.next_run, third.abandoned) == (3, 8, False)
    last = store.owe_failed("s", url, "parse_error", 8, 4)
    assert last is not None and last.attempts == 4 and last.abandoned
    assert store.owed_due("s", 100) == []  # abandoned: never fetched again, still reported
    (row,) = store.owed("s")
    assert row.abandoned and row.reason == "parse_error" and row.first_seen <= row.last_seen


def test_a_failed_refresh_of_a_stored_article_is_not_owed(open_store: Callable[[], StateStore]) -> None:
    store = open_store()
    store.commit_written("s", known(1), "/x", 10)
    assert store.owe_failed("s", known(1).url, "http_503", 3, 6) is None
    assert store.owed("s") == []
    # Never listed but failed (e.g. a REST entry): owed from its first failure.
    failed = store.owe_failed("s", known(2).url, "timeout", 3, 6)
    assert failed is not None and failed.attempts == 1
    assert store.owed_due("s", 4) == [known(2).url]


def test_the_ledger_survives_a_reopen(open_store: Callable[[], StateStore]) -> None:
    store = open_store()
    store.owe("s", known(1).url, 1)
    store.owe_failed("s", known(1).url, "offsite_redirect", 1, 6)
    store.close()
    (row,) = open_store().owed("s")
    assert (row.url, row.reason, row.attempts, row.next_run) == (known(1).url, "offsite_redirect", 1, 2)
