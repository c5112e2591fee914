"""SQLite state: one embedded file, WAL mode, one short transaction per written article."""

from __future__ import annotations

import os
import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path

from crawler.state.base import CHUNK, REBUILD_COMMAND, Known, OpenFile, Owed, StateError, next_due

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
CREATE TABLE IF NOT EXISTS owed (
    site TEXT NOT NULL,
    url TEXT NOT NULL,
    reason TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_run INTEGER NOT NULL,
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    last_run INTEGER NOT NULL,
    abandoned INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (site, url)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS files (
    path TEXT PRIMARY KEY,
    site TEXT NOT NULL,
    owner TEXT NOT NULL,
    committed_offset INTEGER NOT NULL DEFAULT 0,
    open INTEGER NOT NULL DEFAULT 1
);
"""


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


class SqliteStateStore:
    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # Scrapy runs pipelines in the reactor thread, but extensions may read from others.
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=30)
        try:
            # A damaged file must stop the run here, not read as "nothing stored" (everything
            # written again) or as template drift later.
            problems = [r[0] for r in self._db.execute("PRAGMA quick_check").fetchall()]
            if problems != ["ok"]:
                raise sqlite3.DatabaseError("; ".join(problems[:3]))
            self._db.execute("PRAGMA journal_mode=WAL")
            # NORMAL in WAL mode survives a process kill (the WAL is in the OS cache);
            # FULL would add power-loss safety at a disk flush per commit.
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(_SCHEMA)
        except sqlite3.DatabaseError as exc:
            self._db.close()
            raise StateError(
                f"the state file {self.path} is corrupt ({exc}): move it away and rebuild it from the"
                f" published feeds with `{REBUILD_COMMAND} --state {self.path}`"
            ) from None

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
        unique = list(dict.fromkeys(urls))
        found: set[str] = set()
        with self._lock:
            for i in range(0, len(unique), CHUNK):
                chunk = unique[i : i + CHUNK]
                marks = ",".join("?" * len(chunk))
                rows = self._db.execute(
                    f"SELECT url FROM articles WHERE site=? AND url IN ({marks})", (site, *chunk)
                ).fetchall()
                found.update(r[0] for r in rows)
        return found

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
                self._db.execute("DELETE FROM owed WHERE site=? AND url=?", (site, known.url))
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

    # ---- owed-articles ledger --------------------------------------------------------------

    def owe(self, site: str, url: str, run: int) -> None:
        now = _now()
        with self._lock:
            self._db.execute(
                "INSERT OR IGNORE INTO owed (site, url, reason, attempts, next_run, first_seen, last_seen,"
                " last_run) SELECT ?, ?, 'listed', 0, ?, ?, ?, ? WHERE NOT EXISTS"
                " (SELECT 1 FROM articles WHERE site=? AND url=?)",
                (site, url, run, now, now, run, site, url),
            )

    def owe_failed(self, site: str, url: str, reason: str, run: int, max_attempts: int) -> Owed | None:
        now = _now()
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                if self._db.execute("SELECT 1 FROM articles WHERE site=? AND url=?", (site, url)).fetchone():
                    self._db.execute("DELETE FROM owed WHERE site=? AND url=?", (site, url))
                    self._db.execute("COMMIT")
                    return None
                row = self._db.execute(
                    "SELECT attempts, first_seen, last_run FROM owed WHERE site=? AND url=?", (site, url)
                ).fetchone()
                attempts, first_seen, last_run = row if row else (0, now, -1)
                # One attempt per run: a second failure in the same run (e.g. listed twice) is not a retry.
                if not (row and last_run == run and attempts > 0):
                    attempts += 1
                owed = Owed(
                    url,
                    reason,
                    attempts,
                    next_due(run, attempts),
                    first_seen,
                    now,
                    run,
                    attempts >= max_attempts,
                )
                self._db.execute(
                    "INSERT OR REPLACE INTO owed (site, url, reason, attempts, next_run, first_seen,"
                    " last_seen, last_run, abandoned) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        site,
                        url,
                        reason,
                        owed.attempts,
                        owed.next_run,
                        first_seen,
                        now,
                        run,
                        int(owed.abandoned),
                    ),
                )
                self._db.execute("COMMIT")
                return owed
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    def settle(self, site: str, url: str) -> None:
        with self._lock:
            self._db.execute("DELETE FROM owed WHERE site=? AND url=?", (site, url))

    def owed(self, site: str) -> list[Owed]:
        with self._lock:
            rows = self._db.execute(
                "SELECT url, reason, attempts, next_run, first_seen, last_seen, last_run, abandoned"
                " FROM owed WHERE site=? ORDER BY first_seen, url",
                (site,),
            ).fetchall()
        return [Owed(*r[:7], bool(r[7])) for r in rows]

    def owed_due(self, site: str, run: int) -> list[str]:
        with self._lock:
            rows = self._db.execute(
                "SELECT url FROM owed WHERE site=? AND abandoned=0 AND next_run<=? ORDER BY first_seen, url",
                (site, run),
            ).fetchall()
        return [r[0] for r in rows]

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
