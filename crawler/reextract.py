"""Re-extract articles from WARC archives with the current parsers: no network.

    python -m crawler.reextract data/warc/dongthap [more files or directories] [--out DIR] [--site KEY]

Each archived response goes through the crawl's own path, offline: Scrapy's
HttpCompressionMiddleware decodes the body as the server sent it, the site's spider
(`parse_article`: declared charset, template parser, site and fetched_url) builds the item, and the
ITEM_PIPELINES stages (validate, normalize, dedup, store) write it. Output: `<DIR>/<site>/*.jsonl`
(written as `.part`, renamed when done), rejects in `<DIR>/rejects/<site>.jsonl`, dedup state in
`<DIR>/state.sqlite` (a second run into the same DIR writes only what changed). Default DIR:
`data/reextract`.

Only status-200 HTML responses are parsed, and of those only the ones the crawl fetched as
articles (the `VN-Page` field the WARC writer records; pages of other WARCs are all tried). A
page the parser does not accept as an article is counted, not rejected. The site comes from
`--site`, else the file's warcinfo record, else its folder or name, else the URL's host; the
parser's base URL from the warcinfo record, else the record URL's origin (replica archives are
on 127.0.0.1, where the URL cannot tell the site). WordPress articles the crawl found through
the REST API are rebuilt from the archived REST answer plus the page, as the spider built them.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import json
import logging
import sys
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware
from scrapy.exceptions import DropItem, IgnoreRequest, NotConfigured
from scrapy.http import Headers, Request, Response
from scrapy.responsetypes import responsetypes
from scrapy.utils.conf import build_component_list
from scrapy.utils.misc import build_from_crawler, load_object
from scrapy.utils.test import get_crawler
from warcio.bufferedreaders import ChunkedDataReader
from warcio.recordloader import ArcWarcRecord

from crawler.cli import UsageProblem, report
from crawler.parsers import ParseError, parser_for
from crawler.parsers.base import TemplateParser
from crawler.parsers.wp_discovery import parse_rest_posts
from crawler.pipelines import SiteLockedError
from crawler.rejects import RejectLog
from crawler.sites import SITES, site_for_url
from crawler.spiders import site_spider
from crawler.spiders.base import PortalSpider
from crawler.spiders.wordpress import WordPressSpider
from crawler.state import state_store_for
from crawler.warc import VN_PAGE_FIELD, VN_REDIRECTED_FROM_FIELD, read_warc, warc_files, warcinfo_fields

logger = logging.getLogger(__name__)

DEFAULT_OUT = Path("data") / "reextract"
REST_POSTS_PATH = "/wp-json/wp/v2/posts"
# Counters every run reports, in this order (see `Summary.line`).
COUNTS = (
    "files",
    "records",
    "responses",
    "html",
    "not_crawled_as_article",
    "not_article",
    "articles",
    "written",
    "duplicates",
    "rejected",
    "errors",
    "unknown_site",
)


def project_settings(out_dir: Path) -> dict[str, Any]:
    """The project's settings, pointed at `out_dir`, without what only a live crawl needs."""
    module = importlib.import_module("crawler.settings")
    settings = {k: v for k, v in vars(module).items() if k.isupper()}
    settings.pop("TWISTED_REACTOR", None)  # nothing is downloaded: no reactor to choose
    settings.update(
        VN_DATA_DIR=str(out_dir),
        VN_STATE_PATH="",
        VN_STATE_BACKEND="sqlite",
        VN_DISTRIBUTED=False,
        ADDONS={},  # offline and local: no Redis frontier or state, whatever REDIS_URL says
        VN_WORKER_ID="reextract",
        VN_WARC_ENABLED=False,
        VN_MONITOR_ENABLED=False,
        EXTENSIONS={},
    )
    return settings


def _call(method: Callable[..., Any], spider: Any) -> Any:
    """Pipeline hooks are called with or without the spider, as they declare."""
    return method(spider) if inspect.signature(method).parameters else method()


