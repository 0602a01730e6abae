"""Data and attribute spooling in the Storage Daemon (Bareos's spool.cc).

Data spooling (the job's ``Spool Data``): the blocks a backup produces go to
a spool file on disk instead of the volume,

    <Spool Directory or Working Directory>/<sd>.data.<JobId>.<Job>.<device>.spool

each block preceded by a 12-byte header (native byte order, as Bareos):
``int32 FirstIndex, int32 LastIndex, uint32 length``.  When the job's spool
reaches its limit (the job's ``Spool Size``, else the device's ``Maximum Job
Spool Size``) or the device's spool total reaches ``Maximum Spool Size``,
the spool is written to the volume ("despooled") and truncated; at the end
of the job the rest is "committed".  While despooling the job holds the
device lock, so its blocks land on the volume contiguously.

Attribute spooling (``Spool Attributes``, and always together with data
spooling): the ``UpdCat`` packets for the catalog are written to

    <Working Directory>/<sd>.attr.<Job>.<n>.spool

and sent to the Director only once the data is committed; a failed or
canceled job discards them, so the catalog never names files whose data
did not reach a volume.

:class:`DataSpool` hangs off a :class:`~bareos.stored.append.WriteDcr`
(``dcr.spool``); :class:`AttrSpool` off the job (``job.attr_spool``).
"""

from __future__ import annotations

import logging
import os
import struct
import threading
import time

from bareos.lib.bnet import BnetError
from bareos.lib.edit import edit_uint64_with_commas, edit_uint64_with_suffix
from bareos.lib.jobcodes import (
    JS_ATTR_DESPOOLING, JS_DATA_COMMITTING, JS_DATA_DESPOOLING, JS_RUNNING,
)

log = logging.getLogger("bareos.stored.spool")

#: header before every block in a data spool file: FirstIndex, LastIndex, length
SPOOL_HEADER = struct.Struct("=iiI")

#: bytes read per chunk when sending an attribute spool file
_ATTR_CHUNK = 256 * 1024


class SpoolError(Exception):
    """Spooling failed; the text has already gone to the job log."""


# ----------------------------------------------------------------------------
# Statistics (``status storage``: "Data spooling: ...", "Attr spooling: ...")
# ----------------------------------------------------------------------------


class SpoolStats:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.data_jobs = 0          # jobs spooling data now
        self.attr_jobs = 0
        self.total_data_jobs = 0    # jobs that ever spooled
        self.total_attr_jobs = 0
        self.max_data_size = 0      # largest data_size seen
        self.max_attr_size = 0
        self.data_size = 0          # bytes spooled now (all jobs)
        self.attr_size = 0

    def add_data(self, n: int) -> None:
        with self.lock:
            self.data_size = max(0, self.data_size + n)
            if self.data_size > self.max_data_size:
                self.max_data_size = self.data_size

    def text(self) -> str:
        """The statistics lines (nothing while no job has spooled)."""
        out = []
        with self.lock:
            if self.data_jobs or self.max_data_size:
                out.append(f"Data spooling: {self.data_jobs} active jobs, "
                           f"{edit_uint64_with_commas(self.data_size)} bytes; "
                           f"{self.total_data_jobs} total jobs, "
                           f"{edit_uint64_with_commas(self.max_data_size)} max bytes/job.\n")
            if self.attr_jobs or self.max_attr_size:
                out.append(f"Attr spooling: {self.attr_jobs} active jobs, "
                           f"{edit_uint64_with_commas(self.attr_size)} bytes; "
                           f"{self.total_attr_jobs} total jobs, "
                           f"{edit_uint64_with_commas(self.max_attr_size)} max bytes.\n")
        return "".join(out)


#: one per process, as Bareos's
STATS = SpoolStats()


def _show_status(job, code: str) -> str:
    """Show *code* as the job's status (to the Director too) for a while;
    returns the status to go back to."""
    before = job.status
    if not job.is_canceled:
        job.status = code
        job.send_status()
    return before


def _restore_status(job, code: str, before: str) -> None:
    """End what :func:`_show_status` began: back to the status before (the
    job was running: Running), unless something more important happened."""
    if job.status == code:
        job.status = JS_RUNNING if before in (JS_DATA_DESPOOLING, JS_DATA_COMMITTING) else before
        job.send_status()


