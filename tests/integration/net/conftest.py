"""Fixtures for the network integration tests."""

import pytest

from bareos.lib import tls
from bareos.lib.netserver import DIRECTOR_HELLO_LIMITS, NetServer

from .toys import ToyConsole, ToyDirector


@pytest.fixture
def start_server():
    servers = []

    def start(handler, psk_lookup=None, tls_settings=None, **kw):
        kw.setdefault("hello_limits", DIRECTOR_HELLO_LIMITS)
        srv = NetServer([("127.0.0.1", 0)], handler, psk_lookup, tls_settings, **kw).start()
        servers.append(srv)
        return srv

    yield start
    for srv in servers:
        srv.shutdown()


@pytest.fixture
def director(start_server):
    """A ToyDirector with consoles: notls (TLS Enable=no), tlsopt (Require=no),
    tlsreq (default: required), pamuser (PAM); password 'secret' each."""
    d = ToyDirector(
        dir_password="dirpass",
        consoles={
            "notls": ToyConsole("secret", tls.TlsSettings.disabled()),
            "tlsopt": ToyConsole("secret", tls.TlsSettings(enable=True, require=False)),
            "tlsreq": ToyConsole("secret"),
            "pamuser": ToyConsole("secret", tls.TlsSettings.disabled(), pam=("alice", "wonder")),
        },
    )
    srv = start_server(d.handle, d.psk_lookup)
    d.port = srv.port
    d.server = srv
    return d
