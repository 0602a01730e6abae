"""`list` and `llist`: catalog listings (jobs, volumes, pools, clients,
filesets, files, job logs, job media, totals, copies, backups, ...).

The keywords, filters, queries and output follow Bareos's DoListCmd; the
printing (tables, vertical lists, ACL filtering) is `bareos.dird.listfmt`.
"""

from __future__ import annotations

import time

from bareos.cats.catalog import format_interval, parse_time
from bareos.lib import jobcodes

from .. import acl
from ..listfmt import HORZ, NF, RAW, VERT, ListFilters, Result, list_query, list_result, query

DEFAULT_LOG_LINES = 5
DEFAULT_NUMBER_OF_DAYS = 50


def list_cmd(ua) -> bool:
    return do_list(ua, HORZ)


def llist_cmd(ua) -> bool:
    return do_list(ua, VERT)


# ------------------------------------------------------------------ helpers


class _Opts:
    def __init__(self):
        self.count = self.last = self.current = self.enabled = self.disabled = False
        self.jobstatus: list[str] = []
        self.levels: list[str] = []
        self.jobtypes: list[str] = []


_STATUS_WORDS = {"terminated": "T", "warnings": "W", "canceled": "A", "running": "R",
                 "error": "E", "fatal": "f"}
_LEVEL_WORDS = {"full": "F", "differential": "D", "incremental": "I"}


def _one_letter(s: str) -> bool:
    return len(s) == 1 and "A" <= s <= "z"


def _parse_opts(ua) -> _Opts | None:
    o = _Opts()
    o.current = ua.find_arg("current") >= 0
    o.enabled = ua.find_arg("enabled") >= 0
    o.disabled = ua.find_arg("disabled") >= 0
    o.count = ua.find_arg("count") >= 0
    o.last = ua.find_arg("last") >= 0
    v = ua.arg_value("jobstatus")
    if v is not None:
        ok = bool(v)
        for s in v.split(",") if v else []:
            if _one_letter(s):
                o.jobstatus.append(s)
            elif s.lower() in _STATUS_WORDS:
                o.jobstatus.append(_STATUS_WORDS[s.lower()])
            else:
                ok = False
        if not ok:
            ua.error_msg("invalid jobstatus parameter\n")
            return None
    v = ua.arg_value("joblevel")
    if v is None:
        v = ua.arg_value("level")
    if v is not None:
        for s in v.split(","):
            if _one_letter(s):
                o.levels.append(s)
            elif s.lower() in _LEVEL_WORDS:
                o.levels.append(_LEVEL_WORDS[s.lower()])
            else:
                ua.error_msg("invalid joblevel parameter\n")
                return None
    v = ua.arg_value("jobtype")
    if v is not None:
        for s in v.split(","):
            code = None
            for name, c in jobcodes.JOB_TYPES:
                if (len(s) == 1 and s == c) or (len(s) != 1 and s == name):
                    code = c
                    break
            if code is None:
                ua.warning_msg(f"Illegal jobtype {s}\n")
                ua.error_msg("invalid jobtype parameter\n")
                return None
            o.jobtypes.append(code)
    return o


def _int(text: str | None, default: int = 0) -> int:
    if text is None:
        return default
    text = text.strip()
    digits = ""
    for i, c in enumerate(text):
        if c.isdigit() or (i == 0 and c in "+-"):
            digits += c
        else:
            break
    try:
        return int(digits)
    except ValueError:
        return default


def _set_query_range(ua, filters: ListFilters) -> str:
    rng = ""
    limit = ua.arg_value("limit")
    if limit is not None:
        n = _int(limit) if limit.strip().isdigit() else 0
        filters.limit(n)
        rng += f" LIMIT {n}"
        offset = ua.arg_value("offset")
        if offset is not None:
            m = _int(offset) if offset.strip().isdigit() else 0
            filters.offset(m)
            rng += f" OFFSET {m}"
    return rng


def _cat(ua):
    return ua.director.catalog


def jobid_from_cmdline(ua) -> int:
    """>0: the job's id; 0: no jobid=/ujobid= given; -1: unknown or not allowed."""
    cat = _cat(ua)
    ujob = ua.arg_value("ujobid")
    if ujob is not None:
        job = cat.get_job(job=ujob)
    else:
        jid = ua.arg_value("jobid")
        if jid is None:
            return 0
        n = _int(jid)
        job = cat.get_job(n) if n > 0 else None
    if job is None:
        return -1
    if not ua.acl_access_ok(acl.JOB, job.get("Name") or ""):
        return -1
    if job.get("ClientId"):
        client = cat.get_client(client_id=job["ClientId"])
        if client is None or not ua.acl_access_ok(acl.CLIENT, client["Name"]):
            return -1
    return int(job["JobId"])


def client_arg_from_database(ua) -> int:
    """Index of a valid client= argument, 0 when none, -1 on error."""
    i = ua.find_arg_with_value("client")
    if i < 0:
        return 0
    name = ua.argv[i]
    ok, msg = acl.is_name_valid(name)
    if not ok:
        ua.error_msg(f"{ua.argk[i]} argument: {msg}")
        return -1
    if _cat(ua).get_client(name) is None:
        ua.error_msg(f"invalid {ua.argk[i]} argument: {name}\n")
        return -1
    if not ua.acl_access_ok(acl.CLIENT, name):
        return -1
    return i


