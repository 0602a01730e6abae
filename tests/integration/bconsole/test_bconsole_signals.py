"""bconsole against a small scripted Director (cleartext, real sockets).

It shows what the in-process Director does not send yet: heartbeats,
MSGS_PENDING, API-mode signals, PAM login, and lets us see exactly what
bconsole puts on the wire (BNET_TERMINATE at the end of its input).
"""

from __future__ import annotations

import socket
import threading

import pytest

from bareos.lib import bnet, cram
from bareos.lib.bsock import BSock, authenticate_server

from .conftest import bconsole_conf

PASSWORD = "toy-pw"
NAME = "toycons"


class ScriptedDirector:
    def __init__(self, pam: bool = False):
        self.pam = pam
        self.key = cram.password_key(PASSWORD)
        self.srv = socket.create_server(("127.0.0.1", 0))
        self.port = self.srv.getsockname()[1]
        self.received: list = []  # data packets (str) and signals (int) from bconsole
        self.hello = None
        self.errors: list[str] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def close(self):
        self.srv.close()
        self.thread.join(10)

    def _serve(self):
        try:
            conn, _ = self.srv.accept()
        except OSError:
            return
        bs = BSock(conn, timeout=30)
        try:
            self._session(bs)
        except Exception as exc:  # recorded for the test to show
            self.errors.append(repr(exc))
        finally:
            bs.close()

    def _session(self, bs: BSock):
        self.hello = bs.recv()
        authenticate_server(bs, self.key, "R_DIRECTOR::toy-dir", 0)
        if self.pam:
            bs.send(bnet.format_response_message(1001, ""))
            creds = bs.recv()
            self.received.append(creds)
            if not isinstance(creds, bytes) or creds.split(b"\x1e") != [b"4002", b"alice", b"s3cret"]:
                return
        bs.send(bnet.format_response_message(1000, "OK: toy-dir Version: 25.1.1 (05 December 2025)"))
        bs.send(bnet.format_response_message(1002, f"Toy Director\nYou are logged in as: {NAME}"))
        while True:
            try:
                item = bs.recv()
            except bnet.ConnectionClosed:
                self.received.append("EOF")
                return
            if isinstance(item, int):
                self.received.append(item)
                if item == bnet.BNET_TERMINATE:
                    return
                continue
            cmd = item.decode()
            self.received.append(cmd)
            if cmd == "whoami":
                bs.signal(bnet.BNET_HEARTBEAT)
                self.received.append(("heartbeat answer", bs.recv()))
                bs.send(NAME + "\n")
                bs.signal(bnet.BNET_MSGS_PENDING)
                bs.signal(bnet.BNET_EOD)
            elif cmd == "ask":
                bs.send("Pick a colour: ")
                bs.signal(bnet.BNET_SUB_PROMPT)
                answer = bs.recv().decode()
                self.received.append(("answer", answer))
                bs.send("cancelled\n" if answer == "." else f"you picked {answer}\n")
                bs.signal(bnet.BNET_EOD)
            elif cmd == "apimode":
                bs.signal(bnet.BNET_CMD_BEGIN)
                bs.signal(bnet.BNET_INFO_MSG)
                bs.send("api text\n")
                bs.signal(bnet.BNET_CMD_OK)
                bs.signal(bnet.BNET_MAIN_PROMPT)
            elif cmd == "bye":
                bs.signal(bnet.BNET_TERMINATE)
                return
            else:
                bs.send(f"{cmd}: is an invalid command.\n")
                bs.signal(bnet.BNET_EOD)


@pytest.fixture
def scripted():
    dirs = []

    def make(**kw):
        d = ScriptedDirector(**kw)
        dirs.append(d)
        return d

    yield make
    for d in dirs:
        d.close()


def _conf(port):
    return bconsole_conf(port, director_password=None, console=(NAME, PASSWORD), tls=False)


