"""bextract: restoring trees from SD-shaped volumes."""

from __future__ import annotations

import os
import re
import shutil
import struct

import pytest

from bareos.tools import bextract
from bareos.filed.xattr import XATTR_MAGIC, parse_xattr_stream
from tests.unit.tools.conftest import tree_snapshot
from tests.unit.tools.volfactory import JobInfo, VolumeBuilder, make_tree


def _restored_root(out_dir, src):
    return os.path.join(str(out_dir), src.lstrip("/"))


def test_restores_identical_tree(backup, run_tool, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    r = run_tool(bextract, "-c", backup["conf"], "-V", "Full-0001", "FileStorage", str(out))
    assert r.rc == 0, r.err
    src = backup["src"]
    got = _restored_root(out, src)
    assert tree_snapshot(got) == tree_snapshot(src)
    # the hard link is a hard link again
    a = os.stat(os.path.join(got, "regular.txt"))
    b = os.stat(os.path.join(got, "sub", "hardlink.txt"))
    assert (a.st_ino, a.st_nlink) == (b.st_ino, 2)
    n = len(backup["job"].files)
    assert f"{n} files restored." in r.out
    assert len(r.lines("bextract JobId 0: ")) == n
    assert "Error" not in r.out


def test_owner_is_restored_when_root(backup, run_tool, tmp_path):
    if os.geteuid() != 0:
        pytest.skip("changing owners needs root")
    src = tmp_path / "s"
    src.mkdir()
    f = src / "owned"
    f.write_text("x")
    os.chown(f, 1234, 2345)
    store = tmp_path / "store"
    store.mkdir()
    vb = VolumeBuilder(str(store / "V"))
    vb.backup_tree(str(src), JobInfo(1, "j.1"))
    vb.close()
    out = tmp_path / "out"
    out.mkdir()
    r = run_tool(bextract, str(store / "V"), str(out))
    assert r.rc == 0
    st = os.stat(_restored_root(out, str(f)))
    assert (st.st_uid, st.st_gid) == (1234, 2345)


def test_compressed_and_sparse_data(tmp_path, run_tool):
    src = str(tmp_path / "src")
    make_tree(src)
    sparse = os.path.join(src, "holes.img")
    with open(sparse, "wb") as fh:
        fh.write(b"start")
        fh.seek(3 * 65536)
        fh.write(b"middle")
        fh.truncate(9 * 65536)          # ends with a hole
    os.utime(sparse, (1_600_000_000, 1_600_000_100))
    os.utime(src, (1_600_000_000, 1_600_000_200))
    store = tmp_path / "store"
    store.mkdir()
    vb = VolumeBuilder(str(store / "C"))
    vb.backup_tree(src, JobInfo(1, "c.1"), compress=True)
    vb.close()
    vb = VolumeBuilder(str(store / "S"))
    vb.backup_tree(src, JobInfo(2, "s.2"), sparse=True)
    vb.close()
    for vol in ("C", "S"):
        out = tmp_path / f"out{vol}"
        out.mkdir()
        r = run_tool(bextract, str(store / vol), str(out))
        assert r.rc == 0, r.err
        assert "Error" not in r.out, r.out
        assert tree_snapshot(_restored_root(out, src)) == tree_snapshot(src), vol
    st = os.stat(_restored_root(tmp_path / "outS", sparse))
    assert st.st_size == 9 * 65536


def test_xattrs_are_restored(tmp_path, run_tool):
    src = tmp_path / "src"
    src.mkdir()
    f = src / "tagged"
    f.write_text("payload")
    try:
        os.setxattr(f, "user.bareos.test", b"value-1")
    except OSError as exc:
        pytest.skip(f"file system without user xattrs: {exc}")
    store = tmp_path / "store"
    store.mkdir()
    vb = VolumeBuilder(str(store / "X"))
    vb.backup_tree(str(src), JobInfo(1, "x.1"), xattrs=True)
    vb.close()
    out = tmp_path / "out"
    out.mkdir()
    r = run_tool(bextract, str(store / "X"), str(out))
    assert r.rc == 0, r.err
    assert os.getxattr(_restored_root(out, str(f)), "user.bareos.test") == b"value-1"


def test_parse_xattr_stream():
    data = (struct.pack(">II", XATTR_MAGIC, 6) + b"user.a" + struct.pack(">I", 2) + b"v1"
            + struct.pack(">II", XATTR_MAGIC, 6) + b"user.b" + struct.pack(">I", 0))
    assert parse_xattr_stream(data) == [(b"user.a", b"v1"), (b"user.b", b"")]
    with pytest.raises(ValueError):
        parse_xattr_stream(struct.pack(">II", 1, 0))


def test_bootstrap_restores_a_subset(backup, run_tool, tmp_path):
    job = backup["job"]
    fi = {f.fname: f.file_index for f in job.files}
    paths = backup["paths"]
    want = sorted([fi[paths["regular"]], fi[paths["deep"]], fi[paths["symlink"]]])
    bsr = tmp_path / "r.bsr"
    bsr.write_text('Storage="File"\nVolume="Full-0001"\nMediaType="File"\n'
                   'VolSessionId=3\nVolSessionTime=1714000000\n'
                   f"FileIndex={want[0]}\nFileIndex={want[1]}-{want[1]}\n"
                   f"FileIndex={want[2]}\nCount=3\n")
    out = tmp_path / "out"
    out.mkdir()
    r = run_tool(bextract, "-b", str(bsr), "-c", backup["conf"], "FileStorage", str(out))
    assert r.rc == 0, r.err
    assert "3 files restored." in r.out
    root = _restored_root(out, backup["src"])
    with open(os.path.join(root, "regular.txt")) as fh:
        assert fh.read() == "hello bareos\n" * 10
    assert os.readlink(os.path.join(root, "symlink")) == "regular.txt"
    assert os.path.isfile(os.path.join(root, "sub", "deeper", "note.md"))
    assert not os.path.exists(os.path.join(root, "sub", "large.bin"))
    assert not os.path.exists(os.path.join(root, "empty"))


def test_include_list(backup, run_tool, tmp_path):
    inc = tmp_path / "inc"
    inc.write_text(backup["paths"]["deeper"] + "/\n")
    out = tmp_path / "out"
    out.mkdir()
    r = run_tool(bextract, "-i", str(inc), backup["volume"], str(out))
    assert r.rc == 0
    assert "2 files restored." in r.out
    root = _restored_root(out, backup["src"])
    assert sorted(os.listdir(os.path.join(root, "sub"))) == ["deeper"]
    st = os.stat(os.path.join(root, "sub", "deeper"))
    assert st.st_mode & 0o777 == 0o750


def test_damaged_block_costs_one_file_only(backup, run_tool, tmp_path):
    vol = tmp_path / "Full-0001"
    shutil.copy(backup["volume"], vol)
    data = bytearray(vol.read_bytes())
    # block 5 lies inside large.bin's data
    pos, k = 0, 0
    while k < 5:
        pos += struct.unpack_from(">I", data, pos + 4)[0]
        k += 1
    data[pos + 3000] ^= 0x01
    vol.write_bytes(bytes(data))
    out = tmp_path / "out"
    out.mkdir()
    r = run_tool(bextract, str(vol), str(out))
    assert r.rc == 0
    assert re.search(r"bextract JobId 0: Error: .*block=5\b", r.out), r.out
    src = backup["src"]
    got = tree_snapshot(_restored_root(out, src))
    want = tree_snapshot(src)
    differing = sorted(k for k in want if got.get(k) != want[k])
    assert differing == [os.path.join("sub", "large.bin")]
    assert os.path.getsize(os.path.join(_restored_root(out, src), "sub", "large.bin")) \
        < os.path.getsize(backup["paths"]["large"])


def test_refuses_foreign_file_and_bad_target(tmp_path, run_tool, backup):
    f = tmp_path / "x.tar"
    f.write_bytes(b"\x1f\x8b" + os.urandom(500))
    out = tmp_path / "out"
    out.mkdir()
    r = run_tool(bextract, str(f), str(out))
    assert r.rc != 0 and "not a Bareos volume" in r.err
    r = run_tool(bextract, backup["volume"], str(tmp_path / "missing"))
    assert r.rc != 0 and "It must exist" in r.err
    r = run_tool(bextract, backup["volume"], str(f))
    assert r.rc != 0 and "must be a directory" in r.err