def _in_list(col: str, values, params: list) -> str:
    params.extend(values)
    return f"AND {col} IN ({', '.join('?' for _ in values)}) "


def _fill_duration(res: Result) -> None:
    """Compute the ``duration`` column as PostgreSQL's interval text."""
    si, di, ei = res.index("starttime"), res.index("duration"), res.index("endtime_")
    now = time.time()
    for r in res.rows:
        start = parse_time(r[si]) if r[si] else None
        if start is None:
            r[di] = None
            continue
        end = parse_time(r[ei]) if r[ei] else None
        if end is None or end < start:
            end = float(int(now))
        r[di] = format_interval(end - start)
    res.drop("endtime_")


_JOBS_SHORT = (
    "SELECT Job.JobId, Job.Name, Client.Name AS Client, Job.StartTime, '' AS Duration, "
    "Job.Type, Job.Level, Job.JobFiles, Job.JobBytes, Job.JobStatus, Job.EndTime AS endtime_ "
)
_JOBS_LONG = (
    "SELECT Job.JobId, Job.Job, Job.Name, Job.PurgedFiles, Job.Type, Job.Level, "
    "Job.ClientId, Client.Name AS Client, Job.JobStatus, Job.SchedTime, Job.StartTime, "
    "Job.EndTime, Job.RealEndTime, '' AS Duration, Job.JobTDate, Job.VolSessionId, "
    "Job.VolSessionTime, Job.JobFiles, Job.JobBytes, Job.JobErrors, Job.JobMissingFiles, "
    "Job.PoolId, Pool.Name AS PoolName, Job.PriorJobId, Job.FileSetId, FileSet.FileSet, "
    "Job.EndTime AS endtime_ "
)
_JOBS_FROM = (
    "FROM Job LEFT JOIN Client ON Client.ClientId = Job.ClientId "
    "LEFT JOIN Pool ON Pool.PoolId = Job.PoolId "
    "LEFT JOIN FileSet ON FileSet.FileSetId = Job.FileSetId "
)


def _order(desc: bool) -> str:
    d = " DESC" if desc else ""
    return f" ORDER BY (Job.StartTime IS NULL){d}, Job.StartTime{d}, Job.JobId{d}"


def jobs_query(long: bool, selection: str, params: list, *, last=False, count=False,
               descending=False, rng: str = "", order: str | None = None) -> tuple[str, list]:
    """The SQL of Bareos's list_jobs / list_jobs_long / _last / _count queries."""
    if count:
        return (f"SELECT COUNT(DISTINCT Job.JobId) AS count {_JOBS_FROM}"
                f"WHERE Job.JobId > 0 {selection}{rng}", params)
    head = _JOBS_LONG if long else _JOBS_SHORT
    ordering = order if order is not None else _order(descending)
    if last:
        return (f"{head}{_JOBS_FROM}INNER JOIN (SELECT MAX(Job.JobId) AS MaxJobId {_JOBS_FROM}"
                f"WHERE Job.JobId > 0 {selection}GROUP BY Job.Name) LastJob "
                f"ON Job.JobId = LastJob.MaxJobId{ordering}{rng}", params)
    return f"{head}{_JOBS_FROM}WHERE Job.JobId > 0 {selection}{ordering}{rng}", params


def _run_jobs(ua, sql, params, mode, filters, array="jobs") -> None:
    cat = _cat(ua)
    res = query(cat, sql, params)
    if "endtime_" in [c.name for c in res.columns]:
        _fill_duration(res)
    ua.send.array_start(array)
    list_result(ua, res, mode, filters)
    ua.send.array_end(array)


# ------------------------------------------------------------------ jobs


