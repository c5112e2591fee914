"""`python -m crawler.state rebuild [--data-dir D] [--site KEY] [--state PATH]`

Rebuilds the state of each site (default: every site folder with feeds under the data dir) from
its published JSONL feeds. A corrupt SQLite file is moved aside (`<name>.corrupt-<stamp>`) first.
The backend and paths come from the project settings (VN_STATE_BACKEND, VN_DATA_DIR,
VN_STATE_PATH), overridden by the options.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path

from crawler.state import StateError, open_state_store
from crawler.state.rebuild import feed_sites, rebuild_site


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m crawler.state")
    sub = parser.add_subparsers(dest="command", required=True)
    rebuild = sub.add_parser("rebuild", help="rebuild the state from data/<site>/*.jsonl")
    rebuild.add_argument("--data-dir", help="VN_DATA_DIR (default: the project setting)")
    rebuild.add_argument("--site", action="append", help="only this site (repeatable)")
    rebuild.add_argument("--state", help="the SQLite state file (default: VN_STATE_PATH)")
    args = parser.parse_args(argv)

    from scrapy.utils.project import get_project_settings

    settings = get_project_settings()
    if args.data_dir:
        settings.set("VN_DATA_DIR", args.data_dir, priority="cmdline")
    if args.state:
        settings.set("VN_STATE_PATH", args.state, priority="cmdline")
    data_dir = Path(settings.get("VN_DATA_DIR", "data"))
    try:
        store = open_state_store(settings)
    except StateError as exc:
        path = Path(settings.get("VN_STATE_PATH") or data_dir / "state.sqlite")
        aside = path.with_name(f"{path.name}.corrupt-{datetime.now(UTC):%Y%m%dT%H%M%S}")
        path.rename(aside)
        for suffix in ("-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        print(f"corrupt state ({exc}): moved {path} to {aside}", file=sys.stderr)
        store = open_state_store(settings)
    try:
        for site in args.site or feed_sites(data_dir):
            report = rebuild_site(store, data_dir, site)
            print(
                f"{site}: {report.articles} articles from {report.files} files"
                f" ({report.lines} lines, {report.skipped} skipped)"
            )
    finally:
        store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
