"""CRAM-MD5 message builders and checkers (bareos.lib.cram)."""

import re

import pytest
from hypothesis import given, settings, strategies as st

from bareos.lib import cram

KEY = b"5ebe2294ecd0e0f08eab7690d2a6ee69"


def test_password_key():
    assert cram.password_key("secret") == KEY
    assert cram.password_key(b"secret") == KEY
    assert cram.as_key("5ebe2294ecd0e0f08eab7690d2a6ee69") == KEY

    class ConfigPassword:
        md5 = "5ebe2294ecd0e0f08eab7690d2a6ee69"

    class ClientPassword:
        def md5(self):
            return KEY

    assert cram.as_key(ConfigPassword()) == KEY
    assert cram.as_key(ClientPassword()) == KEY


@pytest.mark.parametrize(
    "token,hexdigest,standard,bareos",
    [
        ("<1234567890.1700000000@R_DIRECTOR::bareos-dir>", "c06452e19309c10ed3d212dd6f13d648",
         "wGRS4ZMJwQ7T0hLdbxPWSA", "wGRS45MJwQ/T0h/dbx/WSA"),
        ("<3392241082.1795304082@notls>", "e823c14650cce1e9f1763aa350b26e7e",
         "6CPBRlDM4enxdjqjULJufg", "6C/BRl/M4+/xdj+jU7JufC"),
    ],
)
def test_spec_examples(token, hexdigest, standard, bareos):
    assert cram.hmac_digest(KEY, token).hex() == hexdigest
    assert cram.response(KEY, token, compatible=True) == standard
    assert cram.response(KEY, token) == bareos
    for answer in (standard, bareos, bareos + "\0", standard.encode() + b"\0"):
        assert cram.verify(KEY, token, answer)
    assert not cram.verify(KEY, token, ("x" if bareos[0] != "x" else "y") + bareos[1:])
    assert not cram.verify(cram.password_key("other"), token, bareos)
    assert not cram.verify(KEY, token, b"")


def test_challenge_format():
    token = cram.challenge("R_DIRECTOR::bareos-dir")
    assert re.fullmatch(r"<\d+\.\d+@R_DIRECTOR::bareos-dir>", token)
    assert cram.challenge("x", rand=5, now=7) == "<5.7@x>"
    assert cram.qualified_name("R_DIRECTOR", "my dir") == "R_DIRECTOR::my\x01dir"


def test_challenge_line():
    assert cram.challenge_line("<1.2@d>", 2) == b"auth cram-md5 <1.2@d> ssl=2\n"
    assert cram.challenge_line("<1.2@d>", 0, compatible=True) == b"auth cram-md5c <1.2@d> ssl=0\n"


@pytest.mark.parametrize(
    "line,token,ssl,compat",
    [
        (b"auth cram-md5 <591224654.1795304082@R_DIRECTOR::toy-dir> ssl=0\n",
         "<591224654.1795304082@R_DIRECTOR::toy-dir>", 0, False),
        (b"auth cram-md5 <9999999999.1795304082@notls> ssl=0\n", "<9999999999.1795304082@notls>", 0, False),
        (b"auth cram-md5c <1.2@R_CONSOLE::x> ssl=2\n", "<1.2@R_CONSOLE::x>", 2, True),
        (b"auth cram-md5 <1.2@d> ssl=1 qualified-name=R_DIRECTOR::d\n\0", "<1.2@d>", 1, False),
        ("auth cram-md5 <1.2@*UserAgent*> ssl=0", "<1.2@*UserAgent*>", 0, False),
    ],
)
def test_parse_challenge_line(line, token, ssl, compat):
    ch = cram.parse_challenge_line(line)
    assert (ch.token, ch.tls_policy, ch.compatible) == (token, ssl, compat)


@pytest.mark.parametrize("line", [b"", b"1999 You are not authorized.\n", b"auth cram-md5 <1.2@d>\n",
                                  b"auth cram-md5 nobrackets ssl=0\n", b"auth sha1 <1.2@d> ssl=0\n"])
def test_parse_challenge_line_rejects(line):
    with pytest.raises(cram.AuthenticationFailed):
        cram.parse_challenge_line(line)


def test_replay_detection():
    own = "R_DIRECTOR::bareos-dir"
    assert cram.parse_challenge_line(b"auth cram-md5 <1.2@R_DIRECTOR::bareos-dir> ssl=0").name == own
    assert cram.is_replay(cram.parse_challenge_line(b"auth cram-md5 <1.2@R_DIRECTOR::bareos-dir> ssl=0"), own)
    assert not cram.is_replay(cram.parse_challenge_line(b"auth cram-md5 <1.2@R_CONSOLE::admin> ssl=0"), own)
    sd = "R_STORAGE::sd"
    assert not cram.is_replay(cram.parse_challenge_line(b"auth cram-md5 <1.2@R_STORAGE::sd> ssl=0"), sd)


@settings(deadline=None)
@given(token=st.text(min_size=1, max_size=80), compat=st.booleans(), key=st.binary(min_size=1, max_size=40))
def test_response_always_verifies(token, compat, key):
    answer = cram.response(key, token, compat)
    assert len(answer) == 22
    assert cram.verify(key, token, answer)
