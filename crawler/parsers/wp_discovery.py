"""WordPress discovery: pure functions over the REST API, sitemaps and RSS (no Scrapy, no I/O).

The WordPress spider fetches `/wp-json/wp/v2/posts?page=N`, `/wp-sitemap.xml` and `/feed/` and
hands the bodies here. Every URL returned is absolute and canonical (see `wp_canonical_url`),
every time is ISO 8601 at +07:00.

XML is untrusted input: it is parsed without entity expansion, DTD loading or network access,
and a document that declares entities (a "billion laughs" bomb) is refused with `ParseError`.
"""

from __future__ import annotations

import gzip
import io
import json
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from lxml import etree

from crawler.normalize.dates import parse_iso_datetime
from crawler.normalize.urls import absolute_url, canonicalize_url
from crawler.parsers.base import ParseError

__all__ = [
    "is_wp_article_url",
    "parse_rest_posts",
    "parse_rss",
    "parse_sitemap",
    "parse_sitemap_index",
    "rest_datetime",
    "rest_total_pages",
    "wp_canonical_url",
]

# --------------------------------------------------------------------------------------------
# URLs

# Path segments WordPress reserves for archives, feeds and machinery: never a post permalink.
_RESERVED_SEGMENTS = frozenset(
    {
        "category",
        "tag",
        "author",
        "page",
        "feed",
        "comments",
        "search",
        "embed",
        "trackback",
        "attachment",
        "wp-json",
        "wp-content",
        "wp-admin",
        "wp-includes",
        "wp-login.php",
        "xmlrpc.php",
        "wp-cron.php",
    }
)
_NON_PAGE_EXT = re.compile(
    r"\.(?:jpe?g|png|gif|webp|svg|pdf|docx?|xlsx?|pptx?|zip|rar|xml|xsl|gz|json|css|js)$", re.I
)
_ID_PARAMS = ("p", "page_id")
_NOT_POST_SEGMENTS = frozenset({"page", "feed", "embed", "trackback", "amp"})


def wp_canonical_url(url: str) -> str:
    """A post's identity URL: the permalink with query and fragment dropped.

    The plain permalink form `/?p=123` (or `/index.php?p=123`) keeps its id parameter, since
    there the query *is* the permalink.
    """
    parts = urlsplit(url)
    keep: list[str] = []
    if parts.path in ("", "/", "/index.php"):
        names = {k.lower() for k, _ in parse_qsl(parts.query, keep_blank_values=True)}
        keep = [k for k in _ID_PARAMS if k in names]
    return canonicalize_url(url, keep_only=keep)


