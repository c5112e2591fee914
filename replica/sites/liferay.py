"""Replica renderers for the Liferay-style sites, on templates derived from the reference pages.

Renderer keys and routes (what the real sites serve; listing page size 5):

- ``publishingportal-liferay`` (backan): ``/web/guest/tin-hoat-dong`` listing, pages
  ``?p_p_id=Block_BanTin_List_...&..._delta=5&_Block_BanTin_List_..._cur=N``; articles
  ``/web/guest/chi-tiet-tin?p_p_id=...&_Block_BanTin_ViewData_..._newsId=N&..._redirect=...``.
- ``publishingportal-sharepoint`` (backan-sharepoint): ``/Pages/TinHoatDong.aspx[?Page=N]``;
  articles ``/Pages/ChiTietTin.aspx?ItemID=N&l=TinHoatDong`` (SharePoint matches paths and
  parameter names case-insensitively; some listing links use ``/pages/chitiettin.aspx?itemid=N``).
- ``liferay-adt`` (dongthap): ``/tin-tuc`` listing with Clay pagination (``..._INSTANCE_x_cur=N``);
  articles ``[/tin-tuc]/-/asset_publisher/<instance>/content/<slug>[?inheritRedirect&redirect]``.
- ``liferay-adt-js`` (dongthap-js): the dongthap pages, but an article ships only the chrome, the
  title and an empty ADT whose script fills it from ``/o/api/news/<id>`` (JSON): crawled with a browser.
- ``liferay-journal`` (thaibinh): ``/web/guest/tin-tuc`` listing (Liferay 6.2 page iterator,
  ``_101_INSTANCE_x_cur=N``); articles ``/web/guest/tin-tuc/-/asset_publisher/<instance>/content/<slug>``.

- ``liferay-journal-drift``: the thaibinh pages after a journal template change: the date and the
  paragraphs straight in ``.journal-content-article`` (read from the family's fallback).

Options: ``{"variant": "drift"}`` renames the article's body container (a template change the
parsers do not know), so parsing loses the body.

ReplicaArticle conventions: ``id`` is the news/item id (PublishingPortal) or the slug (asset
publisher). Image dicts: ``{"src", "caption", "after"}`` where ``after`` is the index of the body
block the image follows (-1: before the first block; default 0); ``"lead": true`` puts a
Liferay 7 ADT image in its lead-photo slot. Attachments: ``{"href", "title"}``.
"""

from __future__ import annotations

import hashlib
import html
import json
import math
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import quote, urlencode

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from replica.model import Page, ReplicaArticle

__all__ = [
    "RENDERERS",
    "LiferayAdtJsRenderer",
    "LiferayAdtRenderer",
    "LiferayJournalDriftRenderer",
    "LiferayJournalRenderer",
    "LiferayRenderer",
    "PublishingPortalLiferayRenderer",
    "PublishingPortalSharePointRenderer",
]

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
PAGE_SIZE = 5
_PP_SIZE = "width: 550px; height: 366px;"


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def _summary(a: ReplicaArticle, words: int = 40) -> str:
    if a.lead:
        return a.lead
    first = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", a.body[0] if a.body else "")).split())
    parts = first.split()
    return " ".join(parts[:words]) + ("..." if len(parts) > words else "")


@dataclass
class Pager:
    """What a pager template needs; `url(n)` builds the page link as the real site does."""

    page: int
    pages: int
    total: int
    url: Any  # Callable[[int], str] (journal: Callable[[int, int], str])
    delta: int = PAGE_SIZE
    token: str = "wxyz"

    @property
    def numbers(self) -> list[int]:
        """Page links shown: all of them, or a window around the current page on long listings."""
        if self.pages <= 15:
            return list(range(1, self.pages + 1))
        window = range(max(2, self.page - 5), min(self.pages - 1, self.page + 5) + 1)
        return [1, *window, self.pages]

    @property
    def first(self) -> int:
        return min(self.total, (self.page - 1) * self.delta + 1)

    @property
    def last(self) -> int:
        return min(self.total, self.page * self.delta)


