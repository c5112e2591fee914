"""Shared machinery of the Liferay-style family (PublishingPortal blocks, Asset Publisher).

One lexbor tree per page (crawler.parsers.dom). Templates differ only in selectors, which are
class attributes (tuples of CSS selectors, tried in order: the first that matches wins), so a
redesign is a subclass overriding a selector or two. The body is read by the engine
(crawler.content.body: its walker, caption and byline rules); the family keeps where things are
and its own pruning (related-news and attachment labels with their link lists).
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import cache
from typing import ClassVar
from urllib.parse import parse_qsl, urlsplit

# Modules, not their names: they import crawler.parsers.dom, whose package imports this one.
from crawler.content import body as content_body
from crawler.content.attachments import document_links, is_document, may_link_documents
from crawler.content.rules import ATTACHMENT_LABEL
from crawler.items import Article
from crawler.normalize.dates import parse_iso_datetime, parse_vn_date
from crawler.normalize.text import clean_text, is_clean_boilerplate
from crawler.normalize.urls import absolute_url
from crawler.parsers.base import Listing, TemplateParser
from crawler.parsers.dom import BR, NO_TEXT_TAGS, TEXT, Node, ancestors, matches, parse_document, raw_text

Selectors = tuple[str, ...]


# Labels of "related news" boxes that editors paste inside the content.
_RELATED_RE = re.compile(
    r"^(?:tin|bài|bài viết|các tin|các bài|các bài viết)\s+(?:liên quan|cùng chuyên mục|khác|đã đưa)\s*:?$",
    re.I,
)
# Elements below which lexbor's plain text is not raw_text: a <br>, a script-like subtree.
_NO_TEXT_QUERY = ", ".join(sorted(NO_TEXT_TAGS))
_NOT_PLAIN_TAGS = frozenset({"br", *NO_TEXT_TAGS})
_NOT_PLAIN = "br, " + _NO_TEXT_QUERY
_LABEL_QUERY = "p, div, h2, h3, h4, h5, h6, strong, b"
# The first word of every text _RELATED_RE or ATTACHMENT_LABEL accepts starts like this.
_LABEL_START_RE = re.compile(r"^(?:tin|bài|các|tệp|file|tập|tài|văn|tải|download)", re.I)


# ---------------------------------------------------------------- selection
# lexbor answers `scope.css("A B")` like a browser's querySelectorAll: A may be an ancestor
# outside `scope`. The lxml parsers (cssselect, descendant-or-self) wanted the whole chain inside
# the scope, which is what a listing item's ".tieu-de a" means; `css_within` keeps that meaning.


def _split_top(selector: str, seps: str) -> list[tuple[str, str]]:
    """(separator, part) pairs of `selector` split at top-level `seps` (outside [], () and quotes).

    Whitespace counts as a descendant separator when " " is in `seps`; the first pair's
    separator is "".
    """
    parts: list[tuple[str, str]] = []
    depth, quote, buf, sep = 0, "", "", ""
    pending: str | None = None  # a separator seen, waiting for the next part
    for ch in selector.strip():
        if quote:
            buf += ch
            quote = "" if ch == quote else quote
            continue
        if ch in "\"'":
            quote = ch
        elif ch in "[(":
            depth += 1
        elif ch in "])":
            depth -= 1
        if depth == 0 and (ch in seps or (ch.isspace() and " " in seps)):
            sym = " " if ch.isspace() else ch
            if buf:
                parts.append((sep, buf))
                buf = ""
                pending = sym
            elif pending is not None and sym != " ":
                pending = sym  # "a > b": the explicit combinator wins over the spaces around it
            continue
        if pending is not None:
            sep, pending = pending, None
        buf += ch
    if buf:
        parts.append((sep, buf))
    return parts


@cache
def _chains(selector: str) -> tuple[tuple[tuple[str, str], ...], ...]:
    """Each member of a selector group as ((combinator, compound), ...); combinator "" first."""
    return tuple(tuple(_split_top(member, " >+~")) for _, member in _split_top(selector, ","))


@cache
def _outside_probe(selector: str) -> str | None:
    """A selector matching `scope` when an ancestor of it could start a chain of `selector`;
    None when the chains have no combinator at all. "" when only an exact check will do."""
    chains = _chains(selector)
    if all(len(c) == 1 for c in chains):
        return None
    if any(comb in "+~" for c in chains for comb, _ in c[1:]):
        return ""  # a chain through siblings: always checked node by node
    return ", ".join(f"{compound} *" for c in chains for _, compound in c[:-1])


def css(node: Node, selector: str) -> list[Node]:
    """`node.css(selector)`; lexbor lists a node once per member of a group it matches, lxml once."""
    found = node.css(selector)
    if "," not in selector or len(found) < 2:
        return found
    seen: set[int] = set()
    return [n for n in found if not (n.mem_id in seen or seen.add(n.mem_id))]


def _prev_element(node: Node) -> Node | None:
    sib = node.prev
    while sib is not None and not sib.is_element_node:
        sib = sib.prev
    return sib


def _chain_inside(node: Node, chain: Sequence[tuple[str, str]], i: int, scope_id: int) -> bool:
    """Whether compounds chain[:i] match, through chain[i]'s combinator, without leaving the
    scope (`node` matches chain[i][1] and is the scope or below it)."""
    if i == 0:
        return True
    comb, want = chain[i][0], chain[i - 1][1]
    if node.mem_id == scope_id:
        return False
    if comb in " >":
        parent = node.parent
        while parent is not None and parent.is_element_node:
            if matches(parent, want) and _chain_inside(parent, chain, i - 1, scope_id):
                return True
            if comb == ">" or parent.mem_id == scope_id:
                return False
            parent = parent.parent
        return False
    sib = _prev_element(node)
    while sib is not None:
        if matches(sib, want) and _chain_inside(sib, chain, i - 1, scope_id):
            return True
        if comb == "+":
            return False
        sib = _prev_element(sib)
    return False


def css_within(scope: Node, selector: str) -> list[Node]:
    """`scope.css(selector)` with every compound of a match's chain at or below `scope` (as
    lxml's cssselect read it), in document order."""
    found = css(scope, selector)
    if not found:
        return found
    probe = _outside_probe(selector)
    parent = scope.parent
    if probe is None or parent is None or not parent.is_element_node:
        return found  # no combinator, or nothing above the scope (the page, a detached copy)
    if probe and not matches(scope, probe):
        return found  # no ancestor can start a chain: every chain lies inside
    scope_id = scope.mem_id
    chains = _chains(selector)
    return [
        n
        for n in found
        if any(matches(n, c[-1][1]) and _chain_inside(n, c, len(c) - 1, scope_id) for c in chains)
    ]


