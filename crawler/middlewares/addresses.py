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

from scrapy.exceptions import IgnoreRequest, NotConfigured

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
    return any(
        ip.is_loopback or ip.is_private or ip.is_link_local or ip.is_reserved or ip.is_unspecified
        for ip in candidates
    )


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
            raise IgnoreRequest(f"redirect to private address {host}")
        return None
