"""TLS settings, policy and PSK helpers (bareos.lib.tls)."""

import ssl

import pytest

from bareos.lib import tls


class FakeResource:
    """Duck-typed like bareos.lib.config resources: .get(name, default)."""

    def __init__(self, **values):
        self.values = {k.replace("_", " ").lower(): v for k, v in values.items()}

    def get(self, name, default=None):
        return self.values.get(name.lower(), default)


def test_policy_values():
    assert tls.TlsSettings().policy() == tls.TLS_POLICY_REQUIRED == 2
    assert tls.TlsSettings(require=False).policy() == tls.TLS_POLICY_ENABLED == 1
    assert tls.TlsSettings.disabled().policy() == tls.TLS_POLICY_NONE == 0
    assert tls.TlsSettings(enable=False, require=True).policy() == 0


def test_from_resource():
    s = tls.TlsSettings.from_resource(FakeResource(tls_enable=False))
    assert s.policy() == 0
    s = tls.TlsSettings.from_resource(FakeResource())
    assert s.policy() == 2
    s = tls.TlsSettings.from_resource(
        FakeResource(tls_enable=True, tls_require=False, tls_certificate="/c.pem", tls_key="/k.pem",
                     tls_ca_certificate_file="/ca.pem", tls_verify_peer=True, tls_allowed_cn=["a", "b"],
                     tls_certificate_revocation_list="/crl.pem", tls_dh_file="/dh.pem",
                     tls_cipher_list="PSK", tls_protocol="-TLSv1.3")
    )
    assert s.policy() == 1 and s.has_certificate
    assert (s.certificate, s.key, s.ca_certificate_file, s.crl, s.dh_file) == (
        "/c.pem", "/k.pem", "/ca.pem", "/crl.pem", "/dh.pem")
    assert s.verify_peer and s.allowed_cn == ["a", "b"] and s.cipher_list == "PSK"
    assert tls.TlsSettings.from_resource(FakeResource(tls_allowed_cn="one")).allowed_cn == ["one"]


@pytest.mark.parametrize(
    "remote,local,result",
    [
        (0, 0, tls.CLEARTEXT_OK), (0, 1, tls.CLEARTEXT_OK), (1, 0, tls.CLEARTEXT_OK),
        (0, 2, tls.CLEARTEXT_DENY), (2, 0, tls.CLEARTEXT_DENY),
        (1, 1, tls.CLEARTEXT_NEEDS_TLS), (1, 2, tls.CLEARTEXT_NEEDS_TLS), (2, 1, tls.CLEARTEXT_NEEDS_TLS),
        (2, 2, tls.CLEARTEXT_NEEDS_TLS),
    ],
)
def test_cleartext_decision(remote, local, result):
    assert tls.cleartext_decision(remote, local) == result


def test_psk_identity():
    assert tls.psk_identity("R_CONSOLE", "user1") == b"R_CONSOLE\x1euser1"
    assert tls.psk_identity("R_CONSOLE", "my console") == b"R_CONSOLE\x1emy console"
    assert tls.split_psk_identity(b"R_CONSOLE\x1e*UserAgent*") == ("R_CONSOLE", "*UserAgent*")
    assert tls.split_psk_identity(b"nothing") is None


@pytest.mark.parametrize(
    "text,lo,hi",
    [
        ("-ALL,TLSv1.2", ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_2),
        ("-TLSv1.3", ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_2),
        ("ALL, -TLSv1, -TLSv1.1", ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3),
        ("-ALL TLSv1.3", ssl.TLSVersion.TLSv1_3, ssl.TLSVersion.TLSv1_3),
    ],
)
def test_protocol_string(text, lo, hi):
    assert tls.parse_protocol_string(text) == (lo, hi)


@pytest.mark.parametrize("text", ["-ALL", "TLSv9"])
def test_protocol_string_errors(text):
    with pytest.raises(tls.TlsError):
        tls.parse_protocol_string(text)


def test_contexts():
    assert tls.PSK_CIPHERS == "ALL:!ADH:!LOW:!EXP:!MD5:@STRENGTH"
    if not tls.psk_available():
        with pytest.raises(tls.TlsError):
            tls.server_context(tls.TlsSettings(), lambda i: None)
        return
    ctx = tls.server_context(tls.TlsSettings(protocol="-ALL,TLSv1.2"), lambda i: None)
    assert ctx.maximum_version == ssl.TLSVersion.TLSv1_2
    assert any("PSK" in c["name"] for c in ctx.get_ciphers())
    cctx = tls.client_context(tls.TlsSettings(), b"R_CONSOLE\x1ea", b"k" * 32)
    assert all("PSK" in c["name"] or c["protocol"] == "TLSv1.3" for c in cctx.get_ciphers())
    assert cctx.verify_mode == ssl.CERT_NONE and not cctx.check_hostname


def test_missing_files_are_tls_errors(tmp_path):
    with pytest.raises(tls.TlsError):
        tls.server_context(tls.TlsSettings(certificate=str(tmp_path / "none.pem")))
    with pytest.raises(tls.TlsError):
        tls.client_context(tls.TlsSettings(cipher_list="NO-SUCH-CIPHER"))


def test_tls13_suites_setter():
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    if tls.set_tls13_ciphersuites(ctx, "TLS_AES_128_GCM_SHA256"):
        names = {c["name"] for c in ctx.get_ciphers() if c["protocol"] == "TLSv1.3"}
        assert names == {"TLS_AES_128_GCM_SHA256"}
        assert not tls.set_tls13_ciphersuites(ctx, "NOT_A_SUITE")
