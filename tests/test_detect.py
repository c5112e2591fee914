"""CMS/template detection: each CMS class to its verdict with evidence, the registry's golden
pages to their own template, the `auto` parser's delegation, and the CLI."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.detect import detect, liferay7_resource
from crawler.parsers import PARSERS
from crawler.sites import site_for_url

HERE = Path(__file__).parent
GOLDEN = sorted(p for p in (HERE / "golden").glob("*/*") if (p / "page.html").exists())
GENERIC_CASES = sorted(p for p in (HERE / "golden_generic").iterdir() if (p / "page.html").exists())

_P = "<p>Nội dung bài viết đủ dài để là một đoạn văn của bài, có dấu phẩy, và chữ.</p>"

PAGES = {
    "liferay7-adt": (
        '<html><head><link href="/o/dongthap-theme/css/main.css" rel="stylesheet"></head><body>'
        '<section id="portlet_com_liferay_asset_publisher_web_portlet_AssetPublisherPortlet_INSTANCE_a">'
        f'<div class="news-detail"><div class="content">{_P}</div></div></section></body></html>',
        ("liferay", "liferay-adt", "/o/ module resources"),
    ),
    "liferay7-no-adt": (
        '<html><head><script src="/o/frontend-js-web/liferay/global.bundle.js"></script></head><body>'
        '<section id="portlet_com_liferay_journal_content_web_portlet_JournalContentPortlet_INSTANCE_b">'
        f'<div class="journal-content-article">{_P}</div></section></body></html>',
        ("liferay", "generic", "journal-content-article"),
    ),
    "liferay62-journal": (
        '<html><head><script>Liferay.Portlet.onLoad({portletId: "101_INSTANCE_x"});</script></head><body>'
        '<div id="portlet_101_INSTANCE_x"><a href="/web/guest/-/asset_publisher/x/content/bai">bài</a>'
        f'<div class="journal-content-article"><div class="chi-tiet-tin">{_P}</div></div></div>'
        "</body></html>",
        ("liferay", "liferay-journal", "Liferay 6.2"),
    ),
    "publishingportal": (
        '<html><body><div id="p_p_id_Block_BanTin_ViewData_WAR_PublishingPortalportlet_">'
        f'<div class="chi-tiet-tin">{_P}</div></div></body></html>',
        ("publishingportal", "publishingportal", "Block_BanTin_ViewData"),
    ),
    "publishingportal-in-sharepoint": (
        '<html><body><form><input type="hidden" name="__VIEWSTATE" value="x">'
        '<div class="ms-webpart-zone"><div class="Block_BanTin_ViewData">'
        f"{_P}</div></div></form></body></html>",
        ("publishingportal", "publishingportal", "SharePoint"),
    ),
    "sharepoint": (
        '<html><body><form><input type="hidden" name="__VIEWSTATE" value="x">'
        f'<div class="ms-webpart-zone"><div class="ms-rtestate-field">{_P}</div></div></form></body></html>',
        ("sharepoint", "generic", "__VIEWSTATE"),
    ),
    "wordpress-newspaper": (
        '<html><head><meta name="generator" content="WordPress 6.2">'
        '<link href="/wp-content/themes/Newspaper/style.css" rel="stylesheet"></head>'
        f'<body><div class="td-post-content">{_P}</div></body></html>',
        ("wordpress", "wp-newspaper", "theme folder wp-content/themes/newspaper/"),
    ),
    "wordpress-sahifa": (
        '<html><head><link href="/wp-content/themes/sahifa/style.css" rel="stylesheet"></head>'
        f'<body><div class="entry">{_P}</div></body></html>',
        ("wordpress", "wp-sahifa", "sahifa"),
    ),
    "wordpress-jannah": (
        '<html><head><link href="/wp-content/themes/jannah/assets/css/style.min.css" rel="stylesheet"></head>'
        f'<body><div class="entry-content">{_P}</div></body></html>',
        ("wordpress", "wp-jannah", "jannah"),
    ),
    "wordpress-stock-theme": (
        '<html><head><meta name="generator" content="WordPress 6.4">'
        '<link href="/wp-content/themes/twentytwentyone/style.css" rel="stylesheet"></head>'
        f'<body><div class="entry-content">{_P}</div></body></html>',
        ("wordpress", "wordpress", ".entry-content"),
    ),
    "wordpress-divi": (
        '<html><head><link href="/wp-content/themes/Divi/style.css" rel="stylesheet"></head>'
        f'<body><div class="et_pb_section"><div class="et_pb_text_inner">{_P}</div></div></body></html>',
        ("wordpress", "generic", "divi"),
    ),
    "wordpress-custom-no-entry-content": (
        '<html><head><link href="/wp-content/themes/tinh-theme/main.css" rel="stylesheet"></head>'
        f'<body><div class="single-body">{_P}</div></body></html>',
        ("wordpress", "generic", "no .entry-content"),
    ),
    "unknown": (
        f"<html><body><article>{_P}</article></body></html>",
        ("unknown", "generic", "no CMS fingerprint"),
    ),
}


@pytest.mark.parametrize("name", sorted(PAGES))
def test_cms_class_verdict_and_evidence(name: str) -> None:
    html, (family, template, clue) = PAGES[name]
    verdict = detect(html, "https://portal.example.vn/bai")
    assert (verdict.family, verdict.template) == (family, template)
    assert any(clue.lower() in e.lower() for e in verdict.evidence), verdict.evidence
    assert template in PARSERS


@pytest.mark.parametrize("case", GOLDEN, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_golden_pages_detect_as_their_registry_template(case: Path) -> None:
    url = (case / "url.txt").read_text(encoding="utf-8").strip()
    assert detect((case / "page.html").read_bytes(), url).template == site_for_url(url).template


@pytest.mark.parametrize("case", GOLDEN, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_auto_parser_gives_the_registry_parsers_item_on_golden_pages(case: Path) -> None:
    url = (case / "url.txt").read_text(encoding="utf-8").strip()
    site = site_for_url(url)
    body = (case / "page.html").read_bytes()
    own = PARSERS[site.template](site.base_url, site.options).parse_article(body, url)
    auto = PARSERS["auto"](site.base_url, site.options).parse_article(body, url)
    assert auto is not None and own is not None
    assert auto.extraction is not None and auto.extraction["template"] == site.template
    assert auto == own


@pytest.mark.parametrize("case", GENERIC_CASES, ids=lambda p: p.name)
def test_failure_classes_detect_as_generic(case: Path) -> None:
    verdict = detect((case / "page.html").read_bytes())
    assert verdict.template == "generic", verdict.evidence
    assert verdict.family in ("liferay", "wordpress", "unknown")


def test_the_template_takes_the_body_from_the_generic_extractor_when_it_finds_none() -> None:
    # A Liferay 7 page with an empty ADT container and the article in a journal article.
    html = (
        '<html><head><link href="/o/x-theme/main.css" rel="stylesheet"><title>Bài viết thử</title></head>'
        "<body>"
        '<section id="portlet_com_liferay_asset_publisher_web_portlet_AssetPublisherPortlet_INSTANCE_a">'
        '<div class="news-detail"><div class="content"></div></div></section>'
        f'<div class="journal-content-article"><h1>Bài viết thử</h1>{_P * 4}</div></body></html>'
    )
    article = PARSERS["auto"]("https://portal.example.vn").parse_article(
        html, "https://portal.example.vn/-/bai"
    )
    assert article is not None
    # Step 3 of the template's fallback (issue 12): the detected template keeps the page and names
    # the generic extractor as the body's source.
    assert article.extraction is not None
    assert article.extraction["template"] == "liferay-adt"
    assert "body" in article.extraction["fallback"]
    assert article.extraction["source"] == {"body": "generic"}
    assert len(article.body) == 4


def test_detect_cli(tmp_path: Path) -> None:
    page = HERE / "golden" / "gialai" / "reference" / "page.html"
    url = (page.parent / "url.txt").read_text().strip()
    proc = subprocess.run(
        [sys.executable, "-m", "crawler.detect", "--url", url, str(page)],
        capture_output=True, text=True, timeout=60, cwd=HERE.parent,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "family: wordpress" in proc.stdout and "template: wp-sahifa" in proc.stdout
    assert "theme folder wp-content/themes/sahifa/" in proc.stdout
    missing = subprocess.run(
        [sys.executable, "-m", "crawler.detect", str(tmp_path / "none.html")],
        capture_output=True, text=True, timeout=60, cwd=HERE.parent,
    )  # fmt: skip
    assert missing.returncode == 1 and "error:" in missing.stderr


# The rule as one regex: the reference for the literal-first search the detector runs.
_RESOURCE_REGEX = re.compile(r"""["'(](?:https?://[^"'()]+)?/o/[a-z0-9-]+/""")
_PIECES = [
    '"',
    "'",
    "(",
    ")",
    "/o/",
    "/o/x-y/",
    "abc",
    "/",
    "https://",
    "http://h.vn",
    "-",
    " ",
    "O",
    "/o/A/",
]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=14))
def test_liferay7_resource_is_the_regex(pieces: list[str]) -> None:
    raw = "".join(pieces)
    assert liferay7_resource(raw) == (_RESOURCE_REGEX.search(raw) is not None), raw


@pytest.mark.parametrize(
    ("raw", "found"),
    [
        ('<script src="/o/frontend-js-web/liferay.js">', True),
        ("<link href='https://tinh.gov.vn/o/classic-theme/css/main.css'>", True),
        ("background: url(/o/theme/images/bg.png)", True),
        ('<a href="/web/guest/o/tin-tuc/">', False),  # a path that holds /o/ is not a resource
        ("Văn bản /o/ không phải đường dẫn", False),
    ],
)
def test_liferay7_resource(raw: str, found: bool) -> None:
    assert liferay7_resource(raw) is found
