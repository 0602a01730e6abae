"""The dot commands that list resources and fixed tables for GUIs and scripts:
`.jobs .jobdefs .clients .filesets .pools .storages .msgs .consoles .users
.profiles .schedule .catalogs .levels .types .jobstatus .volstatus
.actiononpurge .authorized .defaults`."""

from bareos.lib import jobcodes

from .. import acl


def _enabled_filter(ua):
    return ua.find_arg("enabled") >= 0, ua.find_arg("disabled") >= 0


def _names(ua, array: str, rtype: str, kind: str | None, *, with_enabled: bool = False,
           key: str = "name", filter_fn=None) -> bool:
    enabled, disabled = _enabled_filter(ua) if with_enabled else (False, False)
    out = ua.send
    out.array_start(array)
    for res in ua.director.resources(rtype):
        if kind is not None and not ua.acl_access_ok(kind, res.name):
            continue
        if filter_fn is not None and not filter_fn(res):
            continue
        is_enabled = bool(res.get("Enabled", True))
        if enabled and not is_enabled:
            continue
        if disabled and is_enabled:
            continue
        out.object_start()
        out.kv(key, res.name, "%s\n")
        if with_enabled:
            out.kv("enabled", is_enabled)
        out.object_end()
    out.array_end(array)
    return True


def jobs(ua) -> bool:
    jtype = ua.arg_value("type")
    want = jtype[0] if jtype else None

    def of_type(res):
        if not want:
            return True
        code = dict((n.lower(), c) for n, c in jobcodes.JOB_TYPES).get(
            str(res.get("Type", "")).lower(), str(res.get("Type", ""))[:1])
        return code == want

    return _names(ua, "jobs", "Job", acl.JOB, with_enabled=True, filter_fn=of_type)


def jobdefs(ua) -> bool:
    return _names(ua, "jobdefs", "JobDefs", acl.JOB)


def clients(ua) -> bool:
    return _names(ua, "clients", "Client", acl.CLIENT, with_enabled=True)


def filesets(ua) -> bool:
    return _names(ua, "filesets", "FileSet", acl.FILESET)


def catalogs(ua) -> bool:
    return _names(ua, "catalogs", "Catalog", acl.CATALOG)


def consoles(ua) -> bool:
    return _names(ua, "consoles", "Console", None)


def users(ua) -> bool:
    return _names(ua, "users", "User", None)


def profiles(ua) -> bool:
    return _names(ua, "profiles", "Profile", None)


def msgs(ua) -> bool:
    return _names(ua, "messages", "Messages", None, key="text")


def pools(ua) -> bool:
    ptype = ua.arg_value("type")

    def of_type(res):
        return ptype is None or str(res.get("Pool Type", "Backup")).lower().startswith(ptype.lower())

    return _names(ua, "pools", "Pool", acl.POOL, filter_fn=of_type)


def storages(ua) -> bool:
    return _names(ua, "storages", "Storage", acl.STORAGE, with_enabled=True)


def schedules(ua) -> bool:
    return _names(ua, "schedules", "Schedule", acl.SCHEDULE, with_enabled=True)


def _table(ua, array: str, names) -> bool:
    out = ua.send
    out.array_start(array)
    for name in names:
        out.object_start()
        out.kv("name", name, "%s\n")
        out.object_end()
    out.array_end(array)
    return True


def types(ua) -> bool:
    return _table(ua, "jobtypes", [n for n, _c in jobcodes.JOB_TYPES])


def volstatus(ua) -> bool:
    return _table(ua, "volstatus", jobcodes.VOLUME_STATUSES)


def actiononpurge(ua) -> bool:
    return _table(ua, "actiononpurge", jobcodes.ACTION_ON_PURGE)


