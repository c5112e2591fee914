"""A generated replica site in its own process: `python -m bench.replica_proc --site dongthap --n 5000`.

The crawler under test and the replica then each have a core (and a GIL) of their own. Writes
{"base", "key", "articles"} to --ready-file once serving; stops on SIGTERM/SIGINT.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import threading
from datetime import datetime
from pathlib import Path
from typing import Any

from replica.corpus import generate_articles
from replica.server import ReplicaServer

ROOT = Path(__file__).resolve().parent.parent
START = datetime(2024, 6, 1, 8, 0, 0)


def site_config(site: str) -> tuple[str, dict[str, Any]]:
    """The renderer and options the bundled replica uses for a registry site (tests/sites/<key>)."""
    cfg = json.loads((ROOT / "tests" / "sites" / site / "site.json").read_text(encoding="utf-8"))
    return cfg["renderer"], dict(cfg.get("options") or {})


def build(site: str, n: int, seed: int, options: dict[str, Any] | None = None) -> ReplicaServer:
    renderer, base_options = site_config(site)
    articles = generate_articles(n, seed, start=START)
    server = ReplicaServer()
    server.add_site(site, renderer, articles, {**base_options, **(options or {})}, site=site)
    return server


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.replica_proc")
    ap.add_argument("--site", default="dongthap")
    ap.add_argument("--n", type=int, default=5000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--options", default="{}", help="JSON renderer options merged over the site's")
    ap.add_argument("--faults", help="JSON fault rules (replica/faults.py)")
    ap.add_argument("--ready-file", type=Path, required=True)
    args = ap.parse_args(argv)

    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    server = build(args.site, args.n, args.seed, json.loads(args.options))
    server.start()
    try:
        if args.faults:
            server.set_faults(args.site, json.loads(args.faults))
        info = {"key": args.site, "base": server.base_url(args.site), "articles": args.n}
        tmp = args.ready_file.with_name(f".{args.ready_file.name}.{os.getpid()}")
        tmp.write_text(json.dumps(info), encoding="utf-8")
        os.replace(tmp, args.ready_file)
        while not stop.wait(0.5):
            pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
