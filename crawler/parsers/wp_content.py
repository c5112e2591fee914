"""Post content (the HTML WordPress stores, as the page or the REST API renders it) into item fields.

One function, `extract_content`, shared by every WordPress parser for both sources, so the page
and the REST entry of one post give the same body, captions, images and attachments.

What is not body: figures (their captions go to `captions`), ads and share/related blocks,
embeds (iframes, players), file download widgets (the files go to `attachments`), "Xem thêm:"
related-link paragraphs, a trailing "Theo Báo …" source line and a trailing printed byline
(a right-aligned bold paragraph: the real author, returned as `byline`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

# Modules, not their names: they import crawler.parsers.dom, whose package imports this one.
from crawler.content import images as engine_images
from crawler.content import walker
from crawler.content.attachments import document_links
from crawler.content.figures import (
    CAPTION_CSS,
    FIGURE_CSS,
    is_caption,
    is_figure,
    nearest_figure,
    own_caption,
)
from crawler.items import Image

if TYPE_CHECKING:
    from crawler.content.walker import Para
from crawler.normalize.text import clean_text, is_clean_boilerplate
from crawler.parsers.dom import BR, Node, ancestors, parse_fragment, raw_text

__all__ = ["CONTENT_REMOVE", "Content", "extract_content", "extract_figures", "fragment", "html_to_text"]

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
    # hidden from readers (a hidden teaser of another post, hCard and date microdata)
    "[style*='display:none' i]",
    "[style*='display: none' i]",
    "[style*='visibility:hidden' i]",
    "[style*='visibility: hidden' i]",
    "[aria-hidden='true' i]",
    # ads (Sahifa e3lan, Jannah stream-item, Newspaper td-a-rec, AdSense, Ad Inserter)
    ".e3lan",
    ".stream-item",
    ".td-a-rec",
    ".td-g-rec",
    "ins.adsbygoogle",
    ".code-block",
    # sharing and social widgets: Jetpack, AddToAny, Social Warfare, Social Pug, Heateor, themes
    ".sharedaddy",
    ".sd-sharing-enabled",
    ".sd-sharing",
    ".addtoany_share_save_container",
    ".addtoany_content",
    ".a2a_kit",
    ".swp_social_panel",
    ".swp-content-locator",
    ".dpsp-share-buttons",
    ".dpsp-content-wrapper",
    "#dpsp-content-top",
    "#dpsp-content-bottom",
    ".dpsp-networks-btns-wrapper",
    ".heateor_sss_sharing_container",
    ".share-post",
    ".share-buttons",
    ".social-share",
    ".post-share",
    ".td-post-sharing",
    ".tdb_single_post_share",
    ".penci-post-share-box",
    ".post-share-buttons",
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


def fragment(html: str | None) -> Node:
    """Parse an HTML fragment (REST `content.rendered`) into a wrapper element (a <body>)."""
    return parse_fragment(html)


def html_to_text(html: str | None) -> str:
    """Plain text of an HTML snippet (REST `title.rendered`, `excerpt.rendered`), cleaned."""
    if not html:
        return ""
    if "<" not in html and "&" not in html and "\x00" not in html:
        return clean_text(html)  # plain text (most term names, many titles): nothing to parse
    return clean_text(parse_fragment(html).text(deep=True))


def _text(el: Node) -> str:
    """A caption's text, a <br> in it read as a space ("Toàn cảnh<br>hội thảo")."""
    return clean_text(raw_text(el).replace(BR, " "))


def _drop(el: Node, root: Node) -> None:
    """Unlink an element with its subtree; the text after it is a node of its own and stays.
    Not recursive: selectolax would take the subtree apart node by node, for nothing."""
    if el.mem_id != root.mem_id and el.parent is not None:
        el.decompose(recursive=False)


