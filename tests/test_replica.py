"""The replica server engine: routing, faults, control API, CLI and the generated corpus.

Real HTTP on 127.0.0.1 with urllib / http.client against `TinyRenderer` (defined here, so these
tests do not depend on the template renderers), plus a smoke test of every bundled site.
"""

from __future__ import annotations

import http.client
import itertools
import json
import os
import re
import selectors
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from replica.corpus import article_from_dict, article_to_dict, generate_articles, slugify
from replica.model import Page, ReplicaArticle
from replica.server import ReplicaServer

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
T0 = datetime(2024, 5, 20, 9, 30)
TINY = "test_replica:TinyRenderer"  # the "module:Class" renderer key of the class below


class TinyRenderer:
    """A minimal SiteRenderer: "/" and "/?page=N" listings (5 a page), "/a/<id>" articles,
    "/view?id=&mode=full" (query routing), "/tag/<name>", "/go/<id>" (301), "/boom" (raises).
    Option "variant": "drift" renames the body class; "rest": N makes "/api" answer N.
    """

    def __init__(self, articles: list[ReplicaArticle], base: str, options: dict[str, Any]) -> None:
        self.articles, self.base, self.options = articles, base, options
        self.by_id = {a.id: a for a in articles}
        self.body_class = "body-drift" if options.get("variant") == "drift" else "body"

    def _article(self, a: ReplicaArticle) -> Page:
        body = "".join(a.body)
        head = f"<html><head><title>{a.title}</title></head>"
        return Page(f'{head}<body><div class="{self.body_class}">{body}</div></body></html>')

    def handle(self, path: str, query: dict[str, list[str]]) -> Page | None:
        if path == "/":
            page = int(query.get("page", ["1"])[0])
            items = self.articles[(page - 1) * 5 : page * 5]
            if not items:
                return None
            links = "".join(f'<a href="{self.base}/a/{a.id}">{a.title}</a>' for a in items)
            return Page(f"<html><body>{links}</body></html>")
        if path.startswith("/a/") and path[3:] in self.by_id:
            return self._article(self.by_id[path[3:]])
        if path == "/view" and query.get("mode") == ["full"] and query.get("id", [""])[0] in self.by_id:
            page = self._article(self.by_id[query["id"][0]])
            return Page(f"{page.body}<!-- keys: {','.join(sorted(query))} -->")
        if path.startswith("/tag/"):
            return Page(f"<html><body>tag={path[5:]}</body></html>")
        if path.startswith("/go/"):
            return Page(b"", status=301, headers={"Location": f"{self.base}/a/{path[4:]}"})
        if path == "/api" and "rest" in self.options:
            return Page(b'{"code": "rest_forbidden"}', "application/json", status=int(self.options["rest"]))
        if path == "/boom":
            raise RuntimeError("renderer bug")
        return None

    def listed_urls(self) -> list[str]:
        return [f"{self.base}/a/{a.id}" for a in self.articles]


def _articles(n: int = 12) -> list[ReplicaArticle]:
    return [
        ReplicaArticle(
            id=str(100 + n - i),
            slug=f"bai-{100 + n - i}",
            title=f"Bài viết số {100 + n - i}",
            published=T0 - timedelta(hours=i),
            body=[f"<p>Đoạn một của bài {100 + n - i}.</p>", "<p>" + "Nội dung dài. " * 40 + "</p>"],
        )
        for i in range(n)
    ]


@pytest.fixture
def tiny(fresh_replica: Any) -> ReplicaServer:
    server = fresh_replica(sites_dir=None)
    server.add_site("tiny", TinyRenderer, _articles(), {"note": "x"}, site="gialai")
    return server


def get(url: str, method: str = "GET", data: Any = None) -> tuple[int, dict[str, str], bytes]:
    body = None if data is None else json.dumps(data).encode()
    req = urllib.request.Request(url, data=body, method=method)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def conn(server: ReplicaServer, key: str, timeout: float = 10) -> http.client.HTTPConnection:
    return http.client.HTTPConnection("127.0.0.1", urlsplit(server.base_url(key)).port, timeout=timeout)


def outcome(server: ReplicaServer, key: str, path: str) -> str:
    """What a client sees for one GET on a fresh connection: "200", "503", "reset" or "truncate"."""
    c = conn(server, key)
    try:
        c.request("GET", path)
        r = c.getresponse()
        r.read()
        return str(r.status)
    except http.client.IncompleteRead:
        return "truncate"
    except ConnectionResetError:  # includes http.client.RemoteDisconnected
        return "reset"
    finally:
        c.close()


