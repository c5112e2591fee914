"""Hostile pages for the linear-time tests and bench: 100,000 links on one Liferay or WordPress
listing, markup nested 100,000 deep. Built from the replica's own pages, so the parsers see a real
template around them."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path

from replica.corpus import generate_articles
from replica.sites import renderer_for

BASE = "http://127.0.0.1:9"
GOLDEN = Path(__file__).parent / "golden"


def _renderer(template: str, n: int = 6):
    return renderer_for(template)(generate_articles(n, 7, start=datetime(2024, 5, 1)), BASE, {})


def huge_liferay_listing(links: int) -> tuple[bytes, str]:
    """A liferay-adt (dongthap) listing page of `links` items, and its URL."""
    renderer = _renderer("liferay-adt")
    html = renderer.listing_page(1).bytes().decode("utf-8")
    first = html.index('<div class="asset-abstract')
    href = re.search(r'<a href="([^"]+/content/)([^"?]+)', html[first:])
    assert href is not None
    prefix, slug = href.group(1), href.group(2)
    item = (
        '<div class="asset-abstract default-asset-publisher"><h3 class="asset-title">'
        f'<a href="{prefix}{slug}-{{n}}">Tin {{n}}</a></h3>'
        '<div class="asset-content"><div class="asset-metadata">'
        '<span class="metadata-entry metadata-publish-date">01/05/2024</span></div></div></div>\n'
    )
    items = "".join(item.replace("{n}", str(n)) for n in range(links))
    page = html[:first] + items + html[first:]
    return page.encode("utf-8"), renderer.base + renderer.listing_path


def huge_wp_listing(links: int) -> tuple[bytes, str]:
    """A wp-newspaper (khoicq) home listing of `links` loop items before its own, and its URL."""
    renderer = _renderer("wp-newspaper")
    html = renderer.listing_page(renderer.posts, 1, "/", renderer.site_name, "").bytes().decode("utf-8")
    first = html.index('<div class="td_module_10')
    item = (
        '<div class="td_module_10 td_module_wrap td-animation-stack"><div class="item-details">'
        f'<h3 class="entry-title td-module-title"><a href="{renderer.base}/2024/05/tin-{{n}}/" '
        'rel="bookmark">Tin {n}</a></h3><div class="td-module-meta-info"><span class="td-post-date">'
        '<time class="entry-date updated td-module-date" datetime="2024-05-01T00:00:00+07:00">'
        "01/05/2024</time></span></div></div></div>\n"
    )
    items = "".join(item.replace("{n}", str(n)) for n in range(links))
    page = html[:first] + items + html[first:]
    return page.encode("utf-8"), renderer.base + "/"


def deep_page(case: str, depth: int, tag: str = "div") -> tuple[bytes, str]:
    """A golden article page (tests/golden/<case>) with `depth` nested `tag`s after its first
    body paragraph, and its URL."""
    folder = GOLDEN / case
    page = (folder / "page.html").read_text(encoding="utf-8")
    first = json.loads((folder / "expected.json").read_text(encoding="utf-8"))["body"][0]
    at = page.rindex(first[-20:]) + 20
    deep = page[:at] + f"<{tag}>" * depth + "Đoạn lồng sâu." + f"</{tag}>" * depth + page[at:]
    return deep.encode("utf-8"), (folder / "url.txt").read_text(encoding="utf-8").strip()
