"""Choosing resources in console commands (Bareos's ua_select.cc): from a
keyword on the command line, or by asking the user (automatic when there is
only one choice)."""

from __future__ import annotations

from . import acl

_IGNORED_BARE = {"barcode", "barcodes", "encrypt", "scan", "slots", "alldrives", "yes"}


def _choose(ua, rtype: str, kind: str, header: str, question: str, automsg: str):
    names = [r.name for r in ua.director.resources(rtype) if ua.acl_access_ok(kind, r.name)]
    if not names:
        ua.error_msg(f"No {rtype} resources defined or accessible.\n")
        return None
    idx = ua.select_item(header, names, question, automsg)
    if idx is None:
        return None
    return ua.director.get(rtype, names[idx])


def select_storage(ua):
    return _choose(ua, "Storage", acl.STORAGE, "The defined Storage resources are:\n",
                   "Select Storage resource", "Storage")


def select_client(ua):
    return _choose(ua, "Client", acl.CLIENT, "The defined Client resources are:\n",
                   "Select Client (File daemon) resource", "Client")


def select_pool(ua):
    return _choose(ua, "Pool", acl.POOL, "The defined Pool resources are:\n", "Select the Pool", "Pool")


def get_storage_resource(ua, use_default: bool = True):
    """The Storage named by storage=/sd=, a bare first word, or a running job; else ask."""
    d = ua.director
    name = None
    for i in range(1, ua.argc):
        key = ua.argk[i].lower()
        if use_default and ua.argv[i] is None:
            if key in _IGNORED_BARE:
                continue
            if name is not None:
                ua.error_msg("Storage name given twice.\n")
                return None
            name = ua.argk[i]
        elif key in ("storage", "sd"):
            name = ua.argv[i]
            break
        elif key == "jobid" and ua.argv[i]:
            for j in d.running_jobs():
                if str(j.jobid) == ua.argv[i]:
                    return j.storage
            ua.error_msg(f"JobId {ua.argv[i]} is not running.\n")
            return None
        elif key in ("job", "jobname", "ujobid") and ua.argv[i]:
            for j in d.running_jobs():
                if ua.argv[i] in (j.job, j.job_name):
                    return j.storage
            ua.error_msg(f'Job "{ua.argv[i]}" is not running.\n')
            return None
    if name:
        res = d.get("Storage", name)
        if res is not None and ua.acl_access_ok(acl.STORAGE, name):
            return res
        ua.warning_msg(f'Storage resource "{name}": not found\n')
    return select_storage(ua)


def get_client_resource(ua):
    d = ua.director
    for i in range(1, ua.argc):
        key = ua.argk[i].lower()
        if key in ("client", "fd") and ua.argv[i]:
            res = d.get("Client", ua.argv[i])
            if res is not None and ua.acl_access_ok(acl.CLIENT, ua.argv[i]):
                return res
            ua.error_msg(f"Error: Client resource {ua.argv[i]} does not exist.\n")
            return None
    return select_client(ua)


def get_pool_resource(ua):
    name = ua.arg_value("pool")
    if name is not None:
        res = ua.director.get("Pool", name)
        if res is not None and ua.acl_access_ok(acl.POOL, name):
            return res
        ua.error_msg(f'Pool "{name}" not found.\n')
        return None
    return select_pool(ua)
