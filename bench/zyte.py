"""Generic extraction quality and speed: Zyte's public article benchmark, scored by its own script.

The 181 pages of the benchmark (html/<id>.html.gz, ground-truth.json id -> {articleBody, url})
go through the project's generic extractor (`crawler.content.extract`: decode + the engine) and
through `trafilatura.extract(html, url=..., output_format="txt")` in this process. Each system's
bodies are written to output/<system>.json in a temporary directory next to a link to the
ground truth, and the benchmark's `evaluate.py` scores them there (shingle F1, precision,
recall). The body scored for the project is the lead followed by the body paragraphs, one per
line: the lead is what the page shows above the body (a dek, or the description it prints).

The benchmark lives outside the repository: ZYTE_BENCHMARK=<dir> (default
/work/shared/benchmarks/zyte-article-extraction). Numbers only: nothing here asserts.
"""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

DEFAULT_DIR = "/work/shared/benchmarks/zyte-article-extraction"
GOAL_F1 = 0.96
GOAL_RATIO = 5.0


def bench_dir() -> Path:
    return Path(os.environ.get("ZYTE_BENCHMARK", DEFAULT_DIR))


def load_pages(root: Path) -> list[tuple[str, str, bytes]]:
    """(id, url, raw bytes) of every page, in ground-truth order."""
    truth = json.loads((root / "ground-truth.json").read_text(encoding="utf-8"))
    return [(key, entry["url"], gzip.decompress((root / "html" / f"{key}.html.gz").read_bytes()))
            for key, entry in truth.items()]  # fmt: skip


def generic_text(url: str, body: bytes) -> str:
    from crawler.content import extract
    from crawler.normalize.text import page_markup

    x = extract(page_markup(body), url)
    return "\n".join(([x.lead] if x.lead else []) + x.body)


def trafilatura_text(url: str, body: bytes) -> str:
    import trafilatura

    return trafilatura.extract(body, url=url, output_format="txt") or ""


def _interleaved(
    pages: list[tuple[str, str, bytes]], rounds: dict[str, int]
) -> tuple[dict[str, dict[str, str]], dict[str, float]]:
    """Each system's bodies and total seconds. The systems take turns page by page, so a machine
    shared with other work slows both alike and the ratio stays honest."""
    systems: dict[str, Callable[[str, bytes], str]] = {
        "generic": generic_text,
        "trafilatura": trafilatura_text,
    }
    bodies: dict[str, dict[str, str]] = {name: {} for name in systems}
    seconds = dict.fromkeys(systems, 0.0)
    for _key, url, body in pages[:5]:  # warm up: imports, regex and selector caches
        for system in systems.values():
            system(url, body)
    for key, url, body in pages:
        for name, system in systems.items():
            start = time.perf_counter()
            for _ in range(rounds[name]):
                try:
                    bodies[name][key] = system(url, body)
                except Exception:  # a crash scores as an empty body, as the benchmark would see it
                    bodies[name][key] = ""
            seconds[name] += time.perf_counter() - start
    return bodies, seconds


def score(root: Path, outputs: dict[str, dict[str, str]], bootstrap: int) -> dict[str, dict[str, float]]:
    """The benchmark's own evaluate.py over output/<system>.json, run in a scratch directory."""
    with tempfile.TemporaryDirectory(prefix="zyte-") as tmp:
        work = Path(tmp)
        (work / "ground-truth.json").symlink_to(root / "ground-truth.json")
        (work / "output").mkdir()
        for name, bodies in outputs.items():
            data = {key: {"articleBody": text} for key, text in bodies.items()}
            (work / "output" / f"{name}.json").write_text(
                json.dumps(data, ensure_ascii=False), encoding="utf-8"
            )
        cmd = [
            sys.executable,
            str(root / "evaluate.py"),
            "--n-bootstrap",
            str(bootstrap),
            "--output",
            "metrics.json",
        ]
        subprocess.run(cmd, cwd=work, check=True, capture_output=True, text=True)
        metrics = json.loads((work / "metrics.json").read_text(encoding="utf-8"))
    keep = ("f1", "f1_std", "precision", "recall", "accuracy")
    return {name: {k: m[k] for k in keep} for name, m in metrics.items()}


def run(quick: bool = False) -> dict[str, Any]:
    root = bench_dir()
    pages = load_pages(root)
    # The same number of turns for both: a cache warmed by a repeat favours neither.
    rounds = dict.fromkeys(("generic", "trafilatura"), 1 if quick else 3)
    bodies, seconds = _interleaved(pages, rounds)
    metrics = score(root, bodies, 200 if quick else 1000)
    rate = {name: rounds[name] * len(pages) / seconds[name] for name in rounds}
    return {
        "pages": len(pages),
        "generic_parses": rounds["generic"] * len(pages),
        "generic_seconds": seconds["generic"],
        "generic_pages_per_s": rate["generic"],
        "trafilatura_parses": rounds["trafilatura"] * len(pages),
        "trafilatura_seconds": seconds["trafilatura"],
        "trafilatura_pages_per_s": rate["trafilatura"],
        "ratio": rate["generic"] / rate["trafilatura"],
        "metrics": metrics,
        "empty": {name: sum(1 for v in texts.values() if not v) for name, texts in bodies.items()},
    }


def report(r: dict[str, Any]) -> str:
    g, t = r["metrics"]["generic"], r["metrics"]["trafilatura"]
    f1_ok = "meets" if g["f1"] >= max(GOAL_F1, t["f1"]) else "MISSES"
    speed_ok = "meets" if r["ratio"] >= GOAL_RATIO else "MISSES"
    lines = [
        "## 4. Generic extraction (Zyte article benchmark, scored by its evaluate.py)",
        "",
        f"{r['pages']} pages of Zyte's public article-extraction benchmark; the project's generic "
        "extractor (`crawler.content.extract`, decode included) vs `trafilatura.extract(html, url=..., "
        "output_format='txt')`, same process, taking turns page by page. "
        "Command: `python -m bench.run --only zyte`. Each system reads each page three times in a "
        "row; the pages come from 181 different sites, so the engine's per-class-token caches are "
        "mostly cold (a crawl of one portal reuses them page after page).",
        "",
        "| system | F1 | precision | recall | accuracy | empty | parses | seconds | pages/s |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, m, parses, secs, rate in (
        ("generic", g, r["generic_parses"], r["generic_seconds"], r["generic_pages_per_s"]),
        ("trafilatura", t, r["trafilatura_parses"], r["trafilatura_seconds"], r["trafilatura_pages_per_s"]),
    ):
        lines.append(
            f"| {name} | {m['f1']:.3f} ± {m['f1_std']:.3f} | {m['precision']:.3f} | {m['recall']:.3f} "
            f"| {m['accuracy']:.3f} | {r['empty'][name]} | {parses} | {secs:.2f} | {rate:.0f} |"
        )
    lines += [
        "",
        f"**F1 {g['f1']:.3f}** vs trafilatura {t['f1']:.3f} "
        f"(goal: >= trafilatura and >= {GOAL_F1}: {f1_ok}); "
        f"**speed {r['ratio']:.2f}x** trafilatura (goal >= {GOAL_RATIO:.0f}x: {speed_ok}).",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    res = run(quick="--quick" in sys.argv)
    print(report(res))
