"""WordPress parsers: one generic parser and theme subclasses that override selectors only.

    WordPressParser  "wordpress"     unknown theme: JSON-LD / OpenGraph / article:* meta, .entry-content
    NewspaperParser  "wp-newspaper"  tagDiv Newspaper (khoicq): .td-post-content, .td-post-header
    SahifaParser     "wp-sahifa"     TieLabs Sahifa (gialai): div.entry, p.post-meta, e3lan ads
    JannahParser     "wp-jannah"     TieLabs Jannah: .entry-content, stream-item ads, .about-author

Each parser reads a post page (`parse_article`), a category page (`parse_listing`) and a REST
API entry (`parse_rest_post`, optionally with the post's page for the theme-only fields).
Site option `wp_timezone_is_wall_time`: the site's WordPress time zone was left at UTC, so its
"+00:00" times are Vietnamese wall-clock time (labeled +07:00 as is, not converted).

Which fields a REST entry alone gives: url, title, published_at, modified_at, body, captions and
images of the content, attachments, source_id; author when the content prints a byline or the
entry carries `_embedded.author` / Yoast data; category and tags only with `_embed`. The page
adds the theme's author, category, tags, lead (sub-title) and featured image with its caption.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from functools import cache, cached_property
from typing import Any, ClassVar
from urllib.parse import parse_qsl, urlsplit

from crawler.items import Article, Image
from crawler.normalize.dates import parse_iso_datetime, parse_vn_date
from crawler.normalize.text import clean_text, is_clean_boilerplate
from crawler.normalize.urls import absolute_url, canonical_netloc, plain_url
from crawler.parsers.base import Listing, TemplateParser
from crawler.parsers.dom import Node, ancestors, parse_document
from crawler.parsers.wp_content import (
    CONTENT_REMOVE,
    Content,
    extract_content,
    extract_figures,
    fragment,
    html_to_text,
)
from crawler.parsers.wp_discovery import (
    is_wp_article_path,
    is_wp_article_url,
    rest_datetime,
    wp_canonical_url,
)

__all__ = ["WORDPRESS_PARSERS", "JannahParser", "NewspaperParser", "SahifaParser", "WordPressParser"]

_POSTID_RE = re.compile(r"\bpostid-(\d+)\b")
_POST_ID_RE = re.compile(r"^post-(\d+)$")
_AUTO_EXCERPT_RE = re.compile(r"(?:\[(?:…|&hellip;|\.\.\.)\]|…|\.\.\.)\s*$")
# Ancestors that mark a link as outside the main loop of a listing page.
_NOT_LOOP_TAGS = frozenset({"aside", "nav", "footer"})
_NOT_LOOP_CLASSES = frozenset({"widget", "td-main-sidebar", "sidebar"})
# Every element `_not_loop` accepts matches this (and a few more, which `_not_loop` sorts out).
_MAY_NOT_LOOP = "aside, nav, footer, [id*='sidebar' i], [class*='widget' i], [class*='sidebar' i]"
# "<#id or .class> <rest>": a scope, then a descendant selector with no group or leading combinator.
_SCOPED_RE = re.compile(r"^([.#][\w-]+)\s+(?![>+~])[^,]+$")


@cache
def _scope_of(query: str) -> str | None:
    """The "<#id or .class>" scope of a query, None when it has none. Cached: a theme asks the
    same few dozen queries on every page (the regex ran ~10 times a page)."""
    m = _SCOPED_RE.match(query)
    return m[1] if m else None


class _Page:
    """One parsed page: the tree, its meta tags and (on first use) its JSON-LD objects."""

    def __init__(self, root: Node) -> None:
        self.root = root
        body = next((c for c in root.iter() if c.tag == "body"), None)
        self.body_class: str = (body.attrs.get("class") or "") if body is not None else ""
        self.meta: dict[str, str] = {}
        for m in root.css("meta[content]"):
            attrs = m.attributes  # one dict: cheaper than three attrs.get() calls
            name = attrs.get("property") or attrs.get("name") or attrs.get("itemprop")
            if name:
                key = name.strip().lower()
                if key not in self.meta:
                    self.meta[key] = attrs.get("content") or ""
        self.scopes: dict[str, list[Node]] = {}
        self.here: str | None = None  # the post's canonical URL, once known

    @cached_property
    def post_id(self) -> str | None:
        """The post's id ("1234") from the body class or the post's <article id="post-1234">."""
        m = _POSTID_RE.search(self.body_class)
        if m:
            return m.group(1)
        for article in self.root.css("article[id]"):
            m = _POST_ID_RE.match((article.attrs.get("id") or "").strip())
            if m and article.css_first("h1") is not None:
                return m.group(1)
        return None

    @cached_property
    def ld(self) -> list[dict[str, Any]]:
        """JSON-LD objects: lazy, the meta tags usually answer before them."""
        ld: list[dict[str, Any]] = []
        for script in self.root.css('script[type="application/ld+json"]'):
            try:
                # strict=False: raw newlines inside strings, as CMS templates print them
                ld.extend(_flatten_ld(json.loads(script.text(deep=True), strict=False)))
            except (ValueError, RecursionError):
                continue  # broken (or absurdly nested) JSON-LD is common; the other sources still work
        return ld

    def _scope(self, query: str) -> Node | None:
        """Where to ask `query`: for "<#id or .class> <rest>", the one element its scope
        matches (the root when repeated), None when it matches nothing; else the root."""
        scope = _scope_of(query)
        if scope is None:
            return self.root
        found = self.scopes.get(scope)
        if found is None:
            found = self.scopes[scope] = self.root.css(scope)
        if not found:
            return None
        return found[0] if len(found) == 1 else self.root

    def css(self, query: str) -> list[Node]:
        """`root.css(query)`, but a "<scope> <rest>" query only scans below its scope.

        A theme's selectors mostly start with the same container ("#the-post ...",
        ".td-post-header ..."). When the scope matches exactly one element, the whole query
        asked from that element (lexbor still checks its ancestors) matches what it matches in
        the page, and lexbor walks that subtree instead of the whole page.
        """
        scope = self._scope(query)
        return scope.css(query) if scope is not None else []

    def first(self, query: str) -> Node | None:
        """`css(query)[0]`, with a walk that stops at the first match."""
        scope = self._scope(query)
        return scope.css_first(query) if scope is not None else None

    def first_meta(self, *names: str) -> str | None:
        for name in names:
            value = self.meta.get(name)
            if value and value.strip():
                return value.strip()
        return None

    def ld_values(self, key: str) -> list[Any]:
        return [obj[key] for obj in self.ld if key in obj]

    @cached_property
    def article_ld(self) -> list[dict[str, Any]]:
        """Article-like JSON-LD objects first (Yoast puts WebPage, Article, Person in one graph)."""
        kinds = ("Article", "NewsArticle", "BlogPosting", "ReportageNewsArticle")

        def is_article(obj: dict[str, Any]) -> bool:
            t = obj.get("@type")
            types = t if isinstance(t, list) else [t]
            return any(x in kinds for x in types)

        return [o for o in self.ld if is_article(o)] + [o for o in self.ld if not is_article(o)]


def _flatten_ld(data: Any) -> Iterable[dict[str, Any]]:
    if isinstance(data, list):
        for item in data:
            yield from _flatten_ld(item)
    elif isinstance(data, dict):
        if "@graph" in data:
            yield from _flatten_ld(data["@graph"])
        else:
            yield data


def _page(html: str | bytes) -> _Page | None:
    """The parsed page, or None for an empty one."""
    if not html or not html.strip():
        return None
    return _Page(parse_document(html))


def _node_text(node: Node) -> str:
    return clean_text(node.text(deep=True))


def _good_text(text: str) -> bool:
    """Text worth returning for a field (`text` is clean already)."""
    return bool(text) and not is_clean_boilerplate(text)


def _attr_of(node: Node | None, name: str) -> str | None:
    return node.attrs.get(name) if node is not None else None


# WordPress's stock content areas, tried when a theme's own content selectors miss (drift).
FAMILY_CONTENT_SELECTORS: tuple[str, ...] = (
    "article .entry-content",
    ".entry-content",
    ".post-content",
    "[itemprop=articleBody]",
    ".td-post-content",
    ".tdb_single_content .tdb-block-inner",
    ".et_pb_post_content",
    ".penci-entry-content",
    ".entry",
    ".post-entry",
    ".single-content",
    ".article-content",
)
# The single post's <article>, last: read without its header, meta, footer and featured image.
FAMILY_ARTICLE_SELECTOR = "article[id^='post-'], article.type-post, article.post, article.hentry, #the-post"
ARTICLE_CHROME: tuple[str, ...] = (
    "header",
    "footer",
    "nav",
    "aside",
    "h1",
    ".entry-header",
    ".entry-meta",
    ".post-meta",
    ".entry-footer",
    ".post-tags",
    ".tags-links",
    ".cat-links",
    ".post-navigation",
    ".comments-area",
    "#comments",
    ".td-post-header",
    ".td-post-source-tags",
    ".td-category",
    ".entry-crumbs",
    ".breadcrumb",
)
OUTSIDE_DATE_SELECTORS: tuple[str, ...] = (
    "time.entry-published",
    "time.published",
    "time.entry-date",
    "[itemprop~=datePublished][datetime]",  # itemprop is a token list
    ".entry-published",
    ".entry-date",
    ".published",  # Divi's post title module, hAtom
)
FAMILY_TITLE_SELECTORS: tuple[str, ...] = (
    "h1.entry-title",
    "h1.post-title",
    ".tdb-title-text",
    "h1.jeg_post_title",
    ".et_pb_title_container h1",
    "h1",
)
# Featured (lead) image blocks above the content: tagDiv tdb and classic, Jannah, Soledad, Divi.
FAMILY_FEATURED_SELECTORS: tuple[str, ...] = (
    ".tdb_single_featured_image",
    ".td-post-featured-image",
    ".featured-area",
    ".single-featured-image",
    ".penci-single-featured-img",
    ".post-image",
    ".et_pb_title_featured_container",
    ".et_pb_image",
)
_FAMILY_FEATURED_QUERY = ", ".join(FAMILY_FEATURED_SELECTORS)
FAMILY_FEATURED_CAPTIONS: tuple[str, ...] = (
    ".single-caption-text",
    ".penci-featured-caption",
    ".tdb-caption-text",
    ".wp-caption-text",
    ".featured-caption",
    ".et_pb_image_caption",
)
_HIDDEN_STYLE_RE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_TEASER_LINK = ".entry-title a[href], h2 a[href], h3 a[href], a[rel=bookmark]"


def _other_post(el: Node, page: _Page) -> bool:
    """An <article> (or loop item) that is another post's teaser: another post id, or a title
    link to another URL and no <h1> (a single post prints its title as the page's <h1>)."""
    if el.tag != "article" and not _has_post_class(el):
        return False
    m = _POST_ID_RE.match((el.attrs.get("id") or "").strip())
    if m:
        return page.post_id is not None and m.group(1) != page.post_id
    if el.css_first("h1") is not None:
        return False
    link = el.css_first(_TEASER_LINK)
    if link is None:
        return False
    if page.here is None:
        return True
    href = absolute_url(link.attrs.get("href"), page.here)
    return href is None or wp_canonical_url(href) != page.here


def _has_post_class(el: Node) -> bool:
    cls = el.attrs.get("class") or ""
    return "type-post" in cls.split() or "td_module_wrap" in cls.split()


_NOT_CONTENT_TAGS = frozenset({"li", "a", "aside", "nav", "footer"})
_NOT_DATE_TAGS = frozenset({"aside", "nav", "footer"})


def _not_content(node: Node, page: _Page, *, date: bool = False) -> bool:
    """Whether `node` cannot be the post's content: hidden, or inside a teaser of another
    post, a list item, a link, a widget, the sidebar or the navigation. For a `date`, hidden
    elements, list items and links are fine (hCard-style dates, a date linked to the post).

    One walk up the tree, one attribute read per ancestor (a CSS query asked from the node
    would scan its whole subtree)."""
    node_id = node.mem_id
    el: Node | None = node
    while el is not None and el.is_element_node:
        tag = el.tag
        if tag in ("body", "html"):
            return False
        attrs = el.attributes
        if not date:
            if tag in ("template", "noscript") or "hidden" in attrs:
                return True
            if (attrs.get("aria-hidden") or "").strip().lower() == "true":
                return True
            style = attrs.get("style")
            if style and _HIDDEN_STYLE_RE.search(style):
                return True
        cls = attrs.get("class") or ""
        if el.mem_id != node_id and (
            tag in (_NOT_DATE_TAGS if date else _NOT_CONTENT_TAGS)
            or attrs.get("id") == "sidebar"
            or (cls and not _NOT_LOOP_CLASSES.isdisjoint(cls.split()))
        ):
            return True
        if (tag == "article" or "type-post" in cls or "td_module_wrap" in cls) and _other_post(el, page):
            return True
        el = el.parent
    return False


def _in_other_post(node: Node, page: _Page) -> bool:
    """Inside another post's teaser, a widget, the sidebar or the navigation (a date there is
    not this post's; hidden dates, hCard-style, count)."""
    return _not_content(node, page, date=True)


def _before(root: Node, a: Node, b: Node) -> bool:
    """Whether `a` comes before `b` in document order (and is not inside it)."""
    a_id, b_id = a.mem_id, b.mem_id
    for node in root.traverse():
        if node.mem_id == a_id:
            return True
        if node.mem_id == b_id:
            return False
    return False


class WordPressParser(TemplateParser):
    """Generic WordPress post parser. Theme subclasses override the selector tuples below.

    Selector tuples are tried in order; the first that gives a value wins. Theme tuples list
    their own selectors first and then the generic ones.
    """

    template: ClassVar[str] = "wordpress"
    version: ClassVar[str] = "1.2"  # 1.1: bodies read by the one content engine; 1.2: its one caption rule

    title_selectors: ClassVar[tuple[str, ...]] = (
        "h1.entry-title",
        "h1.post-title",
        ".entry-header h1",
        "article h1",
    )
    content_selectors: ClassVar[tuple[str, ...]] = (
        ".entry-content",
        ".post-content",
        "[itemprop=articleBody]",
        ".single-content",
        ".article-content",
    )
    # Elements carrying a machine-readable date in @datetime / @content.
    date_attr_selectors: ClassVar[tuple[str, ...]] = (
        "article time.entry-date[datetime]",
        ".entry-meta time[datetime]",
        "article time[datetime]",
    )
    visible_date_selectors: ClassVar[tuple[str, ...]] = (
        ".entry-meta .entry-date",
        ".posted-on",
        ".post-date",
    )
    author_selectors: ClassVar[tuple[str, ...]] = (
        ".entry-meta .author a",
        ".byline .author a",
        ".byline a",
        ".author.vcard .fn",
        "article a[rel=author]",
        "article .post-author a",
        "article .posted-by a",
        "article .entry-author a",
    )
    category_selectors: ClassVar[tuple[str, ...]] = (
        ".cat-links a",
        ".entry-categories a",
        "article a[rel~=category]",
        "a[rel~=category]",
    )
    tag_selectors: ClassVar[tuple[str, ...]] = (".tags-links a", ".post-tags a", "a[rel=tag]")
    lead_selectors: ClassVar[tuple[str, ...]] = ()
    # A featured image the theme shows above the content (a figure: image + optional caption).
    featured_selectors: ClassVar[tuple[str, ...]] = ()
    featured_caption_selectors: ClassVar[tuple[str, ...]] = ()  # when the caption sits outside the figure
    extra_remove: ClassVar[tuple[str, ...]] = ()
    listing_scope_selectors: ClassVar[tuple[str, ...]] = (
        "main",
        "#main",
        "#primary",
        ".site-main",
        "#content",
    )
    listing_item_selectors: ClassVar[tuple[str, ...]] = (
        "article .entry-title a",
        "article h2 a",
        ".post .entry-title a",
    )
    # The loop item around a listing link: its nearest ancestor matching this selector.
    listing_item_ancestor: ClassVar[str] = "article, li, .td_module_wrap"
    listing_date_selectors: ClassVar[tuple[str, ...]] = (".entry-date", ".posted-on", ".post-date", ".date")
    # Links (their href) to the next listing page.
    next_page_selectors: ClassVar[tuple[str, ...]] = (
        "link[rel=next]",
        "a.next.page-numbers",
        "a[rel=next]",
        ".nav-previous a",
        ".pagination span.current + a",
        ".page-nav span.current + a",
    )

    def __init__(self, base_url: str, options: dict[str, Any] | None = None) -> None:
        super().__init__(base_url, options)
        self.wall_time = bool(self.options.get("wp_timezone_is_wall_time", False))
        self.remove = (*CONTENT_REMOVE, *self.extra_remove)

    # -- URLs -------------------------------------------------------------------------------

    def canonical_url(self, url: str) -> str:
        return wp_canonical_url(url)

    def is_article_url(self, url: str) -> bool:
        return is_wp_article_url(url)

    # -- article page ---------------------------------------------------------------------------

    def parse_article(self, html: str | bytes, url: str) -> Article | None:
        page = _page(html)
        if page is None or not self._is_post(page):
            return None
        canonical = self._page_url(page, url)
        page.here = canonical
        fallback: set[str] = set()
        container, how = self._content_area(page)
        remove = self.remove if how != "article" else (*self.remove, *self._article_chrome())
        content = extract_content(container, canonical, remove) if container is not None else Content()
        if how != "own" and content.body:
            # The theme's content selectors missed: the family's stock content area gave the body.
            fallback.add("body")
            fallback.update(name for name in ("images", "captions") if getattr(content, name))
            if content.byline:
                fallback.add("author")
        # The family's featured blocks are looked for when the theme names none of its own, or
        # when its content selectors missed too (a changed template).
        family_featured = not self.featured_selectors or how != "own"
        featured = self._featured(page, canonical, container, family=family_featured)
        images = self._with_featured(featured, content.images)
        captions = self._captions_with_featured(featured, content.captions)
        title = self._title(page)
        if title is None:
            title = self._first_text(page, FAMILY_TITLE_SELECTORS)
            if title:
                fallback.add("title")
        return Article(
            url=canonical,
            title=title,
            published_at=self._published(page),
            modified_at=self._modified(page),
            lead=self._lead(page, content.body),
            body=content.body,
            captions=captions,
            images=images,
            author=content.byline or self._author(page),
            attachments=content.attachments,
            category=self._category(page),
            tags=self._tags(page),
            source_id=self._source_id(page, url),
            extraction={"template": self.template, "fallback": sorted(fallback)},
        )

    def _is_post(self, page: _Page) -> bool:
        classes = set(page.body_class.split())
        if classes & {"single-post", "single", "single-format-standard"} or any(
            c.startswith("postid-") for c in classes
        ):
            return True
        if classes & {"archive", "category", "tag", "blog", "home", "search", "error404", "page"}:
            return False
        if (page.first_meta("og:type") or "").lower() == "article":
            return True
        return (
            self._first_node(page, self.title_selectors) is not None and self._content_node(page) is not None
        )

    @staticmethod
    def _first_node(page: _Page, selectors: Iterable[str]) -> Node | None:
        for css in selectors:
            node = page.first(css)
            if node is not None:
                return node
        return None

    def _first_text(self, page: _Page, selectors: Iterable[str]) -> str | None:
        for css in selectors:
            first = page.first(css)  # usually the answer: no need to collect every match
            if first is None:
                continue
            text = _node_text(first)
            if _good_text(text):
                return text
            for node in page.css(css)[1:]:
                text = _node_text(node)
                if _good_text(text):
                    return text
        return None

    def _content_node(self, page: _Page) -> Node | None:
        return self._content_area(page)[0]

    def _content_area(self, page: _Page) -> tuple[Node | None, str]:
        """The post's content element and how it was found: "own" (the theme's selectors),
        "family" (WordPress's stock content areas) or "article" (the single post's <article>);
        (None, "") when nothing matches. Never a hidden element, nor one inside another post's
        teaser, a widget or a link list."""
        for how, selectors in (("own", self.content_selectors), ("family", FAMILY_CONTENT_SELECTORS)):
            for css in selectors:
                first = page.first(css)
                if first is None:
                    continue
                if not _not_content(first, page):
                    return first, how
                for node in page.css(css)[1:]:
                    if not _not_content(node, page):
                        return node, how
        for node in page.css(FAMILY_ARTICLE_SELECTOR):
            if node.css_first("h1") is not None and not _not_content(node, page):
                return node, "article"
        return None, ""

    def _article_chrome(self) -> tuple[str, ...]:
        """What a single post's <article> holds besides its content (read as the content area)."""
        return (*ARTICLE_CHROME, *self.featured_selectors, *FAMILY_FEATURED_SELECTORS)

    def _page_url(self, page: _Page, url: str) -> str:
        """rel=canonical when it points to the host the page came from, else the fetched URL."""
        href = _attr_of(page.first("link[rel=canonical][href]"), "href")
        canonical = absolute_url(href, url) if href else None
        if canonical and urlsplit(canonical).hostname == urlsplit(url).hostname:
            return self.canonical_url(canonical)
        return self.canonical_url(url)

    def _title(self, page: _Page) -> str | None:
        title = self._first_text(page, self.title_selectors)
        if title:
            return title
        for obj in page.article_ld:
            if isinstance(obj.get("headline"), str) and obj["headline"].strip():
                return clean_text(obj["headline"])
        og = clean_text(page.first_meta("og:title"))
        site_name = clean_text(page.first_meta("og:site_name"))
        if og and site_name:  # Yoast appends " - Site name"
            og = re.sub(rf"\s*[-–|]\s*{re.escape(site_name)}$", "", og)
        return og or None

    def _iso(self, raw: str | None) -> str | None:
        return parse_iso_datetime(raw, wall_time=self.wall_time) if raw else None

    def _published(self, page: _Page) -> str | None:
        for raw in self._published_candidates(page):
            iso = self._iso(raw)
            if iso:
                return iso
        anywhere = self._published_anywhere(page)
        if anywhere:
            return anywhere
        for css in self.visible_date_selectors:
            for node in page.css(css):
                if _in_other_post(node, page):
                    continue  # a widget's or a teaser's date
                iso = parse_vn_date(_node_text(node))
                if iso:
                    return iso
        return None

    def _published_anywhere(self, page: _Page) -> str | None:
        """hAtom / schema.org dates wherever the theme prints them (tagDiv's tdb blocks and
        builders put them outside <article>), but not another post's (teasers, widgets)."""
        for css in OUTSIDE_DATE_SELECTORS:
            for node in page.css(css):
                if _in_other_post(node, page):
                    continue
                attrs = node.attrs
                iso = self._iso(attrs.get("datetime") or attrs.get("content")) or parse_vn_date(
                    _node_text(node)
                )
                if iso:
                    return iso
        return None

    def _published_candidates(self, page: _Page) -> Iterator[str | None]:
        """Meta, JSON-LD, then date elements; lazily: each selector is a whole-page scan, and
        the meta or JSON-LD date almost always answers first."""
        yield page.first_meta("article:published_time", "datepublished")
        for obj in page.article_ld:
            value = obj.get("datePublished")
            if isinstance(value, str):
                yield value
        for css in self.date_attr_selectors:
            node = page.first(css)
            if node is not None:
                yield node.attrs.get("datetime") or node.attrs.get("content")

    def _modified(self, page: _Page) -> str | None:
        iso = self._iso(page.first_meta("article:modified_time", "datemodified", "og:updated_time"))
        if iso:
            return iso
        for obj in page.article_ld:  # only read when the meta tag does not answer
            value = obj.get("dateModified")
            iso = self._iso(value) if isinstance(value, str) else None
            if iso:
                return iso
        return None

    def _author(self, page: _Page) -> str | None:
        name = self._first_text(page, self.author_selectors)
        if name:
            return name
        name = clean_text(page.first_meta("author"))
        if name:
            return name
        for obj in page.article_ld:
            found = _ld_person(obj.get("author"), page.ld)
            if found:
                return found
        return None

    def _category(self, page: _Page) -> str | None:
        return (
            self._first_text(page, self.category_selectors)
            or clean_text(page.first_meta("article:section"))
            or None
        )

    def _tags(self, page: _Page) -> list[str]:
        for css in self.tag_selectors:
            tags = [t for t in (_node_text(n) for n in page.css(css)) if t]
            if tags:
                return list(dict.fromkeys(tags))
        return []

    def _lead(self, page: _Page, body: list[str]) -> str | None:
        lead = self._first_text(page, self.lead_selectors) if self.lead_selectors else None
        if lead and body and body[0] == lead:
            return None  # shown as the first paragraph too: it is body
        return lead

    def _featured(
        self, page: _Page, base: str, content: Node | None = None, *, family: bool = False
    ) -> Image | None:
        node = self._first_node(page, self.featured_selectors) if self.featured_selectors else None
        if node is None and family:
            node = self._family_featured(page, content)
        if node is None:
            return None
        images, captions = extract_figures(node, base, self.remove)
        if not images:
            return None
        image = images[0]
        caption = image["caption"] or (captions[0] if captions else None)
        if caption is None:
            cap = node.css_first(", ".join(FAMILY_FEATURED_CAPTIONS))
            caption = _node_text(cap) or None if cap is not None else None
        if caption is None and self.featured_caption_selectors:
            caption = self._first_text(page, self.featured_caption_selectors)
        return {"src": image["src"], "caption": caption}

    @staticmethod
    def _family_featured(page: _Page, content: Node | None) -> Node | None:
        """The featured (lead) image block the common themes print above the content: tagDiv
        tdb, Jannah, Soledad, Divi. Not a teaser's thumbnail, a widget's, or one below the content."""
        # One page query; the first block in document order wins (lexbor lists a block once per
        # selector it matches, and an inner block after its outer one).
        for node in page.root.css(_FAMILY_FEATURED_QUERY):
            if _not_content(node, page) or node.css_first("img") is None:
                continue
            if content is not None and not _before(page.root, node, content):
                continue
            return node
        return None

    @staticmethod
    def _with_featured(featured: Image | None, images: list[Image]) -> list[Image]:
        if featured is None or any(_same_image(featured["src"], i["src"]) for i in images):
            return images
        return [featured, *images]

    @staticmethod
    def _captions_with_featured(featured: Image | None, captions: list[str]) -> list[str]:
        if featured is None or not featured["caption"] or featured["caption"] in captions:
            return captions
        return [featured["caption"], *captions]

    def _source_id(self, page: _Page, url: str) -> str | None:
        m = _POSTID_RE.search(page.body_class)
        if m:
            return f"wp:{m.group(1)}"
        for article in page.css("article[id]"):
            m = _POST_ID_RE.match((article.attrs.get("id") or "").strip())
            if m:
                return f"wp:{m.group(1)}"
        for href in (_attr_of(page.first("link[rel=shortlink][href]"), "href"), url):
            if href:
                value = dict(parse_qsl(urlsplit(href).query)).get("p", "")
                if value.isdigit():
                    return f"wp:{value}"
        value = _attr_of(page.first("input[name=comment_post_ID][value]"), "value") or ""
        return f"wp:{value}" if value.isdigit() else None

    # -- REST API entry -------------------------------------------------------------------------

    def parse_rest_post(
        self, post: Mapping[str, Any], html: str | bytes | None = None, url: str | None = None
    ) -> Article:
        """The item of one `/wp-json/wp/v2/posts` entry; with the post's page (`html`) the
        theme-only fields (author, category, tags, lead, featured image, captions the content
        lacks) come from the page, everything else from the entry."""
        link = post.get("link") or url or ""
        canonical = self.canonical_url(absolute_url(link, self.base_url + "/") or link)
        content_html = _rendered(post.get("content"))
        content = extract_content(fragment(content_html), canonical, self.remove, copy_tree=False)
        page_item = self.parse_article(html, url or canonical) if html else None

        images = content.images
        captions = content.captions
        author = content.byline
        lead = _manual_excerpt(post, content.body)
        category, tags = _embedded_terms(post)
        if page_item is not None:
            images, captions = _merge_figures(images, captions, page_item.images)
            author = author or page_item.author
            lead = page_item.lead or lead
            category = page_item.category or category
            tags = page_item.tags or tags
        return Article(
            url=canonical,
            title=html_to_text(_rendered(post.get("title"))) or (page_item.title if page_item else None),
            published_at=rest_datetime(post, "date", wall_time=self.wall_time)
            or (page_item.published_at if page_item else None),
            modified_at=rest_datetime(post, "modified", wall_time=self.wall_time)
            or (page_item.modified_at if page_item else None),
            lead=lead,
            body=content.body,
            captions=captions,
            images=images,
            author=author or _rest_author(post),
            attachments=content.attachments,
            category=category,
            tags=tags,
            source_id=f"wp:{post['id']}" if isinstance(post.get("id"), int) else None,
            extraction=self._rest_extraction(page_item, lead, author),
        )

    def _rest_extraction(
        self, page_item: Article | None, lead: str | None, author: str | None
    ) -> dict[str, Any]:
        """The REST entry is the source of record; only page fields the item kept can have come
        from the family's fallback."""
        used: list[str] = []
        if page_item is not None and page_item.extraction:
            kept = {"lead": lead == page_item.lead, "author": author == page_item.author}
            used = [f for f in page_item.extraction.get("fallback", []) if kept.get(f)]
        return {"template": self.template, "fallback": sorted(used)}

    # -- listing page ---------------------------------------------------------------------------

    def parse_listing(self, html: str | bytes, url: str) -> Listing:
        if not html or not html.strip():
            return Listing()
        root = parse_document(html)
        scope = next((found[0] for css in self.listing_scope_selectors if (found := root.css(css))), None)
        hosts = {urlsplit(url).hostname, urlsplit(self.base_url).hostname}
        urls: list[str] = []
        seen: set[str] = set()
        dates: dict[str, str] = {}
        # Per page, so that each link costs a few steps whatever the page's size (100k links):
        # the not-loop verdict of each ancestor met, the loop items, the dates already read.
        outside: dict[int, bool] = {}
        items: set[int] | None = None
        isos: dict[str, str | None] = {}
        base = scope or root
        # A link is outside the loop when an ancestor is (`_not_loop`). When nothing below the
        # scope is, that is the scope's verdict for every link: no walk up from each link.
        walk = _outside_loop(base, outside) or any(
            _not_loop(el) for el in base.css(_MAY_NOT_LOOP) if el.mem_id != base.mem_id
        )
        below = _not_loop(base)
        # One combined selector keeps document order across the alternatives (lexbor lists a link
        # once per alternative it matches: the repeats go with the already-listed URLs).
        for a in base.css(", ".join(self.listing_item_selectors)):
            if walk:
                if _outside_loop(a, outside):
                    continue
            elif below and a.mem_id != base.mem_id:
                continue
            canonical = self._listing_link(a.attrs.get("href"), url, hosts)
            if canonical is None or canonical in seen:  # a set: a listing of 100k links stays linear
                continue
            seen.add(canonical)
            urls.append(canonical)
            if items is None:
                items = {el.mem_id for el in root.css(self.listing_item_ancestor)}
            when = self._listing_date(a, items, isos)
            if when:
                dates[canonical] = when
        return Listing(article_urls=urls, next_page=self._next_page(root, url), dates=dates)

    def _listing_link(self, href: str | None, url: str, hosts: set[str | None]) -> str | None:
        """The canonical post URL a listing link names on one of `hosts`, None for other links."""
        link = absolute_url(href, url)
        if not link:
            return None
        plain = plain_url(link) if self._own_url_rules else None
        post = is_wp_article_path(plain[0], plain[2]) if plain else None
        if plain is None or post is None:
            # The slow path: urllib, and the parser's own rules.
            if urlsplit(link).hostname not in hosts or not self.is_article_url(link):
                return None
            return self.canonical_url(link)
        # A path that decides alone: wp_canonical_url drops the query, and the host is what
        # urlsplit's hostname gives for a plain netloc.
        scheme, netloc, path = plain
        if not post or (netloc.partition(":")[0].lower() or None) not in hosts:
            return None
        return f"{scheme}://{canonical_netloc(scheme, netloc)}{path}"

    @cached_property
    def _own_url_rules(self) -> bool:
        """Whether this parser reads URLs with the family's rules (the fast path's assumption)."""
        cls = type(self)
        return (
            cls.canonical_url is WordPressParser.canonical_url
            and cls.is_article_url is WordPressParser.is_article_url
        )

    def _listing_date(self, link: Node, items: set[int], isos: dict[str, str | None]) -> str | None:
        """The date printed in the loop item around `link` (machine-readable first); `items`: the
        ids of the elements matching `listing_item_ancestor`."""
        item = next((anc for anc in ancestors(link) if anc.mem_id in items), None)
        if item is None:
            return None
        for el in item.css("time[datetime]"):
            raw = el.attrs.get("datetime")
            if raw is None:
                continue
            iso = isos[raw] if raw in isos else isos.setdefault(raw, self._iso(raw))
            if iso:
                return iso
        for css in self.listing_date_selectors:
            for node in item.css(css):
                iso = parse_vn_date(_node_text(node))
                if iso:
                    return iso
        return None

    def _next_page(self, root: Node, url: str) -> str | None:
        here = self.canonical_url(url)
        for css in self.next_page_selectors:
            for link in root.css(css):
                href = link.attrs.get("href")
                nxt = absolute_url(href.strip(), url) if href is not None else None
                if nxt and self.canonical_url(nxt) != here:
                    return nxt
        return None


def _outside_loop(link: Node, memo: dict[int, bool]) -> bool:
    """`any(_not_loop(anc) for anc in ancestors(link))`, each ancestor's answer kept in `memo`
    (the links of a page share most of their ancestors)."""
    path: list[int] = []
    found = False
    node = link.parent
    while node is not None and node.is_element_node:
        known = memo.get(node.mem_id)
        if known is not None:
            found = known
            break
        path.append(node.mem_id)
        if _not_loop(node):
            found = True
            break
        node = node.parent
    for node_id in path:
        memo[node_id] = found
    return found


def _not_loop(el: Node) -> bool:
    """An ancestor that puts a listing link outside the main loop (sidebar, widget, nav...)."""
    if el.tag in _NOT_LOOP_TAGS:
        return True
    attrs = el.attrs
    cls = attrs.get("class")
    return attrs.get("id") == "sidebar" or (bool(cls) and not _NOT_LOOP_CLASSES.isdisjoint(cls.split()))


# -- helpers shared by the REST path ----------------------------------------------------------


def _rendered(value: Any) -> str:
    if isinstance(value, Mapping):
        value = value.get("rendered")
    return value if isinstance(value, str) else ""


def _manual_excerpt(post: Mapping[str, Any], body: list[str]) -> str | None:
    """A hand-written excerpt is the lead; WordPress's automatic one ("… [&hellip;]") is not."""
    raw = _rendered(post.get("excerpt"))
    text = html_to_text(raw)
    if not text or _AUTO_EXCERPT_RE.search(text) or (body and body[0].startswith(text)):
        return None
    return text


def _ld_person(value: Any, graph: list[dict[str, Any]]) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, str):
        return clean_text(value) or None
    if isinstance(value, Mapping):
        if isinstance(value.get("name"), str):
            return clean_text(value["name"]) or None
        ref = value.get("@id")
        for obj in graph:
            if ref and obj.get("@id") == ref and isinstance(obj.get("name"), str):
                return clean_text(obj["name"]) or None
    return None


