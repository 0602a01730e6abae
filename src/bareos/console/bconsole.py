"""bconsole: the Bareos console program.

Reads ``bconsole.conf`` (or ``bconsole.d``), picks a Director and a Console
resource, logs in (TLS-PSK first unless TLS is off, protocol-2 Hello,
mutual CRAM-MD5), prints the banner and then runs commands: interactively
with a ``*`` prompt, readline history and tab completion, or line by line
from standard input when that is not a terminal (echoing each line, as
Bareos's bconsole does).  Lines starting with ``@`` are the console's own
commands (``@input``, ``@output``, ``@tee``, ``@exec``, ``@sleep``, ``@time``,
``@version``, ``@echo``, ``@separator``, ``@help``, ``@quit``/``@exit``).

Exit status: 0 after a normal session, 1 when the configuration is wrong or
the Director cannot be reached or refuses the login.
"""

from __future__ import annotations

import argparse
import logging
import os
import shlex
import signal
import subprocess
import sys
import time
from typing import TextIO

from bareos.lib import bnet
from bareos.lib import version as v
from bareos.lib.bnet import BnetError

from .completion import DELIMITERS, Completer
from .connect import (
    MSG_INFO,
    MSG_OK,
    MSG_PAM_REQUIRED,
    ConnectError,
    Login,
    authenticate,
    open_connection,
    pam_conversation,
    read_pam_credentials_file,
    readable_response,
    receive_response,
    send_pam_credentials,
    send_pam_interactive,
)
from .output import ConsoleOutput

log = logging.getLogger("bareos.console")

PROG = "bconsole"
MAIN_PROMPT = "*"
#: characters ``@separator`` accepts
SEPARATOR_CHARS = "!$%&'()*+,-/:;<>?[]^`{|}~"
#: set to 1 to allow @input/@output/@tee/@exec when running as root
UNSAFE_ENV = "BCONSOLE_ALLOW_UNSAFE_COMMANDS"


class Terminated(BaseException):
    """A terminating signal arrived (SIGINT, SIGTERM, SIGHUP)."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


# --------------------------------------------------------------------------
# Configuration
# --------------------------------------------------------------------------


def _load_config(path: str | None):
    from bareos.lib.config.parser import load_config

    from .config import SCHEMA

    return load_config(path, SCHEMA)


def check_resources(cfg) -> str | None:
    """Bareos's CheckResources: a Director, and a password to log in with."""
    where = cfg.path or "the configuration"
    director = cfg.first("Director")
    if director is None:
        return (f"No Director resource defined in {where}\n"
                "Without that I don't know how to speak to the Director :-(")
    if cfg.first("Console") is None and not director.is_set("Password"):
        return ("Password item is required in Director resource (since no Console "
                "resource is specified), but not found.")
    return None


def select_director(cfg, name: str | None, out: ConsoleOutput, ask) -> tuple[object, object] | None:
    """The Director to talk to and the Console resource to log in with.

    *name* (``-D``) selects by name; one Director is taken as is; with several
    the user picks one by number.  The console is the one whose ``Director``
    names it, else the first without ``Director``, else the first one.
    """
    directors = cfg.resources("Director")
    chosen = directors[0] if len(directors) == 1 else None
    if name is not None:
        chosen = next((d for d in directors if d.name == name), None)
        if chosen is None:
            out.write(f"Can't find {name} in Director list\n")
            return None
    while chosen is None:
        out.write("Available Directors:\n")
        for i, d in enumerate(directors, 1):
            out.write("%2d:  %s at %s:%d\n" % (i, d.name, d["Address"], int(d.get("Port", 9101))))
        answer = ask("Select Director by entering a number: ")
        if answer is None:
            return None
        answer = answer.strip()
        if not answer.isdigit():
            out.write(f"{answer} is not a number. You must enter a number between 1 and {len(directors)}\n")
            continue
        item = int(answer)
        if item < 1 or item > len(directors):
            out.write(f"You must enter a number between 1 and {len(directors)}\n")
            continue
        chosen = directors[item - 1]
    consoles = cfg.resources("Console")
    console = next((c for c in consoles if c.get("Director") == chosen.name), None)
    if console is None:
        console = next((c for c in consoles if not c.get("Director")), None)
    if console is None and consoles:
        console = consoles[0]
    return chosen, console


