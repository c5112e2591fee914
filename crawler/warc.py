"""WARC archives of every fetched response, so pages can be re-extracted offline (`crawler.reextract`).

On with ``VN_WARC_ENABLED``. Every HTTP exchange that reaches the downloader (robots.txt, listings,
REST/sitemap/feed answers, articles, redirects, retried 5xx) becomes a ``request`` and a ``response``
record, linked both ways by ``WARC-Concurrent-To``, in rotating gzip WARC files::

    <VN_WARC_DIR>/<site>/<site>-<utc-stamp>-<worker>-<n>.warc.gz

Each file starts with a ``warcinfo`` record naming the software, the site and the base URL crawled
(the replica lives on 127.0.0.1, so the URL alone cannot tell the site). A file is written as
``.warc.gz.open`` and renamed when it is rotated or the spider closes: readers that glob
``*.warc.gz`` never see a file being written. Every record is its own gzip member, so the
``.open`` file of a killed run stays readable up to its last complete member.

Position and raw bytes: the middleware sits at 950, next to the download handler. Responses
go through ``process_response`` from high to low numbers, so it sees each one before
HttpCompressionMiddleware (590) decodes it, RedirectMiddleware (600) follows it or
RetryMiddleware (550) retries it; requests go through ``process_request`` from low to high, so
their headers are complete (User-Agent, Accept-Encoding, cookies). It therefore records the body
exactly as the server sent it (still gzip/br/zstd-encoded, with ``Content-Encoding`` and
``Content-Length`` kept and consistent with it), each redirect hop and each retried answer.
Readers decode the payload themselves; the replay (crawler/warcreplay.py) hands it to Scrapy's
own HttpCompressionMiddleware. Not recoverable from Scrapy, documented here: header name casing
(Scrapy title-cases names), the reason phrase (rebuilt from the status code), chunked framing
(the body is stored de-chunked, so ``Transfer-Encoding`` is dropped), and HTTP/2 framing
(recorded as an HTTP/1.1 message).
"""

from __future__ import annotations

import logging
import os
import socket
import zlib
from collections.abc import Collection, Iterable, Iterator
from datetime import UTC, datetime
from http import HTTPStatus
from importlib import metadata
from io import BytesIO
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.http import Request, Response
from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.recordloader import ArcWarcRecord
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from crawler.paths import safe_child

logger = logging.getLogger(__name__)

WARC_SUFFIX = ".warc.gz"
OPEN_SUFFIX = ".open"
DEFAULT_MAX_BYTES = 100 * 1024 * 1024
# Extra (non-WARC-namespace) record fields: which spider callback the page was fetched for
# ("article", "listing", "discovery"), and the URL a redirect chain started from. They let the
# replay (crawler/warcreplay.py) request again every page the crawl fetched as an article.
VN_PAGE_FIELD = "VN-Page"
VN_REDIRECTED_FROM_FIELD = "VN-Redirected-From"
# Hop-by-hop framing that no longer describes the stored (de-chunked) body.
_DROPPED_RESPONSE_HEADERS = {b"transfer-encoding"}


def _software() -> str:
    try:
        version = metadata.version("vnportal-crawler")
    except metadata.PackageNotFoundError:
        version = "0"
    libs = f"warcio/{metadata.version('warcio')}, Scrapy/{metadata.version('scrapy')}"
    return f"vnportal-crawler/{version} ({libs})"


def _latin1(value: bytes | str) -> str:
    # HTTP header bytes are octets; latin-1 maps them 1:1 (warcio %-encodes anything non-ASCII).
    return value.decode("latin-1") if isinstance(value, bytes) else value


def _header_pairs(headers: Any, drop: Collection[bytes] = ()) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for name, values in headers.items():
        if name.lower() in drop:
            continue
        pairs.extend((_latin1(name), _latin1(v)) for v in values)
    return pairs


def worker_id(settings: Any) -> str:
    """This worker's name in output file names (as the JSONL store names it)."""
    return settings.get("VN_WORKER_ID") or socket.gethostname().split(".")[0] or "worker"


class WarcFile:
    """One `.warc.gz.open` file being written; `close()` renames it to `.warc.gz`."""

    def __init__(self, path: Path, warcinfo: dict[str, str]) -> None:
        self.final_path = path
        self.path = path.with_name(path.name + OPEN_SUFFIX)
        # "x": never clobber another process's file (same worker id, same microsecond).
        self._fh: IO[bytes] | None = self.path.open("xb")
        self.writer = WARCWriter(self._fh, gzip=True, warc_version="1.1")
        self.records = 0
        self.write_record(self.writer.create_warcinfo_record(path.name, warcinfo))

    @property
    def size(self) -> int:
        return self._fh.tell() if self._fh is not None else 0

    def write_record(self, record: Any) -> None:
        self.writer.write_record(record)
        self.records += 1

    def write_pair(self, request_record: Any, response_record: Any) -> None:
        # warcio writes response then request, each its own gzip member, and sets the request's
        # WARC-Concurrent-To / WARC-Date / WARC-Target-URI from the response.
        self.writer.write_request_response_pair(request_record, response_record)
        self.records += 2

    def close(self) -> Path:
        if self._fh is not None:
            self._fh.close()
            self._fh = None
            os.replace(self.path, self.final_path)
        return self.final_path


