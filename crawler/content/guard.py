"""Markup a browser survives but a tree builder chokes on: containers nested thousands deep.

lexbor (as the HTML5 algorithm asks) checks the stack of open elements on every start tag, so a
page of 100,000 nested <div>s costs seconds per parse, quadratically. Real pages nest a few dozen
levels; tags below MAX_DEPTH are dropped before parsing (their text stays), which keeps the parse
linear and changes nothing for a real page.
"""

from __future__ import annotations

import re

__all__ = ["MAX_DEPTH", "flatten_deep"]

MAX_DEPTH = 512
# Containers that need an explicit end tag (no implied closing to confuse the count).
_NAMES = (
    "div|span|section|article|aside|main|blockquote|font|b|i|em|strong|u|table|tbody|ul|ol|center|a|"
    "small|big|sub|sup"
)
_TAG = re.compile(rf"<(/?)(?:{_NAMES})(?=[\s>/])[^>]*>", re.IGNORECASE)
_TAG_BYTES = re.compile(_TAG.pattern.encode(), re.IGNORECASE)
# Below this many tags a page nests at most ~10,000 deep, which lexbor parses in about 0.1 s:
# not worth a regex scan of every ordinary page.
_CHEAP_LIMIT = 20_000


def flatten_deep(markup: str | bytes) -> str | bytes:
    """`markup` with container tags deeper than MAX_DEPTH removed; the same object when none is."""
    is_bytes = isinstance(markup, bytes)
    lt = b"<" if is_bytes else "<"
    if markup.count(lt) < _CHEAP_LIMIT:  # type: ignore[arg-type]
        return markup
    pattern = _TAG_BYTES if is_bytes else _TAG
    depth = 0
    deepest = 0
    for m in pattern.finditer(markup):  # type: ignore[arg-type]
        depth = max(0, depth - 1) if m.group(1) else depth + 1
        deepest = max(deepest, depth)
    if deepest <= MAX_DEPTH:
        return markup
    depth = 0
    empty = b"" if is_bytes else ""

    def keep_or_drop(m: re.Match) -> str | bytes:  # type: ignore[type-arg]
        nonlocal depth
        if m.group(1):
            depth = max(0, depth - 1)
            return m.group(0) if depth < MAX_DEPTH else empty
        depth += 1
        return m.group(0) if depth <= MAX_DEPTH else empty

    return pattern.sub(keep_or_drop, markup)  # type: ignore[arg-type]
