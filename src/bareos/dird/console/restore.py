"""`restore`: choose backups, select files in the restore tree, write the
bootstrap and submit a Restore job (Bareos's ua_restore / ua_tree).

Keywords: jobid= current before= file= directory= select pool= all fileregex=
client= storage= fileset= where= yes bootstrap= done strip_prefix= add_prefix=
add_suffix= regexwhere= restoreclient= copies comment= restorejob= replace=
pluginoptions= archive (and backupformat=).
"""

from __future__ import annotations

import os
import re
import threading
import time

from bareos.lib import bnet, jobcodes
from bareos.lib.edit import edit_uint64_with_commas

from .. import acl, listfmt
from .. import bootstrap as bsrmod
from ..tree import TreeShell, build_tree
from . import run as runmod

KEYWORDS = ("jobid", "current", "before", "file", "directory", "select", "pool", "all",
            "fileregex", "client", "storage", "fileset", "where", "yes", "bootstrap", "done",
            "strip_prefix", "add_prefix", "add_suffix", "regexwhere", "restoreclient", "copies",
            "comment", "restorejob", "replace", "pluginoptions", "archive", "backupformat")

MENU = [
    "List last 20 Jobs run",
    "List Jobs where a given File is saved",
    "Enter list of comma separated JobIds to select",
    "Enter SQL list command",
    "Select the most recent backup for a client",
    "Select backup for a client before a specified time",
    "Enter a list of files to restore",
    "Enter a list of files to restore before a specified time",
    "Find the JobIds of the most recent backup for a client",
    "Find the JobIds for a backup for a client before a specified time",
    "Enter a list of directories to restore for found JobIds",
    "Select full restore to a specified Job date",
    "Cancel",
]

_uniq_lock = threading.Lock()
_uniq = 0


class RestoreContext:
    def __init__(self):
        self.jobids: list[int] = []
        self.client_name: str | None = None
        self.restore_client: str | None = None
        self.where = None
        self.regexwhere = None
        self.replace = None
        self.plugin_options = None
        self.comment = None
        self.fileregex = None
        self.all = False
        self.pool = None
        self.job_type = jobcodes.JT_BACKUP
        self.findex: dict[int, list[int] | None] = {}
        self.total_files = 0
        self.selected = 0
        self.store = None
        self.restore_job = None
        self.restore_jobs: list = []


# ---------------------------------------------------------------- helpers

def _list_query(ua, sql: str, params=(), *, any_statement: bool = False) -> None:
    """A catalog query printed as a list (Bareos's ListSqlQuery, horizontal)."""
    cat = ua.director.catalog
    if any_statement:
        res, _n = listfmt.run_statement(cat, sql)
    else:
        res = listfmt.query(cat, sql, params, raw=not params)
    if ua.api == 2:
        return
    listfmt.list_result(ua, res if res is not None else listfmt.Result([], []))
    ua.send.flush()


def _now_date(offset: int = 1) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(time.time() + offset))


def compensate_short_date(text: str) -> str | None:
    """Bareos CompensateShortDate + StrToUtime: a full date or None."""
    m = re.fullmatch(r"\s*(\d+)(?:-(\d+)(?:-(\d+)(?:\s+(\d+)(?::(\d+)(?::(\d+))?)?)?)?)?\s*", text)
    if not m:
        return None
    y, mo, d, h, mi, s = (int(x) if x else 0 for x in m.groups())
    if y < 1900:
        return None
    mo = mo or 1
    d = d or 1
    try:
        t = time.mktime((y, mo, d, h, mi, s, 0, 0, -1))
    except (OverflowError, ValueError):
        return None
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(t))


def _parse_jobids(text: str) -> list[int] | None:
    ids = []
    for part in re.split(r"[,\s]+", text.strip()):
        if not part:
            continue
        if not part.isdigit():
            return None
        ids.append(int(part))
    return ids


# ---------------------------------------------------------------- the command

