"""A content container into body, pictures, captions and a printed byline: every parser's.

The engine's walker reads the text (its block tags, its one <br> rule); pictures stand where the
walker marked them, between paragraphs. Captions, by what the markup ties to a picture: a
figure's figcaption, the text rows of an image table (CKEditor: picture row, caption row), the
short text of a photo box (one picture in a box a class names a picture's), a caption box
(short, caption or credit classed) after a picture, or a caption-like paragraph (short, with
letters, and all italic, caption classed, or centered but not a heading or all bold) right
after uncaptioned pictures. A caption box is never body text. The last line may be the
printed byline (crawler.content.byline). The generic engine and the template parsers read
bodies alike: a template gives its container(s) and keeps only where things are on its pages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

# Modules, not their names: importing one of them first loads crawler.parsers, which loads this.
from crawler.content import byline, walker
from crawler.content import images as engine_images
from crawler.content.figures import FIGURE_CSS, is_caption, is_figure, nearest_figure, own_caption
from crawler.content.rules import ATTACHMENT_LABEL, CAPTION_CLASS, CAPTION_CSS
from crawler.items import Image
from crawler.normalize.text import clean_text, is_clean_boilerplate
from crawler.parsers.dom import Node, ancestors, short_texts

if TYPE_CHECKING:
    from crawler.content.walker import Para

__all__ = ["Block", "BodyReader", "ReadBody", "assemble", "parts", "place_captions"]

_EMAIL_ONLY = re.compile(r"^(?:e-?mail\s*:?\s*)?[\w.+-]+@[\w-]+(?:\.[\w-]+)+$", re.I)
_CAPTION_ITALIC = 0.9  # share of a paragraph in italics from which it reads as a caption
MAX_CAPTION = 400  # characters: a longer text is never a caption (a layout table, prose)
_UNIT_CSS = f"{FIGURE_CSS}, {CAPTION_CSS}, table"
# A class token naming a picture's box, and how far above the picture such a box is looked for.
_PHOTO_BOX_LEVELS = 3
_PHOTO_TOKEN = re.compile(r"(?:^|[\s_-])(?:image|img|photo|picture)(?:$|[\s_-])", re.IGNORECASE)


@dataclass(slots=True)
class Block:
    """One paragraph or picture of a body, in reading order."""

    kind: str  # "text", "image", or "caption" (a caption's text, its picture's or none's)
    text: str = ""
    src: str | None = None
    caption: str | None = None
    group: int = 0  # pictures of one block share a group (and a caption after them)
    para: Para | None = None  # a text block's paragraph: a template's own line rules read it
    tied: bool = False  # a caption the markup ties to its pictures (a figure's, a table's)
    stray: bool = False  # caption or credit classed only: a caption when it follows pictures


@dataclass
class ReadBody:
    body: list[str]
    images: list[Image]
    captions: list[str]
    author: str | None


def _text(el: Node) -> str:
    """A caption's text: a space between its parts (a caption and its credit are often two
    spans that the page's style sets apart)."""
    return clean_text(el.text(deep=True, separator=" "))


def _classes(el: Node) -> str:
    attrs = el.attrs  # (a lazy view: `attributes` would build a dict of all of them)
    return f"{attrs.get('class') or ''} {attrs.get('id') or ''}"


def _image_table(table: Node) -> bool:
    """A small table of picture row(s) and at most two short caption rows, not a layout table."""
    if table.tag != "table" or table.css_first("img") is None:
        return False
    if CAPTION_CLASS.search(_classes(table)):
        return True
    rows = [t for t in (_text(r) for r in table.css("tr") if r.css_first("img") is None) if t]
    return len(rows) <= 2 and sum(len(t) for t in rows) <= MAX_CAPTION


def _photo_boxes(root: Node, known: set[int]) -> list[Node]:
    """Photo boxes: one picture in a box its class names as a picture's ("image top",
    "news-img", "photo"), whose short text (if any) is that picture's caption. Looked for a few
    levels above each picture: a class-substring query over the whole container costs more
    than the pictures' ancestors."""
    out: list[Node] = []
    for img in root.css("img"):
        for level, box in enumerate(ancestors(img)):
            if level >= _PHOTO_BOX_LEVELS or box.mem_id == root.mem_id or box.mem_id in known:
                break
            if _PHOTO_TOKEN.search(box.attrs.get("class") or "") and len(box.css("img")) == 1:
                known.add(box.mem_id)
                out.append(box)
                break
    return out


