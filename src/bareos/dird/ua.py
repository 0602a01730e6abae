"""The user-agent context: one console session on the Director.

It parses command lines as Bareos does, finds and runs commands through the
registration table of ``bareos.dird.console``, routes messages through the
output formatter and asks the console for input inside commands.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Callable

from bareos.lib import bnet

from . import acl as aclmod
from .output import (API_MODE_JSON, MSG_TYPE_ERROR, MSG_TYPE_INFO, MSG_TYPE_WARNING,
                     OutputFormatter)

if TYPE_CHECKING:  # pragma: no cover
    from .director import Director

log = logging.getLogger("bareos.dird.ua")

MAX_CMD_ARGS = 30


def next_arg(s: str, pos: int) -> tuple[str, int]:
    """Return the next argument of ``s`` from ``pos`` and the position after it.

    Blanks separate arguments; ``"`` toggles quoting (the quotes are removed);
    a backslash takes the next character literally.
    """
    n = len(s)
    while pos < n and s[pos].isspace():
        pos += 1
    out = []
    in_quote = False
    while pos < n:
        c = s[pos]
        if c == "\\":
            pos += 1
            if pos < n:
                out.append(s[pos])
                pos += 1
            continue
        if c == '"':
            in_quote = not in_quote
            pos += 1
            continue
        if not in_quote and c.isspace():
            pos += 1
            break
        out.append(c)
        pos += 1
    return "".join(out), pos


def parse_args(cmd: str, max_args: int = MAX_CMD_ARGS) -> tuple[list[str], list[str | None]]:
    """Split a console command line into keywords and values (Bareos ParseArgs)."""
    line = cmd.rstrip()
    argk: list[str] = []
    argv: list[str | None] = []
    pos = 0
    while len(argk) < max_args:
        arg, pos = next_arg(line, pos)
        if not arg:
            break
        if "=" in arg:
            k, v = arg.split("=", 1)
            argk.append(k)
            argv.append(v)
        else:
            argk.append(arg)
            argv.append(None)
    return argk, argv


class UaContext:
    """State of one console connection."""

    def __init__(self, director: "Director", bsock=None, *, name: str = "*UserAgent*",
                 user_acl: aclmod.UserAcl | None = None):
        self.director = director
        self.bsock = bsock
        self.name = name
        self.user_acl = user_acl
        self.api = 0
        self.batch = False
        self.gui = False
        self.auto_display_messages = False
        self.user_notified_msg_pending = False
        self.quit = False
        self.cmd = ""
        self.argk: list[str] = []
        self.argv: list[str | None] = []
        self.command = None  # the Command being executed
        self.catalog = None
        self.send = OutputFormatter(self._send_text)
        self.input_hook: Callable[[], str | None] | None = None

    # -- wire ------------------------------------------------------------
    def _send_text(self, text: str) -> None:
        if self.bsock is not None:
            self.bsock.send(text)

    def signal(self, sig: int) -> None:
        if self.bsock is not None:
            self.bsock.signal(sig)

    # -- arguments -------------------------------------------------------
    @property
    def argc(self) -> int:
        return len(self.argk)

    def parse(self, cmd: str) -> None:
        self.cmd = cmd
        self.argk, self.argv = parse_args(cmd)

    def find_arg(self, keyword: str) -> int:
        """Index of a bare or key=value argument named ``keyword`` (not argv[0])."""
        kw = keyword.lower()
        for i in range(1, self.argc):
            if self.argk[i].lower() == kw:
                return i
        return -1

    def find_arg_with_value(self, keyword: str) -> int:
        kw = keyword.lower()
        for i in range(1, self.argc):
            if self.argk[i].lower() == kw and self.argv[i] is not None:
                return i
        return -1

    def arg_value(self, keyword: str) -> str | None:
        i = self.find_arg_with_value(keyword)
        return self.argv[i] if i >= 0 else None

    def find_arg_keyword(self, keywords) -> int:
        """Index into ``keywords`` of the first argument (from 1) matching one of them."""
        for i in range(1, self.argc):
            for j, kw in enumerate(keywords):
                if self.argk[i].lower() == kw.lower():
                    return j
        return -1

    # -- messages --------------------------------------------------------
    def _message(self, sig: int, mtype: str | None, text: str) -> None:
        self.send.flush()
        if sig and self.api:
            self.signal(sig)
        self.send.message(mtype, text)

    def send_msg(self, text: str) -> None:
        self._message(0, None, text)

    def error_msg(self, text: str) -> None:
        self._message(bnet.BNET_ERROR_MSG, MSG_TYPE_ERROR, text)

    def warning_msg(self, text: str) -> None:
        self._message(bnet.BNET_WARNING_MSG, MSG_TYPE_WARNING, text)

    def info_msg(self, text: str) -> None:
        self._message(bnet.BNET_INFO_MSG, MSG_TYPE_INFO, text)

    def send_cmd_usage(self, message: str) -> None:
        self.send.flush()
        cmd = self.command
        if cmd is not None and cmd.usage is not None:
            message = f"{message}\nUSAGE: {cmd.name} {cmd.usage}\n"
        self.send.message(None, message)

    # -- ACLs ------------------------------------------------------------
    def acl_access_ok(self, kind: str, item: str) -> bool:
        return aclmod.acl_access_ok(self.user_acl, kind, item)

    def acl_no_restrictions(self, kind: str) -> bool:
        return self.user_acl is None or self.user_acl.no_restrictions(kind)

    def is_res_allowed(self, res) -> bool:
        kind = aclmod.RESOURCE_ACL.get(res.rtype.name.lower()) if hasattr(res, "rtype") else None
        if kind is None:
            return True
        return self.acl_access_ok(kind, res.name)

    # -- input inside a command ------------------------------------------
    def get_cmd(self, prompt: str, subprompt: bool = False) -> str | None:
        """Ask the console for a line; None when cancelled (a lone `.`), in batch mode or on EOF."""
        if self.batch or self.bsock is None:
            return None
        if not subprompt and self.api:
            self.signal(bnet.BNET_TEXT_INPUT)
        self.send_msg(prompt)
        if not self.api or subprompt:
            self.signal(bnet.BNET_SUB_PROMPT)
        while True:
            try:
                msg = self.bsock.recv()
            except Exception:  # connection gone
                self.quit = True
                return None
            if isinstance(msg, int):
                if msg == bnet.BNET_TERMINATE:
                    self.quit = True
                    return None
                continue
            text = msg.decode("utf-8", "replace").rstrip()
            if text == ".messages":
                from .console.messages import dot_messages
                dot_messages(self)
            if text == ".":
                return None
            return text

    def get_pint(self, prompt: str) -> int | None:
        while True:
            answer = self.get_cmd(prompt)
            if answer is None:
                return None
            if answer.isdigit():
                return int(answer)
            self.warning_msg(f"Expected a positive integer, got: {answer}\n")

    def get_yesno(self, prompt: str) -> bool | None:
        while True:
            if self.api:
                self.signal(bnet.BNET_YESNO)
            answer = self.get_cmd(prompt)
            if answer is None:
                return None
            a = answer.lower()
            if a in ("y", "yes"):
                return True
            if a in ("n", "no"):
                return False
            self.send_msg("Invalid response. You must answer yes or no.\n")

    @staticmethod
    def format_prompts(items: list[str], window_width: int = 80, min_lines: int = 20) -> str:
        idx_len = len(str(len(items) + 1))
        width = max([1] + [len(i) for i in items])
        cell = width + idx_len + 4
        per_line = max(1, window_width // (cell - 1))
        if len(items) + 1 > min_lines and window_width > cell * 2:
            cells = [f"{i:>{idx_len}}: {item:<{width}} " for i, item in enumerate(items, 1)]
            lines = (len(items) + 1 + per_line - 1) // per_line
            out = []
            for row in range(lines):
                out.append("".join(cells[row::lines]) + "\n")
            return "".join(out)
        return "".join(f"{i:>{idx_len}}: {item}\n" for i, item in enumerate(items, 1))

    def select_item(self, header: str, items: list[str], question: str,
                    automsg: str = "") -> int | None:
        """Bareos's DoPrompt: index of the chosen item, or None when aborted."""
        if len(items) == 1:
            if not self.api:
                self.send_msg(f"Automatically selected {automsg}: {items[0]}\n")
            return 0
        if self.batch:
            self.send_msg(header)
            self.send_msg(self.format_prompts(items))
            self.send_msg(f'Your request has multiple choices for "{automsg}". '
                          "Selection is not possible in batch mode.\n")
            return None
        if self.api:
            self.signal(bnet.BNET_START_SELECT)
        self.send_msg(header)
        if self.api:
            for item in items:
                self.send_msg(item)
        else:
            self.send_msg(self.format_prompts(items))
        if self.api:
            self.signal(bnet.BNET_END_SELECT)
        if not items:
            self.error_msg(f'Selection list for "{automsg}" is empty!\n')
            return None
        while True:
            if self.api:
                self.signal(bnet.BNET_SELECT_INPUT)
            n = self.get_pint(f"{question} (1-{len(items)}): ")
            if n is None:
                self.info_msg("Selection aborted, nothing done.\n")
                return None
            if 1 <= n <= len(items):
                return n - 1
            self.warning_msg(f"Please enter a number between 1 and {len(items)}\n")

    # -- the catalog -------------------------------------------------------
    def open_db(self, select: bool = False) -> bool:
        """Open the catalog for this session (Bareos prints which one once)."""
        if self.catalog is not None:
            return True
        d = self.director
        cats = [c for c in d.resources("Catalog") if self.acl_access_ok(aclmod.CATALOG, c.name)]
        if not cats:
            self.error_msg("Could not find a Catalog resource\n")
            return False
        name = self.arg_value("catalog") or cats[0].name
        if select and not self.api and self.arg_value("catalog") is None and len(cats) == 1:
            self.send_msg(f"Automatically selected Catalog: {cats[0].name}\n")
        try:
            d.catalog  # opens it
        except Exception as exc:
            self.error_msg(f"Could not open catalog database \"{name}\": {exc}\n")
            return False
        self.catalog = name
        if not self.api:
            self.send_msg(f'Using Catalog "{name}"\n')
        return True

    # -- command execution -------------------------------------------------
    def execute_line(self, line: str) -> bool:
        """Parse and run one command line; returns the command's success."""
        from .console import lookup

        self.parse(line)
        if self.argc == 0:
            return False
        word = self.argk[0]
        cmd = lookup(word)
        ok = False
        found = False
        if cmd is not None and (cmd.name in ("exit", "quit", "whoami")
                                or self.acl_access_ok(aclmod.COMMAND, cmd.name)):
            found = True
            if self.api:
                self.signal(bnet.BNET_CMD_BEGIN)
            self.send.set_mode(self.api)
            self.command = cmd
            try:
                ok = bool(cmd.run(self))
            except Exception as exc:  # a failing command never takes the session down
                log.exception("command %r failed", line)
                self.error_msg(f"{cmd.name}: internal error: {exc}\n")
                ok = False
            finally:
                self.command = None
            if self.api:
                self.signal(bnet.BNET_CMD_OK if ok else bnet.BNET_CMD_FAILED)
        if not found:
            self.error_msg(f"{word}: is an invalid command.\n")
            ok = False
        self.send.finalize(ok)
        return ok

    @property
    def json(self) -> bool:
        return self.api == API_MODE_JSON
