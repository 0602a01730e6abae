"""Console commands that reach a Storage Daemon: `label`, `relabel`,
`mount`, `unmount`/`umount`, `release`."""

from __future__ import annotations

import re

from bareos.lib.bnet import BnetError, bash_spaces

from ..catreq import CatalogService
from ..daemonconn import DaemonConnectError, connect_daemon
from ..select import get_pool_resource, get_storage_resource

_VOL_CHARS = re.compile(r"[A-Za-z0-9:.\-_]+\Z")


def _device_name(store) -> str:
    devs = store.get("Device") or []
    if isinstance(devs, str):
        devs = [devs]
    return devs[0] if devs else store.name


def _drive(ua) -> int:
    v = ua.arg_value("drive")
    try:
        return int(v) if v is not None else 0
    except ValueError:
        return 0


def _open_sd(ua, store):
    try:
        conn = connect_daemon(ua.director, store, "storage", timeout=15)
    except DaemonConnectError as exc:
        ua.error_msg(f"Failed to connect to Storage daemon {store.name}: {exc}\n")
        return None
    return conn.bsock


def _relay(ua, bs, stop=None) -> list[str]:
    """Print the SD's answers until EOD; catalog requests are answered."""
    lines = []
    while True:
        try:
            msg = bs.recv(timeout=600)
        except (BnetError, OSError, TimeoutError):
            break
        if isinstance(msg, int):
            break
        text = msg.decode("utf-8", "replace")
        if text.startswith("CatReq ") or text.startswith("Catreq "):
            from ..jcr import Jcr

            jcr = Jcr(director=ua.director, job_res=None)
            answer = CatalogService(jcr, ua.director.catalog).cat_req(text)
            if answer:
                bs.send(answer)
            continue
        lines.append(text)
        ua.send_msg(text)
        if stop is not None and stop(text):
            break
    return lines


def _volop(ua, operation: str) -> bool:
    if not ua.open_db():
        return False
    store = get_storage_resource(ua)
    if store is None:
        return False
    bs = _open_sd(ua, store)
    if bs is None:
        return False
    try:
        dev = bash_spaces(_device_name(store))
        slot = ua.arg_value("slot")
        if operation == "mount" and slot is not None:
            bs.send(f"{operation} {dev} drive={_drive(ua)} slot={int(slot)}\n")
        else:
            bs.send(f"{operation} {dev} drive={_drive(ua)}\n")
        _relay(ua, bs)
    finally:
        bs.terminate()
    return True


def mount(ua) -> bool:
    return _volop(ua, "mount")


def unmount(ua) -> bool:
    return _volop(ua, "unmount")


def release(ua) -> bool:
    return _volop(ua, "release")


def _volume_name_ok(ua, name: str) -> bool:
    if name.startswith("/"):
        ua.error_msg('Volume name can not start with "/".\n')
        return False
    for c in name:
        if not (c.isascii() and (c.isalnum() or c in ":.-_")):
            ua.error_msg(f'Illegal character "{c}" in a volume name.\n')
            return False
    if len(name) >= 128:
        ua.error_msg("Volume name too long.\n")
        return False
    if not name:
        ua.error_msg("Volume name must be at least one character long.\n")
        return False
    return True


def label(ua) -> bool:
    return _label(ua, relabel=False)


def relabel(ua) -> bool:
    return _label(ua, relabel=True)


