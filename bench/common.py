"""Shared helpers of the benchmarks: the machine, timing, subprocess crawls, the replica process."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"  # scratch space (data dirs, JOBDIRs, stats); `make clean` removes it

# Loopback: no politeness delays; the same for the project crawl and the bare spider.
CONCURRENCY = {"CONCURRENT_REQUESTS": 16, "CONCURRENT_REQUESTS_PER_DOMAIN": 16}
NO_POLITENESS = {"DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False, "LOG_LEVEL": "INFO"}


def machine() -> dict[str, str]:
    """nproc, memory, CPU model, Python, Scrapy, selectolax and lxml versions."""
    from importlib.metadata import version

    import lxml.etree
    import scrapy

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    except OSError:
        pass
    return {
        "nproc": str(os.cpu_count()),
        "memory": mem,
        "cpu": cpu,
        "python": platform.python_version(),
        "scrapy": scrapy.__version__,
        "lxml": ".".join(map(str, lxml.etree.LXML_VERSION)),
        "selectolax": version("selectolax"),
        "os": platform.platform(),
    }


@contextmanager
def timer() -> Iterator[list[float]]:
    """`with timer() as t: ...` then t[0] is the elapsed wall time in seconds."""
    box: list[float] = [0.0]
    start = time.perf_counter()
    try:
        yield box
    finally:
        box[0] = time.perf_counter() - start


@dataclass
class ProcResult:
    returncode: int
    wall: float  # seconds, process start to exit
    max_rss_mb: float  # peak resident set size of the child (wait4 ru_maxrss)
    cpu: float  # user + system CPU seconds of the child
    stats: dict[str, Any]
    stderr_tail: str


def run_measured(cmd: list[str], stats_file: Path | None, *, timeout: float, log: Path) -> ProcResult:
    """Run `cmd` to completion, recording wall time and peak RSS (from the kernel, not sampled)."""
    if stats_file is not None:
        stats_file.unlink(missing_ok=True)
    log.parent.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    with log.open("w") as err:
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=err, env=_env())
        deadline = start + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.05)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    stats = {}
    if stats_file is not None and stats_file.exists():
        stats = json.loads(stats_file.read_text(encoding="utf-8"))
    tail = log.read_text(encoding="utf-8", errors="replace")[-3000:]
    cpu = usage.ru_utime + usage.ru_stime
    return ProcResult(proc.returncode, wall, usage.ru_maxrss / 1024, cpu, stats, tail)


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONPATH": str(ROOT)}


def scrapy_settings_args(settings: dict[str, Any]) -> list[str]:
    out: list[str] = []
    for key, value in settings.items():
        if isinstance(value, bool):
            value = int(value)
        out += ["-s", f"{key}={value}"]
    return out


@contextmanager
def replica_process(
    n: int, *, site: str = "dongthap", seed: int = 7, faults: Any = None
) -> Iterator[dict[str, Any]]:
    """A generated replica of `n` articles served by its own process (its own core, its own GIL).

    Yields {"base": url, "pid": pid}; the process is stopped on exit.
    """
    OUT.mkdir(parents=True, exist_ok=True)
    ready = OUT / f"replica-{site}-{os.getpid()}.json"
    ready.unlink(missing_ok=True)
    cmd = [sys.executable, "-m", "bench.replica_proc", "--site", site, "--n", str(n), "--seed", str(seed)]
    cmd += ["--ready-file", str(ready)]
    if faults is not None:
        cmd += ["--faults", json.dumps(faults)]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=_env(), stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 300
        while not ready.exists():
            if proc.poll() is not None:
                raise RuntimeError(f"replica process exited with {proc.returncode}")
            if time.monotonic() > deadline:
                raise RuntimeError("replica process did not start")
            time.sleep(0.05)
        info = json.loads(ready.read_text(encoding="utf-8"))
        yield {**info, "pid": proc.pid}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        ready.unlink(missing_ok=True)


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU time a running process has used so far (from /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks
