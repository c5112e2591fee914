"""Text normalizers shared by every parser and pipeline.

Vietnamese portals serve a mix of NFC and NFD text (NFD mostly from windows-1258 pages and
copy-pasted Word documents), HTML entities that survived double escaping, non-breaking and
zero-width spaces. Everything that reaches an item goes through :func:`clean_text` so that
equal text compares equal (dedup, content hashes, golden tests).
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

from w3lib.encoding import (
    html_body_declared_encoding,
    html_to_unicode,
    http_content_type_encoding,
    read_bom,
    resolve_encoding,
)

__all__ = [
    "BOILERPLATE",
    "BOILERPLATE_PATTERNS",
    "clean_lines",
    "clean_text",
    "decode_html",
    "is_boilerplate",
    "is_clean_boilerplate",
    "page_markup",
]

# Characters str.split() does not treat as whitespace but that render as (or hide) a space.
# Zero-width and BOM characters are folded to a space (then collapsed) as the contract asks.
_SPACE_CHARS = (
    "\u200b\u200c\u200d\u2060\ufeff\u180e"  # zero-width space/non-joiner/joiner, word joiner, BOM, MVS
    "\u2028\u2029"  # line/paragraph separators (also split() whitespace, kept for clarity)
)
_TRANSLATE = {ord(c): " " for c in _SPACE_CHARS}
# Soft hyphen is invisible unless the line breaks there: drop it.
_TRANSLATE[0xAD] = None
# C0/C1 control characters (other than whitespace handled by split) become spaces.
for _cp in [*range(0x00, 0x20), *range(0x7F, 0xA0)]:
    _TRANSLATE.setdefault(_cp, " ")
del _cp

# Every mapped character is unprintable (str.isprintable): only text that is still not
# printable once its whitespace is folded is translated (translate is per-char slow).
assert not any(chr(c).isprintable() for c in _TRANSLATE)

# An entity leftover: "&nbsp;", "&#160;", "&#xa0;", "&amp;" (with ";"), or a bare "&nbsp"/"&amp"
# not followed by a name character. Semicolon-less legacy entities are NOT expanded, so text
# quoting URLs ("?a=1&para=2&copy=3") survives.
_ENTITY_RE = re.compile(
    r"&(?:#[0-9]{1,7};|#[xX][0-9a-fA-F]{1,6};|[A-Za-z][A-Za-z0-9]{1,31};|(?:nbsp|amp)(?![A-Za-z0-9=]))"
)


def _entity(m: re.Match[str]) -> str:
    return html.unescape(m.group(0))


def _unescape(s: str) -> str:
    """Unescape HTML entities until stable, so double-escaped "&amp;nbsp;" also disappears.

    Looping makes clean_text idempotent; each changing pass shortens the string, so it ends.
    """
    while True:
        new = _ENTITY_RE.sub(_entity, s)
        if new == s:
            return s
        s = new


def clean_text(s: str | None) -> str:
    """Return ``s`` as NFC text with entities resolved and all whitespace runs folded to one space.

    Diacritics are kept (only composed). ``None`` gives ``""``.
    """
    if not s:
        return ""
    if s in _RECENT:
        return s
    if not _is_clean(s):
        s = _clean(s)
    if len(s) <= _RECENT_LONGEST:
        if len(_RECENT) >= _RECENT_MAX:
            _RECENT.clear()
        _RECENT.add(s)
    return s


# Text clean_text returned lately. Most of what it is given is text it cleaned a moment ago (a
# parser's paragraph, again in the normalize pipeline and in validation): a set lookup (the
# string caches its hash) instead of the scans of _is_clean. Bounded: paragraph-sized text
# only, cleared when full (at most ~8 MB held: 4,096 strings of up to 2,000 characters).
_RECENT: set[str] = set()
_RECENT_MAX = 4096
_RECENT_LONGEST = 2_000


def _clean(s: str) -> str:
    if "&" in s:
        s = _unescape(s)
    # Whitespace first (the common case: newlines, indentation, &nbsp;), then only a result
    # that is still not printable has an odd character to translate: one scan, not a regex.
    s = " ".join(s.split())
    if not s.isprintable():
        s = " ".join(s.translate(_TRANSLATE).split())
    if not s.isascii() and not unicodedata.is_normalized("NFC", s):
        s = unicodedata.normalize("NFC", s)  # (never makes whitespace: the split stays valid)
    return s


_WORD_RE = re.compile(r"\w+")


def fold_words(text: str) -> str:
    """`text` as its words, case-folded, NFC, one space apart: the key that compares two texts
    whatever their punctuation, case or spacing (a title against a paragraph, a lead, a byline)."""
    if not unicodedata.is_normalized("NFC", text):  # the check is a fast scan; normalizing is not
        text = unicodedata.normalize("NFC", text)
    return " ".join(_WORD_RE.findall(text.casefold()))


def _is_clean(s: str) -> bool:
    """True when clean_text(s) == s, checked without building anything: no entity, a single space as
    the only whitespace (isprintable() is False for every other whitespace, control, zero-width and
    soft-hyphen character), no space at either end or twice, and NFC. Text that already went
    through clean_text (the parsers', again in the normalize pipeline) is most of what comes here.
    """
    return (
        s.isprintable()
        and "&" not in s
        and "  " not in s
        and s[0] != " "
        and s[-1] != " "
        and (s.isascii() or unicodedata.is_normalized("NFC", s))
    )


def clean_lines(items: Iterable[str | None]) -> list[str]:
    """clean_text every item and drop the ones that end up empty (order kept, no dedup)."""
    out: list[str] = []
    for item in items:
        cleaned = clean_text(item)
        if cleaned:
            out.append(cleaned)
    return out


# --------------------------------------------------------------------------------------------
# decoding


def _detect_encoding(body: bytes) -> str | None:
    """Encoding for a body that declares none: UTF-8 if it decodes, else charset_normalizer's guess."""
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return "utf-8"
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # pragma: no cover - charset_normalizer ships with requests/scrapy deps
        return None
    try:
        best = from_bytes(body[:65536]).best()
    except Exception:  # pragma: no cover - detector must never break decoding
        return None
    if best is None or not best.encoding:
        return None
    return resolve_encoding(best.encoding)


def decode_html(body: bytes, content_type: str | None = None) -> str:
    """Decode a page body to ``str``.

    Order (w3lib): BOM, then the HTTP Content-Type charset, then <meta charset>/http-equiv,
    then detection (UTF-8 or charset_normalizer), then UTF-8 with replacement characters.
    Unknown declared charsets ("foo-bar") are ignored by w3lib, so they fall through to
    detection. Never raises: binary garbage gives a string with U+FFFD replacements.

    The page is not NFC-normalized here: windows-1258 pages decode to decomposed tone marks
    (and pasted Word text can be NFD), but only the text a parser extracts matters, and every
    extracted string goes through clean_text (NFC) or absolute_url (NFC for non-ASCII links).
    Normalizing the whole page cost more than the rest of a parse (1.3 ms on a 70 KB NFD page).
    """
    if isinstance(body, str):
        return body
    body = bytes(body or b"")
    try:
        _enc, text = html_to_unicode(content_type, body, auto_detect_fun=_detect_encoding)
    except Exception:
        text = body.decode("utf-8", "replace")
    return text


def page_markup(body: bytes, content_type: str | None = None) -> str | bytes:
    """The page as the parsers take it: the body bytes themselves when the page is UTF-8 (lexbor
    reads UTF-8 bytes, so nothing is decoded here to be re-encoded there), else decode_html.

    "UTF-8" is what decode_html would decide from the same evidence, in its order: a BOM, the
    HTTP charset, then the page's <meta> declaration. Undeclared pages go through detection.
    """
    if isinstance(body, str):
        return body
    body = bytes(body or b"")
    bom, raw_bom = read_bom(body)
    if bom is not None:
        return body[len(raw_bom) :] if bom == "utf-8" else decode_html(body, content_type)
    declared = http_content_type_encoding(content_type) or html_body_declared_encoding(body)
    if declared is not None and resolve_encoding(declared) == "utf-8":
        return body
    return decode_html(body, content_type)


# --------------------------------------------------------------------------------------------
# boilerplate

#: Chrome strings seen on the portals (toolbars, widgets, share bars, comment boxes). A text
#: block equal to one of these (after clean_text, case-insensitive) never reaches an item.
BOILERPLATE: tuple[str, ...] = (
    # PublishingPortal (backan) toolbar
    "Tăng cỡ chữ",
    "Giảm cỡ chữ",
    "Tăng cỡ chữ Giảm cỡ chữ",
    "Giảm cỡ chữ Tăng cỡ chữ",
    "Cỡ chữ",
    "Kích thước chữ",
    "Mặc định",
    "In bài viết",
    "In trang",
    "In",
    "Bản in",
    "Gửi email",
    "Gửi bài viết",
    "Gửi bài viết qua email",
    "Gửi cho bạn bè",
    "Chia sẻ",
    "Chia sẻ bài viết",
    "Lưu",
    "Quay lại",
    "Trở về",
    "Về đầu trang",
    "Lên đầu trang",
    "Đầu trang",
    "Nghe đọc bài viết",
    "Nghe bài viết",
    "Đánh giá bài viết",
    # Liferay (dongthap / thaibinh) portlets and widgets
    "null",
    "undefined",
    "Ý kiến của bạn",
    "Ý kiến bạn đọc",
    "Gửi ý kiến",
    "Gửi ý kiến của bạn",
    "Bình luận",
    "Viết bình luận",
    "Danh mục chính Menu",
    "Danh mục chính",
    "Menu",
    "Banner Video",
    "Banner Tin đồ họa",
    "Banner Megastory",
    "Banner Bản tin chỉ đạo điều hành",
    "Tin xem nhiều",
    "Tin nổi bật",
    "Tin liên quan",
    "Tin khác",
    "Các tin khác",
    "Tin cùng chuyên mục",
    "Bài viết liên quan",
    "Các bài viết khác",
    "Xem thêm",
    "Đọc thêm",
    "Xem tiếp",
    "Xem chi tiết",
    "Trang chủ",
    "Tìm kiếm",
    "Đang tải...",
    "Loading...",
    "// ]]>",
    "//]]>",
    "// <![CDATA[",
    "//<![CDATA[",
    "<![CDATA[",
    "]]>",
    "thumbnail",
    # WordPress themes (khoicq / gialai): Newspaper, Sahifa
    "Advertisement",
    "About admin",
    "Check Also",
    "Follow",
    "Share",
    "Share this",
    "Share on Facebook",
    "Share on Twitter",
    "Tweet",
    "Pin",
    "Pinterest",
    "Facebook",
    "Twitter",
    "LinkedIn",
    "Google+",
    "WhatsApp",
    "Telegram",
    "Zalo",
    "Email",
    "Print",
    "Like",
    "Related",
    "Related posts",
    "Related Articles",
    "You may also like",
    "Leave a Reply",
    "Leave a Reply Cancel reply",
    "Previous",
    "Next",
    "Previous article",
    "Next article",
    "Bài trước",
    "Bài sau",
    "Tags",
    "Tags:",
    "Từ khóa",
    "Từ khóa:",
    "Từ khoá",
    "Từ khoá:",
)

#: Counted or templated variants ("Ý kiến bạn đọc (3)", "Lượt xem: 120", "PublishingPortal - Block_X").
BOILERPLATE_PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(r"(?:ý kiến bạn đọc|bình luận|ý kiến|comments?|phản hồi)\s*\(\s*\d+\s*\)"),
    re.compile(r"\d+\s*(?:bình luận|ý kiến|comments?|lượt xem|lượt đọc|views?|lượt thích|likes?)"),
    re.compile(r"(?:số\s+)?(?:lượt xem|lượt đọc|lượt truy cập|views?)\s*[:(]?\s*\d[\d.,]*\s*\)?"),
    re.compile(r"publishingportal\s*-\s*[\w.-]+"),
    re.compile(r"(?:(?:tăng|giảm) cỡ chữ\s*)+(?:mặc định)?"),
    re.compile(r"(?:a\s*[+-]?\s*){2,3}"),  # "A+ A A-" font-size buttons
    re.compile(r"//\s*(?:<!\[cdata\[|\]\]>)"),
)

