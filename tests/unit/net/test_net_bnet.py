"""Framing, signals, bashing, Hello lines (bareos.lib.bnet)."""

import struct

import pytest
from hypothesis import given, settings, strategies as st

from bareos.lib import bnet
from bareos.lib.bnet import HelloKind, PacketDecoder, ProtocolError

packets = st.lists(
    st.one_of(st.binary(max_size=300), st.integers(min_value=-28, max_value=-1)), max_size=30
)


def encode_stream(items, max_payload=bnet.MAX_PAYLOAD):
    return b"".join(bnet.encode_signal(i) if isinstance(i, int) else bnet.encode_packet(i, max_payload)
                    for i in items)


@settings(max_examples=300, deadline=None)
@given(items=packets, cuts=st.lists(st.integers(min_value=0, max_value=20000), max_size=40))
def test_any_split_decodes_the_same(items, cuts):
    data = encode_stream(items)
    bounds = sorted({c % (len(data) + 1) for c in cuts} | {0, len(data)})
    dec = PacketDecoder()
    out = []
    for a, b in zip(bounds, bounds[1:]):
        dec.feed(data[a:b])
        out.extend(dec)
    assert out == items
    assert not dec.in_packet


@settings(deadline=None)
@given(payload=st.binary(max_size=2000), limit=st.integers(min_value=1, max_value=300))
def test_long_messages_are_split_and_reassemble(payload, limit):
    parts = bnet.decode_all(bnet.encode_packet(payload, limit))
    assert b"".join(parts) == payload
    assert all(0 < len(p) <= limit for p in parts) or payload == b""
    assert len(parts) == max(1, -(-len(payload) // limit))


def test_real_split_size():
    data = bytes(2_500_000)
    framed = bnet.encode_packet(data)
    sizes = [len(p) for p in bnet.decode_all(framed)]
    assert sizes == [999_996, 999_996, 500_008]
    assert struct.unpack("!i", framed[:4])[0] == 999_996
    assert bnet.encode_packet(bytes(999_996))[:4] == struct.pack("!i", 999_996)


def test_empty_message_and_str():
    assert bnet.encode_packet(b"") == b"\0\0\0\0"
    assert bnet.encode_packet("é") == b"\0\0\0\x02\xc3\xa9"
    assert bnet.decode_all(b"\0\0\0\0") == [b""]


def test_signal_encoding():
    assert bnet.encode_signal(bnet.BNET_TERMINATE) == b"\xff\xff\xff\xfc"
    assert bnet.decode_all(b"\xff\xff\xff\xff\xff\xff\xff\xee") == [-1, -18]
    with pytest.raises(ValueError):
        bnet.encode_signal(0)


def test_oversized_header_is_refused():
    dec = PacketDecoder()
    dec.feed(struct.pack("!i", 1_000_001))
    with pytest.raises(ProtocolError):
        dec.next()
    with pytest.raises(ProtocolError):
        dec.feed(b"x")
    ok = PacketDecoder()
    ok.feed(struct.pack("!i", 1_000_000))
    assert ok.next() is None and ok.bytes_wanted() == 1_000_000


def test_trailing_partial_packet():
    with pytest.raises(ProtocolError):
        bnet.decode_all(b"\0\0\0\x05abc")


def test_signal_names():
    assert len(bnet.SIGNAL_NAMES) == 28
    assert bnet.signal_name(-1) == "BNET_EOD"
    assert bnet.signal_name(-28) == "BNET_TEXT_INPUT"
    assert bnet.signal_name(-99) == "BNET_SIGNAL(-99)"
    assert bnet.signal_description(-4) == "Conversation terminated"
    assert bnet.BNET_MAIN_PROMPT == -18 and bnet.BNET_SUB_PROMPT == -27


@settings(deadline=None)
@given(st.text())
def test_bash_roundtrip(text):
    if "\x01" not in text:
        assert bnet.unbash_spaces(bnet.bash_spaces(text)) == text
    assert " " not in bnet.bash_spaces(text)
    assert bnet.bash_spaces(text.encode()) == bnet.bash_spaces(text).encode()


HELLOS = [
    (b"Hello *UserAgent* calling version 25.1.1\n", HelloKind.CONSOLE, "*UserAgent*", "R_CONSOLE", "25.1.1"),
    (b"Hello admin calling\n", HelloKind.CONSOLE, "admin", "R_CONSOLE", None),
    (b"Hello my\x01console calling version 18.2.5\n", HelloKind.CONSOLE, "my console", "R_CONSOLE", "18.2.5"),
    (b"Hello Director bareos-dir calling\n", HelloKind.DIRECTOR, "bareos-dir", "R_DIRECTOR", None),
    (b'Hello Director my\x01dir calling Version="25.1.1"\n', HelloKind.DIRECTOR, "my dir", "R_DIRECTOR", "25.1.1"),
    (b"Hello Storage sd1 calling\n", HelloKind.STORAGE, "sd1", "R_STORAGE", None),
    (b"Hello Client fd1 FdProtocolVersion=54 calling\n", HelloKind.CLIENT, "fd1", "R_CLIENT", None),
    (b"Hello Start Job Backup.2025-01-01_10.00.00_07\n", HelloKind.START_JOB,
     "Backup.2025-01-01_10.00.00_07", "R_JOB", None),
    (b'Hello Start Storage Job j.1 Version="25.1.1"\n', HelloKind.START_STORAGE_JOB, "j.1", "R_JOB", "25.1.1"),
    (b"Hello Storage calling Start Job j.2\n", HelloKind.STORAGE_START_JOB, "j.2", "R_JOB", None),
    (b"Hello Directorate calling version 25.1.1\n", HelloKind.CONSOLE, "Directorate", "R_CONSOLE", "25.1.1"),
]


@pytest.mark.parametrize("raw,kind,name,rtype,version", HELLOS)
def test_parse_hello(raw, kind, name, rtype, version):
    h = bnet.parse_hello(raw)
    assert (h.kind, h.name, h.resource_type, h.version) == (kind, name, rtype, version)
    assert h.psk_identity == rtype.encode() + b"\x1e" + name.encode()


def test_hello_versions():
    assert bnet.parse_hello(b"Hello a calling version 25.1.1\n").version_number == 2501
    assert bnet.parse_hello(b"Hello a calling version 18.2\n").protocol_18_2
    assert not bnet.parse_hello(b"Hello a calling version 17.9.1\n").protocol_18_2
    assert not bnet.parse_hello(b"Hello a calling\n").protocol_18_2
    assert bnet.version_number("25") is None
    fd = bnet.parse_hello(b'Hello Client x FdProtocolVersion=54 calling Version="25.1.1"\n')
    assert fd.fd_protocol_version == 54 and fd.version == "25.1.1"


@pytest.mark.parametrize("raw", [b"", b"Hullo x\n", b"Hello\n", b"Hello Director\n", b"GET / HTTP/1.0\r\n"])
def test_bad_hello(raw):
    with pytest.raises(ProtocolError):
        bnet.parse_hello(raw)


names = st.text(alphabet=st.characters(blacklist_characters="\x01\n\r\0\t\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0",
                                       blacklist_categories=("Zs", "Zl", "Zp", "Cs")), min_size=1, max_size=40)


@settings(deadline=None)
@given(kind=st.sampled_from(list(HelloKind)), name=names, version=st.one_of(st.none(), st.just("25.1.1")),
       spaces=st.booleans())
def test_make_hello_roundtrip(kind, name, version, spaces):
    if spaces:
        name = name + " x"
    if kind is HelloKind.CONSOLE and name.split(" ")[0] in ("Director", "Storage", "Client", "Start"):
        return  # such console names collide with daemon Hellos, as in Bareos
    h = bnet.parse_hello(bnet.make_hello(kind, name, version, fd_protocol_version=54))
    assert h.kind is kind and h.name == name and h.version == version


def test_make_hello_exact_bytes():
    assert bnet.make_hello(HelloKind.CONSOLE, "admin", "25.1.1") == b"Hello admin calling version 25.1.1\n"
    assert bnet.make_hello(HelloKind.DIRECTOR, "bareos dir") == b"Hello Director bareos\x01dir calling\n"
    assert bnet.make_hello(HelloKind.CLIENT, "fd", "25.1.1", 54) == (
        b'Hello Client fd FdProtocolVersion=54 calling Version="25.1.1"\n'
    )
    assert bnet.make_hello(HelloKind.STORAGE_START_JOB, "j") == b"Hello Storage calling Start Job j\n"


def test_cleartext_detection():
    assert bnet.looks_like_cleartext_hello(bnet.encode_packet("Hello admin calling\n"))
    assert not bnet.looks_like_cleartext_hello(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03")
    assert not bnet.looks_like_cleartext_hello(b"\0\0\0\x10Hello")


def test_response_messages():
    assert bnet.format_response_message(1000, "OK: dir Version: 25.1.1") == b"1000\x1eOK: dir Version: 25.1.1"
    assert bnet.format_response_message(1001) == b"1001\x1e"
    assert bnet.format_response_message(4002, "u", "p") == b"4002\x1eu\x1ep"
    assert bnet.parse_response_message(b"4002\x1eu\x1ep") == (4002, ["u", "p"])
    assert bnet.parse_response_message(b"1000 OK: x -- y\n") == (1000, ["OK: x -- y\n"])
    assert bnet.parse_response_message(b"auth cram-md5") is None
