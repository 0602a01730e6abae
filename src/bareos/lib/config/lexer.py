"""Character-level lexer for Bareos's configuration format.

It follows the states of Bareos's own scanner so that edge cases parse the
same way: identifiers are letters with embedded blanks dropped
(``Maximum Concurrent Jobs`` and ``MaximumConcurrentJobs`` give the same
token), a word that contains anything other than letters becomes an unquoted
string, quoted strings take backslash escapes, may span lines, and adjacent
quoted strings (on the same line or the next one) are joined.  ``@file``,
``@"file name"``, ``@|command`` and globbed includes push a new source on a
stack; a glob pushes its matches in sorted order, so they are read last
match first, exactly as Bareos does.
"""

from __future__ import annotations

import glob as _glob
import os
import subprocess
from dataclasses import dataclass, field

from .errors import ConfigError

# token kinds
T_NONE = "NONE"
T_EOF = "EOF"
T_EOL = "EOL"
T_NUMBER = "NUMBER"
T_IDENTIFIER = "IDENTIFIER"
T_UNQUOTED = "UNQUOTED_STRING"
T_QUOTED = "QUOTED_STRING"
T_BOB = "BOB"
T_EOB = "EOB"
T_EQUALS = "EQUALS"
T_COMMA = "COMMA"
T_UTF8_BOM = "UTF8_BOM"

# expectations
SKIP_EOL = "SKIP_EOL"
ALL = "ALL"
NAME = "NAME"
STRING = "STRING"

STRING_TOKENS = (T_IDENTIFIER, T_UNQUOTED, T_QUOTED)

L_EOF = -1
L_EOL = -2

MAX_NAME_LENGTH = 128

_SPACE = " \t\n\r\x0b\x0c"


def _isspace(c) -> bool:
    return isinstance(c, str) and c in _SPACE


def _isalpha(c) -> bool:
    return isinstance(c, str) and c.isascii() and c.isalpha()


def _isdigit(c) -> bool:
    return isinstance(c, str) and c.isascii() and c.isdigit()


@dataclass
class _Source:
    fname: str
    lines: list[str]
    index: int = 0  # next line to read
    line: str = ""
    line_no: int = 0
    col: int = 0
    ch: object = L_EOL
    is_pipe: bool = False


def _read_lines(text: str) -> list[str]:
    return text.splitlines(keepends=True)


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


