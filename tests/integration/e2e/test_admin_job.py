"""Admin jobs: run scripts only, and Bareos's AdminCleanup report."""

from __future__ import annotations

import re

from .conftest import needs_psk

pytestmark = needs_psk


def test_admin_job_report(site_factory, tmp_path):
    src = tmp_path / "data"
    src.mkdir()
    marker = tmp_path / "ran"
    site = site_factory(src)
    site.dir_conf("job/admin-touch.conf").write_text(
        'Job {\n  Name = "admin-touch"\n  Type = Admin\n  Client = bareos-fd\n'
        '  FileSet = "Quickstart"\n  Storage = File\n  Pool = Full\n  Messages = Standard\n'
        f'  Run Before Job = "touch {marker}"\n}}\n')
    site.start()
    con = site.console()
    try:
        jobid, status = site.run_job(con, "run job=admin-touch yes")
        assert status == "T"
        log = site.job_log(con, jobid)
        assert marker.exists()
        assert f"Start Admin JobId {jobid}, Job=admin-touch." in log
        assert re.search(r"BAREOS 25\.1\.1 \(05Dec25\): \d\d-\w\w\w-\d{4} \d\d:\d\d:\d\d\n", log), log
        assert f"  JobId:                  {jobid}\n" in log
        assert "  Job:                    admin-touch." in log
        assert re.search(r"  Scheduled time:         \d\d-\w\w\w-\d{4} ", log)
        assert "  Job triggered by:       User\n" in log
        assert "  Termination:            Admin OK\n" in log
    finally:
        con.close()


def test_job_is_running_in_the_catalog_during_its_before_script(site_factory, tmp_path):
    src = tmp_path / "data"
    src.mkdir()
    gate = tmp_path / "gate"
    site = site_factory(src)
    site.dir_conf("job/admin-wait.conf").write_text(
        'Job {\n  Name = "admin-wait"\n  Type = Admin\n  Client = bareos-fd\n'
        '  FileSet = "Quickstart"\n  Storage = File\n  Pool = Full\n  Messages = Standard\n'
        f'  Run Before Job = "sh -c \'while [ ! -e {gate} ]; do sleep 0.1; done\'"\n}}\n')
    site.start()
    con = site.console()
    try:
        out = con.call("run job=admin-wait yes").decode()
        jobid = int(re.search(r"JobId=(\d+)", out).group(1))
        import time
        deadline = time.monotonic() + 30
        while True:
            listed = con.call(f"llist jobid={jobid}").decode()
            if re.search(r"jobstatus: R", listed):
                break
            assert time.monotonic() < deadline, listed
            time.sleep(0.2)
        assert re.search(r"starttime: \d{4}-", listed), listed
        gate.write_text("go")
        assert site.wait_job(con, jobid) == "T"
    finally:
        gate.write_text("go")
        con.close()
