"""Mapping of Director Pool resources to Pool rows."""

from __future__ import annotations

from typing import Any

from .params import _lookup

DAY = 86400

# catalog column -> (directive, default when the resource gives nothing)
_POOL_DIRECTIVES: dict[str, tuple[str, Any]] = {
    "MaxVols": ("Maximum Volumes", 0),
    "UseCatalog": ("Use Catalog", True),
    "VolRetention": ("Volume Retention", 365 * DAY),
    "VolUseDuration": ("Volume Use Duration", 0),
    "MaxVolJobs": ("Maximum Volume Jobs", 0),
    "MaxVolFiles": ("Maximum Volume Files", 0),
    "MaxVolBytes": ("Maximum Volume Bytes", 0),
    "AutoPrune": ("Auto Prune", True),
    "Recycle": ("Recycle", True),
    "MinBlockSize": ("Minimum Block Size", 0),
    "MaxBlockSize": ("Maximum Block Size", 0),
    "MigrationHighBytes": ("Migration High Bytes", 0),
    "MigrationLowBytes": ("Migration Low Bytes", 0),
    "MigrationTime": ("Migration Time", 0),
}

_LABEL_TYPES = {"bareos": 0, "ansi": 1, "ibm": 2}
_POOL_TYPES = {t.lower(): t for t in ("Backup", "Copy", "Cloned", "Archive", "Migration", "Scratch")}


def _int(value: Any) -> int:
    if isinstance(value, bool):
        return int(value)
    if value is None or value == "":
        return 0
    if isinstance(value, str):
        v = value.strip().lower()
        if v in ("yes", "true", "on"):
            return 1
        if v in ("no", "false", "off"):
            return 0
        return int(v)
    return int(value)


def pool_fields_from_resource(res: Any) -> dict[str, Any]:
    """Pool row values (without pool references) from a Pool resource."""
    name = getattr(res, "name", None) or _lookup(res, "Name")
    fields: dict[str, Any] = {"Name": str(name)}
    for col, (directive, default) in _POOL_DIRECTIVES.items():
        value = _lookup(res, directive, None)
        fields[col] = _int(default if value is None else value)
    ptype = str(_lookup(res, "Pool Type", None) or "Backup")
    fields["PoolType"] = _POOL_TYPES.get(ptype.lower(), "Backup")
    label_format = _lookup(res, "Label Format", None)
    fields["LabelFormat"] = str(label_format) if label_format else "*"
    ltype = _lookup(res, "Label Type", None)
    if isinstance(ltype, str):
        fields["LabelType"] = _LABEL_TYPES.get(ltype.lower(), 0)
    else:
        fields["LabelType"] = _int(ltype)
    aop = _lookup(res, "Action On Purge", None)
    if isinstance(aop, (list, tuple)):
        aop = aop[0] if aop else None
    fields["ActionOnPurge"] = 1 if str(aop or "").lower() == "truncate" else 0
    return fields


def pool_references(res: Any) -> dict[str, str | None]:
    """Pool row id columns that name other pools -> the pool names."""
    out = {}
    for col, directive in (
        ("ScratchPoolId", "Scratch Pool"),
        ("RecyclePoolId", "Recycle Pool"),
        ("NextPoolId", "Next Pool"),
    ):
        ref = _lookup(res, directive, None)
        if ref is not None and not isinstance(ref, str):
            ref = getattr(ref, "name", str(ref))
        out[col] = ref or None
    return out
