"""python3-dir: placeholder until the bareosdir host lands (see docs/plugins.md)."""

from __future__ import annotations


class PythonDirPlugin:
    name = "python3"

    def __init__(self, ctx) -> None:
        self.ctx = ctx
