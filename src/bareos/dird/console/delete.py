"""`delete volume=... | pool=... | jobid=... | storage=...`: remove catalog
records (Bareos's DeleteCmd)."""

from __future__ import annotations

from .. import acl
from ..listfmt import HORZ

KEYWORDS = ("volume", "pool", "jobid", "storage")


def run(ua) -> bool:
    if not ua.open_db(select=True):
        return True
    out = ua.send
    out.object_start("deleted")
    keyword = ua.find_arg_keyword(KEYWORDS)
    if keyword < 0:
        ua.warning_msg("In general it is not a good idea to delete either a\n"
                       "Pool or a Volume since they may contain data.\n\n")
        keyword = ua.select_item("You have the following choices:\n", list(KEYWORDS),
                                 "Choose catalog item to delete", "")
        if keyword is None:
            keyword = -1
    if keyword == 0:
        delete_volume(ua)
    elif keyword == 1:
        delete_pool(ua)
    elif keyword == 2:
        delete_job(ua)
    elif keyword == 3:
        delete_storage(ua)
    else:
        ua.warning_msg("Nothing done.\n")
    out.object_end("deleted")
    return True


def _cat(ua):
    return ua.director.catalog


# ------------------------------------------------------------------ volumes


def get_pool_dbr(ua, argk: str = "pool") -> dict | None:
    """Bareos's GetPoolDbr/SelectPoolDbr: the pool named by ``argk=`` or chosen."""
    cat = _cat(ua)
    for i in range(1, ua.argc):
        if ua.argk[i].lower() == argk and ua.argv[i] and ua.acl_access_ok(acl.POOL, ua.argv[i]):
            pr = cat.get_pool(ua.argv[i])
            if pr is None:
                ua.error_msg(f'Could not find Pool "{ua.argv[i]}": ERR=Pool record not found '
                             "in Catalog.\n")
                break
            return pr
    pools = [p for p in cat.list_pools() if ua.acl_access_ok(acl.POOL, p["name"])]
    if not pools:
        ua.error_msg('No pools defined. Use the "create" command to create one.\n')
        return None
    names = [p["name"] for p in pools]
    if argk == "recyclepool":
        names = ["*None*"] + names
    idx = ua.select_item("Defined Pools:\n", names, "Select the Pool", "Pool")
    if idx is None:
        return None
    if names[idx] == "*None*":
        return {}
    return cat.get_pool(names[idx])


def select_media_dbr(ua) -> dict | None:
    """Bareos's SelectMediaDbr: volume=NAME, or list a pool's volumes and ask."""
    from .listcmd import list_media_records

    cat = _cat(ua)
    name = ua.arg_value("volume")
    media_id = None
    if name is not None:
        ok, _msg = acl.is_name_valid(name)
        if not ok:
            return None
    else:
        pr = get_pool_dbr(ua)
        if pr is None:
            return None
        list_media_records(ua, HORZ, pool_id=pr.get("PoolId"))
        ua.send_msg("Enter the volume name or MediaId of the volume prefixed with an "
                    "asterisk (*).\n")
        answer = ua.get_cmd('E.g. "full-0001" or "*42": ')
        if answer is None:
            return None
        if answer.startswith("*") and answer[1:].isdigit():
            media_id = int(answer[1:])
        elif acl.is_name_valid(answer)[0]:
            name = answer
        else:
            return None
    mr = cat.get_media(media_id=media_id) if media_id is not None else cat.get_media(name)
    if mr is None:
        if media_id is not None:
            ua.error_msg(f"Media record MediaId={media_id} not found.\n")
        else:
            ua.error_msg(f'Media record for Volume "{name}" not found.\n')
        return None
    return mr


def delete_volume(ua) -> bool:
    cat = _cat(ua)
    out = ua.send
    mr = select_media_dbr(ua)
    if mr is None:
        return True
    vol = mr["VolumeName"]
    ua.warning_msg(f"\nThis command will delete volume {vol}\n"
                   "and all Jobs saved on that volume from the Catalog\n")
    if not ua.batch and ua.find_arg("yes") < 0:
        if not ua.get_yesno(f'Are you sure you want to delete Volume "{vol}"? (yes/no): '):
            return True
    if mr.get("VolStatus") != "Purged":
        jobids = cat.get_volume_jobids(int(mr["MediaId"]))
        if jobids:
            with cat.transaction():
                for jid in jobids:
                    cat.delete_job(jid)
            out.array_start("jobids")
            for jid in jobids:
                out.array_item(str(jid))
            out.array_end("jobids")
            ua.info_msg(f"Deleted {len(jobids)} jobs and associated records deleted from the "
                        f"catalog (jobids: {','.join(str(j) for j in jobids)}).\n")
    cat.delete_media(int(mr["MediaId"]))
    out.array_start("volumes")
    out.array_item(vol, "Volume %s deleted.\n")
    out.array_end("volumes")
    return True


