"""Title, dates, author, lead and language of any article page: visible text first where the
reader's view is the truth (byline, lead), machine-readable metadata first where it is exact
(dates), with the site's name never taken for a title part or an author.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from crawler.content import byline
from crawler.content.meta import PageMeta
from crawler.content.walker import Para
from crawler.normalize.dates import parse_english_date, parse_iso_datetime, parse_url_day, parse_vn_date
from crawler.normalize.text import clean_text, fold_words
from crawler.parsers.dom import Node, ancestors, short_texts

__all__ = [
    "find_title",
    "is_site_name",
    "language_of",
    "marked_lead",
    "meta_author",
    "published_dates",
    "trailing_byline",
    "visible_author",
]

_TITLE_SEPARATORS = re.compile(r"\s+[|\-–—:·•»]\s+|\s*\|\s*|\s+::\s+")
_VI_LETTERS = re.compile(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", re.IGNORECASE)
_EN_WORDS = frozenset("the and of to in a is that for it was on with as by at from are be this".split())
_NAIVE_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?$")
# Elements that may print the date, anywhere on the page (C-side substring selectors).
_DATE_CSS = "time, " + ", ".join(
    f"[{attr}*={word}]"
    for attr in ("class", "id")
    for word in ("date", "time", "publish", "posted", "ngay", "thoigian", "thoi-gian", "byline", "created")
)
_MAX_DATE_TEXT = 160
_MAX_DATE_CANDIDATES = 300  # elements read for a printed date: it sits near the title, not page 400
_PUBLISHED_META = (
    "article:published_time",
    "og:published_time",
    "datepublished",
    "pubdate",
    "publishdate",
    "date",
    "dc.date.issued",
    "dc.date",
    "sailthru.date",
    "parsely-pub-date",
)
# The dek/sapo classes themes use most (a selector group costs one tree scan per member).
_LEAD_CSS = (
    ".sapo, .lead, .summary, .description, .dek, .standfirst, .excerpt, .chapeau, "
    ".td-post-sub-title, [itemprop=description]"
)
_BYLINE_CSS = "[rel=author], [itemprop=author], .author, .byline, .author-name, .tac-gia, .tacgia"


def is_site_name(text: str, pm: PageMeta, url: str) -> bool:
    folded = fold_words(text)
    if not folded:
        return True
    host = (urlsplit(url).hostname or "").removeprefix("www.")
    names = [pm.site_name or "", host, host.split(".")[0]]
    squeezed = folded.replace(" ", "")
    return any(name and fold_words(name).replace(" ", "") == squeezed for name in names)


def _strip_site(title: str, pm: PageMeta, url: str) -> str:
    """The title without " | Site name" / "Site name - " parts."""
    parts = _TITLE_SEPARATORS.split(title)
    if len(parts) < 2:
        return title
    kept = [p for p in parts if not is_site_name(p, pm, url)]
    if len(kept) == len(parts):  # no part is the site's name: drop a short last part (a section or brand)
        longest = max(parts, key=len)
        return longest if len(longest) >= 0.6 * len(title) else title
    return " - ".join(kept) if kept else title


def find_title(root: Node, pm: PageMeta, url: str) -> tuple[str | None, Node | None]:
    """The article's title and its <h1> when the page prints it. An <h1> wins when it matches the
    metadata title (pages put the logo in an <h1> too) or when metadata has none."""
    ld_title = pm.ld.get("headline") if isinstance(pm.ld.get("headline"), str) else None
    declared = pm.get("og:title", "twitter:title") or ld_title
    meta_title = declared or pm.html_title
    meta_title = _strip_site(clean_text(meta_title), pm, url) if meta_title else None
    h1s = [(clean_text(h.text(deep=True)), h) for h in root.css("h1")]
    h1s = [(t, h) for t, h in h1s if t and not is_site_name(t, pm, url)]
    if meta_title:
        key = fold_words(meta_title)
        for text, node in h1s:
            fold = fold_words(text)
            if fold and (fold == key or _part_of(fold, key) or _part_of(key, fold)):
                return text, node
        if declared or not h1s:
            return meta_title, h1s[0][1] if h1s else None
    # Only a <title> that matches no heading (a portal's <title> is often its own name): the <h1>.
    return h1s[0] if h1s else (None, None)


def _part_of(short: str, long: str) -> bool:
    """`short` opens or closes `long` ("Rain returns" in "Rain returns the daily"), or sits in it
    when long enough not to be a coincidence."""
    if short.count(" ") >= 1 and (long.startswith(short + " ") or long.endswith(" " + short)):
        return True
    return len(short) > 15 and short in long


def _iso(value: object, vietnamese: bool) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    value = value.strip()
    if _NAIVE_ISO.match(value) and not vietnamese:
        return value[:10]  # no offset given and no reason to assume +07:00: the date alone
    return parse_iso_datetime(value, keep_offset=True) or parse_vn_date(value)


def published_dates(
    root: Node, pm: PageMeta, title_node: Node | None, vietnamese: bool, url: str = ""
) -> tuple[str | None, str | None]:
    """(published, modified): JSON-LD, Open Graph/meta, itemprop, <time datetime>, then a date the
    page prints near its title (or anywhere in a date-looking element). Where the URL names the
    day (a dated permalink) and the first printed date is another day (a fact-check's claim
    date, an event's), the printed date of that day wins, else the URL's day alone."""
    published = _iso(pm.ld.get("datePublished"), vietnamese) or _iso(pm.get(*_PUBLISHED_META), vietnamese)
    modified = _iso(pm.ld.get("dateModified"), vietnamese) or _iso(
        pm.get("article:modified_time", "og:updated_time", "datemodified", "last-modified"), vietnamese
    )
    if published:
        return published, modified
    # itemprop is a list of tokens ("datePublished dateCreated"): matched as one of them.
    for el in root.css("[itemprop~=datePublished], time[datetime], [pubdate]"):
        attrs = el.attributes
        found = _iso(attrs.get("content") or attrs.get("datetime"), vietnamese)
        if found:
            return found, modified
    day = parse_url_day(urlsplit(url).path) if url else None
    first: str | None = None
    scope = _header_scope(title_node)
    for where in (scope, root):
        if where is None:
            continue
        candidates = where.css(_DATE_CSS if where is root else "time, span, p, div")[:_MAX_DATE_CANDIDATES]
        for text in short_texts(candidates, _MAX_DATE_TEXT):
            if text is None:
                continue
            # An English month name only off Vietnamese pages ("may" is also a Vietnamese word).
            found = parse_vn_date(text) or (None if vietnamese else parse_english_date(text))
            if found and (day is None or found.startswith(day)):
                return found, modified
            first = first or found
    return (day if first else None) or first, modified


def _header_scope(title_node: Node | None) -> Node | None:
    """The block around the title that holds its date line (three levels up at most)."""
    if title_node is None:
        return None
    scope = title_node
    for i, parent in enumerate(ancestors(title_node)):
        if i >= 3 or parent.tag in ("body", "html"):
            break
        scope = parent
    return scope


def meta_author(pm: PageMeta, url: str) -> str | None:
    author = pm.ld.get("author")
    names: list[str] = []
    for entry in author if isinstance(author, list) else [author]:
        if isinstance(entry, dict) and isinstance(entry.get("name"), str):
            names.append(entry["name"])
        elif isinstance(entry, str):
            names.append(entry)
    names = [clean_text(n) for n in names if n and not is_site_name(n, pm, url) and "http" not in n]
    if names:
        return ", ".join(dict.fromkeys(names))
    value = pm.get("author", "article:author", "dc.creator", "sailthru.author", "parsely-author")
    if value and "http" not in value and not is_site_name(value, pm, url):
        return value
    return None


def _name(text: str, pm: PageMeta, url: str) -> str | None:
    name = byline.author_name(text)
    return None if name is None or is_site_name(name, pm, url) else name


def trailing_byline(paras: list[Para], pm: PageMeta, url: str) -> str | None:
    """A printed byline closing the body, by the engine's byline rule; a page of unknown
    template may mark it by bold or a label alone. The caller removes it from the body."""
    if len(paras) < 2:
        return None
    name = byline.printed_byline(paras[-1], byline.UNMARKED)
    return None if name is None or is_site_name(name, pm, url) else name


def visible_author(root: Node, pm: PageMeta, url: str) -> str | None:
    for el in root.css(_BYLINE_CSS):
        attrs = el.attributes
        text = attrs.get("content") or el.text(deep=True)
        if text and len(text) <= 120:
            name = _name(text, pm, url)
            if name:
                return name
    return None


def marked_lead(root: Node) -> Node | None:
    """A dek/sapo the page marks as such (class or itemprop), visible and of sentence length."""
    for el in root.css(_LEAD_CSS):
        if el.tag in ("meta", "body", "html", "a", "ul", "ol", "nav"):
            continue
        text = clean_text(el.text(deep=True))
        if 40 <= len(text) <= 1200 and not el.css_first("p p, h1, h2 a, h3 a, li a"):
            return el
    return None


def language_of(pm: PageMeta, sample: str) -> str:
    """The page's language: <html lang> / og:locale when present, else the text: Vietnamese
    letters say "vi", English function words (a tenth of the words) "en", else "und"."""
    if pm.lang:
        code = re.split(r"[-_]", pm.lang)[0]
        if re.fullmatch(r"[a-z]{2,3}", code):
            return code
    if len(_VI_LETTERS.findall(sample)) >= 5:
        return "vi"
    words = re.findall(r"[a-z]+", sample.lower())
    if len(words) >= 20 and sum(w in _EN_WORDS for w in words) >= 0.1 * len(words):
        return "en"
    return "und"