def _list_jobs(ua, mode, o: _Opts) -> bool:
    k1 = ua.argk[1].lower()
    if k1 == "jobs" and ua.argv[1] is not None:
        ua.error_msg("'list jobs' does not allow an jobs parameter\n")
        return False
    selection = ""
    params: list = []
    name = ua.arg_value("jobname")
    if name is None:
        name = ua.arg_value("job")
    if name is None and k1 in ("job", "jobname"):
        ua.error_msg(f"Missing {ua.argk[1]} parameter\n")
        return False
    jobid = jobid_from_cmdline(ua)
    if jobid > 0:
        selection += "AND Job.JobId = ? "
        params.append(jobid)
    elif jobid < 0:
        ua.send.object_start("jobs")
        ua.send.object_end("jobs")
        return True
    elif k1 in ("jobid", "ujobid"):
        ua.error_msg(f"Missing {ua.argk[1]} parameter\n")
        return False
    if name:
        selection += "AND Job.Name = ? "
        params.append(name)

    schedtime = 0
    now = int(time.time())
    days = ua.arg_value("days")
    if days is not None:
        schedtime = now - 86400 * _int(days)
    hours = ua.arg_value("hours")
    if hours is not None:
        schedtime = now - 3600 * _int(hours)
    ci = client_arg_from_database(ua)
    if ci < 0:
        return False
    if ci > 0:
        selection += "AND Client.Name = ? "
        params.append(ua.argv[ci])
    if o.jobstatus:
        selection += _in_list("Job.JobStatus", o.jobstatus, params)
    if o.levels:
        selection += _in_list("Job.Level", o.levels, params)
    if o.jobtypes:
        selection += _in_list("Job.Type", o.jobtypes, params)
    volume = ua.arg_value("volume")
    if volume is not None:
        selection += ("AND Job.JobId IN (SELECT JobMedia.JobId FROM JobMedia JOIN Media ON "
                      "Media.MediaId = JobMedia.MediaId WHERE Media.VolumeName = ?) ")
        params.append(volume)
    pool = ua.arg_value("pool")
    if pool is not None:
        selection += "AND Job.PoolId = (SELECT PoolId FROM Pool WHERE Name = ? LIMIT 1) "
        params.append(pool)
    if schedtime:
        selection += "AND Job.SchedTime > ? "
        params.append(time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(schedtime)))

    filters = ListFilters(ua)
    if mode == VERT:
        if not o.count:
            filters.acl(2, acl.JOB)
            filters.acl(7, acl.CLIENT)
            filters.acl(22, acl.POOL)
            filters.acl(25, acl.FILESET)
            if o.current:
                filters.resource(2, "Job")
                filters.resource(7, "Client")
                filters.resource(22, "Pool")
                filters.resource(25, "FileSet")
        col = 2
    else:
        if not o.count:
            filters.acl(1, acl.JOB)
            filters.acl(2, acl.CLIENT)
            if o.current:
                filters.resource(1, "Job")
                filters.resource(2, "Client")
        col = 1
    if o.enabled:
        filters.enabled(col, "Job", True)
    if o.disabled:
        filters.enabled(col, "Job", False)
    rng = _set_query_range(ua, filters)
    descending = ua.find_arg("reverse") >= 0
    sql, params = jobs_query(mode == VERT, selection, params, last=o.last, count=o.count,
                             descending=descending, rng=rng)
    _run_jobs(ua, sql, params, mode, filters)
    return True


# ------------------------------------------------------------------ volumes

_VOL_SHORT = (
    "SELECT Media.MediaId, Media.VolumeName, Media.VolStatus, Media.Enabled, "
    "Media.VolBytes, Media.VolFiles, Media.VolRetention, Media.Recycle, Media.Slot, "
    "Media.InChanger, Media.MediaType, Media.LastWritten, Storage.Name AS Storage, "
    "CASE WHEN COALESCE(Media.EncryptionKey, '') = '' THEN 0 ELSE 1 END AS HasEncryptionKey "
    "FROM Media LEFT JOIN Storage ON Storage.StorageId = Media.StorageId"
)
_VOL_LONG = (
    "SELECT Media.MediaId, Media.VolumeName, Media.Slot, Media.PoolId, "
    "(SELECT Name FROM Pool WHERE Pool.PoolId = Media.PoolId) AS Pool, Media.MediaType, "
    "Media.FirstWritten, Media.LastWritten, Media.LabelDate, Media.VolJobs, Media.VolFiles, "
    "Media.VolBlocks, Media.VolMounts, Media.VolBytes, Media.VolErrors, Media.VolWrites, "
    "Media.VolCapacityBytes, Media.VolStatus, Media.Enabled, Media.Recycle, "
    "Media.VolRetention, Media.VolUseDuration, Media.MaxVolJobs, Media.MaxVolFiles, "
    "Media.MaxVolBytes, Media.InChanger, Media.EndFile, Media.EndBlock, Media.LabelType, "
    "Media.StorageId, Media.DeviceId, Media.LocationId, Media.RecycleCount, "
    "Media.InitialWrite, Media.ScratchPoolId, "
    "(SELECT Name FROM Pool WHERE Pool.PoolId = Media.ScratchPoolId) AS ScratchPool, "
    "Media.RecyclePoolId, "
    "(SELECT Name FROM Pool WHERE Pool.PoolId = Media.RecyclePoolId) AS RecyclePool, "
    "CASE WHEN COALESCE(Media.EncryptionKey, '') = '' THEN 0 ELSE 1 END AS HasEncryptionKey, "
    "Media.Comment, Storage.Name AS Storage "
    "FROM Media LEFT JOIN Storage ON Storage.StorageId = Media.StorageId"
)


def list_media_records(ua, mode, *, volume_name=None, pool_id=None, media_id=None,
                       rng="", count=False, filters=None) -> None:
    """Bareos's ListMediaRecords (no JSON container of its own)."""
    params: list = []
    if count:
        sql = "SELECT COUNT(DISTINCT Media.MediaId) AS count FROM Media"
        if volume_name:
            sql += " WHERE VolumeName = ?"
            params.append(volume_name)
        elif pool_id:
            sql += " WHERE Media.PoolId = ?"
            params.append(pool_id)
    else:
        sql = _VOL_LONG if mode == VERT else _VOL_SHORT
        if volume_name:
            sql += " WHERE Media.VolumeName = ?"
            params.append(volume_name)
        elif pool_id:
            sql += f" WHERE Media.PoolId = ? ORDER BY Media.MediaId{rng}"
            params.append(pool_id)
        elif media_id:
            sql += f" WHERE Media.MediaId = ? ORDER BY Media.MediaId{rng}"
            params.append(media_id)
        else:
            sql += f" ORDER BY Media.MediaId{rng}"
    list_result(ua, query(_cat(ua), sql, params), mode, filters)


