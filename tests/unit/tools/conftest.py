"""Fixtures of the volume-tool tests: a source tree, volumes written from it
as a Storage Daemon would, and a Storage Daemon configuration naming the
directory of the volumes."""

from __future__ import annotations

import io
import os

import pytest

from tests.unit.tools.volfactory import JobInfo, VolumeBuilder, make_tree, write_sd_config


class Run:
    """Result of running a tool's main() in-process."""

    def __init__(self, rc: int, out: str, err: str):
        self.rc = rc
        self.out = out
        self.err = err

    def lines(self, prefix: str) -> list[str]:
        return [ln[len(prefix):] for ln in self.out.splitlines() if ln.startswith(prefix)]


@pytest.fixture
def run_tool(capsys):
    def run(module, *argv) -> Run:
        out = io.StringIO()
        capsys.readouterr()
        rc = module.main(list(argv), out=out)
        return Run(rc, out.getvalue(), capsys.readouterr().err)
    return run


@pytest.fixture(scope="module")
def backup(tmp_path_factory):
    """One volume (Full-0001) holding one job that saved the whole tree."""
    base = tmp_path_factory.mktemp("vol")
    src = str(base / "src")
    paths = make_tree(src)
    store = base / "store"
    store.mkdir()
    vb = VolumeBuilder(str(store / "Full-0001"))
    job = vb.backup_tree(src, JobInfo(7, "backup-job.2024-05-01_10.00.00_07",
                                      session_id=3, session_time=1_714_000_000))
    vb.close()
    conf = str(base / "conf")
    write_sd_config(conf, str(store))
    return {"base": base, "src": src, "paths": paths, "store": str(store),
            "volume": str(store / "Full-0001"), "job": job, "conf": conf,
            "label": vb.label}


def file_names(job) -> list[str]:
    return [f.fname for f in job.files]


def tree_snapshot(root: str) -> dict[str, tuple]:
    """Relative path -> (kind, mode, mtime, content-or-target) of a tree."""
    import stat
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames + ["."]:
            p = os.path.normpath(os.path.join(dirpath, name))
            rel = os.path.relpath(p, root)
            st = os.lstat(p)
            if stat.S_ISLNK(st.st_mode):
                val = ("link", None, st.st_mtime_ns // 10**9, os.readlink(p))
            elif stat.S_ISDIR(st.st_mode):
                val = ("dir", stat.S_IMODE(st.st_mode), st.st_mtime_ns // 10**9, None)
            elif stat.S_ISFIFO(st.st_mode):
                val = ("fifo", stat.S_IMODE(st.st_mode), st.st_mtime_ns // 10**9, None)
            else:
                with open(p, "rb") as fh:
                    val = ("file", stat.S_IMODE(st.st_mode), st.st_mtime_ns // 10**9, fh.read())
            out[rel] = val
    return out
