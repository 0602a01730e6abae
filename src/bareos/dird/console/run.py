"""`run`: start a job, with Bareos's yes/mod/no dialogue.

Keywords: job= client= fileset= level= storage= pool= where= regexwhere=
replace= when= priority= comment= accurate= pluginoptions= bootstrap= jobid=
yes (and the `mod` menu to change them before starting).
"""

from __future__ import annotations

import time

from bareos.lib import jobcodes

from .. import acl
from ..jobs import level_code

KEYWORDS = ("job", "jobid", "client", "fd", "fileset", "level", "storage", "sd", "pool", "where",
            "regexwhere", "replace", "when", "priority", "comment", "accurate", "pluginoptions",
            "bootstrap", "yes", "spooldata", "catalog", "backupformat", "nextpool", "since",
            "verifyjob", "verifylist", "migrationjob", "stripprefix", "addprefix", "addsuffix",
            "restoreclient", "restorejob", "fileregex", "done", "cloned", "ignoreduplicatecheck")


def _parse_when(text: str) -> float | None:
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d"):
        try:
            return time.mktime(time.strptime(text, fmt))
        except ValueError:
            continue
    return None


def _resource(ua, rtype: str, kind: str, name: str | None, what: str):
    if name is None:
        return None
    res = ua.director.get(rtype, name)
    if res is None or (kind and not ua.acl_access_ok(kind, name)):
        ua.error_msg(f'{what} "{name}" not found.\n')
        return False
    return res


def collect(ua) -> dict | None:
    """The run keywords of the command line (None on error)."""
    over: dict = {}
    for i in range(1, ua.argc):
        key = ua.argk[i].lower()
        val = ua.argv[i]
        if key not in KEYWORDS:
            if val is None and "job" not in over:
                # as Bareos: a first word without a value names the Job
                over["job"] = ua.argk[i]
                continue
            ua.send_msg(f'Invalid keyword: {ua.argk[i]}\n')
            return None
        if key == "yes":
            over["yes"] = True
            continue
        if val is None:
            ua.send_msg(f"Value missing for keyword {ua.argk[i]}\n")
            return None
        over[{"fd": "client", "sd": "storage", "stripprefix": "strip_prefix",
              "addprefix": "add_prefix", "addsuffix": "add_suffix"}.get(key, key)] = val
    return over


def run(ua) -> bool:
    d = ua.director
    over = collect(ua)
    if over is None:
        return False
    job_name = over.pop("job", None)
    if job_name is None:
        jobs = [j.name for j in d.resources("Job") if ua.acl_access_ok(acl.JOB, j.name)]
        idx = ua.select_item("The defined Job resources are:\n", jobs, "Select Job resource", "Job")
        if idx is None:
            return False
        job_name = jobs[idx]
    job = d.get("Job", job_name)
    if job is None or not ua.acl_access_ok(acl.JOB, job_name):
        ua.error_msg(f'Job "{job_name}" not found\n')
        return False
    for key, rtype, kind, what in (("client", "Client", acl.CLIENT, "Client"),
                                   ("fileset", "FileSet", acl.FILESET, "FileSet"),
                                   ("storage", "Storage", acl.STORAGE, "Storage"),
                                   ("pool", "Pool", acl.POOL, "Pool")):
        if _resource(ua, rtype, kind, over.get(key), what) is False:
            return False
    if "level" in over:
        names = {n.lower() for n, _c, _t in jobcodes.JOB_LEVELS}
        if over["level"].lower() not in names:
            ua.error_msg(f"Level \"{over['level']}\" not valid.\n")
            return False
    if "when" in over:
        when = _parse_when(over["when"])
        if when is None:
            ua.error_msg(f"Invalid time \"{over['when']}\", using current time.\n")
            over.pop("when")
        else:
            over["when"] = when
    if "since" in over and _parse_when(over["since"]) is None:
        ua.send_msg("Since option expects string in format \"yyyy-mm-dd hh:mm:ss\", "
                    f"but is: {over['since']}\n")
        return False
    if "accurate" in over:
        over["accurate"] = over["accurate"].lower() in ("yes", "true", "1")
    if "where" in over and not ua.acl_access_ok(acl.WHERE, over["where"]):
        ua.error_msg(f'No authorization for "where" specification.\n')
        return False
    if "bootstrap" in over:
        try:
            with open(over["bootstrap"], encoding="utf-8") as f:
                over["bootstrap_text"] = f.read()
        except OSError as exc:
            ua.error_msg(f'Cannot open bootstrap file "{over["bootstrap"]}": {exc}\n')
            return False
    if not ua.open_db():
        return False
    if over.get("jobid"):
        cat = d.catalog
        for part in str(over["jobid"]).split(","):
            part = part.strip()
            if not part.isdigit() or cat.get_job(job_id=int(part)) is None:
                ua.send_msg(f"JobId {part} not found in catalog. \n")
                return False
    jcr = d.jobs.new_jcr(job, **{k: v for k, v in over.items() if k != "yes"})
    if not over.get("yes") and not confirm(ua, jcr):
        return False
    queue(ua, jcr)
    return True