def _short(text: str | None) -> bool:
    """At most a caption's length of text, spaces aside (None: over twice that, spaces and all)."""
    return text is not None and (len(text) <= MAX_CAPTION or len(clean_text(text)) <= MAX_CAPTION)


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
        caption = caption or None
        for img in imgs:
            src = self.image_src(img)
            if src:
                self.blocks.append(Block("image", src=src, caption=caption, group=self.groups, tied=True))

    def read(self, root: Node, skip: frozenset[int] = frozenset()) -> list[Block]:
        """`root`'s blocks appended to the reader's; elements whose mem_id is in `skip` are
        left out."""
        # Figures and image tables are read whole: their text is the pictures' caption. So is a
        # caption box outside any figure (its picture's, or a video's), unless it holds more
        # text than a caption: then its class says little ("has-caption" on a whole section).
        found = root.css(_UNIT_CSS)
        boxes = [el for el in found if el.tag != "table" and el.mem_id != root.mem_id and not is_figure(el)]
        photos = _photo_boxes(root, {el.mem_id for el in found})
        boxes += photos
        short = {
            el.mem_id
            for el, text in zip(boxes, short_texts(boxes, 2 * MAX_CAPTION), strict=True)
            if _short(text)
        }
        units = [el for el in (*found, *photos) if is_figure(el) or el.mem_id in short or _image_table(el)]
        if units and units[0].mem_id == root.mem_id:  # (a query lists its own root first)
            self._unit(root)
            return self.blocks
        walked = walker.walk([root], skip, units=frozenset(u.mem_id for u in units))
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
        if is_figure(el):
            self._figure(el)
        elif el.tag == "table":  # an image table: its text rows are the caption
            self._pictures(el.css("img"), " ".join(t for t in (_text(r) for r in el.css("tr")) if t))
        else:  # a caption box: its pictures' caption, or one no picture has
            text = _text(el)
            imgs = el.css("img")
            if imgs:
                self._pictures(imgs, text)
            elif text:  # (a figcaption of a video is one; a "credit" box is one after a picture)
                self.blocks.append(Block("caption", text, stray=not is_caption(el)))

    def _figure(self, el: Node) -> None:
        """Each picture takes the caption of the figure nearest it (a gallery's item); a
        caption no picture took (a gallery's own, a video's) is still one of the page's."""
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
                self.blocks.append(
                    Block("image", src=src, caption=caption or None, group=self.groups, tied=True)
                )
        cap = own_caption(el)
        if cap is not None and cap.mem_id not in taken:
            text = _text(cap)
            if text:
                self.blocks.append(Block("caption", text, tied=True))


def _caption_like(b: Block) -> bool:
    """Short, and all italic, caption classed or centered: a caption when it follows a picture.
    A centered heading or all-bold line is a section title, not a caption. Asked of a few
    paragraphs only (after a picture), not of every one read."""
    para = b.para
    if para is None or len(para.text) > MAX_CAPTION or not any(c.isalpha() for c in para.text):
        return False  # (a centered "* * *" under a picture is a separator, not its caption)
    if para.italic >= _CAPTION_ITALIC or CAPTION_CLASS.search(_classes(para.node)) is not None:
        return True
    return not para.heading and para.bold < _CAPTION_ITALIC and walker.alignment(para.node) == "center"


def place_captions(blocks: list[Block]) -> list[Block]:
    """Each caption to its pictures. A caption-like paragraph, or a caption element no figure
    holds, right after uncaptioned pictures captions the last group of them (one photo, or
    several side by side), not every photo above; it becomes a "caption" block. A picture shown
    twice is kept once."""
    out: list[Block] = []
    pending: list[Block] = []  # uncaptioned pictures directly above
    seen: set[str] = set()
    for b in blocks:
        if b.kind == "image":
            assert b.src is not None
            if b.src in seen:
                continue
            seen.add(b.src)
            out.append(b)
            pending = [] if b.caption else [*pending, b]
            continue
        caption = b.text if b.kind == "caption" else None
        if b.stray and not pending:
            continue  # a caption-classed box after no picture: neither body nor a caption
        if caption is None and pending and _caption_like(b):
            caption = b.text
            b = Block("caption", caption)
        if caption is not None and pending and not b.tied:
            for img in pending:
                if img.group == pending[-1].group:
                    img.caption = caption
        out.append(b)
        pending = []
    return out


def _drop_text(text: str) -> bool:
    """A line that is never body: boilerplate, a bare e-mail address, an attachment label."""
    return is_clean_boilerplate(text) or bool(_EMAIL_ONLY.match(text)) or bool(ATTACHMENT_LABEL.match(text))


def parts(blocks: list[Block]) -> tuple[list[str], list[Image], list[str]]:
    """Placed blocks -> body paragraphs, images and captions (each once, in reading order)."""
    body = [b.text for b in blocks if b.kind == "text"]
    images: list[Image] = [
        {"src": b.src, "caption": b.caption} for b in blocks if b.kind == "image" and b.src
    ]
    captions = [b.caption if b.kind == "image" else b.text for b in blocks if b.kind != "text"]
    return body, images, list(dict.fromkeys(c for c in captions if c))


def assemble(blocks: list[Block]) -> ReadBody:
    """Blocks -> body, images, captions and (the printed byline closing it) the author."""
    blocks = [b for b in place_captions(blocks) if b.kind != "text" or not _drop_text(b.text)]
    author: str | None = None
    last = max((i for i, b in enumerate(blocks) if b.kind == "text"), default=None)
    if last is not None:
        para = blocks[last].para
        author = byline.printed_byline(para) if para is not None else None
        if author:
            del blocks[last]
    body, images, captions = parts(blocks)
    return ReadBody(body, images, captions, author)
