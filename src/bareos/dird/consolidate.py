"""Consolidate jobs of the Always Incremental scheme (Bareos's consolidate.cc
and the Always Incremental parts of vbackup.cc / job.cc).

A ``Type = Consolidate`` job looks at every Job resource with ``Always
Incremental = yes``.  For each it takes the job chain that makes up the
current state of the job's Client and FileSet (last Full, Differential,
Incrementals: :meth:`Catalog.accurate_jobids`), limited to jobs started
before ``now - Always Incremental Job Retention``.  Jobs of that chain that
saved no file are purged at once.  When more Incrementals than ``Always
Incremental Keep Number`` remain, the oldest ones (with the Full, unless it
is younger than ``Always Incremental Max Full Age`` or ``Max Full
Consolidations`` Fulls were already taken in this run) are handed to a new
Virtual Full job of the Always Incremental job (``jobid=`` list, the
Consolidate job's priority, accurate and spool settings).

The Virtual Full side (:func:`run_virtual_full` in migrate.py calls the
hooks here):

* :func:`check_duplicate` -- a second consolidating Virtual Full of the
  same Client and FileSet is canceled;
* :func:`vf_jobids_for` -- the ``jobid=`` list; an Always Incremental job
  refuses to run a Virtual Full without one;
* :func:`replicate_deleted_files` -- files whose newest version among the
  consolidated jobs is a deletion (FileIndex 0) are recorded in the new job
  too, so that the deletion survives the purge of the old jobs;
* :func:`purge_consolidated` -- after a good Virtual Full of an Always
  Incremental job with a Job Retention, the consolidated jobs are removed
  from the catalog.
"""

from __future__ import annotations

import logging
import time

from bareos.lib import jmsg, jobcodes
from bareos.lib import version as v

from .jcr import JobCanceled, JobFailed

log = logging.getLogger("bareos.dird.consolidate")


def _bstrftimes(t: float) -> str:
    return time.strftime("%d-%b-%Y %H:%M:%S", time.localtime(t))


def _secs(value) -> int:
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


def _yes(value) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("yes", "true", "1")
    return bool(value)


# ----------------------------------------------------------------------------
# The Consolidate job
# ----------------------------------------------------------------------------


def select_jobids(cat, client_id: int, fileset_id: int, now: float, retention: int,
                  keep: int, limit: int | None = None, zero_purge=None) -> list[int]:
    """The job chain of a Client/FileSet started before now - retention
    (everything when *retention* is 0), oldest first, at most *limit*."""
    before = (now - retention + 1) if retention else now + 1
    ids = cat.accurate_jobids(client_id, fileset_id, jobcodes.L_INCREMENTAL, before=before)
    return ids[:limit] if limit else ids


def zero_file_jobs(cat, jobids: list[int]) -> list[int]:
    """Bareos's FilterZeroFileJobs: the JobIds among *jobids* without files."""
    if not jobids:
        return []
    marks = ", ".join("?" for _ in jobids)
    with cat.transaction() as tx:
        rows = tx.query(f"SELECT JobId FROM Job WHERE JobFiles = 0 AND JobId IN ({marks}) "
                        "ORDER BY JobId", list(jobids))
    return [int(r[0]) for r in rows]


def purge_jobs(cat, jobids: list[int]) -> None:
    """Remove jobs with all their records (files, JobMedia, log ...)."""
    if not jobids:
        return
    with cat.transaction() as tx:
        for jid in jobids:
            cat.delete_job(jid)
        marks = ", ".join("?" for _ in jobids)
        tx.execute(f"UPDATE Job SET PriorJobId = 0 WHERE PriorJobId IN ({marks})", list(jobids))


