"""A throw-away PKI for certificate TLS tests: a CA, server and client
certificates (CN server.test, client-ok, client-bad, client-revoked) and a CRL."""

import datetime


def make_pki(tmp_path, extra_cns=()):
    """CA, certificates and CRL under *tmp_path*; *extra_cns* adds certificates
    (``<cn>.crt``/``<cn>.key``) for more common names; a tuple of names gives
    one certificate whose subject has each of them as a CN, in that order
    (files named after the names joined by ``+``)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.datetime.now(datetime.timezone.utc)

    def name(cn):
        cns = cn if isinstance(cn, tuple) else (cn,)
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, c) for c in cns])

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder().subject_name(name("Test CA")).issuer_name(name("Test CA"))
        .public_key(ca_key.public_key()).serial_number(1)
        .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    files = {"ca": tmp_path / "ca.pem"}
    files["ca"].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    serials = {}
    for i, cn in enumerate(["server.test", "client-ok", "client-bad", "client-revoked", *extra_cns], start=2):
        key = ec.generate_private_key(ec.SECP256R1())
        cert = (
            x509.CertificateBuilder().subject_name(name(cn)).issuer_name(ca.subject)
            .public_key(key.public_key()).serial_number(i)
            .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName(
                [x509.DNSName(c) for c in (cn if isinstance(cn, tuple) else (cn,))]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256())
        )
        if isinstance(cn, tuple):
            cn = "+".join(cn)
        serials[cn] = i
        files[cn + ".crt"] = tmp_path / f"{cn}.crt"
        files[cn + ".key"] = tmp_path / f"{cn}.key"
        files[cn + ".crt"].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        files[cn + ".key"].write_bytes(
            key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                              serialization.NoEncryption())
        )
    revoked = (
        x509.RevokedCertificateBuilder().serial_number(serials["client-revoked"]).revocation_date(now).build()
    )
    crl = (
        x509.CertificateRevocationListBuilder().issuer_name(ca.subject).last_update(now - datetime.timedelta(hours=1))
        .next_update(now + datetime.timedelta(days=1)).add_revoked_certificate(revoked)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    files["crl"] = tmp_path / "crl.pem"
    files["crl"].write_bytes(crl.public_bytes(serialization.Encoding.PEM))
    return {k: str(v) for k, v in files.items()}
