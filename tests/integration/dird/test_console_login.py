"""A real Director on 127.0.0.1, reached with our python-bareos compatible client."""

from __future__ import annotations

import json
import socket
import struct
import time

import pytest

from bareos.bsock import DirectorConsole, DirectorConsoleJson, Password
from bareos.exceptions import AuthenticationError, JsonRpcErrorReceivedException
from bareos.lib import tls

from tests.conftest import DIR_PASSWORD, GOLDEN

needs_psk = pytest.mark.skipif(not tls.psk_available(), reason="TLS-PSK needs sslpsk3 or Python >= 3.13")


def console(director, cls=DirectorConsole, **kw):
    kw.setdefault("password", Password(DIR_PASSWORD))
    return cls(address="127.0.0.1", port=director.port, **kw)


@needs_psk
def test_default_console_over_tls_psk(director):
    con = console(director, tls_psk_require=True)
    try:
        assert con.call("whoami").decode() == "root\n"
        assert con.call("version").decode().startswith("bareos-dir Version: 25.1.1 (05 December 2025) ")
    finally:
        con.close()


def test_cleartext_console_with_tls_disabled(director):
    con = console(director, name="notls", password=Password("notls-pw"), tls_psk_enable=False,
                  protocolversion=2)
    try:
        assert con.call("whoami").decode() == "notls\n"
    finally:
        con.close()


def test_tls_required_console_refused_in_cleartext(director):
    with pytest.raises(AuthenticationError):
        console(director, name="admin", password=Password("admin-pw"), tls_psk_enable=False)


def test_tls_optional_console_falls_back_to_protocol_1_in_cleartext(director):
    con = console(director, name="tlsopt", password=Password("tlsopt-pw"), tls_psk_enable=False)
    try:
        assert con.call("whoami").decode() == "tlsopt\n"
    finally:
        con.close()


@needs_psk
def test_wrong_password_refused(director):
    with pytest.raises(AuthenticationError):
        console(director, name="admin", password=Password("wrong"))


@needs_psk
def test_unknown_console_refused(director):
    with pytest.raises(AuthenticationError):
        console(director, name="nobody", password=Password("x"))


@needs_psk
def test_profile_denies_command_as_unknown(director):
    con = console(director, name="admin", password=Password("admin-pw"))
    try:
        assert con.call("delete jobid=1").decode() == "delete: is an invalid command.\n"
        assert con.call("whoami").decode() == "admin\n"
    finally:
        con.close()


@needs_psk
def test_acl_restricts_lists(director):
    con = console(director, cls=DirectorConsoleJson, name="jobsonly", password=Password("jobsonly-pw"))
    try:
        assert con.call(".jobs") == {"jobs": [{"name": "backup-bareos-fd", "enabled": True}]}
        with pytest.raises(JsonRpcErrorReceivedException):
            con.call(".clients")
    finally:
        con.close()


@needs_psk
def test_json_mode_matches_golden(director):
    con = console(director, cls=DirectorConsoleJson)
    try:
        for cmd, name in ((".jobs", "dot-jobs"), (".clients", "dot-clients"), (".pools", "dot-pools"),
                          (".storages", "dot-storages"), (".filesets", "dot-filesets"),
                          (".msgs", "dot-msgs"), ("whoami", "whoami"), ("help", "help")):
            golden = json.loads((GOLDEN / f"{name}.api2.json").read_text())["result"]
            if name == "help":
                golden.pop("configure")
                got = con.call(cmd)
                got.pop("configure")
                assert got == golden
            else:
                assert con.call(cmd) == golden, cmd
        with pytest.raises(JsonRpcErrorReceivedException) as err:
            con.call("bogus-command-xyz")
        assert "bogus-command-xyz: is an invalid command." in str(err.value)
        assert set(con.call("version")["version"]) == {
            "name", "type", "version", "bdate", "operatingsystem", "distname", "distversion",
            "customversionid"}
    finally:
        con.close()


@needs_psk
def test_text_mode_matches_golden(director):
    con = console(director)
    try:
        for cmd, name in (("help", "help"), (".jobs", "dot-jobs"), (".msgs", "dot-msgs"),
                          ("bogus-command-xyz", "unknown-command"), ("whoami", "whoami")):
            assert con.call(cmd).decode() == (GOLDEN / f"{name}.api0.txt").read_text(), cmd
    finally:
        con.close()


def _raw_connect(director):
    s = socket.create_connection(("127.0.0.1", director.port), timeout=5)
    return s


def _works(director):
    con = console(director, name="notls", password=Password("notls-pw"), tls_psk_enable=False,
                  protocolversion=2)
    try:
        return con.call("whoami").decode() == "notls\n"
    finally:
        con.close()


def test_garbage_oversized_and_stalled_peers_are_dropped(director):
    garbage = _raw_connect(director)
    garbage.sendall(b"\x00\x00\x00\x10Hello garbage!!!!" + b"\xff" * 100)
    oversized = _raw_connect(director)
    oversized.sendall(struct.pack(">i", 2_000_000) + b"Hello " + b"x" * 100)
    stalled = _raw_connect(director)
    stalled.sendall(struct.pack(">i", 40) + b"Hello ")  # never completes its Hello
    not_bareos = _raw_connect(director)
    not_bareos.sendall(b"GET / HTTP/1.0\r\n\r\n")
    try:
        assert _works(director)
        for s in (garbage, oversized, not_bareos):
            s.settimeout(15)
            try:
                while s.recv(4096):
                    pass
            except (ConnectionResetError, TimeoutError, socket.timeout):
                pass
        assert _works(director)
    finally:
        for s in (garbage, oversized, stalled, not_bareos):
            s.close()


def test_api_modes_on_the_wire(director):
    """Signals around commands in API 1 and 2 as the reference transcript shows."""
    con = console(director, name="notls", password=Password("notls-pw"), tls_psk_enable=False,
                  protocolversion=2)
    try:
        low = con
        low.send(b".api json compact=yes")
        assert json.loads(low.recv_msg().decode()) == {"jsonrpc": "2.0", "id": None, "result": {"api": 2}}
        low.send(b".api 0")
        assert low.recv_msg().decode() == "api: 0\n"
    finally:
        con.close()
