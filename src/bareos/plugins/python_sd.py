"""python3-sd: placeholder until the bareossd host lands (see docs/plugins.md)."""

from __future__ import annotations


class PythonSdPlugin:
    name = "python3"

    def __init__(self, ctx) -> None:
        self.ctx = ctx
