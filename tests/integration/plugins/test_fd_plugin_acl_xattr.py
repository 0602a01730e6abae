"""ACL and xattr packets of python3-fd plugins through the three real daemons:
get_acl/get_xattr at backup (Options ``aclsupport``/``xattrsupport``), the
records on the volume (STREAM_ACL_PLUGIN 1020, STREAM_XATTR_PLUGIN 1988),
set_acl/set_xattr at restore; and Bareos's own local-fileset plugin (taken
from a local Bareos checkout at test time) with ACL/xattr support."""

from __future__ import annotations

import json
import os
import re
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from bareos.plugins import fd_aclxattr
from bareos.quickstart.run import compare_trees

from .conftest import needs_psk
from .test_python_fd import _fetch_bareos_pyfiles, make_tree

pytestmark = needs_psk

# A command plugin with virtual files, ACLs and xattrs; every call it gets
# for ACLs/xattrs goes as a JSON line to the file its ``log=`` option names.
PLUGIN = r'''
import json
import os

import bareosfd
from bareosfd import (bRC_OK, bRC_More, bRC_Stop, bRC_Error, IO_OPEN, IO_READ, IO_WRITE,
                      IO_CLOSE, CF_EXTRACT, CF_CREATED, FT_REG, FT_DIREND, FT_LNK)

ROOT = "/@aclxattr/dir"
FILES = [
    (ROOT + "/a.txt", FT_REG, 0o100640, b"alpha\n" * 1000),
    (ROOT + "/b.txt", FT_REG, 0o100600, b"beta\n"),
    (ROOT + "/link", FT_LNK, 0o120777, "a.txt"),
    (ROOT, FT_DIREND, 0o040750, None),
]
ACLS = {ROOT + "/a.txt": b"user::rw-\nuser:bob:r--\ngroup::r--\nmask::r--\nother::---\n",
        ROOT: b"A:fd:everyone@:rxtncy::allow"}
XATTRS = {ROOT + "/a.txt": [(b"user.one", b"1"), (b"user.empty", b""), (b"user.bin", bytes(range(256)))],
          ROOT + "/link": [(b"user.onlink", b"L")],
          ROOT: [(b"trusted.dir", b"D")]}
state = {"idx": 0, "queue": None, "fh": None, "mode": "good", "log": None}


def log(**kw):
    with open(state["log"], "a") as f:
        f.write(json.dumps(kw) + "\n")


def hexor(b):
    return None if b is None else bytes(b).hex()


def load_bareos_plugin(plugindef):
    return bRC_OK


def parse_plugin_definition(plugindef):
    for part in plugindef.split(":"):
        k, _, v = part.partition("=")
        if k in ("log", "mode"):
            state[k] = v
    return bRC_OK


def handle_plugin_event(event):
    return bRC_OK


def start_backup_file(savepkt):
    if state["idx"] >= len(FILES):
        return bRC_Stop
    name, ftype, mode, content = FILES[state["idx"]]
    st = bareosfd.StatPacket()
    st.st_mode = mode
    st.st_size = len(content) if isinstance(content, bytes) else 0
    savepkt.statp = st
    savepkt.fname = name
    savepkt.type = ftype
    if ftype == FT_LNK:
        savepkt.link = content
        savepkt.no_read = True
    elif ftype == FT_DIREND:
        savepkt.link = name + "/"
        savepkt.no_read = True
    return bRC_OK


def end_backup_file():
    state["idx"] += 1
    return bRC_More if state["idx"] < len(FILES) else bRC_OK


def plugin_io(iop):
    if iop.func == IO_OPEN:
        if iop.flags & (os.O_WRONLY | os.O_RDWR):
            state["fh"] = open(iop.fname, "wb")
        else:
            state["fh"] = [c for n, t, m, c in FILES if n == iop.fname][0]
            state["pos"] = 0
        return bRC_OK
    if iop.func == IO_READ:
        data = state["fh"][state["pos"]:state["pos"] + iop.count]
        state["pos"] += len(data)
        iop.buf = bytearray(data)
        iop.status = len(data)
        return bRC_OK
    if iop.func == IO_WRITE:
        state["fh"].write(iop.buf)
        iop.status = iop.count
        return bRC_OK
    if iop.func == IO_CLOSE:
        if hasattr(state["fh"], "close"):
            state["fh"].close()
        state["fh"] = None
        return bRC_OK
    return bRC_OK


def get_acl(acl):
    log(call="get_acl", fname=acl.fname, content=hexor(acl.content))
    text = ACLS.get(acl.fname)
    if text is not None:
        acl.content = text if state["mode"] == "bytes" else bytearray(text)
    return bRC_OK


def get_xattr(xattr):
    log(call="get_xattr", fname=xattr.fname, name=hexor(xattr.name), value=hexor(xattr.value))
    if state["mode"] == "errors" and xattr.fname.endswith("/a.txt"):
        return bRC_Error
    if state["queue"] is None:
        state["queue"] = list(XATTRS.get(xattr.fname, []))
    if not state["queue"]:
        state["queue"] = None
        return bRC_OK
    name, value = state["queue"].pop(0)
    xattr.name = bytearray(name)
    xattr.value = bytearray(value)
    if state["queue"]:
        return bRC_More
    state["queue"] = None
    return bRC_OK


def start_restore_file(cmd):
    return bRC_OK


def end_restore_file():
    return bRC_OK


def create_file(restorepkt):
    fname = restorepkt.ofname
    os.makedirs(os.path.dirname(fname.rstrip("/")), exist_ok=True)
    if restorepkt.type == FT_REG:
        restorepkt.create_status = CF_EXTRACT
    elif restorepkt.type == FT_LNK:
        os.symlink(restorepkt.olname, fname)
        restorepkt.create_status = CF_CREATED
    elif restorepkt.type == FT_DIREND:
        os.makedirs(fname, exist_ok=True)
        restorepkt.create_status = CF_CREATED
    return bRC_OK


def set_file_attributes(restorepkt):
    log(call="set_file_attributes", fname=restorepkt.ofname)
    return bRC_OK


def check_file(fname):
    return bRC_OK


def set_acl(acl):
    log(call="set_acl", fname=acl.fname, content=hexor(acl.content),
        bytearray=isinstance(acl.content, bytearray), repr=repr(acl))
    return bRC_Error if state["mode"] == "errors" else bRC_OK


def set_xattr(xattr):
    log(call="set_xattr", fname=xattr.fname, name=hexor(xattr.name), value=hexor(xattr.value),
        bytearray=isinstance(xattr.name, bytearray))
    return bRC_OK
'''

