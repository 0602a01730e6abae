"""The File Daemon's backup data paths (small files framed into the batch,
large files through pooled buffers, compression on worker threads, one
llistxattr per file for ACLs and xattrs) all write the records Bareos writes:
checked by decoding the stream a real Backup run produces."""

from __future__ import annotations

import errno
import hashlib
import os
import random
import struct

import pytest

from bareos.filed.backup import Backup, RecordWriter, SendError
from bareos.filed.jcr import Jcr
from bareos.findlib import fileset as fsm
from bareos.lib import bnet, compression as comp
from bareos.lib.stat import decode_attributes
from bareos.lib.streams import (
    FT_DIREND, FT_LNK, FT_REG, FT_REGE, STREAM_ACL_LINUX_ACCESS_ACL, STREAM_ACL_LINUX_DEFAULT_ACL,
    STREAM_COMPRESSED_DATA, STREAM_FILE_DATA, STREAM_MD5_DIGEST, STREAM_SPARSE_COMPRESSED_DATA,
    STREAM_SPARSE_DATA, STREAM_UNIX_ATTRIBUTES, STREAM_XATTR_LINUX,
)

BUF = 65536


class _Daemon:
    name = "unit-fd"
    client = None

    def __init__(self, wanted=()):
        self.wanted = set(wanted)

    def message_wanted(self, t):
        return t in self.wanted


class _Sink:
    def __init__(self, fail_after: int | None = None):
        self.data = bytearray()
        self.fail_after = fail_after

    def _sendall(self, b):
        if self.fail_after is not None and len(self.data) + len(b) > self.fail_after:
            raise ConnectionResetError(errno.ECONNRESET, "peer gone")
        self.data += b


class _RecordingJcr(Jcr):
    def __init__(self, daemon):
        super().__init__(daemon, None)
        self.messages = []

    def jmsg(self, mtype, text, raw=False):
        self.messages.append((mtype, text))
        super().jmsg(mtype, text, raw)


def _records(raw: bytes):
    """[(file_index, stream, [data packets])] in stream order; checks the framing."""
    dec = bnet.PacketDecoder(max_size=10_000_000)
    dec.feed(raw)
    items = list(dec)
    assert items[-1] == bnet.BNET_EOD
    items = items[:-1]
    out = []
    i = 0
    while i < len(items):
        fi, stream, zero = items[i].decode().split()
        assert zero == "0"
        i += 1
        data = []
        while items[i] != bnet.BNET_EOD:
            assert isinstance(items[i], bytes)
            data.append(items[i])
            i += 1
        i += 1
        out.append((int(fi), int(stream), data))
    return out


def _backup(tmp_path, options: str, *, threaded=True, jcr=None, sink=None, level="F", since=0):
    jcr = jcr or Jcr(_Daemon(), None)
    jcr.fileset = fsm.parse_fileset(["I", f"O {options}", "N", f"F {tmp_path / 'tree'}", "N"])
    jcr.level = level
    if level == "I":
        jcr.incremental = True
        jcr.since_time = since
    sink = sink or _Sink()
    w = RecordWriter(sink, threaded=threaded)
    ok = Backup(jcr, w, BUF).run()
    w.signal(bnet.BNET_EOD)
    w.close()
    return ok, jcr, bytes(sink.data)


def _make_tree(tmp_path):
    r = random.Random(7)
    root = tmp_path / "tree"
    (root / "sub").mkdir(parents=True)
    files = {}
    for i in range(12):
        data = r.randbytes(r.randint(1, 3 * BUF))          # some span several reads
        files[f"small{i}"] = data
    files["empty"] = b""
    files["text"] = b"".join(b"line %d of a text file\n" % i for i in range(30000))   # ~700 KiB
    files["random"] = r.randbytes(5 * BUF + 123)
    for name, data in files.items():
        (root / name).write_bytes(data)
    (root / "sub" / "inner").write_bytes(b"inner" * 100)
    files["sub/inner"] = b"inner" * 100
    (root / "link").symlink_to("text")
    return root, files


