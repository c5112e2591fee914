"""Re-extract articles from WARC archives with the current parsers: a `scrapy crawl`, replayed offline.

    python -m crawler.reextract data/warc/dongthap [more files or directories] [--out DIR]
                                [--site KEY] [--compare DATA_DIR] [--log-level LEVEL]

Each site's archive is crawled again by Scrapy's own engine with the project settings: the site's
spider, in archive mode (every archived listing is walked), with every request answered from the
archive by crawler.warcreplay.WarcReplayMiddleware (`VN_REPLAY_WARC`; nothing is fetched, a request
the archive lacks is a counted miss, `vn/replay/miss`). The spider's own discovery re-reads the
archived robots.txt, listings and REST/sitemap/feed answers, so WordPress articles found through
the REST API are built from their REST entry again; archived articles the walk does not reach are
requested when it is done. The spider's item builder (crawler/builder.py: validate, normalize),
the real pipelines (dedup, store), the drift monitor and the summary table run as in a crawl.
Output: `<DIR>/<site>/*.jsonl` (written as `.part`, renamed when done), rejects in
`<DIR>/rejects/<site>.jsonl`, state in `<DIR>/state.sqlite`.
Default DIR: `data/reextract`; use a new DIR to judge a parser change (a used one skips what it
stored, as a crawl does).

The site of a file comes from `--site`, else its warcinfo record, else its folder or name, else
its first URL's host; the base URL from the warcinfo record, else the first URL's origin (replica
archives are on 127.0.0.1, where the URL cannot tell the site). Files of one site and base URL
are replayed together; a non-WARC input is an error.

Then, per site, the items are compared by id with the archived run's items (its JSONL feeds:
`--compare DATA_DIR`, default the crawl's data dir the WARC files sit in, `<DATA_DIR>/warc/<site>/`):
`site: N re-extracted, M changed, K new, J missing` (changed: another content_hash), so a
parser fix can be judged before it is published. Exit status: 0, 1 when a site's run failed
(as `scrapy crawl`), 2 for bad input.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from scrapy.crawler import Crawler, CrawlerProcess
from scrapy.settings import Settings
from twisted.internet import defer

from crawler.sites import SITES, site_for_url
from crawler.spiders import site_spider
from crawler.summary import SiteSummary, format_table
from crawler.warc import read_warc, warc_files, warcinfo_fields
from crawler.warcreplay import NotAWarcError, is_warc

logger = logging.getLogger(__name__)

DEFAULT_OUT = Path("data") / "reextract"


def site_from_path(path: Path) -> str | None:
    """`<dir>/<site>/<site>-<stamp>-...warc.gz`: the folder, else the longest key prefixing the name."""
    if path.parent.name in SITES:
        return path.parent.name
    keys = [k for k in SITES if path.name.startswith(k + "-")]
    return max(keys, key=len) if keys else None


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def archive_data_dir(path: Path) -> Path | None:
    """The crawl's data dir of a WARC file written at `<DATA_DIR>/warc/<site>/<file>`."""
    return path.parent.parent.parent if path.parent.parent.name == "warc" else None


@dataclass
class Job:
    """One replayed crawl: a site, the base URL its archive was crawled at, and its files."""

    site: str
    base_url: str
    files: list[Path] = field(default_factory=list)
    compare_dirs: list[Path] = field(default_factory=list)


def _head(path: Path) -> tuple[dict[str, str], str | None]:
    """The first warcinfo fields and the first response URL of a file (read no further)."""
    info: dict[str, str] = {}
    for record in read_warc(path):
        if record.rec_type == "warcinfo" and not info:
            info = warcinfo_fields(record)
        elif record.rec_type == "response":
            return info, record.rec_headers.get_header("WARC-Target-URI")
    return info, None


