"""Copy, Migrate and Virtual Full jobs in the Director (Bareos's migrate.cc
and vbackup.cc semantics).

A Copy/Migrate job run without ``jobid=`` is a *selection* job: it applies
its Selection Type / Selection Pattern to the read pool (the job's Pool),
starts one worker job per selected JobId (``<Operation> JobId <n>
started.``) and ends.  A worker (``run job=<copyjob> jobid=<n>``) copies
or migrates one previous job: it creates the new job's catalog row (same
name, type and level as the previous job), reads the previous job's
volumes through a bootstrap and writes them to the Next Pool, on one
Storage Daemon (read and write reservation on one connection) or between
two (``listen`` on the writing SD, ``replicate`` to the reading SD).  The
SD's catalog requests (media, JobMedia, attributes) are filed under the
new job.  At the end the control job's PriorJobId names the new job, the
new job's PriorJobId and times are those of the previous job; a Copy marks
the new job 'C' (copy record) and copies the job log; a Migration marks
the previous job 'M', moves its log and purges its files (or the whole job
with ``Purge Migration Job = yes``).

A Virtual Full (``Level = VirtualFull`` on a Backup job) consolidates the
last Full, Differential and Incrementals of the job's client and FileSet
(newest version of every file) into a new Full in the Next Pool, on the SD
alone.
"""

from __future__ import annotations

import logging
import re
import threading
import time

from bareos.lib import bnet, jmsg, jobcodes
from bareos.lib import version as v
from bareos.lib.bnet import bash_spaces
from bareos.lib.edit import edit_uint64_with_commas, edit_uint64_with_suffix

from . import bootstrap as bsrmod
from .catreq import CatalogService
from .client import storage_uses_tls
from .jcr import Jcr, JobCanceled, JobFailed
from .storage import StorageSession

log = logging.getLogger("bareos.dird.migrate")

# Bareos's selection queries (migrate.cc), with ? for the pool name / item
SQL_JOB = ("SELECT DISTINCT Job.Name FROM Job, Pool WHERE Pool.Name = ? AND Job.PoolId = Pool.PoolId")
SQL_JOBIDS_FROM_JOB = ("SELECT DISTINCT Job.JobId, Job.StartTime FROM Job, Pool WHERE Job.Name = ? "
                       "AND Pool.Name = ? AND Job.PoolId = Pool.PoolId ORDER BY Job.StartTime")
SQL_CLIENT = ("SELECT DISTINCT Client.Name FROM Client, Pool, Job WHERE Pool.Name = ? "
              "AND Job.ClientId = Client.ClientId AND Job.PoolId = Pool.PoolId")
SQL_JOBIDS_FROM_CLIENT = ("SELECT DISTINCT Job.JobId, Job.StartTime FROM Job, Pool, Client "
                          "WHERE Client.Name = ? AND Pool.Name = ? AND Job.PoolId = Pool.PoolId "
                          "AND Job.ClientId = Client.ClientId AND Job.Type IN ('B','C') "
                          "AND Job.JobStatus IN ('T','W') ORDER BY Job.StartTime")
SQL_VOL = ("SELECT DISTINCT VolumeName FROM Media, Pool WHERE VolStatus IN ('Full','Used','Error') "
           "AND Media.Enabled = 1 AND Media.PoolId = Pool.PoolId AND Pool.Name = ?")
SQL_JOBIDS_FROM_VOL = ("SELECT DISTINCT Job.JobId, Job.StartTime FROM Media, JobMedia, Job "
                       "WHERE Media.VolumeName = ? AND Media.MediaId = JobMedia.MediaId "
                       "AND JobMedia.JobId = Job.JobId AND Job.Type IN ('B','C') "
                       "AND Job.JobStatus IN ('T','W') AND Media.Enabled = 1 ORDER BY Job.StartTime")
SQL_SMALLEST_VOL = ("SELECT Media.MediaId FROM Media, Pool WHERE "
                    "Media.MediaId IN (SELECT DISTINCT MediaId FROM JobMedia) AND "
                    "Media.VolStatus IN ('Full','Used','Error') AND Media.Enabled = 1 AND "
                    "Media.PoolId = Pool.PoolId AND Pool.Name = ? ORDER BY VolBytes ASC LIMIT 1")
SQL_OLDEST_VOL = ("SELECT Media.MediaId FROM Media, Pool WHERE "
                  "Media.MediaId IN (SELECT DISTINCT MediaId FROM JobMedia) AND "
                  "Media.VolStatus IN ('Full','Used','Error') AND Media.Enabled = 1 AND "
                  "Media.PoolId = Pool.PoolId AND Pool.Name = ? ORDER BY LastWritten ASC LIMIT 1")
SQL_JOBIDS_FROM_MEDIAID = ("SELECT DISTINCT Job.JobId, Job.StartTime FROM JobMedia, Job "
                           "WHERE JobMedia.JobId = Job.JobId AND JobMedia.MediaId IN ({}) "
                           "AND Job.Type IN ('B','C') AND Job.JobStatus IN ('T','W') "
                           "ORDER BY Job.StartTime")
SQL_POOL_BYTES = ("SELECT SUM(JobBytes) FROM Job WHERE JobId IN (SELECT DISTINCT Job.JobId FROM "
                  "Pool, Job, Media, JobMedia WHERE Pool.Name = ? AND Media.PoolId = Pool.PoolId AND "
                  "VolStatus IN ('Full','Used','Error','Append') AND Media.Enabled = 1 AND "
                  "Job.Type IN ('B','C') AND Job.JobStatus IN ('T','W') AND "
                  "JobMedia.JobId = Job.JobId AND Job.PoolId = Media.PoolId)")
