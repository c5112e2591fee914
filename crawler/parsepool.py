"""Article pages parsed in worker processes (`VN_PARSE_WORKERS`), for crawls bound by CPU.

A Scrapy crawl runs in one thread: downloads, scheduling, pipelines and, for every article page,
decoding and parsing. The parsers are pure functions of (page bytes, URL), so they can run in
other processes; the crawl's thread then only ships the body out and gets an Article back.

That pays when the crawl is CPU-bound (an archive backfill of a fast mirror, the replica, many
sites in one process) and the machine has a spare core. A polite cron crawl of a live portal
waits on the network and should keep the default, 0 (parse in the crawl's thread).

Why not concurrent.futures.ProcessPoolExecutor: its feeder and result threads take the GIL
from the reactor thread whenever that thread does I/O (sockets, SQLite), which cost the crawl
more than the parsing it moved away. Here each worker is a plain child process (`python -m
crawler.parseworker`) on a socket pair that the crawl's own asyncio loop reads: no thread.
Frames are a 4-byte length and a pickle, so a body and its Article cross with one copy each.

A worker that dies fails the pages it held (they become counted `parse_error` rejects, like any
parser failure) and is replaced for the pages still to come. Workers leave when their socket
closes, so a crawl killed with SIGKILL leaves none behind.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import os
import pickle
import socket
import struct
import subprocess
import sys
from dataclasses import dataclass, field
from typing import Any

from crawler.builder import parse_page
from crawler.items import Article
from crawler.parsers.cache import ParserSpec, cached_parser, parser_spec

logger = logging.getLogger(__name__)

__all__ = ["ParsePool", "ParseWorkerError", "ParserSpec", "cached_parser", "parser_spec", "run_parser"]

HEADER = struct.Struct("!I")


class ParseWorkerError(RuntimeError):
    """A page a worker could not parse: the parser's exception (with its traceback), or the
    worker's death."""


# What a worker runs: the parsing half of the item builder (crawler/builder.py).
run_parser = parse_page


@dataclass
class _Worker:
    process: subprocess.Popen[bytes]
    writer: asyncio.StreamWriter
    pending: dict[int, asyncio.Future[Any]] = field(default_factory=dict)
    alive: bool = True
    reader_task: asyncio.Task[None] | None = None


