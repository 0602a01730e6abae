"""Jobs that cannot succeed end in the right status with a job log that says
why, and the three daemons keep serving: an unreachable File Daemon, a
volume file deleted between backup and restore, a backup cancelled while it
runs."""

from __future__ import annotations

import re
import subprocess
import time

from .conftest import needs_psk
from .treecmp import compare_strict

pytestmark = needs_psk


def small_tree(root):
    (root / "d").mkdir(parents=True)
    for i in range(5):
        (root / "d" / f"f{i}").write_text(f"file {i}\n" * 100)


def job_row(jcon, jobid) -> dict:
    return jcon.call(f"llist jobid={jobid}")["jobs"][0]


def test_unreachable_client_then_reachable(site_factory, tmp_path):
    src = tmp_path / "data"
    small_tree(src)
    site = site_factory(src)
    site.add_directives("director/bareos-dir.conf", "FD Connect Timeout = 2")
    site.start(("bareos-dir", "bareos-sd"))
    con = site.console()
    jcon = site.console(json=True)
    try:
        jobid, status = site.run_job(con, "run job=backup-bareos-fd level=Full yes")
        log = site.job_log(con, jobid)
        assert status == "f", log
        assert "Failed to connect to File daemon" in log or "Unable to connect to File daemon" in log, log
        assert "Termination:            *** Backup Error ***" in log, log
        assert job_row(jcon, jobid)["jobstatus"] == "f"
        # the File Daemon comes up: the next job works with the same daemons
        site.start(("bareos-fd",))
        jobid2, status2 = site.run_job(con, "run job=backup-bareos-fd level=Full yes")
        assert status2 == "T", site.job_log(con, jobid2)
        where = tmp_path / "restored"
        rjob, rstatus = site.restore_all(con, where)
        assert rstatus == "T", site.job_log(con, rjob)
        assert compare_strict(src, where / str(src).lstrip("/")) == []
    finally:
        con.close()
        jcon.close()


def test_missing_volume_fails_the_restore(site_factory, tmp_path):
    src = tmp_path / "data"
    small_tree(src)
    site = site_factory(src)
    # a restore waiting for a volume that never comes gives up after Max Wait Time
    site.add_directives("job/RestoreFiles.conf", "Max Wait Time = 5")
    site.start()
    con = site.console()
    jcon = site.console(json=True)
    try:
        jobid, status = site.run_job(con, "run job=backup-bareos-fd level=Full yes")
        assert status == "T", site.job_log(con, jobid)
        vols = [v["volumename"] for pool in jcon.call("list volumes")["volumes"].values() for v in pool]
        assert vols == ["Full-0001"], vols
        (site.base / "storage" / "Full-0001").unlink()
        where = tmp_path / "restored"
        rjob, rstatus = site.restore_all(con, where, extra="")
        log = site.job_log(con, rjob)
        # the SD asks for the volume and waits (as Bareos) until Max Wait Time cancels the job
        assert rstatus == "A", log
        assert "Full-0001" in log and re.search(r"No such file or directory|not found|Could not open", log), log
        assert 'Please mount read Volume "Full-0001"' in log, log
        assert "Max wait time exceeded. Job canceled." in log, log
        assert "Termination:            Restore Canceled" in log, log
        assert not list(where.rglob("f1")) if where.exists() else True
        # the daemons keep serving: a new Full labels a new volume and restores
        jobid2, status2 = site.run_job(con, "run job=backup-bareos-fd level=Full yes")
        log2 = site.job_log(con, jobid2)
        assert status2 in ("T", "W"), log2
        where2 = tmp_path / "restored2"
        rjob2, rstatus2 = site.run_job(
            con, f"restore jobid={jobid2} where={where2} all done yes")
        assert rstatus2 == "T", site.job_log(con, rjob2)
        assert compare_strict(src, where2 / str(src).lstrip("/")) == []
    finally:
        con.close()
        jcon.close()


def test_cancel_running_backup(site_factory, tmp_path):
    src = tmp_path / "data"
    small_tree(src)
    # 16 GiB of holes read as zeros without Sparse: minutes of data, cancelled in a second
    subprocess.run(["truncate", "-s", "16G", str(src / "huge")], check=True)
    site = site_factory(src)
    site.start()
    con = site.console()
    jcon = site.console(json=True)
    try:
        out = con.call("run job=backup-bareos-fd level=Full yes").decode()
        jobid = int(re.search(r"JobId=(\d+)", out).group(1))
        # wait until data flows (JobBytes grows in status), then cancel
        deadline = time.time() + 60
        while True:
            st = con.call("status director").decode()
            if re.search(rf"^\s*{jobid}\s.*is running", st, re.M):
                break
            assert time.time() < deadline, st
            time.sleep(0.2)
        time.sleep(1.0)
        out = con.call(f"cancel jobid={jobid}").decode()
        assert f"JobId={jobid}" in out or "cancel" in out.lower(), out
        status = site.wait_job(con, jobid, timeout=60)
        log = site.job_log(con, jobid)
        assert status == "A", log
        assert "Termination:            Backup Canceled" in log, log
        assert job_row(jcon, jobid)["jobstatus"] == "A"
        # the daemons keep serving: a small job on the same daemons works
        (src / "huge").unlink()
        jobid2, status2 = site.run_job(con, "run job=backup-bareos-fd level=Full yes")
        assert status2 == "T", site.job_log(con, jobid2)
        where = tmp_path / "restored"
        rjob, rstatus = site.run_job(con, f"restore jobid={jobid2} where={where} all done yes")
        assert rstatus == "T", site.job_log(con, rjob)
        assert compare_strict(src, where / str(src).lstrip("/")) == []
        assert "bareos-sd" in con.call("status storage=File").decode()
        assert "bareos-fd" in con.call("status client=bareos-fd").decode()
    finally:
        con.close()
        jcon.close()
