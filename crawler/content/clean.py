"""Tree cleaning before scoring: what a reader never sees, then what is page chrome.

Both work in place on the page's own tree (the engine parses each page once and owns it).
Removals are decided first, then applied last element first, so no element is touched after an
ancestor of it was unlinked.
"""

from __future__ import annotations

from functools import lru_cache

from crawler.content.rules import CHROME_TAGS, HIDDEN_STYLE, UNLIKELY, UNLIKELY_OK
from crawler.parsers.dom import Node

__all__ = ["drop_all", "is_unlikely", "strip_chrome", "strip_invisible"]

# Kept short: lexbor answers a selector group one member at a time over the whole tree, and
# form controls, <object> and the like are skipped by the walker anyway (dom.NO_TEXT_TAGS).
_NEVER_TEXT = "script, style, noscript, template, svg, iframe"
_NEVER_TEXT_TAGS = frozenset(_NEVER_TEXT.split(", "))
_HIDDEN_CLASSES = frozenset("hidden d-none hide sr-only screen-reader-text visually-hidden invisible".split())
_HIDDEN = (
    '[hidden], [aria-hidden="true"], .hidden, .d-none, .hide, .sr-only, .screen-reader-text, '
    ".visually-hidden, .invisible"
)
# Share of the page's text above which an element is kept whatever its class says: a theme that
# names its main wrapper "content-with-sidebar" or "comments-open" must not lose the article.
_GUARD = 0.5
_KEEP_TAGS = frozenset(("html", "body", "head"))
_CHROME_TAG_SET = frozenset(t.split("[")[0].strip() for t in CHROME_TAGS.split(",")) - {"form"}
# Elements whose class/id is read: containers, not inline runs (a chrome <span> inside a kept
# paragraph is left to the line rules).
_NAMED_TAGS = frozenset(
    "div section ul ol li p table figure blockquote nav aside footer header form dialog menu".split()
)


@lru_cache(maxsize=16384)  # a page repeats its class strings (menu items, list rows)
def is_unlikely(names: str) -> bool:
    """Whether a "class id" string (lower-case) names page chrome: a class token says chrome and
    none says content. No rule matches whitespace, and whitespace is a word boundary like the
    end of a token, so one search over the string answers what a search per token would."""
    # The content test only runs for the few strings a chrome rule matched.
    return UNLIKELY.search(names) is not None and UNLIKELY_OK.search(names) is None


@lru_cache(maxsize=16384)
def _names_unlikely(cls: str | None, ident: str | None) -> bool:
    """`is_unlikely` of an element's class and id attributes, cached on the raw pair."""
    return is_unlikely(f"{cls or ''} {ident or ''}".lower())


@lru_cache(maxsize=4096)
def _hidden_style(style: str) -> bool:
    return HIDDEN_STYLE.search(style) is not None


def drop_all(nodes: list[Node]) -> None:
    """Unlink `nodes` (document order) with their subtrees. Last first: an element inside another
    one of the list is unlinked before its ancestor, so no node is touched after the subtree
    holding it went, and no ancestor chain is walked (markup may nest thousands deep)."""
    done: set[int] = set()
    for el in reversed(nodes):
        if el.tag in _KEEP_TAGS or el.mem_id in done:
            continue
        done.add(el.mem_id)
        el.decompose(recursive=False)


def strip_invisible(root: Node) -> None:
    """Scripts, styles, embeds and every hidden element (attribute, aria, inline style, class)."""
    # One query, so the list is in document order (drop_all relies on it); an element it gives
    # only for a "none"/"hidden" in its style ("border: none") is kept.
    found = [
        el
        for el in root.css(f"{_NEVER_TEXT}, {_HIDDEN}, [style*=none], [style*=hidden]")
        if el.tag in _NEVER_TEXT_TAGS or _hidden(el)
    ]
    drop_all(found)


def _hidden(el: Node) -> bool:
    attrs = el.attributes
    if _hidden_style(attrs.get("style") or ""):
        return True
    if "hidden" in attrs or (attrs.get("aria-hidden") or "").lower() == "true":
        return True
    return not _HIDDEN_CLASSES.isdisjoint((attrs.get("class") or "").split())


def strip_chrome(
    body: Node, keep: frozenset[int] = frozenset(), by_class: bool = True, text_length: int | None = None
) -> None:
    """Navigation, asides, footers, share/related/comment/ad blocks: by tag and by class/id.

    `keep` holds mem_ids never removed. An element holding more than half of the page's text
    stays: it is the content wrapper, whatever its name. `by_class=False` removes by tag only
    (the engine's second try when the class rules left too little). `text_length` is the body's
    text length when the caller has it.
    """
    if text_length is None:
        text_length = len(body.text(deep=True))
    limit = _GUARD * max(1, text_length)
    found: list[Node] = []
    # Elements already decided: seen once (a selector group lists an element once per member it
    # matches), or inside a subtree taken for removal, which goes with it whatever it is.
    done: set[int] = set()
    for el in body.css(f"{CHROME_TAGS}, [class], [id]" if by_class else CHROME_TAGS):
        tag = el.tag
        if tag not in _NAMED_TAGS:
            continue
        mem_id = el.mem_id
        if mem_id in keep or mem_id in done:
            continue
        done.add(mem_id)
        if tag not in _CHROME_TAG_SET:
            attrs = el.attributes
            if not _names_unlikely(attrs.get("class"), attrs.get("id")):
                continue
        if len(el.text(deep=True)) <= limit:
            found.append(el)
            done.update([d.mem_id for d in el.traverse()])
    drop_all(found)
