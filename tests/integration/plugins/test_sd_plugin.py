"""python3-sd (``bareossd``) with the three real daemons: a plugin of our
own records the SD's events of a backup and a restore, writes job messages,
a plugin that raises fails its job (the SD goes on), and Bareos's own SD
base class and class plugin, taken from a Bareos source checkout at test
time, load and run."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from bareos.quickstart.run import compare_trees

from .conftest import needs_psk

pytestmark = needs_psk

BAREOS_MIRROR = Path(os.environ.get("BAREOS_SOURCE_GIT", "/work/.mirror/bareos+bareos/repo"))
BAREOS_REF = os.environ.get("BAREOS_SOURCE_REF", "bareos-25")
SD_PYFILES = "core/src/plugins/stored/python/pyfiles"

RECORDER = '''
import bareossd
import BareosSdWrapper
from BareosSdWrapper import *  # noqa
from BareosSdPluginBaseclass import BareosSdPluginBaseclass

NAMES = {v: k.decode() for k, v in bareossd.bsdEventType.items()}


class SdRecorder(BareosSdPluginBaseclass):
    def __init__(self, plugindef):
        super().__init__(plugindef)
        bareossd.RegisterEvents(range(bareossd.bsdEventJobStart,
                                      bareossd.bsdEventWriteRecordTranslation + 1))

    def parse_plugin_definition(self, plugindef):
        super().parse_plugin_definition(plugindef)
        self.log = self.options["log"]
        return bareossd.bRC_OK

    def handle_plugin_event(self, event):
        super().handle_plugin_event(event)
        volume = bareossd.GetValue(bareossd.bsdVarVolumeName)
        with open(self.log, "a") as f:
            f.write("%s %s %s\\n" % (NAMES[event], chr(bareossd.GetValue(bareossd.bsdVarType)), volume))
        if event == bareossd.bsdEventJobStart and self.options.get("fail") == "yes":
            raise ValueError("sd recorder does not like job %s" % self.jobName)
        if event == bareossd.bsdEventLabelWrite:
            bareossd.JobMessage(bareossd.M_INFO, "sdrecorder: label written on %s\\n" % volume)
        if event == bareossd.bsdEventJobEnd:
            bareossd.JobMessage(bareossd.M_INFO, "sdrecorder: job %s level %s ended, %d files\\n"
                                % (self.jobName, self.jobLevel, self.jobFiles))
        return bareossd.bRC_OK


def load_bareos_plugin(plugindef):
    BareosSdWrapper.bareos_sd_plugin_object = SdRecorder(plugindef)
    return bareossd.bRC_OK
'''


def setup_site(plugin_site, tmp_path, module_dir: Path | None = None, *job_lines):
    data = tmp_path / "data"
    data.mkdir()
    (data / "a.txt").write_text("hello\n" * 500)
    (data / "b.bin").write_bytes(os.urandom(70_000))
    plugdir = module_dir or tmp_path / "sd-plugins"
    plugdir.mkdir(exist_ok=True)
    (plugdir / "sdrecorder.py").write_text(RECORDER)
    site = plugin_site(data)
    site.enable_plugins("sd", plugdir, "python3")
    site.write_fileset("Plain", files=[data])
    site.add_backup_job("backup-sdplug", "Plain", *job_lines)
    return site, data


def test_sd_plugin_records_events_of_backup_and_restore(plugin_site, tmp_path):
    events = tmp_path / "events.txt"
    site, data = setup_site(plugin_site, tmp_path, None,
                            f'Sd Plugin Options = "python3:module_name=sdrecorder:log={events}"')
    site.start()
    con = site.console()
    try:
        jobid, status = site.run_job(con, "run job=backup-sdplug level=Full yes")
        log = site.job_log(con, jobid)
        assert status == "T", log
        lines = events.read_text().splitlines()
        seen = [line.split()[0] for line in lines]
        assert seen[0] == "bsdEventJobStart" and seen[-1] == "bsdEventJobEnd"
        for ev in ("bsdEventLabelWrite", "bsdEventVolumeLoad", "bsdEventDeviceClose",
                   "bsdEventVolumeUnload"):
            assert ev in seen, seen
        # as in Bareos, bareossd.RegisterEvents takes events up to
        # WriteRecordTranslation only: DeviceRelease never reaches Python
        assert "bsdEventDeviceRelease" not in seen
        assert all(line.split()[1] == "B" for line in lines)
        volume = next(line.split()[2] for line in lines if line.startswith("bsdEventVolumeLoad"))
        assert f"python3-sd-mod: sdrecorder: label written on {volume}" in log
        assert "python3-sd-mod: sdrecorder: job backup-sdplug." in log and "level F ended" in log
        # the restore job has no Sd Plugin Options: the module is not loaded for it
        where = tmp_path / "restored"
        site.restore_all(con, where, fileset="Plain")
        assert compare_trees(data, where / str(data).lstrip("/")) == []
        assert len(events.read_text().splitlines()) == len(lines)
    finally:
        con.close()


def test_sd_plugin_on_restore_sees_reading_events(plugin_site, tmp_path):
    events = tmp_path / "events.txt"
    site, data = setup_site(plugin_site, tmp_path, None)
    site.add_directives("job/RestoreFiles.conf",
                        f'Sd Plugin Options = "python3:module_name=sdrecorder:log={events}"')
    site.start()
    con = site.console()
    try:
        jobid, status = site.run_job(con, "run job=backup-sdplug level=Full yes")
        assert status == "T"
        assert not events.exists()
        where = tmp_path / "restored"
        site.restore_all(con, where, fileset="Plain")
        assert compare_trees(data, where / str(data).lstrip("/")) == []
        seen = [line.split() for line in events.read_text().splitlines()]
        names = [s[0] for s in seen]
        assert names[0] == "bsdEventJobStart" and names[-1] == "bsdEventJobEnd"
        for ev in ("bsdEventDeviceOpen", "bsdEventLabelRead", "bsdEventLabelVerified",
                   "bsdEventDeviceClose"):
            assert ev in names, names
        assert all(s[1] == "R" for s in seen)
    finally:
        con.close()


def test_sd_plugin_that_raises_fails_the_job_and_sd_goes_on(plugin_site, tmp_path):
    events = tmp_path / "events.txt"
    site, _ = setup_site(plugin_site, tmp_path, None,
                         f'Sd Plugin Options = "python3:module_name=sdrecorder:fail=yes:log={events}"')
    site.start()
    con = site.console()
    try:
        jobid, status = site.run_job(con, "run job=backup-sdplug level=Full yes")
        log = site.job_log(con, jobid)
        assert status in ("f", "E"), log
        assert "bareossd: Traceback" in log
        assert "ValueError: sd recorder does not like job backup-sdplug." in log
        jobid2, status2 = site.run_job(con, "run job=backup-bareos-fd level=Full yes")
        assert status2 == "T", site.job_log(con, jobid2)
    finally:
        con.close()


def bareos_pyfiles(dest: Path, names: list[str]) -> None:
    """Bareos's own SD Python files, from a Bareos checkout (test time only)."""
    if not (BAREOS_MIRROR / "HEAD").exists() and not (BAREOS_MIRROR / ".git").exists():
        pytest.skip(f"no Bareos source checkout at {BAREOS_MIRROR} (set BAREOS_SOURCE_GIT); "
                    "Bareos's own plugin files are not part of this project")
    dest.mkdir(parents=True, exist_ok=True)
    for name in names:
        proc = subprocess.run(["git", "-C", str(BAREOS_MIRROR), "show", f"{BAREOS_REF}:{SD_PYFILES}/{name}"],
                              capture_output=True)
        if proc.returncode != 0:
            pytest.skip(f"{name} not in {BAREOS_MIRROR} at {BAREOS_REF}: {proc.stderr.decode()[:200]}")
        (dest / name).write_bytes(proc.stdout)


