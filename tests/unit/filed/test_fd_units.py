"""Unit tests of the File Daemon's pure parts: compression framing, option
letters, FileSet items, matching, bsscanf, bregexp, xattr/ACL encodings,
sparse detection and attribute encoding."""

from __future__ import annotations

import os
import struct
import zlib

import pytest
from hypothesis import given, settings, strategies as st

from bareos.filed.backup import AccurateList, Backup, RecordWriter, select_data_stream, strip_path
from bareos.filed.restore import apply_bregexps, build_regexwhere, parse_bregexps
from bareos.filed.scan import bsscanf
from bareos.filed import xattr as xm
from bareos.findlib import fileset as fsm
from bareos.findlib.find import FindFiles
from bareos.findlib.match import accept_file, fnmatch
from bareos.lib import bnet, compression as comp
from bareos.lib.stat import decode_attributes
from bareos.lib.streams import (
    FT_DIREND, FT_REG, STREAM_COMPRESSED_DATA, STREAM_FILE_DATA, STREAM_SPARSE_COMPRESSED_DATA,
    STREAM_SPARSE_DATA, STREAM_XXH128_DIGEST,
)

# --------------------------------------------------------------------------
# compression records
# --------------------------------------------------------------------------

TEXT = b"The quick brown fox jumps over the lazy dog. " * 3000


def test_gzip_record_header_is_bareos_layout():
    rec = comp.compress_record(comp.COMPRESS_GZIP, 6, TEXT[:1000])
    magic, clen, level, version = struct.unpack(">IIHH", rec[:12])
    assert rec[:4] == b"GZIP" and magic == 0x475A4950
    assert clen == len(rec) - 12 and level == 6 and version == 1
    assert zlib.decompress(rec[12:]) == TEXT[:1000]      # a plain zlib stream
    assert comp.decompress_record(rec) == TEXT[:1000]


@pytest.mark.parametrize("magic", [comp.COMPRESS_GZIP, comp.COMPRESS_LZO1X, comp.COMPRESS_FZFZ,
                                   comp.COMPRESS_FZ4L, comp.COMPRESS_FZ4H])
def test_round_trip_every_algorithm(magic):
    if not comp.available(magic):
        pytest.skip("compressor not installed")
    for data in (TEXT[:262144], os.urandom(5000), b"x" * 10, b"abc" * 90000):
        rec = comp.compress_record(magic, 1, data)
        assert rec[:4] == struct.pack(">I", magic)
        assert comp.decompress_record(rec) == data


def test_fastlz_stream_framing_vector():
    # a block of <= 64 bytes is stored raw, then the end marker
    out = comp.fastlz_stream_compress(b"hello", comp.COMPRESS_FZFZ)
    assert out == (b"FastLZ\0" + bytes([0x18]) + struct.pack("<II", 5, 5) + b"hello"
                   + b"FastLZ\0" + bytes([0xC8]) + struct.pack("<II", 0, 0))
    assert comp.fastlz_stream_decompress(out) == b"hello"


def test_fastlz_level1_block_vector():
    # literal run "abc", then a match of 6 at distance 3 (ctrl 0x80|0, low byte 2)
    block = bytes([2]) + b"abc" + bytes([(4 << 5) | 0, 2])
    assert comp.fastlz_decompress(block) == b"abcabcabc"
    assert comp.fastlz_decompress(comp.fastlz_compress(b"abcabcabc" * 40)) == b"abcabcabc" * 40


@pytest.mark.skipif(not comp.available(comp.COMPRESS_FZ4L), reason="lz4 not installed")
def test_lz4_blocks_inside_framing():
    import lz4.block
    data = TEXT[:100000]
    out = comp.fastlz_stream_compress(data, comp.COMPRESS_FZ4L)
    assert out[:7] == b"FastLZ\0" and out[7] == 0xC8
    stored, orig = struct.unpack("<II", out[8:16])
    assert orig == len(data)
    assert lz4.block.decompress(out[16:16 + stored], uncompressed_size=orig) == data
    assert out[16 + stored:] == b"FastLZ\0" + bytes([0xC8]) + b"\0" * 8


def test_decompress_rejects_bad_headers():
    rec = bytearray(comp.compress_record(comp.COMPRESS_GZIP, 1, b"data" * 100))
    bad_version = bytes(rec[:10]) + b"\0\x02" + bytes(rec[12:])
    with pytest.raises(comp.CompressionError, match="version"):
        comp.decompress_record(bad_version)
    with pytest.raises(comp.CompressionError, match="size"):
        comp.decompress_record(bytes(rec) + b"x")
    with pytest.raises(comp.CompressionError):
        comp.decompress_record(b"ZZZZ" + bytes(rec[4:]))


