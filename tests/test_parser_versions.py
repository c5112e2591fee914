"""Parser versions, as Fundus does: each template parser declares one, and its items record it."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import ClassVar

import jsonschema
import pytest

from crawler.extract import extract_page
from crawler.items import SCHEMA_VERSION, Article
from crawler.parsers import PARSERS, TemplateParser
from crawler.parsers.base import record_extraction
from crawler.sites import site_for_url

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden"
SCHEMA = json.loads((ROOT / "schema" / "article.schema.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("template", sorted(PARSERS))
def test_every_template_parser_declares_its_own_version(template: str) -> None:
    cls = PARSERS[template]
    # Not inherited: a subclass for a new template starts its own history (Fundus: VALID_UNTIL).
    assert "version" in cls.__dict__, f"{cls.__name__} declares no version"
    assert re.fullmatch(r"\d+\.\d+", cls.version), cls.version


@pytest.mark.parametrize("site", ["dongthap", "gialai", "backan", "khoicq"])
def test_items_record_the_template_and_parser_version(site: str) -> None:
    case = GOLDEN / site / "reference"
    url = (case / "url.txt").read_text(encoding="utf-8").strip()
    item = extract_page(url, (case / "page.html").read_bytes())
    template = site_for_url(url).template
    assert item["extraction"] == {
        "template": template,
        "parser_version": PARSERS[template].version,
        "fallback": [],
    }
    assert item["schema_version"] == SCHEMA_VERSION == "1.1"
    jsonschema.Draft202012Validator(SCHEMA).validate(item)


def test_a_rest_built_wordpress_item_records_it_too() -> None:
    parser = PARSERS["wp-sahifa"]("https://gialai.gov.vn")
    post = {
        "link": "https://gialai.gov.vn/tin/bai-1/",
        "title": {"rendered": "Tiêu đề"},
        "content": {"rendered": "<p>Nội dung bài viết.</p>"},
        "date": "2024-01-02T08:00:00",
    }
    article = parser.parse_rest_post(post)
    assert article.extraction == {"template": "wp-sahifa", "parser_version": "1.2", "fallback": []}


def test_a_subclass_override_is_recorded_under_its_own_template_and_version() -> None:
    class Redesign(PARSERS["liferay-adt"]):  # type: ignore[misc,valid-type]
        template: ClassVar[str] = "liferay-adt-2025"
        version: ClassVar[str] = "2.0"

        def parse_article(self, html: str | bytes, url: str) -> Article | None:
            return super().parse_article(html, url)

    case = GOLDEN / "dongthap" / "reference"
    url = (case / "url.txt").read_text(encoding="utf-8").strip()
    article = Redesign("https://www.dongthap.gov.vn").parse_article((case / "page.html").read_bytes(), url)
    assert article is not None
    assert article.extraction == {"template": "liferay-adt-2025", "parser_version": "2.0", "fallback": []}


def test_other_extraction_keys_are_kept_and_none_stays_none() -> None:
    article = Article(url="https://x.gov.vn/a", extraction={"fallback": ["generic"]})
    record_extraction(article, "wordpress", "1.3")
    assert article.extraction == {"fallback": ["generic"], "template": "wordpress", "parser_version": "1.3"}
    assert record_extraction(None, "wordpress", "1.3") is None
    assert TemplateParser.version == "0"