SQL_MEDIAIDS = ("SELECT MediaId FROM Media, Pool WHERE VolStatus IN ('Full','Used','Error') AND "
                "Media.Enabled = 1 AND Media.PoolId = Pool.PoolId AND Pool.Name = ? "
                "ORDER BY LastWritten ASC")
SQL_POOL_TIME = ("SELECT DISTINCT Job.JobId FROM Pool, Job, Media, JobMedia WHERE Pool.Name = ? AND "
                 "Media.PoolId = Pool.PoolId AND VolStatus IN ('Full','Used','Error') AND "
                 "Media.Enabled = 1 AND Job.Type IN ('B','C') AND Job.JobStatus IN ('T','W') AND "
                 "JobMedia.JobId = Job.JobId AND Job.PoolId = Media.PoolId AND Job.RealEndTime <= ?")
SQL_UNCOPIED = ("SELECT DISTINCT Job.JobId, Job.StartTime FROM Job, Pool WHERE Pool.Name = ? "
                "AND Pool.PoolId = Job.PoolId AND Job.Type IN ('B','A') AND Job.JobStatus IN ('T','W') "
                "AND Job.JobBytes > 0 AND Job.JobId NOT IN (SELECT PriorJobId FROM Job WHERE "
                "Type IN ('B','C') AND Job.JobStatus IN ('T','W') AND PriorJobId != 0) "
                "ORDER BY Job.StartTime")


def operation_name(jcr) -> str:
    """Bareos's get_OperationName."""
    return {jobcodes.JT_MIGRATE: "Migration", jobcodes.JT_COPY: "Copying",
            jobcodes.JT_ARCHIVE: "Archiving", jobcodes.JT_BACKUP: "Backup"}.get(jcr.job_type, "Unknown")


def action_name(jcr, past: bool = False) -> str:
    """Bareos's get_ActionName."""
    if jcr.job_type == jobcodes.JT_MIGRATE:
        return "migrated" if past else "migrate"
    if jcr.job_type == jobcodes.JT_COPY:
        return "copied" if past else "copy"
    return "backed up" if past else "backup"


def _as_list(value):
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _first_storage(director, pool_res):
    if pool_res is None:
        return None
    stores = _as_list(pool_res.get("Storage"))
    return director.get("Storage", stores[0]) if stores else None


def same_storage_daemon(a, b) -> bool:
    """Bareos's IsSameStorageDaemon: same address, port and password."""
    if a is None or b is None:
        return False
    pa, pb = a.get("Password"), b.get("Password")
    ka = getattr(pa, "md5", pa)
    kb = getattr(pb, "md5", pb)
    return (str(a.get("Address") or "") == str(b.get("Address") or "")
            and int(a.get("Port") or 9103) == int(b.get("Port") or 9103) and ka == kb)


# ----------------------------------------------------------------------------
# The job state beyond the Jcr
# ----------------------------------------------------------------------------


class MacState:
    def __init__(self) -> None:
        self.prev: dict | None = None          # the previous job's catalog row
        self.mig: Jcr | None = None            # the new job
        self.rpool = None
        self.rpool_source = ""
        self.next_pool = None
        self.npool_source = ""
        self.read_storage = None
        self.rstore_source = ""
        self.write_storage = None
        self.wstore_source = ""
        self.remote = False
        self.selected = False                  # selection job that started workers
        self.worker = False
        self.no_data = False
        self.vf_jobids: list[int] = []
        self.first_level = jobcodes.L_FULL


def _set_next_pool(d, jcr, st: MacState) -> None:
    """SetMigrationNextPool: Run override, Job's Next Pool, the pool's Next Pool;
    the write storage from the next pool."""
    override = getattr(jcr, "next_pool_name", None)
    pool = st.rpool
    if override:
        st.next_pool = d.get("Pool", override)
        st.npool_source = "Run NextPool override"
        storage_source = "Storage from Run NextPool override"
    elif jcr.job_res.get("Next Pool"):
        st.next_pool = d.get("Pool", jcr.job_res.get("Next Pool"))
        st.npool_source = "Job's NextPool resource"
        storage_source = "Storage from Job's NextPool resource"
    else:
        st.next_pool = d.get("Pool", pool.get("Next Pool")) if pool is not None and pool.get("Next Pool") else None
        st.npool_source = "Job Pool's NextPool resource"
        storage_source = "Storage from Pool's NextPool resource"
    if st.next_pool is None:
        raise JobFailed(f'No Next Pool specification found in Pool "{pool.name if pool else ""}".')
    st.write_storage = _first_storage(d, st.next_pool)
    if st.write_storage is None:
        raise JobFailed(f'No Storage specification found in Next Pool "{st.next_pool.name}".')
    st.wstore_source = storage_source


def _pool_id(d, pool_res) -> int:
    cat = d.catalog
    row = cat.get_pool(name=pool_res.name)
    if row is None:
        cat.sync_pools(d.resources("Pool"))
        row = cat.get_pool(name=pool_res.name)
    if row is None:
        raise JobFailed("Could not get or create a Pool record.")
    return int(row["PoolId"])


# ----------------------------------------------------------------------------
# Selection
# ----------------------------------------------------------------------------


def _ids(rows) -> list[int]:
    out: list[int] = []
    for r in rows:
        try:
            i = int(r[0])
        except (TypeError, ValueError, IndexError):
            continue
        if i and i not in out:
            out.append(i)
    return out


