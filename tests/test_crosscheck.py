"""Issue 12, items 1 (step 3) and 2: the generic engine fills a template's missing fields, and
a template body that is not this page's article is flagged (`extraction["suspect"]`).

At the parser level: the validation step (crawler/builder.py) rejects flagged items as
`suspect_body`; that rule is the builder's, tested there.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import ClassVar

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.items import Article
from crawler.normalize.text import clean_text
from crawler.parsers import PARSERS
from crawler.parsers.base import TemplateParser
from crawler.parsers.crosscheck import _HIDDEN_KEYS, _key_starts, suspect_reason
from crawler.parsers.dom import parse_document
from crawler.parsers.wordpress import WordPressParser

ROOT = Path(__file__).resolve().parent
DIVI = ROOT / "golden_generic" / "divi-hidden-teaser"
DIVI_URL = (DIVI / "url.txt").read_text(encoding="utf-8").strip()
DIVI_HTML = (DIVI / "page.html").read_text(encoding="utf-8")
HIDDEN_ATTRS = ' style="display:none" aria-hidden="true"'


class SelectorParser(WordPressParser):
    """A template whose own body selector is wrong: it reads the first element `body_css` matches
    (the WordPress family's title, URLs and dates otherwise)."""

    template: ClassVar[str] = "wordpress"
    body_css: ClassVar[str] = ""

    def parse_article(self, html: str | bytes, url: str) -> Article | None:
        root = parse_document(html)
        h1 = root.css_first("h1")
        node = root.css_first(self.body_css)
        body = [t for t in (clean_text(p.text(deep=True)) for p in node.css("p")) if t] if node else []
        return Article(
            url=self.canonical_url(url),
            title=clean_text(h1.text(deep=True)) if h1 else None,
            published_at="2022-03-05T15:30:00+07:00",
            body=body,
            extraction={"template": self.template, "fallback": []},
        )


class TeaserSelector(SelectorParser):
    body_css = ".et_pb_blog_0 .post-content"


class SidebarSelector(SelectorParser):
    body_css = "#cc-aside"


def test_the_divi_hidden_teaser_read_by_a_template_selector_is_flagged() -> None:
    item = TeaserSelector(DIVI_URL).parse_article(DIVI_HTML, DIVI_URL)
    assert item is not None and item.body[0].startswith("Sáng 20/1")  # the other post's text
    assert item.extraction is not None
    assert item.extraction["suspect"].startswith("hidden:"), item.extraction


def test_a_template_selector_on_another_posts_visible_teaser_is_flagged() -> None:
    html = DIVI_HTML.replace(HIDDEN_ATTRS, "")
    assert HIDDEN_ATTRS in DIVI_HTML and "display:none" not in html
    item = TeaserSelector(DIVI_URL).parse_article(html, DIVI_URL)
    assert item is not None and item.extraction is not None
    reason = item.extraction["suspect"]
    assert reason.startswith("teaser:") and "hoi-nghi-tong-ket-cong-tac-hoi-nam-2021" in reason


def test_a_body_outside_the_pages_main_column_is_flagged() -> None:
    sidebar = (
        '<aside id="cc-aside"><p>Thông báo tuyển dụng viên chức năm 2022 của Sở Nông nghiệp và Phát triển '
        "nông thôn tỉnh, hạn nộp hồ sơ đến hết ngày 30/3.</p></aside>"
    )
    html = DIVI_HTML.replace("</body>", sidebar + "</body>")
    item = SidebarSelector(DIVI_URL).parse_article(html, DIVI_URL)
    assert item is not None and item.extraction is not None
    assert item.extraction["suspect"].startswith("outside-main:"), item.extraction


def test_the_stock_parser_on_the_divi_page_is_not_flagged() -> None:
    item = PARSERS["wordpress"](DIVI_URL).parse_article(DIVI_HTML, DIVI_URL)
    assert item is not None and item.extraction is not None
    assert "suspect" not in item.extraction and "source" not in item.extraction
    assert item.body[0].startswith("Ngày 4/3, Hội Nông dân xã Ngũ Hiệp")


def test_a_body_sharing_little_with_the_generic_extractors_is_flagged() -> None:
    words = [f"từ{i}" for i in range(60)]
    other = [f"khác{i}" for i in range(60)]
    root = parse_document("<html><body><div class='box'><p>x</p></div></body></html>")
    article = Article(url="http://x/a", title="T", body=[" ".join(words)])

    class Extracted:
        body = [" ".join(other)]

    reason = suspect_reason(article, root, lambda href: True, lambda: Extracted())  # type: ignore[arg-type,return-value]
    assert reason is not None and reason.startswith("low-overlap:")
    Extracted.body = [" ".join(words[:50] + other[:10])]
    assert suspect_reason(article, root, lambda href: True, lambda: Extracted()) is None  # type: ignore[arg-type,return-value]
    # A trivial body (fewer than MIN_TOKENS words) is never compared.
    article.body = ["một hai ba"]
    Extracted.body = [" ".join(other)]
    assert suspect_reason(article, root, lambda href: True, lambda: Extracted()) is None  # type: ignore[arg-type,return-value]


def test_the_generic_extractor_fills_the_fields_a_template_and_its_family_miss() -> None:
    case = ROOT / "golden_generic" / "fck-detail"
    url = (case / "url.txt").read_text(encoding="utf-8").strip()
    expected = json.loads((case / "expected.json").read_text(encoding="utf-8"))
    item = PARSERS["wordpress"](url).parse_article((case / "page.html").read_bytes(), url)
    assert item is not None and item.extraction is not None
    assert item.body == expected["body"]
    assert {"body", "published_at"} <= set(item.extraction["fallback"])
    assert item.extraction["source"]["body"] == "generic"
    assert item.extraction["source"]["published_at"] == "generic"
    assert "suspect" not in item.extraction  # the engine's own body is not cross-checked against itself
    assert item.extraction["fallback"] == sorted(item.extraction["fallback"])


def test_the_engine_runs_only_when_needed(monkeypatch: pytest.MonkeyPatch) -> None:
    import crawler.content.engine as engine

    calls: list[str] = []
    real = engine.extract
    monkeypatch.setattr(engine, "extract", lambda html, url: calls.append(url) or real(html, url))
    from crawler.extract import extract_page

    golden = sorted((ROOT / "golden").glob("*/*/page.html"))
    assert len(golden) > 20
    for page in golden:
        url = (page.parent / "url.txt").read_text(encoding="utf-8").strip()
        item = extract_page(url, page.read_bytes())
        extraction = item.get("extraction") or {}
        assert "suspect" not in extraction and "source" not in extraction, page
    assert calls == [], "a golden page with every field ran the generic engine"


def test_a_site_can_turn_the_cross_check_off() -> None:
    item = TeaserSelector(DIVI_URL, {"crosscheck": False}).parse_article(DIVI_HTML, DIVI_URL)
    assert item is not None and item.extraction is not None and "suspect" not in item.extraction


def test_the_generic_parser_is_not_completed_by_itself() -> None:
    assert PARSERS["generic"].generic_fallback is False
    assert issubclass(PARSERS["generic"], TemplateParser)


def test_the_item_builder_rejects_a_flagged_item_as_suspect_body(monkeypatch: pytest.MonkeyPatch) -> None:
    """End to end through the crawl's item builder: the wrong text is never an item."""
    from crawler.builder import Reject, build_item
    from crawler.parsers.cache import cached_parser
    from crawler.sites import Site

    monkeypatch.setitem(PARSERS, "teaser-selector", TeaserSelector)
    cached_parser.cache_clear()
    site = Site(key="divi", family="wordpress", template="teaser-selector", base_url="https://example.vn")
    built = build_item(DIVI_HTML.encode("utf-8"), DIVI_URL, site, "https://example.vn")
    cached_parser.cache_clear()
    assert isinstance(built, Reject) and built.reason == "suspect_body", built
    stock = build_item(DIVI_HTML.encode("utf-8"), DIVI_URL, Site("divi", "wordpress", "wordpress", DIVI_URL))
    assert not isinstance(stock, Reject) and stock.body and not stock.body[0].startswith("Sáng 20/1")


@settings(max_examples=500, deadline=None)
@given(
    st.lists(
        st.sampled_from([*_HIDDEN_KEYS, b"hid", b"non", b"one", b"e", b"n", b"o", b"<div ", b"-", b">"]),
        max_size=30,
    )
)
def test_hidden_key_positions_are_those_of_the_keys_regex(parts: list[bytes]) -> None:
    # The keys overlap ("hidden"/"hide", "none" after "non"): leftmost match, first key in order.
    window = b"".join(parts)
    present = [k for k in _HIDDEN_KEYS if k in window]
    expected = [m.start() for m in re.finditer(b"|".join(_HIDDEN_KEYS), window)]
    assert list(_key_starts(window, present)) == expected, window
