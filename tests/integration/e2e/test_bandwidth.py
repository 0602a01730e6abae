"""Maximum Bandwidth: the Director sends the job's limit (``setbandwidth=``)
and the File Daemon paces what it sends to the SD; the data arrives whole.

The check is a lower bound only (the job cannot be faster than the limit
allows), which a busy machine does not break."""

from __future__ import annotations

import random
import time

from .conftest import needs_psk
from .treecmp import compare_strict

pytestmark = needs_psk

LIMIT = 100_000          # bytes per second
SIZE = 400_000           # bytes of file data


def test_job_maximum_bandwidth_paces_the_file_daemon(site_factory, tmp_path):
    src = tmp_path / "data"
    src.mkdir()
    rnd = random.Random(7)
    for i in range(4):
        (src / f"f{i}.bin").write_bytes(rnd.randbytes(SIZE // 4))
    site = site_factory(src)
    site.add_backup_job("slow", "Quickstart", f"Maximum Bandwidth = {LIMIT}")
    site.start()
    con = site.console()
    try:
        t0 = time.monotonic()
        jobid, status = site.run_job(con, "run job=slow level=Full yes")
        took = time.monotonic() - t0
        assert status == "T", site.job_log(con, jobid)
        # ~0.1 s of burst is allowed; the rest goes at the limit
        assert took >= SIZE / LIMIT - 0.5, took
        where = tmp_path / "restored"
        rjob, rstatus = site.restore_all(con, where)
        assert rstatus == "T", site.job_log(con, rjob)
        assert compare_strict(src, where / str(src).lstrip("/")) == []
    finally:
        con.close()


def test_without_a_limit_the_same_job_is_not_paced(site_factory, tmp_path):
    """The limit is the job's: another job of the same client is not slowed."""
    src = tmp_path / "data"
    src.mkdir()
    (src / "f.bin").write_bytes(random.Random(8).randbytes(SIZE))
    site = site_factory(src)
    site.add_backup_job("slow", "Quickstart", f"Maximum Bandwidth = {LIMIT}")
    site.start()
    con = site.console()
    try:
        jobid, status = site.run_job(con, "run job=slow level=Full yes")
        assert status == "T", site.job_log(con, jobid)
        jobid, status = site.run_job(con, "run job=backup-bareos-fd level=Full yes")
        assert status == "T", site.job_log(con, jobid)
        assert "setbandwidth" not in site.job_log(con, jobid)
    finally:
        con.close()
