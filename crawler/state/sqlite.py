"""SQLite state: one embedded file, WAL mode, one short transaction per written article."""

from __future__ import annotations

import os
import sqlite3
import threading
from pathlib import Path

from crawler.state.base import Known, OpenFile

_SCHEMA = """
CREATE TABLE IF NOT EXISTS articles (
    site TEXT NOT NULL,
    url TEXT NOT NULL,
    article_id TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    revision INTEGER NOT NULL,
    modified_at TEXT,
    written_to TEXT,  -- the file of the last commit: a retried commit is recognised as done
    PRIMARY KEY (site, url)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS content_hashes (
    site TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    url TEXT NOT NULL,
    PRIMARY KEY (site, content_hash)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS site_meta (
    site TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (site, key)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS files (
    path TEXT PRIMARY KEY,
    site TEXT NOT NULL,
    owner TEXT NOT NULL,
    committed_offset INTEGER NOT NULL DEFAULT 0,
    open INTEGER NOT NULL DEFAULT 1
);
"""


class SqliteStateStore:
    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # Scrapy runs pipelines in the reactor thread, but extensions may read from others.
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        # NORMAL in WAL mode survives a process kill (the WAL is in the OS cache);
        # FULL would add power-loss safety at a disk flush per commit.
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)

    def get(self, site: str, url: str) -> Known | None:
        with self._lock:
            row = self._db.execute(
                "SELECT url, article_id, content_hash, revision, modified_at FROM articles"
                " WHERE site=? AND url=?",
                (site, url),
            ).fetchone()
        return Known(*row) if row else None

    def url_for_hash(self, site: str, content_hash: str) -> str | None:
        with self._lock:
            row = self._db.execute(
                "SELECT url FROM content_hashes WHERE site=? AND content_hash=?", (site, content_hash)
            ).fetchone()
        return row[0] if row else None

    def known_urls(self, site: str, urls: list[str]) -> set[str]:
        if not urls:
            return set()
        marks = ",".join("?" * len(urls))
        with self._lock:
            rows = self._db.execute(
                f"SELECT url FROM articles WHERE site=? AND url IN ({marks})", (site, *urls)
            ).fetchall()
        return {r[0] for r in rows}

    def count(self, site: str) -> int:
        with self._lock:
            return self._db.execute("SELECT COUNT(*) FROM articles WHERE site=?", (site,)).fetchone()[0]

    def register_file(self, site: str, path: str, owner: str) -> None:
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO files (path, site, owner, committed_offset, open)"
                " VALUES (?, ?, ?, 0, 1)",
                (path, site, owner),
            )

    def open_files(self, site: str, owner: str) -> list[OpenFile]:
        with self._lock:
            rows = self._db.execute(
                "SELECT path, committed_offset FROM files WHERE site=? AND owner=? AND open=1 ORDER BY path",
                (site, owner),
            ).fetchall()
        return [OpenFile(*r) for r in rows]

    def close_file(self, path: str) -> None:
        with self._lock:
            self._db.execute("UPDATE files SET open=0 WHERE path=?", (path,))

    def commit_written(self, site: str, known: Known, path: str, offset: int) -> bool:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                if not self._claimable(site, known, path):
                    self._db.execute("ROLLBACK")
                    return False
                self._db.execute(
                    "INSERT OR REPLACE INTO articles (site, url, article_id, content_hash, revision,"
                    " modified_at, written_to) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (
                        site,
                        known.url,
                        known.article_id,
                        known.content_hash,
                        known.revision,
                        known.modified_at,
                        path,
                    ),
                )
                self._db.execute(
                    "INSERT OR REPLACE INTO content_hashes (site, content_hash, url) VALUES (?, ?, ?)",
                    (site, known.content_hash, known.url),
                )
                self._db.execute("UPDATE files SET committed_offset=? WHERE path=?", (offset, path))
                self._db.execute("COMMIT")
                return True
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    def _claimable(self, site: str, known: Known, path: str) -> bool:
        """The URL is at the previous revision (or this very commit is retried) and no other URL
        holds this content."""
        row = self._db.execute(
            "SELECT revision, written_to FROM articles WHERE site=? AND url=?", (site, known.url)
        ).fetchone()
        revision, written_to = row if row else (0, None)
        if revision != known.revision - 1 and not (revision == known.revision and written_to == path):
            return False
        holder = self._db.execute(
            "SELECT url FROM content_hashes WHERE site=? AND content_hash=?", (site, known.content_hash)
        ).fetchone()
        return holder is None or holder[0] == known.url

    def get_meta(self, site: str, key: str) -> str | None:
        with self._lock:
            row = self._db.execute(
                "SELECT value FROM site_meta WHERE site=? AND key=?", (site, key)
            ).fetchone()
        return row[0] if row else None

    def set_meta(self, site: str, key: str, value: str) -> None:
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO site_meta (site, key, value) VALUES (?, ?, ?)", (site, key, value)
            )

    def close(self) -> None:
        with self._lock:
            self._db.close()
