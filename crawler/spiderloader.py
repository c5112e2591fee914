"""Scrapy's spider loader plus one generated spider per site of the registry.

Reads `VN_SITES_FILE` from the settings (so `-s VN_SITES_FILE=...` works like the environment
variable) before listing spiders: `scrapy list` shows a site as soon as it is in the file.
Scrapy's command line builds the loader before any command runs, so a bad sites file is
reported here: one `error:` line and exit 2, for every command.
"""

from __future__ import annotations

import sys
from typing import Any

from scrapy import Spider
from scrapy.http import Request
from scrapy.spiderloader import SpiderLoader

from crawler.sites import SITES, SitesFileError


class SiteSpiderLoader(SpiderLoader):
    """Only Scrapy's public loader API (`load`, `list`, `find_by_request`) is extended: a spider
    class found in SPIDER_MODULES wins over the generated one of the same name."""

    def __init__(self, settings: Any) -> None:
        spec = settings.get("VN_SITES_FILE")
        try:
            SITES.use(spec or None)
        except SitesFileError as exc:
            print(f"error: {exc}", file=sys.stderr, flush=True)
            raise SystemExit(2) from None
        super().__init__(settings)
        from crawler.spiders import site_spiders

        found = set(super().list())
        self.generated: dict[str, type[Spider]] = {
            name: cls for name, cls in site_spiders().items() if name not in found
        }

    def load(self, spider_name: str) -> type[Spider]:
        try:
            return super().load(spider_name)
        except KeyError:
            if spider_name in self.generated:
                return self.generated[spider_name]
            raise

    def list(self) -> list[str]:
        return [*super().list(), *self.generated]

    def find_by_request(self, request: Request) -> list[str]:
        generated = [name for name, cls in self.generated.items() if cls.handles_request(request)]
        return [*super().find_by_request(request), *generated]
