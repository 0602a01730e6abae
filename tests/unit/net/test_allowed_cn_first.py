"""TLS Allowed CN is compared with the subject's first CN, as Bareos does."""

from __future__ import annotations

import socket
import ssl
import threading

import pytest

from bareos.lib import tls
from tests.pki import make_pki


def _client_side_of(pki, cert: str):
    """A real TLS connection over a socket pair; the server shows *cert*."""
    a, b = socket.socketpair()
    sctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    sctx.load_cert_chain(pki[cert + ".crt"], pki[cert + ".key"])
    cctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    cctx.check_hostname = False
    cctx.load_verify_locations(pki["ca"])
    server = {}

    def serve():
        server["sock"] = sctx.wrap_socket(a, server_side=True)

    t = threading.Thread(target=serve)
    t.start()
    client = cctx.wrap_socket(b, server_side=False)
    t.join()
    return client, server["sock"]


def test_only_the_first_common_name_counts(tmp_path):
    pki = make_pki(tmp_path, extra_cns=[("first.test", "second.test")])
    client, server = _client_side_of(pki, "first.test+second.test")
    try:
        assert tls.peer_common_names(client) == ["first.test", "second.test"]
        tls.check_allowed_cn(client, ["first.test"])
        tls.check_allowed_cn(client, ["other", "first.test"])
        with pytest.raises(tls.TlsError, match="did not match a required commonName"):
            tls.check_allowed_cn(client, ["second.test"])
    finally:
        client.close()
        server.close()
