"""bareos-fd against a Director and a Storage Daemon played by the test."""

from __future__ import annotations

import hashlib
import os
import stat
import tarfile
import time
from pathlib import Path

import pytest

from bareos.lib import bnet
from bareos.lib.stat import decode_attributes, decode_stat
from bareos.lib.streams import (
    FT_DELETED, FT_DIREND, FT_LNK, FT_LNKSAVED, FT_REG, FT_REGE, FT_SPEC, STREAM_MD5_DIGEST,
    STREAM_SPARSE_DATA, STREAM_UNIX_ATTRIBUTES, STREAM_XATTR_LINUX,
)

from .fakes import JOB, KEY, FakeDirector, FakeSD, run_backup, start_fd

SHARED = Path(__file__).resolve().parents[3].parent / "shared"
WEIRD = SHARED / "bareos-data" / "weird-files.tar.gz"
IS_ROOT = os.geteuid() == 0


@pytest.fixture()
def fd():
    daemon = start_fd()
    yield daemon
    daemon.shutdown()


def _has_user_xattr(path: Path) -> bool:
    try:
        os.setxattr(path, "user.probe", b"1")
        os.removexattr(path, "user.probe")
        return True
    except OSError:
        return False


@pytest.fixture()
def tree(tmp_path):
    """weird-files unpacked, plus sparse, empty, device, xattr and deep entries."""
    src = tmp_path / "src"
    src.mkdir()
    if WEIRD.exists():
        with tarfile.open(WEIRD) as tf:
            members = [m for m in tf.getmembers() if not (m.isdev() and not IS_ROOT)]
            tf.extractall(src, members=members, numeric_owner=True)
    root = src / "extra"
    root.mkdir()
    (root / "empty").write_bytes(b"")
    big = os.urandom(700_000)
    (root / "big.bin").write_bytes(big)
    with open(root / "sparse.img", "wb") as f:
        f.write(b"head")
        f.seek(3 * 1024 * 1024)
        f.write(b"middle")
        f.truncate(6 * 1024 * 1024)
    deep = root
    for i in range(30):
        deep = deep / f"level{i:02d}"
    deep.mkdir(parents=True)
    (deep / "leaf.txt").write_text("deep\n")
    os.symlink("big.bin", root / "link-to-big")
    os.mkfifo(root / "a-fifo")
    os.link(root / "big.bin", root / "hard-to-big")
    os.chmod(root / "empty", 0o640)
    if IS_ROOT:
        os.mknod(root / "chardev", stat.S_IFCHR | 0o600, os.makedev(1, 3))
        os.chown(root / "empty", 1234, 5678)
    if _has_user_xattr(root / "big.bin"):
        os.setxattr(root / "big.bin", "user.colour", b"blue")
    os.utime(root / "big.bin", (1_600_000_000, 1_600_000_000))
    return src


def _snapshot(top: Path) -> dict:
    """What a restore must reproduce, keyed by path relative to *top*."""
    out = {}
    inodes: dict = {}
    for dirpath, dirnames, filenames in os.walk(os.fsencode(top)):
        for name in dirnames + filenames:
            p = os.path.join(dirpath, name)
            rel = os.path.relpath(p, os.fsencode(top))
            st = os.lstat(p)
            entry = {"mode": st.st_mode, "mtime": int(st.st_mtime)}
            if IS_ROOT:
                entry["owner"] = (st.st_uid, st.st_gid)
            if stat.S_ISREG(st.st_mode):
                with open(p, "rb") as f:
                    entry["sha"] = hashlib.sha256(f.read()).hexdigest()
                entry["size"] = st.st_size
                if st.st_nlink > 1:
                    inodes.setdefault((st.st_dev, st.st_ino), []).append(rel)
            elif stat.S_ISLNK(st.st_mode):
                entry["target"] = os.readlink(p)
            elif stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode):
                entry["rdev"] = st.st_rdev
            try:
                entry["xattrs"] = sorted((n, os.getxattr(p, n, follow_symlinks=False))
                                         for n in os.listxattr(p, follow_symlinks=False)
                                         if n.startswith("user."))
            except OSError:
                entry["xattrs"] = []
            out[rel] = entry
    groups = sorted(sorted(g) for g in inodes.values())
    return {"entries": out, "hardlinks": groups}


def _attrs(sd):
    return [decode_attributes(d) for fi, s, d in sd.records if s == STREAM_UNIX_ATTRIBUTES]


def _restore(fd_port, records, where, replace="a", regexwhere=None):
    sd = FakeSD(records_to_send=records)
    d = FakeDirector(fd_port)
    d.send(f"JobId=8 Job={JOB} SDid=1 SDtime=1780000000 Authorization={KEY} ssl=0\n")
    assert d.reply().startswith(b"2000 OK Job ")
    d.send(f"storage address=127.0.0.1 port={sd.port} ssl=0 Authorization={KEY}\n")
    assert d.reply() == b"2000 OK storage\n"
    if regexwhere is not None:
        d.send(f"restore replace={replace} prelinks=0 regexwhere={bnet.bash_spaces(regexwhere)}\n")
    else:
        d.send(f"restore replace={replace} prelinks=0 where={bnet.bash_spaces(str(where))}\n")
    assert d.reply() == b"2000 OK restore\n"
    assert d.reply() == b"2000 OK storage end\n"
    d.send("endrestore")
    end = d.reply()
    assert d.reply() == bnet.BNET_TERMINATE
    sd.join()
    d.close()
    return d, end


