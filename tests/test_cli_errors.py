"""Every mistake a user can make is one `error:` line and a non-zero exit, never a traceback."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from crawl_helpers import ROOT


def run(
    *argv: str, env: dict[str, str] | None = None, timeout: float = 90
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *argv],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
    )


def scrapy(*argv: str, data_dir: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return run("-m", "scrapy", *argv, "-s", f"VN_DATA_DIR={data_dir}", env=env)


def error_line(proc: subprocess.CompletedProcess[str]) -> str:
    """The one error line; asserts the exit code and that no traceback was printed."""
    output = proc.stdout + proc.stderr
    assert proc.returncode == 2, output[-3000:]
    assert "Traceback" not in output, output[-3000:]
    assert "Task exception was never retrieved" not in output
    lines = [line for line in output.splitlines() if line.startswith("error:")]
    assert len(lines) == 1, output[-3000:]
    return lines[0]


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_unknown_spider_lists_the_known_ones(tmp_path: Path) -> None:
    line = error_line(scrapy("crawl", "dongthp", data_dir=tmp_path))
    assert "unknown spider 'dongthp'" in line and "did you mean dongthap?" in line
    assert "known: backan, backan-sharepoint, dongthap" in line


def test_unknown_site_in_crawlall(tmp_path: Path) -> None:
    line = error_line(scrapy("crawlall", "--sites", "dongthap,nosuch", data_dir=tmp_path))
    assert "unknown sites: nosuch" in line and "known: backan" in line
    assert not (tmp_path / "dongthap").exists(), "nothing was crawled"


@pytest.mark.parametrize(
    ("argument", "expected"),
    [
        ("since=yesterday", "-a since: must be a date YYYY-MM-DD, not 'yesterday'"),
        ("mode=foo", "-a mode: must be one of incremental, archive, not 'foo'"),
        ("base_url=ftp://x", "-a base_url: must be an http(s) URL with a host"),
        ("refresh_days=soon", "-a refresh_days: must be a whole number"),
    ],
)
def test_bad_spider_argument_stops_crawl_before_it_starts(
    argument: str, expected: str, tmp_path: Path
) -> None:
    assert expected in error_line(scrapy("crawl", "dongthap", "-a", argument, data_dir=tmp_path))
    assert not (tmp_path / "dongthap").exists()


def test_bad_spider_argument_in_crawlall(tmp_path: Path) -> None:
    line = error_line(scrapy("crawlall", "--sites", "dongthap,gialai", "-a", "mode=foo", data_dir=tmp_path))
    assert "-a mode: must be one of incremental, archive, not 'foo'" in line


@pytest.mark.parametrize("url", ["dongthap.gov.vn", "ftp://dongthap.gov.vn/", "https:///tin-tuc"])
def test_bad_portal_url(url: str, tmp_path: Path) -> None:
    line = error_line(scrapy("crawl", "portal", "-a", f"url={url}", data_dir=tmp_path))
    assert "-a url: must be an http(s) URL with a host" in line and repr(url) in line


def test_portal_without_url(tmp_path: Path) -> None:
    assert "-a url: the portal's address is required" in error_line(
        scrapy("crawl", "portal", data_dir=tmp_path)
    )


@pytest.mark.parametrize("command", [["list"], ["crawl", "dongthap"], ["crawlall"]])
def test_bad_sites_file(command: list[str], tmp_path: Path) -> None:
    bad = tmp_path / "sites.toml"
    bad.write_text('[sites.quangtri]\nfamily = "liferay"\ntemplate = "liferay-adt"\n', encoding="utf-8")
    line = error_line(scrapy(*command, data_dir=tmp_path, env={"VN_SITES_FILE": str(bad)}))
    assert line == f"error: {bad}: [sites.quangtri] missing base_url, listing_paths"


def test_redis_unreachable_in_distributed_mode(tmp_path: Path) -> None:
    url = f"redis://127.0.0.1:{closed_port()}/0"
    line = error_line(scrapy("crawl", "dongthap", "-s", f"REDIS_URL={url}", data_dir=tmp_path))
    assert f"cannot reach Redis at {url}" in line and "VN_DISTRIBUTED=0" in line


def test_chromium_missing(tmp_path: Path) -> None:
    line = error_line(
        scrapy("crawl", "dongthap-js", "-s", "VN_CHROMIUM_PATH=/nonexistent", data_dir=tmp_path)
    )
    assert "'/nonexistent' is not an executable" in line and "apt-get install chromium" in line


def test_reextract_of_a_file_that_is_not_warc(tmp_path: Path) -> None:
    line = error_line(run("-m", "crawler.reextract", "README.md", "--out", str(tmp_path)))
    assert line == "error: README.md is not a WARC file (.warc.gz, .warc or their .open files)"


def test_extract_of_a_non_article_on_an_unknown_host_names_the_detected_template(tmp_path: Path) -> None:
    page = tmp_path / "login.html"
    page.write_text("<html><body><form><input name=user></form><p>Đăng nhập</p></body></html>", "utf-8")
    proc = run("-m", "crawler.extract", "--url", "http://127.0.0.1:8765/tin-tuc/abc", str(page))
    assert proc.returncode == 1 and "Traceback" not in proc.stderr and proc.stdout == ""
    (line,) = proc.stderr.splitlines()
    assert line.startswith("error: not an article: ")
    assert "host '127.0.0.1' is in no registry entry" in line and "detected 'generic'" in line
    assert "give --site KEY" in line