@settings(max_examples=40, deadline=None)
@given(st.binary(max_size=3000))
def test_fastlz_round_trip_property(data):
    assert comp.fastlz_decompress(comp.fastlz_compress(data)) == data
    assert comp.fastlz_stream_decompress(comp.fastlz_stream_compress(data, comp.COMPRESS_FZFZ),
                                         comp.COMPRESS_FZFZ) == data


# --------------------------------------------------------------------------
# option letters and FileSet items
# --------------------------------------------------------------------------


def test_option_letters():
    fo = fsm.parse_option_letters("MHAX")
    assert {fsm.FO_MD5, fsm.FO_NO_HARDLINK, fsm.FO_ACL, fsm.FO_XATTR} <= fo.flags
    fo = fsm.parse_option_letters("S2Z6sfhKWC5mcs:P2:")
    assert fsm.FO_SHA256 in fo.flags and fo.compress_algo == comp.COMPRESS_GZIP
    assert fo.compress_level == 6 and fsm.FO_SPARSE in fo.flags and fsm.FO_MULTIFS in fo.flags
    assert fsm.FO_NO_RECURSION in fo.flags and fsm.FO_NOATIME in fo.flags
    assert fo.accurate_opts == "C5mcs" and fo.strip_path == 2
    assert fsm.parse_option_letters("Zf4").compress_algo == comp.COMPRESS_FZ4L
    assert fsm.parse_option_letters("Zfh").compress_algo == comp.COMPRESS_FZ4H
    assert fsm.parse_option_letters("Zff").compress_algo == comp.COMPRESS_FZFZ
    assert fsm.parse_option_letters("Zo").compress_algo == comp.COMPRESS_LZO1X
    assert fsm.parse_option_letters("S4").digest_stream == STREAM_XXH128_DIGEST
    assert fsm.parse_option_letters("S").flags == {fsm.FO_SHA1}
    fo = fsm.parse_option_letters("ez<1k:")
    assert fsm.FO_EXCLUDE in fo.flags and fo.size_match.matches(100) and not fo.size_match.matches(4096)


def test_fileset_items_state_machine():
    fs = fsm.parse_fileset([
        "I", "O Mie", "WD *.tmp", "WF *.bak", "R \\.o$", "N", "O M", "N",
        "Z .nobackup", "F /etc", "F /home", "N", "P python3:module=x", "N",
        "E", "F /etc/shadow", "N",
    ])
    inc = fs.include_list[0]
    assert len(inc.opts_list) == 2
    assert inc.opts_list[0].wilddir == ["*.tmp"] and inc.opts_list[0].wildfile == ["*.bak"]
    assert inc.name_list == ["/etc", "/home"] and inc.plugin_list == ["python3:module=x"]
    assert inc.ignoredir == [".nobackup"]
    assert fs.exclude_list[0].name_list == ["/etc/shadow"]


def test_fileset_expands_pipes_and_files():
    p = fsm.FileSetParser(expand_command=lambda c: ["/a", "/b  \n"], expand_file=lambda f: ["/c"])
    for it in ["I", "O M", "N", "F |ls", "F </tmp/list", "N"]:
        p.add(it)
    assert p.result().include_list[0].name_list == ["/a", "/b", "/c"]
    bad = fsm.FileSetParser()
    bad.add("Q nonsense")
    assert not bad.ok


def test_fnmatch_semantics():
    assert fnmatch("*.c", "/src/dir/x.c")                   # * crosses / without FNM_PATHNAME
    assert not fnmatch("*.c", "/src/dir/x.c", pathname=True)
    assert fnmatch("/src/*/x.c", "/src/dir/x.c", pathname=True)
    assert fnmatch("[!a]bc", "xbc") and not fnmatch("[!a]bc", "abc")
    assert fnmatch("*.TXT", "a.txt", casefold=True) and not fnmatch("*.TXT", "a.txt")
    assert fnmatch("a\\*", "a*") and not fnmatch("a\\*", "ab")
    assert fnmatch("[[:digit:]]x", "7x")


