"""The `.bvfs_*` dot commands (the Bareos virtual file system bareos-webui
browses backups with): the PathHierarchy/PathVisibility cache, directory and
file listings of a set of JobIds, the versions of one file, and restore lists
(``b2<n>`` tables that `restore file=?b2<n>` reads)."""

from __future__ import annotations

import re

from bareos.lib.base64 import base64_to_int
from bareos.lib.lsfmt import gid_name, uid_name

from .. import acl

EMPTY_LSTAT = "A A A A A A A A A A A A A A"


# ---------------------------------------------------------------- helpers

def parent_dir(path: str) -> str:
    """Bareos bvfs_parent_dir: "/a/b/" -> "/a/", "/a/" -> "/", "/" -> ""."""
    if len(path) == 3 and path[0].isalpha() and path[1:] == ":/":
        return ""
    p = path[:-1] if path.endswith("/") else path
    if not p:
        return ""
    i = p.rfind("/")
    return p[:i + 1] if i >= 0 else ""


def basename_dir(path: str) -> str:
    """Bareos bvfs_basename_dir: "/a/b/" -> "b/", "/" -> "/"."""
    n = len(path) - 1
    if n >= 0 and path[n] == "/":
        n -= 1
    if n <= 0:
        return path
    i = path.rfind("/", 0, n + 1)
    return path[i + 1:] if i >= 0 else path


def _is_number_list(text: str | None) -> bool:
    return bool(text) and re.fullmatch(r"\d+(,\d+)*,?", text) is not None


def _db(ua) -> bool:
    return ua.open_db()


def _parse(ua):
    """(pathid, path, jobids, limit, offset) or None (Bareos BvfsParseArg)."""
    pathid, path, jobids, limit, offset = 0, None, None, 2000, 0
    for k, v in zip(ua.argk[1:], ua.argv[1:]):
        k = k.lower()
        if k == "pathid" and v and v.isdigit():
            pathid = int(v)
        elif k == "path":
            path = v if v is not None else ""
        elif k == "jobid" and _is_number_list(v):
            jobids = v
        elif k == "limit" and v and v.isdigit():
            limit = int(v)
        elif k == "offset" and v and v.isdigit():
            offset = int(v)
    if not ((pathid or path is not None) and jobids):
        return None
    if not ua.open_db():
        return None
    return pathid, path, jobids, limit, offset


def _validate_jobids(ua, jobids: str) -> list[int]:
    cat = ua.director.catalog
    out = []
    for part in jobids.split(","):
        if not part.isdigit():
            continue
        job = cat.get_job(job_id=int(part))
        if job is None or not ua.acl_access_ok(acl.JOB, job["Name"]):
            continue
        if job.get("ClientId"):
            client = cat.get_client(client_id=int(job["ClientId"]))
            if client is not None and not ua.acl_access_ok(acl.CLIENT, client["Name"]):
                continue
        out.append(int(part))
    return out


def _path_id(tx, path: str) -> int:
    row = tx.execute("SELECT PathId FROM Path WHERE Path = ?", (path,)).fetchone()
    return int(row[0]) if row else 0


def _stat(ua, lstat: str) -> int:
    vals = []
    for x in (lstat or EMPTY_LSTAT).split()[:14]:
        try:
            vals.append(base64_to_int(x))
        except ValueError:
            vals.append(0)
    vals += [0] * (14 - len(vals))
    dev, ino, mode, nlink, uid, gid, rdev, size, _bs, _bl, atime, mtime, ctime, link_fi = vals[:14]
    if ua.send.json:
        s = ua.send
        s.object_start("stat")
        for key, val in (("dev", dev), ("ino", ino), ("mode", mode), ("nlink", nlink),
                         ("uid", uid), ("gid", gid), ("user", uid_name(uid)),
                         ("group", gid_name(gid)), ("rdev", rdev), ("size", size),
                         ("atime", atime), ("mtime", mtime), ("ctime", ctime)):
            s.kv(key, val)
        s.object_end("stat")
    return link_fi


