"""Verify jobs of every level against the real Director, SD and FD."""

from __future__ import annotations

import os
import re

from .conftest import data_dir, needs_psk

pytestmark = needs_psk


def _run(site, con, cmd):
    jobid, status = site.run_job(con, cmd)
    return jobid, status, site.job_log(con, jobid)


def _termination(log: str) -> str:
    m = re.search(r"Termination:\s+(.*)", log)
    assert m, log
    return m.group(1).strip()


def test_init_then_catalog_without_change_is_ok(verify_site):
    site = verify_site
    con = site.console()
    init_id, status, log = _run(site, con, "run job=verify-init yes")
    assert status == "T", log
    assert _termination(log) == "Verify OK"
    assert "Verify Level:           InitCatalog" in log
    files = con.call(f"list files jobid={init_id}").decode()
    assert "sub/c.txt" in files and "a.txt" in files, files
    jobs = con.call(f"llist jobid={init_id}").decode()
    assert re.search(r"type:\s+V", jobs, re.I), jobs
    jobid, status, log = _run(site, con, f"run job=verify-catalog jobid={init_id} yes")
    assert status == "T", log
    assert f"Verifying against JobId={init_id}" in log
    assert _termination(log) == "Verify OK"
    # without jobid= the last InitCatalog job of the same Job name is used: none here
    jobid, status, log = _run(site, con, "run job=verify-catalog yes")
    assert status == "f", log
    assert "Unable to find JobId of previous InitCatalog Job" in log, log


def test_catalog_reports_changed_new_and_missing_files(verify_site):
    site = verify_site
    con = site.console()
    src = data_dir(site)
    init_id, status, _log = _run(site, con, "run job=verify-init yes")
    assert status == "T"
    (src / "a.txt").write_text("alpha, but longer\n")
    os.utime(src / "sub" / "c.txt", (1_000_000_000, 1_000_000_000))
    (src / "b.bin").write_bytes(bytes(reversed(range(256))) * 40)   # same size, other digest
    (src / "new.txt").write_text("new\n")
    (src / "sub" / "c.txt").chmod(0o600)
    os.unlink(src / "link")
    jobid, status, log = _run(site, con, f"run job=verify-catalog jobid={init_id} yes")
    assert status == "D", log
    assert _termination(log) == "Verify Differences"
    assert f"New file: {src}/new.txt" in log
    assert f"File: {src}/a.txt" in log
    assert re.search(r"st_size  differ\. Cat: 6 File: 18", log), log
    assert re.search(r"File: .*/b\.bin\n.*XXH128 differs\. File=\S+ Cat=\S+", log), log
    assert f"File: {src}/sub/c.txt" in log
    assert re.search(r"st_mode  differ\. Cat: 81[a-f0-9]+ File: 8180", log), log
    assert "The following files are in the Catalog but not on disk:" in log
    assert f"      {src}/link" in log
    listed = con.call(f"list jobid={jobid}").decode()
    assert "| D " in listed or "D |" in listed, listed


def test_disk_to_catalog_after_backup(verify_site):
    site = verify_site
    con = site.console()
    src = data_dir(site)
    backup_id, status = site.run_job(con, "run job=backup-bareos-fd level=Full yes")
    assert status == "T"
    jobid, status, log = _run(site, con, "run job=verify-disk yes")
    assert status == "T", log
    assert f"Verifying against JobId={backup_id}" in log
    assert "Verify Job:             backup-bareos-fd" in log
    assert _termination(log) == "Verify OK"
    (src / "sub" / "c.txt").write_text("changed\n")
    jobid, status, log = _run(site, con, "run job=verify-disk yes")
    assert status == "D", log
    assert f"File: {src}/sub/c.txt" in log and "XXH128 differs" in log, log


def test_volume_to_catalog_after_backup(verify_site):
    site = verify_site
    con = site.console()
    backup_id, status = site.run_job(con, "run job=backup-bareos-fd level=Full yes")
    assert status == "T"
    jobid, status, log = _run(site, con, "run job=verify-volume yes")
    assert status == "T", log
    assert f"Verifying against JobId={backup_id}" in log
    assert "Verify Level:           VolumeToCatalog" in log
    m = re.search(r"Files Expected:\s+(\S+)\n\s+Files Examined:\s+(\S+)", log)
    assert m and m.group(1) == m.group(2) and m.group(1) != "0", log
    assert "SD termination status:  OK" in log
    assert _termination(log) == "Verify OK"


def test_volume_to_catalog_reports_a_changed_catalog(verify_site):
    """A catalog record that no longer matches the volume (its digest and
    size altered in the catalog) is reported as a difference."""
    site = verify_site
    con = site.console()
    backup_id, status = site.run_job(con, "run job=backup-bareos-fd level=Full yes")
    assert status == "T"
    from bareos.cats import params as cp  # noqa: F401 - the catalog is SQLite here
    import sqlite3
    db = next(site.base.rglob("*.db"))
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("UPDATE File SET Md5 = 'AAAAAAAAAAAAAAAAAAAAAA' WHERE JobId = ? AND Name = 'a.txt'",
                     (backup_id,))
        conn.execute("DELETE FROM File WHERE JobId = ? AND Name = 'b.bin'", (backup_id,))
    conn.close()
    jobid, status, log = _run(site, con, "run job=verify-volume yes")
    assert status == "D", log
    assert re.search(r"File: .*/a\.txt\n.*XXH128 differs\. File=\S+ Cat=AAAAAAAAAAAAAAAAAAAAAA", log), log
    assert re.search(r"New file: .*/b\.bin", log), log
    assert _termination(log) == "Verify Differences"
