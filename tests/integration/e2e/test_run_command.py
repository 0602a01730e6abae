"""The `run` command line: a first word without a value names the Job (as
`run copy yes` in Bareos's copy-migrate systemtest)."""

from __future__ import annotations

import re

from .conftest import needs_psk

pytestmark = needs_psk


def test_run_with_the_job_name_as_first_word(site_factory, tmp_path):
    src = tmp_path / "data"
    src.mkdir()
    (src / "f.txt").write_text("x\n")
    site = site_factory(src)
    site.start()
    con = site.console()
    try:
        jobid, status = site.run_job(con, "run backup-bareos-fd level=Full yes")
        assert status == "T"
        listed = con.call(f"list jobid={jobid}").decode()
        assert "backup-bareos-fd" in listed
        # a second bare word, or a bare word after job=, is not a job name
        out = con.call("run backup-bareos-fd another yes").decode()
        assert "Invalid keyword: another" in out, out
        out = con.call("run job=backup-bareos-fd another yes").decode()
        assert "Invalid keyword: another" in out, out
        out = con.call("run nosuchjob yes").decode()
        assert 'Job "nosuchjob" not found' in out, out
    finally:
        con.close()


def test_run_since_overrides_the_catalog(site_factory, tmp_path):
    """`run ... level=Incremental since="..."`: the FD saves what changed since
    that time, not since the last backup."""
    import time

    src = tmp_path / "data"
    src.mkdir()
    for i in range(3):
        (src / f"f{i}.txt").write_text(f"{i}\n")
    site = site_factory(src)
    site.start()
    con = site.console()
    try:
        before = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(time.time() - 3600))
        jobid, status = site.run_job(con, "run backup-bareos-fd level=Full yes")
        assert status == "T"
        # nothing changed: a plain Incremental saves nothing (but the top directory)
        inc, status = site.run_job(con, f'run job=backup-bareos-fd level=Incremental '
                                        f'since="{before}" yes')
        assert status == "T"
        log = site.job_log(con, inc)
        assert f"Using since time from command line {before} (, since={before})" in log, log
        assert f"Backup Level:           Incremental, since={before}" in log
        files = int(log.split("FD Files Written:")[1].split()[0].replace(",", ""))
        assert files >= 3, log
        out = con.call('run job=backup-bareos-fd level=Incremental since="yesterday" yes').decode()
        assert ('Since option expects string in format "yyyy-mm-dd hh:mm:ss", but is: yesterday'
                in out) and "Job queued" not in out, out
    finally:
        con.close()


def test_very_long_job_name(site_factory, tmp_path):
    """A Job resource name near the 127-character limit runs: the unique Job
    name is cut as Bareos cuts it (98 characters of the name, then the date)."""
    src = tmp_path / "data"
    src.mkdir()
    (src / "f.txt").write_text("x\n")
    long_name = ("backup_data_longname_butalways_welldispatched-FROM-work_AND_work_"
                 "-BLINDClusterPopTreePlatformXXLargeEnough")
    assert len(long_name) == 106
    site = site_factory(src)
    site.add_backup_job(long_name, "Quickstart")
    site.start()
    con = site.console()
    try:
        jobid, status = site.run_job(con, f"run job={long_name} yes")
        log = site.job_log(con, jobid)
        assert status == "T", log
        m = re.search(r"Job=(\S+)", log)
        assert m and m.group(1).startswith(long_name[:98] + ".2"), log
        assert len(m.group(1)) == 98 + 1 + 19 + 3
    finally:
        con.close()