@dataclass
class Lexer:
    """A stack of sources read as one stream of tokens."""

    sources: list[_Source] = field(default_factory=list)
    allow_includes: bool = True
    str: str = ""
    token: str = T_NONE
    begin_line_no: int = 0
    last_fname: str = ""
    last_line_no: int = 0
    files_read: list[str] = field(default_factory=list)
    force_string: bool = False

    # -- construction ---------------------------------------------------
    @classmethod
    def from_file(cls, path: str) -> "Lexer":
        lx = cls()
        if not lx._open(path, None, None):
            raise ConfigError(path, 0, None, "Cannot open config file \"%s\"" % path)
        return lx

    @classmethod
    def from_text(cls, text: str, fname: str = "<string>") -> "Lexer":
        lx = cls()
        lx._push(_Source(fname, _read_lines(text)))
        return lx

    def _push(self, src: _Source) -> None:
        self.sources.append(src)
        self.files_read.append(src.fname)

    def _open(self, name: str, err_fname, err_line) -> bool:
        """Open a file, a glob or a ``|command``; push onto the stack."""
        if name.startswith("|"):
            try:
                proc = subprocess.run(
                    name[1:], shell=True, stdout=subprocess.PIPE, check=False
                )
            except OSError:
                return False
            self._push(_Source(name, _read_lines(_decode(proc.stdout)), is_pipe=True))
            return True
        matches = sorted(_glob.glob(name))
        if not matches:
            if "*" in name or "?" in name:
                return True  # a wildcard without match is ignored
            if not os.path.exists(name):
                return False
            matches = [name]
        for m in matches:
            try:
                with open(m, "rb") as fh:
                    data = fh.read()
            except OSError:
                return False
            self._push(_Source(m, _read_lines(_decode(data))))
        return True

    # -- position ---------------------------------------------------------
    @property
    def cur(self) -> _Source | None:
        return self.sources[-1] if self.sources else None

    @property
    def fname(self) -> str:
        return self.cur.fname if self.cur else self.last_fname

    @property
    def line_no(self) -> int:
        return self.cur.line_no if self.cur else self.last_line_no

    @property
    def line(self) -> str:
        return self.cur.line.rstrip("\n") if self.cur else ""

    @property
    def ch(self):
        return self.cur.ch if self.cur else L_EOF

    def error(self, message: str, directive: str | None = None) -> ConfigError:
        return ConfigError(self.fname, self.line_no, directive, message)

    # -- characters --------------------------------------------------------
    def get_char(self):
        s = self.cur
        if s is None:
            return L_EOF
        if s.ch == L_EOF:
            raise self.error(
                "get_char: called after EOF. You may have a open double quote "
                "without the closing double quote."
            )
        if s.ch == L_EOL:
            if s.index >= len(s.lines):
                if len(self.sources) > 1:
                    # an include ended: Bareos resumes the outer file and
                    # hands back the character it had read last
                    self.last_fname, self.last_line_no = s.fname, s.line_no
                    self.sources.pop()
                    return self.cur.ch
                s.ch = L_EOF
                return L_EOF
            s.line = s.lines[s.index]
            s.index += 1
            s.line_no += 1
            s.col = 0
        if s.col >= len(s.line):
            s.ch = L_EOL
        else:
            c = s.line[s.col]
            if c == "\n":
                s.ch = L_EOL
                s.col += 1
            elif c == "\x00":
                s.ch = L_EOL
            else:
                s.ch = c
                s.col += 1
        return s.ch

    def unget_char(self) -> None:
        s = self.cur
        if s is None:
            return
        if s.ch == L_EOL:
            s.ch = 0  # the end of line is seen again, no new line is read
        elif s.ch == L_EOF:
            pass
        else:
            s.col -= 1

    def _next_line_continues_with_quotes(self) -> bool:
        s = self.cur
        if s.index >= len(s.lines):
            return False
        for c in s.lines[s.index]:
            if c == '"':
                return True
            if c not in " \t":
                return False
        return False

    def _current_line_continues_with_quotes(self) -> bool:
        s = self.cur
        for c in s.line[s.col:]:
            if c == '"':
                return True
            if c not in " \t":
                return False
        return False

    # -- tokens --------------------------------------------------------------
    def get_token(self, expect: str = ALL) -> str:
        token = T_NONE
        state = "none"
        continue_string = False
        esc_next = False
        buf: list[str] = []
        bom_seen = 0

        def begin(c=None):
            buf.clear()
            if c is not None:
                buf.append(c)
            self.begin_line_no = self.line_no

        while token == T_NONE:
            ch = self.get_char()
            if state == "none":
                if _isspace(ch):
                    continue
                if _isalpha(ch):
                    state = "string" if self.force_string else "identifier"
                    begin(ch)
                    continue
                if _isdigit(ch):
                    state = "string" if self.force_string else "number"
                    begin(ch)
                    continue
                if ch == L_EOF:
                    token = T_EOF
                elif ch == "#":
                    state = "comment"
                elif ch == "{":
                    token = T_BOB
                    begin(ch)
                elif ch == "}":
                    token = T_EOB
                    begin(ch)
                elif ch == '"':
                    state = "quoted"
                    if not continue_string:
                        begin()
                elif ch == "=":
                    token = T_EQUALS
                    begin(ch)
                elif ch == ",":
                    token = T_COMMA
                    begin(ch)
                elif ch == ";":
                    if expect != SKIP_EOL:
                        token = T_EOL
                elif ch == L_EOL:
                    if continue_string:
                        continue
                    if expect != SKIP_EOL:
                        token = T_EOL
                elif ch == "@":
                    if not self.allow_includes:
                        state = "string"
                        begin(ch)
                    else:
                        state = "include"
                        begin()
                elif ch == "\ufeff":
                    if self.line_no == 1 and self.cur.col == 1:
                        token = T_UTF8_BOM
                    else:
                        state = "string"
                        begin(ch)
                else:
                    state = "string"
                    begin(ch)
            elif state == "comment":
                if ch == L_EOL:
                    state = "none"
                    if expect != SKIP_EOL:
                        token = T_EOL
                elif ch == L_EOF:
                    token = T_EOF
            elif state == "number":
                if ch == L_EOF:
                    token = T_NUMBER
                    state = "none"
                    break
                if _isdigit(ch):
                    buf.append(ch)
                    continue
                if _isspace(ch) or ch == L_EOL or ch in (",", ";"):
                    token = T_NUMBER
                    state = "none"
                else:
                    state = "string"
                self.unget_char()
            elif state == "string":
                if ch == L_EOF:
                    token = T_UNQUOTED
                    state = "none"
                    break
                if ch == L_EOL or ch in "\n={}\r;,#\"" or _isspace(ch):
                    self.unget_char()
                    token = T_UNQUOTED
                    state = "none"
                    break
                buf.append(ch)
            elif state == "identifier":
                if _isalpha(ch):
                    buf.append(ch)
                    continue
                if _isspace(ch):
                    continue
                if ch == L_EOL or ch in '\n={}\r;,"#':
                    self.unget_char()
                    token = T_IDENTIFIER
                    state = "none"
                    break
                if ch == L_EOF:
                    token = T_IDENTIFIER
                    state = "none"
                    break
                state = "string"
                buf.append(ch)
            elif state == "quoted":
                if ch == L_EOF:
                    raise self.error(
                        "end of file inside a quoted string (missing closing double quote)"
                    )
                if ch == L_EOL:
                    buf.append("\n")
                    esc_next = False
                    continue
                if esc_next:
                    buf.append(ch)
                    esc_next = False
                    continue
                if ch == "\\":
                    esc_next = True
                    continue
                if ch == '"':
                    if (
                        self._next_line_continues_with_quotes()
                        or self._current_line_continues_with_quotes()
                    ):
                        continue_string = True
                        state = "none"
                        continue
                    token = T_QUOTED
                    # look at the next character (a comma means a list)
                    self.get_char()
                    self.unget_char()
                    state = "none"
                    break
                continue_string = False
                buf.append(ch)
            elif state in ("include", "include_quoted"):
                if ch == L_EOF and state == "include" and buf:
                    # "@file" on the last line without a newline
                    self._do_include("".join(buf))
                    state = "none"
                    continue
                if ch == L_EOF:
                    raise self.error("end of file in an @include")
                if state == "include_quoted":
                    if esc_next:
                        buf.append(ch)
                        esc_next = False
                        continue
                    if ch == "\\":
                        esc_next = True
                        continue
                    if ch == '"':
                        state = "none"
                        self.get_char()  # skip the closing quote, as Bareos does
                        self._do_include("".join(buf))
                        continue
                    buf.append(ch)
                    continue
                if ch == '"':
                    state = "include_quoted"
                    continue
                if ch == L_EOL or _isspace(ch) or ch in "\n{};,\"#":
                    state = "none"
                    self._do_include("".join(buf))
                    continue
                buf.append(ch)

        self.str = "".join(buf)
        self.token = token
        if expect == NAME:
            if token not in STRING_TOKENS:
                raise self.error("expected a name, got %s: %s" % (token, self.str))
            if len(self.str) > MAX_NAME_LENGTH:
                raise self.error(
                    "name %s length %d too long, max is %d"
                    % (self.str, len(self.str), MAX_NAME_LENGTH)
                )
        elif expect == STRING:
            if token not in STRING_TOKENS:
                raise self.error("expected a string, got %s: %s" % (token, self.str))
        return token

    def _do_include(self, name: str) -> None:
        fname, line_no = self.fname, self.line_no
        if not self._open(name, fname, line_no):
            raise ConfigError(
                fname, line_no, None, "Cannot open included config file %s" % name
            )

    # -- helpers used by the directive types -------------------------------
    def scan_to_eol(self) -> None:
        while True:
            tok = self.get_token(ALL)
            if tok == T_EOL or tok == T_EOF:
                return
            if tok == T_EOB:
                self.unget_char()
                return

    def scan_to_next_not_eol(self) -> str:
        while True:
            tok = self.get_token(ALL)
            if tok != T_EOL:
                return tok
