"""Retention: pruning and purging catalog records, and volume recycling.

The logic behind the console's ``prune``/``purge`` commands, the auto prune
at the end of a backup job and the volume choice for a Storage Daemon's
``FindMedia`` request (Bareos's ua_prune.cc, ua_purge.cc, autoprune.cc,
recycle.cc and next_vol.cc semantics).

Every function reports through a *reporter*: an object with ``send_msg``,
``info_msg``, ``warning_msg`` and ``error_msg`` taking one text each.  A
console's ``UaContext`` is one; ``JobReporter`` sends the texts into a
job's messages.  The catalog is the ``bareos.cats`` API; records are its
dicts keyed by Bareos's column names.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Iterable

from bareos.cats import parse_time
from bareos.lib import jmsg
from bareos.lib.edit import edit_uint64_with_commas

log = logging.getLogger("bareos.dird.retention")

VOL_ARCHIVED = 2
PURGEABLE_STATUSES = ("Append", "Full", "Used", "Error")

# One puller from a Scratch pool at a time (Bareos's scratch_volume_mutex).
_scratch_lock = threading.Lock()


def edit_utime(val: int) -> str:
    """Bareos's edit_utime: ``6 months ``, ``1 year 5 days ``, ``30 secs``."""
    val = int(val)
    out = ""
    for mult, mod in ((31536000, "year"), (2592000, "month"), (86400, "day"),
                      (3600, "hour"), (60, "min")):
        times, val = divmod(val, mult)
        if times > 0:
            out += f"{times} {mod}{'s' if times > 1 else ''} "
    if val == 0 and not out:
        out = "0 secs"
    elif val != 0:
        out += f"{val} sec{'s' if val > 1 else ''}"
    return out


class JobReporter:
    """Reporter that writes into a job's messages (Bareos's UA of a job)."""

    def __init__(self, jcr):
        self.jcr = jcr
        self.jobid = getattr(jcr, "jobid", 0)

    def send_msg(self, text: str) -> None:
        self.jcr.msg(jmsg.M_INFO, text)

    info_msg = send_msg

    def warning_msg(self, text: str) -> None:
        self.jcr.msg(jmsg.M_WARNING, text)

    def error_msg(self, text: str) -> None:
        self.jcr.msg(jmsg.M_ERROR, text)


class ListReporter:
    """Reporter that collects the texts (tests, callers without a console)."""

    def __init__(self, jobid: int = 0):
        self.jobid = jobid
        self.lines: list[tuple[str, str]] = []

    def send_msg(self, text: str) -> None:
        self.lines.append(("send", text))

    def info_msg(self, text: str) -> None:
        self.lines.append(("info", text))

    def warning_msg(self, text: str) -> None:
        self.lines.append(("warning", text))

    def error_msg(self, text: str) -> None:
        self.lines.append(("error", text))

    @property
    def text(self) -> str:
        return "".join(t for _, t in self.lines)


# ------------------------------------------------------------------ helpers


def _query(cat, sql: str, params: Iterable[Any] = ()) -> list[tuple]:
    with cat.transaction() as tx:
        return tx.query(sql, list(params))


def _ints(rows) -> list[int]:
    return [int(r[0]) for r in rows]


def _i(media: dict, key: str) -> int:
    v = media.get(key)
    try:
        return int(v) if v not in (None, "") else 0
    except (TypeError, ValueError):
        return 0


def _time(value) -> float:
    """A catalog time (text or number) as Unix time, 0 for none."""
    if value in (None, "", 0):
        return 0.0
    if isinstance(value, (int, float)):
        return float(value)
    t = parse_time(str(value))
    return float(t or 0.0)


def exclude_jobids(jobids: Iterable[int], exclude: Iterable[int]) -> list[int]:
    skip = {int(j) for j in exclude if j}
    out = []
    for j in jobids:
        if j and j not in skip and j not in out:
            out.append(j)
    return out


def running_jobids(director) -> list[int]:
    if director is None:
        return []
    try:
        return [int(j.jobid) for j in director.running_jobs()]
    except Exception:  # pragma: no cover - a Director without a job engine
        return []