def _rest_author(post: Mapping[str, Any]) -> str | None:
    """The WP user's display name from `_embedded` or Yoast's data (the REST `author` is an id)."""
    embedded = post.get("_embedded")
    if isinstance(embedded, Mapping):
        authors = embedded.get("author")
        if isinstance(authors, list) and authors and isinstance(authors[0], Mapping):
            name = clean_text(authors[0].get("name"))
            if name:
                return name
    yoast = post.get("yoast_head_json")
    if isinstance(yoast, Mapping):
        name = clean_text(yoast.get("author")) or clean_text(
            (yoast.get("twitter_misc") or {}).get("Written by")
        )
        if name:
            return name
    head = post.get("yoast_head")
    page = _page(head) if isinstance(head, str) else None
    if page is not None:
        name = clean_text(page.first_meta("author")) or clean_text(page.first_meta("twitter:data1"))
        label = clean_text(page.first_meta("twitter:label1")).lower()
        if page.first_meta("author"):
            return name or None
        if name and label in ("written by", "được viết bởi", "viết bởi", "tác giả"):
            return name
        for obj in page.article_ld:
            found = _ld_person(obj.get("author"), page.ld)
            if found:
                return found
    return None


def _embedded_terms(post: Mapping[str, Any]) -> tuple[str | None, list[str]]:
    """Category name and tag names from `_embedded["wp:term"]` (present with `?_embed`)."""
    embedded = post.get("_embedded")
    terms = embedded.get("wp:term") if isinstance(embedded, Mapping) else None
    category: str | None = None
    tags: list[str] = []
    for group in terms if isinstance(terms, list) else []:
        for term in group if isinstance(group, list) else []:
            if not isinstance(term, Mapping):
                continue
            name = html_to_text(term.get("name"))
            if term.get("taxonomy") == "category" and name and category is None:
                category = name
            elif term.get("taxonomy") == "post_tag" and name:
                tags.append(name)
    return category, tags


