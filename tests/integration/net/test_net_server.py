"""NetServer robustness, daemon-style authentication and certificate TLS on 127.0.0.1."""

import datetime
import logging
import os
import socket
import ssl
import struct
import subprocess
import sys
import threading
import time

import pytest

from tests.pki import make_pki

from bareos.lib import bnet, cram, tls
from bareos.lib.bsock import AuthenticationFailed, BSock, authenticate_client, authenticate_server, connect
from bareos.lib.netserver import NetServer

pytestmark = pytest.mark.timeout(60)
needs_psk = pytest.mark.skipif(not tls.psk_available(), reason="TLS-PSK not available")

KEY = cram.password_key("secret")


def echo_handler(bs, hello, tls_used):
    """Answer every packet with 'tls=<bool> <payload>' until EOF."""
    bs.send(b"hello " + hello.strip())
    while True:
        try:
            item = bs.recv()
        except bnet.BnetError:
            return
        if isinstance(item, int):
            return
        bs.send(b"tls=%d cipher=%s %s" % (tls_used, str(bs.tls_cipher()).encode(), item))


def psk_lookup(identity):
    return KEY if identity == b"R_CONSOLE\x1eadmin" else None


def good_client(port, use_tls=True):
    bs = connect("127.0.0.1", port, "R_CONSOLE", "admin", KEY, tls.TlsSettings(), use_tls=use_tls,
                 hello=b"Hello admin calling version 25.1.1\n", timeout=10)
    try:
        assert bs.recv() == b"hello Hello admin calling version 25.1.1"
        bs.send("ping")
        answer = bs.recv()
        assert answer.endswith(b" ping")
        return answer
    finally:
        bs.close()


def raw_connect(port):
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    return s


def read_all(s, limit=1 << 20):
    data = b""
    try:
        while len(data) < limit:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    except (ConnectionResetError, socket.timeout):
        pass
    return data


@pytest.fixture
def server(start_server):
    psk = psk_lookup if tls.psk_available() else None
    return start_server(echo_handler, psk, handshake_timeout=1.5)


def test_cleartext_and_tls_on_one_port(server):
    assert good_client(server.port, use_tls=False).startswith(b"tls=0 cipher=None")
    if tls.psk_available():
        assert good_client(server.port, use_tls=True).startswith(b"tls=1 cipher=(")


def test_garbage_peer_is_dropped_and_logged(server, caplog):
    caplog.set_level(logging.INFO, logger="bareos.lib.netserver")
    s = raw_connect(server.port)
    s.sendall(b"GET / HTTP/1.0\r\n\r\n")
    local = "%s:%d" % s.getsockname()[:2]
    read_all(s)
    s.close()
    good_client(server.port, use_tls=False)
    assert any(local in r.getMessage() for r in caplog.records)


def test_oversized_packet_gets_terminate(server):
    s = raw_connect(server.port)
    s.sendall(struct.pack("!i", 2_000_000) + b"Hello " + b"x" * 100)
    assert read_all(s) == bnet.encode_signal(bnet.BNET_TERMINATE)
    s.close()
    good_client(server.port, use_tls=False)


@pytest.mark.parametrize("payload", [b"Hello x\n", b"Hello " + b"y" * 200 + b" calling\n"])
def test_hello_outside_limits_gets_terminate(server, payload):
    s = raw_connect(server.port)
    s.sendall(bnet.encode_packet(payload))
    assert read_all(s) == bnet.encode_signal(bnet.BNET_TERMINATE)
    s.close()


def test_stall_in_the_middle_of_the_hello_packet_is_dropped(server):
    s = raw_connect(server.port)
    s.sendall(struct.pack("!i", 20) + b"Hello abc")  # looks cleartext, then stalls mid-packet
    assert read_all(s) == b""  # dropped after the handshake timeout
    s.close()