def plan(
    paths: Iterable[str | Path], site: str | None = None, compare: str | Path | None = None
) -> list[Job]:
    """Group the WARC files under `paths` into one replay per (site, base URL)."""
    if site is not None and site not in SITES:
        raise KeyError(f"unknown site {site!r}; known: {', '.join(sorted(SITES))}")
    jobs: dict[tuple[str, str], Job] = {}
    for path in warc_files(paths):
        if not is_warc(path):
            raise NotAWarcError(f"{path} is not a WARC file (.warc.gz, .warc or their .open files)")
        info, first_url = _head(path)
        key = site or (info.get("vn-site") if info.get("vn-site") in SITES else None) or site_from_path(path)
        if key is None and first_url:
            try:
                key = site_for_url(first_url).key
            except KeyError:
                key = None
        if key is None:
            logger.warning("%s: no site in its warcinfo, name or URLs; skipped (give --site)", path)
            continue
        base = (info.get("vn-base-url") or (origin(first_url) if first_url else SITES[key].base_url)).rstrip(
            "/"
        )
        job = jobs.setdefault((key, base), Job(key, base))
        job.files.append(path)
        data_dir = Path(compare) if compare else archive_data_dir(path)
        if data_dir is not None and data_dir not in job.compare_dirs:
            job.compare_dirs.append(data_dir)
    return list(jobs.values())


def replay_settings(
    out_dir: Path, files: list[Path] | None, log_level: str = "WARNING", extra: dict[str, str] | None = None
) -> Settings:
    """The project's settings, replaying `files` into `out_dir`: nothing is fetched or archived.
    `extra` (`-s NAME=VALUE`) comes last, as on Scrapy's command line. `files=None`: the
    process's settings, merged into every crawler's (so they must not name any files)."""
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    settings.setdict(
        {
            "VN_DATA_DIR": str(out_dir),
            "VN_STATE_PATH": "",
            "VN_STATE_BACKEND": "sqlite",
            "VN_DISTRIBUTED": "0",  # offline and local, whatever REDIS_URL says
            "VN_WORKER_ID": "reextract",
            "VN_WARC_ENABLED": False,  # the archive is read, not written again
            "VN_RENDER_JS": False,  # rendered pages are archived as rendered: no browser
            "VN_ALLOW_PRIVATE_REDIRECTS": True,  # the archive holds only the hops the crawl followed
            # What the crawl could not fetch (an archived 404, a torn record) is missing from the
            # archive too: the replay counts it (owed column) but loses nothing on the site.
            "VN_OWED_FAIL_PERCENT": 100.0,
            "DOWNLOAD_DELAY": 0,
            "AUTOTHROTTLE_ENABLED": False,
            "HTTPCACHE_ENABLED": False,
            # Belt and braces: a request the replay middleware did not answer finds no handler
            # (NotSupported) instead of the network.
            "DOWNLOAD_HANDLERS": {"http": None, "https": None},
            "LOG_LEVEL": log_level.upper(),
        },
        priority="cmdline",
    )
    if files is not None:
        settings.set("VN_REPLAY_WARC", [str(f) for f in files], priority="cmdline")
    settings.setdict(extra or {}, priority="cmdline")
    return settings


def run_jobs(
    jobs: list[Job], out_dir: Path, log_level: str = "WARNING", extra: dict[str, str] | None = None
) -> list[tuple[Job, Crawler]]:
    """One `scrapy crawl <site> -a mode=archive` per job, one after the other, in this process
    (the reactor runs once: call this once per process)."""
    process = CrawlerProcess(replay_settings(out_dir, None, log_level, extra))
    done: list[tuple[Job, Crawler]] = []

    @defer.inlineCallbacks
    def run_all() -> Any:
        for n, job in enumerate(jobs):
            settings = replay_settings(out_dir, job.files, log_level, extra)
            # The first crawler installs the reactor (TWISTED_REACTOR), as CrawlerProcess does.
            crawler = Crawler(site_spider(job.site), settings, init_reactor=n == 0)
            done.append((job, crawler))
            try:
                yield process.crawl(crawler, base_url=job.base_url, mode="archive")
            except Exception:  # e.g. the output dir is locked by another run: the next site still runs
                logger.exception("re-extraction of %s failed", job.site)

    run_all()
    process.start()
    return done


# ---- comparing with the archived run -------------------------------------------------------------


def read_items(data_dir: str | Path, site: str) -> list[dict[str, Any]]:
    """The items a re-extraction (or a crawl) wrote for `site` under `data_dir`, in file order."""
    items = []
    for path in sorted((Path(data_dir) / site).glob("*.jsonl")):
        with path.open(encoding="utf-8") as fh:
            items += [json.loads(line) for line in fh if line.strip()]
    return items


def latest_hashes(items: Iterable[dict[str, Any]]) -> dict[str, str]:
    """id -> content_hash of each article's latest revision."""
    latest: dict[str, dict[str, Any]] = {}
    for item in items:
        known = latest.get(item["id"])
        if known is None or item.get("revision", 1) >= known.get("revision", 1):
            latest[item["id"]] = item
    return {key: item["content_hash"] for key, item in latest.items()}


