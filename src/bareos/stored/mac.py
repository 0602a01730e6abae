"""Copy, Migrate and Virtual Full jobs in the Storage Daemon (the "MAC" jobs
of Bareos's mac.cc and the SD-SD replication commands of sd_cmds.cc).

Same SD: the control job has a read device (``use storage ... append=0``)
and a write device (``append=1``); after ``run`` the records the bootstrap
selects are read and written again as a new session: source labels are
dropped except the first SOS, whose Job, JobName, Client, FileSet, type,
level and time are adopted into the new SOS/EOS (for a Virtual Full only
type and level); FileIndexes are renumbered sequentially; attribute and
digest records go to the Director (``UpdCat``), which files them under the
new job.

Different SDs: on the reading SD ``replicate JobId=.. Job=.. address=..
port=.. ssl=.. Authorization=..`` connects to the writing SD as
``Hello Start Storage Job <Job>`` (CRAM-MD5 with the new job's key) and
``run`` sends the records: ``start replicate`` / ``replicate data <ticket>``
/ ``<FileIndex> <Stream> 0`` headers, data, EOD on every change / two EODs /
``end replicate``.  On the writing SD ``listen`` waits for that connection
and runs the ordinary append code on it.
"""

from __future__ import annotations

import functools
import logging
import time

from bareos.lib import bnet, tls
from bareos.lib.bnet import BnetError, HelloKind
from bareos.lib.bsr import ALL_DONE, BsrMatcher
from bareos.lib.jobcodes import JS_ERROR_TERMINATED, JS_RUNNING, JS_TERMINATED, JS_WAIT_SD
from bareos.stored import protocol as P
from bareos.stored.append import (
    AppendError, WriteDcr, _Attr, _send_attributes, begin_spooling, delete_placeholder_jobmedia,
    do_append_data, end_attribute_spool,
    finish_session, is_attribute, report_elapsed, session_label,
)
from bareos.stored.device import DeviceError
from bareos.stored.job import CatalogError
from bareos.stored.read import open_for_read, release_read_device, volume_records
from bareos.stored.wait import mount_for_read
from bareos.stored.volume import RecordReader, SessionLabel
from bareos.stored.volume.record import EOS_LABEL, SOS_LABEL

log = logging.getLogger("bareos.stored.mac")

JT_COPY, JT_MIGRATE, JT_ARCHIVE, JT_BACKUP = "c", "g", "A", "B"
L_VIRTUAL_FULL = "f"

OK_REPLICATE = "3000 OK replicate\n"
OK_START_REPLICATE = "3000 OK start replicate ticket = {}\n"
OK_REPLICATE_DATA = "3000 OK replicate data\n"
OK_END_REPLICATE = "3000 OK end replicate\n"


def is_mac_job(job) -> bool:
    """Jobs whose ``run`` reads volumes and writes them again (no File Daemon)."""
    return job.job_type in (JT_COPY, JT_MIGRATE, JT_ARCHIVE) or (
        job.job_type == JT_BACKUP and job.job_level == L_VIRTUAL_FULL)


def operation_name(job) -> str:
    return {JT_MIGRATE: "Migration", JT_ARCHIVE: "Archive", JT_COPY: "Copy",
            JT_BACKUP: "Virtual Backup"}.get(job.job_type, "Unknown")


def parse_replicate(line: str):
    """``replicate JobId=%d Job=%s address=%s port=%d ssl=%d Authorization=%s``."""
    v = P.bsscanf(line, "replicate JobId=%d Job=%127s address=%s port=%d ssl=%d Authorization=%100s")
    if len(v) != 6:
        return None
    return v


# ----------------------------------------------------------------------------
# Reading the records a bootstrap selects
# ----------------------------------------------------------------------------


def bsr_records(job, dev):
    """Yield every selected record (labels included, file records filtered by
    the BSR) of the job's bootstrap, volume by volume; raises DeviceError."""
    bsr = job.bsr
    matcher = BsrMatcher(bsr)
    reader = RecordReader()
    for vol in bsr.volume_list():
        if matcher.done:
            break
        if not matcher.wants_volume(vol.name):
            continue
        name = vol.name
        if not mount_for_read(job, dev, name, functools.partial(open_for_read, job, dev, name)):
            # asked for and waited for, as a restore does; the reason is in the job log
            raise DeviceError(f'Cannot open Volume "{name}" for reading.')
        result = yield from volume_records(job, dev, name, matcher, reader, labels=True)
        if result is None or result is ALL_DONE:       # canceled, or the bootstrap is done
            break


