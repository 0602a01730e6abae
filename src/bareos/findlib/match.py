"""Which files of a walk a FileSet accepts (Bareos's ``AcceptFile``), and C
``fnmatch(3)`` semantics for the wild-card patterns.

Pure functions: names and stat mode bits in, decisions out.
"""

from __future__ import annotations

import functools
import re
import stat as _stat

from .fileset import FO_ENHANCEDWILD, FO_EXCLUDE, FO_IGNORECASE, FileSet, FindOptions, IncludeExclude

__all__ = ["fnmatch", "translate", "accept_file", "default_options"]

_POSIX_CLASSES = {
    "alpha": "a-zA-Z", "digit": "0-9", "alnum": "a-zA-Z0-9", "upper": "A-Z", "lower": "a-z",
    "space": r" \t\n\r\f\v", "blank": r" \t", "punct": r"!-/:-@\[-`{-~", "xdigit": "0-9A-Fa-f",
    "cntrl": r"\x00-\x1f\x7f", "print": r"\x20-\x7e", "graph": r"\x21-\x7e",
}


@functools.lru_cache(maxsize=4096)
def translate(pattern: str, pathname: bool = False, casefold: bool = False,
              leading_dir: bool = False) -> re.Pattern:
    """Compile a C fnmatch pattern (no FNM_PERIOD; backslash escapes);
    ``leading_dir`` (FNM_LEADING_DIR) lets it match a leading directory."""
    any_char = "[^/]" if pathname else "(?s:.)"
    i, n = 0, len(pattern)
    out = []
    while i < n:
        c = pattern[i]
        i += 1
        if c == "*":
            out.append(any_char + "*")
        elif c == "?":
            out.append(any_char)
        elif c == "\\" and i < n:
            out.append(re.escape(pattern[i]))
            i += 1
        elif c == "[":
            j = i
            negate = False
            if j < n and pattern[j] in "!^":
                negate = True
                j += 1
            parts = []
            first = True
            closed = False
            while j < n:
                ch = pattern[j]
                if ch == "]" and not first:
                    closed = True
                    j += 1
                    break
                first = False
                if ch == "[" and j + 1 < n and pattern[j + 1] == ":":
                    end = pattern.find(":]", j + 2)
                    if end > 0 and pattern[j + 2:end] in _POSIX_CLASSES:
                        parts.append(_POSIX_CLASSES[pattern[j + 2:end]])
                        j = end + 2
                        continue
                if ch == "\\" and j + 1 < n:
                    j += 1
                    ch = pattern[j]
                if j + 2 < n and pattern[j + 1] == "-" and pattern[j + 2] != "]":
                    hi = pattern[j + 2]
                    if hi == "\\" and j + 3 < n:
                        hi = pattern[j + 3]
                        j += 1
                    if ch <= hi:          # a reversed range matches nothing
                        parts.append(re.escape(ch) + "-" + re.escape(hi))
                    j += 3
                else:
                    parts.append(re.escape(ch))
                    j += 1
            if not closed:
                out.append(re.escape("["))
                continue
            body = "".join(parts)
            if not body:
                out.append(any_char if negate else "(?!)")
            elif pathname:
                out.append(f"(?![/])[{'^' if negate else ''}{body}]")
            else:
                out.append(f"[{'^' if negate else ''}{body}]")
            i = j
        else:
            out.append(re.escape(c))
    flags = re.IGNORECASE if casefold else 0
    tail = "(?:/.*)?" if leading_dir else ""
    return re.compile("".join(out) + tail + r"\Z", flags | re.DOTALL)


def fnmatch(pattern: str, name: str, pathname: bool = False, casefold: bool = False) -> bool:
    """True when *name* matches *pattern* as C ``fnmatch(pattern, name, flags) == 0``."""
    return translate(pattern, pathname, casefold).match(name) is not None


def default_options(incexe: IncludeExclude) -> FindOptions:
    """The options in force before AcceptFile runs: the last Options block's
    (Bareos copies each block's flags in turn), or empty options."""
    if incexe.opts_list:
        return incexe.opts_list[-1]
    return FindOptions()


def accept_file(fileset: FileSet, incexe: IncludeExclude, fname: str,
                mode: int, default: FindOptions | None = None) -> tuple[bool, FindOptions]:
    """Bareos's AcceptFile for a file below a top-level entry.

    Returns (accepted, options in force for this file).  The options are the
    block whose pattern matched, else the last block of the Include.
    """
    is_dir = _stat.S_ISDIR(mode)
    current = default_options(incexe) if incexe.opts_list or default is None else default
    for fo in incexe.opts_list:
        current = fo
        flags = fo.flags
        exclude = FO_EXCLUDE in flags
        casefold = FO_IGNORECASE in flags
        enhanced = FO_ENHANCEDWILD in flags
        if enhanced:
            slash = fname.rfind("/")
            basename = fname[slash + 1:] if slash >= 0 else fname
        else:
            basename = fname
        if is_dir:
            for w in fo.wilddir:
                if fnmatch(w, fname, enhanced, casefold):
                    return (not exclude), fo
        else:
            for w in fo.wildfile:
                if fnmatch(w, fname, enhanced, casefold):
                    return (not exclude), fo
            for w in fo.wildbase:
                if fnmatch(w, basename, enhanced, casefold):
                    return (not exclude), fo
        for w in fo.wild:
            if fnmatch(w, fname, enhanced, casefold):
                return (not exclude), fo
        if is_dir:
            for rx in fo.regexdir:
                if rx.search(fname):
                    return (not exclude), fo
        else:
            for rx in fo.regexfile:
                if rx.search(fname):
                    return (not exclude), fo
        for rx in fo.regex:
            if rx.search(fname):
                return (not exclude), fo
        if exclude and not fo.has_patterns:
            return False, fo
    for exc in fileset.exclude_list:
        for fo in exc.opts_list:
            cf = FO_IGNORECASE in fo.flags
            for w in fo.wild:
                if fnmatch(w, fname, False, cf):
                    return False, current
        cf = exc.current_opts is not None and FO_IGNORECASE in exc.current_opts.flags
        for name in exc.name_list:
            if fnmatch(name, fname, False, cf):
                return False, current
    return True, current
