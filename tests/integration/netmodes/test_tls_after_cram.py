"""The handshake of daemons before 18.2 with certificates: cleartext Hello,
mutual CRAM-MD5 carrying each side's ``ssl=N``, then -- both sides having TLS
enabled -- a certificate TLS handshake inside the authenticated connection
(the accepting side is the TLS server).  Bareos 25 still does this on a
cleartext connection (TwoWayAuthenticate -> DoTlsHandshake).

* The Director reaches an old-style FD (written here: it reads a TLS
  ClientHello as a bad packet and hangs up, as FDs before 18.2 do) by probing
  and then starts TLS after CRAM-MD5 with its Client resource's certificates.
* Our FD accepts an old-style Director (written here) the same way, with the
  certificates of its Director resource.
"""

from __future__ import annotations

import socket
import ssl
import struct
import threading
import time

import pytest

from bareos.lib import bnet, cram, tls
from bareos.lib.bsock import BSock, authenticate_client

from tests.pki import make_pki

from .conftest import make_tree, needs_psk

NOT_ALLOWED = "did not match a required commonName"


@pytest.fixture
def pki(tmp_path):
    d = tmp_path / "pki"
    d.mkdir()
    return make_pki(d, extra_cns=("bareos-dir", "bareos-fd"))


def _cert(pki, cn, *allowed):
    return (f'  TLS Certificate = "{pki[cn + ".crt"]}"\n  TLS Key = "{pki[cn + ".key"]}"\n'
            f'  TLS CA Certificate File = "{pki["ca"]}"\n  TLS Verify Peer = yes\n'
            + "".join(f'  TLS Allowed CN = "{a}"\n' for a in allowed))


# -- an old-style File Daemon ----------------------------------------------------------

def _read_exact(conn, n):
    buf = b""
    while len(buf) < n:
        chunk = conn.recv(n - len(buf))
        if not chunk:
            raise ConnectionError("closed")
        buf += chunk
    return buf


def _recv(conn):
    (n,) = struct.unpack(">i", _read_exact(conn, 4))
    if n < 0:
        return n
    if n > 100_000:
        raise ValueError(f"bad packet length {n}")
    return _read_exact(conn, n)


def _send(conn, data):
    data = data.encode() if isinstance(data, str) else data
    conn.sendall(struct.pack(">i", len(data)) + data)


class OldFileDaemon:
    """Speaks as a File Daemon before 18.2 with TLS certificates (ssl=2)."""

    def __init__(self, pki, password: str, cn: str = "bareos-fd") -> None:
        self.key = cram.password_key(password)
        self.ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.ctx.load_cert_chain(pki[cn + ".crt"], pki[cn + ".key"])
        self.ctx.load_verify_locations(pki["ca"])
        self.ctx.verify_mode = ssl.CERT_REQUIRED
        self.lsock = socket.create_server(("127.0.0.1", 0))
        self.port = self.lsock.getsockname()[1]
        self.events: list[str] = []
        self.stopping = False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.lsock.accept()
            except OSError:
                return
            if self.stopping:
                conn.close()
                return
            conn.settimeout(20)
            try:
                self._session(conn)
            except (OSError, ValueError, ssl.SSLError) as exc:
                self.events.append(f"dropped: {exc}")
            finally:
                conn.close()

    def _session(self, conn):
        hello = _recv(conn)   # a TLS ClientHello gives a bad length: ValueError, hang up
        assert isinstance(hello, bytes) and hello.startswith(b"Hello Director bareos-dir calling")
        self.events.append("cleartext hello")
        # challenge the Director, then answer its challenge (FD side of CRAM-MD5)
        token = cram.challenge("bareos-fd")
        _send(conn, cram.challenge_line(token, 2, True))
        if not cram.verify(self.key, token, _recv(conn)):
            _send(conn, cram.AUTH_FAILED)
            return
        _send(conn, cram.AUTH_OK)
        ch = cram.parse_challenge_line(_recv(conn))
        _send(conn, cram.response(self.key, ch.token, ch.compatible).encode() + b"\0")
        verdict = _recv(conn)
        assert verdict.rstrip(b"\0") == cram.AUTH_OK, verdict
        self.events.append(f"director ssl={ch.tls_policy}")
        tconn = self.ctx.wrap_socket(conn, server_side=True)
        cns = [v for rdn in tconn.getpeercert()["subject"] for k, v in rdn if k == "commonName"]
        if cns != ["bareos-dir"]:
            self.events.append(f"refused CN {cns}")
            return
        self.events.append("tls " + tconn.cipher()[0])
        _send(tconn, "2000 OK Hello\n")
        cmd = _recv(tconn)
        self.events.append(f"command {cmd!r}")
        _send(tconn, "old-fd Version: 17.2.7 status text\n")
        tconn.sendall(struct.pack(">i", bnet.BNET_EOD))
        try:
            _recv(tconn)
        except (OSError, ValueError):
            pass

    def close(self):
        self.stopping = True
        try:
            self.lsock.shutdown(socket.SHUT_RDWR)  # wakes the accept() of the thread
        except OSError:
            pass
        self.lsock.close()
        self.thread.join(30)