def _figures(root: Node, base: str) -> tuple[list[Image], list[str]]:
    """Images (with their captions) and captions, in document order; figures are then removed."""
    images: list[Image] = []
    captions: list[str] = []
    seen_src: set[str] = set()
    emitted: set[int] = set()

    def emit(cap: Node | None) -> str | None:
        if cap is None:
            return None
        text = _text(cap) or None
        if text and cap.mem_id not in emitted:
            emitted.add(cap.mem_id)
            if text not in captions:
                captions.append(text)
        return text

    # One query for both passes (none of them changes what matches); lexbor lists an element
    # once per selector it matches, which emit() and seen_src make harmless.
    candidates = root.css(f"{FIGURE_CSS}, {CAPTION_CSS}, img, picture")
    for el in candidates:
        if el.tag == "img":
            src = engine_images.image_src(el, base)
            fig = nearest_figure(el, root)
            caption = emit(own_caption(fig)) if fig is not None else None
            if src and src not in seen_src:
                seen_src.add(src)
                images.append({"src": src, "caption": caption})
        elif is_caption(el):
            emit(el)  # a caption without an image (video, gallery title) is still a caption
    for el in candidates:
        if not any(is_figure(a) for a in ancestors(el)):
            _drop(el, root)
    # Only a figure at or above the root can still hold images here (any other was dropped).
    if is_figure(root) or any(is_figure(a) for a in ancestors(root)):
        for el in root.css("img, picture"):
            _drop(el, root)
    return images, captions


def _link_text(el: Node) -> str:
    return clean_text(" ".join(raw_text(a) for a in el.css("a")).replace(BR, " "))


def _is_label(block: Para) -> bool:
    """A "Xem thêm:" related-links paragraph (with its links), or the bare label before a list."""
    if not _LABEL_RE.match(block.text):
        return False
    has_link = not block.loose and block.node.css_first("a") is not None
    return block.text.endswith(":") or len(block.text) <= 30 or has_link


def _is_link_item(block: Para) -> bool:
    return not block.loose and block.node.tag in ("li", "p") and _link_text(block.node) == block.text


_SOURCE_NAMES = frozenset({"báo", "tạp", "cổng", "trang", "đài", "ttxvn", "vtv", "vov", "vna", "tttxvn"})


def _is_source(block: Para) -> bool:
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


def _right_aligned(el: Node) -> bool:
    """`el` or an element inside it is right-aligned (the engine's rule)."""
    return any(node.is_element_node and walker.alignment(node) == "right" for node in el.traverse())


def _outside_bold(el: Node) -> bool:
    return not any(a.tag in ("strong", "b") for a in ancestors(el))


def _all_bold(el: Node, text: str) -> bool:
    if _BOLD_STYLE_RE.search(el.attrs.get("style") or ""):
        return True
    bold = [n for n in el.css("strong, b") if _outside_bold(n)]
    bold += [
        n for n in el.css("span") if _BOLD_STYLE_RE.search(n.attrs.get("style") or "") and _outside_bold(n)
    ]
    return clean_text(" ".join(raw_text(n) for n in bold).replace(BR, " ")) == text


def _byline(block: Para) -> str | None:
    """The author's name when `block` is a printed byline (right-aligned, bold, short)."""
    if block.loose or len(block.text) > _MAX_BYLINE or block.node.tag not in ("p", "div", "h4", "h5", "h6"):
        return None
    if not (_right_aligned(block.node) and _all_bold(block.node, block.text)):
        return None
    name = clean_text(_BYLINE_PREFIX_RE.sub("", block.text))
    return name or None


def _remove(root: Node, remove: Sequence[str]) -> None:
    if remove:  # one selector group: matches in document order (an element once per selector)
        for el in root.css(", ".join(remove)):
            _drop(el, root)


def extract_figures(
    container: Node, base: str, remove: Sequence[str] = CONTENT_REMOVE
) -> tuple[list[Image], list[str]]:
    """The images and captions `extract_content` gives for `container`, without the text work."""
    root = container.clone()
    _remove(root, remove)
    return _figures(root, base)


def extract_content(
    container: Node,
    base: str,
    remove: Sequence[str] = CONTENT_REMOVE,
    *,
    copy_tree: bool = True,
) -> Content:
    """Body paragraphs, images, captions, attachments and printed byline of one post's content.

    `container` is the theme's content element (or a REST fragment); it is cloned first unless
    `copy_tree` is False (the clone is detached: what is removed from it stays on the page, and
    no ancestor walk leaves it). `base` resolves relative URLs.
    """
    root = container.clone() if copy_tree else container
    attachments = document_links([root], base)
    _remove(root, remove)
    images, captions = _figures(root, base)

    # The engine's walker (its one <br> rule): figures and images are gone from `root` by now.
    blocks = walker.walk([root]).paras
    kept: list[Para] = []
    in_related = False
    for b in blocks:
        if is_clean_boilerplate(b.text):  # also true for empty text
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