# --------------------------------------------------------------------------
# The session
# --------------------------------------------------------------------------


def _parse_local_args(line: str) -> list[str]:
    try:
        return shlex.split(line, comments=False, posix=True)
    except ValueError:
        return line.split()


class Console:
    """A logged-in session: reads commands, sends them, prints the answers."""

    def __init__(self, bs, out: ConsoleOutput, *, timeout: float | None = None,
                 use_readline: bool = False, stdin: TextIO | None = None):
        self.bs = bs
        self.out = out
        self.timeout = timeout
        self.use_readline = use_readline
        self.stdin = stdin if stdin is not None else sys.stdin
        self.separator = ""
        self.file_selection = False
        self.closed = False  # the connection has ended
        self.at_prompt = False  # the Director waits for an answer to a sub prompt
        self.readline = None
        self.completer = Completer(self.fetch_lines)
        self._held = ""  # last partial line of a response (the sub prompt text)
        self._queue: list[str] = []

    # -- talking to the Director ----------------------------------------------

    def send(self, text: str) -> bool:
        if self.closed:
            return False
        try:
            self.bs.send(text)
            return True
        except (BnetError, OSError) as exc:
            log.debug("send failed: %s", exc)
            self.closed = True
            return False

    def _recv(self):
        try:
            return self.bs.recv(self.timeout)
        except TimeoutError:
            self.out.write(f"{PROG}: no answer from the Director within {self.timeout:g} seconds "
                           "(-u), giving up.\n")
            self.closed = True
        except (BnetError, OSError) as exc:
            log.debug("connection ended: %s", exc)
            self.closed = True
        return None

    def read_response(self) -> int | None:
        """Print the Director's answer up to EOD, MAIN_PROMPT or SUB_PROMPT.

        Returns the signal that ended it, or None when the connection ended.
        """
        hold = self.use_readline and self.out.to_terminal and not self.out.tee and \
            self.out.stdout is sys.stdout
        while True:
            item = self._recv()
            if item is None:
                self._flush_held()
                return None
            if isinstance(item, bytes):
                text = item.decode("utf-8", "replace")
                if hold:
                    text = self._held + text
                    cut = text.rfind("\n") + 1
                    self._held = text[cut:]
                    text = text[:cut]
                self.out.write(text)
                continue
            if item in (bnet.BNET_EOD, bnet.BNET_MAIN_PROMPT):
                self._flush_held()
                return item
            if item == bnet.BNET_SUB_PROMPT:
                self.at_prompt = True
                return item
            if item == bnet.BNET_START_RTREE:
                self.file_selection = True
                self.completer.file_selection = True
            elif item == bnet.BNET_END_RTREE:
                self.file_selection = False
                self.completer.file_selection = False
            elif item == bnet.BNET_MSGS_PENDING:
                self.out.write("You have messages.\n")
            elif item == bnet.BNET_HEARTBEAT:
                self.send_signal(bnet.BNET_HB_RESPONSE)
            elif item == bnet.BNET_TERMINATE:
                self._flush_held()
                self.closed = True
                return None
            # CMD_BEGIN/CMD_OK/*_MSG and the other API signals carry nothing to print

    def _flush_held(self) -> None:
        if self._held:
            self.out.write(self._held)
            self._held = ""

    def send_signal(self, sig: int) -> None:
        if self.closed:
            return
        try:
            self.bs.signal(sig)
        except (BnetError, OSError):
            self.closed = True

    def fetch_lines(self, command: str) -> list[str]:
        """Send a dot command and return its answer lines (for completion)."""
        if self.closed or (self.at_prompt and not self.file_selection):
            return []
        if not self.send(command):
            return []
        chunks = []
        while True:
            item = self._recv()
            if item is None:
                break
            if isinstance(item, bytes):
                chunks.append(item.decode("utf-8", "replace"))
                continue
            if item in (bnet.BNET_EOD, bnet.BNET_MAIN_PROMPT, bnet.BNET_SUB_PROMPT):
                break
            if item == bnet.BNET_HEARTBEAT:
                self.send_signal(bnet.BNET_HB_RESPONSE)
            elif item == bnet.BNET_TERMINATE:
                self.closed = True
                break
        return "".join(chunks).splitlines()

    def terminate(self) -> None:
        """Send BNET_TERMINATE and close (bconsole's way to end a session)."""
        if not self.closed:
            self.send_signal(bnet.BNET_TERMINATE)
        self.closed = True
        try:
            self.bs.close()
        except OSError:
            pass

    # -- reading input ----------------------------------------------------------

    def _read_tty(self, prompt: str) -> str | None:
        if self._held:
            prompt, self._held = self._held, ""
        try:
            line = input(prompt)
        except EOFError:
            return None
        return line

    def _remember(self, line: str) -> None:
        rl = self.readline
        if rl is None or not line:
            return
        n = rl.get_current_history_length()
        if n == 0 or rl.get_history_item(n) != line:
            rl.add_history(line)

    def _split(self, line: str) -> list[str]:
        if self.separator and self.separator in line:
            return line.split(self.separator)
        return [line]

    def process(self, stream: TextIO, tty: bool) -> bool:
        """Read and run commands from *stream* until it ends.

        Returns False when the session must end (``@quit``, ``.quit``, the
        connection closed), True when only *stream* is exhausted.
        """
        queue: list[str] = []
        while not self.closed:
            prompt = "" if self.at_prompt else MAIN_PROMPT
            if queue:
                line = queue.pop(0)
                if tty:
                    shown, self._held = (self._held or prompt), ""
                    self.out.write(f"{shown}{line}\n")
            elif tty:
                raw = self._read_tty(prompt)
                if raw is None:
                    return False
                raw = raw.rstrip()
                self._remember(raw)
                parts = self._split(raw)
                line, queue = parts[0], parts[1:]
            else:
                raw = stream.readline()
                if not raw:
                    return True
                self.out.write(raw if raw.endswith("\n") else raw + "\n")  # echo, as bconsole does
                line = raw.rstrip()
            self.at_prompt = False
            if line.startswith("@"):
                if not self.local_command(line, stream):
                    return False
                continue
            log.debug("command: %s", line)
            if not self.send(line):
                break
            if line in (".quit", ".exit"):
                self.closed = True
                break
            end = self.read_response()
            if end is None:
                break
        return False

    # -- @commands --------------------------------------------------------------

    def local_command(self, line: str, stream) -> bool:
        """Run an ``@`` command; False means: stop reading this input."""
        args = _parse_local_args(line)
        if not args:
            return True
        word = args[0][1:]
        if word.startswith("#"):
            return True
        for name, func, _help, unsafe in LOCAL_COMMANDS:
            if name.lower().startswith(word.lower()):
                if unsafe and _is_root() and os.environ.get(UNSAFE_ENV) != "1":
                    self.out.write(f"@{name} command is not allowed as privileged user.\n")
                    return True
                return func(self, args)
        self.out.write(f"{line}: is an invalid command\n")
        return True

    def cmd_input(self, args) -> bool:
        if len(args) > 2:
            self.out.write("Too many arguments on input command.\n")
            return True
        if len(args) == 1:
            self.out.write("First argument to input command must be a filename.\n")
            return True
        try:
            f = open(args[1], encoding="utf-8", errors="replace")
        except OSError as exc:
            self.out.write(f"Cannot open file {args[1]} for input. ERR={exc.strerror}\n")
            return True
        with f:
            self.process(f, tty=False)
        return True

    def _output(self, args, tee: bool) -> bool:
        if len(args) > 3:
            self.out.write("Too many arguments on output/tee command.\n")
            return True
        if len(args) == 1:
            self.out.close_file()
            return True
        mode = args[2] if len(args) == 3 else "a"
        pymode = {"w": "w", "a": "a", "w+": "w", "a+": "a", "wb": "w", "ab": "a", "a+b": "a",
                  "w+b": "w"}.get(mode)
        if pymode is None:
            self.out.write(f"Cannot open file {args[1]} for output. ERR=Invalid argument\n")
            return True
        try:
            f = open(args[1], pymode, encoding="utf-8")
        except OSError as exc:
            self.out.write(f"Cannot open file {args[1]} for output. ERR={exc.strerror}\n")
            return True
        self.out.set_file(f, tee)
        return True

    def cmd_output(self, args) -> bool:
        return self._output(args, tee=False)

    def cmd_tee(self, args) -> bool:
        return self._output(args, tee=True)

    def cmd_exec(self, args) -> bool:
        if len(args) > 3:
            self.out.write("Too many arguments. Enclose command in double quotes.\n")
            return True
        if len(args) < 2:
            return True
        wait = int(args[2]) if len(args) == 3 and args[2].isdigit() else 0
        try:
            argv = shlex.split(args[1])
            proc = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                  timeout=wait or None, check=False)
        except (OSError, ValueError) as exc:
            self.out.write(f'Cannot popen("{args[1]}", "r"): ERR={getattr(exc, "strerror", None) or exc}\n')
            return True
        except subprocess.TimeoutExpired as exc:
            self.out.write((exc.stdout or b"").decode("utf-8", "replace"))
            self.out.write(f"Autochanger error: ERR=Child died from signal {signal.SIGKILL}: Killed\n")
            return True
        self.out.write(proc.stdout.decode("utf-8", "replace"))
        if proc.returncode != 0:
            self.out.write(f"Autochanger error: ERR=Child exited with code {proc.returncode}\n")
        return True

    def cmd_quit(self, args) -> bool:
        return False

    def cmd_sleep(self, args) -> bool:
        if len(args) > 1:
            try:
                time.sleep(max(0.0, float(args[1])))
            except ValueError:
                pass
        return True

    def cmd_time(self, args) -> bool:
        self.out.write(time.strftime("%d-%b-%Y %H:%M:%S") + "\n")
        return True

    def cmd_version(self, args) -> bool:
        osinfo, dist, distver = v.distname()
        self.out.write(f"Version: {v.VERSION} ({v.BDATE}) {osinfo} {dist} {distver}\n")
        return True

    def cmd_echo(self, args) -> bool:
        self.out.write("".join(f"{a} " for a in args[1:]) + "\n")
        return True

    def cmd_help(self, args) -> bool:
        for name, _func, text, _unsafe in LOCAL_COMMANDS:
            self.out.write("  %-10s %s\n" % (name, text))
        return True

    def cmd_separator(self, args) -> bool:
        if len(args) > 1 and args[1][:1] and args[1][0] in SEPARATOR_CHARS:
            self.separator = args[1][0]
        elif len(args) == 1:
            self.separator = ""
        else:
            self.out.write("Illegal separator character.\n")
        return True

    # -- readline ---------------------------------------------------------------

    def init_readline(self, history_file: str | None, history_length: int) -> None:
        try:
            import readline
        except ImportError:  # pragma: no cover - depends on the Python build
            return
        self.readline = readline
        readline.set_auto_history(False)
        readline.set_completer_delims(DELIMITERS)
        if "libedit" in (readline.__doc__ or ""):
            readline.parse_and_bind("bind ^I rl_complete")
        else:
            readline.parse_and_bind("tab: complete")
        readline.set_completer(self._complete)
        readline.set_history_length(history_length)
        if history_file:
            try:
                readline.read_history_file(history_file)
            except OSError:
                pass

    def _complete(self, text: str, state: int):
        rl = self.readline
        return self.completer.complete(text, state, rl.get_line_buffer(), rl.get_begidx())

    def save_history(self, history_file: str | None) -> None:
        if self.readline is None or not history_file:
            return
        try:
            self.readline.write_history_file(history_file)
        except OSError as exc:
            log.debug("cannot write history file %s: %s", history_file, exc)


