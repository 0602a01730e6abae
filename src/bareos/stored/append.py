"""Writing a job's records to a device (Bareos's append.cc, the write half of
device_control_record.cc, mount.cc and askdir.cc).

:class:`WriteDcr` is one job's write session on one device: its own
:class:`RecordWriter` (blocks carry the job's session pair), the volume it
writes to, and the JobMedia bookkeeping.  Several WriteDcrs may share a
device (``Maximum Concurrent Jobs``); each writes whole blocks under the
device lock, so jobs interleave block by block, as in Bareos.

Volume handling: the first job on an idle device asks the Director for a
volume (``FindMedia``), mounts it (reads its label, moves to end of data) or
labels it when it is new and the device has ``Label Media = yes``.  When a
block would make the volume reach its maximum size (the pool's Maximum
Volume Bytes from the catalog, or the device's Maximum Volume Size) the
volume is marked Full, JobMedia is written, the next volume is found and
mounted and the block goes there (as Bareos's FixupDeviceBlockWriteError,
no session label is repeated: a label between a split record and its
continuation would make readers drop the record).
"""

from __future__ import annotations

import logging
import threading
import time

from bareos.lib import bnet
from bareos.lib.bnet import BnetError
from bareos.lib.edit import edit_uint64_with_commas, edit_uint64_with_suffix
from bareos.lib.jobcodes import JS_ERROR_TERMINATED, JS_RUNNING, JS_TERMINATED, JS_WAIT_SD
from bareos.lib.streams import (
    STREAM_MD5_DIGEST, STREAM_RESTORE_OBJECT, STREAM_SHA1_DIGEST, STREAM_SHA256_DIGEST,
    STREAM_SHA512_DIGEST, STREAM_UNIX_ATTRIBUTES, STREAM_UNIX_ATTRIBUTES_EX,
    STREAM_XXH128_DIGEST, STREAMMASK_TYPE,
)
from bareos.stored import protocol as P
from bareos.stored.device import Device, DeviceError, VolumeLabelError, split_address
from bareos.stored.job import CatalogError
from bareos.stored.volume import RecordWriter, SessionLabel
from bareos.stored.volume.record import EOS_LABEL, SOS_LABEL

#: volume choice and mount, one device at a time: two devices must not both
#: take the same volume to append to
_MOUNT_LOCK = threading.Lock()


def volume_in_use_elsewhere(sd, dev: Device, name: str) -> bool:
    """Is volume *name* mounted on another device that a job is using?"""
    devices = getattr(getattr(sd, "devices", None), "devices", None) or {}
    for other in devices.values():
        if other is dev or other.volume_name != name:
            continue
        if other.num_writers or other.num_readers or other.num_reserved or other.attached_jobs:
            return True
    return False


log = logging.getLogger("bareos.stored.append")

_ATTRIBUTE_STREAMS = frozenset((
    STREAM_UNIX_ATTRIBUTES, STREAM_UNIX_ATTRIBUTES_EX, STREAM_RESTORE_OBJECT,
    STREAM_MD5_DIGEST, STREAM_SHA1_DIGEST, STREAM_SHA256_DIGEST, STREAM_SHA512_DIGEST,
    STREAM_XXH128_DIGEST,
))


def is_attribute(stream: int) -> bool:
    """Records the SD forwards to the Director's catalog (UpdCat)."""
    return (stream & STREAMMASK_TYPE) in _ATTRIBUTE_STREAMS


class AppendError(Exception):
    """Writing failed; the text has already gone to the job log."""


class _Part:
    """The job's stretch on one volume (one JobMedia row)."""

    __slots__ = ("media_id", "volume", "first_index", "last_index", "start", "end", "wrote")

    def __init__(self, media_id: int, volume: str, start: int) -> None:
        self.media_id = media_id
        self.volume = volume
        self.first_index = 0
        self.last_index = 0
        self.start = start
        self.end = start
        self.wrote = False


