"""The generic content engine: article fields from any page, no template (see engine.py)."""

from crawler.content.engine import Extraction, extract

__all__ = ["Extraction", "extract"]
