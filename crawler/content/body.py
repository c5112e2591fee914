"""A template's content container into body, pictures, captions and a printed byline.

The engine's walker reads the text (its block tags, its one <br> rule); pictures stand where the
walker marked them, between paragraphs. Captions, by what the markup ties to a picture: a
figure's figcaption, the text rows of an image table (CKEditor: picture row, caption row), or a
caption-like paragraph (all italic, or caption classed) right after uncaptioned pictures. The
last line may be the printed byline (crawler.content.byline, one rule for every parser). A
template parser gives its container(s) and keeps only where things are on its pages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

# Modules, not their names: importing one of them first loads crawler.parsers, which loads this.
from crawler.content import byline, walker
from crawler.content import images as engine_images
from crawler.content.figures import (
    CAPTION_CSS,
    FIGURE_CSS,
    is_caption,
    is_figure,
    nearest_figure,
    own_caption,
)
from crawler.content.rules import ATTACHMENT_LABEL, CAPTION_CLASS
from crawler.items import Image
from crawler.normalize.text import clean_text, is_clean_boilerplate
from crawler.parsers.dom import BR, Node, raw_text

if TYPE_CHECKING:
    from crawler.content.walker import Para

__all__ = ["Block", "BodyReader", "ReadBody", "assemble"]

_EMAIL_ONLY = re.compile(r"^(?:e-?mail\s*:?\s*)?[\w.+-]+@[\w-]+(?:\.[\w-]+)+$", re.I)
_CAPTION_ITALIC = 0.9  # share of a paragraph in italics from which it reads as a caption
_MAX_TABLE_CAPTION = 400  # characters of text rows an image table holds (more: a layout table)


@dataclass(slots=True)
class Block:
    """One paragraph or picture of a body, in reading order."""

    kind: str  # "text", "image", or "caption" (a caption element with no picture kept)
    text: str = ""
    src: str | None = None
    caption: str | None = None
    group: int = 0  # pictures of one block share a group (and a caption after them)
    para: Para | None = None  # a text block's paragraph: a template's own line rules read it


@dataclass
class ReadBody:
    body: list[str]
    images: list[Image]
    captions: list[str]
    author: str | None


def _text(el: Node) -> str:
    return clean_text(raw_text(el).replace(BR, " "))


def _classes(el: Node) -> str:
    attrs = el.attrs  # (a lazy view: `attributes` would build a dict of all of them)
    return f"{attrs.get('class') or ''} {attrs.get('id') or ''}"


def _image_table(table: Node) -> bool:
    """A small table of picture row(s) and at most two short caption rows, not a layout table."""
    if table.css_first("img") is None:
        return False
    if CAPTION_CLASS.search(_classes(table)):
        return True
    rows = [t for t in (_text(r) for r in table.css("tr") if r.css_first("img") is None) if t]
    return len(rows) <= 2 and sum(len(t) for t in rows) <= _MAX_TABLE_CAPTION


class BodyReader:
    """Reads one page's containers (a lead photo's, then the body's) into Blocks; groups of
    pictures stay distinct across them."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.blocks: list[Block] = []
        self.groups = 0

    def image_src(self, img: Node) -> str | None:
        return engine_images.image_src(img, self.base)

    def _pictures(self, imgs: list[Node], caption: str | None) -> None:
        self.groups += 1
        for img in imgs:
            src = self.image_src(img)
            if src:
                self.blocks.append(Block("image", src=src, caption=caption or None, group=self.groups))

    def read(self, root: Node) -> list[Block]:
        # Figures and image tables are read whole: their text is the pictures' caption.
        # So is a caption element outside any figure (its picture is elsewhere, or a video's).
        units = [
            el
            for el in root.css(f"{FIGURE_CSS}, {CAPTION_CSS}, table")
            if is_figure(el) or is_caption(el) or _image_table(el)
        ]
        if units and units[0].mem_id == root.mem_id:  # (a query lists its own root first)
            self._unit(root)
            return self.blocks
        walked = walker.walk([root], units=frozenset(u.mem_id for u in units))
        marks = walked.marks
        m = 0
        owner_id = -1  # the block of the last picture: pictures side by side share a group
        for i, para in enumerate([*walked.paras, None]):
            while m < len(marks) and (para is None or marks[m][0] <= i):
                _, el, owner = marks[m]
                m += 1
                if el.tag == "img":
                    if owner.mem_id != owner_id:
                        self.groups += 1
                        owner_id = owner.mem_id
                    src = self.image_src(el)
                    if src:
                        self.blocks.append(Block("image", src=src, group=self.groups))
                else:
                    owner_id = -1
                    self._unit(el)
            if para is not None:
                owner_id = -1
                self.blocks.append(Block("text", para.text, para=para))
        return self.blocks

    def _unit(self, el: Node) -> None:
        if not is_figure(el) and is_caption(el):
            text = _text(el)
            if text:
                self.blocks.append(Block("caption", text))
            return
        if not is_figure(el):  # an image table: its text rows are the caption
            caption = " ".join(t for t in (_text(r) for r in el.css("tr")) if t)
            self._pictures(el.css("img"), caption or None)
            return
        # A figure: each picture takes the caption of the figure nearest it (a gallery's item);
        # a caption no picture took (a gallery's own, a video's) is still one of the page's.
        last: Node | None = None
        taken: set[int] = set()
        for img in el.css("img"):
            fig = nearest_figure(img, el) or el
            if last is None or fig.mem_id != last.mem_id:
                self.groups += 1
                last = fig
            src = self.image_src(img)
            if src:
                cap = own_caption(fig)
                caption = None
                if cap is not None:
                    taken.add(cap.mem_id)
                    caption = _text(cap)
                self.blocks.append(Block("image", src=src, caption=caption or None, group=self.groups))
        cap = own_caption(el)
        if cap is not None and cap.mem_id not in taken:
            text = _text(cap)
            if text:
                self.blocks.append(Block("caption", text))