def test_fnmatch_reversed_range_and_leading_dir():
    from bareos.findlib.match import translate
    # a reversed range matches nothing (it used to raise re.error)
    assert not fnmatch("[z-a]x", "bx") and fnmatch("[!z-a]x", "bx")
    assert not fnmatch("[/]b", "/b", pathname=True) and fnmatch("[/]b", "/b")
    lead = translate("/etc/p*", leading_dir=True)
    assert lead.match("/etc/passwd") and lead.match("/etc/pam.d/sshd")
    assert not lead.match("/etc/group")


def test_accept_file_wild_exclude_and_exclude_block():
    fs = fsm.parse_fileset(["I", "O e", "WF *.o", "N", "O M", "N", "F /src", "N",
                            "E", "F */secret*", "N"])
    inc = fs.include_list[0]
    ok, fo = accept_file(fs, inc, "/src/a.o", 0o100644)
    assert not ok
    ok, fo = accept_file(fs, inc, "/src/a.c", 0o100644)
    assert ok and fsm.FO_MD5 in fo.flags
    ok, _ = accept_file(fs, inc, "/src/secret.txt", 0o100644)
    assert not ok
    # an Options block with exclude and no pattern rejects everything it sees
    fs2 = fsm.parse_fileset(["I", "O e", "N", "F /x", "N"])
    assert not accept_file(fs2, fs2.include_list[0], "/x/y", 0o100644)[0]


def test_walk_honours_wilddir_ignoredir_and_recursion(tmp_path):
    (tmp_path / "keep").mkdir()
    (tmp_path / "keep" / "f").write_text("x")
    (tmp_path / "skip.tmp").mkdir()
    (tmp_path / "skip.tmp" / "g").write_text("x")
    (tmp_path / "ign").mkdir()
    (tmp_path / "ign" / ".nobackup").write_text("")
    (tmp_path / "ign" / "h").write_text("x")
    fs = fsm.parse_fileset(["I", "O e", "WD *.tmp", "N", "Z .nobackup", f"F {tmp_path}", "N"])
    seen = []
    FindFiles(fs, lambda ff: (seen.append((ff.type, ff.fname)), 1)[1]).run()
    names = {n for t, n in seen}
    assert str(tmp_path / "keep" / "f") in names
    assert not any("skip.tmp" in n or "/ign" in n for n in names)
    assert seen[-1] == (FT_DIREND, str(tmp_path))


# --------------------------------------------------------------------------
# bsscanf, bregexp, strip path
# --------------------------------------------------------------------------


def test_bsscanf():
    assert bsscanf("JobId=1 Job=a.b SDid=2 SDtime=3 Authorization=K ssl=4\n",
                   "JobId=%d Job=%127s SDid=%u SDtime=%u Authorization=%100s ssl=%d\n") == [1, "a.b", 2, 3, "K", 4]
    assert bsscanf("JobId=1 Job=a.b SDid=2 SDtime=3 Authorization=K\n",
                   "JobId=%d Job=%127s SDid=%u SDtime=%u Authorization=%100s ssl=%d\n") == [1, "a.b", 2, 3, "K"]
    assert bsscanf("restore replace=a prelinks=1 where=\n", "restore replace=%c prelinks=%d where=%s\n") == ["a", 1, ""]
    assert bsscanf("level = since_utime 1780000000 mtime_only=0 prev_job=x",
                   "level = since_utime %s mtime_only=%d prev_job=%127s") == ["1780000000", 0, "x"]
    assert bsscanf("setbandwidth=-5 Job=", "setbandwidth=%d Job=%127s") == [-5, ""]


def test_bregexp_strip_add_prefix_suffix():
    rw = build_regexwhere(strip_prefix="/home", add_prefix="/restored", add_suffix=".bak")
    assert rw == "!/home!!i,!([^/])$!$1.bak!,!^!/restored!"
    exprs = parse_bregexps(rw)
    assert apply_bregexps("/home/user/file.txt", exprs) == "/restored/user/file.txt.bak"
    assert apply_bregexps("/etc/x", parse_bregexps("!/etc!/tmp/etc!")) == "/tmp/etc/x"
    assert apply_bregexps("/a!b", parse_bregexps("!a\\!b!c!")) == "/c"
    with pytest.raises(ValueError):
        parse_bregexps("!unterminated")


