"""The Restorer driven record by record (no daemons): big files through the
writer thread, compressed and sparse data, attributes through the open file,
replace policies on the fast path, digest checking on request."""

from __future__ import annotations

import hashlib
import os
import struct

import pytest

from bareos.filed.restore import Restorer
from bareos.lib import compression, jmsg
from bareos.lib.stat import encode_attributes, encode_stat
from bareos.lib.streams import (
    FT_DIREND,
    FT_LNK,
    FT_LNKSAVED,
    FT_REG,
    STREAM_COMPRESSED_DATA,
    STREAM_FILE_DATA,
    STREAM_GZIP_DATA,
    STREAM_MD5_DIGEST,
    STREAM_SPARSE_DATA,
    STREAM_UNIX_ATTRIBUTES,
)


class Jcr:
    def __init__(self):
        self.job_files = 0
        self.job_bytes = 0
        self.last_fname = ""
        self.messages: list[tuple[int, str]] = []

    def jmsg(self, mtype, text):
        self.messages.append((mtype, text))


class St:
    """A stat packet to encode (times in seconds)."""

    def __init__(self, mode, size=0, mtime=1_600_000_000, nlink=1):
        self.st_mode = mode
        self.st_size = size
        self.st_mtime = mtime
        self.st_atime = mtime - 10
        self.st_ctime = mtime
        self.st_uid = os.getuid()
        self.st_gid = os.getgid()
        self.st_nlink = nlink


def attr(fi, ftype, name, st, link=""):
    return (fi, STREAM_UNIX_ATTRIBUTES, encode_attributes(fi, ftype, name, encode_stat(st), link))


