"""One spider per registry entry, generated: adding a site is a `sites.toml` entry, not a class.

`scrapy list` shows them (crawler.spiderloader adds them to Scrapy's own loader); `scrapy crawl
<key>` runs one. A site that needs behaviour of its own can still get a hand-written subclass in
this package, named after its key: the loader keeps a spider class it finds over a generated one.
"""

from __future__ import annotations

from functools import cache

from crawler.sites import SITES
from crawler.spiders.base import PortalSpider
from crawler.spiders.liferay import LiferaySpider
from crawler.spiders.wordpress import WordPressSpider

FAMILY_SPIDERS: dict[str, type[PortalSpider]] = {"liferay": LiferaySpider, "wordpress": WordPressSpider}


def _class_name(key: str) -> str:
    return "".join(part.capitalize() for part in key.replace("_", "-").split("-")) + "Spider"


@cache
def _make_spider(key: str, family: str) -> type[PortalSpider]:
    base = FAMILY_SPIDERS[family]
    return type(_class_name(key), (base,), {"name": key, "site_key": key, "__module__": __name__})


def site_spider(key: str) -> type[PortalSpider]:
    """The spider class of registry entry `key` (KeyError naming the known sites otherwise)."""
    if key not in SITES:
        raise KeyError(f"unknown site {key!r}; known: {', '.join(sorted(SITES))}")
    return _make_spider(key, SITES[key].family)


def site_spiders() -> dict[str, type[PortalSpider]]:
    return {key: site_spider(key) for key in SITES}
