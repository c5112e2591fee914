"""Crawl throughput: the full project against a bare Scrapy spider, on a generated replica.

A replica of N generated articles (replica.corpus.generate_articles, the real dongthap
`liferay-adt` renderer) is served by its own process. It is crawled by (a) `scrapy crawl dongthap
-a mode=archive` with every pipeline (validate, normalize, dedup, JSONL store with its SQLite
state) and the project's extensions and middlewares, and (b) bench/bare_spider.py, stock Scrapy
following the same listing and article links without parsing. Both get the same concurrency and
no politeness delays (loopback). Pages/s = responses / the spider's open-to-close time.
The project runs twice: parsing in the crawl's thread (the default) and with VN_PARSE_WORKERS=1
(article pages decoded and parsed by one worker process, crawler/parsepool.py). Crawler CPU
counts the crawl process and its workers.

The replica's own CPU time is read from /proc during each crawl: its utilisation (CPU seconds /
wall seconds, one core = 100 %) and capacity (pages per replica CPU second) show whether it,
rather than the crawler, set the pace.
"""

from __future__ import annotations

import shutil
import sys
from typing import Any

from bench.common import (
    CONCURRENCY,
    NO_POLITENESS,
    OUT,
    process_cpu_seconds,
    replica_process,
    run_measured,
    scrapy_settings_args,
)

GOAL = 0.80
SITE = "dongthap"
KINDS = ("bare", "project", "project-workers")
LABELS = {
    "bare": "bare Scrapy",
    "project": "project (parsing in the crawl thread)",
    "project-workers": "project, VN_PARSE_WORKERS=1",
}
# The bare spider gets the same Scrapy-level settings as the project (crawler/settings.py), so
# the difference measured is the project's own work: parsing, pipelines, state, extensions.
SHARED = {
    **CONCURRENCY,
    **NO_POLITENESS,
    "ROBOTSTXT_OBEY": True,
    "CONCURRENT_ITEMS": 16,
    "WARN_ON_GENERATOR_RETURN_VALUE": False,
}


def project_cmd(base: str, out: Any, extra: dict[str, Any] | None = None) -> list[str]:
    settings = {
        **SHARED,
        "VN_DATA_DIR": str(out / "data"),
        "VN_STATS_FILE": str(out / "stats.json"),
        "VN_ALLOW_PRIVATE_REDIRECTS": True,
        "VN_PROGRESS_INTERVAL": 0,
        **(extra or {}),
    }
    cmd = [sys.executable, "-m", "scrapy", "crawl", SITE, "-a", f"base_url={base}", "-a", "mode=archive"]
    return cmd + scrapy_settings_args(settings)


def bare_cmd(base: str, out: Any) -> list[str]:
    cmd = [sys.executable, "-m", "bench.bare_spider", "--base", base, "--stats-file", str(out / "stats.json")]
    return cmd + scrapy_settings_args(SHARED)


def measure(kind: str, base: str, replica_pid: int, run: int) -> dict[str, Any]:
    out = OUT / "crawl" / f"{kind}-{run}"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    if kind == "bare":
        cmd = bare_cmd(base, out)
    else:
        cmd = project_cmd(base, out, {"VN_PARSE_WORKERS": 1} if kind == "project-workers" else None)
    cpu0 = process_cpu_seconds(replica_pid)
    res = run_measured(cmd, out / "stats.json", timeout=1800, log=out / "stderr.log")
    replica_cpu = process_cpu_seconds(replica_pid) - cpu0
    if res.returncode != 0 or not res.stats:
        raise RuntimeError(f"{kind} crawl failed ({res.returncode}):\n{res.stderr_tail}")
    st = res.stats
    pages = int(st.get("downloader/response_count", 0))
    elapsed = float(st.get("elapsed_time_seconds", res.wall))
    return {
        "kind": kind,
        "pages": pages,
        "items": int(st.get("vn/items_written", 0)),
        "articles_fetched": int(st.get("vn/pages/article", st.get("bare/article", 0))),
        "elapsed": elapsed,
        "wall": res.wall,
        "pages_per_s": pages / elapsed if elapsed else 0.0,
        "max_rss_mb": res.max_rss_mb,
        "crawler_util": res.cpu / res.wall if res.wall else 0.0,
        "cpu_ms_per_page": res.cpu / pages * 1000 if pages else 0.0,
        "replica_cpu_s": replica_cpu,
        "replica_util": replica_cpu / res.wall if res.wall else 0.0,
        "replica_capacity": pages / replica_cpu if replica_cpu else 0.0,
    }


def run(quick: bool = False) -> dict[str, Any]:
    n = 1000 if quick else 5000
    rounds = 1 if quick else 2
    runs: list[dict[str, Any]] = []
    with replica_process(n, site=SITE) as replica:
        base, pid = replica["base"], replica["pid"]
        measure("bare", base, pid, 0)  # warm-up (page cache, imports); not reported
        for i in range(rounds):  # alternate, so drift in the machine hits all alike
            runs += [measure(kind, base, pid, i + 1) for kind in KINDS]
    best = {
        kind: max((r for r in runs if r["kind"] == kind), key=lambda r: r["pages_per_s"]) for kind in KINDS
    }
    bare = best["bare"]
    return {
        "articles": n,
        "runs": runs,
        "best": best,
        "ratios": {k: best[k]["pages_per_s"] / bare["pages_per_s"] for k in KINDS[1:]},
        "cpu_ratios": {k: bare["cpu_ms_per_page"] / best[k]["cpu_ms_per_page"] for k in KINDS[1:]},
        "goal": GOAL,
        "settings": SHARED,
    }


def report(r: dict[str, Any]) -> str:
    settings = ", ".join(f"{k}={v}" for k, v in r["settings"].items())
    lines = [
        "## 2. Crawl throughput (project vs bare Scrapy)",
        "",
        f"Generated dongthap replica, {r['articles']} articles (+ {r['articles'] // 5} listing pages), "
        "served by its own process on loopback. All crawlers: " + settings + ".",
        "",
        "| run | pages | items | elapsed s | pages/s | peak RSS MB | crawler CPU | crawler CPU ms/page "
        "| replica CPU | replica capacity pages/s |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for x in r["runs"]:
        lines.append(
            f"| {LABELS[x['kind']]} | {x['pages']} | {x['items']} | {x['elapsed']:.1f} "
            f"| {x['pages_per_s']:.0f} | {x['max_rss_mb']:.0f} | {x['crawler_util'] * 100:.0f} % "
            f"| {x['cpu_ms_per_page']:.2f} | {x['replica_util'] * 100:.0f} % | {x['replica_capacity']:.0f} |"
        )
    b = r["best"]
    lines += ["", "Best run of each, against bare Scrapy's best:", ""]
    for kind, ratio in r["ratios"].items():
        ok = "meets" if ratio >= r["goal"] else "MISSES"
        lines.append(
            f"- **{LABELS[kind]}: {b[kind]['pages_per_s']:.0f} pages/s against "
            f"{b['bare']['pages_per_s']:.0f}: "
            f"{ratio * 100:.0f} %** (goal >= {r['goal'] * 100:.0f} %: {ok}). CPU per page: "
            f"{b[kind]['cpu_ms_per_page']:.2f} ms against {b['bare']['cpu_ms_per_page']:.2f} ms "
            f"({r['cpu_ratios'][kind] * 100:.0f} %)."
        )
    lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    res = run(quick="--quick" in sys.argv)
    print(report(res))