def _consolidate_one(engine, jcr, job, now: float, state: dict) -> None:
    d = engine.director
    cat = d.catalog
    name = job.name
    jcr.info(f"Looking at always incremental job {name}\n")
    client = d.get("Client", job.get("Client"))
    fileset = d.get("FileSet", job.get("FileSet"))
    if fileset is None:
        raise JobFailed(f"JobId={jcr.jobid} no FileSet")
    if client is None:
        raise JobFailed(f"JobId={jcr.jobid} no ClientId")
    from .jobs import fileset_md5
    from .client import fileset_wire_items

    fileset_id = cat.get_or_create_fileset(fileset.name, fileset_md5(fileset),
                                           "\n".join(fileset_wire_items(fileset)))
    client_id = cat.get_or_create_client(
        client.name, auto_prune=int(bool(client.get("Auto Prune", False))),
        file_retention=int(client.get("File Retention") or 0),
        job_retention=int(client.get("Job Retention") or 0))
    all_ids = select_jobids(cat, client_id, fileset_id, now, 0, 0)
    retention = _secs(job.get("Always Incremental Job Retention"))
    if retention:
        jcr.info(f"{name}: considering jobs older than {_bstrftimes(now - retention)} "
                 "for consolidation.\n")
    candidates = select_jobids(cat, client_id, fileset_id, now, retention, 0)
    zero = zero_file_jobs(cat, candidates)
    if zero:
        jcr.info(f"{name}: purging empty jobids {', '.join(map(str, zero))}\n")
        purge_jobs(cat, zero)
    total = len(all_ids) - len(zero) - 1
    if total < 1:
        jcr.info(f"{name}: less than two jobs to consolidate found, doing nothing.\n")
        return
    keep = _secs(job.get("Always Incremental Keep Number"))
    if total <= keep:
        jcr.info(f"{name}: less incrementals than required, not consolidating\n")
        return
    limit = total - keep + 1
    jobids = select_jobids(cat, client_id, fileset_id, now, retention, keep, limit=limit)
    if len(jobids) - 1 < 1:
        jcr.info(f"{name}: After limited query: less incrementals than required, "
                 "not consolidating\n")
        return
    max_full_age = job.get("Always Incremental Max Full Age")
    if max_full_age:
        if len(jobids) - 1 < 2:
            jcr.info(f"{name}: less incrementals than required to consolidate without full, "
                     "not consolidating\n")
            return
        jcr.info(f"before ConsolidateFull: jobids: {','.join(map(str, jobids))}\n")
        oldest = jobids[0]
        row = cat.get_job(job_id=oldest)
        if row is None:
            jcr.fatal(f"Error getting Job record for first Job: ERR=JobId {oldest} not found\n")
            return
        starttime = int(row.get("JobTDate") or 0)
        allowed = now - _secs(max_full_age)
        jcr.info(f"check full age: full is {_bstrftimes(starttime)}, allowed is "
                 f"{_bstrftimes(allowed)}\n")
        max_full = _secs(jcr.job_res.get("Max Full Consolidations"))
        if starttime > allowed:
            jcr.info("Full is newer than AlwaysIncrementalMaxFullAge -> skipping first jobid "
                     f"{oldest} because of age\n")
            jobids = jobids[1:]
        elif max_full and state["fulls"] >= max_full:
            jcr.info(f"{max_full} AlwaysIncrementalFullConsolidations reached -> skipping first "
                     f"jobid {oldest} independent of age\n")
            jobids = jobids[1:]
        else:
            jcr.info("Full is older than AlwaysIncrementalMaxFullAge -> also consolidating Full "
                     f"jobid {oldest}\n")
            state["fulls"] += 1
        jcr.info(f"after ConsolidateFull: jobids: {','.join(map(str, jobids))}\n")
    jcr.info(f"{name}: Start new consolidation\n")
    start_consolidation_job(engine, jcr, job, jobids)


