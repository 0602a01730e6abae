"""`update volume=... | pool=... | jobid=... | stats`: change catalog records
(Bareos's UpdateCmd).  Volume fields are given as keyword=value; the pool is
refreshed from its resource."""

from __future__ import annotations

import time

from bareos.lib.config.units import parse_duration, parse_size

from .. import acl
from ..listfmt import HORZ, list_query
from .delete import get_pool_dbr, select_media_dbr

VOLSTATUS = ("Append", "Archive", "Disabled", "Full", "Used", "Cleaning", "Recycle",
             "Read-Only", "Error")
VOLUME_KEYWORDS = ("volstatus", "volretention", "voluse", "maxvoljobs", "maxvolfiles",
                   "maxvolbytes", "recycle", "inchanger", "slot", "pool", "frompool",
                   "allfrompool", "enabled", "recyclepool", "actiononpurge", "storage",
                   "encrypt")
ALL_FROM_POOL = 11


def edit_utime(val: int) -> str:
    """Bareos's edit_utime: ``1 year ``, ``2 months 3 days ``, ``5 secs``."""
    out = ""
    for mult, mod in ((31536000, "year"), (2592000, "month"), (86400, "day"),
                      (3600, "hour"), (60, "min")):
        times, val = divmod(val, mult) if val >= mult else (0, val)
        if times > 0:
            out += f"{times} {mod}{'s' if times > 1 else ''} "
    if val == 0 and not out:
        out += "0 secs"
    elif val != 0:
        out += f"{val} sec{'s' if val > 1 else ''}"
    return out


def _yesno(text: str) -> bool | None:
    t = text.lower()
    if t in ("yes", "y", "1", "true"):
        return True
    if t in ("no", "n", "0", "false"):
        return False
    return None


def _cat(ua):
    return ua.director.catalog


def run(ua) -> bool:
    if not ua.open_db(select=True):
        return True
    kw = ("media", "volume", "pool", "slots", "slot", "jobid", "stats")
    choice = ua.find_arg_keyword(kw)
    if choice in (0, 1):
        update_volume(ua)
        return True
    if choice == 2:
        update_pool(ua)
        return True
    if choice in (3, 4):
        from .changer import update_slots
        update_slots(ua)
        return True
    if choice == 5:
        update_job(ua)
        return True
    if choice == 6:
        update_stats(ua)
        return True
    items = ["Volume parameters", "Pool from resource", "Slots from autochanger",
             "Long term statistics"]
    idx = ua.select_item("Update choice:\n", items, "Choose catalog item to update", "item")
    if idx == 0:
        update_volume(ua)
    elif idx == 1:
        update_pool(ua)
    elif idx == 2:
        from .changer import update_slots
        update_slots(ua)
    elif idx == 3:
        update_stats(ua)
    return True


# ------------------------------------------------------------------ volume


def _set(ua, mr, **fields) -> bool:
    try:
        _cat(ua).update_media(int(mr["MediaId"]), **fields)
    except Exception as exc:  # catalog error: report it like Bareos does
        ua.error_msg(f"{exc}\n")
        return False
    mr.update(fields)
    return True


def _volstatus(ua, val, mr):
    for s in VOLSTATUS:
        if s.lower() == val.lower():
            if _set(ua, mr, VolStatus=s):
                ua.info_msg(f"New Volume status is: {s}\n")
            return
    ua.error_msg(f"Invalid VolStatus specified: {val}\n")


def _duration(ua, val, mr, column, what, label):
    secs = parse_duration(val)
    if secs is None:
        ua.error_msg(f"Invalid {what} specified: {val}\n")
        return
    if _set(ua, mr, **{column: secs}):
        ua.info_msg(f"New {label} is: {edit_utime(secs)}\n")


def _plain_number(ua, val, mr, column, label):
    try:
        n = int(val)
    except ValueError:
        ua.error_msg(f"Invalid value: {val}\n")
        return
    if _set(ua, mr, **{column: n}):
        ua.info_msg(f"New {label} is: {val}\n")