class SiteSession:
    """One site's spider and item pipelines, as a crawl of it builds them, fed from archives."""

    def __init__(self, site_key: str, out_dir: Path, base_url: str) -> None:
        self.key = site_key
        self.crawler = get_crawler(site_spider(site_key), project_settings(out_dir))
        self.spider: PortalSpider = site_spider(site_key).from_crawler(self.crawler, base_url=base_url)
        self.crawler.spider = self.spider
        self.stats = self.crawler.stats
        self._parsers: dict[str, TemplateParser] = {self.spider.base_url: self.spider.parser}
        # A page the parser refuses is a count here, not a reject (listings in foreign WARCs).
        self._reject = self.spider.reject
        self.spider.reject = self._on_reject  # type: ignore[method-assign]
        try:
            self.compression: HttpCompressionMiddleware | None = build_from_crawler(
                HttpCompressionMiddleware, self.crawler
            )
        except NotConfigured:
            self.compression = None
        self.pipelines = self._build_pipelines()
        for pipe in self.pipelines:
            if hasattr(pipe, "open_spider"):
                _call(pipe.open_spider, self.spider)
        # WordPress posts seen in archived REST answers, by canonical link (the spider's context).
        self.rest_posts: dict[str, dict[str, Any]] = {}

    def _build_pipelines(self) -> list[Any]:
        pipes = []
        for path in build_component_list(self.crawler.settings.getwithbase("ITEM_PIPELINES")):
            try:
                pipes.append(build_from_crawler(load_object(path), self.crawler))
            except NotConfigured:
                continue
        return pipes

    def _on_reject(self, url: str, reason: str, **details: Any) -> None:
        if reason == "not_an_article":
            self.stats.inc_value("vn/reextract/not_article")
            return
        self._reject(url, reason, **details)

    def use_base(self, base_url: str) -> None:
        """Bind the parser to the origin this archive was crawled at (replica ports differ per run)."""
        base_url = base_url.rstrip("/")
        if base_url != self.spider.base_url:
            parser = self._parsers.get(base_url)
            if parser is None:
                parser = self._parsers[base_url] = parser_for(self.spider.site, base_url)
            self.spider.base_url, self.spider.parser = base_url, parser

    # ---- one archived response ------------------------------------------------------------

    def decode(self, response: Response) -> Response | None:
        if self.compression is None:
            return response
        try:
            decoded = self.compression.process_response(response.request, response)
        except IgnoreRequest as exc:  # over DOWNLOAD_MAXSIZE once decompressed
            self._reject(response.url, "too_large", error=str(exc))
            return None
        return decoded if isinstance(decoded, Response) else None

    def observe(self, response: Response) -> None:
        """Keep what the spider would carry into an article request (WordPress REST entries)."""
        if not isinstance(self.spider, WordPressSpider) or response.status != 200:
            return
        if REST_POSTS_PATH not in urlsplit(response.url).path:
            return
        try:
            posts = parse_rest_posts(response.body, self.spider.base_url)
        except (ParseError, ValueError):
            return
        self.rest_posts.update((p["link"], p) for p in posts)

    def context(self, response: Response, requested_url: str) -> dict[str, Any]:
        post = self.rest_posts.get(requested_url) or self.rest_posts.get(response.url)
        return {"post": post} if post is not None else {}

    def extract(self, response: Response, requested_url: str) -> None:
        self.stats.inc_value("vn/reextract/html")
        for article in self.spider.parse_article(response, **self.context(response, requested_url)):
            self.stats.inc_value("vn/reextract/articles")
            self.store(article)

    def store(self, item: Any) -> None:
        try:
            for pipe in self.pipelines:
                item = pipe.process_item(item)
        except DropItem:
            pass  # counted (vn/validate/*, vn/duplicates/*) and logged by the stage that dropped it
        except Exception:  # as in a crawl: the item is lost, logged and counted, the run goes on
            logger.exception("pipeline failed on %s", getattr(item, "url", item))
            self.stats.inc_value("vn/reextract/pipeline_errors")

    def close(self) -> dict[str, Any]:
        for pipe in reversed(self.pipelines):
            if hasattr(pipe, "close_spider"):
                _call(pipe.close_spider, self.spider)
        # What a crawl closes when its engine stops (no engine here).
        RejectLog.for_crawler(self.crawler).close()
        state_store_for(self.crawler).close()
        return self.stats.get_stats()


