"""`truncate volstatus=Purged [storage=] [pool=] [volume=] [drive=] [yes]`:
truncate purged volumes on their Storage Daemon by relabeling them under
their own name (Bareos's TruncateCmd), and `purge volume action=truncate`
(ActionOnPurge)."""

from __future__ import annotations

import re

from bareos.lib.bnet import bash_spaces

from .. import acl
from ..listfmt import HORZ, ListFilters, list_query
from ..select import get_pool_resource, get_storage_resource
from .sdcmds import _device_name, _open_sd, _relay

MIN_BYTES = 512 * 126   # volumes that have more than the first block (DEFAULT_BLOCK_SIZE)

COLUMNS = ("Media.MediaId, Media.VolumeName, Pool.Name AS Pool, Storage.Name AS Storage, "
           "Media.MediaType, Media.LastWritten, Media.VolFiles, Media.VolBytes, Media.VolStatus, "
           "Media.ActionOnPurge, Media.Comment")


def _media_query(storage_id=None, pool_id=None, volumes=(), min_bytes=MIN_BYTES):
    sql = (f"SELECT DISTINCT {COLUMNS} FROM Media LEFT JOIN Pool USING (PoolId) "
           "LEFT JOIN Storage USING (StorageId) WHERE Media.Recycle = 1 AND Media.Enabled = 1")
    params: list = []
    if storage_id:
        sql += " AND Media.StorageId = ?"
        params.append(storage_id)
    if pool_id:
        sql += " AND Media.PoolId = ?"
        params.append(pool_id)
    if min_bytes:
        sql += " AND Media.VolBytes > ?"
        params.append(min_bytes)
    sql += " AND Media.VolStatus = 'Purged'"
    if volumes:
        sql += f" AND Media.VolumeName IN ({','.join('?' for _ in volumes)})"
        params += list(volumes)
    return sql + " ORDER BY Media.MediaId", params


def run(ua) -> bool:
    if ua.argc <= 1:
        ua.send_cmd_usage("missing parameter")
        return False
    parsed = 1
    status = ua.arg_value("volstatus")
    if status is None:
        ua.send_cmd_usage("required parameter 'volstatus' missing")
        return False
    if status.lower() != "purged":
        ua.send_cmd_usage("Invalid parameter. 'volstatus' must be 'Purged'.")
        return False
    parsed += 1
    if not ua.open_db():
        ua.error_msg("Failed to open db.\n")
        return False
    d = ua.director
    cat = d.catalog
    storage_id = pool_id = None
    if ua.find_arg_with_value("storage") >= 0 or not ua.acl_no_restrictions(acl.STORAGE):
        store = get_storage_resource(ua, use_default=False)
        if store is None:
            return False
        sr = cat.get_storage(store.name)
        storage_id = int(sr["StorageId"]) if sr is not None else -1
        if ua.find_arg_with_value("storage") >= 0:
            parsed += 1
    if ua.find_arg_with_value("pool") >= 0 or not ua.acl_no_restrictions(acl.POOL):
        pool = get_pool_resource(ua)
        if pool is None:
            return False
        pr = cat.get_pool(name=pool.name)
        pool_id = int(pr["PoolId"]) if pr is not None else -1
        if ua.find_arg_with_value("pool") >= 0:
            parsed += 1
    volumes = []
    vol = ua.arg_value("volume")
    if vol is not None and acl.is_name_valid(vol)[0]:
        volumes.append(vol)
        parsed += 1
    drive = 0
    dv = ua.arg_value("drive")
    if dv is not None:
        if not dv.lstrip("-").isdigit():
            ua.send_cmd_usage(f"Drive number must be integer but was : {dv}\n")
        else:
            drive = int(dv)
            parsed += 1
    if ua.find_arg("yes") >= 0:
        parsed += 1
    if parsed != ua.argc:
        ua.send_cmd_usage("Invalid parameter.")
        return False
    sql, params = _media_query(storage_id, pool_id, volumes)
    filters = ListFilters(ua)
    filters.acl("pool", acl.POOL)
    filters.acl("storage", acl.STORAGE)
    res = list_query(ua, cat, sql, params, HORZ, array="volumes", filters=filters)
    mids = [int(row[0]) for row in (res.rows if res is not None else [])
            if ua.acl_access_ok(acl.POOL, str(row[2] or "")) or not row[2]]
    if not mids:
        return True
    storages = {cat.get_media(media_id=m).get("StorageId") or 0 for m in mids}
    if len(storages) > 1:
        ua.error_msg("Selected volumes are from different storages. This is not supported. "
                     "Please choose only volumes from a single storage.\n")
        return False
    from .purge import get_confirmation

    if not get_confirmation(ua, "Truncate listed volumes (yes/no)? "):
        return False
    for mid in mids:
        media = cat.get_media(media_id=mid)
        if media is not None:
            do_truncate(ua, media, drive)
    return True


