"""Shared machinery of the Liferay-style family (PublishingPortal blocks, Asset Publisher).

One lxml tree per page. Templates differ only in selectors, which are class attributes
(tuples of CSS selectors, tried in order: the first that matches wins), so a redesign is a
subclass overriding a selector or two. The body is read by one block walker that turns the
content container into text paragraphs and images (with captions), whatever the markup
(CKEditor <p>s, <br><br> runs, image tables, figures, <em> caption paragraphs).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from copy import deepcopy
from dataclasses import dataclass
from functools import cache
from typing import ClassVar
from urllib.parse import parse_qsl, urlsplit

import lxml.html
from lxml import etree
from lxml.cssselect import CSSSelector, LxmlHTMLTranslator
from lxml.html import HtmlElement

from crawler.items import Article, Image
from crawler.normalize.dates import parse_iso_datetime, parse_vn_date
from crawler.normalize.text import clean_text, is_boilerplate
from crawler.normalize.urls import absolute_url
from crawler.parsers.base import Listing, ParseError, TemplateParser

Selectors = tuple[str, ...]

# Elements that start a new paragraph-level block.
BLOCK_TAGS = frozenset(
    "address article aside blockquote center dd details div dl dt fieldset figcaption figure footer form "
    "h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section table tbody td tfoot th thead tr ul".split()
)
# Elements whose text is never content.
NO_TEXT_TAGS = frozenset(
    "script style noscript template select option button textarea svg iframe head".split()
)

_BR = "\ue000"  # private-use sentinel for <br>, so source newlines are not mistaken for breaks
_PARA_SPLIT = re.compile(_BR + r"\s*" + _BR + r"[\s" + _BR + r"]*")
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>")
_RIGHT_RE = re.compile(r"text-align\s*:\s*right", re.I)
_CAPTION_CLASS_RE = re.compile(r"caption|chu-?thich|image-desc|img-desc|figcaption|note-?image", re.I)
_EMAIL_ONLY_RE = re.compile(r"^(?:e-?mail\s*:?\s*)?[\w.+-]+@[\w-]+(?:\.[\w-]+)+$", re.I)
# Labels of "related news" boxes that editors paste inside the content.
_RELATED_RE = re.compile(
    r"^(?:tin|bài|bài viết|các tin|các bài|các bài viết)\s+(?:liên quan|cùng chuyên mục|khác|đã đưa)\s*:?$",
    re.I,
)
_ATTACH_LABEL_RE = re.compile(
    r"^(?:tệp|file|tập tin|tài liệu|văn bản)\s+đính\s+kèm|^tải về\b|^download\b", re.I
)
_ATTACH_EXT_RE = re.compile(r"\.(?:pdf|docx?|xlsx?)$", re.I)
# Anywhere in a raw href: a cheap superset of the links `is_attachment` accepts.
_ATTACH_HINT_RE = re.compile(r"\.(?:pdf|docx?|xlsx?)", re.I)
_HREFS = etree.XPath("//a/@href", smart_strings=False)
# Chrome images that can sit inside a content container: logos, banners, icons, share thumbnails.
_CHROME_IMG_RE = re.compile(
    r"logo|banner|icon|spacer|blank\.gif|/images/common/|-theme/images/|/_layouts/|thumbnail-share|"
    r"imagethumbnail=|emoticon|smiley",
    re.I,
)


@cache
def _css(selector: str) -> CSSSelector:
    return CSSSelector(selector, translator="html")


# "<.class> <rest>": a class scope, then a descendant selector with no group or leading combinator.
_SCOPED_RE = re.compile(r"^(\.[\w-]+)\s+(?![>+~])([^,]+)$")


@cache
def _scoped(selector: str) -> tuple[str, etree.XPath] | None:
    """(scope selector, XPath of the rest relative to one scope element) for `.scope rest`."""
    m = _SCOPED_RE.match(selector.strip())
    if not m:
        return None
    return m[1], etree.XPath(LxmlHTMLTranslator().css_to_xpath(m[2], prefix="descendant::"))


# One page's scope matches: {".news-detail": [element]}, for the document parsed last.
_scope_cache: tuple[HtmlElement | None, dict[str, list[HtmlElement]]] = (None, {})


def _select_one(root: HtmlElement, selector: str) -> list[HtmlElement]:
    """`_css(selector)(root)`, but "<.scope> <rest>" selectors share one scan for the scope.

    Each class selector is a scan of the whole page (libxml2 string tests on every element,
    ~0.2 ms on a portal page) and a template's selectors mostly start with the same container
    (".news-detail h1.title", ".news-detail .date-time", ...). When the scope matches exactly one
    element, `rest` evaluated below it is what the whole selector matches, in the same order.
    """
    global _scope_cache
    split = _scoped(selector)
    if split is None:
        return _css(selector)(root)
    scope, rest = split
    cached_root, scopes = _scope_cache
    if cached_root is not root:
        scopes = {}
        _scope_cache = (root, scopes)
    found = scopes.get(scope)
    if found is None:
        found = scopes[scope] = _css(scope)(root)
    if not found:
        return []
    if len(found) > 1:  # nested or repeated scopes: matches could repeat or reorder
        return _css(selector)(root)
    return rest(found[0])


def select(root: HtmlElement, selectors: Iterable[str]) -> list[HtmlElement]:
    """Matches of the first selector that matches anything (fallback chain)."""
    for sel in selectors:
        found = _select_one(root, sel)
        if found:
            return found
    return []


def select_first(root: HtmlElement, selectors: Iterable[str]) -> HtmlElement | None:
    found = select(root, selectors)
    return found[0] if found else None


def raw_text(el: HtmlElement, skip: frozenset[str] = frozenset()) -> str:
    """The element's text with <br> as a sentinel; script-like subtrees and `skip` tags left out."""
    out: list[str] = []

    def rec(node: HtmlElement) -> None:
        tag = node.tag
        if not isinstance(tag, str):  # comment / processing instruction: no text of its own
            return
        tag = tag.lower()
        if tag == "br":
            out.append(_BR)
            return
        if tag in NO_TEXT_TAGS or tag in skip:
            return
        if node.text:
            out.append(node.text)
        for child in node:
            rec(child)
            if child.tail:
                out.append(child.tail)

    rec(el)
    return "".join(out)