def scrapy_response(record: ArcWarcRecord) -> Response:
    """The archived response as the download handler returned it (body still content-encoded)."""
    url = record.rec_headers.get_header("WARC-Target-URI")
    http = record.http_headers
    headers = Headers()
    chunked = False
    for name, value in http.headers:
        if name.lower() == "transfer-encoding":  # other tools store chunked framing: undo it
            chunked = "chunked" in value.lower()
            continue
        headers.appendlist(name, value)
    stream = ChunkedDataReader(record.raw_stream) if chunked else record.raw_stream
    body = stream.read()
    meta = {"vn_page": record.rec_headers.get_header(VN_PAGE_FIELD)}
    request = Request(url, meta=meta)
    cls = responsetypes.from_args(headers=headers, url=url, body=body)
    status = int(http.get_statuscode() or 0)
    return cls(url=url, status=status, headers=headers, body=body, request=request, protocol=http.protocol)


def is_html(response: Response) -> bool:
    ctype = (response.headers.get("Content-Type") or b"").decode("latin-1").lower()
    return "html" in ctype if ctype else "html" in type(response).__name__.lower()


def site_from_path(path: Path) -> str | None:
    """`<dir>/<site>/<site>-<stamp>-...warc.gz`: the folder, else the longest key prefixing the name."""
    if path.parent.name in SITES:
        return path.parent.name
    keys = [k for k in SITES if path.name.startswith(k + "-")]
    return max(keys, key=len) if keys else None


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@dataclass
class Summary:
    counts: Counter[str] = field(default_factory=Counter)
    sites: dict[str, Counter[str]] = field(default_factory=dict)
    outputs: dict[str, str] = field(default_factory=dict)

    def line(self, counts: Counter[str]) -> str:
        return ", ".join(f"{name.replace('_', ' ')} {counts[name]}" for name in COUNTS if name in counts)


