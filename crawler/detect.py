"""Which CMS and template served a page: the registry template key that parses it, with the
evidence that decided. Anything not recognized is `generic` (the content engine).

    python -m crawler.detect --url URL FILE.html

Rules read markup a CMS cannot help printing (portlet ids, resource paths, generator tags, theme
folders, block class names) and, for a template, the container its parser reads: a Liferay 7
page without the `.news-detail` ADT is Liferay but goes to `generic`, as does a WordPress theme
whose parser would read the wrong element (Divi's `.post-content` may be a hidden teaser of
another post). Pure: HTML in, verdict out.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from crawler.content.guard import flatten_deep
from crawler.parsers.base import ParseError
from crawler.parsers.dom import Node, parse_document

__all__ = ["Verdict", "detect", "detect_tree", "main"]

GENERIC = "generic"
_THEME_RE = re.compile(r"/wp-content/themes/([A-Za-z0-9_.-]+)/")
# Liferay 7's module resources: "/o/<module>/" opening a quoted or url(...) link, or after its
# origin ("https://host/o/..."): the regex ["'(](?:https?://[^"'()]+)?/o/[a-z0-9-]+/, which
# Python tries at every quote of the page. Found here from the literal "/o/", then its link's
# start is checked.
_O_MODULE = re.compile(r"/o/[a-z0-9-]+/")
_ORIGIN = re.compile(r"""https?://[^"'()]+""")
_LINK_START = 4096  # characters looked back for a link's opening quote
_LIFERAY_FRIENDLY = re.compile(r"""href=["'][^"']*/-/[a-z_]+/""")
# WordPress themes by folder name (lower-case) -> template key. A theme not listed goes to the
# stock `wordpress` parser when its posts use `.entry-content`, else to `generic`.
WP_THEMES: dict[str, str] = {
    "newspaper": "wp-newspaper",
    "newsmag": "wp-newspaper",
    "sahifa": "wp-sahifa",
    "jannah": "wp-jannah",
    # Themes whose content container the stock parser misreads: the engine reads them.
    "divi": GENERIC,
    "extra": GENERIC,
    "soledad": GENERIC,
}


@dataclass(frozen=True)
class Verdict:
    family: str  # "liferay", "publishingportal", "sharepoint", "wordpress" or "unknown"
    template: str  # a crawler.parsers.PARSERS key
    evidence: tuple[str, ...] = field(default_factory=tuple)

    def describe(self) -> str:
        lines = [f"family: {self.family}", f"template: {self.template}"]
        lines += [f"  - {e}" for e in self.evidence]
        return "\n".join(lines)


def detect(html: str | bytes, url: str | None = None) -> Verdict:
    """The verdict for one page (text or UTF-8 bytes). Raises ParseError for an empty page."""
    html = flatten_deep(html)  # markup nested thousands deep would cost seconds to parse
    root = parse_document(html)
    raw = html.decode("utf-8", "replace") if isinstance(html, bytes) else html
    return detect_tree(root, raw)


def _has(root: Node, selector: str) -> bool:
    return root.css_first(selector) is not None


