"""An article's files: the documents its content links or embeds, one rule for every parser.

A link is a document when a segment of its path names a file of a type the engine knows
(rules.DOCUMENT_EXTENSIONS: "/files/bao-cao.pdf", and Liferay's "/documents/1/2/bao-cao.pdf/<uuid>"),
or when it is a viewer given the file as a parameter (docs.google.com/viewer?url=..., pdf.js
?file=...). Links, iframes, embeds and objects count. Pure: no tree is changed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlsplit

from crawler.content.rules import DOCUMENT_HINT, DOCUMENT_PATH
from crawler.normalize.urls import absolute_url

if TYPE_CHECKING:  # crawler.parsers imports this module: no import of it at run time
    from crawler.parsers.dom import Node

__all__ = ["document_links", "document_url", "is_document", "may_link_documents"]

# Elements whose reference may be a file, with the attribute that holds it.
_FILE_ELEMENTS = "a, iframe, embed, object"
_REF_ATTR = {"a": "href", "object": "data"}  # others: src
_URL_WS_RE = re.compile(r"[\t\n\r]")  # browsers (and absolute_url) drop them inside a URL
_VIEWER_PARAMS = ("url", "file", "src")


def is_document(url: str) -> bool:
    """A path segment names a document (Liferay puts a UUID after the file name)."""
    return any(DOCUMENT_PATH.search(seg) for seg in urlsplit(url).path.split("/") if seg)


def document_url(ref: str | None, base: str) -> str | None:
    """The document `ref` (resolved against `base`) links to, or None."""
    url = absolute_url(ref, base)
    if not url:
        return None
    if is_document(url):
        return url
    for key, value in parse_qsl(urlsplit(url).query):
        if key.lower() in _VIEWER_PARAMS and is_document(value):
            return absolute_url(value, base)
    return None


def document_links(roots: Iterable[Node], base: str) -> list[str]:
    """The documents the `roots` link or embed, in root order then document order, once each."""
    out: list[str] = []
    seen: set[str] = set()  # a set, not `out`: a page of 100k links stays linear
    # A relative ref ("?x") keeps the base's path: only then can the base make a file URL.
    base_hint = DOCUMENT_HINT.search(base) is not None
    for root in roots:
        for el in root.css(_FILE_ELEMENTS):
            ref = _ref(el)
            if not ref or not _may_name_document(ref, base_hint):
                continue  # cannot be a file: skip URL resolution, the costly part
            url = document_url(ref, base)
            if url and url not in seen:
                seen.add(url)
                out.append(url)
    return out


def may_link_documents(root: Node, base: str) -> bool:
    """False when no reference below `root` can be a document (`document_links` would find
    none there): a caller may then skip finding the containers to read."""
    refs = [_ref(el) or "" for el in root.css(_FILE_ELEMENTS)]
    if not refs:
        return False
    if DOCUMENT_HINT.search(base) is not None:
        return True
    # `_may_name_document` of any ref, as one search of them all: a space (kept by _URL_WS_RE,
    # never "%") between two refs cannot be part of a hint, so no match spans two of them.
    joined = " ".join(refs)
    return "%" in joined or DOCUMENT_HINT.search(_URL_WS_RE.sub("", joined)) is not None


def _ref(el: Node) -> str | None:
    return el.attrs.get(_REF_ATTR.get(el.tag, "src"))


def _may_name_document(ref: str, base_hint: bool) -> bool:
    """A cheap superset of the refs `document_url` accepts: a file URL always shows its type,
    unless escaped in a query value (a "%") or given by the base (`base_hint`)."""
    return base_hint or "%" in ref or DOCUMENT_HINT.search(_URL_WS_RE.sub("", ref)) is not None
