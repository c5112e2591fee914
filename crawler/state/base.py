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

    def get_meta(self, site: str, key: str) -> str | None:
        """Small per-site facts that must survive runs (e.g. whether the last run saw every listing)."""
        ...

    def set_meta(self, site: str, key: str, value: str) -> None: ...

    def close(self) -> None: ...
