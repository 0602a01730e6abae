"""Bareos's ``where``-rewriting regular expressions (``lib/breg.cc``): the
``regexwhere`` the Director builds from strip/add prefix/suffix, and the
``<sep>from<sep>to<sep>flags`` expressions the File Daemon applies to the
names of restored files.  Pure functions.
"""

from __future__ import annotations

import re

__all__ = ["BregexpError", "Bregexp", "parse_bregexps", "apply_bregexps", "build_regexwhere"]


class BregexpError(ValueError):
    pass


class Bregexp:
    """One ``<sep>from<sep>to<sep>flags`` expression (Bareos's BareosRegex)."""

    SEPARATORS = "!:;|,&%=~/#"

    def __init__(self, pattern: re.Pattern, subst: str) -> None:
        self.pattern = pattern
        self.subst = subst

    def replace(self, fname: str) -> tuple[str, bool]:
        m = self.pattern.search(fname)
        if m is None:
            return fname, False
        out = []
        s = self.subst
        i = 0
        while i < len(s):
            c = s[i]
            if c in "$\\" and i + 1 < len(s) and s[i + 1].isdigit():
                no = int(s[i + 1])
                try:
                    grp = m.group(no)
                except IndexError:
                    grp = None
                if grp is not None:
                    out.append(grp)
                i += 2
            else:
                out.append(c)
                i += 1
        return fname[:m.start()] + "".join(out) + fname[m.end():], True


def parse_bregexps(where: str) -> list[Bregexp]:
    """``!from!to!flags,!from2!to2!`` -> expressions; raises BregexpError."""
    out = []
    p = 0
    n = len(where)
    while p < n:
        sep = where[p]
        if sep not in Bregexp.SEPARATORS:
            break
        i = p + 1
        parts: list[str] = []
        cur: list[str] = []
        while i < n and len(parts) < 2:
            c = where[i]
            if c == "\\" and i + 1 < n and where[i + 1] in (sep, "\\"):
                cur.append(where[i + 1])
                i += 2
            elif c == sep:
                parts.append("".join(cur))
                cur = []
                i += 1
            else:
                cur.append(c)
                i += 1
        if len(parts) < 2:
            raise BregexpError(f"Bad where regexp. where={where}")
        flags = 0
        while i < n:
            c = where[i]
            i += 1
            if c == "i":
                flags |= re.IGNORECASE
            elif c in ("g", sep):
                continue
            else:
                break
        try:
            rx = re.compile(parts[0], flags | re.MULTILINE)
        except re.error as exc:
            raise BregexpError(f"Bad where regexp. where={where} ({exc})") from None
        out.append(Bregexp(rx, parts[1]))
        p = i
    if not out:
        raise BregexpError(f"Bad where regexp. where={where}")
    return out


def apply_bregexps(fname: str, exprs: list[Bregexp]) -> str:
    for e in exprs:
        fname, _ = e.replace(fname)
    return fname


def build_regexwhere(strip_prefix: str | None = None, add_prefix: str | None = None,
                     add_suffix: str | None = None) -> str:
    """What the Director sends for strip/add prefix/suffix (for tests and tools)."""

    def esc(s: str) -> str:
        return s.replace("\\", "\\\\").replace("!", "\\!")

    parts = []
    if strip_prefix:
        parts.append(f"!{esc(strip_prefix)}!!i")
    if add_suffix:
        parts.append(f"!([^/])$!$1{esc(add_suffix)}!")
    if add_prefix:
        parts.append(f"!^!{esc(add_prefix)}!")
    return ",".join(parts)