def _list_media(ua, mode, o: _Opts, filters: ListFilters, rng: str) -> bool:
    cat = _cat(ua)
    out = ua.send
    jobid = jobid_from_cmdline(ua)
    if jobid > 0:
        if mode == VERT:
            sql = ("SELECT JobMedia.JobMediaId, JobMedia.JobId, Media.MediaId, Media.VolumeName "
                   "FROM JobMedia, Media WHERE Media.MediaId = JobMedia.MediaId "
                   "AND JobMedia.JobId = ? ORDER BY JobMedia.JobMediaId")
        else:
            sql = ("SELECT DISTINCT Media.VolumeName FROM JobMedia, Media "
                   "WHERE Media.MediaId = JobMedia.MediaId AND JobMedia.JobId = ? "
                   "ORDER BY Media.VolumeName")
        list_query(ua, cat, sql, [jobid], mode, "volumes")
        return True
    if jobid < 0:
        return True
    if ua.argv[1]:
        out.object_start("volume")
        list_media_records(ua, mode, volume_name=ua.argv[1], rng=rng, count=o.count)
        out.object_end("volume")
        return True
    pool = ua.arg_value("pool")
    if pool is not None:
        pr = cat.get_pool(pool)
        if pr is None or not ua.acl_access_ok(acl.POOL, pool):
            ua.error_msg(f"Pool {pool} doesn't exist.\n")
            return True
        out.array_start("volumes")
        list_media_records(ua, mode, pool_id=pr["PoolId"], rng=rng, count=o.count)
        out.array_end("volumes")
        return True
    if ua.find_arg("all") > 0:
        if not ua.acl_no_restrictions(acl.POOL) and mode != VERT:
            ua.error_msg("Restricted permission. Use the commands 'list media' or "
                         "'llist media all' instead\n")
            return False
        out.array_start("volumes")
        filters.acl(4, acl.POOL)
        if o.current:
            filters.resource(4, "Pool")
        list_media_records(ua, mode, rng=rng, count=o.count, filters=filters)
        out.array_end("volumes")
        return True
    # every pool, in the database's natural row order (Bareos's query has no ORDER BY)
    res = query(cat, "SELECT PoolId, Name FROM Pool")
    if not res.rows:
        return True
    out.object_start("volumes")
    for pid, pname in res.rows:
        if not ua.acl_access_ok(acl.POOL, pname or ""):
            continue
        out.decoration(f"Pool: {pname}\n")
        out.array_start(pname)
        list_media_records(ua, mode, pool_id=int(pid), rng=rng, count=o.count)
        out.array_end(pname)
    out.object_end("volumes")
    return True


# ------------------------------------------------------------------ pools

_POOL_LONG = ("PoolId, Name, NumVols, MaxVols, UseOnce, UseCatalog, AcceptAnyVolume, "
              "VolRetention, VolUseDuration, MaxVolJobs, MaxVolBytes, AutoPrune, Recycle, "
              "PoolType, LabelFormat, Enabled, ScratchPoolId, RecyclePoolId, LabelType")


def _pool_query(long: bool, name: str | None, pool_id: int | None) -> tuple[str, list]:
    cols = _POOL_LONG if long else "PoolId, Name, NumVols, MaxVols, PoolType, LabelFormat"
    if name:
        return f"SELECT {cols} FROM Pool WHERE Name = ?", [name]
    if pool_id:
        return f"SELECT {cols} FROM Pool WHERE PoolId = ?", [pool_id]
    return f"SELECT {cols} FROM Pool ORDER BY PoolId", []


def pool_prune_report(ua, pool_id: int) -> dict:
    """Which volumes of a pool and which of their jobs are past retention."""
    cat = _cat(ua)
    now = time.time()
    vols = query(cat, "SELECT MediaId, VolumeName, VolStatus, LastWritten, VolRetention "
                      "FROM Media WHERE PoolId = ? ORDER BY MediaId", [pool_id])
    report = {"volumes": [], "jobs": [], "statuses": {}, "jobids": set(), "bytes": 0}
    for mid, vname, vstatus, lastw, ret in vols.rows:
        if vstatus not in ("Full", "Used", "Append"):
            continue
        last = parse_time(lastw) if lastw else None
        if last is None or last + int(ret or 0) > now:
            continue
        jobs = query(cat, "SELECT DISTINCT Job.JobId, Job.Name, Job.JobBytes, Job.StartTime "
                          "FROM Job JOIN JobMedia ON JobMedia.JobId = Job.JobId "
                          "WHERE JobMedia.MediaId = ? ORDER BY Job.JobId", [int(mid)])
        vbytes = sum(int(j[2] or 0) for j in jobs.rows)
        report["volumes"].append({"name": vname, "status": vstatus, "lastwritten": lastw or "",
                                  "reason": "retention expired",
                                  "prunablejobs": len(jobs.rows), "prunablebytes": vbytes,
                                  "jobids": [int(j[0]) for j in jobs.rows]})
        report["statuses"][vstatus] = report["statuses"].get(vstatus, 0) + 1
        for j in jobs.rows:
            if int(j[0]) not in report["jobids"]:
                report["jobids"].add(int(j[0]))
                report["bytes"] += int(j[2] or 0)
                report["jobs"].append({"jobid": int(j[0]), "name": j[1] or "",
                                       "bytes": int(j[2] or 0), "starttime": j[3] or ""})
    report["reason"] = ("retention expired" if report["volumes"]
                        else "no volumes past their retention")
    return report