def select_jobids(d, jcr, pool_name: str) -> list[int] | None:
    """The JobIds the job's Selection Type/Pattern pick (None: fatal error,
    already reported)."""
    cat = d.catalog
    res = jcr.job_res
    stype = str(res.get("Selection Type") or "").replace(" ", "").lower()
    pattern = res.get("Selection Pattern")
    op, act = operation_name(jcr), action_name(jcr)

    def regex(query1: str, query2: str, what: str) -> list[int] | None:
        if not pattern:
            jcr.fatal(f"No {op} {what} selection pattern specified.\n")
            return None
        _c, rows = cat.sql(query1, (pool_name,))
        names = sorted({r[0] for r in rows if r and r[0] is not None})
        if not names:
            jcr.info(f'Query of Pool "{pool_name}" returned no Jobs to {act}.\n')
            return []
        try:
            rx = re.compile(pattern)
        except re.error as exc:
            jcr.fatal(f'Could not compile regex pattern "{pattern}" ERR={exc}\n')
            return None
        names = [n for n in names if rx.search(n)]
        if not names:
            jcr.info(f"Regex pattern matched no Jobs to {act}.\n")
            return []
        ids: list[int] = []
        for n in names:
            params = (n, pool_name) if query2.count("?") == 2 else (n,)
            _c, rows = cat.sql(query2, params)
            ids += [i for i in _ids(rows) if i not in ids]
        if not ids:
            jcr.info(f"No {what}s found to {act}.\n")
        return ids

    def by_media(mids: list[int], what: str) -> list[int]:
        if not mids:
            jcr.info(f"No {what} found to {act}.\n")
            return []
        _c, rows = cat.sql(SQL_JOBIDS_FROM_MEDIAID.format(",".join(str(int(m)) for m in mids)))
        ids = _ids(rows)
        if not ids:
            jcr.info(f"No {what}s found to {act}.\n")
        return ids

    try:
        if stype in ("job", "jobname"):
            return regex(SQL_JOB, SQL_JOBIDS_FROM_JOB, "Job")
        if stype == "client":
            return regex(SQL_CLIENT, SQL_JOBIDS_FROM_CLIENT, "Client")
        if stype == "volume":
            return regex(SQL_VOL, SQL_JOBIDS_FROM_VOL, "Volume")
        if stype == "sqlquery":
            if not pattern:
                jcr.fatal(f"No {op} SQL selection pattern specified.\n")
                return None
            _c, rows = cat.sql(pattern)
            return _ids(rows)
        if stype == "smallestvolume":
            _c, rows = cat.sql(SQL_SMALLEST_VOL, (pool_name,))
            return by_media(_ids(rows), "Smallest Volume")
        if stype == "oldestvolume":
            _c, rows = cat.sql(SQL_OLDEST_VOL, (pool_name,))
            return by_media(_ids(rows), "Oldest Volume")
        if stype == "pooloccupancy":
            pool = d.get("Pool", pool_name)
            high = int((pool.get("Migration High Bytes") if pool else 0) or 0)
            low = int((pool.get("Migration Low Bytes") if pool else 0) or 0)
            _c, rows = cat.sql(SQL_POOL_BYTES, (pool_name,))
            total = int(rows[0][0] or 0) if rows and rows[0] and rows[0][0] not in (None, "") else None
            if total is None or total < high:
                jcr.info(f"No Volumes found to {act}.\n")
                return []
            _c, rows = cat.sql(SQL_MEDIAIDS, (pool_name,))
            jobs = by_media(_ids(rows), "Volume")
            chosen: list[int] = []
            for jid in jobs:
                chosen.append(jid)
                row = cat.get_job(job_id=jid) or {}
                total -= int(row.get("JobBytes") or 0)
                if total <= low:
                    break
            return chosen
        if stype == "pooltime":
            pool = d.get("Pool", pool_name)
            mtime = int((pool.get("Migration Time") if pool else 0) or 0)
            limit = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(time.time() - mtime))
            _c, rows = cat.sql(SQL_POOL_TIME, (pool_name, limit))
            ids = _ids(rows)
            if not ids:
                jcr.info(f"No Volumes found to {act}.\n")
            return ids
        if stype == "pooluncopiedjobs":
            if jcr.job_type != jobcodes.JT_COPY:
                jcr.fatal("Selection Type 'pooluncopiedjobs' only applies to Copy Jobs\n")
                return None
            _c, rows = cat.sql(SQL_UNCOPIED, (pool_name,))
            return _ids(rows)
    except Exception as exc:
        jcr.fatal(f"SQL failed. ERR={exc}\n")
        return None
    jcr.fatal(f"Unknown {op} Selection Type.\n")
    return None


def _run_selection(engine, jcr, st: MacState) -> None:
    d = engine.director
    pool_name = st.rpool.name if st.rpool is not None else ""
    ids = select_jobids(d, jcr, pool_name)
    if ids is None:
        jcr.status = jobcodes.JS_ERROR_TERMINATED
        return
    if not ids:
        jcr.info(f"No JobIds found to {action_name(jcr)}.\n")
        jcr.status = jobcodes.JS_TERMINATED
        return
    jcr.info(f"The following {len(ids)} JobId{' was' if len(ids) < 2 else 's were'} chosen to be "
             f"{action_name(jcr, True)}: {','.join(map(str, ids))}\n")
    limit = int(jcr.job_res.get("Max Concurrent Copies") or 0)
    for n, jobid in enumerate(ids):
        if limit and n >= limit:
            break
        over = {"jobid": str(jobid)}
        if jcr.pool is not None and jcr.pool.name != jcr.job_res.get("Pool"):
            over["pool"] = jcr.pool.name
        if getattr(jcr, "next_pool_name", None):
            over["nextpool"] = jcr.next_pool_name
        try:
            child = engine.new_jcr(jcr.job_res, **over)
            child.mac_jobid = jobid
            child.next_pool_name = over.get("nextpool")
            child.triggered_by = jcr.triggered_by
            new_id = engine.submit(child)
        except Exception as exc:
            log.exception("cannot start worker for JobId %s", jobid)
            jcr.msg(jmsg.M_ERROR, f"Could not start migration job. {exc}\n")
            continue
        jcr.info(f"{operation_name(jcr)} JobId {new_id} started.\n")
    st.selected = True
    jcr.status = jobcodes.JS_TERMINATED


