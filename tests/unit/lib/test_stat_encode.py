"""The stat packet encoder's fast paths give the same text as the plain
definition (Bareos's ToBase64 on int64 values)."""

from __future__ import annotations

import os
import types

from hypothesis import given, strategies as st

from bareos.lib.stat import (
    StatPacket, decode_stat, encode_stat, from_base64_int, to_base64_int,
)

_DIGITS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


def reference(value: int) -> str:
    """Bareos's ToBase64, digit by digit, on the value cast to int64."""
    value &= (1 << 64) - 1
    if value >> 63:
        value -= 1 << 64
    neg = value < 0
    mag = -value if neg else value
    digits = ""
    while True:
        digits = _DIGITS[mag % 64] + digits
        mag //= 64
        if not mag:
            break
    return ("-" if neg else "") + digits


@given(st.integers(min_value=-(1 << 70), max_value=1 << 70))
def test_to_base64_int_matches_reference(value):
    assert to_base64_int(value) == reference(value)
    assert from_base64_int(to_base64_int(value)) == from_base64_int(reference(value))


def test_boundaries():
    for v in (0, 1, 63, 64, 4095, 4096, 4097, 64 ** 3 - 1, 64 ** 3, (1 << 63) - 1, 1 << 63,
              -1, -64, -4096, -(1 << 63), (1 << 64) - 1):
        assert to_base64_int(v) == reference(v), v
    assert to_base64_int(4096) == "BAA"
    assert to_base64_int(-1) == "-B"


def _as_namespace(s: os.stat_result):
    fields = ("st_dev", "st_ino", "st_mode", "st_nlink", "st_uid", "st_gid", "st_rdev", "st_size",
              "st_blksize", "st_blocks", "st_atime", "st_mtime", "st_ctime",
              "st_atime_ns", "st_mtime_ns", "st_ctime_ns")
    return types.SimpleNamespace(**{f: getattr(s, f) for f in fields})


def test_stat_result_fast_path_equals_generic_path(tmp_path):
    paths = [tmp_path, __file__, "/", "/dev/null"]
    link = tmp_path / "l"
    link.symlink_to("nowhere")
    paths.append(link)
    for p in paths:
        s = os.lstat(p)
        for link_fi, stream in ((0, 0), (7, 1), (123456, 30), (-5, 2)):
            fast = encode_stat(s, link_fi, stream)
            assert fast == encode_stat(_as_namespace(s), link_fi, stream)
            sp = decode_stat(fast)
            assert (sp.st_ino, sp.st_mode, sp.st_size, sp.st_mtime) == \
                (s.st_ino, s.st_mode, s.st_size, s.st_mtime_ns // 10 ** 9)
            assert sp.data_stream == stream and sp.link_fi == link_fi


def test_times_before_1970_floor_like_c(tmp_path):
    f = tmp_path / "old"
    f.write_bytes(b"x")
    os.utime(f, ns=(-1_500_000_000, -2_500_000_000))
    s = os.lstat(f)
    sp = decode_stat(encode_stat(s))
    assert sp.st_atime == -2 and sp.st_mtime == -3


def test_stat_packet_round_trip():
    sp = StatPacket(1, 2, 0o100644, 1, 1000, 1000, 0, 1 << 40, 4096, 8, -1, 1700000000,
                    1700000001, 3, 0, 2)
    assert decode_stat(encode_stat(sp, 3, 2)) == sp
