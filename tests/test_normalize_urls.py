"""Tests for crawler.normalize.urls with the real reference URLs (copied from /work/shared/reference)."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crawler.normalize.urls import absolute_url, canonicalize_url, same_site

BACKAN_ARTICLE = (
    "https://backan.gov.vn/web/guest/chi-tiet-tin?p_p_id=Block_BanTin_ViewData_WAR_PublishingPortalportlet"
    "&p_p_lifecycle=0&p_p_state=normal&p_p_mode=view&p_p_col_id=column-2&p_p_col_count=1"
    "&_Block_BanTin_ViewData_WAR_PublishingPortalportlet_newsId=85214"
    "&_Block_BanTin_ViewData_WAR_PublishingPortalportlet_redirect=%2Fweb%2Fguest%2Ftin-hoat-dong"
)
BACKAN_LISTING_2 = (
    "https://backan.gov.vn/web/guest/tin-hoat-dong?p_p_id=Block_BanTin_List_WAR_PublishingPortalportlet"
    "&p_p_lifecycle=0&p_p_state=normal&p_p_mode=view&p_p_col_id=column-2&p_p_col_count=1"
    "&_Block_BanTin_List_WAR_PublishingPortalportlet_delta=10&_Block_BanTin_List_WAR_PublishingPortalportlet_cur=2"
)
SHAREPOINT_ARTICLE = "https://backan.gov.vn/Pages/ChiTietTin.aspx?ItemID=6437&l=TinHoatDong"
SHAREPOINT_LISTING_2 = "https://backan.gov.vn/Pages/TinHoatDong.aspx?Page=2"
DONGTHAP_ARTICLE = (
    "https://dongthap.gov.vn/-/asset_publisher/rCKm8Qx2aB3d/content/nam-2020-ang-bo-khoi-ket-nap-284-ang-vien"
    "?inheritRedirect=false&redirect=https%3A%2F%2Fdongthap.gov.vn%2Ftin-tuc"
)
DONGTHAP_LISTING_2 = (
    "https://dongthap.gov.vn/tin-tuc?p_p_id=com_liferay_asset_publisher_web_portlet_AssetPublisherPortlet_"
    "INSTANCE_rCKm8Qx2aB3d&p_p_lifecycle=0&p_p_state=normal&p_p_mode=view"
    "&_com_liferay_asset_publisher_web_portlet_AssetPublisherPortlet_INSTANCE_rCKm8Qx2aB3d_delta=10"
    "&p_r_p_resetCur=false"
    "&_com_liferay_asset_publisher_web_portlet_AssetPublisherPortlet_INSTANCE_rCKm8Qx2aB3d_cur=2"
)
THAIBINH_ARTICLE = (
    "https://dangbokhoi.thaibinh.gov.vn/web/guest/tin-tuc/-/asset_publisher/aB3xYz9Q/content/"
    "dai-hoi-dai-bieu-dang-bo-khoi-cac-co-quan-va-doanh-nghiep-tinh-lan-thu-ix-thanh-cong-tot-dep"
    "?redirect=%2Fweb%2Fguest%2Ftin-tuc"
)
THAIBINH_LISTING_2 = (
    "https://dangbokhoi.thaibinh.gov.vn/web/guest/tin-tuc?p_p_id=101_INSTANCE_aB3xYz9Q&p_p_lifecycle=0"
    "&p_p_state=normal&p_p_mode=view&p_p_col_id=column-1&p_p_col_count=2&_101_INSTANCE_aB3xYz9Q_delta=10"
    "&_101_INSTANCE_aB3xYz9Q_keywords=&_101_INSTANCE_aB3xYz9Q_advancedSearch=false"
    "&_101_INSTANCE_aB3xYz9Q_andOperator=true&p_r_p_564233524_resetCur=false&_101_INSTANCE_aB3xYz9Q_cur=2"
)
GIALAI_ARTICLE = "https://dangbokhoi.gialai.gov.vn/giao-ban-cong-tac-xay-dung-dang-quy-i-nam-2023/"
GIALAI_LISTING_2 = "https://dangbokhoi.gialai.gov.vn/category/xay-dung-dang/page/2/"
GIALAI_WP_JSON = "https://dangbokhoi.gialai.gov.vn/wp-json/wp/v2/posts?per_page=10&page=1"
KHOICQ_ARTICLE = (
    "https://dangbokhoicq.ninhbinh.gov.vn/2018/02/"
    "dang-uy-khoi-cac-co-quan-tinh-tong-ket-cong-tac-xay-dung-dang-nam-2017/"
)
KHOICQ_FEED = "https://dangbokhoicq.ninhbinh.gov.vn/feed/"

REFERENCE_URLS = [
    BACKAN_ARTICLE,
    BACKAN_LISTING_2,
    SHAREPOINT_ARTICLE,
    SHAREPOINT_LISTING_2,
    DONGTHAP_ARTICLE,
    DONGTHAP_LISTING_2,
    THAIBINH_ARTICLE,
    THAIBINH_LISTING_2,
    GIALAI_ARTICLE,
    GIALAI_LISTING_2,
    GIALAI_WP_JSON,
    KHOICQ_ARTICLE,
    KHOICQ_FEED,
]


# ---------------------------------------------------------------------------------------- canonicalize


@pytest.mark.parametrize(
    ("url", "kwargs", "expected"),
    [
        (
            BACKAN_ARTICLE,
            {},
            "https://backan.gov.vn/web/guest/chi-tiet-tin?p_p_id=Block_BanTin_ViewData_WAR_PublishingPortalportlet"
            "&_Block_BanTin_ViewData_WAR_PublishingPortalportlet_newsId=85214",
        ),
        (
            BACKAN_LISTING_2,
            {},
            "https://backan.gov.vn/web/guest/tin-hoat-dong?p_p_id=Block_BanTin_List_WAR_PublishingPortalportlet",
        ),
        (SHAREPOINT_ARTICLE, {"drop": ("l",)}, "https://backan.gov.vn/Pages/ChiTietTin.aspx?ItemID=6437"),
        (SHAREPOINT_ARTICLE, {"drop": ["L"]}, "https://backan.gov.vn/Pages/ChiTietTin.aspx?ItemID=6437"),
        (
            SHAREPOINT_ARTICLE,
            {"keep_only": ["itemid"]},
            "https://backan.gov.vn/Pages/ChiTietTin.aspx?ItemID=6437",
        ),
        (SHAREPOINT_ARTICLE, {}, SHAREPOINT_ARTICLE),
        (SHAREPOINT_LISTING_2, {}, SHAREPOINT_LISTING_2),
        (
            DONGTHAP_ARTICLE,
            {},
            "https://dongthap.gov.vn/-/asset_publisher/rCKm8Qx2aB3d/content/nam-2020-ang-bo-khoi-ket-nap-284-ang-vien",
        ),
        (
            DONGTHAP_LISTING_2,
            {},
            "https://dongthap.gov.vn/tin-tuc?p_p_id="
            "com_liferay_asset_publisher_web_portlet_AssetPublisherPortlet_INSTANCE_rCKm8Qx2aB3d",
        ),
        (
            THAIBINH_ARTICLE,
            {},
            "https://dangbokhoi.thaibinh.gov.vn/web/guest/tin-tuc/-/asset_publisher/aB3xYz9Q/content/"
            "dai-hoi-dai-bieu-dang-bo-khoi-cac-co-quan-va-doanh-nghiep-tinh-lan-thu-ix-thanh-cong-tot-dep",
        ),
        (
            THAIBINH_LISTING_2,
            {},
            "https://dangbokhoi.thaibinh.gov.vn/web/guest/tin-tuc?p_p_id=101_INSTANCE_aB3xYz9Q",
        ),
        (GIALAI_ARTICLE, {}, GIALAI_ARTICLE),
        (GIALAI_LISTING_2, {}, GIALAI_LISTING_2),
        (GIALAI_WP_JSON, {}, GIALAI_WP_JSON),
        (KHOICQ_ARTICLE, {}, KHOICQ_ARTICLE),
        (KHOICQ_ARTICLE + "?utm_source=fb&utm_medium=x&fbclid=IwAR0&gclid=1#comments", {}, KHOICQ_ARTICLE),
        (
            "HTTPS://BackAn.Gov.VN:443/Pages/ChiTietTin.aspx?ItemID=1",
            {},
            "https://backan.gov.vn/Pages/ChiTietTin.aspx?ItemID=1",
        ),
        ("http://backan.gov.vn:80/a", {}, "http://backan.gov.vn/a"),
        ("http://backan.gov.vn:8080/a", {}, "http://backan.gov.vn:8080/a"),
        (
            "http://127.0.0.1:8001/Pages/X.aspx?ItemID=1&l=Y",
            {"drop": ("l",)},
            "http://127.0.0.1:8001/Pages/X.aspx?ItemID=1",
        ),
        ("https://backan.gov.vn", {}, "https://backan.gov.vn/"),
        ("https://backan.gov.vn/a?b=2&a=1", {}, "https://backan.gov.vn/a?b=2&a=1"),  # order kept
        ("https://backan.gov.vn/a?", {}, "https://backan.gov.vn/a"),
        ("https://backan.gov.vn/a?x=1&&y=2", {}, "https://backan.gov.vn/a?x=1&y=2"),
        ("https://backan.gov.vn/a?x=1&y=2&z=3", {"keep_only": ("z", "x")}, "https://backan.gov.vn/a?x=1&z=3"),
        ("https://backan.gov.vn/a?x=1", {"keep_only": ()}, "https://backan.gov.vn/a"),
        ("https://x.vn/a?_p_cur=3&cur=2&delta=5&resetCur=1&p_r_p_1_tag=a&id=9", {}, "https://x.vn/a?id=9"),
        ("https://x.vn/a?_p_backURL=%2F&p_auth=abc&id=9", {}, "https://x.vn/a?id=9"),
        (
            "https://x.vn/tin t%c3%bac/Đ?q=Đà Nẵng",
            {},
            "https://x.vn/tin%20t%C3%BAc/%C4%90?q=%C4%90%C3%A0%20N%E1%BA%B5ng",
        ),
        ("  https://x.vn/a  ", {}, "https://x.vn/a"),
    ],
)
def test_canonicalize_url(url: str, kwargs: dict, expected: str) -> None:
    assert canonicalize_url(url, **kwargs) == expected


def test_canonicalize_keeps_path_case_and_p_p_id() -> None:
    out = canonicalize_url(BACKAN_ARTICLE)
    assert "/web/guest/chi-tiet-tin" in out
    assert "p_p_id=Block_BanTin_ViewData_WAR_PublishingPortalportlet" in out


@pytest.mark.parametrize("url", REFERENCE_URLS)
def test_canonicalize_reference_idempotent(url: str) -> None:
    once = canonicalize_url(url)
    assert canonicalize_url(once) == once


_name = st.sampled_from(
    [
        "ItemID",
        "l",
        "p_p_id",
        "p_p_lifecycle",
        "p_r_p_x",
        "_X_cur",
        "_X_newsId",
        "redirect",
        "utm_source",
        "page",
        "Đ",
        "a b",
        "q",
    ]
)
_value = st.text(alphabet=st.sampled_from(list("aZ09%/:?=+ Đờ.-_~")), max_size=8)
_segment = st.text(alphabet=st.sampled_from(list("aZ09-_.~%Đờ ")), max_size=8)


@st.composite
def _urls(draw: st.DrawFn) -> str:
    scheme = draw(st.sampled_from(["http", "https", "HTTP", "HttpS"]))
    host = draw(st.sampled_from(["backan.gov.vn", "BackAn.GOV.vn", "127.0.0.1", "dongthap.gov.vn."]))
    port = draw(st.sampled_from(["", ":80", ":443", ":8001"]))
    path = "/" + "/".join(draw(st.lists(_segment, max_size=4)))
    pairs = draw(st.lists(st.tuples(_name, _value), max_size=6))
    query = "&".join(f"{k}={v}" for k, v in pairs)
    frag = draw(st.sampled_from(["", "#", "#top", "#a=b"]))
    return f"{scheme}://{host}{port}{path}" + (f"?{query}" if query else "") + frag


@given(_urls(), st.sampled_from([(), ("l",), ("ItemID", "page")]))
def test_canonicalize_idempotent_property(url: str, drop: tuple[str, ...]) -> None:
    once = canonicalize_url(url, drop=drop)
    assert canonicalize_url(once, drop=drop) == once
    assert "#" not in once
    assert "utm_source" not in once
    assert "p_p_lifecycle" not in once


@given(st.text(max_size=60))
def test_canonicalize_arbitrary_text_idempotent_or_valueerror(text: str) -> None:
    try:
        once = canonicalize_url(text)
    except ValueError:  # urlsplit rejects e.g. unbalanced IPv6 brackets
        return
    assert canonicalize_url(once) == once


# ---------------------------------------------------------------------------------------- absolute_url

BASE = "https://backan.gov.vn/web/guest/tin-hoat-dong"


@pytest.mark.parametrize(
    ("href", "expected"),
    [
        (None, None),
        ("", None),
        ("   ", None),
        ("#", None),
        ("#top", None),
        ("javascript:void(0)", None),
        ("JavaScript:window.print()", None),
        (" javascript:;", None),
        ("mailto:banbientap@dongthap.gov.vn", None),
        ("tel:0209123456", None),
        ("data:image/png;base64,AAAA", None),
        ("/web/guest/chi-tiet-tin?x=1", "https://backan.gov.vn/web/guest/chi-tiet-tin?x=1"),
        ("chi-tiet-tin", "https://backan.gov.vn/web/guest/chi-tiet-tin"),
        (
            "../../documents/10181/1432569/DSC_7712.JPG",
            "https://backan.gov.vn/documents/10181/1432569/DSC_7712.JPG",
        ),
        ("//dongthap.gov.vn/tin-tuc", "https://dongthap.gov.vn/tin-tuc"),
        ("http://other.vn/a#frag", "http://other.vn/a#frag"),
        ("  /a\n/b\t.jpg ", "https://backan.gov.vn/a/b.jpg"),
        ("\\PublishingImages\\TinTuc\\a.jpg", "https://backan.gov.vn/PublishingImages/TinTuc/a.jpg"),
        ("/images/ảnh 1.jpg", "https://backan.gov.vn/images/%E1%BA%A3nh%201.jpg"),
        ("/a?x=1&amp;y=2", "https://backan.gov.vn/a?x=1&y=2"),
        ("?page=2", "https://backan.gov.vn/web/guest/tin-hoat-dong?page=2"),
    ],
)
def test_absolute_url(href: str | None, expected: str | None) -> None:
    assert absolute_url(href, BASE) == expected


def test_absolute_url_composes_nfd_links() -> None:
    # A windows-1258 page decodes to decomposed tone marks: the link must encode as the NFC one.
    nfc = "/tin-tức/đảng-ủy"
    got = absolute_url(unicodedata.normalize("NFD", nfc), "https://example.vn/")
    assert got == absolute_url(nfc, "https://example.vn/")
    assert got == "https://example.vn/tin-t%E1%BB%A9c/%C4%91%E1%BA%A3ng-%E1%BB%A7y"


@given(st.text(max_size=40))
def test_absolute_url_never_raises(href: str) -> None:
    out = absolute_url(href, BASE)
    assert out is None or out.startswith(("http://", "https://", "ftp://"))


# ---------------------------------------------------------------------------------------- same_site


@pytest.mark.parametrize(
    ("url", "hosts", "expected"),
    [
        (BACKAN_ARTICLE, ["backan.gov.vn"], True),
        ("https://www.backan.gov.vn/x", ["backan.gov.vn"], True),
        ("https://BACKAN.gov.vn:443/x", ["https://backan.gov.vn/"], True),
        ("http://127.0.0.1:8001/x", ["127.0.0.1"], True),
        (GIALAI_ARTICLE, ["gialai.gov.vn"], False),  # subdomain is another portal
        (GIALAI_ARTICLE, ["dangbokhoi.gialai.gov.vn"], True),
        ("https://evil.vn/?u=backan.gov.vn", ["backan.gov.vn"], False),
        ("https://backan.gov.vn.evil.vn/", ["backan.gov.vn"], False),
        ("", ["backan.gov.vn"], False),
        ("/relative", ["backan.gov.vn"], False),
        (BACKAN_ARTICLE, [], False),
    ],
)
def test_same_site(url: str, hosts: list[str], expected: bool) -> None:
    assert same_site(url, hosts) is expected


# -- the fast path for plain links gives exactly what urllib's resolution gives ---------------------

_URL_CHARS = st.sampled_from([*"aZ09-._~!$&'()*+,;=:@/?#%", "..", ".", "//", "%2f", "%2F", " ", "é"])
_BASES = st.sampled_from(
    [
        "https://dongthap.gov.vn/tin-tuc/a.html?x=1#f",
        "http://127.0.0.1:8001",
        "HTTPS://Backan.gov.vn:443/web/guest/",
        "https://u@host.vn/a/b/c",
        "ftp://files.example.vn/dir/",
    ]
)


@given(
    st.sampled_from(["", "/", "http://", "https://", "https://host.vn", "https://Host.vn:80/", "http://a.b"]),
    st.lists(_URL_CHARS, max_size=12).map("".join),
    _BASES,
)
def test_plain_link_fast_path_equals_urllib_resolution(prefix: str, rest: str, base: str) -> None:
    from crawler.normalize.urls import _fast_resolve, _resolve

    href = prefix + rest
    fast = _fast_resolve(href, base)
    if fast is not None:
        assert fast == _resolve(href, base), href


@pytest.mark.parametrize(
    ("href", "base"),
    [
        ("https://dongthap.gov.vn/-/asset_publisher/x/content/y?inheritRedirect=false", "https://a.vn/"),
        ("/web/guest/chi-tiet-tin?p_p_id=Block_BanTin_ViewData&newsId=85214", "https://backan.gov.vn/a"),
        ("/2018/03/hoi-thao/", "http://127.0.0.1:8001/category/x/"),
        ("https://dangbokhoicq.ninhbinh.gov.vn/wp-content/uploads/2018/03/a-300x200.jpg", "https://b.vn"),
    ],
)
def test_typical_portal_links_take_the_fast_path(href: str, base: str) -> None:
    from crawler.normalize.urls import _fast_resolve, _resolve

    assert _fast_resolve(href, base) == _resolve(href, base) is not None