def test_full_backup_and_restore_of_every_file_type(fd, tree, tmp_path):
    items = ["I", "O MAXsf", "N", f"F {tree}", "N", "N"]   # MD5, ACL, xattr, sparse, onefs=no (no H: hard links handled)
    d, sd, end = run_backup(fd.port, items)
    assert end.startswith(b"2800 End Job TermCode=84 JobFiles="), (end, d.messages)
    assert sd.final == bnet.BNET_TERMINATE
    attrs = _attrs(sd)
    assert attrs[0].file_index == 1
    assert [a.file_index for a in attrs] == list(range(1, len(attrs) + 1))
    assert b" JobFiles=%d " % len(attrs) in end
    by_name = {a.fname: a for a in attrs}
    top = str(tree)
    # directories come after their contents, with a trailing slash
    assert attrs[-1].type == FT_DIREND and attrs[-1].fname == top + "/"
    assert by_name[top + "/extra/empty"].type == FT_REGE or by_name[top + "/extra/empty"].type == FT_REG
    assert by_name[top + "/extra/link-to-big"].type == FT_LNK
    assert by_name[top + "/extra/link-to-big"].link == "big.bin"
    fifo = by_name[top + "/extra/a-fifo"]
    assert fifo.type == FT_SPEC and stat.S_ISFIFO(fifo.stat().st_mode)
    names = set(by_name)
    assert any("\n" in n for n in names)                      # newline in a name
    if WEIRD.exists():
        # the non-UTF-8 name survives byte for byte
        assert any(n.encode("utf-8", "surrogateescape").endswith(b"C\xc3N") for n in names)
    # hard links: the second name references the first one
    pair = [by_name[top + "/extra/big.bin"], by_name[top + "/extra/hard-to-big"]]
    saved = [a for a in pair if a.type == FT_LNKSAVED]
    assert len(saved) == 1
    first = [a for a in pair if a.type != FT_LNKSAVED][0]
    assert saved[0].link == first.fname
    assert saved[0].stat().link_fi == first.file_index
    # data of big.bin equals the file, digest is its MD5, stream 6 with offsets
    data = bytearray()
    for fi, s, rec in sd.records:
        if fi == first.file_index and s == STREAM_SPARSE_DATA:
            off = int.from_bytes(rec[:8], "big")
            assert off == len(data)
            data += rec[8:]
    content = (tree / "extra" / "big.bin").read_bytes()
    assert bytes(data) == content
    md5 = [r for fi, s, r in sd.records if fi == first.file_index and s == STREAM_MD5_DIGEST]
    assert md5 == [hashlib.md5(content).digest()]
    # sparse file: zero blocks skipped
    sp = by_name[top + "/extra/sparse.img"]
    sparse_bytes = sum(len(r) for fi, s, r in sd.records if fi == sp.file_index and s == STREAM_SPARSE_DATA)
    assert sparse_bytes < 1024 * 1024
    if "user.colour" in os.listxattr(tree / "extra" / "big.bin"):
        assert any(s == STREAM_XATTR_LINUX and fi == first.file_index for fi, s, r in sd.records)

    # restore everything below a new root
    dest = tmp_path / "restored"
    d2, end2 = _restore(fd.port, sd.records, dest)
    assert end2.startswith(b"2800 End Job TermCode=84 "), (end2, d2.messages)
    before = _snapshot(tree)
    after = _snapshot(Path(str(dest) + str(tree)))
    assert before["hardlinks"] == after["hardlinks"]
    assert set(before["entries"]) == set(after["entries"])
    for rel, entry in before["entries"].items():
        assert after["entries"][rel] == entry, rel


def test_restore_regexwhere_and_replace_never(fd, tmp_path):
    src = tmp_path / "data"
    src.mkdir()
    (src / "a.txt").write_text("alpha\n")
    (src / "b.txt").write_text("beta\n")
    d, sd, end = run_backup(fd.port, ["I", "O M", "N", f"F {src}", "N", "N"])
    assert b"TermCode=84" in end
    out = tmp_path / "out"
    # strip prefix + add prefix + add suffix as the Director builds them
    from bareos.filed.restore import build_regexwhere
    rw = build_regexwhere(strip_prefix=str(tmp_path), add_prefix=str(out), add_suffix=".old")
    _, end2 = _restore(fd.port, sd.records, None, regexwhere=rw)
    assert b"TermCode=84" in end2
    assert (out / "data" / "a.txt.old").read_text() == "alpha\n"
    # replace=never keeps an existing file
    (src / "a.txt").write_text("changed\n")
    _restore(fd.port, sd.records, "/", replace="n")
    assert (src / "a.txt").read_text() == "changed\n"
    # replace=always puts it back
    _restore(fd.port, sd.records, "/", replace="a")
    assert (src / "a.txt").read_text() == "alpha\n"