class LiferayRenderer:
    """Shared data and page assembly; subclasses define routes, links and content markup."""

    key: ClassVar[str] = ""
    body_class: ClassVar[str] = ""
    drift_body_class: ClassVar[str] = ""
    listing_path: ClassVar[str] = ""

    def __init__(self, articles: list[ReplicaArticle], base: str, options: dict[str, Any]) -> None:
        self.base = base.rstrip("/")
        self.base_q = quote(self.base, safe="")
        self.options = dict(options or {})
        self.drift = self.options.get("variant") == "drift"
        self.env = Environment(
            loader=FileSystemLoader(str(TEMPLATES / self.key)),
            autoescape=select_autoescape(default=True, default_for_string=True),
            keep_trailing_newline=True,
        )
        self.articles = sorted(articles, key=lambda a: a.published, reverse=True)  # newest first
        self.by_id = {str(a.id): a for a in self.articles}
        self.by_slug = {a.slug: a for a in self.articles}
        self.position = {id(a): i for i, a in enumerate(self.articles)}
        # The side "most read" portlet: a fixed handful (computed once: corpora reach 50,000 articles).
        self.popular = sorted(self.articles[:40], key=lambda x: (len(x.title), x.slug))[:5]

    # -- helpers --------------------------------------------------------------------------------
    def _abs(self, src: str) -> str:
        return self.base + src if src.startswith("/") else src

    @property
    def pages(self) -> int:
        return max(1, math.ceil(len(self.articles) / PAGE_SIZE))

    def _page_items(self, page: int) -> list[ReplicaArticle]:
        return self.articles[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]

    @staticmethod
    def _param(query: dict[str, list[str]], suffix: str) -> str | None:
        """A query value by (case-insensitive) name suffix: portlet parameters are namespaced."""
        suffix = suffix.lower()
        for name, values in query.items():
            if name.lower().endswith(suffix) and values:
                return values[0]
        return None

    def _page_number(self, query: dict[str, list[str]], suffix: str) -> int:
        value = self._param(query, suffix) or "1"
        return int(value) if value.isdigit() and int(value) > 0 else 1

    @staticmethod
    def _id_num(a: ReplicaArticle) -> int:
        """A stable numeric asset id for slugs (templates print one in ids and data attributes)."""
        if str(a.id).isdigit():
            return int(a.id)
        return 1_400_000 + int(hashlib.sha1(a.slug.encode()).hexdigest()[:6], 16) % 90_000

    def _thumb(self, a: ReplicaArticle) -> str:
        return str(a.images[0]["src"]) if a.images else "/image/journal/article?img_id=1&t=1"

    def _placed_images(self, a: ReplicaArticle) -> dict[int, list[dict[str, Any]]]:
        placed: dict[int, list[dict[str, Any]]] = {}
        for img in a.images:
            if not img.get("lead"):
                placed.setdefault(int(img.get("after", 0)), []).append(img)
        return placed

    def _body_html(self, a: ReplicaArticle, image: Any, tail: str = "") -> Markup:
        """Body blocks with images inserted after their block; `image(img)` gives an image's markup."""
        placed = self._placed_images(a)
        out = [image(img) for img in placed.get(-1, [])]
        for i, block in enumerate(a.body):
            out.append(block)
            out.extend(image(img) for img in placed.get(i, []))
        for i in sorted(k for k in placed if k >= len(a.body)):
            out.extend(image(img) for img in placed[i])
        return Markup("\n\n".join(out) + tail)  # articles.json is our own HTML

    def _view(self, a: ReplicaArticle) -> dict[str, Any]:
        return {
            "id": a.id,
            "id_num": self._id_num(a),
            "slug": a.slug,
            "title": a.title,
            "lead": a.lead,
            "author": a.author,
            "date": a.published.strftime("%d/%m/%Y"),
            "summary": _summary(a),
            "thumb": self._thumb(a),
            "views": 100 + self._id_num(a) % 900,
            **self.links(a),
        }

    def links(self, a: ReplicaArticle) -> dict[str, str]:
        raise NotImplementedError

    def canonical(self, a: ReplicaArticle) -> str:
        raise NotImplementedError

    def listed_urls(self) -> list[str]:
        """Canonical article URLs (as the parser gives them) of every article the listings link to."""
        return [self.canonical(a) for a in self.articles]

    def _common(self, a: ReplicaArticle | None = None) -> dict[str, Any]:
        return {
            "base": self.base,
            "base_q": self.base_q,
            "popular": [self._view(x) for x in self.popular if x is not a][:4],
        }

    def _render(self, name: str, ctx: dict[str, Any]) -> Page:
        return Page(self.env.get_template(name).render(ctx))

    def article_page(self, a: ReplicaArticle) -> Page:
        pos = self.position[id(a)]
        older = self.articles[pos + 1 : pos + 7]
        ctx = {
            **self._common(a),
            "a": self._view(a),
            "date": self.display_date(a.published),
            "date_short": a.published.strftime("%d/%m/%Y"),
            "content": self.content(a),
            "body_class": self.drift_body_class if self.drift else self.body_class,
            "others": [self._view(x) for x in older],
        }
        ctx.update(self.article_extra(a))
        return self._render("article.j2", ctx)

    def article_extra(self, a: ReplicaArticle) -> dict[str, Any]:
        return {}

    def listing_page(self, page: int) -> Page:
        ctx = {
            **self._common(),
            "items": [self._view(x) for x in self._page_items(page)],
            "pager": Pager(page, self.pages, len(self.articles), self.page_url),
            "form_query": f"?Page={page}" if page > 1 else "",
        }
        return self._render("listing.j2", ctx)

    def home_page(self) -> Page:
        """The home page shows the news listing's first page, in the portal's chrome (navigation
        included), as many provincial portals' home pages do."""
        return self.listing_page(1)

    def display_date(self, when: datetime) -> str:
        return when.strftime("%d/%m/%Y")

    def page_url(self, n: int, *args: int) -> str:
        raise NotImplementedError

    def content(self, a: ReplicaArticle) -> Markup:
        raise NotImplementedError

    def handle(self, path: str, query: dict[str, list[str]]) -> Page | None:
        raise NotImplementedError


