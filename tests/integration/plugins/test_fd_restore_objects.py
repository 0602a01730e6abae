"""Restore objects through the three real daemons: a python3-fd command
plugin hands the core two restore objects during the backup (a small one
and one over 1000 bytes, which travels zlib-compressed), the Director keeps
them in the catalog, and before the restore the plugin gets each back
through ``restore_object_data`` with its name, index and bytes, then the
restore of its file runs as usual.  With ``pluginoptions=`` the override
applies to the plugin string the restore object carries as well."""

from __future__ import annotations

from .conftest import needs_psk

pytestmark = needs_psk

ROBJ = '''
import os
import bareosfd
from bareosfd import *  # noqa
from BareosFdWrapper import *  # noqa
from BareosFdPluginBaseclass import BareosFdPluginBaseclass

BIG = ("line of a big restore object\\n" * 200).encode()


@BareosPlugin
class ObjectPlugin(BareosFdPluginBaseclass):
    def __init__(self, plugindef):
        super().__init__(plugindef)
        self.step = 0

    def start_backup_file(self, savepkt):
        self.step += 1
        if self.step == 1:
            savepkt.type = FT_RESTORE_FIRST
            savepkt.object_name = "small-config"
            savepkt.object = bytearray(b"tag=%s" % self.options["tag"].encode())
            savepkt.object_len = len(savepkt.object)
            savepkt.object_index = 7
            return bRC_OK
        if self.step == 2:
            savepkt.type = FT_RESTORE_FIRST
            savepkt.object_name = "big-config"
            savepkt.object = bytearray(BIG)
            savepkt.object_len = len(BIG)
            savepkt.object_index = 8
            return bRC_OK
        src = self.options["src"]
        st = os.stat(src)
        savepkt.fname = src
        savepkt.type = FT_REG
        savepkt.statp = bareosfd.StatPacket(mode=st.st_mode, size=st.st_size, atime=int(st.st_atime),
                                            mtime=int(st.st_mtime), ctime=int(st.st_ctime))
        return bRC_OK

    def end_backup_file(self):
        return bRC_More if self.step < 3 else bRC_OK

    def restore_object_data(self, ROP):
        data = bytes(ROP.object)
        with open(self.options["log"], "a") as f:
            f.write("%s %d %d %d %s %s %s\\n" % (ROP.object_name, ROP.object_index, ROP.object_len,
                                                ROP.jobid, data == BIG, data[:20].decode(),
                                                self.options.get("tag")))
        return bRC_OK
'''


def test_restore_objects_come_back_before_the_restore(plugin_site, tmp_path):
    src = tmp_path / "src" / "payload.txt"
    src.parent.mkdir()
    src.write_text("restore object payload\n" * 30)
    plugdir = tmp_path / "fd-plugins"
    plugdir.mkdir()
    (plugdir / "bareos-fd-robj.py").write_text(ROBJ)
    log = tmp_path / "objects.log"
    site = plugin_site(src.parent)
    site.enable_plugins("fd", plugdir, "python3")
    site.plugin_fileset("PyRobj", [f"python:module_name=bareos-fd-robj:tag=stored:log={log}:src={src}"])
    site.add_backup_job("backup-robj", "PyRobj")
    site.start()
    con = site.console()
    try:
        jobid, status = site.run_job(con, "run job=backup-robj level=Full yes")
        blog = site.job_log(con, jobid)
        assert status == "T", blog
        assert not log.exists()
        where = tmp_path / "restored"
        rid, rstatus = site.run_job(con, f"restore client=bareos-fd fileset=PyRobj where={where} "
                                         "current select all done yes")
        rlog = site.job_log(con, rid)
        assert rstatus == "T", rlog
        assert "Unknown stream" not in rlog and "not equal record index" not in rlog, rlog
        lines = log.read_text().splitlines()
        assert lines == [f"small-config 7 10 {jobid} False tag=stored stored",
                         f"big-config 8 {len(b'line of a big restore object' + bytes(1)) * 200} {jobid} True "
                         "line of a big restor stored"], lines
        assert (where / str(src).lstrip("/")).read_bytes() == src.read_bytes()
        # a restore with an override: the objects' plugin string gets it too
        where2 = tmp_path / "restored2"
        rid, rstatus = site.run_job(con, f"restore client=bareos-fd fileset=PyRobj where={where2} "
                                         "pluginoptions=python:tag=override current select all done yes")
        assert rstatus == "T", site.job_log(con, rid)
        assert [line.split()[-1] for line in log.read_text().splitlines()[2:]] == ["override", "override"]
    finally:
        con.close()
