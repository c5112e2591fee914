"""Extraction speed: the project's parsers against trafilatura on the golden pages, in-process.

Every golden page (tests/golden/*/*/page.html, served at url.txt) is parsed over and over to at
least 2,000 parses with `crawler.extract.extract_page` (decode, template parser, normalization:
exactly what the spider and the pipelines do per page), then with `trafilatura.extract` asked for
the comparable output (metadata incl. date, images, text). One extra run is profiled with
cProfile and its self time attributed to lxml parsing, selector/XPath evaluation, the parsers'
own tree walking, normalization, and the rest.
"""

from __future__ import annotations

import cProfile
import io
import pstats
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.common import ROOT

GOLDEN = ROOT / "tests" / "golden"
GOAL_RATIO = 20.0


def golden_pages() -> list[tuple[str, bytes]]:
    pages = []
    for case in sorted(GOLDEN.glob("*/*")):
        page, url = case / "page.html", case / "url.txt"
        if page.is_file() and url.is_file():
            pages.append((url.read_text(encoding="utf-8").strip(), page.read_bytes()))
    return pages


def _rounds(pages: int, parses: int) -> int:
    return max(1, -(-parses // pages))  # ceil


def _time(
    extract: Callable[[str, bytes], Any], pages: list[tuple[str, bytes]], parses: int
) -> tuple[int, float]:
    for url, body in pages:  # warm up: imports, selector compilation, regex caches
        extract(url, body)
    n = 0
    start = time.perf_counter()
    for _ in range(_rounds(len(pages), parses)):
        for url, body in pages:
            extract(url, body)
            n += 1
    return n, time.perf_counter() - start


def time_project(pages: list[tuple[str, bytes]], parses: int) -> tuple[int, float]:
    from crawler.extract import extract_page

    return _time(extract_page, pages, parses)


def trafilatura_extract(url: str, body: bytes) -> Any:
    import trafilatura

    # The comparable job: main text plus title/date/author metadata and images (JSON out).
    return trafilatura.extract(
        body, url=url, with_metadata=True, include_images=True, output_format="json", deduplicate=False
    )


def time_trafilatura(pages: list[tuple[str, bytes]], parses: int) -> tuple[int, float]:
    return _time(trafilatura_extract, pages, parses)


# -- profile ----------------------------------------------------------------------------------

PARSE = "HTML parse (lexbor builds the tree)"
SELECT = "CSS selector evaluation (lexbor)"
WALK = "parsers' own work (tree walking, text assembly, element access)"
NORMALIZE = "normalization (crawler.normalize: decode, text, dates, urls; identity hash)"
OTHER = "other (extract glue, item dict, dataclasses)"
CATEGORIES = (PARSE, SELECT, WALK, NORMALIZE, OTHER)


def _python_category(filename: str, name: str) -> str | None:
    """Category of a Python function by where it lives; None for C functions (decided by caller).

    selectolax's methods are compiled (Cython) and invisible to cProfile: their time shows as the
    self time of the parser function that calls them, so the thin wrappers around parsing and CSS
    queries (crawler/parsers/dom.py and the parsers' own `css` helpers) stand for them.
    """
    path = filename.replace("\\", "/")
    if filename == "~" or path.startswith("<"):
        return None
    if "/crawler/normalize/" in path or path.endswith("/crawler/identity.py") or "/w3lib/" in path:
        return NORMALIZE
    if "charset_normalizer" in path or "/encodings/" in path:
        return NORMALIZE
    if "/crawler/parsers/" in path:
        if name in ("parse_document", "parse_fragment", "document", "_document"):
            return PARSE
        if name in ("select", "select_first", "css", "css_first", "_css", "_select", "_select_first"):
            return SELECT
        return WALK
    if "/selectolax/" in path:
        return WALK
    return OTHER


def _c_category(name: str) -> str | None:
    """C functions whose kind is plain from their name, whoever calls them."""
    if "LexborHTMLParser" in name or "_parse_html" in name:
        return PARSE
    return None


def categorise(stats: pstats.Stats) -> dict[str, float]:
    """Self time per category. A C function's time goes to its own kind if its name tells (lxml
    parse, XPath), else to its callers' categories in proportion to the time each caller caused."""
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    memo: dict[Any, dict[str, float]] = {}

    def share(func: Any, depth: int = 0) -> dict[str, float]:
        """How a call of `func` divides into categories (weights summing to 1)."""
        if func in memo:
            return memo[func]
        filename, _line, name = func
        cat = _python_category(filename, name) or _c_category(name)
        if cat is not None or depth > 20:
            result = {cat or OTHER: 1.0}
        else:
            memo[func] = {OTHER: 1.0}  # recursion guard
            callers = raw[func][4]
            total = sum(v[2] for v in callers.values()) or 0.0
            result = defaultdict(float)
            if not callers or total <= 0:
                result[OTHER] = 1.0
            else:
                for caller, v in callers.items():
                    if caller not in raw:
                        result[OTHER] += v[2] / total
                        continue
                    for c, w in share(caller, depth + 1).items():
                        result[c] += w * v[2] / total
            result = dict(result)
        memo[func] = result
        return result

    out = dict.fromkeys(CATEGORIES, 0.0)
    for func, (_cc, _nc, tt, _ct, _callers) in raw.items():
        for cat, w in share(func).items():
            out[cat] += tt * w
    return out


def profile_project(pages: list[tuple[str, bytes]], parses: int) -> tuple[dict[str, float], str]:
    from crawler.extract import extract_page

    prof = cProfile.Profile()
    rounds = _rounds(len(pages), parses)
    prof.enable()
    for _ in range(rounds):
        for url, body in pages:
            extract_page(url, body)
    prof.disable()
    stats = pstats.Stats(prof)
    buf = io.StringIO()
    pstats.Stats(prof, stream=buf).sort_stats("tottime").print_stats(15)
    top = "\n".join(line for line in buf.getvalue().splitlines() if line.strip())
    return categorise(stats), top


def run(quick: bool = False) -> dict[str, Any]:
    pages = golden_pages()
    parses = 300 if quick else 2000
    traf_parses = 60 if quick else 2000
    n_p, t_p = time_project(pages, parses)
    n_t, t_t = time_trafilatura(pages, traf_parses)
    cats, top = profile_project(pages, 300 if quick else 600)
    total = sum(cats.values()) or 1.0
    project_rate, traf_rate = n_p / t_p, n_t / t_t
    bytes_avg = sum(len(b) for _, b in pages) / len(pages)
    result = {
        "pages": len(pages),
        "avg_page_kb": bytes_avg / 1024,
        "project_parses": n_p,
        "project_seconds": t_p,
        "project_pages_per_s": project_rate,
        "trafilatura_parses": n_t,
        "trafilatura_seconds": t_t,
        "trafilatura_pages_per_s": traf_rate,
        "ratio": project_rate / traf_rate,
        "goal_ratio": GOAL_RATIO,
        "profile_share": {k: v / total for k, v in cats.items()},
        "profile_top": top,
    }
    return result


def report(r: dict[str, Any]) -> str:
    ok = "meets" if r["ratio"] >= r["goal_ratio"] else "MISSES"
    lines = [
        "## 1. Extraction (in-process, golden pages)",
        "",
        f"{r['pages']} golden pages (avg {r['avg_page_kb']:.0f} KB), repeated; "
        "`crawler.extract.extract_page` (decode + template parser + normalization) vs "
        "`trafilatura.extract(body, url=..., with_metadata=True, include_images=True, "
        "output_format='json')`.",
        "",
        "| extractor | parses | seconds | pages/s |",
        "|---|---:|---:|---:|",
        f"| project | {r['project_parses']} | {r['project_seconds']:.2f} | {r['project_pages_per_s']:.0f} |",
        f"| trafilatura | {r['trafilatura_parses']} | {r['trafilatura_seconds']:.2f} "
        f"| {r['trafilatura_pages_per_s']:.1f} |",
        "",
        f"**Ratio: {r['ratio']:.1f}x** trafilatura (goal >= {r['goal_ratio']:.0f}x: {ok}).",
        "",
        "Where the project's time goes (cProfile self time, C functions attributed to their callers):",
        "",
        "| category | share |",
        "|---|---:|",
    ]
    for cat, share in sorted(r["profile_share"].items(), key=lambda kv: -kv[1]):
        lines.append(f"| {cat} | {share * 100:.1f} % |")
    lines += ["", "<details><summary>top functions by self time</summary>", "", "```", r["profile_top"]]
    lines += ["```", "</details>", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    import json
    import sys

    res = run(quick="--quick" in sys.argv)
    print(report(res))
    Path(ROOT / "bench" / "out").mkdir(parents=True, exist_ok=True)
    print(json.dumps({k: v for k, v in res.items() if k != "profile_top"}, indent=1))
