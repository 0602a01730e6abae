"""`rerun jobid=<ids> | since_jobid=<id> [until_jobid=<id>] | days=<n> | hours=<n> [yes]`:
run failed jobs again with the parameters they had (Bareos's reRunCmd)."""

from __future__ import annotations

import time

from bareos.lib import jobcodes

LEVEL_NAMES = {"F": "Full", "I": "Incremental", "D": "Differential", "S": "Since",
               "C": "VerifyCatalog", "V": "InitCatalog", "O": "VolumeToCatalog",
               "d": "DiskToCatalog", "A": "Data", "B": "Base", "f": "VirtualFull"}


def _int(text) -> int:
    try:
        return int(text)
    except (TypeError, ValueError):
        return 0


def parse_arguments(ua) -> dict | None:
    args = {"since_jobid": _int(ua.arg_value("since_jobid")),
            "until_jobid": _int(ua.arg_value("until_jobid")),
            "days": _int(ua.arg_value("days")), "hours": _int(ua.arg_value("hours")),
            "yes": ua.find_arg("yes") > 0, "jobids": []}
    j = ua.find_arg_with_value("jobid")
    if j < 0 and not (args["days"] or args["hours"]) and not args["since_jobid"]:
        ua.send_msg("Please specify jobid, since_jobid, hours or days\n")
        return None
    if j >= 0:
        for item in ua.argv[j].split(","):
            if not item.isdigit():
                ua.send_msg(f'Specified jobid "{item}" is not valid\n')
                return None
            args["jobids"].append(int(item))
        if args["since_jobid"]:
            ua.send_msg("Please specify either jobid or since_jobid (and optionally until_jobid)\n")
            return None
        if args["days"] or args["hours"]:
            ua.send_msg("Please specify either jobid or a timeframe\n")
            return None
    return args


def rerun_command_line(d, cat, jr: dict, now: float, yes: bool) -> str | None:
    """The `run` command that repeats a job (None: nothing to rerun for its type)."""
    jtype, level = jr.get("Type"), jr.get("Level") or " "
    if jtype not in (jobcodes.JT_BACKUP, "c", "g", "C", "M"):
        return None
    name = jr["Name"]
    cmd = f'run job="{name}"'
    if level.strip():
        cmd += f' level="{LEVEL_NAMES.get(level, level)}"'
    if int(jr.get("ClientId") or 0):
        cr = cat.get_client(client_id=int(jr["ClientId"]))
        if cr is not None:
            cmd += f' client="{cr["Name"]}"'
    if int(jr.get("PoolId") or 0):
        pr = cat.get_pool(pool_id=int(jr["PoolId"]))
        if pr is not None:
            job = d.get("Job", name)
            copy_like = jtype in ("c", "g", "C", "M") or level == "f"
            if copy_like:
                if job is not None and job.get("Pool"):
                    cmd += f' pool="{job.get("Pool")}"'
                cmd += f' nextpool="{pr["Name"]}"'
            else:
                cmd += f' pool="{pr["Name"]}"'
    if int(jr.get("FileSetId") or 0):
        fs = cat.get_fileset(int(jr["FileSetId"]))
        if fs is not None:
            cmd += f' fileset="{fs["FileSet"]}"'
    cmd += f' when="{time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(now))}"'
    if yes:
        cmd += " yes"
    return cmd


def rerun_job(ua, jobid: int, yes: bool, now: float) -> bool:
    from . import run as runcmd

    d = ua.director
    cat = d.catalog
    ua.send_msg(f"rerunning jobid {jobid}\n")
    jr = cat.get_job(jobid)
    if jr is None:
        ua.warning_msg(f"Error getting Job record for Job rerun: ERR=JobId {jobid} not found\n")
        return False
    cmd = rerun_command_line(d, cat, jr, now, yes)
    if cmd is None:
        return True
    ua.parse(cmd)
    return runcmd.run(ua)


def run(ua) -> bool:
    if not ua.open_db():
        return True
    args = parse_arguments(ua)
    if args is None:
        return False
    now = time.time()
    if args["days"] or args["hours"] or args["since_jobid"]:
        cat = ua.director.catalog
        if args["since_jobid"]:
            sql, params = "SELECT JobId FROM Job WHERE JobStatus = 'f' AND JobId >= ?", \
                [args["since_jobid"]]
            if args["until_jobid"]:
                sql += " AND JobId <= ?"
                params.append(args["until_jobid"])
        else:
            since = now - (args["days"] * 86400 + args["hours"] * 3600)
            sql = "SELECT JobId FROM Job WHERE JobStatus = 'f' AND SchedTime > ?"
            params = [time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(since))]
        with cat.transaction() as tx:
            ids = [int(r[0]) for r in tx.query(sql + " ORDER BY JobId", params)]
        if not ids:
            ua.send_msg("No jobids with the specified options were found.\n")
            return True
        ua.send_msg("The following ids were selected for rerun:\n")
        ua.send_msg(",".join(map(str, ids)))
        ua.send_msg("\n")
        if not args["yes"] and not ua.get_yesno("rerun these jobids? (yes/no): "):
            return False
        args["jobids"].extend(ids)
    for jobid in args["jobids"]:
        if not rerun_job(ua, jobid, args["yes"], now):
            return False
    return True
