"""Post content (the HTML WordPress stores, as the page or the REST API renders it) into item fields.

One function, `extract_content`, shared by every WordPress parser for both sources, so the page
and the REST entry of one post give the same body, captions, images and attachments.

What is not body: figures (their captions go to `captions`), ads and share/related blocks,
embeds (iframes, players), file download widgets (the files go to `attachments`), "Xem thêm:"
related-link paragraphs, a trailing "Theo Báo …" source line and a trailing printed byline
(a right-aligned bold paragraph: the real author, returned as `byline`).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import parse_qsl, urlsplit

import lxml.html
from lxml import etree
from lxml.cssselect import CSSSelector
from lxml.html import HtmlElement

from crawler.items import Image
from crawler.normalize.text import clean_text, is_boilerplate
from crawler.normalize.urls import absolute_url

__all__ = ["CONTENT_REMOVE", "Content", "extract_content", "fragment", "html_to_text"]

#: Subtrees inside post content that are never article text (ads, sharing, related, embeds...).
CONTENT_REMOVE: tuple[str, ...] = (
    "script",
    "style",
    "noscript",
    "template",
    "form",
    "button",
    "input",
    "select",
    "textarea",
    "svg",
    "canvas",
    "iframe",
    "embed",
    "object",
    "video",
    "audio",
    "[hidden]",
    # ads (Sahifa e3lan, Jannah stream-item, Newspaper td-a-rec, AdSense, Ad Inserter)
    ".e3lan",
    ".stream-item",
    ".td-a-rec",
    ".td-g-rec",
    "ins.adsbygoogle",
    ".code-block",
    # sharing and social widgets
    ".sharedaddy",
    ".addtoany_share_save_container",
    ".a2a_kit",
    ".heateor_sss_sharing_container",
    ".share-post",
    ".share-buttons",
    ".social-share",
    ".post-share",
    ".td-post-sharing",
    ".fb-like",
    ".fb-share-button",
    ".zalo-share-button",
    ".printfriendly",
    # related / author / meta blocks some themes and plugins inject into the content
    ".jp-relatedposts",
    ".yarpp-related",
    ".crp_related",
    ".related-posts",
    "#related_posts",
    "#related-posts",
    "#check-also-box",
    "#author-box",
    ".about-author",
    ".author-box-wrap",
    ".post-views",
    ".kk-star-ratings",
    ".screen-reader-text",
    # players and file widgets (files are collected as attachments first)
    ".wp-block-embed",
    ".wp-video",
    ".wp-audio-shortcode",
    ".mejs-container",
    ".wp-block-file",
    ".pdfemb-viewer",
)

_BLOCK_TAGS = frozenset(
    "p div section article blockquote ul ol li h1 h2 h3 h4 h5 h6 table thead tbody tfoot tr td th "
    "pre figure figcaption center dl dt dd header footer aside main nav address hr details summary".split()
)
_BR = "\u2028"  # marks <br> in text; clean_text folds it to a space
_DOC_EXT = re.compile(r"\.(?:pdf|docx?|xlsx?|pptx?|odt|ods|rtf|zip|rar|7z)$", re.I)
_LABEL_RE = re.compile(
    r"^(?:>+\s*)?(?:xem thêm|đọc thêm|tin liên quan|bài liên quan|tin cùng chuyên mục|có thể bạn quan tâm)\b",
    re.I,
)
# "Theo Báo Gia Lai", "(Nguồn: TTXVN)", "Theo baochinhphu.vn": a named source, not prose
# ("Theo đánh giá tại hội nghị, ..." starts with a lower-case word and is long).
_SOURCE_RE = re.compile(r"^[(\[]?\s*(?:theo|nguồn)\s*:?\s+(\S+(?:\s+\S+)?)", re.I)
_DOMAIN_RE = re.compile(r"^[\w.-]+\.(?:vn|com|net|org)\b", re.I)
_BYLINE_PREFIX_RE = re.compile(
    r"^(?:[-–—]\s*)?(?:(?:bài viết|bài|tin)(?:\s*(?:,|và|&)\s*ảnh)?|ảnh)\s*:\s*",
    re.I,
)
_RIGHT_RE = re.compile(r"text-align\s*:\s*right", re.I)
_BOLD_STYLE_RE = re.compile(r"font-weight\s*:\s*(?:bold|[6-9]00)", re.I)
_MAX_BYLINE = 80
_MAX_SOURCE = 120


@dataclass
class Content:
    body: list[str] = field(default_factory=list)
    images: list[Image] = field(default_factory=list)
    captions: list[str] = field(default_factory=list)
    attachments: list[str] = field(default_factory=list)
    byline: str | None = None  # printed byline found at the end of the content


@dataclass
class _Block:
    text: str
    el: HtmlElement
    loose: bool  # text not wrapped in its own block element (e.g. div text split by <br>)


def fragment(html: str) -> HtmlElement:
    """Parse an HTML fragment (REST `content.rendered`) into a <div> wrapper."""
    if not html or not html.strip():
        return lxml.html.fromstring("<div></div>")
    return lxml.html.fragment_fromstring(html, create_parent="div")


def html_to_text(html: str | None) -> str:
    """Plain text of an HTML snippet (REST `title.rendered`, `excerpt.rendered`), cleaned."""
    if not html:
        return ""
    return clean_text(fragment(html).text_content())


def _classes(el: HtmlElement) -> set[str]:
    return set((el.get("class") or "").split())


def _is_figure(el: HtmlElement) -> bool:
    if el.tag == "figure":
        return True
    cls = _classes(el)
    return bool(cls & {"wp-caption", "wp-block-image", "gallery-item", "single-post-thumb"})


def _is_caption(el: HtmlElement) -> bool:
    if el.tag == "figcaption":
        return True
    cls = _classes(el)
    return bool(cls & {"wp-caption-text", "wp-element-caption", "gallery-caption", "blocks-gallery-caption"})


def _text(el: HtmlElement) -> str:
    return clean_text(el.text_content().replace(_BR, " "))


@lru_cache(maxsize=64)
def _remover(selectors: tuple[str, ...]) -> CSSSelector:
    """One compiled selector for a whole remove list: `el.cssselect()` compiles CSS to XPath on every
    call, which cost more than the rest of the content extraction (50 selectors per page)."""
    return CSSSelector(", ".join(selectors), translator="html")


def _drop(el: HtmlElement) -> None:
    """Remove an element but keep its tail text (which belongs to the parent)."""
    if el.getparent() is not None:
        el.drop_tree()


_PLACEHOLDER_RE = re.compile(r"(?:lazy|placeholder|blank|spacer|pixel)\.(?:gif|png|svg)|^data:", re.I)


def _img_src(img: HtmlElement, base: str) -> str | None:
    src = (img.get("src") or "").strip()
    if not src or _PLACEHOLDER_RE.search(src):
        for attr in ("data-lazy-src", "data-src", "data-original", "data-orig-file"):
            if img.get(attr):
                src = img.get(attr).strip()
                break
    if not src or src.startswith("data:"):
        return None
    if "wp-smiley" in _classes(img) or "/images/core/emoji/" in src:
        return None
    return absolute_url(src, base)


def _nearest_figure(el: HtmlElement, stop: HtmlElement) -> HtmlElement | None:
    for anc in el.iterancestors():
        if anc is stop:
            return None
        if _is_figure(anc):
            return anc
    return None


def _caption_of(fig: HtmlElement) -> HtmlElement | None:
    """The figure's own caption element (not one of a nested figure, as in galleries)."""
    for el in fig.iterdescendants():
        if isinstance(el.tag, str) and _is_caption(el):
            owner = next((a for a in el.iterancestors() if _is_figure(a)), None)
            if owner is fig:
                return el
    return None


