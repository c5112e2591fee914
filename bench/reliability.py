"""Reliability figures (issue 15): the owed-ledger soak and the hostile pages, as a RESULTS.md section.

`python -m bench.reliability [--quick]` prints the section; the recorded one is pasted at the end of
bench/RESULTS.md (`bench.run` does not run it: the soak takes minutes). The soak is the test's code
(tests/soak_helpers.py) on bigger sites; the hostile pages are tests/hostile_pages.py's.
"""

from __future__ import annotations

import shutil
import sys
import time

from bench.common import OUT, ROOT

sys.path.insert(0, str(ROOT / "tests"))


def soak_table(quick: bool) -> list[str]:
    from soak_helpers import soak

    n, growth = (100, 20) if quick else (400, 50)
    rows = [
        "| site (template) | faults set / met | articles | owed after runs 1-3 / clean 4, 5 | recovered "
        "| exit codes | stored | lost | duplicated |",
        "|---|---|---:|---|---:|---|---:|---:|---:|",
    ]
    for site, template, seed, share in (
        ("dongthap", "liferay-adt", 31, 0.30),
        ("khoicq", "wp-newspaper", 47, 0.30),
        ("dongthap", "liferay-adt", 73, 0.45),
        ("khoicq", "wp-newspaper", 79, 0.45),
    ):
        out = OUT / "reliability" / f"{site}-{seed}"
        shutil.rmtree(out, ignore_errors=True)
        out.mkdir(parents=True)
        r = soak(out, site, template, n, share, 3, seed, growth=growth, clean_runs=2)
        met = sum(x.injected for x in r.runs[:3]) / max(sum(x.requests for x in r.runs[:3]), 1)
        owed = (
            " / ".join(str(x.owed) for x in r.runs[:3]) + " / " + ", ".join(str(x.owed) for x in r.runs[3:])
        )
        rows.append(
            f"| {site} ({template}) | {share:.0%} / {met:.0%} | {r.articles} | {owed} "
            f"| {sum(x.recovered for x in r.runs)} | {' '.join(str(x.exit_code) for x in r.runs)} "
            f"| {r.stored} | {r.lost} | {r.duplicated} |"
        )
        shutil.rmtree(out, ignore_errors=True)
    return rows


def hostile_table() -> list[str]:
    from hostile_pages import BASE, deep_page, huge_liferay_listing

    from crawler.budget import markup_depth
    from crawler.parsers import parser_for
    from crawler.sites import get_site

    rows = ["| page | work | seconds |", "|---|---|---:|"]
    for depth in (3000, 100_000):
        body, _url = deep_page("thaibinh/reference", depth)
        t = time.perf_counter()
        markup_depth(body, 4000)
        rows.append(
            f"| thaibinh article, {depth:,} nested divs | depth check (VN_MAX_MARKUP_DEPTH 4000) "
            f"| {time.perf_counter() - t:.3f} |"
        )
    body, url = deep_page("thaibinh/reference", 3000)
    parser = parser_for(get_site("thaibinh"), BASE)
    t = time.perf_counter()
    parser.parse_article(body, url)
    rows.append(
        f"| thaibinh article, 3,000 nested divs | parse (under the budget) | {time.perf_counter() - t:.2f} |"
    )
    html, url = huge_liferay_listing(100_000)
    parser = parser_for(get_site("dongthap"), BASE)
    t = time.perf_counter()
    listing = parser.parse_listing(html, url)
    rows.append(
        f"| dongthap listing, {len(listing.article_urls):,} links ({len(html) / 1e6:.0f} MB) | parse_listing "
        f"| {time.perf_counter() - t:.2f} |"
    )
    return rows


def main() -> int:
    import os

    os.environ.setdefault(
        "VN_SITES_FILE", f"{ROOT / 'sites.toml'}{os.pathsep}{ROOT / 'replica' / 'sites.toml'}"
    )
    quick = "--quick" in sys.argv
    started = time.monotonic()
    lines = ["## Reliability (issue 15): owed-ledger soak and hostile pages", ""]
    lines += [
        "Command: `python -m bench.reliability`. Soak: a generated site, 3 incremental runs through",
        "seeded random faults (60 % 5xx, 15 % slower than the 1 s timeout, 15 % TCP reset, 10 % truncated",
        "body; RETRY_TIMES 2), new articles published before runs 2-4, then two runs without faults.",
        "Owed = the ledger after each run (`vn/owed/total`; an article that failed twice in a row waits",
        "2 runs); lost = listed but not stored after the last run; duplicated = repeated URLs plus",
        "repeated ids across all published JSONL files; faults met = injected / requests in runs 1-3.",
        "",
    ]
    lines += soak_table(quick)
    lines += ["", "Hostile pages (in-process, one run each):", ""]
    lines += hostile_table()
    lines += ["", f"_(reliability: {time.monotonic() - started:.0f} s)_", ""]
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