def _entry(ua, rtype: str, pathid, name: str, jobid, lstat, fileid, md5=None, volume=None,
           inchanger=None) -> None:
    """Bareos BvfsResultHandler: one directory, file or version."""
    s = ua.send
    if fileid is None or not str(fileid).isdigit():
        lstat, jobid, fileid = EMPTY_LSTAT, 0, 0
    s.object_start()
    s.kv("Type", rtype)
    s.kv("PathId", int(pathid), "%s\t")
    s.kv("FileId", int(fileid), "%s\t")
    s.kv("JobId", int(jobid or 0), "%s\t")
    s.kv("lstat", lstat, "%s\t")
    if rtype == "D":
        s.kv("Name", basename_dir(name), "%s\n")
        s.kv("Fullpath", name)
        link = _stat(ua, lstat)
        s.kv("LinkFileIndex", link)
    elif rtype == "V":
        s.kv("MD5", md5, "%s\t")
        s.kv("VolumeName", volume, "%s\t")
        s.kv("VolumeInChanger", int(inchanger or 0), "%s\n")
        _stat(ua, lstat)
    else:
        s.kv("Name", name, "%s\n")
        link = _stat(ua, lstat)
        s.kv("LinkFileIndex", link)
    s.object_end()


# ---------------------------------------------------------------- the cache

def update_cache(catalog, jobid: int) -> bool:
    """Fill PathHierarchy and PathVisibility for one job (Bareos
    UpdatePathHierarchyCache)."""
    with catalog.transaction() as tx:
        row = tx.execute("SELECT HasCache FROM Job WHERE JobId = ?", (jobid,)).fetchone()
        if row is None:
            return False
        if int(row[0] or 0) == 1:
            return True
        paths = tx.execute("SELECT DISTINCT Path.PathId, Path.Path FROM File JOIN Path ON "
                           "Path.PathId = File.PathId WHERE File.JobId = ?", (jobid,)).fetchall()
        visible: set[int] = set()
        known_parent: dict[int, int] = {}
        for pid, path in paths:
            pid = int(pid)
            while pid not in visible:
                visible.add(pid)
                if path == "":
                    break
                if pid in known_parent:
                    ppid = known_parent[pid]
                    prow = tx.execute("SELECT Path FROM Path WHERE PathId = ?", (ppid,)).fetchone()
                    pid, path = ppid, prow[0] if prow else ""
                    continue
                have = tx.execute("SELECT PPathId FROM PathHierarchy WHERE PathId = ?",
                                  (pid,)).fetchone()
                ppath = parent_dir(path)
                if have is not None:
                    ppid = int(have[0])
                else:
                    tx.execute("INSERT INTO Path (Path) VALUES (?) ON CONFLICT (Path) DO NOTHING",
                               (ppath,))
                    ppid = _path_id(tx, ppath)
                    tx.execute("INSERT INTO PathHierarchy (PathId, PPathId) VALUES (?, ?)",
                               (pid, ppid))
                known_parent[pid] = ppid
                pid, path = ppid, ppath
        existing = {int(r[0]) for r in tx.execute(
            "SELECT PathId FROM PathVisibility WHERE JobId = ?", (jobid,)).fetchall()}
        tx.executemany("INSERT INTO PathVisibility (PathId, JobId) VALUES (?, ?)",
                       [(p, jobid) for p in sorted(visible - existing)])
        tx.execute("UPDATE Job SET HasCache = 1 WHERE JobId = ?", (jobid,))
    return True


def update_all(catalog) -> None:
    _c, rows = catalog.sql("SELECT JobId FROM Job WHERE HasCache = 0 AND Type IN ('B', 'A', 'a') "
                           "AND JobStatus IN ('T', 'W', 'f', 'A') ORDER BY JobId")
    for (jid,) in rows:
        update_cache(catalog, int(jid))


# ---------------------------------------------------------------- commands

def update(ua) -> bool:
    if not ua.open_db():
        return True
    v = ua.arg_value("jobid")
    cat = ua.director.catalog
    if v is not None and _is_number_list(v):
        for part in v.split(","):
            if part and not update_cache(cat, int(part)):
                ua.error_msg(f"ERROR: BVFS reported a problem for {v}\n")
                break
    else:
        update_all(cat)
    return True


