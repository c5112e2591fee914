"""Scrapy settings for vnportal-crawler. Project settings are prefixed VN_ and documented here."""

import os

BOT_NAME = "vnportal"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"
COMMANDS_MODULE = "crawler.commands"
# Adds one generated spider per site of the registry to Scrapy's loader (crawler/spiderloader.py).
SPIDER_LOADER_CLASS = "crawler.spiderloader.SiteSpiderLoader"
# The site registry: a TOML file, or several separated by ":" merged in order; empty means
# <project>/sites.toml. Relative paths are taken from the project folder (scrapy.cfg).
VN_SITES_FILE = os.environ.get("VN_SITES_FILE", "")

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
# Stored articles listed as published within this many days are fetched again to catch edits
# (an edited article is written again with revision + 1). 0 disables; `-a refresh_days=N` per run.
VN_REFRESH_DAYS = 2
# Items dated later than now + this many hours are rejected as "future_date".
VN_VALIDATE_FUTURE_TOLERANCE_HOURS = 36
# Stage switches: validate and normalize are steps of the item builder (the spider skips a step
# that is off); dedup and store are pipelines (each raises NotConfigured when off).
VN_VALIDATE_ENABLED = True
VN_NORMALIZE_ENABLED = True
VN_DEDUP_ENABLED = True
VN_STORE_ENABLED = True

# Validation and normalization happen in the item builder (crawler/builder.py), before an item
# leaves the spider; crawler.pipelines.ValidatePipeline/NormalizePipeline wrap them for other items.
ITEM_PIPELINES = {
    "crawler.pipelines.DedupPipeline": 300,
    "crawler.pipelines.JsonlStorePipeline": 900,
}

# ---- Reliability: no silent loss (README "Reliability") ------------------------------------------
# An article a site listed and this crawl did not store is owed (a ledger in the state) and fetched
# first by later runs, 1, 2, 4 ... runs after each failed attempt; after this many it is abandoned
# (reported, and the run fails).
VN_OWED_MAX_ATTEMPTS = 6
# A run fails (non-zero exit) when the articles it tried and still owes exceed this share (in %)
# of those it listed; also when any article is abandoned or a listing page is lost.
VN_OWED_FAIL_PERCENT = 5.0
# A listing chain stops after this many pages (a pager that never ends); also after 3 pages in a
# row that list no article new to the run.
VN_MAX_LISTING_PAGES = 5000
# Pages whose markup nests deeper than this are rejected as "too_deep" before parsing (a few parser
# steps cost the depth per element: 100,000 levels would hold the crawl for minutes). 0: no limit.
VN_MAX_MARKUP_DEPTH = 4000
# Pages larger than this many bytes are parsed only by a parse worker (VN_PARSE_WORKERS): parsed
# in the crawl's thread they would hold the reactor past about half a second (a 16 MB page, the
# DOWNLOAD_MAXSIZE, takes about 1 s). Without a worker they are rejected as "too_large": counted,
# owed, and the run fails once they are abandoned. 0: no limit. Real article pages are < 1 MB.
VN_MAX_INLINE_PARSE_BYTES = 8 * 1024 * 1024
# An empty or missing state while <VN_DATA_DIR>/<site>/ holds published feeds is rebuilt from them
# before crawling (False: refuse, naming `python -m crawler.state rebuild`).
VN_STATE_AUTO_REBUILD = True
# Scrapy's scheduler, except that a JOBDIR request queue its last run left open (kill -9) is
# discarded rather than resumed: its counts are stale (crawler/scheduler.py).
SCHEDULER = "crawler.scheduler.JobdirScheduler"

