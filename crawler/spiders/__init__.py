"""One spider per registry entry, generated: adding a site is a registry entry, not a class.

`scrapy list` shows them; `scrapy crawl <key>` runs one. A site that needs behaviour of its
own can still get a hand-written subclass here, named after its key.
"""

from __future__ import annotations

from crawler.sites import SITES
from crawler.spiders.base import PortalSpider
from crawler.spiders.liferay import LiferaySpider
from crawler.spiders.wordpress import WordPressSpider

FAMILY_SPIDERS: dict[str, type[PortalSpider]] = {"liferay": LiferaySpider, "wordpress": WordPressSpider}


def _class_name(key: str) -> str:
    return "".join(part.capitalize() for part in key.replace("_", "-").split("-")) + "Spider"


def _make_spider(key: str, family: str) -> type[PortalSpider]:
    base = FAMILY_SPIDERS[family]
    return type(_class_name(key), (base,), {"name": key, "site_key": key, "__module__": __name__})


SITE_SPIDERS: dict[str, type[PortalSpider]] = {key: _make_spider(key, s.family) for key, s in SITES.items()}
globals().update({cls.__name__: cls for cls in SITE_SPIDERS.values()})
