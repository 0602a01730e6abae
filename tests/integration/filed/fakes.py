"""A Director and a Storage Daemon played by the tests, strictly by the protocol
(daemon-protocols.md §1.2, §1.3, §2.1, Appendix A), against a real bareos-fd
on 127.0.0.1."""

from __future__ import annotations

import socket
import ssl
import threading

from bareos.lib import bnet, cram, tls
from bareos.lib.bnet import HelloKind
from bareos.lib.bsock import BSock, authenticate_client, authenticate_server, connect
from bareos.lib.config import load_config_text
from bareos.filed.config import SCHEMA
from bareos.filed.daemon import FileDaemon

DIR_NAME = "test-dir"
DIR_PASSWORD = "fd-secret"
JOB = "backup-test.2026-11-22_00.36.36_03"
KEY = "JMJH-ANIF-HAJM-FDCA-HFHN-BHNF-HLHD-AGLF"


def fd_config(extra: str = "") -> str:
    return f"""
Client {{
  Name = test-fd
  FD Address = 127.0.0.1
  FD Port = 0
  Messages = Standard
}}
Director {{
  Name = {DIR_NAME}
  Password = "{DIR_PASSWORD}"
}}
Director {{
  Name = test-mon
  Password = "mon-secret"
  Monitor = yes
}}
Director {{
  Name = cleartext-dir
  Password = "clear-secret"
  TLS Enable = no
  TLS Require = no
}}
Messages {{
  Name = Standard
  Director = {DIR_NAME} = all, !skipped, !restored
}}
{extra}
"""


def start_fd(extra: str = "") -> FileDaemon:
    return FileDaemon(load_config_text(fd_config(extra), SCHEMA)).start()


class FakeDirector:
    """The Director side of one FD connection."""

    def __init__(self, port: int, name: str = DIR_NAME, password: str = DIR_PASSWORD,
                 use_tls: bool = True) -> None:
        key = cram.password_key(password)
        settings = tls.TlsSettings() if use_tls else tls.TlsSettings.disabled()
        self.bs = connect("127.0.0.1", port, "R_DIRECTOR", name, key, settings,
                          hello=bnet.make_hello(HelloKind.DIRECTOR, name, "25.1.1"), timeout=60)
        authenticate_client(self.bs, key, cram.qualified_name("R_DIRECTOR", name), settings.policy())
        self.hello_reply = self.bs.recv()
        self.messages: list[bytes] = []   # Jmsg lines seen

    def send(self, text) -> None:
        self.bs.send(text)

    def reply(self) -> bytes | int:
        """Next message that is not a Jmsg/heartbeat (Jmsg lines are collected)."""
        while True:
            item = self.bs.recv()
            if item == bnet.BNET_HEARTBEAT:
                continue
            if isinstance(item, bytes) and item.startswith(b"Jmsg"):
                self.messages.append(item)
                continue
            return item

    def until_signal(self) -> list[bytes]:
        out = []
        while True:
            item = self.reply()
            if isinstance(item, int):
                return out
            out.append(item)

    def fileset(self, items: list[str]) -> bytes:
        self.send("fileset\n")
        for it in items:
            self.send(it.encode("utf-8", "surrogateescape"))
        self.bs.signal(bnet.BNET_EOD)
        return self.reply()

    def close(self) -> None:
        self.bs.close()