# ----------------------------------------------------------------------------
# The worker
# ----------------------------------------------------------------------------


def _reserve(sd: StorageSession, store, pool, write: bool) -> str:
    """One `use storage=` block for *store* and *pool*; the device name."""
    media_type = store.get("Media Type") or ""
    pool_name = pool.name if pool is not None else "*None*"
    pool_type = (pool.get("Pool Type") if pool is not None else None) or "Backup"
    sd.bs.send(f"use storage={bash_spaces(store.name)} media_type={bash_spaces(media_type)} "
               f"pool_name={bash_spaces(pool_name)} pool_type={bash_spaces(pool_type)} "
               f"append={1 if write else 0} copy=0 stripe=0\n")
    for dev in _as_list(store.get("Device")):
        sd.bs.send(f"use device={bash_spaces(dev)}\n")
    sd.bs.signal(bnet.BNET_EOD)
    sd.bs.signal(bnet.BNET_EOD)
    reply = sd._reply()
    if not reply.startswith("3000 OK use device device="):
        raise JobFailed(f"Storage daemon could not reserve a device: {reply.strip()}")
    device = bnet.unbash_spaces(reply.split("device=", 1)[1].strip())
    sd.jcr.info(f'Using Device "{device}" to {"write" if write else "read"}.\n')
    return device


def _start_message_thread(sd: StorageSession, command: str) -> None:
    sd.bs.send(command)
    sd.thread = threading.Thread(target=sd._message_loop, name=f"sd-msgs-{sd.jcr.jobid}", daemon=True)
    sd.thread.start()


def reserve_new_job(engine, jcr) -> None:
    """For a Copy/Migrate worker at submission (Bareos's DoMigrationInit in
    SetupJob): the new job's catalog row, so its JobId follows the worker's
    and ``%N`` means it in the worker's Run Before Job scripts."""
    cat = engine.director.catalog
    prev = cat.get_job(job_id=int(jcr.mac_jobid))
    if prev is None or not int(prev.get("JobFiles") or 0) or \
            prev["Type"] not in (jobcodes.JT_BACKUP, jobcodes.JT_JOB_COPY, jobcodes.JT_ARCHIVE):
        return
    job_type = prev["Type"] if prev["Type"] in (jobcodes.JT_BACKUP, jobcodes.JT_ARCHIVE) \
        else jobcodes.JT_BACKUP
    sched = time.time()
    name = engine.unique_job_name(prev["Name"], sched)
    jcr.mac_new_job = (cat.create_job(name, prev["Name"], job_type, prev["Level"] or jobcodes.L_FULL,
                                      SchedTime=sched, JobStatus=jobcodes.JS_CREATED), name, sched)


def release_new_job(jcr) -> None:
    """The reserved row of a worker that did not get to use it."""
    reserved = getattr(jcr, "mac_new_job", None)
    st = getattr(jcr, "mac_state", None)
    if reserved is None or (st is not None and st.mig is not None):
        return
    jcr.mac_new_job = None
    try:
        jcr.director.catalog.delete_job(reserved[0])
    except Exception:  # noqa: BLE001 - a leftover Created row is harmless
        log.debug("cannot delete reserved JobId %s", reserved[0], exc_info=True)


def _new_job_jcr(engine, jcr, st: MacState, prev_res) -> Jcr:
    d = engine.director
    cat = d.catalog
    prev = st.prev
    mig = Jcr(director=d, job_res=prev_res)
    mig.job_type = prev["Type"] if prev["Type"] in (jobcodes.JT_BACKUP, jobcodes.JT_ARCHIVE) \
        else jobcodes.JT_BACKUP
    mig.level = prev["Level"] or jobcodes.L_FULL
    mig.client = jcr.client
    mig.fileset = jcr.fileset
    mig.pool = st.next_pool
    mig.pool_source = st.npool_source
    mig.storage = st.write_storage
    mig.storage_source = st.wstore_source
    mig.catalog_res = jcr.catalog_res
    mig.messages_res = jcr.messages_res
    mig.priority = jcr.priority
    mig.sink = jcr.sink
    mig.cancel_event = jcr.cancel_event
    mig.pool_id = _pool_id(d, st.next_pool)
    mig.client_id = int(prev.get("ClientId") or 0)
    mig.fileset_id = int(prev.get("FileSetId") or 0)
    reserved = getattr(jcr, "mac_new_job", None)
    if reserved is not None:  # reserve_new_job at submission
        mig.jobid, mig.job, mig.sched_time = reserved
        return mig
    mig.sched_time = time.time()
    mig.job = engine.unique_job_name(prev["Name"], mig.sched_time)
    mig.jobid = cat.create_job(mig.job, prev["Name"], mig.job_type, mig.level,
                               SchedTime=mig.sched_time, JobStatus=jobcodes.JS_CREATED)
    return mig