def run(ua) -> bool:
    d = ua.director
    rx = RestoreContext()
    for i in range(1, ua.argc):
        if ua.argk[i].lower() not in KEYWORDS:
            ua.error_msg(f"Unknown keyword: {ua.argk[i]}\n")
            return False
    rx.comment = ua.arg_value("comment")
    rx.where = ua.arg_value("where")
    rx.replace = ua.arg_value("replace")
    rx.plugin_options = ua.arg_value("pluginoptions")
    rx.regexwhere = ua.arg_value("regexwhere")
    fileregex = ua.arg_value("fileregex")
    if fileregex is not None:
        try:
            re.compile(fileregex)
        except re.error as exc:
            ua.send_msg(f"Regex compile error: {exc}\n")
            ua.error_msg('Invalid "FileRegex" value.\n')
            return False
        rx.fileregex = fileregex
    if ua.find_arg("archive") >= 0:
        rx.job_type = jobcodes.JT_ARCHIVE
    sp, ap, asuf = ua.arg_value("strip_prefix"), ua.arg_value("add_prefix"), ua.arg_value("add_suffix")
    if sp or ap or asuf:
        from bareos.lib.bregexp import build_regexwhere

        rx.regexwhere = build_regexwhere(sp, ap, asuf)
    if rx.regexwhere and not ua.acl_access_ok(acl.WHERE, rx.regexwhere):
        ua.error_msg('"RegexWhere" specification not authorized.\n')
        return False
    if rx.where and not ua.acl_access_ok(acl.WHERE, rx.where):
        ua.error_msg('"where" specification not authorized.\n')
        return False
    if not ua.open_db(select=ua.arg_value("client") is None and ua.arg_value("catalog") is None):
        return False
    rx.restore_jobs = [j for j in d.resources("Job")
                       if str(j.get("Type") or "").lower() == "restore"]
    if not rx.restore_jobs:
        ua.error_msg(f"No Restore Job Resource found in {getattr(d, 'config_path', '') or ''}.\n"
                     "You must create at least one before running this command.\n")
        return False
    rx.restore_job = rx.restore_jobs[0]

    mode = select_jobids_or_files(ua, rx)
    if mode == 0:
        return False
    if mode == 1:
        if not build_directory_tree(ua, rx):
            ua.send_msg("Restore not done.\n")
            return False
    elif mode == 3:
        if not rx.jobids:
            ua.error_msg("No JobId specified cannot continue.\n")
            ua.send_msg("Restore not done.\n")
            return False
        for j in rx.jobids:
            rx.findex[j] = None

    job = rx.restore_job if len(rx.restore_jobs) == 1 else _get_restore_job(ua, rx)
    if job is None:
        return False
    if not rx.findex:
        ua.warning_msg("No files selected to be restored.\n")
        return False
    cat = d.catalog
    order = rx.jobids or list(rx.findex)
    bsr = bsrmod.restore_bootstrap(cat, d, order, rx.findex, rx.fileregex)
    _find_storage(ua, rx, bsr)
    path = _bsr_filename(ua)
    try:
        with open(path, "w", encoding="utf-8") as f:
            f.write(bsr.text)
    except OSError as exc:
        ua.error_msg(f"Unable to create bootstrap file {path}. ERR={exc.strerror}\n")
        return False
    if bsr.count == 0:
        ua.info_msg("No files found to read. No bootstrap file written.\n")
        ua.warning_msg("No files selected to be restored.\n")
        return False
    ua.send_msg(f"Bootstrap records written to {path}\n")
    _display_bsr_info(ua, bsr)
    if bsr.count == 1:
        ua.info_msg("\n1 file selected to be restored.\n\n")
    else:
        ua.info_msg(f"\n{edit_uint64_with_commas(bsr.count)} files selected to be restored.\n\n")

    if not _get_client_name(ua, rx):
        return False
    if not rx.client_name:
        ua.error_msg("No Client resource found!\n")
        return False
    rname = ua.arg_value("restoreclient")
    if rname is not None:
        if d.get("Client", rname) is None or not ua.acl_access_ok(acl.CLIENT, rname):
            ua.error_msg(f"invalid restoreclient argument: {rname}\n")
            return False
        rx.restore_client = rname
    else:
        rx.restore_client = rx.client_name
    return _submit(ua, rx, job, path, bsr)


def _get_restore_job(ua, rx):
    name = ua.arg_value("restorejob")
    if name is not None:
        job = ua.director.get("Job", name)
        if job is not None and job in rx.restore_jobs and ua.acl_access_ok(acl.JOB, name):
            return job
        ua.error_msg(f'Restore Job "{name}" not found.\n')
    names = [j.name for j in rx.restore_jobs if ua.acl_access_ok(acl.JOB, j.name)]
    idx = ua.select_item("The defined Restore Job resources are:\n", names,
                         "Select Restore Job", "Restore Job")
    return None if idx is None else ua.director.get("Job", names[idx])


