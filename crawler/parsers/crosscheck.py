"""Step 3 of the per-field fallback, and the cross-check of a template's body (issue 12).

Run once per article page, after the template parser (its own selectors, then its family's
stock structure) has built the item; `crawler.parsers.base` calls `complete` from the wrapper
around `parse_article`, so every template gets it without code of its own.

Fallback, step 3: when the body is still missing, the generic content engine's extraction of the
same page (`crawler.content.extract`) gives it, and with it every other field the item lacks
(title, published_at, lead, author, images, captions: they belong to the body the engine chose).
When the body is there, only a missing title is taken from the engine: on a page whose body the
template found, an absent lead or picture is the page's, not drift, and the engine's date there
is too often the portal's header clock (today), so a missing date stays missing (a counted
missing_date reject). Each such field is named in `extraction["fallback"]`
and in `extraction["source"]` as ``"generic"`` (the family's stock structure, step 2, names the
field in `fallback` only).

Cross-check: the template's body is compared with the page. `extraction["suspect"]` says why,
when
- ``hidden``: the body's text sits in a hidden element (attribute, aria, inline style, class);
- ``teaser``: it repeats the teaser block of a link to another article on the page;
- ``outside-main``: the page has one main column (a single top-level <article> or <main>) and
  the body's text is not in it;
- ``low-overlap``: the body shares less than `MIN_OVERLAP` of its words with the engine's body
  (both at least `MIN_TOKENS` words).

Cheap by construction, in two stages. `clears_cheaply` first looks at the markup as bytes, with
no tree (tens of microseconds): the body's first paragraph found after <body>, no hidden-element
marker open and no linked heading in the 2,000 bytes before it, inside the page's single
<article>/<main> when it has one. Only a page it does not clear gets the full check: one lexbor
parse and a few CSS queries (`suspect_reason`). The engine (several times the template's cost)
runs only when a field is missing, or in the full check when no main-column candidate
(`MAIN_COLUMN`, then `BROAD_COLUMN`) of at most three times the body's size holds the body's
first paragraphs (the probes).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin

from crawler.items import Article
from crawler.normalize.text import fold_words
from crawler.parsers.dom import Node, parse_document

if TYPE_CHECKING:
    from crawler.content.engine import Extraction

__all__ = ["MIN_OVERLAP", "MIN_TOKENS", "SKIP_OVERLAP", "clears_cheaply", "complete", "suspect_reason"]

CORE = ("title", "published_at", "body")
WITH_BODY = ("lead", "author", "images", "captions")
MIN_OVERLAP = 0.3  # share of the smaller word set found in the other: below it, "share little text"
MIN_TOKENS = 30  # distinct words each side: a shorter text is trivial, never compared
SKIP_OVERLAP = 0.8  # share of the probes found in a main-column candidate: the engine is not asked
_PROBE = 3  # body paragraphs looked for in hidden elements and teaser blocks
_PROBE_MIN = 40  # characters (folded) for a paragraph to be a probe
_CLIMB = 3  # ancestors of a teaser link looked at (an <article> or <li> ends the climb: the item)
_MAX_LINKS = 300  # teaser links looked at (a listing-heavy sidebar stops here)
_HIDDEN_CLASSES = frozenset("hidden d-none hide sr-only screen-reader-text visually-hidden invisible".split())
# (a marker the page's markup must contain, the selector member it stands for)
_HIDDEN_MEMBERS = (
    ("hidden", '[hidden], [aria-hidden="true"], .hidden, .visually-hidden, [style*=hidden]'),
    ("none", "[style*=none]"),
    ("d-none", ".d-none"),
    ("hide", ".hide"),
    ("sr-only", ".sr-only"),
    ("screen-reader-text", ".screen-reader-text"),
    ("invisible", ".invisible"),
)
_HIDDEN = ", ".join(sel for _, sel in _HIDDEN_MEMBERS)
_MAX_COLUMNS = 8  # main-column candidates looked at per selector
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_TEASER_LINKS = "h2 a, h3 a, h4 a, a.more-link, a.read-more, a.readmore"
# Where an article's text belongs; a body whose probes are found in one of these (SKIP_OVERLAP)
# is the template's own, and the engine is not asked.
MAIN_COLUMN = (
    "article, main, [role=main], [itemprop=articleBody], .journal-content-article, .asset-content, "
    ".asset-full-content, .entry-content, .post-content, .portlet-body"
)
# Asked only when none of MAIN_COLUMN holds the body (each member is a walk of the whole tree).
BROAD_COLUMN = "[class*=noi-dung], [class*=detail], [class*=content], [id*=content]"
_WORD = re.compile(r"\w+")


def _nfc(text: str) -> str:
    # The check is a fast scan; normalizing text that is already NFC is not.
    return text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)


def _words(text: str) -> set[str]:
    return set(_WORD.findall(_nfc(text).casefold()))


def _hidden(el: Node) -> bool:
    attrs = el.attributes
    if _HIDDEN_STYLE.search(attrs.get("style") or ""):
        return True
    if "hidden" in attrs or (attrs.get("aria-hidden") or "").lower() == "true":
        return True
    return not _HIDDEN_CLASSES.isdisjoint((attrs.get("class") or "").split())


def _share(probes: list[str], text: str) -> float:
    return sum(1 for p in probes if p in text) / len(probes)


def _top_level(nodes: list[Node]) -> list[Node]:
    """The nodes not nested in another of them (query results come in document order)."""
    out: list[Node] = []
    for node in nodes:
        if not out or not _inside(node, out[-1]):
            out.append(node)
    return out


def _inside(node: Node, outer: Node) -> bool:
    parent = node.parent
    while parent is not None:
        if parent.mem_id == outer.mem_id:
            return True
        parent = parent.parent
    return False


class _Probes:
    """The body's first substantial paragraphs, looked for in the page's text: first by a cheap
    normalization (NFC, case-folded, whitespace collapsed: C-speed string work), then, when that
    misses, by words only (punctuation and invisible characters dropped)."""

    def __init__(self, body: list[str]) -> None:
        self.words: list[str] = []
        self.plain: list[str] = []
        for paragraph in body:
            if len(paragraph) < _PROBE_MIN:
                continue
            folded = fold_words(paragraph)
            if len(folded) >= _PROBE_MIN:
                self.words.append(folded)
                self.plain.append(_plain(paragraph))
                if len(self.words) == _PROBE:
                    break

    def __bool__(self) -> bool:
        return bool(self.words)

    def share(self, text: str, thorough: bool = False) -> float:
        """The share of the probes `text` holds; `thorough`: words only when the text misses."""
        plain = _plain(text)
        found = sum(1 for p in self.plain if p in plain) / len(self.plain)
        if found >= 0.5 or not thorough:
            return found
        return _share(self.words, fold_words(text))


def _plain(text: str) -> str:
    return " ".join(_nfc(text).casefold().split())


def _hidden_selector(html: str | bytes) -> str:
    """The members of the hidden-element selector whose marker the page contains at all (lexbor
    walks the tree once per member): usually a few of them."""
    if isinstance(html, bytes):
        return ", ".join(sel for marker, sel in _HIDDEN_MEMBERS if marker.encode() in html)
    return ", ".join(sel for marker, sel in _HIDDEN_MEMBERS if marker in html)


def suspect_reason(
    article: Article,
    root: Node,
    same_article: Callable[[str], bool],
    generic: Callable[[], Extraction | None],
    hidden_selector: str = _HIDDEN,
) -> str | None:
    """Why the article's body is not this page's article, or None. `same_article(href)` is True
    for a link that is no other article's (this article, a home or category page); `generic()`
    gives the engine's extraction (lazily)."""
    probes = _Probes(article.body)
    if probes:
        if hidden_selector:
            for el in root.css(hidden_selector):
                if _hidden(el) and probes.share(el.text(deep=True)) >= 0.5:
                    return "hidden: the body sits in a hidden element"
        reason = _teaser(root, probes, _plain(article.title or ""), same_article)
        if reason:
            return reason
        columns = _top_level(root.css("article, main, [role=main]"))
        if len(columns) == 1:
            if probes.share(columns[0].text(deep=True), thorough=True) < 0.5:
                return "outside-main: the body is not in the page's main column"
    size = sum(len(p) for p in article.body)
    if size < MIN_TOKENS * 2:
        return None  # trivial: fewer than MIN_TOKENS words, whatever they are
    if probes:
        for selector in (MAIN_COLUMN, BROAD_COLUMN):
            for el in root.css(selector)[:_MAX_COLUMNS]:
                text = el.text(deep=True)
                if len(text) > 3 * size + 3000:
                    continue  # a page-wide wrapper: holding the body says nothing
                if probes.share(text, thorough=True) >= SKIP_OVERLAP:
                    return None  # the body is the main column's: the engine need not be asked
    words = _words("\n".join(article.body))
    if len(words) < MIN_TOKENS:
        return None
    extraction = generic()
    if extraction is None:
        return None
    other = _words("\n".join(extraction.body))
    if len(other) < MIN_TOKENS:
        return None
    overlap = len(words & other) / min(len(words), len(other))
    if overlap < MIN_OVERLAP:
        return f"low-overlap: the body shares {overlap:.0%} of its words with the generic extractor's"
    return None


