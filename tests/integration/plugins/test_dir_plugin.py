"""python3-dir (``bareosdir``) with the three real daemons: a plugin of our
own gets the job events and writes job messages, two ``Dir Plugin Options``
reach two instances, a plugin that raises fails its job (the Director goes
on), and Bareos's own Director base class and class plugin, taken from a
Bareos source checkout at test time, load and run."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from .conftest import needs_psk

pytestmark = needs_psk

BAREOS_MIRROR = Path(os.environ.get("BAREOS_SOURCE_GIT", "/work/.mirror/bareos+bareos/repo"))
BAREOS_REF = os.environ.get("BAREOS_SOURCE_REF", "bareos-25")
DIR_PYFILES = "core/src/plugins/dird/python/pyfiles"

RECORDER = '''
import bareosdir
import BareosDirWrapper
from BareosDirWrapper import *  # noqa
from BareosDirPluginBaseclass import BareosDirPluginBaseclass

NAMES = {v: k.decode() for k, v in bareosdir.bDirEventType.items()}


class Recorder(BareosDirPluginBaseclass):
    def __init__(self, plugindef):
        super().__init__(plugindef)
        bareosdir.RegisterEvents([bareosdir.bDirEventNewVolume])

    def parse_plugin_definition(self, plugindef):
        super().parse_plugin_definition(plugindef)
        self.tag = self.options.get("tag", "-")
        self.log = self.options["log"]
        return bareosdir.bRC_OK

    def handle_plugin_event(self, event):
        super().handle_plugin_event(event)
        with open(self.log, "a") as f:
            f.write("%s %s %s\\n" % (self.tag, NAMES[event], bareosdir.GetInstanceCount()))
        if event == bareosdir.bDirEventJobStart:
            bareosdir.JobMessage(bareosdir.M_INFO, "recorder %s: start of %s (JobId %d, level %s)\\n"
                                 % (self.tag, self.jobName, self.jobId, self.jobLevel))
        if event == bareosdir.bDirEventJobRun and self.options.get("fail") == "yes":
            raise RuntimeError("recorder %s refuses to run" % self.tag)
        if event == bareosdir.bDirEventJobEnd:
            bareosdir.JobMessage(bareosdir.M_INFO, "recorder %s: end status=%s files=%d client=%s pool=%s\\n"
                                 % (self.tag, self.jobStatus, self.jobFiles, self.jobClient, self.jobPool))
        return bareosdir.bRC_OK


def load_bareos_plugin(plugindef):
    BareosDirWrapper.bareos_dir_plugin_object = Recorder(plugindef)
    return bareosdir.bRC_OK
'''


def setup_site(plugin_site, tmp_path, *job_lines):
    data = tmp_path / "data"
    data.mkdir()
    (data / "a.txt").write_text("hello\n" * 50)
    (data / "b.txt").write_text("world\n")
    plugdir = tmp_path / "dir-plugins"
    plugdir.mkdir()
    (plugdir / "recorder.py").write_text(RECORDER)
    site = plugin_site(data)
    site.enable_plugins("dir", plugdir, "python3")
    site.write_fileset("Plain", files=[data])
    site.add_backup_job("backup-dirplug", "Plain", *job_lines)
    return site, plugdir


def test_dir_plugin_gets_job_events_and_writes_job_messages(plugin_site, tmp_path):
    events = tmp_path / "events.txt"
    site, _ = setup_site(plugin_site, tmp_path,
                         f'Dir Plugin Options = "python3:module_name=recorder:tag=one:log={events}"')
    site.start()
    con = site.console()
    try:
        jobid, status = site.run_job(con, "run job=backup-dirplug level=Full yes")
        log = site.job_log(con, jobid)
        assert status == "T", log
        assert "python3-dir-mod: recorder one: start of backup-dirplug." in log
        assert f"(JobId {jobid}, level F)" in log
        assert "python3-dir-mod: recorder one: end status=T files=3 client=bareos-fd pool=Full" in log
        seen = [line.split()[1] for line in events.read_text().splitlines()]
        assert seen[:3] == ["bDirEventJobStart", "bDirEventJobInit", "bDirEventJobRun"]
        assert seen[-1] == "bDirEventJobEnd"
        # a job without Dir Plugin Options loads no module
        jobid2, status2 = site.run_job(con, "run job=backup-bareos-fd level=Full yes")
        assert status2 == "T"
        assert "recorder" not in site.job_log(con, jobid2)
        assert len(events.read_text().splitlines()) == len(seen)
    finally:
        con.close()


def test_two_dir_plugin_options_reach_two_instances(plugin_site, tmp_path):
    """Two entries in a JobDefs the Job uses."""
    events = tmp_path / "events.txt"
    site, _ = setup_site(plugin_site, tmp_path, 'JobDefs = "PluginDefs"')
    site.dir_conf("jobdefs").mkdir(exist_ok=True)
    site.dir_conf("jobdefs/PluginDefs.conf").write_text(
        'JobDefs {\n  Name = "PluginDefs"\n'
        f'  Dir Plugin Options = "python3:instance=0:module_name=recorder:tag=first:log={events}"\n'
        f'  Dir Plugin Options = "python3:instance=1:module_name=recorder:tag=second:log={events}"\n'
        '}\n')
    site.start()
    con = site.console()
    try:
        jobid, status = site.run_job(con, "run job=backup-dirplug level=Full yes")
        log = site.job_log(con, jobid)
        assert status == "T", log
        assert "recorder first: start of" in log and "recorder second: start of" in log
        assert "recorder first: end status=T" in log and "recorder second: end status=T" in log
        lines = events.read_text().splitlines()
        tags = {line.split()[0] for line in lines}
        assert tags == {"first", "second"}
        # both instances belong to the same plugin: GetInstanceCount counts them
        assert {line.split()[2] for line in lines} == {"2"}
        assert sum(1 for line in lines if line.endswith("bDirEventJobEnd 2")) == 2
    finally:
        con.close()


def test_dir_plugin_that_raises_fails_the_job_and_director_goes_on(plugin_site, tmp_path):
    events = tmp_path / "events.txt"
    site, _ = setup_site(plugin_site, tmp_path,
                         f'Dir Plugin Options = "python3:module_name=recorder:tag=bad:fail=yes:log={events}"')
    site.start()
    con = site.console()
    try:
        jobid, status = site.run_job(con, "run job=backup-dirplug level=Full yes")
        log = site.job_log(con, jobid)
        assert status == "f", log
        assert "bareosdir: Traceback" in log
        assert "RuntimeError: recorder bad refuses to run" in log
        assert "Director plugin failed the job" in log
        assert "bDirEventJobEnd" in events.read_text()     # the instance still saw the end
        jobid2, status2 = site.run_job(con, "run job=backup-bareos-fd level=Full yes")
        assert status2 == "T", site.job_log(con, jobid2)
    finally:
        con.close()


def bareos_pyfiles(dest: Path, names: list[str]) -> None:
    """Bareos's own Director Python files, from a Bareos checkout (test time only)."""
    if not (BAREOS_MIRROR / "HEAD").exists() and not (BAREOS_MIRROR / ".git").exists():
        pytest.skip(f"no Bareos source checkout at {BAREOS_MIRROR} (set BAREOS_SOURCE_GIT); "
                    "Bareos's own plugin files are not part of this project")
    dest.mkdir(parents=True, exist_ok=True)
    for name in names:
        proc = subprocess.run(["git", "-C", str(BAREOS_MIRROR), "show", f"{BAREOS_REF}:{DIR_PYFILES}/{name}"],
                              capture_output=True)
        if proc.returncode != 0:
            pytest.skip(f"{name} not in {BAREOS_MIRROR} at {BAREOS_REF}: {proc.stderr.decode()[:200]}")
        (dest / name).write_bytes(proc.stdout)


