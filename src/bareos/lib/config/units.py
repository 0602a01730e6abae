"""Sizes, speeds and durations with Bareos's units.

Durations: a number followed by a modifier that is a prefix of one of
``n seconds months minutes mins hours days weeks quarters years`` (first
match wins, so ``m`` is months and ``min`` minutes; ``n`` is minutes).
Several number/modifier pairs add up (``1 day 2 hours``).

Sizes: ``k m g t p e`` are powers of 1024, ``kb mb gb ...`` powers of 1000.
"""

from __future__ import annotations

import re

_DURATION_MODS = [
    ("n", 60), ("seconds", 1), ("months", 60 * 60 * 24 * 30), ("minutes", 60),
    ("mins", 60), ("hours", 3600), ("days", 3600 * 24), ("weeks", 3600 * 24 * 7),
    ("quarters", 3600 * 24 * 91), ("years", 3600 * 24 * 365),
]
_SIZE_MODS = [
    ("*", 1), ("k", 1024), ("kb", 1000), ("m", 1048576), ("mb", 1000000),
    ("g", 1073741824), ("gb", 1000000000), ("t", 1099511627776),
    ("tb", 1000000000000), ("p", 1125899906842624), ("pb", 1000000000000000),
    ("e", 1152921504606846976), ("eb", 1000000000000000000),
]
_SPEED_MODS = [("*", 1), ("k/s", 1024), ("kb/s", 1000), ("m/s", 1048576),
               ("mb/s", 1000000)]

_NUMBER = re.compile(r"[ \t\n\r\f\v]*([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)")
_JUNK = set("\n\r ")


def _parse(text: str, mods) -> int | None:
    total = 0
    pos = 0
    n = len(text)
    while pos < n:
        m = _NUMBER.match(text, pos)
        if not m:
            break
        number = float(m.group(1))
        p = m.end()
        while p < n and text[p] in " \t\n\r\f\v":
            p += 1
        q = p
        while q < n and not (text[q].isdigit() or text[q] in " \t\n\r\f\v"):
            q += 1
        mod = text[p:q].lower()
        if not mod:
            total += int(number)
        else:
            for name, mult in mods:
                if name.startswith(mod):
                    total += int(number * mult)
                    break
            else:
                break
        pos = q
    rest = text[pos:]
    if all(c in _JUNK for c in rest):
        return total
    return None


def parse_duration(text: str) -> int | None:
    """Seconds for a Bareos duration string, or None if it is not one."""
    return _parse(text, _DURATION_MODS)


def parse_size(text: str) -> int | None:
    """Bytes for a Bareos size string, or None."""
    return _parse(text, _SIZE_MODS)


def parse_speed(text: str) -> int | None:
    """Bytes per second for a Bareos speed string, or None."""
    return _parse(text, _SPEED_MODS)


_TIME_UNITS = [("years", 60 * 60 * 24 * 365), ("months", 60 * 60 * 24 * 30),
               ("weeks", 60 * 60 * 24 * 7), ("days", 60 * 60 * 24),
               ("hours", 3600), ("minutes", 60), ("seconds", 1)]


def format_duration(secs: int) -> str:
    """As ``show`` prints durations: ``1 months `` (note the trailing blank)."""
    if secs == 0:
        return "0"
    out = []
    for name, mult in _TIME_UNITS:
        factor, secs = divmod(secs, mult)
        if factor > 0:
            out.append("%d %s " % (factor, name))
        if secs == 0:
            break
    return "".join(out)


_SIZE_UNITS = [(" e", 1152921504606846976), (" p", 1125899906842624),
               (" t", 1099511627776), (" g", 1073741824), (" m", 1048576),
               (" k", 1024), ("", 1)]


def format_size(value: int) -> str:
    """As ``show`` prints sizes: ``1 g``, ``1 g 512 m``."""
    if value == 0:
        return "0"
    out = ""
    for suffix, mult in _SIZE_UNITS:
        if value <= 0:
            break
        factor, value = divmod(value, mult)
        if factor > 0:
            out += "%d%s" % (factor, suffix)
            if value > 0:
                out += " "
    return out