_SIZE_SUFFIX_RE = re.compile(r"-\d+x\d+(?=\.\w+$)")


def _image_key(src: str) -> str:
    """An image's identity across sizes: path without WordPress's "-300x200" suffix."""
    return _SIZE_SUFFIX_RE.sub("", urlsplit(src).path)


def _same_image(a: str, b: str) -> bool:
    return _image_key(a) == _image_key(b)


def _merge_figures(
    images: list[Image], captions: list[str], page_images: list[Image]
) -> tuple[list[Image], list[str]]:
    """REST images, with the caption the page shows for the same image when REST has none, and
    the images the page shows before the content (the theme's featured image) in front."""
    by_key = {_image_key(i["src"]): i["caption"] for i in page_images if i["caption"]}
    merged: list[Image] = [
        {"src": i["src"], "caption": i["caption"] or by_key.get(_image_key(i["src"]))} for i in images
    ]
    rest_keys = {_image_key(i["src"]) for i in images}
    leading: list[Image] = []
    for img in page_images:
        if _image_key(img["src"]) in rest_keys:
            break
        leading.append(img)
    if not leading and merged == images:
        return images, captions
    out: list[str] = []
    for img in leading + merged:
        if img["caption"] and img["caption"] not in out:
            out.append(img["caption"])
    out += [c for c in captions if c not in out]  # captions of no image (videos, galleries)
    return leading + merged, out