def purge_job_list(cat, r, jobids: list[int], own_jobid: int = 0) -> list[int]:
    """Bareos's PurgeJobListFromCatalog: delete the jobs with all their records."""
    jobids = exclude_jobids(jobids, [own_jobid])
    if not jobids:
        r.send_msg("No jobids found to be purged\n")
        return []
    r.send_msg(f"Purging the following {len(jobids)} JobIds: {','.join(map(str, jobids))}\n")
    with cat.transaction() as tx:
        for jid in jobids:
            cat.delete_job(jid)
        # copies and migrations no longer point at deleted jobs
        marks = ",".join("?" for _ in jobids)
        tx.execute(f"UPDATE Job SET PriorJobId = 0 WHERE PriorJobId IN ({marks})", jobids)
    return jobids


def purge_files_from_jobs(cat, jobids: Iterable[int], own_jobid: int = 0) -> list[int]:
    jobids = exclude_jobids(jobids, [own_jobid])
    with cat.transaction():
        for jid in jobids:
            cat.purge_files(jid)
    return jobids


# ------------------------------------------------------------------ prune files / jobs


def _filter(client_name: str | None, pool_name: str | None, period: int, now: float):
    joins, where, params = "", " AND JobTDate < ?", [int(now - period)]
    if client_name:
        joins += " JOIN Client USING (ClientId)"
        where += " AND Client.Name = ?"
        params.append(client_name)
    if pool_name:
        joins += " JOIN Pool USING (PoolId)"
        where += " AND Pool.Name = ?"
        params.append(pool_name)
    return joins, where, params


def prune_files(cat, r, client_name: str, period: int, pool_name: str | None = None, *,
                now: float | None = None, exclude: Iterable[int] = (), verbose: bool = False) -> list[int]:
    """Bareos's PruneFiles: drop the File records of jobs older than *period*.

    Returns the JobIds whose files were purged."""
    now = time.time() if now is None else now
    joins, where, params = _filter(client_name, pool_name, period, now)
    r.send_msg("Begin pruning Files.\n")
    jobids = _ints(_query(cat, f"SELECT JobId FROM Job{joins} WHERE PurgedFiles = 0{where} "
                               "ORDER BY JobId", params))
    if not jobids:
        if verbose:
            r.warning_msg("No Files found to prune.\n")
        return []
    done = purge_files_from_jobs(cat, exclude_jobids(jobids, exclude))
    r.info_msg(f"Pruned Files from {edit_uint64_with_commas(len(done))} Jobs for client "
               f"{client_name} from catalog.\n")
    return done


def prune_jobs(cat, r, client_name: str, period: int, pool_name: str | None = None, *,
               config=None, now: float | None = None, exclude: Iterable[int] = (),
               own_jobid: int = 0) -> list[int]:
    """Bareos's PruneJobs: delete jobs older than *period*, but never the jobs
    a current restore or accurate backup of a FileSet needs (the last Full,
    Differential and Incrementals), nor the last Verify InitCatalog.

    *config* (the Director) decides which jobs, filesets and clients still
    exist; only for those are the needed jobs kept.  Returns the JobIds
    deleted."""
    now = time.time() if now is None else now
    joins, where, params = _filter(client_name, pool_name, period, now)
    r.send_msg(f"Begin pruning Jobs older than {edit_utime(period)}.\n")
    rows = _query(cat, f"SELECT JobId, JobFiles FROM Job{joins} WHERE Type NOT IN ('A'){where} "
                       "ORDER BY JobId", params)
    candidates = {int(j): int(f or 0) for j, f in rows}
    keep: set[int] = set()
    if candidates:
        ids = ",".join(str(j) for j in candidates)
        combos = _query(cat, "SELECT DISTINCT Job.Name, FileSet.FileSet, Client.Name, Job.FileSetId, "
                             "Job.ClientId, Job.Type FROM Job JOIN Client USING (ClientId) "
                             "JOIN FileSet ON (Job.FileSetId = FileSet.FileSetId) "
                             f"WHERE Job.JobId IN ({ids}) AND Job.Type IN ('B') "
                             "AND Job.JobStatus IN ('T', 'W')")
        for job, fileset, client, fsid, cid, jtype in combos:
            if config is not None and (config.get("Job", job) is None
                                       or config.get("FileSet", fileset) is None
                                       or config.get("Client", client) is None):
                continue
            keep.update(cat.accurate_jobids(int(cid), int(fsid), "I"))
        last_verify = _query(cat, f"SELECT JobId FROM Job{joins} WHERE Type = 'V' AND Level = 'V'"
                                  f"{where} ORDER BY JobTDate DESC LIMIT 1", params)
        keep.update(_ints(last_verify))
        if keep:
            marks = ",".join(str(j) for j in keep)
            keep.update(_ints(_query(cat, f"SELECT DISTINCT BaseJobId FROM BaseFiles "
                                          f"WHERE JobId IN ({marks})")))
    prune = [j for j in sorted(candidates) if not (j in keep and candidates[j] != 0)]
    prune = exclude_jobids(prune, exclude)
    deleted = purge_job_list(cat, r, prune, own_jobid)
    if deleted:
        r.info_msg(f"Pruned {len(deleted)} {'Job' if len(deleted) == 1 else 'Jobs'} for client "
                   f"{client_name} from catalog.\n")
    return deleted


