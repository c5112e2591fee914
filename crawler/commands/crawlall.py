"""`scrapy crawlall`: crawl every configured site (or --sites a,b) in one process.

Prints a summary table and exits non-zero when any site failed (an error stop, a drift monitor
alarm, or pages fetched but nothing usable). A mistake (unknown site, bad `-a` value, Redis or
Chromium missing) is one `error:` line and exit 2 (crawler/cli.py).
"""

from __future__ import annotations

import argparse

from scrapy.commands import BaseRunSpiderCommand

from crawler.cli import CrawlErrors, known_errors, report
from crawler.runner import schedule_sites, summaries
from crawler.sites import SITES
from crawler.summary import format_table


class Command(BaseRunSpiderCommand):
    requires_project = True

    def syntax(self) -> str:
        return "[options]"

    def short_desc(self) -> str:
        return "Crawl every configured site in one process and print a per-site summary"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--sites", default="", help="comma-separated site keys (default: all)")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        keys = [k for k in opts.sites.split(",") if k] or list(SITES)
        assert self.crawler_process is not None
        errors = CrawlErrors()
        try:
            crawlers = schedule_sites(self.crawler_process, keys, opts.spargs, watch=errors.watch)
        except known_errors() as exc:
            self.exitcode = report(exc, self.settings)
            return
        self.crawler_process.start()
        rows = summaries(crawlers)
        print(format_table(rows))
        if errors.errors:
            self.exitcode = errors.report(self.settings, per_site=True)
        elif self.crawler_process.bootstrap_failed or any(r.failed for r in rows):
            self.exitcode = 1
