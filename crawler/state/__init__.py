"""Choose and share the state backend of a crawl (see `crawler.state.base`)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy.exceptions import NotConfigured

from crawler.state.base import Known, OpenFile, Owed, StateError, StateStore

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

__all__ = [
    "Known",
    "OpenFile",
    "Owed",
    "StateError",
    "StateStore",
    "StateStoreExtension",
    "open_state_store",
    "state_store_for",
]


def open_state_store(settings) -> StateStore:
    """Redis when `VN_STATE_BACKEND` is "redis" (distributed mode), else SQLite at `VN_STATE_PATH`."""
    backend = settings.get("VN_STATE_BACKEND") or "sqlite"
    if backend == "redis":
        from crawler.state.redis import RedisStateStore

        return RedisStateStore(settings.get("REDIS_URL"), prefix=settings.get("VN_REDIS_PREFIX", "vnportal"))
    path = settings.get("VN_STATE_PATH") or str(Path(settings.get("VN_DATA_DIR", "data")) / "state.sqlite")
    from crawler.state.sqlite import SqliteStateStore

    return SqliteStateStore(path)


class StateStoreExtension:
    """The crawl's state store as a Scrapy component (in EXTENSIONS): one store per crawler, opened
    on first use, shared by the spider and the pipelines, closed when the engine stops.

    Reach it with `state_store_for(crawler)` (`crawler.get_extension(StateStoreExtension).store`)
    from the engine's start on (extensions are built after the spider)."""

    state_error: str | None = None  # why the crawl's site state is unusable (the spider stops)

    def __init__(self, settings: Any) -> None:
        self.settings = settings
        self._store: StateStore | BrokenStateStore | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StateStoreExtension:
        from scrapy import signals

        ext = cls(crawler.settings)
        crawler.signals.connect(ext.close, signal=signals.engine_stopped)
        # Built after the spider, before the engine, the scheduler and the pipelines: the state of
        # the spider's site is checked (and rebuilt from the feeds when allowed) before any use.
        site = getattr(getattr(crawler, "spider", None), "site", None)
        if site is not None:
            ext.guard(site.key)
        return ext

    def guard(self, site: str) -> str | None:
        """Check the state of `site` (crawler.state.rebuild.ensure_state); the error, if any."""
        from crawler.state.rebuild import ensure_state

        try:
            self.state_error = ensure_state(self.store, self.settings, site)
        except StateError as exc:  # a corrupt file: one clear line at open, not a traceback
            self.state_error = str(exc)
        return self.state_error

    @property
    def store(self) -> StateStore:
        if self._store is None:
            try:
                self._store = open_state_store(self.settings)
            except StateError as exc:
                # Every component gets the same broken store; the spider reports it once and stops.
                self._store = BrokenStateStore(str(exc))
        return self._store  # type: ignore[return-value]

    def close(self) -> None:
        """Close the store (a later use opens it again)."""
        store, self._store = self._store, None
        if store is not None:
            store.close()


def state_store_for(crawler: Crawler) -> StateStore:
    """The crawler's state store (its StateStoreExtension's)."""
    ext = crawler.get_extension(StateStoreExtension)
    if ext is None:
        raise NotConfigured("crawler.state.StateStoreExtension is not enabled in EXTENSIONS")
    return ext.store


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
