"""`use`, `var`, `add`, `create` and `memory` (Bareos's use_cmd, var_cmd,
add_cmd, CreateCmd, MemoryCmd)."""

from __future__ import annotations

import os
import re
import time

from .. import acl
from ..select import get_pool_resource

_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(\+?)\}|\$([A-Za-z_][A-Za-z0-9_]*)")


# ------------------------------------------------------------------ use


def use(ua) -> bool:
    d = ua.director
    cats = [c for c in d.resources("Catalog") if ua.acl_access_ok(acl.CATALOG, c.name)]
    name = ua.arg_value("catalog")
    res = None
    if name is not None:
        res = d.get("Catalog", name)
        if res is not None and not ua.acl_access_ok(acl.CATALOG, res.name):
            res = None
    if res is None:
        if not cats:
            ua.error_msg("Could not find a Catalog resource\n")
            return True
        idx = ua.select_item("The defined Catalog resources are:\n", [c.name for c in cats],
                             "Select Catalog resource", "Catalog")
        if idx is None:
            return True
        res = cats[idx]
    ua.catalog = None
    try:
        d.catalog
    except Exception as exc:
        ua.error_msg(f'Could not open catalog database "{res.name}": {exc}\n')
        return True
    ua.catalog = res.name
    ua.send_msg(f"Using Catalog name={res.name} DB={res.get('DB Name') or ''}\n")
    return True


# ------------------------------------------------------------------ var


def expand_variables(ua, text: str, now: float | None = None) -> str:
    """Bareos's variable expansion as far as it applies to a console: time
    variables, Counter resources (``${Counter+}`` increments), environment."""
    d = ua.director
    lt = time.localtime(time.time() if now is None else now)
    fixed = {"Year": f"{lt.tm_year:04d}", "Month": f"{lt.tm_mon:02d}", "Day": f"{lt.tm_mday:02d}",
             "Hour": f"{lt.tm_hour:02d}", "Minute": f"{lt.tm_min:02d}", "Second": f"{lt.tm_sec:02d}",
             "WeekDay": str((lt.tm_wday + 1) % 7), "JobId": "0", "Job": "", "JobName": "",
             "Client": "", "Level": "", "Type": "", "Pool": "", "Storage": "",
             "Catalog": ua.catalog or "", "MediaType": "", "NumVols": "0"}

    def counter(name: str, incr: bool) -> str | None:
        res = d.get("Counter", name)
        if res is None:
            return None
        cat = d.catalog
        row = cat.get_counter(name)
        low = int(res.get("Minimum") or 0)
        high = int(res.get("Maximum") or 0)
        if row is None:
            cat.create_counter(name, low, high, low)
            row = cat.get_counter(name)
        value = int(row.get("CurrentValue") or low)
        if incr:
            nxt = value + 1
            if high and nxt > high:
                nxt = low
            cat.update_counter(name, CurrentValue=nxt)
        return str(value)

    def repl(m):
        name = m.group(1) or m.group(3)
        incr = bool(m.group(2))
        if name in fixed:
            return fixed[name]
        got = counter(name, incr)
        if got is not None:
            return got
        return os.environ.get(name, "")

    return _VAR.sub(repl, text)


def var(ua) -> bool:
    if not ua.open_db():
        return True
    text = ua.cmd.split(None, 1)[1] if len(ua.cmd.split(None, 1)) > 1 else ""
    ua.send_msg(f"{expand_variables(ua, text.strip())}\n")
    return True


# ------------------------------------------------------------------ create


def create(ua) -> bool:
    if not ua.open_db():
        return True
    pool = get_pool_resource(ua)
    if pool is None:
        return True
    from bareos.cats.resources import pool_fields_from_resource

    cat = ua.director.catalog
    if cat.get_pool(name=pool.name) is not None:
        ua.error_msg(f"Error: Pool {pool.name} already exists.\nUse update to change it.\n")
    else:
        fields = pool_fields_from_resource(pool)
        fields.pop("Name", None)
        cat.create_pool(pool.name, **fields)
        # references (Scratch/Recycle/Next Pool) as the Director's start does
        cat.sync_pools(ua.director.resources("Pool"))
    ua.send_msg(f"Pool {pool.name} created.\n")
    return True


# ------------------------------------------------------------------ add


def add(ua) -> bool:
    from .delete import get_pool_dbr
    from ..select import get_storage_resource

    ua.send_msg('You probably don\'t want to be using this command since it\n'
                "creates database records without labeling the Volumes.\n"
                'You probably want to use the "label" command.\n\n')
    if not ua.open_db():
        return True
    cat = ua.director.catalog
    pr = get_pool_dbr(ua)
    if not pr:
        return True
    max_vols = int(pr.get("MaxVols") or 0)
    num_vols = int(pr.get("NumVols") or 0)
    while max_vols > 0 and num_vols >= max_vols:
        ua.warning_msg(f"Pool already has maximum volumes={max_vols}\n")
        n = ua.get_pint("Enter new maximum (zero for unlimited): ")
        if n is None:
            return True
        max_vols = n
    store = get_storage_resource(ua)
    if store is not None:
        media_type = store.get("Media Type") or ""
    else:
        media_type = ua.get_cmd("Enter the Media Type: ")
        if not media_type:
            return True
    top = 1000 if max_vols == 0 else max_vols - num_vols
    while True:
        num = ua.get_pint(f"Enter number of Volumes to create. 0=>fixed name. Max={top}: ")
        if num is None:
            return True
        if 0 <= num <= top:
            break
        ua.warning_msg(f"The number must be between 0 and {top}\n")
    while True:
        name = ua.get_cmd("Enter Volume name: " if num == 0 else "Enter base volume name: ")
        if name is None:
            return True
        ok, msg = acl.is_name_valid(name)
        if "|" in name or not ok:
            ua.error_msg(f"Illegal character \"|\" in a volume name.\n" if "|" in name else msg)
            continue
        if len(name) >= 128 - 10:
            ua.warning_msg("Volume name too long.\n")
            continue
        if not name:
            ua.warning_msg("Volume name must be at least one character long.\n")
            continue
        break
    if num > 0:
        while True:
            start = ua.get_pint("Enter the starting number: ")
            if start is None:
                return True
            if start < 1:
                ua.warning_msg("Start number must be greater than zero.\n")
                continue
            break
        names = [f"{name}{i:04d}" for i in range(start, start + num)]
    else:
        names, num = [name], 1
    slot, in_changer = 0, 0
    if store is not None and store.get("Auto Changer", False):
        s = ua.get_pint("Enter slot (0 for none): ")
        if s is None:
            return True
        slot = s
        yn = ua.get_yesno("InChanger? yes/no: ")
        if yn is None:
            return True
        in_changer = int(yn)
    sid = cat.get_or_create_storage(store.name) if store is not None else 0
    with cat.transaction():
        for vol in names:
            cat.create_media(vol, int(pr["PoolId"]), media_type, Slot=slot, InChanger=in_changer,
                             Enabled=1, StorageId=sid, VolStatus="Append")
            if slot:
                slot += 1
        if max_vols != int(pr.get("MaxVols") or 0):
            cat.update_pool(int(pr["PoolId"]), MaxVols=max_vols)
    ua.send_msg(f"{num} Volumes created in pool {pr['Name']}\n")
    return True


# ------------------------------------------------------------------ memory


def memory(ua) -> bool:
    from .status import _header

    _header(ua)
    return True