# -- routing --------------------------------------------------------------------------------------


def test_serves_renderer_pages_with_content_length(tiny: ReplicaServer) -> None:
    base = tiny.base_url("tiny")
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", base)
    assert tiny.urls() == {"tiny": base}
    status, headers, body = get(base + "/")
    assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
    assert int(headers["Content-Length"]) == len(body)
    assert f'href="{base}/a/112"'.encode() in body
    status, _, body = get(base + "/a/105")
    assert status == 200 and "Bài viết số 105".encode() in body
    assert tiny.listed_urls("tiny")[0] == base + "/a/112"
    assert tiny.site_key("tiny") == "gialai"


def test_unknown_path_is_404_and_logged(tiny: ReplicaServer) -> None:
    base = tiny.base_url("tiny")
    assert get(base + "/khong-co")[0] == 404
    assert get(base + "/?page=9")[0] == 404
    log = tiny.log("tiny")
    assert log["requests"] == [
        {"method": "GET", "path": "/khong-co", "status": 404, "fault": None},
        {"method": "GET", "path": "/?page=9", "status": 404, "fault": None},
    ]
    assert log["counts"]["status"] == {"404": 2} and log["counts"]["total"] == 2


def test_query_parameters_in_any_order_and_blank_values(tiny: ReplicaServer) -> None:
    base = tiny.base_url("tiny")
    a = get(base + "/view?id=107&mode=full&empty=")
    b = get(base + "/view?empty=&mode=full&id=107")
    assert a[0] == b[0] == 200 and a[2] == b[2]
    assert b"keys: empty,id,mode" in a[2]  # keep_blank_values
    assert get(base + "/view?id=107")[0] == 404


def test_path_is_percent_decoded_and_redirects_pass_through(tiny: ReplicaServer) -> None:
    base = tiny.base_url("tiny")
    quoted = "/tag/chuy%E1%BB%83n%20%C4%91%E1%BB%95i%20s%E1%BB%91"
    assert "tag=chuyển đổi số".encode() in get(base + quoted)[2]
    c = conn(tiny, "tiny")
    c.request("GET", "/go/110")
    r = c.getresponse()
    assert r.status == 301 and r.getheader("Location") == base + "/a/110" and r.read() == b""
    c.close()


def test_keep_alive_and_head(tiny: ReplicaServer) -> None:
    c = conn(tiny, "tiny")
    for path in ("/a/101", "/a/102", "/nope", "/a/103"):
        c.request("GET", path)
        r = c.getresponse()
        r.read()
        assert r.status in (200, 404) and r.getheader("Connection") is None
    sock = c.sock
    c.request("HEAD", "/a/101")
    r = c.getresponse()
    assert r.status == 200 and int(r.getheader("Content-Length")) > 100 and r.read() == b""
    assert c.sock is sock  # every request went over the one connection
    c.close()
    assert tiny.log("tiny")["requests"][-1]["method"] == "HEAD"


def test_robots_txt_default_and_options(tiny: ReplicaServer) -> None:
    base = tiny.base_url("tiny")
    assert get(base + "/robots.txt")[2] == b"User-agent: *\nAllow: /\n"
    tiny.set_options("tiny", robots=False)
    assert get(base + "/robots.txt")[2] == b"User-agent: *\nDisallow: /\n"
    tiny.set_options("tiny", robots="User-agent: *\nDisallow: /a/\n")
    assert get(base + "/robots.txt")[2] == b"User-agent: *\nDisallow: /a/\n"


def test_renderer_error_is_a_500_with_the_traceback_kept(tiny: ReplicaServer) -> None:
    assert get(tiny.base_url("tiny") + "/boom")[0] == 500
    errors = tiny.log("tiny")["errors"]
    assert errors[0]["path"] == "/boom" and "renderer bug" in errors[0]["error"]


def test_non_get_outside_control_api_is_405(tiny: ReplicaServer) -> None:
    assert get(tiny.base_url("tiny") + "/a/101", method="POST", data={})[0] == 405


def test_sites_get_their_own_ports_and_can_be_added_while_running(tiny: ReplicaServer) -> None:
    base = tiny.add_site("tiny2", TinyRenderer, [article_to_dict(a) for a in _articles(3)])
    assert base == tiny.base_url("tiny2") != tiny.base_url("tiny")
    assert get(base + "/a/103")[0] == 200 and get(tiny.base_url("tiny") + "/a/103")[0] == 200
    assert get(base + "/a/112")[0] == 404
    with pytest.raises(ValueError):
        tiny.add_site("tiny2", TinyRenderer, [])