def _figures(root: HtmlElement, base: str) -> tuple[list[Image], list[str]]:
    """Images (with their captions) and captions, in document order; figures are then removed."""
    images: list[Image] = []
    captions: list[str] = []
    seen_src: set[str] = set()
    emitted: set[int] = set()

    def emit(cap: HtmlElement | None) -> str | None:
        if cap is None:
            return None
        text = _text(cap) or None
        if text and id(cap) not in emitted:
            emitted.add(id(cap))
            if text not in captions:
                captions.append(text)
        return text

    for el in list(root.iter()):
        if not isinstance(el.tag, str):
            continue
        if el.tag == "img":
            src = _img_src(el, base)
            fig = _nearest_figure(el, root)
            caption = emit(_caption_of(fig)) if fig is not None else None
            if src and src not in seen_src:
                seen_src.add(src)
                images.append({"src": src, "caption": caption})
        elif _is_caption(el):
            emit(el)  # a caption without an image (video, gallery title) is still a caption
    for el in list(root.iter()):
        if isinstance(el.tag, str) and (_is_figure(el) or _is_caption(el) or el.tag in ("img", "picture")):
            if not any(_is_figure(a) for a in el.iterancestors()):
                _drop(el)
    for el in list(root.iter("img", "picture")):
        _drop(el)
    return images, captions


