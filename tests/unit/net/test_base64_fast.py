"""bin_to_base64's fast paths against the bit-by-bit definition of Bareos's coding."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bareos.lib.base64 import ALPHABET, base64_to_bin, bin_to_base64


def reference(data: bytes, compatible: bool) -> str:
    """Bareos's BinToBase64: a 32-bit register fed with (signed, unless
    compatible) chars, 6 bits out at a time; the last partial group is
    left-aligned when compatible, right-aligned otherwise."""
    out = []
    reg = rem = i = 0
    while i < len(data):
        if rem < 6:
            b = data[i]
            reg = ((reg << 8) & 0xFFFFFFFF) | ((0xFFFFFF00 | b) if (b >= 0x80 and not compatible) else b)
            i += 1
            rem += 8
        out.append(ALPHABET[(reg >> (rem - 6)) & 0x3F])
        rem -= 6
    if rem:
        low = reg & ((1 << rem) - 1)
        out.append(ALPHABET[low << (6 - rem) if compatible else low])
    return "".join(out)


@settings(max_examples=500)
@given(st.binary(max_size=80), st.booleans())
def test_any_bytes(data, compatible):
    assert bin_to_base64(data, compatible) == reference(data, compatible)
    assert bin_to_base64(bytearray(data), compatible) == reference(data, compatible)


@settings(max_examples=300)
@given(st.binary(max_size=80).map(lambda b: bytes(x & 0x7F for x in b)))
def test_ascii_bytes_bareos_variant_round_trips(data):
    text = bin_to_base64(data)
    assert text == reference(data, False)
    assert base64_to_bin(text, compatible=False) == data


def test_md5_digest_as_the_catalog_stores_it():
    digest = bytes.fromhex("d41d8cd98f00b204e9800998ecf8427e")
    assert bin_to_base64(digest, compatible=True) == "1B2M2Y8AsgTpgAmY7PhCfg"
    assert bin_to_base64(digest) == reference(digest, False)