class WriteDcr:
    def __init__(self, job, dev: Device, store: P.DirStore) -> None:
        self.job = job
        self.dev = dev
        self.store = store
        self.writer = RecordWriter(dev.settings.maximum_block_size,
                                   vol_session_id=job.vol_session_id,
                                   vol_session_time=job.vol_session_time,
                                   checksum=dev.settings.block_checksum)
        self.gen = -1
        self.part: _Part | None = None
        self.labeled_new = False
        self.acquired = False
        self.sos: SessionLabel | None = None
        self.volumes: list[str] = []
        self.spool = None                   # spool.DataSpool while data is spooled

    # -- volume acquisition -------------------------------------------------
    def acquire(self) -> None:
        """Make the device ready to append for this job (the device lock is
        taken here); raises AppendError."""
        dev = self.dev
        with dev.lock:
            dev.num_writers += 1
            self.acquired = True
            self.job.sd.devices.release(dev, self.job.job_id)   # reservation -> writer
            if dev.volume_name and dev.mode == "append" and not dev.full and dev.vol is not None:
                self._join_mounted()
            else:
                self._mount_next(reason="")
            self._begin_part()

    def _join_mounted(self) -> None:
        dev = self.dev
        job = self.job
        info = job.volume_request(P.get_vol_info(job.job, dev.volume_name, True))
        if info is None or info.status not in ("Append", "Recycle"):
            # not usable for this job: take the next one
            self._terminate_volume(full=False)
            self._mount_next(reason="")
            return
        dev.vol.max_bytes = info.max_bytes
        dev.vol.jobs += 1
        self._update_media(False)

    def _ask_limit(self) -> int:
        n = max(1, len(self.job.sd.devices.devices))
        return n + (n >> 3)

    def _mount_next(self, reason: str) -> None:
        from bareos.stored.wait import VolumeWait
        job = self.job
        waiter = VolumeWait(self)   # nothing to mount: ask the operator and wait (stored/wait.py)
        while True:
            unwanted: list[str] = []
            for index in range(1, self._ask_limit() + 1):
                info = job.volume_request(P.find_media(job.job, index, self.store.pool_name,
                                                       self.store.media_type, unwanted))
                if info is None:
                    break
                unwanted.append(info.name)
                if self._try_mount(info):
                    waiter.done()
                    return
            if not waiter.ask(unwanted[0] if unwanted else None):
                raise AppendError("no appendable volume")

    def _try_mount(self, info: P.VolumeInfo) -> bool:
        """Mount *info*'s volume for appending, unless another device has it
        (Bareos's IsVolumeInUse: the next FindMedia lists it as unwanted and
        the Director gives another, or a new, volume)."""
        with _MOUNT_LOCK:
            if volume_in_use_elsewhere(self.job.sd, self.dev, info.name):
                return False
            return self._mount_volume(info)

    def _mount_volume(self, info: P.VolumeInfo) -> bool:
        dev = self.dev
        job = self.job
        name = info.name
        if info.status not in ("Append", "Recycle", "Purged"):
            return False
        ch = dev.changer
        if ch is not None and ch.attached(dev) and not ch.virtual(dev):
            # a drive of an autochanger: the volume must be loaded from its slot
            if ch.autoload(dev, info.slot, bool(info.in_changer), name, job.info,
                           job=job.job) != 1:
                return False
        relabel = False
        size = dev.volume_size(name)
        try:
            if size > 0 and info.status == "Append":
                dev.open(name, "append")
                _plugin_event(job, "DeviceOpen", self)
                _plugin_event(job, "DeviceMount", self)
                _plugin_event(job, "LabelRead", self)
                dev.read_volume_label(expected=name)
                _plugin_event(job, "LabelVerified", self)
            elif dev.settings.label_media and (size <= 0 or info.bytes == 0
                                                or info.status in ("Recycle", "Purged")):
                if size > 0 and info.status == "Append" and info.bytes:
                    return False
                # as Bareos: the device is opened and mounted, the (missing or
                # recycled) label read, the new one written and read back
                _plugin_event(job, "DeviceOpen", self)
                _plugin_event(job, "DeviceMount", self)
                _plugin_event(job, "LabelRead", self)
                dev.write_volume_label(name, self.store.pool_name, host_name=job.sd.host_name,
                                       prog=job.sd.name, vol_session_id=job.vol_session_id,
                                       vol_session_time=job.vol_session_time)
                relabel = True
                _plugin_event(job, "LabelWrite", self)
                job.info(f'Labeled new Volume "{name}" on device {dev.print_name()}.')
                _plugin_event(job, "LabelRead", self)
                _plugin_event(job, "LabelVerified", self)
            else:
                job.warning(f'Volume "{name}" not on device {dev.print_name()}.' if size < 0 else
                            f'Volume "{name}" on device {dev.print_name()} is not usable.')
                return False
        except VolumeLabelError as exc:
            job.warning(str(exc))
            dev.close()
            return False
        except DeviceError as exc:
            job.warning(str(exc))
            dev.close()
            return False
        job.info(f'Moving to end of data on volume "{name}"')
        end = dev.eod()
        if not relabel and info.bytes and info.bytes != end:
            job.info(f'Volume "{name}" size in the catalog is {info.bytes}, on disk {end}; '
                     "using the size on disk.")
        info.bytes = end
        if info.status in ("Recycle", "Purged"):
            info.status = "Append"
        if relabel:
            info.blocks = 1
            info.files = 0
            info.first_written = 0
        limit = self._limit(info)
        if limit and end >= limit and not relabel:
            info.status = "Full"
            dev.vol = info
            self._update_media(False)
            dev.unmount()
            return False
        dev.vol = info
        dev.pool_name = self.store.pool_name
        dev.full = False
        dev.generation += 1
        dev.volume_name = name
        dev.fresh = relabel
        dev.mount_position = end
        info.mounts += 1
        info.jobs += 1
        if not info.first_written:
            info.first_written = int(time.time())
        if relabel:
            self._update_media(True)
            self.labeled_new = True
        _plugin_event(job, "VolumeLoad", self)
        job.info(f'Ready to append to end of Volume "{name}" size={end}')
        self._update_media(False)
        return True

    def _limit(self, info: P.VolumeInfo | None) -> int:
        limits = [x for x in (self.dev.settings.maximum_volume_size,
                              info.max_bytes if info is not None else 0) if x and x > 0]
        return min(limits) if limits else 0

    def _update_media(self, relabel: bool) -> None:
        dev = self.dev
        job = self.job
        vol = dev.vol
        if vol is None:
            return
        vol.files = dev.position >> 32
        line = P.update_media(job.job, vol, end_time=int(time.time()), relabel=relabel)
        info = job.volume_request(line)
        if info is None:
            job.fatal(f"Error updating Volume info for {vol.name}")
            raise AppendError("UpdateMedia failed")
        vol.max_bytes = info.max_bytes
        vol.media_id = info.media_id or vol.media_id
        if info.status and info.status != vol.status and info.status not in ("Append",):
            vol.status = info.status

    # -- JobMedia -----------------------------------------------------------------
    def _begin_part(self) -> None:
        dev = self.dev
        self.gen = dev.generation
        self.part = _Part(dev.vol.media_id if dev.vol else 0, dev.volume_name, dev.position)
        if dev.volume_name and dev.volume_name not in self.volumes:
            self.volumes.append(dev.volume_name)
            self.job.volume_names.append(dev.volume_name)
        if self.labeled_new:
            self.labeled_new = False
            reply = self.job.dir_request(P.create_jobmedia(self.job.job, 0, 0, 0, 0, 0, 0,
                                                           self.part.media_id))
            if reply != P.OK_CREATE_JOBMEDIA:
                self.job.fatal(f"Error creating JobMedia record: {reply}")
                raise AppendError("JobMedia")

    def _end_part(self) -> None:
        part = self.part
        self.part = None
        if part is None or not part.wrote:
            return
        sf, sb = split_address(part.start)
        ef, eb = split_address(part.end)
        reply = self.job.dir_request(P.create_jobmedia(
            self.job.job, part.first_index, part.last_index, sf, ef, sb, eb, part.media_id))
        if reply != P.OK_CREATE_JOBMEDIA:
            self.job.fatal(f"Error creating JobMedia record: {reply.rstrip()}")
            raise AppendError("JobMedia")

    # -- writing ---------------------------------------------------------------------
    def begin_session(self, sos: SessionLabel) -> None:
        self.sos = sos
        for blk in self.writer.write_label(SOS_LABEL, self.job.job_id, sos.encode()):
            self._write_block(blk)

    def write_record(self, file_index: int, stream: int, data) -> bool:
        """Returns True when at least one block went to the device."""
        blocks = self.writer.write(file_index, stream, data)
        for blk in blocks:
            self._write_block(blk)
        return bool(blocks)

    def _write_block(self, blk) -> None:
        job = self.job
        if job.is_canceled:
            raise AppendError("job canceled")
        spool = self.spool
        if spool is not None and spool.spooling:
            from bareos.stored.spool import SpoolError
            try:
                spool.write(blk)
            except SpoolError as exc:
                raise AppendError(str(exc)) from exc
            return
        self.write_to_device(blk)

    def write_to_device(self, blk) -> None:
        """Put one block on the mounted volume (changing volumes when it is
        full); raises AppendError."""
        dev = self.dev
        job = self.job
        with dev.lock:
            if self.gen != dev.generation:
                # Another job changed the volume on this device.
                self._end_part()
                if not dev.volume_name or dev.full or dev.mode != "append":
                    self._mount_next(reason="")
                self._begin_part()
            vol = dev.vol
            limit = self._limit(vol)
            if limit and vol.bytes + len(blk) >= limit and not (
                    dev.fresh and dev.position == dev.mount_position):
                job.info(f"User defined maximum volume capacity "
                         f"{edit_uint64_with_commas(limit)} exceeded on device {dev.print_name()}.")
                self._terminate_volume(full=True)
                self._mount_next(reason="")
                job.info(f'New volume "{dev.volume_name}" mounted on device {dev.print_name()} '
                         f'at {time.strftime("%d-%b-%Y %H:%M")}.')
                self._begin_part()
            self._put(blk)

    def _put(self, blk) -> None:
        dev = self.dev
        try:
            start, end = dev.write_block(blk)
        except DeviceError as exc:
            _plugin_event(self.job, "WriteError", self)
            self.job.fatal(str(exc))
            raise AppendError(str(exc)) from exc
        vol = dev.vol
        vol.bytes += len(blk)
        vol.blocks += 1
        vol.writes += 1
        part = self.part
        if not part.wrote:
            part.start = start
            part.wrote = True
        part.end = end
        fi = getattr(blk, "first_index", 0)
        if fi:
            if not part.first_index:
                part.first_index = fi
            part.last_index = blk.last_index
        self.writer.recycle(blk)            # written: its memory serves the next block

    def _terminate_volume(self, full: bool) -> None:
        """End writing on the mounted volume (for everybody on this device)."""
        dev = self.dev
        job = self.job
        vol = dev.vol
        self._end_part()
        if vol is not None and full:
            vol.status = "Full"
            dev.full = True
            job.info(f'End of medium on Volume "{vol.name}" Bytes={edit_uint64_with_commas(vol.bytes)} '
                     f'Blocks={edit_uint64_with_commas(vol.blocks)} at '
                     f'{time.strftime("%d-%b-%Y %H:%M")}.')
            try:
                dev.sync()
            except DeviceError as exc:
                job.warning(str(exc))
            self._update_media(False)
        dev.unmount()

    def end_part_here(self) -> None:
        """Close the job's current stretch on the volume (its JobMedia row)
        and start the next one at the current position (after despooling)."""
        with self.dev.lock:
            if self.part is not None and self.part.wrote and self.gen == self.dev.generation:
                self._end_part()
                self._begin_part()

    def finish(self, eos: SessionLabel | None, commit: bool = True) -> None:
        """Write the EOS label, flush, fsync; JobMedia; UpdateMedia.  With
        data spooling: commit the spool to the volume, or discard it when
        *commit* is False (a failed or canceled job)."""
        spool = self.spool
        if spool is not None and not commit:
            self.spool = None
            spool.discard()
            eos = None
            self.writer.flush()             # the rest of the spooled session: dropped
        elif spool is not None:
            self._finish_spooled(eos, spool)
            eos = None
        if eos is not None:
            if self.part is not None and self.part.wrote:
                pass
            for blk in self.writer.write_label(EOS_LABEL, self.job.job_id, eos.encode()):
                self._write_block(blk)
        last = self.writer.flush()
        if last is not None:
            self._write_block(last)
        dev = self.dev
        with dev.lock:
            try:
                dev.sync()
            except DeviceError as exc:
                self.job.fatal(str(exc))
                raise AppendError(str(exc)) from exc
            if self.gen == dev.generation:
                self._end_part()
                self._update_media(False)
            else:
                self._end_part()

    def _finish_spooled(self, eos: SessionLabel | None, spool) -> None:
        try:
            if eos is not None:
                for blk in self.writer.write_label(EOS_LABEL, self.job.job_id, eos.encode()):
                    self._write_block(blk)
            last = self.writer.flush()
            if last is not None:
                self._write_block(last)
        except AppendError:
            self.spool = None
            spool.discard()
            raise
        self.spool = None
        if not spool.commit():
            raise AppendError("committing the data spool failed")

    def release(self) -> None:
        dev = self.dev
        job = self.job
        with dev.lock:
            if self.acquired:
                self.acquired = False
                dev.num_writers -= 1
                job.info(f"Releasing device {dev.print_name()}.")
                _plugin_event(job, "DeviceRelease", self)
                if dev.num_writers == 0 and (not dev.settings.always_open or dev.full):
                    dev.close()
                    _plugin_event(job, "DeviceClose", self)
                    dev.mode = ""
                    if dev.full or not dev.settings.always_open:
                        _plugin_event(job, "DeviceUnmount", self)
                        dev.unmount()
                        _plugin_event(job, "VolumeUnload", self)
            else:
                job.sd.devices.release(dev, job.job_id)