# "<.scope> <rest>": a class scope, then a descendant or child chain (no group, no sibling step).
_SCOPED_RE = re.compile(r"^(\.[\w-]+)\s*(?:\s|>)\s*[^,+~]+$")
# (page, {scope selector: its matches}, the scopes worth a query of their own or None for all)
# of the page read last, per thread.
_pages = threading.local()


@cache
def _scope_of(selector: str) -> str | None:
    m = _SCOPED_RE.match(selector.strip())
    return m[1] if m else None


def begin_page(page: Node, shared_scopes: frozenset[str] | None = None) -> None:
    """Start the scope cache of a page; `shared_scopes`: the scopes several selectors use."""
    _pages.page = (page, {}, shared_scopes)


def _page_css(page: Node, selector: str) -> list[Node]:
    """`page.css(selector)`, but "<.scope> <rest>" selectors share one query for the scope.

    A page query visits every element (~10 µs on a portal page) and a template's selectors
    mostly start with the same container (".news-detail h1.title", ".news-detail .date-time",
    ...). When the scope matches exactly one element, every match of the selector lies below
    it, so asking that element (lexbor lets a chain reach above the element asked) gives the
    same matches in the same order; the scope query is made once a page.
    """
    scope = _scope_of(selector)
    if scope is None:
        return css(page, selector)
    ctx = getattr(_pages, "page", None)
    if ctx is None or ctx[0] is not page:
        ctx = _pages.page = (page, {}, None)
    if ctx[2] is not None and scope not in ctx[2]:
        return css(page, selector)  # a scope of this selector alone: one query, not two
    scopes = ctx[1]
    found = scopes.get(scope)
    if found is None:
        found = scopes[scope] = page.css(scope)
    if len(found) != 1:  # none: no match; nested or repeated scopes: ask the page
        return css(page, selector) if found else []
    return css(found[0], selector)


