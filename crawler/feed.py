"""`python -m crawler.feed --cursor FILE [--site KEY ...] [--data-dir D]`: print the items
published since the cursor, as JSON lines, then advance the cursor.

Reads each site's runs manifest (`<data-dir>/runs/<site>.jsonl`, crawler/manifest.py) from the
byte offset the cursor holds, and prints every line of the files the new runs published, in
manifest order. The cursor (a small JSON file: {"sites": {site: {"offset": N}}}) is replaced
atomically (written beside it, then renamed) only after everything was printed and flushed: a
consumer killed mid-way reads the same items again next time, never misses one. Without --site,
every site with a manifest is read.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

from crawler.cli import UsageProblem, report
from crawler.manifest import MANIFEST_DIR, manifest_path


def read_cursor(path: Path) -> dict[str, int]:
    """{site: manifest offset}; an absent cursor file means "from the beginning"."""
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {site: int(entry["offset"]) for site, entry in data["sites"].items()}
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise UsageProblem(f"{path}: not a feed cursor ({exc!r}); remove it to read all again") from None


def write_cursor(path: Path, offsets: dict[str, int]) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps({"sites": {s: {"offset": o} for s, o in sorted(offsets.items())}}) + "\n")
    os.replace(tmp, path)  # a reader (or the next run) sees the old cursor or the new one


def new_runs(manifest: Path, offset: int) -> tuple[list[dict[str, Any]], int]:
    """Manifest lines after `offset` (complete lines only) and the offset after them."""
    if not manifest.exists():
        return [], offset
    with manifest.open("rb") as fh:
        fh.seek(offset)
        data = fh.read()
    complete = data[: data.rfind(b"\n") + 1]  # a line being appended right now waits for next time
    return [json.loads(line) for line in complete.splitlines() if line.strip()], offset + len(complete)


def site_items(site_dir: Path, runs: list[dict[str, Any]]) -> Iterator[bytes]:
    for run in runs:
        for entry in run.get("files", []):
            path = site_dir / entry["file"]
            if not path.exists():
                print(f"warning: {path} is listed in the runs manifest but gone", file=sys.stderr)
                continue
            with path.open("rb") as fh:
                yield from fh


def feed(data_dir: Path, cursor: Path, sites: list[str] | None, out: BinaryIO) -> int:
    """Print what is new for `sites` (default: every site with a manifest); returns the item count."""
    known = sorted(p.stem for p in (data_dir / MANIFEST_DIR).glob("*.jsonl"))
    if sites:
        missing = [s for s in sites if not (data_dir / s).is_dir()]
        if missing:
            raise UsageProblem(
                f"no data for {', '.join(missing)} under {data_dir} (sites with runs: {', '.join(known)})"
            )
    else:
        sites = known
    offsets = read_cursor(cursor)
    count = 0
    for site in sites:
        runs, offsets[site] = new_runs(manifest_path(data_dir, site), offsets.get(site, 0))
        for line in site_items(data_dir / site, runs):
            out.write(line)
            count += 1
    out.flush()
    write_cursor(cursor, offsets)
    return count


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m crawler.feed", description=__doc__.split("\n\n")[0])
    ap.add_argument("--cursor", required=True, type=Path, help="cursor file (created on first use)")
    ap.add_argument("--site", action="append", metavar="KEY", help="only this site (repeatable)")
    ap.add_argument("--data-dir", default="data", type=Path, help="VN_DATA_DIR of the crawls (default data)")
    args = ap.parse_args(argv)
    try:
        feed(args.data_dir, args.cursor, args.site, sys.stdout.buffer)
    except (UsageProblem, OSError) as exc:
        return report(exc)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