class _Renumber:
    """Sequential output FileIndexes: a new one whenever session or FileIndex changes."""

    def __init__(self) -> None:
        self.last = None
        self.count = 0

    def __call__(self, rec) -> int:
        key = (rec.vol_session_id, rec.vol_session_time, rec.file_index)
        if key != self.last:
            self.count += 1
            self.last = key
        return self.count


def _adopt(job, sos: SessionLabel, virtual: bool) -> None:
    if not virtual:
        job.job = sos.job or job.job
        job.job_name = sos.job_name or job.job_name
        job.client_name = sos.client_name or job.client_name
        job.cmd.fileset_name = sos.fileset_name or job.cmd.fileset_name
        job.cmd.fileset_md5 = sos.fileset_md5 or job.cmd.fileset_md5
    job.job_type = chr(sos.job_type) if sos.job_type else job.job_type
    job.job_level = chr(sos.job_level) if sos.job_level else job.job_level


def _terminated_label(job, dcr) -> SessionLabel:
    """The EOS label as a job that terminated well writes it."""
    saved = job.status
    job.status = JS_TERMINATED
    try:
        return session_label(job, EOS_LABEL, dcr)
    finally:
        job.status = saved


def _start_read(session, job):
    """The job's read device, counted as read from; None (the job ended as
    failed) without a bootstrap naming volumes or without a device."""
    read_dev = job.read_device
    if job.bsr is None or not job.bsr.volume_list():
        job.fatal(f"No Volume names found for {operation_name(job)}.")
        _end(session, job, False)
        return None
    if read_dev is None:
        job.fatal("Read device not properly initialized.")
        _end(session, job, False)
        return None
    with read_dev.lock:
        read_dev.num_readers += 1
    return read_dev


def _xflate_on_replication(job) -> bool:
    """The SD's Auto XFlate On Replication (default no: data copied byte-identical)."""
    res = getattr(job.sd, "resource", None)
    return bool(res.get("Auto XFlate On Replication", False)) if res is not None else False


def _translate(job, dev, stream: int, data, outgoing: bool):
    if not _xflate_on_replication(job):
        return stream, data
    from bareos.plugins import sd as sdplugins
    return sdplugins.translate(job, dev, stream, data, outgoing)


def _plugins_end(job) -> None:
    from bareos.plugins import sd as sdplugins
    sdplugins.job_end(job)


def _start(session, job) -> None:
    from bareos.lib.version import BDATE, VERSION
    session.bs.send(f"3010 Job {job.job} start\n")
    job.start_time = time.time()
    job.send_status(JS_RUNNING)
    job.info(f"Version: {VERSION} ({BDATE}) {session.sd.os_info}")


def _end(session, job, ok: bool) -> None:
    _plugins_end(job)
    job.end_time = time.time()
    if not ok:
        job.set_status(JS_ERROR_TERMINATED)
    job.finish_status()
    try:
        session.bs.send(job.end_line())
        session.bs.signal(bnet.BNET_EOD)
    except (BnetError, OSError):
        pass
    job.fd_done.set()


# ----------------------------------------------------------------------------
# Same SD: read and write locally
# ----------------------------------------------------------------------------


