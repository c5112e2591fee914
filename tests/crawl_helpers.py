"""Run real crawls in subprocesses (a Twisted reactor cannot restart in one process)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

# The replica is on loopback: no politeness delays, and redirects within it are allowed.
REPLICA_SETTINGS = {
    "AUTOTHROTTLE_ENABLED": "0",
    "DOWNLOAD_DELAY": "0",
    "VN_ALLOW_PRIVATE_REDIRECTS": "1",
    "VN_PROGRESS_INTERVAL": "0",
    "LOG_LEVEL": "INFO",
}


def crawl_command(site: str, base_url: str, data_dir: Path, *args: str, **settings: Any) -> list[str]:
    merged = {
        **REPLICA_SETTINGS,
        "VN_DATA_DIR": str(data_dir),
        "VN_STATS_FILE": str(data_dir / "stats" / "{site}.json"),
        **settings,
    }
    cmd = [sys.executable, "-m", "scrapy", "crawl", site, "-a", f"base_url={base_url}"]
    for arg in args:
        cmd += ["-a", arg]
    for key, value in merged.items():
        cmd += ["-s", f"{key}={value}"]
    return cmd


def crawlall_command(
    sites: list[str], data_dir: Path, base_urls: dict[str, str], **settings: Any
) -> list[str]:
    """`scrapy crawlall --sites ...` against the replica (VN_BASE_URLS points each site at it)."""
    merged = {
        **REPLICA_SETTINGS,
        "VN_DATA_DIR": str(data_dir),
        "VN_BASE_URLS": json.dumps(base_urls),
        **settings,
    }
    cmd = [sys.executable, "-m", "scrapy", "crawlall", "--sites", ",".join(sites)]
    for key, value in merged.items():
        cmd += ["-s", f"{key}={value}"]
    return cmd


def run_crawl(
    site: str, base_url: str, data_dir: Path, *args: str, timeout: float = 120, **settings: Any
) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    """Run one crawl to completion; return the process and its final stats."""
    stats_path = data_dir / "stats" / f"{site}.json"
    stats_path.unlink(missing_ok=True)
    proc = subprocess.run(
        crawl_command(site, base_url, data_dir, *args, **settings),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    stats = json.loads(stats_path.read_text(encoding="utf-8")) if stats_path.exists() else {}
    return proc, stats


def start_crawl(
    site: str, base_url: str, data_dir: Path, *args: str, **settings: Any
) -> subprocess.Popen[str]:
    return subprocess.Popen(
        crawl_command(site, base_url, data_dir, *args, **settings),
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def feed_lines(data_dir: Path, site: str) -> list[dict[str, Any]]:
    """Every line a consumer can read: published *.jsonl files only, each line must parse."""
    out: list[dict[str, Any]] = []
    for path in sorted((data_dir / site).glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            out.append(json.loads(line))
    return out


def part_lines(data_dir: Path, site: str) -> int:
    return sum(p.read_bytes().count(b"\n") for p in (data_dir / site).glob("*.part"))
