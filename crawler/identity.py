"""Stable identities: the article id (from the canonical URL) and the content hash (from the content)."""

from __future__ import annotations

import hashlib
import json

from crawler.items import Article

# What makes two pages "the same article" for dedup and revisions; crawl bookkeeping is left out.
HASHED_FIELDS = ("title", "published_at", "lead", "body", "captions", "author")


def article_id(canonical_url: str) -> str:
    return hashlib.sha256(canonical_url.encode("utf-8")).hexdigest()[:32]


def content_hash(article: Article) -> str:
    payload = {name: getattr(article, name) for name in HASHED_FIELDS}
    payload["images"] = [img["src"] for img in article.images]
    raw = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()