def detect_tree(root: Node, raw: str) -> Verdict:
    """The verdict from the parsed page and its markup (some evidence is in scripts and URLs)."""
    ev: list[str] = []
    # PublishingPortal blocks (a Liferay portlet suite, also embedded in SharePoint pages).
    blocks = sorted(set(re.findall(r"Block_BanTin_[A-Za-z]+", raw)))
    sharepoint = _sharepoint(root, raw)
    if blocks:
        ev.append("PublishingPortal blocks: " + ", ".join(blocks[:4]))
        if sharepoint:
            ev.append("in SharePoint chrome: " + ", ".join(sharepoint))
        if "Block_BanTin_ViewData" in blocks:
            return Verdict("publishingportal", "publishingportal", tuple(ev))
        return Verdict("publishingportal", GENERIC, (*ev, "no Block_BanTin_ViewData article block"))
    if sharepoint:
        found = "SharePoint: " + ", ".join(sharepoint)
        return Verdict("sharepoint", GENERIC, (found, "no template: generic"))
    liferay = _liferay(root, raw)
    if liferay:
        version, found = liferay
        ev.extend(found)
        if version == "7" and _has(root, ".news-detail"):
            return Verdict("liferay", "liferay-adt", (*ev, "ADT container .news-detail"))
        if _has(root, ".chi-tiet-tin"):
            return Verdict("liferay", "liferay-journal", (*ev, "journal template .chi-tiet-tin"))
        if _has(root, ".journal-content-article"):
            ev.append("journal-content-article without a known article template")
        return Verdict("liferay", GENERIC, (*ev, "no known article template: generic"))
    wordpress = _wordpress(root, raw)
    if wordpress:
        theme, found = wordpress
        ev.extend(found)
        template = WP_THEMES.get(theme or "", "")
        if template == "wp-newspaper" and _has(root, ".tdb_single_content, .tdb-template, .tdb_template"):
            # Cloud Library single templates: blocks the Newspaper parser does not know (featured
            # image, ads, related) around a .td-post-content; the engine reads them.
            return Verdict("wordpress", GENERIC, (*ev, "tagDiv cloud template (tdb_single_content)"))
        if template:
            return Verdict("wordpress", template, (*ev, f"theme {theme!r} -> {template}"))
        if _has(root, ".entry-content"):
            return Verdict("wordpress", "wordpress", (*ev, "post content in .entry-content"))
        return Verdict("wordpress", GENERIC, (*ev, "no .entry-content: generic"))
    return Verdict("unknown", GENERIC, ("no CMS fingerprint",))


def _sharepoint(root: Node, raw: str) -> list[str]:
    found = []
    if _has(root, "[class*=ms-webpart]"):
        found.append("ms-webpart zones")
    if _has(root, "input[name=__VIEWSTATE]") or "__VIEWSTATE" in raw:
        found.append("__VIEWSTATE")
    if "_spPageContextInfo" in raw or "/_layouts/" in raw:
        found.append("_layouts / _spPageContextInfo")
    return found


def liferay7_resource(raw: str) -> bool:
    """Whether `raw` links a Liferay 7 module resource (its opening quote within _LINK_START)."""
    for m in _O_MODULE.finditer(raw):
        start = m.start()
        low = max(0, start - _LINK_START)
        opening = max(raw.rfind('"', low, start), raw.rfind("'", low, start), raw.rfind("(", low, start))
        if opening >= 0 and (opening + 1 == start or _ORIGIN.fullmatch(raw, opening + 1, start)):
            return True
    return False


def _liferay(root: Node, raw: str) -> tuple[str, list[str]] | None:
    found = []
    portlets = [el.attributes.get("id") or "" for el in root.css("[id^=portlet_]")]
    if portlets:
        found.append(f"{len(portlets)} portlet ids (e.g. {portlets[0]})")
    if "Liferay." in raw:
        found.append("Liferay JavaScript API")
    if _LIFERAY_FRIENDLY.search(raw):
        found.append("/-/ friendly URLs")
    if _has(root, ".journal-content-article"):
        found.append("journal-content-article")
    seven = liferay7_resource(raw)
    if not found:
        return None
    if seven:
        found.append("/o/ module resources (Liferay 7)")
        return "7", found
    found.append("no /o/ resources (Liferay 6.2)")
    return "6.2", found


def _wordpress(root: Node, raw: str) -> tuple[str | None, list[str]] | None:
    found = []
    generator = root.css_first('meta[name="generator"]')
    content = (generator.attributes.get("content") or "") if generator is not None else ""
    if content.lower().startswith("wordpress"):
        found.append(f"generator {content!r}")
    if "/wp-content/" in raw or "/wp-includes/" in raw:
        found.append("wp-content / wp-includes paths")
    if not found:
        return None
    themes = Counter(t.lower() for t in _THEME_RE.findall(raw))
    theme = None
    if themes:
        theme = themes.most_common(1)[0][0]
        found.append(f"theme folder wp-content/themes/{theme}/")
    if _has(root, "[class*=et_pb_]"):
        theme = theme or "divi"
        found.append("Divi builder sections (et_pb_*)")
    return theme, found


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m crawler.detect", description=__doc__.split("\n\n")[0])
    ap.add_argument("--url", help="the URL the page was served at (shown with the verdict)")
    ap.add_argument("file", help="the stored HTML page")
    args = ap.parse_args(argv)
    try:
        verdict = detect(Path(args.file).read_bytes(), args.url)
    except (OSError, ParseError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if args.url:
        print(f"url: {args.url}")
    print(verdict.describe())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