def test_strip_path_and_data_streams():
    assert strip_path("/a/b/c/d", 2) == "c/d"
    assert strip_path("/a", 3) == "/a"
    assert select_data_stream(fsm.parse_option_letters("M")) == STREAM_FILE_DATA
    assert select_data_stream(fsm.parse_option_letters("s")) == STREAM_SPARSE_DATA
    assert select_data_stream(fsm.parse_option_letters("Z1")) == STREAM_COMPRESSED_DATA
    assert select_data_stream(fsm.parse_option_letters("sZ1")) == STREAM_SPARSE_COMPRESSED_DATA


# --------------------------------------------------------------------------
# xattr and ACL encodings
# --------------------------------------------------------------------------


def test_xattr_stream_round_trip_and_layout():
    data = xm.encode_xattrs([("user.a", b"1"), ("user.empty", b"")])
    assert data[:4] == struct.pack(">I", 0x5C5884) and data[4:8] == struct.pack(">I", 6)
    assert xm.decode_xattrs(data) == [("user.a", b"1"), ("user.empty", b"")]
    with pytest.raises(xm.XattrFormatError):
        xm.decode_xattrs(b"\0\0\0\1" + data[4:])


def test_acl_text_round_trip():
    entries = [(xm.ACL_USER_OBJ, 6, 0xFFFFFFFF), (xm.ACL_USER, 7, 0), (xm.ACL_GROUP_OBJ, 4, 0xFFFFFFFF),
               (xm.ACL_MASK, 5, 0xFFFFFFFF), (xm.ACL_OTHER, 4, 0xFFFFFFFF)]
    text = xm.acl_to_text(entries)
    assert text == "user::rw-\nuser:root:rwx\t#effective:r-x\ngroup::r--\nmask::r-x\nother::r--\n"
    assert xm.acl_from_text(text) == entries
    blob = xm.encode_acl_xattr(entries)
    assert xm.decode_acl_xattr(blob) == entries
    assert xm.acl_is_trivial([e for e in entries if e[0] in (1, 4, 0x20)])


# --------------------------------------------------------------------------
# backup records without a network: sparse detection and attributes
# --------------------------------------------------------------------------


class _Sock:
    def __init__(self):
        self.data = bytearray()

    def _sendall(self, b):
        self.data += b


class _Daemon:
    name = "unit-fd"

    def message_wanted(self, t):
        return True


def _records(raw: bytes):
    dec = bnet.PacketDecoder()
    dec.feed(raw)
    items = list(dec)
    recs = []
    i = 0
    while i < len(items):
        head = items[i]
        i += 1
        fi, stream, _ = head.decode().split()
        while items[i] != bnet.BNET_EOD:
            recs.append((int(fi), int(stream), items[i]))
            i += 1
        i += 1
    return recs


def test_sparse_blocks_are_skipped_and_offsets_written(tmp_path):
    from bareos.filed.jcr import Jcr
    f = tmp_path / "sparse"
    with open(f, "wb") as fh:
        fh.write(b"A" * 10)
        fh.seek(1 << 20)
        fh.write(b"B" * 10)
        fh.truncate(2 << 20)
    jcr = Jcr(_Daemon(), None)
    jcr.fileset = fsm.parse_fileset(["I", "O Ms", "N", f"F {f}", "N"])
    sock = _Sock()
    w = RecordWriter(sock, threaded=False)
    assert Backup(jcr, w, 65536).run()
    w.close()
    recs = _records(bytes(sock.data))
    attrs = decode_attributes(recs[0][2])
    assert attrs.type == FT_REG and attrs.fname == str(f)
    assert attrs.stat().data_stream == STREAM_SPARSE_DATA
    data = [(struct.unpack(">Q", r[:8])[0], r[8:]) for fi, s, r in recs if s == STREAM_SPARSE_DATA]
    assert data[0][0] == 0 and data[0][1].startswith(b"A" * 10)
    offsets = [o for o, _ in data]
    assert any(o <= (1 << 20) < o + 65536 for o in offsets)      # the block holding "B"
    assert len(data) < 10                     # 2 MiB in ~32 blocks, almost all zero
    total = sum(len(d) for _, d in data)
    assert total < 4 * 65536


def test_accurate_list_messages():
    lst = AccurateList()
    lst.add_message(b"/a\0P0D BJAEy IG0 B Po Po A b BAA I BdGwCZ BdGwCZ BdGwCZ A A C\0\x000")
    lst.add_message(b"/b/\0A A A\0abc\x007")
    assert lst.files["/a"][1] == "" and lst.files["/b/"][1:3] == ["abc", 7]
