"""Scale: an archive crawl of 50,000 generated articles with JOBDIR disk queues, peak RSS and wall time.

The generated dongthap replica (10,000 listing pages for 50,000 articles) is served by its own
process; the project crawls it with `-a mode=archive -s JOBDIR=...` (pickled LIFO disk queues,
the dupefilter's fingerprints persisted). Peak RSS is the crawler process's high-water mark as
the kernel reports it at exit (wait4 ru_maxrss), not a sample.
"""

from __future__ import annotations

import shutil
import sys
from typing import Any

from bench.common import OUT, process_cpu_seconds, replica_process, run_measured
from bench.crawl import project_cmd


def run(quick: bool = False) -> dict[str, Any]:
    n = 5_000 if quick else 50_000
    out = OUT / "scale"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    with replica_process(n) as replica:
        cpu0 = process_cpu_seconds(replica["pid"])
        cmd = project_cmd(replica["base"], out, {"JOBDIR": str(out / "job")})
        res = run_measured(cmd, out / "stats.json", timeout=4 * 3600, log=out / "stderr.log")
        replica_cpu = process_cpu_seconds(replica["pid"]) - cpu0
    if res.returncode != 0 or not res.stats:
        raise RuntimeError(f"scale crawl failed ({res.returncode}):\n{res.stderr_tail}")
    st = res.stats
    pages = int(st.get("downloader/response_count", 0))
    jsonl = sorted((out / "data" / "dongthap").glob("*.jsonl"))
    lines = sum(p.read_bytes().count(b"\n") for p in jsonl)
    result = {
        "articles": n,
        "pages": pages,
        "items": int(st.get("vn/items_written", 0)),
        "feed_lines": lines,
        "feed_mb": sum(p.stat().st_size for p in jsonl) / 1024 / 1024,
        "rejected": int(st.get("vn/rejected", 0)),
        "wall": res.wall,
        "elapsed": float(st.get("elapsed_time_seconds", res.wall)),
        "max_rss_mb": res.max_rss_mb,
        "crawler_util": res.cpu / res.wall if res.wall else 0.0,
        "replica_util": replica_cpu / res.wall if res.wall else 0.0,
        "finish_reason": st.get("finish_reason"),
        "disk_queue": int(st.get("scheduler/enqueued/disk", 0)),
        "memory_queue": int(st.get("scheduler/enqueued/memory", 0)),
    }
    shutil.rmtree(out, ignore_errors=True)  # 50k items are ~100 MB of JSONL
    return result


def report(r: dict[str, Any]) -> str:
    return "\n".join(
        [
            "## 3a. Scale: archive crawl with JOBDIR disk queues",
            "",
            f"Generated dongthap replica of {r['articles']:,} articles, "
            "`scrapy crawl dongthap -a mode=archive -s JOBDIR=...` (same settings as section 2).",
            "",
            "| articles | pages fetched | items written | feed lines | feed MB | wall s | pages/s "
            "| peak RSS MB | crawler CPU | replica CPU |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
            f"| {r['articles']:,} | {r['pages']:,} | {r['items']:,} | {r['feed_lines']:,} "
            f"| {r['feed_mb']:.0f} "
            f"| {r['wall']:.0f} | {r['pages'] / r['elapsed']:.0f} | {r['max_rss_mb']:.0f} "
            f"| {r['crawler_util'] * 100:.0f} % | {r['replica_util'] * 100:.0f} % |",
            "",
            f"Requests through the disk queue: {r['disk_queue']:,} (memory queue: {r['memory_queue']:,}); "
            f"rejects: {r['rejected']}; finish reason: {r['finish_reason']}.",
            "",
        ]
    )


if __name__ == "__main__":
    print(report(run(quick="--quick" in sys.argv)))
