"""bconsole with certificate TLS, configured as in the seed's transport
encryption chapter: the Director's Director resource carries the server
certificate, TLS Verify Peer and the Allowed CNs; bconsole's Director resource
(default console, connection 1) or Console resource (named console,
connection 2) carries the console's certificate.

With TLS Verify Peer on bconsole's side the Director's certificate is checked
against TLS Allowed CN, or without that list against the Address dialled.
"""

from __future__ import annotations

import pytest

from bareos.dird.config import SCHEMA
from bareos.dird.director import Director
from bareos.lib.config import load_config

from tests.conftest import DIR_PASSWORD, write_director_config
from tests.pki import make_pki


@pytest.fixture
def cert_director(tmp_path):
    (tmp_path / "pki").mkdir()
    pki = make_pki(tmp_path / "pki", extra_cns=("localhost", "admin-console"))
    etc = write_director_config(tmp_path)
    dconf = etc / "bareos-dir.d" / "director" / "bareos-dir.conf"
    text = dconf.read_text().rstrip().rstrip("}")
    text += (f'  TLS Certificate = "{pki["localhost.crt"]}"\n'
             f'  TLS Key = "{pki["localhost.key"]}"\n'
             f'  TLS CA Certificate File = "{pki["ca"]}"\n'
             "  TLS Verify Peer = yes\n"
             '  TLS Allowed CN = "client-ok"\n'
             '  TLS Allowed CN = "admin-console"\n}\n')
    dconf.write_text(text)
    d = Director(load_config(str(etc), SCHEMA), config_path=str(etc))
    d.start([("127.0.0.1", 0)])
    yield d, pki
    d.shutdown()


def _certs(pki, cn, *allowed):
    return (f'  TLS Certificate = "{pki[cn + ".crt"]}"\n  TLS Key = "{pki[cn + ".key"]}"\n'
            f'  TLS CA Certificate File = "{pki["ca"]}"\n  TLS Verify Peer = yes\n'
            + "".join(f'  TLS Allowed CN = "{a}"\n' for a in allowed))


def _default_console(port, pki, cn, address="localhost", *allowed):
    return (f"Director {{\n  Name = bareos-dir\n  Address = {address}\n  DirPort = {port}\n"
            f'  Password = "{DIR_PASSWORD}"\n' + _certs(pki, cn, *allowed) + "}\n")


def test_default_console_checks_the_directors_host_name(cert_director, run_bconsole):
    director, pki = cert_director
    ok = run_bconsole(_default_console(director.port, pki, "client-ok"), stdin="whoami\n")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "1000 OK: bareos-dir" in ok.stdout and "\nroot\n" in ok.stdout
    assert "Encryption: " in ok.stdout and "PSK" not in ok.stdout.split("Encryption: ", 1)[1].split("\n")[0]
    bad_host = run_bconsole(_default_console(director.port, pki, "client-ok", "127.0.0.1"), stdin="whoami\n")
    assert bad_host.returncode != 0
    assert 'Host name "127.0.0.1" did not match presented certificate' in bad_host.stderr, bad_host.stderr
    # with TLS Allowed CN the list decides, not the address
    listed = run_bconsole(_default_console(director.port, pki, "client-ok", "127.0.0.1", "localhost"),
                          stdin="whoami\n")
    assert listed.returncode == 0, listed.stdout + listed.stderr
    wrong_list = run_bconsole(_default_console(director.port, pki, "client-ok", "localhost", "bareos-dir"),
                              stdin="whoami\n")
    assert wrong_list.returncode != 0
    assert "did not match a required commonName" in wrong_list.stderr, wrong_list.stderr


def test_default_console_with_a_cn_the_director_does_not_allow(cert_director, run_bconsole):
    director, pki = cert_director
    bad = run_bconsole(_default_console(director.port, pki, "client-bad"), stdin="whoami\n")
    assert bad.returncode != 0
    assert "1000 OK" not in bad.stdout
    assert "Failed to connect to Director" in bad.stdout + bad.stderr


def test_named_console_with_certificates(cert_director, run_bconsole):
    """Connection 2: bconsole's Console resource holds the certificate; the
    Director checks it with its Director resource's Allowed CN."""
    director, pki = cert_director
    conf = (f"Director {{\n  Name = bareos-dir\n  Address = localhost\n  DirPort = {director.port}\n}}\n"
            f'Console {{\n  Name = admin\n  Password = "admin-pw"\n' + _certs(pki, "admin-console") + "}\n")
    ok = run_bconsole(conf, stdin="whoami\n")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "\nadmin\n" in ok.stdout, ok.stdout
    bad = run_bconsole(conf.replace(pki["admin-console.crt"], pki["client-bad.crt"])
                           .replace(pki["admin-console.key"], pki["client-bad.key"]), stdin="whoami\n")
    assert bad.returncode != 0 and "\nadmin\n" not in bad.stdout
