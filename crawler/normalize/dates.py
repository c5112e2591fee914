"""Date normalizers: Vietnamese portal dates and ISO/RFC timestamps to ISO 8601 +07:00.

Pure and table-driven on purpose: dateparser (released versions) mis-reads "tháng 07" and
is slow; portals only use a handful of formats, all covered here. Output is either a full
local timestamp with seconds ("2021-01-22T15:31:00+07:00") or a bare date ("2021-01-11")
when the page shows no time, so "unknown time" is never invented as midnight.
"""

from __future__ import annotations

import email.utils
import re
from datetime import date, datetime, time
from functools import lru_cache
from zoneinfo import ZoneInfo

from crawler.normalize.text import clean_text

__all__ = [
    "LOCAL_TZ",
    "MONTH_NAMES",
    "parse_english_date",
    "parse_iso_datetime",
    "parse_url_day",
    "parse_vn_date",
]

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")

#: Vietnamese month names (lower-case, NFC) as written after "tháng".
MONTH_NAMES: dict[str, int] = {
    "giêng": 1,
    "một": 1,
    "hai": 2,
    "ba": 3,
    "tư": 4,
    "bốn": 4,
    "năm": 5,
    "sáu": 6,
    "bảy": 7,
    "bẩy": 7,
    "tám": 8,
    "chín": 9,
    "mười": 10,
    "mười một": 11,
    "mười hai": 12,
    "chạp": 12,
}
# Longest names first so "mười hai" wins over "mười".
_MONTH_ALT = "|".join(re.escape(n).replace(r"\ ", r"\s+") for n in sorted(MONTH_NAMES, key=len, reverse=True))

_WEEKDAY = r"(?:thứ\s*(?:hai|ba|tư|năm|sáu|bảy|bẩy|[2-7])|chủ\s*nhật|cn|t[2-7])"
# Optional weekday and "ngày" between a preceding time and its date ("15:30 Thứ Hai, 11/01/2021").
_DATE_PREFIX = rf"(?:{_WEEKDAY}\s*[,.\-–]?\s*)?(?:ngày\s*:?\s*)?"

_ISO_RE = re.compile(
    r"(?<![\d])(\d{4})-(\d{2})-(\d{2})"
    r"(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?)?"
    r"(?![\d])",
    re.IGNORECASE,
)
_NUMERIC_RE = re.compile(
    r"(?<![\d/.\-])(\d{1,2})\s*([/.\-])\s*(\d{1,2})\s*\2\s*(\d{4})(?![\d])",
    re.IGNORECASE,
)
_LONG_RE = re.compile(
    r"(?<![\d])(\d{1,2})\s+tháng\s+(\d{1,2}|"
    + _MONTH_ALT
    + r")(?![\w])\s*[,.]?\s*(?:năm\s+)?(\d{4})(?![\d])",
    re.IGNORECASE,
)

# Clock time: 15:30, 15:30:45, 15h30, 15h, 15 giờ 30 (phút), 8:15 SA/CH/AM/PM.
_TIME = (
    r"(?<![\d:.])(?<!\d[,/])(\d{1,2})"
    r"(?:\s*:\s*(\d{2})(?:\s*:\s*(\d{2}))?(?![\d:])"
    r"|(?:[hg]|\s*giờ)(?:\s*(\d{2})(?:\s*phút)?)?(?![^\W_]))"
    r"(?:\s*(sa|ch|am|pm|a\.m\.|p\.m\.)(?![\w]))?"
)
_SEP_AFTER = r"^[\s|,\-–—·•(\[]*(?:(?:vào\s+)?lúc\s*|at\s+)?"
_SEP_BEFORE = r"[\s|,\-–—·•)\]]*(?:ngày\s*)?" + _DATE_PREFIX + "$"
_TIME_AFTER_RE = re.compile(_SEP_AFTER + _TIME, re.IGNORECASE)
_TIME_BEFORE_RE = re.compile(_TIME + _SEP_BEFORE, re.IGNORECASE)
_WINDOW = 40  # chars either side of a date searched for its time

_DIGIT_RE = re.compile(r"\d")
_MIN_YEAR, _MAX_YEAR = 1900, 2100


class _Invalid(Exception):
    """A date/time candidate that looks right but is impossible (31/02, 25:00)."""


