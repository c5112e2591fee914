"""Refuse redirects that lead a crawl from a public site into loopback, private or link-local space.

A compromised or misconfigured portal could redirect the crawler to internal services; the
crawler then fetches (and archives) what it should never see. Allowed only when
VN_ALLOW_PRIVATE_REDIRECTS is on (the replica tests, which live on 127.0.0.1).
"""

from __future__ import annotations

import ipaddress
import logging
import socket
from typing import Any
from urllib.parse import urlsplit

from scrapy.exceptions import NotConfigured

from crawler.middlewares.redirects import RedirectRefused

logger = logging.getLogger(__name__)


def is_private_host(host: str) -> bool:
    """True for loopback/private/link-local/reserved addresses, by literal or by DNS answer."""
    host = host.strip("[]").lower()
    if not host:
        return False
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        candidates = [ipaddress.ip_address(host)]
    except ValueError:
        try:
            infos = socket.getaddrinfo(host, None)
        except OSError:
            return False  # unresolvable: the download fails on its own
        candidates = [ipaddress.ip_address(info[4][0]) for info in infos]
    return any(_private(ip) for ip in candidates)


SHARED_SPACE = ipaddress.ip_network("100.64.0.0/10")  # carrier-grade NAT (RFC 6598): not public


def _private(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(ip, ipaddress.IPv6Address):
        # IPv6 forms that carry an IPv4 address (mapped ::ffff:a.b.c.d, 6to4 2002:aabb:ccdd::,
        # Teredo's client) are judged by that address.
        embedded = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is not None and _private(embedded):
            return True
    if isinstance(ip, ipaddress.IPv4Address) and ip in SHARED_SPACE:
        return True
    return ip.is_loopback or ip.is_private or ip.is_link_local or ip.is_reserved or ip.is_unspecified


class PrivateRedirectGuard:
    def __init__(self, stats: Any) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Any) -> PrivateRedirectGuard:
        if crawler.settings.getbool("VN_ALLOW_PRIVATE_REDIRECTS", False):
            raise NotConfigured("VN_ALLOW_PRIVATE_REDIRECTS is on")
        return cls(crawler.stats)

    def process_request(self, request: Any, spider: Any = None) -> None:
        if not request.meta.get("redirect_urls"):
            return None  # only redirect targets are checked: the start URLs are the operator's choice
        host = urlsplit(request.url).hostname or ""
        if is_private_host(host):
            self.stats.inc_value("vn/refused/private_redirect")
            logger.warning(
                "refused redirect to private address %s (from %s)",
                request.url,
                request.meta["redirect_urls"][0],
            )
            raise RedirectRefused("private_redirect", f"redirect to private address {host}")
        return None
