"""Choose and share the state backend of a crawl (see `crawler.state.base`)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from crawler.state.base import Known, OpenFile, Owed, StateError, StateStore

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

__all__ = ["Known", "OpenFile", "Owed", "StateError", "StateStore", "open_state_store", "state_store_for"]

_ATTR = "_vn_state_store"


def open_state_store(settings) -> StateStore:
    """Redis when `VN_STATE_BACKEND` is "redis" (distributed mode), else SQLite at `VN_STATE_PATH`."""
    backend = settings.get("VN_STATE_BACKEND") or "sqlite"
    if backend == "redis":
        from crawler.state.redis import RedisStateStore

        return RedisStateStore(settings.get("REDIS_URL"), prefix=settings.get("VN_REDIS_PREFIX", "vnportal"))
    path = settings.get("VN_STATE_PATH") or str(Path(settings.get("VN_DATA_DIR", "data")) / "state.sqlite")
    from crawler.state.sqlite import SqliteStateStore

    return SqliteStateStore(path)


def state_store_for(crawler: Crawler) -> StateStore:
    """One store per crawler, shared by the spider and the pipelines, closed with the engine."""
    store = getattr(crawler, _ATTR, None)
    if store is None:
        from scrapy import signals

        try:
            store = open_state_store(crawler.settings)
        except StateError as exc:
            # Every component gets the same broken store; the spider reports it once and stops.
            store = BrokenStateStore(str(exc))
        setattr(crawler, _ATTR, store)

        def _close() -> None:
            store.close()
            setattr(crawler, _ATTR, None)

        crawler.signals.connect(_close, signal=signals.engine_stopped, weak=False)
    return store


class BrokenStateStore:
    """Stands for a state that could not be opened: every use raises the opening error again."""

    def __init__(self, message: str) -> None:
        self.broken = message

    def __getattr__(self, name: str):
        def fail(*args, **kwargs):
            raise StateError(self.broken)

        return fail

    def close(self) -> None:
        pass