def _make_date(y: int, m: int, d: int) -> date:
    if not _MIN_YEAR <= y <= _MAX_YEAR:  # "01/01/0001" or a 4-digit number, not a publication date
        raise _Invalid
    try:
        return date(y, m, d)
    except ValueError as exc:
        raise _Invalid from exc


def _time_from(match: re.Match[str]) -> time:
    """Clock time of a _TIME match (groups 1..5), applying SA/CH (AM/PM)."""
    g = match.groups()[-5:]
    hour = int(g[0])
    minute = int(g[1] or g[3] or 0)
    second = int(g[2] or 0)
    marker = (g[4] or "").lower().replace(".", "")
    if marker in ("sa", "am"):
        if hour == 12:
            hour = 0
        elif hour > 12:
            raise _Invalid
    elif marker in ("ch", "pm"):
        if 1 <= hour < 12:
            hour += 12
        elif hour == 0:
            raise _Invalid
    if hour > 23 or minute > 59 or second > 59:
        raise _Invalid
    return time(hour, minute, second)


def _find_time(text: str, start: int, end: int) -> time | None:
    """Time written right after the date (preferred) or right before it, else None."""
    m = _TIME_AFTER_RE.search(text[end : end + _WINDOW])
    if m is not None:
        return _time_from(m)
    before = text[max(0, start - _WINDOW) : start]
    if before:
        m = _TIME_BEFORE_RE.search(before)
        if m is not None:
            return _time_from(m)
    return None


def _render(d: date, t: time | None) -> str:
    if t is None:
        return d.isoformat()
    return datetime.combine(d, t, LOCAL_TZ).isoformat(timespec="seconds")


def _iso_candidate(text: str, m: re.Match[str]) -> str:
    d = _make_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    if m.group(4) is None:
        t = _find_time(text, m.start(), m.end())
        return _render(d, t)
    hour, minute, second = int(m.group(4)), int(m.group(5)), int(m.group(6) or 0)
    if hour > 23 or minute > 59 or second > 59:
        raise _Invalid
    tz = m.group(7)
    if not tz:
        return _render(d, time(hour, minute, second))
    dt = datetime.fromisoformat(f"{d.isoformat()}T{hour:02d}:{minute:02d}:{second:02d}{_iso_offset(tz)}")
    return dt.astimezone(LOCAL_TZ).isoformat(timespec="seconds")


def _iso_offset(tz: str) -> str:
    if tz in ("Z", "z"):
        return "+00:00"
    digits = tz[1:].replace(":", "")
    if len(digits) == 2:
        digits += "00"
    return f"{tz[0]}{digits[:2]}:{digits[2:]}"


def _numeric_candidate(text: str, m: re.Match[str]) -> str:
    d = _make_date(int(m.group(4)), int(m.group(3)), int(m.group(1)))
    return _render(d, _find_time(text, m.start(), m.end()))


def _long_candidate(text: str, m: re.Match[str]) -> str:
    month_s = m.group(2)
    if month_s.isdigit():
        month = int(month_s)
    else:
        month = MONTH_NAMES[" ".join(month_s.lower().split())]
    d = _make_date(int(m.group(3)), month, int(m.group(1)))
    return _render(d, _find_time(text, m.start(), m.end()))


_PATTERNS = ((_ISO_RE, _iso_candidate), (_NUMERIC_RE, _numeric_candidate), (_LONG_RE, _long_candidate))


# A listing shows one date string per link and a few distinct ones per page: a 100k-link listing
# parses its dates once each instead of 100k times (the function is pure).
@lru_cache(maxsize=4096)
def parse_vn_date(text: str | None) -> str | None:
    """First valid date in ``text`` as ISO 8601 (+07:00 local time, or a bare date without time).

    Impossible dates/times (31/02/2021, 25:00 next to a date) invalidate that candidate;
    None when no valid candidate is left. Never raises.
    """
    if not text or _DIGIT_RE.search(text) is None:
        return None
    try:
        text = clean_text(text)
        candidates: list[tuple[int, re.Match[str], object]] = []
        for regex, build in _PATTERNS:
            candidates.extend((m.start(), m, build) for m in regex.finditer(text))
        candidates.sort(key=lambda c: c[0])
        for _pos, m, build in candidates:
            try:
                return build(text, m)  # type: ignore[operator]
            except (_Invalid, ValueError, OverflowError):
                continue
    except Exception:  # pragma: no cover - defensive: a date parser must never crash a crawl
        return None
    return None


