"""A real redis-server for the tests: one per session, on a free loopback port, no persistence.

Import the fixtures into a test module (`from redis_fixtures import redis_server, redis_url`).
Without a `redis-server` binary the tests that use them are skipped, except under CI (CI=true),
where they fail: .ci/run installs it.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest


@dataclass
class RedisServer:
    port: int
    process: subprocess.Popen

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self):  # -> redis.Redis
        import redis

        return redis.Redis.from_url(self.url)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(binary: str, workdir: Path) -> RedisServer | None:
    port = _free_port()
    proc = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        cwd=workdir,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return None  # lost the port to someone else: try another
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5) as conn:
                conn.sendall(b"PING\r\n")
                if conn.recv(16).startswith(b"+PONG"):
                    return RedisServer(port, proc)
        except OSError:
            time.sleep(0.05)
    proc.kill()
    return None


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    binary = shutil.which("redis-server")
    if binary is None:
        # CI installs it (.ci/run): there a missing server is a failure, not a silent skip.
        if os.environ.get("CI"):
            pytest.fail("redis-server is not installed but CI must run the distributed tests")
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    workdir = tmp_path_factory.mktemp("redis")
    for _ in range(3):
        server = _start(binary, workdir)
        if server is not None:
            break
    else:
        pytest.fail("could not start redis-server")
    yield server
    server.process.terminate()
    try:
        server.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.process.kill()


@pytest.fixture
def redis_url(redis_server: RedisServer) -> str:
    """The server's URL, emptied before the test."""
    client = redis_server.client()
    client.flushall()
    client.close()
    return redis_server.url
