"""Write a golden case: `python tests/golden_case.py KEY CASE --url URL PAGE.html`.

Creates tests/golden/<KEY>/<CASE>/ with page.html (the bytes as given), url.txt and
expected.json: the item the site's parser gives today, without the fields a crawl sets itself
(crawled_at, id, content_hash, ...), and prints expected.json. Review it by eye against the page
before committing: the test then holds the parser to exactly this item (tests/test_golden.py).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

from crawler.extract import extract_page

GOLDEN = Path(__file__).resolve().parent / "golden"
# Set by the crawl or derived from other fields: not what a golden page pins down.
CRAWL_FIELDS = {"crawled_at", "fetched_url", "id", "content_hash", "revision", "schema_version", "language"}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python tests/golden_case.py", description=__doc__.splitlines()[0])
    ap.add_argument("site", metavar="KEY", help="registry key (sites.toml)")
    ap.add_argument("case", help="case folder name, e.g. reference")
    ap.add_argument("page", type=Path, help="the article page as served (bytes)")
    ap.add_argument("--url", required=True, help="the URL the page was served at")
    args = ap.parse_args(argv)
    try:
        item = extract_page(args.url, args.page.read_bytes(), site_key=args.site)
    except (KeyError, OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    expected = {k: v for k, v in item.items() if k not in CRAWL_FIELDS}
    case = GOLDEN / args.site / args.case
    case.mkdir(parents=True, exist_ok=True)
    if args.page.resolve() != (case / "page.html").resolve():
        shutil.copyfile(args.page, case / "page.html")
    (case / "url.txt").write_text(args.url + "\n", encoding="utf-8")
    text = json.dumps(expected, ensure_ascii=False, indent=2) + "\n"
    (case / "expected.json").write_text(text, encoding="utf-8")
    print(text, end="")
    print(f"wrote {case}/: review expected.json against the page before committing", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