def _run_worker(engine, jcr, st: MacState) -> None:
    d = engine.director
    cat = d.catalog
    st.worker = True
    prev_id = int(jcr.mac_jobid)
    prev = cat.get_job(job_id=prev_id)
    if prev is None:
        raise JobFailed(f"Could not get job record for JobId {prev_id} to {action_name(jcr)}. "
                        f"ERR=JobId {prev_id} not found")
    st.prev = prev
    jcr.info(f"{operation_name(jcr)} using JobId={prev_id} Job={prev['Job']}\n")
    bsr = bsrmod.bootstrap_for_jobs(cat, [prev_id], d)
    if not bsr or not int(prev.get("JobFiles") or 0):
        jcr.info(f"Previous Job has no data to {action_name(jcr)}.\n")
        st.no_data = True
        jcr.status = jobcodes.JS_TERMINATED
        return
    prev_res = d.get("Job", prev["Name"])
    if prev_res is None:
        raise JobFailed(f'Previous Job resource not found for "{prev["Name"]}".')
    jcr.level = prev["Level"] or jobcodes.L_FULL
    if jcr.client is None:
        jcr.client = d.get("Client", prev_res.get("Client"))
    if jcr.fileset is None:
        jcr.fileset = d.get("FileSet", prev_res.get("FileSet"))
    _set_next_pool(d, jcr, st)
    # the read storage: the read pool's, else the previous job's, else the volume's
    st.read_storage = _first_storage(d, st.rpool)
    st.rstore_source = "Pool resource"
    if st.read_storage is None:
        stores = _as_list(prev_res.get("Storage"))
        st.read_storage = d.get("Storage", stores[0]) if stores else None
        st.rstore_source = "previous Job"
    parts = bsrmod.split_by_storage(bsr)
    if parts and parts[0][0] and (st.read_storage is None or
                                  parts[0][0] != st.read_storage.name):
        named = d.get("Storage", parts[0][0])
        if named is not None and (st.read_storage is None or
                                  named.get("Media Type") != st.read_storage.get("Media Type")):
            st.read_storage, st.rstore_source = named, "Volume"
    if st.read_storage is None:
        raise JobFailed("No storage for reading given.")
    if prev["Type"] not in (jobcodes.JT_BACKUP, jobcodes.JT_JOB_COPY, jobcodes.JT_ARCHIVE):
        jcr.info(f"JobId {prev_id} already {action_name(jcr, True)} probably by another Job. "
                 f"{operation_name(jcr)} stopped.\n")
        jcr.status = jobcodes.JS_TERMINATED
        return
    if st.read_storage.name == st.write_storage.name and not st.read_storage.get("Auto Changer", False):
        jcr.fatal(f"JobId {prev_id} cannot {operation_name(jcr)} using the same read and write "
                  f"storage.\n")
        jcr.status = jobcodes.JS_TERMINATED
        return
    st.remote = not same_storage_daemon(st.read_storage, st.write_storage)
    jcr.storage, jcr.storage_source = st.read_storage, st.rstore_source
    jcr.pool_id = _pool_id(d, st.next_pool)
    st.mig = mig = _new_job_jcr(engine, jcr, st, prev_res)
    jcr.info(f"Start {operation_name(jcr)} JobId {jcr.jobid}, Job={jcr.job}\n")
    client_id = int(prev.get("ClientId") or 0)
    cat.start_job(jcr.jobid, jcr.start_time, ClientId=client_id, PoolId=jcr.pool_id,
                  FileSetId=int(prev.get("FileSetId") or 0), Level=jcr.level)
    if st.remote:
        _copy_remote(jcr, st, bsr)
    else:
        _copy_local(jcr, st, bsr)


def _wait(jcr, sessions) -> None:
    for sd in sessions:
        while not sd.wait_end(1.0):
            if jcr.cancel_event.is_set():
                for s in sessions:
                    s.cancel()
                raise JobCanceled()


class _FiledUnder:
    """The new job as the catalog service sees it (its JobId, pool, volumes),
    with the job log messages going to the control job, as in Bareos."""

    def __init__(self, mig, control) -> None:
        object.__setattr__(self, "_mig", mig)
        object.__setattr__(self, "_control", control)

    def __getattr__(self, name):
        return getattr(self._mig, name)

    def __setattr__(self, name, value) -> None:
        setattr(self._mig, name, value)

    def msg(self, *args, **kw) -> None:
        self._control.msg(*args, **kw)

    def info(self, text: str) -> None:
        self._control.info(text)


def _copy_local(jcr, st: MacState, bsr: str) -> None:
    cat = jcr.director.catalog
    mig = st.mig
    sd = StorageSession(jcr, st.read_storage, cat)
    sd.service = CatalogService(_FiledUnder(mig, jcr), cat)   # media, JobMedia, files of the new job
    try:
        jcr.check_canceled()
        sd.connect()
        sd.start_job(None, write=False)
        sd.send_bootstrap(bsr)
        _reserve(sd, st.read_storage, st.rpool, write=False)
        _reserve(sd, st.write_storage, st.next_pool, write=True)
        now = time.time()
        jcr.start_time = now
        cat.start_job(jcr.jobid, now, JobStatus=jobcodes.JS_RUNNING)
        mig.start_time = now
        cat.start_job(mig.jobid, now, ClientId=mig.client_id, FileSetId=mig.fileset_id,
                      PoolId=mig.pool_id, Level=mig.level)
        sd.run()
        _wait(jcr, [sd])
    finally:
        sd.close()
        sd.wait_end(5)
    jcr.job_files, jcr.job_bytes = jcr.sd_files, jcr.sd_bytes
    mig.vol_session_id, mig.vol_session_time = jcr.vol_session_id, jcr.vol_session_time
    mig.sd_files, mig.sd_bytes, mig.sd_status = jcr.sd_files, jcr.sd_bytes, jcr.sd_status
    jcr.status = _status(jcr, jcr.sd_status)


