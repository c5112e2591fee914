"""Every private name of Scrapy or scrapy-redis this project uses, in one place.

Distributed mode (crawler/distributed.py) needs three things neither library offers publicly:

* which requests the engine is still downloading or parsing: Scrapy has no "request finished"
  hook, and the engine slot's ``inprogress`` set is the only exact record
  (``ExecutionEngine._slot.inprogress``);
* waking an idle engine at once instead of after its 5 s heartbeat (``_slot.nextcall.schedule()``);
* turning a request popped from the shared Redis queue back into a Request, as the queue itself
  does (``scrapy_redis.queue.Base._decode_request``).

The `scrapy crawl`/`seed` commands also create their crawler as Scrapy's own crawl command
does (``ScrapyCommand._create_crawler``: the crawler, plus Scrapy's "FEEDS set but unused" warning).

The engine's internals are read defensively (a missing attribute degrades to "no view into the
engine", never a crash mid-crawl), so an upgrade that renames them would break distributed mode
*silently*:
tests/test_internals.py asserts each one on real objects (a real engine running a real spider, a
real scrapy-redis queue on a real redis-server) and fails loudly instead. The versions that test
runs with are pinned in pyproject.toml (scrapy 2.19.x, scrapy-redis 0.9.1); upgrading either means
running it first and adapting this module only.

Nothing else in ``crawler/`` may reach into another object's private attributes.
"""

from __future__ import annotations

from typing import Any

from scrapy.http import Request

__all__ = [
    "PRIVATE_NAMES",
    "command_crawler",
    "decode_queued_request",
    "requests_in_progress",
    "wake_engine",
]

# What this module touches, for the test and for whoever upgrades a library.
PRIVATE_NAMES = {
    "scrapy": (
        "ExecutionEngine._slot",
        "_Slot.inprogress",
        "_Slot.nextcall",
        "ScrapyCommand._create_crawler",
    ),
    "scrapy_redis": ("queue.Base._decode_request",),
}


def _engine_slot(crawler: Any) -> Any:
    """The engine's slot of the open spider, or None (no engine yet, closed, or renamed)."""
    try:
        engine = crawler.engine  # public, but raises RuntimeError until the crawl starts
    except (AttributeError, RuntimeError):
        return None
    return getattr(engine, "_slot", None)


def requests_in_progress(crawler: Any) -> set[Request] | None:
    """The requests the engine is downloading or whose responses it is still processing; None
    when the engine cannot be looked into (not running, or an unknown Scrapy)."""
    inprogress = getattr(_engine_slot(crawler), "inprogress", None)
    return inprogress if isinstance(inprogress, set) else None


def wake_engine(crawler: Any) -> bool:
    """Ask the engine to look at its scheduler now; False when it could not be asked."""
    nextcall = getattr(_engine_slot(crawler), "nextcall", None)
    if nextcall is None:
        return False
    nextcall.schedule()
    return True


def decode_queued_request(queue: Any, data: bytes) -> Request:
    """A request as a scrapy-redis queue stored it (its serializer, its spider's callbacks)."""
    request: Request = queue._decode_request(data)
    return request


def command_crawler(command: Any, spider: str | type[Any]) -> Any:
    """The crawler a Scrapy command runs `spider` with, made as `scrapy crawl` makes it."""
    return command._create_crawler(spider)