# ------------------------------------------------------------------ pools


def delete_pool(ua) -> bool:
    if ua.batch:
        ua.error_msg("Deleting pools from the catalog is not supported in batch mode.\n")
        return False
    pr = get_pool_dbr(ua)
    if not pr:
        return True
    if ua.get_yesno(f'Are you sure you want to delete Pool "{pr["Name"]}"? (yes/no): '):
        cat = _cat(ua)
        with cat.transaction() as tx:
            tx.execute("DELETE FROM Pool WHERE PoolId = ?", (pr["PoolId"],))
    return True


# ------------------------------------------------------------------ jobs


def _is_number(text: str) -> bool:
    return bool(text) and text.isdigit()


def do_job_delete(ua, jobid: int) -> None:
    _cat(ua).delete_job(jobid)
    ua.send.array_item(str(jobid), "Jobid %s and associated records deleted from the catalog.\n")


def _delete_range(ua, tok: str) -> bool:
    if "-" not in tok:
        return False
    a, _, b = tok.partition("-")
    if _is_number(a) and _is_number(b):
        j1, j2 = int(a), int(b)
        if j2 > j1:
            if not ua.batch and j2 - j1 > 25:
                if not ua.get_yesno(f"Are you sure you want to delete {j2 - j1} JobIds ? "
                                    "(yes/no): "):
                    return True
            for j in range(j1, j2 + 1):
                do_job_delete(ua, j)
        else:
            ua.error_msg(f"Illegal JobId range {a} - {b} should define increasing JobIds, "
                         "ignored\n")
    else:
        ua.error_msg(f"Illegal JobId range {a} - {b}, ignored\n")
    return True


def delete_job(ua) -> None:
    if ua.find_arg_with_value("jobid") <= 0:
        n = ua.get_pint("Enter JobId to delete: ")
        if n is not None:
            do_job_delete(ua, n)
        return
    out = ua.send
    out.array_start("jobids")
    for i in range(1, ua.argc):
        if ua.argk[i].lower() != "jobid" or ua.argv[i] is None:
            continue
        value = ua.argv[i]
        if "," in value or "-" in value:
            for tok in value.split(","):
                if not _delete_range(ua, tok):
                    if _is_number(tok):
                        do_job_delete(ua, int(tok))
                    else:
                        ua.error_msg(f"Illegal JobId {tok} ignored\n")
        elif _is_number(value):
            do_job_delete(ua, int(value))
        else:
            ua.error_msg(f"Illegal JobId {value} ignored\n")
    out.array_end("jobids")


# ------------------------------------------------------------------ storages


def delete_storage(ua) -> None:
    cat = _cat(ua)
    i = ua.find_arg_with_value("storage")
    if i <= 0:
        name = ua.get_cmd("Enter storage to delete: ") or ""
    else:
        name = ua.argv[i]
    configured = {s.name for s in ua.director.resources("Storage")}
    from ..listfmt import query

    rows = query(cat, "SELECT StorageId, Name FROM Storage ORDER BY StorageId").rows
    orphaned = [(int(sid), n) for sid, n in rows if n not in configured]
    ua.send_msg(f"Found {len(orphaned)} orphaned Storage records.\n")
    if name not in [n for _sid, n in orphaned]:
        ua.error_msg(f"The given storage '{name}' either does not exist at all, or still exists "
                     "in the configuration. In order to remove a storage from the catalog, its "
                     "configuration must be removed first.\n")
        return
    ids = []
    for sid, n in orphaned:
        if n != name:
            continue
        used = query(cat, "SELECT COUNT(*) FROM Media WHERE StorageId = ?", [sid]).rows[0][0]
        if not used or int(used) == 0:
            ids.append(sid)
    if ids:
        ua.send_msg(f"Deleting {len(ids)} orphaned storage record(s).\n")
        with cat.transaction() as tx:
            for sid in ids:
                tx.execute("DELETE FROM Device WHERE StorageId = ?", (sid,))
                tx.execute("DELETE FROM Storage WHERE StorageId = ?", (sid,))