# ---- Misc -----------------------------------------------------------------------------------
LOG_LEVEL = "INFO"
# `scrapy crawl` and `crawlall` end with the per-site summary table (crawler/summary.py); Scrapy's
# raw stats dump comes back with -s STATS_DUMP=1 (VN_STATS_FILE writes the stats as JSON).
STATS_DUMP = False
FEED_EXPORT_ENCODING = "utf-8"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
TELNETCONSOLE_ENABLED = False
# Scrapy starts CONCURRENT_ITEMS asyncio tasks for every callback's output; our pipelines are
# synchronous, so 100 (the default) only costs ~0.4 ms a page in task churn (bench/RESULTS.md).
CONCURRENT_ITEMS = 16
# Scrapy re-parses a callback's source (ast) on every response to warn about generators that
# return values: its cache is keyed by the bound method, which is new on every request.
WARN_ON_GENERATOR_RETURN_VALUE = False

# ---- Extensions and middlewares ---------------------------------------------------------------
EXTENSIONS = {
    # Shared by the spider and the pipelines (crawler.get_extension): the state store and the
    # reject log. Distributed mode adds crawler.distributed.FrontierExtension.
    "crawler.state.StateStoreExtension": 100,
    "crawler.rejects.RejectLog": 110,
    "crawler.extensions.progress.ProgressLog": 500,
    "crawler.extensions.monitor.DriftMonitor": 510,
    "crawler.extensions.statsfile.StatsFile": 520,
    "crawler.manifest.RunManifest": 530,
}
DOWNLOADER_MIDDLEWARES = {
    # After RedirectMiddleware (600) has built the redirected request, before it is downloaded.
    "crawler.middlewares.addresses.PrivateRedirectGuard": 50,
    # Before RedirectMiddleware (600) follows a 3xx: a portal page redirected off the site fails
    # with a counted reject (Scrapy's offsite filter would drop it without one).
    "crawler.middlewares.redirects.OffsiteRedirectGuard": 650,
    # Just outside RetryMiddleware (550): counts every attempt's fault as vn/faults/<kind> (and
    # makes Twisted's silent re-send of a failed keep-alive request a counted Scrapy retry).
    "crawler.middlewares.faults.FaultCounter": 560,
    # Next to the download handler: archives raw responses before decompression/redirect/retry.
    "crawler.warc.WarcWriterMiddleware": 950,
}
# Seconds between per-site progress lines (0 disables).
VN_PROGRESS_INTERVAL = 30.0
# Append one line per run to <VN_DATA_DIR>/runs/<site>.jsonl: the files it published, with their
# item counts and sizes (crawler/manifest.py; `python -m crawler.feed` reads only what is new).
VN_MANIFEST_ENABLED = True
# Write the final stats of each run as JSON here ("{site}" is replaced by the spider name; empty: off).
VN_STATS_FILE = ""
# Template-drift monitor (thresholds per site in crawler/sites.py `coverage`).
VN_MONITOR_ENABLED = True
# Fewer items than this in a run are not judged for coverage, "too few items to judge" (zero items
# from fetched article pages always fails).
VN_MONITOR_MIN_ITEMS = 20
# A field from fallback (extraction["fallback"]: family structure or generic engine) on more than
# this share of a site's items fails the run: "template drift on <site>: body from fallback on ...".
VN_MONITOR_FALLBACK_THRESHOLD = 0.2
# Follow redirects into loopback/private/link-local addresses (only the replica tests need this).
VN_ALLOW_PRIVATE_REDIRECTS = False

# ---- WARC archives (crawler/warc.py; re-extract offline with `python -m crawler.reextract`) ----
# Write every fetched request/response to gzip WARC files.
VN_WARC_ENABLED = False
# Where WARC files go (<dir>/<site>/*.warc.gz); empty means <VN_DATA_DIR>/warc.
VN_WARC_DIR = ""
# A WARC file is closed and a new one started once it reaches this many (compressed) bytes.
VN_WARC_MAX_BYTES = 100 * 1024 * 1024
# Replay: answer every request from these WARC files or directories instead of the network
# (crawler/warcreplay.py; misses are counted as vn/replay/miss and never fetched). Empty: off.
# `python -m crawler.reextract` sets it; `scrapy crawl <site> -s VN_REPLAY_WARC=data/warc/<site>
# -a mode=archive -a base_url=<the archived base URL>` is the same run by hand.
VN_REPLAY_WARC: list[str] = []
# Last before the download handler: the replayed response never reaches it (or the network).
DOWNLOADER_MIDDLEWARES["crawler.warcreplay.WarcReplayMiddleware"] = 990

