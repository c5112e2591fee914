"""Article images and their captions, and the caption elements to keep out of the body.

A caption is what the page ties to the picture: figure/figcaption, a WordPress `.wp-caption`,
a CKEditor caption table (picture row, caption row), a caption-classed element right after the
picture, or a short centered or italic paragraph right after it. Decorative images (logos,
icons, share buttons, ad banners, tracking pixels, avatars) are never article images.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import islice

from crawler.content.figures import is_figure, own_caption
from crawler.content.rules import CAPTION_CLASS, decorative_image
from crawler.normalize.text import clean_text
from crawler.normalize.urls import absolute_url
from crawler.parsers.dom import Node, ancestors

__all__ = ["Picture", "featured_picture", "image_src", "pictures"]

_LAZY_ATTRS = ("data-lazy-src", "data-src", "data-original", "data-lazy", "data-orig-file")
_PLACEHOLDER = re.compile(r"(?:lazy|placeholder|blank|spacer|pixel)\.(?:gif|png|svg)|^data:", re.I)
_FEATURED = re.compile(
    r"featured|thumbnail|post-?thumb|entry-?image|post-?image|hero|lead-?image|"
    r"single-?image|article-?image|top-?image|main-?image|cover"
)
_MAX_CAPTION = 400


@dataclass
class Picture:
    src: str
    caption: str | None
    caption_node: Node | None  # kept out of the body


def image_src(img: Node, base: str) -> str | None:
    """The picture an <img> shows (resolved against `base`), or None for a decorative one.

    One rule for every parser: a real `src` wins (Jetpack's data-orig-file on every image is the
    upload at full size, not what the page shows); an empty or placeholder `src` (a data: URI, a
    lazy loader's blank gif) gives way to the lazy-loading attributes, then to srcset. A
    listing's teaser pasted into the content (alt "thumbnail") and emoji are not pictures.
    """
    attrs = img.attributes
    src = (attrs.get("src") or "").strip()
    if not src or _PLACEHOLDER.search(src):
        src = next(
            (
                v
                for v in ((attrs.get(a) or "").strip() for a in _LAZY_ATTRS)
                if v and not v.startswith("data:")
            ),
            "",
        )
        if not src:
            srcset = (attrs.get("data-srcset") or attrs.get("srcset") or "").strip()
            src = srcset.split(",")[0].split()[0] if srcset else ""
    if not src or src.startswith("data:"):
        return None
    if (attrs.get("alt") or "").strip().lower() == "thumbnail" or "/images/core/emoji/" in src:
        return None
    if "wp-smiley" in (attrs.get("class") or "").split():
        return None
    url = absolute_url(src, base)
    return None if not url or decorative_image(url, attrs) else url


def _text(node: Node) -> str:
    return clean_text(node.text(deep=True, separator=" "))


def _styled_caption(el: Node) -> bool:
    """A short paragraph a reader takes for a caption: centered, or all italic."""
    attrs = el.attributes
    style = (attrs.get("style") or "").lower().replace(" ", "")
    if "text-align:center" in style or (attrs.get("align") or "").lower() == "center":
        return True
    text = _text(el)
    italic = "".join(_text(i) for i in el.css("em, i"))
    return bool(text) and len(italic) >= 0.9 * len(text)


def _caption(img: Node) -> tuple[str | None, Node | None]:
    chain = list(islice(ancestors(img), 5))
    for el in chain:
        if is_figure(el):
            cap = own_caption(el)
            return (_text(cap) or None, cap) if cap is not None else (None, None)
        if el.tag == "table":
            if len(el.css("img")) == 1 and len(el.css("tr")) <= 3:
                text = _text(el)
                if 0 < len(text) <= _MAX_CAPTION:
                    return text, el
            break
    # A caption element or a styled short paragraph right after the picture (or its wrapper).
    anchor = img
    for el in chain[:2]:
        if el.tag in ("a", "span", "p", "div", "center") and not el.text(deep=True).strip():
            anchor = el
    nxt = anchor.next
    while nxt is not None and (
        nxt.tag == "br" or (nxt.tag == "-text" and not (nxt.text_content or "").strip())
    ):
        nxt = nxt.next
    if nxt is not None and nxt.is_element_node and nxt.tag not in ("img", "figure", "table"):
        text = _text(nxt)
        names = f"{nxt.attributes.get('class') or ''}".lower()
        if 0 < len(text) <= _MAX_CAPTION and (CAPTION_CLASS.search(names) or _styled_caption(nxt)):
            if not nxt.css_first("img"):
                return text, nxt
    # The picture's own paragraph carries the caption after it ("<p align=center><img><br>Text</p>").
    owner = next((el for el in chain[:2] if el.tag in ("p", "div", "center")), None)
    if owner is not None and len(owner.css("img")) == 1:
        text = _text(owner)
        if 0 < len(text) <= _MAX_CAPTION and _styled_caption(owner):
            return text, owner
    return None, None


def pictures(blocks: list[Node], base: str) -> list[Picture]:
    out: list[Picture] = []
    for block in blocks:
        for img in block.css("img"):
            src = image_src(img, base)
            if not src:
                continue
            caption, node = _caption(img)
            out.append(Picture(src, caption, node))
    return out


def featured_picture(blocks: list[Node], base: str) -> Picture | None:
    """The image a theme puts above the text (outside the content block), when marked as such."""
    if not blocks:
        return None
    scope = next((a for a in ancestors(blocks[0]) if a.tag in ("article", "main")), None)
    if scope is None:
        return None
    inside = {img.mem_id for block in blocks for img in block.css("img")}
    for img in scope.css("img"):
        if img.mem_id in inside:
            return None  # reached the body's own pictures: nothing above them
        src = image_src(img, base)
        if not src:
            continue
        chain = list(islice(ancestors(img), 4))
        names = " ".join(f"{a.attributes.get('class') or ''} {a.attributes.get('id') or ''}" for a in chain)
        if _FEATURED.search(names.lower()) or any(a.tag == "figure" for a in chain):
            caption, node = _caption(img)
            return Picture(src, caption, node)
    return None
