"""What each side of a certificate TLS connection verifies (as Bareos 25):

* the connecting side with ``TLS Verify Peer = yes``: the server certificate's
  CN against ``TLS Allowed CN`` when that list is set, otherwise the host name
  dialled against the certificate's DNS subjectAltNames and CNs (ignoring case);
* the accepting side with ``TLS Verify Peer = yes``: the client certificate's
  CN against ``TLS Allowed CN`` (any CA-signed certificate without a list).

Real sockets on loopback, a real NetServer, certificates of tests/pki.py.
"""

from __future__ import annotations

import ssl

import pytest

from bareos.lib import bnet, bsock, tls
from bareos.lib.netserver import NetServer

from tests.pki import make_pki

REFUSED = (ssl.SSLError, tls.TlsError, bnet.BnetError, ConnectionResetError, BrokenPipeError)


@pytest.fixture
def pki(tmp_path):
    return make_pki(tmp_path, extra_cns=("localhost", "Bareos-Dir.Example"))


def _echo(bs, hello, tls_used):
    bs.send(b"tls=%d %s" % (int(tls_used), hello))


@pytest.fixture
def server_factory():
    servers = []

    def make(settings):
        srv = NetServer([("127.0.0.1", 0)], _echo, None, settings, handshake_timeout=5).start()
        servers.append(srv)
        return srv

    yield make
    for srv in servers:
        srv.shutdown()


def _server_settings(pki, cn, **kw):
    return tls.TlsSettings(certificate=pki[cn + ".crt"], key=pki[cn + ".key"], ca_certificate_file=pki["ca"], **kw)


def _call(host, port, settings):
    bs = bsock.connect(host, port, "R_DIRECTOR", "bareos-dir", None, settings,
                       hello=b"Hello Director bareos-dir calling\n", timeout=10, use_tls=True)
    try:
        return bs.recv()
    finally:
        bs.close()


def _client(pki, cn="client-ok", **kw):
    return tls.TlsSettings(certificate=pki[cn + ".crt"], key=pki[cn + ".key"], ca_certificate_file=pki["ca"],
                           verify_peer=True, **kw)


def test_client_checks_the_host_name_dialled_when_no_allowed_cn(server_factory, pki):
    srv = server_factory(_server_settings(pki, "localhost"))
    assert _call("localhost", srv.port, _client(pki)).startswith(b"tls=1 Hello Director")
    with pytest.raises(tls.TlsError, match='Host name "127.0.0.1" did not match presented certificate'):
        _call("127.0.0.1", srv.port, _client(pki))


def test_host_name_is_compared_ignoring_case_against_cn_and_dns_names(server_factory, pki):
    srv = server_factory(_server_settings(pki, "Bareos-Dir.Example"))
    name = "bareos-dir.example"
    # the test cannot resolve that name, so check the function on a live session
    raw = bsock.connect("127.0.0.1", srv.port, "R_DIRECTOR", "x", None,
                        _client(pki, allowed_cn=["Bareos-Dir.Example"]),
                        hello=b"Hello Director x calling\n", timeout=10, use_tls=True)
    try:
        tls.check_host(raw.sock, name)
        tls.check_host(raw.sock, name.upper())
        with pytest.raises(tls.TlsError, match="did not match"):
            tls.check_host(raw.sock, "other.example")
    finally:
        raw.close()


def test_allowed_cn_replaces_the_host_check(server_factory, pki):
    srv = server_factory(_server_settings(pki, "server.test"))
    ok = _client(pki, allowed_cn=["server.test"])
    assert _call("127.0.0.1", srv.port, ok).startswith(b"tls=1")
    with pytest.raises(tls.TlsError, match="did not match a required commonName"):
        _call("127.0.0.1", srv.port, _client(pki, allowed_cn=["bareos-sd"]))


def test_without_verify_peer_nothing_is_checked(server_factory, pki):
    srv = server_factory(_server_settings(pki, "server.test"))
    settings = tls.TlsSettings(certificate=pki["client-ok.crt"], key=pki["client-ok.key"],
                               ca_certificate_file=pki["ca"], allowed_cn=["someone-else"])
    assert _call("127.0.0.1", srv.port, settings).startswith(b"tls=1")


def test_server_checks_the_client_cn_against_allowed_cn(server_factory, pki):
    srv = server_factory(_server_settings(pki, "localhost", verify_peer=True, allowed_cn=["client-ok"]))
    assert _call("localhost", srv.port, _client(pki, "client-ok")).startswith(b"tls=1")
    with pytest.raises(REFUSED):
        _call("localhost", srv.port, _client(pki, "client-bad"))


def test_server_without_allowed_cn_takes_any_certificate_of_its_ca(server_factory, pki, tmp_path):
    srv = server_factory(_server_settings(pki, "localhost", verify_peer=True))
    assert _call("localhost", srv.port, _client(pki, "client-bad")).startswith(b"tls=1")
    other = tmp_path / "other"
    other.mkdir()
    foreign = make_pki(other)
    stranger = tls.TlsSettings(certificate=foreign["client-ok.crt"], key=foreign["client-ok.key"],
                               ca_certificate_file=pki["ca"], verify_peer=True)
    with pytest.raises(REFUSED):
        _call("localhost", srv.port, stranger)


def test_verify_peer_client_uses_certificate_tls_not_psk(server_factory, pki):
    """A client with TLS Verify Peer but no certificate of its own still
    insists on the server's certificate (a PSK session has none to check)."""
    srv = server_factory(_server_settings(pki, "localhost"))
    settings = tls.TlsSettings(ca_certificate_file=pki["ca"], verify_peer=True)
    bs = bsock.connect("localhost", srv.port, "R_DIRECTOR", "bareos-dir", "secret", settings,
                       hello=b"Hello Director bareos-dir calling\n", timeout=10, use_tls=True)
    try:
        assert bs.recv().startswith(b"tls=1")
        assert bs.sock.getpeercert()["subject"]
    finally:
        bs.close()
