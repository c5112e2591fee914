"""The generic content engine: article fields from any page, no template (see engine.py).

`extract` and `Extraction` are loaded on first use: the engine imports crawler.parsers.dom, whose
package registers the parsers that use this one (a plain import here would be a cycle).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from crawler.content.engine import Extraction, extract

__all__ = ["Extraction", "extract"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from crawler.content import engine

        return getattr(engine, name)
    raise AttributeError(name)
