"""python-bareos exception tree and small bareos.bsock value classes."""

import argparse
import ssl

import bareos.bsock
import bareos.exceptions as exc


def test_hierarchy():
    assert issubclass(exc.ConnectionError, exc.Error)
    assert issubclass(exc.AuthenticationError, exc.ConnectionError)
    assert issubclass(exc.PamAuthenticationError, exc.AuthenticationError)
    assert issubclass(exc.ConnectionLostError, exc.Error)
    assert not issubclass(exc.ConnectionLostError, exc.ConnectionError)
    assert issubclass(exc.SocketEmptyHeader, exc.Error)
    assert issubclass(exc.JsonRpcInvalidJsonReceivedException, exc.JsonRpcErrorReceivedException)
    assert bareos.bsock.AuthenticationError is exc.AuthenticationError


def test_signal_exception():
    e = exc.SignalReceivedException(-4)
    assert str(e) == "Conversation terminated (-4)" and e.signal == -4


def test_json_rpc_error_text():
    doc = {"jsonrpc": "2.0", "id": None, "error": {"code": 1, "message": "failed",
           "data": {"result": {}, "messages": {"error": ["a\n", "b\n"]}}}}
    e = exc.JsonRpcErrorReceivedException(doc)
    assert str(e) == "failed: a\nb\n" and e.jsondata is doc
    assert str(exc.JsonRpcErrorReceivedException({"error": {"message": "m"}})) == (
        "m: {'error': {'message': 'm'}}")
    inv = exc.JsonRpcInvalidJsonReceivedException({"error": {"code": 2, "message": "bad", "data": b"raw"}})
    assert str(inv) == "bad: b'raw'"


def test_constants_and_ids():
    C = bareos.bsock.Constants
    assert C.BNET_EOD == -1 and C.BNET_TEXT_INPUT == -28 and C.record_separator == "\x1e"
    assert C.get_description(-18) == "Server ready and waiting" and C.get_description(5) is None
    assert bareos.bsock.ProtocolMessageIds.InfoMessage == 1002
    assert bareos.bsock.ProtocolVersions.last == 2


def test_protocol_messages():
    pm = bareos.bsock.ProtocolMessages()
    assert pm.hello("u1") == bytearray(b"Hello u1 calling version 25.1.1\n")
    pm.set_version(bareos.bsock.ProtocolVersions.bareos_12_4)
    assert pm.hello("u1") == bytearray(b"Hello u1 calling\n")
    assert pm.hello("d", type=bareos.bsock.ConnectionType.FILEDAEMON) == bytearray(b"Hello Director d calling\n")
    assert pm.pam_user_credentials("a", "b") == bytearray(b"4002\x1ea\x1eb")
    assert bareos.bsock.ProtocolMessages.is_auth_ok(b"1000 OK auth\n")


def test_password():
    p = bareos.bsock.Password("secret")
    assert p.md5() == b"5ebe2294ecd0e0f08eab7690d2a6ee69" and p.plaintext() == "secret"
    q = bareos.bsock.Password()
    q.set_md5("5ebe2294ecd0e0f08eab7690d2a6ee69")
    assert q.md5() == p.md5() and q.plaintext() is None


def test_tls_version_parser():
    parser = argparse.ArgumentParser()
    tvp = bareos.bsock.TlsVersionParser()
    tvp.add_argument(parser)
    assert parser.parse_args(["--tls-version", "v1.2"]).BAREOS_tls_version == ssl.PROTOCOL_TLSv1_2
    assert tvp.get_protocol_version_from_string("V1.2") == ssl.PROTOCOL_TLSv1_2
    assert tvp.get_protocol_version_from_string("v9") is None
    assert "v1.2" in tvp.get_protocol_versions()


def test_deprecated_aliases():
    assert issubclass(bareos.bsock.BSock, bareos.bsock.DirectorConsole)
    assert issubclass(bareos.bsock.BSockJson, bareos.bsock.DirectorConsoleJson)
    assert bareos.bsock.DirectorConsole.is_tls_psk_available() in (True, False)