class ParsePool:
    """`workers` parse processes, started on the first page. The spiders of one crawl process
    share one pool (`acquire` / `release`): a crawlall of seven sites with VN_PARSE_WORKERS=1
    starts one worker, not seven.

    Workers that die again and again before answering anything (they cannot even start: a
    broken install, no memory) make the pool give up: `usable` turns False and the spider parses
    in its own thread again, rather than losing every page to a crash loop.
    """

    MAX_DEATHS_WITHOUT_REPLY = 3

    def __init__(self, workers: int, command: list[str] | None = None) -> None:
        if workers < 1:
            raise ValueError("a parse pool needs at least one worker")
        self.size = workers
        self.command = command or [sys.executable, "-m", "crawler.parseworker"]
        self.usable = True
        self._workers: list[_Worker] = []
        self._ids = itertools.count()
        self._starting: asyncio.Lock | None = None
        self._deaths_without_reply = 0

    @classmethod
    def acquire(cls, workers: int) -> ParsePool:
        """The process's pool of `workers` workers, created on first use; `release` when done."""
        pool, users = _SHARED.get(workers, (None, 0))
        if pool is None:
            pool = cls(workers)
        _SHARED[workers] = (pool, users + 1)
        return pool

    def release(self) -> None:
        """One user fewer; the last one closes the pool."""
        pool, users = _SHARED.get(self.size, (None, 0))
        if pool is not self:
            self.close()  # not a shared pool
        elif users > 1:
            _SHARED[self.size] = (self, users - 1)
        else:
            del _SHARED[self.size]
            self.close()

    async def parse(
        self,
        spec: ParserSpec,
        method: str,
        extra: tuple[Any, ...],
        body: bytes,
        content_type: str | None,
        url: str,
    ) -> Article | None:
        worker = await self._least_busy()
        job = next(self._ids)
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        worker.pending[job] = future
        data = pickle.dumps((job, spec, method, extra, bytes(body), content_type, url), protocol=5)
        worker.writer.writelines((HEADER.pack(len(data)), data))
        try:
            await worker.writer.drain()
        except (ConnectionError, RuntimeError) as exc:
            self._lost(worker, f"its socket failed: {exc!r}")
        result: Article | None = await future
        return result

    async def _least_busy(self) -> _Worker:
        self._workers = [w for w in self._workers if w.alive]
        if len(self._workers) < self.size:
            if self._starting is None:
                self._starting = asyncio.Lock()
            async with self._starting:
                while len(self._workers) < self.size:
                    self._workers.append(await self._spawn())
        return min(self._workers, key=lambda w: len(w.pending))

    async def _spawn(self) -> _Worker:
        ours, theirs = socket.socketpair()
        try:
            process = subprocess.Popen(
                [*self.command, str(theirs.fileno())],
                pass_fds=(theirs.fileno(),),
                stdin=subprocess.DEVNULL,
                # The crawl's own import path (a scrapyd egg, a venv run by path) for the worker.
                env={**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)},
            )
        except OSError as exc:  # no process to be had (fds, memory): as if it died at once
            ours.close()
            self._note_death(f"could not start a parse worker: {exc!r}")
            raise ParseWorkerError(f"could not start a parse worker: {exc!r}") from exc
        finally:
            theirs.close()
        reader, writer = await asyncio.open_unix_connection(sock=ours, limit=2**20)
        worker = _Worker(process, writer)
        worker.reader_task = asyncio.ensure_future(self._read(worker, reader))
        logger.info("parse worker %d started", process.pid)
        return worker

    async def _read(self, worker: _Worker, reader: asyncio.StreamReader) -> None:
        try:
            while True:
                (size,) = HEADER.unpack(await reader.readexactly(HEADER.size))
                job, ok, value = pickle.loads(await reader.readexactly(size))
                future = worker.pending.pop(job, None)
                if future is None or future.done():
                    continue
                self._deaths_without_reply = 0
                if ok:
                    future.set_result(value)
                else:
                    future.set_exception(ParseWorkerError(value))
        except (asyncio.IncompleteReadError, ConnectionError) as exc:
            self._lost(worker, f"it exited ({worker.process.poll()}): {exc!r}")
        except Exception as exc:  # a frame that does not unpickle: the worker cannot be trusted
            self._lost(worker, f"it sent a broken frame: {exc!r}")

    def _lost(self, worker: _Worker, why: str) -> None:
        if not worker.alive:
            return
        worker.alive = False
        self._note_death(why)
        if worker.pending:
            logger.error("parse worker %d lost %d pages: %s", worker.process.pid, len(worker.pending), why)
        for future in worker.pending.values():
            if not future.done():
                future.set_exception(ParseWorkerError(f"parse worker died: {why}"))
        worker.pending.clear()
        worker.writer.close()
        if worker.process.poll() is None:
            worker.process.kill()

    def _note_death(self, why: str) -> None:
        self._deaths_without_reply += 1
        if self._deaths_without_reply >= self.MAX_DEATHS_WITHOUT_REPLY and self.usable:
            self.usable = False
            logger.error(
                "parse workers failed %d times without parsing a page (last: %s): parsing in the crawl's "
                "thread from now on",
                self._deaths_without_reply,
                why,
            )

    def close(self) -> None:
        """Close every worker's socket (they exit on EOF) and reap them."""
        for worker in self._workers:
            worker.alive = False
            if worker.reader_task is not None:
                worker.reader_task.cancel()
            # transport.close() only closes the socket on a later loop turn; the worker must see
            # EOF now, while this (synchronous) close waits for it.
            sock = worker.writer.get_extra_info("socket")
            if sock is not None:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass  # already gone
            worker.writer.close()
        for worker in self._workers:
            try:
                worker.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                worker.process.kill()
                worker.process.wait()
        self._workers = []


# Pools by worker count, with how many spiders use each (ParsePool.acquire / release).
_SHARED: dict[int, tuple[ParsePool, int]] = {}