def _file_url(href: str | None, base: str) -> str | None:
    url = absolute_url(href, base)
    if not url:
        return None
    parts = urlsplit(url)
    if _DOC_EXT.search(parts.path):
        return url
    # PDF viewers embed the file as a parameter: docs.google.com/viewer?url=..., pdf.js ?file=...
    for key, value in parse_qsl(parts.query):
        if key.lower() in ("url", "file", "src") and _DOC_EXT.search(urlsplit(value).path):
            return absolute_url(value, base)
    return None


def _attachments(root: HtmlElement, base: str) -> list[str]:
    out: list[str] = []
    for el in root.iter("a", "iframe", "embed", "object"):
        ref = el.get("href") if el.tag == "a" else (el.get("data") if el.tag == "object" else el.get("src"))
        url = _file_url(ref, base)
        if url and url not in out:
            out.append(url)
    return out


def _has_block_descendant(el: HtmlElement) -> bool:
    return any(isinstance(d.tag, str) and d.tag in _BLOCK_TAGS for d in el.iterdescendants())


def _walk(el: HtmlElement, out: list[_Block]) -> None:
    """Split `el` into paragraph-level text blocks, in document order."""
    if not _has_block_descendant(el):
        out.append(_Block(el.text_content(), el, loose=False))
        return
    buf: list[str] = [el.text or ""]

    def flush() -> None:
        for part in "".join(buf).split(_BR):
            if part.strip():
                out.append(_Block(part, el, loose=True))
        buf.clear()

    for child in el:
        if not isinstance(child.tag, str):  # comment / processing instruction
            buf.append(child.tail or "")
        elif child.tag in _BLOCK_TAGS or _has_block_descendant(child):
            flush()
            _walk(child, out)
            buf.append(child.tail or "")
        else:
            buf.append(child.text_content() + (child.tail or ""))
    flush()


def _link_text(el: HtmlElement) -> str:
    return clean_text(" ".join(a.text_content() for a in el.iter("a")).replace(_BR, " "))


def _is_label(block: _Block) -> bool:
    """A "Xem thêm:" related-links paragraph (with its links), or the bare label before a list."""
    if not _LABEL_RE.match(block.text):
        return False
    has_link = not block.loose and next(block.el.iter("a"), None) is not None
    return block.text.endswith(":") or len(block.text) <= 30 or has_link


def _is_link_item(block: _Block) -> bool:
    return not block.loose and block.el.tag in ("li", "p") and _link_text(block.el) == block.text


_SOURCE_NAMES = frozenset({"báo", "tạp", "cổng", "trang", "đài", "ttxvn", "vtv", "vov", "vna", "tttxvn"})