def _drop_text(text: str) -> bool:
    """A line that is never body: boilerplate, a bare e-mail address, an attachment label."""
    return is_clean_boilerplate(text) or bool(_EMAIL_ONLY.match(text)) or bool(ATTACHMENT_LABEL.match(text))


def _caption_like(b: Block) -> bool:
    """All italic or caption classed: a caption when it follows a picture. Asked of a few
    paragraphs only (after a picture, the last one), not of every one read."""
    para = b.para
    return para is not None and (
        para.italic >= _CAPTION_ITALIC or CAPTION_CLASS.search(_classes(para.node)) is not None
    )


def _byline(blocks: list[Block], i: int) -> str | None:
    """The author's name when text block `i`, the last, is the printed byline (the engine's
    rule, crawler.content.byline); never the caption of an uncaptioned picture above it."""
    b = blocks[i]
    above = blocks[i - 1] if i > 0 else None
    if b.para is None:
        return None
    if above is not None and above.kind == "image" and above.caption is None and _caption_like(b):
        return None
    return byline.printed_byline(b.para)


def assemble(blocks: list[Block]) -> ReadBody:
    """Blocks -> body, images, captions and (the printed byline closing it) the author."""
    blocks = [b for b in blocks if b.kind != "text" or not _drop_text(b.text)]
    author: str | None = None
    last = max((i for i, b in enumerate(blocks) if b.kind == "text"), default=None)
    if last is not None:
        author = _byline(blocks, last)
        if author:
            del blocks[last]
    body: list[str] = []
    images: list[Image] = []
    captions: list[str] = []
    # Uncaptioned pictures directly above, with their group: an italic paragraph captions the
    # last group's pictures (one photo, or several side by side), not every photo above it.
    pending: list[tuple[Image, int]] = []
    seen: set[str] = set()
    for b in blocks:
        if b.kind == "image":
            assert b.src is not None
            if b.src in seen:
                continue
            seen.add(b.src)
            img: Image = {"src": b.src, "caption": b.caption}
            images.append(img)
            if b.caption:
                captions.append(b.caption)
                pending = []
            else:
                pending.append((img, b.group))
        elif b.kind == "caption":  # no picture of its own: one of the page's captions only
            captions.append(b.text)
            pending = []
        elif pending and _caption_like(b):
            for img, group in pending:
                if group == pending[-1][1]:
                    img["caption"] = b.text
            captions.append(b.text)
            pending = []
        else:
            body.append(b.text)
            pending = []
    return ReadBody(body, images, list(dict.fromkeys(captions)), author)