_BOILERPLATE_SET: frozenset[str] = frozenset(clean_text(s).casefold() for s in BOILERPLATE)
# All patterns as one alternation: one fullmatch per block instead of one per pattern.
_BOILERPLATE_ANY = re.compile("|".join(f"(?:{p.pattern})" for p in BOILERPLATE_PATTERNS))
# Longer text is never chrome: the patterns are only tried on short blocks.
_MAX_CHROME = max(80, *(len(k) for k in _BOILERPLATE_SET))


def is_boilerplate(s: str) -> bool:
    """True when the whole block is page chrome (exact match after clean_text, case-insensitive).

    Empty/whitespace-only text is also reported as boilerplate (there is nothing to keep).
    Only whole-block matches: a paragraph merely containing "Chia sẻ" is kept.
    """
    return is_clean_boilerplate(clean_text(s))


def is_clean_boilerplate(text: str) -> bool:
    """`is_boilerplate` for text that already went through clean_text (no second cleaning pass)."""
    if not text:
        return True
    if len(text) > _MAX_CHROME:  # chrome is short (casefold never shortens): real paragraph
        return False
    return _is_chrome(text)


# Short blocks recur (a portal's labels, bylines, captions on every page; the same text asked
# again by the parser, the engine and normalize_article): the casefold and the pattern
# alternation run once per distinct text. Bounded, and short text only (<= _MAX_CHROME).
@lru_cache(maxsize=4096)
def _is_chrome(text: str) -> bool:
    key = text.casefold()
    if key in _BOILERPLATE_SET:
        return True
    return _BOILERPLATE_ANY.fullmatch(key) is not None