def test_hello_signals_and_terminate_at_eof(scripted, run_bconsole):
    d = scripted()
    r = run_bconsole(_conf(d.port), stdin="whoami\nask\nblue\nask\n.\napimode\n")
    assert r.returncode == 0, r.stderr
    d.thread.join(10)
    assert d.errors == []
    assert d.hello == f"Hello {NAME} calling version 25.1.1\n".encode()
    lines = r.lines
    rest = lines[lines.index("Enter a period (.) to cancel a command.") + 1:]
    assert rest == [
        "whoami", NAME, "You have messages.",
        "ask", "Pick a colour: blue", "you picked blue",
        "ask", "Pick a colour: .", "cancelled",
        "apimode", "api text",
    ]
    assert ("heartbeat answer", bnet.BNET_HB_RESPONSE) in d.received
    assert ("answer", ".") in d.received
    # end of input: BNET_TERMINATE, then the connection is closed
    assert d.received[-1] == bnet.BNET_TERMINATE


def test_director_terminates_session(scripted, run_bconsole):
    d = scripted()
    r = run_bconsole(_conf(d.port), stdin="bye\nwhoami\n")
    assert r.returncode == 0, r.stderr
    d.thread.join(10)
    rest = r.lines[r.lines.index("Enter a period (.) to cancel a command.") + 1:]
    assert rest == ["bye"]


def test_pam_credentials_file(scripted, run_bconsole, tmp_path):
    d = scripted(pam=True)
    creds = tmp_path / "pam.txt"
    creds.write_text("alice\ns3cret\n")
    r = run_bconsole(_conf(d.port), "-p", str(creds), "-o", stdin="bogus\n")
    assert r.returncode == 0, r.stderr
    d.thread.join(10)
    assert d.received[0] == b"4002\x1ealice\x1es3cret"
    assert "You are logged in as: toycons" in r.lines
    assert "bogus: is an invalid command." in r.lines


def test_pam_refused_without_tls(scripted, run_bconsole, tmp_path):
    d = scripted(pam=True)
    creds = tmp_path / "pam.txt"
    creds.write_text("alice\ns3cret\n")
    r = run_bconsole(_conf(d.port), "-p", str(creds), stdin="whoami\n")
    assert r.returncode == 1
    assert "Canceled because password would be sent unencrypted!" in r.lines
    assert "PAM authentication failed. Giving up." in r.lines


def test_command_timeout(run_bconsole):
    # a Director that accepts, logs in, and then never answers a command
    srv = socket.create_server(("127.0.0.1", 0))
    port = srv.getsockname()[1]
    done = threading.Event()

    def serve():
        conn, _ = srv.accept()
        bs = BSock(conn, timeout=30)
        bs.recv()
        authenticate_server(bs, cram.password_key(PASSWORD), "R_DIRECTOR::toy-dir", 0)
        bs.send(bnet.format_response_message(1000, "OK: toy-dir Version: 25.1.1 (05 December 2025)"))
        bs.send(bnet.format_response_message(1002, "Toy"))
        bs.recv()
        done.wait(30)
        bs.close()

    t = threading.Thread(target=serve, daemon=True)
    t.start()
    try:
        r = run_bconsole(_conf(port), "-u", "1", stdin="whoami\n")
    finally:
        done.set()
        t.join(10)
        srv.close()
    assert "no answer from the Director within 1 seconds" in r.stdout
    assert r.returncode == 0  # the session ended, as Bareos's bconsole ends it


def test_sigterm_ends_the_session_cleanly(scripted, tmp_path, home):
    import os
    import signal
    import subprocess
    import sys

    d = scripted()
    conf = tmp_path / "bconsole.conf"
    conf.write_text(_conf(d.port))
    p = subprocess.Popen([sys.executable, "-m", "bareos.console.bconsole", "-c", str(conf)],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         env=dict(os.environ, HOME=str(home)), text=True)
    try:
        lines = []
        while "Enter a period (.) to cancel a command." not in lines:
            line = p.stdout.readline()
            assert line, lines
            lines.append(line.rstrip("\n"))
        p.send_signal(signal.SIGTERM)
        assert p.wait(30) == 1
    finally:
        if p.poll() is None:
            p.kill()
        p.stdin.close()
        p.stdout.close()
        p.stderr.close()
    d.thread.join(10)
    assert d.received == [bnet.BNET_TERMINATE]
