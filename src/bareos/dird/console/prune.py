"""`prune files|jobs|volume|stats|directory`: apply retention periods to the
catalog (Bareos's PruneCmd; the work is in bareos.dird.retention)."""

from __future__ import annotations

from bareos.lib.config.units import parse_duration

from .. import acl
from .. import retention as ret
from ..select import get_client_resource, get_pool_resource

KEYWORDS = ("Files", "Jobs", "Volume", "Stats", "Directory")
DENIED = "Permission denied: need full {} permission.\n"


def confirm_retention(ua, period: int, what: str) -> int | None:
    """Bareos's ConfirmRetention: show the period, ask yes/mod/no unless
    `yes` was given.  The (maybe modified) period, or None for no."""
    yes = ua.find_arg("yes") >= 0
    while True:
        ua.info_msg(f"The current {what} retention period is: {ret.edit_utime(period)}\n")
        if yes:
            return period
        answer = ua.get_cmd("Continue? (yes/mod/no): ")
        if answer is None:
            return None
        a = answer.strip().lower()
        if a == "mod":
            text = ua.get_cmd("Enter new retention period: ")
            if text is None:
                return None
            value = parse_duration(text.strip())
            if value is None:
                ua.error_msg("Invalid period.\n")
            else:
                period = value
            continue
        if a in ("yes", "y"):
            return period
        if a in ("no", "n"):
            return None


def keyword_prompt(ua, question: str, keywords) -> int | None:
    return ua.select_item("", list(keywords), question, "")


def _pool_if_given(ua):
    """The pool= resource when given (or when the Pool ACL restricts); False on error."""
    if ua.find_arg_with_value("pool") >= 0 or not ua.acl_no_restrictions(acl.POOL):
        pool = get_pool_resource(ua)
        return pool if pool is not None else False
    return None


def run(ua) -> bool:
    if not ua.acl_no_restrictions(acl.JOB):
        ua.error_msg(DENIED.format("job"))
        return False
    if not ua.acl_no_restrictions(acl.STORAGE):
        ua.error_msg(DENIED.format("storage"))
        return False
    if not ua.open_db(select=True):
        return False
    kw = ua.find_arg_keyword(KEYWORDS)
    if kw < 0:
        for i in range(1, ua.argc):
            if ua.argk[i].lower().startswith("volume"):
                kw = 2
                break
    if kw < 0:
        kw = keyword_prompt(ua, "Choose item to prune", KEYWORDS)
        if kw is None:
            return True
    if kw in (0, 1):
        return _prune_files_or_jobs(ua, kw == 0)
    if kw == 2:
        return _prune_volume(ua)
    if kw == 3:
        return _prune_stats(ua)
    return _prune_directory(ua)


def _prune_files_or_jobs(ua, files: bool) -> bool:
    d = ua.director
    client = get_client_resource(ua)
    if client is None:
        return False
    pool = _pool_if_given(ua)
    if pool is False:
        return False
    kind = "File" if files else "Job"
    period = ret.client_retention(client, pool, kind)
    period = confirm_retention(ua, period, kind)
    if period is None:
        return False
    cat = d.catalog
    running = ret.running_jobids(d)
    if files:
        ret.prune_files(cat, ua, client.name, period, pool.name if pool else None, exclude=running)
        return True
    ret.prune_jobs(cat, ua, client.name, period, pool.name if pool else None, config=d,
                   exclude=running)
    return True


def _select_media(ua, name: str):
    cat = ua.director.catalog
    media = cat.get_media(volume_name=name)
    if media is None:
        ua.error_msg(f'Media record for Volume "{name}" not found.\n')
    return media


