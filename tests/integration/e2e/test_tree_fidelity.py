"""The restored tree is identical to the backed-up one: weird names, every
file type, sparse files (one > 2 GiB), empty files, deep paths, modes,
owners, times and extended attributes, through the three real daemons."""

from __future__ import annotations

import os
import subprocess

import pytest

from .conftest import needs_psk
from .treecmp import compare_strict

pytestmark = needs_psk

WEIRD = "/work/shared/bareos-data/weird-files.tar.gz"
GiB = 1 << 30


def run_full_and_restore(site, con, where):
    jobid, status = site.run_job(con, "run job=backup-bareos-fd level=Full yes")
    assert status == "T", site.job_log(con, jobid)
    rjobid, rstatus = site.restore_all(con, where)
    assert rstatus == "T", site.job_log(con, rjobid)
    return jobid, rjobid


@pytest.mark.skipif(not os.path.exists(WEIRD), reason="weird-files.tar.gz not available")
@pytest.mark.skipif(os.geteuid() != 0, reason="owners and the setuid bit need root")
def test_weird_files_restore_identical(site_factory, tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    subprocess.run(["tar", "--numeric-owner", "-xpzf", WEIRD, "-C", str(src)], check=True)
    weird = src / "weird-files"
    # a setuid file, a setgid directory, a sticky file, a device node
    os.chmod(weird / "setuid-file", 0o4755)
    os.chmod(weird / "sticky-bit", 0o1755)
    os.chmod(weird / "simple-dir-1", 0o2775)
    os.mknod(weird / "null-device", 0o600 | 0o020000, os.makedev(1, 3))
    names = os.listdir(os.fsencode(weird))
    assert b"newline\nfile" in names and any(b"\xc3N" in n for n in names)
    site = site_factory(src)
    site.write_fileset(options={"Signature": "XXH128", "HardLinks": "yes"})  # Bareos 25 default: no
    site.start()
    con = site.console()
    try:
        where = tmp_path / "restored"
        run_full_and_restore(site, con, where)
        restored = where / str(src).lstrip("/")
        assert compare_strict(src, restored) == []
        # hard links were stored once: one file with data, the others as links
        files = con.call("list files jobid=1").decode()
        assert "newline" in files
    finally:
        con.close()


def make_special_tree(root):
    """Sparse, empty, deep, odd modes, foreign owners, old times, xattrs."""
    root.mkdir()
    # sparse: holes at the start, in the middle and at the end
    with open(root / "sparse-small", "wb") as f:
        f.seek(1 << 20)
        f.write(b"data in the middle" * 1000)
        f.seek(5 << 20)
        f.write(b"tail")
        f.truncate(8 << 20)
    # > 2 GiB: a hole, data beyond the 2 GiB and 32-bit boundaries, a hole to the end
    big = root / "sparse-big"
    subprocess.run(["truncate", "-s", str(3 * GiB), str(big)], check=True)
    with open(big, "r+b") as f:
        f.seek(2 * GiB + 12345)
        f.write(b"beyond two GiB" * 100)
        f.seek(3 * GiB - 70000)
        f.write(b"near the end")
    (root / "sparse-only-hole").touch()
    os.truncate(root / "sparse-only-hole", 10 << 20)
    for i in range(3):
        (root / f"empty-{i}").touch()
    (root / "empty-dir").mkdir()
    # a deep path: 220 levels
    deep = root / "deep"
    p = deep
    for i in range(220):
        p = p / f"l{i:03d}"
    p.mkdir(parents=True)
    (p / "leaf.txt").write_text("at the bottom\n")
    # modes
    for mode in (0o000, 0o400, 0o640, 0o755, 0o777, 0o4711, 0o2755, 0o1777, 0o6750):
        f = root / f"mode-{mode:04o}"
        f.write_text(f"mode {mode:o}\n")
        os.chmod(f, mode)
    d = root / "dir-0700"
    d.mkdir()
    (d / "inside").write_text("x")
    os.chmod(d, 0o700)
    # owners (we are root)
    for uid, gid in ((1234, 5678), (0, 4242), (65534, 65534), (3000000, 3000001)):
        f = root / f"owned-{uid}-{gid}"
        f.write_text("owned\n")
        os.chown(f, uid, gid)
    od = root / "owned-dir"
    od.mkdir()
    (od / "file").write_text("y")
    os.chown(od / "file", 777, 888)
    os.chown(od, 555, 666)
    os.symlink("owned-dir/file", root / "owned-link")
    os.lchown(root / "owned-link", 999, 998)
    # xattrs on a file, a directory and a symlink (trusted.* works on symlinks)
    x = root / "xattr-file"
    x.write_text("with attributes\n")
    os.setxattr(x, "user.comment", b"hello")
    os.setxattr(x, "user.binary", bytes(range(256)))
    os.setxattr(x, "user.empty", b"")
    os.setxattr(x, "trusted.secret", b"root only")
    os.setxattr(od, "user.dirattr", b"on a directory")
    os.setxattr(root / "owned-link", "trusted.linkattr", b"on a symlink", follow_symlinks=False)
    # hard links across directories, a fifo
    os.link(root / "mode-0640", od / "hardlink-to-mode-0640")
    os.mkfifo(root / "a-fifo", 0o620)
    # times: old, far future, and on directories (set last, bottom up)
    times = {"mode-0640": 315532800, "xattr-file": 946684799, "empty-1": 4102444800,
             "sparse-small": 1000000000}
    for name, t in times.items():
        os.utime(root / name, (t, t))
    os.utime(root / "owned-link", (123456789, 123456789), follow_symlinks=False)
    for dirpath, dirs, _files in os.walk(root, topdown=False):
        for dn in dirs:
            os.utime(os.path.join(dirpath, dn), (1111111111, 1111111111))


@pytest.mark.skipif(os.geteuid() != 0, reason="owners, trusted.* xattrs and modes need root")
def test_sparse_deep_owners_times_xattrs_restore_identical(site_factory, tmp_path):
    src = tmp_path / "src"
    make_special_tree(src)
    site = site_factory(src)
    site.write_fileset(options={"Signature": "MD5", "Sparse": "yes", "XAttr Support": "yes",
                                "HardLinks": "yes"})
    site.start()
    con = site.console()
    try:
        where = tmp_path / "restored"
        run_full_and_restore(site, con, where)
        restored = where / str(src).lstrip("/")
        assert compare_strict(src, restored) == []
        # sparse files come back sparse, not as 3 GiB of zeros
        st = os.stat(restored / "sparse-big")
        assert st.st_size == 3 * GiB
        assert st.st_blocks * 512 < 64 << 20
    finally:
        con.close()