def _maxbytes(ua, val, mr):
    n = parse_size(val)
    if n is None:
        ua.error_msg(f"Invalid max. bytes specification: {val}\n")
        return
    if _set(ua, mr, MaxVolBytes=n):
        ua.info_msg(f"New Max bytes is: {n}\n")


def _flag(ua, val, mr, column, label):
    b = _yesno(val)
    if b is None:
        ua.error_msg("Invalid value. It must be yes or no.\n")
        return
    if _set(ua, mr, **{column: 1 if b else 0}):
        ua.info_msg(f"New {label} flag is: {'yes' if b else 'no'}\n")


def _slot(ua, val, mr):
    pr = _cat(ua).get_pool(pool_id=mr["PoolId"])
    if pr is None:
        ua.error_msg("Pool record not found in Catalog.\n")
        return
    try:
        slot = int(val)
    except ValueError:
        slot = 0
    maxvols = int(pr.get("MaxVols") or 0)
    if (maxvols > 0 and slot > maxvols) or slot < 0:
        ua.error_msg(f"Invalid slot, it must be between 0 and MaxVols={maxvols}\n")
        return
    if _set(ua, mr, Slot=slot):
        ua.info_msg(f"New Slot is: {slot}\n")


def _pool(ua, val, mr):
    cat = _cat(ua)
    pr = cat.get_pool(val)
    if pr is None or not ua.acl_access_ok(acl.POOL, val):
        ua.error_msg(f'Could not find Pool "{val}": ERR=Pool record not found in Catalog.\n')
        pr = get_pool_dbr(ua)
        if not pr:
            return
    if _set(ua, mr, PoolId=pr["PoolId"]):
        ua.info_msg(f"New Pool is: {pr['Name']}\n")


def _recyclepool(ua, val, mr):
    if val:
        pr = _cat(ua).get_pool(val)
        if pr is None or not ua.acl_access_ok(acl.POOL, val):
            ua.error_msg(f'Could not find Pool "{val}": ERR=Pool record not found in '
                         "Catalog.\n")
            pr = get_pool_dbr(ua, "recyclepool")
            if pr is None:
                return
        pid, name = (pr.get("PoolId") or 0), (pr.get("Name") or "*None*")
    else:
        pid, name = 0, "*None*"
    if _set(ua, mr, RecyclePoolId=pid):
        ua.info_msg(f"New RecyclePool is: {name}\n")


def _enabled(ua, val, mr):
    t = val.lower()
    if t in ("yes", "true", "1"):
        n = 1
    elif t in ("no", "false", "0"):
        n = 0
    elif t == "archived":
        n = 2
    else:
        ua.error_msg(f"Invalid value. It must be yes, no or archived: {val}\n")
        return
    if _set(ua, mr, Enabled=n):
        ua.info_msg(f"New Enabled is: {n}\n")


def _actiononpurge(ua, val, mr):
    n = 1 if val.lower() == "truncate" else 0
    if _set(ua, mr, ActionOnPurge=n):
        ua.info_msg(f"New ActionOnPurge is: {'Truncate' if n else 'None'}\n")


def _storage(ua, val, mr):
    sr = _cat(ua).get_storage(val)
    if sr is None:
        ua.error_msg(f'Could not find Storage "{val}"\n')
        return
    _set(ua, mr, StorageId=sr["StorageId"])


def _pool_defaults(pr: dict) -> dict:
    return {"Recycle": pr.get("Recycle", 0), "VolRetention": pr.get("VolRetention", 0),
            "VolUseDuration": pr.get("VolUseDuration", 0),
            "MaxVolJobs": pr.get("MaxVolJobs", 0), "MaxVolFiles": pr.get("MaxVolFiles", 0),
            "MaxVolBytes": pr.get("MaxVolBytes", 0),
            "RecyclePoolId": pr.get("RecyclePoolId", 0),
            "ActionOnPurge": pr.get("ActionOnPurge", 0)}


