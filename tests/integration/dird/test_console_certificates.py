"""Consoles over certificate TLS: the Director's TLS Certificate/Key/CA,
TLS Verify Peer and TLS Allowed CN, as a certificate-configured bconsole uses them."""

from __future__ import annotations

import socket
import ssl

import pytest

from bareos.dird.config import SCHEMA
from bareos.dird.director import Director
from bareos.lib import bnet, cram, tls
from bareos.lib.bsock import AuthenticationFailed, BSock, authenticate_client
from bareos.lib.config import load_config

from tests.conftest import DIR_PASSWORD, write_director_config
from tests.pki import make_pki


@pytest.fixture
def cert_director(tmp_path):
    (tmp_path / "pki").mkdir()
    pki = make_pki(tmp_path / "pki")
    etc = write_director_config(tmp_path)
    dconf = etc / "bareos-dir.d" / "director" / "bareos-dir.conf"
    text = dconf.read_text().rstrip().rstrip("}")
    text += (f'  TLS Certificate = "{pki["server.test.crt"]}"\n'
             f'  TLS Key = "{pki["server.test.key"]}"\n'
             f'  TLS CA Certificate File = "{pki["ca"]}"\n'
             "  TLS Verify Peer = yes\n"
             '  TLS Allowed CN = "client-ok"\n}\n')
    dconf.write_text(text)
    d = Director(load_config(str(etc), SCHEMA), config_path=str(etc))
    d.start([("127.0.0.1", 0)])
    yield d, pki
    d.shutdown()


def cert_login(director, pki, cn: str) -> str:
    settings = tls.TlsSettings(certificate=pki[f"{cn}.crt"], key=pki[f"{cn}.key"],
                               ca_certificate_file=pki["ca"], verify_peer=True)
    sock = socket.create_connection(("127.0.0.1", director.port), timeout=10)
    ssock = tls.client_wrap(sock, settings, None, None)
    bs = BSock(ssock, timeout=10)
    try:
        bs.send("Hello *UserAgent* calling version 25.1.1\n")
        key = cram.password_key(DIR_PASSWORD)
        authenticate_client(bs, key, cram.qualified_name("R_CONSOLE", "*UserAgent*"), 2)
        banner = bs.recv()
        assert isinstance(banner, bytes) and banner.startswith(b"1000\x1eOK: bareos-dir")
        bs.recv()  # 1002 info
        bs.send("whoami")
        answer = bs.recv()
        assert bs.recv() == bnet.BNET_EOD
        return answer.decode()
    finally:
        bs.close()


def test_console_with_allowed_certificate(cert_director):
    director, pki = cert_director
    assert cert_login(director, pki, "client-ok") == "root\n"


def test_console_with_certificate_of_other_cn_is_refused(cert_director):
    director, pki = cert_director
    with pytest.raises((ssl.SSLError, OSError, AuthenticationFailed, bnet.BnetError)):
        cert_login(director, pki, "client-bad")


@pytest.mark.skipif(not tls.psk_available(), reason="TLS-PSK needed")
def test_psk_console_refused_where_allowed_cn_is_verified(cert_director):
    """TLS Verify Peer + TLS Allowed CN on the Director resource: a TLS-PSK
    console has no certificate to check and is refused, as in Bareos."""
    from bareos.bsock import DirectorConsole, Password

    director, _pki = cert_director
    with pytest.raises(Exception):
        con = DirectorConsole(address="127.0.0.1", port=director.port, password=Password(DIR_PASSWORD),
                              tls_psk_require=True)
        con.close()


@pytest.mark.skipif(not tls.psk_available(), reason="TLS-PSK needed")
def test_psk_consoles_still_work_beside_certificates(tmp_path):
    """Certificates on the Director without Verify Peer: PSK consoles get in."""
    from bareos.bsock import DirectorConsole, Password

    (tmp_path / "pki").mkdir()
    pki = make_pki(tmp_path / "pki")
    etc = write_director_config(tmp_path)
    dconf = etc / "bareos-dir.d" / "director" / "bareos-dir.conf"
    text = dconf.read_text().rstrip().rstrip("}")
    text += (f'  TLS Certificate = "{pki["server.test.crt"]}"\n'
             f'  TLS Key = "{pki["server.test.key"]}"\n'
             f'  TLS CA Certificate File = "{pki["ca"]}"\n}}\n')
    dconf.write_text(text)
    director = Director(load_config(str(etc), SCHEMA), config_path=str(etc))
    director.start([("127.0.0.1", 0)])
    try:
        con = DirectorConsole(address="127.0.0.1", port=director.port, password=Password(DIR_PASSWORD),
                              tls_psk_require=True)
        try:
            assert con.call("whoami").decode() == "root\n"
        finally:
            con.close()
        assert cert_login(director, pki, "client-bad") == "root\n"  # no Allowed CN check without Verify Peer
    finally:
        director.shutdown()


def _bconsole(tmp_path, port, pki, cn):
    import subprocess
    import sys

    conf = tmp_path / f"bconsole-{cn}.conf"
    conf.write_text("Director {\n  Name = bareos-dir\n  Address = 127.0.0.1\n"
                    f"  DirPort = {port}\n  Password = \"{DIR_PASSWORD}\"\n"
                    f'  TLS Certificate = "{pki[cn + ".crt"]}"\n  TLS Key = "{pki[cn + ".key"]}"\n'
                    f'  TLS CA Certificate File = "{pki["ca"]}"\n  TLS Verify Peer = yes\n'
                    '  TLS Allowed CN = "server.test"\n}\n')
    return subprocess.run([sys.executable, "-m", "bareos.console.bconsole", "-c", str(conf)],
                          input="whoami\n", capture_output=True, text=True, timeout=60)


def test_bconsole_with_certificates(cert_director, tmp_path):
    director, pki = cert_director
    ok = _bconsole(tmp_path, director.port, pki, "client-ok")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "1000 OK: bareos-dir" in ok.stdout and "\nroot\n" in ok.stdout
    bad = _bconsole(tmp_path, director.port, pki, "client-bad")
    assert bad.returncode != 0
    assert "1000 OK: bareos-dir" not in bad.stdout, bad.stdout
