"""Virtual Full: Full + Incremental consolidated on the SD into a new Full."""

from __future__ import annotations

import os
import time

from bareos.quickstart.run import compare_trees

from .conftest import configure, job_row, joblog, make_tree, needs_psk, query, run, wait

pytestmark = needs_psk


def _add(path, text: str) -> None:
    body = path.read_text().rstrip()
    path.write_text(body[:-1] + text + "}\n")


def test_virtual_full_restores_latest_state(site_factory, tmp_path):
    src = tmp_path / "data"
    src.mkdir()
    make_tree(src, seed=9)
    site = site_factory(src)
    configure(site)
    _add(site.base / "etc" / "bareos-dir.d" / "job" / "backup-bareos-fd.conf", "  Accurate = yes\n")
    site.start()
    con = site.console()
    try:
        full = run(con, "run job=backup-bareos-fd level=Full yes")
        assert wait(con, full) == "T", joblog(con, full)
        time.sleep(1.1)
        (src / "a" / "f4.txt").write_text("changed after the full backup\n" * 50)
        (src / "a" / "new.txt").write_text("a new file\n")
        os.unlink(src / "a" / "f5.txt")
        inc = run(con, "run job=backup-bareos-fd level=Incremental yes")
        assert wait(con, inc) == "T", joblog(con, inc)
        vf = run(con, "run job=backup-bareos-fd level=VirtualFull yes")
        assert wait(con, vf) == "T", joblog(con, vf)
        log = joblog(con, vf)
        assert f"Start Virtual Backup JobId {vf}, Job=backup-bareos-fd." in log
        assert f"Consolidating JobIds {full},{inc} containing" in log
        assert "Joblevel was set to joblevel of first consolidated job: Full" in log
        assert "Termination:            Backup OK" in log
        row = job_row(site, vf)
        assert row["Level"] == "F" and row["Type"] == "B" and row["JobStatus"] == "T", row
        assert row["JobTDate"] == job_row(site, inc)["JobTDate"]
        names = {r[0] for r in query(site, "SELECT Name FROM File WHERE JobId = ?", (vf,))}
        assert "new.txt" in names and "f4.txt" in names and "f5.txt" not in names
        vols = [v[0] for v in query(site, "SELECT VolumeName FROM JobMedia JOIN Media USING (MediaId) "
                                          "WHERE JobId = ?", (vf,))]
        assert vols and vols[0].startswith("Cons-"), vols
        # the most recent backup is now the virtual full alone
        where = tmp_path / "restored"
        rid = run(con, f"restore client=bareos-fd fileset=Quickstart where={where} "
                       "current select all done yes")
        assert wait(con, rid) == "T", joblog(con, rid)
        rlog = joblog(con, rid)
        assert f'Ready to read from volume "{vols[0]}"' in rlog
        assert "Full-0001" not in rlog and "Incremental-0001" not in rlog
        assert compare_trees(src, where / str(src).lstrip("/")) == []
    finally:
        con.close()


def test_virtual_full_of_given_jobids(site_factory, tmp_path):
    """`run ... level=VirtualFull jobid=a,b`: those jobs, checked against the catalog."""
    src = tmp_path / "data"
    src.mkdir()
    make_tree(src, seed=5)
    site = site_factory(src)
    configure(site)
    _add(site.base / "etc" / "bareos-dir.d" / "job" / "backup-bareos-fd.conf", "  Accurate = yes\n")
    site.start()
    con = site.console()
    try:
        full = run(con, "run job=backup-bareos-fd level=Full yes")
        assert wait(con, full) == "T", joblog(con, full)
        time.sleep(1.1)
        (src / "a" / "f2.txt").write_text("changed\n")
        inc = run(con, "run job=backup-bareos-fd level=Incremental yes")
        assert wait(con, inc) == "T", joblog(con, inc)
        # an unknown JobId is refused by the run command itself
        out = con.call(f"run job=backup-bareos-fd level=VirtualFull jobid={full},999 yes").decode()
        assert "JobId 999 not found in catalog." in out and "Job queued" not in out, out
        # only the Full, though an Incremental followed it
        vf = run(con, f"run job=backup-bareos-fd level=VirtualFull jobid={full} yes")
        assert wait(con, vf) == "T", joblog(con, vf)
        log = joblog(con, vf)
        assert f"Consolidating JobIds {full} containing" in log, log
        # purged files: every such job named, then the job fails
        con.call(f"purge files jobid={full}")
        vf2 = run(con, f"run job=backup-bareos-fd level=VirtualFull jobid={full},{inc} yes")
        assert wait(con, vf2) == "f"
        log = joblog(con, vf2)
        assert f"Files for JobId {full} have been purged from the catalog" in log, log
        assert "At least one job's files were pruned from the catalog." in log
    finally:
        con.close()
