"""`scrapy crawl`, with an exit status that tells cron when a site failed.

The stock command exits 0 whenever the spider started. Ours exits 1 when the run set
`vn/failure` (template-drift monitor) or did not finish normally.
"""

from __future__ import annotations

import argparse

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError

from crawler.internals import command_crawler
from crawler.summary import SiteSummary


class Command(ScrapyCrawlCommand):
    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError("give exactly one spider name (use `scrapy crawlall` for several)")
        assert self.crawler_process is not None
        crawler = command_crawler(self, args[0])
        self.crawler_process.crawl(crawler, **opts.spargs)
        self.crawler_process.start()
        summary = SiteSummary.from_stats(args[0], crawler.stats.get_stats() if crawler.stats else {})
        if self.crawler_process.bootstrap_failed or summary.failed:
            self.exitcode = 1