def test_stop_closes_ports_and_keep_alive_connections(fresh_replica: Any) -> None:
    server = fresh_replica(sites_dir=None)
    server.add_site("t", TinyRenderer, _articles(2))
    c = conn(server, "t")
    c.request("GET", "/a/101")
    c.getresponse().read()
    base = server.base_url("t")
    server.stop()
    with pytest.raises(ConnectionError):
        c.request("GET", "/a/102")
        c.getresponse().read()
    c.close()
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(base + "/", timeout=5)
    with pytest.raises(RuntimeError):
        server.base_url("t")
    server.stop()  # idempotent


def test_loads_sites_dir_and_generated_corpus(tmp_path: Path, fresh_replica: Any) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "site.json").write_text(
        json.dumps({"site": "gialai", "renderer": TINY, "options": {"variant": "drift"}})
    )
    (tmp_path / "a" / "articles.json").write_text(
        json.dumps([article_to_dict(a) for a in reversed(_articles(4))], ensure_ascii=False)
    )
    (tmp_path / "big").mkdir()
    (tmp_path / "big" / "site.json").write_text(
        json.dumps({"renderer": TINY, "corpus": {"n": 300, "seed": 5}})
    )
    server = fresh_replica(sites_dir=tmp_path)
    assert sorted(server.keys) == ["a", "big"]
    assert [a.id for a in server.articles("a")] == ["104", "103", "102", "101"]  # sorted newest first
    assert b"body-drift" in get(server.base_url("a") + "/a/101")[2]
    assert len(server.articles("big")) == 300 and server.site_key("big") == "big"
    with pytest.raises(FileNotFoundError):
        ReplicaServer(tmp_path, ["missing"])
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "site.json").write_text(json.dumps({"renderer": "no-such-template"}))
    (tmp_path / "bad" / "articles.json").write_text("[]")
    with pytest.raises(KeyError, match="no-such-template"):
        ReplicaServer(tmp_path, ["bad"])


def test_every_bundled_site_serves_its_articles(replica: ReplicaServer) -> None:
    expected = sorted(p.parent.name for p in (TESTS / "sites").glob("*/site.json"))
    assert sorted(replica.keys) == expected
    for key in replica.keys:
        base = replica.base_url(key)
        assert get(base + "/robots.txt")[0] == 200
        urls = replica.listed_urls(key)
        assert len(urls) >= 12, key
        for url in (urls[0], urls[-1]):
            status, _, body = get(url)
            assert status == 200 and body, (key, url)