# -- themes -----------------------------------------------------------------------------------


class NewspaperParser(WordPressParser):
    """tagDiv Newspaper (khoicq)."""

    template: ClassVar[str] = "wp-newspaper"
    version: ClassVar[str] = "1.2"  # 1.1: bodies read by the one content engine; 1.2: its one caption rule
    title_selectors = (
        ".td-post-title h1.entry-title",
        ".td-post-header h1.entry-title",
        *WordPressParser.title_selectors,
    )
    content_selectors = (".td-post-content", *WordPressParser.content_selectors)
    date_attr_selectors = (".td-post-header time.entry-date[datetime]", *WordPressParser.date_attr_selectors)
    visible_date_selectors = (".td-post-header .td-post-date", *WordPressParser.visible_date_selectors)
    author_selectors = (
        ".td-post-header .td-post-author-name a",
        ".td-author-name .fn a",
        *WordPressParser.author_selectors,
    )
    category_selectors = (".td-post-header .td-category a", *WordPressParser.category_selectors)
    tag_selectors = (".td-post-source-tags .td-tags a", *WordPressParser.tag_selectors)
    lead_selectors = (".td-post-sub-title",)
    featured_selectors = (".td-post-featured-image", ".tdb_single_featured_image")
    extra_remove = (
        ".td-post-sharing-top",
        ".td-post-sharing-bottom",
        ".td_block_related_posts",
        ".td-adspot-title",
    )
    listing_scope_selectors = (
        ".td-ss-main-content",
        ".td-main-content",
        *WordPressParser.listing_scope_selectors,
    )
    listing_item_selectors = (
        ".td_module_wrap .entry-title a",
        ".td-block-span6 .entry-title a",
        *WordPressParser.listing_item_selectors,
    )
    next_page_selectors = (
        "link[rel=next]",
        ".page-nav span.current + a",
        *WordPressParser.next_page_selectors,
    )