def _label(ua, relabel: bool) -> bool:
    d = ua.director
    if not ua.open_db():
        return False
    barcodes = not relabel and (ua.find_arg("barcodes") >= 0 or ua.find_arg("barcode") >= 0)
    store = get_storage_resource(ua)
    if store is None:
        return False
    if barcodes:
        from .changer import label_barcodes, storage_drive
        yes = bool(getattr(ua, "batch", False)) or ua.find_arg("yes") > 0
        return label_barcodes(ua, store, storage_drive(ua, store), yes)
    cat = d.catalog
    old = None
    if relabel:
        oldname = ua.arg_value("oldvolume")
        old = cat.get_media(volume_name=oldname) if oldname else None
        if old is None:
            ua.error_msg(f'Volume "{oldname}" not found in catalog.\n')
            return False
        if old["VolStatus"] not in ("Purged", "Recycle"):
            ua.error_msg(f'Volume "{old["VolumeName"]}" has VolStatus {old["VolStatus"]}. '
                         "It must be Purged or Recycled before relabeling.\n")
            return False
    name = ua.arg_value("volume")
    exists = None
    while True:
        if name is None:
            name = ua.get_cmd("Enter new Volume name: ")
            if name is None:
                return True
        if not _volume_name_ok(ua, name):
            name = None
            continue
        exists = cat.get_media(volume_name=name)
        if exists is not None and int(exists.get("VolBytes") or 0) != 0:
            ua.error_msg(f'Media record for new Volume "{name}" already exists.\n')
            if ua.arg_value("volume") is not None:
                return False
            name = None
            continue
        break
    slot = int(ua.arg_value("slot") or 0)
    pool = get_pool_resource(ua)
    if pool is None:
        return False
    pool_row = cat.get_pool(name=pool.name)
    if pool_row is None:
        cat.sync_pools(d.resources("Pool"))
        pool_row = cat.get_pool(name=pool.name)
    media_type = store.get("Media Type") or ""
    bs = _open_sd(ua, store)
    if bs is None:
        return False
    ok = False
    try:
        dev = bash_spaces(_device_name(store))
        minbs = int(pool_row.get("MinBlockSize") or 0)
        maxbs = int(pool_row.get("MaxBlockSize") or 0)
        if relabel:
            bs.send(f"relabel {dev} OldName={bash_spaces(old['VolumeName'])} NewName={bash_spaces(name)} "
                    f"PoolName={bash_spaces(pool.name)} MediaType={bash_spaces(media_type)} Slot={slot} "
                    f"drive={_drive(ua)} MinBlocksize={minbs} MaxBlocksize={maxbs}\n")
            ua.send_msg(f'Sending relabel command from "{old["VolumeName"]}" to "{name}" ...\n')
        else:
            bs.send(f"label {dev} VolumeName={bash_spaces(name)} PoolName={bash_spaces(pool.name)} "
                    f"MediaType={bash_spaces(media_type)} Slot={slot} drive={_drive(ua)} "
                    f"MinBlocksize={minbs} MaxBlocksize={maxbs}\n")
            ua.send_msg(f'Sending label command for Volume "{name}" Slot {slot} ...\n')
        vol_bytes = 0
        for line in _relay(ua, bs):
            m = re.match(r"3000 OK label\. (?:VolFiles=\d+ )?VolBytes=(\d+)", line)
            if m:
                ok = True
                vol_bytes = int(m.group(1))
        if not ok:
            ua.error_msg(f"Label command failed for Volume {name}.\n")
            return False
        fields = dict(VolBytes=vol_bytes, VolStatus="Append", Slot=slot, InChanger=int(slot > 0),
                      LabelDate=int(__import__("time").time()))
        from .changer import make_inchanger_unique
        fields["StorageId"] = sid = cat.get_or_create_storage(
            store.name, autochanger=int(bool(store.get("Auto Changer"))))
        if slot > 0:
            make_inchanger_unique(cat, slot, sid, volume=name)
        if exists is not None:
            cat.update_media(exists["MediaId"], **fields)
        else:
            cat.create_media(name, pool_row["PoolId"], media_type, **fields)
            ua.info_msg(f'Catalog record for Volume "{name}", Slot {slot} successfully created.\n')
        if relabel and old is not None:
            cat.delete_media(old["MediaId"])
            ua.info_msg(f'Old volume "{old["VolumeName"]}" deleted from catalog.\n')
        if getattr(ua, "automount", True):
            ua.info_msg(f"Requesting to mount {_device_name(store)} ...\n")
            bs.send(f"mount {dev} drive={_drive(ua)}\n")
            lines = _relay(ua, bs)
            if not any(l.startswith(("3001 ", "3002 ", "3906 ")) for l in lines):
                ua.info_msg("Do not forget to mount the drive!!!\n")
    finally:
        bs.terminate()
    return ok