@pytest.mark.parametrize("stall", [b"", b"\x16\x03", b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03"])
def test_stalling_peer_does_not_block_others(server, stall):
    s = raw_connect(server.port)
    if stall:
        s.sendall(stall)
    time.sleep(0.1)
    # the stalled peer is still pending while another client gets served
    assert server.active_connections >= 1
    good_client(server.port, use_tls=False)
    if tls.psk_available():
        good_client(server.port, use_tls=True)
    assert read_all(s) == b""  # dropped after the handshake timeout
    s.close()


@needs_psk
def test_unknown_identity_and_wrong_key_fail_tls(server):
    with pytest.raises(ssl.SSLError):
        connect("127.0.0.1", server.port, "R_CONSOLE", "nobody", KEY, tls.TlsSettings())
    with pytest.raises(ssl.SSLError):
        bs = connect("127.0.0.1", server.port, "R_CONSOLE", "admin", cram.password_key("bad"), tls.TlsSettings(),
                     hello=b"Hello admin calling\n")
        bs.recv()  # TLS 1.3: the failure may show on the first read
    good_client(server.port)


def test_cleartext_only_server_drains_client_hello(start_server):
    srv = start_server(echo_handler)
    s = raw_connect(srv.port)
    s.sendall(b"\x16\x03\x01\x00\x50" + b"\x01" * 0x50)
    assert read_all(s) == b""  # orderly close (FIN), no reset
    s.close()


def test_ipv6_and_several_addresses(start_server):
    try:
        probe = socket.socket(socket.AF_INET6)
        probe.bind(("::1", 0))
        probe.close()
    except OSError:
        pytest.skip("no IPv6 loopback")
    srv = NetServer([("127.0.0.1", 0), ("::1", 0)], echo_handler).start()
    try:
        assert len(srv.ports) == 2 and all(srv.ports)
        good_client(srv.ports[0], use_tls=False)
        bs = BSock(socket.create_connection(("::1", srv.ports[1]), timeout=10))
        bs.send(b"Hello admin calling\n")
        assert bs.recv() == b"hello Hello admin calling"
        bs.close()
    finally:
        srv.shutdown()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", srv.ports[0]), timeout=2)


# ---------------------------------------------------------------------------
# daemon-style mutual CRAM-MD5 with the lib helpers
# ---------------------------------------------------------------------------


def daemon_handler(own_name):
    def handler(bs, hello, tls_used):
        h = bnet.parse_hello(hello)
        try:
            remote = authenticate_server(bs, KEY, own_name, 2)
        except AuthenticationFailed:
            return
        bs.send(f"2000 OK Hello 54 {h.kind.value} {h.name} remote={remote} tls={int(tls_used)}\n")

    return handler


def dir_psk(identity):
    return KEY if identity.startswith(b"R_DIRECTOR\x1e") else None


@pytest.mark.parametrize("use_tls", [False, pytest.param(True, marks=needs_psk)])
def test_director_to_fd_authentication(start_server, use_tls):
    srv = start_server(daemon_handler("R_CLIENT::my-fd"), dir_psk if tls.psk_available() else None,
                       hello_limits=(25, 500))
    hello = bnet.make_hello(bnet.HelloKind.DIRECTOR, "my dir", version="25.1.1")
    bs = connect("127.0.0.1", srv.port, "R_DIRECTOR", "my dir", KEY, tls.TlsSettings(), hello=hello,
                 use_tls=use_tls, timeout=10)
    remote = authenticate_client(bs, KEY, cram.qualified_name("R_DIRECTOR", "my dir"), 1)
    assert remote == 2
    assert bs.recv() == b"2000 OK Hello 54 director my dir remote=1 tls=%d\n" % use_tls
    bs.close()


def test_replayed_own_name_is_refused(start_server):
    srv = start_server(daemon_handler("R_CLIENT::my-fd"), hello_limits=(25, 500))
    hello = bnet.make_hello(bnet.HelloKind.DIRECTOR, "dir")
    bs = connect("127.0.0.1", srv.port, "R_DIRECTOR", "dir", KEY, None, hello=hello, timeout=10)
    with pytest.raises(AuthenticationFailed):
        authenticate_client(bs, KEY, "R_CLIENT::my-fd", 0)  # challenges with the server's own name
    bs.close()


def test_storage_to_storage_same_name_is_allowed(start_server):
    srv = start_server(daemon_handler("R_STORAGE::sd"), hello_limits=(25, 500))
    hello = bnet.make_hello(bnet.HelloKind.START_STORAGE_JOB, "job.2025-01-01_00.00.00_01")
    bs = connect("127.0.0.1", srv.port, "R_JOB", "job", KEY, None, hello=hello, timeout=10)
    assert authenticate_client(bs, KEY, "R_STORAGE::sd", 0) == 2
    assert bs.recv().startswith(b"2000 OK Hello 54 start-storage-job job.2025-01-01_00.00.00_01")
    bs.close()


def test_wrong_key_both_directions(start_server):
    srv = start_server(daemon_handler("R_CLIENT::fd"), hello_limits=(25, 500))
    bs = connect("127.0.0.1", srv.port, "R_DIRECTOR", "d", KEY, None,
                 hello=bnet.make_hello(bnet.HelloKind.DIRECTOR, "dir-name"), timeout=10)
    with pytest.raises(AuthenticationFailed, match="refused"):
        authenticate_client(bs, cram.password_key("other"), "R_DIRECTOR::dir-name", 0)
    bs.close()


# ---------------------------------------------------------------------------
# certificate TLS
# ---------------------------------------------------------------------------


@pytest.fixture
def pki(tmp_path):
    return make_pki(tmp_path)


def cert_client(port, pki, cn, psk_key=None):
    settings = tls.TlsSettings(
        certificate=pki.get(cn + ".crt") if cn else None, key=pki.get(cn + ".key") if cn else None,
        ca_certificate_file=pki["ca"], verify_peer=True, allowed_cn=["server.test"],
    )
    bs = connect("127.0.0.1", port, "R_CONSOLE", "admin", psk_key, settings,
                 hello=b"Hello admin calling version 25.1.1\n", timeout=10, use_tls=True)
    try:
        assert bs.recv() == b"hello Hello admin calling version 25.1.1"
        bs.send("ping")
        return bs.recv(), bs.sock.getpeercert()
    finally:
        bs.close()


@pytest.fixture
def cert_server(start_server, pki):
    settings = tls.TlsSettings(
        certificate=pki["server.test.crt"], key=pki["server.test.key"], ca_certificate_file=pki["ca"],
        verify_peer=True, allowed_cn=["client-ok", "client-revoked"], crl=pki["crl"],
    )
    return start_server(echo_handler, psk_lookup if tls.psk_available() else None, settings, handshake_timeout=5)


def test_certificate_tls_verify_peer_and_allowed_cn(cert_server, pki):
    answer, server_cert = cert_client(cert_server.port, pki, "client-ok")
    assert answer.startswith(b"tls=1") and answer.endswith(b" ping")
    assert dict(x[0] for x in server_cert["subject"])["commonName"] == "server.test"


@pytest.mark.parametrize("cn", ["client-bad", "client-revoked", None])
def test_certificate_refused(cert_server, pki, cn):
    # not in TLS Allowed CN / revoked by the CRL / no client certificate at all
    with pytest.raises((ssl.SSLError, bnet.ConnectionClosed, ConnectionResetError, BrokenPipeError)):
        cert_client(cert_server.port, pki, cn)
    assert cert_client(cert_server.port, pki, "client-ok")[0].endswith(b" ping")


@needs_psk
def test_psk_client_on_certificate_server(start_server, pki):
    """Certificates without TLS Verify Peer: a PSK client still gets in."""
    settings = tls.TlsSettings(certificate=pki["server.test.crt"], key=pki["server.test.key"],
                               ca_certificate_file=pki["ca"], allowed_cn=["client-ok"])
    srv = start_server(echo_handler, psk_lookup, settings, handshake_timeout=5)
    assert good_client(srv.port).startswith(b"tls=1")


@needs_psk
def test_psk_client_refused_where_allowed_cn_is_verified(cert_server, pki):
    """TLS Verify Peer + TLS Allowed CN: a PSK session has no certificate to
    check, so it is refused (as Bareos's TlsPostconnectVerifyCn does)."""
    with pytest.raises((ssl.SSLError, bnet.ConnectionClosed, ConnectionResetError, BrokenPipeError)):
        good_client(cert_server.port)
    assert cert_client(cert_server.port, pki, "client-ok")[0].endswith(b" ping")


def test_client_refuses_untrusted_server(start_server, pki, tmp_path):
    other = make_pki(tmp_path / "other" if (tmp_path / "other").mkdir() is None else tmp_path)
    srv = start_server(echo_handler, None, tls.TlsSettings(certificate=other["server.test.crt"],
                                                          key=other["server.test.key"]))
    with pytest.raises(ssl.SSLError):
        cert_client(srv.port, pki, "client-ok")


# ---------------------------------------------------------------------------
# the other interpreter (3.13 stdlib PSK vs 3.11 sslpsk3) as a client
# ---------------------------------------------------------------------------

OTHER_PYTHONS = [p for p in os.environ.get("BAREOS_OTHER_PYTHONS", "/work/.venv313/bin/python:/work/.venv311/bin/python").split(":") if p]


@needs_psk
@pytest.mark.parametrize("python", OTHER_PYTHONS)
def test_other_interpreter_client(director, python):
    if not os.path.exists(python) or os.path.realpath(python) == os.path.realpath(sys.executable):
        pytest.skip("interpreter not present or the current one")
    code = (
        "import bareos.bsock, sys\n"
        "c = bareos.bsock.DirectorConsole(address='127.0.0.1', port=int(sys.argv[1]), name='tlsreq',"
        " password='secret', tls_psk_require=True)\n"
        "print(c.call('whoami').decode().strip(), c.get_cipher()[1])\n"
    )
    src = os.path.join(os.path.dirname(__file__), "..", "..", "..", "src")
    env = dict(os.environ, PYTHONPATH=os.path.abspath(src))
    out = subprocess.run([python, "-c", code, str(director.port)], capture_output=True, text=True, env=env,
                         timeout=30)
    if out.returncode and "No module named" in out.stderr:
        pytest.skip(f"{python} cannot import the project: {out.stderr.strip()[-200:]}")
    assert out.returncode == 0, out.stderr
    name, version = out.stdout.split()
    assert name == "tlsreq" and version in ("TLSv1.2", "TLSv1.3")
