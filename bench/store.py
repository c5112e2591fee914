"""The dedup state's cost as it grows: SQLite store, lookup + insert per item, at 10k, 100k, 1M entries.

Per new item the crawl does `get(site, url)` and `url_for_hash` (DedupPipeline: stored under this
URL, or with the same content under another?) then `commit_written` (JsonlStorePipeline: article
row, content-hash row, file offset, one transaction). At each size
the store is filled to that many articles (bulk SQL, outside the timing), then a batch of 10,000
new items is timed doing exactly those two calls, plus 10,000 lookups of stored URLs. The cost
per item must stay flat: both tables are WITHOUT ROWID B-trees keyed by (site, url) and
(site, content_hash), so a lookup is O(log n) page reads that stay in the page cache.
"""

from __future__ import annotations

import hashlib
import random
import shutil
import sys
import time
from typing import Any

from bench.common import OUT
from crawler.state.base import Known
from crawler.state.sqlite import SqliteStateStore

SITE = "dongthap"
BATCH = 10_000


def _url(i: int) -> str:
    return (
        f"https://dongthap.gov.vn/-/asset_publisher/rCKm8Qx2aB3d/content/bai-viet-so-{i}-tin-hoat-dong-tinh"
    )


def _known(i: int) -> Known:
    url = _url(i)
    digest = hashlib.sha256(url.encode()).hexdigest()
    return Known(url, digest[:32], hashlib.sha256(digest.encode()).hexdigest(), 1, None)


def _fill(store: SqliteStateStore, start: int, stop: int) -> None:
    """Bulk-insert rows [start, stop) in large transactions (filler, not timed)."""
    db = store._db
    step = 50_000
    for lo in range(start, stop, step):
        rows = [_known(i) for i in range(lo, min(stop, lo + step))]
        db.execute("BEGIN")
        db.executemany(
            "INSERT INTO articles (site, url, article_id, content_hash, revision, modified_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [(SITE, k.url, k.article_id, k.content_hash, k.revision, k.modified_at) for k in rows],
        )
        db.executemany(
            "INSERT INTO content_hashes (site, content_hash, url) VALUES (?, ?, ?)",
            [(SITE, k.content_hash, k.url) for k in rows],
        )
        db.execute("COMMIT")


def run(quick: bool = False) -> dict[str, Any]:
    sizes = [10_000, 100_000] if quick else [10_000, 100_000, 1_000_000]
    folder = OUT / "store"
    shutil.rmtree(folder, ignore_errors=True)
    store = SqliteStateStore(folder / "state.sqlite")
    path = str(folder / "feed.jsonl.part")
    store.register_file(SITE, path, "bench")
    rng = random.Random(1)
    rows: list[dict[str, Any]] = []
    filled = 0
    next_id = 10_000_000  # new items' ids, disjoint from the filler's
    offset = 0
    for size in sizes:
        fill_start = time.perf_counter()
        _fill(store, filled, size)
        fill_s = time.perf_counter() - fill_start
        filled = size
        batch = [_known(next_id + i) for i in range(BATCH)]
        next_id += BATCH
        start = time.perf_counter()
        for k in batch:
            # DedupPipeline: stored under this URL? under another URL with the same content?
            if store.get(SITE, k.url) is None and store.url_for_hash(SITE, k.content_hash) is None:
                offset += 900
                store.commit_written(SITE, k, path, offset)  # JsonlStorePipeline
        write_s = time.perf_counter() - start
        hits = [_url(rng.randrange(size)) for _ in range(BATCH)]
        start = time.perf_counter()
        for url in hits:
            store.get(SITE, url)
        hit_s = time.perf_counter() - start
        rows.append(
            {
                "size": size,
                "fill_s": fill_s,
                "batch_s": write_s,
                "us_per_item": write_s / BATCH * 1e6,
                "hit_us": hit_s / BATCH * 1e6,
            }
        )
        filled += BATCH
    store.close()
    db_mb = sum(p.stat().st_size for p in folder.glob("state.sqlite*")) / 1024 / 1024
    shutil.rmtree(folder, ignore_errors=True)
    return {"rows": rows, "db_mb": db_mb}


def report(r: dict[str, Any]) -> str:
    lines = [
        "## 3b. Dedup state cost by size (SQLite, `crawler.state.sqlite.SqliteStateStore`)",
        "",
        "Per new item: `get(site, url)` + `url_for_hash` (misses) + `commit_written(...)` (one "
        "transaction: article row, "
        "content-hash row, file offset), timed over a batch of 10,000 at each store size; plus "
        "10,000 lookups of stored URLs (hits).",
        "",
        "| entries | 10k-item batch s | us per item | us per lookup (hit) |",
        "|---:|---:|---:|---:|",
    ]
    for x in r["rows"]:
        lines.append(f"| {x['size']:,} | {x['batch_s']:.2f} | {x['us_per_item']:.0f} | {x['hit_us']:.1f} |")
    first, last = r["rows"][0], r["rows"][-1]
    lines += [
        "",
        f"Cost per item at {last['size']:,} entries is {last['us_per_item'] / first['us_per_item']:.2f}x the "
        f"cost at {first['size']:,} (flat = 1.0); database on disk at the end: {r['db_mb']:.0f} MB.",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    print(report(run(quick="--quick" in sys.argv)))
