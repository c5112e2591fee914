"""`make demo`: crawl the bundled replica sites offline and write JSONL under data/demo/.

Starts the replica (tests/sites, real HTTP on 127.0.0.1), runs every site's spider against it
in one process, stops the replica and prints the per-site summary. Exits non-zero when a site
failed or wrote nothing. The demo starts from an empty data/demo/ each time so it always shows
a full crawl; real runs keep their state in data/.

The registry is the production sites.toml plus the demo-only sites of replica/sites.toml; a
site that renders JavaScript runs only where Chromium is installed (Python alone is enough).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path

from scrapy.utils.project import get_project_settings

from crawler.manifest import MANIFEST_DIR
from crawler.render import chromium_available
from crawler.runner import run_sites
from crawler.sites import SITES
from crawler.summary import SiteSummary, format_table
from replica.server import ReplicaServer

ROOT = Path(__file__).resolve().parent.parent
NO_CHROMIUM = "needs Chromium (apt-get install chromium)"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m replica.demo")
    ap.add_argument("--data-dir", default=str(ROOT / "data" / "demo"))
    ap.add_argument("--sites-dir", default=str(ROOT / "tests" / "sites"))
    ap.add_argument("--keep", action="store_true", help="keep data from an earlier demo (incremental run)")
    args = ap.parse_args(argv)

    data_dir = Path(args.data_dir)
    if data_dir.exists() and not args.keep:
        shutil.rmtree(data_dir)
    settings = get_project_settings()
    registry = f"{ROOT / 'sites.toml'}{os.pathsep}{ROOT / 'replica' / 'sites.toml'}"
    settings.set("VN_SITES_FILE", registry)
    SITES.use(registry)
    keys = [k for k in SITES if (Path(args.sites_dir) / k / "site.json").exists()]
    skipped: list[SiteSummary] = []
    if settings.getbool("VN_RENDER_JS") and not chromium_available(settings):
        skipped = [SiteSummary.skipped(k, NO_CHROMIUM) for k in keys if SITES[k].render_js]
        keys = [k for k in keys if not SITES[k].render_js]
    with ReplicaServer(Path(args.sites_dir), keys) as replica:
        settings.set("VN_DATA_DIR", str(data_dir))
        settings.set("VN_BASE_URLS", {k: replica.base_url(k) for k in keys})
        settings.set("LOG_LEVEL", "WARNING")
        # The replica is on loopback: no need to be polite to it.
        settings.set("AUTOTHROTTLE_ENABLED", False)
        settings.set("DOWNLOAD_DELAY", 0)
        rows = run_sites(keys, settings) + skipped
    print(format_table(rows))
    # Items only: the runs manifest (crawler/manifest.py) is not a feed.
    files = sorted(str(p) for p in data_dir.glob("*/*.jsonl") if p.parent.name != MANIFEST_DIR)
    print("\nJSONL written:\n  " + "\n  ".join(files))
    empty = [r.site for r in rows if r.items == 0 and not r.skip]
    if empty or any(r.failed for r in rows):
        print(f"demo failed: sites without items: {empty}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
