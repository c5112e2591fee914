"""Offline extraction: the item a stored page gives, exactly as the spider would store it.

    python -m crawler.extract --url URL FILE.html
    python -m crawler.extract --batch MANIFEST        # lines "URL<TAB>PATH"
    (--site KEY, in both forms, when the URLs' host is not the site's: a replica, a WARC copy)

The parser is chosen from the URL's site in the registry; a host no entry serves is read by the
`auto` template (CMS detection, else the generic extractor) with the host as site. The file's
bytes are decoded with the page's declared charset (windows-1258 exists). A failing batch entry
prints {"url": ..., "error": ...} (a page with no article: "not an article: <why>") and the run
goes on. Items are built by the crawl's own item builder (crawler/builder.py), validation
included: a page the crawl would reject prints its reject line, {"url": ..., "rejected":
"missing_body", "all_reasons": [...], ...} (a single page then exits 1).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from crawler.builder import Reject, build_item, build_unregistered
from crawler.items import Article, article_record
from crawler.parsers import ParseError
from crawler.parsers.base import NotAnArticle
from crawler.sites import get_site, site_for_url


class Rejected(ParseError):
    """A page the crawl would reject (an article without body, title or date...): `record` is the
    reject line `{"url": ..., "rejected": <reason>, ...}`."""

    def __init__(self, reject: Reject) -> None:
        super().__init__(f"rejected: {reject.reason}")
        self.record = reject.record()


def extract_page(
    url: str, body: bytes, content_type: str | None = None, site_key: str | None = None, **rules: Any
) -> dict[str, Any]:
    """Build one stored page's item with the crawl's item builder (crawler/builder.py): the dict
    the store would write (identity fields included). Raises NotAnArticle for a page that is no
    article, Rejected for one the crawl would reject.

    `site_key` names the registry entry when the URL cannot (a replica on 127.0.0.1, a page out
    of a WARC file); the parser is then bound to the URL's origin instead of the site's base URL.
    `rules`: the builder's switches (`validate=False`: the item as parsed, even an invalid one).
    """
    if site_key is None:
        try:
            site = site_for_url(url)
        except KeyError:
            return _result(build_unregistered(body, url, content_type, **rules))
        base_url = site.base_url
    else:
        site = get_site(site_key)
        parts = urlsplit(url)
        base_url = f"{parts.scheme}://{parts.netloc}"
    built = build_item(body, url, site, base_url, content_type, **rules)
    if isinstance(built, Reject) and built.reason == "not_an_article" and "why" not in built.details:
        raise ParseError(f"{url} is not an article page of template {site.template!r}")
    return _result(built)


def _result(built: Article | Reject) -> dict[str, Any]:
    if isinstance(built, Reject):
        if built.reason == "not_an_article":
            raise NotAnArticle(f"not an article: {built.details.get('why', 'no article')}")
        raise Rejected(built)
    return article_record(built)


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
        except Rejected as exc:
            yield exc.record
        except NotAnArticle as exc:
            yield {"url": url, "error": str(exc)}
        except Exception as exc:  # one bad entry must not end a batch of thousands
            yield {"url": url, "error": f"{type(exc).__name__}: {exc}"}


def _unregistered_hint(url: str, body: bytes, site_key: str | None) -> str:
    """For a host no registry entry serves: which template detection chose, and the way to read
    the page as a registered site's instead (a replica or a mirror's pages)."""
    if site_key is not None:
        return ""
    try:
        site_for_url(url)
        return ""
    except KeyError:
        from crawler.detect import detect

        host = urlsplit(url).hostname or url
        return (
            f" (host {host!r} is in no registry entry: read with the auto template, detected"
            f" {detect(body).template!r}; give --site KEY to read it as a registered site)"
        )


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
        body = Path(args.file).read_bytes()
        record = extract_page(args.url, body, site_key=args.site)
    except Rejected as exc:  # the line the crawl's rejects file would hold; no item
        out.write(_dump(exc.record) + "\n")
        return 1
    except NotAnArticle as exc:
        print(f"error: {exc}{_unregistered_hint(args.url, body, args.site)}", file=sys.stderr)
        return 1
    except (KeyError, ParseError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    out.write(_dump(record) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
