"""`scrapy seed <site>`: push a site's start requests into the shared Redis frontier.

Runs the site's spider in seed-only mode: its `start()` requests go through the distributed
scheduler (shared dupefilter, then the Redis queue) and nothing is downloaded. A run that is
already seeded and not finished is left alone (workers seed too, the first one wins), unless
`--force`, which first forgets the site's whole frontier: never use it while workers run.
"""

from __future__ import annotations

import argparse

from scrapy.commands import BaseRunSpiderCommand
from scrapy.exceptions import UsageError

from crawler.distributed import distributed_enabled, frontier_for
from crawler.internals import command_crawler


class Command(BaseRunSpiderCommand):
    requires_project = True

    def syntax(self) -> str:
        return "[options] <site>"

    def short_desc(self) -> str:
        return "Seed a site's start requests into the shared Redis frontier (distributed mode)"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument(
            "--force", action="store_true", help="forget the site's frontier first (no worker may be running)"
        )

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        assert self.settings is not None
        if not distributed_enabled(self.settings):
            raise UsageError("seeding needs distributed mode: set REDIS_URL (or -s REDIS_URL=...)")
        seed_only = {
            "VN_DISTRIBUTED": True,
            "VN_SEED_ONLY": True,
            "VN_SEED_FORCE": opts.force,
            # Nothing is fetched: no item, no output file, no run lock, no drift judgement.
            "ITEM_PIPELINES": {},
            "VN_MONITOR_ENABLED": False,
            "VN_PROGRESS_INTERVAL": 0,
        }
        self.settings.setdict(seed_only, priority="cmdline")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError("give exactly one site key")
        assert self.crawler_process is not None
        crawler = command_crawler(self, args[0])
        self.crawler_process.crawl(crawler, **opts.spargs)
        self.crawler_process.start()
        if self.crawler_process.bootstrap_failed:
            self.exitcode = 1
            return
        stats = crawler.stats.get_stats()
        status = frontier_for(crawler).status()
        if stats.get("vn/distributed/seed") == "claimed":
            print(f"{args[0]}: seeded {stats.get('vn/distributed/seeded', 0)} start requests", end="")
        else:
            print(f"{args[0]}: already seeded ({status.seed}), nothing pushed", end="")
        print(f"; {status.queued} queued, {status.in_flight} in flight")