def _director_site(site_factory, tmp_path, pki, fd_port, client_cn="bareos-dir"):
    src = tmp_path / "data"
    src.mkdir()
    make_tree(src)
    return site_factory(src, fd_port=fd_port,
                        client_extra="  TLS Require = no\n" + _cert(pki, client_cn, "bareos-fd"))


@needs_psk
def test_director_starts_tls_after_cram_with_an_old_fd(site_factory, tmp_path, pki):
    fd = OldFileDaemon(pki, "net-fd-pw")
    try:
        site = _director_site(site_factory, tmp_path, pki, fd.port)
        site.start(which=("bareos-dir",))
        con = site.console()
        try:
            out = con.call("status client=bareos-fd").decode()
        finally:
            con.close()
    finally:
        fd.close()
    assert "old-fd Version: 17.2.7 status text" in out, (out, fd.events, site.log_text("bareos-dir"))
    assert "Handshake: Cleartext, Encryption: " in out and "Encryption: None" not in out, out
    assert "director ssl=1" in fd.events and any(e.startswith("tls ") for e in fd.events), fd.events
    assert "TLS started after CRAM-MD5" in site.log_text("bareos-dir")


@needs_psk
def test_director_refuses_an_old_fd_whose_cn_is_not_allowed(site_factory, tmp_path, pki):
    fd = OldFileDaemon(pki, "net-fd-pw", cn="client-bad")
    try:
        site = _director_site(site_factory, tmp_path, pki, fd.port)
        site.start(which=("bareos-dir",))
        con = site.console()
        try:
            out = con.call("status client=bareos-fd").decode()
        finally:
            con.close()
    finally:
        fd.close()
    assert "Failed to connect to Client bareos-fd" in out, out
    assert "old-fd" not in out
    log = site.log_text("bareos-dir")
    assert "TLS negotiation after CRAM-MD5 failed" in log and NOT_ALLOWED in log, log


# -- our File Daemon and an old-style Director --------------------------------------------

def _old_director(port, pki, cn="bareos-dir"):
    """Hello, CRAM-MD5 (ssl=1), then certificate TLS as the client; returns the status text."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=20)
    bs = BSock(sock, timeout=20)
    try:
        bs.send("Hello Director bareos-dir calling\n")
        remote = authenticate_client(bs, cram.password_key("net-fd-pw"),
                                     cram.qualified_name("R_DIRECTOR", "bareos-dir"), 1, compatible=True)
        assert remote == 2
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.load_cert_chain(pki[cn + ".crt"], pki[cn + ".key"])
        ctx.load_verify_locations(pki["ca"])
        tsock = ctx.wrap_socket(bs.sock, server_side=False)
        tb = BSock(tsock, timeout=20)
        hello = tb.recv()
        assert isinstance(hello, bytes) and hello.startswith(b"2000 OK Hello"), hello
        tb.send("status\n")
        parts = []
        while True:
            item = tb.recv()
            if isinstance(item, int):
                break
            parts.append(item.decode())
        tb.close()
        return "".join(parts)
    finally:
        bs.close()


@needs_psk
def test_fd_accepts_an_old_director_with_tls_after_cram(site_factory, tmp_path, pki):
    src = tmp_path / "data"
    src.mkdir()
    site = site_factory(src, fd_director_extra=_cert(pki, "bareos-fd", "bareos-dir"))
    site.start(which=("bareos-fd",))
    text = _old_director(int(site.values["fd_port"]), pki)
    assert "bareos-fd Version:" in text, text
    assert "TLS started after CRAM-MD5" in site.log_text("bareos-fd")
    with pytest.raises((ssl.SSLError, OSError, bnet.BnetError)):
        _old_director(int(site.values["fd_port"]), pki, cn="client-bad")
    deadline = time.time() + 20
    while NOT_ALLOWED not in site.log_text("bareos-fd") and time.time() < deadline:
        time.sleep(0.2)
    fd_log = site.log_text("bareos-fd")
    assert "TLS negotiation after CRAM-MD5 failed" in fd_log and NOT_ALLOWED in fd_log, fd_log