def _is_source(block: _Block) -> bool:
    """A trailing "Theo Báo Gia Lai" / "(Nguồn: TTXVN)" line: names a source, is short."""
    if len(block.text) > _MAX_SOURCE:
        return False
    m = _SOURCE_RE.match(block.text)
    if not m:
        return False
    words = m.group(1).split()
    first = words[0].strip("():,.")
    if first.lower() == "báo" and len(words) > 1 and words[1].lower().startswith("cáo"):
        return False  # "Theo báo cáo, ..." is prose
    # A source is a capitalised name, a known outlet word or a domain; "Theo đánh giá ..." is prose.
    if first.lower() in _SOURCE_NAMES or _DOMAIN_RE.match(first):
        return True
    # Other capitalised names ("Theo VietnamPlus") only as a bare short line: "Theo Kế hoạch, ..." is prose.
    return first[:1].isupper() and "," not in block.text and len(block.text) <= 60


def _right_aligned(el: HtmlElement) -> bool:
    for node in (el, *el.iterdescendants()):
        if not isinstance(node.tag, str):
            continue
        if _RIGHT_RE.search(node.get("style") or "") or (node.get("align") or "").lower() == "right":
            return True
        if _classes(node) & {"has-text-align-right", "alignright", "text-right"}:
            return True
    return False


def _all_bold(el: HtmlElement, text: str) -> bool:
    if _BOLD_STYLE_RE.search(el.get("style") or ""):
        return True
    bold = [n for n in el.iter("strong", "b") if not any(a.tag in ("strong", "b") for a in n.iterancestors())]
    bold += [
        n
        for n in el.iter("span")
        if _BOLD_STYLE_RE.search(n.get("style") or "")
        and not any(a.tag in ("strong", "b") for a in n.iterancestors())
    ]
    return clean_text(" ".join(n.text_content() for n in bold).replace(_BR, " ")) == text


def _byline(block: _Block) -> str | None:
    """The author's name when `block` is a printed byline (right-aligned, bold, short)."""
    if block.loose or len(block.text) > _MAX_BYLINE or block.el.tag not in ("p", "div", "h4", "h5", "h6"):
        return None
    if not (_right_aligned(block.el) and _all_bold(block.el, block.text)):
        return None
    name = clean_text(_BYLINE_PREFIX_RE.sub("", block.text))
    return name or None


def extract_content(
    container: HtmlElement,
    base: str,
    remove: Sequence[str] = CONTENT_REMOVE,
    *,
    copy_tree: bool = True,
) -> Content:
    """Body paragraphs, images, captions, attachments and printed byline of one post's content.

    `container` is the theme's content element (or a REST fragment); it is copied first unless
    `copy_tree` is False. `base` resolves relative URLs.
    """
    root = copy.deepcopy(container) if copy_tree else container
    root.tail = None
    for comment in list(root.iter(etree.Comment)):
        _drop(comment)
    attachments = _attachments(root, base)
    # Document order instead of selector order: the same elements go, so the same tree is left.
    for el in _remover(tuple(remove))(root):
        _drop(el)
    images, captions = _figures(root, base)
    for br in root.iter("br"):
        br.tail = _BR + (br.tail or "")

    raw: list[_Block] = []
    _walk(root, raw)
    blocks = [
        _Block(clean_text(b.text.replace(_BR, " ") if not b.loose else b.text), b.el, b.loose) for b in raw
    ]
    kept: list[_Block] = []
    in_related = False
    for b in blocks:
        if not b.text or is_boilerplate(b.text):
            continue
        if _is_label(b):
            in_related = True
            continue
        if in_related and _is_link_item(b):
            continue
        in_related = False
        kept.append(b)

    byline: str | None = None
    for _ in range(3):  # trailing source line / printed byline, in either order
        if not kept:
            break
        last = kept[-1]
        if _is_source(last):
            kept.pop()
            continue
        name = _byline(last) if byline is None else None
        if name:
            byline = name
            kept.pop()
            continue
        break
    return Content(
        body=[b.text for b in kept],
        images=images,
        captions=captions,
        attachments=attachments,
        byline=byline,
    )