def _teaser(root: Node, probes: _Probes, title: str, same_article: Callable[[str], bool]) -> str | None:
    seen: set[int] = set()
    for link in root.css(_TEASER_LINKS)[:_MAX_LINKS]:
        node = link.parent
        for _ in range(_CLIMB):
            if node is None or node.tag in ("body", "html") or node.mem_id in seen:
                break
            seen.add(node.mem_id)
            text = node.text(deep=True)
            if title and title in _plain(text):
                break  # this block holds the article's own title: not another article's teaser
            if probes.share(text) >= 0.5:
                href = link.attributes.get("href") or ""
                if href and not href.startswith("#") and not same_article(href):
                    return f"teaser: the body repeats the teaser of {href}"
                break
            if node.tag in ("article", "li"):
                break  # the teaser's item: what holds it is the listing, or the page's article
            node = node.parent
    return None


_SNIPPET = 24  # characters of a body paragraph looked for in the markup
_SNIPPET_OK = re.compile(r"[^&<>\"'\n\t]+")
_NEAR = 2000  # characters before the body's first paragraph looked at for hidden or teaser markup
_HIDDEN_MARK = re.compile(
    rb"display\s*:\s*none|visibility\s*:\s*hidden|aria-hidden\s*=\s*[\"']?true|\shidden[\s>=/]"
    rb"|class\s*=\s*[\"'](?:[^\"']*\s)?(?:hidden|d-none|hide|sr-only|screen-reader-text|visually-hidden|invisible)"
    rb"[\s\"']",
    re.IGNORECASE,
)
_HIDDEN_KEYS = (b"none", b"hidden", b"hide", b"invisible", b"sr-only", b"screen-reader")
_LINKED_HEADING = re.compile(rb"<h[2-6][^>]{0,300}>\s*<a\s")  # matched in the lower-cased window
_VOID = frozenset(b"area base br col embed hr img input link meta source track wbr".split())
_TAG_NAME = re.compile(rb"<([a-zA-Z][\w-]*)")


