"""JavaScript rendering through scrapy-playwright and the system Chromium.

Only a site whose registry entry sets ``render_js`` ("article" or "listing") gets
scrapy-playwright's download handler for http/https, in its own crawler's settings: every other
site keeps Scrapy's handler and never starts Playwright (not even its driver process). Within a
rendering site only the flagged kind of request carries ``meta["playwright"]``; the others
(listing pages, robots.txt) take the handler's plain-HTTP path, which is Scrapy's HTTP/1.1
handler (ScrapyPlaywrightDownloadHandler subclasses it). Chromium itself is launched lazily, by
the first rendered request, and closed with the crawl.

``VN_RENDER_JS=0`` turns rendering off everywhere: flagged sites are then fetched like any other
(useful to see what a portal serves without JavaScript, or on a machine without Chromium).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from playwright.async_api import Request as PlaywrightRequest
    from scrapy.settings import BaseSettings

    from crawler.sites import Site

PLAYWRIGHT_HANDLER = "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler"
DEFAULT_CHROMIUM = "/usr/bin/chromium"
# What the browser does not fetch: the DOM keeps every <img src>, and the portals' images,
# fonts and CSS would only cost time and load on the site (and hang on a closed network).
BLOCKED_RESOURCES = frozenset({"image", "media", "font", "stylesheet"})
# Analytics and social widgets: a crawler must not count as a visitor in the portal's statistics.
TRACKER_HOSTS = (
    "google-analytics.com",
    "googletagmanager.com",
    "doubleclick.net",
    "facebook.net",
    "facebook.com",
    "hotjar.com",
    "subiz.xyz",
)


class ChromiumMissing(RuntimeError):
    """A site needs rendering and no Chromium executable is where the settings say."""


def enabled(settings: BaseSettings | None) -> bool:
    return True if settings is None else settings.getbool("VN_RENDER_JS", True)


def chromium_path(settings: BaseSettings) -> str:
    return settings.get("VN_CHROMIUM_PATH") or os.environ.get("VN_CHROMIUM_PATH") or DEFAULT_CHROMIUM


def chromium_available(settings: BaseSettings) -> bool:
    path = chromium_path(settings)
    return os.path.isfile(path) and os.access(path, os.X_OK)


def configure(site: Site, settings: BaseSettings) -> None:
    """Give the crawler of a rendering site the Playwright handlers (spider priority).

    Fails at once, with the fix in the message, when Chromium is missing: otherwise every
    article request would fail one by one into the rejects file.
    """
    if not site.render_js or not enabled(settings):
        return
    path = chromium_path(settings)
    if not chromium_available(settings):
        raise ChromiumMissing(
            f"site {site.key!r} renders JavaScript with Chromium, but {path!r} is not an executable: "
            "install it (apt-get install chromium), point VN_CHROMIUM_PATH at it, "
            "or crawl without rendering (-s VN_RENDER_JS=0)"
        )
    handlers = settings.getdict("DOWNLOAD_HANDLERS")
    handlers.update({"http": PLAYWRIGHT_HANDLER, "https": PLAYWRIGHT_HANDLER})
    settings.set("DOWNLOAD_HANDLERS", handlers, priority="spider")
    # VN_CHROMIUM_PATH may come from -s: the launch options follow it.
    launch = {**settings.getdict("PLAYWRIGHT_LAUNCH_OPTIONS"), "executable_path": path}
    settings.set("PLAYWRIGHT_LAUNCH_OPTIONS", launch, priority="spider")


def request_meta(site: Site, kind: str, settings: BaseSettings | None) -> dict[str, Any]:
    """Request meta for a page of `kind` ("article" or "listing"): empty unless it is rendered."""
    if site.render_js != kind or not enabled(settings):
        return {}
    meta: dict[str, Any] = {"playwright": True}
    wait = site.options.get("render_wait")
    if wait:
        from scrapy_playwright.page import PageMethod

        seconds = settings.getfloat("VN_RENDER_WAIT_TIMEOUT", 10.0) if settings is not None else 10.0
        # "attached", not "visible": the content must be in the DOM; layout is not our business.
        meta["playwright_page_methods"] = [
            PageMethod("wait_for_selector", wait, state="attached", timeout=seconds * 1000)
        ]
    return meta


def abort_request(request: PlaywrightRequest) -> bool:
    """PLAYWRIGHT_ABORT_REQUEST: the page, its scripts and their XHR/fetch load; images, fonts,
    CSS and trackers do not."""
    if request.resource_type in BLOCKED_RESOURCES:
        return True
    host = (urlsplit(request.url).hostname or "").lower()
    return any(host == t or host.endswith("." + t) for t in TRACKER_HOSTS)


class RenderStats:
    """Downloader middleware: counts rendered pages and the browser time they took
    (``vn/render/pages``, ``vn/render/seconds``, ``vn/render/max_seconds``): goto, waiting for the
    site's selector and serializing the DOM, as scrapy-playwright measures it."""

    def __init__(self, stats: Any) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Any) -> RenderStats:
        return cls(crawler.stats)

    def process_response(self, request: Any, response: Any, spider: Any = None) -> Any:
        if "playwright" in response.flags:
            seconds = float(request.meta.get("download_latency") or 0.0)
            self.stats.inc_value("vn/render/pages")
            self.stats.inc_value("vn/render/seconds", round(seconds, 3))
            self.stats.max_value("vn/render/max_seconds", round(seconds, 3))
        return response