def _plugin_event(job, name: str, dcr=None) -> int:
    """bsdEvent<name> to the job's SD plugins (bareos.plugins.sd)."""
    from bareos.plugins import sd as sdplugins

    return sdplugins.generate_event(job, getattr(sdplugins, "bSdEvent" + name), dcr)


def session_label(job, label_type: int, dcr: WriteDcr) -> SessionLabel:
    return SessionLabel(
        label_type=label_type, job_id=job.job_id, job_name=job.job_name,
        client_name=job.client_name, job=job.job, fileset_name=job.cmd.fileset_name,
        fileset_md5=job.cmd.fileset_md5, pool_name=dcr.store.pool_name,
        pool_type=dcr.store.pool_type, job_type=ord(job.job_type), job_level=ord(job.job_level),
        job_files=job.files, job_bytes=job.bytes, job_errors=job.errors,
        job_status=ord(job.status))


# ----------------------------------------------------------------------------
# The data phase of a backup
# ----------------------------------------------------------------------------


class _Attr:
    __slots__ = ("file_index", "records")

    def __init__(self, file_index: int) -> None:
        self.file_index = file_index
        self.records: list[tuple[int, bytes]] = []


def setup_dcr(job) -> WriteDcr:
    """Reserve (JIT) and acquire the write device, write the SOS label."""
    sd = job.sd
    if job.write_dcr is None:
        job.send_status(JS_WAIT_SD)
        got = sd.reserve_for_job(job, append=True)
        if got is None:
            job.fatal("Could not reserve any device for this job.")
            raise AppendError("no device")
        dev, store = got
        job.write_dcr = WriteDcr(job, dev, store)
        job.info(f"Using Device {dev.print_name()} to write.")
    dcr = job.write_dcr
    try:
        dcr.acquire()
    except CatalogError as exc:
        job.fatal(str(exc))
        raise AppendError(str(exc)) from exc
    begin_spooling(job, dcr)
    job.send_status(JS_RUNNING)
    dcr.begin_session(session_label(job, SOS_LABEL, dcr))
    return dcr


