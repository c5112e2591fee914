"""`scrapy crawl portal -a url=...`: any portal from the command line, against the replica."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from crawl_helpers import REPLICA_SETTINGS, ROOT, feed_lines, run_crawl

from crawler.parsers.portal import detect_family, navigation_links


def crawl_portal(url: str, data_dir: Path, *args: str) -> tuple[subprocess.CompletedProcess[str], dict]:
    stats_path = data_dir / "stats.json"
    cmd = [sys.executable, "-m", "scrapy", "crawl", "portal", "-a", f"url={url}"]
    for arg in args:
        cmd += ["-a", arg]
    settings = {**REPLICA_SETTINGS, "VN_DATA_DIR": str(data_dir), "VN_STATS_FILE": str(stats_path)}
    for key, value in settings.items():
        cmd += ["-s", f"{key}={value}"]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120, env=dict(os.environ))
    return proc, json.loads(stats_path.read_text()) if stats_path.exists() else {}


@pytest.mark.parametrize(
    ("key", "template", "family"),
    [("dongthap", "liferay-adt", "liferay"), ("gialai", "wp-sahifa", "wordpress")],
)
def test_portal_crawls_a_replica_site_of_each_family(
    key: str, template: str, family: str, replica, tmp_path: Path
) -> None:
    base = replica.base_url(key)
    proc, stats = crawl_portal(base + "/", tmp_path / "portal", f"template={template}")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr
    assert stats["vn/portal/detected"] == family and stats["vn/portal/family"] == family
    items = feed_lines(tmp_path / "portal", "127.0.0.1")  # data/<host>/
    assert {item["site"] for item in items} == {"127.0.0.1"}
    # The same articles, field by field apart from the crawl's own fields, as the registry's spider.
    registry_proc, _ = run_crawl(key, base, tmp_path / "registry")
    assert registry_proc.returncode == 0, registry_proc.stderr[-3000:]
    expected = feed_lines(tmp_path / "registry", key)
    assert len(items) == len(expected) >= 10

    def content(item: dict) -> tuple:
        return item["url"], item["title"], item["published_at"], tuple(item["body"])

    assert sorted(map(content, items)) == sorted(map(content, expected))
    assert "127.0.0.1" in proc.stdout and "finished" in proc.stdout, "the summary table names the host"


def test_portal_template_must_be_known(tmp_path: Path) -> None:
    cmd = [sys.executable, "-m", "scrapy", "crawl", "portal", "-a", "url=https://example.gov.vn/"]
    proc = subprocess.run([*cmd, "-a", "template=nope"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "error: -a template: unknown 'nope' (known: " in proc.stderr


def test_family_markers() -> None:
    wp = '<link rel="stylesheet" href="https://x.gov.vn/wp-content/themes/sahifa/style.css">'
    liferay = '<script>Liferay.Portlet.ready()</script><div id="p_p_id_56_">'
    assert detect_family(wp) == "wordpress"
    assert detect_family(liferay) == "liferay"
    assert detect_family("<html><body><p>Xin chào</p></body></html>") is None


def test_navigation_links_are_same_host_menu_pages() -> None:
    html = """<nav><a href="/tin-tuc">Tin</a><a href="/tin-tuc#top">Tin</a><a href="https://other.vn/x">X</a>
    <a href="/files/a.pdf">PDF</a><a href="javascript:void(0)">JS</a><a href="/">Home</a></nav>
    <div class="content"><a href="/bai-viet-1">Article</a></div>"""
    assert navigation_links(html, "https://x.gov.vn/") == ["https://x.gov.vn/tin-tuc"]


@pytest.mark.parametrize(("key", "family"), [("dongthap", "liferay"), ("gialai", "wordpress")])
def test_portal_with_the_auto_template_reads_each_family(
    key: str, family: str, replica, tmp_path: Path
) -> None:
    """No -a template: every page goes to the template crawler.detect names (else the generic
    extractor); on the replica's pages that is the site's own template, so the items are the
    registry spider's."""
    base = replica.base_url(key)
    proc, stats = crawl_portal(base + "/", tmp_path / "portal")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert stats["vn/portal/family"] == family
    items = feed_lines(tmp_path / "portal", "127.0.0.1")
    titles = {article.title for article in replica.articles(key)}
    assert len(items) >= 10 and {item["title"] for item in items} <= titles
    assert {item["extraction"]["template"] for item in items} == {run_template(key)}


def run_template(key: str) -> str:
    from crawler.sites import SITES

    return SITES[key].template
