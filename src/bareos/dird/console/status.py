"""`status [director|scheduler|client=|storage=|all]` and `.status`."""

import time as _time

from bareos.lib import jobcodes
from bareos.lib import version as v
from bareos.lib.edit import edit_uint64_with_commas, edit_uint64_with_suffix

from .. import acl


def bstrftime_nc(t: float) -> str:
    return _time.strftime("%d-%b-%y %H:%M", _time.localtime(t))


def run(ua) -> bool:
    for i in range(1, ua.argc):
        word = ua.argk[i].lower()
        if word == "all":
            _director_status(ua)
            return True
        if word.startswith("dir"):
            _director_status(ua)
            return True
        if word.startswith("sched"):
            return _not_yet(ua, "status scheduler")
        if word == "client":
            return _not_yet(ua, "status client")
        if word.startswith("sub") or word.startswith("conf"):
            return _not_yet(ua, f"status {ua.argk[i]}")
        return _not_yet(ua, "status storage")
    if ua.argc == 1:
        choice = ua.select_item("Status available for:\n",
                                ["Director", "Storage", "Client", "Scheduler", "All"],
                                "Select daemon type for status")
        if choice in (0, 4):
            _director_status(ua)
        elif choice is not None:
            return _not_yet(ua, "this status")
    return True


def _not_yet(ua, what: str) -> bool:
    ua.error_msg(f"{what}: not implemented yet by this Director.\n")
    return False


def dot_status(ua) -> bool:
    if ua.argc >= 2 and ua.argk[1].lower().startswith("dir"):
        if ua.argc >= 3 and ua.argk[2].lower() == "header":
            _header(ua)
            return True
        _director_status(ua)
        return True
    ua.error_msg("Keywords for the .status command are: dir, client, storage.\n")
    return False


def _header(ua) -> None:
    d = ua.director
    started = bstrftime_nc(d.start_time)
    osinfo = v.distname()[0]
    if ua.json:
        out = ua.send
        out.object_start("header")
        out.kv("director", d.name, "%s\n")
        out.kv("version", v.VERSION, "%s\n")
        out.kv("release_date", v.BDATE, "%s\n")
        out.kv("os", osinfo, "%s\n")
        out.kv("binary_info", v.BINARY_INFO, "%s\n")
        out.kv("daemon_started", started, "%s\n")
        out.kv("jobs_run", d.num_jobs_run, "%d\n")
        out.kv("jobs_running", d.job_count(), "%d\n")
        out.kv("config_warnings", bool(d.config_warnings))
        out.object_end("header")
    else:
        ua.send_msg(f"{d.name} Version: {v.VERSION} ({v.BDATE}) {osinfo}\n")
        ua.send_msg(f"Daemon started {started}. Jobs: run={d.num_jobs_run}, "
                    f"running={d.job_count()} db:{d.db_driver_name}, {v.BINARY_INFO} binary\n")
        if d.config_warnings:
            ua.send_msg("\nThere are WARNINGS for the director configuration!\n"
                        "See 'status configuration' for details.\n\n")


def _director_status(ua) -> None:
    _header(ua)
    _scheduled(ua)
    _running(ua)
    _terminated(ua)
    _client_connections(ua)
    ua.send_msg("====\n")


def _scheduled(ua) -> None:
    days = 1
    value = ua.arg_value("days")
    if value is not None:
        try:
            days = int(value)
        except ValueError:
            days = 1
        if (days < 0 or days > 500) and not ua.api:
            ua.send_msg("Ignoring invalid value for days. Max is 500.\n")
            days = 1
    items = [s for s in ua.director.scheduled_jobs(days) if ua.acl_access_ok(acl.JOB, s.job)]
    if items and not ua.api:
        ua.send_msg("\nScheduled Jobs:\n")
        ua.send_msg("Level          Type     Pri  Scheduled          Name               Volume\n")
        ua.send_msg("=" * 83 + "\n")
    if ua.json:
        ua.send.array_start("scheduled")
    for s in items:
        dt = bstrftime_nc(s.runtime)
        if ua.json:
            out = ua.send
            out.object_start()
            out.kv("name", s.job)
            out.kv("type", s.type)
            out.kv("level", s.level)
            out.kv("priority", s.priority)
            out.kv("scheduled", dt)
            out.kv("volume", s.volume)
            if s.pool:
                out.kv("pool", s.pool)
            if s.storage:
                out.kv("storage", s.storage)
            out.object_end()
        elif ua.api:
            ua.send_msg(f"{s.level:<14}\t{s.type:<8}\t{s.priority:3d}\t{dt:<18}\t{s.job:<18}\t{s.volume}\n")
        else:
            ua.send_msg(f"{s.level:<14} {s.type:<8} {s.priority:3d}  {dt:<18} {s.job:<18} {s.volume}\n")
    if ua.json:
        ua.send.array_end("scheduled")
    if not items and not ua.api:
        ua.send_msg("No Scheduled Jobs.\n")
    if not ua.api:
        ua.send_msg("====\n")