def _bsr_filename(ua) -> str:
    global _uniq
    given = ua.arg_value("bootstrap")
    if given is not None:
        return given
    d = ua.director
    with _uniq_lock:
        _uniq += 1
        n = _uniq
    return os.path.join(d.working_directory, f"{d.name}.restore.{n}.bsr")


def _display_bsr_info(ua, bsr) -> None:
    lines = ["", "The job will require the following",
             "   Volume(s)                 Storage(s)                SD Device(s)",
             "=" * 75, "   "]
    for vol, storage, device, online in bsr.volumes:
        lines.append(f"   {'*' if online else ' '}{vol:<25} {storage:<25} {device:<25}")
    lines += ["", 'Volumes marked with "*" are online.', "", ""]
    ua.send_msg("\n".join(lines))


def _find_storage(ua, rx, bsr) -> None:
    d = ua.director
    for name in bsr.storages:
        res = d.get("Storage", name)
        if res is not None and ua.acl_access_ok(acl.STORAGE, name):
            rx.store = res
            break
    override = ua.arg_value("storage")
    if override:
        res = d.get("Storage", override)
        if res is not None and res is not rx.store and ua.acl_access_ok(acl.STORAGE, override):
            ua.info_msg(f'Warning default storage overridden by "{override}" on command line.\n')
            rx.store = res


def _get_client_name(ua, rx) -> bool:
    if rx.client_name:
        return True
    for kw in ("client", "backupclient"):
        name = ua.arg_value(kw)
        if name is not None:
            if ua.director.catalog.get_client(name=name) is None:
                ua.error_msg(f"invalid {kw} argument: {name}\n")
                return False
            rx.client_name = name
            return True
    cr = _select_client(ua)
    if cr is None:
        return False
    rx.client_name = cr["Name"]
    return True


def _select_client(ua) -> dict | None:
    """Bareos GetClientDbr: the client= argument or a choice among the
    catalog's clients the console may see."""
    cat = ua.director.catalog
    # the first client=/fd= argument; a client that is not in the catalog (or
    # not allowed) is reported and the list of catalog clients is proposed
    for i in range(1, ua.argc):
        if ua.argk[i].lower() in ("client", "fd") and ua.argv[i]:
            name = ua.argv[i]
            if not ua.acl_access_ok(acl.CLIENT, name):
                break
            row = cat.get_client(name=name)
            if row is None:
                ua.error_msg(f'Could not find Client "{name}": ERR=Client record not found.\n')
                break
            return row
    _cols, rows = cat.sql("SELECT ClientId, Name FROM Client ORDER BY Name")
    names = [r[1] for r in rows if ua.acl_access_ok(acl.CLIENT, r[1])]
    if not names:
        ua.error_msg("No clients defined. You must run a job before using this command.\n")
        return None
    idx = ua.select_item("Defined Clients:\n", names, "Select the Client", "Client")
    if idx is None:
        return None
    return cat.get_client(name=names[idx])


# ---------------------------------------------------------------- choosing jobs

