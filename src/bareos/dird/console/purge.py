"""`purge files|jobs|volume|quota`: delete catalog records without regard
to retention periods (Bareos's PurgeCmd)."""

from __future__ import annotations

from .. import acl
from .. import retention as ret
from ..select import get_client_resource

KEYWORDS = ("files", "jobs", "volume", "quota")
FILES_KEYWORDS = ("Job", "JobId", "Client", "Volume")
JOBS_KEYWORDS = ("Client", "Volume", "Pool")
DENIED = "Permission denied: need full {} permission.\n"

JOBSTATUS_WORDS = {"terminated": "T", "warnings": "W", "canceled": "A", "running": "R",
                   "error": "E", "fatal": "f"}


def get_confirmation(ua, prompt: str, fallback: bool = False) -> bool:
    """Bareos's GetConfirmation: `yes` on the command line, else ask (never in batch/API mode)."""
    if ua.find_arg("yes") >= 0:
        return True
    if ua.bsock is None:
        return fallback
    if ua.api or ua.batch:
        return False
    return bool(ua.get_yesno(prompt))


def jobstatus_selection(ua) -> list[str] | None:
    """jobstatus=T,W,... (letters or words); None when invalid."""
    i = ua.find_arg_with_value("jobstatus")
    if i < 0:
        return []
    value = ua.argv[i]
    if not value:
        return None
    out = []
    for item in value.split(","):
        if len(item) == 1 and "A" <= item <= "z":
            out.append(item)
        elif item.lower() in JOBSTATUS_WORDS:
            out.append(JOBSTATUS_WORDS[item.lower()])
        else:
            return None
    return out


def _catalog_name(ua, client) -> str:
    name = client.get("Catalog")
    if name:
        return name
    first = ua.director.config.first("Catalog")
    return first.name if first is not None else ""


def run(ua) -> bool:
    ua.warning_msg("\nThis command can be DANGEROUS!!!\n\n"
                   "It purges (deletes) all Files from a Job,\n"
                   "JobId, Client or Volume; or it purges (deletes)\n"
                   "all Jobs from a Client or Volume without regard\n"
                   "to retention periods. Normally you should use the\n"
                   "PRUNE command, which respects retention periods.\n"
                   "This command requires full access to all resources.\n")
    for kind, word in ((acl.CLIENT, "client"), (acl.JOB, "job"), (acl.POOL, "pool"),
                       (acl.STORAGE, "storage")):
        if not ua.acl_no_restrictions(kind):
            ua.error_msg(DENIED.format(word))
            return False
    if not ua.open_db(select=True):
        return True
    kw = ua.find_arg_keyword(KEYWORDS)
    if kw == 0:
        sub = ua.find_arg_keyword(FILES_KEYWORDS)
        if sub in (0, 1):
            jr = _get_job_dbr(ua)
            if jr is not None:
                ret.purge_files_from_jobs(ua.director.catalog, [int(jr["JobId"])])
            return True
        if sub == 2:
            client = get_client_resource(ua)
            if client is not None:
                purge_files_from_client(ua, client)
            return True
        if sub == 3:
            return True  # Bareos does not implement purging the files of a volume
    elif kw == 1:
        sub = ua.find_arg_keyword(JOBS_KEYWORDS)
        if sub == 0:
            client = get_client_resource(ua)
            if client is not None:
                purge_jobs_from_client(ua, client)
            return True
        if sub == 1:
            media = _select_media(ua)
            if media is not None:
                purge_volume(ua, media)
            return True
        if sub == 2:
            from .delete import get_pool_dbr

            pr = get_pool_dbr(ua)
            if pr:
                purge_jobs_from_pool(ua, pr)
            return True
    elif kw == 2:
        names = [ua.argv[i] for i in range(1, ua.argc)
                 if ua.argk[i].lower() == "volume" and ua.argv[i]]
        bare = any(ua.argk[i].lower() == "volume" and ua.argv[i] is None for i in range(1, ua.argc))
        if bare and not names:
            media = _select_media(ua)
            if media is not None:
                purge_volume(ua, media)
                names.append(media["VolumeName"])
            ua.send_msg("\n")
        else:
            for name in names:
                media = _media_by_name(ua, name)
                if media is not None:
                    purge_volume(ua, media)
                ua.send_msg("\n")
        if ua.find_arg("action") >= 0:
            from .truncate import action_on_purge

            return action_on_purge(ua, names)
        return True
    elif kw == 3:
        if ua.find_arg_keyword(("Client",)) == 0:
            client = get_client_resource(ua)
            if client is not None:
                _purge_quota(ua, client)
            return True
    idx = ua.select_item("", list(KEYWORDS), "Choose item to purge", "")
    if idx == 0:
        client = get_client_resource(ua)
        if client is not None:
            purge_files_from_client(ua, client)
    elif idx == 1:
        client = get_client_resource(ua)
        if client is not None:
            purge_jobs_from_client(ua, client)
    elif idx == 2:
        media = _select_media(ua)
        if media is not None:
            purge_volume(ua, media)
    elif idx == 3:
        client = get_client_resource(ua)
        if client is not None:
            _purge_quota(ua, client)
    return True