@dataclass
class Comparison:
    site: str
    reextracted: int
    changed: int = 0
    new: int = 0
    missing: int = 0
    against: list[Path] = field(default_factory=list)

    @classmethod
    def of(cls, site: str, ours: dict[str, str], theirs: dict[str, str], against: list[Path]) -> Comparison:
        return cls(
            site,
            len(ours),
            changed=sum(1 for key, h in ours.items() if key in theirs and theirs[key] != h),
            new=sum(1 for key in ours if key not in theirs),
            missing=sum(1 for key in theirs if key not in ours),
            against=against,
        )

    def line(self) -> str:
        if not self.against:
            return f"{self.site}: {self.reextracted} re-extracted (no archived run's items to compare with)"
        where = ", ".join(map(str, self.against))
        return (
            f"{self.site}: {self.reextracted} re-extracted, {self.changed} changed, {self.new} new, "
            f"{self.missing} missing (compared with {where})"
        )


def compare(site: str, out_dir: Path, data_dirs: list[Path]) -> Comparison:
    ours = latest_hashes(read_items(out_dir, site))
    against = [d for d in data_dirs if (d / site).is_dir() and d.resolve() != out_dir.resolve()]
    theirs = latest_hashes(item for d in against for item in read_items(d, site))
    return Comparison.of(site, ours, theirs, against)


# ---- command line ---------------------------------------------------------------------------------


@dataclass
class Report:
    jobs: list[Job]
    summaries: list[SiteSummary]
    comparisons: list[Comparison]

    @property
    def failed(self) -> bool:
        return any(s.failed for s in self.summaries)


def reextract(
    paths: Iterable[str | Path],
    out_dir: str | Path = DEFAULT_OUT,
    site: str | None = None,
    compare_dir: str | Path | None = None,
    log_level: str = "WARNING",
    extra: dict[str, str] | None = None,
) -> Report:
    """Replay every archive under `paths` into `out_dir` and compare with the archived runs.
    Runs the Twisted reactor: once per process."""
    out = Path(out_dir)
    jobs = plan(paths, site, compare_dir)
    if not jobs:
        return Report([], [], [])
    ran = run_jobs(jobs, out, log_level, extra)
    summaries = [SiteSummary.from_stats(job.site, crawler.stats.get_stats()) for job, crawler in ran]
    dirs: dict[str, list[Path]] = {}
    for job in jobs:
        dirs.setdefault(job.site, [])
        dirs[job.site] += [d for d in job.compare_dirs if d not in dirs[job.site]]
    comparisons = [compare(key, out, found) for key, found in dirs.items()]
    return Report(jobs, summaries, comparisons)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m crawler.reextract", description=__doc__.split("\n\n")[0])
    ap.add_argument("paths", nargs="+", help="WARC files (.warc.gz, .open ones too) or directories of them")
    ap.add_argument("--out", default=str(DEFAULT_OUT), help=f"output data dir (default {DEFAULT_OUT})")
    ap.add_argument("--site", metavar="KEY", help="registry key of every file (default: from the archive)")
    ap.add_argument(
        "--compare",
        metavar="DATA_DIR",
        help="data dir of the archived run's JSONL feeds (default: the one the WARC files are in)",
    )
    ap.add_argument("--log-level", default="WARNING", help="logging level on stderr (default WARNING)")
    ap.add_argument(
        "-s", "--set", action="append", default=[], metavar="NAME=VALUE", help="a Scrapy setting (repeatable)"
    )
    args = ap.parse_args(argv)
    extra = dict(item.partition("=")[::2] for item in args.set)
    try:
        report = reextract(args.paths, args.out, args.site, args.compare, args.log_level, extra)
    except (FileNotFoundError, KeyError, NotAWarcError) as exc:
        print(f"error: {exc.args[0] if exc.args else exc}", file=sys.stderr)
        return 2
    if not report.jobs:
        print("error: no WARC files found", file=sys.stderr)
        return 2
    files = sum(len(job.files) for job in report.jobs)
    sites = sorted({job.site for job in report.jobs})
    print(f"reextract: {len(sites)} sites ({', '.join(sites)}) from {files} WARC files -> {args.out}")
    print(format_table(report.summaries))
    for comparison in report.comparisons:
        print(comparison.line())
    return 1 if report.failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
