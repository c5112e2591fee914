"""Shared pytest fixtures.

Replica: `replica` serves every bundled site under tests/sites for the whole session (treat it
as read-only); a test that changes options, articles or faults starts its own with
`fresh_replica`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# The production registry plus the demo/test-only sites (dongthap-js), for this process and every
# crawl it starts; set before crawler.sites is first used.
os.environ["VN_SITES_FILE"] = f"{ROOT / 'sites.toml'}{os.pathsep}{ROOT / 'replica' / 'sites.toml'}"

from replica.server import ReplicaServer  # noqa: E402 (after the registry is chosen)

SITES_DIR = ROOT / "tests" / "sites"

ReplicaFactory = Callable[..., ReplicaServer]


@pytest.fixture(scope="session")
def replica() -> Iterator[ReplicaServer]:
    """All replica sites in tests/sites, started once per session."""
    with ReplicaServer(SITES_DIR) as server:
        yield server


@pytest.fixture
def fresh_replica() -> Iterator[ReplicaFactory]:
    """Factory: ``fresh_replica("gialai", ...)`` starts a server over those keys (all sites when none);
    ``fresh_replica(sites_dir=None)`` an empty one to `add_site` to. Every server is stopped after the test.
    """
    servers: list[ReplicaServer] = []

    def make(*keys: str, sites_dir: Path | None = SITES_DIR, start: bool = True) -> ReplicaServer:
        server = ReplicaServer(sites_dir, list(keys) if keys else None)
        servers.append(server)
        return server.start() if start else server

    yield make
    for server in servers:
        server.stop()
