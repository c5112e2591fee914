"""The generic content engine: any article page to its fields, without a template.

    parse once (lexbor) -> read metadata -> drop what is invisible -> title, dates, lead, byline
    -> drop page chrome -> choose the main block -> read it into paragraphs, pictures and
    captions (crawler.content.body: every parser's reader and caption rule) -> the featured
    picture -> prune boilerplate lines -> byline and lead out of the body

Pure: HTML and URL in, an `Extraction` out. Whether that is an article is the caller's call
(crawler.parsers.generic), from the evidence the extraction carries.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from crawler.content.blocks import choose_main, link_density
from crawler.content.body import BodyReader, parts, place_captions
from crawler.content.clean import strip_chrome, strip_invisible
from crawler.content.fields import (
    find_title,
    language_of,
    marked_lead,
    meta_author,
    published_dates,
    trailing_byline,
    visible_author,
)
from crawler.content.guard import flatten_deep
from crawler.content.images import featured_image
from crawler.content.meta import PageMeta, read_meta
from crawler.content.rules import END_OF_ARTICLE, LINE_CHROME
from crawler.content.walker import Para
from crawler.items import Image
from crawler.normalize.dates import parse_english_date, parse_vn_date
from crawler.normalize.text import clean_text, fold_words, is_clean_boilerplate
from crawler.parsers.dom import Node, parse_document

__all__ = ["Extraction", "extract"]

_MAX_LINK_SHARE = 0.6  # a paragraph mostly made of links is a related list or a tag row
_END_HEADING = 80  # characters: a longer line is prose, never a section heading
_DATE_LINE = 60
_WORDS = re.compile(r"[^\W\d_]{3,}")  # a date line holds a few words at most ("Thứ hai", "August")
_SHORT = 400  # characters of body below which the class rules are suspected of removing it
_MAX_REREAD = 2_000_000  # bytes: a page larger than this is read once (a second parse costs seconds)


@dataclass
class Extraction:
    title: str | None = None
    published_at: str | None = None
    modified_at: str | None = None
    lead: str | None = None
    body: list[str] = field(default_factory=list)
    images: list[Image] = field(default_factory=list)
    captions: list[str] = field(default_factory=list)
    author: str | None = None
    language: str = "und"
    declared_article: bool = False  # og:type / JSON-LD say "article"
    link_density: float = 0.0  # of the chosen block
    linked_headings: int = 0  # headings that are links in the chosen block: a listing's teasers
    has_password: bool = False  # a login form
    meta: PageMeta = field(default_factory=PageMeta)


def extract(html: str | bytes, url: str) -> Extraction:
    """The page's article fields. When the class/id chrome rules leave less than a short
    article, the page is read again with chrome removed by tag only (a theme may call its
    post "widget Blog" or wrap it in "sidebar-content"), and the longer body wins."""
    html = flatten_deep(html)
    first = _extract(html, url, by_class=True)
    if _size(first) >= _SHORT or len(html) > _MAX_REREAD:
        return first
    second = _extract(html, url, by_class=False)
    # The second reading keeps bylines and share bars the class rules removed: it must have
    # found clearly more text to win, not a meta line more.
    return second if _size(second) > 2 * _size(first) + 100 else first


def _size(out: Extraction) -> int:
    return sum(len(p) for p in out.body)


def _extract(html: str | bytes, url: str, by_class: bool) -> Extraction:
    root = parse_document(html)
    pm = read_meta(root)
    strip_invisible(root)
    body = root.css_first("body") or root
    out = Extraction(meta=pm, declared_article=pm.is_article)
    out.has_password = root.css_first('input[type="password"]') is not None
    full_text = body.text(deep=True)
    sample = full_text[:4000] + " " + (pm.html_title or "")
    out.language = language_of(pm, sample)
    vietnamese = out.language == "vi"
    out.title, h1 = find_title(root, pm, url)
    out.published_at, out.modified_at = published_dates(root, pm, h1, vietnamese, url)
    lead_node = marked_lead(body)
    byline = visible_author(body, pm, url)
    keep = frozenset({lead_node.mem_id} if lead_node is not None else ())
    strip_chrome(body, keep, by_class, len(full_text))
    blocks = choose_main(body) or [body]
    out.link_density = max(link_density(b) for b in blocks)
    out.linked_headings = sum(len(b.css("h2 a, h3 a, h4 a")) for b in blocks)
    skip = {h1.mem_id} if h1 is not None else set()
    if lead_node is not None and lead_node.mem_id not in {b.mem_id for b in blocks}:
        skip.add(lead_node.mem_id)
    reader = BodyReader(url)
    frozen = frozenset(skip)
    for block in blocks:
        reader.read(block, frozen)
    placed = place_captions(reader.blocks)
    featured = featured_image(blocks, url)
    if featured is not None:  # the picture above the text, with its caption, unless shown again
        img, holder = featured
        src = reader.image_src(img)
        if all(b.src != src for b in placed):
            placed[:0] = [b for b in place_captions(BodyReader(url).read(holder)) if b.src == src]
    paras = _prune([b.para for b in placed if b.para is not None], out.title, vietnamese)
    author = trailing_byline(paras, pm, url)
    if author:
        paras.pop()
    out.author = author or byline or meta_author(pm, url)
    out.lead, paras = _lead(lead_node, paras, pm, vietnamese)
    out.body = [p.text for p in paras]
    _ld_body_fallback(out, pm)
    _, out.images, out.captions = parts(placed)
    return out


def _prune(paras: list[Para], title: str | None, vietnamese: bool) -> list[Para]:
    title_key = fold_words(title) if title else None
    title_len = 2 * len(title) if title else 0  # a longer paragraph cannot repeat the title
    kept: list[Para] = []
    for para in paras:
        text = para.text
        short = len(text) <= _END_HEADING
        if short and kept and END_OF_ARTICLE.fullmatch(text.strip(" :.…")):
            break  # "Tin liên quan" / "Related" / "Comments": the rest is not this article
        if short and (LINE_CHROME.fullmatch(text) or is_clean_boilerplate(text)):
            continue
        if para.links > _MAX_LINK_SHARE:
            continue
        if title_key and len(text) <= title_len and fold_words(text) == title_key:
            continue
        if len(text) <= _DATE_LINE and _date_line(text, vietnamese):
            continue  # a date line printed inside the block
        kept.append(para)
    return kept


def _date_line(text: str, vietnamese: bool) -> bool:
    """A short line that is a date and a few words at most ("Thứ hai, 19/04/2021 15:17",
    "August 23, 2018"; English month names off Vietnamese pages only, as for the page's date)."""
    if len(_WORDS.findall(text)) > 4:
        return False
    return bool(parse_vn_date(text) or (not vietnamese and parse_english_date(text)))


def _lead(
    lead_node: Node | None, paras: list[Para], pm: PageMeta, vietnamese: bool
) -> tuple[str | None, list[Para]]:
    """The lead and the body without it. A marked dek wins; else a meta description the page
    also prints as its first paragraph; else (Vietnamese pages) an all-bold first paragraph."""
    if lead_node is not None:
        lead = clean_text(lead_node.text(deep=True, separator=" "))
        key = fold_words(lead)
        return lead, [p for p in paras if fold_words(p.text) != key]
    if not paras:
        return None, paras
    description = pm.get("og:description", "description", "twitter:description")
    if description:
        key = fold_words(description.removesuffix("...").removesuffix("…"))
        for i, para in enumerate(paras[:2]):
            fold = fold_words(para.text)
            if key and (fold == key or (len(key) >= 60 and fold.startswith(key))):
                return para.text, paras[:i] + paras[i + 1 :]
    first = paras[0]
    if vietnamese and len(paras) >= 3 and first.bold > 0.9 and len(first.text) >= 80 and not first.heading:
        return first.text, paras[1:]
    return None, paras


def _ld_body_fallback(out: Extraction, pm: PageMeta) -> None:
    """JSON-LD articleBody when the walk found much less than the page declares it has."""
    declared = pm.ld.get("articleBody")
    if not isinstance(declared, str):
        return
    declared = declared.strip()
    found = sum(len(p) for p in out.body)
    if len(declared) >= 200 and found < 0.5 * len(declared):
        lines = [clean_text(line) for line in re.split(r"\n+", declared)]
        out.body = [line for line in lines if line]