def _snippets(paragraph: str) -> list[bytes]:
    """Runs of `_SNIPPET` characters of the paragraph that markup would print as they are (UTF-8)."""
    out: list[bytes] = []
    for run in _SNIPPET_OK.findall(paragraph):
        for start in range(0, len(run) - _SNIPPET + 1, _SNIPPET):
            out.append(run[start : start + _SNIPPET].encode("utf-8"))
            if len(out) == 3:
                return out
    return out


def _open_at(data: bytes, mark: int, at: int) -> bool:
    """Whether the element whose start tag holds `mark` is still open at `at` (a tag count; a
    start tag that cannot be read counts as open: the tree decides)."""
    lt = data.rfind(b"<", 0, mark)
    name = _TAG_NAME.match(data, lt) if lt >= 0 else None
    if name is None:
        return True
    tag = name.group(1).lower()
    if tag in _VOID:
        return False
    depth = 0
    for m in re.finditer(rb"<(/?)" + re.escape(tag) + rb"\b", data[lt:at], re.IGNORECASE):
        depth += -1 if m.group(1) else 1
        if depth == 0:
            return False
    return True


def _find(data: bytes, paragraph: str, start: int) -> int:
    for snippet in _snippets(unicodedata.normalize("NFC", paragraph)):
        at = data.find(snippet, start)
        if at >= 0:
            return at
    return -1


def _key_starts(window: bytes, keys: list[bytes]) -> Iterator[int]:
    """Where `re.finditer(b"|".join(keys), window)` matches (leftmost, first key in order, no
    overlap), from bytes.find: that regex, with no literal prefix, steps through the window byte by byte
    (~10 µs on 2,000 bytes, a third of `clears_cheaply`). `keys`: those of `_HIDDEN_KEYS` the
    window holds, in their order."""
    nxt = [window.find(k) for k in keys]
    pos = 0
    while True:
        best, size = -1, 0
        for i, k in enumerate(keys):
            p = nxt[i]
            if 0 <= p < pos:
                p = nxt[i] = window.find(k, pos)
            if p >= 0 and (best < 0 or p < best):
                best, size = p, len(k)
        if best < 0:
            return
        yield best
        pos = best + size


def _locate(data: bytes, paragraph: str) -> tuple[int, int]:
    body_at = max(0, data.find(b"<body"))  # past the <head>: a meta description repeats the lead
    return body_at, _find(data, paragraph, body_at)