def levels(ua) -> bool:
    out = ua.send
    out.array_start("levels")
    jtype = None
    if ua.argc == 2:
        jtype = ""
        for name, code in jobcodes.JOB_TYPES:
            if name.lower() == ua.argk[1].lower():
                jtype = code
                break
    if ua.argc <= 2:
        for name, level, job_type in jobcodes.JOB_LEVELS:
            if name.startswith(" "):
                continue
            if jtype is not None and job_type != jtype:
                continue
            out.object_start()
            out.kv("name", name, "%s\n")
            out.kv("level", ord(level))
            out.kv("jobtype", ord(job_type))
            out.object_end()
    out.array_end("levels")
    return True


_STATUS_TEXT = {
    "A": "Canceled", "B": "Blocked", "C": "Created, not yet running",
    "D": "Verify found differences", "E": "Terminated with errors",
    "F": "Waiting for Client", "I": "Incomplete Job", "L": "Committing data",
    "M": "Waiting for media mount", "R": "Running", "S": "Waiting for Storage daemon",
    "T": "Completed successfully", "W": "Terminated with warnings",
    "a": "SD despooling Attributes", "c": "Waiting for Client resource",
    "d": "Waiting on Maximum jobs", "e": "Non-fatal error", "f": "Fatal error",
    "i": "Doing batch insert file records", "j": "Waiting for job resource",
    "l": "Doing data despooling", "m": "Waiting for new media",
    "p": "Waiting on higher priority jobs", "q": "Queued waiting for device",
    "s": "Waiting for storage resource", "t": "Waiting for start time",
}

_SEVERITY = {"A": 15, "B": 15, "C": 15, "D": 15, "E": 25, "F": 15, "I": 25, "L": 15,
             "M": 15, "R": 15, "S": 15, "T": 10, "W": 20, "a": 15, "c": 15, "d": 15,
             "e": 15, "f": 100, "i": 15, "j": 15, "l": 15, "m": 15, "p": 15, "q": 15,
             "s": 15, "t": 15}


def jobstatus(ua) -> bool:
    """`.jobstatus [=X]`: the job status letters and their meaning."""
    want = ua.argv[0] if ua.argv else None
    if want is not None and len(want) != 1:
        ua.error_msg(f"Unknown JobStatus '{want}'. JobStatus must be a single character.\n")
        return False
    out = ua.send
    rows = [(k, v, _SEVERITY[k]) for k, v in sorted(_STATUS_TEXT.items())
            if want is None or k == want]
    out.array_start("jobstatus")
    if not ua.json and rows:
        width = max(len(r[1]) for r in rows)
        out.text(f"+-----------+{'-' * (width + 2)}+----------+\n")
        out.text(f"| jobstatus | {'jobstatuslong'.ljust(width)} | severity |\n")
        out.text(f"+-----------+{'-' * (width + 2)}+----------+\n")
        for k, v, sev in rows:
            out.text(f"| {k:<9} | {v.ljust(width)} | {sev:>8} |\n")
        out.text(f"+-----------+{'-' * (width + 2)}+----------+\n")
    for k, v, sev in rows:
        out.object_start()
        out.kv("jobstatus", k)
        out.kv("jobstatuslong", v)
        out.kv("severity", str(sev))
        out.object_end()
    out.array_end("jobstatus")
    return True


_AUTH_KEYS = (("job", acl.JOB), ("client", acl.CLIENT), ("storage", acl.STORAGE),
              ("schedule", acl.SCHEDULE), ("pool", acl.POOL), ("cmd", acl.COMMAND),
              ("fileset", acl.FILESET), ("catalog", acl.CATALOG))


def authorized(ua) -> bool:
    """`.authorized job=... | cmd=...`: is this console allowed (no output, result only)."""
    for i in range(1, ua.argc):
        key = ua.argk[i].lower()
        for k, kind in _AUTH_KEYS:
            if key == k:
                if ua.argv[i] is None or not ua.acl_access_ok(kind, ua.argv[i]):
                    return False
                break
        else:
            return False
    return ua.argc > 1