def begin_spooling(job, dcr: WriteDcr) -> None:
    """Turn on data spooling (the job's Spool Data) and attribute spooling
    (Spool Attributes, implied by Spool Data) for the job's write session."""
    from bareos.stored.spool import AttrSpool, DataSpool, SpoolError

    cmd = job.cmd
    try:
        if cmd.spool_data and dcr.spool is None:
            dcr.spool = DataSpool.begin(dcr)
        if ((cmd.spool_attributes or dcr.spool is not None) and not cmd.no_attributes
                and job.attr_spool is None):
            job.attr_spool = AttrSpool.begin(job)
    except SpoolError as exc:
        if dcr.spool is not None:
            dcr.spool.discard()
            dcr.spool = None
        raise AppendError(str(exc)) from exc


def do_append_data(job, fd) -> bool:
    """``append data``: receive the FD's stream and write it.  Returns True
    when the data phase ended normally (final EOD)."""
    from bareos.plugins import sd as sdplugins

    ok = True
    if job.write_dcr is not None and not job.write_dcr.acquired:
        try:
            setup_dcr(job)
        except AppendError:
            fd.send(P.ERROR_APPEND)
            return False
    fd.send(P.OK_DATA)
    job.start_time = job.start_time or time.time()
    run_time = time.time()
    last_fi = 0
    current: _Attr | None = None
    done_files: list[_Attr] = []
    error = ""
    recv = fd.recv
    parse_header = P.parse_data_header
    rerunning = job.cmd.rerunning
    eod = bnet.BNET_EOD
    heartbeat = bnet.BNET_HEARTBEAT
    # Without SD plugins records are written as they come (no translation).
    translate = sdplugins.translate if sdplugins.job_plugins(job) is not None else None
    dcr = job.write_dcr
    write = dcr.writer.write if dcr is not None and dcr.acquired else None
    nrec = 0
    try:
        while ok:
            # a cancel is noticed within 16 records (and the chunk loop below
            # looks every 64 chunks): is_canceled per record costs a few %
            if not nrec & 15 and job.is_canceled:
                break
            nrec += 1
            item = recv()
            if item.__class__ is int:
                if item == eod:
                    break
                if item == heartbeat:
                    continue
                error = f"Unexpected signal from FD: {item}"
                ok = False
                break
            parts = item.split(None, 2)     # "<FileIndex> <Stream> <info>"
            if len(parts) > 1 and parts[0].isdigit() and parts[1].isdigit():
                fi = int(parts[0])
                stream = int(parts[1])
            else:
                hdr = parse_header(item)
                if hdr is None:
                    error = f"Malformed data header from FD: {P.as_text(item)[:100]}"
                    ok = False
                    break
                fi, stream = hdr
            if not (fi > 0 and (fi == last_fi or fi == last_fi + 1)) and not (
                    rerunning and fi > 0 and last_fi == 0):
                error = f"FileIndex={fi} from FD not positive or sequential={last_fi}"
                ok = False
                break
            if fi != last_fi:
                last_fi = fi
                if current is not None:
                    done_files.append(current)
                current = _Attr(fi)
            records = current.records if (stream & STREAMMASK_TYPE) in _ATTRIBUTE_STREAMS else None
            count = 0
            while True:
                count += 1
                if not count & 63 and job.is_canceled:   # (and at every stream's start)
                    break
                data = recv()
                if data.__class__ is int:
                    if data == eod:
                        break
                    if data == heartbeat:
                        continue
                    error = f"Unexpected signal from FD: {data}"
                    ok = False
                    break
                if write is None or not dcr.acquired or dcr is not job.write_dcr:
                    if job.write_dcr is None or not job.write_dcr.acquired:
                        job.info("JustInTime Reservation: Finding drive to reserve.")
                        setup_dcr(job)
                    dcr = job.write_dcr
                    write = dcr.writer.write
                if translate is not None:
                    wstream, wdata = translate(job, dcr.dev, stream, data, True)
                    blocks = write(fi, wstream, wdata)
                else:
                    blocks = write(fi, stream, data)
                job.bytes += len(data)
                if records is not None:
                    records.append((stream, data if data.__class__ is bytes else bytes(data)))
                if blocks:
                    for blk in blocks:
                        dcr._write_block(blk)
                    if done_files:
                        _send_attributes(job, done_files)
    except AppendError as exc:
        ok = False
        error = error or ""
        log.info("JobId %s: append failed: %s", job.job_id, exc)
    except (BnetError, OSError, TimeoutError) as exc:
        ok = False
        if not job.is_canceled:
            error = f"Network error reading from FD. ERR={exc}"
    except CatalogError as exc:
        ok = False
        error = str(exc)
    if error and not job.is_canceled:
        job.fatal(error)
    job.set_status(JS_TERMINATED if ok else JS_ERROR_TERMINATED)
    # Finish the session on the volume before telling the FD it is safe.
    dcr = job.write_dcr
    if dcr is not None and dcr.acquired:
        job.files = max(current.file_index if current else 0, 0)
        ok = finish_session(job, dcr, lambda: session_label(job, EOS_LABEL, dcr), ok,
                            current, done_files)
    elif ok:
        job.info("Because no backup data was received, no device was reserved. As such "
                 "no Session Labels were written for this job.")
    sdplugins.job_end(job)
    if not ok:
        job.set_status(JS_ERROR_TERMINATED)
    delete_placeholder_jobmedia(job)
    report_elapsed(job, run_time)
    ok = end_attribute_spool(job, ok)
    job.send_status()
    try:
        if ok:
            fd.send(P.OK_APPEND)
        else:
            fd.send(P.FAILED_APPEND)
    except (BnetError, OSError):
        ok = False
    return ok


