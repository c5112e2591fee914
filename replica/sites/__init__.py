"""Replica renderers by key (site.json "renderer"): one class per template chrome.

Each family module exports ``RENDERERS: dict[str, type]``; this merges them. A key of the form
``"package.module:Class"`` names a renderer outside the registry (tests and benchmarks bring
their own).
"""

from __future__ import annotations

import importlib
from typing import Any

from replica.sites.liferay import RENDERERS as LIFERAY
from replica.sites.wordpress import RENDERERS as WORDPRESS

RENDERERS: dict[str, type[Any]] = {**LIFERAY, **WORDPRESS}

__all__ = ["RENDERERS", "renderer_for"]


def renderer_for(key: str) -> type[Any]:
    """The renderer class for a site.json "renderer" key (or a "module:Class" path)."""
    if key in RENDERERS:
        return RENDERERS[key]
    if ":" in key:
        module, _, name = key.partition(":")
        try:
            return getattr(importlib.import_module(module), name)
        except (ImportError, AttributeError) as exc:
            raise KeyError(f"renderer {key!r} cannot be imported: {exc}") from exc
    raise KeyError(f"unknown replica renderer {key!r} (known: {', '.join(sorted(RENDERERS))})")
