"""`status [director|scheduler|client=|storage=|all]` and `.status`."""

import time as _time

from bareos.lib import jobcodes
from bareos.lib import version as v
from bareos.lib.edit import edit_uint64_with_commas, edit_uint64_with_suffix

from bareos.lib.bnet import BnetError

from .. import acl
from ..daemonconn import DaemonConnectError, connect_daemon
from ..select import get_client_resource, get_storage_resource, select_client, select_storage


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
            return _scheduler_status(ua)
        if word == "client":
            client = get_client_resource(ua)
            if client is not None:
                daemon_status(ua, client, "client")
            return True
        if word.startswith("sub") or word.startswith("conf"):
            return _not_yet(ua, f"status {ua.argk[i]}")
        store = get_storage_resource(ua, use_default=False)
        if store is not None:
            if ua.find_arg("slots") > 0:
                from .changer import status_slots
                status_slots(ua, store)
            else:
                daemon_status(ua, store, "storage")
        return True
    if ua.argc == 1:
        choice = ua.select_item("Status available for:\n",
                                ["Director", "Storage", "Client", "Scheduler", "All"],
                                "Select daemon type for status")
        if choice in (0, 4):
            _director_status(ua)
        elif choice == 3:
            return _scheduler_status(ua)
        elif choice == 1:
            store = select_storage(ua)
            if store is not None:
                daemon_status(ua, store, "storage")
        elif choice == 2:
            client = select_client(ua)
            if client is not None:
                daemon_status(ua, client, "client")
    return True


def daemon_status(ua, res, kind: str) -> None:
    """Relay a Client's or Storage daemon's `status` report (text only, as Bareos)."""
    if kind == "client" and not res.get("Enabled", True):
        ua.send_msg(f'Client "{res.name}" is disabled; skipping status call\n')
        return
    address = res.get("Address")
    port = int(res.get("Port") or (9102 if kind == "client" else 9103))
    if kind == "client":
        ua.send_msg(f"Connecting to Client {res.name} at {address}:{port}\n")
    else:
        ua.send_msg(f"Connecting to Storage daemon {res.name} at {address}:{port}\n")
    probing = kind == "client" and res.name not in ua.director.handshake_modes
    try:
        if kind == "client":
            from ..fdconn import PROBING_MESSAGE, connect_client

            conn = connect_client(ua.director, res, timeout=15,
                                  say=lambda _t: ua.send_msg(PROBING_MESSAGE.rstrip("\n")))
        else:
            conn = connect_daemon(ua.director, res, kind, timeout=15)
    except DaemonConnectError:
        if kind == "client":
            ua.send_msg(f"Failed to connect to Client {res.name}.\n====\n")
        else:
            ua.send_msg(f"\nFailed to connect to Storage daemon {res.name}.\n====\n")
        return
    bs = conn.bsock
    try:
        enc = conn.cipher_text()
        if kind == "client":
            from ..fdconn import handshake_text

            lead = "\r\v" if probing else ""
            ua.send_msg(f"{lead} Handshake: {handshake_text(conn)}, Encryption: {enc}\n\n")
        else:
            ua.send_msg(f" Encryption: {enc}\n\n")
        bs.send("status\n")
        while True:
            msg = bs.recv(timeout=120)
            if isinstance(msg, int):
                break
            ua.send_msg(msg.decode("utf-8", "replace"))
    except (BnetError, OSError, TimeoutError) as exc:
        ua.error_msg(f"Status of {res.name} failed: {exc}\n")
    finally:
        bs.terminate()
        if kind == "client":
            from ..fdconn import release

            release(conn)


def _not_yet(ua, what: str) -> bool:
    ua.error_msg(f"{what}: not implemented yet by this Director.\n")
    return False


def dot_status(ua) -> bool:
    if ua.argc >= 2 and ua.argk[1].lower().startswith("dir"):
        if ua.argc >= 3 and ua.argk[2].lower() == "header":
            _header(ua)
            return True
        if ua.argc >= 3 and ua.argk[2].lower() == "scheduled":
            _scheduled(ua)
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