class WarcWriterMiddleware:
    """Downloader middleware writing every request/response exchange to the site's WARC files."""

    def __init__(self, crawler: Any, directory: Path, max_bytes: int, worker: str) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.directory = directory
        self.max_bytes = max_bytes
        self.worker = worker
        self.stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        self.software = _software()
        self._file: WarcFile | None = None
        self._next_index = 0
        self.closed_files: list[Path] = []

    @classmethod
    def from_crawler(cls, crawler: Any) -> WarcWriterMiddleware:
        s = crawler.settings
        if not s.getbool("VN_WARC_ENABLED", False):
            raise NotConfigured("VN_WARC_ENABLED is off")
        directory = Path(s.get("VN_WARC_DIR") or Path(s.get("VN_DATA_DIR", "data")) / "warc")
        max_bytes = s.getint("VN_WARC_MAX_BYTES", DEFAULT_MAX_BYTES)
        mw = cls(crawler, directory, max_bytes, worker_id(s))
        crawler.signals.connect(mw.spider_closed, signal=signals.spider_closed)
        return mw

    # ---- Scrapy hooks ---------------------------------------------------------------------

    def process_response(self, request: Request, response: Response, spider: Any = None) -> Response:
        try:
            self.write_exchange(request, response)
        except Exception:  # a full disk must not cost the crawl its pages: log, count, go on
            logger.exception("could not archive %s", response.url)
            self.stats.inc_value("vn/warc/errors")
        return response

    def spider_closed(self, spider: Any = None, reason: str = "") -> None:
        self.close()

    # ---- writing --------------------------------------------------------------------------

    def site_key(self) -> str:
        spider = self.crawler.spider
        site = getattr(spider, "site", None)
        return site.key if site is not None else spider.name

    def write_exchange(self, request: Request, response: Response) -> None:
        warc = self._current_file()
        before = warc.size
        req_rec = self._request_record(warc.writer, request)
        resp_rec = self._response_record(warc.writer, request, response)
        # Link both ways (warcio adds request -> response); the spec allows the field on both.
        req_id = req_rec.rec_headers.get_header("WARC-Record-ID")
        resp_rec.rec_headers.add_header("WARC-Concurrent-To", req_id)
        warc.write_pair(req_rec, resp_rec)
        self.stats.inc_value("vn/warc/records", 2)
        self.stats.inc_value("vn/warc/bytes", warc.size - before)
        if warc.size >= self.max_bytes:
            self._close_file()

    def _request_record(self, writer: WARCWriter, request: Request) -> Any:
        parts = urlsplit(request.url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        pairs = _header_pairs(request.headers)
        if not any(name.lower() == "host" for name, _ in pairs):
            pairs.insert(0, ("Host", parts.netloc))  # added by the HTTP client, not in request.headers
        http = StatusAndHeaders(f"{request.method} {target} HTTP/1.1", pairs, is_http_request=True)
        body = request.body or b""
        return writer.create_warc_record(
            request.url, "request", payload=BytesIO(body), length=len(body), http_headers=http
        )

    def _response_record(self, writer: WARCWriter, request: Request, response: Response) -> Any:
        try:
            reason = HTTPStatus(response.status).phrase
        except ValueError:
            reason = ""
        protocol = response.protocol if (response.protocol or "").startswith("HTTP/1.") else "HTTP/1.1"
        http = StatusAndHeaders(
            f"{response.status} {reason}".strip(),
            _header_pairs(response.headers, _DROPPED_RESPONSE_HEADERS),
            protocol=protocol,
        )
        fields: dict[str, str] = {}
        if response.ip_address is not None:
            fields["WARC-IP-Address"] = str(response.ip_address)
        if request.meta.get("vn_page"):
            fields[VN_PAGE_FIELD] = str(request.meta["vn_page"])
        redirects = request.meta.get("redirect_urls")
        if redirects:
            fields[VN_REDIRECTED_FROM_FIELD] = redirects[0]
        body = response.body
        return writer.create_warc_record(
            response.url,
            "response",
            payload=BytesIO(body),
            length=len(body),
            http_headers=http,
            warc_headers_dict=fields,
        )

    # ---- files ----------------------------------------------------------------------------

    def _current_file(self) -> WarcFile:
        if self._file is None:
            site = self.site_key()
            site_dir = safe_child(self.directory, site)
            site_dir.mkdir(parents=True, exist_ok=True)
            while True:
                name = f"{site}-{self.stamp}-{self.worker}-{self._next_index:05d}{WARC_SUFFIX}"
                self._next_index += 1
                path = safe_child(site_dir, name)
                try:
                    self._file = WarcFile(path, self._warcinfo(site))
                    break
                except FileExistsError:
                    continue
            self.stats.inc_value("vn/warc/files")
            self.stats.inc_value("vn/warc/records")  # the warcinfo record
            self.stats.inc_value("vn/warc/bytes", self._file.size)
        return self._file

    def _warcinfo(self, site: str) -> dict[str, str]:
        spider = self.crawler.spider
        s = self.crawler.settings
        return {
            "software": self.software,
            "format": "WARC File Format 1.1",
            "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
            "hostname": socket.gethostname(),
            "isPartOf": site,
            "vn-site": site,
            "vn-base-url": str(getattr(spider, "base_url", "") or ""),
            "vn-worker": self.worker,
            "robots": "obey" if s.getbool("ROBOTSTXT_OBEY") else "ignore",
            "http-header-user-agent": str(s.get("USER_AGENT") or ""),
        }

    def _close_file(self) -> None:
        if self._file is not None:
            final = self._file.close()
            self._file = None
            self.closed_files.append(final)
            logger.info("closed WARC file %s", final)

    def close(self) -> None:
        self._close_file()


# ---- reading ----------------------------------------------------------------------------------

_READ_CHUNK = 1 << 20
_GZIP_MAGIC = b"\x1f\x8b"


class TornWarcError(ValueError):
    """A gzip member cut short (a killed writer) or corrupt; `offset` is where it starts."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.offset = offset


def _gzip_members(fh: IO[bytes]) -> Iterator[bytes]:
    """The decompressed bytes of each complete gzip member, in order (one WARC record each, as
    warcio writes them); raises TornWarcError at a member that is cut short or corrupt."""
    pending = b""
    consumed = 0  # compressed bytes of the complete members so far
    while True:
        member = zlib.decompressobj(wbits=31)  # gzip framing: eof only after a verified CRC trailer
        parts: list[bytes] = []
        size = 0
        while not member.eof:
            data = pending or fh.read(_READ_CHUNK)
            pending = b""
            if not data:
                if size or parts:
                    raise TornWarcError(f"gzip member at byte {consumed} ends before its trailer", consumed)
                return
            size += len(data)
            try:
                parts.append(member.decompress(data))
            except zlib.error as exc:
                raise TornWarcError(f"corrupt gzip member at byte {consumed}: {exc}", consumed) from None
        pending = member.unused_data
        consumed += size - len(pending)
        yield b"".join(parts)


def read_warc(path: str | Path) -> Iterator[ArcWarcRecord]:
    """Every readable record of a WARC file (gzip or plain), `.open` ones of a killed run included.

    A gzip file is read member by member, so a torn last member (the writer was killed in the
    middle of a record) is skipped with a logged warning and every complete record before it is
    still returned. Records must be consumed before the next one is requested.
    """
    path = Path(path)
    with path.open("rb") as fh:
        gzipped = fh.read(2) == _GZIP_MAGIC
        fh.seek(0)
        if not gzipped:
            try:
                yield from ArchiveIterator(fh)
            except ArchiveLoadFailed as exc:
                logger.warning("%s: unreadable after the last good record, skipping the rest: %s", path, exc)
            return
        size = path.stat().st_size
        try:
            for member in _gzip_members(fh):
                try:
                    yield from ArchiveIterator(BytesIO(member))
                except ArchiveLoadFailed as exc:
                    logger.warning("%s: skipping a member that is not a WARC record: %s", path, exc)
        except TornWarcError as exc:
            logger.warning(
                "%s: %s; skipping the torn tail (%d of %d bytes)", path, exc, size - exc.offset, size
            )


def warcinfo_fields(record: ArcWarcRecord) -> dict[str, str]:
    """The `name: value` fields of a warcinfo record (application/warc-fields)."""
    text = record.content_stream().read().decode("utf-8", "replace")
    fields: dict[str, str] = {}
    for line in text.splitlines():
        name, sep, value = line.partition(":")
        if sep and name.strip():
            fields.setdefault(name.strip(), value.strip())
    return fields


def warc_files(paths: Iterable[str | Path]) -> list[Path]:
    """WARC files named or found (recursively) under directories: finished and `.open` ones,
    sorted by name (site, run stamp, worker, then the file index), so records come in crawl order."""
    found: set[Path] = set()
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            found.update(f for f in p.rglob("*") if f.is_file() and is_warc_name(f.name))
        elif p.is_file():
            found.add(p)
        else:
            raise FileNotFoundError(f"no such WARC file or directory: {p}")
    return sorted(found, key=lambda f: (f.name.removesuffix(OPEN_SUFFIX), str(f)))


def is_warc_name(name: str) -> bool:
    return name.removesuffix(OPEN_SUFFIX).endswith((".warc.gz", ".warc"))
