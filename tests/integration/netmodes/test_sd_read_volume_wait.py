"""A restore whose volume cannot be read waits for the operator (stored/wait.py,
the read side), and the Director keeps console messages across a restart.

Real Director, SD and FD on loopback.  The backup's volume file is moved
away before the restore: the SD warns that it cannot open it, asks for it
("Please mount read Volume ..."), reports 'M' (waiting for a mount) and marks
its device BLOCKED; putting the file back and ``mount`` lets the restore
finish with the same files; ``cancel`` or the File Daemon going away end the
wait.
"""

from __future__ import annotations

import re
import shutil
import signal
import time

from bareos.quickstart.run import compare_trees

from .conftest import make_tree, needs_psk

pytestmark = needs_psk


def _wait_for(pred, timeout=60.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if pred():
            return True
        time.sleep(0.3)
    return False


def _joblog(con, jobid: int) -> str:
    return con.call(f"list joblog jobid={jobid}").decode()


def _call_all(con, command: str) -> str:
    """The whole answer of *command* (python-bareos stops reading at a "NNNN OK" line)."""
    out = con.call(command).decode()
    return out + con.recv_msg(regex=rb"(?!)").decode()


def _finish(con, jobid: int) -> tuple[str, str]:
    waited = con.call(f"wait jobid={jobid} timeout=120").decode()
    m = re.search(r"JobStatus=.*\((.)\)", waited)
    assert m, waited
    return m.group(1), _joblog(con, jobid)


def _backed_up_site(site_factory, tmp_path, **kw):
    """A site with one Full backup on volume Full-0001; (src, site, con, volume path)."""
    src = tmp_path / "data"
    src.mkdir()
    make_tree(src)
    site = site_factory(src, sd_extra="  Heartbeat Interval = 1\n", **kw)
    site.start()
    con = site.console()
    _, status, log = site.run_job(con, "run job=backup yes")
    assert status == "T", log
    volume = site.base / "storage" / "Full-0001"
    assert volume.exists(), log
    return src, site, con, volume


def _start_restore(site, con, where) -> int:
    bsr = site.base / "work-dir" / "bareos-fd.bsr"
    out = con.call(f"run job=restore bootstrap={bsr} where={where} yes").decode()
    m = re.search(r"Job queued\. JobId=(\d+)", out)
    assert m, out
    return int(m.group(1))


def test_restore_waits_for_its_volume_and_mount_lets_it_finish(site_factory, tmp_path):
    src, site, con, volume = _backed_up_site(site_factory, tmp_path)
    try:
        kept = tmp_path / "Full-0001.kept"
        shutil.move(volume, kept)                     # the volume is "not in the drive"
        where = site.base / "restores" / "waited"
        jobid = _start_restore(site, con, where)
        assert _wait_for(lambda: 'Please mount read Volume "Full-0001" for:'
                         in _joblog(con, jobid)), \
            _joblog(con, jobid) + site.log_text("bareos-sd")[-3000:]
        log = _joblog(con, jobid)
        assert re.search(r'Warning: Read open device "FileStorage" \(\S+\) Volume "Full-0001" '
                         r"failed: ERR=.*No such file or directory", log), log
        assert "Pool:         Full" in log and "Media type:   File" in log
        assert re.search(r"Job:\s+restore\.", log), log
        # the Director's running-job line and the SD's device status
        assert _wait_for(lambda: "is waiting for a mount request"
                         in con.call("status director").decode())
        sd_status = con.call("status storage=File").decode()
        assert 'Device is BLOCKED waiting for mount of volume "Full-0001"' in sd_status, sd_status
        assert "Status=Waiting for mount" in sd_status, sd_status
        # heartbeats keep the idle connections open while the job waits
        assert _wait_for(lambda: "heartbeat sent to the File Daemon" in site.log_text("bareos-sd"))
        # a mount without the volume: the job asks again and goes on waiting
        out = _call_all(con, "mount storage=File")
        assert "3001 OK mount requested" in out, out
        assert _wait_for(lambda: _joblog(con, jobid).count("Please mount read Volume") >= 2), \
            _joblog(con, jobid)
        assert "is waiting for a mount request" in con.call("status director").decode()
        # the operator puts the volume back and mounts: the restore runs
        shutil.move(kept, volume)
        out = _call_all(con, "mount storage=File")
        assert "3001 OK mount requested" in out, out
        status, log = _finish(con, jobid)
        assert status == "T", log + site.log_text("bareos-sd")[-3000:]
        assert 'Ready to read from volume "Full-0001"' in log
        assert compare_trees(src, where / str(src).lstrip("/")) == []
        assert "BLOCKED" not in con.call("status storage=File").decode()
    finally:
        con.close()


def test_cancel_ends_the_read_wait(site_factory, tmp_path):
    src, site, con, volume = _backed_up_site(site_factory, tmp_path)
    try:
        kept = tmp_path / "Full-0001.kept"
        shutil.move(volume, kept)
        jobid = _start_restore(site, con, site.base / "restores" / "canceled")
        assert _wait_for(lambda: "Please mount read Volume" in _joblog(con, jobid))
        out = con.call(f"cancel jobid={jobid} yes").decode()
        assert "marked to be canceled" in out, out
        status, log = _finish(con, jobid)
        assert status == "A", log
        # the SD's wait ended: the cancel reached it, or the Director's
        # closing of the job's connections did first
        assert _wait_for(lambda: re.search(
            r"canceled while waiting for mount on Storage Device|"
            r"The Director connection was closed while Job \S+ waited for mount",
            site.log_text("bareos-sd"))), site.log_text("bareos-sd")[-3000:]
        # the device is free again: with the volume back the next restore works
        assert _wait_for(lambda: "BLOCKED" not in con.call("status storage=File").decode())
        shutil.move(kept, volume)
        where = site.base / "restores" / "after"
        jobid2 = _start_restore(site, con, where)
        status2, log2 = _finish(con, jobid2)
        assert status2 == "T", log2
        assert compare_trees(src, where / str(src).lstrip("/")) == []
    finally:
        con.close()


def test_file_daemon_going_away_ends_the_read_wait(site_factory, tmp_path):
    _, site, con, volume = _backed_up_site(site_factory, tmp_path)
    try:
        shutil.move(volume, tmp_path / "Full-0001.kept")
        jobid = _start_restore(site, con, site.base / "restores" / "nofd")
        assert _wait_for(lambda: "Please mount read Volume" in _joblog(con, jobid))
        fd = site.procs.pop("bareos-fd")
        fd.send_signal(signal.SIGTERM)
        fd.wait(15)
        status, log = _finish(con, jobid)
        assert status in ("f", "E"), log
        assert "Termination:            *** Restore Error ***" in log, log
        assert _wait_for(lambda: "The File Daemon connection was closed while Job"
                         in site.log_text("bareos-sd")), site.log_text("bareos-sd")[-3000:]
        assert _wait_for(lambda: "BLOCKED" not in con.call("status storage=File").decode())
    finally:
        con.close()


def test_console_messages_survive_a_director_restart(site_factory, tmp_path):
    src = tmp_path / "data"
    src.mkdir()
    make_tree(src)
    site = site_factory(src)
    site.start()
    con = site.console()
    try:
        out = con.call("run job=backup yes").decode()
        jobid = int(re.search(r"JobId=(\d+)", out).group(1))
        waited = con.call(f"wait jobid={jobid} timeout=120").decode()
        assert "JobStatus=OK" in waited, waited
    finally:
        con.close()
    conmsg = site.base / "work-dir" / "bareos-dir.conmsg"
    assert conmsg.exists()
    assert f"JobId {jobid}: Bareos bareos-dir" in conmsg.read_text()
    # nobody read them; the Director stops and starts again
    director = site.procs.pop("bareos-dir")
    director.send_signal(signal.SIGTERM)
    director.wait(15)
    site.start(("bareos-dir",))
    con = site.console()
    try:
        text = con.call("messages").decode()
        assert f"JobId {jobid}: Start Backup JobId {jobid}" in text, text
        assert "Termination:            Backup OK" in text, text
        # read now: gone from the file and from the next `messages`
        assert conmsg.read_text() == ""
        assert "You have no messages." in con.call("messages").decode()
    finally:
        con.close()