def _is_page(node: Node) -> bool:
    """The document element (lexbor parents it with the document node)."""
    parent = node.parent
    return parent is not None and not parent.is_element_node


def select(root: Node, selectors: Sequence[str]) -> list[Node]:
    """Matches of the first selector that matches anything (fallback chain)."""
    if not _is_page(root):
        for sel in selectors:
            found = css_within(root, sel)
            if found:
                return found
        return []
    i, n = 0, len(selectors)
    while i < n:
        j = i + 1
        if i > 0 and _scope_of(selectors[i]) is None:
            while j < n and _scope_of(selectors[j]) is None:
                j += 1
        if j - i == 1:
            found = _page_css(root, selectors[i])
            if found:
                return found
        else:
            # On the whole page a fallback chain often matches nothing (a field the page lacks,
            # another chrome): the unscoped selectors after the first go as one page query, and
            # a hit is sorted out by asking its few matches which selector they answer.
            union = css(root, ", ".join(selectors[i:j]))
            if union:
                for sel in selectors[i:j]:
                    found = [m for m in union if matches(m, sel)] if len(union) <= 8 else css(root, sel)
                    if found:
                        return found
        i = j
    return []


@cache
def _chain_starts(selector: str) -> str:
    """The compounds a chain of `selector` matches above its last one ("" when none)."""
    return ", ".join(compound for c in _chains(selector) for _, compound in c[:-1])


def _stays_inside(selector: str, container: Node, between: Iterable[Node]) -> bool:
    """Whether every chain of `selector` that matches below an item lies inside that item:
    no proper ancestor of an item (the container and above, the elements `between`) can start one."""
    probe = _outside_probe(selector)
    if probe is None:
        return True
    if not probe:
        return False  # sibling steps: only a node-by-node check will do
    starts = _chain_starts(selector)
    return not matches(container, f"{starts}, {probe}") and not any(matches(el, starts) for el in between)


def per_item(container: Node, items: list[Node], selectors: Sequence[str]) -> list[list[Node]]:
    """`[select(item, selectors) for item in items]`, the items being `container`'s matches.

    One query per selector over the container, its matches handed to the items above them,
    instead of one query per item and selector (a listing of 100k items made 200k queries).
    Where that could differ (the container is an item, a chain may start above an item) the
    selector is asked item by item, as `select` does.
    """
    ids = {item.mem_id: i for i, item in enumerate(items)}
    container_id = container.mem_id
    if container_id in ids:
        return [select(item, selectors) for item in items]
    # The elements between the container and the items (an item above another included).
    between: dict[int, Node] = {}
    for item in items:
        node = item.parent
        while node is not None and node.mem_id != container_id and node.mem_id not in between:
            between[node.mem_id] = node
            node = node.parent
    nested = not ids.keys().isdisjoint(between)
    out: list[list[Node] | None] = [None] * len(items)
    left = len(items)
    for sel in selectors:
        if not left:
            break
        if not _stays_inside(sel, container, between.values()):
            for i, item in enumerate(items):
                if out[i] is None and (found := css_within(item, sel)):
                    out[i] = found
                    left -= 1
            continue
        hits: dict[int, list[Node]] = {}
        get = ids.get
        for m in css(container, sel):
            node: Node | None = m  # lexbor's item.css(sel) lists the item itself when it matches
            while node is not None:
                node_id = node.mem_id
                i = get(node_id)
                if i is not None:
                    if out[i] is None:
                        if i in hits:
                            hits[i].append(m)
                        else:
                            hits[i] = [m]
                    if not nested:
                        break
                elif node_id == container_id:
                    break
                node = node.parent
        for i, found in hits.items():
            out[i] = found
        left -= len(hits)
    return [found or [] for found in out]