# ------------------------------------------------------------------------------------------------
# PublishingPortal (backan): the same CKEditor content in two chromes


class _PublishingPortalContent:
    """Content markup of Block_BanTin_ViewData (identical in both chromes)."""

    def _image(self, img: dict[str, Any]) -> str:
        src = _esc(str(img["src"]))
        cap = img.get("caption")
        if not cap:
            return f'<p style="text-align: center;"><img alt="" src="{src}" style="{_PP_SIZE}" /></p>'
        return (
            '<table align="center" border="0" cellpadding="3" cellspacing="0" class="image-caption">\n'
            f'\t<tbody>\n\t\t<tr>\n\t\t\t<td><img alt="" src="{src}" style="{_PP_SIZE}" /></td>\n'
            f'\t\t</tr>\n\t\t<tr>\n\t\t\t<td>\n\t\t\t<p style="text-align:center"><em>{_esc(cap)}</em></p>\n'
            "\t\t\t</td>\n\t\t</tr>\n\t</tbody>\n</table>"
        )

    def _tail(self, a: ReplicaArticle) -> str:
        tail = ""
        if a.attachments:
            files = "\n".join(
                f'<li><a href="{_esc(f["href"])}">{_esc(f["title"])}</a></li>' for f in a.attachments
            )
            tail += f"\n\n<p><strong>Tệp đính kèm:</strong></p>\n<ul>\n{files}\n</ul>"
        if a.author:
            tail += f'\n\n<p style="text-align: right;"><strong>{_esc(a.author)}</strong></p>'
        return tail