def node_text(el: HtmlElement | None) -> str:
    if el is None:
        return ""
    return clean_text(raw_text(el).replace(_BR, " "))


def _has_words(s: str) -> bool:
    return any(ch.isalnum() for ch in s)


def _only_inside(el: HtmlElement, tags: frozenset[str]) -> bool:
    """True when all of the element's words sit inside `tags` (e.g. a wholly italic paragraph)."""
    if _has_words(raw_text(el, skip=tags)):
        return False
    return any(_has_words(raw_text(x)) for x in el.iter(*tags))


def _classes(el: HtmlElement) -> str:
    return (el.get("class") or "") + " " + (el.get("id") or "")


_EM = frozenset({"em", "i"})
_BOLD = frozenset({"strong", "b"})


@dataclass
class Block:
    """One paragraph-level unit of an article body, in document order."""

    kind: str  # "text" or "image"
    text: str = ""
    src: str | None = None
    caption: str | None = None
    caption_like: bool = False  # wholly italic or caption-classed: a caption when it follows an image
    right: bool = False  # right-aligned (the author line sits there)
    styled: bool = False  # has bold or italic text
    group: int = 0  # images from one source block share a group (and a following caption)


class BodyWalker:
    """Turns a content container into Blocks. `image_src` resolves and filters an <img>."""

    def __init__(self, page_url: str) -> None:
        self.page_url = page_url
        self.blocks: list[Block] = []
        self.groups = 0

    # -- images
    def image_src(self, img: HtmlElement) -> str | None:
        src = img.get("data-src") or img.get("data-original") or img.get("src")
        if not src or src.strip().startswith("data:"):
            return None
        if (img.get("alt") or "").strip().lower() == "thumbnail" or _CHROME_IMG_RE.search(_classes(img)):
            return None
        url = absolute_url(src, self.page_url)
        if not url or _CHROME_IMG_RE.search(url):
            return None
        return url

    def _srcs(self, el: HtmlElement) -> list[str]:
        return [s for s in (self.image_src(i) for i in el.iter("img")) if s]

    def _add_images(self, srcs: list[str], caption: str | None) -> None:
        self.groups += 1
        self.blocks.extend(Block("image", src=s, caption=caption or None, group=self.groups) for s in srcs)

    # -- walking
    def walk(self, el: HtmlElement, origin: HtmlElement | None = None) -> list[Block]:
        tag = el.tag
        if not isinstance(tag, str):
            return self.blocks
        tag = tag.lower()
        if tag in NO_TEXT_TAGS:
            return self.blocks
        if tag == "figure":
            self._figure(el)
        elif tag == "table" and self._is_image_table(el):
            self._image_table(el)
        elif any(isinstance(c.tag, str) and c.tag.lower() in BLOCK_TAGS for c in el):
            self._mixed(el)
        else:
            self._leaf(el, origin if origin is not None else el)
        return self.blocks

    def _mixed(self, el: HtmlElement) -> None:
        """Block children are walked; inline runs between them become their own paragraphs."""
        run_text: str | None = el.text
        run: list[HtmlElement] = []

        def flush() -> None:
            if not (run_text and run_text.strip()) and not run:
                return
            tmp = el.makeelement(el.tag, dict(el.attrib))
            tmp.text = run_text
            for node in run:
                tmp.append(deepcopy(node))  # the copy carries its tail text along
            self._leaf(tmp, el)

        for child in el:
            if isinstance(child.tag, str) and child.tag.lower() in BLOCK_TAGS:
                flush()
                run_text, run = None, []
                self.walk(child)
                run_text = child.tail
            else:
                run.append(child)
        flush()

    def _leaf(self, el: HtmlElement, origin: HtmlElement) -> None:
        srcs = self._srcs(el)
        texts = [t for t in (clean_text(p.replace(_BR, " ")) for p in _PARA_SPLIT.split(raw_text(el))) if t]
        caption_like = bool(_CAPTION_CLASS_RE.search(_classes(el))) or _only_inside(el, _EM)
        if srcs and texts and caption_like:
            self._add_images(srcs, " ".join(texts))
            return
        self._add_images(srcs, None)
        right = self._right_aligned(el, origin)
        styled = any(_has_words(raw_text(x)) for x in el.iter("strong", "b", "em", "i"))
        self.blocks.extend(
            Block("text", text=t, caption_like=caption_like, right=right, styled=styled) for t in texts
        )

    @staticmethod
    def _right_aligned(el: HtmlElement, origin: HtmlElement) -> bool:
        def right(e: HtmlElement) -> bool:
            return bool(
                _RIGHT_RE.search(e.get("style") or "")
                or (e.get("align") or "").lower() == "right"
                or "text-right" in (e.get("class") or "")
            )

        return any(right(e) for e in el.iter() if isinstance(e.tag, str)) or any(
            right(e) for e in origin.iterancestors()
        )

    def _figure(self, el: HtmlElement) -> None:
        cap = " ".join(node_text(c) for c in el.iter("figcaption")).strip()
        self._add_images(self._srcs(el), cap or None)

    @staticmethod
    def _is_image_table(table: HtmlElement) -> bool:
        if next(table.iter("img"), None) is None:
            return False
        if _CAPTION_CLASS_RE.search(_classes(table)):
            return True
        # A small table: image row(s) plus at most a caption row or two (not a layout table).
        text_rows = [r for r in table.iter("tr") if next(r.iter("img"), None) is None and node_text(r)]
        return len(text_rows) <= 2 and sum(len(node_text(r)) for r in text_rows) <= 400

    def _image_table(self, table: HtmlElement) -> None:
        srcs = self._srcs(table)
        parts = [t for t in (node_text(r) for r in table.iter("tr")) if t]
        self._add_images(srcs, " ".join(parts) or None)