def prune_stats(cat, r, retention: int, now: float | None = None) -> None:
    """Bareos's PruneStats: JobHisto, DeviceStats and JobStats rows older than *retention*."""
    now = time.time() if now is None else now
    limit = int(now - retention)
    stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(limit))
    with cat.transaction() as tx:
        tx.execute("DELETE FROM JobHisto WHERE JobTDate < ?", [limit])
    r.info_msg("Pruned Jobs from JobHisto in catalog.\n")
    with cat.transaction() as tx:
        tx.execute("DELETE FROM DeviceStats WHERE SampleTime < ?", [stamp])
    r.info_msg("Pruned Statistics from DeviceStats in catalog.\n")
    with cat.transaction() as tx:
        tx.execute("DELETE FROM JobStats WHERE SampleTime < ?", [stamp])
    r.info_msg("Pruned Statistics from JobStats in catalog.\n")


# ------------------------------------------------------------------ volumes


def volume_prune_candidates(cat, media: dict, *, now: float | None = None,
                            exclude: Iterable[int] = ()) -> list[int]:
    """Jobs on a volume older than its Volume Retention, with the copies and
    migrations made of them (GetPruneCandidatesForVolume)."""
    if _i(media, "Enabled") == VOL_ARCHIVED:
        return []
    now = time.time() if now is None else now
    jobids = _ints(_query(cat, "SELECT DISTINCT JobMedia.JobId FROM JobMedia, Job "
                               "WHERE MediaId = ? AND Job.JobId = JobMedia.JobId "
                               "AND Job.JobTDate < ? ORDER BY JobMedia.JobId",
                          [int(media["MediaId"]), int(now - _i(media, "VolRetention"))]))
    if jobids:
        ids = ",".join(map(str, jobids))
        jobids += _ints(_query(cat, "SELECT JobId FROM Job WHERE Type IN ('C','M') "
                                    f"AND PriorJobId IN ({ids})"))
    return exclude_jobids(jobids, exclude)


def prune_list_for_volume(cat, r, media: dict, **kw) -> list[int]:
    jobids = volume_prune_candidates(cat, media, **kw)
    if jobids:
        r.send_msg(f'Volume "{media["VolumeName"]}" has Volume Retention of '
                   f'{_i(media, "VolRetention")} sec. and has {len(jobids)} jobs that will be pruned\n')
    return jobids