def select_jobids_or_files(ua, rx) -> int:
    """0 error, 1 JobIds chosen (build a tree), 2 files chosen, 3 fileregex only."""
    date = None
    done = False
    files: list[str] = []
    dirs: list[str] = []
    use_select = False
    use_fileregex = False
    for i in range(1, ua.argc):
        k = ua.argk[i].lower()
        v = ua.argv[i]
        if k in ("jobid", "before", "file", "directory", "pool") and v is None:
            ua.error_msg(f"Missing value for keyword: {ua.argk[i]}\n")
            return 0
        if k == "jobid":
            ids = _parse_jobids(v)
            if ids is None:
                ua.error_msg("Invalid JobId in list.\n")
                return 0
            rx.jobids.extend(ids)
            done = True
        elif k == "current":
            date = _now_date()
        elif k == "before":
            if date is not None:
                return 0
            full = compensate_short_date(v)
            if full is None:
                ua.error_msg(f"Improper date format: {v}\n")
                return 0
            date = full
        elif k == "file":
            files.append(v)
        elif k == "directory":
            dirs.append(v)
        elif k == "select":
            use_select = True
        elif k == "pool":
            rx.pool = ua.director.get("Pool", v)
            if rx.pool is None:
                ua.error_msg(f'Error: Pool resource "{v}" does not exist.\n')
                return 0
        elif k == "all":
            rx.all = True
        elif k == "fileregex":
            use_fileregex = True

    if files or dirs or use_fileregex:
        date = date or _now_date()
        if not _get_client_name(ua, rx):
            return 0
        for f in files:
            _insert_file(ua, rx, f, date)
        for dname in dirs:
            _insert_dir(ua, rx, dname)
        if not files and not dirs:
            if not rx.jobids and not select_backups_before_date(ua, rx, date):
                return 0
            return 3
        return 2

    if use_select:
        if not select_backups_before_date(ua, rx, date or _now_date()):
            return 0
        done = True

    if not done:
        ua.send_msg("\nFirst you select one or more JobIds that contain files\n"
                    "to be restored. You will be presented several methods\n"
                    "of specifying the JobIds. Then you will be allowed to\n"
                    "select which files from those JobIds are to be restored.\n\n")
    cat = ua.director.catalog
    while not done:
        done = True
        idx = ua.select_item("To select the JobIds, you have the following choices:\n", MENU,
                             "Select item: ", "")
        if idx is None or idx == 12:
            return 0
        if idx == 0:
            if not ua.acl_access_ok(acl.COMMAND, "sqlquery"):
                ua.error_msg("SQL query not authorized.\n")
                return 0
            _list_query(ua, "SELECT JobId, Client.Name AS Client, StartTime, Level AS JobLevel, "
                            "JobFiles, JobBytes FROM Client, Job WHERE Client.ClientId = Job.ClientId "
                            "AND JobStatus IN ('T','W') AND Type = ? ORDER BY StartTime DESC LIMIT 20",
                        (rx.job_type,))
            done = False
        elif idx == 1:
            if not _get_client_name(ua, rx):
                return 0
            fname = ua.get_cmd("Enter Filename (no path):")
            if fname is None:
                return 0
            _list_query(ua, "SELECT Job.JobId AS JobId, Path.Path || File.Name AS Name, StartTime, "
                            "Type AS JobType, JobStatus, JobFiles, JobBytes FROM Client, Job, File, "
                            "Path WHERE Client.Name = ? AND Client.ClientId = Job.ClientId AND "
                            "Job.JobId = File.JobId AND File.FileIndex > 0 AND Path.PathId = "
                            "File.PathId AND File.Name = ? ORDER BY StartTime DESC LIMIT 20",
                        (rx.client_name, fname))
            done = False
        elif idx == 2:
            text = ua.get_cmd("Enter JobId(s), comma separated, to restore: ")
            if text is None:
                return 0
            ids = _parse_jobids(text)
            if ids is None:
                ua.error_msg("Invalid JobId in list.\n")
                return 0
            rx.jobids = ids
        elif idx == 3:
            if not ua.acl_access_ok(acl.COMMAND, "sqlquery"):
                ua.error_msg("SQL query not authorized.\n")
                return 0
            query = ua.get_cmd("Enter SQL list command: ")
            if query is None:
                return 0
            try:
                _list_query(ua, query, any_statement=True)
            except Exception as exc:
                ua.error_msg(f"Query failed: {exc}\n")
            done = False
        elif idx in (4, 5, 8, 9):
            if date is None:
                if idx in (5, 9):
                    date = _get_date(ua)
                    if date is None:
                        return 0
            if not select_backups_before_date(ua, rx, date or _now_date()):
                return 0
            if idx in (8, 9):
                done = False
        elif idx in (6, 7):
            if date is None:
                date = _get_date(ua) if idx == 7 else _now_date()
                if date is None:
                    return 0
            if not _get_client_name(ua, rx):
                return 0
            ua.send_msg("Enter file names with paths, or < to enter a filename\n"
                        "containing a list of file names with paths, and Terminate\n"
                        "them with a blank line.\n")
            while True:
                line = ua.get_cmd("Enter full filename: ")
                if line is None:
                    return 0
                if not line:
                    break
                _insert_file(ua, rx, line, date)
            return 2
        elif idx == 10:
            if rx.jobids:
                ua.send_msg("You have already selected the following JobIds: "
                            f"{','.join(map(str, rx.jobids))}\n")
            else:
                text = ua.get_cmd("Enter JobId(s), comma separated, to restore: ")
                ids = _parse_jobids(text) if text else None
                if ids:
                    rx.jobids = ids
            if not rx.jobids:
                return 0
            if not _get_client_name(ua, rx):
                return 0
            ua.send_msg("Enter full directory names or start the name\n"
                        "with a < to indicate it is a filename containing a list\n"
                        "of directories and Terminate them with a blank line.\n")
            while True:
                line = ua.get_cmd("Enter directory name: ")
                if line is None:
                    return 0
                if not line:
                    break
                if not line.startswith("<") and not line.endswith("/"):
                    line += "/"
                _insert_dir(ua, rx, line)
            return 2
        elif idx == 11:
            text = ua.get_cmd("Enter JobId to get the state to restore: ")
            if text is None or not text.strip().isdigit():
                return 0
            job = cat.get_job(job_id=int(text))
            if job is None:
                ua.error_msg(f"Unable to get Job record for JobId={text}: ERR=no such job\n")
                return 0
            start = str(job.get("StartTime") or "")
            ua.send_msg(f"Selecting jobs to build the Full state at {start}\n")
            # the state of the jobs of that job's kind (archive or backup), as Bareos
            job_type = jobcodes.JT_ARCHIVE if job.get("Type") == jobcodes.JT_ARCHIVE \
                else jobcodes.JT_BACKUP
            rx.jobids = _state_jobids(cat, int(job["ClientId"] or 0), int(job["FileSetId"] or 0),
                                      _after(start), job_type)
    return _check_jobids(ua, rx)


