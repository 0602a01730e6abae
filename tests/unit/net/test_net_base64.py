"""Bareos's base64 variants and stat-packet integers (bareos.lib.base64)."""

import base64 as std_base64

import pytest
from hypothesis import given, settings, strategies as st

from bareos.lib.base64 import base64_to_bin, base64_to_int, bin_to_base64, int_to_base64

# console-protocol.md §3.3.  The first row's Bareos value there reads "same";
# python-bareos 25.1.1 (and the algorithm of §3.3) give ...fD: the last group
# is right-aligned in the Bareos variant, so the last character differs.
VECTORS = [
    (bytes(range(0x70, 0x80)), "cHFyc3R1dnd4eXp7fH1+fw", "cHFyc3R1dnd4eXp7fH1+fD"),
    (b"\xff" * 16, "/////////////////////w", "/////////////////////D"),
    (bytes(range(0xF0, 0x100)), "8PHy8/T19vf4+fr7/P3+/w", "8//y8//19//4+//7///+/D"),
    (bytes.fromhex("c06452e19309c10ed3d212dd6f13d648"), "wGRS4ZMJwQ7T0hLdbxPWSA", "wGRS45MJwQ/T0h/dbx/WSA"),
    (bytes.fromhex("e823c14650cce1e9f1763aa350b26e7e"), "6CPBRlDM4enxdjqjULJufg", "6C/BRl/M4+/xdj+jU7JufC"),
    (b"", "", ""),
]


@pytest.mark.parametrize("data,standard,bareos", VECTORS)
def test_vectors(data, standard, bareos):
    assert bin_to_base64(data, compatible=True) == standard
    assert bin_to_base64(data, compatible=False) == bareos


@settings(deadline=None)
@given(st.binary(max_size=64))
def test_standard_is_rfc4648_without_padding(data):
    assert bin_to_base64(data, True) == std_base64.b64encode(data).decode().rstrip("=")
    assert base64_to_bin(bin_to_base64(data, True)) == data


@settings(deadline=None)
@given(st.binary(max_size=64).map(lambda b: bytes(x & 0x7F for x in b)))
def test_bareos_variant_below_0x80(data):
    enc = bin_to_base64(data, False)
    std = bin_to_base64(data, True)
    assert enc[:-1] == std[:-1] and len(enc) == len(std)
    assert base64_to_bin(enc, compatible=False) == data


@settings(deadline=None)
@given(st.binary(min_size=16, max_size=16))
def test_digest_length(data):
    assert len(bin_to_base64(data, True)) == len(bin_to_base64(data, False)) == 22


def test_decode_errors_and_padding():
    assert base64_to_bin("aGk=") == b"hi"
    assert base64_to_bin(b"aGk\0") == b"hi"
    with pytest.raises(ValueError):
        base64_to_bin("a*b")


@pytest.mark.parametrize("value,text", [(0, "A"), (1, "B"), (63, "/"), (64, "BA"), (-1, "-B"), (0o100664, "IG0")])
def test_int_base64(value, text):
    assert int_to_base64(value) == text
    assert base64_to_int(text) == value


@settings(deadline=None)
@given(st.integers(min_value=-(2**63), max_value=2**64))
def test_int_roundtrip(value):
    assert base64_to_int(int_to_base64(value)) == value


def test_int_errors():
    with pytest.raises(ValueError):
        base64_to_int("")
    with pytest.raises(ValueError):
        base64_to_int("A!")