def test_throughput_over_keep_alive(fresh_replica: Any) -> None:
    """The server path alone (a pre-rendered renderer) must sustain well over 1,000 requests/s."""

    class Prerendered:
        def __init__(self, articles: list[ReplicaArticle], base: str, options: dict[str, Any]) -> None:
            self.pages = {f"/a/{a.id}": Page("<html>" + "".join(a.body) + "</html>") for a in articles}

        def handle(self, path: str, query: dict[str, list[str]]) -> Page | None:
            return self.pages.get(path)

        def listed_urls(self) -> list[str]:
            return []

    arts = generate_articles(3000, 1, start=T0)
    server = fresh_replica(sites_dir=None)
    server.add_site("p", Prerendered, arts)
    paths = [f"/a/{a.id}" for a in arts]
    failures: list[int] = []

    def worker(chunk: list[str]) -> None:
        c = conn(server, "p")
        for path in chunk:
            c.request("GET", path)
            r = c.getresponse()
            r.read()
            if r.status != 200:
                failures.append(r.status)
        c.close()

    threads = [threading.Thread(target=worker, args=(paths[i::4],)) for i in range(4)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    rate = len(paths) / (time.perf_counter() - started)
    assert not failures
    assert server.log("p")["counts"]["total"] == len(paths)
    assert rate >= 1000, f"{rate:.0f} requests/s"


# -- faults ---------------------------------------------------------------------------------------


def test_status_fault_for_the_first_n_matches(tiny: ReplicaServer) -> None:
    base = tiny.base_url("tiny")
    tiny.set_faults("tiny", [{"path": r"^/a/10[12]$", "kind": "status", "status": 503, "times": 2}])
    assert get(base + "/a/101")[0] == 503
    assert get(base + "/a/103")[0] == 200  # path does not match
    status, headers, _ = get(base + "/a/102")
    assert status == 503 and int(headers["Content-Length"]) > 0
    assert get(base + "/a/101")[0] == 200  # times exhausted
    log = tiny.log("tiny")
    assert [(r["path"], r["status"], r["fault"]) for r in log["requests"]] == [
        ("/a/101", 503, "status"),
        ("/a/103", 200, None),
        ("/a/102", 503, "status"),
        ("/a/101", 200, None),
    ]
    assert log["counts"]["fault"] == {"status": 2}


def test_delay_fault_answers_after_the_delay(tiny: ReplicaServer) -> None:
    tiny.set_faults("tiny", {"path": "/a/105", "kind": "delay", "delay": 0.4})
    started = time.monotonic()
    status, _, body = get(tiny.base_url("tiny") + "/a/105")
    assert time.monotonic() - started >= 0.4
    assert status == 200 and "Bài viết số 105".encode() in body
    started = time.monotonic()
    assert get(tiny.base_url("tiny") + "/a/106")[0] == 200
    assert time.monotonic() - started < 0.4
    assert tiny.log("tiny")["requests"][0]["fault"] == "delay"


def test_reset_fault_is_a_connection_reset(tiny: ReplicaServer) -> None:
    tiny.set_faults("tiny", {"path": "/a/", "kind": "reset", "times": 1})
    c = conn(tiny, "tiny")
    c.request("GET", "/a/101")
    with pytest.raises(ConnectionResetError):  # a TCP RST (RemoteDisconnected is a subclass)
        c.getresponse().read()
    c.close()
    assert outcome(tiny, "tiny", "/a/101") == "200"
    first = tiny.log("tiny")["requests"][0]
    assert first == {"method": "GET", "path": "/a/101", "status": 0, "fault": "reset"}


def test_truncate_fault_cuts_the_body_under_a_full_content_length(tiny: ReplicaServer) -> None:
    full = get(tiny.base_url("tiny") + "/a/101")[2]
    tiny.set_faults("tiny", [{"kind": "truncate", "path": "/a/101"}])
    c = conn(tiny, "tiny")
    c.request("GET", "/a/101")
    r = c.getresponse()
    assert r.status == 200 and int(r.getheader("Content-Length")) == len(full)
    with pytest.raises(http.client.IncompleteRead) as info:
        r.read()
    assert 0 < len(info.value.partial) < len(full)
    c.close()
    assert tiny.log("tiny")["counts"]["fault"] == {"truncate": 1}


def test_probability_and_bad_rules(tiny: ReplicaServer) -> None:
    tiny.set_faults("tiny", {"kind": "status", "status": 500, "probability": 0.5, "seed": 3})
    seen = {outcome(tiny, "tiny", f"/a/{i}") for i in range(101, 113)}
    assert seen == {"200", "500"}
    for bad in ({"kind": "explode"}, {"probability": 2}, {"random": {"status": 0.8, "reset": 0.5}}, "x"):
        with pytest.raises(ValueError):
            tiny.set_faults("tiny", bad)
    tiny.clear_faults()
    assert tiny.faults("tiny") == []


RANDOM = {
    "random": {"seed": 42, "status": 0.2, "slow": 0.1, "reset": 0.1, "truncate": 0.1, "slow_delay": 0.01}
}


def _random_run(server: ReplicaServer) -> list[tuple[str, str]]:
    server.set_faults("t", RANDOM)
    return [(p, outcome(server, "t", p)) for _ in range(3) for p in [f"/a/{i}" for i in range(101, 131)]]


def test_seeded_random_faults_are_deterministic_across_servers(fresh_replica: Any) -> None:
    runs, logs = [], []
    for _ in range(2):
        server = fresh_replica(sites_dir=None)
        server.add_site("t", TinyRenderer, _articles(30))
        runs.append(_random_run(server))
        logs.append([(r["path"], r["status"], r["fault"]) for r in server.log("t")["requests"]])
        server.stop()
    assert runs[0] == runs[1] and logs[0] == logs[1]
    kinds = {o for _, o in runs[0]}
    assert {"200", "reset", "truncate"} <= kinds and kinds & {"500", "503"}
    assert {f for _, _, f in logs[0]} == {None, "status", "delay", "reset", "truncate"}
    # A URL that failed on one attempt is served on a later one (per-attempt draws).
    by_path: dict[str, list[str]] = {}
    for path, result in runs[0]:
        by_path.setdefault(path, []).append(result)
    assert any(r[0] != "200" and "200" in r[1:] for r in by_path.values())
    # Another seed injects other faults.
    server = fresh_replica(sites_dir=None)
    server.add_site("t", TinyRenderer, _articles(30))
    server.set_faults("t", {"random": {**RANDOM["random"], "seed": 7}})
    other = [(p, outcome(server, "t", p)) for _ in range(3) for p in [f"/a/{i}" for i in range(101, 131)]]
    assert other != runs[0]


def test_set_faults_on_every_site(tiny: ReplicaServer) -> None:
    tiny.add_site("tiny2", TinyRenderer, _articles(3))
    tiny.set_faults(None, {"kind": "status", "status": 429})
    assert get(tiny.base_url("tiny") + "/a/101")[0] == get(tiny.base_url("tiny2") + "/a/101")[0] == 429
    tiny.clear_faults()
    assert get(tiny.base_url("tiny2") + "/a/101")[0] == 200


# -- control API ----------------------------------------------------------------------------------


def test_control_api_over_http(tiny: ReplicaServer) -> None:
    base = tiny.base_url("tiny")
    control = base + "/__replica__/"
    status, _, body = get(control)
    assert status == 200
    assert json.loads(body) == {
        "key": "tiny",
        "site": "gialai",
        "renderer": TINY,
        "base": base,
        "options": {"note": "x"},
        "articles": 12,
    }

    # options: merged, renderer rebuilt
    assert b'class="body"' in get(base + "/a/101")[2]
    status, _, body = get(control + "options", "POST", {"variant": "drift"})
    assert status == 200 and json.loads(body)["options"] == {"note": "x", "variant": "drift"}
    assert b'class="body-drift"' in get(base + "/a/101")[2]
    assert get(base + "/api")[0] == 404
    get(control + "options", "POST", {"rest": 403})
    assert get(base + "/api")[0] == 403

    # articles: upsert by id, replace, delete
    edited = article_to_dict(tiny.articles("tiny")[-1])
    edited["title"] = "Tiêu đề đã sửa"
    new = {**edited, "id": "500", "slug": "moi", "title": "Bài mới", "published": "2024-06-01T08:00:00"}
    status, _, body = get(control + "articles", "POST", [edited, new])
    assert status == 200 and json.loads(body) == {"articles": 13}
    assert "Tiêu đề đã sửa".encode() in get(base + "/a/101")[2]
    assert tiny.listed_urls("tiny")[0] == base + "/a/500"  # newest first
    assert json.loads(get(control + "listed-urls")[2])[0] == base + "/a/500"
    assert get(control + "articles", "DELETE", ["500"])[0] == 200
    assert get(base + "/a/500")[0] == 404
    get(control + "articles?replace=1", "POST", [edited])
    assert get(base + "/a/102")[0] == 404 and get(base + "/a/101")[0] == 200
    assert [a["id"] for a in json.loads(get(control + "articles")[2])] == ["101"]

    # faults
    status, _, body = get(control + "faults", "POST", [{"path": "/a/101", "kind": "status", "status": 502}])
    assert status == 200 and json.loads(body)["faults"][0]["status"] == 502
    assert get(base + "/a/101")[0] == 502
    assert get(control + "faults", "DELETE")[0] == 200
    assert get(base + "/a/101")[0] == 200

    # log: control requests are not logged; reset-log empties it
    log = json.loads(get(control + "log")[2])
    assert all(not r["path"].startswith("/__replica__") for r in log["requests"])
    assert log["counts"]["fault"] == {"status": 1} and log["counts"]["path"]["/a/101"] >= 3
    assert get(control + "reset-log", "POST")[0] == 200
    assert json.loads(get(control + "log")[2])["counts"]["total"] == 0

    # errors
    assert get(control + "faults", "POST", {"kind": "nope"})[0] == 400
    assert get(control + "articles", "POST", [{"id": "1", "bogus": 1}])[0] == 400
    assert get(control + "nothing-here")[0] == 404
    bad = urllib.request.Request(control + "options", data=b"{not json", method="POST")
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(bad, timeout=5)
    assert err.value.code == 400


def test_control_methods_in_process(tiny: ReplicaServer) -> None:
    base = tiny.base_url("tiny")
    assert tiny.set_options("tiny", {"variant": "drift"}) == {"note": "x", "variant": "drift"}
    renderer = tiny.renderer("tiny")
    assert isinstance(renderer, TinyRenderer) and renderer.body_class == "body-drift"
    article = tiny.articles("tiny")[0]
    article.title = "Đã cập nhật"
    assert tiny.set_articles("tiny", [article]) == 12
    assert "Đã cập nhật".encode() in get(base + f"/a/{article.id}")[2]
    assert tiny.remove_articles("tiny", [article.id, 111]) == 10
    assert get(base + "/a/111")[0] == 404
    assert tiny.set_articles("tiny", _articles(2), replace=True) == 2
    get(base + "/a/101")
    assert tiny.requests("tiny")[-1] == {"method": "GET", "path": "/a/101", "status": 200, "fault": None}
    tiny.reset_log()
    assert tiny.log("tiny")["requests"] == []
    with pytest.raises(KeyError):
        tiny.log("nope")


# -- command line ---------------------------------------------------------------------------------


def test_cli_prints_urls_and_stops_on_sigterm(tmp_path: Path) -> None:
    sites = tmp_path / "sites"
    for key in ("one", "two"):
        (sites / key).mkdir(parents=True)
        (sites / key / "site.json").write_text(json.dumps({"site": key, "renderer": TINY}))
        (sites / key / "articles.json").write_text(json.dumps([article_to_dict(a) for a in _articles(3)]))
    url_file, ready_file = tmp_path / "out" / "urls.json", tmp_path / "ready"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(TESTS)])}
    cmd = [sys.executable, "-m", "replica", "--sites-dir", str(sites), "--site", "two"]
    cmd += ["--url-file", str(url_file), "--ready-file", str(ready_file)]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        sel = selectors.DefaultSelector()
        sel.register(proc.stdout, selectors.EVENT_READ)
        assert sel.select(timeout=30), "no URL line within 30 s"
        urls = json.loads(proc.stdout.readline())
        assert list(urls) == ["two"]
        assert json.loads(url_file.read_text()) == urls and ready_file.exists()
        assert get(urls["two"] + "/a/101")[0] == 200
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=15) == 0, proc.stderr.read() if proc.stderr else ""
        assert not ready_file.exists()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