def _state_jobids(cat, client_id: int, fileset_id: int, before: str, job_type: str) -> list[int]:
    """The Full, Differential and Incrementals that make up the state before
    *before*, of backups or (``A``) of archives; oldest first."""
    if job_type == jobcodes.JT_BACKUP:
        return cat.accurate_jobids(client_id, fileset_id, jobcodes.L_INCREMENTAL, before=before)
    base = ("SELECT JobId, StartTime FROM Job WHERE Type = ? AND JobStatus IN ('T', 'W') "
            "AND ClientId = ? AND FileSetId = ? AND StartTime < ? ")
    args = [job_type, client_id, fileset_id, before]
    later = "AND (StartTime > ? OR (StartTime = ? AND JobId > ?)) "
    with cat.transaction() as tx:
        full = tx.query(base + "AND Level = 'F' ORDER BY StartTime DESC, JobId DESC LIMIT 1", args)
        if not full:
            return []
        ids = [int(full[0][0])]
        since = full[0][1]
        diff = tx.query(base + "AND Level = 'D' " + later + "ORDER BY StartTime DESC, JobId DESC "
                        "LIMIT 1", args + [since, since, ids[-1]])
        if diff:
            ids.append(int(diff[0][0]))
            since = diff[0][1]
        incs = tx.query(base + "AND Level = 'I' " + later + "ORDER BY StartTime, JobId",
                        args + [since, since, ids[-1]])
        ids.extend(int(r[0]) for r in incs)
    return ids


def _after(stamp: str) -> str:
    """One second after a catalog time (accurate selection includes the job)."""
    try:
        t = time.mktime(time.strptime(stamp[:19], "%Y-%m-%d %H:%M:%S")) + 1
    except ValueError:
        return _now_date()
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(t))


def _check_jobids(ua, rx) -> int:
    cat = ua.director.catalog
    kept: list[int] = []
    rx.total_files = 0
    last = None
    for jid in rx.jobids:
        if jid == last:
            continue
        last = jid
        job = cat.get_job(job_id=jid)
        if job is None:
            ua.error_msg(f"Unable to get Job record for JobId={jid}: ERR=JobId {jid} not found.\n")
            return 0
        if not ua.acl_access_ok(acl.JOB, job["Name"]):
            ua.error_msg(f'Access to JobId={jid} (Job "{job["Name"]}") not authorized. Not selected.\n')
            continue
        if jid not in kept:
            kept.append(jid)
        rx.total_files += int(job.get("JobFiles") or 0)
    rx.jobids = kept
    if not kept:
        ua.warning_msg("No Jobs selected.\n")
        return 0
    text = ",".join(map(str, kept))
    if len(kept) > 1:
        ua.info_msg(f"You have selected the following JobIds: {text}\n")
    else:
        ua.info_msg(f"You have selected the following JobId: {text}\n")
    return 1


def _get_date(ua) -> str | None:
    ua.send_msg("The restored files will the most current backup\n"
                "BEFORE the date you specify below.\n\n")
    while True:
        text = ua.get_cmd("Enter date as YYYY-MM-DD HH:MM:SS :")
        if text is None:
            return None
        full = compensate_short_date(text)
        if full is not None:
            return full
        ua.error_msg("Improper date format.\n")