def has_volume_expired(cat, r, media: dict, now: float | None = None) -> bool:
    """An Append volume that reached Maximum Volume Bytes/Jobs/Files or its
    Volume Use Duration is marked Full or Used (HasVolumeExpired).  *media*
    is updated in place."""
    if media.get("VolStatus") != "Append" or _i(media, "VolJobs") <= 0:
        return False
    now = time.time() if now is None else now
    name = media["VolumeName"]
    new = None
    if _i(media, "MaxVolBytes") > 0 and _i(media, "VolBytes") >= _i(media, "MaxVolBytes"):
        r.info_msg(f"Max Volume bytes={edit_uint64_with_commas(_i(media, 'MaxVolBytes'))} exceeded. "
                   f'Marking Volume "{name}" as Full.\n')
        new = "Full"
    elif _i(media, "MaxVolJobs") > 0 and _i(media, "MaxVolJobs") <= _i(media, "VolJobs"):
        r.info_msg(f"Max Volume jobs={edit_uint64_with_commas(_i(media, 'MaxVolJobs'))} exceeded. "
                   f'Marking Volume "{name}" as Used.\n')
        new = "Used"
    elif _i(media, "MaxVolFiles") > 0 and _i(media, "MaxVolFiles") <= _i(media, "VolFiles"):
        r.info_msg(f"Max Volume files={edit_uint64_with_commas(_i(media, 'MaxVolFiles'))} exceeded. "
                   f'Marking Volume "{name}" as Used.\n')
        new = "Used"
    elif _i(media, "VolUseDuration") > 0:
        if _i(media, "VolUseDuration") <= now - _time(media.get("FirstWritten")):
            r.info_msg("Max configured use duration="
                       f"{edit_uint64_with_commas(_i(media, 'VolUseDuration'))} sec. exceeded. "
                       f'Marking Volume "{name}" as Used.\n')
            new = "Used"
    if new is None:
        return False
    media["VolStatus"] = new
    try:
        cat.update_media(int(media["MediaId"]), VolStatus=new)
    except Exception as exc:
        r.error_msg(f'Catalog error updating volume "{name}". ERR={exc}\n')
    return True


def mark_media_purged(cat, r, media: dict) -> bool:
    """Bareos's MarkMediaPurged: VolStatus Purged, moved to its Recycle Pool."""
    status = media.get("VolStatus")
    if status not in PURGEABLE_STATUSES:
        r.error_msg(f"Cannot purge Volume with VolStatus={status}\n")
        return status == "Purged"
    mid = int(media["MediaId"])
    cat.update_media(mid, VolStatus="Purged")
    media["VolStatus"] = "Purged"
    from bareos.plugins import dir as dirplugins
    dirplugins.volume_purged(getattr(r, "jcr", None), media["VolumeName"])
    rpid, pid = _i(media, "RecyclePoolId"), _i(media, "PoolId")
    if rpid and rpid != pid:
        newpool = cat.get_pool(pool_id=rpid)
        if newpool is not None:
            if _i(newpool, "MaxVols") > 0 and _i(newpool, "NumVols") >= _i(newpool, "MaxVols"):
                r.error_msg(f'Unable move recycled Volume in full Pool "{newpool["Name"]}" '
                            f'MaxVols={_i(newpool, "MaxVols")}\n')
            else:
                move_volume_to_pool(cat, media, newpool)
    if getattr(r, "jobid", 0):
        r.send_msg(f'All records pruned from Volume "{media["VolumeName"]}"; marking it "Purged"\n')
    return True


def move_volume_to_pool(cat, media: dict, pool: dict) -> None:
    """Put a volume into another pool, taking the pool's defaults (UpdateVolPool)."""
    fields = {"PoolId": int(pool["PoolId"])}
    for col in ("VolRetention", "VolUseDuration", "MaxVolJobs", "MaxVolFiles", "MaxVolBytes",
                "Recycle", "ActionOnPurge", "RecyclePoolId", "ScratchPoolId"):
        if col in pool:
            fields[col] = _i(pool, col)
    cat.update_media(int(media["MediaId"]), **fields)
    media.update(fields)


def is_volume_purged(cat, r, media: dict, force: bool = False) -> bool:
    """True when no job is left on the volume; then it is marked Purged."""
    if not force and (not media.get("FirstWritten") or not media.get("LastWritten")):
        return False
    if media.get("VolStatus") == "Purged":
        return True
    left = _query(cat, "SELECT 1 FROM JobMedia WHERE MediaId = ? LIMIT 1", [int(media["MediaId"])])
    if left:
        return False
    r.warning_msg(f'There are no more Jobs associated with Volume "{media["VolumeName"]}". '
                  "Marking it purged.\n")
    return mark_media_purged(cat, r, media)


