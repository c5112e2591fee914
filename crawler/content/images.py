"""Which <img> is an article picture, and which one a theme puts above the text.

Decorative images (logos, icons, share buttons, ad banners, tracking pixels, avatars, emoji)
are never article images. Captions are the body reader's (crawler.content.body): one rule
for every parser.
"""

from __future__ import annotations

import re
from itertools import islice

from crawler.content.figures import is_figure
from crawler.content.rules import decorative_image
from crawler.normalize.urls import absolute_url
from crawler.parsers.dom import Node, ancestors

__all__ = ["featured_image", "image_src"]

_LAZY_ATTRS = ("data-lazy-src", "data-src", "data-original", "data-lazy", "data-orig-file")
_PLACEHOLDER = re.compile(
    r"(?:lazy|placeholder|preloader\w*|loading|blank|spacer|pixel)\.(?:gif|png|svg)|^data:", re.I
)
_FEATURED = re.compile(
    r"featured|thumbnail|post-?thumb|entry-?image|post-?image|hero|lead-?image|"
    r"single-?image|article-?image|top-?image|main-?image|cover"
)


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


def featured_image(blocks: list[Node], base: str) -> tuple[Node, Node] | None:
    """The image a theme puts above the text (outside the content block), when marked as such,
    and the element to read for it and its caption: its figure, else what holds the picture
    (and a caption element or caption-like line after it)."""
    if not blocks:
        return None
    scope = next((a for a in ancestors(blocks[0]) if a.tag in ("article", "main")), None)
    if scope is None:
        return None
    inside = {img.mem_id for block in blocks for img in block.css("img")}
    for img in scope.css("img"):
        if img.mem_id in inside:
            return None  # reached the body's own pictures: nothing above them
        if not image_src(img, base):
            continue
        chain = list(islice(ancestors(img), 4))
        names = " ".join(f"{a.attributes.get('class') or ''} {a.attributes.get('id') or ''}" for a in chain)
        figure = next((a for a in chain if is_figure(a)), None)
        if figure is not None:
            return img, figure
        if _FEATURED.search(names.lower()):
            anchor = img  # the picture, or the empty link/box around it
            for el in chain[:2]:
                if el.tag in ("a", "span", "p", "div", "center") and not el.text(deep=True).strip():
                    anchor = el
            return img, anchor.parent or anchor
    return None
