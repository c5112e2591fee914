"""Replica renderers for the WordPress sites: tagDiv Newspaper (khoicq) and TieLabs Sahifa (gialai).

Routes (what the real sites serve):
    /<permalink>/           post page (Newspaper: /%year%/%monthnum%/%postname%/, Sahifa: /%postname%/)
    /?p=ID                  301 to the permalink
    /, /page/N/             home loop; /category/<slug>/ and /category/<slug>/page/N/ (5 per page)
    /wp-json/wp/v2/posts    REST: per_page, page, after, before, modified_after, orderby, order
                            (X-WP-Total / X-WP-TotalPages); /wp-json/wp/v2/posts/<id>; ?rest_route=
    /wp-sitemap.xml         index -> /wp-sitemap-posts-post-N.xml (lastmod) and a category sitemap
    /feed/                  RSS 2.0, the 10 newest posts
    /robots.txt

Options: {"rest": 401|403|404} the REST API answers that error; {"variant": "drift"} renames the
post body container (a theme update); {"wp_timezone": "UTC"} reproduces a site whose WordPress
time zone was left at UTC: every machine-readable time carries "+00:00" / "+0000" although the
clock time is local (khoicq), and REST `date_gmt` equals `date`.

Article `extra` knobs (all optional): "image_style" ("gutenberg"), "printed_byline" (a right-aligned
bold author line at the end), "source_line" ("Theo Báo ..."), "see_also" ([{"title", "href"}], a
"Xem thêm:" paragraph; "see_also_style": "list" for a label plus list), "embed" (an iframe URL),
"share_inline" (a Jetpack share block in the content). Image dicts may carry "after" (the body
block index they follow) and "style".
"""

from __future__ import annotations

import html
import json
import math
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import quote, urlsplit

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from replica.model import Page, ReplicaArticle

__all__ = ["RENDERERS", "NewspaperRenderer", "SahifaRenderer", "WordPressRenderer", "slugify"]

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
PAGE_SIZE = 5  # category listing page size (the sites' "posts per page")
FEED_SIZE = 10
SITEMAP_SIZE = 2000  # WordPress core sitemaps: 2,000 URLs per page
JSON_TYPE = "application/json; charset=UTF-8"
XML_TYPE = "application/xml; charset=UTF-8"