def is_wp_article_url(url: str) -> bool:
    """True for URLs shaped like a post permalink (`/%postname%/`, `/%year%/%monthnum%/%postname%/`,
    `/%category%/%postname%/`, `/?p=N`); archives, feeds, uploads and the API are not."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https", ""):
        return False
    segs = [s for s in parts.path.split("/") if s]
    if not segs or (len(segs) == 1 and segs[0] == "index.php"):
        query = dict(parse_qsl(parts.query))
        return any(query.get(k, "").isdigit() for k in _ID_PARAMS)
    return _is_post_path(segs)


def is_wp_article_path(scheme: str, path: str) -> bool | None:
    """`is_wp_article_url` of a URL with this scheme and path; None when its query decides (the
    site's root, /index.php)."""
    segs = list(filter(None, path.split("/")))
    if not segs or (len(segs) == 1 and segs[0] == "index.php"):
        return None
    return scheme in ("http", "https", "") and _is_post_path(segs)


def _is_post_path(segs: list[str]) -> bool:
    first = segs[0].lower()
    if first in _RESERVED_SEGMENTS or first.startswith("wp-"):
        return False
    if len(segs) > 1 and not _NOT_POST_SEGMENTS.isdisjoint(map(str.lower, segs[1:])):
        return False
    if _NON_PAGE_EXT.search(segs[-1]):
        return False
    if segs[-1].isdigit():  # /2018/, /2018/02/ and /2018/02/02/ are date archives
        return False
    return True


# --------------------------------------------------------------------------------------------
# REST API


def _header(headers: Mapping[Any, Any], name: str) -> str | None:
    """Case-insensitive header lookup over dict-likes whose keys/values may be bytes or lists
    (Scrapy's Headers give lists of bytes)."""
    wanted = name.lower()
    for key, value in headers.items():
        k = key.decode("latin-1") if isinstance(key, bytes) else str(key)
        if k.lower() != wanted:
            continue
        if isinstance(value, list | tuple):
            value = value[0] if value else None
        if isinstance(value, bytes):
            value = value.decode("latin-1")
        return None if value is None else str(value).strip()
    return None


def rest_total_pages(headers: Mapping[Any, Any]) -> int | None:
    """X-WP-TotalPages as an int, or None when absent or not a number."""
    value = _header(headers, "X-WP-TotalPages")
    if value is None or not value.isdigit():
        return None
    return int(value)


def rest_datetime(post: Mapping[str, Any], field: str = "date", *, wall_time: bool = False) -> str | None:
    """A REST post's `date`/`modified` as ISO 8601 at +07:00.

    `date` is the site's local wall time (no offset) and `date_gmt` its UTC instant. When the
    site's time zone was left at UTC (`wall_time`), both equal the Vietnamese wall clock, so
    `date` is labeled +07:00 as is; otherwise the UTC instant is converted.
    """
    local = post.get(field)
    gmt = post.get(f"{field}_gmt")
    if not wall_time and isinstance(gmt, str) and gmt:
        converted = parse_iso_datetime(gmt if _has_offset(gmt) else gmt + "+00:00")
        if converted:
            return converted
    if isinstance(local, str) and local:
        return parse_iso_datetime(local, wall_time=True)
    return None


def _has_offset(value: str) -> bool:
    return value.endswith("Z") or bool(re.search(r"[+-]\d\d:?\d\d$", value))


def _rendered(value: Any) -> str:
    if isinstance(value, Mapping):
        value = value.get("rendered")
    return value if isinstance(value, str) else ""


def parse_rest_posts(body: bytes | str, base_url: str, *, wall_time: bool = False) -> list[dict[str, Any]]:
    """Entries of a `/wp-json/wp/v2/posts` page.

    Each: {"id": int, "link": canonical URL, "date", "modified" (raw REST values),
    "published_at", "modified_at" (ISO +07:00, see `rest_datetime`), "slug", "post": the raw entry
    (hand it to the parser's `parse_rest_post`)}. An API error object ({"code": ...}) or a body
    that is not a JSON list raises ParseError.
    """
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:  # (nested past the decoder)
        raise ParseError(f"REST response is not JSON: {exc}") from None
    if isinstance(data, Mapping):
        raise ParseError(f"REST API error {data.get('code')!r}: {data.get('message')!r}")
    if not isinstance(data, list):
        raise ParseError(f"REST response is a JSON {type(data).__name__}, not a list of posts")
    out: list[dict[str, Any]] = []
    for post in data:
        if not isinstance(post, Mapping) or not isinstance(post.get("id"), int):
            continue
        link = absolute_url(post.get("link") or _rendered(post.get("guid")), base_url)
        if not link:
            continue
        out.append(
            {
                "id": post["id"],
                "link": wp_canonical_url(link),
                "date": post.get("date"),
                "modified": post.get("modified"),
                "published_at": rest_datetime(post, "date", wall_time=wall_time),
                "modified_at": rest_datetime(post, "modified", wall_time=wall_time),
                "slug": post.get("slug"),
                "post": dict(post),
            }
        )
    return out


# --------------------------------------------------------------------------------------------
# XML: sitemaps and feeds

_MAX_XML_BYTES = 50 * 1024 * 1024  # the sitemap protocol's own limit (uncompressed)


def _parse_xml(xml: bytes | str) -> etree._Element:
    """Parse untrusted XML without expanding entities, loading DTDs or touching the network."""
    data = xml.encode("utf-8") if isinstance(xml, str) else bytes(xml)
    if data[:2] == b"\x1f\x8b":  # gzipped sitemap (.xml.gz); capped against gzip bombs
        try:
            with gzip.GzipFile(fileobj=io.BytesIO(data)) as fh:
                data = fh.read(_MAX_XML_BYTES + 1)
        except (OSError, EOFError) as exc:
            raise ParseError(f"bad gzip data: {exc}") from None
    if len(data) > _MAX_XML_BYTES:
        raise ParseError(f"XML document larger than {_MAX_XML_BYTES} bytes")
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        dtd_validation=False,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        root = etree.fromstring(data.lstrip(), parser=parser)
    except etree.XMLSyntaxError as exc:
        raise ParseError(f"malformed XML: {exc}") from None
    dtd = root.getroottree().docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):
        # Declared entities are how entity-expansion bombs work; sitemaps and feeds need none.
        raise ParseError("XML declares entities in its DTD (possible entity-expansion bomb); refused")
    return root