# -- status scheduler ------------------------------------------------------------

DEFAULT_STATUS_SCHED_DAYS = 7
_SECONDS_PER_DAY = 86400
_SECONDS_PER_HOUR = 3600


def _atoi(text: str) -> int:
    text = text.strip()
    digits = ""
    for i, ch in enumerate(text):
        if ch.isdigit() or (i == 0 and ch in "+-"):
            digits += ch
        else:
            break
    try:
        return int(digits)
    except ValueError:
        return 0


def _select_resource(ua, rtype: str, kind: str, header: str, question: str):
    cfg = ua.director.config
    names = sorted((r.name for r in cfg.resources(rtype) if ua.acl_access_ok(kind, r.name)),
                   key=str.lower)
    choice = ua.select_item(header, names, question, rtype)
    return cfg.get(rtype, names[choice]) if choice is not None else None


def _scheduler_client(ua):
    """Bareos's get_client_resource: client= / fd= or a prompt."""
    for i in range(1, ua.argc):
        if ua.argk[i].lower() in ("client", "fd") and ua.argv[i] is not None:
            res = ua.director.config.get("Client", ua.argv[i])
            if res is not None and ua.acl_access_ok(acl.CLIENT, res.name):
                return res
            ua.error_msg(f"Error: Client resource {ua.argv[i]} does not exist.\n")
            break
    return _select_resource(ua, "Client", acl.CLIENT, "The defined Client resources are:\n",
                            "Select Client (File daemon) resource")


