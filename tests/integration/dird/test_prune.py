"""`prune files|jobs|volume|stats` and the auto prune at the end of a backup,
against a real Director with a SQLite catalog filled through the catalog API
(jobs and volumes with old dates)."""

from __future__ import annotations

import time

import pytest

from bareos.dird import retention
from bareos.dird.jcr import Jcr
from bareos.lib import tls

from tests.integration.dird.test_list import call0, call2, gdir  # noqa: F401

pytestmark = pytest.mark.skipif(not tls.psk_available(), reason="TLS-PSK needed")

DAY = 86400


def _old_jobs(cat, days_ago: int, n: int = 1, level="F", name="backup-bareos-fd", files=5,
              volume=None, jtype="B", status="T"):
    """Jobs of bareos-fd with JobTDate *days_ago*, each with file rows."""
    cid = cat.get_client("bareos-fd")["ClientId"]
    fsid = cat.get_job(1)["FileSetId"]
    pid = cat.get_pool("Full")["PoolId"]
    out = []
    for k in range(n):
        when = time.time() - days_ago * DAY + k
        jid = cat.create_job(f"{name}.old.{days_ago}.{k}", name, jtype, level, ClientId=cid,
                             FileSetId=fsid, PoolId=pid, SchedTime=when)
        cat.start_job(jid, when, JobTDate=int(when))
        cat.insert_attributes(jid, [(f"/data/f{i}", "A A A A A A A A A A A A A A A A", "0", i + 1)
                                    for i in range(files)])
        if volume is not None:
            cat.create_jobmedia(jid, volume, 1, files, 0, 0, 0, 10)
        cat.end_job(jid, status, when, JobFiles=files)
        out.append(jid)
    return out


def _jobids(cat):
    return [int(r[0]) for r in cat.sql("SELECT JobId FROM Job ORDER BY JobId")[1]]


def _files(cat, jid):
    return int(cat.sql(f"SELECT COUNT(*) FROM File WHERE JobId = {jid}")[1][0][0])


def test_prune_files(gdir):  # noqa: F811
    cat = gdir.catalog
    old = _old_jobs(cat, 100, 2)          # File Retention of bareos-fd: 60 days
    young = _old_jobs(cat, 10)
    text = call0(gdir, "prune files client=bareos-fd yes")
    assert "The current File retention period is: 2 months \n" in text
    assert "Begin pruning Files.\n" in text
    # JobId 1 is from 2026-11-22 (the golden catalog), as new as the test machine's clock
    assert "Pruned Files from 2 Jobs for client bareos-fd from catalog.\n" in text
    for jid in old:
        assert _files(cat, jid) == 0
        assert cat.get_job(jid)["PurgedFiles"] == 1
    assert _files(cat, young[0]) == 5
    # nothing left: no message about pruned files
    again = call0(gdir, "prune files client=bareos-fd yes")
    assert "Pruned Files" not in again


def test_prune_jobs_keeps_the_current_backup(gdir):  # noqa: F811
    cat = gdir.catalog
    # the golden JobId 1 is a Full of today; old Fulls and an old Incremental
    cat.update_job(1, JobTDate=int(time.time() - 400 * DAY), StartTime=time.time() - 400 * DAY)
    older = _old_jobs(cat, 300, 2)
    incr = _old_jobs(cat, 250, 1, level="I")
    text = call0(gdir, "prune jobs client=bareos-fd yes")
    assert "The current Job retention period is: 6 months \n" in text
    assert "Begin pruning Jobs older than 6 months .\n" in text
    # the newest Full (older[1]) and its Incremental stay: they are needed for a restore
    pruned = sorted([1, older[0]] + ([2] if cat.get_job(2) is None else []))
    assert f"Purging the following {len(pruned)} JobIds: {','.join(map(str, pruned))}\n" in text
    assert f"Pruned {len(pruned)} Jobs for client bareos-fd from catalog.\n" in text
    ids = _jobids(cat)
    assert older[1] in ids and incr[0] in ids
    assert older[0] not in ids and 1 not in ids


def test_prune_jobs_nothing_to_do_json(gdir):  # noqa: F811
    r = call2(gdir, "prune jobs client=bareos-fd yes")
    assert isinstance(r, dict)
    assert _jobids(gdir.catalog) == [1, 2]


def test_prune_volume(gdir):  # noqa: F811
    cat = gdir.catalog
    pid = cat.get_pool("Full")["PoolId"]
    mid = cat.create_media("Old-0001", pid, "File", VolStatus="Full", VolRetention=30 * DAY)
    cat.update_media(mid, FirstWritten=time.time() - 90 * DAY, LastWritten=time.time() - 90 * DAY,
                     VolJobs=1)
    jobs = _old_jobs(cat, 90, 2, volume=mid)
    text = call0(gdir, "prune volume=Old-0001 yes")
    assert "The current Volume (Old-0001) retention period is: 1 month \n" in text
    assert (f'Volume "Old-0001" has Volume Retention of {30 * DAY} sec. and has 2 jobs that '
            "will be pruned\n") in text
    assert "Pruning volume Old-0001: 2 Jobs have expired and can be pruned.\n" in text
    assert f"Purging the following 2 JobIds: {jobs[0]},{jobs[1]}\n" in text
    assert 'There are no more Jobs associated with Volume "Old-0001". Marking it purged.\n' in text
    assert 'Volume "Old-0001" contains no jobs after pruning.\n' in text
    assert cat.get_media("Old-0001")["VolStatus"] == "Purged"
    assert all(cat.get_job(j) is None for j in jobs)
    text = call0(gdir, "prune volume=Full-0001 yes")
    assert ("Pruning volume Full-0001: cannot prune as Volstatus is Append but needs to be "
            "Full or Used.\n") in text