def _file_data(recs, sparse=False):
    """{fname: (bytes, digest, data stream, [chunk lengths])} rebuilt from the records."""
    out = {}
    cur = None
    for fi, stream, data in recs:
        if stream == STREAM_UNIX_ATTRIBUTES:
            a = decode_attributes(data[0])
            assert a.file_index == fi
            cur = out[a.fname] = {"attrs": a, "data": bytearray(), "digest": None, "stream": None,
                                  "chunks": [], "order": []}
        cur["order"].append(stream)
        if stream in (STREAM_FILE_DATA, STREAM_COMPRESSED_DATA, STREAM_SPARSE_DATA,
                      STREAM_SPARSE_COMPRESSED_DATA):
            cur["stream"] = stream
            for pkt in data:
                off = None
                if stream in (STREAM_SPARSE_DATA, STREAM_SPARSE_COMPRESSED_DATA):
                    off = struct.unpack(">Q", pkt[:8])[0]
                    pkt = pkt[8:]
                if stream in (STREAM_COMPRESSED_DATA, STREAM_SPARSE_COMPRESSED_DATA):
                    pkt = comp.decompress_record(pkt)
                if off is not None:
                    cur["data"][len(cur["data"]):off] = bytes(max(0, off - len(cur["data"])))
                    cur["data"][off:off + len(pkt)] = pkt
                else:
                    cur["data"] += pkt
                cur["chunks"].append(len(pkt))
        elif stream == STREAM_MD5_DIGEST:
            cur["digest"] = data[0]
    return out


@pytest.mark.parametrize("options,stream", [
    ("MHAX", STREAM_FILE_DATA),
    ("MHAXZ6", STREAM_COMPRESSED_DATA),
    ("MHAXZf4", STREAM_COMPRESSED_DATA),
    ("MHAXs", STREAM_SPARSE_DATA),
    ("MHAXsZ6", STREAM_SPARSE_COMPRESSED_DATA),
])
def test_every_path_writes_whole_files_in_read_sized_records(tmp_path, options, stream):
    root, files = _make_tree(tmp_path)
    ok, jcr, raw = _backup(tmp_path, options)
    assert ok and jcr.job_errors == 0
    recs = _records(raw)
    got = _file_data(recs)
    for name, data in files.items():
        entry = got[str(root / name)]
        assert bytes(entry["data"]) == data, name
        if data:
            assert entry["stream"] == stream
            assert entry["attrs"].stat().data_stream == stream
            assert entry["digest"] == hashlib.md5(data).digest()    # no all-zero blocks here
            # one record per read of the buffer size (sparse: 8 bytes less), in order
            rsize = BUF - 8 if stream in (STREAM_SPARSE_DATA, STREAM_SPARSE_COMPRESSED_DATA) else BUF
            assert sum(entry["chunks"]) == len(data)
            assert all(c == rsize for c in entry["chunks"][:-1])
            # attributes, data, then the digest (no ACL/xattr here)
            assert entry["order"] == [STREAM_UNIX_ATTRIBUTES, stream, STREAM_MD5_DIGEST]
        else:
            assert entry["attrs"].type == FT_REGE
            assert entry["order"] == [STREAM_UNIX_ATTRIBUTES, STREAM_MD5_DIGEST]
    assert got[str(root / "link")]["attrs"].type == FT_LNK
    assert got[str(root / "link")]["attrs"].link == "text"
    assert got[str(root) + "/"]["attrs"].type == FT_DIREND
    # JobBytes counts what went out as data (compressed sizes and sparse offsets included)
    sent = sum(len(p) for _fi, s, data in recs if s == stream for p in data)
    assert jcr.job_bytes == sent
    assert jcr.read_bytes == sum(len(d) for d in files.values())


@pytest.mark.parametrize("options", ["MHAX", "MHAXZ6", "MHAXsZ4"])
def test_threaded_and_unthreaded_writers_send_the_same_bytes(tmp_path, options):
    _make_tree(tmp_path)
    _backup(tmp_path, "MH")            # the first read moves atimes (relatime); then they stay
    _, _, a = _backup(tmp_path, options, threaded=True)
    _, _, b = _backup(tmp_path, options, threaded=False)
    assert a == b