def clear_cache(ua) -> bool:
    if not ua.open_db():
        return True
    if ua.find_arg("yes") < 0:
        ua.error_msg("Can't find 'yes' argument\n")
        return True
    with ua.director.catalog.transaction() as tx:
        tx.execute("UPDATE Job SET HasCache = 0")
        tx.execute("DELETE FROM PathHierarchy")
        tx.execute("DELETE FROM PathVisibility")
    ua.info_msg("OK\n")
    return True


def get_jobids(ua) -> bool:
    if not ua.open_db():
        return True
    cat = ua.director.catalog
    ujob = ua.arg_value("ujobid")
    jid = ua.arg_value("jobid")
    if ujob is not None:
        job = cat.get_job(job=ujob)
        what = ujob
    elif jid is not None:
        job = cat.get_job(job_id=int(jid)) if jid.isdigit() else None
        what = jid
    else:
        ua.error_msg("Can't find ujobid or jobid argument\n")
        return False
    if job is None:
        ua.error_msg(f"Unable to get Job record for JobId={what}: ERR=Job not found\n")
        return False
    ids: list[int] = []
    if job.get("Level") == "B":
        ids = [int(job["JobId"])]
    else:
        if ua.find_arg("all") > 0:
            _c, rows = cat.sql("SELECT MAX(FileSet.FileSetId) FROM FileSet JOIN Job ON "
                               "Job.FileSetId = FileSet.FileSetId WHERE Job.ClientId = ? "
                               "GROUP BY FileSet", (int(job["ClientId"] or 0),))
            fsids = [int(r[0]) for r in rows]
        else:
            fsids = [int(job["FileSetId"] or 0)]
        before = _after(str(job.get("StartTime") or ""))
        for fsid in fsids:
            fs = cat.get_fileset(fsid)
            if fs is None or not ua.acl_access_ok(acl.FILESET, fs["FileSet"]):
                continue
            ids += [i for i in cat.accurate_jobids(int(job["ClientId"] or 0), fsid, "I",
                                                   before=before) if i not in ids]
    allowed = _validate_jobids(ua, ",".join(map(str, ids)))
    if ua.send.json:
        ua.send.array_start("jobids")
        for i in allowed:
            ua.send.object_start()
            ua.send.kv("id", str(i), "%s\n")
            ua.send.object_end()
        ua.send.array_end("jobids")
    else:
        ua.send_msg(",".join(map(str, allowed)) + "\n")
    return True


def _after(stamp: str) -> str | None:
    import time

    try:
        t = time.mktime(time.strptime(stamp[:19], "%Y-%m-%d %H:%M:%S")) + 1
    except ValueError:
        return None
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(t))


def lsdirs(ua) -> bool:
    args = _parse(ua)
    if args is None:
        ua.error_msg("Can't find jobid, pathid or path argument\n")
        return True
    pathid, path, jobids, limit, offset = args
    allowed = _validate_jobids(ua, jobids)
    if not allowed:
        ua.error_msg("Unauthorized command from this console.\n")
        return False
    cat = ua.director.catalog
    ids = ", ".join(map(str, allowed))
    pattern = ua.arg_value("pattern")
    with cat._read() as tx:
        pwd = pathid or _path_id(tx, path or "")
        if not pwd:
            return False
        special = [(pwd, ".")]
        parent = tx.execute("SELECT PPathId FROM PathHierarchy WHERE PathId = ?", (pwd,)).fetchone()
        if parent is not None:
            special.append((int(parent[0]), ".."))
        subs = tx.execute(
            "SELECT DISTINCT PathHierarchy.PathId, Path.Path FROM PathHierarchy JOIN Path ON "
            "Path.PathId = PathHierarchy.PathId JOIN PathVisibility ON PathVisibility.PathId = "
            f"PathHierarchy.PathId WHERE PathHierarchy.PPathId = ? AND PathVisibility.JobId IN ({ids})",
            (pwd,)).fetchall()
        entries = special + [(int(p), n) for p, n in subs
                             if not pattern or re.search(pattern, n)]
        rows = []
        for pid, name in entries:
            found = tx.execute(f"SELECT JobId, LStat, FileId FROM File WHERE PathId = ? AND Name = '' "
                               f"AND JobId IN ({ids}) ORDER BY JobId DESC", (pid,)).fetchall()
            jid, lstat, fid = found[0] if found else (None, None, None)
            rows.append((name, pid, jid, lstat, fid))
    rows.sort(key=lambda r: r[0])
    ua.send.array_start("directories")
    for name, pid, jid, lstat, fid in rows[offset:offset + limit]:
        _entry(ua, "D", pid, name, jid, lstat, None if fid is None else str(fid))
    ua.send.array_end("directories")
    return True


