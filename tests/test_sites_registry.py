"""Sites as data: sites.toml is validated with one-line errors, `scrapy list` shows what the
files hold, and a site added in a TOML file crawls."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from crawl_helpers import ROOT, feed_lines, run_crawl

from crawler.sites import SITES, SitesFileError, load_sites
from crawler.summary import COLUMNS

GOOD = """
[sites.quangtri]
family = "liferay"
template = "liferay-adt"
base_url = "https://quangtri.gov.vn"
listing_paths = ["/tin-tuc"]
"""


def entry(**changes: str) -> str:
    """GOOD with some lines replaced (value None drops the key)."""
    lines = GOOD.strip().splitlines()
    out = []
    for line in lines:
        key = line.split(" = ", 1)[0]
        if key in changes:
            if changes[key] is not None:
                out.append(f"{key} = {changes[key]}")
        else:
            out.append(line)
    return "\n".join(out) + "\n"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("[sites.quangtri\nfamily = 1\n", "not valid TOML: "),
        (entry(template=None), "[sites.quangtri] missing template"),
        (
            entry(family='"drupal"'),
            "[sites.quangtri] family: must be one of liferay, wordpress, not 'drupal'",
        ),
        (entry(template='"liferay-7"'), "[sites.quangtri] template: unknown 'liferay-7' (known: "),
        (entry(base_url='"quangtri.gov.vn"'), "[sites.quangtri] base_url: must be an http(s) origin"),
        (
            GOOD + "coverage = { body = 1.5 }\n",
            "[sites.quangtri] coverage: body must be a share between 0 and 1",
        ),
        (GOOD + 'colour = "red"\n', "[sites.quangtri] unknown key colour"),
        (entry(listing_paths='["tin-tuc"]'), "[sites.quangtri] listing_paths: must be a non-empty list"),
    ],
)
def test_a_bad_sites_file_is_one_line_naming_file_key_and_problem(
    text: str, problem: str, tmp_path: Path
) -> None:
    path = tmp_path / "sites.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SitesFileError) as info:
        load_sites([path])
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(f"{path}: ") and problem in message


def test_the_good_entry_loads(tmp_path: Path) -> None:
    path = tmp_path / "sites.toml"
    path.write_text(GOOD, encoding="utf-8")
    site = load_sites([path])["quangtri"]
    assert (site.family, site.template, site.listing_paths) == ("liferay", "liferay-adt", ("/tin-tuc",))


def scrapy_list(sites_file: str | None) -> list[str]:
    env = {k: v for k, v in os.environ.items() if k != "VN_SITES_FILE"}
    if sites_file is not None:
        env["VN_SITES_FILE"] = sites_file
    proc = subprocess.run(
        [sys.executable, "-m", "scrapy", "list"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout.split()


@pytest.mark.parametrize("sites_file", [None, "sites.toml"])
def test_scrapy_list_on_the_production_registry_lists_real_portals_only(sites_file: str | None) -> None:
    with (ROOT / "sites.toml").open("rb") as fh:
        real = set(tomllib.load(fh)["sites"])
    assert "dongthap-js" not in real
    assert set(scrapy_list(sites_file)) == real | {"portal"}  # `portal` is a spider, not a site


def test_scrapy_list_shows_a_site_as_soon_as_it_is_in_a_file(tmp_path: Path) -> None:
    extra = tmp_path / "more.toml"
    extra.write_text(GOOD, encoding="utf-8")
    listed = scrapy_list(f"sites.toml{os.pathsep}{extra}")
    assert "quangtri" in listed and "dongthap" in listed


def test_a_site_added_in_a_toml_file_crawls_the_replica(replica, tmp_path: Path) -> None:
    # A new key whose pages the replica's dongthap site serves (same template, another address).
    extra = tmp_path / "more.toml"
    extra.write_text(
        GOOD.replace("quangtri", "dongthap-mirror").replace(
            "https://quangtri.gov.vn", "https://mirror.example"
        ),
        encoding="utf-8",
    )
    spec = f"{ROOT / 'sites.toml'}{os.pathsep}{extra}"
    proc, stats = run_crawl("dongthap-mirror", replica.base_url("dongthap"), tmp_path, VN_SITES_FILE=spec)
    assert proc.returncode == 0, proc.stderr[-3000:]
    items = feed_lines(tmp_path, "dongthap-mirror")
    assert stats["vn/items_written"] == len(items) >= 10
    assert {item["site"] for item in items} == {"dongthap-mirror"}
    assert {item["title"] for item in items} <= {a.title for a in replica.articles("dongthap")}
    # `scrapy crawl` ends with crawlall's summary table, not Scrapy's stats dump.
    lines = proc.stdout.splitlines()
    at = max(i for i, line in enumerate(lines) if line.startswith("site "))
    header, rule, row = lines[at : at + 3]
    assert header.split() == list(COLUMNS)
    assert set(rule) <= {"-", " "}
    assert (
        row.split()[0] == "dongthap-mirror"
        and row.split()[2] == str(len(items))
        and row.split()[-1] == "finished"
    )
    assert "Dumping Scrapy stats" not in proc.stderr


@pytest.mark.parametrize(("key", "family"), [("dongthap", "liferay"), ("gialai", "wordpress")])
def test_a_toml_site_with_the_auto_template_crawls_the_replica(
    key: str, family: str, replica, tmp_path: Path
) -> None:
    """`template = "auto"`: each page goes to the template crawler.detect names (WordPress REST
    entries too), and every item says which template produced it."""
    extra = tmp_path / "auto.toml"
    extra.write_text(
        f'[sites.{key}-auto]\nfamily = "{family}"\ntemplate = "auto"\n'
        f'base_url = "https://auto.example"\nlisting_paths = {list(SITES[key].listing_paths)!r}\n'.replace(
            "'", '"'
        ),
        encoding="utf-8",
    )
    spec = f"{ROOT / 'sites.toml'}{os.pathsep}{extra}"
    proc, _ = run_crawl(f"{key}-auto", replica.base_url(key), tmp_path, VN_SITES_FILE=spec)
    assert proc.returncode == 0, proc.stderr[-3000:]
    items = feed_lines(tmp_path, f"{key}-auto")
    assert len(items) == len(replica.articles(key))
    assert {item["title"] for item in items} == {a.title for a in replica.articles(key)}
    assert {item["extraction"]["template"] for item in items} == {SITES[key].template}