def select_first(root: Node, selectors: Sequence[str]) -> Node | None:
    found = select(root, selectors)
    return found[0] if found else None


def _plain(el: Node) -> bool:
    """No <br> or script-like element below `el`: lexbor's C text walk is then its raw text."""
    # A small subtree is looked at in Python: a CSS query costs ~5 µs, mostly parsing it.
    for count, node in enumerate(el.traverse()):
        if node.tag in _NOT_PLAIN_TAGS:
            return False
        if count == 24:
            return el.css_first(_NOT_PLAIN) is None
    return True


def node_text(el: Node | None) -> str:
    """The element's text, cleaned, <br> as a space, script-like subtrees left out."""
    if el is None:
        return ""
    child = el.first_child
    if child is None:
        return ""  # also a lone <br> or an empty script-like element: no words
    if el.tag in NO_TEXT_TAGS:
        return ""
    if child.next is None and child.is_text_node:
        return clean_text(child.text_content)
    if _plain(el):
        return clean_text(el.text(deep=True))
    return clean_text(raw_text(el).replace(BR, " "))


def _next_element(node: Node) -> Node | None:
    """The next sibling that is not text (lxml's getnext: comments count)."""
    sib = node.next
    while sib is not None and sib.tag == TEXT:
        sib = sib.next
    return sib


def _inside(node: Node, root_id: int) -> bool:
    return any(a.mem_id == root_id for a in ancestors(node))


def page_number(url: str) -> int | None:
    """The listing page a URL asks for: Liferay `_cur`/`cur`, SharePoint `Page`."""
    for name, value in parse_qsl(urlsplit(url).query, keep_blank_values=True):
        low = name.lower()
        if (low in ("page", "cur", "trang") or low.endswith("_cur")) and value.strip().isdigit():
            return int(value)
    return None


