"""The chosen block(s) into paragraphs, in reading order, with what a reader sees of each.

Block elements end a paragraph, <br> too (portals write paragraphs as <br> runs). Each paragraph
remembers its share of link text and of bold/italic text and its alignment: the engine's rules
(related-link lists, printed bylines, image captions) read those, not the markup again.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from crawler.content.rules import BLOCK_TAGS
from crawler.normalize.text import clean_text
from crawler.parsers.dom import NO_TEXT_TAGS, Node

__all__ = ["Para", "Walk", "walk"]

_TEXT = "-text"
_LINK = frozenset(("a",))
_BOLD = frozenset(("b", "strong"))
_ITALIC = frozenset(("i", "em", "cite"))
_HEADINGS = frozenset(("h1", "h2", "h3", "h4", "h5", "h6"))
_EXIT = object()
# No article has more paragraphs; a page that does (a 50 MB dump) is read only this far.
MAX_PARAGRAPHS = 10_000


@dataclass
class Para:
    text: str
    tag: str  # the block that owns it: "p", "h2", "li", "td", "div"...
    node: Node  # that block
    links: float = 0.0  # share of the text inside links
    bold: float = 0.0
    italic: float = 0.0

    @property
    def heading(self) -> bool:
        return self.tag in _HEADINGS

    @property
    def align(self) -> str:
        """ "center" / "right" when the block (or its parent) says so. Read on demand: only the
        byline rules ask, for a paragraph or two."""
        return _align(self.node)


@dataclass
class Walk:
    paras: list[Para] = field(default_factory=list)


def _align(node: Node) -> str:
    for el in (node, node.parent):
        if el is None:
            break
        attrs = el.attributes
        style = (attrs.get("style") or "").lower().replace(" ", "")
        align = (attrs.get("align") or "").lower()
        cls = (attrs.get("class") or "").lower()
        for value in ("center", "right"):
            if f"text-align:{value}" in style or align == value or f"text-{value}" in cls:
                return value
    return ""


def walk(blocks: list[Node], skip: frozenset[int] = frozenset()) -> Walk:
    """Paragraphs of `blocks`; elements whose mem_id is in `skip` are left out. An image ends a
    paragraph (a caption line under a picture is not glued to the text before it)."""
    out = Walk()
    paras = out.paras
    # The inline run since the last block boundary: its text parts, and the characters of it
    # inside links, bold and italic.
    parts: list[str] = []
    links = bold = italic = 0
    in_link = in_bold = in_italic = 0  # open <a> / <b> / <i> elements around the current node
    owners: list[Node] = []

    def flush() -> None:
        nonlocal links, bold, italic
        text = clean_text("".join(parts))
        if text:
            owner = owners[-1]
            n = max(1, len(text))
            paras.append(
                Para(text, owner.tag, owner, min(1.0, links / n), min(1.0, bold / n), min(1.0, italic / n))
            )
        parts.clear()
        links = bold = italic = 0

    for block in blocks:
        owners.append(block)
        stack: list[object] = [block]
        first = True
        while stack and len(paras) < MAX_PARAGRAPHS:
            item = stack.pop()
            if item.__class__ is tuple:  # (_EXIT, node, kind)
                kind = item[2]  # type: ignore[index]
                if kind == "block":
                    if parts:  # most block boundaries close nothing
                        flush()
                    owners.pop()
                elif kind == "a":
                    in_link -= 1
                elif kind == "b":
                    in_bold -= 1
                else:
                    in_italic -= 1
                continue
            node: Node = item  # type: ignore[assignment]
            tag = node.tag
            if tag == _TEXT:
                text = node.text_content
                if text:
                    parts.append(text)
                    if in_link or in_bold or in_italic:
                        n = len(text.strip())
                        if in_link:
                            links += n
                        if in_bold:
                            bold += n
                        if in_italic:
                            italic += n
                continue
            if not first and (tag in NO_TEXT_TAGS or not node.is_element_node or node.mem_id in skip):
                continue
            first = False
            if tag == "br" or tag == "hr" or tag == "img":
                if parts:
                    flush()
                continue
            children = list(node.iter(include_text=True))
            if tag in BLOCK_TAGS:
                if parts:
                    flush()
                owners.append(node)
                stack.append((_EXIT, node, "block"))
            elif tag in _LINK:
                in_link += 1
                stack.append((_EXIT, node, "a"))
            elif tag in _BOLD:
                in_bold += 1
                stack.append((_EXIT, node, "b"))
            elif tag in _ITALIC:
                in_italic += 1
                stack.append((_EXIT, node, "i"))
            stack.extend(reversed(children))
        if parts:
            flush()
        owners.pop()
    return out
