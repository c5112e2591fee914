"""Figures: the elements that tie pictures to their caption, one rule for every parser.

HTML5's figure/figcaption, WordPress's classic `.wp-caption` (a div with a `.wp-caption-text`),
the block editor's image and gallery classes. A figure's caption is its own caption element,
not one of a figure nested in it (a gallery's items). No import of crawler.parsers at run time:
its package loads the template parsers, which load this.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from crawler.parsers.dom import Node

__all__ = ["CAPTION_CSS", "FIGURE_CSS", "is_caption", "is_figure", "nearest_figure", "own_caption"]

_FIGURE_CLASSES = frozenset({"wp-caption", "wp-block-image", "gallery-item", "single-post-thumb"})
_CAPTION_CLASSES = frozenset(
    {"wp-caption-text", "wp-element-caption", "gallery-caption", "blocks-gallery-caption"}
)
_CLASSIC = frozenset({"wp-caption"})
# The same sets as selectors: lexbor finds the few candidates in C instead of a Python walk.
FIGURE_CSS = "figure, " + ", ".join(f".{c}" for c in sorted(_FIGURE_CLASSES))
CAPTION_CSS = "figcaption, " + ", ".join(f".{c}" for c in sorted(_CAPTION_CLASSES))


def _has_class(el: Node, names: frozenset[str]) -> bool:
    cls = el.attributes.get("class")
    return bool(cls) and not names.isdisjoint(cls.split())


def is_figure(el: Node) -> bool:
    return el.tag == "figure" or _has_class(el, _FIGURE_CLASSES)


def is_caption(el: Node) -> bool:
    return el.tag == "figcaption" or _has_class(el, _CAPTION_CLASSES)


def _ancestors(el: Node) -> list[Node]:
    out = []
    parent = el.parent
    while parent is not None and parent.is_element_node:
        out.append(parent)
        parent = parent.parent
    return out


def nearest_figure(el: Node, stop: Node) -> Node | None:
    """The figure nearest above `el` and below `stop`."""
    for anc in _ancestors(el):
        if anc.mem_id == stop.mem_id:
            return None
        if is_figure(anc):
            return anc
    return None


def own_caption(fig: Node) -> Node | None:
    """The figure's own caption element (not one of a nested figure, as in galleries); a
    classic `.wp-caption` box without a caption-classed element holds it in a plain <p>."""
    for el in fig.css(CAPTION_CSS):
        if el.mem_id == fig.mem_id:
            continue  # descendants only
        owner = next((a for a in _ancestors(el) if is_figure(a)), None)
        if owner is not None and owner.mem_id == fig.mem_id:
            return el
    if _has_class(fig, _CLASSIC):
        return fig.css_first("p")
    return None