def _from_pool(ua, mr):
    cat = _cat(ua)
    pr = cat.get_pool(pool_id=mr["PoolId"])
    if pr is None or not ua.acl_access_ok(acl.POOL, pr["Name"]):
        return
    if _set(ua, mr, **_pool_defaults(pr)):
        ua.info_msg(f'Volume defaults updated from "{pr["Name"]}" Pool record.\n')


def _all_from_pool(ua, pool_name, quiet_denied=False):
    cat = _cat(ua)
    pr = cat.get_pool(pool_name)
    if pr is None or not ua.acl_access_ok(acl.POOL, pool_name):
        if quiet_denied:
            return
        ua.error_msg(f'Could not find Pool "{pool_name}": ERR=Pool record not found in '
                     "Catalog.\n")
        return
    fields = _pool_defaults(pr)
    sets = ", ".join(f"{k} = ?" for k in fields)
    with cat.transaction() as tx:
        tx.execute(f"UPDATE Media SET {sets} WHERE PoolId = ?", list(fields.values()) + [pr["PoolId"]])
    ua.info_msg(f'All Volume defaults updated from "{pr["Name"]}" Pool record.\n')


def update_volume(ua) -> bool:
    done = False
    for i, kw in enumerate(VOLUME_KEYWORDS):
        j = ua.find_arg_with_value(kw)
        if j <= 0:
            continue
        val = ua.argv[j]
        mr = None
        if i != ALL_FROM_POOL:
            mr = select_media_dbr(ua)
            if mr is None:
                return False
        if i == 0:
            _volstatus(ua, val, mr)
        elif i == 1:
            _duration(ua, val, mr, "VolRetention", "retention period", "retention period")
        elif i == 2:
            _duration(ua, val, mr, "VolUseDuration", "use duration", "use duration")
        elif i == 3:
            _plain_number(ua, val, mr, "MaxVolJobs", "max jobs")
        elif i == 4:
            _plain_number(ua, val, mr, "MaxVolFiles", "max files")
        elif i == 5:
            _maxbytes(ua, val, mr)
        elif i == 6:
            _flag(ua, val, mr, "Recycle", "Recycle")
        elif i == 7:
            _flag(ua, val, mr, "InChanger", "InChanger")
        elif i == 8:
            _slot(ua, val, mr)
        elif i == 9:
            _pool(ua, val, mr)
        elif i == 10:
            _from_pool(ua, mr)
            return True
        elif i == 11:
            _all_from_pool(ua, val)
            return True
        elif i == 12:
            _enabled(ua, val, mr)
        elif i == 13:
            _recyclepool(ua, val, mr)
        elif i == 14:
            _actiononpurge(ua, val, mr)
        elif i == 15:
            _storage(ua, val, mr)
        elif i == 16:
            ua.error_msg("Volume encryption keys are not supported by this Director.\n")
        done = True
    if ua.find_arg("fromallpools") > 0:
        for p in _cat(ua).list_pools():
            _all_from_pool(ua, p["name"], quiet_denied=True)
        return True
    if not done:
        ua.error_msg("update volume: give the fields to change, e.g. "
                     "volume=<name> volstatus=<status>; the interactive menu is not "
                     "implemented by this Director.\n")
        return False
    return True


# ------------------------------------------------------------------ pool


def update_pool(ua) -> bool:
    cat = _cat(ua)
    d = ua.director
    name = ua.arg_value("pool")
    res = d.get("Pool", name) if name else None
    if res is not None and not ua.acl_access_ok(acl.POOL, res.name):
        res = None
    if res is None:
        pools = [p for p in d.resources("Pool") if ua.acl_access_ok(acl.POOL, p.name)]
        idx = ua.select_item("The defined Pool resources are:\n", [p.name for p in pools],
                             "Select Pool resource", "Pool")
        if idx is None:
            return False
        res = pools[idx]
    if cat.get_pool(res.name) is None:
        ua.error_msg(f'Could not find Pool "{res.name}": ERR=Pool record not found in '
                     "Catalog.\n")
        return False
    try:
        cat.sync_pools([res])
    except Exception as exc:
        ua.error_msg(f"UpdatePoolRecord returned 0. ERR={exc}\n")
    pr = cat.get_pool(res.name)
    list_query(ua, cat, "SELECT * FROM Pool WHERE PoolId = ?", [pr["PoolId"]], HORZ, "query")
    ua.info_msg("Pool DB record updated from resource.\n")
    return True