def prune_volume(cat, r, media: dict, *, now: float | None = None,
                 exclude: Iterable[int] = (), own_jobid: int = 0) -> bool:
    """Bareos's PruneVolume: delete the expired jobs of a Full/Used volume.
    True when the volume holds no job any more (it is then Purged)."""
    if _i(media, "Enabled") == VOL_ARCHIVED:
        return False
    name = media["VolumeName"]
    empty = not media.get("FirstWritten") and not media.get("LastWritten")
    if media.get("VolStatus") in ("Full", "Used") or has_volume_expired(cat, r, media, now):
        if empty:
            r.send_msg(f'Volume "{name}" seems to be empty.  Make sure that it is not currently in '
                       f"use, then call 'purge volume=\"{name}\"'")
            return False
        jobids = prune_list_for_volume(cat, r, media, now=now, exclude=exclude)
        r.send_msg(f"Pruning volume {name}: {len(jobids)} Jobs have expired and can be pruned.\n")
        if jobids:
            purge_job_list(cat, r, jobids, own_jobid)
        purged = is_volume_purged(cat, r, media)
        if purged:
            r.send_msg(f'Volume "{name}" contains no jobs after pruning.\n')
        else:
            r.send_msg(f'Volume "{name}" still contains jobs after pruning.\n')
        return purged
    r.send_msg(f"Pruning volume {name}: cannot prune as Volstatus is {media.get('VolStatus')} "
               "but needs to be Full or Used.\n")
    return False


def purge_jobs_from_volume(cat, r, media: dict, *, confirm=lambda: True, force: bool = True,
                           jobstatus: list[str] | None = None, jobids: list[int] | None = None,
                           own_jobid: int = 0) -> bool:
    """Bareos's PurgeJobsFromVolume: delete every job (or the given ones, or
    those with a job status) of the volume and mark it Purged when empty."""
    name = media["VolumeName"]
    if media.get("VolStatus") not in PURGEABLE_STATUSES:
        r.error_msg(f'\nVolume "{name}" has VolStatus "{media.get("VolStatus")}" and cannot be purged.\n'
                    "The VolStatus must be: Append, Full, Used or Error to be purged.\n")
        return False
    mid = int(media["MediaId"])
    if jobids:
        lst = list(jobids)
    elif jobstatus:
        marks = ",".join("?" for _ in jobstatus)
        lst = _ints(_query(cat, "SELECT DISTINCT JobMedia.JobId FROM JobMedia, Job "
                                "WHERE JobMedia.MediaId = ? AND Job.JobId = JobMedia.JobId "
                                f"AND Job.JobStatus IN ({marks}) ORDER BY JobMedia.JobId",
                           [mid] + list(jobstatus)))
    else:
        lst = cat.get_volume_jobids(mid)
    if not lst:
        r.warning_msg(f"No Jobs found for media {name} to purge from catalog.\n")
    else:
        r.info_msg(f'Found {len(lst)} Jobs for media "{name}" in catalog.\n')
        if not confirm():
            r.info_msg("Purge canceled.\n")
        else:
            lst = exclude_jobids(lst, [own_jobid])
            with cat.transaction():
                for jid in lst:
                    cat.delete_job(jid)
            r.info_msg(f'{len(lst)} Jobs{"" if len(lst) <= 1 else "s"} on Volume "{name}" '
                       "purged from catalog.\n")
    return is_volume_purged(cat, r, media, force)


def recycle_volume(cat, media: dict) -> bool:
    """Bareos's RecycleVolume: reset the counters, VolStatus Recycle."""
    fields = dict(VolStatus="Recycle", VolJobs=0, VolFiles=0, VolBlocks=0, VolErrors=0, VolBytes=1,
                  FirstWritten=None, LastWritten=None, RecycleCount=_i(media, "RecycleCount") + 1)
    cat.update_media(int(media["MediaId"]), **fields)
    media.update(fields)
    return True


# ------------------------------------------------------------------ finding a volume


@dataclass
class VolumeRequest:
    """What FindNextVolumeForAppend needs about the job."""

    pool: dict                          # the Pool row
    media_type: str
    pool_res: Any = None                # the Pool resource (Purge/Recycle Oldest Volume)
    job_res: Any = None                 # the Job resource (Prune Volumes)
    storage_id: int = 0
    index: int = 1
    unwanted: list = field(default_factory=list)
    create: bool = True
    prune: bool = True
    own_jobid: int = 0
    exclude_jobids: list = field(default_factory=list)   # running jobs


def _res_bool(res, key: str, default: bool = False) -> bool:
    if res is None:
        return default
    try:
        return bool(res.get(key, default))
    except Exception:
        return default


