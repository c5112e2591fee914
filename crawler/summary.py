"""The per-site run summary: one row per site from its crawl stats, printed as a table."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass
class SiteSummary:
    site: str
    pages: int
    items: int
    dropped: int
    duplicates: int
    rejected: int
    errors: int
    finish_reason: str
    faults: int = 0  # transport faults met, retried or not (vn/faults, crawler/middlewares/faults.py)
    discovery: str = ""
    failure: str = ""  # why the run counts as failed, empty when it did not
    # The owed-articles ledger after the run (crawler/spiders/base.py): listed but not stored,
    # stored this run after being owed, given up this run.
    owed: int = 0
    recovered: int = 0
    abandoned: int = 0
    coverage_note: str = ""  # "too few items to judge (n < min)" when the drift monitor did not judge
    skip: bool = False  # not crawled on purpose (finish_reason says why)

    @classmethod
    def from_stats(cls, site: str, stats: dict[str, Any]) -> SiteSummary:
        def total(prefix: str) -> int:
            return sum(v for k, v in stats.items() if k.startswith(prefix) and isinstance(v, int))

        return cls(
            site=site,
            pages=int(stats.get("downloader/response_count", 0)),
            items=int(stats.get("vn/items_written", 0)),
            dropped=int(stats.get("item_dropped_count", 0)),
            duplicates=int(stats.get("vn/duplicates/url", 0)) + int(stats.get("vn/duplicates/content", 0)),
            rejected=int(stats.get("vn/rejected", 0)),
            errors=total("vn/errors/") + int(stats.get("log_count/ERROR", 0)),
            finish_reason=str(stats.get("finish_reason", "not started")),
            faults=int(stats.get("vn/faults", 0)),
            discovery=str(stats.get("vn/discovery", "")),
            failure=str(stats.get("vn/failure", "")),
            owed=int(stats.get("vn/owed/total", 0)),
            recovered=int(stats.get("vn/owed/recovered", 0)),
            abandoned=int(stats.get("vn/owed/abandoned", 0)),
            coverage_note=str(stats.get("vn/coverage/judged", "")),
        )

    @classmethod
    def skipped(cls, site: str, why: str) -> SiteSummary:
        """A site this run did not crawl on purpose (e.g. the demo without Chromium): not a failure."""
        return cls(site, 0, 0, 0, 0, 0, 0, f"skipped: {why}", skip=True)

    @property
    def failed(self) -> bool:
        return not self.skip and (bool(self.failure) or self.finish_reason != "finished")


COLUMNS = (
    "site",
    "pages",
    "items",
    "dropped",
    "duplicates",
    "rejected",
    "errors",
    "faults",
    "owed",
    "recovered",
    "abandoned",
    "finish_reason",
)


def format_table(rows: list[SiteSummary]) -> str:
    table = [list(COLUMNS)] + [[str(getattr(r, c)) for c in COLUMNS] for r in rows]
    widths = [max(len(row[i]) for row in table) for i in range(len(COLUMNS))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in table]
    lines.insert(1, "  ".join("-" * w for w in widths))
    for r in rows:
        if r.failure:
            lines.append(f"FAILED {r.site}: {r.failure}")
        elif r.coverage_note:
            lines.append(f"note {r.site}: field coverage not judged, {r.coverage_note}")
    return "\n".join(lines)