def _copy_remote(jcr, st: MacState, bsr: str) -> None:
    cat = jcr.director.catalog
    mig = st.mig
    rd = StorageSession(jcr, st.read_storage, cat)
    wr = StorageSession(mig, st.write_storage, cat)
    try:
        jcr.check_canceled()
        rd.connect()
        wr.connect()
        rd.start_job(None, write=False)
        rd.send_bootstrap(bsr)
        _reserve(rd, st.read_storage, st.rpool, write=False)
        wr.start_job(None, write=True)
        _reserve(wr, st.write_storage, st.next_pool, write=True)
        now = time.time()
        jcr.start_time = now
        cat.start_job(jcr.jobid, now, JobStatus=jobcodes.JS_RUNNING)
        mig.start_time = now
        cat.start_job(mig.jobid, now, ClientId=mig.client_id, FileSetId=mig.fileset_id,
                      PoolId=mig.pool_id, Level=mig.level)
        _start_message_thread(wr, "listen")
        ws = st.write_storage
        address = ws.get("Address")
        if st.read_storage.get("Lan Address") and ws.get("Lan Address"):
            address = ws.get("Lan Address")
        ssl = 4 if storage_uses_tls(ws) else 0
        rd.bs.send(f"replicate JobId={mig.jobid} Job={mig.job} address={address} "
                   f"port={int(ws.get('Port') or 9103)} ssl={ssl} Authorization={mig.sd_auth}\n")
        reply = rd._reply()
        if reply != "3000 OK replicate\n":
            wr.cancel()
            raise JobFailed(f"Storage daemon refused to replicate: {reply.strip()}")
        rd.run()
        _wait(jcr, [rd, wr])
    finally:
        rd.close()
        wr.close()
        rd.wait_end(5)
        wr.wait_end(5)
    jcr.sd_files, jcr.sd_bytes = mig.sd_files, mig.sd_bytes
    jcr.job_files, jcr.job_bytes = mig.sd_files, mig.sd_bytes
    jcr.sd_errors += mig.sd_errors
    worst = jcr.sd_status if jcr.sd_status not in (jobcodes.JS_TERMINATED, jobcodes.JS_WARNINGS) \
        else mig.sd_status
    jcr.status = _status(jcr, worst)


def _status(jcr, sd_status: str) -> str:
    if jcr.cancel_event.is_set():
        return jobcodes.JS_CANCELED
    if jcr.status in (jobcodes.JS_FATAL_ERROR, jobcodes.JS_ERROR_TERMINATED):
        return jobcodes.JS_ERROR_TERMINATED
    if sd_status not in (jobcodes.JS_TERMINATED, jobcodes.JS_WARNINGS):
        return jobcodes.JS_ERROR_TERMINATED
    if jcr.job_errors or jcr.sd_errors:
        return jobcodes.JS_WARNINGS
    return jobcodes.JS_TERMINATED


def _fmt(t) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(t))


def mac_cleanup(jcr) -> None:
    """MigrationCleanup: after the control job's row is final."""
    st: MacState = jcr.mac_state
    release_new_job(jcr)
    mig = st.mig
    d = jcr.director
    cat = d.catalog
    if mig is None or st.prev is None:
        return
    old_id, new_id = int(st.prev["JobId"]), mig.jobid
    ok = jcr.status in (jobcodes.JS_TERMINATED, jobcodes.JS_WARNINGS)
    cat.update_job(jcr.jobid, PriorJobId=new_id)
    status = jcr.status
    if status == jobcodes.JS_TERMINATED and (jcr.job_errors or jcr.sd_errors):
        status = jobcodes.JS_WARNINGS
    cat.end_job(new_id, status, end_time=jcr.end_time, JobFiles=mig.sd_files, JobBytes=mig.sd_bytes,
                VolSessionId=mig.vol_session_id, VolSessionTime=mig.vol_session_time,
                PriorJobId=old_id, JobErrors=0)
    cat.update_job(new_id, StartTime=st.prev.get("StartTime"), EndTime=st.prev.get("EndTime"),
                   JobTDate=int(st.prev.get("JobTDate") or 0))
    if ok:
        if jcr.job_type == jobcodes.JT_MIGRATE:
            cat.update_job(old_id, Type=jobcodes.JT_MIGRATED_JOB)
            cat.sql("UPDATE Log SET JobId = ? WHERE JobId = ?", (new_id, old_id))
            if jcr.job_res.get("Purge Migration Job", False):
                cat.delete_job(old_id)
            else:
                cat.purge_files(old_id)
        elif jcr.job_type == jobcodes.JT_COPY:
            cat.sql("INSERT INTO Log (JobId, Time, LogText) SELECT ?, Time, LogText FROM Log "
                    "WHERE JobId = ?", (new_id, old_id))
            cat.update_job(new_id, Type=jobcodes.JT_JOB_COPY)
    names = cat.get_job_volume_names(new_id)
    mig.volumes = names
    if names:
        media = cat.get_media(volume_name=names[-1]) or {}
        mig.last_volume_bytes = int(media.get("VolBytes") or 0)


