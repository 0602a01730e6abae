"""python3-fd through the three real daemons: the project's own base classes
and plugins, a plugin that raises, and Bareos's own plugin files (taken from
a local Bareos checkout at test time, never kept in the project)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from bareos.quickstart.run import compare_trees

from .conftest import needs_psk

pytestmark = needs_psk

BAREOS_MIRROR = Path(os.environ.get("BAREOS_SOURCE_GIT", "/work/.mirror/bareos+bareos/repo"))
BAREOS_REF = os.environ.get("BAREOS_SOURCE_REF", "bareos-25")
PYFILES = "core/src/plugins/filed/python/pyfiles"


def make_tree(root: Path) -> None:
    (root / "sub" / "deeper").mkdir(parents=True)
    (root / "one.txt").write_text("one\n" * 100)
    (root / "sub" / "two.bin").write_bytes(os.urandom(200_000))
    (root / "sub" / "deeper" / "three.txt").write_text("three\n")
    os.chmod(root / "sub" / "two.bin", 0o640)


def run_backup_restore(site, con, job, fileset, where):
    jobid, status = site.run_job(con, f"run job={job} level=Full yes")
    log = site.job_log(con, jobid)
    assert status == "T", log
    rid, rstatus = site.run_job(con, f"restore client=bareos-fd fileset={fileset} where={where} "
                                     "current select all done yes")
    rlog = site.job_log(con, rid)
    assert rstatus == "T", rlog
    return jobid, log, rid, rlog


def test_local_fileset_command_plugin_backup_restore(plugin_site, tmp_path):
    data = tmp_path / "data"
    make_tree(data)
    listing = tmp_path / "list.txt"
    listing.write_text(f"{data}\n")
    plugdir = tmp_path / "fd-plugins"
    plugdir.mkdir()
    site = plugin_site(data)
    site.enable_plugins("fd", plugdir, "python")
    site.plugin_fileset("PyLocal", [f"python:module_name=bareos-fd-local-fileset:filename={listing}"])
    site.add_backup_job("backup-pylocal", "PyLocal")
    site.start()
    con = site.console()
    try:
        where = tmp_path / "restored"
        jobid, log, _, _ = run_backup_restore(site, con, "backup-pylocal", "PyLocal", where)
        files = con.call(f"list files jobid={jobid}").decode()
        assert f"{data}/sub/two.bin" in files
        assert compare_trees(data, where / str(data).lstrip("/")) == []
    finally:
        con.close()


def test_option_plugin_sees_every_file(plugin_site, tmp_path):
    data = tmp_path / "data"
    make_tree(data)
    plugdir = tmp_path / "fd-plugins"
    plugdir.mkdir()
    logfile = tmp_path / "interact.log"
    site = plugin_site(data)
    site.enable_plugins("fd", plugdir)
    site.plugin_fileset("PyOption", [], files=[data],
                        option_plugin=f"python:module_name=bareos-fd-file-interact:logfile={logfile}")
    site.add_backup_job("backup-pyoption", "PyOption")
    site.start()
    con = site.console()
    try:
        where = tmp_path / "restored"
        run_backup_restore(site, con, "backup-pyoption", "PyOption", where)
        lines = logfile.read_text().splitlines()
        seen = {}
        for line in lines:
            what, name = line.split(" ", 1)
            seen.setdefault(name.rstrip("/"), []).append(what)
        expected = [str(p) for p in [data, *data.rglob("*")]]
        for name in expected:
            assert seen.get(name) == ["before", "after"], (name, lines)
        assert compare_trees(data, where / str(data).lstrip("/")) == []
    finally:
        con.close()


def test_raising_plugin_fails_job_not_daemon(plugin_site, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    plugdir = tmp_path / "fd-plugins"
    plugdir.mkdir()
    (plugdir / "bareos-fd-raiser.py").write_text(
        "from BareosFdWrapper import *\n"
        "from BareosFdPluginBaseclass import BareosFdPluginBaseclass\n"
        "@BareosPlugin\n"
        "class Raiser(BareosFdPluginBaseclass):\n"
        "    def start_backup_job(self):\n"
        "        raise RuntimeError('the database is on fire')\n")
    site = plugin_site(data)
    site.enable_plugins("fd", plugdir)
    site.plugin_fileset("PyRaise", [f"python:module_path={plugdir}:module_name=bareos-fd-raiser"])
    site.add_backup_job("backup-raise", "PyRaise")
    site.write_fileset()
    site.start()
    con = site.console()
    try:
        jobid, status = site.run_job(con, "run job=backup-raise level=Full yes")
        log = site.job_log(con, jobid)
        assert status in ("f", "E"), log
        assert "RuntimeError: the database is on fire" in log
        # the File Daemon still works
        _, status = site.run_job(con, "run job=backup-bareos-fd level=Full yes")
        assert status == "T"
    finally:
        con.close()


def _fetch_bareos_pyfiles(dest: Path) -> None:
    if not (BAREOS_MIRROR / "HEAD").exists() and not (BAREOS_MIRROR / ".git").exists():
        pytest.skip(f"no Bareos source checkout at {BAREOS_MIRROR} (set BAREOS_SOURCE_GIT); "
                    "see docs/plugins.md for how to fetch Bareos's plugin files")
    for name in ("BareosFdWrapper.py", "BareosFdPluginBaseclass.py",
                 "BareosFdPluginLocalFilesBaseclass.py", "bareos-fd-local-fileset.py"):
        proc = subprocess.run(["git", "-C", str(BAREOS_MIRROR), "show", f"{BAREOS_REF}:{PYFILES}/{name}"],
                              capture_output=True)
        if proc.returncode != 0:
            pytest.skip(f"{name} not in {BAREOS_MIRROR} at {BAREOS_REF}: {proc.stderr.decode()[:200]}")
        (dest / name).write_bytes(proc.stdout)


def test_bareos_own_local_fileset_plugin_runs_unchanged(plugin_site, tmp_path):
    bareos_dir = tmp_path / "bareos-pyfiles"          # outside the project, made at test time
    bareos_dir.mkdir()
    _fetch_bareos_pyfiles(bareos_dir)
    data = tmp_path / "data"
    make_tree(data)
    listing = tmp_path / "list.txt"
    listing.write_text(f"{data}\n")
    site = plugin_site(data)
    site.enable_plugins("fd", bareos_dir, "python")
    site.plugin_fileset("BareosLocal", [f"python:module_path={bareos_dir}:module_name=bareos-fd-local-fileset:"
                                        f"filename={listing}"])
    site.add_backup_job("backup-bareoslocal", "BareosLocal")
    site.start()
    con = site.console()
    try:
        where = tmp_path / "restored"
        _, log, _, _ = run_backup_restore(site, con, "backup-bareoslocal", "BareosLocal", where)
        assert compare_trees(data, where / str(data).lstrip("/")) == []
    finally:
        con.close()


def test_module_job_messages_carry_bareos_prefix(plugin_site, tmp_path):
    """bareosfd.JobMessage text reaches the job log as Bareos prints it:
    ``python3-fd-mod: <text>``; a message of None says nothing."""
    data = tmp_path / "data"
    data.mkdir()
    plugdir = tmp_path / "fd-plugins"
    plugdir.mkdir()
    (plugdir / "bareos-fd-talker.py").write_text(
        "import bareosfd\n"
        "from BareosFdWrapper import *\n"
        "from BareosFdPluginBaseclass import BareosFdPluginBaseclass\n"
        "@BareosPlugin\n"
        "class Talker(BareosFdPluginBaseclass):\n"
        "    def start_backup_job(self):\n"
        "        bareosfd.JobMessage(bareosfd.M_INFO, 'hello from the module\\n')\n"
        "        bareosfd.JobMessage(bareosfd.M_INFO, None)\n"
        "        return bareosfd.bRC_OK\n"
        "    def start_backup_file(self, savepkt):\n"
        "        return bareosfd.bRC_Stop\n")
    site = plugin_site(data)
    site.enable_plugins("fd", plugdir)
    site.plugin_fileset("PyTalk", [f"python:module_path={plugdir}:module_name=bareos-fd-talker"])
    site.add_backup_job("backup-talk", "PyTalk")
    site.start()
    con = site.console()
    try:
        jobid, _status = site.run_job(con, "run job=backup-talk level=Full yes")
        log = site.job_log(con, jobid)
        assert re.search(r"-fd JobId \d+: python3-fd-mod: hello from the module\n", log), log
        assert not re.search(r"-fd JobId \d+: python3-fd-mod: \n", log), log
    finally:
        con.close()
