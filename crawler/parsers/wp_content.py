"""Post content (the HTML WordPress stores, as the page or the REST API renders it) into item fields.

One function, `extract_content`, shared by every WordPress parser for both sources, so the page
and the REST entry of one post give the same body, captions, images and attachments.

The engine reads it (crawler.content.body: pictures, figures and captions, the printed byline,
returned as `byline`). What is WordPress's own: the removal list (ads, share/related blocks,
embeds, file download widgets whose files go to `attachments`), "Xem thêm:" related-link
paragraphs and a trailing "Theo Báo …" source line.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

# Modules, not their names: they import crawler.parsers.dom, whose package imports this one.
from crawler.content import body as content_body
from crawler.content.attachments import document_links
from crawler.items import Image
from crawler.normalize.text import clean_text, is_clean_boilerplate
from crawler.parsers.dom import BR, Node, parse_fragment, raw_text

if TYPE_CHECKING:
    from crawler.content.body import Block
    from crawler.content.walker import Para

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


def _is_source_text(text: str) -> bool:
    """A trailing "Theo Báo Gia Lai" / "(Nguồn: TTXVN)" line: names a source, is short."""
    if len(text) > _MAX_SOURCE:
        return False
    m = _SOURCE_RE.match(text)
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
    return first[:1].isupper() and "," not in text and len(text) <= 60


def _remove(root: Node, remove: Sequence[str]) -> None:
    if remove:  # one selector group: matches in document order (an element once per selector)
        for el in root.css(", ".join(remove)):
            _drop(el, root)


def extract_figures(
    container: Node, base: str, remove: Sequence[str] = CONTENT_REMOVE
) -> tuple[list[Image], list[str]]:
    """The images and captions `extract_content` gives for `container` (a featured block)."""
    root = container.clone()
    _remove(root, remove)
    read = content_body.assemble(content_body.BodyReader(base).read(root))
    return read.images, read.captions


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
    # The engine reads the body (its walker, pictures, figures, captions and printed byline);
    # what is WordPress's own: "Xem thêm:" related links and a trailing "Theo Báo ..." line.
    blocks: list[Block] = []
    in_related = False
    for b in content_body.BodyReader(base).read(root):
        para = b.para
        if para is not None:
            if is_clean_boilerplate(para.text):
                continue
            if _is_label(para):
                in_related = True
                continue
            if in_related and _is_link_item(para):
                continue
            in_related = False  # (a picture between the label and its links ends nothing)
        blocks.append(b)
    _drop_source(blocks)  # a source line after the byline
    read = content_body.assemble(blocks)
    body = read.body
    while body and _is_source_text(body[-1]):  # and one before it
        body.pop()
    return Content(
        body=body,
        images=read.images,
        captions=read.captions,
        attachments=attachments,
        byline=read.author,
    )


def _drop_source(blocks: list[Block]) -> None:
    """Trailing source lines (with nothing but pictures after them) out of `blocks`."""
    while True:
        last = next((i for i in range(len(blocks) - 1, -1, -1) if blocks[i].kind == "text"), None)
        if last is None or not _is_source_text(blocks[last].text):
            return
        del blocks[last]
