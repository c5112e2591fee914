"""Parsers of the Liferay-style family, by registry template key.

- ``publishingportal``: the PublishingPortal news blocks (Block_BanTin_Toolbar / _ViewData /
  _List) in either chrome: Liferay 6.2 WAR portlets (``?p_p_id=...&_<portlet>_newsId=N``) or
  SharePoint 2013 web parts (``/Pages/ChiTietTin.aspx?ItemID=N``). backan, backan-sharepoint.
- ``liferay-adt``: Liferay 7 Asset Publisher with an ADT article template. dongthap.
- ``liferay-journal``: Liferay 6.2 stock Asset Publisher (portlet 101) showing a journal
  template. thaibinh.

Options (registry ``Site.options``): ``strip_asset_layout`` (bool) overrides whether asset URLs
lose their layout prefix (``/tin-tuc/-/asset_publisher/...`` -> ``/-/asset_publisher/...``).
"""

from __future__ import annotations

import re
from typing import ClassVar
from urllib.parse import SplitResult, parse_qsl, quote, urlsplit, urlunsplit

from crawler.normalize.urls import absolute_url, canonical_netloc, canonicalize_url, plain_url
from crawler.parsers.base import TemplateParser
from crawler.parsers.liferay_base import LiferayFamilyParser, Selectors

__all__ = [
    "LIFERAY_PARSERS",
    "AssetPublisherParser",
    "LiferayAdtParser",
    "LiferayJournalParser",
    "PublishingPortalParser",
]


def _query_pairs(query: str) -> list[tuple[str, str]]:
    """`parse_qsl(query)`; a query without escapes or "+" is split directly (the common case,
    and a fifth of the cost)."""
    if "%" in query or "+" in query:
        return parse_qsl(query)
    pairs = []
    for field in query.split("&"):
        name, eq, value = field.partition("=")
        if eq and value:  # parse_qsl drops fields without "=" and blank values
            pairs.append((name, value))
    return pairs