CHECKER = '''
import bareosdir
import BareosDirWrapper
from BareosDirWrapper import *  # noqa
import BareosDirPluginBaseclass


class Checker(BareosDirPluginBaseclass.BareosDirPluginBaseclass):
    def handle_plugin_event(self, event):
        rc = super().handle_plugin_event(event)
        if event == bareosdir.bDirEventJobEnd:
            bareosdir.JobMessage(bareosdir.M_INFO, "checker: base class from %s; status=%s bytes=%d "
                                 "files=%d numvols=%d storage=%s mediatype=%s totaltime=%s\\n"
                                 % (BareosDirPluginBaseclass.__file__, self.jobStatus, self.jobBytes,
                                    self.jobFiles, self.jobNumVols, self.jobStorage,
                                    self.jobMediaType, self.jobTotalTime >= 0))
        return rc


def load_bareos_plugin(plugindef):
    BareosDirWrapper.bareos_dir_plugin_object = Checker(plugindef)
    return bareosdir.bRC_OK
'''


def test_bareos_own_dir_base_class_and_class_plugin(plugin_site, tmp_path):
    bareos_dir = tmp_path / "bareos-pyfiles"
    bareos_pyfiles(bareos_dir, ["BareosDirPluginBaseclass.py", "BareosDirWrapper.py",
                                "bareos-dir-class-plugin.py"])
    (bareos_dir / "checker.py").write_text(CHECKER)
    site, _ = setup_site(
        plugin_site, tmp_path,
        f'Dir Plugin Options = "python3:instance=0:module_path={bareos_dir}:module_name=bareos-dir-class-plugin"',
        f'Dir Plugin Options = "python3:instance=1:module_path={bareos_dir}:module_name=checker"')
    site.start()
    con = site.console()
    try:
        jobid, status = site.run_job(con, "run job=backup-dirplug level=Full yes")
        log = site.job_log(con, jobid)
        assert status == "T", log
        assert "Traceback" not in log
        assert f"checker: base class from {bareos_dir}/BareosDirPluginBaseclass.py; status=T" in log
        assert "files=3 numvols=1 storage=File mediatype=File totaltime=True" in log
    finally:
        con.close()