def _prune_one(ua, media, pool=None) -> bool:
    cat = ua.director.catalog
    name = media["VolumeName"]
    if pool is not None:
        pr = cat.get_pool(pool_id=int(media["PoolId"]))
        if pr is None or pr["Name"] != pool.name:
            ua.error_msg(f'Volume "{name}" is not in Pool "{pool.name}".\n')
            return False
    if int(media.get("Enabled") or 0) == ret.VOL_ARCHIVED:
        ua.error_msg(f'Cannot prune Volume "{name}" because it is archived.\n')
        return False
    period = confirm_retention(ua, int(media.get("VolRetention") or 0), f"Volume ({name})")
    if period is None:
        return False
    media["VolRetention"] = period
    return ret.prune_volume(cat, ua, media, exclude=ret.running_jobids(ua.director))


def _prune_volume(ua) -> bool:
    from .delete import select_media_dbr

    cat = ua.director.catalog
    if ua.find_arg("all") >= 0:
        pool = _pool_if_given(ua)
        if pool is False:
            return False
        result = True
        for (name,) in [(r[0],) for r in cat.sql("SELECT VolumeName FROM Media ORDER BY MediaId")[1]]:
            media = cat.get_media(volume_name=name)
            pr = cat.get_pool(pool_id=int(media["PoolId"]))
            if pool is not None and (pr is None or pr["Name"] != pool.name):
                continue
            if int(media.get("Enabled") or 0) == ret.VOL_ARCHIVED:
                ua.error_msg(f'Cannot prune Volume "{name}" because it is archived.\n')
                result = False
                continue
            period = confirm_retention(ua, int(media.get("VolRetention") or 0), f"Volume ({name})")
            if period is None:
                return False
            media["VolRetention"] = period
            result &= ret.prune_volume(cat, ua, media, exclude=ret.running_jobids(ua.director))
        return result
    selected: list[str] = []
    for i in range(1, ua.argc):
        if ua.argv[i] is not None and ua.argk[i].lower() == "volume" and ua.argv[i] not in selected:
            selected.append(ua.argv[i])
    pool = _pool_if_given(ua)
    if pool is False:
        return False
    if not ua.acl_no_restrictions(acl.CLIENT):
        ua.error_msg(DENIED.format("client"))
        return False
    if not selected and pool is not None:
        chosen = _choose_from_pool_report(ua, pool)
        if chosen is None:
            return False
        if chosen == []:
            return True
        selected = chosen
    if selected:
        result = True
        for name in selected:
            media = _select_media(ua, name)
            if media is None:
                return False
            result &= _prune_one(ua, media, pool)
        return result
    media = select_media_dbr(ua)
    if media is None:
        return False
    return _prune_one(ua, media)


def pool_prune_report(cat, pool_row, now=None) -> list[dict]:
    """Full/Used volumes of a pool with expired jobs, oldest data first."""
    out = []
    _cols, rows = cat.sql(f"SELECT MediaId FROM Media WHERE PoolId = {int(pool_row['PoolId'])} "
                          "ORDER BY MediaId")
    for (mid,) in rows:
        media = cat.get_media(media_id=int(mid))
        if int(media.get("Enabled") or 0) == ret.VOL_ARCHIVED:
            continue
        if media.get("VolStatus") not in ("Full", "Used"):
            continue
        jobids = sorted(set(ret.volume_prune_candidates(cat, media, now=now)))
        if not jobids:
            continue
        nbytes = 0
        if jobids:
            _c, r = cat.sql("SELECT COALESCE(SUM(JobBytes), 0) FROM Job WHERE JobId IN "
                            f"({','.join(map(str, jobids))})")
            nbytes = int(r[0][0] or 0)
        out.append({"name": media["VolumeName"], "lastwritten": str(media.get("LastWritten") or ""),
                    "jobs": len(jobids), "bytes": nbytes})
    out.sort(key=lambda v: (v["lastwritten"] == "", v["lastwritten"], v["name"]))
    return out