def run_local(session, job) -> None:
    """``run`` of a Copy/Migrate/Virtual Full job with both devices here."""
    _start(session, job)
    ok = True
    virtual = job.job_type == JT_BACKUP
    read_dev = _start_read(session, job)
    if read_dev is None:
        return
    dcr = job.write_dcr
    run_time = time.time()
    renumber = _Renumber()
    current: _Attr | None = None
    done_files: list[_Attr] = []
    sos_written = False
    job.files = 0
    job.bytes = 0
    try:
        if dcr is None:
            got = job.sd.reserve_for_job(job, append=True)
            if got is None:
                job.fatal("Could not reserve any device for this job.")
                raise AppendError("no device")
            dev, store = got
            dcr = job.write_dcr = WriteDcr(job, dev, store)
            job.info(f"Using Device {dev.print_name()} to write.")
        dcr.acquire()
        begin_spooling(job, dcr)
        job.send_status(JS_RUNNING)
        for rec in bsr_records(job, read_dev):
            if rec.file_index < 0:
                if rec.file_index == SOS_LABEL and not sos_written:
                    try:
                        sos = SessionLabel.decode(rec.data, rec.file_index)
                    except ValueError:
                        continue
                    _adopt(job, sos, virtual)
                    label = session_label(job, SOS_LABEL, dcr)
                    label.write_btime = sos.write_btime
                    dcr.begin_session(label)
                    sos_written = True
                continue
            if not sos_written:
                dcr.begin_session(session_label(job, SOS_LABEL, dcr))
                sos_written = True
            fi = renumber(rec)
            if current is None or current.file_index != fi:
                if current is not None:
                    done_files.append(current)
                current = _Attr(fi)
            stream, data = _translate(job, read_dev, rec.stream, rec.data, False)
            stream, data = _translate(job, dcr.dev, stream, data, True)
            flushed = dcr.write_record(fi, stream, data)
            job.bytes += len(rec.data)
            if is_attribute(rec.stream):
                current.records.append((rec.stream, bytes(rec.data)))
            if flushed and done_files:
                _send_attributes(job, done_files)
            if job.is_canceled:
                ok = False
                break
    except DeviceError as exc:
        job.fatal(str(exc))
        ok = False
    except AppendError as exc:
        log.info("JobId %s: %s failed: %s", job.job_id, operation_name(job), exc)
        ok = False
    except CatalogError as exc:
        job.fatal(str(exc))
        ok = False
    except (BnetError, OSError) as exc:
        job.fatal(f"Network error: {exc}")
        ok = False
    finally:
        release_read_device(job, read_dev)
    if dcr is not None and dcr.acquired:
        def eos_label() -> SessionLabel:
            if not sos_written:
                dcr.begin_session(session_label(job, SOS_LABEL, dcr))
            job.files = renumber.count
            return _terminated_label(job, dcr)

        ok = finish_session(job, dcr, eos_label, ok, current, done_files)
        job.files = renumber.count
    delete_placeholder_jobmedia(job)
    report_elapsed(job, run_time)
    ok = end_attribute_spool(job, ok)
    job.send_status()
    _end(session, job, ok)


# ----------------------------------------------------------------------------
# SD-SD replication, reading side
# ----------------------------------------------------------------------------


def cmd_replicate(session, line: str) -> bool:
    """``replicate ...``: connect to the writing SD for the new job."""
    job = session.job
    v = parse_replicate(line)
    if v is None or job is None:
        session.bs.send(f"3991 Bad replicate command: {line}\n")
        return False
    new_jobid, new_job, address, port, ssl_policy, key = v
    sd = session.sd
    from bareos.lib.bsock import authenticate_client, connect
    use_tls = ssl_policy == tls.TLS_POLICY_AUTO
    settings = sd.tls_settings() if use_tls else tls.TlsSettings.disabled()
    try:
        bs = connect(address, port, "R_JOB", new_job, key.encode("ascii"), settings,
                     hello=bnet.make_hello(HelloKind.START_STORAGE_JOB, new_job),
                     connect_timeout=min(sd.fd_connect_timeout or 60, 60), use_tls=use_tls)
        try:
            authenticate_client(bs, key.encode("ascii"), sd.qualified_name,
                                sd.tls_settings().policy() if not use_tls else 0)
        except BaseException:
            bs.close()
            raise
    except Exception as exc:
        job.fatal(f"Failed to connect to Storage daemon: {address}:{port}: {exc}")
        session.bs.send(f"3991 Bad replicate command: {line}\n")
        return False
    job.replicate_bs = bs
    job.replicate_target = (new_jobid, new_job)
    session.bs.send(OK_REPLICATE)
    return True


def _expect(job, bs, wanted_prefix: str, what: str) -> str | None:
    try:
        while True:
            item = bs.recv()
            if isinstance(item, int):
                if item in (bnet.BNET_HEARTBEAT, bnet.BNET_HB_RESPONSE):
                    continue
                job.fatal(f"Comm error with SD. bad response to {what}. ERR=signal {item}")
                return None
            text = P.as_text(item)
            if text.startswith(wanted_prefix):
                return text
            job.fatal(f"Bad response to {what} command. Wanted {wanted_prefix.strip()}, got {text.strip()}")
            return None
    except (BnetError, OSError, TimeoutError) as exc:
        job.fatal(f"Comm error with SD. bad response to {what}. ERR={exc}")
        return None


