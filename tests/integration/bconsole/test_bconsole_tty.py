"""bconsole on a terminal (a pseudo-terminal): prompt, completion, history."""

from __future__ import annotations

import os
import select
import subprocess
import sys
import time

import pytest

from bareos.lib import tls

from .conftest import bconsole_conf

pty = pytest.importorskip("pty")
pytest.importorskip("readline")

WAIT = 20.0


class Terminal:
    def __init__(self, args, env):
        self.master, slave = pty.openpty()
        self.proc = subprocess.Popen(args, stdin=slave, stdout=slave, stderr=slave, env=env,
                                     close_fds=True)
        os.close(slave)
        self.buf = b""

    def expect(self, token: bytes) -> bytes:
        """Read until *token* shows up after what was already consumed; return the text before it."""
        deadline = time.monotonic() + WAIT
        while token not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"{token!r} not seen; got {self.buf!r}")
            r, _, _ = select.select([self.master], [], [], min(left, 0.5))
            if r:
                try:
                    chunk = os.read(self.master, 65536)
                except OSError:
                    chunk = b""
                if not chunk:
                    raise AssertionError(f"{token!r} not seen before EOF; got {self.buf!r}")
                self.buf += chunk
        before, _, self.buf = self.buf.partition(token)
        return before

    def type(self, text: bytes) -> None:
        os.write(self.master, text)

    def finish(self) -> int:
        try:
            return self.proc.wait(WAIT)
        finally:
            os.close(self.master)


@pytest.mark.skipif(not tls.psk_available(), reason="TLS-PSK not available")
def test_interactive_prompt_completion_history(director, tmp_path, home):
    conf = tmp_path / "bconsole.conf"
    conf.write_text(bconsole_conf(director.port))
    env = dict(os.environ, HOME=str(home), TERM="dumb")
    term = Terminal([sys.executable, "-m", "bareos.console.bconsole", "-c", str(conf)], env)
    term.expect(b"Enter a period (.) to cancel a command.")
    term.expect(b"*")
    # command name completion from ".help all"
    term.type(b"whoa\t\r")
    term.expect(b"whoami")
    assert b"root" in term.expect(b"*")
    # resource name completion after "job=" from ".jobs"
    term.type(b"show job=backup-bareos\t\r")
    echoed = term.expect(b"*")
    assert b"show job=backup-bareos-fd" in echoed
    # a sub prompt shows the Director's question and takes the answer
    term.type(b"status\r")
    term.expect(b"Select daemon type for status (1-5): ")
    term.type(b".\r")
    term.expect(b"Selection aborted, nothing done.")
    term.expect(b"*")
    # several commands on one line after @separator; the later ones are echoed with the prompt
    term.type(b"@separator ;\r")
    term.expect(b"*")
    term.type(b"whoami;version\r")
    assert b"root" in term.expect(b"*version")
    assert b"bareos-dir Version: 25.1.1" in term.expect(b"*")
    # the answer to a sub prompt can come from the same line
    term.type(b"status;1\r")
    term.expect(b"Select daemon type for status (1-5): 1\r\n")
    # (the scheduled jobs list holds "*unknown*", so wait for the end of the report)
    term.expect(b"No Jobs running.")
    term.expect(b"====\r\n*")
    term.type(b"\x04")  # end of input
    assert term.finish() == 0
    history = (home / ".bconsole_history").read_text().splitlines()
    assert history[-7:] == ["whoami", "show job=backup-bareos-fd", "status", ".", "@separator ;",
                            "whoami;version", "status;1"]


@pytest.mark.skipif(not tls.psk_available(), reason="TLS-PSK not available")
def test_history_file_and_length_from_config(director, tmp_path, home):
    hist = tmp_path / "hist"
    hist.write_text("".join(f"old{i}\n" for i in range(10)))
    conf = tmp_path / "bconsole.conf"
    conf.write_text(bconsole_conf(director.port, console=("admin", "admin-pw"), director_password=None,
                                  console_extra=f'  History File = "{hist}"\n  History Length = 5'))
    env = dict(os.environ, HOME=str(home), TERM="dumb")
    term = Terminal([sys.executable, "-m", "bareos.console.bconsole", "-c", str(conf)], env)
    term.expect(b"Enter a period (.) to cancel a command.")
    term.expect(b"*")
    term.type(b"whoami\r")
    assert b"admin" in term.expect(b"*")
    term.type(b"@quit\r")
    assert term.finish() == 0
    assert hist.read_text().splitlines() == ["old7", "old8", "old9", "whoami", "@quit"]
    assert not (home / ".bconsole_history").exists()


def test_no_readline_option(director, tmp_path, home):
    conf = tmp_path / "bconsole.conf"
    conf.write_text(bconsole_conf(director.port, console=("notls", "notls-pw"), director_password=None,
                                  tls=False))
    env = dict(os.environ, HOME=str(home), TERM="dumb")
    term = Terminal([sys.executable, "-m", "bareos.console.bconsole", "-n", "-c", str(conf)], env)
    term.expect(b"Enter a period (.) to cancel a command.")
    term.expect(b"*")
    term.type(b"whoami\r")
    assert b"notls" in term.expect(b"*")
    term.type(b"\x04")
    assert term.finish() == 0
    assert not (home / ".bconsole_history").exists()