#: (name, method, help, unsafe) in Bareos's order (prefixes match the first)
LOCAL_COMMANDS = [
    ("input", Console.cmd_input, "input from file", True),
    ("output", Console.cmd_output, "output to file", True),
    ("tee", Console.cmd_tee, "output to file and terminal", True),
    ("exec", Console.cmd_exec, "execute an external command", True),
    ("quit", Console.cmd_quit, "quit", False),
    ("sleep", Console.cmd_sleep, "sleep specified time", False),
    ("time", Console.cmd_time, "print current time", False),
    ("version", Console.cmd_version, "print Console's version", False),
    ("echo", Console.cmd_echo, "echo command string", False),
    ("exit", Console.cmd_quit, "exit = quit", False),
    ("help", Console.cmd_help, "help listing", False),
    ("separator", Console.cmd_separator, "set command separator", False),
]


def _is_root() -> bool:
    geteuid = getattr(os, "geteuid", None)
    return geteuid is not None and geteuid() == 0


# --------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog=PROG, description="The Bareos Console.", add_help=False)
    p.add_argument("-c", "--config", metavar="<path>",
                   help="Use <path> as configuration file or directory")
    p.add_argument("-D", "--director", metavar="<director>", help="Specify director.")
    p.add_argument("-d", "--debug-level", metavar="<level>", type=int, default=0,
                   help="Set debug level to <level>.")
    p.add_argument("--dt", "--debug-timestamps", action="store_true", dest="debug_timestamps",
                   help="Print timestamps in debug output.")
    p.add_argument("-l", "--list-directors", action="store_true", help="List defined Directors.")
    p.add_argument("-n", "--no-readline", action="store_true",
                   help="No readline: no line editing, history or completion.")
    p.add_argument("-p", "--pam-credentials-filename", metavar="<path>",
                   help="PAM Credentials file.")
    p.add_argument("-o", action="store_true", dest="pam_unencrypted",
                   help="Force sending pam credentials unencrypted.")
    p.add_argument("-s", "--no-signals", action="store_true", help="No signals (for debugging)")
    p.add_argument("-t", "--test-config", action="store_true",
                   help="Test - read configuration and exit")
    p.add_argument("-u", "--timeout", metavar="<seconds>", type=int,
                   help="Set command execution timeout to <seconds>.")
    p.add_argument("--xc", "--export-config", action="store_true", dest="export_config",
                   help="Print configuration resources and exit")
    p.add_argument("-?", "-h", "--help", action="help", help="Print this help message and exit.")
    p.add_argument("--version", action="version", version=f"{PROG} {v.VERSION} ({v.BDATE})")
    return p


