"""Template-drift monitor: field coverage per run, compared with the site's thresholds.

A site that changes its template usually keeps answering 200 while the parser quietly loses a
field. Every run counts, over the articles its parser produced, the share that has each field;
a share below the registry's threshold (`Site.coverage`), article pages fetched (or failed) with
no item at all, or a site whose listings all failed, fails the run: `vn/failure` names the site
and field, the summary prints it, and `scrapy crawl`/`crawlall` exit non-zero.

Provenance too (issue 12): the share of items whose field came from a fallback step
(`Article.extraction["fallback"]`: the family's stock structure or the generic engine) is
`vn/extraction/fallback/<field>`, the share flagged by the body cross-check
`vn/extraction/suspect`; a field from fallback on more than `VN_MONITOR_FALLBACK_THRESHOLD` of
the items fails the run ("template drift on thaibinh: body from fallback on 100 % of items").
The items themselves are kept. Like coverage, judged only from `VN_MONITOR_MIN_ITEMS` items.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy import signals
from scrapy.exceptions import NotConfigured

from crawler.items import Article

logger = logging.getLogger(__name__)

MONITORED = ("title", "published_at", "lead", "body", "captions", "author")
# Fields an item may name in extraction["fallback"], in the order the monitor reports them.
FALLBACK_FIELDS = ("body", "title", "published_at", "lead", "author", "images", "captions")
_SUSPECT_BIT = 1 << len(FALLBACK_FIELDS)


def coverage(items: list[Article]) -> dict[str, float]:
    return mask_coverage([field_mask(it) for it in items])


def field_mask(item: Article) -> int:
    """Which MONITORED fields the item has, as bits (bit i: MONITORED[i])."""
    return sum(1 << i for i, name in enumerate(MONITORED) if getattr(item, name))


def provenance_mask(item: Article) -> int:
    """Which FALLBACK_FIELDS came from a fallback step, and (the next bit) a suspect body."""
    found = item.extraction or {}
    names = set(found.get("fallback") or ())
    mask = sum(1 << i for i, name in enumerate(FALLBACK_FIELDS) if name in names)
    return mask | (_SUSPECT_BIT if found.get("suspect") else 0)


def provenance_rates(masks: list[int]) -> tuple[dict[str, float], float]:
    """Per field, the share of items with that field from fallback; and the share suspect."""
    if not masks:
        return {}, 0.0
    n = len(masks)
    shares = {name: sum(1 for m in masks if m >> i & 1) / n for i, name in enumerate(FALLBACK_FIELDS)}
    return {k: v for k, v in shares.items() if v}, sum(1 for m in masks if m & _SUSPECT_BIT) / n


def fallback_failures(shares: dict[str, float], threshold: float) -> list[str]:
    return [
        f"{name} from fallback on {share * 100:.0f} % of items"
        for name, share in sorted(shares.items(), key=lambda kv: -kv[1])  # the worst first
        if share > threshold
    ]


def provenance_note(shares: dict[str, float], suspect: float, n: int) -> str:
    fields = ", ".join(f"{name} {share * 100:.0f} %" for name, share in shares.items()) or "none"
    return f"fallback: {fields}; suspect body {suspect * 100:.0f} % (of {n} items)"


def mask_coverage(masks: list[int]) -> dict[str, float]:
    if not masks:
        return {}
    return {name: sum(1 for m in masks if m >> i & 1) / len(masks) for i, name in enumerate(MONITORED)}


def coverage_failures(shares: dict[str, float], thresholds: dict[str, float]) -> list[str]:
    return [
        f"field {name!r} on {shares.get(name, 0.0):.0%} of items, below the {minimum:.0%} threshold"
        for name, minimum in thresholds.items()
        if shares.get(name, 0.0) < minimum
    ]


class DriftMonitor:
    def __init__(self, crawler: Any, min_items: int, fallback_threshold: float = 0.2) -> None:
        self.crawler = crawler
        self.min_items = min_items
        self.fallback_threshold = fallback_threshold
        self.provenance: dict[str, int] = {}  # URL -> provenance_mask of its latest item
        # URL -> field_mask of its latest item: not the item itself, which would keep every article
        # of the run in memory (~6 KB each: 300 MB at 50,000 articles, bench/RESULTS.md).
        self.masks: dict[str, int] = {}

    @classmethod
    def from_crawler(cls, crawler: Any) -> DriftMonitor:
        if not crawler.settings.getbool("VN_MONITOR_ENABLED", True):
            raise NotConfigured("VN_MONITOR_ENABLED is off")
        settings = crawler.settings
        ext = cls(
            crawler,
            settings.getint("VN_MONITOR_MIN_ITEMS", 20),
            settings.getfloat("VN_MONITOR_FALLBACK_THRESHOLD", 0.2),
        )
        crawler.signals.connect(ext.item_seen, signal=signals.item_scraped)
        crawler.signals.connect(ext.item_seen, signal=signals.item_dropped)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def item_seen(self, item: Any, **_: Any) -> None:
        # Dropped items count too: a duplicate is still a parse, and a reject shows the drift.
        if isinstance(item, Article):
            self.masks[item.url] = field_mask(item)
            self.provenance[item.url] = provenance_mask(item)

    def spider_closed(self, spider: Any, reason: str) -> None:
        site = getattr(spider, "site", None)
        if site is None or reason != "finished":
            return
        stats = self.crawler.stats
        items = list(self.masks.values())
        shares = mask_coverage(items)
        for name, share in shares.items():
            stats.set_value(f"vn/coverage/{name}", round(share, 3))
        fallback, suspect = provenance_rates(list(self.provenance.values()))
        for name, share in fallback.items():
            stats.set_value(f"vn/extraction/fallback/{name}", round(share, 3))
        if items:
            stats.set_value("vn/extraction/suspect", round(suspect, 3))
            note = provenance_note(fallback, suspect, len(self.provenance))
            stats.set_value("vn/extraction/summary", note)
            logger.info("%s: %s", site.key, note)
        article_pages = stats.get_value("vn/pages/article", 0)
        failed_articles = stats.get_value("vn/errors/article", 0)
        failed_listings = sum(stats.get_value(f"vn/errors/{k}", 0) for k in ("listing", "discovery"))
        failures: list[str] = []
        if article_pages and not items:
            failures.append(f"{article_pages} article pages fetched but no item parsed")
        elif failed_articles and not items:
            failures.append(f"all {failed_articles} article pages failed to download")
        if failed_listings and not stats.get_value("vn/pages/listing", 0) and not items:
            failures.append(f"the site is unreachable: {failed_listings} listing pages failed")
        elif len(items) >= self.min_items:
            failures += coverage_failures(shares, site.coverage)
            failures += fallback_failures(fallback, self.fallback_threshold)
        elif items:
            # A share of 3 items says little (1 of 3 without an author is "33 %"): not an alarm.
            stats.set_value("vn/coverage/judged", f"too few items to judge ({len(items)} < {self.min_items})")
            logger.info("%s: too few items to judge coverage (%d < %d)", site.key, len(items), self.min_items)
        if failures:
            message = f"template drift on {site.key}: " + "; ".join(failures)
            old = stats.get_value("vn/failure")
            # First: a drift explains the articles it cost (the spider's "lost data" reason).
            stats.set_value("vn/failure", f"{message}; {old}" if old else message)
            logger.error(message)
