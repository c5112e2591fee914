"""Security limits: output paths stay under data/, redirects into private space are refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from scrapy import Request, Spider
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.utils.test import get_crawler

from crawler.middlewares.addresses import PrivateRedirectGuard, is_private_host
from crawler.paths import UnsafePathError, safe_child


@pytest.mark.parametrize("name", ["../etc", "..", "/etc/passwd", "a/b", "", ".hidden", "x" * 200, "a\x00b"])
def test_unsafe_names_never_escape_the_data_dir(tmp_path: Path, name: str) -> None:
    with pytest.raises(UnsafePathError):
        safe_child(tmp_path, name)


def test_plain_names_stay_inside(tmp_path: Path) -> None:
    assert (
        safe_child(tmp_path, "dongthap", "dongthap-1.jsonl")
        == tmp_path.resolve() / "dongthap" / "dongthap-1.jsonl"
    )


@pytest.mark.parametrize(
    ("host", "private"),
    [
        ("127.0.0.1", True),
        ("localhost", True),
        ("10.1.2.3", True),
        ("192.168.0.10", True),
        ("169.254.169.254", True),
        ("[::1]", True),
        ("0.0.0.0", True),
        ("8.8.8.8", False),
        ("2001:4860:4860::8888", False),
    ],
)
def test_private_hosts_are_recognised(host: str, private: bool) -> None:
    assert is_private_host(host) is private


def _guard(settings: dict | None = None) -> PrivateRedirectGuard:
    return PrivateRedirectGuard.from_crawler(get_crawler(Spider, settings or {}))


def test_a_redirect_into_loopback_is_refused_and_counted() -> None:
    guard = _guard()
    redirected = Request(
        "http://127.0.0.1:6379/", meta={"redirect_urls": ["https://dongthap.gov.vn/tin-tuc"]}
    )
    with pytest.raises(IgnoreRequest):
        guard.process_request(redirected)
    assert guard.stats.get_value("vn/refused/private_redirect") == 1


def test_start_urls_and_public_redirects_pass() -> None:
    guard = _guard()
    assert guard.process_request(Request("http://127.0.0.1:8000/tin-tuc")) is None
    public = Request("http://8.8.8.8/x", meta={"redirect_urls": ["https://dongthap.gov.vn/a"]})
    assert guard.process_request(public) is None


def test_the_setting_allows_private_redirects_for_the_replica() -> None:
    with pytest.raises(NotConfigured):
        _guard({"VN_ALLOW_PRIVATE_REDIRECTS": True})
