"""`scrapy crawl`, with a summary table, one-line errors and an exit status that tells cron
when a site failed.

The stock command exits 0 whenever the spider started and ends with Scrapy's raw stats dump.
Ours prints the same per-site table as `crawlall` (the dump is behind STATS_DUMP), exits 1 when
the run set `vn/failure` (template-drift monitor) or did not finish normally, and turns every
mistake (unknown spider, bad `-a` value, bad sites file, Redis or Chromium missing) into one
`error:` line and exit 2 (crawler/cli.py).
"""

from __future__ import annotations

import argparse

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError

from crawler.cli import CrawlErrors, known_errors, report, unknown_name
from crawler.internals import command_crawler
from crawler.runner import crawl_stats
from crawler.summary import SiteSummary, format_table


class Command(ScrapyCrawlCommand):
    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError("give exactly one spider name (use `scrapy crawlall` for several)")
        assert self.crawler_process is not None
        name = args[0]
        loader = self.crawler_process.spider_loader
        try:
            if name not in loader.list():
                raise unknown_name("spider", name, loader.list())
            spidercls = loader.load(name)
            check = getattr(spidercls, "check_arguments", None)
            if check is not None:
                check(opts.spargs)
            crawler = command_crawler(self, spidercls)
        except known_errors() as exc:
            self.exitcode = report(exc, self.settings)
            return
        errors = CrawlErrors()
        errors.watch(name, self.crawler_process.crawl(crawler, **opts.spargs))
        self.crawler_process.start()
        if errors.errors:
            self.exitcode = errors.report(self.settings)
            return
        stats = crawl_stats(crawler)
        summary = SiteSummary.from_stats(str(stats.get("vn/site") or name), stats)
        print(format_table([summary]))
        if self.crawler_process.bootstrap_failed or summary.failed:
            self.exitcode = 1