class PublishingPortalLiferayRenderer(_PublishingPortalContent, LiferayRenderer):
    key = "publishingportal-liferay"
    body_class = "noi-dung-tin"
    drift_body_class = "noidung-chitiet"
    listing_path = "/web/guest/tin-hoat-dong"
    view_portlet: ClassVar[str] = "Block_BanTin_ViewData_WAR_PublishingPortalportlet"
    list_portlet: ClassVar[str] = "Block_BanTin_List_WAR_PublishingPortalportlet"

    def _article_link(self, a: ReplicaArticle, col: str, extra: str, redirect: str) -> str:
        v = self.view_portlet
        return (
            f"/web/guest/chi-tiet-tin?p_p_id={v}&p_p_lifecycle=0&p_p_state=normal&p_p_mode=view"
            f"&p_p_col_id={col}{extra}&_{v}_newsId={a.id}&_{v}_redirect={quote(redirect, safe='')}"
        )

    def links(self, a: ReplicaArticle) -> dict[str, str]:
        return {
            "link_list": self._article_link(a, "column-2", "&p_p_col_count=1", self.listing_path),
            "link_related": self._article_link(
                a, "column-2", "&p_p_col_pos=2&p_p_col_count=3", "/web/guest/chi-tiet-tin"
            ),
            "link_side": self._article_link(a, "column-3", "&p_p_col_count=4", "/web/guest/chi-tiet-tin"),
        }

    def canonical(self, a: ReplicaArticle) -> str:
        v = self.view_portlet
        return f"{self.base}/web/guest/chi-tiet-tin?p_p_id={v}&_{v}_newsId={a.id}"

    def page_url(self, n: int, *args: int) -> str:
        p = self.list_portlet
        return (
            f"{self.base}{self.listing_path}?p_p_id={p}&p_p_lifecycle=0&p_p_state=normal&p_p_mode=view"
            f"&p_p_col_id=column-2&p_p_col_count=1&_{p}_delta={PAGE_SIZE}&_{p}_cur={n}"
        )

    def content(self, a: ReplicaArticle) -> Markup:
        return self._body_html(a, self._image, self._tail(a))

    def handle(self, path: str, query: dict[str, list[str]]) -> Page | None:
        path = path.rstrip("/") or "/"
        if path == "/web/guest/chi-tiet-tin":
            a = self.by_id.get(self._param(query, "_newsid") or "")
            return self.article_page(a) if a else None
        if path == self.listing_path:
            return self.listing_page(self._page_number(query, f"{self.list_portlet}_cur"))
        return None


class PublishingPortalSharePointRenderer(_PublishingPortalContent, LiferayRenderer):
    key = "publishingportal-sharepoint"
    body_class = "news-content"
    drift_body_class = "article-content"
    listing_path = "/Pages/TinHoatDong.aspx"

    def links(self, a: ReplicaArticle) -> dict[str, str]:
        link = f"/Pages/ChiTietTin.aspx?ItemID={a.id}&l=TinHoatDong"
        # Some thumbnails were hand-linked by editors in another spelling; SharePoint does not care.
        thumb = f"/pages/chitiettin.aspx?itemid={a.id}" if self._id_num(a) % 3 == 0 else link
        return {"link_list": link, "link_thumb": thumb, "link_related": link, "link_side": link}

    def canonical(self, a: ReplicaArticle) -> str:
        return f"{self.base}/Pages/ChiTietTin.aspx?ItemID={a.id}"

    def page_url(self, n: int, *args: int) -> str:
        return f"{self.base}{self.listing_path}?Page={n}"

    def content(self, a: ReplicaArticle) -> Markup:
        return self._body_html(a, self._image, self._tail(a))

    def article_extra(self, a: ReplicaArticle) -> dict[str, Any]:
        return {
            "body_id": "ArticleHtml" if self.drift else "HtmlContent",
            "external_class": hashlib.md5(str(a.id).encode()).hexdigest().upper(),
        }

    def handle(self, path: str, query: dict[str, list[str]]) -> Page | None:
        low = path.lower()
        if low == "/pages/chitiettin.aspx":
            a = self.by_id.get(self._param(query, "itemid") or "")
            return self.article_page(a) if a else None
        if low == self.listing_path.lower():
            return self.listing_page(self._page_number(query, "page"))
        return None


# ------------------------------------------------------------------------------------------------
# Asset Publisher sites

_ASSET_PATH = re.compile(r"^(?:/[\w.-]+)*/-/asset_publisher/(?P<inst>[^/]+)/content/(?P<slug>[^/]+)/?$")


class _AssetPublisherRenderer(LiferayRenderer):
    instance: ClassVar[str] = ""

    def handle(self, path: str, query: dict[str, list[str]]) -> Page | None:
        m = _ASSET_PATH.match(path)
        if m:
            if m["inst"] != self.instance:
                return None
            a = self.by_slug.get(m["slug"])
            return self.article_page(a) if a else None
        if (path.rstrip("/") or "/") == self.listing_path:
            return self.listing_page(self._page_number(query, f"{self.instance}_cur"))
        return None