def _media_by_name(ua, name: str):
    media = ua.director.catalog.get_media(volume_name=name)
    if media is None:
        ua.error_msg(f'Media record for Volume "{name}" not found.\n')
    return media


def _select_media(ua):
    from .delete import select_media_dbr

    return select_media_dbr(ua)


def _get_job_dbr(ua):
    cat = ua.director.catalog
    for i in range(1, ua.argc):
        key = ua.argk[i].lower()
        if key == "jobid" and ua.argv[i]:
            if not ua.argv[i].isdigit():
                ua.error_msg(f"Illegal JobId {ua.argv[i]}\n")
                return None
            jr = cat.get_job(int(ua.argv[i]))
            if jr is None:
                ua.error_msg(f"JobId {ua.argv[i]} is not in the catalog.\n")
            return jr
        if key in ("job", "ujobid") and ua.argv[i]:
            jr = cat.get_job(job=ua.argv[i])
            if jr is None:
                ua.error_msg(f'Job "{ua.argv[i]}" is not in the catalog.\n')
            return jr
    n = ua.get_pint("Enter JobId: ")
    if n is None:
        return None
    jr = cat.get_job(n)
    if jr is None:
        ua.error_msg(f"JobId {n} is not in the catalog.\n")
    return jr


def _client_id(ua, client) -> int | None:
    cr = ua.director.catalog.get_client(client.name)
    return int(cr["ClientId"]) if cr is not None else None


def _rows(ua, sql: str, params=()) -> list[int]:
    with ua.director.catalog.transaction() as tx:
        return [int(r[0]) for r in tx.query(sql, list(params))]


def purge_files_from_client(ua, client) -> bool:
    cid = _client_id(ua, client)
    ua.info_msg(f'Begin purging files for Client "{client.name}"\n')
    jobids = _rows(ua, "SELECT JobId FROM Job WHERE ClientId = ? AND PurgedFiles = 0 ORDER BY JobId",
                   [cid if cid is not None else -1])
    catalog = _catalog_name(ua, client)
    if not jobids:
        ua.warning_msg(f"No Files found for client {client.name} to purge from {catalog} catalog.\n")
        return True
    ua.info_msg(f'Found Files in {len(jobids)} Jobs for client "{client.name}" in catalog '
                f'"{catalog}".\n')
    if not get_confirmation(ua, "Purge (yes/no)? "):
        ua.info_msg("Purge canceled.\n")
    else:
        ret.purge_files_from_jobs(ua.director.catalog, jobids)
    return True


