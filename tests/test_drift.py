"""A drifted replica: thaibinh's articles served under a changed journal template.

The `liferay-journal-drift` renderer (replica/sites/liferay.py) prints the date and the
paragraphs straight into `.journal-content-article`, without the `chi-tiet-tin` / `noi-dung`
wrappers of the `liferay-journal` parser's own selectors: the page of issue 12. Every article
must still be read, from the Liferay family's stock structure, and say so in
`extraction.fallback` (which the drift monitor reads to name the site and field).
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import jsonschema
from crawl_helpers import ROOT, feed_lines, run_crawl

from crawler.normalize.text import clean_text, decode_html
from crawler.parsers import parser_for
from crawler.sites import get_site
from replica.corpus import load_articles
from replica.model import ReplicaArticle
from replica.sites import renderer_for

KEY = "thaibinh"
DRIFT = "liferay-journal-drift"
ARTICLES = ROOT / "tests" / "sites" / KEY / "articles.json"
SCHEMA = jsonschema.Draft202012Validator(
    json.loads((ROOT / "schema" / "article.schema.json").read_text(encoding="utf-8"))
)
BASE = "http://127.0.0.1:8765"


def _paragraphs(a: ReplicaArticle) -> list[str]:
    """The body a reader sees: one paragraph per block of the article's HTML."""
    from selectolax.lexbor import LexborHTMLParser

    out: list[str] = []
    for fragment in a.body:
        root = LexborHTMLParser(f"<div>{fragment}</div>").css_first("div")
        assert root is not None
        items = root.css("li") or [root]
        out += [t for t in (clean_text(i.text(deep=True)) for i in items) if t]
    return out


def _drifted_page(renderer, url: str) -> str:
    parts = urlsplit(url)
    page = renderer.handle(parts.path, parse_qs(parts.query, keep_blank_values=True))
    assert page is not None, url
    return decode_html(page.bytes(), page.content_type)


def test_the_drifted_template_defeats_the_own_selectors_and_the_family_reads_every_field() -> None:
    articles = load_articles(ARTICLES)
    renderer = renderer_for(DRIFT)(articles, BASE, {})
    parser = parser_for(get_site(KEY), BASE)
    for a in articles:
        url = renderer.links(a)["link_list"]
        html = _drifted_page(renderer, url)
        assert "chi-tiet-tin" not in html and 'class="noi-dung"' not in html
        item = parser.parse_article(html, url)
        assert item is not None, url
        assert item.title == a.title
        assert item.published_at == a.published.strftime(
            "%Y-%m-%dT%H:%M:00+07:00"
        )  # the drifted form shows the time
        assert item.body == _paragraphs(a), a.slug
        assert item.author == a.author
        assert item.captions == [i["caption"] for i in a.images if i.get("caption")]
        assert [i["src"] for i in item.images] == [BASE + i["src"] for i in a.images]
        assert item.extraction is not None
        assert item.extraction["template"] == "liferay-journal"
        assert {"body", "published_at"} <= set(item.extraction["fallback"]), a.slug
        assert "title" not in item.extraction["fallback"]  # the asset's header still matches


def test_a_crawl_of_the_drifted_replica_stores_every_article_once_from_fallback(
    fresh_replica, tmp_path: Path
) -> None:
    server = fresh_replica(sites_dir=None)
    articles = load_articles(ARTICLES)
    server.add_site(KEY, DRIFT, articles, site=KEY)
    # The replica has 13 articles: the monitor's minimum sample is lowered so that it judges.
    assert len(articles) >= 10
    proc, stats = run_crawl(KEY, server.base_url(KEY), tmp_path, VN_MONITOR_MIN_ITEMS=10)
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    # The drift monitor fails the run on the fallback rates, naming the site and the fields...
    assert proc.returncode == 1, proc.stderr[-3000:]
    alarm = "template drift on thaibinh: body from fallback on 100 % of items"
    assert alarm in stats["vn/failure"] and alarm in proc.stderr
    assert "published_at from fallback on 100 % of items" in stats["vn/failure"]
    assert stats["vn/extraction/fallback/body"] == 1.0 and stats["vn/extraction/suspect"] == 0
    # ...and keeps the items.
    lines = feed_lines(tmp_path, KEY)
    counts = Counter(line["url"] for line in lines)
    assert sorted(counts) == sorted(server.listed_urls(KEY))
    assert set(counts.values()) == {1}, "an article was written twice"
    for line in lines:
        errors = [e.message for e in SCHEMA.iter_errors(line)]
        assert not errors, f"{line['url']}: {errors}"
        assert line["body"] and line["published_at"]
        assert line["extraction"]["template"] == "liferay-journal"
        assert {"body", "published_at"} <= set(line["extraction"]["fallback"])
    assert stats.get("vn/items_written") == len(lines)
    assert not [k for k in stats if k.startswith("vn/rejected/")], "no article may be rejected"
