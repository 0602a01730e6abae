"""The restore path's fast decoders agree with the general ones of lib.stat."""

from __future__ import annotations

import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bareos.filed.attrfast import decode_attributes_fast, decode_stat_fast, parse_rechdr
from bareos.lib.scan import bsscanf
from bareos.lib.stat import (
    AttributeFormatError,
    decode_attributes,
    decode_stat,
    encode_attributes,
    encode_stat,
    to_base64_int,
)
from bareos.lib.streams import (
    AR_DATA_STREAM,
    FT_DIREND,
    FT_LNK,
    FT_REG,
    FT_RESTORE_FIRST,
)

_B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
ints = st.integers(min_value=-(1 << 70), max_value=1 << 70)
field_text = st.one_of(
    ints.map(to_base64_int),
    st.text(alphabet=_B64, min_size=1, max_size=20),          # long fields wrap at 64 bits
    st.text(alphabet=_B64 + "-*.", min_size=0, max_size=6),   # odd characters count as 0
)


@settings(max_examples=400)
@given(st.lists(field_text, min_size=13, max_size=17))
def test_decode_stat_fast_agrees(fields):
    text = " ".join(fields)
    assert decode_stat_fast(text) == decode_stat(text)
    assert decode_stat_fast(text.encode()) == decode_stat(text)


def test_decode_stat_fast_real_stat_and_errors():
    text = encode_stat(os.lstat(__file__), link_fi=-5, data_stream=9)
    assert decode_stat_fast(text) == decode_stat(text)
    assert decode_stat_fast(text).link_fi == -5
    with pytest.raises(AttributeFormatError):
        decode_stat_fast("A B C")


names = st.text(min_size=1, max_size=40).filter(lambda s: "\0" not in s)


@settings(max_examples=300)
@given(st.integers(0, 1 << 31), st.sampled_from([FT_REG, FT_LNK, FT_DIREND, 99]), names,
       st.lists(ints, min_size=16, max_size=16), names, st.text(max_size=5).filter(lambda s: "\0" not in s),
       st.integers(0, 1000))
def test_decode_attributes_fast_agrees(fi, ftype, fname, vals, link, ex, dseq):
    lstat = " ".join(to_base64_int(v) for v in vals)
    rec = encode_attributes(fi, ftype, fname, lstat, link, ex, dseq)
    attrs, sp = decode_attributes_fast(rec)
    assert attrs == decode_attributes(rec)
    assert sp == decode_stat(attrs.lstat)


def test_decode_attributes_fast_general_cases():
    lstat = encode_stat(os.lstat(__file__))
    # a data stream flag in the type, a restore object, surrogate names, old records
    recs = [
        b"7 %d /a\0%s\0\0\0" % (FT_REG | AR_DATA_STREAM, lstat.encode()) + to_base64_int(8).encode() + b"\0",
        b"7 %d /a\0%s\0\0\0objdata\0" % (FT_RESTORE_FIRST, lstat.encode()),
        b"8 3 /x\xff\xfey\0%s\0\0" % lstat.encode(),
        b"9 3 /x\0%s\0\0ex\0" % lstat.encode(),
        b"9 3 /x\0%s\0\0ex\0zz\0" % lstat.encode(),
    ]
    for rec in recs:
        attrs, sp = decode_attributes_fast(rec)
        assert attrs == decode_attributes(rec)
        assert sp == decode_stat(attrs.lstat)
    for bad in (b"", b"7 3 /a", b"x 3 /a\0A\0\0\0", b"7 3 /a\0A B\0\0\0"):
        with pytest.raises(AttributeFormatError):
            decode_attributes_fast(bad)


@given(st.integers(0, 1 << 32), st.integers(0, 1 << 32), st.integers(-(1 << 31), 1 << 31),
       st.integers(-(1 << 31), 1 << 31), st.integers(0, 1 << 32))
def test_parse_rechdr_agrees_with_bsscanf(a, b, c, d, e):
    line = f"rechdr {a} {b} {c} {d} {e}"
    assert list(parse_rechdr(line.encode())) == bsscanf(line, "rechdr %u %u %d %d %u")


def test_parse_rechdr_rejects():
    assert parse_rechdr(b"rechdr 1 2 3") is None
    assert parse_rechdr(b"3000 OK data") is None
    assert parse_rechdr(b"rechdr 1 2 x 4 5") is None
