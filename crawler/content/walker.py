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


class _Run:
    """The inline text gathered since the last block boundary."""

    __slots__ = ("bold", "italic", "links", "parts")

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.links = self.bold = self.italic = 0

    def add(self, text: str, in_link: bool, in_bold: bool, in_italic: bool) -> None:
        self.parts.append(text)
        n = len(text.strip())
        self.links += n if in_link else 0
        self.bold += n if in_bold else 0
        self.italic += n if in_italic else 0


def walk(blocks: list[Node], skip: frozenset[int] = frozenset()) -> Walk:
    """Paragraphs of `blocks`; elements whose mem_id is in `skip` are left out. An image ends a
    paragraph (a caption line under a picture is not glued to the text before it)."""
    out = Walk()
    run = _Run()
    owners: list[Node] = []
    counts = {"a": 0, "b": 0, "i": 0}

    def flush() -> None:
        nonlocal run
        if not run.parts:  # most block boundaries close nothing: no new run to allocate
            return
        text = clean_text("".join(run.parts))
        if text:
            owner = owners[-1]
            n = max(1, len(text))
            out.paras.append(
                Para(
                    text,
                    owner.tag,
                    owner,
                    min(1.0, run.links / n),
                    min(1.0, run.bold / n),
                    min(1.0, run.italic / n),
                )
            )
        run = _Run()

    for block in blocks:
        owners.append(block)
        stack: list[object] = [block]
        first = True
        while stack and len(out.paras) < MAX_PARAGRAPHS:
            item = stack.pop()
            if isinstance(item, tuple):  # (_EXIT, node, kind)
                _, node, kind = item
                if kind == "block":
                    flush()
                    owners.pop()
                else:
                    counts[kind] -= 1
                continue
            node = item  # type: ignore[assignment]
            tag = node.tag
            if tag == _TEXT:
                text = node.text_content
                if text:
                    run.add(text, counts["a"] > 0, counts["b"] > 0, counts["i"] > 0)
                continue
            if not first and (node.mem_id in skip or tag in NO_TEXT_TAGS or not node.is_element_node):
                continue
            first = False
            if tag == "br" or tag == "hr":
                flush()
                continue
            if tag == "img":
                flush()
                continue
            children = list(node.iter(include_text=True))
            if tag in BLOCK_TAGS:
                flush()
                owners.append(node)
                stack.append((_EXIT, node, "block"))
            else:
                kind = "a" if tag in _LINK else "b" if tag in _BOLD else "i" if tag in _ITALIC else ""
                if kind:
                    counts[kind] += 1
                    stack.append((_EXIT, node, kind))
            stack.extend(reversed(children))
        flush()
        owners.pop()
    return out