def _select_volume(cat, pool_id: int, media_type: str, status: str, *, index: int = 1,
                   unwanted=(), recyclable: bool = False) -> dict | None:
    sql = ("SELECT MediaId, VolumeName FROM Media WHERE PoolId = ? AND MediaType = ? "
           "AND Enabled = 1 AND VolStatus = ?")
    if recyclable:
        sql += " AND Recycle = 1 ORDER BY (LastWritten IS NOT NULL), LastWritten, MediaId"
    else:
        sql += " ORDER BY (LastWritten IS NULL), LastWritten DESC, MediaId"
    n = 0
    for mid, name in _query(cat, sql, [pool_id, media_type, status]):
        if name in unwanted:
            continue
        n += 1
        if n >= index:
            return cat.get_media(media_id=int(mid))
    return None


def _oldest_volume(cat, pool_id: int, media_type: str, unwanted=()) -> dict | None:
    rows = _query(cat, "SELECT MediaId, VolumeName FROM Media WHERE PoolId = ? AND MediaType = ? "
                       "AND VolStatus IN ('Unlabeled','Full','Recycle','Purged','Used','Append') "
                       "AND Enabled = 1 ORDER BY (LastWritten IS NOT NULL), LastWritten, MediaId",
                  [pool_id, media_type])
    for mid, name in rows:
        if name not in unwanted:
            return cat.get_media(media_id=int(mid))
    return None


def recycle_oldest_purged_volume(cat, r, req: VolumeRequest) -> dict | None:
    media = _select_volume(cat, int(req.pool["PoolId"]), req.media_type, "Purged",
                           unwanted=req.unwanted, recyclable=True)
    if media is not None and recycle_volume(cat, media):
        r.info_msg(f'Recycled volume "{media["VolumeName"]}"\n')
        return media
    return None


def prune_volumes(cat, r, req: VolumeRequest, now: float | None = None) -> dict | None:
    """Bareos's PruneVolumes (autoprune.cc): prune the Full/Used volumes of the
    pool (and those recycling into it), oldest first, until one is purged and
    recyclable.  Only when the pool has Auto Prune (or the job Prune Volumes)."""
    if not (_res_bool(req.job_res, "Prune Volumes") or _i(req.pool, "AutoPrune")):
        return None
    pid = int(req.pool["PoolId"])
    pools = [pid]
    scratch = cat.get_pool(name="Scratch")
    if scratch is not None:
        pools.append(int(scratch["PoolId"]))
    if _i(req.pool, "ScratchPoolId"):
        pools.append(_i(req.pool, "ScratchPoolId"))
    marks = ",".join("?" for _ in pools)
    ids = _ints(_query(cat, "SELECT DISTINCT MediaId, LastWritten FROM Media WHERE "
                            f"(PoolId = ? OR RecyclePoolId IN ({marks})) AND MediaType = ? "
                            "ORDER BY LastWritten ASC, MediaId", [pid] + pools + [req.media_type]))
    for mid in ids:
        media = cat.get_media(media_id=mid)
        if media is None or _i(media, "Enabled") == VOL_ARCHIVED:
            continue
        if media.get("VolStatus") not in ("Full", "Used"):
            continue
        jobids = prune_list_for_volume(cat, r, media, now=now, exclude=req.exclude_jobids)
        if jobids:
            purge_job_list(cat, r, jobids, req.own_jobid)
        if not is_volume_purged(cat, r, media):
            continue
        if not _i(media, "Recycle"):
            continue
        if has_volume_expired(cat, r, media, now):
            continue
        if _i(media, "PoolId") == pid:
            return media
    return None