def end_attribute_spool(job, ok: bool) -> bool:
    """Send the spooled attributes to the Director (the job went well) or
    drop them; returns *ok*, False when sending failed."""
    attr = job.attr_spool
    if attr is None:
        return ok
    job.attr_spool = None
    if ok and not job.is_canceled:
        return attr.commit()
    attr.discard()
    return ok


def finish_session(job, dcr, eos_label, ok: bool, current, done_files: list) -> bool:
    """End the job's session on the volume (``eos_label()`` gives the EOS
    label), send the attributes of the files written (when all went well)
    and release the device; returns *ok*, False after an error."""
    try:
        dcr.finish(eos_label(), commit=ok and not job.is_canceled)
        if ok and not job.is_canceled:
            if current is not None:
                done_files.append(current)
            _send_attributes(job, done_files)
    except (AppendError, CatalogError, DeviceError) as exc:
        if ok and not job.is_canceled:
            job.fatal(f"Fatal append error on device {dcr.dev.print_name()}: ERR={exc}")
        ok = False
    try:
        dcr.release()
    except (AppendError, CatalogError, DeviceError) as exc:
        job.warning(str(exc))
    return ok


def delete_placeholder_jobmedia(job) -> None:
    """Ask the Director to drop the job's placeholder JobMedia records."""
    try:
        reply = job.dir_request(P.delete_null_jobmedia(job.job, job.job_id))
        if not reply.startswith("1000"):
            job.warning("Could not delete placeholder media records.")
    except CatalogError:
        job.warning("Could not delete placeholder media records.")