def confirm(ua, jcr) -> bool:
    """Show the job and ask ``OK to run? (yes/mod/no)`` until it is run
    (True) or not (False, "Job not run." said); ``mod`` modifies it."""
    while True:
        show_job(ua, jcr)
        if ua.api:
            from bareos.lib import bnet
            ua.signal(bnet.BNET_RUN_CMD)
        answer = ua.get_cmd("OK to run? (yes/mod/no): ")
        if answer is None:
            ua.send_msg("Job not run.\n")
            return False
        a = answer.lower()
        if a in ("yes", "y"):
            return True
        if a in ("mod", "m"):
            if not modify(ua, jcr):
                ua.send_msg("Job not run.\n")
                return False
            continue
        ua.send_msg("Job not run.\n")
        return False


def queue(ua, jcr) -> int:
    """Submit the job and say ``Job queued. JobId=<n>``."""
    jobid = ua.director.jobs.submit(jcr)
    ua.send.object_start("run")
    ua.send.kv("jobid", str(jobid), "Job queued. JobId=%s\n")
    ua.send.object_end("run")
    return jobid


def show_job(ua, jcr) -> None:
    when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(jcr.sched_time))
    if jcr.job_type == jobcodes.JT_RESTORE:
        bsr = getattr(jcr, "bootstrap_path", None) or "*None*"
        lines = [f"Run Restore job", f"JobName:         {jcr.job_name}",
                 f"Bootstrap:       {bsr}"]
        if jcr.regexwhere:
            lines.append(f"RegexWhere:      {jcr.regexwhere}")
        else:
            lines.append(f"Where:           {jcr.where or ''}")
        replace = {"always": "Always", "ifnewer": "IfNewer", "ifolder": "IfOlder",
                   "never": "Never"}.get(str(jcr.replace or "always").lower(), jcr.replace)
        lines += [f"Replace:         {replace}",
                  f"FileSet:         {jcr.fileset.name if jcr.fileset else '*None*'}",
                  f"Backup Client:   {getattr(jcr, 'backup_client', None) or jcr.client_name}",
                  f"Restore Client:  {jcr.client_name}",
                  "Format:          Native",
                  f"Storage:         {jcr.storage.name if jcr.storage else '*None*'}",
                  f"When:            {when}",
                  f"Catalog:         {jcr.catalog_res.name if jcr.catalog_res else ''}",
                  f"Priority:        {jcr.priority}",
                  f"Plugin Options:  {jcr.plugin_options or '*None*'}"]
    elif jcr.job_type in (jobcodes.JT_COPY, jobcodes.JT_MIGRATE):
        lines = _mac_summary(ua, jcr, when)
    else:
        lines = [f"Run {jcr.type_name} job",
                 f"JobName:  {jcr.job_name}",
                 f"Level:    {jcr.level_name}",
                 f"Client:   {jcr.client_name}",
                 f"Format:   {jcr.job_res.get('Backup Format') or 'Native'}",
                 f"FileSet:  {jcr.fileset.name if jcr.fileset else ''}",
                 f"Pool:     {jcr.pool.name if jcr.pool else ''} ({jcr.pool_source})",
                 f"Storage:  {jcr.storage.name if jcr.storage else ''} ({jcr.storage_source})",
                 f"When:     {when}",
                 f"Priority: {jcr.priority}"]
        if jcr.plugin_options:
            lines.append(f"Plugin Options: {jcr.plugin_options}")
    ua.send_msg("\n".join(lines) + "\n")