def test_sparse_large_file_skips_zero_blocks_through_the_pool(tmp_path):
    root = tmp_path / "tree"
    root.mkdir()
    f = root / "sparse"
    with open(f, "wb") as fh:
        fh.write(b"A" * 10)
        fh.seek(40 * BUF + 5)
        fh.write(b"B" * 10)
        fh.truncate(64 * BUF)
    ok, jcr, raw = _backup(tmp_path, "MHs")
    assert ok
    recs = _records(raw)
    data = [p for _fi, s, d in recs if s == STREAM_SPARSE_DATA for p in d]
    offsets = [struct.unpack(">Q", p[:8])[0] for p in data]
    assert offsets[0] == 0 and len(data) <= 4
    assert any(o <= 40 * BUF + 5 < o + len(p) - 8 for o, p in zip(offsets, data))
    rebuilt = bytearray(64 * BUF)
    for o, p in zip(offsets, data):
        rebuilt[o:o + len(p) - 8] = p[8:]
    assert bytes(rebuilt) == f.read_bytes()
    # as in Bareos, the all-zero blocks that are skipped are not hashed either
    digest = [d[0] for _fi, s, d in recs if s == STREAM_MD5_DIGEST]
    assert digest == [hashlib.md5(b"".join(p[8:] for p in data)).digest()]


def _set_acl(path, name):
    ents = [(1, 6, 0xFFFFFFFF), (2, 4, 65534), (4, 4, 0xFFFFFFFF), (0x10, 4, 0xFFFFFFFF),
            (0x20, 4, 0xFFFFFFFF)]
    value = struct.pack("<I", 2) + b"".join(struct.pack("<HHI", *e) for e in ents)
    os.setxattr(path, name, value)


def test_acl_and_xattr_streams_from_one_listing(tmp_path):
    root = tmp_path / "tree"
    (root / "dir").mkdir(parents=True)
    plain = root / "plain"
    plain.write_bytes(b"p")
    withx = root / "withx"
    withx.write_bytes(b"x")
    withacl = root / "withacl"
    withacl.write_bytes(b"a")
    try:
        os.setxattr(withx, "user.colour", b"blue")
        _set_acl(withacl, "system.posix_acl_access")
        _set_acl(root / "dir", "system.posix_acl_default")
    except OSError as exc:
        pytest.skip(f"this filesystem has no user xattrs or POSIX ACLs: {exc}")
    ok, _jcr, raw = _backup(tmp_path, "MHAX")
    assert ok
    got = _file_data(_records(raw))
    assert got[str(plain)]["order"] == [STREAM_UNIX_ATTRIBUTES, STREAM_FILE_DATA, STREAM_MD5_DIGEST]
    assert got[str(withx)]["order"] == [STREAM_UNIX_ATTRIBUTES, STREAM_FILE_DATA, STREAM_XATTR_LINUX,
                                        STREAM_MD5_DIGEST]
    assert got[str(withacl)]["order"] == [STREAM_UNIX_ATTRIBUTES, STREAM_FILE_DATA,
                                          STREAM_ACL_LINUX_ACCESS_ACL, STREAM_MD5_DIGEST]
    assert got[str(root / "dir") + "/"]["order"] == [STREAM_UNIX_ATTRIBUTES, STREAM_ACL_LINUX_DEFAULT_ACL]
    recs = _records(raw)
    acl = [d[0] for _fi, s, d in recs if s == STREAM_ACL_LINUX_ACCESS_ACL]
    assert acl == [b"user::rw-\nuser:nobody:r--\ngroup::r--\nmask::r--\nother::r--\n\0"] or \
        acl[0].startswith(b"user::rw-\nuser:")      # the name of uid 65534 depends on the system
    xat = [d[0] for _fi, s, d in recs if s == STREAM_XATTR_LINUX]
    assert b"user.colour" in xat[0] and xat[0].endswith(b"blue")
    # without A and X in the options nothing is looked up or sent
    ok, _jcr, raw = _backup(tmp_path, "MH")
    streams = {s for _fi, s, _d in _records(raw)}
    assert not streams & {STREAM_ACL_LINUX_ACCESS_ACL, STREAM_ACL_LINUX_DEFAULT_ACL, STREAM_XATTR_LINUX}