@dataclass
class Assembled:
    body: list[str]
    images: list[Image]
    captions: list[str]
    author: str | None


def assemble(blocks: list[Block]) -> Assembled:
    """Blocks -> body, images, captions and (a right-aligned styled last line) the author."""
    blocks = [b for b in blocks if b.kind == "image" or not _drop_text(b.text)]
    author: str | None = None
    last = max((i for i, b in enumerate(blocks) if b.kind == "text"), default=None)
    if last is not None:
        b = blocks[last]
        after_image = last > 0 and blocks[last - 1].kind == "image" and blocks[last - 1].caption is None
        if (
            b.right
            and not (after_image and b.caption_like)
            and len(b.text) <= 120
            and (b.styled or len(b.text) <= 60)
        ):
            author = b.text
            del blocks[last]
    body: list[str] = []
    images: list[Image] = []
    captions: list[str] = []
    # Uncaptioned images directly above, with their source block: an italic paragraph captions
    # the last block's images (one photo, or several side by side), not every photo above it.
    pending: list[tuple[Image, int]] = []
    seen: set[str] = set()
    for b in blocks:
        if b.kind == "image":
            assert b.src is not None
            if b.src in seen:
                continue
            seen.add(b.src)
            img: Image = {"src": b.src, "caption": b.caption}
            images.append(img)
            if b.caption:
                captions.append(b.caption)
                pending = []
            else:
                pending.append((img, b.group))
        elif b.caption_like and pending:
            for img, group in pending:
                if group == pending[-1][1]:
                    img["caption"] = b.text
            captions.append(b.text)
            pending = []
        else:
            body.append(b.text)
            pending = []
    return Assembled(body, images, list(dict.fromkeys(captions)), author)


