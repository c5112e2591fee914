"""Offline extraction: the item a stored page gives, exactly as the spider would store it.

    python -m crawler.extract --url URL FILE.html
    python -m crawler.extract --batch MANIFEST        # lines "URL<TAB>PATH"
    (--site KEY, in both forms, when the URLs' host is not the site's: a replica, a WARC copy)

The parser is chosen from the URL's site in the registry; a host no entry serves is read by the
`auto` template (CMS detection, else the generic extractor) with the host as site. The file's
bytes are decoded with the page's declared charset (windows-1258 exists). A failing batch entry
prints {"url": ..., "error": ...} (a page with no article: "not an article: <why>") and the run
goes on.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from crawler.items import article_record
from crawler.normalize.article import normalize_article
from crawler.normalize.text import page_markup
from crawler.parsers import ParseError
from crawler.parsers.auto import AutoParser
from crawler.parsers.base import NotAnArticle
from crawler.parsers.cache import cached_parser, parser_spec
from crawler.sites import get_site, site_for_url


def extract_page(
    url: str, body: bytes, content_type: str | None = None, site_key: str | None = None
) -> dict[str, Any]:
    """Parse one stored page into the item dict the store would write (identity fields included).

    `site_key` names the registry entry when the URL cannot (a replica on 127.0.0.1, a page out
    of a WARC file); the parser is then bound to the URL's origin instead of the site's base URL.
    """
    if site_key is None:
        try:
            site = site_for_url(url)
        except KeyError:
            return _extract_unregistered(url, body, content_type)
        base_url = site.base_url
    else:
        site = get_site(site_key)
        parts = urlsplit(url)
        base_url = f"{parts.scheme}://{parts.netloc}"
    # One parser per site and origin, as a spider keeps one (parsers hold no per-page state).
    parser = cached_parser(parser_spec(site, base_url))
    article = parser.parse_article(page_markup(body, content_type), url)
    if article is None:
        raise ParseError(f"{url} is not an article page of template {site.template!r}")
    article.site = site.site_name
    article.fetched_url = url
    return article_record(normalize_article(article))


def _extract_unregistered(url: str, body: bytes, content_type: str | None) -> dict[str, Any]:
    """A page of a host the registry does not know: the auto parser, the host as site."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if not host:
        raise KeyError(f"no host in {url!r}")
    parser = cached_parser(("auto", f"{parts.scheme}://{parts.netloc}", ()))
    assert isinstance(parser, AutoParser)
    result = parser.parse_or_reason(page_markup(body, content_type), url)
    if isinstance(result, str):
        raise NotAnArticle(f"not an article: {result}")
    result.site = host
    result.fetched_url = url
    return article_record(normalize_article(result))


def extract_manifest(
    lines: Iterable[str], root: Path, site_key: str | None = None
) -> Iterator[dict[str, Any]]:
    for raw in lines:
        line = raw.rstrip("\n")
        if not line.strip() or line.startswith("#"):
            continue
        url, _, path = line.partition("\t")
        try:
            if not path:
                raise ValueError("manifest line must be URL<TAB>PATH")
            yield extract_page(url, (root / path).read_bytes(), site_key=site_key)
        except NotAnArticle as exc:
            yield {"url": url, "error": str(exc)}
        except Exception as exc:  # one bad entry must not end a batch of thousands
            yield {"url": url, "error": f"{type(exc).__name__}: {exc}"}


def _dump(record: dict[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m crawler.extract", description=__doc__.split("\n\n")[0])
    ap.add_argument("--url", help="the URL the page was served at (selects the site and parser)")
    ap.add_argument("--batch", metavar="MANIFEST", help='file of "URL<TAB>PATH" lines; paths relative to it')
    ap.add_argument("--site", metavar="KEY", help="registry key, when the URL's host is not the site's")
    ap.add_argument("file", nargs="?", help="the stored HTML page")
    args = ap.parse_args(argv)
    out = sys.stdout
    if args.batch:
        manifest = Path(args.batch)
        with manifest.open(encoding="utf-8") as fh:
            for record in extract_manifest(fh, manifest.parent, args.site):
                out.write(_dump(record) + "\n")
        return 0
    if not (args.url and args.file):
        ap.error("give --url URL FILE, or --batch MANIFEST")
    try:
        record = extract_page(args.url, Path(args.file).read_bytes(), site_key=args.site)
    except (KeyError, ParseError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    out.write(_dump(record) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
