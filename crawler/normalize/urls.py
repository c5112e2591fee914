"""URL normalizers: resolve links and compute canonical article URLs.

Liferay portals put navigation state (lifecycle, column, pagination, redirect back-links)
into query parameters, so the same article is reachable under many URLs. The canonical
form drops that state but keeps every identifying parameter in its ORIGINAL order
(Liferay/SharePoint servers are order-insensitive, but our expected URLs and ids are
derived from the order the site itself uses).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from urllib.parse import quote, unquote_plus, urljoin, urlsplit, urlunsplit

__all__ = ["DROP_PARAMS", "absolute_url", "canonical_netloc", "canonicalize_url", "plain_url", "same_site"]

_ALLOWED_SCHEMES = frozenset({"http", "https", "ftp"})
_DEFAULT_PORTS = {"http": "80", "https": "443", "ftp": "21"}
# Characters kept literally when re-quoting; "%" is kept so existing escapes survive
# (which also makes quoting idempotent).
_PATH_SAFE = "/%:@!$&'()*+,;=-._~"
_QUERY_SAFE = "/%:@!$'()*+,;=-._~?"  # "&" and "=" are handled by the splitter
_ESCAPE_RE = re.compile(r"%[0-9a-fA-F]{2}")
_URL_WS_RE = re.compile(r"[\t\n\r]")
_SCHEME_RE = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")

#: Exact parameter names (lower-cased) that never identify content.
DROP_PARAMS: frozenset[str] = frozenset(
    {
        # trackers
        "fbclid",
        "gclid",
        "dclid",
        "msclkid",
        "yclid",
        "gidzl",
        "zarsrc",
        "_ga",
        "mc_cid",
        "mc_eid",
        # Liferay navigation/state
        "p_p_lifecycle",
        "p_p_state",
        "p_p_mode",
        "p_p_col_id",
        "p_p_col_pos",
        "p_p_col_count",
        "p_auth",
    }
)
# A name that IS one of these or ends with "_" + one of these (lower-cased) is dropped:
# Liferay namespaces portlet parameters as "_<portletId>_<name>".
_DROP_SUFFIXES: tuple[str, ...] = (
    "redirect",
    "inheritredirect",
    "cur",
    "delta",
    "keywords",
    "advancedsearch",
    "andoperator",
    "resetcur",
    "backurl",
    "returntofullpageurl",
)
_DROP_SUFFIX_SET = frozenset(_DROP_SUFFIXES)
_DROP_SUFFIX_RE = re.compile("_(?:" + "|".join(_DROP_SUFFIXES) + ")$")
_DROP_PREFIXES: tuple[str, ...] = ("utm_", "p_r_p_")


def _upper_escape(m: re.Match[str]) -> str:
    return m.group(0).upper()


def _quote(part: str, safe: str) -> str:
    """Percent-encode spaces/non-ASCII (UTF-8) and normalise existing escapes to upper case."""
    if not part:
        return part
    if not part.isascii() or " " in part or '"' in part or "<" in part or ">" in part:
        part = quote(part, safe=safe)
    if "%" in part:
        part = _ESCAPE_RE.sub(_upper_escape, part)
    return part


def _should_drop(name: str) -> bool:
    """Tracking and Liferay navigation/state parameters (see CONTRACTS.md)."""
    low = unquote_plus(name).lower()
    if low in DROP_PARAMS or low in _DROP_SUFFIX_SET:
        return True
    if low.startswith(_DROP_PREFIXES):
        return True
    return _DROP_SUFFIX_RE.search(low) is not None


def absolute_url(href: str | None, base: str) -> str | None:
    """Resolve ``href`` against ``base``; None for links that are not fetchable documents.

    None for empty hrefs, fragment-only links ("#", "#top") and non-web schemes
    (javascript:, mailto:, data:, tel:, ...). Tabs/newlines inside the href are removed and
    backslashes treated as slashes (as browsers do); spaces and non-ASCII are percent-encoded.
    The fragment of a real link is kept (canonicalize_url drops it).
    """
    if not href:
        return None
    href = href.strip(" \t\n\r\f\v\xa0\u200b\ufeff")
    if not href or href.startswith("#"):
        return None
    if "\t" in href or "\n" in href or "\r" in href:
        href = _URL_WS_RE.sub("", href)
    if "&amp;" in href:
        href = href.replace("&amp;", "&")
    if not href.isascii():  # one link, one percent-encoding: NFD Vietnamese (windows-1258 pages) composed
        href = unicodedata.normalize("NFC", href)
    m = _SCHEME_RE.match(href)
    if m and m.group(1).lower() not in _ALLOWED_SCHEMES:
        return None
    if "\\" in href:
        href = href.replace("\\", "/")
    return _fast_resolve(href, base) or _resolve(href, base)


# Links that resolve to themselves (absolute) or to the base's origin + themselves (root-relative):
# nothing to quote ("%" excluded: escapes get upper-cased), no dot or empty segments (urljoin
# removes them), no params, no fragment, no empty query. Most links on a page are like this, and
# urljoin + urlsplit + urlunsplit cost ~25 µs a link.
_PLAIN_PATH = r"[A-Za-z0-9\-._~!$&'()*+,=:@]*(?:/[A-Za-z0-9\-._~!$&'()*+,=:@]*)*"
_PLAIN_QUERY = r"(?:\?[A-Za-z0-9\-._~!$&'()*+,;=:@/?]+)?"
_PLAIN_ABSOLUTE_RE = re.compile(
    r"https?://[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?(?::[0-9]+)?(?:/(?:" + _PLAIN_PATH + r"))?" + _PLAIN_QUERY,
    re.ASCII,
)
_PLAIN_ROOTED_RE = re.compile(r"/" + _PLAIN_PATH + _PLAIN_QUERY, re.ASCII)
_DOT_SEGMENT_RE = re.compile(r"(?:^|/)\.{1,2}(?:/|$|\?)|//")


def _dot_segments(s: str) -> bool:
    """`_DOT_SEGMENT_RE.search(s)`; its scan (~2 µs a link) runs only when a match is possible."""
    return ("/." in s or "//" in s or s.startswith(".")) and _DOT_SEGMENT_RE.search(s) is not None


def _fast_resolve(href: str, base: str) -> str | None:
    """What `_resolve` gives, for plain links, without urllib; None when the link is not plain."""
    if href.startswith(("http://", "https://")):
        if _PLAIN_ABSOLUTE_RE.fullmatch(href) and not _dot_segments(href.split("://", 1)[1]):
            return href
        return None
    if href.startswith("/") and _PLAIN_ROOTED_RE.fullmatch(href) and not _dot_segments(href):
        origin = _origin(base)
        return origin + href if origin else None
    return None


def _origin(base: str) -> str | None:
    """ "scheme://netloc" of an http(s) base, as urljoin keeps it (scheme lower-cased here)."""
    scheme, sep, rest = base.partition("://")
    scheme = scheme.lower()
    if not sep or scheme not in ("http", "https"):
        return None
    netloc = rest
    for stop in "/?#":
        netloc = netloc.split(stop, 1)[0]
    if not netloc or not netloc.isascii() or any(c in netloc for c in " \t\n\r\\"):
        return None
    return f"{scheme}://{netloc}"


def _resolve(href: str, base: str) -> str | None:
    try:
        joined = urljoin(base, href)
        parts = urlsplit(joined)
    except ValueError:
        return None
    if parts.scheme.lower() not in _ALLOWED_SCHEMES or not parts.netloc:
        return None
    path = _quote(parts.path, _PATH_SAFE)
    query = _quote(parts.query, _QUERY_SAFE + "&=")
    return urlunsplit((parts.scheme.lower(), parts.netloc, path, query, parts.fragment))


@lru_cache(maxsize=256)  # a page's links share a few hosts; IDNA encoding is not cheap
def canonical_netloc(parts_scheme: str, netloc: str) -> str:
    """Lower-case host, IDNA-encode it, strip the default port; keep userinfo as given."""
    userinfo, _, hostport = netloc.rpartition("@")
    host, port = hostport, ""
    if hostport.startswith("["):  # IPv6 literal
        end = hostport.find("]")
        if end != -1:
            host, rest = hostport[: end + 1], hostport[end + 1 :]
            port = rest[1:] if rest.startswith(":") else ""
    elif ":" in hostport:
        host, _, port = hostport.rpartition(":")
    host = host.lower().rstrip(".")
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            host = quote(host, safe="")
    if port and (port == _DEFAULT_PORTS.get(parts_scheme) or not port.isdigit()):
        port = ""
    out = host + (":" + port if port else "")
    return (userinfo + "@" + out) if userinfo else out


# An http(s) URL as urlsplit cuts it (scheme, netloc, path, then "?" or "#" or the end), whose
# netloc has no userinfo, IPv6 literal or escape and whose path is made of characters
# canonicalize_url keeps as they are (no escape, space, non-ASCII or ";").
_PLAIN_URL_RE = re.compile(
    r"(https?)://([A-Za-z0-9._~!$&'()*+,;=:-]+)(/[A-Za-z0-9._~!$&'()*+,=:@/-]*)(?=[?#]|\Z)"
)


def plain_url(url: str) -> tuple[str, str, str] | None:
    """(scheme, netloc, path) of `url` as urlsplit gives them, for a URL whose canonical form
    with its query dropped is scheme://canonical_netloc(netloc) + path; None for any other URL.

    Listing parsers build that form directly: urlsplit + urlunsplit twice cost ~25 µs a link,
    and a listing may carry 100k links.
    """
    m = _PLAIN_URL_RE.match(url)
    if m is None:
        return None
    scheme, netloc, path = m.groups()
    return (scheme, netloc, path) if canonical_netloc(scheme, netloc) else None


def canonicalize_url(
    url: str,
    *,
    drop: Iterable[str] = (),
    keep_only: Iterable[str] | None = None,
) -> str:
    """Canonical form of an article URL, used for ids and dedup.

    Keeps query parameter order and path case; drops the fragment, trackers, Liferay
    navigation/state parameters, and the names in ``drop``; with ``keep_only`` only those
    names survive. Names in ``drop``/``keep_only`` match case-insensitively. Lower-cases
    scheme and host, removes default ports, gives an empty path as "/". Idempotent.
    """
    url = url.strip()
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    netloc = canonical_netloc(scheme, parts.netloc) if parts.netloc else ""
    path = _quote(parts.path, _PATH_SAFE)
    if not path and netloc:
        path = "/"
    drop_set = {d.lower() for d in drop}
    keep_set = {k.lower() for k in keep_only} if keep_only is not None else None
    kept: list[str] = []
    if parts.query:
        for pair in parts.query.split("&"):
            if not pair:
                continue
            name = pair.split("=", 1)[0]
            low = unquote_plus(name).lower()
            if keep_set is not None:
                if low not in keep_set:
                    continue
            elif _should_drop(name):
                continue
            if low in drop_set:
                continue
            kept.append(_quote(pair, _QUERY_SAFE + "="))
    return urlunsplit((scheme, netloc, path, "&".join(kept), ""))


def _host_of(value: str) -> str:
    value = value.strip()
    if "//" in value:
        value = urlsplit(value).netloc
    value = value.rpartition("@")[2]
    if value.startswith("["):
        return value[: value.find("]") + 1].lower()
    host = value.split("/", 1)[0].rsplit(":", 1)[0] if value.count(":") <= 1 else value
    host = host.lower().rstrip(".")
    return host[4:] if host.startswith("www.") else host


def same_site(url: str, hosts: Iterable[str]) -> bool:
    """True when ``url``'s host is one of ``hosts`` (bare hosts or URLs; port and "www." ignored).

    Subdomains do NOT match: dangbokhoi.gialai.gov.vn is a different portal from gialai.gov.vn.
    """
    if not url:
        return False
    try:
        host = _host_of(urlsplit(url.strip()).netloc)
    except ValueError:
        return False
    if not host:
        return False
    return any(host == _host_of(h) for h in hosts if h)
