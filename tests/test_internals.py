"""The private Scrapy and scrapy-redis names crawler/internals.py uses exist and work.

Distributed mode reads them defensively, so a library upgrade that renamed one would only show
as a worker that never acknowledges its requests. These tests check each name on real objects
(an engine running a real spider, a scrapy-redis queue on a real redis-server) and fail loudly.
Run them first when upgrading Scrapy or scrapy-redis (versions pinned in pyproject.toml).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from importlib import metadata
from pathlib import Path

from redis_fixtures import RedisServer, redis_server, redis_url  # noqa: F401
from scrapy import Spider
from scrapy.http import Request
from scrapy.utils.test import get_crawler

from crawler.internals import PRIVATE_NAMES, decode_queued_request, requests_in_progress, wake_engine

ROOT = Path(__file__).resolve().parent.parent

# A real crawl in a child process (a reactor per test): the engine's slot seen from a callback.
PROBE = r"""
import json
from scrapy import Spider
from scrapy.commands.crawl import Command
from scrapy.crawler import CrawlerProcess
from crawler.internals import command_crawler, requests_in_progress, wake_engine

seen = {}

class Probe(Spider):
    name = "probe"
    start_urls = ["data:,hello"]

    def parse(self, response):
        inprogress = requests_in_progress(self.crawler)
        seen["inprogress_is_a_set"] = isinstance(inprogress, set)
        seen["own_request_in_progress"] = inprogress is not None and response.request in inprogress
        seen["woken"] = wake_engine(self.crawler)

command = Command()
command.crawler_process = CrawlerProcess({"LOG_LEVEL": "ERROR", "TELNETCONSOLE_ENABLED": False})
crawler = command_crawler(command, Probe)
seen["crawler_made"] = type(crawler).__name__
seen["no_engine_yet"] = requests_in_progress(crawler) is None and not wake_engine(crawler)
command.crawler_process.crawl(crawler)
command.crawler_process.start()
seen["finished"] = crawler.stats.get_value("finish_reason")
print(json.dumps(seen))
"""


def test_the_engine_slot_is_readable_from_a_running_crawl() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr[-3000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen == {
        "crawler_made": "Crawler",  # ScrapyCommand._create_crawler
        "no_engine_yet": True,
        "inprogress_is_a_set": True,  # ExecutionEngine._slot.inprogress
        "own_request_in_progress": True,
        "woken": True,  # ExecutionEngine._slot.nextcall.schedule()
        "finished": "finished",
    }, "a private Scrapy name crawler/internals.py uses changed: adapt that module"


class _Spider(Spider):
    name = "internals"

    def parse(self, response):  # pragma: no cover - only named by the queued request
        return None


def test_a_request_queued_in_redis_decodes_through_the_adapter(redis_url: str) -> None:  # noqa: F811
    import redis
    from scrapy_redis import picklecompat
    from scrapy_redis.queue import PriorityQueue

    crawler = get_crawler(_Spider)
    spider = _Spider.from_crawler(crawler)
    server = redis.Redis.from_url(redis_url)
    queue = PriorityQueue(server, spider, "t:%(spider)s:requests", serializer=picklecompat)
    queue.push(Request("https://dongthap.gov.vn/tin-tuc?p=2", callback=spider.parse, priority=3))
    ((data, _score),) = server.zrange("t:internals:requests", 0, -1, withscores=True)
    request = decode_queued_request(queue, data)  # scrapy_redis.queue.Base._decode_request
    assert (request.url, request.priority) == ("https://dongthap.gov.vn/tin-tuc?p=2", 3)
    assert request.callback == spider.parse


def test_the_scheduler_attributes_distributed_mode_relies_on(redis_url: str) -> None:  # noqa: F811
    from scrapy_redis.scheduler import Scheduler

    settings = {
        "REDIS_URL": redis_url,
        "SCHEDULER_PERSIST": True,
        "DUPEFILTER_CLASS": "crawler.distributed.RedisDupeFilter",
    }
    crawler = get_crawler(_Spider, settings)
    spider = _Spider.from_crawler(crawler)
    scheduler = Scheduler.from_settings(crawler.settings)
    scheduler.open(spider)
    try:
        # Public in scrapy-redis, but DistributedScheduler builds on them.
        for name in ("queue", "df", "spider"):
            assert hasattr(scheduler, name), name
        assert callable(scheduler.queue.push)
    finally:
        scheduler.close("finished")


def test_without_an_engine_the_adapter_says_so() -> None:
    crawler = get_crawler(_Spider)
    assert requests_in_progress(crawler) is None
    assert wake_engine(crawler) is False


def test_the_pinned_versions_are_the_tested_ones() -> None:
    """pyproject.toml pins what these tests ran against; an upgrade must pass them first."""
    assert re.match(r"2\.19\.", metadata.version("scrapy")), metadata.version("scrapy")
    assert metadata.version("scrapy-redis") == "0.9.1"
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert '"scrapy>=2.19,<2.20"' in pyproject and '"scrapy-redis==0.9.1"' in pyproject
    assert set(PRIVATE_NAMES) == {"scrapy", "scrapy_redis"}


def test_no_other_module_reaches_into_private_names() -> None:
    """Attribute access `x._name` on anything but self/cls lives in crawler/internals.py only."""
    offenders = []
    for path in sorted((ROOT / "crawler").rglob("*.py")):
        if path.name == "internals.py":
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("#", 1)[0]
            for match in re.finditer(r"([A-Za-z_][\w\)\]]*)\.(_[a-z]\w*)", code):
                if match.group(1) not in {"self", "cls"} and not match.group(2).startswith("__"):
                    offenders.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
            if re.search(r"import .*\b_[a-z]|from \S*\._[a-z]", code):
                offenders.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
    assert not offenders, "\n".join(offenders)