class PublishingPortalParser(LiferayFamilyParser):
    """PublishingPortal blocks; one parser for the Liferay and the SharePoint chrome."""

    template = "publishingportal"
    version: ClassVar[str] = "1.2"  # 1.1: bodies read by the one content engine; 1.2: its one caption rule

    title_selectors: ClassVar[Selectors] = ("h2.tieu-de-tin", ".tieu-de-tin", "div.news-title", ".news-title")
    date_selectors: ClassVar[Selectors] = (
        ".toolbar-tin .ngay-dang",
        ".ngay-dang",
        ".news-toolbar .article-time",
        ".article-time",
        ".news-date",
    )
    lead_selectors: ClassVar[Selectors] = (".tom-tat", "div.news-intro", ".news-intro")
    body_selectors: ClassVar[Selectors] = ("div.noi-dung-tin", "#HtmlContent", ".news-detail .news-content")
    author_selectors: ClassVar[Selectors] = (
        ".noi-dung-tin ~ .tac-gia",
        ".news-detail .news-author",
        ".tac-gia-tin",
    )
    category_selectors: ClassVar[Selectors] = ("ul.menu-chuyen-muc li.active a",)
    listing_container_selectors: ClassVar[Selectors] = (
        "[id^='p_p_id_Block_BanTin_List'] .danh-sach-tin",
        ".danh-sach-tin",
        ".news-list",
    )
    listing_item_selectors: ClassVar[Selectors] = (".tin-item", ".news-item")
    listing_link_selectors: ClassVar[Selectors] = (
        ".tieu-de a",
        "a.title",
        ".news-info a",
        "a.anh-dai-dien",
        "a.news-img",
    )
    listing_date_selectors: ClassVar[Selectors] = (".ngay-dang-tin", ".date", ".ngay")

    # SharePoint: the article page and its id parameter, as the site spells them.
    sharepoint_page: ClassVar[str] = "Pages/ChiTietTin.aspx"
    sharepoint_id: ClassVar[str] = "ItemID"
    news_id_suffix: ClassVar[str] = "_newsid"  # Liferay: "_<portletId>_newsId"

    def _sharepoint_item(self, url: str) -> tuple[str, str] | None:
        """(path prefix, item id) of a SharePoint article URL, any case."""
        page = "/" + self.sharepoint_page.lower()
        if page not in url.lower():  # cheap: most URLs asked about are not SharePoint pages
            return None
        parts = urlsplit(url)
        if not parts.path.lower().endswith(page):
            return None
        for name, value in _query_pairs(parts.query):
            if name.lower() == self.sharepoint_id.lower() and value.strip().isdigit():
                return parts.path[: len(parts.path) - len(page) + 1], value.strip()
        return None

    def _news_item(self, url: str) -> tuple[str, str] | None:
        """(namespaced parameter, news id) of a Liferay PublishingPortal article URL."""
        if "%" not in url and self.news_id_suffix not in url.lower():
            return None  # no parameter can end with the suffix, even once unquoted
        for name, value in _query_pairs(urlsplit(url).query):
            if name.lower().endswith(self.news_id_suffix) and value.strip().isdigit():
                return name, value.strip()
        return None

    def is_article_url(self, url: str) -> bool:
        return self._sharepoint_item(url) is not None or self._news_item(url) is not None

    def canonical_url(self, url: str) -> str:
        parts = urlsplit(url)
        sp = self._sharepoint_item(url)
        if sp:
            # One spelling for chitiettin.aspx?itemid=N and ChiTietTin.aspx?ItemID=N&l=...
            path = sp[0] + self.sharepoint_page
            return canonicalize_url(
                urlunsplit((parts.scheme, parts.netloc, path, f"{self.sharepoint_id}={sp[1]}", ""))
            )
        news = self._news_item(url)
        if news:
            # Rebuilt in a fixed order: the portlet id is the parameter's namespace.
            name, news_id = news
            portlet = name[1 : len(name) - len(self.news_id_suffix)]
            query = f"p_p_id={quote(portlet)}&{name}={news_id}"
            return canonicalize_url(urlunsplit((parts.scheme, parts.netloc, parts.path, query, "")))
        return canonicalize_url(url)

    def source_id(self, canonical: str) -> str | None:
        sp = self._sharepoint_item(canonical)
        if sp:
            return f"sharepoint:{sp[1]}"
        news = self._news_item(canonical)
        return f"liferay:{news[1]}" if news else None


_ASSET_RE = re.compile(r"^(?P<prefix>.*?)/-/asset_publisher/(?P<inst>[^/]+)/content/(?P<slug>id/\d+|[^/]+)")
# Friendly URLs of a web content's display page: /-/<slug>, /-/content/<slug> and
# /web/<group>/-/<slug> (6.2 and 7.x), /w/<slug> (7.3+); a site prefix (/web/<group>, a layout)
# may come first. One slug segment ends the path.
_FRIENDLY_RE = re.compile(r"^(?P<prefix>(?:/[^/]+)*?)/(?:-(?:/content)?|w)/(?P<slug>[^/]+)/?$")
# Words after /-/ that name a portlet's own friendly route, not a web content.
_NOT_SLUGS = frozenset(
    "asset_publisher categories category tags tag blogs blog document_library documents search login "
    "wiki message_boards calendar rss journal journal_content content knowledge_base".split()
)
_ARTICLE_PARAMS = ("_urltitle", "_assetentryid", "_articleid")  # portlet-namespaced, in order of preference
_VIEW_ARTICLE_CONTENT = "/c/journal/view_article_content"


def _friendly(path: str) -> re.Match[str] | None:
    m = _FRIENDLY_RE.match(path)
    if m is None or m["slug"].lower() in _NOT_SLUGS or "/-/" in m["prefix"] or m["prefix"].endswith("/-"):
        return None
    return m


