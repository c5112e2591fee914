"""Scrapy's spider loader plus one generated spider per site of the registry.

Reads `VN_SITES_FILE` from the settings (so `-s VN_SITES_FILE=...` works like the environment
variable) before listing spiders: `scrapy list` shows a site as soon as it is in the file.
"""

from __future__ import annotations

from typing import Any

from scrapy.spiderloader import SpiderLoader

from crawler.sites import SITES


class SiteSpiderLoader(SpiderLoader):
    def __init__(self, settings: Any) -> None:
        spec = settings.get("VN_SITES_FILE")
        if spec:
            SITES.use(spec)
        super().__init__(settings)

    def _load_all_spiders(self) -> None:
        super()._load_all_spiders()
        from crawler.spiders import site_spiders

        for name, cls in site_spiders().items():
            self._spiders.setdefault(name, cls)