def select_backups_before_date(ua, rx, date: str) -> bool:
    """The last Full before *date*, the last Differential after it and the
    Incrementals after those, for the chosen client and FileSet."""
    cat = ua.director.catalog
    cr = _select_client(ua)
    if cr is None:
        return False
    rx.client_name = cr["Name"]
    cid = int(cr["ClientId"])
    fs_name = ua.arg_value("fileset")
    fileset = None
    if fs_name is not None:
        _c, rows = cat.sql("SELECT FileSet FROM FileSet WHERE FileSet = ?", (fs_name,))
        if rows:
            fileset = fs_name
        else:
            ua.error_msg(f'Error getting FileSet "{fs_name}": ERR=FileSet record not found\n')
    if fileset is None:
        _c, rows = cat.sql("SELECT DISTINCT FileSet.FileSet FROM Job, FileSet WHERE "
                           "Job.FileSetId = FileSet.FileSetId AND Job.ClientId = ? "
                           "ORDER BY FileSet.FileSet", (cid,))
        names = [r[0] for r in rows if ua.acl_access_ok(acl.FILESET, r[0])]
        idx = ua.select_item("The defined FileSet resources are:\n", names,
                             "Select FileSet resource", "FileSet")
        if idx is None:
            ua.error_msg(f'No FileSet found for client "{cr["Name"]}".\n')
            return False
        fileset = names[idx]
    pool_cond, pool_args = "", []
    if rx.pool is not None:
        pr = cat.get_pool(name=rx.pool.name)
        if pr is not None:
            pool_cond, pool_args = " AND Media.PoolId = ?", [int(pr["PoolId"])]
        else:
            ua.warning_msg(f'Pool "{rx.pool.name}" not found, using any pool.\n')
    base = ("SELECT DISTINCT Job.JobId, Job.JobTDate, Job.StartTime FROM Job, JobMedia, Media, FileSet "
            "WHERE Job.ClientId = ? AND Job.StartTime < ? AND Job.JobStatus IN ('T','W') "
            "AND Job.Type = ? AND JobMedia.JobId = Job.JobId AND JobMedia.MediaId = Media.MediaId "
            "AND Media.Enabled = 1 AND Job.FileSetId = FileSet.FileSetId AND FileSet.FileSet = ?"
            + pool_cond)
    args = [cid, date, rx.job_type, fileset] + pool_args
    _c, full = cat.sql(base + " AND Job.Level = 'F' ORDER BY Job.JobTDate DESC, Job.JobId DESC LIMIT 1", args)
    if not full:
        ua.error_msg(f"No Full backup{'' if rx.job_type == jobcodes.JT_BACKUP else ' archive'} "
                     f"before {date} found.\n")
        # as Bareos: a full job of the other kind (backup / archive) gets a hint
        other = jobcodes.JT_ARCHIVE if rx.job_type == jobcodes.JT_BACKUP else jobcodes.JT_BACKUP
        _c, alt = cat.sql(base + " AND Job.Level = 'F' LIMIT 1", [cid, date, other, fileset] + pool_args)
        if alt:
            if other == jobcodes.JT_BACKUP:
                ua.send_msg("A suitable full backup was found. Try normal restore <...> instead.\n")
            else:
                ua.send_msg("A suitable full backup archive was found. "
                            "Try restore archive <...> instead.\n")
        return False
    ids = [int(full[0][0])]
    tdate = int(full[0][1] or 0)
    # later than the previous job: JobTDate has one-second resolution, so a job of the
    # same second counts as later when its JobId is higher
    later = " AND (Job.JobTDate > ? OR (Job.JobTDate = ? AND Job.JobId > ?))"
    _c, diff = cat.sql(base + " AND Job.Level = 'D'" + later +
                       " ORDER BY Job.JobTDate DESC, Job.JobId DESC LIMIT 1", args + [tdate, tdate, ids[-1]])
    if diff:
        ids.append(int(diff[0][0]))
        tdate = int(diff[0][1] or 0)
    _c, incs = cat.sql(base + " AND Job.Level = 'I'" + later +
                       " ORDER BY Job.StartTime, Job.JobId", args + [tdate, tdate, ids[-1]])
    ids += [int(r[0]) for r in incs]
    rx.jobids = ids
    marks = ", ".join(str(i) for i in ids)
    _list_query(ua, "SELECT DISTINCT Job.JobId, Job.Level, Job.JobFiles, Job.JobBytes, Job.StartTime, "
                    "Media.VolumeName FROM Job, JobMedia, Media WHERE Job.JobId IN (" + marks + ") "
                    "AND JobMedia.JobId = Job.JobId AND Media.Enabled = 1 AND JobMedia.MediaId = "
                    "Media.MediaId ORDER BY StartTime ASC")
    return True