def _choose_from_pool_report(ua, pool):
    """The volumes picked from the pool's prunable ones; [] when there are none."""
    from bareos.lib.edit import edit_uint64_with_commas, edit_uint64_with_suffix

    cat = ua.director.catalog
    pr = cat.get_pool(name=pool.name)
    if pr is None:
        ua.error_msg(f"Pool {pool.name} doesn't exist.\n")
        return None
    report = pool_prune_report(cat, pr)
    if not report:
        ua.send_msg(f'No prunable volumes found in Pool "{pr["Name"]}".\n')
        return []
    ua.send_msg(f'Prunable volumes in Pool "{pr["Name"]}" (oldest data first):\n')
    for i, v in enumerate(report, 1):
        ua.send_msg(f"  {i}: {v['name']} | lastwritten={v['lastwritten']} | "
                    f"jobs={edit_uint64_with_commas(v['jobs'])} | "
                    f"bytes={edit_uint64_with_suffix(v['bytes'])}\n")
    answer = ua.get_cmd('Enter volume numbers or names separated by commas (or "all"): ')
    if answer is None:
        return None
    selection = answer.strip()
    if not selection:
        ua.error_msg("No volumes selected.\n")
        return None
    names = [v["name"] for v in report]
    if selection.lower() == "all":
        return names
    out: list[str] = []
    for token in (t.strip() for t in selection.split(",")):
        if not token:
            continue
        if token.isdigit():
            n = int(token)
            if n < 1 or n > len(report):
                ua.error_msg(f'Invalid prune selection "{token}".\n')
                return None
            token = names[n - 1]
        if token in out:
            continue
        if token not in names:
            ua.error_msg(f'Volume "{token}" is not currently prunable in Pool "{pr["Name"]}".\n')
            return None
        out.append(token)
    return out


def _prune_stats(ua) -> bool:
    d = ua.director
    retention = int(d.resource.get("Statistics Retention") or 0)
    if not retention:
        return False
    if not ua.acl_no_restrictions(acl.CLIENT):
        ua.error_msg(DENIED.format("client"))
        return False
    if not ua.acl_no_restrictions(acl.POOL):
        ua.error_msg(DENIED.format("pool"))
        return False
    period = confirm_retention(ua, retention, "Statistics")
    if period is None:
        return False
    ret.prune_stats(d.catalog, ua, period)
    return True


def _prune_directory(ua) -> bool:
    d = ua.director
    cat = d.catalog
    if not ua.acl_no_restrictions(acl.POOL):
        ua.error_msg(DENIED.format("pool"))
        return False
    client = None
    if ua.find_arg_with_value("client") >= 0 or not ua.acl_no_restrictions(acl.CLIENT):
        client = get_client_resource(ua)
        if client is None:
            return False
    if client is None:
        answer = ua.get_yesno("No client restriction given really remove directory for all "
                              "clients (yes/no): ")
        if not answer:
            client = get_client_resource(ua)
            if client is None:
                return False
    recursive = ua.find_arg("recursive") >= 0
    path = ua.arg_value("directory")
    if path is None:
        path = ua.get_cmd("Please enter the full path prefix to remove: " if recursive
                          else "Please enter the full path to remove: ")
        if path is None:
            return False
    if not path.endswith("/"):
        path += "/"
    like = path.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    if recursive:
        like += "%"
    sql = "DELETE FROM File WHERE PathId IN (SELECT PathId FROM Path WHERE Path LIKE ? ESCAPE '\\')"
    params: list = [like]
    if client is not None:
        cr = cat.get_client(client.name)
        cid = int(cr["ClientId"]) if cr is not None else -1
        sql += " AND JobId IN (SELECT JobId FROM Job WHERE ClientId = ?)"
        params.append(cid)
    with cat.transaction() as tx:
        tx.execute(sql, params)
    if client is None:
        if not ua.get_yesno("Cleanup orphaned path records (yes/no):"):
            return True
        with cat.transaction() as tx:
            tx.execute("DELETE FROM Path WHERE Path LIKE ? ESCAPE '\\'", [like])
    return True