def slugify(text: str) -> str:
    """WordPress-style slug of Vietnamese text: diacritics dropped, đ -> d, words joined by '-'."""
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def _text_of(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


@dataclass
class _Post:
    """One article as the templates, the REST API, the feed and the sitemap need it."""

    article: ReplicaArticle
    id: int
    path: str
    url: str
    category: str
    category_slug: str
    author: str
    author_slug: str
    date_local: datetime  # wall time as the site stores it (post_date)
    date_gmt: datetime  # post_date_gmt
    modified_local: datetime
    modified_gmt: datetime
    content: str = ""
    tags: list[dict[str, str]] = field(default_factory=list)


class WordPressRenderer:
    """Shared WordPress routes and data; subclasses set the theme's templates and markup."""

    key: ClassVar[str] = ""
    site_name: ClassVar[str] = ""
    default_category: ClassVar[str] = ""
    default_author: ClassVar[str] = "admin"
    date_permalinks: ClassVar[bool] = False  # /%year%/%monthnum%/%postname%/ instead of /%postname%/
    content_class: ClassVar[str] = "entry-content"
    drift_content_class: ClassVar[str] = "entry-content-inner"
    image_style: ClassVar[str] = "figure"  # "classic" (div.wp-caption > p), "figure", "gutenberg"
    indent_paragraphs: ClassVar[bool] = False
    in_content_ad: ClassVar[str | None] = None  # markup inserted after the 5th block (theme ad slot)
    supports_lead: ClassVar[bool] = False  # the theme shows a sub-title (manual excerpt)

    def __init__(self, articles: list[ReplicaArticle], base: str, options: dict[str, Any]) -> None:
        self.base = base.rstrip("/")
        self.options = dict(options or {})
        utc_site = str(self.options.get("wp_timezone", "Asia/Ho_Chi_Minh")).upper() in ("UTC", "UTC+0", "GMT")
        self.offset = timedelta(0) if utc_site else timedelta(hours=7)
        self.env = Environment(
            loader=FileSystemLoader(str(TEMPLATES / self.key)),
            autoescape=select_autoescape(default=True, default_for_string=True),
            keep_trailing_newline=True,
        )
        ordered = sorted(articles, key=lambda a: (a.published, int(a.id)), reverse=True)
        self.categories: dict[str, int] = {}
        self.tag_ids: dict[str, int] = {}
        self.authors: dict[str, int] = {}
        self.posts = [self._post(a) for a in ordered]  # newest first
        self.by_path = {p.path: p for p in self.posts}
        self.by_id = {p.id: p for p in self.posts}
        self.position = {p.id: i for i, p in enumerate(self.posts)}

    # -- data ---------------------------------------------------------------------------------

    def _post(self, a: ReplicaArticle) -> _Post:
        post_id = int(a.id)
        path = f"/{a.published:%Y}/{a.published:%m}/{a.slug}/" if self.date_permalinks else f"/{a.slug}/"
        category = a.category or self.default_category
        author = a.author or self.default_author
        self.categories.setdefault(slugify(category), 3 + len(self.categories))
        self.authors.setdefault(author, 1 + len(self.authors))
        modified = a.modified or a.published
        post = _Post(
            article=a,
            id=post_id,
            path=path,
            url=self.base + path,
            category=category,
            category_slug=slugify(category),
            author=author,
            author_slug="bbt" if author == "Ban biên tập" else slugify(author),
            date_local=a.published,
            date_gmt=a.published - self.offset,
            modified_local=modified,
            modified_gmt=modified - self.offset,
            tags=[{"name": t, "slug": slugify(t)} for t in a.tags],
        )
        for t in a.tags:
            self.tag_ids.setdefault(slugify(t), 10 + len(self.tag_ids))
        post.content = self.render_content(post)
        return post

    def _abs(self, src: str) -> str:
        return self.base + src if src.startswith("/") else src

    def _offset_str(self, colon: bool = True) -> str:
        hours = int(self.offset.total_seconds() // 3600)
        return f"+{hours:02d}:00" if colon else f"+{hours:02d}00"

    def _attr_time(self, local: datetime) -> str:
        """A machine-readable time as the site prints it (datetime attributes, article:* meta)."""
        return local.strftime("%Y-%m-%dT%H:%M:%S") + self._offset_str()

    # -- content ------------------------------------------------------------------------------

    def image_html(self, img: dict[str, Any], attachment_id: int, style: str) -> str:
        src = self._abs(str(img["src"]))
        stem, dot, ext = src.rpartition(".")
        small = f"{stem}-300x200{dot}{ext}" if dot else src
        cap = img.get("caption")
        esc = html.escape(cap, quote=False) if cap else None
        if style == "gutenberg":
            caption = f'<figcaption class="wp-element-caption">{esc}</figcaption>' if esc else ""
            return (
                f'<figure class="wp-block-image size-large"><img decoding="async" loading="lazy" width="800" '
                f'height="533" src="{src}" alt="" class="wp-image-{attachment_id}" srcset="{src} 800w, '
                f'{small} 300w" sizes="(max-width: 800px) 100vw, 800px" />{caption}</figure>'
            )
        if not esc:
            return (
                f'<p><img loading="lazy" class="aligncenter size-full wp-image-{attachment_id}" src="{src}" '
                f'alt="" width="600" height="400" /></p>'
            )
        if style == "classic":
            return (
                f'<div id="attachment_{attachment_id}" style="width: 610px" class="wp-caption aligncenter">'
                f'<img aria-describedby="caption-attachment-{attachment_id}" loading="lazy" '
                f'class="size-full wp-image-{attachment_id}" src="{src}" alt="" width="600" height="400" '
                f'srcset="{src} 600w, {small} 300w" sizes="(max-width: 600px) 100vw, 600px" />'
                f'<p id="caption-attachment-{attachment_id}" class="wp-caption-text">{esc}</p></div>'
            )
        return (
            f'<figure id="attachment_{attachment_id}" aria-describedby="caption-attachment-{attachment_id}" '
            f'style="width: 800px" class="wp-caption aligncenter"><img decoding="async" loading="lazy" '
            f'class="size-full wp-image-{attachment_id}" src="{src}" alt="" width="800" height="533" '
            f'srcset="{src} 800w, {small} 300w" sizes="(max-width: 800px) 100vw, 800px" />'
            f'<figcaption id="caption-attachment-{attachment_id}" class="wp-caption-text">{esc}'
            "</figcaption></figure>"
        )

    def _block(self, block: str) -> str:
        if self.indent_paragraphs and block.startswith("<p>"):
            return "<p>&nbsp;&nbsp;&nbsp;&nbsp;" + block[3:]
        return block

    def render_content(self, post: _Post) -> str:
        """`content.rendered`: the same HTML in the page and in the REST API."""
        a = post.article
        extra = a.extra or {}
        blocks = list(a.body)
        last = max(len(blocks) - 1, 0)
        after: dict[int, list[str]] = {}
        for i, img in enumerate(a.images):
            style = img.get("style") or extra.get("image_style") or self.image_style
            pos = min(int(img.get("after", i * 3)), last)
            after.setdefault(pos, []).append(self.image_html(img, post.id + 1 + i, style))
        out: list[str] = []
        for idx, block in enumerate(blocks or [""]):
            if block:
                out.append(self._block(block))
            out.extend(after.get(idx, []))
            if idx == 1 and extra.get("see_also"):
                out.append(self._see_also(extra["see_also"], extra.get("see_also_style")))
            if idx == 2 and extra.get("embed"):
                out.append(
                    '<figure class="wp-block-embed is-type-video is-provider-youtube wp-block-embed-youtube">'
                    '<div class="wp-block-embed__wrapper"><iframe loading="lazy" title="Video" width="640" '
                    f'height="360" src="{html.escape(extra["embed"])}" frameborder="0" allowfullscreen>'
                    "</iframe></div></figure>"
                )
            if idx == 4 and self.in_content_ad:
                out.append(self.in_content_ad.replace("{base}", self.base))
        for att in a.attachments:
            href = html.escape(self._abs(att["href"]))
            title = html.escape(att.get("title") or href.rsplit("/", 1)[-1], quote=False)
            out.append(
                f'<div class="wp-block-file"><a href="{href}">{title}</a><a href="{href}" '
                'class="wp-block-file__button" download>Tải xuống</a></div>'
            )
        if extra.get("share_inline"):
            out.append(
                '<div class="sharedaddy sd-sharing-enabled"><div class="robots-nocontent sd-block sd-social">'
                '<h3 class="sd-title">Chia sẻ:</h3><div class="sd-content"><ul><li class="share-facebook">'
                f'<a class="share-facebook sd-button" href="{post.url}?share=facebook" target="_blank">'
                '<span>Facebook</span></a></li><li class="share-twitter"><a class="share-twitter sd-button" '
                f'href="{post.url}?share=twitter" target="_blank"><span>Twitter</span></a></li></ul>'
                "</div></div></div>"
            )
        if extra.get("printed_byline"):
            name = html.escape(extra["printed_byline"], quote=False)
            out.append(f'<p style="text-align: right;"><strong>{name}</strong></p>')
        if extra.get("source_line"):
            out.append(
                f'<p style="text-align: right;"><em>{html.escape(extra["source_line"], quote=False)}</em></p>'
            )
        return "\n".join(out) + "\n"

    def _see_also(self, links: list[dict[str, str]], style: str | None) -> str:
        anchors = [
            f'<a href="{html.escape(self._abs(x["href"]))}">{html.escape(x["title"], quote=False)}</a>'
            for x in links
        ]
        if style == "list":
            items = "".join(f"<li>{a}</li>" for a in anchors)
            return f"<p><strong>Xem thêm:</strong></p>\n<ul>{items}</ul>"
        return "<p><strong>Xem thêm:</strong> " + "; ".join(anchors) + "</p>"

    # -- view models --------------------------------------------------------------------------

    def _teaser(self, post: _Post, words: int = 22) -> str:
        text = " ".join(_text_of(b) for b in post.article.body)
        parts = text.split()
        return " ".join(parts[:words]) + ("..." if len(parts) > words else "")

    def _thumb(self, post: _Post) -> str:
        if post.article.images:
            src = self._abs(str(post.article.images[0]["src"]))
            stem, dot, ext = src.rpartition(".")
            return f"{stem}-218x150{dot}{ext}" if dot else src
        return f"{self.base}/wp-content/uploads/no-thumb.png"

    def _card(self, post: _Post) -> dict[str, Any]:
        return {
            "url": post.url,
            "title": post.article.title,
            "thumb": self._thumb(post),
            "author": post.author,
            "author_slug": post.author_slug,
            "published_attr": self._attr_time(post.date_local),
            "date_vn": post.date_local.strftime("%d/%m/%Y"),
            "teaser": self._teaser(post),
        }

    def _ld_json(self, post: _Post) -> Markup:
        a = post.article
        person = f"{self.base}/#/schema/person/{post.author_slug}"
        graph = [
            {
                "@type": "WebPage",
                "@id": f"{post.url}#webpage",
                "url": post.url,
                "name": f"{a.title} - {self.site_name}",
                "datePublished": self._attr_time(post.date_local),
                "dateModified": self._attr_time(post.modified_local),
                "inLanguage": "vi",
            },
            {
                "@type": "Article",
                "@id": f"{post.url}#article",
                "isPartOf": {"@id": f"{post.url}#webpage"},
                "author": {"name": post.author, "@id": person},
                "headline": a.title,
                "datePublished": self._attr_time(post.date_local),
                "dateModified": self._attr_time(post.modified_local),
                "articleSection": [post.category],
                "keywords": a.tags,
                "inLanguage": "vi",
            },
            {"@type": "Person", "@id": person, "name": post.author},
        ]
        raw = json.dumps({"@context": "https://schema.org", "@graph": graph}, ensure_ascii=False)
        return Markup(raw.replace("</", "<\\/"))

    def _common(self) -> dict[str, Any]:
        host = urlsplit(self.base).netloc
        return {
            "base": self.base,
            "base_js": self.base.replace("/", "\\/"),
            "host_q": quote(host, safe=""),
            "recent": [self._card(p) for p in self.posts[:5]],
            "menu_current": "",
        }

    def _post_view(self, post: _Post) -> dict[str, Any]:
        a = post.article
        idx = self.position[post.id]
        newer = self.posts[idx - 1] if idx > 0 else None
        older = self.posts[idx + 1] if idx + 1 < len(self.posts) else None
        first_image = self._abs(str(a.images[0]["src"])) if a.images else None
        text = " ".join(_text_of(b) for b in a.body)
        return {
            "id": post.id,
            "url": post.url,
            "path": post.path,
            "slug": a.slug,
            "url_q": quote(post.url, safe=""),
            "title": a.title,
            "title_q": quote(a.title, safe=""),
            "description": " ".join(text.split()[:25]),
            "published_attr": self._attr_time(post.date_local),
            "modified_attr": self._attr_time(post.modified_local),
            "date_vn": post.date_local.strftime("%d/%m/%Y"),
            "date_ymd": post.date_local.strftime("%Y-%m-%d"),
            "author": post.author,
            "author_slug": post.author_slug,
            "category": post.category,
            "category_slug": post.category_slug,
            "category_url": f"{self.base}/category/{post.category_slug}/",
            "tags": post.tags,
            "lead": a.lead if self.supports_lead else None,
            "content": Markup(post.content),
            "og_image": first_image,
            "views": 100 + post.id * 7 % 1900,
            "read_minutes": max(1, len(text.split()) // 200),
            "ld_json": self._ld_json(post),
            "prev": {"url": older.url, "title": older.article.title} if older else None,
            "next": {"url": newer.url, "title": newer.article.title} if newer else None,
        }

    # -- pages --------------------------------------------------------------------------------

    def _content_class(self) -> str:
        return self.drift_content_class if self.options.get("variant") == "drift" else self.content_class

    def article_page(self, post: _Post) -> Page:
        others = [p for p in self.posts[:5] if p is not post][:4]
        ctx = {
            **self._common(),
            "doc_title": post.article.title,
            "p": self._post_view(post),
            "content_class": self._content_class(),
            "related": [self._card(p) for p in others[:3]],
            "check_also": self._card(others[3]) if len(others) > 3 else None,
            "view_ids": str(post.id),
        }
        return Page(self.env.get_template("article.j2").render(ctx))

    def listing_page(
        self, posts: list[_Post], page: int, listing_path: str, heading: str, slug: str
    ) -> Page | None:
        total = max(1, math.ceil(len(posts) / PAGE_SIZE))
        if page < 1 or page > total:
            return None

        def page_url(n: int) -> str:
            return f"{self.base}{listing_path}" + (f"page/{n}/" if n > 1 else "")

        chunk = posts[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
        ctx = {
            **self._common(),
            "doc_title": f"Lưu trữ {heading}" if slug else heading,
            "heading": heading,
            "category_slug": slug,
            "listing_url": page_url(1),
            "canonical": page_url(page),
            "posts": [self._card(p) for p in chunk],
            "page": page,
            "pages": list(range(1, total + 1)),
            "page_url": page_url,
            "prev_url": page_url(page - 1) if page > 1 else None,
            "next_url": page_url(page + 1) if page < total else None,
            "view_ids": ", ".join(str(p.id) for p in chunk),
            "menu_current": " current-menu-item" if slug else "",
        }
        return Page(self.env.get_template("listing.j2").render(ctx))

    def listed_urls(self) -> list[str]:
        return [p.url for p in self.posts]

    # -- REST ---------------------------------------------------------------------------------

    def rest_entry(self, post: _Post) -> dict[str, Any]:
        a = post.article
        if self.supports_lead and a.lead:
            excerpt = f"<p>{html.escape(a.lead, quote=False)}</p>\n"
        else:
            words = " ".join(_text_of(b) for b in a.body).split()
            excerpt = "<p>" + html.escape(" ".join(words[:55]), quote=False) + " [&hellip;]</p>\n"
        fmt = "%Y-%m-%dT%H:%M:%S"
        entry: dict[str, Any] = {
            "id": post.id,
            "date": post.date_local.strftime(fmt),
            "date_gmt": post.date_gmt.strftime(fmt),
            "guid": {"rendered": f"{self.base}/?p={post.id}"},
            "modified": post.modified_local.strftime(fmt),
            "modified_gmt": post.modified_gmt.strftime(fmt),
            "slug": a.slug,
            "status": "publish",
            "type": "post",
            "link": post.url,
            "title": {"rendered": html.escape(a.title, quote=False)},
            "content": {"rendered": post.content, "protected": False},
            "excerpt": {"rendered": excerpt, "protected": False},
            "author": self.authors[post.author],
            "featured_media": post.id + 1 if a.images else 0,
            "comment_status": "open",
            "ping_status": "open",
            "sticky": False,
            "template": "",
            "format": "standard",
            "meta": [],
            "categories": [self.categories[post.category_slug]],
            "tags": [self.tag_ids[t["slug"]] for t in post.tags],
            "yoast_head": self._yoast_head(post),
        }
        entry.update(self._rest_extra(post))
        entry["_links"] = {
            "self": [{"href": f"{self.base}/wp-json/wp/v2/posts/{post.id}"}],
            "collection": [{"href": f"{self.base}/wp-json/wp/v2/posts"}],
            "author": [
                {"embeddable": True, "href": f"{self.base}/wp-json/wp/v2/users/{self.authors[post.author]}"}
            ],
        }
        return entry

    def _rest_extra(self, post: _Post) -> dict[str, Any]:
        return {}

    def _yoast_head(self, post: _Post) -> str:
        title = html.escape(post.article.title)
        return (
            f"<title>{title} - {html.escape(self.site_name)}</title>\n"
            f'<link rel="canonical" href="{post.url}" />\n'
            f'<meta property="og:type" content="article" />\n'
            f'<meta property="og:title" content="{title}" />\n'
            f'<meta property="article:published_time" content="{self._attr_time(post.date_local)}" />\n'
            f'<meta property="article:modified_time" content="{self._attr_time(post.modified_local)}" />\n'
            '<meta name="twitter:label1" content="Được viết bởi">\n'
            f'<meta name="twitter:data1" content="{html.escape(post.author)}">\n'
        )

    def _rest_error(self, status: int, code: str, message: str) -> Page:
        body = json.dumps({"code": code, "message": message, "data": {"status": status}}, ensure_ascii=False)
        return Page(body, content_type=JSON_TYPE, status=status)

    def _site_time(self, value: str) -> datetime | None:
        """A REST date parameter as site-local naive time (WordPress reads it in the site's zone)."""
        try:
            when = datetime.fromisoformat(value.strip().replace("Z", "+00:00").replace(" ", "+"))
        except ValueError:
            return None
        if when.tzinfo is not None:
            when = (when.astimezone(UTC) + self.offset).replace(tzinfo=None)
        return when

    def rest_posts(self, query: dict[str, list[str]]) -> Page:
        def arg(name: str, default: str | None = None) -> str | None:
            values = query.get(name)
            return values[0] if values else default

        try:
            per_page = int(arg("per_page", "10") or 10)
            page = int(arg("page", "1") or 1)
        except ValueError:
            return self._rest_error(400, "rest_invalid_param", "Tham số không hợp lệ: per_page, page")
        if not 1 <= per_page <= 100:
            return self._rest_error(400, "rest_invalid_param", "Tham số không hợp lệ: per_page")
        posts = list(self.posts)
        for name, attr, newer in (
            ("after", "date_local", True),
            ("before", "date_local", False),
            ("modified_after", "modified_local", True),
            ("modified_before", "modified_local", False),
        ):
            raw = arg(name)
            if raw is None:
                continue
            bound = self._site_time(raw)
            if bound is None:
                return self._rest_error(400, "rest_invalid_param", f"Tham số không hợp lệ: {name}")
            posts = [p for p in posts if (getattr(p, attr) > bound if newer else getattr(p, attr) < bound)]
        orderby = arg("orderby", "date")
        keys = {
            "date": lambda p: (p.date_local, p.id),
            "modified": lambda p: (p.modified_local, p.id),
            "id": lambda p: p.id,
            "title": lambda p: p.article.title,
        }
        if orderby not in keys:
            return self._rest_error(400, "rest_invalid_param", "Tham số không hợp lệ: orderby")
        posts.sort(key=keys[orderby], reverse=arg("order", "desc") != "asc")
        total = len(posts)
        pages = math.ceil(total / per_page)
        if page < 1 or (page > pages and page > 1):
            return self._rest_error(
                400, "rest_post_invalid_page_number", "Số trang được yêu cầu lớn hơn số trang có sẵn."
            )
        chunk = posts[(page - 1) * per_page : page * per_page]
        body = json.dumps([self.rest_entry(p) for p in chunk], ensure_ascii=False)
        headers = {"X-WP-Total": str(total), "X-WP-TotalPages": str(pages), "Allow": "GET"}
        if page < pages:
            headers["Link"] = (
                f'<{self.base}/wp-json/wp/v2/posts?per_page={per_page}&page={page + 1}>; rel="next"'
            )
        return Page(body, content_type=JSON_TYPE, headers=headers)

    def rest(self, route: str, query: dict[str, list[str]]) -> Page | None:
        status = self.options.get("rest")
        if status in (401, 403, 404, "401", "403", "404"):
            code = int(status)
            reasons = {
                401: ("rest_not_logged_in", "Bạn hiện chưa đăng nhập."),
                403: ("rest_cannot_access", "Only authenticated users can access the REST API."),
                404: ("rest_no_route", "Không tìm thấy route nào khớp với URL và phương thức yêu cầu."),
            }
            return self._rest_error(code, *reasons[code])
        route = "/" + route.strip("/")
        if route == "/wp/v2/posts":
            return self.rest_posts(query)
        m = re.fullmatch(r"/wp/v2/posts/(\d+)", route)
        if m:
            post = self.by_id.get(int(m.group(1)))
            if post is None:
                return self._rest_error(404, "rest_post_invalid_id", "ID bài viết không hợp lệ.")
            return Page(json.dumps(self.rest_entry(post), ensure_ascii=False), content_type=JSON_TYPE)
        if route == "/":
            index = {"name": self.site_name, "url": self.base, "namespaces": ["oembed/1.0", "wp/v2"]}
            return Page(json.dumps(index, ensure_ascii=False), content_type=JSON_TYPE)
        return self._rest_error(
            404, "rest_no_route", "Không tìm thấy route nào khớp với URL và phương thức yêu cầu."
        )

    # -- feeds and sitemaps -------------------------------------------------------------------

    def _rfc822(self, gmt: datetime) -> str:
        return format_datetime(gmt.replace(tzinfo=UTC))

    def feed(self) -> Page:
        items = []
        for post in self.posts[:FEED_SIZE]:
            a = post.article
            cats = "".join(
                f"\n\t\t<category><![CDATA[{_cdata(x)}]]></category>" for x in [post.category, *a.tags]
            )
            items.append(
                "\t<item>\n"
                f"\t\t<title>{html.escape(a.title, quote=False)}</title>\n"
                f"\t\t<link>{post.url}</link>\n"
                f"\t\t\t\t\t<comments>{post.url}#respond</comments>\n"
                f"\t\t<dc:creator><![CDATA[{_cdata(post.author)}]]></dc:creator>\n"
                f"\t\t<pubDate>{self._rfc822(post.date_gmt)}</pubDate>{cats}\n"
                f'\t\t<guid isPermaLink="false">{self.base}/?p={post.id}</guid>\n'
                f"\t\t<description><![CDATA[{_cdata(self._teaser(post, 40))}]]></description>\n"
                f"\t\t<content:encoded><![CDATA[{_cdata(post.content)}]]></content:encoded>\n"
                "\t</item>\n"
            )
        newest = max((p.modified_gmt for p in self.posts), default=datetime(2020, 1, 1))
        body = (
            '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"\n'
            '\txmlns:content="http://purl.org/rss/1.0/modules/content/"\n'
            '\txmlns:wfw="http://wellformedweb.org/CommentAPI/"\n'
            '\txmlns:dc="http://purl.org/dc/elements/1.1/"\n'
            '\txmlns:atom="http://www.w3.org/2005/Atom"\n'
            '\txmlns:sy="http://purl.org/rss/1.0/modules/syndication/"\n'
            '\txmlns:slash="http://purl.org/rss/1.0/modules/slash/"\n\t>\n\n<channel>\n'
            f"\t<title>{html.escape(self.site_name, quote=False)}</title>\n"
            f'\t<atom:link href="{self.base}/feed/" rel="self" type="application/rss+xml" />\n'
            f"\t<link>{self.base}</link>\n"
            f"\t<description>Trang thông tin điện tử {html.escape(self.site_name, quote=False)}"
            "</description>\n"
            f"\t<lastBuildDate>{self._rfc822(newest)}</lastBuildDate>\n"
            "\t<language>vi</language>\n\t<generator>https://wordpress.org/?v=6.2</generator>\n"
            + "".join(items)
            + "\t</channel>\n</rss>\n"
        )
        return Page(body, content_type="application/rss+xml; charset=UTF-8")

    def sitemap_index(self) -> Page:
        n = max(1, math.ceil(len(self.posts) / SITEMAP_SIZE))
        maps = [f"{self.base}/wp-sitemap-posts-post-{i}.xml" for i in range(1, n + 1)]
        maps.append(f"{self.base}/wp-sitemap-taxonomies-category-1.xml")
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<?xml-stylesheet type="text/xsl" href="{self.base}/wp-sitemap-index.xsl" ?>\n'
            '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            + "".join(f"<sitemap><loc>{m}</loc></sitemap>" for m in maps)
            + "</sitemapindex>\n"
        )
        return Page(body, content_type=XML_TYPE)

    def sitemap(self, kind: str, number: int) -> Page | None:
        if kind == "taxonomies-category" and number == 1:
            urls = [(f"{self.base}/category/{slug}/", None) for slug in self.categories]
        elif kind == "posts-post":
            oldest_first = list(reversed(self.posts))
            chunk = oldest_first[(number - 1) * SITEMAP_SIZE : number * SITEMAP_SIZE]
            if number < 1 or not chunk:
                return None
            # lastmod is post_modified_gmt labeled +00:00 (on a UTC-zoned site: the local wall time)
            urls = [(p.url, p.modified_gmt.strftime("%Y-%m-%dT%H:%M:%S") + "+00:00") for p in chunk]
        else:
            return None
        entries = "".join(
            f"<url><loc>{u}</loc>" + (f"<lastmod>{m}</lastmod>" if m else "") + "</url>" for u, m in urls
        )
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<?xml-stylesheet type="text/xsl" href="{self.base}/wp-sitemap.xsl" ?>\n'
            f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</urlset>\n'
        )
        return Page(body, content_type=XML_TYPE)

    # -- routing ------------------------------------------------------------------------------

    def _redirect(self, url: str) -> Page:
        return Page(b"", status=301, headers={"Location": url})

    def handle(self, path: str, query: dict[str, list[str]]) -> Page | None:
        path = path or "/"
        if "rest_route" in query:
            return self.rest(query["rest_route"][0], query)
        if path.startswith("/wp-json"):
            return self.rest(path[len("/wp-json") :], query)
        if path in ("/", "/index.php"):
            for key in ("p", "page_id"):
                if key in query:
                    value = query[key][0]
                    post = self.by_id.get(int(value)) if value.isdigit() else None
                    return self._redirect(post.url) if post else None
            if "s" in query:
                return None
            return self.listing_page(self.posts, 1, "/", self.site_name, "")
        if path == "/robots.txt":
            text = (
                "User-agent: *\nDisallow: /wp-admin/\nAllow: /wp-admin/admin-ajax.php\n\n"
                f"Sitemap: {self.base}/wp-sitemap.xml\n"
            )
            return Page(text, content_type="text/plain; charset=utf-8")
        # Options "sitemaps": false / "feed": false switch those sources off (a 404), as on sites
        # that disabled them, so tests can walk the whole discovery fallback chain.
        if path.startswith("/wp-sitemap") and self.options.get("sitemaps", True) is False:
            return None
        if path.startswith("/feed") and self.options.get("feed", True) is False:
            return None
        if path == "/wp-sitemap.xml":
            return self.sitemap_index()
        m = re.fullmatch(r"/wp-sitemap-([a-z-]+?)-(\d+)\.xml", path)
        if m:
            return self.sitemap(m.group(1), int(m.group(2)))
        if path in ("/feed/", "/feed"):
            return self.feed()
        if not path.endswith("/"):
            if path + "/" in self.by_path or re.fullmatch(r"/(?:category/[^/]+/)?(?:page/\d+)?", path):
                return self._redirect(self.base + path + "/")
            return None
        if path in self.by_path:
            return self.article_page(self.by_path[path])
        m = re.fullmatch(r"/(?:category/([^/]+)/)?page/(\d+)/", path) or re.fullmatch(
            r"/category/([^/]+)/", path
        )
        if m:
            slug = m.group(1)
            number = int(m.group(2)) if m.re.groups > 1 and m.group(2) else 1
            if number == 1 and path.endswith("/page/1/"):
                return self._redirect(self.base + path[: -len("page/1/")])
            if slug is None:
                return self.listing_page(self.posts, number, "/", self.site_name, "")
            posts = [p for p in self.posts if p.category_slug == slug]
            if not posts:
                return None
            return self.listing_page(posts, number, f"/category/{slug}/", posts[0].category, slug)
        return None


def _cdata(text: str) -> str:
    return text.replace("]]>", "]]]]><![CDATA[>")


class NewspaperRenderer(WordPressRenderer):
    """tagDiv Newspaper 10, WordPress 5.6 classic editor (khoicq)."""

    key: ClassVar[str] = "wp-newspaper"
    site_name: ClassVar[str] = "Đảng ủy Khối các cơ quan tỉnh"
    default_category: ClassVar[str] = "Tin hoạt động"
    default_author: ClassVar[str] = "Ban biên tập"
    date_permalinks: ClassVar[bool] = True
    content_class: ClassVar[str] = "td-post-content tagdiv-type"
    # Newspaper 10's Cloud Library single template wraps the content differently.
    drift_content_class: ClassVar[str] = "tdb-block-inner td-fix-index"
    image_style: ClassVar[str] = "classic"
    indent_paragraphs: ClassVar[bool] = True
    supports_lead: ClassVar[bool] = True


class SahifaRenderer(WordPressRenderer):
    """TieLabs Sahifa 5, WordPress 6.2 (gialai)."""

    key: ClassVar[str] = "wp-sahifa"
    site_name: ClassVar[str] = "Đảng bộ Khối các cơ quan và doanh nghiệp tỉnh Gia Lai"
    default_category: ClassVar[str] = "Xây dựng Đảng"
    default_author: ClassVar[str] = "admin"
    content_class: ClassVar[str] = "entry"
    drift_content_class: ClassVar[str] = "entry-inner"
    image_style: ClassVar[str] = "figure"
    # The theme's in-post ad shortcode ends up in content.rendered (the REST API serves it too).
    in_content_ad: ClassVar[str | None] = (
        '<div class="e3lan e3lan-in-post1"><span>Advertisement</span>\n'
        '<a href="https://dichvucong.gialai.gov.vn/" '
        'target="_blank" rel="noopener"><img decoding="async" loading="lazy" '
        'src="{base}/wp-content/uploads/2022/10/banner-cong-dich-vu-cong-tinh-gia-lai.jpg" '
        'alt="Cổng Dịch vụ công tỉnh Gia Lai" width="728" height="90" /></a></div>'
    )

    def _rest_extra(self, post: _Post) -> dict[str, Any]:
        return {
            "yoast_head_json": {
                "title": f"{post.article.title} - {self.site_name}",
                "canonical": post.url,
                "og_type": "article",
                "article_published_time": self._attr_time(post.date_local),
                "article_modified_time": self._attr_time(post.modified_local),
                "author": post.author,
                "twitter_misc": {"Được viết bởi": post.author},
            }
        }


RENDERERS: dict[str, type[WordPressRenderer]] = {r.key: r for r in (NewspaperRenderer, SahifaRenderer)}
