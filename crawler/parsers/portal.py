"""What a portal's start page says about it, for `scrapy crawl portal -a url=...`: its family
(which crawl loop) and the links of its navigation (where listing pages may be). Pure: HTML and
URL in, no Scrapy.
"""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

from crawler.parsers.dom import parse_document

# The crawl loop (spider family) for each CMS family crawler.detect recognizes: the PublishingPortal
# blocks, in a Liferay or a SharePoint chrome, are listed and paged like Liferay portlets.
CRAWL_FAMILY = {
    "liferay": "liferay",
    "publishingportal": "liferay",
    "sharepoint": "liferay",
    "wordpress": "wordpress",
}
# Where a portal keeps its menus: the containers whose links are sections, not articles.
NAVIGATION = "nav a[href], [role=navigation] a[href], [role=menubar] a[href], .navbar a[href], .menu a[href]"
NOT_PAGES = (".pdf", ".doc", ".docx", ".xls", ".xlsx", ".jpg", ".jpeg", ".png", ".gif", ".zip", ".rar")


def detect_family(html: str | bytes) -> str | None:
    """The crawl family of the page's CMS ("wordpress" or "liferay") by crawler.detect's
    fingerprints (the one detector: the auto template uses it per page too), or None."""
    from crawler.detect import detect  # late: crawler.detect imports the parsers package

    return CRAWL_FAMILY.get(detect(html).family)


def navigation_links(html: str | bytes, page_url: str) -> list[str]:
    """Absolute same-host links of the page's menus, in document order, once each, without
    fragments; files and the page itself left out."""
    host = urlsplit(page_url).hostname
    page = page_url.split("#", 1)[0]
    seen: list[str] = []
    for node in parse_document(html).css(NAVIGATION):
        href = (node.attributes.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:", "tel:")):
            continue
        url = urljoin(page_url, href).split("#", 1)[0]
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or parts.hostname != host:
            continue
        if parts.path.lower().endswith(NOT_PAGES) or url == page or url in seen:
            continue
        seen.append(url)
    return seen