def run_replicate(session, job) -> None:
    """``run`` on the reading SD: send the selected records to the writing SD."""
    _start(session, job)
    ok = True
    sd_bs = job.replicate_bs
    renumber = _Renumber()
    run_time = time.time()
    job.files = 0
    job.bytes = 0
    read_dev = _start_read(session, job)
    if read_dev is None:
        return
    try:
        sd_bs.send("start replicate\n")
        reply = _expect(job, sd_bs, "3000 OK start replicate ticket = ", "start replicate")
        if reply is None:
            raise AppendError("start replicate")
        ticket = int(reply.rsplit("=", 1)[1].strip() or 0)
        sd_bs.send(f"replicate data {ticket}\n")
        if _expect(job, sd_bs, P.OK_DATA, "replicate data") is None:
            raise AppendError("replicate data")
        last = None
        for rec in bsr_records(job, read_dev):
            if rec.file_index < 0:
                continue
            fi = renumber(rec)
            stream, data = _translate(job, read_dev, rec.stream, rec.data, False)
            if (fi, stream) != last:
                if last is not None:
                    sd_bs.signal(bnet.BNET_EOD)
                sd_bs.send(f"{fi} {stream} 0")
                last = (fi, stream)
            sd_bs.send(bytes(data))
            job.bytes += len(rec.data)
            if job.is_canceled:
                raise AppendError("canceled")
        if last is not None:
            sd_bs.signal(bnet.BNET_EOD)
        sd_bs.signal(bnet.BNET_EOD)
        if _expect(job, sd_bs, OK_REPLICATE_DATA, "replicate data") is None:
            raise AppendError("replicate data")
        sd_bs.send("end replicate\n")
        if _expect(job, sd_bs, OK_END_REPLICATE, "end replicate") is None:
            raise AppendError("end replicate")
        sd_bs.signal(bnet.BNET_TERMINATE)
    except DeviceError as exc:
        job.fatal(str(exc))
        ok = False
    except AppendError:
        ok = False
    except (BnetError, OSError, TimeoutError) as exc:
        if not job.is_canceled:
            job.fatal(f"Network send error to SD. ERR={exc}")
        ok = False
    finally:
        release_read_device(job, read_dev)
        try:
            sd_bs.close()
        except Exception:
            pass
    job.files = renumber.count
    report_elapsed(job, run_time)
    job.send_status()
    _end(session, job, ok)


# ----------------------------------------------------------------------------
# SD-SD replication, writing side
# ----------------------------------------------------------------------------


class _ReplicateSocket:
    """The replicating SD's socket seen by the append code: the final answer
    of the data phase is ``3000 OK replicate data``."""

    def __init__(self, bs) -> None:
        self._bs = bs

    def send(self, data) -> None:
        if data == P.OK_APPEND:
            data = OK_REPLICATE_DATA
        self._bs.send(data)

    def __getattr__(self, name):
        return getattr(self._bs, name)


def cmd_listen(session, line: str) -> bool:
    """``listen``: wait for the reading SD, then receive the job's data."""
    job = session.job
    if job is None:
        return False
    job.send_status(JS_WAIT_SD)
    wait = session.sd.client_connect_wait or 1800
    job.client_available.wait(wait)
    if not job.authenticated or job.is_canceled:
        if not job.is_canceled:
            job.fatal(f"Job {job.job} canceled while waiting for the Storage Daemon "
                      f"(Client Connect Wait {wait} s).")
        return False
    _start(session, job)
    if not _xflate_on_replication(job):
        job.no_xflate = True
    ok = False
    peer = job.fd
    stream = _ReplicateSocket(peer)
    is_open = False
    try:
        while True:
            item = peer.recv()
            if isinstance(item, int):
                if item in (bnet.BNET_HEARTBEAT, bnet.BNET_HB_RESPONSE, bnet.BNET_EOD):
                    continue
                break
            text = P.as_text(item)
            if text.startswith("start replicate"):
                is_open = True
                peer.send(OK_START_REPLICATE.format(job.vol_session_id))
            elif text.startswith("replicate data"):
                if not is_open:
                    peer.send(P.NOT_OPENED)
                    break
                ok = do_append_data(job, stream)
                if not ok:
                    break
            elif text.startswith("end replicate"):
                peer.send(OK_END_REPLICATE)
                is_open = False
            else:
                job.fatal(f"SD command not found: {text.rstrip()}")
                peer.send(P.FD_INVALID)
                ok = False
                break
    except (BnetError, OSError, TimeoutError) as exc:
        if not job.is_canceled and not ok:
            job.fatal(f"Network error with SD: {exc}")
            ok = False
    _end(session, job, ok)
    return False