def clears_cheaply(html: str | bytes, body: list[str]) -> bool:
    """Whether the markup alone shows the body is this page's article, with no tree: the first
    substantial paragraph is found in it, no hidden-element marker and no linked heading or
    read-more link sits in the `_NEAR` bytes before it, and it lies inside the page's single
    <article> (or <main>) when the page has exactly one. Anything else gets the full
    cross-check (a parse, and the engine when the body is in no main-column candidate).
    Byte-level string searches only: a few tens of microseconds a page."""
    first = next((p for p in body if len(p) >= _PROBE_MIN), None)
    if first is None:
        return True  # a trivial body: nothing to compare
    data = html if isinstance(html, bytes) else html.encode("utf-8", "replace")
    body_at, at = _locate(data, first)
    if at < 0:
        text = html.decode("utf-8", "replace") if isinstance(html, bytes) else html
        # One pass, not is_normalized then normalize: on a decomposed page both do the full work.
        composed = unicodedata.normalize("NFC", text)
        if composed == text:
            return False
        # A decomposed page (NFD, or windows-1258's combining tone marks): compared composed.
        data = composed.encode("utf-8", "replace")
        body_at, at = _locate(data, first)
        if at < 0:
            return False
    start = max(body_at, at - _NEAR)
    window = data[start:at].lower()
    # Plain substring tests first: the regular expressions only run where a marker may be.
    present = [k for k in _HIDDEN_KEYS if k in window]
    if present:
        for key_at in _key_starts(window, present):
            # Only a key inside a start tag counts: that tag's text is matched, not the window.
            lt = window.rfind(b"<", 0, key_at)
            if lt < 0 or window.find(b">", lt, key_at) >= 0:
                continue
            gt = window.find(b">", key_at)
            if _HIDDEN_MARK.search(window, lt, gt if gt >= 0 else len(window)) and _open_at(
                data, start + key_at, at
            ):
                return False
    if b"more" in window and any(k in window for k in (b"more-link", b"read-more", b"readmore")):
        return False
    at_h = window.find(b"<h")
    while at_h >= 0:
        if window[at_h + 2 : at_h + 3] in b"23456" and _LINKED_HEADING.match(window, at_h):
            return False
        at_h = window.find(b"<h", at_h + 2)
    for tag in (b"<article", b"<main"):
        # Two finds, not count then find: one scan of the page instead of one and a half.
        begin = data.find(tag)
        if begin < 0:
            continue
        if data.find(tag, begin + len(tag)) >= 0:
            return False  # several articles (teasers, related posts): the tree decides
        end = data.rfind(b"</" + tag[1:])
        return begin < at and (end < 0 or at < end)
    return True


def _not_article(extraction: Extraction, url: str) -> bool:
    """The generic template's own verdict on the engine's reading (crawler.parsers.generic)."""
    from crawler.parsers.generic import not_article_reason

    return not_article_reason(extraction, url) is not None


def complete(parser: Any, article: Article, html: str | bytes, url: str) -> Article:
    """Fill the fields still missing from the generic engine and cross-check the body; the
    engine runs at most once per page, and only when needed."""
    found: dict[str, Any] = {}

    def generic() -> Extraction | None:
        if "x" not in found:
            from crawler.content import extract

            try:
                found["x"] = extract(html, url)
            except ValueError:  # ParseError: nothing to compare with
                found["x"] = None
        return found["x"]

    extraction = dict(article.extraction or {})
    fallback = set(extraction.get("fallback") or [])
    source = dict(extraction.get("source") or {})
    # The body missing: every field the item lacks. The body present: only a missing title. A
    # page the template reads but finds no date on keeps none (the engine's date there is too often
    # the portal's header clock, today's date): validation rejects it as missing_date, counted.
    missing = [name for name in CORE if not getattr(article, name)]
    if not article.body:
        missing += [name for name in WITH_BODY if not getattr(article, name)]
    elif "published_at" in missing:
        missing.remove("published_at")
    if missing and generic() is not None:
        got = found["x"]
        names = [n for n in missing if getattr(got, n)]
        if "body" in names and _not_article(got, url):
            names.remove("body")  # what the engine found is no article (a shell, a listing, a stub)
        if "body" not in names:
            names = [n for n in names if n not in WITH_BODY and n != "published_at"]
        for name in names:
            value = getattr(got, name)
            setattr(article, name, list(value) if isinstance(value, list) else value)
            fallback.add(name)
            source[name] = "generic"
    if (
        article.body
        and source.get("body") != "generic"
        and parser.crosscheck_enabled()
        and not clears_cheaply(html, article.body)
    ):
        try:
            root = parse_document(html)
        except ValueError:
            root = None
        if root is not None:
            try:
                here = {parser.canonical_url(url), article.url}
            except (ValueError, NotImplementedError):
                here = {url, article.url}

            def same_article(href: str) -> bool:
                """True for a link to this article, or to a page that is no article (home, category)."""
                try:
                    target = urljoin(url, href)
                    return not parser.is_article_url(target) or parser.canonical_url(target) in here
                except (ValueError, NotImplementedError):
                    return True

            reason = suspect_reason(article, root, same_article, generic, _hidden_selector(html))
            if reason:
                extraction["suspect"] = reason
    if source:
        extraction["source"] = dict(sorted(source.items()))
    extraction["fallback"] = sorted(fallback)
    article.extraction = extraction
    return article