# -- corpus ---------------------------------------------------------------------------------------


def test_generated_corpus_is_deterministic_and_varied() -> None:
    a = generate_articles(400, 7, start=T0)
    assert a == generate_articles(400, 7, start=T0)
    assert [x.title for x in a] != [x.title for x in generate_articles(400, 8, start=T0)]
    assert a[0].published == T0 and [x.id for x in a] == [str(i) for i in range(400, 0, -1)]
    assert all(x.published > y.published for x, y in itertools.pairwise(a))  # newest first, distinct
    assert len({x.slug for x in a}) == 400
    for x in a:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", x.slug) and x.slug == slugify(x.title)
        assert 3 <= len(x.body) <= 12 and all(p.startswith("<p>") and p.endswith("</p>") for p in x.body)
        assert 0 <= len(x.images) <= 3 and all(i["src"].startswith("/") for i in x.images)
        assert x.modified is None or x.modified > x.published
    text = " ".join(x.title + " ".join(x.body) for x in a)
    assert all(w in text for w in ("Đảng", "đã", "nhân dân", "tỉnh"))
    lengths = sorted(len(p) for x in a for p in x.body)
    assert lengths[0] < 120 and lengths[-1] > 500
    assert 0.2 < sum(1 for x in a if x.lead) / 400 < 0.6
    assert any(x.author and "(" in x.author for x in a) and any(x.author is None for x in a)
    assert any(x.attachments for x in a) and any(i["caption"] is None for x in a for i in x.images)
    assert any(i["caption"] for x in a for i in x.images)
    assert all(article_from_dict(json.loads(json.dumps(article_to_dict(x)))) == x for x in a[:50])


def test_generated_batches_continue_a_site_without_collisions() -> None:
    first = generate_articles(1000, 1, start=T0)
    later = generate_articles(50, 1, start=T0 + timedelta(days=30), id_start=1001)
    assert later[-1].id == "1001" and later[-1].published > first[0].published
    assert not {x.slug for x in first} & {x.slug for x in later}


def test_generating_50000_articles_is_fast() -> None:
    started = time.perf_counter()
    articles = generate_articles(50_000, 3, start=T0)
    assert time.perf_counter() - started < 15
    assert len({a.slug for a in articles}) == 50_000
