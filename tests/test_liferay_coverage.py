"""Liferay coverage: friendly and portlet article URLs, and the stock listings without an ADT.

The spider follows what `parse_listing` returns, and the parser's `is_article_url` /
`canonical_url` decide what an article is: these tests are its link rules. The listing pages in
tests/liferay_listings/variants/ are ours, written from the stock Liferay markup: the 7.x Asset
Publisher's abstracts, a 7.x search container (table.table rows) and a 6.2
taglib-search-iterator. Article pages of the same forms are golden variants
(tests/golden_variants/liferay-*).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.parsers.liferay import LiferayAdtParser, LiferayJournalParser

VARIANTS = Path(__file__).parent / "liferay_listings" / "variants"
DT = "https://dongthap.gov.vn"
TB = "https://dangbokhoi.thaibinh.gov.vn"
AP7 = "com_liferay_asset_publisher_web_portlet_AssetPublisherPortlet_INSTANCE_Vb8cRt2Wq6Xe"

ARTICLE_URLS = [
    # (URL as linked, canonical, source_id)
    (f"{DT}/-/dong-thap-chuyen-doi-so", f"{DT}/-/dong-thap-chuyen-doi-so", "liferay:dong-thap-chuyen-doi-so"),
    (
        f"{DT}/-/content/cong-bo-quy-hoach?x=1",
        f"{DT}/-/content/cong-bo-quy-hoach",
        "liferay:cong-bo-quy-hoach",
    ),
    (f"{DT}/w/ke-hoach-nam-2021/", f"{DT}/w/ke-hoach-nam-2021", "liferay:ke-hoach-nam-2021"),
    (f"{TB}/web/guest/-/nghi-quyet-05", f"{TB}/web/guest/-/nghi-quyet-05", "liferay:nghi-quyet-05"),
    (
        f"{TB}/web/guest/van-ban?p_p_id=101_INSTANCE_vB5&p_p_lifecycle=0&p_p_state=maximized"
        "&_101_INSTANCE_vB5_struts_action=%2Fasset_publisher%2Fview_content&_101_INSTANCE_vB5_assetEntryId=77"
        "&_101_INSTANCE_vB5_type=content&_101_INSTANCE_vB5_urlTitle=chi-thi-03",
        f"{TB}/web/guest/van-ban?p_p_id=101_INSTANCE_vB5&_101_INSTANCE_vB5_urlTitle=chi-thi-03",
        "liferay:chi-thi-03",
    ),
    (
        f"{DT}/van-ban?p_p_id={AP7}&_{AP7}_mvcPath=%2Fview_content.jsp&_{AP7}_assetEntryId=1307744",
        f"{DT}/van-ban?p_p_id={AP7}&_{AP7}_assetEntryId=1307744",
        "liferay:1307744",
    ),
    (
        f"{TB}/web/guest/van-ban?p_p_id=56_INSTANCE_qc7&_56_INSTANCE_qc7_articleId=1405901",
        f"{TB}/web/guest/van-ban?p_p_id=56_INSTANCE_qc7&_56_INSTANCE_qc7_articleId=1405901",
        "liferay:1405901",
    ),
    (
        f"{DT}/c/journal/view_article_content?groupId=20124&articleId=1307701&version=1.2",
        f"{DT}/c/journal/view_article_content?groupId=20124&articleId=1307701",
        "liferay:1307701",
    ),
]

NOT_ARTICLES = [
    f"{DT}/tin-tuc",
    f"{DT}/tin-tuc?_{AP7}_cur=2",
    f"{TB}/web/guest/tin-tuc?p_p_id=101_INSTANCE_aB3xYz9Q&p_p_lifecycle=0&_101_INSTANCE_aB3xYz9Q_cur=2",
    f"{DT}/-/categories/12345",
    f"{DT}/web/guest/-/search",
    f"{DT}/documents/20124/0/bao-cao.pdf/9a8b7c6d",
    f"{DT}/c/journal/view_article_content?groupId=20124",
]


@pytest.mark.parametrize("parser_cls", [LiferayAdtParser, LiferayJournalParser])
@pytest.mark.parametrize(("url", "canonical", "source_id"), ARTICLE_URLS)
def test_liferay_article_url_forms(parser_cls, url: str, canonical: str, source_id: str) -> None:
    parser = parser_cls(DT)
    assert parser.is_article_url(url)
    assert parser.canonical_url(url) == canonical
    assert parser.canonical_url(canonical) == canonical
    assert parser.source_id(canonical) == source_id


@pytest.mark.parametrize("url", NOT_ARTICLES)
def test_liferay_pages_that_are_not_articles(url: str) -> None:
    assert not LiferayAdtParser(DT).is_article_url(url)
    assert not LiferayJournalParser(TB).is_article_url(url)


def _listing(name: str, parser, url: str):
    return parser.parse_listing((VARIANTS / name).read_text(encoding="utf-8"), url)


def test_liferay7_asset_publisher_abstracts_without_adt() -> None:
    listing = _listing("ap7-abstracts.html", LiferayAdtParser(DT), f"{DT}/tin-tuc")
    assert listing.article_urls == [
        f"{DT}/w/dong-thap-trien-khai-ke-hoach-chuyen-doi-so-nam-2021",
        f"{DT}/-/asset_publisher/Lx3vTq8Nc1Za/content/hoi-nghi-ban-chap-hanh-dang-bo-tinh-lan-thu-4",
        f"{DT}/web/guest/-/ra-quan-tong-ve-sinh-moi-truong",
        f"{DT}/-/content/cong-bo-quy-hoach-tinh-dong-thap",
    ]  # the side list's /w/ link is not the listing's
    assert listing.dates[listing.article_urls[0]] == "2021-04-20"
    assert listing.next_page == (
        f"{DT}/tin-tuc?_com_liferay_asset_publisher_web_portlet_AssetPublisherPortlet_INSTANCE_Lx3vTq8Nc1Za_cur=2"
    )


def test_liferay7_search_container_rows() -> None:
    listing = _listing("search-container-7x.html", LiferayAdtParser(DT), f"{DT}/van-ban")
    assert listing.article_urls == [
        f"{DT}/van-ban?p_p_id={AP7}&_{AP7}_urlTitle=ke-hoach-phong-chong-dich-covid-19-dot-2",
        f"{DT}/c/journal/view_article_content?groupId=20124&articleId=1307701",
    ]  # the PDF row is a document, not an article
    assert list(listing.dates.values()) == ["2021-04-21", "2021-04-20"]
    assert listing.next_page == f"{DT}/van-ban?_{AP7}_cur=2&_{AP7}_delta=20"


def test_liferay62_taglib_search_iterator() -> None:
    listing = _listing("search-iterator-62.html", LiferayJournalParser(TB), f"{TB}/web/guest/van-ban")
    assert listing.article_urls == [
        f"{TB}/web/guest/-/nghi-quyet-so-05-nq-duk-ve-cong-tac-phat-trien-dang-vien",
        f"{TB}/web/guest/van-ban?p_p_id=101_INSTANCE_vB5nQ2wE&_101_INSTANCE_vB5nQ2wE_urlTitle=chi-thi-so-03-ct-duk",
        f"{TB}/web/guest/van-ban?p_p_id=56_INSTANCE_qc7Lm2Xa&_56_INSTANCE_qc7Lm2Xa_articleId=1405901",
    ]
    assert listing.dates[listing.article_urls[0]] == "2021-04-15"
    assert (
        listing.next_page
        == f"{TB}/web/guest/van-ban?p_p_id=101_INSTANCE_vB5nQ2wE&p_p_lifecycle=0&_101_INSTANCE_vB5nQ2wE_cur=2"
    )
