"""bareos.bsock clients against a NetServer running a toy console handler (127.0.0.1)."""

import logging
import socket
import ssl

import pytest

import bareos.bsock
import bareos.exceptions
from bareos.lib import tls

from .toys import ToyConsole, ToyDirector, ToyFileDaemon

pytestmark = pytest.mark.timeout(60)

needs_psk = pytest.mark.skipif(not tls.psk_available(), reason="TLS-PSK not available")


def test_cleartext_protocol2_named_console(director):
    con = bareos.bsock.DirectorConsole(
        address="127.0.0.1", port=director.port, name="notls", password="secret", tls_psk_enable=False
    )
    assert con.call("whoami") == b"notls\n"
    assert con.get_cipher() is None
    assert con.get_protocol_version() == bareos.bsock.ProtocolVersions.bareos_18_2
    assert director.sessions == [("notls", False, None)]
    con.close()


@needs_psk
def test_tls_psk_named_console_required(director):
    con = bareos.bsock.DirectorConsole(
        address="127.0.0.1", port=director.port, name="tlsreq", password="secret", tls_psk_require=True
    )
    assert con.call("whoami") == b"tlsreq\n"
    cipher = con.get_cipher()
    assert cipher is not None and cipher[1] in ("TLSv1.2", "TLSv1.3")
    assert director.sessions[0][1] is True
    con.close()


@needs_psk
def test_tls_psk_default_console(director):
    con = bareos.bsock.DirectorConsole(address="127.0.0.1", port=director.port, password="dirpass")
    assert con.call(["echo", "a", "b"]) == b"a b\n"
    assert director.sessions == [("*UserAgent*", True, director.sessions[0][2])]
    con.close()


def test_protocol1_fallback_for_tls_console_without_psk(director):
    # protocol 2 in cleartext is refused with TERMINATE for a TLS console; the
    # client falls back to protocol 1, allowed because TLS is not required.
    con = bareos.bsock.DirectorConsole(
        address="127.0.0.1", port=director.port, name="tlsopt", password="secret", tls_psk_enable=False
    )
    assert con.get_protocol_version() == bareos.bsock.ProtocolVersions.bareos_12_4
    assert con.call("whoami") == b"tlsopt\n"
    con.close()


def test_explicit_protocol1(director):
    con = bareos.bsock.DirectorConsole(
        address="127.0.0.1", port=director.port, name="notls", password="secret",
        tls_psk_enable=False, protocolversion=1,
    )
    assert con.call("whoami") == b"notls\n"
    con.close()


def test_tls_required_console_cleartext_is_refused(director):
    with pytest.raises(bareos.exceptions.AuthenticationError):
        bareos.bsock.DirectorConsole(
            address="127.0.0.1", port=director.port, name="tlsreq", password="secret", tls_psk_enable=False
        )


def test_wrong_password_raises_authentication_error(director):
    with pytest.raises(bareos.exceptions.AuthenticationError) as info:
        bareos.bsock.DirectorConsole(address="127.0.0.1", port=director.port, name="notls", password="wrong")
    assert "failed" in str(info.value)
    assert director.sessions == []


@needs_psk
def test_wrong_password_with_tls_required_raises_ssl_error(director):
    with pytest.raises(ssl.SSLError):
        bareos.bsock.DirectorConsole(
            address="127.0.0.1", port=director.port, name="tlsreq", password="wrong", tls_psk_require=True
        )


def test_unknown_console(director):
    with pytest.raises(bareos.exceptions.AuthenticationError) as info:
        bareos.bsock.DirectorConsole(address="127.0.0.1", port=director.port, name="nobody", password="secret")
    assert "Conversation terminated (-4)" in str(info.value)


@needs_psk
def test_unknown_psk_identity_with_tls_required(director):
    with pytest.raises(ssl.SSLError):
        bareos.bsock.DirectorConsole(
            address="127.0.0.1", port=director.port, name="nobody", password="secret", tls_psk_require=True
        )


def test_connection_refused_is_bareos_connection_error():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    with pytest.raises(bareos.exceptions.ConnectionError):
        bareos.bsock.DirectorConsole(address="127.0.0.1", port=port, password="x", tls_psk_enable=False)


def test_director_closing_after_cram_gives_connection_lost(start_server):
    d = ToyDirector(consoles={"notls": ToyConsole("secret", tls.TlsSettings.disabled())}, close_after_cram=True)
    srv = start_server(d.handle, d.psk_lookup)
    with pytest.raises(bareos.exceptions.ConnectionLostError):
        bareos.bsock.DirectorConsole(
            address="127.0.0.1", port=srv.port, name="notls", password="secret", tls_psk_enable=False
        )


def test_pam_login(director):
    con = bareos.bsock.DirectorConsole(
        address="127.0.0.1", port=director.port, name="pamuser", password="secret",
        tls_psk_enable=False, pam_username="alice", pam_password="wonder",
    )
    assert con.call("whoami") == b"pamuser\n"
    con.close()


def test_pam_missing_credentials(director):
    with pytest.raises(bareos.exceptions.PamAuthenticationError, match="no PAM credentials"):
        bareos.bsock.DirectorConsole(
            address="127.0.0.1", port=director.port, name="pamuser", password="secret", tls_psk_enable=False
        )