def get_scratch_volume(cat, r, req: VolumeRequest) -> dict | None:
    """Take an Append, Recycle or Purged volume from the Scratch pool into the
    job's pool (GetScratchVolume)."""
    with _scratch_lock:
        spr = cat.get_pool(pool_id=_i(req.pool, "ScratchPoolId")) if _i(req.pool, "ScratchPoolId") \
            else None
        if spr is None:
            spr = cat.get_pool(name="Scratch")
        if spr is None or int(spr["PoolId"]) == int(req.pool["PoolId"]):
            return None
        sreq = VolumeRequest(pool=spr, media_type=req.media_type)
        smr = _select_volume(cat, int(spr["PoolId"]), req.media_type, "Append")
        if smr is None:
            smr = _select_volume(cat, int(spr["PoolId"]), req.media_type, "Recycle", recyclable=True)
        if smr is None:
            smr = recycle_oldest_purged_volume(cat, r, sreq)
        if smr is None:
            return None
        pr = cat.get_pool(pool_id=int(req.pool["PoolId"]))
        if _i(pr, "MaxVols") > 0 and _i(pr, "NumVols") >= _i(pr, "MaxVols"):
            r.warning_msg(f'Unable add Scratch Volume, Pool "{pr["Name"]}" full MaxVols='
                          f'{_i(pr, "MaxVols")}\n')
            return None
        keep_recycle_pool = _i(smr, "RecyclePoolId")
        move_volume_to_pool(cat, smr, pr)
        cat.update_media(int(smr["MediaId"]), RecyclePoolId=keep_recycle_pool)
        r.info_msg(f"Using Volume \"{smr['VolumeName']}\" from 'Scratch' pool.\n")
        return cat.get_media(media_id=int(smr["MediaId"]))


def new_volume_name(cat, pool: dict) -> str | None:
    """A volume name from the pool's Label Format: the format followed by a
    4-digit number (the pool's volume count + 1), skipping names in use."""
    fmt = pool.get("LabelFormat") or ""
    if not fmt or fmt == "*":
        return None
    n = _i(pool, "NumVols") + 1
    while True:
        name = f"{fmt}{n:04d}"
        if cat.get_media(volume_name=name) is None:
            return name
        n += 1


def create_new_volume(cat, r, req: VolumeRequest) -> dict | None:
    """Bareos's newVolume: a catalog record from the pool's Label Format."""
    pool = cat.get_pool(pool_id=int(req.pool["PoolId"])) or req.pool
    max_vols = _i(pool, "MaxVols")
    if max_vols and _i(pool, "NumVols") >= max_vols:
        return None
    name = new_volume_name(cat, pool)
    if name is None:
        return None
    cols = {"VolStatus": "Append"}
    if req.storage_id:
        cols["StorageId"] = req.storage_id
    mid = cat.create_media(name, int(pool["PoolId"]), req.media_type, **cols)
    r.info_msg(f'Created new Volume "{name}" in catalog.\n')
    from bareos.plugins import dir as dirplugins
    dirplugins.generate_event(getattr(r, "jcr", None), dirplugins.bDirEventNewVolume)
    return cat.get_media(media_id=mid)


def find_next_volume_for_append(cat, r, req: VolumeRequest, now: float | None = None) -> dict | None:
    """Bareos's FindNextVolumeForAppend: the volume a job writes next.

    In order: an Append volume (the *index*-th), an Unlabeled one, a Recycle
    one, the oldest Purged one (recycled), then pruning the pool's expired
    volumes and recycling the oldest purged, a volume from the Scratch pool,
    a new volume from the Label Format, and at last Purge Oldest Volume /
    Recycle Oldest Volume.  An Append volume over its limits is marked
    Full/Used and the search starts again."""
    pid = int(req.pool["PoolId"])
    for _retry in range(200):
        media = _select_volume(cat, pid, req.media_type, "Append", index=req.index, unwanted=req.unwanted)
        if media is None:
            media = _select_volume(cat, pid, req.media_type, "Unlabeled", index=req.index,
                                   unwanted=req.unwanted)
        if media is None:
            media = _select_volume(cat, pid, req.media_type, "Recycle", unwanted=req.unwanted,
                                   recyclable=True)
            if media is None:
                media = recycle_oldest_purged_volume(cat, r, req)
            if media is None:
                if req.prune:
                    prune_volumes(cat, r, req, now)
                media = recycle_oldest_purged_volume(cat, r, req)
                if media is None and req.create:
                    media = get_scratch_volume(cat, r, req)
            if media is None and req.create:
                media = create_new_volume(cat, r, req)
            purge_oldest = _res_bool(req.pool_res, "Purge Oldest Volume")
            recycle_oldest = _res_bool(req.pool_res, "Recycle Oldest Volume")
            if media is None and (purge_oldest or recycle_oldest):
                oldest = _oldest_volume(cat, pid, req.media_type, req.unwanted)
                if oldest is not None and req.prune:
                    ok = False
                    if purge_oldest and req.create:
                        r.info_msg(f'Purging oldest volume "{oldest["VolumeName"]}"\n')
                        ok = purge_jobs_from_volume(cat, r, oldest, own_jobid=req.own_jobid)
                    elif recycle_oldest:
                        r.info_msg(f'Pruning oldest volume "{oldest["VolumeName"]}"\n')
                        ok = prune_volume(cat, r, oldest, now=now, exclude=req.exclude_jobids,
                                          own_jobid=req.own_jobid)
                    if ok and recycle_volume(cat, oldest):
                        media = oldest
        if media is not None and media.get("VolStatus") == "Append" and \
                has_volume_expired(cat, r, media, now):
            continue
        return media
    r.error_msg("We seem to be looping trying to find the next volume. I give up.\n")
    return None