def _emit_pool_fields(ua, row: list, report: dict) -> None:
    names = [c.strip().lower() for c in _POOL_LONG.split(",")]
    out = ua.send
    values = [("" if v is None else v) for v in row] + [
        str(len(report["volumes"])), str(len(report["jobs"])), str(report["bytes"])]
    for k, v in zip(names + ["prunablevolumes", "prunablejobs", "prunablebytes"], values):
        if out.json:
            out.kv(k, v)
        else:
            out.text(f"{k}: {v}\n")


def _emit_prune_report_text(ua, report: dict) -> None:
    from bareos.lib.edit import edit_uint64_with_suffix  # noqa: WPS433

    d = ua.send.decoration
    d("\nPrune details:\n")
    d(f"  Reason: {report['reason']}\n")
    d(f"  Prunable volumes: {_commas(len(report['volumes']))}\n")
    d(f"  Prunable jobs: {_commas(len(report['jobs']))}\n")
    d(f"  Prunable bytes: {edit_uint64_with_suffix(report['bytes'])}\n")
    d("  Affected statuses:\n")
    if not report["statuses"]:
        d("    none\n")
    for st, n in report["statuses"].items():
        d(f"    - {st} ({_commas(n)})\n")
    d("  Prunable volumes:\n")
    if not report["volumes"]:
        d("    none\n")
    for v in report["volumes"]:
        d(f"    - {v['name']} | status={v['status']} | lastwritten={v['lastwritten']} | "
          f"jobs={_commas(v['prunablejobs'])} | bytes={edit_uint64_with_suffix(v['prunablebytes'])}\n")
    d("  Prunable jobs:\n")
    if not report["jobs"]:
        d("    none\n")
    for j in report["jobs"]:
        d(f"    - {_commas(j['jobid'])} | {j['name']} | {j['starttime']} | "
          f"{edit_uint64_with_suffix(j['bytes'])}\n")


def _emit_prune_report_json(ua, report: dict) -> None:
    out = ua.send
    out.kv("reason", report["reason"])
    out.set_result("status_breakdown", [{"status": s, "volumes": n}
                                        for s, n in report["statuses"].items()])
    out.set_result("volumes", [dict(v) for v in report["volumes"]])
    out.set_result("jobs", [dict(j) for j in report["jobs"]])


def _commas(n: int) -> str:
    return f"{n:,}"


def _list_pools(ua, mode, o: _Opts, filters: ListFilters) -> bool:
    cat = _cat(ua)
    out = ua.send
    name = ua.argv[1] if ua.argk[1].lower() in ("pool", "pools") else None
    pool_id = None
    if ua.argk[1].lower() == "poolid":
        pool_id = _int(ua.argv[1])
        name = None
    filters.acl(1, acl.POOL)
    if o.current:
        filters.resource(1, "Pool")
    if pool_id is None and (mode == VERT or (out.json and name)):
        sql, params = _pool_query(True, name, None)
        res = query(cat, sql, params)
        out.array_start("pools")
        for row in res.rows:
            if filters.active and not filters.keep(row):
                continue
            report = pool_prune_report(ua, int(row[0]))
            out.object_start()
            _emit_pool_fields(ua, row, report)
            if mode != VERT:
                _emit_prune_report_json(ua, report)
            out.object_end()
        out.array_end("pools")
        return True
    sql, params = _pool_query(mode == VERT, name, pool_id)
    list_query(ua, cat, sql, params, mode, "pools", filters)
    if mode == HORZ and name:
        pr = cat.get_pool(name)
        if pr is not None:
            _emit_prune_report_text(ua, pool_prune_report(ua, int(pr["PoolId"])))
    return True


# ------------------------------------------------------------------ the rest