class LiferayAdtRenderer(_AssetPublisherRenderer):
    """Liferay 7 Asset Publisher with the dongthap ADT (div.news-detail)."""

    key = "liferay-adt"
    body_class = "content"
    drift_body_class = "article-body"
    listing_path = "/tin-tuc"
    instance = "rCKm8Qx2aB3d"
    portlet: ClassVar[str] = (
        "com_liferay_asset_publisher_web_portlet_AssetPublisherPortlet_INSTANCE_rCKm8Qx2aB3d"
    )

    def links(self, a: ReplicaArticle) -> dict[str, str]:
        path = f"/-/asset_publisher/{self.instance}/content/{a.slug}"
        query = urlencode({"inheritRedirect": "false", "redirect": self.base + self.listing_path})
        return {"link_list": f"{self.base}{path}?{query}", "link_side": f"{self.listing_path}{path}"}

    def canonical(self, a: ReplicaArticle) -> str:
        return f"{self.base}/-/asset_publisher/{self.instance}/content/{a.slug}"

    def page_url(self, n: int, *args: int) -> str:
        p = self.portlet
        return (
            f"{self.base}{self.listing_path}?p_p_id={p}&p_p_lifecycle=0&p_p_state=normal&p_p_mode=view"
            f"&_{p}_delta={PAGE_SIZE}&p_r_p_resetCur=false&_{p}_cur={n}"
        )

    def display_date(self, when: datetime) -> str:
        return when.strftime("%d/%m/%Y | %H:%M")

    def _image(self, img: dict[str, Any]) -> str:
        src = _esc(str(img["src"]))
        cap = img.get("caption")
        if not cap:
            return f'<p style="text-align:center"><img alt="" src="{src}" /></p>'
        return (
            f'<figure class="image"><img alt="" src="{src}" />\n<figcaption>{_esc(cap)}</figcaption></figure>'
        )

    def content(self, a: ReplicaArticle) -> Markup:
        tail = ""
        if a.attachments:
            links = ", ".join(f'<a href="{_esc(f["href"])}">{_esc(f["title"])}</a>' for f in a.attachments)
            tail = f"\n\n<p>Tệp đính kèm: {links}</p>"
        return self._body_html(a, self._image, tail)

    def article_extra(self, a: ReplicaArticle) -> dict[str, Any]:
        lead = next((img for img in a.images if img.get("lead")), None)
        return {
            "lead_image": lead,
            "share_thumb": f"/documents/20124/0/thumb-{a.slug[:24]}.jpg/{self._id_num(a)}?t=1611304187903",
        }


class LiferayAdtJsRenderer(LiferayAdtRenderer):
    """The dongthap ADT filled in by JavaScript: the article page ships the chrome, the title and an
    empty ``div.news-detail``; its script fetches ``/o/api/news/<id>`` and writes the date, sapo,
    lead photo, body and author into the same ADT markup, so only a browser sees the article.

    Templates: ``liferay-adt-js/`` overrides the ADT partial only; the rest is ``liferay-adt/``.
    """

    key = "liferay-adt-js"
    api_path: ClassVar[str] = "/o/api/news/"

    def __init__(self, articles: list[ReplicaArticle], base: str, options: dict[str, Any]) -> None:
        super().__init__(articles, base, options)
        self.env.loader = ChoiceLoader(
            [
                FileSystemLoader(str(TEMPLATES / self.key)),
                FileSystemLoader(str(TEMPLATES / LiferayAdtRenderer.key)),
            ]
        )

    def news_json(self, a: ReplicaArticle) -> dict[str, Any]:
        """What the portal's JSON endpoint answers (local time with its offset, body as HTML)."""
        lead = next((img for img in a.images if img.get("lead")), None)
        return {
            "id": a.id,
            "title": a.title,
            "datePublished": a.published.isoformat(timespec="seconds") + "+07:00",
            "sapo": a.lead,
            "image": {"src": lead["src"], "caption": lead.get("caption")} if lead else None,
            "content": str(self.content(a)),
            "author": a.author,
        }

    def handle(self, path: str, query: dict[str, list[str]]) -> Page | None:
        if path.startswith(self.api_path):
            a = self.by_id.get(path[len(self.api_path) :].strip("/"))
            if a is None:
                return None
            body = json.dumps(self.news_json(a), ensure_ascii=False)
            return Page(body, content_type="application/json; charset=utf-8")
        return super().handle(path, query)


