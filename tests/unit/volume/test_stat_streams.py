"""Stat packets (LStat), attribute records, stream ids and file types."""

import os

import pytest
from hypothesis import given, strategies as st

from bareos.lib import streams
from bareos.lib.stat import (
    AttributeFormatError, RestoreObject, StatPacket, decode_attributes, decode_restore_object,
    decode_stat, encode_attributes, encode_restore_object, encode_stat, from_base64_int,
    to_base64_int,
)


@pytest.mark.parametrize("value,text", [
    (0, "A"), (1, "B"), (25, "Z"), (26, "a"), (52, "0"), (62, "+"), (63, "/"),
    (64, "BA"), (1000, "Po"), (4096, "BAA"), (0o100664, "IG0"), (0o40755, "EHt"),
    (-1, "-B"), (-64, "-BA"),
    (2**64 - 1, "-B"),                      # a uint64 cast to int64, as Bareos does
    (-2**63, "-IAAAAAAAAAA"),
])
def test_integer_base64_vectors(value, text):
    assert to_base64_int(value) == text
    if 0 <= value < 2**63 or value < 0:
        assert from_base64_int(text) == value


@given(st.integers(min_value=-2**63 + 1, max_value=2**63 - 1))
def test_integer_base64_round_trip(v):
    assert from_base64_int(to_base64_int(v)) == v


def test_stat_packet_vector_from_a_trace():
    # From a real FD trace: a 27-byte regular file, mode 0100664, uid/gid 1000.
    text = "P0D BJAEy IG0 B Po Po A b BAA I BdGwCZ BdGwCZ BdGwCZ A A C"
    sp = decode_stat(text)
    assert sp == StatPacket(st_dev=64771, st_ino=19136818, st_mode=0o100664, st_nlink=1,
                            st_uid=1000, st_gid=1000, st_rdev=0, st_size=27, st_blksize=4096,
                            st_blocks=8, st_atime=1562050713, st_mtime=1562050713,
                            st_ctime=1562050713, link_fi=0, st_flags=0, data_stream=2)
    assert encode_stat(sp, link_fi=0, data_stream=2) == text
    assert sp.is_reg() and not sp.is_dir()


def test_old_stat_packets_without_trailing_fields():
    sp = decode_stat("P0D BJAEy IG0 B Po Po A b BAA I BdGwCZ BdGwCZ BdGwCZ")
    assert (sp.link_fi, sp.st_flags, sp.data_stream) == (0, 0, 0)
    sp = decode_stat("P0D BJAEy IG0 B Po Po A b BAA I BdGwCZ BdGwCZ BdGwCZ F")
    assert sp.link_fi == 5 and sp.data_stream == 0
    with pytest.raises(AttributeFormatError):
        decode_stat("A B C")


def test_encode_real_stat(tmp_path):
    p = tmp_path / "f"
    p.write_bytes(b"hello")
    os.utime(p, (1_000_000_000, 1_234_567_890))
    st_ = os.lstat(p)
    text = encode_stat(st_, link_fi=3, data_stream=29)
    fields = text.split(" ")
    assert len(fields) == 16
    sp = decode_stat(text)
    assert (sp.st_size, sp.st_mode, sp.st_ino, sp.st_dev) == (5, st_.st_mode, st_.st_ino, st_.st_dev)
    assert (sp.st_atime, sp.st_mtime) == (1_000_000_000, 1_234_567_890)
    assert (sp.link_fi, sp.data_stream, sp.st_flags) == (3, 29, 0)


def test_encode_pre_epoch_time_floors_like_c(tmp_path):
    p = tmp_path / "old"
    p.write_bytes(b"")
    os.utime(p, ns=(-1_500_000_000, -1_500_000_000))    # -1.5 s
    assert decode_stat(encode_stat(os.lstat(p))).st_mtime == -2


def test_attribute_record_regular_file():
    lstat = "P0D BJAEy IG0 B Po Po A b BAA I BdGwCZ BdGwCZ BdGwCZ A A C"
    data = encode_attributes(12, streams.FT_REG, "/etc/hosts", lstat)
    assert data == b"12 3 /etc/hosts\0" + lstat.encode() + b"\0\0\0" + b"0\0"
    a = decode_attributes(data)
    assert (a.file_index, a.type, a.fname, a.lstat, a.link, a.attr_ex, a.delta_seq) == (
        12, 3, "/etc/hosts", lstat, "", "", 0)
    assert a.stat().st_size == 27


def test_attribute_record_directory_symlink_and_delta():
    d = decode_attributes(encode_attributes(4, streams.FT_DIREND, "/srv/data/", "A A EHt"
                                            " B A A A A A A A A A", delta_seq=0))
    assert d.type == streams.FT_DIREND and d.fname.endswith("/")
    link = decode_attributes(encode_attributes(5, streams.FT_LNK, "/a/l", "A", link="../target",
                                               delta_seq=3))
    assert (link.link, link.delta_seq) == ("../target", 3)


def test_attribute_record_non_utf8_name_survives():
    raw = b"/tmp/caf\xe9"
    data = encode_attributes(1, 3, raw, "A")
    a = decode_attributes(data)
    assert os.fsencode(a.fname) == raw or a.fname.encode("utf-8", "surrogateescape") == raw
    assert encode_attributes(1, 3, a.fname, "A") == data


def test_attribute_record_with_data_stream_flag():
    data = b"1 %d /x\0A\0\0\0C\0" % (streams.FT_REG | streams.AR_DATA_STREAM)
    a = decode_attributes(data)
    assert a.type == streams.FT_REG and a.data_stream == 2


def test_attribute_record_errors():
    with pytest.raises(AttributeFormatError):
        decode_attributes(b"x y /a\0")
    with pytest.raises(AttributeFormatError):
        decode_attributes(b"1 3 /no-terminator")


def test_restore_object_record():
    obj = RestoreObject(3, streams.FT_RESTORE_FIRST, 1, 0, 5, 0, "/@plugin/x", "config",
                        b"a\0bcd")
    data = encode_restore_object(obj)
    assert data.startswith(b"3 25 1 5 5 0 /@plugin/x\0config\0a\0bcd")
    assert data.endswith(b"\0")
    back = decode_restore_object(data)
    assert back.data == b"a\0bcd" and back.object_len == 5 and back.fname == "/@plugin/x"


def test_stream_constants_and_names():
    assert streams.STREAMMASK_TYPE == 0x7FF
    assert streams.STREAM_XXH128_DIGEST == 40 and streams.STREAM_XATTR_LINUX == 1998
    assert streams.FT_PLUGIN_CONFIG_FILLED == 28 and streams.FT_DELETED == 23
    assert streams.stream_name(2) == "DATA"
    assert streams.stream_name(-29) == "contCOMPRESSED"
    assert streams.stream_name(2 | streams.STREAM_BIT_PLUGIN) == "DATA"
    assert streams.stream_name(1007) == "1007"
    assert streams.stream_name(-1007) == "-1007"
    assert streams.stream_name(5, file_index=-4) == "5"          # label: JobId
    assert streams.STREAM_NAMES[3] == "STREAM_MD5_DIGEST"
    assert streams.FT_NAMES[5] == "FT_DIREND"
    assert streams.is_ft_object(streams.FT_PLUGIN_CONFIG)
    assert streams.masked(streams.STREAM_BIT_PLUGIN | 27) == 27