def test_send_error_ends_the_job_without_hanging_on_pooled_buffers(tmp_path):
    root = tmp_path / "tree"
    root.mkdir()
    (root / "big").write_bytes(os.urandom(40 * BUF))
    (root / "big2").write_bytes(os.urandom(40 * BUF))
    jcr = Jcr(_Daemon(), None)
    with pytest.raises(SendError):
        _backup(tmp_path, "MH", jcr=jcr, sink=_Sink(fail_after=3 * BUF))


def test_send_error_with_compression_workers(tmp_path):
    root = tmp_path / "tree"
    root.mkdir()
    (root / "big").write_bytes(b"compressible " * (8 * BUF))
    with pytest.raises(SendError):
        _backup(tmp_path, "MHZ6", sink=_Sink(fail_after=1000))


def _fd_daemon(tmp_path, messages: str):
    from bareos.filed.config import SCHEMA
    from bareos.filed.daemon import FileDaemon
    from bareos.lib.config import load_config_text

    text = f"""
Client {{
  Name = unit-fd
  FD Port = 0
  Messages = Standard
}}
Director {{
  Name = unit-dir
  Password = "secret"
}}
Messages {{
  Name = Standard
  {messages}
}}
"""
    return FileDaemon(load_config_text(text, SCHEMA))


@pytest.mark.parametrize("messages,reported", [
    ("Director = unit-dir = all, !skipped, !restored", False),
    ("Director = unit-dir = all", True),
    ("Director = unit-dir = all, !skipped\n  Append = \"{log}\" = all", True),
])
def test_unchanged_files_are_reported_only_when_someone_listens(tmp_path, messages, reported):
    from bareos.lib import jmsg

    root, _files = _make_tree(tmp_path)
    log = tmp_path / "fd.log"
    jcr = _RecordingJcr(_fd_daemon(tmp_path, messages.replace("{log}", str(log))))
    ok, jcr, _raw = _backup(tmp_path, "MH", jcr=jcr, level="I", since=2 ** 40)
    assert ok and jcr.job_files == 0
    skipped = [t for m, t in jcr.messages if m == jmsg.M_SKIPPED]
    if reported:
        assert f"     Unchanged file skipped: {root / 'text'}" in skipped
    else:
        assert skipped == []
    if "Append" in messages:
        assert f"Unchanged file skipped: {root / 'text'}" in log.read_text()


def test_regular_file_types(tmp_path):
    root, _files = _make_tree(tmp_path)
    ok, _jcr, raw = _backup(tmp_path, "MH")
    got = _file_data(_records(raw))
    assert got[str(root / "text")]["attrs"].type == FT_REG


def test_accurate_compares_times_as_the_stat_packet_holds_them(tmp_path):
    """An mtime before 1970 with a fraction: the stat packet holds its floor,
    so an unchanged file compares equal (int() would round towards zero)."""
    from bareos.filed.backup import AccurateList
    from bareos.lib.stat import encode_stat

    root = tmp_path / "tree"
    root.mkdir()
    f = root / "old"
    f.write_bytes(b"x")
    os.utime(f, ns=(-2_500_000_000, -2_500_000_000))
    g = root / "new"
    g.write_bytes(b"y")
    jcr = Jcr(_fd_daemon(tmp_path, "Director = unit-dir = all, !skipped"), None)
    jcr.accurate = True
    jcr.accurate_list = AccurateList()
    for p in (f, root):
        name = str(p) + ("/" if p == root else "")
        jcr.accurate_list.add_message(name.encode() + b"\0" + encode_stat(os.lstat(p)).encode() + b"\0\0" + b"0")
    ok, jcr, raw = _backup(tmp_path, "MHCmcs:", jcr=jcr, level="I")
    assert ok
    names = [decode_attributes(d[0]).fname for _fi, s, d in _records(raw) if s == STREAM_UNIX_ATTRIBUTES]
    assert str(f) not in names and str(g) in names
