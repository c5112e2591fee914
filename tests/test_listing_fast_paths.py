"""The listing parsers' fast paths (issue 15: a listing of 100k links in linear time, well under
2 s) give what the straightforward code gives: Liferay's per-item selection from one query per
selector (`per_item`), the urllib-free canonical links of Liferay assets and WordPress permalinks,
WordPress's not-in-the-loop verdicts, the dot-segment pre-check of `absolute_url`. The timings are
in bench/RESULTS.md, not asserted here."""

from __future__ import annotations

import re
from html import escape
from urllib.parse import urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.normalize.urls import _DOT_SEGMENT_RE, _dot_segments, absolute_url
from crawler.parsers.dom import ancestors, parse_document
from crawler.parsers.generic import GenericParser, article_path
from crawler.parsers.liferay import LIFERAY_PARSERS
from crawler.parsers.liferay_base import LiferayFamilyParser, css_within, per_item, select
from crawler.parsers.wordpress import WORDPRESS_PARSERS, WordPressParser, _not_loop

BASE = "http://127.0.0.1:9"
PAGE_URLS = (
    "http://127.0.0.1:9/tin-tuc",
    "https://Dongthap.GOV.vn:443/web/guest/tin-tuc/?_x_cur=2#top",
    "http://dongthap.gov.vn/a/b/c",
)
HREFS = (
    "tin-a",
    "./tin-b",
    "../tin-c",
    "../../x/../y",
    "/-/asset_publisher/abc/content/tin-d",
    "/tin-tuc/-/asset_publisher/abc/content/tin-d?redirect=%2Fx&_abc_cur=2&b=1",
    "/tin-tuc/-/asset_publisher/abc/content/tin-e#top",
    "-/asset_publisher/abc/content/relative",
    "/tin-tuc/-/asset_publisher/abc/content/../content/dots",
    "/tin-tuc/./-/asset_publisher/abc/content/dot",
    "/a//-/asset_publisher/abc/content/double-slash",
    "HTTP://127.0.0.1:9/-/asset_publisher/abc/content/tin-f",
    "http://EXAMPLE.com:80/-/asset_publisher/a/content/g",
    "http://example.com:8080/-/asset_publisher/a/content/port",
    "https://127.0.0.1:443/-/asset_publisher/abc/content/port",
    "http://user:pw@Example.com./-/asset_publisher/a/content/userinfo",
    "http://127.0.0.1:9/-/asset_publisher/abc/content/tin-việt-nam",
    "/-/asset_publisher/abc/content/tin-vie\u0302\u0323t",
    "/-/asset_publisher/abc/content/tin%c3%a1-b",
    "/-/asset_publisher/abc/content/tin a b",
    " /-/asset_publisher/abc/content/sp ",
    "/-/asset_publisher/abc/content/x?a=1&amp;b=2",
    "/-/asset_publisher/abc/content/t\tab",
    "\\-\\asset_publisher\\abc\\content\\bs",
    "//127.0.0.1:9/-/asset_publisher/abc/content/schemerel",
    "http://xn--bcher-kva.example/-/asset_publisher/a/content/idn",
    "http://bücher.example/-/asset_publisher/a/content/idn2",
    "http://[::1]:80/-/asset_publisher/a/content/ipv6",
    "http://[::1/-/asset_publisher/a/content/bad-ipv6",
    "/-/asset_publisher/abc/content/id/12345",
    "/-/asset_publisher/abc/content/id/12345/extra",
    "/-/tin-friendly",
    "/web/guest/-/tin-friendly2/",
    "/web/guest/-/content/tin-friendly3?x=1#y",
    "/w/slug-w",
    "/-/asset_publisher",
    "/-/search/",
    "/c/journal/view_article_content?groupId=1&articleId=99&x=y",
    "/web/guest/tin?p_p_id=56_INSTANCE_x&_56_INSTANCE_x_articleId=7&p_p_lifecycle=0",
    "/web/guest/tin?p_p_id=x&_x_urlTitle=abc+def%20g",
    "/Pages/ChiTietTin.aspx?ItemID=5&l=1",
    "/pages/chitiettin.aspx?itemid=6",
    "/web/guest/t?p_p_id=B&_B_newsId=12&p_p_state=normal",
    "/-/asset_publisher/abc/content/x;jsessionid=1",
    "/-/asset_publisher/abc/content/<x>",
    '/-/asset_publisher/abc/content/q"q',
    "/-/asset_publisher/abc/content/a~b!$'()*+,=:@",
    "/-/asset_publisher/abc/content/x?",
    "/-/asset_publisher/abc/content/x#",
    "/-/asset_publisher/abc/content/x\n",
    "/-/asset_publisher/ABC/content/UPPER",
    "?q=1",
    "#",
    "",
    "javascript:void(0)",
    "mailto:a@b",
    "ftp://127.0.0.1/-/asset_publisher/a/content/ftp",
    "http://127.0.0.1:9",
    "http://127.0.0.1:9?x=1",
)