def _list_backups(ua, mode, o: _Opts, filters: ListFilters, rng: str) -> bool:
    ci = client_arg_from_database(ua)
    if ci < 0:
        return False
    if ci == 0:
        ua.error_msg("missing parameter: client\n")
        return False
    params: list = [ua.argv[ci]]
    selection = "AND Job.Type IN ('B', 'A', 'a') AND Client.Name = ? "
    statuses = []
    v = ua.arg_value("jobstatus")
    if v is not None:
        for s in v.split(","):
            if _one_letter(s):
                statuses.append(s)
            elif s.lower() in ("terminated", "warnings", "canceled", "running", "error", "fatal"):
                statuses.append({"terminated": "T", "warnings": "W", "canceled": "A",
                                 "running": "R", "error": "e", "fatal": "f"}[s.lower()])
    selection += _in_list("JobStatus", statuses or ["T", "W"], params)
    v = ua.arg_value("level")
    if v is not None:
        levels = []
        for s in v.split(","):
            for lname, code, jtype in jobcodes.JOB_LEVELS:
                if jtype == jobcodes.JT_BACKUP and s and lname.lower().startswith(s.lower()):
                    levels.append(code)
        if levels:
            selection += _in_list("Job.Level", levels, params)
    fileset = ua.arg_value("fileset")
    if fileset is None or fileset.lower() == "any":
        names = [fs.name for fs in ua.director.resources("FileSet")
                 if ua.acl_access_ok(acl.FILESET, fs.name)]
        if names:
            selection += "AND (" + " OR ".join("FileSet.FileSet = ?" for _ in names) + ") "
            params.extend(names)
    else:
        if not ua.acl_access_ok(acl.FILESET, fileset):
            ua.error_msg("Access to specified FileSet not allowed.\n")
            return False
        selection += "AND FileSet.FileSet = ? "
        params.append(fileset)
    descending = False
    order = ua.arg_value("order")
    if order is not None:
        if order and "ascending".startswith(order.lower()):
            descending = False
        elif order and "descending".startswith(order.lower()):
            descending = True
        else:
            ua.error_msg(f"Unknown list keyword: {ua.argk[1]}\n")
            return False
    if mode == VERT:
        filters.acl(2, acl.JOB)
        filters.acl(22, acl.POOL)
        if o.current:
            filters.resource(2, "Job")
            filters.resource(22, "Pool")
        col = 2
    else:
        filters.acl(1, acl.JOB)
        if o.current:
            filters.resource(1, "Job")
        col = 1
    if o.enabled:
        filters.enabled(col, "Job", True)
    if o.disabled:
        filters.enabled(col, "Job", False)
    sql, params = jobs_query(mode == VERT, selection, params, descending=descending, rng=rng)
    _run_jobs(ua, sql, params, mode, filters, array="backups")
    return True


def _list_nextvol(ua, days: int) -> bool:
    d = ua.director
    job = None
    name = ua.arg_value("job")
    if name is not None:
        job = d.get("Job", name)
        if job is None:
            ua.error_msg(f"{name} is not a job name.\n")
    if job is None:
        jobs = [j for j in d.resources("Job") if ua.acl_access_ok(acl.JOB, j.name)]
        idx = ua.select_item("The defined Job resources are:\n", [j.name for j in jobs],
                             "Select Job resource", "Job")
        if idx is None:
            return False
        job = jobs[idx]
    pool_name = job.get("Pool")
    found = False
    if job.get("Schedule") and pool_name:
        cat = _cat(ua)
        pr = cat.get_pool(str(pool_name))
        pool_label = pr["Name"] if pr else "*UnknownPool*"
        level = str(job.get("Level") or "Full")
        media_type = None
        storage = job.get("Storage")
        if isinstance(storage, (list, tuple)):
            storage = storage[0] if storage else None
        if storage:
            sres = d.get("Storage", str(storage))
            if sres is not None:
                media_type = sres.get("Media Type")
        if pr is not None:
            try:
                vol = cat.find_next_volume(int(pr["PoolId"]), media_type, "Append")
            except Exception:  # pragma: no cover - catalog error
                vol = None
            if vol:
                ua.send_msg(f'The next Volume to be used by Job "{job.name}" '
                            f"(Pool={pool_label}, Level={level}) will be {vol['VolumeName']}\n")
                found = True
            else:
                ua.error_msg(f"Could not find next Volume for Job {job.name} "
                             f"(Pool={pool_label}, Level={level}).\n")
    if not found:
        ua.error_msg(f"Could not find next Volume for Job {job.name}.\n")
        return False
    return True