ROOT = "/@aclxattr/dir"
ACLS = {ROOT + "/a.txt": b"user::rw-\nuser:bob:r--\ngroup::r--\nmask::r--\nother::---\n",
        ROOT: b"A:fd:everyone@:rxtncy::allow"}
XATTRS = {ROOT + "/a.txt": [(b"user.one", b"1"), (b"user.empty", b""), (b"user.bin", bytes(range(256)))],
          ROOT + "/link": [(b"user.onlink", b"L")],
          ROOT: [(b"trusted.dir", b"D")]}


def _calls(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines()]


def _volume_streams(site, log: str) -> list[tuple[int, int, int]]:
    """(FileIndex, Stream, DataLen) of every record bls -v lists on the job's volume."""
    m = re.search(r"Volume name\(s\):\s+(\S+)", log)
    assert m, log
    proc = subprocess.run([sys.executable, "-m", "bareos.tools.bls", "-v", "-c", str(site.base / "etc"),
                           "-V", m.group(1), "FileStorage"], capture_output=True, text=True, timeout=120,
                          check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return [(int(a), int(b), int(c)) for a, b, c in
            re.findall(r"FileIndex=(\d+)\s+Stream=(\d+)\s+\S+\s+DataLen=(\d+)", proc.stdout)]


def test_record_layouts_are_bareos_s():
    # STREAM_ACL_PLUGIN: the content and one NUL
    assert fd_aclxattr.acl_record(b"user::rw-\n") == b"user::rw-\n\0"
    # STREAM_XATTR_PLUGIN: big-endian magic, name length, name, value length, value
    rec = fd_aclxattr.encode_xattr_record([(b"user.a", b"xy"), (b"user.e", b"")])
    assert rec == (struct.pack(">II", 0x5C5884, 6) + b"user.a" + struct.pack(">I", 2) + b"xy"
                   + struct.pack(">II", 0x5C5884, 6) + b"user.e" + struct.pack(">I", 0))
    assert fd_aclxattr.decode_xattr_record(rec) == [(b"user.a", b"xy"), (b"user.e", b"")]
    with pytest.raises(fd_aclxattr.PluginXattrError):
        fd_aclxattr.decode_xattr_record(struct.pack(">II", 0x123, 1) + b"x" + struct.pack(">I", 0))
    with pytest.raises(fd_aclxattr.PluginXattrError):
        fd_aclxattr.decode_xattr_record(rec[:-3])           # cut inside a value length
    with pytest.raises(fd_aclxattr.PluginXattrError):
        fd_aclxattr.decode_xattr_record(struct.pack(">II", 0x5C5884, 0) + struct.pack(">I", 0))


def test_command_plugin_acl_xattr_round_trip(plugin_site, tmp_path):
    plugdir = tmp_path / "fd-plugins"
    plugdir.mkdir()
    (plugdir / "bareos-fd-aclxattr.py").write_text(PLUGIN)
    data = tmp_path / "data"
    data.mkdir()
    logs = {k: tmp_path / f"{k}.jsonl" for k in ("with", "without", "bytes", "errors")}
    site = plugin_site(data)
    site.enable_plugins("fd", plugdir, "python")
    plug = f"python:module_path={plugdir}:module_name=bareos-fd-aclxattr"
    site.plugin_fileset("PyAclX", [f"{plug}:log={logs['with']}"],
                        options={"Signature": "MD5", "aclsupport": "yes", "xattrsupport": "yes"})
    site.plugin_fileset("PyNoAclX", [f"{plug}:log={logs['without']}"],
                        options={"Signature": "MD5", "aclsupport": "no", "xattrsupport": "no"})
    site.plugin_fileset("PyAclBytes", [f"{plug}:log={logs['bytes']}:mode=bytes"],
                        options={"aclsupport": "yes"})
    site.plugin_fileset("PyAclXErr", [f"{plug}:log={logs['errors']}:mode=errors"], options={})
    site.add_backup_job("backup-aclxerr", "PyAclXErr")
    site.add_backup_job("backup-aclx", "PyAclX")
    site.add_backup_job("backup-noaclx", "PyNoAclX")
    site.add_backup_job("backup-aclbytes", "PyAclBytes")
    site.start()
    con = site.console()
    try:
        jobid, status = site.run_job(con, "run job=backup-aclx level=Full yes")
        log = site.job_log(con, jobid)
        assert status == "T", log
        backup_calls = _calls(logs["with"])
        # get_acl for everything but the symlink, with an empty packet
        assert [c["fname"] for c in backup_calls if c["call"] == "get_acl"] == \
            [ROOT + "/a.txt", ROOT + "/b.txt", ROOT]
        assert all(c["content"] is None for c in backup_calls if c["call"] == "get_acl")
        # get_xattr again and again while it answers bRC_More, fresh packets each time
        xcalls = [c["fname"] for c in backup_calls if c["call"] == "get_xattr"]
        assert xcalls == [ROOT + "/a.txt"] * 3 + [ROOT + "/b.txt", ROOT + "/link", ROOT]
        assert all(c["name"] is None and c["value"] is None for c in backup_calls if c["call"] == "get_xattr")

        # on the volume: data, then the ACL record, then the xattr record, then the digest
        records = _volume_streams(site, log)
        by_fi: dict[int, list[tuple[int, int]]] = {}
        for fi, stream, length in records:
            by_fi.setdefault(fi, []).append((stream, length))
        acl_a = len(ACLS[ROOT + "/a.txt"]) + 1
        xattr_a = len(fd_aclxattr.encode_xattr_record(XATTRS[ROOT + "/a.txt"]))
        streams_of = {fi: [s for s, _ in recs] for fi, recs in by_fi.items()}
        a_fi = next(fi for fi, recs in by_fi.items() if (1020, acl_a) in recs)
        assert (1988, xattr_a) in by_fi[a_fi]
        sa = streams_of[a_fi]
        assert sa.index(2) < sa.index(1020) < sa.index(1988) < sa.index(3), sa   # data, ACL, xattr, MD5
        assert sum(r[1] == 1020 for r in records) == 2        # a.txt, dir (no ACL for b.txt, link)
        assert sum(r[1] == 1988 for r in records) == 3        # a.txt, link, dir (b.txt has none)

        # restore: set_acl / set_xattr get back exactly what was given
        where = tmp_path / "restored"
        rid, rstatus = site.run_job(con, f"restore client=bareos-fd fileset=PyAclX where={where} "
                                         "current select all done yes")
        rlog = site.job_log(con, rid)
        assert rstatus == "T", rlog
        assert (where / "@aclxattr/dir/a.txt").read_bytes() == b"alpha\n" * 1000
        restore_calls = _calls(logs["with"])[len(backup_calls):]

        def out(p):
            return str(where) + p

        acls = {c["fname"]: bytes.fromhex(c["content"]) for c in restore_calls if c["call"] == "set_acl"}
        assert acls == {out(n): t + b"\0" for n, t in ACLS.items()}
        assert all(c["bytearray"] for c in restore_calls if c["call"] in ("set_acl", "set_xattr"))
        reprs = [c["repr"] for c in restore_calls if c["call"] == "set_acl"]
        assert f'AclPacket(fname="{out(ROOT)}", content="A:fd:everyone@:rxtncy::allow")' in reprs
        xattrs: dict[str, list] = {}
        for c in restore_calls:
            if c["call"] == "set_xattr":
                xattrs.setdefault(c["fname"], []).append(
                    (bytes.fromhex(c["name"]), None if c["value"] is None else bytes.fromhex(c["value"])))
        # the symlink was only created (CF_CREATED): Bareos gives it no xattrs back
        assert xattrs == {out(ROOT + "/a.txt"): [(b"user.one", b"1"), (b"user.empty", None),
                                                (b"user.bin", bytes(range(256)))],
                          out(ROOT): [(b"trusted.dir", b"D")]}
        # ACLs and xattrs come after the file's attributes
        order = [(c["call"], c["fname"]) for c in restore_calls]
        assert order.index(("set_file_attributes", out(ROOT + "/a.txt"))) < \
            order.index(("set_acl", out(ROOT + "/a.txt"))) < order.index(("set_xattr", out(ROOT + "/a.txt")))

        # with aclsupport/xattrsupport = no the plugin is not asked (both default
        # to yes in Bareos 25's Director)
        jobid2, status2 = site.run_job(con, "run job=backup-noaclx level=Full yes")
        assert status2 == "T", site.job_log(con, jobid2)
        assert not [c for c in _calls(logs["without"]) if c["call"] in ("get_acl", "get_xattr")]
        log2 = site.job_log(con, jobid2)
        same_volume = re.search(r"Volume name\(s\):\s+(\S+)", log2).group(1) == \
            re.search(r"Volume name\(s\):\s+(\S+)", log).group(1)
        streams2 = _volume_streams(site, log2)       # no new ACL/xattr records
        assert sum(r[1] == 1020 for r in streams2) == (2 if same_volume else 0)
        assert sum(r[1] == 1988 for r in streams2) == (3 if same_volume else 0)

        # ACL content that is not a bytearray fails the job, as in Bareos
        jobid3, status3 = site.run_job(con, "run job=backup-aclbytes level=Full yes")
        log3 = site.job_log(con, jobid3)
        assert status3 in ("f", "E"), log3
        assert "acl packet content needs to be of bytearray type" in log3

        # a plugin's error codes are counted, the jobs still end OK (with warnings)
        jobid4, status4 = site.run_job(con, "run job=backup-aclxerr level=Full yes")
        log4 = site.job_log(con, jobid4)
        assert status4 == "W", log4
        assert "Encountered 1 xattr errors while doing backup" in log4
        assert "Backup OK -- with warnings" in log4
        where4 = tmp_path / "restored-errors"
        rid4, rstatus4 = site.run_job(con, f"restore client=bareos-fd fileset=PyAclXErr where={where4} "
                                           "current select all done yes")
        rlog4 = site.job_log(con, rid4)
        assert rstatus4 in ("T", "W"), rlog4
        assert "Encountered 2 acl errors while doing restore" in rlog4, rlog4
        # the xattrs of the other files still came back
        names = {c["fname"] for c in _calls(logs["errors"]) if c["call"] == "set_xattr"}
        assert names == {str(where4) + ROOT}
    finally:
        con.close()


LOCAL_XATTRS = r'''
import importlib
import os

import bareosfd
from BareosFdWrapper import *  # noqa: F401,F403 - Bareos's wrapper

_local = importlib.import_module("bareos-fd-local-fileset")


@BareosPlugin
class LocalFilesetWithXattrs(_local.BareosFdPluginLocalFileset):
    """Bareos's local-fileset plugin, plus the user.* xattrs of its files."""

    pending = None

    def get_xattr(self, xattr):
        if self.pending is None:
            path = xattr.fname.rstrip("/") or "/"
            self.pending = [(n, os.getxattr(path, n, follow_symlinks=False))
                            for n in sorted(os.listxattr(path, follow_symlinks=False))
                            if n.startswith("user.")]
        if not self.pending:
            self.pending = None
            return bareosfd.bRC_OK
        name, value = self.pending.pop(0)
        xattr.name = bytearray(name.encode())
        xattr.value = bytearray(value)
        if self.pending:
            return bareosfd.bRC_More
        self.pending = None
        return bareosfd.bRC_OK

    def set_xattr(self, xattr):
        os.setxattr(xattr.fname.rstrip("/"), bytes(xattr.name).decode(), bytes(xattr.value or b""),
                    follow_symlinks=False)
        return bareosfd.bRC_OK
'''


def _user_xattrs(path: Path) -> dict:
    return {n: os.getxattr(path, n, follow_symlinks=False)
            for n in os.listxattr(path, follow_symlinks=False) if n.startswith("user.")}


def test_bareos_local_fileset_plugin_with_acl_xattr_support(plugin_site, tmp_path):
    bareos_dir = tmp_path / "bareos-pyfiles"          # outside the project, made at test time
    bareos_dir.mkdir()
    _fetch_bareos_pyfiles(bareos_dir)
    (bareos_dir / "bareos-fd-local-xattrs.py").write_text(LOCAL_XATTRS)
    data = tmp_path / "data"
    make_tree(data)
    try:
        os.setxattr(data / "one.txt", "user.color", b"blue")
        os.setxattr(data / "sub" / "two.bin", "user.k1", b"v1")
        os.setxattr(data / "sub" / "two.bin", "user.k2", bytes(range(40)))
        os.setxattr(data / "sub", "user.dirattr", b"d")
    except OSError as exc:
        pytest.skip(f"no user xattrs on {tmp_path}: {exc}")
    listing = tmp_path / "list.txt"
    listing.write_text(f"{data}\n")
    site = plugin_site(data)
    site.enable_plugins("fd", bareos_dir, "python")
    opts = {"Signature": "MD5", "aclsupport": "yes", "xattrsupport": "yes"}
    plain = f"python:module_path={bareos_dir}:module_name=bareos-fd-local-fileset:filename={listing}"
    with_xattrs = f"python:module_path={bareos_dir}:module_name=bareos-fd-local-xattrs:filename={listing}"
    site.plugin_fileset("BareosLocalAX", [plain], options=opts)
    site.plugin_fileset("BareosLocalXattrs", [with_xattrs], options=opts)
    site.add_backup_job("backup-bareoslocal-ax", "BareosLocalAX")
    site.add_backup_job("backup-bareoslocal-xattrs", "BareosLocalXattrs")
    site.start()
    con = site.console()
    try:
        # Bareos's plugin unchanged: its base class answers get_acl/get_xattr with
        # nothing, so the job is clean and the files carry no xattrs back
        jobid, status = site.run_job(con, "run job=backup-bareoslocal-ax level=Full yes")
        log = site.job_log(con, jobid)
        assert status == "T", log
        assert "acl errors" not in log and "xattr errors" not in log
        where = tmp_path / "restored-plain"
        rid, rstatus = site.run_job(con, f"restore client=bareos-fd fileset=BareosLocalAX where={where} "
                                         "current select all done yes")
        assert rstatus == "T", site.job_log(con, rid)
        restored = where / str(data).lstrip("/")
        assert compare_trees(data, restored) == []
        assert _user_xattrs(restored / "one.txt") == {}

        # a plugin built on Bareos's classes that supplies xattrs gets them back
        jobid, status = site.run_job(con, "run job=backup-bareoslocal-xattrs level=Full yes")
        log = site.job_log(con, jobid)
        assert status == "T", log
        where = tmp_path / "restored-xattrs"
        rid, rstatus = site.run_job(con, f"restore client=bareos-fd fileset=BareosLocalXattrs "
                                         f"where={where} current select all done yes")
        rlog = site.job_log(con, rid)
        assert rstatus == "T", rlog
        restored = where / str(data).lstrip("/")
        assert compare_trees(data, restored) == []
        for rel in ("one.txt", "sub/two.bin", "sub", "sub/deeper/three.txt"):
            assert _user_xattrs(restored / rel) == _user_xattrs(data / rel), rel
    finally:
        con.close()