def _parsers() -> list[LiferayFamilyParser]:
    found: list[LiferayFamilyParser] = []
    for cls in LIFERAY_PARSERS.values():
        assert issubclass(cls, LiferayFamilyParser)
        found += [
            cls(BASE, {}),
            cls(BASE, {"strip_asset_layout": True}),
            cls(BASE, {"strip_asset_layout": False}),
        ]
    return found


def _slow_link(parser: LiferayFamilyParser, href: str | None, page_url: str) -> str | None:
    """What every listing link went through before the fast path."""
    link = absolute_url(href, page_url)
    if not link or not parser.is_article_url(link):
        return None
    return parser.canonical_url(link)


def test_listing_links_are_byte_identical_to_the_slow_path() -> None:
    fast = 0
    for parser in _parsers():
        for page_url in PAGE_URLS:
            for href in HREFS:
                want = _slow_link(parser, href, page_url)
                assert parser.listing_link(href, page_url) == want, (type(parser).__name__, href, page_url)
                fast += want is not None
    assert fast > 100  # the set reaches the article branches, not only the refusals


_SEGMENT = st.sampled_from(
    ["-", "w", "content", "asset_publisher", "abc", "id", "123", "tin-tuc", "web", "guest", "", ".", "..",
     "Tin", "việt", "a%2fb", "a%C3%A1", "a b", "x;y", "~a", "search", "a:b", "a@b", "(x)", "a+b"]
)  # fmt: skip
_HOST = st.sampled_from(
    [
        "127.0.0.1:9",
        "Example.COM",
        "example.com:80",
        "example.com:443",
        "example.com.",
        "u@h.vn",
        "bücher.vn",
        "",
    ]
)


@settings(max_examples=400, deadline=None)
@given(
    scheme=st.sampled_from(["http://", "https://", "HTTP://", "//", "", "/"]),
    host=_HOST,
    segments=st.lists(_SEGMENT, max_size=7),
    query=st.sampled_from(["", "?", "?a=1", "?redirect=%2Fx&_p_cur=2", "?a=/../b", "?x=http://y/z"]),
    fragment=st.sampled_from(["", "#", "#top"]),
)
def test_listing_links_match_the_slow_path_on_generated_urls(
    scheme: str, host: str, segments: list[str], query: str, fragment: str
) -> None:
    href = scheme + (host if scheme.endswith("//") else "") + "/".join(segments) + query + fragment
    for parser in _parsers():
        for page_url in PAGE_URLS[:2]:
            assert parser.listing_link(href, page_url) == _slow_link(parser, href, page_url), href


@given(st.text(alphabet="./?a:", max_size=12))
def test_the_dot_segment_precheck_agrees_with_the_regex(s: str) -> None:
    assert _dot_segments(s) == (_DOT_SEGMENT_RE.search(s) is not None)


# ---------------------------------------------------------------- per-item selection

