"""The article state every run consults: what was written, under which URL and content hash.

Two backends share this interface: SQLite on one machine (`crawler.state.sqlite`) and Redis
for distributed workers (`crawler.state.redis`). The JSONL store commits a written line and
its state in one step (`commit_written`), which is what makes the output exactly-once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Known:
    url: str
    article_id: str
    content_hash: str
    revision: int
    modified_at: str | None = None  # the CMS's last-modified time, when it tells


@dataclass(frozen=True)
class OpenFile:
    path: str
    committed_offset: int


@dataclass(frozen=True)
class Owed:
    """An article a site listed that is not stored yet (the owed-articles ledger)."""

    url: str
    reason: str  # "listed" until a fetch fails, then the last failure's reason
    attempts: int  # failed attempts so far (one per run at most)
    next_run: int  # the site's run number from which it is fetched again
    first_seen: str
    last_seen: str
    last_run: int  # the last run that listed or tried it
    abandoned: bool = False


# Owed articles are tried again 1, 2, 4, ... runs after each failed attempt.
def next_due(run: int, attempts: int) -> int:
    return run + 2 ** max(attempts - 1, 0)


class StateError(RuntimeError):
    """The state cannot be used (corrupt, or empty while feeds exist): the message says what to run."""


REBUILD_COMMAND = "python -m crawler.state rebuild"

# SQLite's stock limit on placeholders is 32,766: lookups go in chunks well below it.
CHUNK = 500


class StateStore(Protocol):
    def get(self, site: str, url: str) -> Known | None: ...

    def url_for_hash(self, site: str, content_hash: str) -> str | None: ...

    def known_urls(self, site: str, urls: list[str]) -> set[str]: ...

    def count(self, site: str) -> int: ...

    def register_file(self, site: str, path: str, owner: str) -> None:
        """`owner` is the worker id: a worker only ever recovers its own unfinished files."""
        ...

    def open_files(self, site: str, owner: str) -> list[OpenFile]: ...

    def close_file(self, path: str) -> None: ...

    def commit_written(
        self,
        site: str,
        known: Known,
        path: str,
        offset: int,
    ) -> bool:
        """Record in one atomic step that `known` was written and `path` now ends at `offset`.

        A claim: False (and nothing recorded) when the URL is no longer at `known.revision - 1`
        or its content is held by another URL, i.e. another worker stored it first.
        """
        ...

    # ---- the owed-articles ledger: listed, not stored (an article leaves it in `commit_written`)

    def owe(self, site: str, url: str, run: int) -> None:
        """Record that `url` was listed and is being fetched, unless stored or already owed."""
        ...

    def owe_failed(self, site: str, url: str, reason: str, run: int, max_attempts: int) -> Owed | None:
        """One more failed attempt at an unstored article: reason, backoff, and `abandoned` once
        `attempts` reaches `max_attempts`. None when the URL is stored (a failed refresh loses nothing)."""
        ...

    def settle(self, site: str, url: str) -> None:
        """`url` is no longer owed (a duplicate of a stored article, or skipped on purpose)."""
        ...

    def owed(self, site: str) -> list[Owed]:
        """The whole ledger of a site, abandoned articles included."""
        ...

    def owed_due(self, site: str, run: int) -> list[str]:
        """Owed, not abandoned, and due by run number `run`."""
        ...

    def get_meta(self, site: str, key: str) -> str | None:
        """Small per-site facts that must survive runs (e.g. whether the last run saw every listing)."""
        ...

    def set_meta(self, site: str, key: str, value: str) -> None: ...

    def close(self) -> None: ...
