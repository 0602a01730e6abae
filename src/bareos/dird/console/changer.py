"""Autochanger commands of the Director (Bareos's ua_label.cc
label_from_barcodes, ua_update.cc UpdateSlots, ua_status.cc StatusSlots,
storage.cc / sd_cmds.cc get_vol_list_from_storage and GetNumSlots).

The Storage daemon runs the changer; the Director asks it with
``autochanger slots|list|listall|drives|transfer <device>`` and
``readlabel <device> Slot=<n> drive=<n>``, and keeps Slot/InChanger/StorageId
of the Media records in step.

Interface used by other console modules::

    label_barcodes(ua, store, drive, yes) -> bool     # label storage= barcodes
    update_slots(ua) -> bool                          # update slots [scan]
    status_slots(ua, store) -> None                   # status storage= slots
    get_num_slots(ua, store) -> int
    get_vol_list(ua, store, listall=False, scan=False) -> list[VolEntry] | None
    user_slot_list(ua, max_slots, argument="slots") -> set[int] | None
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

from bareos.lib import bnet
from bareos.lib.bnet import BnetError, bash_spaces

SLOT_TYPE_DRIVE = "D"
SLOT_TYPE_STORAGE = "S"
SLOT_TYPE_IMPORT = "I"

_SD_MESSAGE = re.compile(r"3\d\d\d ")
_VOL_NAME = re.compile(r"[A-Za-z0-9:.\-_]+\Z")


@dataclass
class VolEntry:
    """One element of the changer: a drive, a storage slot or an I/E slot."""

    slot_type: str                 # D, S, I ("?" unknown)
    slot: int                      # slot number, or the drive number for drives
    full: bool | None              # None: status unknown
    volume: str | None = None
    loaded: int = 0                # drives: the slot they hold

    @property
    def element_address(self) -> int:
        # drives sort before slots, as Bareos's INDEX_DRIVE_OFFSET / INDEX_SLOT_OFFSET
        return self.slot if self.slot_type == SLOT_TYPE_DRIVE else 10000 + self.slot


# ---------------------------------------------------------------- SD access


def device_name(store) -> str:
    devs = store.get("Device") or []
    if isinstance(devs, str):
        devs = [devs]
    return devs[0] if devs else store.name


def _open(ua, store):
    from .sdcmds import _open_sd
    return _open_sd(ua, store)


def sd_lines(ua, store, command: str) -> list[str] | None:
    """Send one command to the Storage daemon, return its answer lines
    (without newlines) up to the EOD; None when it cannot be reached."""
    bs = _open(ua, store)
    if bs is None:
        return None
    lines: list[str] = []
    try:
        bs.send(command)
        while True:
            try:
                msg = bs.recv(timeout=600)
            except (BnetError, OSError, TimeoutError):
                break
            if isinstance(msg, int):
                if msg in (bnet.BNET_HEARTBEAT, bnet.BNET_HB_RESPONSE):
                    continue
                break
            text = msg.decode("utf-8", "replace")
            lines.extend(text.splitlines() or [""])
    finally:
        bs.terminate()
    return lines


def get_num_slots(ua, store) -> int:
    """``autochanger slots``: the number of slots (Bareos's NativeGetNumSlots)."""
    dev = device_name(store)
    lines = sd_lines(ua, store, f"autochanger slots {bash_spaces(dev)}\n")
    if lines is None:
        return 0
    slots = 0
    for line in lines:
        m = re.match(r"slots=(\d+)", line)
        if m:
            slots = int(m.group(1))
            break
        ua.send_msg(line + "\n")
    ua.send_msg(f'Device "{dev}" has {slots} slots.\n')
    return slots


def get_num_drives(ua, store) -> int:
    lines = sd_lines(ua, store, f"autochanger drives {bash_spaces(device_name(store))}\n")
    for line in lines or []:
        m = re.match(r"drives=(\d+)", line)
        if m:
            return int(m.group(1))
    return 0


def _is_int(text: str) -> bool:
    return text.isdigit()


def parse_vol_list(ua, lines: list[str], listall: bool, scan: bool) -> list[VolEntry]:
    """The changer's ``list``/``listall`` lines as Bareos's native_get_vol_list
    reads them (SD messages are passed on to the user)."""
    out: list[VolEntry] = []
    for raw in lines:
        line = raw.rstrip()
        if _SD_MESSAGE.match(line):
            ua.send_msg(line + "\n")
            continue
        if not line:
            continue
        fields = line.split(":", 4 if listall else 1)
        if len(fields) < 2:
            ua.error_msg(f"Illegal output from autochanger {'listall' if listall else 'list'}: "
                         f"{line}\n")
            continue
        if not listall:
            slot_text, vol = fields[0], fields[1]
            if scan:
                slot = int(slot_text) if _is_int(slot_text) else 0
                if slot <= 0:
                    ua.error_msg(f"Invalid Slot number: {line}\n")
                    continue
                out.append(VolEntry(SLOT_TYPE_STORAGE, slot, bool(vol), vol or None))
                continue
            if not vol:
                continue
            if not _is_int(slot_text) or int(slot_text) <= 0:
                ua.error_msg(f"Invalid Slot number: {slot_text}\n")
                continue
            if not _VOL_NAME.match(vol) or len(vol) >= 128:
                ua.error_msg(f"Invalid Volume name: {vol}\n")
                continue
            out.append(VolEntry(SLOT_TYPE_STORAGE, int(slot_text), True, vol))
            continue
        if len(fields) < 3:
            ua.error_msg(f"Illegal output from autochanger listall: {line}\n")
            continue
        kind = fields[0] if fields[0] in ("D", "S", "I") else "?"
        num_text = fields[1]
        if kind == SLOT_TYPE_DRIVE:
            if not _is_int(num_text):
                ua.error_msg(f"Invalid Drive number: {num_text}\n")
                continue
        elif not _is_int(num_text) or int(num_text) <= 0:
            ua.error_msg(f"Invalid Slot number: {num_text}\n")
            continue
        e = VolEntry(kind, int(num_text), None)
        status = fields[2][:1]
        if status == "E":
            e.full = False
        elif status == "F":
            e.full = True
            if kind in (SLOT_TYPE_STORAGE, SLOT_TYPE_IMPORT):
                if len(fields) > 3:
                    e.volume = ":".join(fields[3:]) or None
            elif kind == SLOT_TYPE_DRIVE:
                if len(fields) > 3 and _is_int(fields[3]):
                    e.loaded = int(fields[3])
                if len(fields) > 4:
                    e.volume = fields[4] or None
        out.append(e)
    out.sort(key=lambda e: e.element_address)
    return out


def get_vol_list(ua, store, listall: bool = False, scan: bool = False) -> list[VolEntry] | None:
    """``autochanger list`` / ``listall``; None when nothing came back."""
    op = "listall" if listall else "list"
    lines = sd_lines(ua, store, f"autochanger {op} {bash_spaces(device_name(store))}\n")
    if lines is None:
        return None
    vols = parse_vol_list(ua, lines, listall, scan)
    return vols or None


def user_slot_list(ua, max_slots: int, argument: str = "slots") -> set[int] | None:
    """Bareos's GetUserSlotList: ``slots=1,3-5`` (or ``slot=``); all slots
    when not given; None (after an error message) on bad input."""
    i = ua.find_arg_with_value(argument)
    if i < 0 and argument.endswith("s"):
        i = ua.find_arg_with_value(argument[:-1])
    if i < 0:
        return set(range(1, max_slots + 1))
    chosen: set[int] = set()
    for part in ua.argv[i].strip().split(","):
        msg = None
        if part.startswith("-"):
            msg = "Negative numbers not permitted\n"
        elif "-" in part:
            beg_t, end_t = part.split("-", 1)
            if not end_t.strip().isdigit():
                msg = "Range end is not integer.\n"
            elif not beg_t.strip().isdigit():
                msg = "Range start is not an integer.\n"
            else:
                beg, end = int(beg_t), int(end_t)
                if end < beg:
                    msg = "Range end not bigger than start.\n"
        else:
            if not part.strip().isdigit():
                msg = "Input value is not an integer.\n"
            else:
                beg = end = int(part)
        if msg is None and (beg <= 0 or end <= 0):
            msg = "Values must be be greater than zero.\n"
        if msg is None and end > max_slots:
            msg = "Slot too large.\n"
        if msg is not None:
            ua.error_msg(msg)
            return None
        chosen.update(range(beg, end + 1))
    return chosen


def storage_drive(ua, store) -> int:
    """Bareos's GetStorageDrive: ``drive=`` or 0."""
    v = ua.arg_value("drive")
    if v is not None:
        try:
            return int(v)
        except ValueError:
            ua.error_msg(f"Invalid drive: {v}\n")
            return 0
    return 0


def _storage_id(cat, store) -> int:
    return cat.get_or_create_storage(store.name, autochanger=int(bool(store.get("Auto Changer"))))


def make_inchanger_unique(cat, slot: int, storage_id: int, volume: str = "",
                          media_id: int = 0) -> None:
    """Bareos's MakeInchangerUnique: no other volume of this storage keeps
    this slot."""
    if not slot or not storage_id:
        return
    with cat.transaction() as tx:
        if media_id:
            tx.execute("UPDATE Media SET InChanger=0, Slot=0 WHERE Slot=? AND StorageId=? "
                       "AND MediaId<>?", (slot, storage_id, media_id))
        elif volume:
            tx.execute("UPDATE Media SET InChanger=0, Slot=0 WHERE Slot=? AND StorageId=? "
                       "AND VolumeName<>?", (slot, storage_id, volume))
        else:
            tx.execute("UPDATE Media SET InChanger=0, Slot=0 WHERE Slot=? AND StorageId=?",
                       (slot, storage_id))


# ------------------------------------------------------------- label barcodes


def _send_label(ua, store, name: str, pool_row: dict, media_type: str, slot: int,
                drive: int) -> tuple[bool, int]:
    from .sdcmds import _relay
    bs = _open(ua, store)
    if bs is None:
        return False, 0
    ok = False
    vol_bytes = 0
    try:
        dev = bash_spaces(device_name(store))
        minbs = int(pool_row.get("MinBlockSize") or 0)
        maxbs = int(pool_row.get("MaxBlockSize") or 0)
        bs.send(f"label {dev} VolumeName={bash_spaces(name)} PoolName={bash_spaces(pool_row['Name'])} "
                f"MediaType={bash_spaces(media_type)} Slot={slot} drive={drive} "
                f"MinBlocksize={minbs} MaxBlocksize={maxbs}\n")
        ua.send_msg(f'Sending label command for Volume "{name}" Slot {slot} ...\n')
        for line in _relay(ua, bs):
            m = re.match(r"3000 OK label\. (?:VolFiles=\d+ )?VolBytes=(\d+)", line)
            if m:
                ok = True
                vol_bytes = int(m.group(1))
    finally:
        bs.terminate()
    return ok, vol_bytes


def label_barcodes(ua, store, drive: int, yes: bool) -> bool:
    """``label storage=... barcodes [pool=] [slots=] [drive=] [yes]``."""
    from ..select import get_pool_resource

    d = ua.director
    cat = d.catalog
    max_slots = get_num_slots(ua, store)
    if max_slots <= 0:
        ua.warning_msg("No slots in changer to scan.\n")
        return True
    wanted = user_slot_list(ua, max_slots)
    if wanted is None:
        return True
    vols = get_vol_list(ua, store, listall=False, scan=False)
    if not vols:
        ua.warning_msg("No Volumes found to label, or no barcodes.\n")
        return True
    chosen = [v for v in vols if v.volume and v.slot in wanted]
    ua.send_msg("The following Volumes will be labeled:\nSlot  Volume\n==============\n")
    for v in chosen:
        ua.send_msg(f"{v.slot:4d}  {v.volume}\n")
    if not yes:
        answer = ua.get_yesno("Do you want to label these Volumes? (yes|no): ")
        if not answer:
            return True
    pool = get_pool_resource(ua)
    if pool is None:
        return True
    pool_row = cat.get_pool(name=pool.name)
    if pool_row is None:
        cat.sync_pools(d.resources("Pool"))
        pool_row = cat.get_pool(name=pool.name)
    sid = _storage_id(cat, store)
    media_type = str(store.get("Media Type") or "")
    cleaning_prefix = str(pool.get("Cleaning Prefix") or "CLN")
    for v in chosen:
        mr = cat.get_media(volume_name=v.volume)
        exists = mr is not None
        if exists and int(mr.get("VolBytes") or 0) != 0:
            ua.warning_msg(f'Media record for Slot {v.slot} Volume "{v.volume}" already exists.\n')
            make_inchanger_unique(cat, v.slot, sid, media_id=int(mr["MediaId"]))
            cat.update_media(int(mr["MediaId"]), Slot=v.slot, InChanger=1, StorageId=sid)
            continue
        if cleaning_prefix and v.volume.startswith(cleaning_prefix):
            if exists:
                cat.update_media(int(mr["MediaId"]), VolBytes=1, VolStatus="Cleaning",
                                 MediaType="", Slot=v.slot, InChanger=1, StorageId=sid)
            else:
                pr = cat.get_pool(pool_id=int(pool_row["PoolId"])) or pool_row
                if int(pr.get("MaxVols") or 0) > 0 and \
                        int(pr.get("NumVols") or 0) >= int(pr.get("MaxVols") or 0):
                    ua.error_msg(f"Maximum pool Volumes={pr['MaxVols']} reached.\n")
                    return True
                cat.create_media(v.volume, int(pool_row["PoolId"]), "", VolStatus="Cleaning",
                                 Slot=v.slot, InChanger=1, StorageId=sid)
                ua.send_msg(f'Catalog record for cleaning tape "{v.volume}" successfully created.\n')
            continue
        ok, vol_bytes = _send_label(ua, store, v.volume, pool_row, media_type, v.slot, drive)
        if not ok:
            ua.error_msg(f"Label command failed for Volume {v.volume}.\n")
            continue
        fields = dict(VolBytes=vol_bytes, Slot=v.slot, InChanger=int(v.slot > 0),
                      StorageId=sid, LabelDate=int(time.time()))
        if vol_bytes > 0:
            fields["VolStatus"] = "Append"
        make_inchanger_unique(cat, v.slot, sid, volume=v.volume)
        if exists:
            cat.update_media(int(mr["MediaId"]), **fields)
        else:
            cat.create_media(v.volume, int(pool_row["PoolId"]), media_type, Enabled=1, **fields)
            ua.info_msg(f'Catalog record for Volume "{v.volume}", Slot {v.slot} successfully '
                        "created.\n")
    return True


# ---------------------------------------------------------------- update slots


def volume_name_from_sd(ua, store, slot: int, drive: int) -> str | None:
    """``readlabel``: the label of the volume in *slot* (loaded into *drive*)."""
    lines = sd_lines(ua, store, f"readlabel {bash_spaces(device_name(store))} Slot={slot} "
                                f"drive={drive}\n")
    name = None
    for line in lines or []:
        ua.send_msg(line + "\n")
        m = re.match(r"3001 Volume=(\S+) Slot=(\d+)", line)
        if m and name is None:
            name = m.group(1)
    return name


def _enabled_value(ua, text: str) -> int | None:
    t = text.lower()
    if t in ("yes", "true", "1"):
        return 1
    if t in ("no", "false", "0"):
        return 0
    if t == "archived":
        return 2
    ua.error_msg(f"Invalid value. It must be yes, no or archived: {text}\n")
    return None


def update_slots(ua) -> bool:
    """``update slots [scan] [storage=] [slots=] [drive=] [enabled=]``."""
    from ..select import get_storage_resource

    if not ua.open_db():
        return True
    store = get_storage_resource(ua)
    if store is None:
        return True
    cat = ua.director.catalog
    scan = ua.find_arg("scan") >= 0
    drive = storage_drive(ua, store) if scan else 0
    enabled = None
    v = ua.arg_value("enabled")
    if v is not None:
        enabled = _enabled_value(ua, v)
        if enabled is None:
            return True
    max_slots = get_num_slots(ua, store)
    if max_slots <= 0:
        ua.warning_msg("No slots in changer to scan.\n")
        return True
    pending = user_slot_list(ua, max_slots)
    if pending is None:
        return True
    vols = get_vol_list(ua, store, listall=False, scan=scan)
    if not vols:
        ua.warning_msg("No Volumes found to update, or no barcodes.\n")
        return True
    sid = _storage_id(cat, store)
    with cat.transaction() as tx:
        tx.execute("UPDATE Media SET InChanger=0 WHERE StorageId=0")
    for vl in vols:
        if vl.slot > max_slots:
            ua.warning_msg(f"Slot {vl.slot} greater than max {max_slots} ignored.\n")
            continue
        if vl.slot not in pending:
            continue
        name = vl.volume
        if scan:
            name = volume_name_from_sd(ua, store, vl.slot, drive)
        pending.discard(vl.slot)
        make_inchanger_unique(cat, vl.slot, sid, volume=name or "")
        if not name:
            ua.info_msg(f"No VolName for Slot={vl.slot} InChanger set to zero.\n")
            continue
        mr = cat.get_media(volume_name=name)
        if mr is None:
            ua.warning_msg(f'Volume "{name}" not found in catalog. Slot={vl.slot} InChanger '
                           "set to zero.\n")
            continue
        if int(mr.get("Slot") or 0) != vl.slot or not int(mr.get("InChanger") or 0) \
                or int(mr.get("StorageId") or 0) != sid:
            cols = dict(Slot=vl.slot, InChanger=1, StorageId=sid)
            if enabled is not None:
                cols["Enabled"] = enabled
            cat.update_media(int(mr["MediaId"]), **cols)
            ua.info_msg(f'Catalog record for Volume "{name}" updated to reference slot '
                        f"{vl.slot}.\n")
        else:
            ua.info_msg(f'Catalog record for Volume "{name}" is up to date.\n')
    for slot in sorted(pending):
        make_inchanger_unique(cat, slot, sid)
    return True


# ---------------------------------------------------------------- status slots

_SLOT_FMT = " {:4d}{}| {:>16s} | {:>9s} | {:>14s} | {:>24s} |\n"


def status_slots(ua, store) -> None:
    """``status storage=... slots``: the changer's slots with their catalog
    volumes (``*`` not in the catalog's slot, ``%`` loaded in a drive,
    ``@`` import/export slot)."""
    if not ua.open_db():
        return
    cat = ua.director.catalog
    max_slots = get_num_slots(ua, store)
    if max_slots <= 0:
        ua.warning_msg("No slots in changer to scan.\n")
        return
    wanted = user_slot_list(ua, max_slots)
    if wanted is None:
        return
    vols = get_vol_list(ua, store, listall=True, scan=True)
    if not vols:
        ua.warning_msg("No Volumes found, or no barcodes.\n")
        return
    ua.send_msg(" Slot |   Volume Name    |   Status  |  Media Type    |         Pool"
                "             |\n")
    ua.send_msg("------+------------------+-----------+----------------+--------------"
                "------------|\n")
    drives = [v for v in vols if v.slot_type == SLOT_TYPE_DRIVE]
    for v in vols:
        if v.slot_type not in (SLOT_TYPE_STORAGE, SLOT_TYPE_IMPORT):
            continue
        if v.slot > max_slots:
            ua.warning_msg(f"Slot {v.slot} greater than max {max_slots} ignored.\n")
            continue
        if v.slot not in wanted:
            continue
        imp = v.slot_type == SLOT_TYPE_IMPORT
        in_drive = None
        if v.full is False:
            if imp:
                ua.send_msg(_SLOT_FMT.format(v.slot, "@", "?", "?", "?", "?"))
                continue
            in_drive = next((d for d in drives if d.loaded == v.slot), None)
            if in_drive is None:
                ua.send_msg(_SLOT_FMT.format(v.slot, "*", "?", "?", "?", "?"))
                continue
            name = in_drive.volume
        elif v.full:
            name = v.volume
        else:
            continue
        if not name:
            ua.send_msg(_SLOT_FMT.format(v.slot, "@" if imp else "*", "?", "?", "?", "?"))
            continue
        mr = cat.get_media(volume_name=name)
        if mr is None:
            ua.send_msg(_SLOT_FMT.format(v.slot, "@" if imp else "*", name, "?", "?", "?"))
            continue
        pr = cat.get_pool(pool_id=int(mr.get("PoolId") or 0))
        pool_name = pr["Name"] if pr else "?"
        if imp:
            flag = "@"
        elif int(mr.get("Slot") or 0) == v.slot:
            flag = "%" if in_drive is not None else " "
        else:
            flag = "*"
        ua.send_msg(_SLOT_FMT.format(v.slot, flag, name, mr.get("VolStatus") or "",
                                     mr.get("MediaType") or "", pool_name))


# ------------------------------------------------------ move / import / export


def transfer_volume(ua, store, src: int, dst: int) -> bool:
    """``autochanger transfer``: the SD's lines go to the user; False on a 39xx."""
    lines = sd_lines(ua, store, f"autochanger transfer {bash_spaces(device_name(store))} "
                                f"{src} {dst}\n")
    if lines is None:
        return False
    ok = True
    for line in lines:
        if _SD_MESSAGE.match(line) and line[1] == "9":
            ok = False
        ua.send_msg(line + "\n")
    return ok


def update_slots_from_list(ua, store, vols: list[VolEntry], slots: set[int]) -> None:
    """Bareos's UpdateSlotsFromVolList: sync Slot/InChanger of the catalog
    with a ``listall`` result for the given storage slots."""
    cat = ua.director.catalog
    sid = _storage_id(cat, store)
    for vl in vols:
        if vl.slot_type != SLOT_TYPE_STORAGE or vl.slot not in slots:
            continue
        make_inchanger_unique(cat, vl.slot, sid, volume=vl.volume or "")
        if not vl.full or not vl.volume:
            continue
        mr = cat.get_media(volume_name=vl.volume)
        if mr is None:
            ua.warning_msg(f'Volume "{vl.volume}" not found in catalog. Slot={vl.slot} '
                           "InChanger set to zero.\n")
            continue
        if int(mr.get("Slot") or 0) != vl.slot or not int(mr.get("InChanger") or 0) \
                or int(mr.get("StorageId") or 0) != sid:
            cat.update_media(int(mr["MediaId"]), Slot=vl.slot, InChanger=1, StorageId=sid)


def _slot_arg(ua, name: str, max_slots: int) -> set[int] | None | bool:
    """A srcslots=/dstslots= selection; False when not given, None on error."""
    if ua.find_arg_with_value(name) < 0 and ua.find_arg_with_value(name[:-1]) < 0:
        return False
    return user_slot_list(ua, max_slots, name)


def _validate(ua, vols: list[VolEntry], slots: set[int], want_full: bool) -> None:
    drives = [v for v in vols if v.slot_type == SLOT_TYPE_DRIVE]
    for v in vols:
        if v.slot_type not in (SLOT_TYPE_STORAGE, SLOT_TYPE_IMPORT) or v.slot not in slots:
            continue
        in_drive = v.slot_type == SLOT_TYPE_STORAGE and any(d.loaded == v.slot for d in drives)
        if want_full and (v.full or (v.full is False and in_drive)):
            continue
        if not want_full and v.full is False and not in_drive:
            continue
        ua.warning_msg(f"Deselecting slot {v.slot} doesn't have wanted status.\n")
        slots.discard(v.slot)


def _perform_move(ua, operation: str) -> bool:
    from ..select import get_storage_resource

    if not ua.open_db():
        return True
    store = get_storage_resource(ua, use_default=False)
    if store is None:
        return True
    max_slots = get_num_slots(ua, store)
    if max_slots <= 0:
        ua.warning_msg("No slots in changer.\n")
        return True
    vols = get_vol_list(ua, store, listall=True, scan=True)
    if not vols:
        ua.warning_msg("No Volumes found, or no barcodes.\n")
        return True
    by_slot = {v.slot: v for v in vols if v.slot_type != SLOT_TYPE_DRIVE}
    src = _slot_arg(ua, "srcslots", max_slots)
    dst = _slot_arg(ua, "dstslots", max_slots)
    if src is None or dst is None:
        return True
    if src is not False:
        _validate(ua, vols, src, want_full=True)
    if dst is not False and operation in ("import", "export"):
        _validate(ua, vols, dst, want_full=False)
    if operation in ("import", "export"):
        names = ua.arg_value("volume")
        if names:
            wanted = set(names.split("|"))
            picked = {v.slot for v in vols if v.volume in wanted and v.slot_type != SLOT_TYPE_DRIVE
                      and (src is False or v.slot in src)}
            src = picked
    if operation == "import":
        if src is False:
            src = {v.slot for v in vols if v.slot_type == SLOT_TYPE_IMPORT and v.full}
        if dst is False:
            dst = {v.slot for v in vols if v.slot_type == SLOT_TYPE_STORAGE and v.full is False}
        if any(by_slot.get(s) is None or by_slot[s].slot_type != SLOT_TYPE_IMPORT for s in src):
            ua.warning_msg("Not all slots in source selection are import slots and filled.\n")
            return True
    elif operation == "export":
        if not src:
            ua.warning_msg("Cannot perform an export operation without source slot selection\n")
            return True
        if dst is False:
            dst = {v.slot for v in vols if v.slot_type == SLOT_TYPE_IMPORT and v.full is False}
        if any(by_slot.get(s) is None or by_slot[s].slot_type != SLOT_TYPE_IMPORT for s in dst):
            ua.warning_msg("Not all slots in destination selection are export slots and "
                           "empty.\n")
            return True
        if len(dst) < len(src):
            ua.warning_msg(f"Not enough free export slots available to export {len(src)} "
                           f"volume{'s' if len(src) != 1 else ''}, only {len(dst)} free export "
                           f"slot{'s' if len(dst) != 1 else ''} available\n")
            return True
    else:
        if not src or not dst:
            ua.warning_msg("Cannot perform a move operation without source and/or destination "
                           "selection\n")
            return True
    if src and dst and len(src) > len(dst):
        ua.warning_msg("Source slot selection doesn't fit into destination slot selection.\n")
        return True
    if src & dst:
        ua.warning_msg("Source slot selection and destination slot selection overlap.\n")
        return True
    if not src or not dst:
        ua.warning_msg("Nothing to do\n")
        return True
    cat = ua.director.catalog
    if operation == "export":
        sid = _storage_id(cat, store)
        for s in src:
            v = by_slot.get(s)
            if v is not None and v.volume:
                mr = cat.get_media(volume_name=v.volume)
                if mr is not None and int(mr.get("StorageId") or 0) == sid:
                    cat.update_media(int(mr["MediaId"]), InChanger=0)
    visited: set[int] = set()
    targets = sorted(dst)
    for s in sorted(src):
        if not targets:
            ua.warning_msg("Failed to find suitable destination slot in slot range.\n")
            break
        t = targets.pop(0)
        if transfer_volume(ua, store, s, t):
            visited.update((s, t))
        else:
            ua.warning_msg(f"Failed to move volume from source slot {s} to destination slot "
                           f"{t}\n")
            if operation == "export":
                visited.add(s)
    if visited:
        fresh = get_vol_list(ua, store, listall=True, scan=True) or []
        update_slots_from_list(ua, store, fresh, visited)
    return True


def move(ua) -> bool:
    """``move storage= srcslots= dstslots=``."""
    return _perform_move(ua, "move")


def import_cmd(ua) -> bool:
    """``import storage= [srcslots=] [dstslots=] [volume=]``."""
    return _perform_move(ua, "import")


def export_cmd(ua) -> bool:
    """``export storage= srcslots= [dstslots=] [volume=]``."""
    return _perform_move(ua, "export")
