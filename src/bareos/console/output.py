"""Where bconsole's output goes: the terminal, an ``@output`` file, or both (``@tee``)."""

from __future__ import annotations

import sys
from typing import TextIO


class ConsoleOutput:
    """Writes text to stdout, or to a file set by ``@output``/``@tee``.

    ``@output file`` sends everything to the file only; ``@tee file`` to the
    file and the terminal; ``@output`` without a file goes back to the
    terminal.  Every write is flushed, as bconsole does.
    """

    def __init__(self, stdout: TextIO | None = None):
        self._stdout = stdout
        self._file: TextIO | None = None
        self.tee = False

    @property
    def stdout(self) -> TextIO:
        return self._stdout if self._stdout is not None else sys.stdout

    def write(self, text: str) -> None:
        if not text:
            return
        if self._file is not None:
            self._file.write(text)
            self._file.flush()
            if self.tee:
                self._write_stdout(text)
        else:
            self._write_stdout(text)

    def _write_stdout(self, text: str) -> None:
        out = self.stdout
        try:
            out.write(text)
            out.flush()
        except UnicodeEncodeError:
            enc = getattr(out, "encoding", None) or "utf-8"
            out.write(text.encode(enc, "replace").decode(enc, "replace"))
            out.flush()

    def set_file(self, f: TextIO, tee: bool) -> None:
        self.close_file()
        self._file = f
        self.tee = tee

    def close_file(self) -> None:
        if self._file is not None:
            try:
                self._file.close()
            except OSError:
                pass
        self._file = None
        self.tee = False

    @property
    def to_terminal(self) -> bool:
        return self._file is None or self.tee