def start_consolidation_job(engine, jcr, job, jobids: list[int]) -> int:
    """``run job=<job> jobid=<ids> level=VirtualFull priority= accurate=
    spooldata= ignoreduplicatecheck=yes consolidatejob=<jcr's job>``."""
    try:
        vf = engine.new_jcr(job, level="VirtualFull", priority=jcr.priority,
                            accurate=bool(jcr.accurate))
        vf.vf_jobids = list(jobids)
        vf.spool_data = spool_data(jcr)
        vf.allow_mixed_priority = allow_mixed_priority(jcr)
        vf.ignore_duplicate_check = True
        vf.consolidate_job = jcr.job_res.name
        jobid = engine.submit(vf)
    except Exception as exc:  # noqa: BLE001 - as Bareos: an error message, the loop goes on
        log.exception("cannot start the consolidation of %s", job.name)
        jcr.msg(jmsg.M_ERROR, f"Could not start Consolidating job. ({exc})\n")
        return 0
    jcr.info(f"Consolidating JobId {jobid} started.\n")
    return jobid


def run_consolidate(engine, jcr) -> None:
    """The Consolidate job's work (DoConsolidate)."""
    d = engine.director
    jcr.report_hook = consolidate_report
    jcr.info(f"Start Consolidate JobId {jcr.jobid}, Job={jcr.job}\n")
    d.catalog.start_job(jcr.jobid, jcr.start_time)
    now = time.time()
    state = {"fulls": 0}
    for job in d.resources("Job"):
        if not _yes(job.get("Always Incremental", False)):
            continue
        jcr.check_canceled()
        _consolidate_one(engine, jcr, job, now, state)
        if jcr.status in (jobcodes.JS_FATAL_ERROR, jobcodes.JS_ERROR_TERMINATED):
            return
    jcr.status = jobcodes.JS_TERMINATED


def consolidate_report(jcr) -> str:
    """ConsolidateCleanup's summary."""
    from .jobs import _when

    term = {jobcodes.JS_TERMINATED: "Consolidate OK", jobcodes.JS_WARNINGS: "Consolidate OK",
            jobcodes.JS_FATAL_ERROR: "*** Consolidate Error ***",
            jobcodes.JS_ERROR_TERMINATED: "*** Consolidate Error ***",
            jobcodes.JS_CANCELED: "Consolidate Canceled"}.get(
        jcr.status, f"Inappropriate term code: {jcr.status}\n")
    bd = time.strftime("%d%b%y", time.strptime(v.BDATE, "%d %B %Y"))
    lines = [
        f"BAREOS {v.VERSION} ({bd}): {_when(jcr.end_time)}",
        f"  JobId:                  {jcr.jobid}",
        f"  Job:                    {jcr.job}",
        f"  Scheduled time:         {_when(jcr.sched_time)}",
        f"  Start time:             {_when(jcr.start_time)}",
        f"  End time:               {_when(jcr.end_time)}",
        f"  Bareos binary info:     {v.BINARY_INFO}",
        f"  Job triggered by:       {jcr.triggered_by}",
        f"  Termination:            {term}",
    ]
    return "\n".join(lines) + "\n\n"


# ----------------------------------------------------------------------------
# Per-job settings a Consolidate job hands to its Virtual Fulls
# ----------------------------------------------------------------------------


def allow_mixed_priority(jcr) -> bool:
    """The job's Allow Mixed Priority (a consolidation Virtual Full has its
    Consolidate job's)."""
    value = getattr(jcr, "allow_mixed_priority", None)
    if value is None:
        return bool(jcr.job_res.get("Allow Mixed Priority", False))
    return bool(value)


def spool_data(jcr) -> bool:
    """The job's Spool Data (``spooldata=`` of run, then the Job resource)."""
    value = getattr(jcr, "spool_data", None)
    if value is None:
        return bool(jcr.job_res.get("Spool Data", False))
    return _yes(value)


# ----------------------------------------------------------------------------
# The Virtual Full side
# ----------------------------------------------------------------------------


def is_always_incremental(jcr) -> bool:
    return _yes(jcr.job_res.get("Always Incremental", False))