def _term(jcr, st: MacState) -> str:
    op, act = operation_name(jcr), action_name(jcr)
    if st.mig is None and not st.selected and jcr.status == jobcodes.JS_TERMINATED:
        return f"{op} -- no files to {act}"
    return {jobcodes.JS_TERMINATED: f"{op} OK", jobcodes.JS_WARNINGS: f"{op} OK -- with warnings",
            jobcodes.JS_CANCELED: f"{op} Canceled"}.get(
        jcr.status, f"*** {op} Error ***" if jcr.status in (
            jobcodes.JS_FATAL_ERROR, jobcodes.JS_ERROR_TERMINATED) else f"Inappropriate {op} term code")


def _elapsed(secs: int) -> str:
    # Bareos's edit_utime: "1 sec", "2 mins 3 secs", ...
    if secs <= 0:
        return "0 secs"
    out = []
    for size, name in ((86400, "day"), (3600, "hour"), (60, "min"), (1, "sec")):
        n, secs = divmod(secs, size)
        if n:
            out.append(f"{n} {name}{'s' if n != 1 else ''}")
    return " ".join(out)


def mac_report(jcr) -> str:
    """GenerateMigrateSummary."""
    from .jobs import _daemon_status_text, _header, _when

    st: MacState = jcr.mac_state
    secs = max(0, int(round(jcr.end_time - jcr.start_time))) if jcr.start_time else 0
    head = _header(jcr).rstrip("\n")
    trig = jcr.triggered_by
    cat_line = f'  Catalog:                "{jcr.catalog_res.name if jcr.catalog_res else ""}" ({jcr.catalog_source})'
    if st.prev is None:
        lines = [head, f"  Current JobId:          {jcr.jobid}", f"  Current Job:            {jcr.job}",
                 cat_line, f"  Start time:             {_when(jcr.start_time)}",
                 f"  End time:               {_when(jcr.end_time)}",
                 f"  Elapsed time:           {_elapsed(secs)}", f"  Priority:               {jcr.priority}",
                 f"  Bareos binary info:     {v.BINARY_INFO}", f"  Job triggered by:       {trig}",
                 f"  Termination:            {_term(jcr, st)}"]
        return "\n".join(lines) + "\n\n"
    mig = st.mig
    kbps = (jcr.sd_bytes / (1000 * secs)) if secs > 0 else 0.0

    def name(res):
        return res.name if res is not None else "*None*"

    wpool = st.next_pool if st.next_pool is not None else jcr.pool
    lines = [
        head,
        f"  Prev Backup JobId:      {st.prev['JobId']}",
        f"  Prev Backup Job:        {st.prev['Job']}",
        f"  New Backup JobId:       {mig.jobid if mig else '*None*'}",
        f"  Current JobId:          {jcr.jobid}",
        f"  Current Job:            {jcr.job}",
        f"  Backup Level:           {jobcodes.job_level_name(jcr.level)}",
        f"  Client:                 {name(jcr.client)}",
        f'  FileSet:                "{name(jcr.fileset)}"',
        f'  Read Pool:              "{name(st.rpool)}" (From {st.rpool_source})',
        f'  Read Storage:           "{name(st.read_storage)}" (From {st.rstore_source})',
        f'  Write Pool:             "{name(wpool)}" (From {st.npool_source})',
        f'  Write Storage:          "{name(st.write_storage)}" (From {st.wstore_source})',
        f'  Next Pool:              "{name(st.next_pool)}" (From {st.npool_source})',
        cat_line,
        f"  Start time:             {_when(jcr.start_time)}",
        f"  End time:               {_when(jcr.end_time)}",
        f"  Elapsed time:           {_elapsed(secs)}",
        f"  Priority:               {jcr.priority}",
        f"  SD Files Written:       {edit_uint64_with_commas(jcr.sd_files)}",
        f"  SD Bytes Written:       {edit_uint64_with_commas(jcr.sd_bytes)} "
        f"({edit_uint64_with_suffix(jcr.sd_bytes)}B)",
        f"  Rate:                   {kbps:.1f} KB/s",
        f"  Volume name(s):         {'|'.join(mig.volumes) if mig else '*None*'}",
        f"  Volume Session Id:      {jcr.vol_session_id}",
        f"  Volume Session Time:    {jcr.vol_session_time}",
        f"  Last Volume Bytes:      {edit_uint64_with_commas(mig.last_volume_bytes if mig else 0)} "
        f"({edit_uint64_with_suffix(mig.last_volume_bytes if mig else 0)}B)",
        f"  SD Errors:              {jcr.sd_errors}",
        f"  SD termination status:  {_daemon_status_text(jcr.sd_status)}",
        f"  Bareos binary info:     {v.BINARY_INFO}",
        f"  Job triggered by:       {trig}",
        f"  Termination:            {_term(jcr, st)}",
    ]
    return "\n".join(lines) + "\n\n"


def run_mac(engine, jcr) -> None:
    """A Copy or Migrate job: selection, or one worker (``jcr.mac_jobid``)."""
    d = engine.director
    st = MacState()
    jcr.mac_state = st
    jcr.finish_hook = mac_cleanup
    jcr.report_hook = mac_report
    if jcr.pool is None:
        raise JobFailed(f'No Pool specified in Job "{jcr.job_name}".')
    st.rpool, st.rpool_source = jcr.pool, (jcr.pool_source or "From Job resource").replace("From ", "", 1)
    jcr.pool_id = _pool_id(d, jcr.pool)
    d.catalog.start_job(jcr.jobid, jcr.start_time, PoolId=jcr.pool_id, Level=jcr.level)
    if getattr(jcr, "mac_jobid", None):
        _run_worker(engine, jcr, st)
    else:
        _run_selection(engine, jcr, st)


