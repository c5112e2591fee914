"""WordPress family: theme parsers, REST/sitemap/RSS discovery and the replica renderers.

Data (all under tests/, nothing read from /work/shared at run time):
    golden/<khoicq|gialai>/<case>/        pages run through the parser directly (output must be final)
    golden_rest/<site>/<case>/            post.json (one REST entry), optional page.html (else the golden/
                                          case of the same name), expected.json and, with a page,
                                          rest_only.json: the fields REST alone gives differently
    golden_parsers/<template>/<case>/     generic "wordpress" and "wp-jannah" pages (no registry site)
    wp_fixtures/<site>/                   the reference sites' REST page, feed, sitemap and listings
    sites/<site>/                         replica site.json + articles.json
"""

from __future__ import annotations

import gzip
import json
import re
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import lxml.html
import pytest

from crawler.items import Article
from crawler.normalize.article import normalize_article
from crawler.normalize.text import clean_text
from crawler.parsers.base import ParseError
from crawler.parsers.wordpress import WORDPRESS_PARSERS, WordPressParser
from crawler.parsers.wp_discovery import (
    is_wp_article_url,
    parse_rest_posts,
    parse_rss,
    parse_sitemap,
    parse_sitemap_index,
    rest_total_pages,
    wp_canonical_url,
)
from crawler.sites import SITES, site_for_url
from replica.model import ReplicaArticle
from replica.sites.wordpress import RENDERERS, WordPressRenderer

TESTS = Path(__file__).parent
WP_SITES = ("khoicq", "gialai")
# What a REST entry alone always gives; a case's rest_only.json may only change the other fields.
REST_FIELDS = ("url", "title", "published_at", "modified_at", "body", "attachments", "source_id")
PAGE_ONLY_FIELDS = {"author", "lead", "category", "tags", "images", "captions"}
COMPARED = (*REST_FIELDS, "lead", "captions", "images", "author", "category", "tags")


def _load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _parser(site_key: str, base: str | None = None) -> WordPressParser:
    site = SITES[site_key]
    parser = WORDPRESS_PARSERS[site.template](base or site.base_url, site.options)
    assert isinstance(parser, WordPressParser)
    return parser


def _mismatch(item: dict[str, Any], expected: dict[str, Any]) -> dict[str, Any]:
    return {k: {"got": item.get(k), "want": v} for k, v in expected.items() if item.get(k) != v}


# -- golden pages through the parser directly (the lead's test_golden runs them via extract_page) ----

GOLDEN_PAGES = sorted(
    p for s in WP_SITES for p in (TESTS / "golden" / s).glob("*") if (p / "expected.json").exists()
)


