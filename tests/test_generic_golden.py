"""Golden pages of the generic extractor: one per failure class of the template parsers.

Each tests/golden_generic/<case>/ holds page.html (markup as the CMS prints it), url.txt (a host
no registry entry serves, so `crawler.extract` detects the template) and expected.json, written
and reviewed by hand as the contract: every key of it is compared with the item.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crawler.extract import extract_page

GOLDEN = Path(__file__).parent / "golden_generic"
CASES = sorted(p for p in GOLDEN.iterdir() if (p / "expected.json").exists())


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_generic_golden_page(case: Path) -> None:
    url = (case / "url.txt").read_text(encoding="utf-8").strip()
    expected = json.loads((case / "expected.json").read_text(encoding="utf-8"))
    item = extract_page(url, (case / "page.html").read_bytes())
    for name, want in expected.items():
        assert item.get(name) == want, f"{case.name}: field {name!r} differs"


def test_every_failure_class_has_a_case() -> None:
    names = {p.name for p in CASES}
    classes = {"liferay7-journal", "fck-detail", "divi-hidden-teaser", "soledad", "custom-theme", "tdb-cloud"}
    assert names >= classes


def test_divi_page_never_gives_the_hidden_teaser_of_another_post() -> None:
    case = GOLDEN / "divi-hidden-teaser"
    item = extract_page((case / "url.txt").read_text().strip(), (case / "page.html").read_bytes())
    text = " ".join(item["body"])
    assert "tổng kết công tác Hội" not in text and "12 tỷ đồng" not in text
    assert item["body"][0].startswith("Ngày 4/3, Hội Nông dân xã Ngũ Hiệp")