class LiferayJournalRenderer(_AssetPublisherRenderer):
    """Liferay 6.2 stock Asset Publisher (portlet 101) with the thaibinh journal template."""

    key = "liferay-journal"
    body_class = "noi-dung"
    drift_body_class = "noidung-baiviet"
    listing_path = "/web/guest/tin-tuc"
    instance = "aB3xYz9Q"

    def _article_url(self, a: ReplicaArticle) -> str:
        return f"{self.base}{self.listing_path}/-/asset_publisher/{self.instance}/content/{a.slug}"

    def links(self, a: ReplicaArticle) -> dict[str, str]:
        link = f"{self._article_url(a)}?redirect={quote(self.listing_path, safe='')}"
        return {"link_list": link, "link_side": link}

    def canonical(self, a: ReplicaArticle) -> str:
        return self._article_url(a)

    def page_url(self, n: int, *args: int) -> str:
        delta = args[0] if args else PAGE_SIZE
        p = f"101_INSTANCE_{self.instance}"
        return (
            f"{self.base}{self.listing_path}?p_p_id={p}&p_p_lifecycle=0&p_p_state=normal&p_p_mode=view"
            f"&p_p_col_id=column-1&p_p_col_count=2&_{p}_delta={delta}&_{p}_keywords=&_{p}_advancedSearch=false"
            f"&_{p}_andOperator=true&p_r_p_564233524_resetCur=false&_{p}_cur={n}"
        )

    def display_date(self, when: datetime) -> str:
        return f"Ngày {when:%d} tháng {when:%m} năm {when:%Y}"

    def _image(self, img: dict[str, Any]) -> str:
        src = _esc(str(img["src"]))
        size = "width: 600px; height: 400px;"
        out = f'<p style="text-align:center"><img alt="" src="{src}" style="{size}" /></p>'
        if img.get("caption"):
            out += f'\n<p style="text-align: center;"><em>{_esc(img["caption"])}</em></p>'
        return "<p>&nbsp;</p>\n" + out + "\n<p>&nbsp;</p>"

    def content(self, a: ReplicaArticle) -> Markup:
        tail = f'\n\n<p style="text-align: right;"><strong>{_esc(a.author)}</strong></p>' if a.author else ""
        return self._body_html(a, self._image, tail)

    def article_extra(self, a: ReplicaArticle) -> dict[str, Any]:
        files = [
            {**f, "icon": f["href"].rsplit(".", 1)[-1].split("/")[0].lower()[:4]}
            for f in (dict(x) for x in a.attachments)
        ]
        return {"attachments": files}


_WEEKDAYS = ("Thứ hai", "Thứ ba", "Thứ tư", "Thứ năm", "Thứ sáu", "Thứ bảy", "Chủ nhật")


class LiferayJournalDriftRenderer(LiferayJournalRenderer):
    """The thaibinh pages after a journal template change (issue 12): the template prints the
    date, "(Thứ hai, 19/04/2021 15:17)", and the paragraphs straight into
    ``.journal-content-article``, without the ``chi-tiet-tin`` / ``noi-dung`` wrappers the
    ``liferay-journal`` parser's own selectors need, and the Asset Publisher no longer shows the
    publish date in its metadata. Same routes, listings and articles.

    Templates: ``liferay-journal-drift/`` overrides the journal partial only; the rest is
    ``liferay-journal/``.
    """

    key = "liferay-journal-drift"

    def __init__(self, articles: list[ReplicaArticle], base: str, options: dict[str, Any]) -> None:
        super().__init__(articles, base, options)
        self.env.loader = ChoiceLoader(
            [
                FileSystemLoader(str(TEMPLATES / self.key)),
                FileSystemLoader(str(TEMPLATES / LiferayJournalRenderer.key)),
            ]
        )

    def article_extra(self, a: ReplicaArticle) -> dict[str, Any]:
        when = a.published
        return {
            **super().article_extra(a),
            "date_paren": f"{_WEEKDAYS[when.weekday()]}, {when:%d/%m/%Y %H:%M}",
            "hide_publish_date": True,  # the Asset Publisher's "show publish date" turned off too
        }


RENDERERS: dict[str, type[LiferayRenderer]] = {
    cls.key: cls
    for cls in (
        PublishingPortalLiferayRenderer,
        PublishingPortalSharePointRenderer,
        LiferayAdtRenderer,
        LiferayAdtJsRenderer,
        LiferayJournalRenderer,
        LiferayJournalDriftRenderer,
    )
}
