"""Copy and Migrate jobs through the real Director, Storage and File Daemons."""

from __future__ import annotations

import re

from bareos.quickstart.run import compare_trees

from .conftest import (
    SecondSd, configure, job_row, joblog, make_tree, needs_psk, query, run, wait,
)

pytestmark = needs_psk


def _started_ids(log: str, op: str) -> list[int]:
    return [int(x) for x in re.findall(rf"{op} JobId (\d+) started\.", log)]


def _worker(con, control_id: int, op: str) -> int:
    """The worker the selection job started (waits for it)."""
    log = joblog(con, control_id)
    ids = _started_ids(log, op)
    assert len(ids) == 1, log
    assert wait(con, ids[0]) == "T", joblog(con, ids[0])
    return ids[0]


def _restore_jobid(site, con, jobid: int, where) -> str:
    rid = run(con, f"restore jobid={jobid} client=bareos-fd where={where} all done yes")
    assert wait(con, rid) == "T", joblog(con, rid)
    return joblog(con, rid)


def test_copy_same_sd_then_restore_from_copy(site_factory, tmp_path):
    src = tmp_path / "data"
    src.mkdir()
    make_tree(src)
    site = site_factory(src)
    configure(site)
    site.start()
    con = site.console()
    try:
        bid = run(con, "run job=backup-bareos-fd level=Full yes")
        assert wait(con, bid) == "T", joblog(con, bid)
        sel = run(con, "run job=copy-job yes")
        assert wait(con, sel) == "T", joblog(con, sel)
        slog = joblog(con, sel)
        assert f"The following 1 JobId was chosen to be copied: {bid}" in slog
        assert "Termination:            Copying OK" in slog
        worker = _worker(con, sel, "Copying")
        wlog = joblog(con, worker)
        assert f"Copying using JobId={bid} Job=" in wlog
        assert 'Using Device "FileStorage" to read.' in wlog
        assert 'Using Device "FileStorage2" to write.' in wlog
        assert f"  Prev Backup JobId:      {bid}" in wlog
        assert "Termination:            Copying OK" in wlog
        new_id = job_row(site, worker)["PriorJobId"]
        new = job_row(site, new_id)
        assert new["Type"] == "C" and new["PriorJobId"] == bid and new["JobStatus"] == "T", new
        orig = job_row(site, bid)
        assert orig["Type"] == "B"
        assert new["JobFiles"] == orig["JobFiles"]
        assert new["JobTDate"] == orig["JobTDate"]
        # the copy's files and volume
        n_orig = query(site, "SELECT COUNT(*) FROM File WHERE JobId = ?", (bid,))[0][0]
        n_new = query(site, "SELECT COUNT(*) FROM File WHERE JobId = ?", (new_id,))[0][0]
        assert n_new == n_orig > 0
        vols = query(site, "SELECT VolumeName FROM JobMedia JOIN Media USING (MediaId) WHERE JobId = ?",
                     (new_id,))
        assert vols and all(v[0].startswith("Copy-") for v in vols), vols
        assert (site.base / "storage2" / vols[0][0]).exists()
        # restore from the copy
        where = tmp_path / "restored"
        rlog = _restore_jobid(site, con, new_id, where)
        assert f'Ready to read from volume "{vols[0][0]}"' in rlog
        assert compare_trees(src, where / str(src).lstrip("/")) == []
        # nothing left to copy
        sel2 = run(con, "run job=copy-uncopied yes")
        assert wait(con, sel2) == "T"
        assert "No JobIds found to copy." in joblog(con, sel2)
        assert "Copying -- no files to copy" in joblog(con, sel2)
    finally:
        con.close()


def test_migrate_same_sd_old_job_becomes_m(site_factory, tmp_path):
    src = tmp_path / "data"
    src.mkdir()
    make_tree(src, seed=3)
    site = site_factory(src)
    configure(site)
    site.start()
    con = site.console()
    try:
        bid = run(con, "run job=backup-bareos-fd level=Full yes")
        assert wait(con, bid) == "T", joblog(con, bid)
        n_files = query(site, "SELECT COUNT(*) FROM File WHERE JobId = ?", (bid,))[0][0]
        sel = run(con, "run job=migrate-job yes")
        assert wait(con, sel) == "T", joblog(con, sel)
        assert f"The following 1 JobId was chosen to be migrated: {bid}" in joblog(con, sel)
        worker = _worker(con, sel, "Migration")
        wlog = joblog(con, worker)
        assert f"Migration using JobId={bid} Job=" in wlog
        assert "Termination:            Migration OK" in wlog
        new_id = job_row(site, worker)["PriorJobId"]
        old, new = job_row(site, bid), job_row(site, new_id)
        assert old["Type"] == "M", old
        assert new["Type"] == "B" and new["PriorJobId"] == bid and new["Level"] == "F", new
        assert query(site, "SELECT COUNT(*) FROM File WHERE JobId = ?", (bid,))[0][0] == 0
        assert query(site, "SELECT COUNT(*) FROM File WHERE JobId = ?", (new_id,))[0][0] == n_files
        # the old job's log went with it
        assert query(site, "SELECT COUNT(*) FROM Log WHERE JobId = ?", (bid,))[0][0] == 0
        # a second migration finds nothing: the old job is no backup any more
        sel2 = run(con, f"run job=migrate-job jobid={bid} yes")
        assert wait(con, sel2) == "T"
        assert f"JobId {bid} already migrated probably by another Job. Migration stopped." in \
            joblog(con, sel2)
        # restore the current state: comes from the new volume
        where = tmp_path / "restored"
        rid = run(con, f"restore client=bareos-fd fileset=Quickstart where={where} "
                       "current select all done yes")
        assert wait(con, rid) == "T", joblog(con, rid)
        assert 'Ready to read from volume "Copy-0001"' in joblog(con, rid)
        assert compare_trees(src, where / str(src).lstrip("/")) == []
    finally:
        con.close()