def _local(tag: Any) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _children(el: etree._Element, name: str) -> list[etree._Element]:
    return [c for c in el if _local(c.tag) == name]


def _child_text(el: etree._Element, name: str) -> str | None:
    for c in el:
        if _local(c.tag) == name:
            text = "".join(c.itertext()).strip()
            return text or None
    return None


def parse_sitemap_index(xml: bytes | str, base_url: str) -> list[str]:
    """Child sitemap URLs of a `<sitemapindex>` (all of them: posts, pages, taxonomies, users;
    pick the post ones with `"posts-post" in url` on a core WordPress sitemap).
    A `<urlset>` has no children: []."""
    root = _parse_xml(xml)
    name = _local(root.tag)
    if name == "urlset":
        return []
    if name != "sitemapindex":
        raise ParseError(f"not a sitemap index: root element <{name}>")
    out: list[str] = []
    for sm in _children(root, "sitemap"):
        url = absolute_url(_child_text(sm, "loc"), base_url)
        if url and url not in out:
            out.append(url)
    return out


def parse_sitemap(
    xml: bytes | str, base_url: str, *, wall_time: bool = False
) -> list[tuple[str, str | None]]:
    """(canonical URL, lastmod as ISO +07:00 or None) for every `<url>` of a `<urlset>`.

    `wall_time`: the site's "+00:00" stamps are really local wall time (see `rest_datetime`).
    """
    root = _parse_xml(xml)
    name = _local(root.tag)
    if name == "sitemapindex":
        return []
    if name != "urlset":
        raise ParseError(f"not a sitemap: root element <{name}>")
    out: list[tuple[str, str | None]] = []
    seen: set[str] = set()
    for node in _children(root, "url"):
        url = absolute_url(_child_text(node, "loc"), base_url)
        if not url:
            continue
        url = wp_canonical_url(url)
        if url in seen:
            continue
        seen.add(url)
        out.append((url, parse_iso_datetime(_child_text(node, "lastmod"), wall_time=wall_time)))
    return out


def parse_rss(xml: bytes | str, base_url: str, *, wall_time: bool = False) -> list[tuple[str, str | None]]:
    """(canonical URL, publication time as ISO +07:00 or None) for every item of an RSS 2.0 feed
    (Atom entries too: link rel=alternate, published/updated)."""
    root = _parse_xml(xml)
    name = _local(root.tag)
    out: list[tuple[str, str | None]] = []
    seen: set[str] = set()

    def add(link: str | None, when: str | None) -> None:
        url = absolute_url(link, base_url)
        if not url:
            return
        url = wp_canonical_url(url)
        if url not in seen:
            seen.add(url)
            out.append((url, parse_iso_datetime(when, wall_time=wall_time)))

    if name in ("rss", "RDF"):
        for item in root.iter():
            if _local(item.tag) != "item":
                continue
            link = _child_text(item, "link")
            if not link:  # <guid isPermaLink="true"> is the permalink when <link> is missing
                guid = next((g for g in _children(item, "guid") if g.get("isPermaLink") != "false"), None)
                link = (guid.text or "").strip() if guid is not None else None
            add(link, _child_text(item, "pubDate") or _child_text(item, "date"))
        return out
    if name == "feed":
        for entry in _children(root, "entry"):
            href = None
            for ln in _children(entry, "link"):
                if ln.get("rel", "alternate") == "alternate":
                    href = ln.get("href")
                    break
            add(href, _child_text(entry, "published") or _child_text(entry, "updated"))
        return out
    raise ParseError(f"not an RSS or Atom feed: root element <{name}>")