def test_prune_volume_pool_report(gdir):  # noqa: F811
    cat = gdir.catalog
    pid = cat.get_pool("Full")["PoolId"]
    mid = cat.create_media("Old-0002", pid, "File", VolStatus="Used", VolRetention=DAY)
    cat.update_media(mid, FirstWritten=time.time() - 9 * DAY, LastWritten=time.time() - 9 * DAY,
                     VolJobs=1)
    _old_jobs(cat, 9, 1, volume=mid)
    from bareos.dird.console.prune import pool_prune_report

    report = pool_prune_report(cat, cat.get_pool("Full"))
    assert [(v["name"], v["jobs"]) for v in report] == [("Old-0002", 1)]
    # batch mode (no answer possible): the report is shown, nothing pruned
    text = call0(gdir, "prune volume pool=Incremental yes")
    assert 'No prunable volumes found in Pool "Incremental".\n' in text


def test_prune_stats(gdir):  # noqa: F811
    cat = gdir.catalog
    with cat.transaction() as tx:
        tx.execute("INSERT INTO JobHisto (JobId, Job, Name, Type, Level, ClientId, JobStatus, "
                   "JobTDate) VALUES (77, 'x', 'x', 'B', 'F', 1, 'T', 1000)")
        tx.execute("INSERT INTO JobHisto (JobId, Job, Name, Type, Level, ClientId, JobStatus, "
                   "JobTDate) VALUES (78, 'y', 'y', 'B', 'F', 1, 'T', ?)", [int(time.time())])
    text = call0(gdir, "prune stats yes")
    assert "The current Statistics retention period is: 5 years 1 month 5 days \n" in text
    assert "Pruned Jobs from JobHisto in catalog.\n" in text
    assert "Pruned Statistics from JobStats in catalog.\n" in text
    assert [r[0] for r in cat.sql("SELECT JobId FROM JobHisto")[1]] == ["78"]


def test_prune_and_purge_need_full_permissions(gdir):  # noqa: F811
    # console "nopool": all jobs and clients, but only some pools and no storage
    text = call0(gdir, "prune jobs client=bareos-fd yes", name="nopool", password="nopool-pw")
    assert text == "Permission denied: need full storage permission.\n"
    text = call0(gdir, "purge jobs client=bareos-fd yes", name="nopool", password="nopool-pw")
    assert text.endswith("Permission denied: need full pool permission.\n")
    assert _jobids(gdir.catalog) == [1, 2]


class _Collect:
    def __init__(self):
        self.texts = []

    def deliver(self, mtype, text, mtime=None):
        self.texts.append(text)


def test_auto_prune_at_job_end(gdir):  # noqa: F811
    cat = gdir.catalog
    d = gdir
    old = _old_jobs(cat, 400, 1)
    client = d.get("Client", "bareos-fd")
    jcr = Jcr(director=d, job_res=d.get("Job", "backup-bareos-fd"), jobid=0, client=client,
              pool=d.get("Pool", "Full"))
    jcr.sink = _Collect()
    # the golden client has no Auto Prune: nothing happens
    assert retention.do_autoprune(jcr) is False
    # a Job with Prune Jobs / Prune Files behaves like Client AutoPrune
    job = d.get("Job", "backup-bareos-fd")
    _set(job, "Prune Jobs", True)
    _set(job, "Prune Files", True)
    try:
        assert retention.do_autoprune(jcr) is True
    finally:
        _set(job, "Prune Jobs", False)
        _set(job, "Prune Files", False)
    text = "".join(jcr.sink.texts)
    assert "Begin pruning Jobs older than 6 months .\n" in text
    assert "Pruned 1 Job for client bareos-fd from catalog.\n" in text
    assert "Begin pruning Files.\n" in text
    assert text.endswith("End auto prune.\n\n")
    assert cat.get_job(old[0]) is None
    assert cat.get_job(1) is not None


def _set(res, directive, value):
    """Change a directive of a loaded resource (as a reload with new text would)."""
    res.set(directive, value)


def test_prune_directory_of_a_client(gdir):  # noqa: F811
    cat = gdir.catalog
    jid = _old_jobs(cat, 1, 1, files=3)[0]
    cat.insert_attributes(jid, [("/other/x", "A A A A A A A A A A A A A A A A", "0", 9)])
    call0(gdir, "prune directory directory=/data client=bareos-fd yes")
    assert _files(cat, jid) == 1
    assert _files(cat, 1) == 410
    names = [r[0] for r in cat.sql(f"SELECT Path.Path FROM File JOIN Path USING (PathId) "
                                   f"WHERE JobId = {jid}")[1]]
    assert names == ["/other/"]
