"""Replay WARC archives through Scrapy's own engine: every request is answered from the archive.

On with ``VN_REPLAY_WARC`` (WARC files or directories of them, as crawler/warc.py writes them,
``.open`` files of a killed crawl included). As scrapy-webarchive does, a downloader middleware
answers each request in ``process_request`` with the archived response, so nothing reaches the
download handler (no network, no browser) and the rest of the crawl is the normal one: the
archived, still content-encoded body goes back through HttpCompressionMiddleware, an archived
3xx through RedirectMiddleware (the next hop is archived too), an archived 503 through
RetryMiddleware, robots.txt through RobotsTxtMiddleware, and the spider's callbacks, item
pipelines, monitors and stats run as in the crawl. ``python -m crawler.reextract`` runs
``scrapy crawl <site>`` this way.

The index is keyed by request method and canonical URL (w3lib ``canonicalize_url``); the method
comes from the request record paired with the response (``WARC-Concurrent-To``), GET when a
foreign archive has none. When the archive holds several answers for one request (a retried
503, the same listing in two runs), the replay serves the last one that is not a retryable
status (``RETRY_HTTP_CODES``), else the last one: the answer the crawl ended with.

A request the archive has no answer for is a counted miss: ``vn/replay/miss`` goes up and
``process_request`` raises :class:`ReplayMiss` (an ``IgnoreRequest``), so the request's errback
runs as for any download that did not happen, the spider's reject says ``ReplayMiss``, and nothing
is fetched. An IgnoreRequest rather than a made-up 404: an archived 404 stays distinguishable from
"not archived", and the discovery chain and robots.txt handle both the same way.

Articles the replayed walk does not reach (the crawl that archived them stopped paginating early,
or walked a listing that changed between runs) are still re-extracted: when the spider goes idle,
every URL the crawl fetched as an article (``VN-Page: article``; the first URL of a redirect
chain, ``VN-Redirected-From``) that this run has not requested yet is requested through the
spider's own ``article_request``. Pages of foreign archives (no ``VN-Page`` field) that are
HTML with status 200 are treated the same way. Such a WordPress article is built from its page
alone: its REST entry is only used when the replayed REST walk reaches it, as in the crawl.

The index keeps the archived responses in memory (bodies as stored, usually gzip-compressed):
replay one site's archive per crawl.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.exceptions import DontCloseSpider, IgnoreRequest, NotConfigured
from scrapy.http import Headers, Request, Response
from scrapy.responsetypes import responsetypes
from w3lib.url import canonicalize_url
from warcio.bufferedreaders import ChunkedDataReader
from warcio.recordloader import ArcWarcRecord

from crawler.warc import VN_PAGE_FIELD, VN_REDIRECTED_FROM_FIELD, read_warc, warc_files, warcinfo_fields

logger = logging.getLogger(__name__)

__all__ = ["ArchivedResponse", "NotAWarcError", "ReplayMiss", "WarcIndex", "WarcReplayMiddleware", "is_warc"]

_WARC_MAGIC = b"WARC/"
_GZIP_MAGIC = b"\x1f\x8b"


class ReplayMiss(IgnoreRequest):
    """A request the replayed archive holds no answer for; never sent to the network."""


class NotAWarcError(ValueError):
    """An input file that is not a WARC file (gzip or plain)."""


def is_warc(path: Path) -> bool:
    """Whether the file starts like a WARC file (plain, or gzip whose first record is WARC). An
    empty file (a crawl killed before its first record) counts: it holds no records."""
    import zlib

    with path.open("rb") as fh:
        head = fh.read(1 << 16)
    if not head:
        return True
    if head.startswith(_GZIP_MAGIC):
        try:
            head = zlib.decompressobj(wbits=31).decompress(head, 64)
        except zlib.error:
            return False
    return head.startswith(_WARC_MAGIC)


@dataclass
class ArchivedResponse:
    url: str
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    protocol: str | None
    page: str | None = None  # the VN-Page field: "article", "listing", "discovery", or None

    def response(self, request: Request) -> Response:
        """This answer to `request`, as the download handler would have returned it."""
        headers = Headers()
        for name, value in self.headers:
            headers.appendlist(name, value)
        cls = responsetypes.from_args(headers=headers, url=request.url, body=self.body)
        return cls(
            url=request.url,
            status=self.status,
            headers=headers,
            body=self.body,
            request=request,
            protocol=self.protocol,
            flags=["replayed"],
        )

    @property
    def is_html_200(self) -> bool:
        ctype = next((v for k, v in self.headers if k.lower() == "content-type"), "")
        return self.status == 200 and "html" in ctype.lower()


def _key(method: str, url: str) -> tuple[str, str]:
    return method.upper(), canonicalize_url(url, keep_fragments=False)


def _archived(record: ArcWarcRecord) -> ArchivedResponse:
    url = record.rec_headers.get_header("WARC-Target-URI") or ""
    http = record.http_headers
    pairs: list[tuple[str, str]] = []
    chunked = False
    for name, value in http.headers:
        if name.lower() == "transfer-encoding":  # other tools store chunked framing: undo it
            chunked = "chunked" in value.lower()
            continue
        pairs.append((name, value))
    stream = ChunkedDataReader(record.raw_stream) if chunked else record.raw_stream
    return ArchivedResponse(
        url=url,
        status=int(http.get_statuscode() or 0),
        headers=pairs,
        body=stream.read(),
        protocol=http.protocol or None,
        page=record.rec_headers.get_header(VN_PAGE_FIELD),
    )


@dataclass
class FileInfo:
    """What a WARC file says about its crawl: the site and base URL of its warcinfo record, else
    the origin of its first response."""

    path: Path
    site: str | None = None
    base_url: str | None = None
    first_url: str | None = None


@dataclass
class WarcIndex:
    """The archived responses of some WARC files, by (method, canonical URL), in archive order."""

    answers: dict[tuple[str, str], list[ArchivedResponse]] = field(default_factory=dict)
    article_urls: dict[str, None] = field(default_factory=dict)  # ordered set
    files: list[FileInfo] = field(default_factory=list)
    records: int = 0

    @classmethod
    def from_paths(cls, paths: Iterable[str | Path]) -> WarcIndex:
        index = cls()
        for path in warc_files(paths):
            index.add_file(path)
        return index

    @property
    def responses(self) -> int:
        return sum(len(v) for v in self.answers.values())

    def add_file(self, path: Path) -> FileInfo:
        if not is_warc(path):
            raise NotAWarcError(f"{path}: not a WARC file")
        info = FileInfo(path)
        methods: dict[str, str] = {}  # response record id -> method of the request paired with it
        found: list[tuple[str | None, ArchivedResponse, str | None]] = []
        for record in read_warc(path):
            self.records += 1
            if record.rec_type == "warcinfo":
                fields = warcinfo_fields(record)
                info.site = info.site or fields.get("vn-site") or None
                info.base_url = info.base_url or fields.get("vn-base-url") or None
            elif record.rec_type == "request" and record.http_headers:
                paired = record.rec_headers.get_header("WARC-Concurrent-To")
                if paired:
                    methods[paired] = record.http_headers.protocol or "GET"  # the request line's method
            elif record.rec_type == "response" and record.http_headers:
                answer = _archived(record)
                info.first_url = info.first_url or answer.url
                redirected_from = record.rec_headers.get_header(VN_REDIRECTED_FROM_FIELD)
                found.append((record.rec_headers.get_header("WARC-Record-ID"), answer, redirected_from))
        for record_id, answer, redirected_from in found:
            method = methods.get(record_id or "", "GET")
            self.answers.setdefault(_key(method, answer.url), []).append(answer)
            if method == "GET" and (answer.page == "article" or (answer.page is None and answer.is_html_200)):
                self.article_urls.setdefault(redirected_from or answer.url)
        self.files.append(info)
        return info

    def lookup(self, method: str, url: str, retry_codes: Iterable[int] = ()) -> ArchivedResponse | None:
        """The answer the crawl ended with: the last one that is not a retryable status, else the last."""
        answers = self.answers.get(_key(method, url))
        if not answers:
            return None
        retryable = set(retry_codes)
        final = [a for a in answers if a.status not in retryable]
        return (final or answers)[-1]


class WarcReplayMiddleware:
    """Downloader middleware answering every request from `VN_REPLAY_WARC` (module docstring)."""

    def __init__(self, crawler: Any, index: WarcIndex, retry_codes: list[int]) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.index = index
        self.retry_codes = retry_codes
        self.requested: set[str] = set()
        self.leftovers_sent = False

    @classmethod
    def from_crawler(cls, crawler: Any) -> WarcReplayMiddleware:
        s = crawler.settings
        paths = s.getlist("VN_REPLAY_WARC")
        if not paths:
            raise NotConfigured("VN_REPLAY_WARC is empty")
        index = WarcIndex.from_paths(paths)
        mw = cls(crawler, index, [int(c) for c in s.getlist("RETRY_HTTP_CODES")])
        crawler.stats.set_value("vn/replay/files", len(index.files))
        crawler.stats.set_value("vn/replay/records", index.records)
        crawler.stats.set_value("vn/replay/responses", index.responses)
        logger.info(
            "replaying %d responses (%d archived articles) from %d WARC files",
            index.responses,
            len(index.article_urls),
            len(index.files),
        )
        crawler.signals.connect(mw.spider_idle, signal=signals.spider_idle)
        return mw

    def process_request(self, request: Request, spider: Any = None) -> Response:
        self.requested.add(canonicalize_url(request.url, keep_fragments=False))
        answer = self.index.lookup(request.method, request.url, self.retry_codes)
        if answer is None:
            self.stats.inc_value("vn/replay/miss")
            logger.info("not in the archive: %s %s", request.method, request.url)
            raise ReplayMiss(f"not in the archive: {request.method} {request.url}")
        self.stats.inc_value("vn/replay/hit")
        return answer.response(request)

    def spider_idle(self, spider: Any) -> None:
        """Once the walk is done: request every archived article it did not reach."""
        if self.leftovers_sent:
            return
        self.leftovers_sent = True
        make = getattr(spider, "article_request", None)
        if make is None:
            return
        left = [u for u in self.index.article_urls if canonicalize_url(u) not in self.requested]
        if not left:
            return
        logger.info("%d archived articles not reached by the walk: requesting them", len(left))
        self.stats.set_value("vn/replay/unreached_articles", len(left))
        for url in left:
            self.crawler.engine.crawl(make(url))
        raise DontCloseSpider
