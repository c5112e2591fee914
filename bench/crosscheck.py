"""The body cross-check's cost (issue 12): template pages with it on and off, and trafilatura.

`python -m bench.crosscheck`. One process, taking turns round by round (a sequential run on the
shared machine moves with other engineers' load more than with the code); the best round of
each counts. The cross-check is turned off by making `TemplateParser.completes` answer False,
which also skips step 3 of the fallback (no golden page needs it).
"""

from __future__ import annotations

from typing import Any

from bench.extract import golden_pages, time_project, time_trafilatura


def measure(rounds: int = 4, parses: int = 1000, traf_parses: int = 300) -> dict[str, float]:
    import crawler.parsers.base as base

    pages = golden_pages()
    original = base.TemplateParser.completes
    best: dict[str, float] = {"on": 0.0, "off": 0.0, "trafilatura": 0.0}

    def off(self: Any, article: Any) -> bool:
        return False

    try:
        for r in range(rounds):
            base.TemplateParser.completes = original  # type: ignore[method-assign]
            n, t = time_project(pages, parses)
            best["on"] = max(best["on"], n / t)
            base.TemplateParser.completes = off  # type: ignore[method-assign]
            n, t = time_project(pages, parses)
            best["off"] = max(best["off"], n / t)
            if r < rounds - 1:
                n, t = time_trafilatura(pages, traf_parses)
                best["trafilatura"] = max(best["trafilatura"], n / t)
    finally:
        base.TemplateParser.completes = original  # type: ignore[method-assign]
    return best


def main() -> None:
    best = measure()
    on, off, traf = best["on"], best["off"], best["trafilatura"]
    print(
        f"pages/s (best round): cross-check on {on:.0f}, off {off:.0f}, trafilatura {traf:.1f}; "
        f"ratio on {on / traf:.1f}x, off {off / traf:.1f}x; cost {off / on - 1:.1%}"
    )


if __name__ == "__main__":
    main()