def test_incremental_since_time_and_accurate_deletions(fd, tmp_path):
    src = tmp_path / "inc"
    src.mkdir()
    for i in range(5):
        (src / f"f{i}").write_text(f"file {i}\n")
        os.utime(src / f"f{i}", (1_500_000_000, 1_500_000_000))
    d, sd, end = run_backup(fd.port, ["I", "O Mm", "N", f"F {src}", "N", "N"])
    full = {a.fname: a for a in _attrs(sd)}
    assert len(full) == 6
    since = int(time.time()) - 5
    (src / "f1").write_text("changed\n")
    d, sd, end = run_backup(fd.port, ["I", "O Mm", "N", f"F {src}", "N", "N"], since=since)
    names = [a.fname for a in _attrs(sd)]
    assert f"{src}/f1" in names
    assert f"{src}/f0" not in names
    # accurate: the Director's list has f0..f4 and the dir; f3 got deleted
    os.unlink(src / "f3")
    lst = [b"%s\0%s\0\x000" % (a.fname.encode(), a.lstat.encode()) for a in full.values()]
    d, sd, end = run_backup(fd.port, ["I", "O Mm", "N", f"F {src}", "N", "N"],
                            level="level = accurate_incremental  mtime_only=0 \n", accurate=lst,
                            since=since)
    attrs = _attrs(sd)
    deleted = [a.fname for a in attrs if a.type == FT_DELETED]
    assert deleted == [f"{src}/f3"]
    assert f"{src}/f1" in [a.fname for a in attrs if a.type in (FT_REG, FT_REGE)]
    assert f"{src}/f0" not in [a.fname for a in attrs]


def test_tls_psk_to_the_sd_and_compression(fd, tmp_path):
    src = tmp_path / "c"
    src.mkdir()
    (src / "text").write_bytes(b"hello world " * 50000)
    d, sd, end = run_backup(fd.port, ["I", "O MZ6", "N", f"F {src}", "N", "N"], use_tls=True)
    assert sd.tls_used
    assert b"TermCode=84" in end
    assert sd.hello.startswith(b"Hello Start Job " + JOB.encode())
    from bareos.lib.compression import decompress_record
    recs = [r for fi, s, r in sd.records if s == 29]
    assert recs and b"".join(decompress_record(r) for r in recs) == b"hello world " * 50000
    out = tmp_path / "o"
    _, end2 = _restore(fd.port, sd.records, out)
    assert b"TermCode=84" in end2
    assert (Path(str(out) + str(src)) / "text").read_bytes() == b"hello world " * 50000


def test_estimate_and_monitor_and_bad_peers(fd, tmp_path):
    src = tmp_path / "e"
    src.mkdir()
    (src / "x").write_bytes(b"12345")
    d = FakeDirector(fd.port)
    d.send(f"JobId=9 Job={JOB} SDid=0 SDtime=0 Authorization=dummy ssl=0\n")
    d.reply()
    d.send("level = full  mtime_only=0 \n")
    d.reply()
    d.fileset(["I", "O M", "N", f"F {src}", "N", "N"])
    d.send("estimate listing=1\n")
    assert d.reply() == b"2000 OK estimate files=2 bytes=5\n"
    assert any(b"type=13 level=1 -rw" in m for m in d.messages)
    d.close()
    # a monitor may only ask for status
    m = FakeDirector(fd.port, name="test-mon", password="mon-secret")
    m.send("estimate listing=0\n")
    assert m.reply() == b"2997 Invalid command for a Director with Monitor directive enabled.\n"
    m.close()
    # wrong password: refused, daemon keeps serving
    with pytest.raises(Exception):
        FakeDirector(fd.port, password="wrong")
    import socket
    s = socket.create_connection(("127.0.0.1", fd.port))
    s.sendall(b"\x00\x00\x00\x05garbage-that-is-no-hello")
    s.close()
    ok = FakeDirector(fd.port)
    ok.send(".status current\n")
    assert ok.reply() == b"2000 OK .status\n"
    ok.close()


def test_python_bareos_filedaemon_status(fd):
    import bareos.bsock
    c = bareos.bsock.FileDaemon(address="127.0.0.1", port=fd.port, name="test-dir",
                                password=bareos.bsock.Password("fd-secret"))
    text = c.call("status").decode()
    assert "test-fd Version: 25.1.1" in text
    assert "Running Jobs:\ntest-dir (director) connected at:" in text
    assert "\nTerminated Jobs:\n" in text
    c2 = bareos.bsock.FileDaemon(address="127.0.0.1", port=fd.port, name="cleartext-dir",
                                 password=bareos.bsock.Password("clear-secret"), tls_psk_enable=False)
    assert "No Jobs running." in c2.call("status").decode()
