"""Which element holds the article: paragraphs vote for their ancestors (readability's scoring).

Every run of text is owned by its nearest block element; an owner with enough text is a
paragraph and gives its parent, grandparent and great-grandparent a score from its length and
commas. A candidate starts from its tag and its class/id hints, and its total is discounted by
its link density. The best candidate wins, and siblings that score close to it (or are plain
paragraphs of prose next to it) join it, in document order.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from crawler.content.rules import BLOCK_TAGS, NEGATIVE, POSITIVE
from crawler.parsers.dom import NO_TEXT_TAGS, Node

__all__ = ["Candidate", "choose_main", "link_density"]

_TEXT = "-text"
_MIN_PARAGRAPH = 25  # characters: shorter runs (labels, buttons) vote for nothing
_LEVELS = (1.0, 0.5, 1 / 3)  # what a paragraph gives its parent, grandparent, great-grandparent
_TAG_BONUS = {"div": 5, "article": 8, "main": 3, "section": 2, "pre": 3, "td": 3, "blockquote": 3,
              "form": -3, "ol": -3, "ul": -3, "dl": -3, "li": -3, "th": -5, "address": -3,
              "h1": -5, "h2": -5, "h3": -5, "h4": -5, "h5": -5, "h6": -5}  # fmt: skip
_MAX_UP = 64  # ancestors climbed from a text node to its owner block
_MAX_TEXT_RUNS = 50_000  # text nodes scored: an article's are within the first of them
_PROSE = 60  # characters: a paragraph of prose (with few links) from this length
_PROSE_GAIN = 200  # characters of prose an ancestor must add to be read instead
_MAX_CLIMB = 6  # ancestors looked at (wrappers that add nothing are passed through)
_SMALL = 500  # characters: a candidate with less text than this is scaled down (a byline box)


@dataclass
class Candidate:
    node: Node
    score: float


def _class_weight(node: Node) -> int:
    attrs = node.attributes
    return _name_weight(attrs.get("class") or "") + _name_weight(attrs.get("id") or "")


@lru_cache(maxsize=16384)  # candidates of one page and one theme share their class strings
def _name_weight(name: str) -> int:
    if not name:
        return 0
    name = name.lower()
    return (25 if POSITIVE.search(name) else 0) - (25 if NEGATIVE.search(name) else 0)


def link_density(node: Node) -> float:
    return _density(node, node.text(deep=True))


def _density(node: Node, text: str) -> float:
    """`link_density` of `node`, whose text the caller has read."""
    total = len(text.strip())
    if not total:
        return 0.0
    links = sum(len(a.text(deep=True).strip()) for a in node.css("a"))
    return min(1.0, links / total)


def _owners(body: Node) -> dict[int, tuple[Node, list[str], list[int]]]:
    """Text runs grouped by their owner block (mem_id -> node, texts, [characters in links])."""
    owners: dict[int, tuple[Node, list[str], list[int]]] = {}
    resolved: dict[int, tuple[Node | None, bool]] = {}  # a text node's parent -> (owner, in a link)
    seen = 0
    for node in body.traverse(include_text=True):
        if node.tag != _TEXT:
            continue
        seen += 1
        if seen > _MAX_TEXT_RUNS:
            break
        text = node.text_content
        if not text or text.isspace():
            continue
        parent = node.parent
        if parent is None:
            continue
        known = resolved.get(parent.mem_id)
        if known is None:
            known = resolved[parent.mem_id] = _owner_of(parent)
        owner, linked = known
        if owner is None:
            continue
        entry = owners.get(owner.mem_id)
        if entry is None:
            entry = owners[owner.mem_id] = (owner, [], [0])
        entry[1].append(text)
        if linked:
            entry[2][0] += len(text)
    return owners


def _owner_of(parent: Node) -> tuple[Node | None, bool]:
    """The nearest block at or above `parent`, and whether a link lies on the way; (None, _) for
    text in a script-like element or directly in <body>."""
    owner: Node | None = parent
    up = 0
    linked = False
    while owner is not None and owner.tag not in BLOCK_TAGS and up < _MAX_UP:
        if owner.tag in NO_TEXT_TAGS:
            return None, False
        linked = linked or owner.tag == "a"
        owner = owner.parent
        up += 1
    if owner is None or owner.tag in NO_TEXT_TAGS or owner.tag in ("html", "body"):
        return None, False
    return owner, linked


def choose_main(body: Node) -> list[Node]:
    """The element(s) holding the article's text, in document order; [] when no run of text is
    long enough to be a paragraph."""
    scores: dict[int, Candidate] = {}
    prose: dict[int, int] = {}  # mem_id -> characters of prose paragraphs below it
    chains: dict[int, list[int]] = {}  # a paragraph's parent -> mem_ids from it up to <body>
    for owner, texts, links in _owners(body).values():
        text = " ".join(" ".join(texts).split())
        if len(text) < _MIN_PARAGRAPH:
            continue
        if len(text) >= _PROSE and links[0] < 0.3 * len(text):
            _add_prose(owner, len(text), prose, chains)
        points = 1 + text.count(",") + text.count("،") + min(len(text) // 100, 3)
        ancestor = owner if owner.tag in ("td", "pre", "blockquote") else owner.parent
        for weight in _LEVELS:
            if ancestor is None or ancestor.tag in ("html", "body") or not ancestor.is_element_node:
                break
            cand = scores.get(ancestor.mem_id)
            if cand is None:
                cand = scores[ancestor.mem_id] = Candidate(
                    ancestor, _TAG_BONUS.get(ancestor.tag, 0) + _class_weight(ancestor)
                )
            cand.score += points * weight
            ancestor = ancestor.parent
    if not scores:
        return []
    ranked = sorted(scores.values(), key=lambda c: c.score, reverse=True)[:5]
    for cand in ranked:
        text = cand.node.text(deep=True)
        density = _density(cand.node, text)
        cand.score *= (1 - density * density) * min(1.0, len(text) / _SMALL)
    top = max(ranked, key=lambda c: c.score)
    top = Candidate(_climb(top.node, prose), top.score)
    return _with_siblings(top, scores)


def _add_prose(owner: Node, size: int, prose: dict[int, int], chains: dict[int, list[int]]) -> None:
    """Count a prose paragraph of `size` characters for `owner` and its ancestors below <body>
    (at most _MAX_UP of them). Paragraphs share parents: the chain above one is read once."""
    if owner.tag in ("html", "body"):
        return
    parent = owner.parent
    chain = None if parent is None else chains.get(parent.mem_id)
    if chain is None:
        chain = []
        node = parent
        while node is not None and node.tag not in ("html", "body") and len(chain) < _MAX_UP - 1:
            chain.append(node.mem_id)
            node = node.parent
        if parent is not None:
            chains[parent.mem_id] = chain
    prose[owner.mem_id] = prose.get(owner.mem_id, 0) + size
    for mem_id in chain:
        prose[mem_id] = prose.get(mem_id, 0) + size


def _climb(node: Node, prose: dict[int, int]) -> Node:
    """An ancestor of the winner that holds clearly more prose, when little else comes with it:
    an article cut into several blocks (by ads, by a CMS's paragraph widgets) is read whole."""
    best = node
    mine = prose.get(node.mem_id, 0)
    parent = node.parent
    for _ in range(_MAX_CLIMB):
        if parent is None or parent.tag in ("html", "body"):
            break
        theirs = prose.get(parent.mem_id, 0)
        if theirs >= 1.25 * mine + _PROSE_GAIN:
            if theirs < 0.8 * len(parent.text(deep=True).strip()):
                break  # the gain comes with chrome (lists, teasers): a fifth of it is too much
            best, mine = parent, theirs
        parent = parent.parent
    return best


def _with_siblings(top: Candidate, scores: dict[int, Candidate]) -> list[Node]:
    parent = top.node.parent
    if parent is None or parent.tag in ("html",):
        return [top.node]
    threshold = max(10.0, top.score * 0.2)
    top_class = top.node.attributes.get("class")
    out: list[Node] = []
    for sib in parent.iter():
        if sib.mem_id == top.node.mem_id:
            out.append(sib)
            continue
        if sib.tag in NO_TEXT_TAGS:
            continue
        bonus = top.score * 0.2 if top_class and sib.attributes.get("class") == top_class else 0.0
        cand = scores.get(sib.mem_id)
        if cand is not None and cand.score + bonus >= threshold:
            out.append(sib)
        elif sib.tag == "p":
            text = sib.text(deep=True).strip()
            density = link_density(sib)
            if (len(text) > 80 and density < 0.25) or (0 < len(text) <= 80 and density == 0 and ". " in text):
                out.append(sib)
    return out
