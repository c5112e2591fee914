"""`python -m replica`: serve the replica sites until SIGTERM/SIGINT.

    python -m replica [--sites-dir tests/sites] [--site KEY ...]
                              [--url-file PATH] [--ready-file PATH]

Prints one JSON line {key: base_url} to stdout once every site listens (and writes it to
--url-file). --ready-file gets the same line; both files are written atomically before the
stdout line, and the ready file is removed on exit, so a script can wait for it without racing
a half-written file. Exits 0 on SIGTERM/SIGINT.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
from pathlib import Path

from replica.server import ReplicaServer

ROOT = Path(__file__).resolve().parents[1]


def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)  # readers see the old file or the whole new one


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m replica", description=__doc__.splitlines()[0])
    ap.add_argument("--sites-dir", default=str(ROOT / "tests" / "sites"), help="folder of <key>/site.json")
    ap.add_argument("--site", action="append", dest="sites", metavar="KEY", help="only this (repeatable)")
    ap.add_argument("--url-file", type=Path, help="also write the {key: base_url} JSON line here")
    ap.add_argument("--ready-file", type=Path, help="written once serving, removed on exit")
    ap.add_argument("--host", default="127.0.0.1")
    args = ap.parse_args(argv)

    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())

    server = ReplicaServer(Path(args.sites_dir), args.sites, host=args.host)
    server.start()
    try:
        line = json.dumps(server.urls(), ensure_ascii=False)
        if args.url_file:
            _write_atomic(args.url_file, line + "\n")
        if args.ready_file:
            _write_atomic(args.ready_file, line + "\n")
        print(line, flush=True)  # last: a reader of stdout finds both files in place
        while not stop.wait(0.5):  # a timed wait keeps the main thread responsive to signals
            pass
    finally:
        server.stop()
        if args.ready_file:
            args.ready_file.unlink(missing_ok=True)
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
