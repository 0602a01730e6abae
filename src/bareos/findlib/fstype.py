"""File system type names (Bareos's ``fstype``) from /proc/self/mountinfo."""

from __future__ import annotations

import os
import threading

_lock = threading.Lock()
_cache: dict[int, str] = {}


def _load() -> dict[int, str]:
    table: dict[int, str] = {}
    try:
        with open("/proc/self/mountinfo", encoding="utf-8", errors="replace") as f:
            for line in f:
                parts = line.split()
                if len(parts) < 7 or "-" not in parts:
                    continue
                major, minor = parts[2].split(":")
                fstype = parts[parts.index("-", 6) + 1]
                table[os.makedev(int(major), int(minor))] = fstype
    except (OSError, ValueError):
        pass
    return table


def fstype(path: str, st: os.stat_result | None = None) -> str:
    """The file system type of *path* (``ext4``, ``xfs``, ``tmpfs``, ...)."""
    if st is None:
        st = os.lstat(path)
    with _lock:
        name = _cache.get(st.st_dev)
        if name is None:
            _cache.clear()
            _cache.update(_load())
            name = _cache.get(st.st_dev, "unknown")
            _cache.setdefault(st.st_dev, name)
    return name
