"""The console output formatter: one interface for API modes 0, 1 and 2.

Commands describe their result as objects, arrays and key/value pairs, each
with an optional printf-style format for the text modes.  In API mode 0 and 1
the formatted text is streamed to the console; in API mode 2 (JSON) the values
build one JSON-RPC document that is sent when the command finishes.

This module does no I/O itself: it is given a ``send(text)`` callable.
"""

from __future__ import annotations

import json
from typing import Any, Callable

API_MODE_OFF = 0
API_MODE_ON = 1
API_MODE_JSON = 2

MSG_TYPE_ERROR = "error"
MSG_TYPE_WARNING = "warning"
MSG_TYPE_INFO = "info"


def _fmt(fmt: str, value: Any) -> str:
    if isinstance(value, bool):
        value = ("true" if value else "false") if "%s" in fmt else int(value)
    try:
        return fmt % (value,)
    except TypeError:
        return fmt


def rewrap(value: str, wrap: int | None, api: int) -> str:
    """Re-flow a usage string as Bareos does (wrap < 0 or None: unchanged).

    wrap == 0 folds the text onto one line; wrap > 0 additionally breaks lines
    after ``wrap`` characters and after each top-level ``|`` (text modes only).
    """
    if wrap is None or wrap < 0:
        return value
    out = []
    depth = 0
    chars = 0
    n = len(value)
    for i, c in enumerate(value):
        chars += 1
        nxt = value[i + 1] if i + 1 < n else ""
        if c == " ":
            if api == 0 and wrap > 0 and chars >= wrap and depth <= 0 and nxt != "|":
                out.append("\n\t")
                chars = 0
            elif chars > 1:
                out.append(" ")
        elif c == "|":
            out.append("|")
            if api == 0 and wrap > 0 and depth <= 0:
                out.append("\n\t")
                chars = 0
        elif c in "[<":
            depth += 1
            out.append(c)
        elif c in "]>":
            depth -= 1
            out.append(c)
        elif c in "\n\t":
            if chars > 1 and nxt not in ("\n", "\t", " "):
                out.append(" ")
        else:
            out.append(c)
    return "".join(out)


