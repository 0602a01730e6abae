"""Certificate TLS in the other network modes, configured as a Bareos admin
would, with the resources of the seed's "TLS Configuration Reference" table
(18.2 column):

* connection 4, FD dials the Director: the FD's Director resource (TCP
  client) against the Director's Director resource (TCP server);
* connection 7, passive client: the SD's Storage resource (TCP client)
  against the FD's Client resource (TCP server);
* connections 9-11, tray monitor: its Director/Client/Storage resources
  against the Director's Director, the FD's Client and the SD's Storage
  resource;
* connection 3 with ``TLS Verify Peer`` and no ``TLS Allowed CN``: the
  Director checks the FD certificate against the Client's Address.

Each mode works (backup and restore, or status) and a peer whose CN is not
allowed is refused with a log line naming the problem.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time

import pytest

from bareos.lib import bnet, cram, tls

from tests.pki import make_pki

from .conftest import make_tree

CNS = ("bareos-dir", "bareos-fd", "bareos-sd", "bareos-console", "tray", "localhost")
NOT_ALLOWED = "peer certificate did not match a required commonName"


@pytest.fixture
def pki(tmp_path):
    d = tmp_path / "pki"
    d.mkdir()
    return make_pki(d, extra_cns=CNS)


def _cert(pki, cn: str, *allowed: str) -> str:
    text = (f'  TLS Certificate = "{pki[cn + ".crt"]}"\n  TLS Key = "{pki[cn + ".key"]}"\n'
            f'  TLS CA Certificate File = "{pki["ca"]}"\n  TLS Verify Peer = yes\n')
    return text + "".join(f'  TLS Allowed CN = "{a}"\n' for a in allowed)


def _data(tmp_path):
    src = tmp_path / "data"
    src.mkdir()
    make_tree(src)
    return src


class CertConsole:
    """The default console logging in with a certificate (bconsole's code)."""

    def __init__(self, port: int, password: str, pki, cn: str = "bareos-console") -> None:
        from bareos.console.connect import Login, authenticate, open_connection, receive_response

        settings = tls.TlsSettings(certificate=pki[cn + ".crt"], key=pki[cn + ".key"],
                                   ca_certificate_file=pki["ca"], verify_peer=True, allowed_cn=["bareos-dir"])
        login = Login("127.0.0.1", port, "*UserAgent*", cram.password_key(password), tls=settings)
        self.bs = open_connection(login)
        msg_id, args = authenticate(self.bs, login, timeout=30)
        assert msg_id == 1000, args
        assert receive_response(self.bs, "director", 30)[0] == 1002
        self.cipher = self.bs.tls_cipher()

    def call(self, command: str) -> bytes:
        self.bs.send(command)
        out = []
        while True:
            item = self.bs.recv(timeout=300)
            if isinstance(item, bytes):
                out.append(item)
            elif item in (bnet.BNET_EOD, bnet.BNET_MAIN_PROMPT, bnet.BNET_TERMINATE):
                return b"".join(out)

    def close(self) -> None:
        self.bs.terminate()


def _wait_for(predicate, timeout: float = 40.0) -> bool:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(0.3)
    return False


# -- connection 4: the FD dials the Director -------------------------------------------

def _client_initiated_site(site_factory, tmp_path, pki, *, fd_cn="bareos-fd", dir_cn="bareos-dir"):
    return site_factory(
        _data(tmp_path),
        dir_extra=_cert(pki, dir_cn, "bareos-fd", "bareos-console"),
        client_extra="  Connection From Director To Client = no\n  Connection From Client To Director = yes\n",
        fd_director_extra="  Address = 127.0.0.1\n  Port = {dir_port}\n"
                          "  Connection From Client To Director = yes\n"
                          "  Connection From Director To Client = no\n" + _cert(pki, fd_cn, "bareos-dir"),
        fd_extra=_cert(pki, "bareos-fd", "bareos-dir", "bareos-sd"),
        storage_extra=_cert(pki, "bareos-dir", "bareos-sd"),
        sd_extra=_cert(pki, "bareos-sd", "bareos-dir", "bareos-fd"),
    )


def _waiting_clients(con) -> str:
    out = con.call("status director").decode()
    part = out.split("Client Initiated Connections (waiting for jobs):", 1)[1]
    return "\n".join(ln for ln in part.splitlines() if ln and not ln.startswith("=") and "Connect time" not in ln)


def test_client_initiated_connection_over_certificates(site_factory, tmp_path, pki):
    site = _client_initiated_site(site_factory, tmp_path, pki)
    site.start()
    con = CertConsole(int(site.values["dir_port"]), site.values["dir_password"], pki)
    try:
        assert con.cipher and "PSK" not in con.cipher[0], con.cipher
        assert _wait_for(lambda: "bareos-fd" in _waiting_clients(con)), con.call("status director").decode()
        blog, rlog = site.backup_and_restore(con)
        for log in (blog, rlog):
            assert "Handshake: Immediate TLS" in log, log
            assert "encryption: None" not in log, log
    finally:
        con.close()
    assert "certificate verification failed" not in site.log_text("bareos-dir")


def test_director_refuses_a_dialling_fd_whose_cn_is_not_allowed(site_factory, tmp_path, pki):
    site = _client_initiated_site(site_factory, tmp_path, pki, fd_cn="client-bad")
    site.start()
    assert _wait_for(lambda: NOT_ALLOWED in site.log_text("bareos-dir")), site.log_text("bareos-dir")
    line = next(ln for ln in site.log_text("bareos-dir").splitlines() if NOT_ALLOWED in ln)
    assert "client-bad" in line and "127.0.0.1" in line, line
    con = CertConsole(int(site.values["dir_port"]), site.values["dir_password"], pki)
    try:
        assert "bareos-fd" not in _waiting_clients(con)
    finally:
        con.close()


def test_fd_refuses_a_director_whose_cn_is_not_allowed(site_factory, tmp_path, pki):
    site = _client_initiated_site(site_factory, tmp_path, pki, dir_cn="client-bad")
    site.start()
    assert _wait_for(lambda: NOT_ALLOWED in site.log_text("bareos-fd")), site.log_text("bareos-fd")


# -- connection 7: passive client --------------------------------------------------------

def _passive_site(site_factory, tmp_path, pki, fd_allowed=("bareos-dir", "bareos-sd")):
    return site_factory(
        _data(tmp_path),
        client_extra="  Passive = yes\n" + _cert(pki, "bareos-dir", "bareos-fd"),
        fd_extra=_cert(pki, "bareos-fd", *fd_allowed),
        storage_extra=_cert(pki, "bareos-dir", "bareos-sd"),
        sd_extra=_cert(pki, "bareos-sd", "bareos-dir", "bareos-fd"),
    )


def test_passive_client_over_certificates(site_factory, tmp_path, pki):
    site = _passive_site(site_factory, tmp_path, pki)
    site.start()
    con = site.console()
    try:
        blog, rlog = site.backup_and_restore(con)
        for log in (blog, rlog):
            assert re.search(r"bareos-sd JobId \d+: Connected File Daemon at 127\.0\.0\.1:\d+", log), log
            assert "encryption: None" not in log, log
    finally:
        con.close()
    for daemon in ("bareos-dir", "bareos-fd", "bareos-sd"):
        assert "certificate verification failed" not in site.log_text(daemon)


def test_passive_fd_refuses_a_storage_daemon_whose_cn_is_not_allowed(site_factory, tmp_path, pki):
    site = _passive_site(site_factory, tmp_path, pki, fd_allowed=("bareos-dir",))
    site.start()
    con = site.console()
    try:
        _, status, log = site.run_job(con, "run job=backup yes", timeout=180)
    finally:
        con.close()
    assert status in ("f", "E"), log
    fd_log = site.log_text("bareos-fd")
    assert NOT_ALLOWED in fd_log and "bareos-sd" in fd_log, fd_log


# -- connection 3 with the host-name check ------------------------------------------------

def test_director_checks_the_fd_certificate_against_the_client_address(site_factory, tmp_path, pki):
    """TLS Verify Peer without TLS Allowed CN on the Director's Client: the FD's
    certificate must name the Client's Address (here: localhost)."""
    def make(name, address):
        return site_factory(
            _data(tmp_path / name) if (tmp_path / name).mkdir() is None else None, name=name,
            fd_address=address,
            client_extra=_cert(pki, "bareos-dir"),
            fd_extra=_cert(pki, "localhost", "bareos-dir", "bareos-sd"),
            storage_extra=_cert(pki, "bareos-dir", "bareos-sd"),
            sd_extra=_cert(pki, "bareos-sd", "bareos-dir", "localhost"),
        )

    good = make("good", "localhost")
    good.start()
    con = good.console()
    try:
        blog, _ = good.backup_and_restore(con)
        assert "Handshake: Immediate TLS" in blog, blog
    finally:
        con.close()
    good.stop()
    bad = make("bad", "127.0.0.1")
    bad.start()
    con = bad.console()
    try:
        _, status, log = bad.run_job(con, "run job=backup yes", timeout=120)
    finally:
        con.close()
    assert status in ("f", "E"), log
    assert 'Host name "127.0.0.1" did not match presented certificate' in log, log


# -- connections 9-11: the tray monitor ---------------------------------------------------

TRAY_PW = "tray-secret"


def _tray_site(site_factory, tmp_path, pki, tray_cn="tray"):
    site = site_factory(
        _data(tmp_path),
        dir_extra=_cert(pki, "bareos-dir", "tray"),
        fd_extra=_cert(pki, "bareos-fd", "bareos-dir", "bareos-sd", "tray"),
        sd_extra=_cert(pki, "bareos-sd", "bareos-dir", "bareos-fd", "tray"),
    )
    etc = site.base / "etc"
    (etc / "bareos-dir.d" / "console" / "tray.conf").parent.mkdir(parents=True, exist_ok=True)
    (etc / "bareos-dir.d" / "console" / "tray.conf").write_text(
        f'Console {{\n  Name = tray\n  Password = "{TRAY_PW}"\n  Command ACL = status, .status\n'
        "  Job ACL = *all*\n  Client ACL = *all*\n  Storage ACL = *all*\n  Catalog ACL = *all*\n}\n")
    for tree in ("bareos-fd.d", "bareos-sd.d"):
        (etc / tree / "director" / "tray.conf").write_text(
            f'Director {{\n  Name = tray\n  Password = "{TRAY_PW}"\n  Monitor = yes\n}}\n')
    vals = site.values
    tm = etc / "tray-monitor.d"
    for rel, text in {
        "monitor/tray.conf": f'Monitor {{\n  Name = tray\n  Password = "{TRAY_PW}"\n}}\n',
        "director/bareos-dir.conf": f"Director {{\n  Name = bareos-dir\n  Address = 127.0.0.1\n"
                                    f"  Port = {vals['dir_port']}\n" + _cert(pki, tray_cn, "bareos-dir") + "}\n",
        "client/bareos-fd.conf": f'Client {{\n  Name = bareos-fd\n  Address = 127.0.0.1\n  Port = {vals["fd_port"]}\n'
                                 f'  Password = "{TRAY_PW}"\n' + _cert(pki, tray_cn, "bareos-fd") + "}\n",
        "storage/bareos-sd.conf": f'Storage {{\n  Name = bareos-sd\n  Address = 127.0.0.1\n'
                                  f'  Port = {vals["sd_port"]}\n  Password = "{TRAY_PW}"\n'
                                  + _cert(pki, tray_cn, "bareos-sd") + "}\n",
    }.items():
        (tm / rel).parent.mkdir(parents=True, exist_ok=True)
        (tm / rel).write_text(text)
    return site


def _tray_once(site):
    return subprocess.run([sys.executable, "-m", "bareos.tools.traymon", "-c", str(site.base / "etc"), "--once"],
                          capture_output=True, text=True, timeout=120)


def test_tray_monitor_over_certificates(site_factory, tmp_path, pki):
    site = _tray_site(site_factory, tmp_path, pki)
    site.start()
    out = _tray_once(site)
    assert out.returncode == 0, out.stdout + out.stderr
    text = out.stdout
    assert "ERROR" not in text, text
    assert "Client Initiated Connections (waiting for jobs)" in text   # status director
    assert "bareos-fd Version:" in text and "bareos-sd Version:" in text
    for daemon in ("bareos-dir", "bareos-fd", "bareos-sd"):
        assert "certificate verification failed" not in site.log_text(daemon)


def test_tray_monitor_with_a_cn_not_allowed_is_refused_everywhere(site_factory, tmp_path, pki):
    site = _tray_site(site_factory, tmp_path, pki, tray_cn="client-bad")
    site.start()
    out = _tray_once(site)
    text = out.stdout
    assert "Client Initiated Connections" not in text and "Version:" not in text, text
    assert text.count("ERROR") >= 3, text
    for daemon in ("bareos-dir", "bareos-fd", "bareos-sd"):
        assert _wait_for(lambda: NOT_ALLOWED in site.log_text(daemon), 10), (daemon, site.log_text(daemon))
