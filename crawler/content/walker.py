"""The chosen block(s) into paragraphs, in reading order, with what a reader sees of each.

Block elements end a paragraph; <br> follows the one rule of `join_segments`. Each paragraph
remembers its share of link text and of bold/italic text and its alignment: the engine's rules
(related-link lists, printed bylines, image captions) read those, not the markup again. Every
parser reads bodies with this walker: the generic engine and the template parsers alike.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from crawler.content.rules import BLOCK_TAGS, RIGHT_QUERY
from crawler.normalize.text import clean_text
from crawler.parsers.dom import BR, NO_TEXT_TAGS, Node, ancestors

__all__ = ["TEXT_BLOCKS", "Para", "Walk", "alignment", "br_lines", "walk"]

_TEXT = "-text"
_LINK = frozenset(("a",))
_BOLD = frozenset(("b", "strong"))
_ITALIC = frozenset(("i", "em", "cite"))
_HEADINGS = frozenset(("h1", "h2", "h3", "h4", "h5", "h6"))
# Blocks whose text is one paragraph of running prose: a single <br> in them is a soft line
# break (CKEditor's and WordPress's Shift+Enter), read as a space. Any other owner (div, td,
# section, body...) holds loose lines, which old FCK/CKEditor pages without <p> end with a <br>.
TEXT_BLOCKS = frozenset("p h1 h2 h3 h4 h5 h6 li dt dd pre address caption figcaption summary th".split())
# No article has more paragraphs; a page that does (a 50 MB dump) is read only this far.
MAX_PARAGRAPHS = 10_000


@dataclass(slots=True)  # one per paragraph of every page read: slots make them cheaper
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
    def loose(self) -> bool:
        """A run of the owner's own text next to block children of it, not a block of its own.
        Read on demand: only a few rules ask, for a few paragraphs."""
        return any(child.tag in BLOCK_TAGS for child in self.node.iter())

    @property
    def right(self) -> bool:
        """Right-aligned, where a printed byline sits: the block or an element around it, or
        (a block of its own) an element inside it. Read on demand: only the byline rule asks,
        for the last paragraph."""
        if any(alignment(el) == "right" for el in (self.node, *ancestors(self.node))):
            return True
        # Right alignment is rare: lexbor finds the few candidates inside.
        return not self.loose and any(alignment(el) == "right" for el in self.node.css(RIGHT_QUERY))


@dataclass
class Walk:
    paras: list[Para] = field(default_factory=list)
    # Images and `units` in reading order: (paragraphs before it, the element, its owner block).
    marks: list[tuple[int, Node, Node]] = field(default_factory=list)


# Classes that align a block's text: Bootstrap's, Gutenberg's and the classic editor's.
_ALIGN_CLASSES = {
    "center": ("text-center", "has-text-align-center", "aligncenter"),
    "right": ("text-right", "has-text-align-right", "alignright"),
}


def alignment(node: Node) -> str:
    """ "center" / "right" when the element's style, align attribute or class says so, else "".
    One rule for every parser: the byline and caption rules read it."""
    attrs = node.attributes
    style = (attrs.get("style") or "").lower().replace(" ", "")
    align = (attrs.get("align") or "").lower()
    cls = (attrs.get("class") or "").lower()
    for value, classes in _ALIGN_CLASSES.items():
        if f"text-align:{value}" in style or align == value or any(c in cls for c in classes):
            return value
    return ""


# A run of inline content between two <br>s: its text and its characters in links, bold, italic.
Segment = tuple[str, int, int, int]


def join_segments(segments: list[Segment], soft: bool) -> list[Segment]:
    """The one <br> rule, for every parser. `segments` are a run cut at each <br>.

    Two or more <br> in a row (blank or &nbsp; lines between them) always end a paragraph:
    every editor, old or new, makes a paragraph gap that way. A single <br> is a soft line break
    inside a text block (`soft`: the owner is one of TEXT_BLOCKS), read as a space, so a
    <p> broken by Shift+Enter stays one paragraph; in loose text (directly in a div or cell,
    pages without <p>) a single <br> is all that separates two paragraphs, so it ends one.
    """
    out: list[Segment] = []
    blank = False  # a blank segment since the last kept one: two <br>s in a row
    for seg in segments:
        if not clean_text(seg[0]):
            blank = True
            continue
        if out and soft and not blank:
            text, links, bold, italic = out[-1]
            out[-1] = (f"{text} {seg[0]}", links + seg[1], bold + seg[2], italic + seg[3])
        else:
            out.append(seg)
        blank = False
    return out


def br_lines(text: str, soft: bool, mark: str = BR) -> list[str]:
    """`join_segments` for text with <br> marked by `mark` (crawler.parsers.dom.BR): its
    paragraphs, cleaned."""
    if mark not in text:
        clean = clean_text(text)
        return [clean] if clean else []
    segments = [(part, 0, 0, 0) for part in text.split(mark)]
    return [clean_text(seg[0]) for seg in join_segments(segments, soft)]


def walk(blocks: list[Node], skip: frozenset[int] = frozenset(), units: frozenset[int] = frozenset()) -> Walk:
    """Paragraphs of `blocks`; elements whose mem_id is in `skip` are left out. An image ends a
    paragraph (a caption line under a picture is not glued to the text before it) and is marked
    where it stands; so is an element of `units` (a figure, an image table), read as a whole by
    the caller instead of walked."""
    out = Walk()
    paras = out.paras
    marks = out.marks
    # The inline run since the last block boundary: its text parts, and the characters of it
    # inside links, bold and italic; `segments`, the parts of it before each <br>.
    parts: list[str] = []
    segments: list[Segment] = []
    links = bold = italic = 0
    in_link = in_bold = in_italic = 0  # open <a> / <b> / <i> elements around the current node
    owners: list[Node] = []

    def flush() -> None:
        nonlocal links, bold, italic
        raw = "".join(parts)
        if not segments and (not raw or raw.isspace()):  # most runs: the blanks between blocks
            parts.clear()
            links = bold = italic = 0
            return
        owner = owners[-1]
        run = (raw, links, bold, italic)
        if segments:
            segments.append(run)
            runs: list[Segment] | tuple[Segment] = join_segments(segments, owner.tag in TEXT_BLOCKS)
            segments.clear()
        else:
            runs = (run,)
        for raw, seg_links, seg_bold, seg_italic in runs:
            text = clean_text(raw)
            if text:
                n = len(text)
                link_share, bold_share = min(1.0, seg_links / n), min(1.0, seg_bold / n)
                paras.append(Para(text, owner.tag, owner, link_share, bold_share, min(1.0, seg_italic / n)))
        parts.clear()
        links = bold = italic = 0

    # Depth first, one child iterator per open element: a text node is read where it is met
    # (no stack round trip), and `kinds` says what closing each open element ends.
    for block in blocks:
        if len(paras) >= MAX_PARAGRAPHS:
            break
        owners.append(block)
        iters: list[Iterator[Node]] = [iter((block,))]
        kinds: list[str] = [""]
        first = True
        while iters:
            for node in iters[-1]:
                tag = node.tag
                if tag == _TEXT:
                    text = node.text_content
                    # Blanks opening a run (the newlines between blocks) are no text: left out,
                    # a block boundary after them has nothing to flush.
                    if text and (parts or not text.isspace()):
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
                if not first and (
                    tag in NO_TEXT_TAGS or not node.is_element_node or (skip and node.mem_id in skip)
                ):
                    continue
                first = False
                if tag == "br":
                    segments.append(("".join(parts), links, bold, italic))
                    parts.clear()
                    links = bold = italic = 0
                    continue
                if tag == "hr" or tag == "img" or (units and node.mem_id in units):
                    if parts or segments:
                        flush()
                    if tag != "hr":
                        marks.append((len(paras), node, owners[-1]))
                    continue
                if tag in BLOCK_TAGS:
                    if parts or segments:
                        flush()
                    if len(paras) >= MAX_PARAGRAPHS:
                        iters.clear()
                        break
                    owners.append(node)
                    kinds.append("block")
                elif tag in _LINK:
                    in_link += 1
                    kinds.append("a")
                elif tag in _BOLD:
                    in_bold += 1
                    kinds.append("b")
                elif tag in _ITALIC:
                    in_italic += 1
                    kinds.append("i")
                else:
                    kinds.append("")
                iters.append(node.iter(include_text=True))
                break
            else:  # the element's children are done: close it
                iters.pop()
                kind = kinds.pop()
                if kind == "block":
                    if parts or segments:  # most block boundaries close nothing
                        flush()
                    owners.pop()
                elif kind == "a":
                    in_link -= 1
                elif kind == "b":
                    in_bold -= 1
                elif kind == "i":
                    in_italic -= 1
        if parts or segments:
            flush()
        owners.clear()  # (more than the block when the paragraph limit cut the walk short)
    return out