class SahifaParser(WordPressParser):
    """TieLabs Sahifa (gialai)."""

    template: ClassVar[str] = "wp-sahifa"
    version: ClassVar[str] = "1.2"  # 1.1: bodies read by the one content engine; 1.2: its one caption rule
    title_selectors = (
        "#the-post h1.post-title",
        ".post-inner h1.entry-title",
        *WordPressParser.title_selectors,
    )
    content_selectors = (
        "#the-post .post-inner div.entry",
        ".post-inner div.entry",
        *WordPressParser.content_selectors,
    )
    visible_date_selectors = ("#the-post .post-meta .tie-date", *WordPressParser.visible_date_selectors)
    author_selectors = (
        "#the-post .post-meta-author a",
        "#the-post .vcard.author .fn",
        *WordPressParser.author_selectors,
    )
    category_selectors = (
        "#the-post .post-meta .post-cats a",
        "#crumbs a:last-of-type",
        *WordPressParser.category_selectors,
    )
    tag_selectors = ("#the-post .post-tag a", "#the-post a[rel=tag]", *WordPressParser.tag_selectors)
    featured_selectors = ("#the-post .single-post-thumb",)
    featured_caption_selectors = ("#the-post .single-post-caption",)
    extra_remove = (".post-meta",)
    listing_scope_selectors = ("#main-content .content", ".content", *WordPressParser.listing_scope_selectors)
    listing_item_selectors = (
        "article.item-list h2.post-box-title a",
        *WordPressParser.listing_item_selectors,
    )
    listing_date_selectors = (".tie-date", *WordPressParser.listing_date_selectors)
    next_page_selectors = (
        "#tie-next-page a",
        "link[rel=next]",
        ".pagination span.current + a",
        *WordPressParser.next_page_selectors,
    )


