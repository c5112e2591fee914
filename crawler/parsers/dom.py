"""The HTML engine every template parser uses: lexbor, through selectolax.

Why lexbor and not lxml: a parser asks a page some 20-40 CSS questions (title, date, author,
fallback chains...). lexbor builds the tree about twice as fast as libxml2 and answers a CSS
selector in C in ~15 µs on a 70 KB page, where lxml's cssselect turns the same selector into an
XPath of string functions evaluated on every element (~250 µs). It also parses like a browser
(HTML5 tree construction), which is what a reader of the seeds saw.

Selectors are answered as a browser's querySelectorAll does: a node matches its own selectors, and
in `node.css("A B")` the A may be an ancestor above `node` (lxml's cssselect wanted the whole chain
inside; liferay_base.css_within keeps that reading where a template relies on it). A group "a, b"
lists a node once per member it matches.

Nodes keep their document alive. `==` compares two nodes' serialized HTML, not their identity:
use `mem_id` for "the same node". Text and comment nodes are nodes of their own (tags ``-text``,
``-comment``), so removing an element never loses the text after it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from selectolax.lexbor import LexborHTMLParser, LexborNode

from crawler.parsers.base import ParseError

__all__ = [
    "BR",
    "NO_TEXT_TAGS",
    "Node",
    "ancestors",
    "matches",
    "parse_document",
    "parse_fragment",
    "raw_text",
    "short_texts",
]

Node = LexborNode

TEXT = "-text"
# Private-use sentinel for <br> in raw text, so source newlines are not mistaken for breaks.
BR = "\ue000"
# Elements whose text is never content.
NO_TEXT_TAGS = frozenset(
    "script style noscript template select option button textarea svg iframe head".split()
)

_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>")
_XML_DECL_BYTES = re.compile(rb"^\s*<\?xml[^>]*\?>")


def parse_document(html: str | bytes) -> Node:
    """The page's <html> element, from text or from UTF-8 bytes (what normalize.page_markup
    gives). Raises ParseError for an empty page."""
    if not html or not html.strip():
        raise ParseError("empty page")
    if isinstance(html, bytes):
        markup: str | bytes = _XML_DECL_BYTES.sub(b"", html, count=1)
    else:
        markup = _XML_DECL.sub("", html, count=1)
    root = LexborHTMLParser(markup).root
    if root is None:  # pragma: no cover - lexbor always builds <html>, even for garbage
        raise ParseError("not parseable as HTML")
    return root


def parse_fragment(html: str | None) -> Node:
    """An HTML fragment (a REST `content.rendered`) parsed into a wrapper element (its <body>)."""
    body = LexborHTMLParser(f"<html><body>{html or ''}</body></html>").body
    assert body is not None  # lexbor always creates <body> for a document
    return body


def matches(node: Node, selector: str) -> bool:
    """Whether `node` itself matches `selector`.

    Not lexbor's css_matches, which answers whether the node or any node below it matches; a
    query's first match is the node itself when it matches (document order starts there).
    """
    first = node.css_first(selector)
    return first is not None and first.mem_id == node.mem_id


def ancestors(node: Node) -> Iterator[Node]:
    """Parents of `node`, nearest first, up to and including <html>."""
    parent = node.parent
    while parent is not None and parent.is_element_node:
        yield parent
        parent = parent.parent


def raw_text(node: Node, skip: frozenset[str] = frozenset()) -> str:
    """The node's text with <br> as BR; script-like subtrees and `skip` tags left out.

    Iterative: HTML5 tree building has no depth limit, so a recursive walk could overflow.
    """
    out: list[str] = []
    stack = [node]
    while stack:
        current = stack.pop()
        tag = current.tag
        if tag == TEXT:
            out.append(current.text_content or "")
        elif tag == "br":
            out.append(BR)
        elif current.is_element_node and tag not in NO_TEXT_TAGS and tag not in skip:
            stack.extend(reversed(list(current.iter(include_text=True))))
    return "".join(out)


def short_texts(nodes: list[Node], limit: int) -> list[str | None]:
    """Each node's text (lexbor's, deep) when it has at most `limit` characters, else None.

    Linear in the page, however deeply the nodes nest: asked node by node, 500 nested boxes
    around a long text would each build that text (a page's size times its depth). Here the
    deepest come first, and a node over the limit marks every node above it as over too, so a
    long text is built only for nodes whose own nodes below are all short: disjoint subtrees.
    """
    ids = {node.mem_id for node in nodes}
    over: set[int] = set()
    texts: dict[int, str] = {}
    for node in reversed(nodes):
        key = node.mem_id
        if key in over or key in texts:
            continue
        text = node.text(deep=True)
        if len(text) <= limit:
            texts[key] = text
            continue
        over.add(key)
        parent = node.parent
        while parent is not None:  # (at most the guard's depth, crawler.content.guard)
            if parent.mem_id in ids:
                if parent.mem_id in over:
                    break  # and everything above it was marked with it
                over.add(parent.mem_id)
            parent = parent.parent
    return [texts.get(node.mem_id) for node in nodes]