def test_bareos_own_sd_base_class_and_class_plugin(plugin_site, tmp_path):
    bareos_dir = tmp_path / "bareos-pyfiles"
    bareos_pyfiles(bareos_dir, ["BareosSdPluginBaseclass.py", "BareosSdWrapper.py",
                                "bareos-sd-class-plugin.py"])
    events = tmp_path / "events.txt"
    # instance 0: Bareos's class plugin as it is; instance 1: our recorder on
    # Bareos's base class (module_path first on the search path)
    site, _ = setup_site(
        plugin_site, tmp_path, bareos_dir,
        f'Sd Plugin Options = "python3:instance=0:module_path={bareos_dir}:module_name=bareos-sd-class-plugin"',
        f'Sd Plugin Options = "python3:instance=1:module_path={bareos_dir}:module_name=sdrecorder:log={events}"')
    site.start()
    con = site.console()
    try:
        jobid, status = site.run_job(con, "run job=backup-sdplug level=Full yes")
        log = site.job_log(con, jobid)
        assert status == "T", log
        assert "Traceback" not in log
        seen = [line.split()[0] for line in events.read_text().splitlines()]
        assert seen[0] == "bsdEventJobStart" and seen[-1] == "bsdEventJobEnd"
        assert "sdrecorder: job backup-sdplug." in log
    finally:
        con.close()
