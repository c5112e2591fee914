"""The printed byline closing an article's text: one rule for every parser.

A short line after the last paragraph, right-aligned where the page's editor puts a signature,
bold or italic or very short, is the author's name ("Bài và ảnh: Thu Hà" gives "Thu Hà"). A
sentence is never one. A template says only where the body is; the generic engine, which knows
no template, declares `UNMARKED`: an all-bold or labelled line ("Tác giả: X", "Theo X") counts
there without alignment.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from crawler.normalize.text import clean_text

if TYPE_CHECKING:
    from crawler.content.walker import Para

__all__ = ["TEMPLATE", "UNMARKED", "BylineRule", "author_name", "printed_byline"]

# "Tác giả:", "Đăng bởi", "By" (a space after them will do); "Bài và ảnh:", "Tin, ảnh:", "Ảnh:"
# (only with a colon: "Tin vui", "Ảnh hưởng" start prose; tried first: "Bài viết:" is one label).
LABEL = re.compile(
    r"^(?:[-–—]\s*)?(?:"
    r"(?:(?:bài viết|bài|tin)(?:\s*(?:,|và|&)\s*ảnh)?|ảnh)\s*:\s*"
    r"|(?:tác giả|(?:đăng |viết )?bởi|bài(?:\s+và\s+ảnh)?|bài,\s*ảnh|tin(?:,|\s+và)?\s*ảnh|thực hiện|"
    r"by|written by|posted by|author|nguồn)\s*[:.\-–]?\s+"
    r")",
    re.IGNORECASE,
)
_THEO = re.compile(r"^theo\s+(.{2,80})$", re.IGNORECASE)
_NAME_CHARS = re.compile(r"^[^\d@/<>{}=;]{2,80}$")
_SENTENCE_END = (".", "?", "!", "…")
_MAX_WORDS = 8


@dataclass(frozen=True, slots=True)
class BylineRule:
    max_len: int = 120  # characters: a longer line is prose
    plain_len: int = 60  # an unstyled right-aligned line is a byline only this short
    unmarked: bool = False  # an all-bold or labelled line counts without right alignment


TEMPLATE = BylineRule()
UNMARKED = BylineRule(max_len=80, plain_len=80, unmarked=True)


def author_name(text: str) -> str | None:
    """The name in a byline's text: label and surrounding punctuation left out; None when what
    is left does not look like a name (digits, markup, a URL, more than a few words)."""
    text = clean_text(text).strip(" .,;:-–—")
    text = LABEL.sub("", text).strip(" .,;:-–—")
    if text.startswith("(") and text.endswith(")"):
        text = text[1:-1].strip()
    if not text or len(text.split()) > _MAX_WORDS or not _NAME_CHARS.match(text):
        return None
    return text


def printed_byline(para: Para, rule: BylineRule = TEMPLATE) -> str | None:
    """The author's name when `para`, the last paragraph of a body, is its printed byline."""
    text = para.text
    if len(text) > rule.max_len:
        return None
    labelled = LABEL.match(text) is not None
    if text.endswith(_SENTENCE_END) and not labelled:
        return None
    styled = para.bold > 0 or para.italic > 0
    if (styled or len(text) <= rule.plain_len) and para.right:  # (alignment is looked up last)
        return author_name(text)
    if rule.unmarked:
        if labelled or para.bold > 0.9:
            return author_name(text)
        m = _THEO.match(text)
        if m:
            return author_name(m.group(1))
    return None
