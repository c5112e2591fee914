"""Shared normalizers (text, dates, URLs) used by parsers and pipelines."""