_PAGES = {
    "flat": """<div class="box"><div class="it"><h3 class="t"><a href="/1">1</a></h3>
        <span class="d">1</span></div><div class="it"><a href="/2">2</a></div><div class="it"></div>
        <p><a href="/pager">p</a></p></div>""",
    # Items inside items: a match belongs to every item above it.
    "nested": """<div class="box"><div class="it"><h3 class="t"><a href="/1">1</a></h3>
        <div class="it"><h3 class="t"><a href="/2">2</a></h3><span class="d">2</span></div>
        <span class="d">1</span></div><div class="it"><a href="/3">3</a></div></div>""",
    # The chain ".t a" may start above an item (the container, a wrapper between): item by item.
    "chain-above": """<div class="box t"><ul class="t"><li class="it"><a href="/1">1</a></li>
        <li class="it"><h3 class="t"><a href="/2">2</a></h3></li></ul></div>""",
    "chain-wrapper": """<div class="box"><section class="t"><div class="it"><a href="/1">1</a></div></section>
        <div class="it"><h3 class="t"><a href="/2">2</a></h3><b class="d">x</b></div></div>""",
    # The container is itself an item.
    "container-item": """<div class="box it"><div class="it"><a href="/1">1</a></div>
        <a href="/0">0</a></div>""",
    "siblings": """<div class="box"><div class="it"><span class="d">1</span><a href="/1">1</a></div>
        <div class="it"><a href="/2">2</a><span class="d">2</span></div></div>""",
    # An item matching the selector itself (lexbor's item.css lists the item).
    "self": """<div class="box"><a class="it t" href="/1">1</a>
        <div class="it"><a href="/2">2</a></div></div>""",
}
_SELECTOR_CHAINS = (
    (".t a", "a"),
    (".d", ".t", "span"),
    ("h3 a, .d", "a"),
    ("div > a", ".t > a", "a"),
    (".d + a", ".d ~ a", "a"),
    (".it", "a.it, .d"),
    (".nothing",),
    (".box .it a", "a"),
)


@pytest.mark.parametrize("name", sorted(_PAGES))
def test_per_item_selection_is_select_on_each_item(name: str) -> None:
    doc = parse_document(f"<html><body>{_PAGES[name]}</body></html>")
    container = doc.css_first(".box")
    assert container is not None
    items = css_within(container, ".it")
    assert items
    for selectors in _SELECTOR_CHAINS:
        want = [[n.mem_id for n in select(item, selectors)] for item in items]
        got = [[n.mem_id for n in found] for found in per_item(container, items, selectors)]
        assert got == want, (name, selectors)


def test_listing_items_are_paired_with_their_own_dates() -> None:
    items = "".join(
        '<div class="asset-abstract"><h3 class="asset-title">'
        f'<a href="/-/asset_publisher/a/content/t-{n}">t</a></h3>'
        f'<span class="metadata-publish-date">{n % 28 + 1:02d}/05/2024</span></div>'
        for n in range(300)
    )
    html = f'<html><body><div class="portlet-asset-publisher">{items}</div></body></html>'
    listing = LIFERAY_PARSERS["liferay-adt"](BASE, {}).parse_listing(html, BASE + "/tin-tuc")
    assert len(listing.article_urls) == 300
    for url in listing.article_urls:
        n = int(re.sub(r".*-", "", url))
        assert listing.dates[url] == f"2024-05-{n % 28 + 1:02d}"


# ---------------------------------------------------------------- WordPress

_WP_HREFS = (
    *HREFS,
    "/?p=123",
    "/index.php?p=5&x=1",
    "/index.php/",
    "//",
    "/2024/05/slug/",
    "/2024/05/slug",
    "/2024/05/",
    "/category/x/",
    "/slug-hoa/?utm_source=a",
    "/Slug-Hoa/#c",
    "/wp-content/uploads/a.jpg",
    "/feed/",
    "/a/page/2/",
    "/tin/amp/",
    "http://other.vn/2024/05/slug/",
    "http://127.0.0.1:9/2024/05/slug/",
    "http://127.0.0.1:80/slug/",
    "https://127.0.0.1:9/slug/?p=1",
    "http://Example.COM/slug/",
)


def _wp_slow_link(parser: WordPressParser, href: str | None, url: str, hosts: set[str | None]) -> str | None:
    link = absolute_url(href, url)
    if not link or urlsplit(link).hostname not in hosts or not parser.is_article_url(link):
        return None
    return parser.canonical_url(link)


@pytest.mark.parametrize("template", sorted(WORDPRESS_PARSERS))
def test_wordpress_listing_links_are_byte_identical_to_the_slow_path(template: str) -> None:
    parser = WORDPRESS_PARSERS[template](BASE, {})
    assert isinstance(parser, WordPressParser)
    fast = 0
    for url in (BASE + "/", "https://example.com/category/x/page/2/", "http://127.0.0.1:9/a/b"):
        hosts = {urlsplit(url).hostname, urlsplit(parser.base_url).hostname}
        for href in _WP_HREFS:
            want = _wp_slow_link(parser, href, url, hosts)
            assert parser._listing_link(href, url, hosts) == want, (href, url)
            fast += want is not None
    assert fast > 50


