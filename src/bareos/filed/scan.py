"""``bsscanf``: the scanf dialect Bareos daemons parse protocol lines with.

* literal characters must match exactly; white space in the format matches
  zero or more white-space characters of the input;
* ``%s`` (optionally with a width, ``%127s``) copies zero or more
  non-space characters; ``%d``/``%u``/``%ld``/``%lld`` read an optional sign
  and zero or more digits (no digits gives 0); ``%c`` one character;
* input after the end of the format is ignored (prefix match);
* the result is the list of converted values up to the first mismatch, so
  callers check its length as Bareos checks the returned count.
"""

from __future__ import annotations

import re

_CONV = re.compile(r"%(\d*)(l{0,2})([sduc%])")


def bsscanf(text: str, fmt: str) -> list:
    values: list = []
    i = 0           # position in text
    j = 0           # position in fmt
    n, m = len(text), len(fmt)
    while j < m:
        f = fmt[j]
        if f == "%":
            mo = _CONV.match(fmt, j)
            if mo is None:
                return values
            width = int(mo.group(1)) if mo.group(1) else None
            conv = mo.group(3)
            j = mo.end()
            if conv == "%":
                if i < n and text[i] == "%":
                    i += 1
                    continue
                return values
            if conv == "s":
                start = i
                while i < n and not text[i].isspace() and (width is None or i - start < width):
                    i += 1
                values.append(text[start:i])
            elif conv in "du":
                start = i
                if i < n and text[i] in "+-":
                    i += 1
                while i < n and text[i].isdigit():
                    i += 1
                digits = text[start:i]
                try:
                    values.append(int(digits) if digits not in ("", "+", "-") else 0)
                except ValueError:
                    values.append(0)
            elif conv == "c":
                if i >= n:
                    return values
                values.append(text[i])
                i += 1
        elif f.isspace():
            while i < n and text[i].isspace():
                i += 1
            j += 1
        else:
            if i < n and text[i] == f:
                i += 1
                j += 1
            else:
                return values
    return values
