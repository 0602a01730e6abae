"""``bsscanf``: the scanf dialect Bareos daemons parse protocol lines with
(Bareos's ``lib/scan.cc``), shared by the File and Storage Daemons.

* literal characters must match exactly; white space in the format matches
  zero or more white-space characters of the input;
* ``%s`` copies non-space characters (a width, ``%127s``, is the most it
  takes; the rest stays in the input); it stops at a NUL as a C string does;
* ``%d`` reads an optional ``-`` and digits, ``%u`` digits only (no digits
  gives 0); ``h``, ``l``, ``ll`` and ``q`` size prefixes are accepted;
  ``%c`` reads one character;
* input after the end of the format is ignored (prefix match);
* the result is the list of converted values up to the first mismatch, so
  callers check its length as Bareos checks the returned count.
"""

from __future__ import annotations

__all__ = ["bsscanf"]


def bsscanf(text: str, fmt: str) -> list:
    out: list = []
    i = 0           # position in text
    f = 0           # position in fmt
    n, fl = len(text), len(fmt)
    while f < fl:
        c = fmt[f]
        if c == "%":
            f += 1
            width = 0
            while f < fl and fmt[f].isdigit():
                width = width * 10 + int(fmt[f])
                f += 1
            while f < fl and fmt[f] in "lhq":
                f += 1
            if f >= fl:
                break
            conv = fmt[f]
            f += 1
            if conv == "%":
                if i < n and text[i] == "%":
                    i += 1
                    continue
                break
            if conv in "du":
                neg = False
                if conv == "d" and i < n and text[i] == "-":
                    neg = True
                    i += 1
                start = i
                while i < n and text[i].isdigit():
                    i += 1
                v = int(text[start:i]) if i > start else 0
                out.append(-v if neg else v)
            elif conv == "s":
                start = i
                while (i < n and not text[i].isspace() and text[i] != "\0"
                       and (not width or i - start < width)):
                    i += 1
                out.append(text[start:i])
            elif conv == "c":
                if i >= n:
                    break
                out.append(text[i])
                i += 1
            else:
                break
        elif c.isspace():
            f += 1
            while i < n and text[i].isspace():
                i += 1
        else:
            if i >= n or text[i] != c:
                break
            i += 1
            f += 1
    return out