def content(n, seed):
    return hashlib.sha256(seed).digest() * (n // 32) + b"z" * (n % 32)


def chunks(data, size=65536):
    return [data[i:i + size] for i in range(0, len(data), size)] or [b""]


def build(src_dir="/data"):
    """Records of a small tree: a big plain file, a big GZIP file, a big
    new-style compressed file, a sparse file, a small file, a symlink, a hard
    link and the directory.  Returns (records, expectations)."""
    recs, expect = [], {}
    fi = 0

    def regular(name, data, stream, mode=0o640, mtime=1_600_000_000, encode=None):
        nonlocal fi
        fi += 1
        recs.append(attr(fi, FT_REG, f"{src_dir}/{name}", St(0o100000 | mode, len(data), mtime)))
        for piece in chunks(data):
            recs.append((fi, stream, encode(piece) if encode else piece))
        recs.append((fi, STREAM_MD5_DIGEST, hashlib.md5(data).digest()))
        expect[name] = (data, mode, mtime)

    regular("big.bin", content(1_000_000, b"a"), STREAM_FILE_DATA)
    regular("big.gz", content(700_001, b"b"), STREAM_GZIP_DATA, mode=0o600,
            encode=lambda p: __import__("zlib").compress(p))
    regular("big.cmp", content(300_000, b"c"), STREAM_COMPRESSED_DATA, mode=0o444,
            encode=lambda p: compression.compress_record(compression.COMPRESS_GZIP, 6, p))
    regular("small", b"hello", STREAM_FILE_DATA, mode=0o755, mtime=1_500_000_000)
    # sparse: two pieces far apart, size beyond the last piece
    fi += 1
    size = 5_000_000
    recs.append(attr(fi, FT_REG, f"{src_dir}/sparse", St(0o100644, size)))
    recs.append((fi, STREAM_SPARSE_DATA, struct.pack(">Q", 0) + b"head"))
    recs.append((fi, STREAM_SPARSE_DATA, struct.pack(">Q", 3_000_000) + b"middle"))
    recs.append((fi, STREAM_SPARSE_DATA, struct.pack(">Q", 4_000_000) + b"x" * 70000))
    data = bytearray(size)
    data[0:4] = b"head"
    data[3_000_000:3_000_006] = b"middle"
    data[4_000_000:4_070_000] = b"x" * 70000
    expect["sparse"] = (bytes(data), 0o644, 1_600_000_000)
    fi += 1
    recs.append(attr(fi, FT_LNK, f"{src_dir}/link", St(0o120777), "big.bin"))
    fi += 1
    recs.append(attr(fi, FT_LNKSAVED, f"{src_dir}/hard", St(0o100640), f"{src_dir}/big.bin"))
    fi += 1
    recs.append(attr(fi, FT_DIREND, f"{src_dir}/", St(0o040750, mtime=1_400_000_000)))
    return recs, expect


def check_tree(root, expect):
    for name, (data, mode, mtime) in expect.items():
        p = root / name
        st = p.stat()
        assert p.read_bytes() == data, name
        assert st.st_mode & 0o7777 == mode, name
        assert int(st.st_mtime) == mtime, name
    assert os.readlink(root / "link") == "big.bin"
    assert (root / "hard").stat().st_ino == (root / "big.bin").stat().st_ino
    st = root.stat()
    assert st.st_mode & 0o7777 == 0o750 and int(st.st_mtime) == 1_400_000_000


@pytest.mark.parametrize("threaded", [True, False])
def test_restore_tree_threaded_and_not(tmp_path, threaded):
    recs, expect = build()
    jcr = Jcr()
    r = Restorer(jcr, where=str(tmp_path), threaded=threaded)
    for rec in recs:
        r.record(*rec)
    r.finish()
    assert jcr.messages == []
    check_tree(tmp_path / "data", expect)
    assert jcr.job_files == len(expect) + 3
    assert r._writer is None
    # the writer thread is gone after finish()
    import threading
    assert not [t for t in threading.enumerate() if t.name == "restore-writer"]


def test_restore_again_replace_always_and_never(tmp_path):
    recs, expect = build()
    for _ in range(2):            # the second time everything exists: the general path
        jcr = Jcr()
        r = Restorer(jcr, where=str(tmp_path))
        for rec in recs:
            r.record(*rec)
        r.finish()
        assert jcr.messages == []
        check_tree(tmp_path / "data", expect)
    (tmp_path / "data" / "small").write_bytes(b"changed")
    jcr = Jcr()
    r = Restorer(jcr, where=str(tmp_path), replace="n")
    for rec in recs:
        r.record(*rec)
    r.finish()
    assert (tmp_path / "data" / "small").read_bytes() == b"changed"
    assert any("File skipped. Already exists" in t and t.endswith("/data/small")
               for _, t in jcr.messages)


def test_digests_checked_only_on_request(tmp_path):
    recs, _ = build()
    bad = [(fi, s, b"\0" * 16 if s == STREAM_MD5_DIGEST else d) for fi, s, d in recs]
    for verify, want in ((False, 0), (True, 4)):
        jcr = Jcr()
        r = Restorer(jcr, where=str(tmp_path / str(verify)), verify_digests=verify)
        for rec in bad:
            r.record(*rec)
        r.finish()
        errs = [t for m, t in jcr.messages if m == jmsg.M_ERROR and "digest mismatch" in t]
        assert len(errs) == want, jcr.messages
    jcr = Jcr()
    r = Restorer(jcr, where=str(tmp_path / "good"), verify_digests=True)
    for rec in recs:
        r.record(*rec)
    r.finish()
    assert jcr.messages == []


def test_gzip_records_with_and_without_the_fast_inflater(tmp_path, monkeypatch):
    import zlib

    from bareos.filed import restore as R
    recs, expect = build()
    for inflate in (R._inflate, zlib.decompress):
        monkeypatch.setattr(R, "_inflate", inflate)
        jcr = Jcr()
        r = Restorer(jcr, where=str(tmp_path / inflate.__module__))
        for rec in recs:
            r.record(*rec)
        r.finish()
        assert jcr.messages == []
        check_tree(tmp_path / inflate.__module__ / "data", expect)
    # a damaged new-style record: the general decoder's message
    jcr = Jcr()
    r = Restorer(jcr, where=str(tmp_path / "bad"))
    r.record(*attr(1, FT_REG, "/d/f", St(0o100644, 10)))
    good = compression.compress_record(compression.COMPRESS_GZIP, 6, b"q" * 10)
    r.record(1, STREAM_COMPRESSED_DATA, good[:12] + b"\0" * (len(good) - 12))
    r.finish()
    assert [t for m, t in jcr.messages if m == jmsg.M_ERROR and "Uncompression error" in t and "GZIP" in t]


def test_bad_compressed_record_in_the_writer_thread_is_reported(tmp_path):
    jcr = Jcr()
    r = Restorer(jcr, where=str(tmp_path), threaded=True)
    r.record(*attr(1, FT_REG, "/d/f", St(0o100644, 10)))
    r.record(1, STREAM_GZIP_DATA, __import__("zlib").compress(b"a" * 10))
    r.record(1, STREAM_GZIP_DATA, b"not gzip at all")     # second record: writer thread
    r.record(1, STREAM_GZIP_DATA, __import__("zlib").compress(b"b"))
    r.record(*attr(2, FT_REG, "/d/g", St(0o100644, 2)))
    r.record(2, STREAM_FILE_DATA, b"ok")
    r.finish()
    errs = [t for m, t in jcr.messages if m == jmsg.M_ERROR]
    assert len(errs) == 1 and "Uncompression error" in errs[0] and "/d/f" in errs[0]
    assert (tmp_path / "d" / "g").read_bytes() == b"ok"
    assert (tmp_path / "d" / "f").read_bytes() == b"a" * 10


def _restore_files(tmp_path, specs, where="out"):
    """Restore regular files [(name, mode, uid, gid)] under a fresh tree."""
    recs = []
    for i, (name, mode, uid, gid) in enumerate(specs, 1):
        st = St(0o100000 | mode, size=5)
        st.st_uid, st.st_gid = uid, gid
        recs.append(attr(i, FT_REG, "/src/" + name, st))
        recs.append((i, STREAM_FILE_DATA, b"hello"))
    jcr = Jcr()
    r = Restorer(jcr, where=str(tmp_path / where))
    for rec in recs:
        r.record(*rec)
    r.finish()
    return jcr, tmp_path / where / "src"


def test_modes_kept_whether_or_not_the_umask_allows_them(tmp_path):
    old = os.umask(0o027)
    try:
        specs = [("a", 0o640, os.getuid(), os.getgid()), ("b", 0o644, os.getuid(), os.getgid()),
                 ("c", 0o600, os.getuid(), os.getgid()), ("d", 0o2750, os.getuid(), os.getgid()),
                 ("e", 0o000, os.getuid(), os.getgid()), ("f", 0o1700, os.getuid(), os.getgid())]
        jcr, out = _restore_files(tmp_path, specs)
    finally:
        os.umask(old)
    assert [m for m in jcr.messages if m[0] != jmsg.M_INFO] == []
    for name, mode, _uid, _gid in specs:
        st = os.lstat(out / name)
        assert oct(st.st_mode & 0o7777) == oct(mode), name
        assert st.st_mtime == 1_600_000_000
        assert (out / name).read_bytes() == b"hello"


@pytest.mark.skipif(os.geteuid() != 0, reason="chown needs root")
def test_owner_and_group_set_under_a_setgid_directory(tmp_path):
    # the files' directory gives its group (setgid) to new files: the group
    # wanted (ours) must still be set, as must a foreign owner and group
    parent = tmp_path / "out" / "src"
    parent.mkdir(parents=True)
    os.chown(parent, 0, 4321)
    os.chmod(parent, 0o2775)
    specs = [("mine", 0o644, os.geteuid(), os.getegid()), ("theirs", 0o644, 1234, 5678)]
    jcr, out = _restore_files(tmp_path, specs)
    assert [m for m in jcr.messages if m[0] != jmsg.M_INFO] == []
    st = os.lstat(out / "mine")
    assert (st.st_uid, st.st_gid) == (os.geteuid(), os.getegid())
    st = os.lstat(out / "theirs")
    assert (st.st_uid, st.st_gid) == (1234, 5678)
    assert st.st_mode & 0o7777 == 0o644