def _drop_text(text: str) -> bool:
    return is_boilerplate(text) or bool(_EMAIL_ONLY_RE.match(text)) or bool(_ATTACH_LABEL_RE.match(text))


def page_number(url: str) -> int | None:
    """The listing page a URL asks for: Liferay `_cur`/`cur`, SharePoint `Page`."""
    for name, value in parse_qsl(urlsplit(url).query, keep_blank_values=True):
        low = name.lower()
        if (low in ("page", "cur", "trang") or low.endswith("_cur")) and value.strip().isdigit():
            return int(value)
    return None


def is_attachment(url: str) -> bool:
    """Document links: a path segment ending in .pdf/.doc(x)/.xls(x) (Liferay puts a UUID after it)."""
    return any(_ATTACH_EXT_RE.search(seg) for seg in urlsplit(url).path.split("/") if seg)


class LiferayFamilyParser(TemplateParser):
    """Base of the family's parsers: selectors as class attributes, one walk per page.

    Subclasses set the selectors and implement `canonical_url`, `is_article_url` and
    `source_id`.
    """

    title_selectors: ClassVar[Selectors] = ()
    date_selectors: ClassVar[Selectors] = ()
    lead_selectors: ClassVar[Selectors] = ()
    body_selectors: ClassVar[Selectors] = ()  # the content container; no broad fallbacks (drift must show)
    lead_image_selectors: ClassVar[Selectors] = ()  # a lead photo shown outside the content container
    author_selectors: ClassVar[Selectors] = ()
    category_selectors: ClassVar[Selectors] = ()
    attachment_selectors: ClassVar[Selectors] = (
        ".tep-dinh-kem",
        ".file-dinh-kem",
        ".attachments",
        ".news-attachments",
        ".asset-attachments",
        ".entry-links",
    )
    # Removed from the content container before walking.
    exclude_selectors: ClassVar[Selectors] = (
        "script",
        "style",
        "noscript",
        "form",
        "iframe",
        ".tin-lien-quan",
        ".tinlienquan",
        ".lien-quan",
        ".box-lien-quan",
        "[class*='related']",
        ".tep-dinh-kem",
        ".file-dinh-kem",
        ".attachments",
        ".news-attachments",
        ".chia-se",
        ".news-share",
        ".share-thumbnail",
        ".social-follow",
        ".binh-luan",
        ".taglib-social-bookmarks",
        ".asset-ratings",
    )
    # Listing pages: the main listing's container, its items, the item's link and date.
    listing_container_selectors: ClassVar[Selectors] = ()
    listing_item_selectors: ClassVar[Selectors] = ()
    listing_link_selectors: ClassVar[Selectors] = ()
    listing_date_selectors: ClassVar[Selectors] = ()
    pagination_selectors: ClassVar[Selectors] = (
        ".taglib-page-iterator",
        ".lfr-pagination",
        ".pagination-bar",
        "ul.pagination",
        ".paging",
        ".pager",
    )
    next_link_selectors: ClassVar[Selectors] = ("a[rel='next']", "a.next", "li.next a")
    _NEXT_TEXT_RE: ClassVar[re.Pattern[str]] = re.compile(
        r"^(?:tiếp|trang sau|trang tiếp theo|sau|»|›|next)\b", re.I
    )

    # ---------------------------------------------------------------- identity (per template)
    def canonical_url(self, url: str) -> str:
        raise NotImplementedError

    def is_article_url(self, url: str) -> bool:
        raise NotImplementedError

    def source_id(self, canonical: str) -> str | None:
        return None

    # ---------------------------------------------------------------- parsing
    @staticmethod
    def document(html: str) -> HtmlElement:
        if not html or not html.strip():
            raise ParseError("empty page")
        try:
            return lxml.html.document_fromstring(_XML_DECL.sub("", html, count=1))
        except (etree.ParserError, ValueError) as exc:
            raise ParseError(f"not parseable as HTML: {exc}") from exc

    def first_text(self, root: HtmlElement, selectors: Selectors) -> str | None:
        """Text of the first non-boilerplate match (so a template's "null" falls through)."""
        for el in select(root, selectors):
            text = node_text(el)
            if text and not is_boilerplate(text):
                return text
        return None

    def parse_article(self, html: str, url: str) -> Article | None:
        doc = self.document(html)
        content = select_first(doc, self.body_selectors)
        title = self.first_text(doc, self.title_selectors) or self._meta(doc, "og:title")
        if content is None and not select(doc, self.title_selectors):
            return None  # a listing or any other non-article page
        canonical = self.article_url(doc, url)
        walker = BodyWalker(url)  # one walker: image groups stay distinct across the lead photo and body
        for el in select(doc, self.lead_image_selectors):
            walker.walk(el)
        attachments = self.attachments(doc, content, url)
        if content is not None:
            walker.walk(self.prune(content))
        parts = assemble(walker.blocks)
        return Article(
            url=canonical,
            title=title,
            published_at=self.published_at(doc),
            lead=self.first_text(doc, self.lead_selectors),
            body=parts.body,
            captions=parts.captions,
            images=parts.images,
            author=self.first_text(doc, self.author_selectors) or parts.author,
            attachments=attachments,
            category=self.first_text(doc, self.category_selectors),
            source_id=self.source_id(canonical),
        )

    def article_url(self, doc: HtmlElement, url: str) -> str:
        """<link rel="canonical"> when it names an article, else the fetched URL; canonicalized."""
        for link in doc.iter("link"):
            if (link.get("rel") or "").strip().lower() == "canonical":
                href = absolute_url(link.get("href"), url)
                if href and self.is_article_url(href):
                    return self.canonical_url(href)
        return self.canonical_url(url)

    def published_at(self, doc: HtmlElement) -> str | None:
        for el in select(doc, self.date_selectors):
            found = parse_vn_date(node_text(el))
            if found:
                return found
        for prop in ("article:published_time", "og:published_time", "datePublished"):
            found = parse_iso_datetime(self._meta(doc, prop))
            if found:
                return found
        return None

    @staticmethod
    def _meta(doc: HtmlElement, name: str) -> str | None:
        for meta in doc.iter("meta"):
            if name in (meta.get("property"), meta.get("name"), meta.get("itemprop")):
                return clean_text(meta.get("content")) or None
        return None

    def prune(self, content: HtmlElement) -> HtmlElement:
        """A copy of the content container without widgets, related boxes and attachment lists."""
        root = deepcopy(content)
        root.tail = None
        # One union selector (document order) instead of one call per selector: same elements go.
        for el in _css(", ".join(self.exclude_selectors))(root):
            if el is not root and el.getparent() is not None:
                el.drop_tree()
        # "Tin liên quan" / "Tệp đính kèm" labels pasted as a paragraph, followed by a link list.
        for el in list(root.iter("p", "div", "h2", "h3", "h4", "h5", "h6", "strong", "b")):
            if el is root or not any(a is root for a in el.iterancestors()):
                continue  # already removed with an earlier label
            text = node_text(el)
            if not (_RELATED_RE.match(text) or _ATTACH_LABEL_RE.match(text)) or len(text) > 60:
                continue
            anchor = el
            while (
                anchor.getparent() is not None
                and anchor.getparent() is not root
                and not node_text(anchor.getparent()).replace(text, "").strip()
            ):
                anchor = anchor.getparent()  # climb out of <p><strong>label</strong></p>
            nxt = anchor.getnext()
            while nxt is not None and _is_link_list(nxt):
                after = nxt.getnext()
                nxt.drop_tree()
                nxt = after
            anchor.drop_tree()
        return root

    def attachments(self, doc: HtmlElement, content: HtmlElement | None, url: str) -> list[str]:
        if not is_attachment(url) and not any(_ATTACH_HINT_RE.search(h) for h in _HREFS(doc)):
            # No link on the page names a document: skip the container scans (each attachment
            # selector is a whole-page class scan, together the costliest step of a page).
            return []
        roots = [content] if content is not None else []
        roots += [el for sel in self.attachment_selectors for el in _css(sel)(doc)]
        found: list[str] = []
        for root in roots:
            for a in root.iter("a"):
                href = absolute_url(a.get("href"), url)
                if href and is_attachment(href) and href not in found:
                    found.append(href)
        return found

    # ---------------------------------------------------------------- listings
    def parse_listing(self, html: str, url: str) -> Listing:
        doc = self.document(html)
        container, items = self._listing_items(doc)
        listing = Listing()
        for item in items:
            date = None
            for el in select(item, self.listing_date_selectors):
                date = parse_vn_date(node_text(el))
                if date:
                    break
            for a in select(item, self.listing_link_selectors):
                href = absolute_url(a.get("href"), url)
                if not href or not self.is_article_url(href):
                    continue
                canon = self.canonical_url(href)
                if canon not in listing.article_urls:
                    listing.article_urls.append(canon)
                if date:
                    listing.dates.setdefault(canon, date)
        if container is not None:
            listing.next_page = self.next_page(doc, container, url)
        return listing

    def _listing_items(self, doc: HtmlElement) -> tuple[HtmlElement | None, list[HtmlElement]]:
        """The first container (of any selector) holding listing items: the main listing portlet."""
        for sel in self.listing_container_selectors:
            for container in _css(sel)(doc):
                items = select(container, self.listing_item_selectors)
                if items:
                    return container, items
        return None, []

    def next_page(self, doc: HtmlElement, container: HtmlElement, url: str) -> str | None:
        """The pager link to page current+1 (absolute, with its page parameter), None on the last page."""
        pager = None
        scope: HtmlElement | None = container
        while scope is not None and pager is None:  # the pager nearest the listing, not a side portlet's
            pager = select_first(scope, self.pagination_selectors)
            scope = scope.getparent()
        if pager is None:
            return None
        current = page_number(url) or self._active_page(pager) or 1
        links = [(a, absolute_url(a.get("href"), url)) for a in pager.iter("a")]
        for _a, href in links:
            if href and page_number(href) == current + 1:
                return href
        for a, href in links:
            nxt = page_number(href) if href else None
            if (
                nxt
                and nxt > current
                and (a in select(pager, self.next_link_selectors) or self._NEXT_TEXT_RE.match(node_text(a)))
            ):
                return href
        return None

    @staticmethod
    def _active_page(pager: HtmlElement) -> int | None:
        for sel in ("li.active", ".current", ".active"):
            for el in _css(sel)(pager):
                text = node_text(el)
                if text.isdigit():
                    return int(text)
        return None


def _is_link_list(el: HtmlElement) -> bool:
    """A list or block made of links (a related-news or attachment list)."""
    if not isinstance(el.tag, str):
        return False
    total = len(node_text(el))
    linked = sum(len(node_text(a)) for a in el.iter("a"))
    return total > 0 and linked >= 0.6 * total
