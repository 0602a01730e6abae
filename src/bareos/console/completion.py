"""Tab completion for bconsole, as Bareos's console offers it.

* Nothing before the word: command names, from the Director's ``.help all``.
* After a keyword such as ``job=`` or ``pool=``: resource names from the
  matching dot command (``.jobs``, ``.pools`` ...).
* After any other word: the arguments of the line's command, taken from
  ``.help item=<command>`` (words like ``jobid=`` or ``all``).
* In the restore file-selection tree (between ``START_RTREE`` and
  ``END_RTREE``) ``ls``/``cd``/``mark``/... complete file names with
  ``.ls``, ``.lsdir`` and ``.lsmark``.

The logic is free of I/O: :class:`Completer` gets a ``fetch(command) ->
list[str]`` function that asks the Director and returns its answer lines.
"""

from __future__ import annotations

import re
from typing import Callable

#: (keyword before the cursor, dot command listing its values, tree mode)
KEYWORDS: list[tuple[str, str, bool]] = [
    ("pool=", ".pools", False),
    ("nextpool=", ".pools", False),
    ("fileset=", ".filesets", False),
    ("client=", ".clients", False),
    ("jobdefs=", ".jobdefs", False),
    ("job=", ".jobs", False),
    ("restore_job=", ".jobs type=R", False),
    ("level=", ".levels", False),
    ("storage=", ".storages", False),
    ("schedule=", ".schedule", False),
    ("volume=", ".media", False),
    ("oldvolume=", ".media", False),
    ("volstatus=", ".volstatus", False),
    ("catalog=", ".catalogs", False),
    ("message=", ".msgs", False),
    ("messages=", ".msgs", False),
    ("profile=", ".profiles", False),
    ("actiononpurge=", ".actiononpurge", False),
    ("ls", ".ls", True),
    ("cd", ".lsdir", True),
    ("add", ".ls", True),
    ("mark", ".ls", True),
    ("m", ".ls", True),
    ("delete", ".lsmark", True),
    ("unmark", ".lsmark", True),
]

#: characters that separate words for readline
DELIMITERS = " \t\n=\"'"

_HELP_ARG = re.compile(r"([a-z_]+=)|([a-z]+)(?: |$)")


def first_keyword(line: str) -> str | None:
    """The line's command word, or None while the first word is being typed."""
    if " " not in line:
        return None
    return line.split(" ", 1)[0]


def previous_keyword(line: str, point: int) -> str | None:
    """The word before the one that starts at *point* (``job=`` for ``run job=ba``).

    A word ends at a blank or includes a trailing ``=``; quotes keep blanks
    inside a word.  None when there is no previous word.
    """
    i = min(point, len(line))
    # back over the word being completed, to a blank or an '='
    while i >= 0 and (i >= len(line) or line[i] not in " ="):
        i -= 1
    # back over blanks to the end of the previous word
    end = -1
    while i >= 0:
        if line[i] != " ":
            end = i
            break
        i -= 1
    if end < 0:
        return None
    start = end
    inquotes = False
    while start > 0:
        if line[start] == '"':
            inquotes = not inquotes
        if line[start - 1] == " " and not inquotes:
            break
        start -= 1
    return line[start:end + 1]


def help_arguments(lines: list[str]) -> list[str]:
    """Keywords (``jobid=``, ``all`` ...) found in ``.help item=<cmd>`` output."""
    out: list[str] = []
    for line in lines:
        pos = 0
        text = line.rstrip()
        while pos < len(text):
            m = _HELP_ARG.search(text, pos)
            if not m:
                break
            word = m.group(1) or m.group(2)
            if word and word not in out:
                out.append(word)
            pos = m.end() if m.end() > pos else pos + 1
    return out


def listing_items(lines: list[str]) -> list[str]:
    """One item per non-empty answer line (``.jobs``, ``.pools`` ...)."""
    return [ln.strip() for ln in lines if ln.strip()]


def command_names(lines: list[str]) -> list[str]:
    """Command names from ``.help all`` (the first word of each line)."""
    out = []
    for ln in lines:
        words = ln.split()
        if words and words[0] not in out:
            out.append(words[0])
    return out


class Completer:
    """A readline completer: ``complete(text, state)`` with the line and cursor given.

    *fetch(command)* returns the Director's answer lines for a dot command.
    ``file_selection`` is set by the console while the restore tree is active.
    """

    def __init__(self, fetch: Callable[[str], list[str]]):
        self.fetch = fetch
        self.file_selection = False
        self._matches: list[str] = []

    def candidates(self, line: str, begidx: int) -> list[str]:
        """All words that may stand at *begidx* of *line*."""
        prev = previous_keyword(line, begidx)
        if prev is None:
            return command_names(self.fetch(".help all"))
        for key, cmd, tree in KEYWORDS:
            if tree != self.file_selection:
                continue
            if prev.lower() == key:
                return listing_items(self.fetch(cmd))
        cmd = first_keyword(line)
        if not cmd:
            return []
        return help_arguments(self.fetch(f".help item={cmd}"))

    def matches(self, text: str, line: str, begidx: int) -> list[str]:
        return [c for c in self.candidates(line, begidx) if c.startswith(text)]

    def complete(self, text: str, state: int, line: str, begidx: int) -> str | None:
        if state == 0:
            try:
                self._matches = self.matches(text, line, begidx)
            except Exception:  # completion must never break the prompt
                self._matches = []
        return self._matches[state] if state < len(self._matches) else None
