"""The replica server: real HTTP on 127.0.0.1, one port per site, pages from the site's renderer.

    with ReplicaServer(Path("tests/sites"), ["gialai"]) as replica:
        base = replica.base_url("gialai")          # "http://127.0.0.1:43121"
        replica.set_options("gialai", variant="drift")
        replica.set_faults("gialai", [{"path": "/feed", "kind": "status", "status": 503, "times": 1}])
        replica.log("gialai")["counts"]

A site comes from ``<sites_dir>/<key>/site.json`` ({"site", "renderer", "options"} and optionally
"corpus": {"n", "seed", "start", "id_start"} to generate the articles) plus ``articles.json``,
or from `ReplicaServer.add_site`. A GET is answered by ``renderer.handle(path, query)`` (path
percent-decoded, query parsed with ``parse_qs(keep_blank_values=True)``); None is a 404. The
renderer is rebuilt whenever a site's options or articles change. /robots.txt allows everything
unless the renderer serves one or the "robots" option says otherwise (a string: served as is;
false: ``Disallow: /``).

Control API, on each site's own port (the Python methods of the same names do the same in-process):

    GET    /__replica__/             site info: key, site, renderer, base, options, article count
    GET    /__replica__/log          {"requests": [{method, path, status, fault}], "counts": {...}, "errors"}
    POST   /__replica__/reset-log
    POST   /__replica__/options      JSON object merged into the options (renderer rebuilt)
    POST   /__replica__/articles     JSON list of articles upserted by id (?replace=1 or
                                     {"articles": [...], "replace": true} replaces them all)
    DELETE /__replica__/articles     JSON list of ids to remove
    GET    /__replica__/listed-urls  the renderer's listed_urls()
    GET    /__replica__/faults       the fault rules;  POST sets them (see faults.py);  DELETE clears

The request path is cheap on purpose (benchmarks push thousands of pages a second through it):
no logging to stderr, one lock-protected append per request, the response written in one send.
"""

from __future__ import annotations

import email.utils
import json
import socket
import socketserver
import struct
import sys
import threading
import time
import traceback
from collections import Counter, deque
from collections.abc import Iterable
from datetime import datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from replica.corpus import article_from_dict, article_to_dict, generate_articles, load_articles
from replica.faults import Fault, FaultEngine
from replica.model import Page, ReplicaArticle
from replica.sites import renderer_for

__all__ = ["CONTROL_PREFIX", "ReplicaServer"]

CONTROL_PREFIX = "/__replica__/"
LOG_LIMIT = 200_000  # request entries kept per site; the counts stay exact beyond it
ERROR_LIMIT = 100
IDLE_TIMEOUT = 120.0  # seconds a keep-alive connection may sit idle
HTML = "text/html; charset=utf-8"
NOT_FOUND = (
    '<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>404 - Không tìm thấy trang</title>'
    "</head><body><h1>404</h1><p>Trang bạn yêu cầu không tồn tại.</p></body></html>"
).encode()
ROBOTS_ALLOW = b"User-agent: *\nAllow: /\n"
ROBOTS_DENY = b"User-agent: *\nDisallow: /\n"

_date_cache: tuple[int, str] = (0, "")


def _http_date() -> str:
    """The Date header, formatted once a second (formatdate costs more than the rest of a response)."""
    global _date_cache
    now = int(time.time())
    if _date_cache[0] != now:
        _date_cache = (now, email.utils.formatdate(now, usegmt=True))
    return _date_cache[1]


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


def _error_page(status: int) -> bytes:
    title = f"{status} {_reason(status)}"
    return f"<html><head><title>{title}</title></head><body><h1>{title}</h1></body></html>".encode()


def _coerce_articles(articles: Iterable[ReplicaArticle | dict[str, Any]]) -> list[ReplicaArticle]:
    return [a if isinstance(a, ReplicaArticle) else article_from_dict(a) for a in articles]


def _newest_first(articles: list[ReplicaArticle]) -> list[ReplicaArticle]:
    return sorted(articles, key=lambda a: a.published, reverse=True)  # stable: ties keep their order


