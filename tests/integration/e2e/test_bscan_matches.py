"""bscan of a volume our SD wrote, into an empty catalog, gives the Job, File
and Media rows the Director wrote during the backup."""

from __future__ import annotations

import os
import subprocess
import sys

from bareos.cats import open_catalog

from .conftest import needs_psk
from .test_backup_restore import make_tree

pytestmark = needs_psk


def test_bscan_rebuilds_the_directors_rows(site_factory, tmp_path):
    src = tmp_path / "data"
    src.mkdir()
    make_tree(src)
    site = site_factory(src)
    site.start()
    con = site.console()
    try:
        jobid, status = site.run_job(con, "run job=backup-bareos-fd level=Full yes")
        assert status == "T", site.joblog(con)
    finally:
        con.close()
    site.stop()
    work = site.base / "work"
    dir_cat = open_catalog(driver="sqlite3", name="bareos", working_directory=str(work))
    new_db = tmp_path / "scanned.db"
    proc = subprocess.run([sys.executable, "-m", "bareos.tools.bscan", "-c", str(site.base / "etc"),
                           "-s", "--db-file", str(new_db), "-V", "Full-0001", "FileStorage"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    scan_cat = open_catalog(driver="sqlite3", name="scanned", path=str(new_db))

    def job_row(cat, where):
        # (JobBytes is left out: as in Bareos, the Director keeps the FD's byte count and
        # bscan the SD's from the end-of-session label, which includes attribute records)
        cols = "Job, Name, Type, Level, JobFiles, VolSessionId, VolSessionTime, JobStatus"
        rows = cat.sql(f"SELECT {cols} FROM Job WHERE {where}")[1]
        assert len(rows) == 1
        return rows[0]

    original = job_row(dir_cat, f"JobId = {jobid}")
    scanned = job_row(scan_cat, f"Job = '{original[0]}'")
    assert scanned == original

    def files(cat, job):
        q = ("SELECT Path.Path || File.Name, File.LStat, File.Md5, File.FileIndex FROM File "
             "JOIN Path ON Path.PathId = File.PathId JOIN Job ON Job.JobId = File.JobId "
             f"WHERE Job.Job = '{job}' ORDER BY 1")
        return cat.sql(q)[1]

    assert files(scan_cat, original[0]) == files(dir_cat, original[0])
    assert len(files(dir_cat, original[0])) >= 25

    def media(cat):
        return cat.sql("SELECT VolumeName, MediaType, VolBytes, VolJobs FROM Media "
                       "WHERE VolumeName = 'Full-0001'")[1]

    assert media(scan_cat)[0][:3] == media(dir_cat)[0][:3]
    jm = "SELECT FirstIndex, LastIndex, StartFile, EndFile, StartBlock, EndBlock FROM JobMedia " \
         "JOIN Job ON Job.JobId = JobMedia.JobId WHERE Job.Job = '{}' ORDER BY 1"
    assert scan_cat.sql(jm.format(original[0]))[1] == dir_cat.sql(jm.format(original[0]))[1]
