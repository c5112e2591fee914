"""Local replica of the portals: real HTTP on 127.0.0.1 serving rendered copies of the sites.

`ReplicaServer` (replica.server) is imported lazily so that importing the data model
(as the renderers and parser tests do) does not pull in the server and every renderer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from replica.model import Page, ReplicaArticle, SiteRenderer

if TYPE_CHECKING:
    from replica.server import ReplicaServer

__all__ = ["Page", "ReplicaArticle", "ReplicaServer", "SiteRenderer"]


def __getattr__(name: str) -> Any:
    if name == "ReplicaServer":
        from replica.server import ReplicaServer

        return ReplicaServer
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