def defaults(ua) -> bool:
    """`.defaults job=|client=|storage=|pool=`: default settings of a resource."""
    d = ua.director
    out = ua.send
    out.object_start("defaults")

    def kv(key, value):
        out.kv(key, value, "%s\n", key_fmt="%s=")
        out.send_buffer()

    name = ua.arg_value("job")
    if name is not None:
        job = d.get("Job", name)
        if job is not None and ua.acl_access_ok(acl.JOB, name):
            kv("job", job.name)
            kv("pool", job.get("Pool") or "*None*")
            kv("messages", job.get("Messages") or "*None*")
            kv("client", job.get("Client") or "*None*")
            storage = job.get("Storage")
            if isinstance(storage, (list, tuple)):
                storage = storage[0] if storage else None
            kv("storage", storage or "*None*")
            kv("where", job.get("Where") or "")
            if str(job.get("Type", "")).lower() == "restore":
                kv("replace", str(job.get("Replace", "Always")).lower())
            kv("level", job.get("Level") or "")
            kv("type", job.get("Type") or "")
            kv("fileset", job.get("FileSet") or "*None*")
            kv("enabled", int(bool(job.get("Enabled", True))))
            client = d.get("Client", job.get("Client")) if job.get("Client") else None
            catalog = (client.get("Catalog") if client is not None else None) or \
                (d.resources("Catalog")[0].name if d.resources("Catalog") and client else "*None*")
            kv("catalog", catalog)
    elif (name := ua.arg_value("client")) is not None:
        client = d.get("Client", name)
        if client is not None and ua.acl_access_ok(acl.CLIENT, name):
            kv("client", client.name)
            kv("address", client.get("Address") or "")
            kv("port", client.get("Port", 9102))
            kv("file_retention", client.get("File Retention"))
            kv("job_retention", client.get("Job Retention"))
            kv("autoprune", int(bool(client.get("Auto Prune"))))
            kv("enabled", int(bool(client.get("Enabled", True))))
            cat = client.get("Catalog") or (d.resources("Catalog")[0].name if d.resources("Catalog") else "")
            kv("catalog", cat)
    elif (name := ua.arg_value("storage")) is not None:
        st = d.get("Storage", name)
        if st is not None and ua.acl_access_ok(acl.STORAGE, name):
            kv("storage", st.name)
            kv("address", st.get("Address") or "")
            kv("port", st.get("Port", 9103))
            kv("enabled", int(bool(st.get("Enabled", True))))
            dev = st.get("Device")
            if isinstance(dev, (list, tuple)):
                dev = dev[0] if dev else ""
            kv("device", dev or "")
            kv("media_type", st.get("Media Type") or "")
    elif (name := ua.arg_value("pool")) is not None:
        pool = d.get("Pool", name)
        if pool is not None and ua.acl_access_ok(acl.POOL, name):
            kv("pool", pool.name)
            kv("pool_type", pool.get("Pool Type") or "Backup")
            kv("label_format", pool.get("Label Format") or "")
            kv("use_volume_once", int(bool(pool.get("Use Volume Once", False))))
            kv("purge_oldest_volume", int(bool(pool.get("Purge Oldest Volume", False))))
            kv("recycle_oldest_volume", int(bool(pool.get("Recycle Oldest Volume", False))))
            kv("max_volumes", pool.get("Maximum Volumes") or 0)
            kv("vol_retention", pool.get("Volume Retention"))
            kv("vol_use_duration", pool.get("Volume Use Duration") or 0)
            kv("max_vol_jobs", pool.get("Maximum Volume Jobs") or 0)
            kv("max_vol_files", pool.get("Maximum Volume Files") or 0)
            kv("max_vol_bytes", pool.get("Maximum Volume Bytes") or 0)
            kv("auto_prune", int(bool(pool.get("Auto Prune", True))))
            kv("recycle", int(bool(pool.get("Recycle", True))))
    out.object_end("defaults")
    return True