def is_attachment(url: str) -> bool:
    """Document links (crawler.content.attachments.is_document, kept under its old name)."""
    return is_document(url)


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
    # The family's stock structure, read field by field when the template's own selectors miss
    # (template drift): the asset's web content, then any web-content display portlet (6.2
    # portlet 56, 7.x JournalContentPortlet). Tried in order; among one selector's matches the
    # one with the most text wins, and a match with less than FAMILY_MIN_TEXT characters is chrome.
    family_scope_selectors: ClassVar[Selectors] = (
        ".asset-full-content .journal-content-article",
        ".asset-full-content .asset-content",
        "[id^='p_p_id_56_'] .journal-content-article",
        "[id*='JournalContentPortlet'] .journal-content-article",
        ".journal-content-article",
        ".asset-full-content",
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
    _shared_scopes_cache: ClassVar[frozenset[str] | None] = None
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
    def document(html: str | bytes) -> Node:
        return parse_document(html)

    def first_text(self, root: Node, selectors: Selectors) -> str | None:
        """Text of the first non-boilerplate match (so a template's "null" falls through)."""
        for el in select(root, selectors):
            text = node_text(el)
            if text and not is_clean_boilerplate(text):  # node_text is clean already
                return text
        return None

    @classmethod
    def shared_scopes(cls) -> frozenset[str]:
        """Class scopes ("<.scope> ...") that two or more of the page's selectors start with."""
        found = cls.__dict__.get("_shared_scopes_cache")
        if found is None:
            tuples = (
                cls.title_selectors,
                cls.date_selectors,
                cls.lead_selectors,
                cls.body_selectors,
                cls.lead_image_selectors,
                cls.author_selectors,
                cls.category_selectors,
            )
            counts = Counter(_scope_of(sel) for sels in tuples for sel in sels)
            found = frozenset(scope for scope, n in counts.items() if scope and n > 1)
            cls._shared_scopes_cache = found  # per class: a subclass may change its selectors
        return found

    def parse_article(self, html: str | bytes, url: str) -> Article | None:
        doc = self.document(html)
        begin_page(doc, self.shared_scopes())
        content = select_first(doc, self.body_selectors)
        title = self.first_text(doc, self.title_selectors) or self._meta(doc, "og:title")
        family = _Family(self, doc)
        if content is None and family.scope is None and not select(doc, self.title_selectors):
            return None  # a listing or any other non-article page
        canonical = self.article_url(doc, url)
        reader = content_body.BodyReader(
            url
        )  # one reader: picture groups stay distinct across the lead photo and body
        for el in select(doc, self.lead_image_selectors):
            reader.read(el)
        # Per field: the template's own selectors, then the family's stock structure (drift).
        title = title or family.title()
        published_at = self.published_at(doc) or family.published_at()
        lead = self.first_text(doc, self.lead_selectors) or family.lead()
        author = self.first_text(doc, self.author_selectors)
        body_root = content if content is not None else family.scope
        attachments = self.attachments(doc, body_root, url)
        if body_root is not None:
            reader.read(self.prune(body_root))
        parts = content_body.assemble(reader.blocks)
        if content is None and parts.body:
            family.used("body", *(name for name in ("images", "captions") if getattr(parts, name)))
            parts.body = family.body_only(parts.body, [title, lead, author, *parts.captions], published_at)
        if not author and parts.author:
            author = parts.author
            if content is None:
                family.used("author")
        author = author or family.author()
        return Article(
            url=canonical,
            title=title,
            published_at=published_at,
            lead=lead,
            body=parts.body,
            captions=parts.captions,
            images=parts.images,
            author=author,
            attachments=attachments,
            category=self.first_text(doc, self.category_selectors),
            source_id=self.source_id(canonical),
            extraction={"template": self.template, "fallback": sorted(family.fallback)},
        )

    def article_url(self, doc: Node, url: str) -> str:
        """<link rel="canonical"> when it names an article, else the fetched URL; canonicalized."""
        for link in doc.css("link[rel]"):
            if (link.attrs.get("rel") or "").strip().lower() == "canonical":
                href = absolute_url(link.attrs.get("href"), url)
                if href and self.is_article_url(href):
                    return self.canonical_url(href)
        return self.canonical_url(url)

    def published_at(self, doc: Node) -> str | None:
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
    def _meta(doc: Node, name: str) -> str | None:
        # The query (case-insensitive values) is a superset kept in document order; the exact
        # comparison below decides, as it did over every <meta>.
        query = ", ".join(f'meta[{a}="{name}" i]' for a in ("property", "name", "itemprop"))
        for meta in doc.css(query):
            attrs = meta.attrs
            if name in (attrs.get("property"), attrs.get("name"), attrs.get("itemprop")):
                return clean_text(attrs.get("content")) or None
        return None

    def prune(self, content: Node) -> Node:
        """A detached copy of the content container without widgets, related boxes and
        attachment lists (the page itself stays whole for the fields read after the body)."""
        root = content.clone()
        root_id = root.mem_id
        # One union selector (document order) instead of one call per selector: same elements go.
        # Unlinked with their subtree, as lxml's drop_tree did; the text after them stays.
        for el in css_within(root, ", ".join(self.exclude_selectors)):
            if el.mem_id != root_id:
                el.decompose(recursive=False)
        # "Tin liên quan" / "Tệp đính kèm" labels pasted as a paragraph, followed by a link list.
        # One query gives the candidates and tells whether script-like elements are left.
        found = root.css(_LABEL_QUERY + ", " + _NO_TEXT_QUERY)
        plain = not any(el.tag in NO_TEXT_TAGS for el in found)
        removed = False
        for el in found:
            if el.tag in NO_TEXT_TAGS or el.mem_id == root_id:
                continue
            if removed and not _inside(el, root_id):
                continue  # already removed with an earlier label
            if plain and not _may_be_label(el):
                continue  # (node_text of every paragraph and wrapper is the costly part)
            text = node_text(el)
            if not (_RELATED_RE.match(text) or ATTACHMENT_LABEL.match(text)) or len(text) > 60:
                continue
            anchor = el
            while True:  # climb out of <p><strong>label</strong></p>
                parent = anchor.parent
                if parent is None or parent.mem_id == root_id or node_text(parent).replace(text, "").strip():
                    break
                anchor = parent
            nxt = _next_element(anchor)
            while nxt is not None and _is_link_list(nxt):
                after = _next_element(nxt)
                nxt.decompose(recursive=False)
                nxt = after
            anchor.decompose(recursive=False)
            removed = True
        return root

    def attachments(self, doc: Node, content: Node | None, url: str) -> list[str]:
        """The documents the content and the template's attachment boxes link or embed
        (crawler.content.attachments: one rule for every parser)."""
        if not may_link_documents(doc, url):
            # No reference on the page can name a document: skip the container scans (the
            # attachment selectors, one page pass each, cost more than this look at every link).
            return []
        roots = [content] if content is not None else []
        # The attachment boxes in selector order (then document order), from one page query.
        boxes = css(doc, ", ".join(self.attachment_selectors)) if self.attachment_selectors else []
        roots += [el for sel in self.attachment_selectors for el in boxes if matches(el, sel)]
        return document_links(roots, url)

    # ---------------------------------------------------------------- listings
    def parse_listing(self, html: str | bytes, url: str) -> Listing:
        doc = self.document(html)
        container, items = self._listing_items(doc)
        listing = Listing()
        if container is None:
            return listing
        seen: set[str] = set()  # membership in a set: a listing of 100k links stays linear
        urls, dates = listing.article_urls, listing.dates
        date_els = per_item(container, items, self.listing_date_selectors)
        link_els = per_item(container, items, self.listing_link_selectors)
        for item_dates, links in zip(date_els, link_els, strict=True):
            date = None
            for el in item_dates:
                date = parse_vn_date(node_text(el))
                if date:
                    break
            for a in links:
                canon = self.listing_link(a.attrs.get("href"), url)
                if canon is None:
                    continue
                if canon not in seen:
                    seen.add(canon)
                    urls.append(canon)
                if date:
                    dates.setdefault(canon, date)
        listing.next_page = self.next_page(doc, container, url)
        return listing

    def listing_link(self, href: str | None, page_url: str) -> str | None:
        """The canonical article URL a listing link names, None when it names no article."""
        link = absolute_url(href, page_url)
        if not link or not self.is_article_url(link):
            return None
        return self.canonical_url(link)

    def _listing_items(self, doc: Node) -> tuple[Node | None, list[Node]]:
        """The first container (of any selector) holding listing items: the main listing portlet."""
        for sel in self.listing_container_selectors:
            for container in css_within(doc, sel):
                items = select(container, self.listing_item_selectors)
                if items:
                    return container, items
        return None, []

    def next_page(self, doc: Node, container: Node, url: str) -> str | None:
        """The pager link to page current+1 (absolute, with its page parameter), None on the last page."""
        pager = None
        scope: Node | None = container
        while scope is not None and pager is None:  # the pager nearest the listing, not a side portlet's
            pager = select_first(scope, self.pagination_selectors)
            parent = scope.parent
            scope = parent if parent is not None and parent.is_element_node else None
        if pager is None:
            return None
        current = page_number(url) or self._active_page(pager) or 1
        links = [(a, absolute_url(a.attrs.get("href"), url)) for a in pager.css("a")]
        for _a, href in links:
            if href and page_number(href) == current + 1:
                return href
        next_links: set[int] | None = None
        for a, href in links:
            nxt = page_number(href) if href else None
            if not nxt or nxt <= current:
                continue
            if next_links is None:
                next_links = {n.mem_id for n in select(pager, self.next_link_selectors)}
            if a.mem_id in next_links or self._NEXT_TEXT_RE.match(node_text(a)):
                return href
        return None

    @staticmethod
    def _active_page(pager: Node) -> int | None:
        for sel in ("li.active", ".current", ".active"):
            for el in pager.css(sel):
                text = node_text(el)
                if text.isdigit():
                    return int(text)
        return None


def _may_be_label(el: Node) -> bool:
    """False when `el` (in a tree without script-like elements) cannot read as a label.

    node_text would clean the whole text of every paragraph and wrapper; instead its first word
    is read from lexbor's text. Without script-like elements that text differs from the raw
    text only by the spaces <br>s add, so the first word of node_text is a prefix of the first
    token here. A token of letters and digits (no entity, no invisible character) in NFC is
    what cleaning leaves it, and a label must start with one of the label words.
    """
    token = el.text(deep=True).split(None, 1)
    if not token:
        return False
    word = token[0]
    return not (word.isalnum() and unicodedata.is_normalized("NFC", word)) or bool(
        _LABEL_START_RE.match(word)
    )


def _is_link_list(el: Node) -> bool:
    """A list or block made of links (a related-news or attachment list)."""
    if not el.is_element_node:
        return False
    total = len(node_text(el))
    linked = sum(len(node_text(a)) for a in el.css("a"))
    return total > 0 and linked >= 0.6 * total


# ---------------------------------------------------------------- family fallback
# What every Liferay page of a kind prints whatever the site's template does: the asset's
# title and metadata, the web content's HTML in .journal-content-article. Read only for the
# fields the template's own selectors missed; each field read here is named in the item's
# `extraction.fallback`.

FAMILY_MIN_TEXT = 80
FAMILY_MIN_PROSE = 200
# Below these, web content is navigation or a listing's teaser.
_FAMILY_NOT_IN_TAGS = frozenset({"nav", "footer"})
_FAMILY_NOT_IN_CLASSES = frozenset({"asset-abstract", "portlet-navigation"})
_FAMILY_TITLE = (".asset-title", ".header-title", ".component-title", "h1", "h2", "h3")
_FAMILY_DATE = (
    ".metadata-publish-date",
    ".asset-metadata .metadata-entry",
    ".publish-date",
    ".ngay-dang",
    ".ngay-xuat-ban",
    ".date",
)
_FAMILY_LEAD = (".sapo", ".tom-tat", ".tomtat", ".lead", ".mo-ta", ".asset-summary")
_FAMILY_AUTHOR = (".tac-gia", ".author", ".but-danh", ".nguon-tin")
_DATE_CANDIDATES = "time, span, div, p, em, i, strong, b, small, h4, h5, h6"
_MAX_DATE_TEXT = 60
_UNSET = object()


def _classes_of(el: Node) -> set[str]:
    return set((el.attrs.get("class") or "").split())


def _asset_of(doc: Node, el: Node) -> Node | None:
    """The .asset-full-content block at or above `el`: one page query, then a walk up comparing
    node ids (a CSS query asked from `el` would scan its whole subtree)."""
    assets = {a.mem_id: a for a in doc.css(".asset-full-content")}
    if assets:
        for node in (el, *ancestors(el)):
            found = assets.get(node.mem_id)
            if found is not None:
                return found
    return None


def _in_chrome(el: Node) -> bool:
    """Below a <nav>, a <footer>, a navigation portlet or a listing's abstract."""
    for node in ancestors(el):
        if node.tag in _FAMILY_NOT_IN_TAGS or not _FAMILY_NOT_IN_CLASSES.isdisjoint(_classes_of(node)):
            return True
        if node.attrs.get("role") == "navigation":
            return True
    return False


@cache
def _union(selectors: Selectors) -> str:
    return ", ".join(selectors)


def _letters(el: Node) -> int:
    """Characters of the element's text, each text node stripped (lexbor's text, in C)."""
    return len(el.text(deep=True, separator="", strip=True))


class _Family:
    """The family's stock structure of one page, found on first use; `fallback` names the
    fields it gave."""

    def __init__(self, parser: LiferayFamilyParser, doc: Node) -> None:
        self.parser = parser
        self.doc = doc
        self.fallback: set[str] = set()
        self._scope: object = _UNSET
        self._roots_found: list[Node] | None = None

    def used(self, *names: str) -> None:
        self.fallback.update(names)

    @property
    def scope(self) -> Node | None:
        """The web content's container (see `family_scope_selectors`), or None."""
        if self._scope is _UNSET:
            self._scope = self._find_scope()
        return self._scope  # type: ignore[return-value]

    def _find_scope(self) -> Node | None:
        for sel in self.parser.family_scope_selectors:
            best, best_len = None, 0
            in_asset = sel.startswith(".asset-full-content")
            for el in css(self.doc, sel):
                if not in_asset and _in_chrome(el):
                    continue
                size = self._article_text(el, in_asset or _asset_of(self.doc, el) is not None)
                if size > best_len:
                    best, best_len = el, size
            if best is not None:
                return best
        return None

    @staticmethod
    def _article_text(el: Node, in_asset: bool) -> int:
        """How much article text `el` holds (characters, spaces left out); 0 for chrome. The
        asset's own block needs FAMILY_MIN_TEXT; a web-content portlet elsewhere on the page
        (banners, link boxes, a side note) must read as an article: two paragraphs,
        FAMILY_MIN_PROSE characters."""
        if in_asset:
            size = _letters(el)
            return size if size >= FAMILY_MIN_TEXT else 0
        sizes = [n for n in (_letters(p) for p in el.css("p")) if n]
        return sum(sizes) if len(sizes) >= 2 and sum(sizes) >= FAMILY_MIN_PROSE else 0

    def _roots(self) -> list[Node]:
        """The asset's full-content block around the scope (title and metadata sit there), then
        the scope; found once."""
        if self._roots_found is None:
            scope = self.scope
            asset = _asset_of(self.doc, scope) if scope is not None else None
            self._roots_found = [r for r in (asset, scope) if r is not None]
        return self._roots_found

    def _first(self, selectors: Selectors) -> str | None:
        union = _union(selectors)  # mostly nothing matches: one query says so
        for root in self._roots():
            if root.css_first(union) is None:
                return None  # the roots are nested: nothing in the outer one, nothing inside
            text = self.parser.first_text(root, selectors)
            if text:
                return text
        return None

    def title(self) -> str | None:
        found = self._first(_FAMILY_TITLE)
        if found:
            self.used("title")
        return found

    def lead(self) -> str | None:
        found = self._first(_FAMILY_LEAD)
        if found:
            self.used("lead")
        return found

    def author(self) -> str | None:
        found = self._first(_FAMILY_AUTHOR)
        if found:
            self.used("author")
        return found

    def published_at(self) -> str | None:
        found = self._date()
        if found:
            self.used("published_at")
        return found

    def _date(self) -> str | None:
        for root in self._roots():
            for el in select(root, _FAMILY_DATE):
                found = parse_vn_date(node_text(el))
                if found:
                    return found
            for el in root.css("time[datetime]"):
                found = parse_iso_datetime(el.attrs.get("datetime"))
                if found:
                    return found
        scope = self.scope
        if scope is None:
            return None
        # A date printed as a short line of its own before the body (the template's class unknown).
        for el in scope.css(_DATE_CANDIDATES):
            text = node_text(el)
            if len(text) <= _MAX_DATE_TEXT:
                found = parse_vn_date(text)
                if found:
                    return found
            elif el.tag == "p":
                return None  # the body has begun
        return None

    @staticmethod
    def body_only(body: list[str], fields: list[str | None], date: str | None) -> list[str]:
        """The fallback body without the lines the other fields (title, lead, author, captions,
        the date) printed inside the container."""
        drop = {t for t in fields if t}
        out = []
        for text in body:
            if text in drop:
                continue
            if date and len(text) <= _MAX_DATE_TEXT and parse_vn_date(text) == date:
                date = None  # the date line, once
                continue
            out.append(text)
        return out
