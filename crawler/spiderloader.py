"""Scrapy's spider loader plus one generated spider per site of the registry.

Reads `VN_SITES_FILE` from the settings (so `-s VN_SITES_FILE=...` works like the environment
variable) before listing spiders: `scrapy list` shows a site as soon as it is in the file.
Scrapy's command line builds the loader before any command runs, so a bad sites file is
reported here: one `error:` line and exit 2, for every command.
"""

from __future__ import annotations

import sys
from typing import Any

from scrapy.spiderloader import SpiderLoader

from crawler.sites import SITES, SitesFileError


class SiteSpiderLoader(SpiderLoader):
    def __init__(self, settings: Any) -> None:
        spec = settings.get("VN_SITES_FILE")
        try:
            SITES.use(spec or None)
        except SitesFileError as exc:
            print(f"error: {exc}", file=sys.stderr, flush=True)
            raise SystemExit(2) from None
        super().__init__(settings)

    def _load_all_spiders(self) -> None:
        super()._load_all_spiders()
        from crawler.spiders import site_spiders

        for name, cls in site_spiders().items():
            self._spiders.setdefault(name, cls)