def _setup_logging(level: int, timestamps: bool) -> None:
    if level <= 0:
        logging.getLogger("bareos").setLevel(logging.WARNING)
        return
    handler = logging.StreamHandler(sys.stderr)
    fmt = f"{PROG} (%(levelno)s): %(name)s: %(message)s"
    if timestamps:
        fmt = "%(asctime)s " + fmt
    handler.setFormatter(logging.Formatter(fmt))
    root = logging.getLogger("bareos")
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if level >= 100 else logging.INFO)


def _install_signals() -> None:
    def handler(signum, frame):
        # If the orderly ending (BNET_TERMINATE, TLS close) gets stuck, a
        # watchdog still ends the process with the same status.
        import threading

        watchdog = threading.Timer(5.0, os._exit, args=(1,))
        watchdog.daemon = True
        watchdog.start()
        raise Terminated(signum)

    sigs = [s for s in (signal.SIGINT, signal.SIGTERM, getattr(signal, "SIGHUP", None)) if s is not None]
    for sig in sigs:
        signal.signal(sig, handler)
    if hasattr(signal, "pthread_sigmask"):
        # a parent may have left them blocked (the mask is inherited across exec)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, sigs)
    if hasattr(signal, "SIGQUIT"):
        signal.signal(signal.SIGQUIT, signal.SIG_IGN)