class JannahParser(WordPressParser):
    """TieLabs Jannah (Sahifa's successor)."""

    template: ClassVar[str] = "wp-jannah"
    version: ClassVar[str] = "1.2"  # 1.1: bodies read by the one content engine; 1.2: its one caption rule
    title_selectors = (".entry-header h1.post-title", "h1.entry-title", *WordPressParser.title_selectors)
    content_selectors = (".entry-content.entry", *WordPressParser.content_selectors)
    visible_date_selectors = (".entry-header .post-meta .date", *WordPressParser.visible_date_selectors)
    author_selectors = (
        ".entry-header .meta-author a",
        ".entry-header .author-name",
        *WordPressParser.author_selectors,
    )
    category_selectors = (".entry-header .post-cat-wrap a", *WordPressParser.category_selectors)
    tag_selectors = (".post-bottom-meta .tagcloud a", *WordPressParser.tag_selectors)
    lead_selectors = (".entry-header .entry-sub-title",)
    featured_selectors = (".featured-area figure", ".featured-area")
    extra_remove = (
        ".post-bottom-meta",
        ".toggle-post-content",
        ".post-components",
        ".tie-fluid-width-video-wrapper",
    )
    listing_scope_selectors = ("#posts-container", ".main-content", *WordPressParser.listing_scope_selectors)
    listing_item_selectors = (
        "li.post-item .post-title a",
        ".post-details .post-title a",
        *WordPressParser.listing_item_selectors,
    )
    listing_date_selectors = (".post-meta .date", *WordPressParser.listing_date_selectors)
    next_page_selectors = (
        ".pages-nav .the-next-page a",
        "link[rel=next]",
        *WordPressParser.next_page_selectors,
    )


WORDPRESS_PARSERS: dict[str, type[TemplateParser]] = {
    cls.template: cls for cls in (WordPressParser, NewspaperParser, SahifaParser, JannahParser)
}
