"""The FileSet as the Director sends it to the File Daemon, parsed (sans-I/O).

The Director sends one message per item after ``fileset``::

    I / E            start an Include / Exclude block
    O <letters>      options (letters below), starts an Options block
    R/RD/RF <re>     regex / regex dir / regex file      (Options block)
    W/WD/WF/WB <w>   wild / wild dir / wild file / wild base
    X <fstype>  XD <drivetype>   G <plugin>   D/T (legacy)
    Z <dirname>      Exclude Dir Containing
    F <path>         a file or directory (``|cmd`` and ``<file`` expanded here)
    P <plugin>       a plugin command
    N                end of the current list

:class:`FileSetParser` follows Bareos's state machine (``AddFileset``): an
Options block starts with the first option item after a non-option item;
``N`` ends it.  ``|command`` and ``<file`` entries are expanded through the
*expand* callback given to the parser so that this module stays free of I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable, Iterable

from bareos.lib import compression as comp

# Option flags (Bareos's FO_* bits), as names.
FO_PORTABLE = "PORTABLE"
FO_MTIMEONLY = "MTIMEONLY"
FO_KEEPATIME = "KEEPATIME"
FO_EXCLUDE = "EXCLUDE"
FO_ACL = "ACL"
FO_NO_HARDLINK = "NO_HARDLINK"
FO_IGNORECASE = "IGNORECASE"
FO_HFSPLUS = "HFSPLUS"
FO_SHA1 = "SHA1"
FO_SHA256 = "SHA256"
FO_SHA512 = "SHA512"
FO_XXH128 = "XXH128"
FO_MD5 = "MD5"
FO_ENCRYPT = "ENCRYPT"
FO_FORCE_ENCRYPT = "FORCE_ENCRYPT"
FO_NOATIME = "NOATIME"
FO_ENHANCEDWILD = "ENHANCEDWILD"
FO_CHKCHANGES = "CHKCHANGES"
FO_STRIPPATH = "STRIPPATH"
FO_HONOR_NODUMP = "HONOR_NODUMP"
FO_XATTR = "XATTR"
FO_MULTIFS = "MULTIFS"
FO_NO_RECURSION = "NO_RECURSION"
FO_SPARSE = "SPARSE"
FO_IF_NEWER = "IF_NEWER"
FO_NOREPLACE = "NOREPLACE"
FO_READFIFO = "READFIFO"
FO_NO_AUTOEXCL = "NO_AUTOEXCL"
FO_COMPRESS = "COMPRESS"
FO_OFFSETS = "OFFSETS"

_SIMPLE_LETTERS = {
    "A": FO_ACL, "c": FO_CHKCHANGES, "e": FO_EXCLUDE, "f": FO_MULTIFS, "H": FO_NO_HARDLINK,
    "h": FO_NO_RECURSION, "i": FO_IGNORECASE, "K": FO_NOATIME, "k": FO_KEEPATIME,
    "M": FO_MD5, "m": FO_MTIMEONLY, "N": FO_HONOR_NODUMP, "n": FO_NOREPLACE,
    "p": FO_PORTABLE, "R": FO_HFSPLUS, "r": FO_READFIFO, "s": FO_SPARSE,
    "W": FO_ENHANCEDWILD, "w": FO_IF_NEWER, "x": FO_NO_AUTOEXCL, "X": FO_XATTR,
}

_CIPHERS = {"3": "3des", "a1": "aes128", "a2": "aes192", "a3": "aes256", "b": "blowfish",
            "c1": "camellia128", "c2": "camellia192", "c3": "camellia256",
            "h1": "aes128hmacsha1", "h2": "aes256hmacsha1"}


class FileSetError(ValueError):
    """An item of the FileSet the FD cannot use."""


@dataclass
class SizeMatch:
    """``z`` option: ``<N``, ``>N``, ``N-M`` or ``N`` (approximately N)."""

    kind: str
    begin: int
    end: int = 0

    def matches(self, size: int) -> bool:
        if self.kind == "<":
            return size < self.begin
        if self.kind == ">":
            return size > self.begin
        if self.kind == "-":
            return self.begin <= size <= self.end
        return abs(size - self.begin) <= max(self.begin // 100, 0)


_SIZE_UNITS = {"": 1, "k": 1024, "kb": 1000, "m": 1024 ** 2, "mb": 1000 ** 2,
               "g": 1024 ** 3, "gb": 1000 ** 3, "t": 1024 ** 4, "tb": 1000 ** 4}


def _parse_size(text: str) -> int:
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*", text)
    if not m or m.group(2).lower() not in _SIZE_UNITS:
        raise FileSetError(f"Unparsable size option: {text}")
    return int(float(m.group(1)) * _SIZE_UNITS[m.group(2).lower()])


def parse_size_match(text: str) -> SizeMatch:
    text = text.strip()
    if text.startswith("<"):
        return SizeMatch("<", _parse_size(text[1:]))
    if text.startswith(">"):
        return SizeMatch(">", _parse_size(text[1:]))
    if "-" in text:
        a, b = text.split("-", 1)
        return SizeMatch("-", _parse_size(a), _parse_size(b))
    return SizeMatch("~", _parse_size(text))


@dataclass
class FindOptions:
    """One Options block (Bareos's ``findFOPTS``)."""

    flags: set = field(default_factory=set)
    compress_algo: int = 0
    compress_level: int = 0
    strip_path: int = 0
    cipher: str | None = None
    shadow_type: int = 0
    accurate_opts: str = ""
    verify_opts: str = ""
    basejob_opts: str = ""
    size_match: SizeMatch | None = None
    plugin: str | None = None
    regex: list = field(default_factory=list)
    regexdir: list = field(default_factory=list)
    regexfile: list = field(default_factory=list)
    wild: list = field(default_factory=list)
    wilddir: list = field(default_factory=list)
    wildfile: list = field(default_factory=list)
    wildbase: list = field(default_factory=list)
    fstype: list = field(default_factory=list)
    drivetype: list = field(default_factory=list)
    letters: str = ""          # the option letters as received (for logs/tests)

    def has(self, flag: str) -> bool:
        return flag in self.flags

    @property
    def has_patterns(self) -> bool:
        return bool(self.regex or self.regexdir or self.regexfile or self.wild
                    or self.wilddir or self.wildfile or self.wildbase)

    @property
    def digest_stream(self) -> int:
        """The digest stream this block asks for (0 for none), Bareos's precedence."""
        from bareos.lib import streams as s
        for flag, stream in ((FO_MD5, s.STREAM_MD5_DIGEST), (FO_SHA1, s.STREAM_SHA1_DIGEST),
                             (FO_SHA256, s.STREAM_SHA256_DIGEST),
                             (FO_SHA512, s.STREAM_SHA512_DIGEST),
                             (FO_XXH128, s.STREAM_XXH128_DIGEST)):
            if flag in self.flags:
                return stream
        return 0


def _take_until_colon(opts: str, i: int) -> tuple[str, int]:
    """Characters from *i* to the next ':' (exclusive); returns (text, index of ':' or end)."""
    j = opts.find(":", i)
    if j < 0:
        return opts[i:], len(opts)
    return opts[i:j], j


def parse_option_letters(opts: str, fo: FindOptions | None = None) -> FindOptions:
    """Apply the letters of an ``O`` item to *fo* (``SetOptionsAndFlags``).

    Unknown letters are ignored (Bareos logs them); the result keeps the raw
    letters in ``fo.letters``.
    """
    fo = fo or FindOptions()
    fo.letters += opts
    i = 0
    n = len(opts)
    while i < n:
        ch = opts[i]
        nxt = opts[i + 1] if i + 1 < n else ""
        if ch in _SIMPLE_LETTERS:
            fo.flags.add(_SIMPLE_LETTERS[ch])
        elif ch in "a0":
            pass
        elif ch == "C":
            text, i = _take_until_colon(opts, i)
            fo.accurate_opts = text
        elif ch == "V":
            text, i = _take_until_colon(opts, i)
            fo.verify_opts = text
        elif ch == "J":
            text, i = _take_until_colon(opts, i)
            fo.basejob_opts = text
        elif ch == "d":
            if nxt in "1234" and nxt:
                fo.shadow_type = int(nxt)
                i += 1
        elif ch == "E":
            if nxt == "f":
                fo.flags.add(FO_FORCE_ENCRYPT)
                i += 1
            elif nxt in ("3", "b"):
                fo.cipher = _CIPHERS[nxt]
                i += 1
            elif nxt in ("a", "c", "h") and i + 2 < n and opts[i + 2] in "123":
                key = nxt + opts[i + 2]
                if key in _CIPHERS:
                    fo.cipher = _CIPHERS[key]
                i += 2
        elif ch == "P":
            text, i = _take_until_colon(opts, i + 1)
            try:
                fo.strip_path = int(re.match(r"\s*-?\d*", text).group() or 0)
            except ValueError:
                fo.strip_path = 0
            fo.flags.add(FO_STRIPPATH)
        elif ch == "S":
            if nxt == "1":
                fo.flags.add(FO_SHA1)
                i += 1
            elif nxt == "2":
                fo.flags.add(FO_SHA256)
                i += 1
            elif nxt == "3":
                fo.flags.add(FO_SHA512)
                i += 1
            elif nxt == "4":
                fo.flags.add(FO_XXH128)
                i += 1
            else:
                fo.flags.add(FO_SHA1)
        elif ch == "Z":
            i += 1
            c = opts[i] if i < n else ""
            if c.isdigit() and c:
                fo.flags.add(FO_COMPRESS)
                fo.compress_algo = comp.COMPRESS_GZIP
                fo.compress_level = int(c)
            elif c == "o":
                fo.flags.add(FO_COMPRESS)
                fo.compress_algo = comp.COMPRESS_LZO1X
                fo.compress_level = 1
            elif c == "f":
                i += 1
                c2 = opts[i] if i < n else ""
                algo = {"f": comp.COMPRESS_FZFZ, "4": comp.COMPRESS_FZ4L,
                        "h": comp.COMPRESS_FZ4H}.get(c2)
                if algo is not None:
                    fo.flags.add(FO_COMPRESS)
                    fo.compress_algo = algo
                    fo.compress_level = 1
                elif not c2:
                    i -= 1
            elif not c:
                i -= 1
        elif ch == "z":
            text, i = _take_until_colon(opts, i + 1)
            fo.size_match = parse_size_match(text)
        # anything else: unknown letter, ignored as Bareos does (after a log line)
        i += 1
    return fo


@dataclass
class IncludeExclude:
    """An Include or Exclude block (``findIncludeExcludeItem``)."""

    opts_list: list = field(default_factory=list)
    name_list: list = field(default_factory=list)
    plugin_list: list = field(default_factory=list)
    ignoredir: list = field(default_factory=list)
    current_opts: FindOptions | None = None


@dataclass
class FileSet:
    include_list: list = field(default_factory=list)
    exclude_list: list = field(default_factory=list)

    def file_names(self) -> list[str]:
        return [n for inc in self.include_list for n in inc.name_list]


STATE_NONE, STATE_OPTIONS, STATE_INCLUDE, STATE_ERROR = range(4)

Expander = Callable[[str], Iterable[str]]


def strip_trailing_junk(text: str) -> str:
    """Bareos's StripTrailingJunk: drop trailing newlines and white space."""
    return text.rstrip(" \t\r\n\v\f")


class FileSetParser:
    """Feed the items of a ``fileset`` command; ``result()`` gives the FileSet.

    *expand_command(cmd)* runs ``|cmd`` and returns its output lines;
    *expand_file(path)* reads ``<file`` and returns its lines.  Both may raise
    ``OSError``/``FileSetError``; the error is collected in :attr:`errors`
    (Bareos makes each a fatal job message) and parsing continues.
    """

    def __init__(self, expand_command: Expander | None = None,
                 expand_file: Expander | None = None) -> None:
        self.fileset = FileSet()
        self.incexe: IncludeExclude | None = None
        self.state = STATE_NONE
        self.errors: list[str] = []
        self.expand_command = expand_command
        self.expand_file = expand_file

    # -- helpers -----------------------------------------------------------
    def _incexe(self) -> IncludeExclude:
        if self.incexe is None:  # items before any I/E: behave as an include
            self.incexe = IncludeExclude()
            self.fileset.include_list.append(self.incexe)
        return self.incexe

    def _start_options(self) -> FindOptions:
        inc = self._incexe()
        if self.state != STATE_OPTIONS or inc.current_opts is None:
            self.state = STATE_OPTIONS
            fo = FindOptions()
            inc.current_opts = fo
            inc.opts_list.append(fo)
        return inc.current_opts

    def _add_files(self, item: str, is_file: bool) -> None:
        inc = self._incexe()
        target = inc.name_list if is_file else inc.plugin_list

        def append(name: str) -> None:
            if is_file and not name:
                return
            target.append(name)

        if item.startswith("|"):
            if self.expand_command is None:
                self.errors.append(f"Cannot run program: {item[1:]}. ERR=not allowed here")
                return
            try:
                for line in self.expand_command(item[1:]):
                    append(strip_trailing_junk(line))
            except (OSError, FileSetError) as exc:
                self.errors.append(str(exc))
        elif item.startswith("<"):
            if self.expand_file is None:
                self.errors.append(f"Cannot open FileSet input file: {item[1:]}. ERR=not allowed here")
                return
            try:
                for line in self.expand_file(item[1:]):
                    append(strip_trailing_junk(line))
            except (OSError, FileSetError) as exc:
                self.errors.append(str(exc))
        else:
            append(item)

    # -- the state machine -------------------------------------------------
    def add(self, raw: str) -> None:
        """One item as received (``AddFileset``)."""
        item = strip_trailing_junk(raw)
        code = item[:1]
        rest = item[1:]
        subcode = " "
        if rest and rest[0] != " ":
            subcode = rest[0]
            rest = rest[1:]
        if rest.startswith(" "):
            rest = rest[1:]
        if self.state == STATE_ERROR:
            return
        state = STATE_ERROR if subcode != " " else self.state
        if code == "I":
            self.incexe = IncludeExclude()
            self.fileset.include_list.append(self.incexe)
        elif code == "E":
            self.incexe = IncludeExclude()
            self.fileset.exclude_list.append(self.incexe)
        elif code == "N":
            state = STATE_NONE
        elif code == "F":
            state = STATE_INCLUDE
            self._add_files(rest, True)
        elif code == "P":
            state = STATE_INCLUDE
            self._add_files(rest, False)
        elif code == "R":
            fo = self._start_options()
            try:
                flags = re.IGNORECASE if FO_IGNORECASE in fo.flags else 0
                rx = re.compile(posix_ere_to_python(rest), flags)
            except re.error as exc:
                self.errors.append(f"REGEX {rest} compile error. ERR={exc}")
                self.state = STATE_ERROR
                return
            state = STATE_OPTIONS
            if subcode == " ":
                fo.regex.append(rx)
            elif subcode == "D":
                fo.regexdir.append(rx)
            elif subcode == "F":
                fo.regexfile.append(rx)
            else:
                state = STATE_ERROR
        elif code == "X":
            fo = self._start_options()
            state = STATE_OPTIONS
            if subcode == " ":
                fo.fstype.append(rest)
            elif subcode == "D":
                fo.drivetype.append(rest)
            else:
                state = STATE_ERROR
        elif code == "W":
            fo = self._start_options()
            state = STATE_OPTIONS
            lists = {" ": fo.wild, "D": fo.wilddir, "F": fo.wildfile, "B": fo.wildbase}
            if subcode in lists:
                lists[subcode].append(rest)
            else:
                state = STATE_ERROR
        elif code == "O":
            fo = self._start_options()
            state = STATE_OPTIONS
            parse_option_letters(rest, fo)
        elif code == "Z":
            state = STATE_INCLUDE
            self._incexe().ignoredir.append(rest)
        elif code in ("D", "T"):
            self._start_options()
            state = STATE_OPTIONS
        elif code == "G":
            fo = self._start_options()
            fo.plugin = rest
            state = STATE_OPTIONS
        else:
            self.errors.append(f"Invalid FileSet command: {rest}")
            state = STATE_ERROR
        self.state = state

    def result(self) -> FileSet:
        if self.state == STATE_ERROR and not self.errors:
            self.errors.append("FileSet definition could not be parsed")
        return self.fileset

    @property
    def ok(self) -> bool:
        return self.state != STATE_ERROR


def parse_fileset(items: Iterable[str], **kw) -> FileSet:
    """Parse a whole list of items (tests and estimates); raises FileSetError on errors."""
    p = FileSetParser(**kw)
    for it in items:
        p.add(it)
    fs = p.result()
    if p.errors:
        raise FileSetError("; ".join(p.errors))
    return fs


# --------------------------------------------------------------------------
# POSIX extended regular expressions -> Python
# --------------------------------------------------------------------------

_CLASSES = {
    "alpha": "a-zA-Z", "digit": "0-9", "alnum": "a-zA-Z0-9", "upper": "A-Z", "lower": "a-z",
    "space": r" \t\n\r\f\v", "blank": r" \t", "punct": r"!-/:-@\[-`{-~", "xdigit": "0-9A-Fa-f",
    "cntrl": r"\x00-\x1f\x7f", "print": r"\x20-\x7e", "graph": r"\x21-\x7e",
}


def posix_ere_to_python(expr: str) -> str:
    """Translate the POSIX bracket classes (``[[:digit:]]``) of an ERE; the
    rest of ERE syntax means the same in Python's ``re`` for practical use."""
    if "[:" not in expr:
        return expr
    return re.sub(r"\[:([a-z]+):\]", lambda m: _CLASSES.get(m.group(1), m.group(0)), expr)