def do_list(ua, mode: str) -> bool:
    if not ua.open_db(select=True):
        return True
    if ua.argc <= 1:
        ua.error_msg(f"{ua.argk[0]} command requires a keyword\n")
        return False
    o = _parse_opts(ua)
    if o is None:
        return False
    k1 = ua.argk[1].lower()
    v1 = ua.argv[1]
    if k1 in ("jobs", "job", "jobname", "jobid", "ujobid"):
        return _list_jobs(ua, mode, o)

    cat = _cat(ua)
    out = ua.send
    filters = ListFilters(ua)
    rng = _set_query_range(ua, filters)

    if k1 == "jobtotals":
        sql = ("SELECT COUNT(*) AS Jobs, SUM(JobFiles) AS Files, SUM(JobBytes) AS Bytes, "
               "Name AS Job FROM Job WHERE Type IN ('B','A','a','C') GROUP BY Name ORDER BY Name")
        list_query(ua, cat, sql, [], HORZ, "jobs")
        sql = ("SELECT COUNT(*) AS Jobs, SUM(JobFiles) AS Files, SUM(JobBytes) AS Bytes "
               "FROM Job WHERE Type IN ('B','A','a','C')")
        out.object_start("jobtotals")
        list_result(ua, query(cat, sql), HORZ)
        out.object_end("jobtotals")
        return True

    if k1 in ("files", "basefiles"):
        jobid = jobid_from_cmdline(ua)
        if jobid <= 0:
            ua.error_msg("jobid not found in db, access to job or client denied by ACL, or "
                         "client not found in db\n")
            return False
        if k1 == "files":
            rows = [[r["filename"]] for r in cat.list_files(jobid)]
            array = "filenames"
        else:
            res = query(cat, "SELECT Path.Path || File.Name AS Filename FROM BaseFiles, File, Path "
                             "WHERE BaseFiles.JobId = ? AND BaseFiles.BaseJobId = File.JobId "
                             "AND BaseFiles.FileId = File.FileId AND Path.PathId = File.PathId",
                        [jobid])
            rows = res.rows
            array = "files"
        out.array_start(array)
        if rows:
            from ..listfmt import Column

            list_result(ua, Result([Column("filename")], rows), NF)
        out.array_end(array)
        return True

    if k1 == "fileset":
        filesetid = _int(ua.arg_value("filesetid"))
        jobid = jobid_from_cmdline(ua)
        if jobid <= 0 and filesetid <= 0:
            ua.error_msg("jobid not found in db, access to job or client denied by ACL, or "
                         "client not found in db or missing filesetid\n")
            return False
        filters.acl(1, acl.FILESET)
        if o.current:
            filters.resource(1, "FileSet")
        if jobid > 0:
            sql = ("SELECT DISTINCT FileSet.FileSetId AS FileSetId, FileSet.FileSet, FileSet.MD5, "
                   "FileSet.CreateTime, FileSet.FileSetText FROM Job, FileSet "
                   f"WHERE Job.FileSetId = FileSet.FileSetId AND Job.JobId = ?{rng}")
            params = [jobid]
        else:
            sql = ("SELECT FileSetId, FileSet, MD5, CreateTime, FileSetText FROM FileSet "
                   "WHERE FileSetId = ?")
            params = [filesetid]
        list_query(ua, cat, sql, params, mode, "filesets", filters)
        return True

    if k1 == "filesets":
        filters.acl(1, acl.FILESET)
        if o.current:
            filters.resource(1, "FileSet")
        sql = ("SELECT DISTINCT FileSet.FileSetId AS FileSetId, FileSet, MD5, CreateTime, "
               f"FileSetText FROM FileSet ORDER BY FileSetId ASC{rng}")
        list_query(ua, cat, sql, [], mode, "filesets", filters)
        return True

    if k1 == "jobmedia":
        jobid = jobid_from_cmdline(ua)
        if jobid < 0:
            ua.error_msg("jobid not found in db, access to job or client denied by ACL, or "
                         "client not found in db\n")
            return False
        if mode == VERT:
            cols = ("JobMedia.JobMediaId, JobMedia.JobId, Media.MediaId, Media.VolumeName, "
                    "JobMedia.FirstIndex, JobMedia.LastIndex, JobMedia.StartFile, "
                    "JobMedia.EndFile, JobMedia.StartBlock, JobMedia.EndBlock")
        else:
            cols = "JobMedia.JobId, Media.VolumeName, JobMedia.FirstIndex, JobMedia.LastIndex"
        sql = f"SELECT {cols} FROM JobMedia, Media WHERE Media.MediaId = JobMedia.MediaId"
        params = []
        if jobid > 0:
            sql += " AND JobMedia.JobId = ?"
            params.append(jobid)
        sql += " ORDER BY JobMedia.JobMediaId"
        list_query(ua, cat, sql, params, mode, "jobmedia")
        return True

    if k1 == "joblog":
        jobid = jobid_from_cmdline(ua)
        if jobid < 0:
            ua.error_msg("jobid not found in db, access to job or client denied by ACL, or "
                         "client not found in db\n")
            return False
        if jobid == 0:
            return True
        if o.count:
            list_query(ua, cat, "SELECT COUNT(*) AS count FROM Log WHERE Log.JobId = ?",
                       [jobid], mode, "joblog")
        else:
            list_query(ua, cat, "SELECT Time, LogText FROM Log WHERE Log.JobId = ? "
                                f"ORDER BY Log.LogId{rng}", [jobid],
                       mode if mode == VERT else RAW, "joblog")
        return True

    if k1 == "log":
        ci = client_arg_from_database(ua)
        if ci < 0:
            return False
        params = []
        cfilter = ""
        if ci > 0:
            cfilter = "AND Client.Name = ? "
            params.append(ua.argv[ci])
        reverse = ua.find_arg("reverse") >= 0
        log_range = rng or f" LIMIT {DEFAULT_LOG_LINES}"
        inner = ("SELECT Log.LogId AS LogId, Job.Name AS JobName, Client.Name AS ClientName, "
                 "Log.Time AS Time, Log.LogText AS LogText FROM Log "
                 "JOIN Job ON Job.JobId = Log.JobId "
                 "LEFT JOIN Client ON Client.ClientId = Job.ClientId "
                 f"WHERE Job.Type != 'C' {cfilter}ORDER BY Log.LogId DESC{log_range}")
        if reverse:
            sql = inner
        else:
            sql = (f"SELECT LogId, JobName, ClientName, Time, LogText FROM ({inner}) AS sub "
                   "ORDER BY LogId ASC")
        if not out.json:
            filters.hide(0)
            filters.hide(1, acl.JOB)
            filters.hide(2, acl.CLIENT)
            filters.hide(3)
        else:
            filters.acl(1, acl.JOB)
            filters.acl(2, acl.CLIENT)
        list_query(ua, cat, sql, params, mode if mode == VERT else RAW, "log", filters)
        return True

    if k1 in ("pool", "pools") or (k1 == "poolid" and v1):
        return _list_pools(ua, mode, o, filters)

    if k1 == "clients" or (k1 == "client" and v1):
        filters.acl(1, acl.CLIENT)
        if o.current:
            filters.resource(1, "Client")
        if o.enabled:
            filters.enabled(1, "Client", True)
        if o.disabled:
            filters.enabled(1, "Client", False)
        cols = ("ClientId, Name, Uname, AutoPrune, FileRetention, JobRetention" if mode == VERT
                else "ClientId, Name, FileRetention, JobRetention")
        sql = f"SELECT {cols} FROM Client"
        params = []
        if k1 == "client":
            sql += " WHERE Name = ?"
            params.append(v1)
        list_query(ua, cat, sql + " ORDER BY ClientId", params, mode, "clients", filters)
        return True

    if k1 == "storages":
        filters.acl(1, acl.STORAGE)
        if o.current:
            filters.resource(1, "Storage")
        if o.enabled:
            filters.enabled(1, "Storage", True)
        if o.disabled:
            filters.enabled(1, "Storage", False)
        list_query(ua, cat, "SELECT * FROM Storage", [], mode, "storages", filters)
        return True

    if k1 in ("media", "volume", "volumes"):
        return _list_media(ua, mode, o, filters, rng)

    if k1 in ("mediaid", "volumeid") and v1:
        out.object_start("volume")
        list_media_records(ua, mode, media_id=_int(v1), rng=rng, count=o.count)
        out.object_end("volume")
        return True

    if k1 in ("nextvol", "nextvolume"):
        days = 1
        v = ua.arg_value("days")
        if v is not None:
            days = _int(v)
            if days < 0 or days > DEFAULT_NUMBER_OF_DAYS:
                ua.warning_msg(f"Ignoring invalid value for days. Max is {DEFAULT_NUMBER_OF_DAYS}.\n")
                days = 1
        return _list_nextvol(ua, days)

    if k1 == "copies":
        value = ua.arg_value("jobid")
        if value is None or _is_number_list(value):
            params = []
            extra = ""
            if value:
                ids = _expand_ids(value)
                marks = ", ".join("?" for _ in ids)
                extra = f" AND (Job.PriorJobId IN ({marks}) OR Job.JobId IN ({marks}))"
                params = ids + ids
            sql = ("SELECT DISTINCT Job.PriorJobId AS JobId, Job.Job, Job.JobId AS CopyJobId, "
                   "Media.MediaType FROM Job JOIN JobMedia ON JobMedia.JobId = Job.JobId "
                   "JOIN Media ON Media.MediaId = JobMedia.MediaId "
                   f"WHERE Job.Type = 'C'{extra} ORDER BY Job.PriorJobId DESC{rng}")
            res = query(cat, sql, params)
            if res.rows:
                out.decoration("These JobIds have copies as follows:\n" if value
                               else "The catalog contains copies as follows:\n")
                out.array_start("copies")
                list_result(ua, res, mode)
                out.array_end("copies")
            return True

    if k1 == "backups":
        return _list_backups(ua, mode, o, filters, rng)

    if k1 in ("jobstatistics", "jobstats"):
        jobid = jobid_from_cmdline(ua)
        if jobid <= 0:
            ua.error_msg("no jobid given\n")
            return False
        list_query(ua, cat, "SELECT DeviceId, SampleTime, JobId, JobFiles, JobBytes FROM JobStats "
                            "WHERE JobStats.JobId = ? ORDER BY JobStats.SampleTime",
                   [jobid], mode, "jobstats")
        return True

    ua.error_msg(f"Unknown list keyword: {ua.argk[1]}\n")
    return False


def _is_number_list(value: str) -> bool:
    if not value:
        return False
    for part in value.split(","):
        if not part or not all(c.isdigit() or c == "-" for c in part):
            return False
    return True


def _expand_ids(value: str) -> list[int]:
    ids: list[int] = []
    for part in value.split(","):
        if "-" in part:
            a, _, b = part.partition("-")
            if a.isdigit() and b.isdigit():
                ids.extend(range(int(a), int(b) + 1))
        elif part.isdigit():
            ids.append(int(part))
    return ids