_WP_LOOPS = {
    "clean": "<main><article><h2 class='entry-title'><a href='/a-b-c/'>1</a></h2></article></main>",
    "nav-in-main": """<main><article><h2 class="entry-title"><a href="/a-b-c/">1</a></h2></article>
        <nav><article><h2 class="entry-title"><a href="/d-e-f/">2</a></h2></article></nav></main>""",
    "widget-class": """<main><div class="x Widget"><article class="post"><h2 class="entry-title">
        <a href="/a-b-c/">1</a></h2></article></div><div class="widget"><article><h2 class="entry-title">
        <a href="/g-h-i/">3</a></h2></article></div></main>""",
    "sidebar-id": """<main><div id="sidebar-2"><article><h2><a href="/a-b-c/">1</a></h2></article></div>
        <div id="sidebar"><article><h2><a href="/d-e-f/">2</a></h2></article></div></main>""",
    "scope-in-aside": """<aside><main><article><h2><a href="/a-b-c/">1</a></h2></article></main></aside>""",
    "scope-is-widget": """<main class="widget"><article><h2><a href="/a-b-c/">1</a></h2></article></main>""",
}


@pytest.mark.parametrize("name", sorted(_WP_LOOPS))
def test_wordpress_loop_links_are_those_without_a_not_loop_ancestor(name: str) -> None:
    html = f"<html><body>{_WP_LOOPS[name]}</body></html>"
    parser = WORDPRESS_PARSERS["wp-newspaper"](BASE, {})
    doc = parse_document(html)
    links = doc.css(", ".join(parser.listing_item_selectors))
    inside = [a.attrs.get("href") for a in links if not any(_not_loop(anc) for anc in ancestors(a))]
    want = [BASE + href for href in dict.fromkeys(inside)]
    assert parser.parse_listing(html, BASE + "/").article_urls == want


# ---------------------------------------------------------------- generic


# The article-path regex the generic parser used (quadratic in a segment's length): the reference.
_ARTICLE_PATH = re.compile(r"/[^/?#]*(?:[a-z0-9]+-){3,}[^/?#]*|/[^/?#]*\d{4,}[^/?#]*$", re.IGNORECASE)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.text(alphabet="aZ09-_.~", max_size=12), min_size=1, max_size=5))
def test_article_path_is_the_article_path_regex(segments: list[str]) -> None:
    path = "/" + "/".join(segments)
    assert article_path(path) == (_ARTICLE_PATH.search(path) is not None), path


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="aZ09-/%éĐ٣ſK ", max_size=30))
def test_article_path_is_the_regex_on_any_path(path: str) -> None:
    # Non-ASCII letters and digits ("٣" is a digit, "ſ" and the Kelvin sign fold to ASCII letters
    # under IGNORECASE), percent signs, spaces, and paths without a leading "/".
    assert article_path(path) == (_ARTICLE_PATH.search(path) is not None), path


def test_article_path_is_linear_in_a_long_segment() -> None:
    # The regex took ~0.3 s on one 4,000-character segment; 400,000 characters here.
    segment = "a-b" + "x" * 200_000 + "é" + "ab" * 100_000
    assert article_path("/" + segment) is False
    assert article_path("/" + segment + "-c-d-e") is True


def test_generic_listing_links_are_byte_identical_to_the_slow_path() -> None:
    hrefs = (
        *_WP_HREFS,
        *(h + "x-y-z-1234" for h in _WP_HREFS),
        "/tin-tuc/hoi-nghi-ban-chap-hanh",
        "/tin/12345",
        "/12345/x",
        "/a-b-c-d?x=1",
        "/A-B-C/",
    )
    page = "".join(f'<a href="{escape(h)}">x</a>' for h in hrefs)
    parser = GenericParser(BASE, {})
    for url in (BASE + "/", "https://Example.com/category/x/page/2/", "http://127.0.0.1:9/a/b"):
        host = urlsplit(url).hostname
        want: dict[str, None] = {}
        for h in hrefs:
            link = absolute_url(h, url)
            if link and urlsplit(link).hostname == host and parser.is_article_url(link):
                want.setdefault(parser.canonical_url(link), None)
        assert len(want) > 30
        assert parser.parse_listing(f"<html><body>{page}</body></html>", url).article_urls == list(want)