class _Site:
    """One replica site: content, options, renderer, faults, request log and its HTTP server."""

    def __init__(
        self,
        key: str,
        renderer: str | type[Any],
        articles: list[ReplicaArticle],
        options: dict[str, Any],
        site: str | None,
    ) -> None:
        self.key = key
        self.site = site or key  # the registry key (site.json "site")
        self.renderer_cls = renderer_for(renderer) if isinstance(renderer, str) else renderer
        name = renderer if isinstance(renderer, str) else f"{renderer.__module__}:{renderer.__qualname__}"
        self.renderer_name = name
        self.articles = list(articles)
        self.options = dict(options)
        self.faults = FaultEngine()
        self.lock = threading.Lock()  # content changes (options, articles)
        self.log_lock = threading.Lock()
        self.stopping = threading.Event()
        self.renderer: Any = None
        self.base = ""
        self.httpd: _SiteHTTPServer | None = None
        self.thread: threading.Thread | None = None
        self._reset_log()

    # -- content ----------------------------------------------------------------------------

    def rebuild(self) -> None:
        """A new renderer for the current content; requests in flight finish on the old one."""
        self.renderer = self.renderer_cls(list(self.articles), self.base, dict(self.options))

    def set_options(self, options: dict[str, Any]) -> dict[str, Any]:
        if not isinstance(options, dict):
            raise ValueError("options must be a JSON object")
        with self.lock:
            merged = {**self.options, **options}
            saved, self.options = self.options, merged
            try:
                self.rebuild()
            except Exception:
                self.options = saved  # a renderer rejecting the options leaves the site as it was
                raise
            return dict(merged)

    def set_articles(self, articles: Iterable[ReplicaArticle | dict[str, Any]], replace: bool = False) -> int:
        new = _coerce_articles(articles)
        with self.lock:
            saved = self.articles
            if replace:
                merged = new
            else:
                by_id = {a.id: a for a in self.articles}
                by_id.update((a.id, a) for a in new)
                merged = list(by_id.values())
            self.articles = _newest_first(merged)
            try:
                self.rebuild()
            except Exception:
                self.articles = saved
                raise
            return len(self.articles)

    def remove_articles(self, ids: Iterable[str | int]) -> int:
        drop = {str(i) for i in ids}
        with self.lock:
            saved = self.articles
            self.articles = [a for a in self.articles if a.id not in drop]
            try:
                self.rebuild()
            except Exception:
                self.articles = saved
                raise
            return len(self.articles)

    def info(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "site": self.site,
            "renderer": self.renderer_name,
            "base": self.base,
            "options": dict(self.options),
            "articles": len(self.articles),
        }

    # -- log --------------------------------------------------------------------------------

    def _reset_log(self) -> None:
        self.requests: deque[tuple[str, str, int, str | None]] = deque(maxlen=LOG_LIMIT)
        self.by_status: Counter[int] = Counter()
        self.by_fault: Counter[str] = Counter()
        self.by_path: Counter[str] = Counter()
        self.errors: deque[dict[str, str]] = deque(maxlen=ERROR_LIMIT)
        self.total = 0

    def reset_log(self) -> None:
        with self.log_lock:
            self._reset_log()

    def record(self, method: str, target: str, status: int, fault: str | None) -> None:
        with self.log_lock:
            self.requests.append((method, target, status, fault))
            self.total += 1
            self.by_status[status] += 1
            self.by_path[target] += 1
            if fault:
                self.by_fault[fault] += 1

    def error(self, target: str, text: str) -> None:
        with self.log_lock:
            self.errors.append({"path": target, "error": text})

    def log(self) -> dict[str, Any]:
        with self.log_lock:
            return {
                "requests": [
                    {"method": m, "path": p, "status": s, "fault": f} for m, p, s, f in self.requests
                ],
                "counts": {
                    "total": self.total,
                    "status": {str(k): v for k, v in sorted(self.by_status.items())},
                    "fault": dict(self.by_fault),
                    "path": dict(self.by_path),
                },
                "errors": list(self.errors),
            }

    # -- pages ------------------------------------------------------------------------------

    def respond(self, target: str) -> tuple[int, str, dict[str, str], bytes]:
        """(status, content type, extra headers, body) for a GET of `target`."""
        raw_path, _, query = target.partition("?")
        if raw_path.startswith(("http://", "https://")):  # absolute-form request target
            raw_path = urlsplit(raw_path).path or "/"
        path = unquote(raw_path) or "/"
        renderer = self.renderer
        if path == "/robots.txt" and "robots" in self.options:
            robots = self.options["robots"]
            body = robots.encode() if isinstance(robots, str) else ROBOTS_ALLOW if robots else ROBOTS_DENY
            return 200, "text/plain; charset=utf-8", {}, body
        try:
            page: Page | None = renderer.handle(path, parse_qs(query, keep_blank_values=True))
        except Exception:
            self.error(target, traceback.format_exc(limit=8))
            return 500, HTML, {}, _error_page(500)
        if page is None and path == "/" and hasattr(renderer, "home_page"):
            page = renderer.home_page()  # a portal's home page, for `scrapy crawl portal -a url=<base>`
        if page is None:
            if path == "/robots.txt":
                return 200, "text/plain; charset=utf-8", {}, ROBOTS_ALLOW
            return 404, HTML, {}, NOT_FOUND
        return page.status, page.content_type, page.headers, page.bytes()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: every response carries Content-Length
    server_version = "replica"
    sys_version = ""
    disable_nagle_algorithm = True  # no 40 ms Nagle/delayed-ACK stalls on keep-alive connections
    timeout = IDLE_TIMEOUT
    server: _SiteHTTPServer

    def setup(self) -> None:
        super().setup()
        self.server.track(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.untrack(self.connection)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the in-memory log replaces stderr lines

    # -- plumbing ---------------------------------------------------------------------------

    def _write(
        self, status: int, content_type: str, headers: dict[str, str], body: bytes, *, send: int | None = None
    ) -> None:
        """Headers and body in one write; `send` bytes of the body only (truncate faults)."""
        lines = [
            f"HTTP/1.1 {status} {_reason(status)}",
            f"Date: {_http_date()}",
            "Server: replica",
            f"Content-Type: {content_type}",
            f"Content-Length: {len(body)}",
        ]
        lines.extend(f"{k}: {v}" for k, v in headers.items())
        if self.close_connection:
            lines.append("Connection: close")
        # Header values are str; non-Latin-1 ones (a Vietnamese Location) go out as raw UTF-8 bytes.
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8")
        if self.command == "HEAD":
            body = b""
        elif send is not None:
            body = body[:send]
        self.wfile.write(head + body)

    def _read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _json(self, status: int, data: Any) -> None:
        body = json.dumps(data, ensure_ascii=False).encode()
        self._write(status, "application/json; charset=utf-8", {}, body)

    def _reset(self) -> None:
        """Abort the connection: SO_LINGER 0 makes close() send a TCP RST instead of a FIN."""
        self.close_connection = True
        sock = self.connection
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        # The socket only really closes once rfile (a makefile() reference) is closed too.
        self.rfile.close()
        sock.close()

    # -- methods ----------------------------------------------------------------------------

    def do_GET(self) -> None:
        target = self.path
        if target.startswith(CONTROL_PREFIX):
            self._control()
            return
        site = self.server.site
        fault: Fault | None = site.faults.decide(target) if site.faults.active else None
        # Logged before the response goes out: a client holding a response finds it in the log.
        if fault is None:
            status, ctype, headers, body = site.respond(target)
            site.record(self.command, target, status, None)
            self._write(status, ctype, headers, body)
            return
        if fault.kind == "reset":
            site.record(self.command, target, 0, "reset")
            self._reset()
            return
        if fault.kind == "status":
            status, ctype, headers, body = fault.status, HTML, fault.headers, _error_page(fault.status)
        else:
            if fault.kind == "delay" and site.stopping.wait(fault.delay):
                self.close_connection = True  # the server is stopping: drop the request
                return
            status, ctype, headers, body = site.respond(target)
        if fault.kind == "truncate":
            if len(body) < 2 or self.command == "HEAD":  # nothing to cut: abort instead
                site.record(self.command, target, 0, "reset")
                self._reset()
                return
            site.record(self.command, target, status, "truncate")
            self.close_connection = True
            cut = min(len(body) - 1, max(1, int(len(body) * fault.fraction)))
            self._write(status, ctype, headers, body, send=cut)
        else:
            site.record(self.command, target, status, fault.kind)
            self._write(status, ctype, headers, body)

    do_HEAD = do_GET

    def do_POST(self) -> None:
        self._control()

    def do_DELETE(self) -> None:
        self._control()

    def do_PUT(self) -> None:
        self._control()

    # -- control API ------------------------------------------------------------------------

    def _control(self) -> None:
        payload = self._read_body()  # always consumed, so keep-alive stays in sync
        if not self.path.startswith(CONTROL_PREFIX):
            self.server.site.record(self.command, self.path, 405, None)
            self._write(405, HTML, {"Allow": "GET, HEAD"}, _error_page(405))
            return
        site = self.server.site
        route, _, query = self.path[len(CONTROL_PREFIX) :].partition("?")
        route = route.strip("/")
        params = parse_qs(query)
        try:
            data = json.loads(payload) if payload.strip() else None
            result = self._dispatch(site, self.command, route, data, params)
        except (ValueError, TypeError, KeyError) as exc:
            self._json(400, {"error": f"{type(exc).__name__}: {exc}"})
            return
        if result is None:
            self._json(404, {"error": f"no control route {self.command} {self.path}"})
        else:
            self._json(200, result)

    @staticmethod
    def _dispatch(site: _Site, method: str, route: str, data: Any, params: dict[str, list[str]]) -> Any:
        if method == "GET":
            if route == "":
                return site.info()
            if route == "log":
                return site.log()
            if route == "faults":
                return site.faults.spec
            if route == "listed-urls":
                return list(site.renderer.listed_urls())
            if route == "articles":
                return [article_to_dict(a) for a in site.articles]
            if route == "options":
                return dict(site.options)
            return None
        if method == "POST" or method == "PUT":
            if route == "reset-log":
                site.reset_log()
                return {"ok": True}
            if route == "options":
                return {"options": site.set_options(data or {})}
            if route == "articles":
                replace = params.get("replace", ["0"])[-1] not in ("0", "false", "")
                if isinstance(data, dict):
                    replace = bool(data.get("replace", replace))
                    data = data.get("articles", [])
                if not isinstance(data, list):
                    raise ValueError("articles must be a JSON list")
                return {"articles": site.set_articles(data, replace=replace)}
            if route == "faults":
                site.faults.set(data)
                return {"faults": site.faults.spec}
            return None
        if method == "DELETE":
            if route == "faults":
                site.faults.clear()
                return {"faults": []}
            if route == "articles":
                ids = data.get("ids", []) if isinstance(data, dict) else data or params.get("id", [])
                return {"articles": site.remove_articles(ids)}
            return None
        return None


class _SiteHTTPServer(ThreadingHTTPServer):
    """One site's listening socket; a daemon thread per connection."""

    daemon_threads = True
    block_on_close = False
    request_queue_size = 1024  # a crawler opening dozens of connections at once must not hit SYN drops

    def __init__(self, address: tuple[str, int], site: _Site) -> None:
        self.site = site
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, _Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind calls getfqdn(), a reverse DNS lookup that can stall for seconds.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name, self.server_port = str(host), int(port)

    def track(self, sock: socket.socket) -> None:
        with self._connections_lock:
            self._connections.add(sock)

    def untrack(self, sock: socket.socket) -> None:
        with self._connections_lock:
            self._connections.discard(sock)

    def close_connections(self) -> None:
        """Wake keep-alive handler threads so a stopped site serves nothing more."""
        with self._connections_lock:
            conns = list(self._connections)
        for sock in conns:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def handle_error(self, request: Any, client_address: Any) -> None:
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, TimeoutError, ValueError)) or self.site.stopping.is_set():
            return  # clients hanging up (and our own resets) are normal here
        self.site.error(str(client_address), traceback.format_exc(limit=8))


