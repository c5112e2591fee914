"""The one item this project emits: a normalized news article.

Parsers fill the content fields and `extraction` (which template parser, which version); the
spider fills provenance (`site`, `fetched_url`);
the pipelines fill identity and bookkeeping (`id`, `content_hash`, `revision`,
`crawled_at`, `schema_version`). `schema/article.schema.json` documents the
serialized form and is validated against in the tests.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any, TypedDict

SCHEMA_VERSION = "1.1"  # 1.1: optional `extraction`; `language` any ISO 639 code


class Image(TypedDict):
    src: str  # absolute URL
    caption: str | None


@dataclass
class Article:
    # Content, filled by the per-template parser (pure, no Scrapy).
    url: str  # canonical URL: identifies the article
    title: str | None = None
    published_at: str | None = None  # ISO 8601, +07:00; "YYYY-MM-DD" when the page shows no time
    modified_at: str | None = None
    lead: str | None = None
    body: list[str] = field(default_factory=list)
    captions: list[str] = field(default_factory=list)
    images: list[Image] = field(default_factory=list)
    author: str | None = None
    attachments: list[str] = field(default_factory=list)
    category: str | None = None
    tags: list[str] = field(default_factory=list)
    source_id: str | None = None  # the CMS's own id when known, e.g. "wp:1234", "liferay:85214"
    language: str = "vi"  # ISO 639-1 ("vi", "en"...), "und" when the page does not tell
    # How the parser found the fields: {"template": <template key>, "parser_version": <its version>,
    # "fallback": [<field>, ...]}, the fields (sorted) that the template's own selectors missed and
    # the family's stock structure (or the generic extractor) gave. The auto template names the
    # template it chose. None for items not built by a template parser.
    extraction: dict[str, Any] | None = None
    # Provenance, filled by the spider.
    site: str | None = None
    fetched_url: str | None = None
    # Identity and bookkeeping, filled by the pipelines.
    id: str | None = None
    content_hash: str | None = None
    revision: int = 1
    crawled_at: str | None = None
    schema_version: str = SCHEMA_VERSION


_FIELD_NAMES = tuple(f.name for f in fields(Article))


def article_record(article: Article) -> dict[str, Any]:
    """The item as the feed line's dict (field order kept). Shallow: the lists are the item's own.

    Same result as ``ItemAdapter(article).asdict()`` for an Article, ~50x cheaper (no adapter
    lookups per nested value), which shows at thousands of items a minute.
    """
    record = {name: getattr(article, name) for name in _FIELD_NAMES}
    if record["extraction"] is None:  # optional: records of registry templates stay as they were
        del record["extraction"]
    return record