def _hms(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


# ----------------------------------------------------------------------------
# Data spooling
# ----------------------------------------------------------------------------


def data_spool_path(job, dev) -> str:
    directory = dev.settings.spool_directory or job.sd.working_directory
    return os.path.join(directory,
                        f"{job.sd.name}.data.{job.job_id}.{job.job}.{dev.name}.spool")


class DataSpool:
    """One job's data spool on one device (the spool half of Bareos's DCR)."""

    def __init__(self, dcr, path: str, max_job_size: int) -> None:
        self.dcr = dcr
        self.job = dcr.job
        self.dev = dcr.dev
        self.path = path
        self.max_job_size = max_job_size
        self.job_size = 0           # bytes in the spool file now (headers included)
        self.spooling = False
        self.despooling = False
        self.despool_wait = False
        self.despools = 0           # how often the spool was written to the volume
        self.file = None

    # -- life cycle -------------------------------------------------------------
    @classmethod
    def begin(cls, dcr) -> "DataSpool":
        """Open the job's spool file and turn spooling on; raises SpoolError."""
        job = dcr.job
        dev = dcr.dev
        limit = int(getattr(job.cmd, "spool_size", 0) or 0) or dev.settings.max_job_spool_size
        spool = cls(dcr, data_spool_path(job, dev), limit)
        try:
            spool.file = open(spool.path, "w+b", buffering=0)
            os.chmod(spool.path, 0o640)
        except OSError as exc:
            job.fatal(f"Open data spool file {spool.path} failed: ERR={exc.strerror or exc}")
            raise SpoolError(str(exc)) from exc
        log.debug("JobId %s: created spool file %s", job.job_id, spool.path)
        spool.spooling = True
        with STATS.lock:
            STATS.data_jobs += 1
        job.info("Spooling data ...")
        return spool

    def _close(self, end_of_spool: bool) -> None:
        """Close and delete the spool file; forget its bytes."""
        f = self.file
        self.file = None
        self.spooling = False
        if f is None:
            return
        try:
            f.close()
        except OSError:
            pass
        try:
            os.unlink(self.path)
        except FileNotFoundError:
            pass
        except OSError as exc:
            self.job.warning(f"Could not delete spool file {self.path}: ERR={exc.strerror or exc}")
        with STATS.lock:
            STATS.data_jobs -= 1
            if end_of_spool:
                STATS.total_data_jobs += 1
            STATS.data_size = max(0, STATS.data_size - self.job_size)
        self._forget()

    def _forget(self) -> None:
        dev = self.dev
        with dev.lock:
            dev.spool_size = max(0, getattr(dev, "spool_size", 0) - self.job_size)
        self.job_size = 0

    def discard(self) -> None:
        """The job failed: drop what is spooled (nothing reaches the volume)."""
        if self.file is not None:
            log.debug("JobId %s: data spool discarded", self.job.job_id)
            self._close(True)

    def commit(self) -> bool:
        """The job's data is complete: write the rest to the volume, delete
        the spool file.  Returns False when despooling failed."""
        if self.file is None:
            return True
        try:
            ok = self.despool(commit=True)
        finally:
            self._close(True)
        return ok

    # -- spooling ------------------------------------------------------------------
    def write(self, blk) -> None:
        """Append one finished block to the spool file (despooling first when
        a limit is reached); raises SpoolError."""
        job = self.job
        dev = self.dev
        n = SPOOL_HEADER.size + len(blk)
        with dev.lock:
            self.job_size += n
            dev.spool_size = getattr(dev, "spool_size", 0) + n
            dev_size = dev.spool_size
        STATS.add_data(n)
        max_dev = dev.settings.max_spool_size
        if ((self.max_job_size > 0 and self.job_size >= self.max_job_size)
                or (max_dev > 0 and dev_size >= max_dev)):
            if self.max_job_size > 0:
                job.info("User specified Job spool size reached: "
                         f"JobSpoolSize={edit_uint64_with_commas(self.job_size)} "
                         f"MaxJobSpoolSize={edit_uint64_with_commas(self.max_job_size)}")
            else:
                job.info("User specified Device spool size reached: "
                         f"DevSpoolSize={edit_uint64_with_commas(dev_size)} "
                         f"MaxDevSpoolSize={edit_uint64_with_commas(max_dev)}")
            # this block is not in the file yet: take it out of the totals
            with dev.lock:
                self.job_size -= n
                dev.spool_size -= n
            STATS.add_data(-n)
            if not self.despool(commit=False):
                raise SpoolError("despooling failed")
            with dev.lock:
                self.job_size += n
                dev.spool_size += n
            STATS.add_data(n)
            job.info("Spooling data again ...")
        try:
            self.file.write(SPOOL_HEADER.pack(getattr(blk, "first_index", 0),
                                              getattr(blk, "last_index", 0), len(blk)))
            self.file.write(blk)
        except OSError as exc:
            job.fatal(f"Error writing data to spool file. ERR={exc.strerror or exc}")
            raise SpoolError(str(exc)) from exc
        self.dcr.writer.recycle(blk)

    # -- despooling -----------------------------------------------------------------
    def despool(self, commit: bool) -> bool:
        """Write the spooled blocks to the volume, then empty the spool file.
        The device lock is held throughout, so other jobs' blocks do not
        come between this job's."""
        from bareos.stored.append import AppendError
        from bareos.stored.volume.record import OutBlock

        job = self.job
        dcr = self.dcr
        f = self.file
        size = self.job_size
        if size == 0:
            job.warning("Despooling zero bytes. Your disk is probably FULL!")
        if commit:
            job.info(f'Committing spooled data to Volume "{self.dev.volume_name}". '
                     f"Despooling {edit_uint64_with_commas(size)} bytes ...")
            code = JS_DATA_COMMITTING
        else:
            job.info(f"Writing spooled data to Volume. Despooling "
                     f"{edit_uint64_with_commas(size)} bytes ...")
            code = JS_DATA_DESPOOLING
        before = _show_status(job, code)
        self.spooling = False
        self.despool_wait = True
        ok = True
        start = time.time()
        header = SPOOL_HEADER
        hsize = header.size
        with self.dev.lock:
            self.despool_wait = False
            self.despooling = True
            try:
                f.flush()
                f.seek(0)
                while True:
                    if job.is_canceled:
                        ok = False
                        break
                    hdr = f.read(hsize)
                    if not hdr:
                        break
                    if len(hdr) != hsize:
                        job.fatal(f"Spool header read error. Wanted {hsize} bytes, got {len(hdr)}")
                        ok = False
                        break
                    first, last, length = header.unpack(hdr)
                    if length > dcr.writer.block_size:
                        job.fatal(f"Spool block too big. Max {dcr.writer.block_size} bytes, "
                                  f"got {length}")
                        ok = False
                        break
                    blk = OutBlock(length)
                    got = f.readinto(blk)
                    if got != length:
                        job.fatal(f"Spool data read error. Wanted {length} bytes, got {got}")
                        ok = False
                        break
                    blk.first_index = first
                    blk.last_index = last
                    dcr.write_to_device(blk)
                self.despools += 1
                # the job's stretch on the volume so far
                dcr.end_part_here()
            except AppendError:
                ok = False
            except OSError as exc:
                job.fatal(f"Spool read error: ERR={exc.strerror or exc}")
                ok = False
            finally:
                self.despooling = False
        elapsed = max(1, int(time.time() - start))
        job.info(f"Despooling elapsed time = {_hms(elapsed)}, Transfer rate = "
                 f"{edit_uint64_with_suffix(size // elapsed)} Bytes/second")
        try:
            f.seek(0)
            f.truncate(0)
        except OSError as exc:
            job.warning(f"Ftruncate spool file failed: ERR={exc.strerror or exc}")
        STATS.add_data(-self.job_size)
        self._forget()
        if not commit:
            self.spooling = ok
        _restore_status(job, code, before)
        return ok


# ----------------------------------------------------------------------------
# Attribute spooling
# ----------------------------------------------------------------------------


def attr_spool_path(job) -> str:
    try:
        n = job.dir.fileno()
    except (AttributeError, OSError, ValueError):
        n = 0
    return os.path.join(job.sd.working_directory, f"{job.sd.name}.attr.{job.job}.{n}.spool")


class AttrSpool:
    """The catalog packets of one job, held until its data is committed."""

    def __init__(self, job, path: str, f) -> None:
        self.job = job
        self.path = path
        self.file = f
        self.size = 0

    @classmethod
    def begin(cls, job) -> "AttrSpool":
        path = attr_spool_path(job)
        try:
            f = open(path, "w+b")
            os.chmod(path, 0o640)
        except OSError as exc:
            job.fatal(f"fopen attr spool file {path} failed: ERR={exc.strerror or exc}")
            raise SpoolError(str(exc)) from exc
        with STATS.lock:
            STATS.attr_jobs += 1
        return cls(job, path, f)

    def write(self, wire: bytes) -> None:
        """Keep packets (``bnet`` framed, as they would go to the Director)."""
        try:
            self.file.write(wire)
        except OSError as exc:
            self.job.fatal(f"Error writing attributes to spool file. ERR={exc.strerror or exc}")
            raise SpoolError(str(exc)) from exc
        self.size += len(wire)

    def _close(self) -> None:
        f = self.file
        self.file = None
        if f is None:
            return
        try:
            f.close()
        except OSError:
            pass
        try:
            os.unlink(self.path)
        except OSError:
            pass
        with STATS.lock:
            STATS.attr_jobs -= 1
            STATS.total_attr_jobs += 1

    def discard(self) -> None:
        self._close()

    def commit(self) -> bool:
        """Send the spooled packets to the Director and delete the file."""
        job = self.job
        if self.file is None:
            return True
        ok = True
        size = self.size
        with STATS.lock:
            if STATS.attr_size + size > STATS.max_attr_size:
                STATS.max_attr_size = STATS.attr_size + size
            STATS.attr_size += size
        before = _show_status(job, JS_ATTR_DESPOOLING)
        try:
            job.info(f"Sending spooled attrs to the Director. Despooling "
                     f"{edit_uint64_with_commas(size)} bytes ...")
            f = self.file
            f.flush()
            f.seek(0)
            while True:
                chunk = f.read(_ATTR_CHUNK)
                if not chunk:
                    break
                job.dir.send_packets(chunk)
        except (BnetError, OSError) as exc:
            job.fatal(f"Error sending spooled attributes to the Director: {exc}")
            ok = False
        finally:
            with STATS.lock:
                STATS.attr_size = max(0, STATS.attr_size - size)
            self._close()
            _restore_status(job, JS_ATTR_DESPOOLING, before)
        return ok
