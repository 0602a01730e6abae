"""Data and attribute spooling through the three real daemons: a job with
Spool Data writes a spool file, then the volume (several despools with a
small Maximum Job Spool Size); the catalog gets the files; a restore gives
the same tree; ``run ... spooldata=yes`` turns spooling on for one run and
``Spool Attributes`` alone spools only the attributes."""

from __future__ import annotations

import glob
import random
import re

from .conftest import needs_psk
from .treecmp import compare_strict

pytestmark = needs_psk


def make_tree(root):
    rnd = random.Random(5)
    (root / "sub").mkdir(parents=True)
    for i in range(6):
        (root / f"f{i}.bin").write_bytes(rnd.randbytes(250_000))
    (root / "sub" / "small.txt").write_text("small\n")


def test_spooled_backups_and_restore(site_factory, tmp_path):
    src = tmp_path / "data"
    make_tree(src)
    site = site_factory(src)
    dev = site.base / "etc" / "bareos-sd.d" / "device" / "FileStorage.conf"
    text = dev.read_text().rstrip()
    dev.write_text(text[:-1] + "  Maximum Job Spool Size = 500000\n"
                   "  Maximum Block Size = 65536\n}\n")
    site.add_backup_job("spooled", "Quickstart", "Spool Data = yes")
    site.add_backup_job("attrspool", "Quickstart", "Spool Attributes = yes")
    site.start()
    con = site.console()
    try:
        jobid, status = site.run_job(con, "run job=spooled level=Full yes")
        log = site.job_log(con, jobid)
        assert status == "T", log
        assert "Spooling data ..." in log
        assert len(re.findall(r"User specified Job spool size reached: JobSpoolSize=[\d,]+ "
                              r"MaxJobSpoolSize=500,000", log)) >= 2, log
        assert log.count("Writing spooled data to Volume. Despooling ") >= 2, log
        assert 'Committing spooled data to Volume "' in log
        assert "Sending spooled attrs to the Director. Despooling " in log
        assert glob.glob(str(site.base / "**" / "*.spool"), recursive=True) == []
        files = con.call(f"list files jobid={jobid}").decode()
        for i in range(6):
            assert f"f{i}.bin" in files, files
        where = tmp_path / "restored"
        rjob, rstatus = site.restore_all(con, where)
        assert rstatus == "T", site.job_log(con, rjob)
        assert compare_strict(src, where / str(src).lstrip("/")) == []

        # spooldata=yes on the run line of a job without Spool Data
        jobid, status = site.run_job(con, "run job=attrspool level=Full spooldata=yes yes")
        log = site.job_log(con, jobid)
        assert status == "T", log
        assert "Spooling data ..." in log and "Committing spooled data" in log

        # Spool Attributes alone: no data spool, attributes after the data
        jobid, status = site.run_job(con, "run job=attrspool level=Full yes")
        log = site.job_log(con, jobid)
        assert status == "T", log
        assert "Spooling data ..." not in log
        assert "Sending spooled attrs to the Director. Despooling " in log
        assert "f5.bin" in con.call(f"list files jobid={jobid}").decode()
    finally:
        con.close()
