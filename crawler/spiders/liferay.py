"""Liferay-style portals (PublishingPortal blocks, Asset Publisher): listing pages with pagination."""

from __future__ import annotations

from crawler.spiders.base import PortalSpider


class LiferaySpider(PortalSpider):
    """The base loop is the Liferay loop: listing pages (`_cur=N`, Clay, `?Page=N`) -> articles."""