# ------------------------------------------------------------------ job


def update_job(ua) -> bool:
    cat = _cat(ua)
    jid = ua.arg_value("jobid")
    if jid is None:
        ua.error_msg("Expect JobId keyword, not found.\n")
        return False
    try:
        job = cat.get_job(int(jid))
    except ValueError:
        job = None
    if job is None:
        ua.error_msg(f"No Job found for JobId {jid}\n")
        return False
    start = ua.arg_value("starttime")
    client = ua.arg_value("client")
    fsid = ua.arg_value("filesetid")
    name = ua.arg_value("jobname")
    jtype = ua.arg_value("jobtype")
    if not (client or start or (fsid and fsid != "0") or name or jtype):
        ua.error_msg("Neither Client, StartTime, Filesetid, JobType nor Name specified.\n")
        return False
    fields: dict = {}
    if client:
        cr = cat.get_client(client)
        if cr is None or not ua.acl_access_ok(acl.CLIENT, client):
            ua.error_msg(f'Could not find Client "{client}": ERR=Client record not found in '
                         "Catalog.\n")
            return False
        fields["ClientId"] = cr["ClientId"]
    if fsid and fsid.isdigit() and int(fsid):
        fields["FileSetId"] = int(fsid)
    if name:
        fields["Name"] = name
    if jtype:
        fields["Type"] = jtype[0]
    if start:
        try:
            new = time.mktime(time.strptime(start.strip()[:19], "%Y-%m-%d %H:%M:%S"))
        except ValueError:
            ua.error_msg(f"Improper date format: {start}\n")
            return False
        from bareos.cats.catalog import parse_time

        old = parse_time(str(job.get("StartTime") or "")) or 0
        delta = new - old
        fields["StartTime"] = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(new))
        for col in ("SchedTime", "EndTime"):
            t = parse_time(str(job.get(col) or ""))
            if t is not None:
                fields[col] = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(t + delta))
        fields["JobTDate"] = int(job.get("JobTDate") or 0) + int(delta)
    cat.update_job(int(job["JobId"]), **fields)
    return True


# ------------------------------------------------------------------ stats


def update_stats(ua) -> bool:
    days = ua.arg_value("days")
    since = int(days) * 86400 if days and days.isdigit() else 0
    cat = _cat(ua)
    sql = ("SELECT JobId FROM Job WHERE JobStatus IN ('T', 'W', 'A', 'E', 'f') "
           "AND JobId NOT IN (SELECT JobId FROM JobHisto)")
    params: list = []
    if since:
        sql += " AND JobTDate > ?"
        params.append(int(time.time()) - since)
    n = 0
    try:
        with cat.transaction() as tx:
            ids = [int(r[0]) for r in tx.query(sql, params)]
            if ids:
                cols = [r[1] for r in tx.query("PRAGMA table_info(JobHisto)")] \
                    if cat.backend.startswith("sqlite") else None
                collist = ", ".join(cols) if cols else "*"
                marks = ", ".join("?" for _ in ids)
                if cols:
                    tx.execute(f"INSERT INTO JobHisto ({collist}) SELECT {collist} FROM Job "
                               f"WHERE JobId IN ({marks})", ids)
                else:
                    tx.execute(f"INSERT INTO JobHisto SELECT * FROM Job WHERE JobId IN ({marks})",
                               ids)
            n = len(ids)
    except Exception as exc:
        ua.error_msg(f"{exc}\n")
        n = 0
    ua.info_msg(f"Updating {n} job(s).\n")
    return True