def _err(text: str) -> None:
    sys.stderr.write(f"{PROG}: {text}\n")
    sys.stderr.flush()


def _ask(prompt: str) -> str | None:
    try:
        return input(prompt)
    except EOFError:
        return None


def _pam_ask(prompt: str, echo: bool) -> str | None:
    import getpass

    try:
        if echo:
            return input(prompt)
        return getpass.getpass(prompt)
    except EOFError:
        return None


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    _setup_logging(args.debug_level, args.debug_timestamps)
    if not args.no_signals:
        _install_signals()
    out = ConsoleOutput()
    try:
        return _run(args, out)
    except Terminated:
        return 1
    except KeyboardInterrupt:
        return 1
    except BrokenPipeError:
        return 1


def _run(args, out: ConsoleOutput) -> int:
    from bareos.lib.config.errors import ConfigError

    try:
        cfg = _load_config(args.config)
    except ConfigError as exc:
        _err(f"Config error: {exc}")
        return 1
    except OSError as exc:
        _err(f"Config error: {exc}")
        return 1
    if args.export_config:
        from bareos.lib.config.printer import format_config

        out.write(format_config(cfg))
        return 0
    problem = check_resources(cfg)
    if problem is not None:
        _err(f"Config error: {problem}")
        _err(f"Please correct configuration file: {cfg.path or '(default)'}")
        return 1
    for warning in getattr(cfg, "warnings", []) or []:
        sys.stderr.write(f"There are configuration warnings:\n * {warning}\n")
    if args.list_directors:
        for d in cfg.resources("Director"):
            out.write(f"{d.name}\n")
        return 0
    if args.test_config:
        return 0

    if args.pam_credentials_filename and not os.access(args.pam_credentials_filename, os.R_OK):
        _err(f"Could not open file for -p: {args.pam_credentials_filename}")
        return 1
    selected = select_director(cfg, args.director, out, _ask)
    if selected is None:
        return 1
    director, console_res = selected
    try:
        login = Login.from_resources(director, console_res)
    except ConnectError as exc:
        _err(str(exc))
        return 1
    out.write(f"Connecting to Director {login.address}:{login.port}\n")
    try:
        bs = open_connection(login, report=out.write)
        response_id, response_args = authenticate(bs, login)
    except ConnectError as exc:
        _err(str(exc))
        out.write("Failed to connect to Director. Giving up.\n")
        return 1
    session = Console(bs, out, timeout=float(args.timeout) if args.timeout else None)
    try:
        return _session(args, cfg, console_res, login, session, response_id, response_args)
    finally:
        session.terminate()