class AssetPublisherParser(LiferayFamilyParser):
    """Liferay Asset Publisher and web content pages.

    Article URLs: ``<layout>/-/asset_publisher/<instance>/content/<slug>``; the friendly URLs of a
    web content (``/-/<slug>``, ``/-/content/<slug>``, ``/web/<group>/-/<slug>``, ``/w/<slug>``);
    portlet links carrying ``?p_p_id=...`` with a namespaced ``urlTitle``, ``assetEntryId`` or
    ``articleId``; and ``/c/journal/view_article_content?groupId=...&articleId=...``.
    """

    strip_asset_layout: ClassVar[bool] = False
    listing_container_selectors: ClassVar[Selectors] = (
        ".portlet-asset-publisher",
        "[id^='p_p_id_101_INSTANCE']",
        "[id*='AssetPublisherPortlet_INSTANCE']",
        # Liferay 7 search-container listings (a web content search, a Documents and Media list)
        ".lfr-search-container",
        ".search-container",
        ".taglib-search-iterator",
    )
    listing_item_selectors: ClassVar[Selectors] = (
        ".asset-abstract",
        "table.table tbody tr",
        "table.taglib-search-iterator tr",
        ".list-group-item",
        ".lfr-search-container li",
        ".search-container li",
    )
    listing_link_selectors: ClassVar[Selectors] = (
        ".asset-title a",
        ".asset-more a",
        ".component-title a",
        "a.lfr-search-container-link",
        "td a",
        "h2 a, h3 a, h4 a, h5 a",
        "a",
    )
    listing_date_selectors: ClassVar[Selectors] = (
        ".metadata-publish-date",
        ".asset-metadata",
        ".date",
        "td.table-cell-date",
        ".text-default",
        "td",  # a search container's date column, whatever its class
    )

    def _strip(self) -> bool:
        return bool(self.options.get("strip_asset_layout", self.strip_asset_layout))

    @staticmethod
    def _article_param(query: str) -> tuple[str, str, str] | None:
        """(portlet id, parameter name, value) of a portlet link naming an article."""
        if "_" not in query:
            return None
        pairs = _query_pairs(query)
        for suffix in _ARTICLE_PARAMS:
            for name, value in pairs:
                low = name.lower()
                if low.endswith(suffix) and low.startswith("_") and value.strip():
                    portlet = name[1 : len(name) - len(suffix)]
                    return portlet, name, value.strip()
        return None

    @staticmethod
    def _journal_content(parts: SplitResult) -> tuple[str, str] | None:
        """(groupId, articleId) of a /c/journal/view_article_content URL."""
        if not parts.path.rstrip("/").endswith(_VIEW_ARTICLE_CONTENT):
            return None
        params = {name.lower(): value.strip() for name, value in _query_pairs(parts.query)}
        article = params.get("articleid")
        return (params.get("groupid", ""), article) if article else None

    def is_article_url(self, url: str) -> bool:
        parts = urlsplit(url)
        return (
            _ASSET_RE.match(parts.path) is not None
            or _friendly(parts.path) is not None
            or self._journal_content(parts) is not None
            or self._article_param(parts.query) is not None
        )

    def canonical_url(self, url: str) -> str:
        parts = urlsplit(url)
        m = _ASSET_RE.match(parts.path)
        if m:
            prefix = "" if self._strip() else m["prefix"]
            path = f"{prefix}/-/asset_publisher/{m['inst']}/content/{m['slug']}"
            # The query is navigation only (redirect, inheritRedirect, _cur...): the path names the asset.
            return canonicalize_url(urlunsplit((parts.scheme, parts.netloc, path, "", "")))
        if _friendly(parts.path):
            return canonicalize_url(urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/"), "", "")))
        journal = self._journal_content(parts)
        if journal:
            group, article = journal
            query = (
                f"groupId={quote(group)}&articleId={quote(article)}"
                if group
                else f"articleId={quote(article)}"
            )
            return canonicalize_url(urlunsplit((parts.scheme, parts.netloc, parts.path, query, "")))
        found = self._article_param(parts.query)
        if found:
            # Rebuilt in a fixed order: the portlet and the one parameter naming the article.
            portlet, name, value = found
            query = f"p_p_id={quote(portlet)}&{quote(name)}={quote(value)}"
            return canonicalize_url(urlunsplit((parts.scheme, parts.netloc, parts.path, query, "")))
        return canonicalize_url(url)

    def listing_link(self, href: str | None, page_url: str) -> str | None:
        """`canonical_url` of an asset or friendly link with a plain path, without urllib: both
        drop the query and fragment and keep the path (less a layout prefix or a final "/"),
        which canonicalize_url leaves alone, so the result is scheme://host + path (~25 µs a
        link through urlsplit/urlunsplit twice; a listing may carry 100k). Others: the slow path.
        """
        link = absolute_url(href, page_url)
        plain = plain_url(link) if link else None
        if plain is None:
            return super().listing_link(href, page_url)
        scheme, netloc, path = plain
        host = canonical_netloc(scheme, netloc)
        asset = _ASSET_RE.match(path)
        if asset:
            prefix = "" if self._strip() else asset["prefix"]
            return f"{scheme}://{host}{prefix}/-/asset_publisher/{asset['inst']}/content/{asset['slug']}"
        if _friendly(path):
            return f"{scheme}://{host}{path.rstrip('/')}"
        return super().listing_link(href, page_url)

    def source_id(self, canonical: str) -> str | None:
        parts = urlsplit(canonical)
        m = _ASSET_RE.match(parts.path)
        if m:
            return "liferay:" + m["slug"].removeprefix("id/")
        friendly = _friendly(parts.path)
        if friendly:
            return "liferay:" + friendly["slug"]
        journal = self._journal_content(parts)
        if journal:
            return "liferay:" + journal[1]
        found = self._article_param(parts.query)
        return "liferay:" + found[2] if found else None


class LiferayAdtParser(AssetPublisherParser):
    """Liferay 7 Asset Publisher ("Xuất bản thông tin") rendering an ADT ``div.news-detail``."""

    template = "liferay-adt"
    version: ClassVar[str] = "1.2"  # 1.1: bodies read by the one content engine; 1.2: its one caption rule
    strip_asset_layout = True  # canonical links are /-/asset_publisher/...; side lists add /tin-tuc

    title_selectors: ClassVar[Selectors] = (
        ".news-detail h1.title",
        ".news-detail .title",
        ".asset-full-content .asset-title",
    )
    date_selectors: ClassVar[Selectors] = (
        ".news-detail .date-time",
        ".date-time",
        ".asset-full-content .metadata-publish-date",
    )
    lead_selectors: ClassVar[Selectors] = (
        ".news-detail .sapo",
        ".news-detail .lead",
        ".asset-full-content .sapo",
    )
    lead_image_selectors: ClassVar[Selectors] = (".news-detail .img-main", ".news-detail .anh-dai-dien")
    body_selectors: ClassVar[Selectors] = (".news-detail div.content", ".news-detail .noi-dung")
    author_selectors: ClassVar[Selectors] = (".news-detail .author", ".news-detail .tac-gia")
    category_selectors: ClassVar[Selectors] = (
        ".asset-full-content .asset-category",
        ".news-detail .category",
    )


class LiferayJournalParser(AssetPublisherParser):
    """Liferay 6.2 stock Asset Publisher (portlet 101) with a journal template ``div.chi-tiet-tin``."""

    template = "liferay-journal"
    version: ClassVar[str] = "1.2"  # 1.1: bodies read by the one content engine; 1.2: its one caption rule

    title_selectors: ClassVar[Selectors] = (
        ".asset-full-content > .taglib-header .header-title",
        ".asset-full-content .taglib-header .header-title",
        ".chi-tiet-tin .tieu-de",
    )
    date_selectors: ClassVar[Selectors] = (
        ".chi-tiet-tin .ngay-dang",
        ".asset-full-content .metadata-publish-date",
    )
    lead_selectors: ClassVar[Selectors] = (".chi-tiet-tin .sapo", ".chi-tiet-tin .tom-tat")
    body_selectors: ClassVar[Selectors] = (".chi-tiet-tin .noi-dung", ".asset-content .noi-dung")
    author_selectors: ClassVar[Selectors] = (".chi-tiet-tin .tac-gia", ".chi-tiet-tin .author")
    category_selectors: ClassVar[Selectors] = (".breadcrumb li.current-parent a",)


LIFERAY_PARSERS: dict[str, type[TemplateParser]] = {
    cls.template: cls for cls in (PublishingPortalParser, LiferayAdtParser, LiferayJournalParser)
}
