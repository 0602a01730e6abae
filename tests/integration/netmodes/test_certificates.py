"""Certificate TLS on the daemon links, with the directives of each resource
applied as the seed's "TLS Configuration Reference" table says (18.2 column):

* connection 3, Director -> FD: the Director's Client resource (TCP client)
  against the FD's Client resource (TCP server);
* connection 5, Director -> SD: the Director's Storage resource against the
  SD's Storage resource;
* connection 6, FD -> SD: the FD's Client resource against the SD's Storage
  resource.

With ``TLS Verify Peer = yes`` a peer must present a certificate whose CN is
in ``TLS Allowed CN``; a wrong CN, or a TLS-PSK session without any
certificate, is refused and the job fails with a clear log line.
"""

from __future__ import annotations

import pytest

from tests.pki import make_pki

from .conftest import make_tree

CNS = ("bareos-dir", "bareos-fd", "bareos-sd")


@pytest.fixture
def pki(tmp_path):
    d = tmp_path / "pki"
    d.mkdir()
    return make_pki(d, extra_cns=CNS)


def _cert(pki, cn: str, *allowed: str) -> str:
    text = (f'  TLS Certificate = "{pki[cn + ".crt"]}"\n  TLS Key = "{pki[cn + ".key"]}"\n'
            f'  TLS CA Certificate File = "{pki["ca"]}"\n  TLS Verify Peer = yes\n')
    return text + "".join(f'  TLS Allowed CN = "{a}"\n' for a in allowed)


def _site(site_factory, tmp_path, pki, *, dir_client_cn="bareos-dir", fd_cn="bareos-fd",
          dir_client_certs=True):
    src = tmp_path / "data"
    src.mkdir()
    make_tree(src)
    return site_factory(
        src,
        client_extra=_cert(pki, dir_client_cn, "bareos-fd") if dir_client_certs else "",
        storage_extra=_cert(pki, "bareos-dir", "bareos-sd"),
        fd_extra=_cert(pki, fd_cn, "bareos-dir", "bareos-sd"),
        sd_extra=_cert(pki, "bareos-sd", "bareos-dir", "bareos-fd"),
    )


def test_backup_and_restore_over_certificates_with_verify_peer(site_factory, tmp_path, pki):
    site = _site(site_factory, tmp_path, pki)
    site.start()
    con = site.console()
    try:
        blog, rlog = site.backup_and_restore(con)
        for log in (blog, rlog):
            assert "Handshake: Immediate TLS" in log, log
            assert "encryption: None" not in log, log
    finally:
        con.close()
    for daemon in ("bareos-dir", "bareos-fd", "bareos-sd"):
        assert "certificate verification failed" not in site.log_text(daemon)


def _failed_job(site):
    site.start()
    con = site.console()
    try:
        _, status, log = site.run_job(con, "run job=backup yes", timeout=120)
    finally:
        con.close()
    assert status in ("f", "E"), log
    return log


def test_fd_certificate_with_a_cn_not_allowed_is_refused(site_factory, tmp_path, pki):
    """The FD presents CN client-bad; the Director's Client allows only bareos-fd."""
    site = _site(site_factory, tmp_path, pki, fd_cn="client-bad")
    log = _failed_job(site)
    assert "peer certificate did not match a required commonName" in log, log
    assert "client-bad" in log


def test_director_certificate_with_a_cn_not_allowed_is_refused_by_the_fd(site_factory, tmp_path, pki):
    """The Director's Client resource presents CN client-bad; the FD (TLS
    server) allows only bareos-dir and bareos-sd."""
    site = _site(site_factory, tmp_path, pki, dir_client_cn="client-bad")
    log = _failed_job(site)
    assert "Failed to connect to File daemon" in log or "Fatal error" in log, log
    assert "peer certificate did not match a required commonName" in site.log_text("bareos-fd")


def test_psk_session_does_not_bypass_allowed_cn(site_factory, tmp_path, pki):
    """The Director's Client resource has no certificate (TLS-PSK); the FD
    verifies peers against TLS Allowed CN, so the PSK session is refused."""
    site = _site(site_factory, tmp_path, pki, dir_client_certs=False)
    _failed_job(site)
    assert "failed to present a TLS certificate" in site.log_text("bareos-fd")