class ReplicaServer:
    """Serves replica sites on 127.0.0.1, one ephemeral port each (see the module docstring)."""

    def __init__(
        self, sites_dir: Path | str | None = None, keys: list[str] | None = None, host: str = "127.0.0.1"
    ) -> None:
        self.sites_dir = Path(sites_dir) if sites_dir is not None else None
        self.host = host
        self._sites: dict[str, _Site] = {}
        self._started = False
        self._lock = threading.Lock()
        if self.sites_dir is None:
            if keys:
                raise ValueError("keys given without a sites_dir")
            return
        if keys is None:
            keys = sorted(p.parent.name for p in self.sites_dir.glob("*/site.json"))
        for key in keys:
            self._sites[key] = self._load(key)

    def _load(self, key: str) -> _Site:
        assert self.sites_dir is not None
        folder = self.sites_dir / key
        cfg_path = folder / "site.json"
        if not cfg_path.is_file():
            raise FileNotFoundError(f"replica site {key!r}: no {cfg_path}")
        cfg = json.loads(cfg_path.read_text(encoding="utf-8"))
        corpus = cfg.get("corpus")
        if corpus and not (folder / "articles.json").exists():
            articles = generate_articles(
                int(corpus["n"]),
                int(corpus.get("seed", 0)),
                start=datetime.fromisoformat(corpus.get("start", "2024-06-01T08:00:00")),
                id_start=int(corpus.get("id_start", 1)),
            )
        else:
            articles = load_articles(folder / "articles.json")
        return _Site(key, cfg["renderer"], _newest_first(articles), cfg.get("options") or {}, cfg.get("site"))

    # -- lifecycle --------------------------------------------------------------------------

    def add_site(
        self,
        key: str,
        renderer: str | type[Any],
        articles: Iterable[ReplicaArticle | dict[str, Any]],
        options: dict[str, Any] | None = None,
        *,
        site: str | None = None,
    ) -> str:
        """Add a site (e.g. a generated corpus), served at once if running; returns its base ("" if not)."""
        with self._lock:
            if key in self._sites:
                raise ValueError(f"replica site {key!r} already exists")
            s = _Site(key, renderer, _newest_first(_coerce_articles(articles)), options or {}, site)
            self._sites[key] = s
            if self._started:
                try:
                    self._serve(s)
                except BaseException:
                    del self._sites[key]
                    raise
        return s.base

    def _serve(self, site: _Site) -> None:
        httpd = _SiteHTTPServer((self.host, 0), site)
        try:
            site.base = f"http://{self.host}:{httpd.server_port}"
            site.stopping.clear()
            site.rebuild()  # the renderer needs the base URL, so it is built once the port is known
        except BaseException:
            httpd.server_close()
            raise
        site.httpd = httpd
        # A short poll interval so stop() is quick; the idle wake-ups cost nothing measurable.
        site.thread = threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, name=f"replica-{site.key}"
        )
        site.thread.daemon = True
        site.thread.start()

    def start(self) -> ReplicaServer:
        with self._lock:
            if self._started:
                return self
            self._started = True
            try:
                for site in self._sites.values():
                    self._serve(site)
            except BaseException:
                self._started = False
                self._stop_sites()
                raise
        return self

    def _stop_sites(self) -> None:
        for site in self._sites.values():
            httpd, site.httpd = site.httpd, None
            if httpd is None:
                continue
            site.stopping.set()  # delayed responses give up
            httpd.shutdown()
            httpd.server_close()
            httpd.close_connections()
            if site.thread is not None:
                site.thread.join(timeout=5)
                site.thread = None

    def stop(self) -> None:
        with self._lock:
            if not self._started:
                return
            self._started = False
            self._stop_sites()

    def __enter__(self) -> ReplicaServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- addresses --------------------------------------------------------------------------

    @property
    def keys(self) -> list[str]:
        return list(self._sites)

    def _site(self, key: str) -> _Site:
        try:
            return self._sites[key]
        except KeyError:
            raise KeyError(f"no replica site {key!r} (serving: {', '.join(self._sites)})") from None

    def base_url(self, key: str) -> str:
        site = self._site(key)
        if not site.base or site.httpd is None:
            raise RuntimeError(f"replica site {key!r} is not being served (call start())")
        return site.base

    def urls(self) -> dict[str, str]:
        return {key: self.base_url(key) for key in self._sites}

    def site_key(self, key: str) -> str:
        """The registry key the replica site stands for (site.json "site")."""
        return self._site(key).site

    # -- control (the same operations as the HTTP control API) ------------------------------

    def renderer(self, key: str) -> Any:
        return self._site(key).renderer

    def listed_urls(self, key: str) -> list[str]:
        return list(self._site(key).renderer.listed_urls())

    def articles(self, key: str) -> list[ReplicaArticle]:
        return list(self._site(key).articles)

    def options(self, key: str) -> dict[str, Any]:
        return dict(self._site(key).options)

    def set_options(self, key: str, options: dict[str, Any] | None = None, **more: Any) -> dict[str, Any]:
        """Merge options (e.g. variant="drift", rest=403), rebuild the renderer; returns the options."""
        return self._site(key).set_options({**(options or {}), **more})

    def set_articles(
        self, key: str, articles: Iterable[ReplicaArticle | dict[str, Any]], *, replace: bool = False
    ) -> int:
        """Upsert articles by id (or replace them all); returns the site's article count."""
        return self._site(key).set_articles(articles, replace=replace)

    def remove_articles(self, key: str, ids: Iterable[str | int]) -> int:
        return self._site(key).remove_articles(ids)

    def set_faults(self, key: str | None, rules: Any) -> None:
        """Replace the fault rules of one site (or of every site with key=None)."""
        for site in self._targets(key):
            site.faults.set(rules)

    def clear_faults(self, key: str | None = None) -> None:
        for site in self._targets(key):
            site.faults.clear()

    def faults(self, key: str) -> list[Any]:
        return self._site(key).faults.spec

    def log(self, key: str) -> dict[str, Any]:
        """{"requests": [{method, path, status, fault}], "counts": {total, status, fault, path}, "errors"}."""
        return self._site(key).log()

    def requests(self, key: str) -> list[dict[str, Any]]:
        return self.log(key)["requests"]

    def reset_log(self, key: str | None = None) -> None:
        for site in self._targets(key):
            site.reset_log()

    def info(self, key: str) -> dict[str, Any]:
        return self._site(key).info()

    def _targets(self, key: str | None) -> list[_Site]:
        return list(self._sites.values()) if key is None else [self._site(key)]