def _mac_summary(ua, jcr, when: str) -> list[str]:
    """Bareos's confirmation of a Copy or Migration job: read and write side."""
    from ..jcr import JobFailed
    from ..migrate import MacState, _set_next_pool

    st = MacState()
    st.rpool = jcr.pool
    try:
        _set_next_pool(ua.director, jcr, st)
    except JobFailed:
        pass

    def src(text) -> str:
        text = str(text or "")
        return text if text.startswith("From ") else f"From {text}"

    def name(res) -> str:
        return res.name if res is not None else "*None*"

    kind = "Copy" if jcr.job_type == jobcodes.JT_COPY else "Migration"
    return [f"Run {kind} job",
            f"JobName:       {jcr.job_name}",
            "Bootstrap:     *None*",
            f"Read Storage:  {name(jcr.storage)} ({src(jcr.storage_source)})",
            f"Pool:          {name(jcr.pool)} ({src(jcr.pool_source)})",
            f"Write Storage: {name(st.write_storage)} ({src(st.wstore_source)})",
            f"NextPool:      {name(st.next_pool)} ({src(st.npool_source)})",
            f"JobId:         {getattr(jcr, 'mac_jobid', None) or '*None*'}",
            f"When:          {when}",
            f"Catalog:       {jcr.catalog_res.name if jcr.catalog_res else ''}",
            f"Priority:      {jcr.priority}"]


def modify(ua, jcr) -> bool:
    d = ua.director
    items = ["Level", "Storage", "Job", "FileSet", "Client", "Backup Format", "When", "Priority",
             "Pool", "Plugin Options"]
    if jcr.job_type == jobcodes.JT_RESTORE:
        items = ["Level", "Storage", "Job", "FileSet", "Restore Client", "Backup Format", "When",
                 "Priority", "Bootstrap", "Where", "File Relocation", "Replace", "JobId",
                 "Plugin Options"]
    idx = ua.select_item("Parameters to modify:\n", items, "Select parameter to modify")
    if idx is None:
        return False
    item = items[idx]

    def pick(rtype, kind, header, question):
        names = [r.name for r in d.resources(rtype) if kind is None or ua.acl_access_ok(kind, r.name)]
        i = ua.select_item(header, names, question, rtype)
        return None if i is None else d.get(rtype, names[i])

    if item == "Level":
        levels = [n for n, _c, t in jobcodes.JOB_LEVELS if t == jcr.job_type and not n.startswith(" ")]
        i = ua.select_item("Levels:\n", levels, "Select level")
        if i is None:
            return False
        jcr.level = level_code(levels[i])
        if jcr.pool_source != "From command input":
            d.jobs.apply_level_pool(jcr)
    elif item == "Storage":
        res = pick("Storage", acl.STORAGE, "The defined Storage resources are:\n", "Select Storage resource")
        if res is None:
            return False
        jcr.storage, jcr.storage_source = res, "From user selection"
    elif item == "Job":
        res = pick("Job", acl.JOB, "The defined Job resources are:\n", "Select Job resource")
        if res is None:
            return False
        jcr.job_res = res
    elif item == "FileSet":
        res = pick("FileSet", acl.FILESET, "The defined FileSet resources are:\n", "Select FileSet resource")
        if res is None:
            return False
        jcr.fileset = res
    elif item in ("Client", "Restore Client"):
        res = pick("Client", acl.CLIENT, "The defined Client resources are:\n", "Select Client resource")
        if res is None:
            return False
        jcr.client = res
    elif item == "Backup Format":
        ua.get_cmd("Please enter the Backup Format: ")
    elif item == "When":
        text = ua.get_cmd("Please enter start time as YYYY-MM-DD HH:MM:SS (return for now): ")
        if text is None:
            return False
        when = _parse_when(text) if text else time.time()
        if when is None:
            ua.error_msg("Bad date format.\n")
        else:
            jcr.sched_time = when
    elif item == "Priority":
        n = ua.get_pint("Enter new Priority: ")
        if n is None:
            return False
        if n == 0:
            ua.send_msg("Priority must be a positive integer.\n")
        else:
            jcr.priority = n
    elif item == "Pool":
        res = pick("Pool", acl.POOL, "The defined Pool resources are:\n", "Select Pool resource")
        if res is None:
            return False
        jcr.pool, jcr.pool_source = res, "From user selection"
    elif item == "Plugin Options":
        text = ua.get_cmd("Please enter Plugin Options string: ")
        if text is None:
            return False
        jcr.plugin_options = text or None
    elif item == "Where":
        text = ua.get_cmd("Please enter the full path prefix for restore (/ for none): ")
        if text is None:
            return False
        jcr.where = "" if text == "/" else text
        jcr.regexwhere = None
    elif item == "Replace":
        opts = ["always", "ifnewer", "ifolder", "never"]
        i = ua.select_item("Replace:\n", opts, "Select replace option")
        if i is not None:
            jcr.replace = opts[i]
    return True