class OutputFormatter:
    """Collects a command's result for one of the three API modes."""

    def __init__(self, send: Callable[[str], Any], api: int = 0, compact: bool = False):
        self._send = send
        self.api = api
        self.compact = compact
        self._plain: list[str] = []
        self._reset_json()
        self.limit: int | None = None
        self.offset: int | None = None
        self.num_rows_filtered = 0
        self.has_filters = False

    # -- state -------------------------------------------------------------
    def _reset_json(self) -> None:
        self.result: dict = {}
        self._stack: list = [self.result]
        self.messages: dict[str, list[str]] = {}

    def set_mode(self, api: int) -> None:
        self.api = api

    @property
    def json(self) -> bool:
        return self.api == API_MODE_JSON

    # -- text --------------------------------------------------------------
    def decoration(self, text: str) -> None:
        """Text only shown to humans (API mode 0)."""
        if self.api == API_MODE_OFF:
            self._plain.append(text)

    def text(self, text: str) -> None:
        """Buffered text for modes 0 and 1 (dropped in JSON mode)."""
        if not self.json:
            self._plain.append(text)

    def flush(self) -> None:
        if self._plain:
            data = "".join(self._plain)
            self._plain = []
            if data:
                self._send(data)

    send_buffer = flush

    def message(self, mtype: str | None, text: str) -> None:
        """A message: sent at once in text modes, collected by type in JSON."""
        if self.json:
            if mtype is not None:  # untyped ("normal") messages are dropped
                self.messages.setdefault(mtype, []).append(text)
        else:
            self._send(text)

    # -- structure ---------------------------------------------------------
    def object_start(self, name: str | None = None, fmt: str | None = None,
                     case_sensitive: bool = False) -> None:
        if self.json:
            cur = self._stack[-1]
            if name is None:
                if isinstance(cur, list):
                    new: dict = {}
                    cur.append(new)
                    self._stack.append(new)
                else:
                    self._stack.append(cur)
                return
            key = name if case_sensitive else name.lower()
            if isinstance(cur, dict):
                existing = cur.get(key)
                if isinstance(existing, dict):
                    self._stack.append(existing)
                    return
                new = {}
                cur[key] = new
                self._stack.append(new)
            else:
                new = {}
                cur.append(new)
                self._stack.append(new)
        elif fmt:
            self._plain.append(_fmt(fmt, name))

    def object_end(self, name: str | None = None, fmt: str | None = None) -> None:
        if self.json:
            if len(self._stack) > 1:
                self._stack.pop()
        else:
            if fmt:
                self._plain.append(_fmt(fmt, name))
            self.flush()

    def array_start(self, name: str, fmt: str | None = None) -> None:
        if self.json:
            cur = self._stack[-1]
            new: list = []
            if isinstance(cur, dict):
                cur[name.lower()] = new
            else:
                cur.append(new)
            self._stack.append(new)
        elif fmt:
            self._plain.append(_fmt(fmt, name))

    def array_end(self, name: str | None = None, fmt: str | None = None) -> None:
        if self.json:
            if len(self._stack) > 1:
                self._stack.pop()
        elif fmt:
            self._plain.append(_fmt(fmt, name))

    def array_item(self, value: Any, fmt: str | None = None) -> None:
        if self.json:
            cur = self._stack[-1]
            if isinstance(cur, list):
                cur.append(value)
        elif fmt:
            self._plain.append(_fmt(fmt, value))

    def kv(self, key: str, value: Any, fmt: str | None = None, *,
           key_fmt: str | None = None, wrap: int | None = None) -> None:
        """One key/value pair.  ``fmt`` formats the value in text modes."""
        if isinstance(value, str) and wrap is not None:
            value = rewrap(value, wrap, self.api)
        if self.json:
            cur = self._stack[-1]
            if isinstance(cur, dict):
                cur[key.lower()] = value
        else:
            if key_fmt:
                self._plain.append(_fmt(key_fmt, key))
            if fmt:
                self._plain.append(_fmt(fmt, value))

    def set_result(self, key: str, value: Any) -> None:
        """Put a ready-made JSON value into the current object (JSON mode only)."""
        if self.json:
            cur = self._stack[-1]
            if isinstance(cur, dict):
                cur[key] = value

    # -- filters (list commands) --------------------------------------------
    def add_limit(self, limit: int | None, offset: int | None) -> None:
        self.has_filters = limit is not None or offset is not None
        self.limit = limit
        self.offset = offset

    # -- end of command ----------------------------------------------------
    def finalize(self, ok: bool) -> None:
        if self.json:
            self._send(self.render_json(ok))
            self._reset_json()
        else:
            self.flush()
        self.limit = self.offset = None
        self.has_filters = False
        self.num_rows_filtered = 0

    def render_json(self, ok: bool) -> str:
        doc: dict = {"jsonrpc": "2.0", "id": None}
        if not ok or MSG_TYPE_ERROR in self.messages:
            doc["error"] = {
                "code": 1,
                "message": "failed",
                "data": {"result": self.result, "messages": self.messages},
            }
        else:
            if self.has_filters:
                rng: dict = {}
                if self.limit is not None:
                    rng["limit"] = self.limit
                if self.offset is not None:
                    rng["offset"] = self.offset
                rng["filtered"] = self.num_rows_filtered
                self.result["meta"] = {"range": rng}
            doc["result"] = self.result
        return dumps(doc, self.compact)


def dumps(doc: Any, compact: bool) -> str:
    """JSON text as the Director prints it (jansson's compact or 2-space indent)."""
    if compact:
        return json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
    return json.dumps(doc, ensure_ascii=False, indent=2)
