"""Output paths built from site keys and names never escape their data directory."""

from __future__ import annotations

import re
from pathlib import Path

_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")


class UnsafePathError(ValueError):
    pass


def safe_child(root: str | Path, *names: str) -> Path:
    """`root/name/...` for plain names only: no separators, no "..", no absolute paths."""
    root_path = Path(root).resolve()
    path = root_path
    for name in names:
        if not _SAFE_NAME.match(name) or ".." in name:
            raise UnsafePathError(f"unsafe path component {name!r}")
        path = path / name
    resolved = path.resolve()
    if resolved != root_path and root_path not in resolved.parents:
        raise UnsafePathError(f"{resolved} escapes {root_path}")
    return resolved