def _running(ua) -> None:
    d = ua.director
    if not ua.api:
        ua.send_msg("\nRunning Jobs:\n")
    if ua.json:
        ua.send.array_start("running")
    if not ua.api:
        for started in d.console_connection_times():
            ua.send_msg(f"Console connected at {bstrftime_nc(started)}\n")
    jobs = [j for j in d.running_jobs() if ua.acl_access_ok(acl.JOB, j.job_name)]
    if not jobs:
        if not ua.api:
            ua.send_msg("No Jobs running.\n====\n")
        if ua.json:
            ua.send.array_end("running")
        return
    if not ua.api:
        ua.send_msg(" JobId Level   Name                       Status\n")
        ua.send_msg("=" * 70 + "\n")
    for j in jobs:
        level = "" if j.job_type in (jobcodes.JT_ADMIN, jobcodes.JT_ARCHIVE, jobcodes.JT_RESTORE) \
            else jobcodes.job_level_name(j.level)[:7]
        msg = j.status_text()
        if ua.json:
            out = ua.send
            out.object_start()
            out.kv("jobid", j.jobid)
            out.kv("level", level)
            out.kv("name", j.job)
            out.kv("status", msg)
            out.object_end()
        elif ua.api:
            ua.send_msg(f"{j.jobid:6d}\t{level:<6}\t{j.job:<20}\t{msg}\t{j.comment}\n")
        else:
            ua.send_msg(f"{j.jobid:6d} {level:<6}  {j.job:<20} {msg}\n")
            if j.comment:
                ua.send_msg(f"               {j.comment:<30}\n")
    if ua.json:
        ua.send.array_end("running")
    elif not ua.api:
        ua.send_msg("====\n")


_TERMSTAT = {
    jobcodes.JS_CREATED: "Created",
    jobcodes.JS_FATAL_ERROR: "Error",
    jobcodes.JS_ERROR_TERMINATED: "Error",
    jobcodes.JS_DIFFERENCES: "Diffs",
    jobcodes.JS_CANCELED: "Cancel",
    jobcodes.JS_TERMINATED: "OK",
    jobcodes.JS_WARNINGS: "OK -- with warnings",
}


def _terminated(ua) -> None:
    recent = ua.director.recent_jobs()
    if not recent:
        if not ua.api:
            ua.send_msg("No Terminated Jobs.\n")
        if ua.json:
            ua.send.array_start("terminated")
            ua.send.array_end("terminated")
        return
    if not ua.api:
        ua.send_msg("\nTerminated Jobs:\n")
        ua.send_msg(" JobId  Level    Files      Bytes   Status   Finished        Name \n")
        ua.send_msg("=" * 68 + "\n")
    if ua.json:
        ua.send.array_start("terminated")
    for je in recent:
        name = je.job
        for _ in range(3):
            if "." in name:
                name = name.rsplit(".", 1)[0]
        if not ua.acl_access_ok(acl.JOB, name):
            continue
        dt = bstrftime_nc(je.end_time)
        if je.job_type in (jobcodes.JT_ADMIN, jobcodes.JT_ARCHIVE, jobcodes.JT_RESTORE):
            level = "    "
        else:
            level = jobcodes.job_level_name(je.level)[:4]
        termstat = _TERMSTAT.get(je.job_status, "Other")
        if ua.json:
            out = ua.send
            out.object_start()
            out.kv("jobid", je.jobid)
            out.kv("name", name)
            out.kv("level", level)
            out.kv("type", jobcodes.job_type_name(je.job_type))
            out.kv("status", termstat)
            out.kv("files", je.job_files)
            out.kv("bytes", je.job_bytes)
            out.kv("finished", dt)
            out.object_end()
        elif ua.api:
            ua.send_msg(f"{je.jobid:6d}\t{level:<6}\t{edit_uint64_with_commas(je.job_files):>8}\t"
                        f"{edit_uint64_with_suffix(je.job_bytes):>10}\t{termstat:<7}\t{dt:<8}\t{name}\n")
        else:
            ua.send_msg(f"{je.jobid:6d}  {level:<6} {edit_uint64_with_commas(je.job_files):>8} "
                        f"{edit_uint64_with_suffix(je.job_bytes):>10}  {termstat:<7}  {dt:<8} {name}\n")
    if ua.json:
        ua.send.array_end("terminated")
    elif not ua.api:
        ua.send_msg("\n")


def _client_connections(ua) -> None:
    out = ua.send
    sep = "=" * 20
    out.decoration("\n")
    out.decoration("Client Initiated Connections (waiting for jobs):\n")
    out.decoration(f"{'Connect time':<20}{'Protocol':<20}{'Authenticated':<20}{'Name':<40}\n")
    out.decoration(sep * 5 + "\n")
    out.array_start("client-connection")
    for info in ua.director.client_connections():
        out.object_start()
        out.kv("connecttime", bstrftime_nc(info.connect_time), "%-20s")
        out.kv("protocol_version", info.protocol_version, "%-20d")
        out.kv("authenticated", True, "%-20d")
        out.kv("name", info.name, "%-40s")
        out.object_end()
        out.decoration("\n")
    out.array_end("client-connection")