def check_volume_for_writing(cat, r, media: dict, pool_res=None, *, now: float | None = None,
                             exclude: Iterable[int] = (), own_jobid: int = 0) -> str | None:
    """Bareos's CheckIfVolumeValidOrRecyclable: None when the job may write
    the volume (recycling a Purged one, or with Recycle Current Volume
    pruning a Full/Used one), else the reason for the SD."""
    now = time.time() if now is None else now
    reason = None
    if media.get("VolStatus") == "Append" and has_volume_expired(cat, r, media, now):
        reason = "volume has expired"
    if media.get("VolStatus") in ("Unlabeled", "Append", "Recycle"):
        return None
    if media.get("VolStatus") == "Purged":
        if recycle_volume(cat, media):
            r.info_msg(f'Recycled current volume "{media["VolumeName"]}"\n')
            return None
        return "and recycling of current volume failed"
    reason = "but should be Append, Purged or Recycle"
    if not _i(media, "Recycle"):
        return "volume has recycling disabled"
    if (_time(media.get("LastWritten")) + _i(media, "VolRetention") - 60) < now \
            and _res_bool(pool_res, "Recycle Current Volume") \
            and media.get("VolStatus") in ("Full", "Used"):
        if prune_volume(cat, r, media, now=now, exclude=exclude, own_jobid=own_jobid):
            if recycle_volume(cat, media):
                r.info_msg(f'Recycled current volume "{media["VolumeName"]}"\n')
                return None
            return ("but should be Append, Purged or Recycle (recycling of the current volume "
                    "failed)")
        return ("but should be Append, Purged or Recycle (cannot automatically recycle current "
                "volume, as it still contains unpruned data or the Volume Retention time has not "
                "expired.)")
    return reason


# ------------------------------------------------------------------ auto prune


def client_retention(client_res, pool_res, kind: str) -> int:
    """The File/Job Retention that applies: the Pool's when set, else the Client's."""
    directive = f"{kind} Retention"
    if pool_res is not None:
        v = pool_res.get(directive)
        if v:
            return int(v)
    return int(client_res.get(directive) or 0)


def do_autoprune(jcr) -> bool:
    """Bareos's DoAutoprune at the end of a good backup: prune the client's
    jobs and files when the Client has Auto Prune (or the Job Prune Jobs /
    Prune Files).  Returns True when something was pruned."""
    client, job, pool = jcr.client, jcr.job_res, jcr.pool
    if client is None:
        return False
    d = jcr.director
    cat = d.catalog
    r = JobReporter(jcr)
    auto = bool(client.get("Auto Prune", False))
    running = running_jobids(d)
    pool_for_period = pool
    pruned = False
    if _res_bool(job, "Prune Jobs") or auto:
        prune_jobs(cat, r, client.name, client_retention(client, pool_for_period, "Job"),
                   pool_name=_pool_filter(pool), config=d, exclude=running, own_jobid=jcr.jobid)
        pruned = True
    if _res_bool(job, "Prune Files") or auto:
        prune_files(cat, r, client.name, client_retention(client, pool_for_period, "File"),
                    pool_name=_pool_filter(pool), exclude=running)
        pruned = True
    if pruned:
        jcr.info("End auto prune.\n\n")
    return pruned


def _pool_filter(pool_res) -> str | None:
    """Bareos passes the job's pool to PruneJobs/PruneFiles: its name filters
    the jobs (the pool's retention is used when it has one)."""
    return pool_res.name if pool_res is not None else None