def lsfiles(ua) -> bool:
    args = _parse(ua)
    if args is None:
        ua.error_msg("Can't find jobid, pathid or path argument\n")
        return False
    pathid, path, jobids, limit, offset = args
    allowed = _validate_jobids(ua, jobids)
    if not allowed:
        ua.error_msg("Unauthorized command from this console.\n")
        return False
    cat = ua.director.catalog
    ids = ", ".join(map(str, allowed))
    pattern = ua.arg_value("pattern")
    with cat._read() as tx:
        pwd = pathid or _path_id(tx, path or "")
        rows = tx.execute(
            "SELECT PathId, Name, JobId, LStat, FileId FROM (SELECT File.PathId, File.Name, "
            "File.JobId, File.LStat, File.FileId, File.FileIndex, ROW_NUMBER() OVER (PARTITION BY "
            "File.Name ORDER BY Job.JobTDate DESC, File.JobId DESC) AS rn FROM File JOIN Job ON "
            f"Job.JobId = File.JobId WHERE File.JobId IN ({ids}) AND File.PathId = ? AND "
            "File.Name <> '') AS T WHERE rn = 1 AND FileIndex > 0 ORDER BY Name",
            (pwd,)).fetchall()
    if pattern:
        rows = [r for r in rows if re.search(pattern, r[1])]
    ua.send.array_start("files")
    for pid, name, jid, lstat, fid in rows[offset:offset + limit]:
        _entry(ua, "F", pid, name, jid, lstat, str(fid))
    ua.send.array_end("files")
    return True


def versions(ua) -> bool:
    args = _parse(ua)
    if args is None:
        ua.error_msg("Can't find jobid, pathid or path argument\n")
        return False
    pathid, path, _jobids, limit, offset = args
    client = fname = None
    copies = False
    for k, v in zip(ua.argk[1:], ua.argv[1:]):
        k = k.lower()
        if k in ("name", "fname", "filename"):
            fname = v
        elif k == "client":
            client = v
        elif k == "copies":
            copies = True
    if not client or fname is None:
        ua.error_msg("Can't find client or fname argument\n")
        return False
    if not ua.acl_access_ok(acl.CLIENT, client):
        ua.error_msg("Unauthorized command from this console.\n")
        return False
    types = "('C', 'B', 'A', 'a')" if copies else "('B', 'A', 'a')"
    cat = ua.director.catalog
    with cat._read() as tx:
        pwd = pathid or _path_id(tx, path or "")
        rows = tx.execute(
            "SELECT File.PathId, File.FileId, File.JobId, File.LStat, File.Md5, Media.VolumeName, "
            "Media.InChanger FROM File JOIN Job ON Job.JobId = File.JobId JOIN Client ON "
            "Client.ClientId = Job.ClientId JOIN JobMedia ON JobMedia.JobId = Job.JobId JOIN Media "
            "ON Media.MediaId = JobMedia.MediaId WHERE File.Name = ? AND File.PathId = ? AND "
            f"Client.Name = ? AND Job.Type IN {types} AND File.FileIndex >= JobMedia.FirstIndex "
            "AND File.FileIndex <= JobMedia.LastIndex ORDER BY Job.JobTDate DESC, File.FileId "
            f"LIMIT {int(limit)} OFFSET {int(offset)}", (fname, pwd, client)).fetchall()
    ua.send.array_start("versions")
    seen = set()
    for pid, fid, jid, lstat, md5, vol, inch in rows:
        if fid in seen:
            continue
        seen.add(fid)
        _entry(ua, "V", pid, fname, jid, lstat, str(fid), md5, vol, inch)
    ua.send.array_end("versions")
    return True


