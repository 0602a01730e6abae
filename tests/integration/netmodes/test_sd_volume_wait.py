"""The SD waits for the operator when a backup has no volume (stored/wait.py).

Real Director, SD and FD on loopback.  The pool has no Label Format, so the
Director knows no appendable volume: the SD asks for one in the job log,
reports 'm' (waiting for an appendable Volume) or 'M' (waiting for a mount),
marks its device BLOCKED, signals heartbeats while it waits, and continues
when the operator labels (or mounts) a volume; ``cancel`` and the job's Max
Wait Time end the wait.
"""

from __future__ import annotations

import re
import shutil
import time

from bareos.quickstart.run import compare_trees

from .conftest import make_tree, needs_psk

pytestmark = needs_psk

NO_AUTOLABEL_POOL = """Pool {
  Name = Full
  Pool Type = Backup
  Maximum Volume Bytes = 1G
}
"""


def _wait_for(pred, timeout=60.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if pred():
            return True
        time.sleep(0.3)
    return False


def _site(site_factory, tmp_path, *, job_extra="", label_media=True, prepare=None):
    src = tmp_path / "data"
    src.mkdir()
    make_tree(src)
    site = site_factory(src, sd_extra="  Heartbeat Interval = 1\n", job_extra=job_extra)
    etc = site.base / "etc"
    (etc / "bareos-dir.d" / "pool" / "Full.conf").write_text(NO_AUTOLABEL_POOL)
    if not label_media:
        dev = etc / "bareos-sd.d" / "device" / "FileStorage.conf"
        dev.write_text(dev.read_text().replace("Label Media = yes", "Label Media = no"))
    if prepare is not None:
        prepare(site)
    site.start()
    return src, site


def _start_backup(con) -> int:
    out = con.call("run job=backup yes").decode()
    return int(re.search(r"JobId=(\d+)", out).group(1))


def _joblog(con, jobid: int) -> str:
    return con.call(f"list joblog jobid={jobid}").decode()


def _call_all(con, command: str) -> str:
    """The whole answer of *command* (python-bareos stops reading at a "NNNN OK" line)."""
    out = con.call(command).decode()
    return out + con.recv_msg(regex=rb"(?!)").decode()


def _label(con, volume: str) -> str:
    return _call_all(con, f"label storage=File volume={volume} pool=Full")


def _finish(con, jobid: int) -> tuple[str, str]:
    waited = con.call(f"wait jobid={jobid} timeout=120").decode()
    m = re.search(r"JobStatus=.*\((.)\)", waited)
    assert m, waited
    return m.group(1), _joblog(con, jobid)


def test_backup_waits_for_a_labelled_volume(site_factory, tmp_path):
    src, site = _site(site_factory, tmp_path)
    con = site.console()
    try:
        jobid = _start_backup(con)
        assert _wait_for(lambda: "Cannot find any appendable volumes" in _joblog(con, jobid)), \
            _joblog(con, jobid) + site.log_text("bareos-sd")[-3000:]
        log = _joblog(con, jobid)
        assert 'Please use the "label" command to create a new Volume for:' in log
        assert "Pool:         Full" in log and "Media type:   File" in log
        # the Director's running-job line and the SD's device status
        assert _wait_for(lambda: "is waiting for an appendable Volume"
                         in con.call("status director").decode())
        sd_status = con.call("status storage=File").decode()
        assert "Device is BLOCKED waiting to create a volume for:" in sd_status, sd_status
        assert "Pool:        Full" in sd_status
        assert "Status=Wait for new Volume" in sd_status
        # heartbeats reach the Director and the File Daemon while the job waits
        assert _wait_for(lambda: "heartbeat from the" in site.log_text("bareos-dir"))
        assert _wait_for(lambda: "heartbeat sent to the File Daemon" in site.log_text("bareos-sd"))
        # the operator labels a volume: the job goes on at once
        out = _label(con, "New")
        assert "3000 OK label" in out, out
        assert "3001 OK mount requested" in out, out
        status, log = _finish(con, jobid)
        assert status == "T", log + site.log_text("bareos-sd")[-3000:]
        assert 'Ready to append to end of Volume "New"' in log
        assert "BLOCKED" not in con.call("status storage=File").decode()
        # the FD skipped the SD's heartbeats on the data connection
        assert "heartbeat from the Storage daemon" in site.log_text("bareos-fd")
        bsr = site.base / "work-dir" / "bareos-fd.bsr"
        where = site.base / "restores" / "wait"
        _, rstatus, rlog = site.run_job(con, f"run job=restore bootstrap={bsr} where={where} yes")
        assert rstatus == "T", rlog
        assert compare_trees(src, where / str(src).lstrip("/")) == []
    finally:
        con.close()


def test_backup_waits_for_a_mount_of_the_named_volume(site_factory, tmp_path):
    _, site = _site(site_factory, tmp_path, label_media=False)
    con = site.console()
    try:
        out = _label(con, "Gone")
        assert "3000 OK label" in out, out
        volume = site.base / "storage" / "Gone"
        kept = tmp_path / "Gone.kept"
        shutil.move(volume, kept)          # the volume is "not in the drive"
        jobid = _start_backup(con)
        assert _wait_for(lambda: 'Please mount append Volume "Gone"' in _joblog(con, jobid)), \
            _joblog(con, jobid) + site.log_text("bareos-sd")[-3000:]
        assert _wait_for(lambda: "is waiting for a mount request"
                         in con.call("status director").decode())
        sd_status = con.call("status storage=File").decode()
        assert 'Device is BLOCKED waiting for mount of volume "Gone"' in sd_status, sd_status
        assert "Status=Waiting for mount" in sd_status
        shutil.move(kept, volume)          # the operator loads it ...
        out = _call_all(con, "mount storage=File")   # ... and mounts
        assert "3001 OK mount requested" in out, out
        status, log = _finish(con, jobid)
        assert status == "T", log + site.log_text("bareos-sd")[-3000:]
        assert 'Ready to append to end of Volume "Gone"' in log
    finally:
        con.close()


def test_cancel_ends_the_wait(site_factory, tmp_path):
    _, site = _site(site_factory, tmp_path)
    con = site.console()
    try:
        jobid = _start_backup(con)
        assert _wait_for(lambda: "Cannot find any appendable volumes" in _joblog(con, jobid))
        out = con.call(f"cancel jobid={jobid} yes").decode()
        assert "marked to be canceled" in out, out
        status, log = _finish(con, jobid)
        assert status == "A", log
        # the SD's wait ended at the cancel (the Director has closed the job's
        # connections by then, so the SD's own log tells)
        assert _wait_for(lambda: "canceled while waiting for mount on Storage Device"
                         in site.log_text("bareos-sd")), log + site.log_text("bareos-sd")[-3000:]
        # the device is free again and the SD serves the next job
        assert _wait_for(lambda: "BLOCKED" not in con.call("status storage=File").decode())
        out = _label(con, "Later")
        assert "3000 OK label" in out, out
        _, status2, log2 = site.run_job(con, "run job=backup yes")
        assert status2 == "T", log2
    finally:
        con.close()


def test_max_wait_time_ends_the_wait(site_factory, tmp_path):
    _, site = _site(site_factory, tmp_path, job_extra="  Max Wait Time = 3\n")
    con = site.console()
    try:
        jobid = _start_backup(con)
        status, log = _finish(con, jobid)
        assert status == "A", log
        assert "Cannot find any appendable volumes" in log
        assert "Max wait time exceeded. Job canceled." in log, log
    finally:
        con.close()


def test_second_job_waits_to_reserve_the_blocked_device(site_factory, tmp_path):
    def one_drive(site):
        etc = site.base / "etc"
        dev = etc / "bareos-sd.d" / "device" / "FileStorage.conf"
        dev.write_text(dev.read_text().replace("Maximum Concurrent Jobs = 5",
                                               "Maximum Concurrent Jobs = 1"))
        for rel in ("storage/File.conf", "client/bareos-fd.conf"):
            conf = etc / "bareos-dir.d" / rel
            conf.write_text(conf.read_text().rstrip().rstrip("}") + "  Maximum Concurrent Jobs = 5\n}\n")

    _, site = _site(site_factory, tmp_path, job_extra="  Maximum Concurrent Jobs = 5\n",
                    prepare=one_drive)
    con = site.console()
    try:
        first = _start_backup(con)
        assert _wait_for(lambda: "Cannot find any appendable volumes" in _joblog(con, first))
        second = _start_backup(con)
        # the second job cannot reserve the device the first one holds while it waits
        assert _wait_for(lambda: f"3602 JobId={second} device" in con.call("status storage=File")
                         .decode()), con.call("status storage=File").decode()
        text = con.call("status storage=File").decode()
        part = text.split("Jobs waiting to reserve a drive:")[1].split("====")[0]
        assert f'3602 JobId={second} device "FileStorage"' in part
        assert "is busy (already reading/writing)" in part
        out = _label(con, "Shared")
        assert "3000 OK label" in out, out
        for jobid in (first, second):
            status, log = _finish(con, jobid)
            assert status == "T", log + site.log_text("bareos-sd")[-3000:]
        assert "Jobs waiting to reserve a drive:\n====" in con.call("status storage=File").decode()
    finally:
        con.close()
