"""``bsscanf`` for the File Daemon: the shared one of :mod:`bareos.lib.scan`."""

from __future__ import annotations

from bareos.lib.scan import bsscanf

__all__ = ["bsscanf"]