# ----------------------------------------------------------------------------
# Virtual Full
# ----------------------------------------------------------------------------


def vf_finish(jcr) -> None:
    """NativeVbackupCleanup: level of the first consolidated job, times of the last."""
    st: MacState = jcr.mac_state
    cat = jcr.director.catalog
    if jcr.status not in (jobcodes.JS_TERMINATED, jobcodes.JS_WARNINGS) or not st.vf_jobids:
        return
    jcr.info(f"Joblevel was set to joblevel of first consolidated job: "
             f"{jobcodes.job_level_name(st.first_level)}\n")
    last = cat.get_job(job_id=st.vf_jobids[-1]) or {}
    cat.update_job(jcr.jobid, Level=st.first_level, StartTime=last.get("StartTime"),
                   EndTime=last.get("EndTime"), JobTDate=int(last.get("JobTDate") or 0))
    from . import consolidate

    if getattr(jcr, "vf_jobids", None):
        consolidate.replicate_deleted_files(jcr, st.vf_jobids)
    consolidate.purge_consolidated(jcr, st.vf_jobids)


def vf_report(jcr) -> str:
    """The backup summary, with the level printed as Bareos's JobLevelToString."""
    from .jobs import backup_report

    return backup_report(jcr).replace("  Backup Level:           VirtualFull",
                                      "  Backup Level:           Virtual Full", 1)


def run_virtual_full(engine, jcr) -> None:
    d = engine.director
    cat = d.catalog
    st = MacState()
    jcr.mac_state = st
    if jcr.client is None or jcr.fileset is None or jcr.pool is None:
        raise JobFailed("Virtual Full job needs a Client, FileSet and Pool")
    from . import consolidate

    jcr.finish_hook = vf_finish
    jcr.report_hook = vf_report
    engine._catalog_ids(jcr)
    st.rpool, st.rpool_source = jcr.pool, jcr.pool_source
    _set_next_pool(d, jcr, st)
    st.read_storage = _first_storage(d, st.rpool) or jcr.storage
    if st.read_storage is None:
        raise JobFailed("No storage for reading given.")
    jcr.pool, jcr.pool_source = st.next_pool, f"From {st.npool_source}"
    jcr.pool_id = _pool_id(d, st.next_pool)
    jcr.storage, jcr.storage_source = st.write_storage, f"From {st.wstore_source}"
    jcr.info(f"Start Virtual Backup JobId {jcr.jobid}, Job={jcr.job}\n")
    if not jcr.accurate:
        jcr.msg(jmsg.M_WARNING, "This Job is not an Accurate backup so is not equivalent to a Full "
                                "backup.\n")
    # (a job that started in this very second counts: StartTime has one-second resolution)
    jobids = consolidate.vf_jobids_for(jcr)       # jobid= list (Consolidate jobs)
    if jobids is None:
        jobids = [j for j in cat.accurate_jobids(jcr.client_id, jcr.fileset_id,
                                                 jobcodes.L_INCREMENTAL, before=time.time() + 2)
                  if j != jcr.jobid]
    if not jobids:
        raise JobFailed("No previous Jobs found.")
    rows = {jid: cat.get_job(job_id=jid) for jid in jobids}
    missing = [jid for jid, row in rows.items() if row is None]
    for jid in missing:
        jcr.msg(jmsg.M_ERROR, f"JobId {jid} is not present in the catalog\n")
    if missing:
        raise JobFailed("Jobs missing from catalog. Cannot continue.")
    purged = [jid for jid, row in rows.items() if int(row.get("PurgedFiles") or 0)]
    for jid in purged:
        jcr.msg(jmsg.M_ERROR, f"Files for JobId {jid} have been purged from the catalog\n")
    if purged:
        raise JobFailed("At least one job's files were pruned from the catalog.")
    st.vf_jobids = jobids
    st.first_level = (cat.get_job(job_id=jobids[0]) or {}).get("Level") or jobcodes.L_FULL
    chosen: dict[int, list[int]] = {}
    for row in cat.select_recent_files(jobids):
        chosen.setdefault(int(row["JobId"]), []).append(int(row["FileIndex"]))
    if not chosen:
        jcr.msg(jmsg.M_ERROR, f"No files were found in the jobids {','.join(map(str, jobids))}\n")
        raise JobFailed("Could not create bootstrap file")
    expected = sum(len(x) for x in chosen.values())
    bsr = bsrmod.bootstrap_for_jobs(cat, [j for j in jobids if j in chosen], d, chosen)
    jcr.info(f"Consolidating JobIds {','.join(map(str, jobids))} containing {expected} files\n")
    cat.start_job(jcr.jobid, jcr.start_time, ClientId=jcr.client_id, FileSetId=jcr.fileset_id,
                  PoolId=jcr.pool_id, Level=jcr.level)
    sd = StorageSession(jcr, st.read_storage, cat)
    try:
        jcr.check_canceled()
        sd.connect()
        from .jobs import fileset_md5

        sd.start_job(fileset_md5(jcr.fileset), write=True)
        sd.send_bootstrap(bsr)
        _reserve(sd, st.read_storage, st.rpool, write=False)
        _reserve(sd, st.write_storage, st.next_pool, write=True)
        jcr.start_time = time.time()
        cat.start_job(jcr.jobid, jcr.start_time)
        sd.run()
        _wait(jcr, [sd])
    finally:
        sd.close()
        sd.wait_end(5)
    jcr.job_files, jcr.job_bytes = jcr.sd_files, jcr.sd_bytes
    jcr.fd_status = jcr.sd_status
    jcr.status = _status(jcr, jcr.sd_status)