class FakeSD:
    """A one-session Storage Daemon: accepts the FD, authenticates with the job
    key (TLS-PSK first when *use_tls*), then serves an append or a read session."""

    def __init__(self, job: str = JOB, key: str = KEY, use_tls: bool = False,
                 records_to_send: list | None = None) -> None:
        self.job = job
        self.key = key
        self.use_tls = use_tls
        self.records: list[tuple[int, int, bytes]] = []
        self.records_to_send = records_to_send
        self.log: list = []
        self.error: BaseException | None = None
        self.hello = b""
        self.lsock = socket.socket()
        self.lsock.bind(("127.0.0.1", 0))
        self.lsock.listen(1)
        self.port = self.lsock.getsockname()[1]
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _psk(self, identity: bytes) -> bytes | None:
        if identity == tls.psk_identity("R_JOB", self.job):
            return self.key.encode()
        return None

    def _run(self) -> None:
        try:
            conn, _ = self.lsock.accept()
            if self.use_tls:
                ctx = tls.server_context(tls.TlsSettings(), self._psk)
                conn.settimeout(30)
                conn = tls.server_wrap(conn, ctx)
            bs = BSock(conn, timeout=60)
            self.tls_used = bs.tls_used
            self.hello = bs.recv()
            authenticate_server(bs, self.key.encode(), "R_STORAGE::test-sd",
                                tls.TLS_POLICY_REQUIRED if self.use_tls else 0)
            if self.records_to_send is None:
                self._append(bs)
            else:
                self._read(bs)
            bs.close()
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            self.error = exc
        finally:
            self.lsock.close()

    def _expect(self, bs, want: bytes) -> None:
        got = bs.recv()
        self.log.append(got)
        if got != want:
            raise AssertionError(f"fake SD expected {want!r}, got {got!r}")

    def _append(self, bs) -> None:
        self._expect(bs, b"append open session\n")
        bs.send(b"3000 OK open ticket = 1\n")
        self._expect(bs, b"append data 1\n")
        bs.send(b"3000 OK data\n")
        last_fi = 0
        while True:
            head = bs.recv()
            if head == bnet.BNET_EOD:
                break
            assert isinstance(head, bytes), head
            fi_s, stream_s, info = head.decode().split(" ")
            fi, stream = int(fi_s), int(stream_s)
            assert info == "0"
            assert fi in (last_fi, last_fi + 1), (last_fi, fi)
            last_fi = fi
            while True:
                item = bs.recv()
                if item == bnet.BNET_EOD:
                    break
                assert isinstance(item, bytes), item
                self.records.append((fi, stream, item))
        bs.send(b"3000 OK append data\n")
        self._expect(bs, b"append end session 1\n")
        bs.send(b"3000 OK end\n")
        self._expect(bs, b"append close session 1\n")
        bs.send(b"3000 OK close Status = 84\n")
        bs.signal(bnet.BNET_EOD)
        self.final = bs.recv()

    def _read(self, bs) -> None:
        line = bs.recv()
        self.log.append(line)
        assert line.startswith(b"read open session = DummyVolume "), line
        bs.send(b"3000 OK open ticket = 2\n")
        self._expect(bs, b"read data 2\n")
        bs.send(b"3000 OK data\n")
        for fi, stream, data in self.records_to_send:
            bs.send(b"rechdr 1 1780000000 %d %d %d" % (fi, stream, len(data)))
            bs.send(data)
        bs.signal(bnet.BNET_EOD)
        self._expect(bs, b"read close session 2\n")
        bs.send(b"3000 OK close Status = 84\n")
        bs.signal(bnet.BNET_EOD)
        self.final = bs.recv()

    def join(self) -> None:
        self.thread.join(60)
        if self.error is not None:
            raise self.error


def run_backup(fd_port: int, items: list[str], level: str = "level = full  mtime_only=0 \n",
               use_tls: bool = False, accurate: list[bytes] | None = None, since: int | None = None):
    """One backup job; returns (FakeDirector, FakeSD, end job line)."""
    sd = FakeSD(use_tls=use_tls)
    d = FakeDirector(fd_port)
    assert d.hello_reply == b"2000 OK Hello 54\n"
    d.send(f"JobId=7 Job={JOB} SDid=1 SDtime=1780000000 Authorization={KEY} ssl={4 if use_tls else 0}\n")
    r = d.reply()
    assert r.startswith(b"2000 OK Job 25.1.1 ("), r
    if since is not None:
        # Incremental/Differential: the level word gets no reply, the since time does
        d.send(level if "incremental" in level or "differential" in level
               else b"level = incremental  mtime_only=0 \n")
        d.send(f"level = since_utime {since} mtime_only=0 prev_job=prev.job\n")
        for _ in range(10):
            assert d.bs.recv() == bnet.BNET_BTIME
            import time
            d.send(f"btime {time.time_ns() // 1000}\n")
        assert d.bs.recv() == bnet.BNET_EOD
        assert d.reply() == b"2000 OK level\n"
    else:
        d.send(level)
        assert d.reply() == b"2000 OK level\n"
    assert d.fileset(items) == b"2000 OK include\n"
    d.send("getSecureEraseCmd\n")
    assert d.reply() == b"2000 OK FDSecureEraseCmd *None*\n"
    if accurate is not None:
        d.send(f"accurate files={len(accurate)}\n")
        for m in accurate:
            d.send(m)
        d.bs.signal(bnet.BNET_EOD)
    d.send(f"storage address=127.0.0.1 port={sd.port} ssl={4 if use_tls else 0}\n")
    assert d.reply() == b"2000 OK storage\n"
    d.send("backup FileIndex=0\n")
    assert d.reply() == b"2000 OK backup\n"
    end = d.reply()
    term = d.reply()
    assert term == bnet.BNET_TERMINATE, term
    sd.join()
    d.close()
    return d, sd, end