@pytest.mark.parametrize("case", GOLDEN_PAGES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_golden_page_parser_output_is_final(case: Path) -> None:
    url = (case / "url.txt").read_text(encoding="utf-8").strip()
    site = site_for_url(url)
    html = (case / "page.html").read_bytes().decode("utf-8")
    article = _parser(site.key).parse_article(html, url)
    assert article is not None
    article.site = site.site_name
    item = asdict(article)
    assert not _mismatch(item, _load(case / "expected.json"))
    normalized = asdict(normalize_article(Article(**item)))
    assert {k: normalized[k] for k in COMPARED} == {k: item[k] for k in COMPARED}, "normalization changed it"


def test_every_wp_site_has_its_own_cases() -> None:
    for site in WP_SITES:
        names = {p.name for p in (TESTS / "golden" / site).iterdir()}
        assert "reference" in names and len(names) >= 4


# -- REST entries ---------------------------------------------------------------------------------

REST_CASES = sorted(p for p in (TESTS / "golden_rest").glob("*/*") if (p / "post.json").exists())


@pytest.mark.parametrize("case", REST_CASES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_golden_rest_entry(case: Path) -> None:
    site = SITES[case.parent.name]
    parser = _parser(site.key)
    post = _load(case / "post.json")
    expected = _load(case / "expected.json")
    # A REST case uses its own page.html, or the HTML golden case of the same name (one copy).
    page = case / "page.html"
    if not page.exists():
        page = TESTS / "golden" / case.parent.name / case.name / "page.html"
    if page.exists():
        html = page.read_text(encoding="utf-8")
        with_page = parser.parse_rest_post(post, html, expected["url"])
        with_page.site = site.site_name
        assert not _mismatch(asdict(with_page), expected), "REST entry + page"
        overrides = _load(case / "rest_only.json")
        assert set(overrides) <= PAGE_ONLY_FIELDS, "REST alone must give every REST_FIELDS value"
        expected = {**expected, **overrides}
    alone = parser.parse_rest_post(post, None, None)
    alone.site = site.site_name
    assert not _mismatch(asdict(alone), expected), "REST entry alone"


def test_rest_reference_equals_page_reference() -> None:
    for site in WP_SITES:
        page_expected = _load(TESTS / "golden" / site / "reference" / "expected.json")
        rest_expected = _load(TESTS / "golden_rest" / site / "reference" / "expected.json")
        assert page_expected == rest_expected


# -- generic and Jannah parsers -------------------------------------------------------------------

PARSER_CASES = sorted(p for p in (TESTS / "golden_parsers").glob("*/*") if (p / "expected.json").exists())


@pytest.mark.parametrize("case", PARSER_CASES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_golden_parser_case(case: Path) -> None:
    url = (case / "url.txt").read_text(encoding="utf-8").strip()
    parts = urlsplit(url)
    parser = WORDPRESS_PARSERS[case.parent.name](f"{parts.scheme}://{parts.netloc}", {})
    article = parser.parse_article((case / "page.html").read_text(encoding="utf-8"), url)
    assert article is not None
    assert not _mismatch(asdict(article), _load(case / "expected.json"))


def test_parsers_registered() -> None:
    assert set(WORDPRESS_PARSERS) == {"wordpress", "wp-newspaper", "wp-sahifa", "wp-jannah"}
    for key, cls in WORDPRESS_PARSERS.items():
        assert cls.template == key and issubclass(cls, WordPressParser)


def test_jannah_listing() -> None:
    html = """<html><body class="archive category"><div class="main-content">
    <ul id="posts-container" class="posts-items">
    <li class="post-item tie-standard"><div class="post-details">
    <div class="post-meta"><span class="date meta-item">14/05/2024</span></div>
    <h2 class="post-title"><a href="https://x.vn/bai-mot/">Một</a></h2></div></li>
    <li class="post-item tie-standard"><div class="post-details">
    <h2 class="post-title"><a href="/bai-hai/?utm_source=a">Hai</a></h2></div></li></ul>
    <div class="pages-nav"><ul class="pages-numbers">
    <li class="the-next-page"><a href="https://x.vn/category/tin/page/2/">Next</a></li></ul></div></div>
    <aside class="sidebar"><div class="widget"><a class="post-title" href="https://x.vn/widget-post/">W</a></div></aside>
    </body></html>"""
    listing = WORDPRESS_PARSERS["wp-jannah"]("https://x.vn", {}).parse_listing(
        html, "https://x.vn/category/tin/"
    )
    assert listing.article_urls == ["https://x.vn/bai-mot/", "https://x.vn/bai-hai/"]
    assert listing.next_page == "https://x.vn/category/tin/page/2/"
    assert listing.dates == {"https://x.vn/bai-mot/": "2024-05-14"}


def test_non_article_pages_give_none() -> None:
    for site in WP_SITES:
        html = (TESTS / "wp_fixtures" / site / "listing.html").read_text(encoding="utf-8")
        url = (TESTS / "wp_fixtures" / site / "listing.url").read_text(encoding="utf-8").strip()
        assert _parser(site).parse_article(html, url) is None


# -- reference listings, REST page, feed and sitemap ------------------------------------------------


def _fixture(site: str, name: str) -> bytes:
    return (TESTS / "wp_fixtures" / site / name).read_bytes()


def _fixture_url(site: str, name: str) -> str:
    return (TESTS / "wp_fixtures" / site / f"{name}.url").read_text(encoding="utf-8").strip()


@pytest.mark.parametrize("site", WP_SITES)
def test_reference_listings(site: str) -> None:
    parser = _parser(site)
    first = parser.parse_listing(_fixture(site, "listing.html").decode(), _fixture_url(site, "listing"))
    second = parser.parse_listing(_fixture(site, "listing-2.html").decode(), _fixture_url(site, "listing-2"))
    assert len(first.article_urls) == 10 and len(set(first.article_urls)) == 10
    assert first.next_page == _fixture_url(site, "listing-2")
    assert second.next_page is None
    assert not set(first.article_urls) & set(second.article_urls)
    assert set(first.dates) == set(first.article_urls)
    rest = parse_rest_posts(_fixture(site, "wp-json-posts-page1.json"), SITES[site].base_url)
    assert first.article_urls == [p["link"] for p in rest], (
        "the loop lists the newest posts, widgets excluded"
    )


@pytest.mark.parametrize(
    ("site", "first_id", "published", "modified"),
    [
        # khoicq's WordPress time zone is UTC: date == date_gmt == the local wall clock
        ("khoicq", 2270, "2018-03-12T08:35:02+07:00", "2018-03-12T08:52:02+07:00"),
        ("gialai", 12531, "2023-04-26T15:10:42+07:00", "2023-04-26T15:17:13+07:00"),
    ],
)
def test_reference_rest_feed_sitemap(site: str, first_id: int, published: str, modified: str) -> None:
    wall = bool(SITES[site].options.get("wp_timezone_is_wall_time"))
    base = SITES[site].base_url
    posts = parse_rest_posts(_fixture(site, "wp-json-posts-page1.json"), base, wall_time=wall)
    assert len(posts) == 10 and posts[0]["id"] == first_id
    assert (posts[0]["published_at"], posts[0]["modified_at"]) == (published, modified)
    assert all(p["post"]["id"] == p["id"] for p in posts)
    feed = parse_rss(_fixture(site, "feed.xml"), base, wall_time=wall)
    assert [u for u, _ in feed] == [p["link"] for p in posts]
    assert [d for _, d in feed] == [p["published_at"] for p in posts]
    sitemap = parse_sitemap(_fixture(site, "wp-sitemap-posts-post-1.xml"), base, wall_time=wall)
    urls = [u for u, _ in sitemap]
    assert len(urls) == len(set(urls)) and {p["link"] for p in posts} <= set(urls)


def test_sitemap_lastmod_is_converted() -> None:
    sitemap = dict(parse_sitemap(_fixture("gialai", "wp-sitemap-posts-post-1.xml"), SITES["gialai"].base_url))
    url = "https://dangbokhoi.gialai.gov.vn/thong-bao-lich-tiep-cong-dan-thang-2-2023/"
    assert sitemap[url] == "2023-01-31T14:26:45+07:00"  # 07:26:45+00:00 UTC
    khoicq = parse_sitemap(_fixture("khoicq", "wp-sitemap-posts-post-1.xml"), "https://x")
    assert {lastmod for _, lastmod in khoicq} == {None}  # WordPress 5.6 core sitemaps have no lastmod


def test_sitemap_index_and_gzip() -> None:
    index = (
        b'<?xml version="1.0" encoding="UTF-8"?>'
        b'<?xml-stylesheet type="text/xsl" href="/wp-sitemap-index.xsl" ?>'
        b'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        b"<sitemap><loc>https://a.vn/wp-sitemap-posts-post-1.xml</loc></sitemap>"
        b"<sitemap><loc>/wp-sitemap-taxonomies-category-1.xml</loc></sitemap></sitemapindex>"
    )
    assert parse_sitemap_index(index, "https://a.vn") == [
        "https://a.vn/wp-sitemap-posts-post-1.xml",
        "https://a.vn/wp-sitemap-taxonomies-category-1.xml",
    ]
    assert parse_sitemap(index, "https://a.vn") == []
    urlset = _fixture("gialai", "wp-sitemap-posts-post-1.xml")
    assert parse_sitemap_index(urlset, "https://a.vn") == []
    assert parse_sitemap(gzip.compress(urlset), "https://a.vn") == parse_sitemap(urlset, "https://a.vn")


BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">]>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>https://a.vn/&lol2;/</loc></url></urlset>"""
XXE = b"""<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<rss version="2.0"><channel><item><link>https://a.vn/&x;/</link></item></channel></rss>"""


@pytest.mark.parametrize("func", [parse_sitemap, parse_sitemap_index, parse_rss])
@pytest.mark.parametrize("doc", [BOMB, XXE], ids=["billion-laughs", "external-entity"])
def test_entity_declarations_are_refused(func: Any, doc: bytes) -> None:
    with pytest.raises(ParseError, match="entit"):
        func(doc, "https://a.vn")


@pytest.mark.parametrize(
    "doc", [b"<html><body>not xml", b"", b"<?xml version='1.0'?><foo/>"], ids=["html", "empty", "other-root"]
)
def test_bad_xml_is_a_parse_error(doc: bytes) -> None:
    for func in (parse_sitemap, parse_sitemap_index, parse_rss):
        with pytest.raises(ParseError):
            func(doc, "https://a.vn")


def test_rest_errors_and_headers() -> None:
    with pytest.raises(ParseError, match="rest_cannot_access"):
        parse_rest_posts(
            b'{"code":"rest_cannot_access","message":"no","data":{"status":403}}', "https://a.vn"
        )
    with pytest.raises(ParseError):
        parse_rest_posts(b"<html>", "https://a.vn")
    assert parse_rest_posts(b"[]", "https://a.vn") == []
    assert rest_total_pages({b"X-WP-TotalPages": [b"3"]}) == 3
    assert rest_total_pages({"x-wp-totalpages": "12", "X-WP-Total": "117"}) == 12
    assert rest_total_pages({"X-WP-Total": "5"}) is None
    assert rest_total_pages({"X-WP-TotalPages": "abc"}) is None


@pytest.mark.parametrize(
    ("url", "canonical", "is_article"),
    [
        ("https://A.vn/2018/02/bai-viet/?utm_source=zalo#respond", "https://a.vn/2018/02/bai-viet/", True),
        ("https://a.vn/bai-viet/?fbclid=x&amp=1", "https://a.vn/bai-viet/", True),
        ("https://a.vn/?p=123&utm_medium=social", "https://a.vn/?p=123", True),
        ("https://a.vn/index.php?p=123", "https://a.vn/index.php?p=123", True),
        ("https://a.vn/tin-tuc/bai-viet/", "https://a.vn/tin-tuc/bai-viet/", True),
        ("https://a.vn/2018/02/", "https://a.vn/2018/02/", False),
        ("https://a.vn/category/tin-tuc/page/2/", "https://a.vn/category/tin-tuc/page/2/", False),
        ("https://a.vn/tag/dang/", "https://a.vn/tag/dang/", False),
        ("https://a.vn/author/admin/", "https://a.vn/author/admin/", False),
        ("https://a.vn/bai-viet/feed/", "https://a.vn/bai-viet/feed/", False),
        (
            "https://a.vn/wp-content/uploads/2018/02/a.jpg",
            "https://a.vn/wp-content/uploads/2018/02/a.jpg",
            False,
        ),
        ("https://a.vn/wp-json/wp/v2/posts", "https://a.vn/wp-json/wp/v2/posts", False),
        ("https://a.vn/", "https://a.vn/", False),
    ],
)
def test_urls(url: str, canonical: str, is_article: bool) -> None:
    assert wp_canonical_url(url) == canonical
    assert is_wp_article_url(url) is is_article


# -- replica: rendered pages and REST entries parse back to the articles' content -------------------

BASE = "http://127.0.0.1:8765"


def _replica(site: str, **options: Any) -> WordPressRenderer:
    cfg = _load(TESTS / "sites" / site / "site.json")
    assert cfg["site"] == site
    articles = []
    for raw in _load(TESTS / "sites" / site / "articles.json"):
        data = dict(raw)
        data["published"] = datetime.fromisoformat(data["published"])
        data["modified"] = datetime.fromisoformat(data["modified"]) if data.get("modified") else None
        articles.append(ReplicaArticle(**data))
    return RENDERERS[cfg["renderer"]](articles, BASE, {**cfg["options"], **options})


def _fragment_texts(fragment: str) -> list[str]:
    """What a reader sees in one body block: list items and quoted paragraphs one by one."""
    root = lxml.html.fragment_fromstring(fragment, create_parent="div")[0]
    if root.tag in ("ul", "ol"):
        nodes = list(root.iter("li"))
    elif root.tag == "blockquote" and root.find("p") is not None:
        nodes = list(root.iter("p"))
    else:
        nodes = [root]
    return [t for t in (clean_text(n.text_content()) for n in nodes) if t]


def _expected(r: WordPressRenderer, post: Any) -> dict[str, Any]:
    a: ReplicaArticle = post.article
    last = max(len(a.body) - 1, 0)
    order = sorted(range(len(a.images)), key=lambda i: (min(int(a.images[i].get("after", i * 3)), last), i))
    images = [
        {"src": BASE + a.images[i]["src"], "caption": clean_text(a.images[i]["caption"]) or None}
        for i in order
    ]
    return {
        "url": post.url,
        "title": clean_text(a.title),
        "published_at": a.published.isoformat() + "+07:00",
        "modified_at": (a.modified or a.published).isoformat() + "+07:00",
        "lead": a.lead if r.supports_lead else None,
        "body": [t for block in a.body for t in _fragment_texts(block)],
        "captions": [i["caption"] for i in images if i["caption"]],
        "images": images,
        "author": a.extra.get("printed_byline") or post.author,
        "attachments": [BASE + x["href"] for x in a.attachments],
        "category": post.category,
        "tags": a.tags,
        "source_id": f"wp:{a.id}",
    }


def _rest(r: WordPressRenderer, **query: str) -> tuple[int, dict[str, str], Any]:
    page = r.handle("/wp-json/wp/v2/posts", {k: [v] for k, v in query.items()})
    assert page is not None
    return page.status, page.headers, json.loads(page.bytes())


@pytest.mark.parametrize("site", WP_SITES)
def test_replica_pages_and_rest_entries_parse_back(site: str) -> None:
    r = _replica(site)
    parser = _parser(site, BASE)
    assert len(r.posts) >= 12
    assert any(p.article.extra.get("reference") for p in r.posts)
    status, _, entries = _rest(r, per_page="100")
    by_id = {e["id"]: e for e in entries}
    assert status == 200 and len(entries) == len(r.posts)
    for post in r.posts:
        expected = _expected(r, post)
        page = r.handle(post.path, {})
        assert page is not None and page.status == 200
        html = page.bytes().decode("utf-8")
        article = parser.parse_article(html, post.url)
        assert article is not None
        assert not _mismatch(asdict(article), expected), f"page {post.path}"
        entry = by_id[post.id]
        assert not _mismatch(asdict(parser.parse_rest_post(entry, html, post.url)), expected), "REST + page"
        alone = {**expected, "category": None, "tags": []}  # no ?_embed: term names need the page
        assert not _mismatch(asdict(parser.parse_rest_post(entry, None, None)), alone), "REST alone"


@pytest.mark.parametrize("site", WP_SITES)
def test_replica_reference_article_matches_reference_expectation(site: str) -> None:
    r = _replica(site)
    post = next(p for p in r.posts if p.article.extra.get("reference"))
    ref = _load(TESTS / "golden" / site / "reference" / "expected.json")
    article = _parser(site, BASE).parse_article(r.handle(post.path, {}).bytes().decode(), post.url)
    assert article is not None
    real = SITES[site].base_url
    images = [{**i, "src": i["src"].replace(BASE, real)} for i in article.images]
    assert (article.title, article.published_at, article.body, article.captions, images, article.author) == (
        ref["title"],
        ref["published_at"],
        ref["body"],
        ref["captions"],
        ref["images"],
        ref["author"],
    )


@pytest.mark.parametrize("site", WP_SITES)
def test_replica_discovery_finds_every_article_once(site: str) -> None:
    r = _replica(site)
    parser = _parser(site, BASE)
    wall = bool(SITES[site].options.get("wp_timezone_is_wall_time"))
    listed = r.listed_urls()
    assert len(listed) == len(set(listed)) == len(r.posts)
    published = {p.url: p.article.published.isoformat() + "+07:00" for p in r.posts}
    modified = {p.url: (p.article.modified or p.article.published).isoformat() + "+07:00" for p in r.posts}

    # REST, 5 per page, following X-WP-TotalPages
    seen: list[str] = []
    page, total = 1, None
    while total is None or page <= total:
        status, headers, _ = _rest(r, per_page="5", page=str(page))
        body = r.handle("/wp-json/wp/v2/posts", {"per_page": ["5"], "page": [str(page)]})
        assert status == 200 and body is not None
        posts = parse_rest_posts(body.bytes(), BASE, wall_time=wall)
        assert all(p["published_at"] == published[p["link"]] for p in posts)
        seen += [p["link"] for p in posts]
        total = rest_total_pages(headers)
        assert total is not None and headers["X-WP-Total"] == str(len(r.posts))
        page += 1
    assert sorted(seen) == sorted(listed) and len(seen) == len(set(seen))
    status, _, _ = _rest(r, per_page="5", page=str(page))
    assert status == 400  # past the last page, as WordPress answers

    # sitemap index -> post sitemaps (the category sitemap lists no article)
    index = r.handle("/wp-sitemap.xml", {})
    assert index is not None
    found: list[tuple[str, str | None]] = []
    for url in parse_sitemap_index(index.bytes(), BASE):
        sub = r.handle(urlsplit(url).path, {})
        assert sub is not None
        found += [
            (u, m) for u, m in parse_sitemap(sub.bytes(), BASE, wall_time=wall) if parser.is_article_url(u)
        ]
    assert sorted(u for u, _ in found) == sorted(listed) and len(found) == len(listed)
    assert all(m == modified[u] for u, m in found)

    # RSS: the 10 newest, each once, with their publication time
    feed = r.handle("/feed/", {})
    assert feed is not None
    items = parse_rss(feed.bytes(), BASE, wall_time=wall)
    assert [u for u, _ in items] == listed[:10]
    assert all(d == published[u] for u, d in items)

    # category listing, following next pages (5 per page), sidebar/related widgets ignored
    slug = r.posts[0].category_slug
    url: str | None = f"{BASE}/category/{slug}/"
    collected: list[str] = []
    pages = 0
    while url:
        page_obj = r.handle(urlsplit(url).path, {})
        assert page_obj is not None and page_obj.status == 200
        listing = parser.parse_listing(page_obj.bytes().decode(), url)
        assert 0 < len(listing.article_urls) <= 5
        assert all(listing.dates[u][:10] == published[u][:10] for u in listing.article_urls)
        collected += listing.article_urls
        url = listing.next_page
        pages += 1
    assert collected == listed and pages == -(-len(listed) // 5)


def test_replica_timezone_trap() -> None:
    khoicq, gialai = _replica("khoicq"), _replica("gialai")
    post = khoicq.posts[0]
    html = khoicq.handle(post.path, {}).bytes().decode()
    stamp = post.article.published.strftime("%Y-%m-%dT%H:%M:%S")
    assert f'datetime="{stamp}+00:00"' in html and f'content="{stamp}+00:00"' in html
    entry = khoicq.rest_entry(post)
    assert entry["date"] == entry["date_gmt"] == stamp
    g = gialai.rest_entry(gialai.posts[0])
    assert datetime.fromisoformat(g["date"]) - datetime.fromisoformat(g["date_gmt"]) == (
        datetime(2000, 1, 1, 7) - datetime(2000, 1, 1)
    )
    assert "+07:00" in gialai.handle(gialai.posts[0].path, {}).bytes().decode()


@pytest.mark.parametrize("site", WP_SITES)
def test_replica_rest_filters(site: str) -> None:
    r = _replica(site)
    pivot = r.posts[4]
    stamp = pivot.article.published.isoformat()
    _, headers, newer = _rest(r, per_page="100", after=stamp)
    assert [e["id"] for e in newer] == [p.id for p in r.posts[:4]] and headers["X-WP-Total"] == "4"
    _, _, older = _rest(r, per_page="100", before=stamp)
    assert [e["id"] for e in older] == [p.id for p in r.posts[5:]]
    by_mod = sorted(r.posts, key=lambda p: (p.modified_local, p.id), reverse=True)
    _, _, modified = _rest(r, per_page="100", orderby="modified", _fields="id,link,modified")
    assert [e["id"] for e in modified] == [p.id for p in by_mod]
    latest = by_mod[1].modified_local.isoformat()
    _, _, changed = _rest(r, per_page="100", modified_after=latest, orderby="modified")
    assert [e["id"] for e in changed] == [by_mod[0].id]
    _, _, asc = _rest(r, per_page="3", order="asc")
    assert [e["id"] for e in asc] == [p.id for p in reversed(r.posts)][:3]


@pytest.mark.parametrize("status", [401, 403, 404])
def test_replica_rest_can_be_closed(status: int) -> None:
    r = _replica("gialai", rest=status)
    page = r.handle("/wp-json/wp/v2/posts", {"per_page": ["10"]})
    assert page is not None and page.status == status
    with pytest.raises(ParseError):
        parse_rest_posts(page.bytes(), BASE)
    assert r.handle("/", {"rest_route": ["/wp/v2/posts"]}).status == status
    assert r.handle(r.posts[0].path, {}).status == 200  # pages are still served


@pytest.mark.parametrize("site", WP_SITES)
def test_replica_drift_variant_reads_the_page_body_from_the_post_article(site: str) -> None:
    """The drift variant renames the theme's content container: the parser reads the body from
    the single post's <article> (without its header, meta and chrome) and says so."""
    r = _replica(site, variant="drift")
    parser = _parser(site, BASE)
    post = next(p for p in r.posts if p.article.extra.get("reference"))
    html = r.handle(post.path, {}).bytes().decode()
    article = parser.parse_article(html, post.url)
    assert article is not None and article.title and article.published_at
    assert article.body == _expected(r, post)["body"], "the body, without chrome"
    assert article.extraction is not None and "body" in article.extraction["fallback"]
    assert parser.parse_rest_post(r.rest_entry(post), html, post.url).body == _expected(r, post)["body"]
    undrifted = _replica(site)
    plain = parser.parse_article(undrifted.handle(post.path, {}).bytes().decode(), post.url)
    assert plain is not None and plain.extraction == {
        "template": parser.template,
        "parser_version": parser.version,
        "fallback": [],
    }


@pytest.mark.parametrize("site", WP_SITES)
def test_replica_routes(site: str) -> None:
    r = _replica(site)
    post = r.posts[3]
    moved = r.handle("/", {"p": [str(post.id)]})
    assert moved is not None and moved.status == 301 and moved.headers["Location"] == post.url
    assert r.handle(post.path.rstrip("/"), {}).status == 301
    assert r.handle("/khong-ton-tai/", {}) is None
    assert r.handle(f"/category/{post.category_slug}/page/99/", {}) is None
    assert r.handle("/robots.txt", {}).bytes().endswith(b"/wp-sitemap.xml\n")
    single = r.handle(f"/wp-json/wp/v2/posts/{post.id}", {})
    assert json.loads(single.bytes())["link"] == post.url
    home = r.handle("/", {})
    assert _parser(site, BASE).parse_article(home.bytes().decode(), BASE + "/") is None
    for page in (home, r.handle(post.path, {})):
        assert re.search(rb"(?:href|src)=[\"']https://dangbok", page.bytes()) is None, (
            "links stay on the replica"
        )


def test_a_line_break_in_a_caption_reads_as_a_space() -> None:
    from crawler.parsers.wp_content import extract_content, fragment

    html = (
        '<figure class="wp-block-image"><img src="/a.jpg"><figcaption>Toàn cảnh<br>hội thảo</figcaption>'
        "</figure><p>Nội dung bài viết.</p>"
    )
    content = extract_content(fragment(html), "https://dangbokhoicq.ninhbinh.gov.vn/2018/03/x/", ())
    assert content.captions == ["Toàn cảnh hội thảo"]
    assert content.images == [
        {"src": "https://dangbokhoicq.ninhbinh.gov.vn/a.jpg", "caption": "Toàn cảnh hội thảo"}
    ]
    assert content.body == ["Nội dung bài viết."]


def test_a_listing_date_comes_from_the_loop_item_not_an_inner_block_holding_a_list() -> None:
    # The link's nearest ancestor holds a <li> of its own (a meta list): the loop item is still
    # the <article> around it, whose <time> gives the date.
    def item(slug: str, when: str) -> str:
        return (
            f'<article class="post"><div class="inner"><h2 class="entry-title">'
            f'<a href="https://example.vn/2023/03/{slug}/">{slug}</a></h2>'
            f'<ul class="meta"><li>Lượt xem: 5</li></ul></div><time datetime="{when}">x</time></article>'
        )

    html = (
        '<html><body class="archive"><main>'
        + item("bai-mot", "2023-03-01T08:00:00+07:00")
        + item("bai-hai", "2023-02-27T09:30:00+07:00")
        + "</main></body></html>"
    )
    listing = WORDPRESS_PARSERS["wordpress"]("https://example.vn").parse_listing(
        html, "https://example.vn/tin/"
    )
    assert listing.article_urls == [
        "https://example.vn/2023/03/bai-mot/",
        "https://example.vn/2023/03/bai-hai/",
    ]
    assert listing.dates == {
        "https://example.vn/2023/03/bai-mot/": "2023-03-01T08:00:00+07:00",
        "https://example.vn/2023/03/bai-hai/": "2023-02-27T09:30:00+07:00",
    }