def purge_jobs_from_client(ua, client) -> bool:
    cid = _client_id(ua, client)
    ua.info_msg(f'Begin purging jobs from Client "{client.name}"\n')
    statuses = jobstatus_selection(ua)
    if statuses is None:
        ua.error_msg("invalid jobstatus parameter\n")
        return False
    sql = "SELECT JobId FROM Job WHERE ClientId = ?"
    params: list = [cid if cid is not None else -1]
    if statuses:
        sql += f" AND JobStatus IN ({','.join('?' for _ in statuses)})"
        params += statuses
    jobids = _rows(ua, sql + " ORDER BY JobId", params)
    catalog = _catalog_name(ua, client)
    if not jobids:
        ua.warning_msg(f"No Jobs found for client {client.name} to purge from {catalog} catalog.\n")
        return True
    ua.info_msg(f'Found {len(jobids)} Jobs for client "{client.name}" in catalog "{catalog}".\n')
    if not get_confirmation(ua, "Purge (yes/no)? "):
        ua.info_msg("Purge canceled.\n")
        return True
    done = ret.purge_job_list(ua.director.catalog, ua, jobids)
    ua.info_msg(f'{len(done)} Job{"" if len(done) <= 1 else "s"} on client "{client.name}" '
                "purged from catalog.\n")
    return True


def purge_jobs_from_pool(ua, pr: dict) -> bool:
    cat = ua.director.catalog
    statuses = jobstatus_selection(ua)
    if statuses is None:
        ua.error_msg("invalid jobstatus parameter\n")
        return False
    sql = ("SELECT DISTINCT JobMedia.JobId FROM JobMedia, Job WHERE Job.JobId = JobMedia.JobId "
           "AND JobMedia.MediaId IN (SELECT MediaId FROM Media WHERE PoolId = ?)")
    params: list = [int(pr["PoolId"])]
    if statuses:
        sql += f" AND Job.JobStatus IN ({','.join('?' for _ in statuses)})"
        params += statuses
    jobids = _rows(ua, sql + " ORDER BY JobMedia.JobId", params)
    if not jobids:
        ua.warning_msg(f"No Jobs found for pool {pr['Name']} to purge from catalog.\n")
    else:
        ua.info_msg(f'Found {len(jobids)} Jobs for pool "{pr["Name"]}" in catalog.\n')
        if not get_confirmation(ua, "Purge (yes/no)? "):
            ua.info_msg("Purge canceled.\n")
        else:
            done = ret.purge_job_list(cat, ua, jobids)
            ua.info_msg(f'{len(done)} Job{"" if len(done) <= 1 else "s"} on Pool "{pr["Name"]}" '
                        "purged from catalog.\n")
    mids = _rows(ua, "SELECT MediaId FROM Media WHERE PoolId = ? ORDER BY MediaId", [int(pr["PoolId"])])
    if not mids:
        ua.warning_msg(f"No Media found for pool {pr['Name']}.\n")
    for mid in mids:
        media = cat.get_media(media_id=mid)
        if media is not None:
            ret.is_volume_purged(cat, ua, media, False)
    return True


def purge_volume(ua, media: dict) -> bool:
    statuses = jobstatus_selection(ua)
    if statuses is None:
        ua.error_msg("invalid jobstatus parameter\n")
        return False
    jobids = None
    value = ua.arg_value("jobid")
    if value and all(p.strip().isdigit() for p in value.split(",")):
        jobids = [int(p) for p in value.split(",")]
    return ret.purge_jobs_from_volume(
        ua.director.catalog, ua, media, force=True, jobstatus=statuses, jobids=jobids,
        confirm=lambda: get_confirmation(ua, "Purge (yes/no)? ", True))


def _purge_quota(ua, client) -> bool:
    cat = ua.director.catalog
    cid = _client_id(ua, client)
    if cid is None:
        cid = cat.get_or_create_client(client.name)
    with cat.transaction() as tx:
        if not tx.query("SELECT ClientId FROM Quota WHERE ClientId = ?", [cid]):
            tx.execute("INSERT INTO Quota (ClientId, GraceTime, QuotaLimit) VALUES (?, 0, 0)", [cid])
        tx.execute("UPDATE Quota SET GraceTime = 0, QuotaLimit = 0 WHERE ClientId = ?", [cid])
    ua.info_msg(f'Purged quota for Client "{client.name}"\n')
    return True