def _session(args, cfg, console_res, login, session: Console, response_id, response_args) -> int:
    bs, out = session.bs, session.out
    where = f"Director at {bs.peer}"
    cipher = bs.tls_cipher()
    out.write(" Encryption: " + (f"{cipher[0]} {cipher[1]}" if cipher else "None") + "\n")
    try:
        if response_id == MSG_PAM_REQUIRED:
            if not _pam_login(args, session):
                out.write("PAM authentication failed. Giving up.\n")
                return 1
            response_id, response_args = receive_response(bs, where)
        if response_id == MSG_OK:
            out.write(readable_response(response_args) + "\n")
        else:
            _err(f"{where}: login refused: {readable_response(response_args)}")
            return 1
        info_id, info_args = receive_response(bs, where)
    except ConnectError as exc:
        _err(str(exc))
        return 1
    if info_id != MSG_INFO:
        _err(f"{where}: expected an info message (1002), got {info_id}")
        return 1
    out.write(readable_response(info_args[1:]) + "\n")
    out.write("\nEnter a period (.) to cancel a command.\n")

    home = os.environ.get("HOME") or os.environ.get("USERPROFILE")
    rc_file = console_res.get("Rc File") if console_res is not None else None
    if not rc_file and home:
        rc_file = os.path.join(home, ".bconsolerc")
    if rc_file and os.path.isfile(rc_file):
        try:
            with open(rc_file, encoding="utf-8", errors="replace") as f:
                session.process(f, tty=False)
        except OSError as exc:
            log.debug("cannot read %s: %s", rc_file, exc)

    tty = sys.stdin.isatty()
    history_file = None
    if tty and not args.no_readline:
        history_length = 100
        if console_res is not None:
            history_file = console_res.get("History File")
            history_length = int(console_res.get("History Length", 100) or 100)
        if not history_file and home:
            history_file = os.path.join(home, ".bconsole_history")
        session.use_readline = True
        session.init_readline(history_file, history_length)
    try:
        session.process(sys.stdin, tty=tty)
    finally:
        session.save_history(history_file)
        out.close_file()
    return 0


def _pam_login(args, session: Console) -> bool:
    bs, out = session.bs, session.out
    if not bs.tls_used and not args.pam_unencrypted:
        out.write("Canceled because password would be sent unencrypted!\n")
        return False
    if args.pam_credentials_filename:
        try:
            user, password = read_pam_credentials_file(args.pam_credentials_filename)
        except ConnectError as exc:
            _err(str(exc))
            return False
        send_pam_credentials(bs, user, password)
        return True
    send_pam_interactive(bs)

    def ask(prompt: str, echo: bool):
        return _pam_ask(prompt, echo)

    ok = pam_conversation(bs, ask)
    out.write("\n")
    return ok


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
