"""TLS handshakes that must not hang, and the old-style client whose storage
side requires TLS -- on loopback."""

from __future__ import annotations

import socket
import ssl
import threading

import pytest

from bareos.lib import bsock, tls

from .conftest import make_tree, needs_psk

pytestmark = needs_psk


class _Server:
    """Accepts one connection, reads what the client sends, then *stall*s or closes."""

    def __init__(self, stall: bool) -> None:
        self.lsock = socket.create_server(("127.0.0.1", 0))
        self.port = self.lsock.getsockname()[1]
        self.stall = stall
        self.got = b""
        self.release = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        conn, _ = self.lsock.accept()
        conn.settimeout(5)
        try:
            self.got = conn.recv(4096)
            if self.stall:
                self.release.wait(30)
        finally:
            conn.close()
            self.lsock.close()


@pytest.mark.parametrize("stall", [False, True], ids=["server-drops", "server-stalls"])
def test_client_tls_handshake_never_hangs(stall):
    """The server reads our ClientHello as an old FD would (a bad Hello) and
    drops or ignores it: the TLS-PSK client handshake fails with an error."""
    srv = _Server(stall)
    sock = socket.create_connection(("127.0.0.1", srv.port))
    sock.settimeout(None)  # no timeout of its own: the handshake bound applies
    try:
        with pytest.raises((ssl.SSLError, OSError)):
            tls.client_wrap(sock, tls.TlsSettings(), b"R_DIRECTOR\x1ebareos-dir", b"0" * 32,
                            handshake_timeout=1.0)
    finally:
        srv.release.set()
        sock.close()
        srv.thread.join(10)
    assert srv.got[:1] == b"\x16"  # it was a TLS ClientHello


def test_bsock_connect_to_a_cleartext_only_port_fails_fast():
    """bsock.connect with TLS against a port that does not speak TLS raises."""
    from bareos.lib.netserver import NetServer

    srv = NetServer([("127.0.0.1", 0)], lambda bs, hello, t: None).start()
    try:
        with pytest.raises((ssl.SSLError, OSError)):
            bsock.connect("127.0.0.1", srv.port, "R_DIRECTOR", "bareos-dir", "pw", tls.TlsSettings(),
                          hello="Hello Director bareos-dir calling\n", connect_timeout=15)
    finally:
        srv.shutdown()


def test_old_style_client_with_a_tls_requiring_storage_fails_cleanly(site_factory, tmp_path):
    """An FD configured as before 18.2 cannot reach an SD that requires TLS:
    the Director reaches the FD by probing, the SD refuses the cleartext FD,
    and the job ends in error (it does not hang waiting for the SD)."""
    src = tmp_path / "data"
    src.mkdir()
    make_tree(src)
    off = "  TLS Enable = no\n  TLS Require = no\n"
    site = site_factory(src, client_extra="  TLS Require = no\n", fd_extra=off, fd_director_extra=off)
    site.start()
    con = site.console()
    try:
        _, status, log = site.run_job(con, "run job=backup yes", timeout=120)
        assert status in ("f", "E"), log
        assert "Handshake: Cleartext" in log, log
        assert "TLS policies do not allow this cleartext connection" in site.log_text("bareos-sd")
        # the Director keeps serving: the next job runs and fails the same way
        _, status2, _ = site.run_job(con, "run job=backup yes", timeout=120)
        assert status2 in ("f", "E")
    finally:
        con.close()