def _insert_file(ua, rx, name: str, date: str) -> None:
    if name.startswith("<"):
        try:
            with open(name[1:], encoding="utf-8", errors="surrogateescape") as f:
                for line in f:
                    _insert_file(ua, rx, line.rstrip("\n"), date)
        except OSError as exc:
            ua.error_msg(f"Cannot open file {name[1:]}: ERR={exc.strerror}\n")
        return
    cat = ua.director.catalog
    if name.startswith("?"):
        table = name[1:].strip()
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", table):
            ua.error_msg(f"No table found: {table}\n")
            return
        try:
            _c, rows = cat.sql(f"SELECT JobId, FileIndex FROM {table} ORDER BY JobId, FileIndex")
        except Exception as exc:
            ua.error_msg(f"Query failed: SELECT JobId, FileIndex FROM {table}. ERR={exc}\n")
            rows = []
        if not rows:
            ua.error_msg(f"No table found: {table}\n")
        for jid, fi in rows:
            _add_findex(rx, int(jid), int(fi))
        return
    p = name.rfind("/")
    path, fname = (name[:p + 1], name[p + 1:]) if p >= 0 else (name, "")
    sql = ("SELECT Job.JobId, File.FileIndex FROM Job, File, Path, Client WHERE "
           "Job.JobId = File.JobId AND Job.StartTime <= ? AND Path.Path = ? AND File.Name = ? "
           "AND Client.Name = ? AND Job.ClientId = Client.ClientId AND Path.PathId = File.PathId ")
    args = [date, path, fname, rx.client_name]
    if rx.jobids:
        sql += f"AND Job.JobId IN ({', '.join(map(str, rx.jobids))}) "
    else:
        sql += "AND JobStatus IN ('T','W') AND Type = ? "
        args.append(rx.job_type)
    _c, rows = cat.sql(sql + "ORDER BY Job.StartTime DESC LIMIT 1", args)
    if not rows:
        ua.error_msg(f"No database record found for: {name}\n")
        return
    for jid, fi in rows:
        _add_findex(rx, int(jid), int(fi))


def _insert_dir(ua, rx, dname: str) -> None:
    if dname.startswith("<"):
        try:
            with open(dname[1:], encoding="utf-8", errors="surrogateescape") as f:
                for line in f:
                    _insert_dir(ua, rx, line.strip())
        except OSError as exc:
            ua.error_msg(f"Cannot open file {dname[1:]}: ERR={exc.strerror}\n")
        return
    if not rx.jobids:
        ua.error_msg("No JobId specified cannot continue.\n")
        return
    dname = dname.rstrip()
    cat = ua.director.catalog
    ids = ", ".join(map(str, rx.jobids))
    like = dname.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    _c, rows = cat.sql(
        "SELECT Job.JobId, File.FileIndex FROM Job JOIN File ON File.JobId = Job.JobId "
        "JOIN Path ON Path.PathId = File.PathId JOIN Client ON Client.ClientId = Job.ClientId "
        f"WHERE Job.JobId IN ({ids}) AND Client.Name = ? AND Path.Path LIKE ? ESCAPE '\\' "
        "AND File.FileIndex > 0 ORDER BY Job.JobId, File.FileIndex", (rx.client_name, like))
    if not rows:
        ua.error_msg(f"No database record found for: {dname}\n")
        return
    for jid, fi in rows:
        _add_findex(rx, int(jid), int(fi))


def _add_findex(rx, jid: int, fi: int) -> None:
    if fi == 0:
        return
    lst = rx.findex.setdefault(jid, [])
    if lst is not None:
        lst.append(fi)
    if jid not in rx.jobids:
        rx.jobids.append(jid)


# ---------------------------------------------------------------- the tree

