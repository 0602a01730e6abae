"""Plugin options given at restore time override single keys of the plugin
string stored with the backup (python3-fd puts the override in front of the
stored string, the plugin's parser keeps the first value of a key): a
command plugin backed up with ``a=1:b=2`` and restored with
``pluginoptions=python:b=3`` (or through the restore dialogue's ``mod`` →
Plugin Options) sees a=1, b=3 at restore time."""

from __future__ import annotations

from .conftest import needs_psk

pytestmark = needs_psk

OPTREC = '''
import os
import bareosfd
from bareosfd import *  # noqa
from BareosFdWrapper import *  # noqa
from BareosFdPluginBaseclass import BareosFdPluginBaseclass


@BareosPlugin
class OptRecorder(BareosFdPluginBaseclass):
    def __init__(self, plugindef):
        super().__init__(plugindef)
        self.sent = False

    def _note(self, what):
        with open(self.options["log"], "a") as f:
            f.write("%s %s a=%s b=%s\\n" % (what, chr(bareosfd.GetValue(bVarType)),
                                            self.options.get("a"), self.options.get("b")))

    def start_backup_file(self, savepkt):
        if self.sent:
            return bRC_Stop
        self._note("backup")
        src = self.options["src"]
        st = os.stat(src)
        savepkt.fname = src
        savepkt.type = FT_REG
        savepkt.statp = bareosfd.StatPacket(mode=st.st_mode, size=st.st_size, atime=int(st.st_atime),
                                            mtime=int(st.st_mtime), ctime=int(st.st_ctime))
        self.sent = True
        return bRC_OK

    def start_restore_file(self, cmd):
        self._note("restore")
        return bRC_OK
'''


def _setup(plugin_site, tmp_path):
    src = tmp_path / "src" / "payload.txt"
    src.parent.mkdir()
    src.write_text("plugin options payload\n" * 40)
    plugdir = tmp_path / "fd-plugins"
    plugdir.mkdir()
    (plugdir / "bareos-fd-optrec.py").write_text(OPTREC)
    log = tmp_path / "options.log"
    site = plugin_site(src.parent)
    site.enable_plugins("fd", plugdir, "python3")
    site.plugin_fileset("PyOpt", [f"python:module_name=bareos-fd-optrec:a=1:b=2:log={log}:src={src}"])
    site.add_backup_job("backup-pyopt", "PyOpt")
    return site, src, log


def test_restore_pluginoptions_override_one_key(plugin_site, tmp_path):
    site, src, log = _setup(plugin_site, tmp_path)
    site.start()
    con = site.console()
    try:
        jobid, status = site.run_job(con, "run job=backup-pyopt level=Full yes")
        assert status == "T", site.job_log(con, jobid)
        assert log.read_text().splitlines() == ["backup B a=1 b=2"]
        where = tmp_path / "restored"
        rid, rstatus = site.run_job(con, f"restore client=bareos-fd fileset=PyOpt where={where} "
                                         "pluginoptions=python:b=3 current select all done yes")
        assert rstatus == "T", site.job_log(con, rid)
        assert log.read_text().splitlines()[-1] == "restore R a=1 b=3"
        restored = where / str(src).lstrip("/")
        assert restored.read_bytes() == src.read_bytes()
        # without an override the stored string counts as it is
        where2 = tmp_path / "restored2"
        rid, rstatus = site.run_job(con, f"restore client=bareos-fd fileset=PyOpt where={where2} "
                                         "current select all done yes")
        assert rstatus == "T", site.job_log(con, rid)
        assert log.read_text().splitlines()[-1] == "restore R a=1 b=2"
    finally:
        con.close()


def test_restore_dialogue_plugin_options(plugin_site, tmp_path):
    site, src, log = _setup(plugin_site, tmp_path)
    site.start()
    con = site.console()
    try:
        jobid, status = site.run_job(con, "run job=backup-pyopt level=Full yes")
        assert status == "T", site.job_log(con, jobid)
    finally:
        con.close()
    where = tmp_path / "restored"
    out = site.bconsole([f"restore client=bareos-fd fileset=PyOpt where={where} current select all done",
                         "mod", "14", "python:b=4:a=7", "yes", "wait", "quit"])
    assert "Plugin Options:  *None*" in out, out
    assert "Plugin Options:  python:b=4:a=7" in out, out
    assert log.read_text().splitlines()[-1] == "restore R a=7 b=4", out
    assert (where / str(src).lstrip("/")).read_bytes() == src.read_bytes()