# English month names, for the generic extractor on pages in English (a portal's English section,
# foreign news): "Nov. 19, 2019", "November 18th, 2019", "19 November 2019", "18 NOV 2019".
_EN_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_EN_MONTH = (
    r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_EN_DAY = r"(\d{1,2})(?:st|nd|rd|th)?"
_EN_MDY_RE = re.compile(rf"(?<![\w]){_EN_MONTH}\s+{_EN_DAY}\s*,?\s+(\d{{4}})(?!\d)", re.IGNORECASE)
_EN_DMY_RE = re.compile(rf"(?<![\w\d]){_EN_DAY}\s+{_EN_MONTH}\s*,?\s+(\d{{4}})(?!\d)", re.IGNORECASE)


def parse_english_date(text: str | None) -> str | None:
    """First valid English month-name date in ``text`` as a bare ISO date ("2019-11-19").

    The date alone: an English page's clock time comes with a zone we cannot tell ("5:30 p.m.
    ET"), and a bare date never invents one. Never raises.
    """
    if not text or _DIGIT_RE.search(text) is None:
        return None
    found: list[tuple[int, date]] = []
    for regex, month_at, day_at in ((_EN_MDY_RE, 1, 2), (_EN_DMY_RE, 2, 1)):
        for m in regex.finditer(text):
            month = _EN_MONTHS.index(m.group(month_at)[:3].lower()) + 1
            try:
                found.append((m.start(), _make_date(int(m.group(3)), month, int(m.group(day_at)))))
            except _Invalid:
                continue
    return min(found)[1].isoformat() if found else None


# A permalink's day: /2019/nov/18/, /2021/01/11/ (WordPress's, news sites').
_URL_DAY_RE = re.compile(
    r"/(\d{4})/(0?[1-9]|1[0-2]|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*/(\d{1,2})(?:/|$)",
    re.IGNORECASE,
)


def parse_url_day(path: str) -> str | None:
    """The day a dated permalink's path names ("/2019/nov/18/"), as a bare ISO date, else None."""
    m = _URL_DAY_RE.search(path)
    if m is None:
        return None
    month = m.group(2).lower()
    number = int(month) if month.isdigit() else _EN_MONTHS.index(month[:3]) + 1
    try:
        return _make_date(int(m.group(1)), number, int(m.group(3))).isoformat()
    except _Invalid:
        return None


_RFC822_UTC_RE = re.compile(r"(?:[+-]0000|\bGMT|\bUTC?|\bZ)\s*$", re.IGNORECASE)


def parse_iso_datetime(text: str | None, *, wall_time: bool = False, keep_offset: bool = False) -> str | None:
    """ISO 8601 / RFC 3339 (and RFC 822 from RSS) timestamp converted to +07:00 local time.

    Naive timestamps are taken as local time. With ``wall_time=True`` the clock time is kept
    as written and labelled +07:00 (a WordPress site whose time zone was left at UTC shows
    local wall time with a +00:00 offset). A date-only value gives "YYYY-MM-DD".
    For WordPress ``date_gmt`` (naive UTC) append "Z" before calling. With ``keep_offset=True`` a
    timestamp that carries an offset keeps it (a page of another country says its own time).
    """
    if not text:
        return None
    s = text.strip()
    if not s:
        return None
    dt: datetime | None = None
    if s[:1].isdigit():
        iso = s[:-1] + "+00:00" if s[-1:] in ("Z", "z") else s
        try:
            dt = datetime.fromisoformat(iso)
        except ValueError:
            dt = None
        if dt is not None and len(s) <= 10 and "T" not in s and ":" not in s:
            return dt.date().isoformat()
    if dt is None:
        try:
            dt = email.utils.parsedate_to_datetime(s)
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
        if dt is None:  # pragma: no cover - older Pythons returned None
            return None
        if dt.tzinfo is None and _RFC822_UTC_RE.search(s):
            dt = dt.replace(tzinfo=LOCAL_TZ) if wall_time else dt.replace(tzinfo=ZoneInfo("UTC"))
    dt = dt.replace(microsecond=0)
    if dt.tzinfo is None or wall_time:
        dt = dt.replace(tzinfo=LOCAL_TZ)
    elif keep_offset:
        pass
    else:
        dt = dt.astimezone(LOCAL_TZ)
    return dt.isoformat(timespec="seconds")