def test_copy_between_two_storage_daemons(site_factory, tmp_path):
    src = tmp_path / "data"
    src.mkdir()
    make_tree(src, seed=5)
    site = site_factory(src)
    sd2 = SecondSd(site)
    configure(site, sd_port=sd2.port)
    sd2.start()
    site.start()
    con = site.console()
    try:
        bid = run(con, "run job=backup-bareos-fd level=Full yes")
        assert wait(con, bid) == "T", joblog(con, bid)
        worker = run(con, f"run job=copy-job jobid={bid} yes")
        assert wait(con, worker) == "T", joblog(con, worker)
        wlog = joblog(con, worker)
        assert "Termination:            Copying OK" in wlog
        new_id = job_row(site, worker)["PriorJobId"]
        new = job_row(site, new_id)
        assert new["Type"] == "C" and new["JobStatus"] == "T", new
        assert new["JobFiles"] == job_row(site, bid)["JobFiles"]
        vols = [v[0] for v in query(site, "SELECT VolumeName FROM JobMedia JOIN Media USING (MediaId) "
                                          "WHERE JobId = ?", (new_id,))]
        assert vols and (sd2.base / "storage" / vols[0]).exists(), vols
        assert not (site.base / "storage" / vols[0]).exists()
        where = tmp_path / "restored"
        rlog = _restore_jobid(site, con, new_id, where)
        assert f'Ready to read from volume "{vols[0]}"' in rlog
        assert compare_trees(src, where / str(src).lstrip("/")) == []
    finally:
        con.close()
        sd2.stop()


def test_worker_new_jobid_reserved_and_job_codes(site_factory, tmp_path):
    """The worker's new job gets the JobId after the worker's (before its Run
    Before Job scripts run); %O and %N name the previous and the new job,
    *None* in the selection job."""
    src = tmp_path / "data"
    src.mkdir()
    make_tree(src)
    site = site_factory(src)
    script = 'Run Before Job = "sh -c \'echo prevjobid=%O newjobid=%N\'"\n' \
             '  Run After Job = "sh -c \'echo after prevjobid=%O newjobid=%N\'"'
    configure(site, extra_jobs={
        "copy-codes": "Type = Copy\n  Pool = Full\n  Selection Type = Job\n"
                      f'  Selection Pattern = "^backup-bareos-fd$"\n  {script}'})
    site.start()
    con = site.console()
    try:
        bid = run(con, "run job=backup-bareos-fd level=Full yes")
        assert wait(con, bid) == "T", joblog(con, bid)
        sel = run(con, "run job=copy-codes yes")
        assert wait(con, sel) == "T", joblog(con, sel)
        slog = joblog(con, sel)
        assert "BeforeJob: prevjobid=*None* newjobid=*None*" in slog, slog
        worker = _worker(con, sel, "Copying")
        assert worker == sel + 1
        wlog = joblog(con, worker)
        assert f"BeforeJob: prevjobid={bid} newjobid={worker + 1}" in wlog, wlog
        assert f"AfterJob: after prevjobid={bid} newjobid={worker + 1}" in wlog, wlog
        assert job_row(site, worker)["PriorJobId"] == worker + 1
        new = job_row(site, worker + 1)
        assert new["Type"] == "C" and new["JobStatus"] == "T", new
        # nothing was left in state Created
        assert query(site, "SELECT COUNT(*) FROM Job WHERE JobStatus = 'C'", ())[0][0] == 0
    finally:
        con.close()


def test_run_copy_confirmation_shows_read_and_write_side(site_factory, tmp_path):
    src = tmp_path / "data"
    src.mkdir()
    make_tree(src)
    site = site_factory(src)
    configure(site)
    site.start()
    con = site.console()
    try:
        out = con.call("run job=copy-job").decode()
        con.call("no")
        assert "Run Copy job\nJobName:       copy-job\nBootstrap:     *None*\n" in out, out
        assert "Read Storage:  File (From Job resource)" in out, out
        assert "Pool:          Full (From Job resource)" in out, out
        assert "Write Storage: File2 (From Storage from Pool's NextPool resource)" in out, out
        assert "NextPool:      Copy (From Job Pool's NextPool resource)" in out, out
        assert "JobId:         *None*" in out
        out = con.call("run job=copy-job nextpool=Consolidated").decode()
        con.call("no")
        assert "NextPool:      Consolidated (From Run NextPool override)" in out, out
    finally:
        con.close()
