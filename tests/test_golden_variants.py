"""Variation pages: templates drifted the way real sites drift, each with its whole expected item.

tests/golden_variants/<template>/<case>/ holds page.html, url.txt and expected.json. The page is
parsed by that template's parser (bound to the URL's origin), normalized as the pipelines do,
and every key of expected.json is compared. The cases are our own pages, written from how
Liferay 6.2/7.x and the WordPress themes mark up: wrappers removed, renamed or nested one level
deeper, hidden teasers of other posts inside the content area, friendly URLs, web-content
portlets, featured images and share plugins. `extraction.fallback` says which fields the
template's own selectors missed and the family's stock structure gave.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from crawler.items import article_record
from crawler.normalize.article import normalize_article
from crawler.normalize.text import page_markup
from crawler.parsers import PARSERS

VARIANTS = Path(__file__).parent / "golden_variants"
CASES = sorted(p for p in VARIANTS.glob("*/*") if (p / "expected.json").exists())


def _id(case: Path) -> str:
    return f"{case.parent.name}/{case.name}"


def variant_item(case: Path) -> dict[str, Any]:
    """The normalized item of a variation page, parsed by its folder's template."""
    url = (case / "url.txt").read_text(encoding="utf-8").strip()
    parts = urlsplit(url)
    parser = PARSERS[case.parent.name](f"{parts.scheme}://{parts.netloc}")
    article = parser.parse_article(page_markup((case / "page.html").read_bytes()), url)
    assert article is not None, f"{_id(case)}: not read as an article"
    return article_record(normalize_article(article))


def test_there_are_variation_pages_for_both_families() -> None:
    templates = {case.parent.name for case in CASES}
    assert {"liferay-journal", "liferay-adt", "wordpress"} <= templates


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_variation_page(case: Path) -> None:
    expected = json.loads((case / "expected.json").read_text(encoding="utf-8"))
    item = variant_item(case)
    missing = sorted(set(expected) - set(item))
    assert not missing, f"fields missing from the item: {missing}"
    for name, want in expected.items():
        assert item[name] == want, f"{_id(case)}: field {name!r} differs"