def build_directory_tree(ua, rx) -> bool:
    cat = ua.director.catalog
    jobids = rx.jobids
    ua.info_msg(f"\nBuilding directory tree for JobId(s) {','.join(map(str, jobids))} ...  ")
    first = cat.get_job(job_id=jobids[0]) if jobids else None
    delta = int(first.get("JobFiles") or 0) // 50 if first else 0
    tree = build_tree(cat, jobids, rx.all)
    if delta > 0 and tree.file_count:
        ticks = tree.file_count // (delta + 1)
        if ticks:
            ua.send_msg("+" * ticks)
    if tree.file_count:
        _c, rows = cat.sql(f"SELECT SUM(PurgedFiles) FROM Job WHERE JobId IN "
                           f"({', '.join(map(str, jobids))})")
        if rows and rows[0][0] not in (None, "", "0") and int(rows[0][0]) > 0:
            tree.file_count = 0
    ok = True
    if tree.file_count == 0:
        ok = _ask_for_fileregex(ua, rx)
        if ok:
            for j in jobids:
                rx.findex[j] = None
        return ok
    if tree.all:
        ua.info_msg(f"\n{edit_uint64_with_commas(tree.file_count)} files inserted into the tree "
                    "and marked for extraction.\n")
    else:
        ua.info_msg(f"\n{edit_uint64_with_commas(tree.cnt)} files inserted into the tree.\n")
    if ua.find_arg("done") < 0:
        ok = select_files_from_tree(ua, tree, cat)
    if ok:
        sel, _n = tree.selection()
        for jid, fis in sel.items():
            rx.findex.setdefault(jid, [])
            if rx.findex[jid] is not None:
                rx.findex[jid].extend(fis)
    return ok


def _ask_for_fileregex(ua, rx) -> bool:
    if ua.find_arg("all") >= 0 or ua.arg_value("fileregex") is not None:
        return True
    ua.send_msg("\n\nFor one or more of the JobIds selected, no files were found,\n"
                "so file selection is not possible.\n"
                "Most likely your retention policy pruned the files.\n")
    answer = ua.get_yesno("\nDo you want to restore all the files? (yes|no): ")
    if answer is None:
        return False
    if answer:
        return True
    while True:
        text = ua.get_cmd("\nRegexp matching files to restore? (empty to abort): ")
        if not text:
            return False
        try:
            re.compile(text)
        except re.error as exc:
            ua.send_msg(f"Regex compile error: {exc}\n")
            continue
        rx.fileregex = text
        return True


def select_files_from_tree(ua, tree, cat) -> bool:
    """The interactive tree mode (`$ ` prompt) until done or quit."""
    ua.send_msg('\nYou are now entering file selection mode where you add (mark) and\n'
                'remove (unmark) files to be restored. No files are initially added, unless\n'
                'you used the "all" keyword on the command line.\n'
                'Enter "done" to leave this mode.\n\n')
    ua.signal(bnet.BNET_START_RTREE)
    tree.node = 0
    ua.send_msg(f"cwd is: {tree.getpath(0)}\n")
    shell = TreeShell(tree, cat, ua.send_msg, ua.warning_msg, ua.error_msg, api=ua.api)
    while True:
        line = ua.get_cmd("$ ", subprompt=True)
        if line is None:
            break
        if ua.api:
            ua.signal(bnet.BNET_CMD_BEGIN)
        result = shell.execute(line)
        if result is None:
            if ua.api:
                ua.signal(bnet.BNET_CMD_FAILED)
            continue
        if ua.api:
            ua.signal(bnet.BNET_CMD_OK)
        if not result:
            break
    ua.signal(bnet.BNET_END_RTREE)
    return not shell.quit and not ua.quit


# ---------------------------------------------------------------- the job

def _submit(ua, rx, job, bsr_path: str, bsr) -> bool:
    d = ua.director
    over = {"type": "Restore", "client": rx.restore_client, "bootstrap_text": bsr.text,
            "jobids": ",".join(map(str, rx.jobids)), "comment": rx.comment}
    if rx.store is not None:
        over["storage"] = rx.store.name
    if rx.regexwhere:
        over["regexwhere"] = rx.regexwhere
    elif rx.where is not None:
        over["where"] = rx.where
    if rx.replace:
        over["replace"] = rx.replace
    if rx.plugin_options:
        over["pluginoptions"] = rx.plugin_options
    jcr = d.jobs.new_jcr(job, **over)
    jcr.bootstrap_path = bsr_path
    jcr.backup_client = rx.client_name
    jcr.expected_files = bsr.count
    if not ua.api:
        ua.send_msg(f'Using Catalog "{ua.catalog}"\n')
    if ua.find_arg("yes") < 0 and not runmod.confirm(ua, jcr):
        return False
    if jcr.where and not ua.acl_access_ok(acl.WHERE, jcr.where):
        ua.error_msg('No authorization for "where" specification.\n')
        return False
    runmod.queue(ua, jcr)
    return True