def check_duplicate(engine, jcr) -> None:
    """AllowDuplicateJob for a consolidation: a Virtual Full of an Always
    Incremental job is canceled while another one of the same Client and
    FileSet exists (one created before it)."""
    if jcr.level != jobcodes.L_VIRTUAL_FULL or not is_always_incremental(jcr):
        return
    with engine._lock:
        others = list(engine.running.values())
    for other in others:
        if other is jcr or not other.jobid or other.jobid > jcr.jobid:
            continue
        if other.level != jobcodes.L_VIRTUAL_FULL or other.job_type != jobcodes.JT_BACKUP:
            continue
        if not is_always_incremental(other) or other.status in (
                jobcodes.JS_CANCELED, jobcodes.JS_FATAL_ERROR, jobcodes.JS_ERROR_TERMINATED):
            continue
        if other.client_name == jcr.client_name and other.fileset is not None and \
                jcr.fileset is not None and other.fileset.name == jcr.fileset.name:
            jcr.status = jobcodes.JS_CANCELED
            jcr.msg(jmsg.M_FATAL, f"JobId {other.jobid} already running. Duplicate consolidation "
                                  f"job of Client \"{jcr.client_name}\" and FileSet "
                                  f"\"{jcr.fileset.name}\" not allowed.\n")
            raise JobCanceled()


def vf_jobids_for(jcr) -> list[int] | None:
    """The ``jobid=`` list of a Virtual Full; None: choose the jobs as
    usual.  An Always Incremental job without a list cannot run."""
    ids = getattr(jcr, "vf_jobids", None)
    if ids:
        return [int(j) for j in ids]
    if is_always_incremental(jcr):
        jcr.msg(jmsg.M_ERROR, "Cannot run always incremental job at level VirtualFull with no "
                              "jobid list.\n")
        return []
    return None


def parse_jobid_list(text) -> list[int]:
    """``1,2,3`` (as run's jobid=) -> [1, 2, 3]; anything else -> []."""
    out: list[int] = []
    for part in str(text or "").split(","):
        part = part.strip()
        if not part.isdigit():
            return []
        out.append(int(part))
    return out


def replicate_deleted_files(jcr, jobids: list[int]) -> None:
    """Files whose newest version among *jobids* is a deletion (FileIndex 0)
    are recorded as deleted in the Virtual Full as well."""
    if not jobids:
        return
    cat = jcr.director.catalog
    jcr.info(f"Replicating deleted files from jobids {','.join(map(str, jobids))} "
             f"to jobid {jcr.jobid}\n")
    marks = ", ".join("?" for _ in jobids)
    try:
        with cat.transaction() as tx:
            tx.execute(
                "INSERT INTO File (FileIndex, JobId, PathId, LStat, Md5, Name) "
                "SELECT FileIndex, ?, PathId, LStat, Md5, Name FROM ("
                "SELECT File.FileIndex, File.PathId, File.LStat, File.Md5, File.Name, "
                "ROW_NUMBER() OVER (PARTITION BY File.PathId, File.Name ORDER BY Job.JobTDate DESC, "
                "File.JobId DESC, File.FileIndex DESC) AS rn "
                f"FROM File JOIN Job ON Job.JobId = File.JobId WHERE File.JobId IN ({marks})) AS T "
                "WHERE rn = 1 AND FileIndex = 0",
                [jcr.jobid] + list(jobids))
    except Exception as exc:  # noqa: BLE001 - a warning, as Bareos
        jcr.msg(jmsg.M_WARNING, f"Error replicating deleted files: ERR={exc}\n")


def purge_consolidated(jcr, jobids: list[int]) -> None:
    """After a good Virtual Full of an Always Incremental job with a Job
    Retention: the consolidated jobs leave the catalog."""
    if not jobids or not is_always_incremental(jcr):
        return
    if not _secs(jcr.job_res.get("Always Incremental Job Retention")):
        return
    purge_jobs(jcr.director.catalog, [j for j in jobids if j != jcr.jobid])
    jcr.info(f"purged JobIds {','.join(map(str, jobids))} as they were consolidated into "
             f"Job {jcr.jobid}\n")
