"""A page's complexity budget, checked before parsing: markup nested too deep is refused.

HTML5 tree building has no depth limit, and a few of the parsers' steps cost the depth of the
tree for each element: 100,000 nested <div>s take minutes and hold the reactor (every other
download times out meanwhile). Real portal pages nest 20 to 60 levels; the golden tests parse
pages 3,000 deep. `markup_depth` estimates the nesting from the raw markup in one linear pass:
elements that are void or whose end tag HTML lets one omit (p, li, td ...) are not counted, so
sloppy markup does not read as deep.
"""

from __future__ import annotations

import re

_TAG = re.compile(rb"<(/?)([a-zA-Z][a-zA-Z0-9-]*)[^>]*?(/?)>")
_NOT_COUNTED = frozenset(
    b"area base br col embed hr img input link meta param source track wbr "  # void
    b"p li dt dd tr td th option optgroup rb rt rp thead tbody tfoot colgroup caption "  # optional end
    b"html head body script style".split()
)


def markup_depth(html: str | bytes, limit: int) -> int:
    """The deepest nesting of counted elements, or the first depth over `limit` (stops there)."""
    data = html.encode("utf-8", "replace") if isinstance(html, str) else html
    depth = deepest = 0
    for m in _TAG.finditer(data):
        name = m.group(2).lower()
        if name in _NOT_COUNTED or m.group(3):
            continue
        if m.group(1):
            depth = max(depth - 1, 0)
            continue
        depth += 1
        if depth > deepest:
            deepest = depth
            if deepest > limit:
                break
    return deepest