def test_pam_wrong_credentials(director):
    with pytest.raises(bareos.exceptions.PamAuthenticationError, match="PAM authentication failed"):
        bareos.bsock.DirectorConsole(
            address="127.0.0.1", port=director.port, name="pamuser", password="secret",
            tls_psk_enable=False, pam_username="alice", pam_password="bad",
        )


def test_pam_credentials_for_console_without_pam(director):
    with pytest.raises(bareos.exceptions.PamAuthenticationError, match="does not offer PAM"):
        bareos.bsock.DirectorConsole(
            address="127.0.0.1", port=director.port, name="notls", password="secret",
            tls_psk_enable=False, pam_username="alice", pam_password="wonder",
        )


@pytest.mark.parametrize("psk", [False, pytest.param(True, marks=needs_psk)])
def test_json_console(director, psk):
    con = bareos.bsock.DirectorConsoleJson(
        address="127.0.0.1", port=director.port, name="tlsreq" if psk else "notls", password="secret",
        tls_psk_enable=psk,
    )
    assert con.call("whoami") == {"whoami": "tlsreq" if psk else "notls"}
    full = con.call_fullresult("whoami")
    assert full["jsonrpc"] == "2.0" and "result" in full
    with pytest.raises(bareos.exceptions.JsonRpcErrorReceivedException) as info:
        con.call("bogus")
    assert str(info.value) == "failed: bogus: is an invalid command.\n"
    # a result far above one packet (999 996 bytes) arrives in several packets
    assert len(con.call("big 2500000")["big"]) == 2_500_000
    con.close()


def test_text_console_multi_packet_and_hazard_line(director):
    con = bareos.bsock.BSock(
        address="127.0.0.1", port=director.port, name="notls", password="secret", tls_psk_enable=False
    )
    assert con.call("lines 3") == b"line 0\nline 1\nline 2\n"
    assert len(con.call("big 1500000")) == 1_500_001
    # python-bareos ends a response at a line starting with dddd OK; the EOD
    # then leaks into the next call and every later answer is one behind
    assert con.call("echo 1234 OK rest") == b"1234 OK rest\n"
    assert con.call("whoami") == b""
    assert con.call("echo next") == b"notls\n"
    con.close()


def test_interactive(director, monkeypatch, capsys):
    con = bareos.bsock.DirectorConsole(
        address="127.0.0.1", port=director.port, name="notls", password="secret", tls_psk_enable=False
    )
    lines = iter(["whoami", "exit"])
    monkeypatch.setattr("builtins.input", lambda prompt="": next(lines))
    assert con.interactive() is True
    assert "notls" in capsys.readouterr().out
    con.close()


@pytest.mark.parametrize("psk", [False, pytest.param(True, marks=needs_psk)])
def test_file_daemon(start_server, psk):
    fd = ToyFileDaemon("bareos-dir", "fdpass")
    srv = start_server(fd.handle, fd.psk_lookup, hello_limits=(25, 500))
    con = bareos.bsock.FileDaemon(
        address="127.0.0.1", port=srv.port, name="bareos-dir", password="fdpass",
        tls_psk_enable=psk, tls_psk_require=psk,
    )
    assert con.call('status "a b"') == b"toy-fd status: status a\x01b\n"
    assert (con.get_cipher() is not None) == psk
    con.close()


def test_file_daemon_wrong_password(start_server):
    fd = ToyFileDaemon("bareos-dir", "fdpass")
    srv = start_server(fd.handle, fd.psk_lookup, hello_limits=(25, 500))
    with pytest.raises(bareos.exceptions.AuthenticationError):
        bareos.bsock.FileDaemon(
            address="127.0.0.1", port=srv.port, name="bareos-dir", password="nope", tls_psk_enable=False
        )


@needs_psk
def test_cleartext_only_server_falls_back(start_server):
    d = ToyDirector(consoles={"notls": ToyConsole("secret", tls.TlsSettings.disabled())})
    srv = start_server(d.handle)  # no psk_lookup, no certificates: cleartext only
    assert not srv.tls_capable
    con = bareos.bsock.DirectorConsole(address="127.0.0.1", port=srv.port, name="notls", password="secret")
    assert con.call("whoami") == b"notls\n"
    assert con.get_cipher() is None
    con.close()
    with pytest.raises((ssl.SSLError, ConnectionResetError)):
        bareos.bsock.DirectorConsole(
            address="127.0.0.1", port=srv.port, name="notls", password="secret", tls_psk_require=True
        )


def test_argparser_helpers():
    import argparse

    parser = argparse.ArgumentParser()
    bareos.bsock.DirectorConsole.argparser_add_default_command_line_arguments(parser)
    args = parser.parse_args(["-p", "secret", "--name", "u1", "--tls-version", "v1.2"])
    params = bareos.bsock.DirectorConsole.argparser_get_bareos_parameter(args)
    assert params["password"] == "secret" and params["name"] == "u1"
    assert params["protocolversion"] == 2 and params["port"] == 9101
    assert params["tls_version"] == ssl.PROTOCOL_TLSv1_2
    assert "timeout" not in params
    fparser = argparse.ArgumentParser()
    bareos.bsock.FileDaemon.argparser_add_default_command_line_arguments(fparser)
    fparams = bareos.bsock.FileDaemon.argparser_get_bareos_parameter(fparser.parse_args(["--name", "d", "-p", "x"]))
    assert fparams == {"name": "d", "password": "x", "port": 9102, "address": "localhost", "tls_psk_require": False}
