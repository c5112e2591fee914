"""Liferay-style parsers: listings, pagination, canonical URLs, article URLs, and the replica round trip.

Article fields are covered by the golden pages (tests/golden/{backan,backan-sharepoint,dongthap,
thaibinh}); this file covers what golden pages do not: listing pages (copies of the reference
listings in tests/liferay_listings), URL identity, and every page the replica renders.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import lxml.html
import pytest

from crawler.normalize.text import clean_text, decode_html
from crawler.parsers.base import ParseError
from crawler.parsers.liferay import (
    LIFERAY_PARSERS,
    LiferayAdtParser,
    LiferayJournalParser,
    PublishingPortalParser,
)
from crawler.sites import get_site
from replica.model import ReplicaArticle
from replica.sites.liferay import RENDERERS, LiferayRenderer

TESTS = Path(__file__).parent
LISTINGS = TESTS / "liferay_listings"
REPLICA_SITES = ("backan", "backan-sharepoint", "dongthap", "thaibinh")
VIEW = "Block_BanTin_ViewData_WAR_PublishingPortalportlet"


def parser_for(key: str, base: str | None = None) -> Any:
    site = get_site(key)
    return LIFERAY_PARSERS[site.template](base or site.base_url, site.options)


def _bk(news_id: int) -> str:
    return f"https://backan.gov.vn/web/guest/chi-tiet-tin?p_p_id={VIEW}&_{VIEW}_newsId={news_id}"


def _sp(item: int) -> str:
    return f"https://backan.gov.vn/Pages/ChiTietTin.aspx?ItemID={item}"


def _dt(slug: str) -> str:
    return f"https://dongthap.gov.vn/-/asset_publisher/rCKm8Qx2aB3d/content/{slug}"


def _tb(slug: str) -> str:
    return f"https://dangbokhoi.thaibinh.gov.vn/web/guest/tin-tuc/-/asset_publisher/aB3xYz9Q/content/{slug}"


# ------------------------------------------------------------ registry


def test_liferay_parsers_cover_the_registry_templates() -> None:
    assert set(LIFERAY_PARSERS) == {"publishingportal", "liferay-adt", "liferay-journal"}
    for key in REPLICA_SITES:
        assert get_site(key).template in LIFERAY_PARSERS


# ------------------------------------------------------------ URLs

CANONICAL_CASES = [
    # PublishingPortal (Liferay chrome): p_p_* state and the redirect back-link go, the news id stays.
    (
        "backan",
        f"https://backan.gov.vn/web/guest/chi-tiet-tin?p_p_id={VIEW}&p_p_lifecycle=0&p_p_state=normal"
        f"&p_p_mode=view&p_p_col_id=column-2&p_p_col_pos=2&p_p_col_count=3&_{VIEW}_newsId=85214"
        f"&_{VIEW}_redirect=%2Fweb%2Fguest%2Ftin-hoat-dong",
        _bk(85214),
    ),
    # Parameter order does not matter; the portlet id comes from the parameter's namespace.
    (
        "backan",
        f"https://BACKAN.gov.vn/web/guest/chi-tiet-tin?_{VIEW}_newsId=85214&p_p_lifecycle=0#top",
        _bk(85214),
    ),
    # SharePoint: any spelling of the page and id parameter, "l" dropped.
    ("backan-sharepoint", "https://backan.gov.vn/Pages/ChiTietTin.aspx?ItemID=6437&l=TinHoatDong", _sp(6437)),
    ("backan-sharepoint", "https://backan.gov.vn/pages/chitiettin.aspx?itemid=6437", _sp(6437)),
    ("backan-sharepoint", "https://backan.gov.vn/PAGES/ChiTietTin.aspx?l=TinHoatDong&ITEMID=6437", _sp(6437)),
    # Liferay 7 asset publisher: the query is navigation; side lists add the layout prefix.
    (
        "dongthap",
        f"{_dt('nam-2020-ang-bo-khoi-ket-nap-284-ang-vien')}?inheritRedirect=false"
        "&redirect=https%3A%2F%2Fdongthap.gov.vn%2Ftin-tuc",
        _dt("nam-2020-ang-bo-khoi-ket-nap-284-ang-vien"),
    ),
    (
        "dongthap",
        "https://dongthap.gov.vn/tin-tuc/-/asset_publisher/rCKm8Qx2aB3d/content/lang-hoa-sa-ec-tat-bat-vao-vu-hoa-tet-tan-suu"
        "?inheritRedirect=true&redirect=%2Ftin-tuc",
        _dt("lang-hoa-sa-ec-tat-bat-vao-vu-hoa-tet-tan-suu"),
    ),
    # Liferay 6.2 asset publisher keeps its layout prefix (that is its canonical link).
    (
        "thaibinh",
        f"{_tb('hoi-thi-tim-hieu-90-nam-lich-su-dang-bo-tinh')}?redirect=%2Fweb%2Fguest%2Ftin-tuc"
        "&_101_INSTANCE_aB3xYz9Q_cur=2&p_p_state=pop_up",
        _tb("hoi-thi-tim-hieu-90-nam-lich-su-dang-bo-tinh"),
    ),
]


@pytest.mark.parametrize(("key", "url", "canonical"), CANONICAL_CASES)
def test_canonical_url(key: str, url: str, canonical: str) -> None:
    parser = parser_for(key)
    assert parser.is_article_url(url)
    assert parser.canonical_url(url) == canonical
    assert parser.canonical_url(canonical) == canonical  # idempotent


def test_source_ids() -> None:
    assert PublishingPortalParser("https://backan.gov.vn").source_id(_bk(85214)) == "liferay:85214"
    assert PublishingPortalParser("https://backan.gov.vn").source_id(_sp(6437)) == "sharepoint:6437"
    assert LiferayAdtParser("https://dongthap.gov.vn").source_id(_dt("abc")) == "liferay:abc"


@pytest.mark.parametrize(
    ("key", "url", "expected"),
    [
        ("backan", _bk(85214), True),
        ("backan", "https://backan.gov.vn/web/guest/tin-hoat-dong", False),
        (
            "backan",
            "https://backan.gov.vn/web/guest/tin-hoat-dong?p_p_id=Block_BanTin_List_WAR_PublishingPortalportlet"
            "&_Block_BanTin_List_WAR_PublishingPortalportlet_cur=2",
            False,
        ),
        ("backan", "https://backan.gov.vn/web/guest/chi-tiet-tin", False),
        ("backan-sharepoint", _sp(6437), True),
        ("backan-sharepoint", "https://backan.gov.vn/Pages/ChiTietTin.aspx", False),
        ("backan-sharepoint", "https://backan.gov.vn/Pages/TinHoatDong.aspx?Page=2", False),
        ("dongthap", _dt("nam-2020"), True),
        ("dongthap", "https://dongthap.gov.vn/tin-tuc", False),
        ("dongthap", "https://dongthap.gov.vn/documents/20124/1458211/a.pdf/8c2e", False),
        ("thaibinh", _tb("hoi-thi"), True),
        (
            "thaibinh",
            "https://dangbokhoi.thaibinh.gov.vn/web/guest/tin-tuc?p_p_id=101_INSTANCE_aB3xYz9Q",
            False,
        ),
    ],
)
def test_is_article_url(key: str, url: str, expected: bool) -> None:
    assert parser_for(key).is_article_url(url) is expected


# ------------------------------------------------------------ reference listings

BK_PAGE1 = [85301, 85288, 85270, 85252, 85214, 85209, 85190, 85176, 85163, 85151]
SP_PAGE1 = [6452, 6449, 6446, 6441, 6437, 6436, 6428, 6423, 6419, 6415]
DT_PAGE1 = [
    "ong-thap-san-sang-chao-mung-ai-hoi-ai-bieu-toan-quoc-lan-thu-xiii-cua-ang",
    "hoi-nong-dan-tinh-trao-qua-tet-cho-hoi-vien-nong-dan-co-hoan-canh-kho-khan",
    "nam-2020-ang-bo-khoi-ket-nap-284-ang-vien",
    "lang-hoa-sa-ec-tat-bat-vao-vu-hoa-tet-tan-suu",
    "ubnd-tinh-hop-phien-thuong-ky-thang-01-2021",
    "ong-thap-chu-ong-phong-chong-dich-covid-19-trong-dip-tet-nguyen-an",
    "so-cong-thuong-am-bao-nguon-hang-phuc-vu-tet-nguyen-an-tan-suu-2021",
    "nganh-y-te-tinh-trien-khai-nhiem-vu-nam-2021",
    "uy-ban-mttq-viet-nam-tinh-tong-ket-cong-tac-mat-tran-nam-2020",
    "kim-ngach-xuat-khau-nam-2020-cua-tinh-tang-truong-kha",
]
TB_PAGE1 = [
    "trien-khai-cac-bien-phap-cap-bach-phong-chong-dich-covid-19-trong-cac-co-quan-doanh-nghiep",
    "dai-hoi-dai-bieu-dang-bo-khoi-cac-co-quan-va-doanh-nghiep-tinh-lan-thu-ix-thanh-cong-tot-dep",
    "dang-huong-tuong-niem-cac-anh-hung-liet-si-nhan-ky-niem-73-nam-ngay-thuong-binh-liet-si",
    "hoi-nghi-ban-chap-hanh-dang-bo-khoi-thong-qua-van-kien-trinh-dai-hoi-lan-thu-ix",
    "dang-bo-cong-ty-dien-luc-thai-binh-to-chuc-dai-hoi-nhiem-ky-2020-2025",
    "dang-bo-ngan-hang-nha-nuoc-chi-nhanh-tinh-dai-hoi-nhiem-ky-2020-2025",
    "ban-thuong-vu-dang-uy-khoi-kiem-tra-cong-tac-chuan-bi-dai-hoi",
    "dang-bo-bao-hiem-xa-hoi-tinh-to-chuc-dai-hoi-lan-thu-v",
    "hoi-nghi-bao-cao-vien-dang-uy-khoi-thang-7-2020",
    "doan-khoi-to-chuc-ngay-hoi-hien-mau-tinh-nguyen-nam-2020",
]
_BK_NEXT = (
    "https://backan.gov.vn/web/guest/tin-hoat-dong?p_p_id=Block_BanTin_List_WAR_PublishingPortalportlet"
    "&p_p_lifecycle=0&p_p_state=normal&p_p_mode=view&p_p_col_id=column-2&p_p_col_count=1"
    "&_Block_BanTin_List_WAR_PublishingPortalportlet_delta=10&_Block_BanTin_List_WAR_PublishingPortalportlet_cur=2"
)
_DT_P = "com_liferay_asset_publisher_web_portlet_AssetPublisherPortlet_INSTANCE_rCKm8Qx2aB3d"
_DT_NEXT = (
    f"https://dongthap.gov.vn/tin-tuc?p_p_id={_DT_P}&p_p_lifecycle=0&p_p_state=normal&p_p_mode=view"
    f"&_{_DT_P}_delta=10&p_r_p_resetCur=false&_{_DT_P}_cur=2"
)
_TB_P = "101_INSTANCE_aB3xYz9Q"
_TB_NEXT = (
    f"https://dangbokhoi.thaibinh.gov.vn/web/guest/tin-tuc?p_p_id={_TB_P}&p_p_lifecycle=0&p_p_state=normal"
    f"&p_p_mode=view&p_p_col_id=column-1&p_p_col_count=2&_{_TB_P}_delta=10&_{_TB_P}_keywords="
    f"&_{_TB_P}_advancedSearch=false&_{_TB_P}_andOperator=true&p_r_p_564233524_resetCur=false&_{_TB_P}_cur=2"
)


def _listing(key: str, name: str) -> tuple[str, str]:
    url = (LISTINGS / key / f"{name}.url").read_text(encoding="utf-8").strip()
    return decode_html((LISTINGS / key / f"{name}.html").read_bytes()), url


@pytest.mark.parametrize(
    ("key", "first_page", "next_page", "second_page_first"),
    [
        ("backan", [_bk(n) for n in BK_PAGE1], _BK_NEXT, _bk(85139)),
        (
            "backan-sharepoint",
            [_sp(n) for n in SP_PAGE1],
            "https://backan.gov.vn/Pages/TinHoatDong.aspx?Page=2",
            _sp(6413),
        ),
        ("dongthap", [_dt(s) for s in DT_PAGE1], _DT_NEXT, _dt("cong-an-tinh-trien-khai-nhiem-vu-nam-2021")),
        (
            "thaibinh",
            [_tb(s) for s in TB_PAGE1],
            _TB_NEXT,
            _tb("so-ket-cong-tac-xay-dung-dang-6-thang-dau-nam-2020"),
        ),
    ],
)
def test_reference_listings(key: str, first_page: list[str], next_page: str, second_page_first: str) -> None:
    parser = parser_for(key)
    html, url = _listing(key, "listing")
    listing = parser.parse_listing(html, url)
    # Only the main listing portlet, newest first, deduplicated (SharePoint links one item twice,
    # in two spellings; "Tin đọc nhiều"/"Tin xem nhiều" side lists repeat and add articles).
    assert listing.article_urls == first_page
    assert listing.next_page == next_page
    assert set(listing.dates) == set(first_page)
    html2, url2 = _listing(key, "listing-2")
    assert url2 == next_page
    page2 = parser.parse_listing(html2, url2)
    assert len(page2.article_urls) == 10
    assert page2.article_urls[0] == second_page_first
    assert not set(page2.article_urls) & set(first_page)
    assert page2.next_page is None  # last page


def test_listing_dates() -> None:
    html, url = _listing("backan", "listing")
    assert parser_for("backan").parse_listing(html, url).dates[_bk(85301)] == "2021-01-15"
    html, url = _listing("thaibinh", "listing")
    assert parser_for("thaibinh").parse_listing(html, url).dates[_tb(TB_PAGE1[0])] == "2020-07-31"


def test_listing_page_is_not_an_article() -> None:
    for key in REPLICA_SITES:
        html, url = _listing(key, "listing")
        assert parser_for(key).parse_article(html, url) is None


def test_article_page_has_no_main_listing() -> None:
    page = (TESTS / "golden" / "backan" / "reference" / "page.html").read_bytes()
    listing = parser_for("backan").parse_listing(decode_html(page), _bk(85214))
    assert listing.article_urls == [] and listing.next_page is None


def test_empty_page_is_a_parse_error() -> None:
    with pytest.raises(ParseError):
        parser_for("backan").parse_article("   ", _bk(1))


# ------------------------------------------------------------ pagination


def _clay(current: int, pages: int) -> str:
    items = "".join(
        f'<li class="{"active " if n == current else ""}page-item"><a class="page-link" '
        f'href="/tin-tuc?p_p_id={_DT_P}&amp;_{_DT_P}_cur={n}">{n}</a></li>'
        for n in range(1, pages + 1)
    )
    href = f"/tin-tuc?p_p_id={_DT_P}&amp;_{_DT_P}_cur={current + 1}" if current < pages else "javascript:;"
    nxt = f'<li class="page-item"><a class="page-link" href="{href}">Trang tiếp theo</a></li>'
    return (
        f'<html><body><div class="portlet-asset-publisher" id="p_p_id_{_DT_P}_">'
        '<div class="asset-abstract"><h3 class="asset-title">'
        f'<a href="/-/asset_publisher/rCKm8Qx2aB3d/content/a{current}">A</a></h3></div>'
        f'<div class="taglib-page-iterator"><ul class="pagination">{items}{nxt}</ul></div></div>'
        '<div class="portlet-asset-publisher"><ul class="pagination">'
        '<li><a href="/x?_other_cur=9">9</a></li></ul></div>'
        "</body></html>"
    )


def test_clay_pagination_follows_current_plus_one() -> None:
    parser = parser_for("dongthap")
    base = "https://dongthap.gov.vn/tin-tuc"
    first = parser.parse_listing(_clay(1, 3), base)
    assert first.next_page == f"https://dongthap.gov.vn/tin-tuc?p_p_id={_DT_P}&_{_DT_P}_cur=2"
    second = parser.parse_listing(_clay(2, 3), first.next_page)
    assert second.next_page is not None and second.next_page.endswith(f"_{_DT_P}_cur=3")
    third = parser.parse_listing(_clay(3, 3), second.next_page)
    assert third.next_page is None
    assert third.article_urls == ["https://dongthap.gov.vn/-/asset_publisher/rCKm8Qx2aB3d/content/a3"]


def test_sharepoint_paging_relative_links() -> None:
    html = (
        '<html><body><div class="news-list"><div class="news-item">'
        '<a class="title" href="/Pages/ChiTietTin.aspx?ItemID=5">T</a></div>'
        '<div class="paging"><a class="prev" href="?Page=2">« Trang trước</a> <a href="?Page=1">1</a> '
        '<a href="?Page=2">2</a> <span class="current">3</span> <a href="?Page=4">4</a> '
        '<a class="next" href="?Page=4">Trang sau »</a></div></div></body></html>'
    )
    listing = parser_for("backan-sharepoint").parse_listing(
        html, "https://backan.gov.vn/Pages/TinHoatDong.aspx?Page=3"
    )
    assert listing.article_urls == [_sp(5)]
    assert listing.next_page == "https://backan.gov.vn/Pages/TinHoatDong.aspx?Page=4"


# ------------------------------------------------------------ replica round trip

BASE = "http://127.0.0.1:8765"


def load_replica(
    key: str, options: dict[str, Any] | None = None
) -> tuple[LiferayRenderer, list[ReplicaArticle]]:
    folder = TESTS / "sites" / key
    conf = json.loads((folder / "site.json").read_text(encoding="utf-8"))
    articles = []
    for raw in json.loads((folder / "articles.json").read_text(encoding="utf-8")):
        raw = dict(raw)
        raw["published"] = datetime.fromisoformat(raw["published"])
        if raw.get("modified"):
            raw["modified"] = datetime.fromisoformat(raw["modified"])
        articles.append(ReplicaArticle(**raw))
    renderer = RENDERERS[conf["renderer"]](articles, BASE, {**conf.get("options", {}), **(options or {})})
    assert conf["site"] == key
    return renderer, articles


def fetch(renderer: LiferayRenderer, url: str) -> str | None:
    parts = urlsplit(url)
    page = renderer.handle(parts.path, parse_qs(parts.query, keep_blank_values=True))
    return None if page is None else decode_html(page.bytes(), page.content_type)


def _expected_body(a: ReplicaArticle) -> list[str]:
    """The text a reader sees, block by block (one paragraph per <li>), independent of the parser."""
    out: list[str] = []
    for fragment in a.body:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
        items = root.findall(".//li")
        texts = [i.text_content() for i in items] if items else [root.text_content()]
        out += [t for t in (clean_text(x) for x in texts) if t]
    return out


def _ordered_images(a: ReplicaArticle) -> list[dict[str, Any]]:
    return sorted(a.images, key=lambda i: -2 if i.get("lead") else int(i.get("after", 0)))


def _abs(src: str) -> str:
    return BASE + src if src.startswith("/") else src


@pytest.mark.parametrize("key", REPLICA_SITES)
def test_replica_articles_parse_back(key: str) -> None:
    renderer, articles = load_replica(key)
    parser = parser_for(key, BASE)
    shows_time = renderer.key == "liferay-adt"
    assert len(articles) >= 12
    for a in articles:
        url = _abs(renderer.links(a)["link_list"])
        html = fetch(renderer, url)
        assert html is not None, url
        item = parser.parse_article(html, url)
        assert item is not None, url
        images = _ordered_images(a)
        assert item.url == renderer.canonical(a)
        assert item.title == a.title
        assert item.published_at == (
            a.published.strftime("%Y-%m-%dT%H:%M:00+07:00") if shows_time else a.published.date().isoformat()
        )
        assert item.lead == a.lead
        assert item.body == _expected_body(a), a.slug
        assert item.captions == [i["caption"] for i in images if i.get("caption")]
        assert item.images == [{"src": _abs(i["src"]), "caption": i.get("caption")} for i in images]
        assert item.author == a.author
        assert item.attachments == [_abs(f["href"]) for f in a.attachments]


@pytest.mark.parametrize("key", REPLICA_SITES)
def test_replica_listing_walk_finds_every_article_once(key: str) -> None:
    renderer, articles = load_replica(key)
    parser = parser_for(key, BASE)
    url: str | None = BASE + get_site(key).listing_paths[0]
    found: list[str] = []
    pages = 0
    while url:
        html = fetch(renderer, url)
        assert html is not None, url
        listing = parser.parse_listing(html, url)
        assert listing.article_urls, url
        found += listing.article_urls
        url = listing.next_page
        pages += 1
        assert pages <= 10
    assert pages >= 3
    assert found == renderer.listed_urls()  # newest first, each exactly once
    assert len(set(found)) == len(articles)
    for article_url in found:
        assert fetch(renderer, article_url) is not None  # the canonical URL serves the article too


# The drift variant renames the template's body container. On the Asset Publisher templates the
# body still sits in the asset's .journal-content-article, the family's stock structure: the
# parser reads it from there and says so. The PublishingPortal blocks have no such structure.
DRIFT_RECOVERED = {"dongthap", "thaibinh"}


@pytest.mark.parametrize("key", REPLICA_SITES)
def test_replica_drift_body_comes_from_the_family_or_the_generic_extractor(key: str) -> None:
    renderer, articles = load_replica(key, {"variant": "drift"})
    parser = parser_for(key, BASE)
    same = 0
    for a in articles:
        url = _abs(renderer.links(a)["link_list"])
        item = parser.parse_article(fetch(renderer, url) or "", url)
        assert item is not None and item.title == a.title
        assert item.extraction is not None and item.extraction["template"] == parser.template
        if key in DRIFT_RECOVERED:
            assert item.body == _expected_body(a), a.slug
            assert item.author == a.author
            assert "body" in item.extraction["fallback"], a.slug
            assert set(item.extraction["fallback"]) <= {"body", "images", "captions", "author"}
        else:
            # No family structure to fall back on (PublishingPortal): step 3, the generic extractor,
            # gives the body, and the item says so (issue 12). The drift monitor alarms on it.
            assert item.body, a.slug
            assert "body" in item.extraction["fallback"], a.slug
            assert item.extraction["source"]["body"] == "generic"
            same += item.body == _expected_body(a)
    if key not in DRIFT_RECOVERED:
        assert same >= len(articles) // 2, f"{same} of {len(articles)} bodies as the reader sees them"


@pytest.mark.parametrize("key", REPLICA_SITES)
def test_replica_template_pages_need_no_fallback(key: str) -> None:
    renderer, articles = load_replica(key)
    parser = parser_for(key, BASE)
    for a in articles:
        url = _abs(renderer.links(a)["link_list"])
        item = parser.parse_article(fetch(renderer, url) or "", url)
        assert item is not None and item.extraction == {
            "template": parser.template,
            "parser_version": parser.version,
            "fallback": [],
        }, a.slug


def test_replica_unknown_pages_are_404() -> None:
    renderer, _ = load_replica("backan")
    assert renderer.handle("/web/guest/chi-tiet-tin", {f"_{VIEW}_newsId": ["1"]}) is None
    assert renderer.handle("/nope", {}) is None
    sp, _ = load_replica("backan-sharepoint")
    assert sp.handle("/pages/chitiettin.aspx", {"itemid": ["6437"]}) is not None


def test_journal_parser_class_names() -> None:
    assert LiferayJournalParser.template == "liferay-journal"
