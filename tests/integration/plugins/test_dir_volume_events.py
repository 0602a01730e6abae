"""The Director's volume events for python3-dir plugins, through the three
real daemons: a pool that allows one volume of one job, a second job that
finds it expired, prunes it (bDirEventVolumePurged) and recycles it.

Bareos 25 defines bDirEventNeedVolume, bDirEventVolumeFull,
bDirEventRecyle and bDirEventGetScratch (a plugin may register them) but
never sends them; neither do we, and the test checks that too."""

from __future__ import annotations

import time

from .conftest import needs_psk

pytestmark = needs_psk

RECORDER = '''
import bareosdir
import BareosDirWrapper
from BareosDirWrapper import *  # noqa
from BareosDirPluginBaseclass import BareosDirPluginBaseclass

NAMES = {v: k.decode() for k, v in bareosdir.bDirEventType.items()}


class VolRecorder(BareosDirPluginBaseclass):
    def __init__(self, plugindef):
        super().__init__(plugindef)
        bareosdir.RegisterEvents(range(bareosdir.bDirEventJobStart, bareosdir.bDirEventGetScratch + 1))

    def parse_plugin_definition(self, plugindef):
        super().parse_plugin_definition(plugindef)
        self.log = self.options["log"]
        return bareosdir.bRC_OK

    def handle_plugin_event(self, event):
        super().handle_plugin_event(event)
        with open(self.log, "a") as f:
            f.write("%d %s %s\\n" % (bareosdir.GetValue(bareosdir.bDirVarJobId), NAMES[event],
                                    bareosdir.GetValue(bareosdir.bDirVarVolumeName) or "-"))
        return bareosdir.bRC_OK


def load_bareos_plugin(plugindef):
    BareosDirWrapper.bareos_dir_plugin_object = VolRecorder(plugindef)
    return bareosdir.bRC_OK
'''


def test_dir_plugin_sees_new_volume_and_volume_purged(plugin_site, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "a.txt").write_text("volume events\n" * 20)
    plugdir = tmp_path / "dir-plugins"
    plugdir.mkdir()
    (plugdir / "volrecorder.py").write_text(RECORDER)
    events = tmp_path / "events.txt"
    site = plugin_site(data)
    site.enable_plugins("dir", plugdir, "python3")
    site.write_fileset("Plain", files=[data])
    site.dir_conf("pool/Once.conf").write_text(
        'Pool {\n  Name = Once\n  Pool Type = Backup\n  Recycle = yes\n  AutoPrune = yes\n'
        '  Volume Retention = 1 second\n  Maximum Volume Jobs = 1\n  Maximum Volumes = 1\n'
        '  Label Format = "Once-"\n}\n')
    site.dir_conf("job/backup-once.conf").write_text(
        'Job {\n  Name = "backup-once"\n  Type = Backup\n  Level = Full\n  Client = bareos-fd\n'
        '  FileSet = "Plain"\n  Storage = File\n  Messages = Standard\n  Pool = Once\n'
        f'  Dir Plugin Options = "python3:module_name=volrecorder:log={events}"\n}}\n')
    site.start()
    con = site.console()
    try:
        jobid1, status = site.run_job(con, "run job=backup-once level=Full yes")
        log1 = site.job_log(con, jobid1)
        assert status == "T", log1
        first = [line.split() for line in events.read_text().splitlines()]
        assert [e[1] for e in first if e[1] == "bDirEventNewVolume"] == ["bDirEventNewVolume"], first
        assert "bDirEventVolumePurged" not in [e[1] for e in first]
        time.sleep(2.2)        # the volume's retention (1 second) runs out
        jobid2, status = site.run_job(con, "run job=backup-once level=Full yes")
        log2 = site.job_log(con, jobid2)
        assert status == "T", log2
        second = [line.split() for line in events.read_text().splitlines()[len(first):]]
        names = [e[1] for e in second]
        assert names[0] == "bDirEventJobStart" and names[-1] == "bDirEventJobEnd", names
        purged = [e for e in second if e[1] == "bDirEventVolumePurged"]
        assert purged, (names, log2)
        assert purged[0][0] == str(jobid2) and purged[0][2] == "Once-0001", purged
        assert "bDirEventNewVolume" not in names        # the purged volume is recycled
        for never in ("bDirEventNeedVolume", "bDirEventVolumeFull", "bDirEventRecyle",
                      "bDirEventGetScratch"):
            assert never not in names and never not in [e[1] for e in first]
        # a console purge has no job plugins: nothing reaches the plugin
        n = len(events.read_text().splitlines())
        out = con.call("purge volume=Once-0001 yes").decode()
        assert "Once-0001" in out, out
        assert len(events.read_text().splitlines()) == n
    finally:
        con.close()