def _scheduler_status(ua) -> bool:
    from bareos.dird import schedule as sch
    from bareos.dird import scheduler as sched_mod

    d = ua.director
    cfg = d.config
    now = int(d.clock())
    days = DEFAULT_STATUS_SCHED_DAYS
    json_from, json_to = 0, DEFAULT_STATUS_SCHED_DAYS
    value = ua.arg_value("days")
    if value is not None:
        if "," in value:
            json_from, json_to = _atoi(value), _atoi(value.split(",", 1)[1])
            if json_from > json_to:
                json_from, json_to = json_to, json_from
            if not ua.api and (json_from < -366 or json_to > 366):
                ua.send_msg("Ignoring invalid days range. Allowed: -366..366.\n")
                json_from, json_to = 0, DEFAULT_STATUS_SCHED_DAYS
            days = max(abs(json_from), abs(json_to))
        else:
            days = _atoi(value)
            if (days < -366 or days > 366) and not ua.api:
                ua.send_msg("Ignoring invalid value for days. Allowed is -366 < days < 366.\n")
                days = DEFAULT_STATUS_SCHED_DAYS
            json_from, json_to = (0, days) if days >= 0 else (days, 0)

    schedule_name = ua.arg_value("schedule")
    client = _scheduler_client(ua) if ua.find_arg_with_value("client") >= 0 else None
    job = None
    if ua.find_arg_with_value("job") >= 0:
        name = ua.arg_value("job")
        job = cfg.get("Job", name)
        if job is not None and not ua.acl_access_ok(acl.JOB, job.name):
            job = None
        if job is None:
            job = _select_resource(ua, "Job", acl.JOB, "The defined Job resources are:\n",
                                   "Select Job resource")

    def job_client_is(j, c) -> bool:
        return j.get("Client") == c.name

    def schedules():
        for s in cfg.resources("Schedule"):
            if not s.get("Enabled", True) or not ua.acl_access_ok(acl.SCHEDULE, s.name):
                continue
            if schedule_name is not None and s.name != schedule_name:
                continue
            yield s

    def jobs_of(s):
        """(job, enabled) of the jobs a schedule triggers, as listed."""
        if job is not None:
            if job.get("Schedule") == s.name:
                yield job, sched_mod.job_enabled(cfg, job)
            return
        for j in cfg.resources("Job"):
            if not ua.acl_access_ok(acl.JOB, j.name):
                continue
            if client is not None and not job_client_is(j, client):
                continue
            if j.get("Schedule") == s.name:
                yield j, sched_mod.job_enabled(cfg, j)

    def preview_schedules():
        """The schedules to preview, in order, for one hour of the preview."""
        if job is not None:
            s = sched_mod.job_schedule(cfg, job)
            if s is not None and s.get("Enabled", True) and sched_mod.job_enabled(cfg, job):
                yield s
        elif client is not None:
            for j in cfg.resources("Job"):
                if not ua.acl_access_ok(acl.JOB, j.name) or not job_client_is(j, client):
                    continue
                s = sched_mod.job_schedule(cfg, j)
                if s is None or not s.get("Enabled", True) or not j.get("Enabled", True):
                    continue
                if not sched_mod.job_enabled(cfg, j):
                    continue
                if schedule_name is not None and s.name != schedule_name:
                    continue
                yield s
        else:
            yield from schedules()

    def preview(start: int, stop: int):
        """(runtime, schedule, run) in Bareos's order: hour by hour, then
        schedule, then Run line."""
        t = start
        while t < stop:
            lt = _time.localtime(t)
            for s in preview_schedules():
                for r in sch.runs_or_none(s):
                    if sch.triggers_on_day_and_hour(r, t):
                        runtime = t - lt.tm_min * 60 - lt.tm_sec + r.minute * 60
                        yield runtime, s, r
            t += _SECONDS_PER_HOUR

    if ua.json:
        out = ua.send
        out.array_start("schedules")
        for s in schedules():
            listed = list(jobs_of(s))
            if not listed:
                continue
            out.object_start()
            out.kv("name", s.name)
            out.kv("enabled", bool(s.get("Enabled", True)))
            out.array_start("jobs")
            for j, enabled in listed:
                out.object_start()
                out.kv("name", j.name)
                out.kv("enabled", enabled)
                out.object_end()
            out.array_end("jobs")
            out.object_end()
        out.array_end("schedules")
        out.array_start("preview")
        for runtime, s, r in preview(now + json_from * _SECONDS_PER_DAY,
                                     now + json_to * _SECONDS_PER_DAY):
            out.object_start()
            out.kv("datetime", sch.bstrftime_wd(runtime))
            out.kv("runtime", runtime)
            out.kv("schedule", s.name)
            if r.level:
                out.kv("level", r.level_name)
            if r.priority:
                out.kv("priority", r.priority)
            if r.pool:
                out.kv("pool", r.pool)
            if r.storage:
                out.kv("storage", r.storage)
            if r.messages:
                out.kv("messages", r.messages)
            if r.spool_data is not None:
                out.kv("spool_data", r.spool_data)
            if r.accurate is not None:
                out.kv("accurate", r.accurate)
            out.object_end()
        out.array_end("preview")
        return True

    text = ["Scheduler Jobs:\n\n",
            "Schedule               Jobs Triggered\n",
            "===========================================================\n"]
    for s in schedules():
        listed = list(jobs_of(s))
        if not listed:
            continue
        text.append(f"{s.name}\n")
        for j, enabled in listed:
            text.append(f"                       {j.name}{'' if enabled else ' (disabled)'}\n")
        text.append("\n")
    ua.send_msg("".join(text))

    if days > 0:
        start, stop = now, now + days * _SECONDS_PER_DAY
    else:
        start, stop = now + days * _SECONDS_PER_DAY, now
    lines = []
    width = 0
    for runtime, s, r in preview(start, stop):
        dt = sch.bstrftime_wd(runtime)
        width = max(width, len(dt))  # (Bareos restarts when the width grows)
        lines.append(f"{dt:<{width}}  {s.name[:22]:<22}  {r.overrides_text()}\n")
    ua.send_msg("====\n\n")
    ua.send_msg(f"Scheduler Preview for {days} days:\n\n")
    ua.send_msg(f"{'Date':<{width}}  {'Schedule':<22}  Overrides\n")
    ua.send_msg("==============================================================\n")
    ua.send_msg("".join(lines))
    ua.send_msg("====\n")
    return True