def report_elapsed(job, run_time: float) -> None:
    """``Elapsed time=hh:mm:ss, Transfer rate=... Bytes/second`` of the job."""
    elapsed = max(1, int(time.time() - run_time))
    job.info(f"Elapsed time={elapsed // 3600:02d}:{elapsed % 3600 // 60:02d}:{elapsed % 60:02d}, "
             f"Transfer rate={edit_uint64_with_suffix(job.bytes // elapsed)} Bytes/second")


#: attribute records are written to the Director in bursts of this many files
ATTRIBUTE_BURST = 512


def _send_attributes(job, files: list[_Attr]) -> None:
    """Forward the attribute records of *files* (whose data is on the volume)
    to the Director: the same ``UpdCat`` packets as one ``send()`` each, but
    written in bursts with one ``sendall`` (one TLS record per ~16 KiB
    instead of one per record)."""
    if not files:
        return
    if not job.cmd.no_attributes:
        spool = job.attr_spool
        for i in range(0, len(files), ATTRIBUTE_BURST):
            wire = P.file_attribute_packets(
                job.job, job.vol_session_id, job.vol_session_time,
                [(f.file_index, f.records) for f in files[i:i + ATTRIBUTE_BURST]])
            if wire:
                if spool is not None:
                    from bareos.stored.spool import SpoolError
                    try:
                        spool.write(wire)   # to the Director once the data is committed
                    except SpoolError as exc:
                        raise AppendError(str(exc)) from exc
                else:
                    job.dir.send_packets(wire)
    job.files = files[-1].file_index
    files.clear()
