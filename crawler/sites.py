"""The site registry: data in `sites.toml` (one `[sites.<key>]` table per portal), read and
validated here. Adding a site of a known template is a few lines of TOML, no Python.

Spiders, the offline extractor, the replica and the tests all iterate this registry; nothing
else in the project branches on a site key. `VN_SITES_FILE` (environment, or the Scrapy setting
through crawler.spiderloader) names other files: several, separated by ":", merge in order.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

FAMILIES = ("liferay", "wordpress")
RENDER_KINDS = ("article", "listing")
# Fields every site's drift monitor checks unless its entry sets its own thresholds.
DEFAULT_COVERAGE = {"title": 1.0, "published_at": 1.0, "body": 1.0}


@dataclass(frozen=True)
class Site:
    key: str  # spider name and output folder: data/<key>/
    family: str  # "liferay" or "wordpress": which spider base class crawls it
    template: str  # parser key, see crawler.parsers.PARSERS, or "auto"
    base_url: str  # the real site's origin, e.g. "https://dongthap.gov.vn"
    listing_paths: tuple[str, ...] = ()  # listing pages to start from (newest first)
    name: str | None = None  # the item's `site` value when it differs from `key`
    domains: tuple[str, ...] = ()  # extra domains the site serves articles from
    render_js: str | None = None  # None, "article" or "listing": what goes through the browser
    options: dict[str, Any] = field(default_factory=dict)  # template overrides (see each parser)
    # Template-drift monitor: minimum share of items that must have each field.
    coverage: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_COVERAGE))

    @property
    def site_name(self) -> str:
        return self.name or self.key

    @cached_property  # asked for every URL site_for_url maps (frozen: cached in __dict__ once)
    def host(self) -> str:
        return urlsplit(self.base_url).hostname or ""


class SitesFileError(ValueError):
    """A sites file that cannot be used; the message names the file, the key and the problem."""


_OPTIONAL = {"name", "domains", "render_js", "options", "coverage"}
_REQUIRED = {"family", "template", "base_url", "listing_paths"}


def project_root() -> Path:
    """The folder of the project's scrapy.cfg (searched from the working directory up), else the
    checkout this package lives in."""
    from scrapy.utils.conf import closest_scrapy_cfg

    cfg = closest_scrapy_cfg()
    return Path(cfg).parent if cfg else Path(__file__).resolve().parent.parent


def sites_files(spec: str | None = None) -> list[Path]:
    """The registry files named by `spec` (or VN_SITES_FILE), by default `<project>/sites.toml`."""
    spec = spec or os.environ.get("VN_SITES_FILE") or ""
    if not spec.strip():
        return [project_root() / "sites.toml"]
    root = project_root()
    return [
        p if p.is_absolute() else root / p for p in (Path(s) for s in spec.split(os.pathsep) if s.strip())
    ]


def _templates() -> set[str]:
    from crawler.parsers import PARSERS  # late: the parsers import this module

    return {*PARSERS, "auto"}


def _site_from_table(path: Path, key: str, table: Any) -> Site:
    def fail(problem: str) -> SitesFileError:
        return SitesFileError(f"{path}: [sites.{key}] {problem}")

    if not isinstance(table, dict):
        raise fail("must be a table")
    missing = sorted(_REQUIRED - set(table))
    if missing:
        raise fail(f"missing {', '.join(missing)}")
    unknown = sorted(set(table) - _REQUIRED - _OPTIONAL)
    if unknown:
        raise fail(f"unknown key {', '.join(unknown)} (known: {', '.join(sorted(_REQUIRED | _OPTIONAL))})")
    if table["family"] not in FAMILIES:
        raise fail(f"family: must be one of {', '.join(FAMILIES)}, not {table['family']!r}")
    templates = _templates()
    if table["template"] not in templates:
        raise fail(f"template: unknown {table['template']!r} (known: {', '.join(sorted(templates))})")
    base = urlsplit(str(table["base_url"]))
    if base.scheme not in ("http", "https") or not base.hostname:
        raise fail(f"base_url: must be an http(s) origin, not {table['base_url']!r}")
    paths = table["listing_paths"]
    if (
        not isinstance(paths, list)
        or not paths
        or not all(isinstance(p, str) and p.startswith("/") for p in paths)
    ):
        raise fail("listing_paths: must be a non-empty list of paths starting with '/'")
    if table.get("render_js") not in (None, *RENDER_KINDS):
        raise fail(f"render_js: must be one of {', '.join(RENDER_KINDS)}, not {table['render_js']!r}")
    for name in ("options", "coverage"):
        if not isinstance(table.get(name, {}), dict):
            raise fail(f"{name}: must be a table")
    coverage = table.get("coverage", {})
    bad = [k for k, v in coverage.items() if not isinstance(v, int | float) or not 0 <= v <= 1]
    if bad:
        raise fail(f"coverage: {', '.join(bad)} must be a share between 0 and 1")
    domains = table.get("domains", [])
    if not isinstance(domains, list) or not all(isinstance(d, str) for d in domains):
        raise fail("domains: must be a list of host names")
    return Site(
        key=key,
        family=table["family"],
        template=table["template"],
        base_url=str(table["base_url"]).rstrip("/"),
        listing_paths=tuple(paths),
        name=table.get("name"),
        domains=tuple(d.lower() for d in domains),
        render_js=table.get("render_js"),
        options=dict(table.get("options", {})),
        coverage={**DEFAULT_COVERAGE, **{k: float(v) for k, v in coverage.items()}},
    )


def load_sites(paths: list[Path]) -> dict[str, Site]:
    """Every site of `paths`, merged in order; SitesFileError on the first problem."""
    sites: dict[str, Site] = {}
    for path in paths:
        try:
            with path.open("rb") as fh:
                data = tomllib.load(fh)
        except FileNotFoundError:
            raise SitesFileError(f"{path}: no such sites file (VN_SITES_FILE names the registry)") from None
        except tomllib.TOMLDecodeError as exc:
            raise SitesFileError(f"{path}: not valid TOML: {exc}") from None
        unknown = sorted(set(data) - {"sites"})
        if unknown:
            raise SitesFileError(
                f"{path}: unknown top-level key {', '.join(unknown)} (sites go in [sites.<key>])"
            )
        tables = data.get("sites", {})
        if not isinstance(tables, dict):
            raise SitesFileError(f"{path}: 'sites' must be a table of [sites.<key>] tables")
        for key, table in tables.items():
            sites[key] = _site_from_table(path, key, table)
    return sites


class SiteRegistry(Mapping[str, Site]):
    """The sites in use, read on first use from VN_SITES_FILE or the project's sites.toml."""

    def __init__(self) -> None:
        self._sites: dict[str, Site] | None = None
        self.files: list[Path] = []

    def use(self, spec: str | None = None) -> None:
        """(Re)load the registry from `spec` (or VN_SITES_FILE / sites.toml)."""
        files = sites_files(spec)
        self._sites = load_sites(files)
        self.files = files

    @property
    def _loaded(self) -> dict[str, Site]:
        if self._sites is None:
            self.use()
        assert self._sites is not None
        return self._sites

    def __getitem__(self, key: str) -> Site:
        return self._loaded[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._loaded)

    def __len__(self) -> int:
        return len(self._loaded)


SITES = SiteRegistry()


def get_site(key: str) -> Site:
    try:
        return SITES[key]
    except KeyError:
        raise KeyError(f"unknown site {key!r}; known: {', '.join(sorted(SITES))}") from None


def site_for_url(url: str, sites: Mapping[str, Site] | None = None) -> Site:
    """The registry entry serving `url`, by host; when two entries share a host (one portal in
    two chromes) the one whose listing path shares the URL's first path segment wins."""
    sites = SITES if sites is None else sites
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    candidates = [s for s in sites.values() if host == s.host or host in s.domains]
    if not candidates:
        raise KeyError(f"no registered site serves {host!r}")
    first = parts.path.lstrip("/").split("/", 1)[0].lower()
    for s in candidates:
        if any(p.lstrip("/").split("/", 1)[0].lower() == first for p in s.listing_paths):
            return s
    return candidates[0]
