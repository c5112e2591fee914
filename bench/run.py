"""Run every benchmark and write bench/RESULTS.md: `python -m bench.run [--quick] [--only NAME ...]`.

    extract  golden pages: project parsers vs trafilatura, and a profile of where the time goes
    crawl    5,000-article replica: full project vs a bare Scrapy spider (pages/s)
    scale    50,000-article archive crawl with JOBDIR: peak RSS and wall time
    store    SQLite dedup state: lookup + insert cost at 10k, 100k, 1M entries
    zyte     generic extractor vs trafilatura on Zyte's article benchmark (F1 by its evaluate.py)
    listing  listing pages of 100k links: parse_listing vs the lexbor tree build, idle and loaded

--quick scales everything down (about two minutes instead of ten) and writes
bench/out/RESULTS.quick.md, so a smoke run never overwrites the recorded figures. Numbers only:
nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import UTC, datetime
from typing import Any

from bench import crawl, extract, listing, scale, store, zyte
from bench.common import OUT, ROOT, machine

BENCHMARKS = {
    "extract": extract,
    "crawl": crawl,
    "scale": scale,
    "store": store,
    "zyte": zyte,
    "listing": listing,
}


def _load() -> str:
    try:
        return " / ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "n/a"


def _blocks(text: str) -> list[str]:
    """The text cut before every "## " heading (block 0: the header)."""
    blocks: list[str] = [""]
    for line in text.splitlines(keepends=True):
        if line.startswith("## "):
            blocks.append("")
        blocks[-1] += line
    return blocks


def merge(
    recorded: str, fresh: list[str], names: list[str], started: datetime
) -> tuple[list[str], list[str]]:
    """The recorded file's header and sections with `fresh` ones swapped in (by "## N." key)."""
    old = _blocks(recorded)
    new = {block.split()[1]: block for block in fresh}
    sections = [
        new.pop(b.split()[1], b.rstrip("\n") + "\n")
        for b in old[1:]
        if b.split()[1][0].isdigit()  # generated sections only: the notes are appended again
    ]
    sections += list(new.values())
    stamp = f"; re-run {started:%Y-%m-%d %H:%M} UTC: {', '.join(names)}"
    header = [
        line + stamp if line.startswith("- Date:") else line for line in old[0].rstrip("\n").split("\n")
    ]
    return [*header, ""], sections


def pasted(recorded: str, notes: str) -> list[str]:
    """Sections pasted after the notes by hand (`python -m bench.reliability`'s): a partial run
    keeps them."""
    return [
        b
        for b in _blocks(recorded)[1:]
        if not b.split()[1][0].isdigit() and b.splitlines()[0] not in notes.splitlines()
    ]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="scaled-down run (smoke test)")
    ap.add_argument("--only", nargs="+", choices=sorted(BENCHMARKS), help="run only these")
    args = ap.parse_args(argv)
    names = args.only or list(BENCHMARKS)
    started = datetime.now(UTC)
    load_before = _load()
    sections: list[str] = []
    for name in names:
        mod: Any = BENCHMARKS[name]
        print(f"== {name} ...", flush=True)
        t0 = time.perf_counter()
        result = mod.run(quick=args.quick)
        text = mod.report(result)
        print(text, flush=True)
        sections.append(text + f"\n_({name}: {time.perf_counter() - t0:.0f} s)_\n")
    m = machine()
    command = (
        "python -m bench.run"
        + (" --quick" if args.quick else "")
        + (" --only " + " ".join(args.only) if args.only else "")
    )
    header = [
        "# Benchmark results",
        "",
        f"- Date: {started:%Y-%m-%d %H:%M} UTC",
        f"- Command: `{command}` (`make bench`)",
        f"- Machine: {m['nproc']} CPUs ({m['cpu']}), {m['memory']} RAM, {m['os']}",
        f"- Python {m['python']}, Scrapy {m['scrapy']}, selectolax {m['selectolax']}, lxml {m['lxml']}",
        f"- Load average (1/5/15 min) before: {load_before}, after: {_load()}",
        "",
        "Numbers, not assertions: `make bench` prints them and writes this file; "
        "`--quick` runs a scaled-down version into bench/out/RESULTS.quick.md.",
        "",
    ]
    target = OUT / "RESULTS.quick.md" if args.quick else ROOT / "bench" / "RESULTS.md"
    target.parent.mkdir(parents=True, exist_ok=True)
    notes = ROOT / "bench" / "NOTES.md"
    notes_text = notes.read_text(encoding="utf-8") if notes.exists() else ""
    kept: list[str] = []
    if args.only and not args.quick and target.exists():
        # A partial run replaces its own sections of the recorded file and keeps the others.
        recorded = target.read_text(encoding="utf-8")
        header, sections = merge(recorded, sections, names, started)
        kept = pasted(recorded, notes_text)
    body = "\n".join(header + sections)
    if notes_text:  # hand-written analysis kept next to the generated figures
        body += "\n" + notes_text
    if kept:
        body += "\n" + "".join(kept)
    target.write_text(body, encoding="utf-8")
    print(f"wrote {target.relative_to(ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