def _storage_for(ua, media):
    cat = ua.director.catalog
    sid = int(media.get("StorageId") or 0)
    if sid:
        sr = cat.get_storage(storage_id=sid)
        if sr is None:
            ua.error_msg(f"failed to determine storage for id {sid}\n")
            return None
        store = ua.director.get("Storage", sr["Name"])
        if store is None:
            ua.error_msg(f"failed to determine storage resource by name {sr['Name']}\n")
        return store
    # volumes labeled without a StorageId: the storage= given, or chosen
    return get_storage_resource(ua, use_default=False)


def do_truncate(ua, media: dict, drive: int = 0) -> bool:
    """Relabel the volume under its own name: the SD rewrites it with only a label."""
    cat = ua.director.catalog
    pr = cat.get_pool(pool_id=int(media.get("PoolId") or 0))
    if pr is None:
        ua.error_msg(f"failed to determine pool for id {media.get('PoolId')}\n")
        return False
    store = _storage_for(ua, media)
    if store is None:
        return False
    name = media["VolumeName"]
    vol_bytes = _relabel_same(ua, store, media, pr, drive)
    if vol_bytes is None:
        return False
    cat.update_media(int(media["MediaId"]), VolBytes=vol_bytes, VolFiles=0, VolBlocks=0,
                     VolStatus="Purged")
    ua.send_msg(f"The volume '{name}' has been truncated.\n")
    return True


def _relabel_same(ua, store, media, pr, drive) -> int | None:
    bs = _open_sd(ua, store)
    if bs is None:
        return None
    name = media["VolumeName"]
    try:
        dev = bash_spaces(_device_name(store))
        ua.send_msg(f'Sending relabel command from "{name}" to "{name}" ...\n')
        bs.send(f"relabel {dev} OldName={bash_spaces(name)} NewName={bash_spaces(name)} "
                f"PoolName={bash_spaces(pr['Name'])} MediaType={bash_spaces(media.get('MediaType') or '')} "
                f"Slot={int(media.get('Slot') or 0)} drive={drive} "
                f"MinBlocksize={int(media.get('MinBlockSize') or 0)} "
                f"MaxBlocksize={int(media.get('MaxBlockSize') or 0)}\n")
        vol_bytes = None
        for line in _relay(ua, bs):
            m = re.match(r"3000 OK label\. (?:VolFiles=\d+ )?VolBytes=(\d+)", line)
            if m:
                vol_bytes = int(m.group(1))
        if vol_bytes is None:
            ua.warning_msg(f'Unable to truncate volume "{name}": the Storage Daemon '
                           f"{store.name} did not relabel it.\n")
        return vol_bytes
    finally:
        bs.terminate()


def action_on_purge(ua, names: list[str]) -> bool:
    """`purge volume action=truncate`: truncate the purged volumes that have
    Action On Purge = Truncate (Bareos's ActionOnPurgeCmd)."""
    cat = ua.director.catalog
    action = ua.arg_value("action") or "all"
    store = get_storage_resource(ua, use_default=False)
    if store is None:
        return True
    pool_id = None
    if ua.find_arg("allpools") < 0:
        pool = get_pool_resource(ua)
        if pool is None:
            return True
        pr = cat.get_pool(name=pool.name)
        if pr is None:
            return True
        pool_id = int(pr["PoolId"])
    sql, params = _media_query(None, pool_id, names, min_bytes=10000)
    with cat.transaction() as tx:
        mids = [int(r[0]) for r in tx.query(sql, params)]
    if not mids:
        ua.send_msg(f"No Volumes found to perform {action} action.\n")
        return True
    drive = int(ua.arg_value("drive") or 0) if (ua.arg_value("drive") or "").isdigit() else 0
    for mid in mids:
        media = cat.get_media(media_id=mid)
        if media is None or action.lower() not in ("truncate", "all"):
            continue
        if not int(media.get("ActionOnPurge") or 0) & 1:
            ua.error_msg('\nThe option "Action On Purge = Truncate" was not defined in the Pool '
                         f'resource.\nUnable to truncate volume "{media["VolumeName"]}"\n')
            continue
        pr = cat.get_pool(pool_id=int(media["PoolId"]))
        vol_bytes = _relabel_same(ua, store, media, pr, drive)
        if vol_bytes is None:
            ua.warning_msg(f'Unable to truncate volume "{media["VolumeName"]}"\n')
            continue
        cat.update_media(mid, VolBytes=vol_bytes, VolFiles=0)
        ua.send_msg(f'The volume "{media["VolumeName"]}" has been truncated\n')
    return True