class Reextractor:
    def __init__(self, out_dir: Path, site: str | None = None) -> None:
        if site is not None and site not in SITES:
            raise KeyError(f"unknown site {site!r}; known: {', '.join(sorted(SITES))}")
        self.out_dir = out_dir
        self.site = site
        self.sessions: dict[str, SiteSession] = {}
        self.summary = Summary()

    def session(self, key: str, base_url: str) -> SiteSession:
        session = self.sessions.get(key)
        if session is None:
            session = self.sessions[key] = SiteSession(key, self.out_dir, base_url)
        session.use_base(base_url)
        return session

    def run(self, paths: Iterable[str | Path]) -> Summary:
        try:
            for path in warc_files(paths):
                self.read_file(path)
        finally:
            self.close()
        return self.summary

    def read_file(self, path: Path) -> None:
        counts = self.summary.counts
        counts["files"] += 1
        file_site = self.site or site_from_path(path)
        base: str | None = None
        for record in read_warc(path):
            counts["records"] += 1
            if record.rec_type == "warcinfo":
                info = warcinfo_fields(record)
                if not self.site and info.get("vn-site") in SITES:
                    file_site = info["vn-site"]
                base = info.get("vn-base-url") or None
                continue
            if record.rec_type != "response" or not record.http_headers:
                continue
            counts["responses"] += 1
            url = record.rec_headers.get_header("WARC-Target-URI") or ""
            key = file_site
            if key is None:
                try:
                    key = site_for_url(url).key
                except KeyError:
                    counts["unknown_site"] += 1
                    continue
            self.handle(self.session(key, base or origin(url)), record, url)

    def handle(self, session: SiteSession, record: ArcWarcRecord, url: str) -> None:
        response = session.decode(scrapy_response(record))
        if response is None:
            return
        session.observe(response)
        if response.status != 200 or not is_html(response):
            return
        page = record.rec_headers.get_header(VN_PAGE_FIELD)
        if page and page != "article":  # a listing (or discovery) page in the crawl
            session.stats.inc_value("vn/reextract/not_crawled_as_article")
            return
        requested = record.rec_headers.get_header(VN_REDIRECTED_FROM_FIELD) or url
        session.extract(response, requested)

    def close(self) -> None:
        for key, session in self.sessions.items():
            stats = session.close()
            site_counts: Counter[str] = Counter(
                html=stats.get("vn/reextract/html", 0),
                not_crawled_as_article=stats.get("vn/reextract/not_crawled_as_article", 0),
                not_article=stats.get("vn/reextract/not_article", 0),
                articles=stats.get("vn/reextract/articles", 0),
                written=stats.get("vn/items_written", 0),
                duplicates=stats.get("vn/duplicates/url", 0) + stats.get("vn/duplicates/content", 0),
                rejected=stats.get("vn/rejected", 0),
                errors=stats.get("vn/reextract/pipeline_errors", 0),
            )
            self.summary.sites[key] = site_counts
            self.summary.counts.update(site_counts)
            if stats.get("vn/store/file"):
                self.summary.outputs[key] = str(stats["vn/store/file"])
        self.sessions.clear()


def reextract(
    paths: Iterable[str | Path], out_dir: str | Path = DEFAULT_OUT, site: str | None = None
) -> Summary:
    """Re-extract every archived article under `paths` into `out_dir`; returns the counts."""
    return Reextractor(Path(out_dir), site).run(paths)


def read_items(out_dir: str | Path, site: str) -> list[dict[str, Any]]:
    """The items a re-extraction (or a crawl) wrote for `site` under `out_dir`, in file order."""
    items = []
    for path in sorted((Path(out_dir) / site).glob("*.jsonl")):
        with path.open(encoding="utf-8") as fh:
            items += [json.loads(line) for line in fh if line.strip()]
    return items


def looks_like_warc(path: Path) -> bool:
    """A gzip file (every record its own member) or a plain file starting with a WARC header."""
    with path.open("rb") as fh:
        head = fh.read(5)
    return head[:2] == b"\x1f\x8b" or head == b"WARC/"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m crawler.reextract", description=__doc__.split("\n\n")[0])
    ap.add_argument("paths", nargs="+", help="WARC files (.warc.gz, .open ones too) or directories of them")
    ap.add_argument("--out", default=str(DEFAULT_OUT), help=f"output data dir (default {DEFAULT_OUT})")
    ap.add_argument("--site", metavar="KEY", help="registry key of every file (default: from the archive)")
    ap.add_argument("--log-level", default="WARNING", help="logging level on stderr (default WARNING)")
    args = ap.parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(), format="%(levelname)s %(name)s: %(message)s")
    try:
        for path in map(Path, args.paths):
            if path.is_file() and not looks_like_warc(path):
                raise UsageProblem(f"{path}: not a WARC file (expected a .warc.gz/.warc archive)")
        summary = reextract(args.paths, args.out, args.site)
    except (FileNotFoundError, KeyError, UsageProblem, SiteLockedError) as exc:  # Locked: --out in use
        return report(exc)
    if not summary.counts["files"]:
        print("error: no WARC files found", file=sys.stderr)
        return 1
    print(f"reextract: {summary.line(summary.counts)}")
    for key, counts in summary.sites.items():
        out = summary.outputs.get(key, "nothing written")
        print(f"  {key}: {summary.line(counts)} -> {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