# ---- Distributed mode (crawler/distributed.py; README "Distributed mode") ---------------------
# On with VN_DISTRIBUTED=1, or whenever REDIS_URL is set (setting or environment) unless
# VN_DISTRIBUTED=0: the request queue, dupefilter and article state move to Redis.
ADDONS = {"crawler.distributed.DistributedAddon": 0}
# REDIS_URL = "redis://localhost:6379/0"
# Key prefix of everything the crawler keeps in Redis (frontier and state).
VN_REDIS_PREFIX = "vnportal"
# Seconds a worker's lease lasts without a heartbeat; a dead worker's in-flight requests are
# re-queued by the others this long after it died.
VN_REDIS_LEASE = 30.0
# A worker stops once the shared queue is empty and no worker has anything in flight for this long.
VN_REDIS_IDLE_CLOSE = 2.0
# How often an idle worker looks at the shared queue.
VN_REDIS_POLL_INTERVAL = 0.5
# Requests a worker takes from the shared queue at a time (0: CONCURRENT_REQUESTS_PER_DOMAIN). More
# would wait in its own downloader queue, out of the other workers' reach.
VN_REDIS_MAX_IN_FLIGHT = 0
LOG_FORMATTER = "crawler.logformatter.QuietDropLogFormatter"

# ---- JavaScript-rendered sites (crawler/render.py; README "JavaScript-rendered sites") --------
# Sites whose registry entry sets render_js get scrapy-playwright's download handler in their own
# crawler (spider-priority DOWNLOAD_HANDLERS); only their flagged requests go through Chromium,
# launched on the first of them. Other sites never start Playwright. 0 renders nothing anywhere.
VN_RENDER_JS = True
# The system Chromium (Debian package `chromium`); Playwright's own browser download is never used.
VN_CHROMIUM_PATH = os.environ.get("VN_CHROMIUM_PATH", "/usr/bin/chromium")
# Seconds to wait for a site's `render_wait` selector (registry options) after the page loaded.
VN_RENDER_WAIT_TIMEOUT = 10.0
PLAYWRIGHT_BROWSER_TYPE = "chromium"
PLAYWRIGHT_LAUNCH_OPTIONS = {
    "executable_path": VN_CHROMIUM_PATH,
    "headless": True,
    # No sandbox (root in containers), no GPU, and none of Chromium's own calls home (QUIC probes,
    # component/safe-browsing updates, sync): on a closed network they only stall or fail.
    "args": [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
    ],
}
PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT = 20_000  # ms; DOWNLOAD_TIMEOUT does not apply to the browser
# Open tabs at once: each is a renderer process (~100 MB, CPU-bound on 2 cores); the real bound on
# rendered pages in flight, whatever the downloader lets through.
PLAYWRIGHT_MAX_PAGES_PER_CONTEXT = 4
PLAYWRIGHT_ABORT_REQUEST = "crawler.render.abort_request"  # no images, fonts, CSS or trackers
# Rendered pages and their browser time in the stats (vn/render/*); a no-op for other requests.
DOWNLOADER_MIDDLEWARES["crawler.render.RenderStats"] = 960

# ---- Parsing in worker processes (crawler/parsepool.py) ---------------------------------------
# Article pages are decoded and parsed by this many worker processes instead of the crawl's own
# thread. For CPU-bound crawls (a backfill of a fast mirror, many sites in one process) on a
# machine with a spare core; polite crawls of live portals wait on the network: keep 0.
VN_PARSE_WORKERS = 0
