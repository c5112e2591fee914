"""Scrapy settings for vnportal-crawler. Project settings are prefixed VN_ and documented here."""

BOT_NAME = "vnportal"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"
COMMANDS_MODULE = "crawler.commands"

# ---- Politeness: these are government portals; be a good citizen. ---------------------------
VN_CONTACT_URL = "https://github.com/vnportal-crawler/vnportal-crawler"
USER_AGENT = f"vnportal-crawler/0.1 (+{VN_CONTACT_URL})"
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 4
DOWNLOAD_DELAY = 0.25
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 0.5
AUTOTHROTTLE_MAX_DELAY = 30
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0

# ---- Failures: retry what is transient, give up with a counted reject. ---------------------
RETRY_ENABLED = True
RETRY_TIMES = 4
RETRY_HTTP_CODES = [429, 500, 502, 503, 504, 522, 524, 408]
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 16 * 1024 * 1024  # an article page is < 1 MB; a 50 MB "page" is refused and counted
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024
DOWNLOAD_FAIL_ON_DATALOSS = True  # a truncated body is an error (and retried), never a stored half page
HTTPERROR_ALLOWED_CODES: list[int] = []
REDIRECT_MAX_TIMES = 5

# ---- Output and state -----------------------------------------------------------------------
# Where JSONL feeds (data/<site>/*.jsonl), rejects (data/rejects/) and the state live.
VN_DATA_DIR = "data"
# SQLite state file; empty means <VN_DATA_DIR>/state.sqlite.
VN_STATE_PATH = ""
# "sqlite" (one machine) or "redis" (distributed mode, with REDIS_URL).
VN_STATE_BACKEND = "sqlite"
# Identifies this worker's output files; defaults to the host name. Set one per process when
# several workers share a machine.
VN_WORKER_ID = ""
# fsync each JSONL line: survives power loss, not only a killed process. Costs a disk flush per item.
VN_STORE_FSYNC = False
# {site_key: base_url}: crawl a replica or mirror instead of the real site (also `-a base_url=`).
VN_BASE_URLS: dict[str, str] = {}
# Items dated later than now + this many hours are rejected as "future_date".
VN_VALIDATE_FUTURE_TOLERANCE_HOURS = 36
# Stage switches (each raises NotConfigured when off).
VN_VALIDATE_ENABLED = True
VN_NORMALIZE_ENABLED = True
VN_DEDUP_ENABLED = True
VN_STORE_ENABLED = True

ITEM_PIPELINES = {
    "crawler.pipelines.ValidatePipeline": 100,
    "crawler.pipelines.NormalizePipeline": 200,
    "crawler.pipelines.DedupPipeline": 300,
    "crawler.pipelines.JsonlStorePipeline": 900,
}

# ---- Misc -----------------------------------------------------------------------------------
LOG_LEVEL = "INFO"
FEED_EXPORT_ENCODING = "utf-8"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
TELNETCONSOLE_ENABLED = False

# ---- Extensions and middlewares ---------------------------------------------------------------
EXTENSIONS = {
    "crawler.extensions.progress.ProgressLog": 500,
    "crawler.extensions.monitor.DriftMonitor": 510,
}
DOWNLOADER_MIDDLEWARES = {
    # After RedirectMiddleware (600) has built the redirected request, before it is downloaded.
    "crawler.middlewares.addresses.PrivateRedirectGuard": 50,
}
# Seconds between per-site progress lines (0 disables).
VN_PROGRESS_INTERVAL = 30.0
# Template-drift monitor (thresholds per site in crawler/sites.py `coverage`).
VN_MONITOR_ENABLED = True
# Fewer items than this in a run are not judged for coverage (zero items from fetched pages always is).
VN_MONITOR_MIN_ITEMS = 3
# Follow redirects into loopback/private/link-local addresses (only the replica tests need this).
VN_ALLOW_PRIVATE_REDIRECTS = False
