"""Normalize a whole Article: the one place every text field goes through the shared cleaners.

Parsers already emit clean text; this is idempotent and guarantees the invariants for
anything that reaches the feed (also items re-extracted from WARC or built by hand).
"""

from __future__ import annotations

from datetime import UTC, datetime

from crawler.identity import article_id, content_hash
from crawler.items import Article, Image
from crawler.normalize.text import clean_lines, clean_text, is_clean_boilerplate


def _opt(text: str | None) -> str | None:
    cleaned = clean_text(text)
    return cleaned or None


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


def _images(images: list[Image]) -> list[Image]:
    seen: set[str] = set()
    out: list[Image] = []
    for img in images:
        src = (img.get("src") or "").strip()
        if not src or src in seen:
            continue
        seen.add(src)
        out.append({"src": src, "caption": _opt(img.get("caption"))})
    return out


def normalize_article(article: Article, *, now: datetime | None = None) -> Article:
    article.title = _opt(article.title)
    article.lead = _opt(article.lead)
    article.author = _opt(article.author)
    article.category = _opt(article.category)
    article.body = [p for p in clean_lines(article.body) if not is_clean_boilerplate(p)]
    article.captions = _unique([c for c in clean_lines(article.captions) if not is_clean_boilerplate(c)])
    article.tags = _unique(clean_lines(article.tags))
    article.images = _images(article.images)
    article.attachments = _unique([a.strip() for a in article.attachments if a and a.strip()])
    article.language = article.language or "vi"
    article.id = article_id(article.url)
    article.content_hash = content_hash(article)
    if article.crawled_at is None:
        moment = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
        article.crawled_at = moment.isoformat().replace("+00:00", "Z")
    return article
