"""Golden pages: every tests/golden/<site>/<case>/ page gives exactly its expected item.

Each case holds page.html (the bytes as served), url.txt and expected.json. Every key of
expected.json is compared; a site in the registry without a `reference` case fails.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crawler.extract import extract_page
from crawler.sites import SITES

GOLDEN = Path(__file__).parent / "golden"
CASES = sorted(p for p in GOLDEN.glob("*/*") if (p / "expected.json").exists())


def _id(case: Path) -> str:
    return f"{case.parent.name}/{case.name}"


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_golden_page(case: Path) -> None:
    url = (case / "url.txt").read_text(encoding="utf-8").strip()
    expected = json.loads((case / "expected.json").read_text(encoding="utf-8"))
    item = extract_page(url, (case / "page.html").read_bytes())
    missing = sorted(set(expected) - set(item))
    assert not missing, f"fields missing from the item: {missing}"
    mismatched = {k: (item[k], v) for k, v in expected.items() if item[k] != v}
    for name, (got, want) in mismatched.items():
        assert got == want, f"{_id(case)}: field {name!r} differs"


@pytest.mark.parametrize("key", sorted(SITES))
def test_every_site_has_a_reference_page(key: str) -> None:
    assert (GOLDEN / key / "reference" / "expected.json").exists(), f"no golden reference page for {key}"


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_utf8_bytes_and_decoded_text_give_the_same_item(case: Path) -> None:
    """The parsers take UTF-8 pages as bytes (page_markup): the item must equal the one parsed
    from the decoded text."""
    from crawler.normalize.text import decode_html, page_markup
    from crawler.parsers import parser_for
    from crawler.sites import site_for_url

    url = (case / "url.txt").read_text(encoding="utf-8").strip()
    body = (case / "page.html").read_bytes()
    parser = parser_for(site_for_url(url))
    assert parser.parse_article(page_markup(body), url) == parser.parse_article(decode_html(body), url)
