"""Verify jobs on the Director (Bareos's dird/verify.cc semantics).

Levels:

* ``InitCatalog``: the File Daemon walks the FileSet and sends every file's
  attributes (and digest); they are stored in the catalog under this job.
* ``Catalog``: the FD walks again; the answers are compared with the files of
  the last InitCatalog job of this Job (or of ``jobid=``).
* ``DiskToCatalog``: as Catalog, compared with the last backup of the
  ``Job To Verify`` (or of the Client).
* ``VolumeToCatalog``: the Storage Daemon reads the volumes of that backup,
  the FD turns the records into attributes/digests, the Director compares.

Compared fields come from the FileSet's ``Verify =`` letters (the FD sends
them with each file): i inode, p mode, n links, u uid, g gid, s size,
a atime, m mtime, c ctime, d size decrease, 5/1 the digest.

The protocol pieces (parsing the FD's lines, comparing a file with its
catalog row) are pure functions; :func:`run_verify` does the I/O.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from bareos.lib import bnet, jmsg, jobcodes
from bareos.lib import version as v
from bareos.lib.bnet import BnetError
from bareos.lib.digest import digest_name, is_digest_stream
from bareos.lib.edit import edit_uint64_with_commas
from bareos.lib.stat import decode_stat
from bareos.lib.streams import STREAM_RESTORE_OBJECT, STREAM_UNIX_ATTRIBUTES, STREAM_UNIX_ATTRIBUTES_EX

from . import bootstrap as bsrmod
from . import runscript
from .catreq import storable_name
from .client import ClientSession, storage_uses_tls
from .jcr import FINAL_BAD, Jcr, JobCanceled, JobFailed

log = logging.getLogger("bareos.dird.verify")

__all__ = ["VERIFY_LEVELS", "FdLine", "parse_fd_line", "compare_stat", "CatalogCompare",
           "run_verify", "verify_report", "verify_status", "verify_term_text"]

#: level code -> the word of the FD's ``verify level=`` command
VERIFY_LEVELS = {
    jobcodes.L_VERIFY_INIT: "init",
    jobcodes.L_VERIFY_CATALOG: "catalog",
    jobcodes.L_VERIFY_VOLUME_TO_CATALOG: "volume",
    jobcodes.L_VERIFY_DISK_TO_CATALOG: "disk_to_catalog",
    jobcodes.L_VERIFY_DATA: "data",
}

_ATTR_STREAMS = (STREAM_UNIX_ATTRIBUTES, STREAM_UNIX_ATTRIBUTES_EX)


# -- the FD's lines --------------------------------------------------------------

@dataclass
class FdLine:
    """One ``<FileIndex> <Stream> <Opts|Digest> <rest>`` line of the FD."""

    file_index: int
    stream: int
    opts: str              # the Verify letters (attributes) or the digest (digest lines)
    fname: str = ""
    lstat: str = ""
    link: str = ""


def parse_fd_line(msg: bytes) -> FdLine | None:
    """Parse an attribute or digest line of a verify; None if malformed."""
    parts = msg.split(b" ", 3)
    if len(parts) < 3:
        return None
    try:
        fi, stream = int(parts[0]), int(parts[1])
    except ValueError:
        return None
    opts = parts[2].split(b"\0", 1)[0].decode("ascii", "replace")
    line = FdLine(fi, stream, opts)
    if stream in _ATTR_STREAMS or stream == STREAM_RESTORE_OBJECT:
        rest = parts[3] if len(parts) > 3 else b""
        fields = rest.split(b"\0")
        line.fname = fields[0].decode("utf-8", "surrogateescape")
        line.lstat = fields[1].decode("ascii", "replace") if len(fields) > 1 else ""
        line.link = fields[2].decode("utf-8", "surrogateescape") if len(fields) > 2 else ""
    return line


def compare_stat(opts: str, cat_lstat: str, file_lstat: str) -> tuple[list[str], bool]:
    """The difference lines for the Verify letters *opts* (Bareos's wording)
    and whether the digest is to be compared ('5' or '1')."""
    statc = decode_stat(cat_lstat)
    statf = decode_stat(file_lstat)
    out: list[str] = []
    digest = False
    for ch in opts:
        if ch == "i" and statc.st_ino != statf.st_ino:
            out.append(f"      st_ino   differ. Cat: {statc.st_ino} File: {statf.st_ino}\n")
        elif ch == "p" and statc.st_mode != statf.st_mode:
            out.append(f"      st_mode  differ. Cat: {statc.st_mode & 0xFFFFFFFF:x} "
                       f"File: {statf.st_mode & 0xFFFFFFFF:x}\n")
        elif ch == "n" and statc.st_nlink != statf.st_nlink:
            out.append(f"      st_nlink differ. Cat: {statc.st_nlink} File: {statf.st_nlink}\n")
        elif ch == "u" and statc.st_uid != statf.st_uid:
            out.append(f"      st_uid   differ. Cat: {statc.st_uid} File: {statf.st_uid}\n")
        elif ch == "g" and statc.st_gid != statf.st_gid:
            out.append(f"      st_gid   differ. Cat: {statc.st_gid} File: {statf.st_gid}\n")
        elif ch == "s" and statc.st_size != statf.st_size:
            out.append(f"      st_size  differ. Cat: {statc.st_size} File: {statf.st_size}\n")
        elif ch == "a" and statc.st_atime != statf.st_atime:
            out.append("      st_atime differs\n")
        elif ch == "m" and statc.st_mtime != statf.st_mtime:
            out.append("      st_mtime differs\n")
        elif ch == "c" and statc.st_ctime != statf.st_ctime:
            out.append("      st_ctime differs\n")
        elif ch == "d" and statc.st_size > statf.st_size:
            out.append(f"      st_size  decrease. Cat: {statc.st_size} File: {statf.st_size}\n")
        elif ch in "51":
            digest = True
    return out, digest


class CatalogCompare:
    """Compares the FD's lines with the catalog rows of one job.

    *rows* are File rows (dicts with Path, Name, LStat, Md5, FileIndex);
    *say(mtype, text)* receives the job messages.  ``differences`` is set
    when anything differs.
    """

    def __init__(self, rows, say, volume: bool = False) -> None:
        self.say = say
        self.volume = volume
        self.rows: dict[str, dict] = {}
        self.order: list[str] = []
        for r in rows:
            key = (r.get("Path") or "") + (r.get("Name") or "")
            if key not in self.rows:
                self.rows[key] = r
                self.order.append(key)
        self.seen: set[str] = set()
        self.differences = False
        self.files = 0
        self._fname = ""
        self._printed = False
        self._row: dict | None = None
        self._digest = False
        self._fi = 0

    def _prt_fname(self) -> None:
        if not self._printed:
            self.say(jmsg.M_INFO, f"File: {self._fname}\n")
            self._printed = True

    def line(self, ln: FdLine) -> str | None:
        """Handle one line; a fatal error text or None."""
        if ln.stream in _ATTR_STREAMS:
            self.files += 1
            self._fi = ln.file_index
            self._fname = ln.fname
            self._printed = False
            self._digest = False
            self._row = None
            key = storable_name(ln.fname)
            row = self.rows.get(key)
            if row is None:
                self.say(jmsg.M_INFO, f"New file: {ln.fname}\n")
                self.differences = True
                return None
            self.seen.add(key)
            self._row = row
            diffs, self._digest = compare_stat(ln.opts, row.get("LStat") or "", ln.lstat)
            for d in diffs:
                self._prt_fname()
                self.say(jmsg.M_INFO, d)
                self.differences = True
            return None
        if ln.stream == STREAM_RESTORE_OBJECT:
            return None
        if is_digest_stream(ln.stream):
            if ln.file_index != self._fi:
                return f"MD5/SHA1 index {ln.file_index} not same as attributes {self._fi}\n"
            if self._digest and self._row is not None:
                cat = self._row.get("Md5") or ""
                if ln.opts != cat:
                    self._prt_fname()
                    self.say(jmsg.M_INFO, f"      {digest_name(ln.stream)} differs. "
                                          f"File={ln.opts} Cat={cat}\n")
                    self.differences = True
                self._digest = False
        return None

    def missing(self) -> list[str]:
        """Report the catalog's files that were not seen; their names."""
        names = [k for k in self.order if k not in self.seen
                 and int(self.rows[k].get("FileIndex") or 0) > 0]
        if names:
            where = "the Volume(s)" if self.volume else "disk"
            self.say(jmsg.M_WARNING, f"The following files are in the Catalog but not on {where}:\n")
            for n in names:
                self.say(jmsg.M_INFO, f"      {n}\n")
            self.differences = True
        return names


# -- the job ---------------------------------------------------------------------

def _verify_job_res(jcr: Jcr):
    d = jcr.director
    name = getattr(jcr, "verify_job_name", None)
    if name:
        res = d.get("Job", name)
        if res is None:
            raise JobFailed(f'Verify Job "{name}" not found.')
        return res
    ref = jcr.job_res.get("Job To Verify")
    if ref is None:
        return None
    return ref if hasattr(ref, "name") else d.get("Job", str(ref))


def _find_previous(jcr: Jcr, verify_job) -> dict:
    cat = jcr.director.catalog
    level = jcr.level
    if jcr.mac_jobid:
        jobid = int(jcr.mac_jobid)
    else:
        if level == jobcodes.L_VERIFY_CATALOG:
            _cols, rows = cat.sql(
                "SELECT JobId FROM Job WHERE Type = 'V' AND Level = ? AND JobStatus IN ('T', 'W') "
                "AND Name = ? AND ClientId = ? ORDER BY StartTime DESC LIMIT 1",
                (jobcodes.L_VERIFY_INIT, jcr.job_name, jcr.client_id))
            found = rows[0][0] if rows else None
        elif verify_job is not None:
            found = cat.find_last_jobid(name=verify_job.name)
        else:
            found = cat.find_last_jobid(client_id=jcr.client_id)
        if found is None:
            if level == jobcodes.L_VERIFY_CATALOG:
                raise JobFailed("Unable to find JobId of previous InitCatalog Job.\n"
                                "Please run a Verify with Level=InitCatalog before\n"
                                "running the current Job.")
            raise JobFailed("Unable to find JobId of previous Job for this client.")
        jobid = int(found)
    prev = cat.get_job(job_id=jobid)
    if prev is None:
        raise JobFailed(f"Could not get job record for previous Job. ERR=JobId {jobid} not found")
    if prev.get("JobStatus") not in (jobcodes.JS_TERMINATED, jobcodes.JS_WARNINGS):
        raise JobFailed(f"Last Job {jobid} did not Terminate normally. JobStatus={prev.get('JobStatus')}")
    jcr.info(f"Verifying against JobId={jobid} Job={prev.get('Job')}\n")
    return prev


def run_verify(engine, jcr: Jcr) -> None:
    """Run a Verify job (called from the job thread); sets ``jcr.status``."""
    d = engine.director
    cat = d.catalog
    level = jcr.level
    if level not in VERIFY_LEVELS or level == jobcodes.L_VERIFY_DATA:
        raise JobFailed(f"Unimplemented Verify level {ord(level[:1] or ' ')}({level})")
    if jcr.client is None or jcr.fileset is None:
        raise JobFailed("Verify job needs a Client and a FileSet")
    jcr.report_hook = verify_report
    verify_job = _verify_job_res(jcr)
    jcr.verify_job_res = verify_job
    jcr.expected_files = 0
    engine._catalog_ids(jcr)
    prev = None
    if level != jobcodes.L_VERIFY_INIT:
        prev = _find_previous(jcr, verify_job)
    jcr.verify_prev = prev
    bsr = None
    if level == jobcodes.L_VERIFY_VOLUME_TO_CATALOG:
        bsr = bsrmod.restore_bootstrap(cat, d, [int(prev["JobId"])], {int(prev["JobId"]): None})
        jcr.expected_files = bsr.count
        if verify_job is not None and verify_job.get("FileSet"):
            fs = verify_job.get("FileSet")
            jcr.fileset = fs if hasattr(fs, "name") else d.get("FileSet", str(fs))
            engine._catalog_ids(jcr)
    cat.start_job(jcr.jobid, jcr.start_time, ClientId=jcr.client_id, FileSetId=jcr.fileset_id,
                  Level=level)
    if bsr is not None and bsr.count == 0:      # no files: nothing to read
        jcr.fd_status = jcr.sd_status = jobcodes.JS_TERMINATED
        jcr.status = jobcodes.JS_TERMINATED
        return
    jcr.info(f"Start Verify JobId={jcr.jobid} Level={jcr.level_name} Job={jcr.job}\n")
    if bsr is not None:
        _run_volume(engine, jcr, bsr, prev)
    else:
        _run_disk(engine, jcr, prev)


def _send_verify(fd: ClientSession, jcr: Jcr) -> None:
    fd.send_fileset()
    fd.send_client_scripts(*runscript.client_script_lines(jcr))
    word = VERIFY_LEVELS[jcr.level]
    fd._expect(f"verify level={word}\n", "2000 OK verify", "Client refused the verify")


def _run_disk(engine, jcr: Jcr, prev: dict | None) -> None:
    d = engine.director
    jcr.sd_status = jobcodes.JS_TERMINATED          # no Storage daemon in these levels
    if not jcr.sd_auth:
        jcr.sd_auth = "dummy"
    fd = ClientSession(jcr, jcr.client)
    try:
        jcr.check_canceled()
        fd.connect()
        fd.send_job_info(False)
        d.catalog.update_client(jcr.client_id, Uname=jcr.fd_uname)
        _send_verify(fd, jcr)
        if jcr.level == jobcodes.L_VERIFY_INIT:
            differences = _put_in_catalog(fd, jcr)
        else:
            differences = _compare(fd, jcr, prev, volume=False)
        fd.wait_end()
    finally:
        fd.close()
    jcr.status = verify_status(jcr, differences)


def _run_volume(engine, jcr: Jcr, bsr, prev: dict) -> None:
    from .jobs import connect_for_reading
    from .storage import StorageSession

    d = engine.director
    parts = bsrmod.split_by_storage(bsr.text)
    if len(parts) != 1:
        raise JobFailed("VolumeToCatalog of a job on more than one Storage is not supported")
    storage_name, bsr_text = parts[0]
    store = (d.get("Storage", storage_name) if storage_name else None) or jcr.storage
    if store is None:
        raise JobFailed(f'Storage "{storage_name}" of the bootstrap is not defined')
    jcr.storage = store
    sd = StorageSession(jcr, store, d.catalog)
    fd = ClientSession(jcr, jcr.client)
    differences = False
    try:
        jcr.check_canceled()
        sd.connect()
        sd.start_job(None, write=False)
        sd.reserve(write=False)
        jcr.check_canceled()
        fd.connect()
        fd.send_job_info(storage_uses_tls(store))
        d.catalog.update_client(jcr.client_id, Uname=jcr.fd_uname)
        sd.send_bootstrap(bsr_text)
        connect_for_reading(jcr, fd, sd, store)
        _send_verify(fd, jcr)
        differences = _compare(fd, jcr, prev, volume=True)
        fd.wait_end()
        if jcr.fd_status != jobcodes.JS_TERMINATED and not sd.ended.is_set():
            sd.cancel()
        sd.wait_end()
    except JobCanceled:
        sd.cancel()
        raise
    finally:
        fd.close()
        sd.close()
        sd.wait_end(5)
    if jcr.expected_files != jcr.job_files:
        jcr.status = jobcodes.JS_ERROR_TERMINATED
        return
    jcr.status = verify_status(jcr, differences)


def _fd_lines(fd: ClientSession, jcr: Jcr):
    """The FD's data lines until its EOD (job messages are delivered)."""
    bs = fd.bs
    while True:
        try:
            msg = bs.recv(timeout=None)
        except (BnetError, OSError, TimeoutError) as exc:
            if not jcr.cancel_event.is_set():
                jcr.msg(jmsg.M_FATAL, f"dir<filed: bad attributes from filed: {exc}\n")
            return
        if isinstance(msg, int):
            if msg == bnet.BNET_BTIME:
                bs.send(f"btime {int(time.time() * 1_000_000)}\n")
                continue
            if msg in (bnet.BNET_HEARTBEAT, bnet.BNET_HB_RESPONSE):
                continue
            return
        if msg.startswith(b"Jmsg "):
            fd._jmsg(msg.decode("utf-8", "replace"))
            continue
        if jcr.cancel_event.is_set():
            continue
        yield msg


def _bad_line(jcr: Jcr, msg: bytes) -> None:
    head = msg.split(b"\0", 1)[0]
    n = min(len(head.split(b" ", 3)), 3)
    text = head.decode("utf-8", "replace")
    jcr.fatal(f"dird<filed: bad attributes, expected 3 fields got {n}\n mslen={len(msg)} msg={text}\n")


def _put_in_catalog(fd: ClientSession, jcr: Jcr) -> bool:
    """InitCatalog: store every file the FD sends under this job."""
    cat = jcr.director.catalog
    pending: list | None = None    # [fname, lstat, digest, file_index]
    files = 0
    with cat.attribute_batch(jcr.jobid) as batch:
        for msg in _fd_lines(fd, jcr):
            ln = parse_fd_line(msg)
            if ln is None:
                _bad_line(jcr, msg)
                continue
            if ln.stream in _ATTR_STREAMS:
                if pending is not None:
                    batch.add(*pending[:3], file_index=pending[3])
                pending = [storable_name(ln.fname), ln.lstat, "0", ln.file_index]
                files += 1
            elif is_digest_stream(ln.stream):
                if pending is None or pending[3] != ln.file_index:
                    jcr.msg(jmsg.M_ERROR, f"{digest_name(ln.stream)} digest index {ln.file_index} "
                                          f"not same as attributes {pending[3] if pending else 0}\n")
                    continue
                pending[2] = ln.opts
        if pending is not None:
            batch.add(*pending[:3], file_index=pending[3])
    jcr.job_files = files
    return False


def _compare(fd: ClientSession, jcr: Jcr, prev: dict, volume: bool) -> bool:
    rows = jcr.director.catalog.get_files(int(prev["JobId"]))
    cmp = CatalogCompare(rows, lambda mtype, text: jcr.msg(mtype, text), volume=volume)
    for msg in _fd_lines(fd, jcr):
        ln = parse_fd_line(msg)
        if ln is None:
            _bad_line(jcr, msg)
            return False
        err = cmp.line(ln)
        if err:
            jcr.fatal(err)
            return False
    jcr.job_files = cmp.files
    if jcr.status in FINAL_BAD or jcr.cancel_event.is_set():
        return cmp.differences
    cmp.missing()
    return cmp.differences


def verify_status(jcr: Jcr, differences: bool) -> str:
    """The job status at the end: Bareos's Verify OK / Differences / Error."""
    if jcr.cancel_event.is_set():
        return jobcodes.JS_CANCELED
    if jcr.status in FINAL_BAD and jcr.status != jobcodes.JS_DIFFERENCES:
        return jobcodes.JS_ERROR_TERMINATED
    for s in (jcr.fd_status, jcr.sd_status):
        if s == jobcodes.JS_CANCELED:
            return s
        if s not in (jobcodes.JS_TERMINATED, jobcodes.JS_WARNINGS):
            return jobcodes.JS_ERROR_TERMINATED
    if differences:
        return jobcodes.JS_DIFFERENCES
    return jobcodes.JS_TERMINATED


_TERM = {
    jobcodes.JS_TERMINATED: "Verify OK",
    jobcodes.JS_WARNINGS: "Verify OK",
    jobcodes.JS_FATAL_ERROR: "*** Verify Error ***",
    jobcodes.JS_ERROR_TERMINATED: "*** Verify Error ***",
    jobcodes.JS_ERROR: "Verify warnings",
    jobcodes.JS_CANCELED: "Verify Canceled",
    jobcodes.JS_DIFFERENCES: "Verify Differences",
}


def verify_term_text(status: str) -> str:
    return _TERM.get(status, f"Inappropriate term code: {ord(status[:1] or ' ')} {status}\n")


def _daemon_text(code: str) -> str:
    from .jobs import _daemon_status_text

    return _daemon_status_text(code)


def _when(t: float) -> str:
    return time.strftime("%d-%b-%Y %H:%M:%S", time.localtime(t)) if t else ""


def verify_report(jcr: Jcr) -> str:
    """The end-of-job report of a Verify job, in Bareos's layout."""
    d = jcr.director
    bd = time.strftime("%d%b%y", time.strptime(v.BDATE, "%d %B %Y"))
    osinfo = v.distname()[0]
    vjob = getattr(jcr, "verify_job_res", None)
    name = vjob.name if vjob is not None else ""
    # Bareos 25 prints the previous_jr of a Copy/Migration here, which a Verify never has
    prev_id = 0
    volume = jcr.level == jobcodes.L_VERIFY_VOLUME_TO_CATALOG
    lines = [f"Bareos {d.name} {v.VERSION} ({bd}):",
             (f"  OS Information:         {osinfo}" if volume else f"  Build:                  {osinfo}"),
             f"  JobId:                  {jcr.jobid}",
             f"  Job:                    {jcr.job}",
             f"  FileSet:                {jcr.fileset.name if jcr.fileset is not None else ''}",
             f"  Verify Level:           {jcr.level_name}",
             f"  Client:                 {jcr.client_name}",
             f"  Verify JobId:           {prev_id}",
             f"  Verify Job:             {name}",
             f"  Start time:             {_when(jcr.start_time)}",
             f"  End time:               {_when(jcr.end_time)}"]
    if volume:
        lines.append(f"  Files Expected:         "
                     f"{edit_uint64_with_commas(getattr(jcr, 'expected_files', 0))}")
    lines += [f"  Files Examined:         {edit_uint64_with_commas(jcr.job_files)}",
              f"  Non-fatal FD errors:    {jcr.job_errors}",
              f"  FD termination status:  {_daemon_text(jcr.fd_status)}"]
    if volume:
        lines.append(f"  SD termination status:  {_daemon_text(jcr.sd_status)}")
    lines += [f"  Bareos binary info:     {v.BINARY_INFO}",
              f"  Job triggered by:       {jcr.triggered_by}",
              f"  Termination:            {verify_term_text(jcr.status)}"]
    return "\n".join(lines) + "\n\n"