_TABLE_RX = re.compile(r"b2\d+")


def restore(ua) -> bool:
    args = _parse(ua)
    if args is None:
        ua.error_msg("Can't find jobid, pathid or path argument\n")
        return False
    _pathid, table, jobids, _limit, _offset = args
    allowed = _validate_jobids(ua, jobids)
    if not allowed:
        ua.error_msg("Unauthorized command from this console.\n")
        return False
    fileid = ua.arg_value("fileid") or ""
    dirid = ua.arg_value("dirid") or ""
    hardlink = ua.arg_value("hardlink") or ""
    if compute_restore_list(ua.director.catalog, allowed, fileid, dirid, hardlink, table or ""):
        ua.send_msg("OK\n")
    else:
        ua.error_msg("Can't create restore list\n")
    return True


def compute_restore_list(catalog, jobids: list[int], fileid: str, dirid: str, hardlink: str,
                         table: str) -> bool:
    """Create table *table* (``b2<n>``) with JobId, FileIndex, FileId of the
    newest version of every selected file."""
    if (fileid and not _is_number_list(fileid)) or (dirid and not _is_number_list(dirid)) or \
            (hardlink and not _is_number_list(hardlink)) or not (fileid or dirid or hardlink):
        return False
    if not _TABLE_RX.fullmatch(table):
        return False
    ids = ", ".join(map(str, jobids))
    selects: list[tuple[str, tuple]] = []
    if fileid:
        selects.append(("SELECT Job.JobId, Job.JobTDate, File.FileIndex, File.Name, File.PathId, "
                        "File.FileId FROM File JOIN Job ON Job.JobId = File.JobId WHERE File.FileId "
                        f"IN ({fileid.rstrip(',')})", ()))
    with catalog.transaction() as tx:
        for d in filter(None, dirid.split(",")):
            row = tx.execute("SELECT Path FROM Path WHERE PathId = ?", (int(d),)).fetchone()
            if row is None or row[0] == "":
                break
            like = re.sub(r"([%_\\])", r"\\\1", row[0]) + "%"
            selects.append(("SELECT Job.JobId, Job.JobTDate, File.FileIndex, File.Name, "
                            "File.PathId, File.FileId FROM Path JOIN File ON File.PathId = "
                            "Path.PathId JOIN Job ON Job.JobId = File.JobId WHERE Path.Path LIKE ? "
                            f"ESCAPE '\\' AND File.JobId IN ({ids})", (like,)))
        nums = [int(x) for x in hardlink.split(",") if x]
        if len(nums) % 2:
            return False
        pairs: dict[int, list[int]] = {}
        for j, fi in zip(nums[::2], nums[1::2]):
            pairs.setdefault(j, []).append(fi)
        for j, fis in pairs.items():
            selects.append(("SELECT Job.JobId, Job.JobTDate, File.FileIndex, File.Name, "
                            "File.PathId, File.FileId FROM File JOIN Job ON Job.JobId = File.JobId "
                            f"WHERE File.JobId = {j} AND File.FileIndex IN "
                            f"({', '.join(map(str, fis))})", ()))
        sql = " UNION ".join(s for s, _p in selects)
        params = tuple(p for _s, ps in selects for p in ps)
        tx.execute(f"DROP TABLE IF EXISTS {table}")
        tx.execute(
            f"CREATE TABLE {table} AS SELECT JobId, FileIndex, FileId FROM (SELECT JobId, "
            "FileIndex, FileId, ROW_NUMBER() OVER (PARTITION BY PathId, Name ORDER BY JobTDate "
            f"DESC, JobId DESC) AS rn FROM ({sql}) AS S) AS T WHERE rn = 1 AND FileIndex > 0",
            params)
    return True


def cleanup(ua) -> bool:
    table = ua.arg_value("path")
    if table is None:
        ua.error_msg("Can't find path argument\n")
        return False
    if not ua.open_db():
        return False
    if _TABLE_RX.fullmatch(table):
        with ua.director.catalog.transaction() as tx:
            tx.execute(f"DROP TABLE IF EXISTS {table}")
    return True
