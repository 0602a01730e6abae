"""`estimate job= [client=] [fileset=] [level=] [accurate=] [listing]`:
ask the File Daemon how much a backup would save."""

from __future__ import annotations

from bareos.lib import jobcodes
from bareos.lib.bnet import BnetError

from .. import acl
from ..client import ClientSession
from ..jcr import JobFailed
from ..jobs import level_code


# keyword -> (result key, resource type, ACL kind, name used in messages)
_RESOURCE_ARGS = {
    "client": ("client", "Client", acl.CLIENT, "Client"),
    "fd": ("client", "Client", acl.CLIENT, "Client"),
    "job": ("job", "Job", acl.JOB, "Job"),
    "fileset": ("fileset", "FileSet", acl.FILESET, "Fileset"),
}


def run(ua) -> bool:
    d = ua.director
    chosen = {"job": None, "client": None, "fileset": None}
    listing = False
    level = None
    accurate = None
    for i in range(1, ua.argc):
        key, val = ua.argk[i].lower(), ua.argv[i]
        if key in _RESOURCE_ARGS:
            slot, rtype, kind, what = _RESOURCE_ARGS[key]
            if val is None:
                ua.error_msg(f"{what} name missing.\n")
                return False
            res = d.get(rtype, val)
            if res is None or not ua.acl_access_ok(kind, val):
                ua.error_msg(f'{what} "{val}" not found.\n')
                return False
            chosen[slot] = res
        elif key == "listing":
            listing = True
        elif key == "level":
            if val is None:
                ua.error_msg("Level value missing.\n")
                return False
            level = val
        elif key == "accurate":
            if val is None:
                ua.error_msg("Accurate value missing.\n")
                return False
            if val.lower() not in ("yes", "no", "true", "false"):
                ua.error_msg("Invalid value for accurate. It must be yes or no.\n")
            accurate = val.lower() in ("yes", "true")
    job, client, fileset = chosen["job"], chosen["client"], chosen["fileset"]
    if job is None and not (client and fileset):
        names = [j.name for j in d.resources("Job") if ua.acl_access_ok(acl.JOB, j.name)]
        idx = ua.select_item("The defined Job resources are:\n", names, "Select Job resource", "Job")
        if idx is None:
            return False
        job = d.get("Job", names[idx])
    if str(job.get("Type", "")).lower() != "backup":
        ua.error_msg(f"Wrong job specified of type {job.get('Type')}.\n")
        return False
    if not ua.open_db():
        return False
    jcr = d.jobs.new_jcr(job, client=client.name if client else None,
                         fileset=fileset.name if fileset else None, level=level or "Full",
                         accurate=accurate)
    if jcr.client is None or jcr.fileset is None:
        ua.error_msg("No client specified or selected.\n" if jcr.client is None
                     else "No fileset specified or selected.\n")
        return False
    jcr.job = d.jobs.unique_job_name(job.name, jcr.sched_time)
    jcr.level = level_code(level) if level else jobcodes.L_FULL
    d.jobs._catalog_ids(jcr)
    d.jobs._determine_level(jcr)
    ua.send_msg(f"Connecting to Client {jcr.client.name} at {jcr.client.get('Address')}:"
                f"{jcr.client.get('Port') or 9102}\n")
    fd = ClientSession(jcr, jcr.client)
    try:
        from ..daemonconn import DaemonConnectError
        from ..fdconn import connect_client

        try:
            fd.conn = connect_client(d, jcr.client, timeout=15)
        except DaemonConnectError:
            ua.error_msg("Failed to connect to Client.\n")
            return False
        try:
            fd.send_job_info(False)
            fd.send_level()
            fd.send_fileset()
            if jcr.accurate and jcr.level != jobcodes.L_FULL:
                fd.send_accurate(d.jobs._accurate_entries(jcr))
            fd.bs.send(f"estimate listing={1 if listing else 0}\n")
            while True:
                msg = fd.bs.recv(timeout=3600)
                if isinstance(msg, int):
                    break
                ua.send_msg(msg.decode("utf-8", "replace"))
        except (JobFailed, BnetError, OSError) as exc:
            ua.error_msg(f"Estimate failed: {exc}\n")
    finally:
        fd.close()
    return True
