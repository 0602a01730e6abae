"""Reading records for a restore (Bareos's read.cc and read_record.cc).

The bootstrap (BSR) the Director sent lists the volumes and selects
sessions, file indexes and positions.  For every volume in BSR order the
device opens it, checks its label, moves forward to the first position the
BSR needs (``VolAddr``), and reads blocks; records are reassembled across
blocks *and* volumes, filtered by the BSR and sent to the File Daemon as
``rechdr <VolSessionId> <VolSessionTime> <FileIndex> <Stream> <len>`` followed
by one message with the record's data; labels are not sent.  An EOD ends the
data.
"""

from __future__ import annotations

import logging
import struct

from bareos.lib import bnet
from bareos.lib.bsr import ALL_DONE, NO_MATCH, BsrMatcher
from bareos.lib.jobcodes import JS_RUNNING
from bareos.stored import protocol as P
from bareos.stored.device import DeviceError, VolumeLabelError, split_address
from bareos.stored.volume import RecordReader, SessionLabel
from bareos.stored.volume.block import BlockReader, DamagedBlock
from bareos.stored.volume.record import EOS_LABEL, SOS_LABEL

log = logging.getLogger("bareos.stored.read")

CHUNK = 1 << 20
_HEADER_PACK = struct.Struct("!i").pack


def do_read_data(job, fd) -> bool:
    from bareos.plugins import sd as sdplugins

    dev = job.read_device
    bsr = job.bsr
    if bsr is None or not bsr.volume_list():
        job.fatal("No Volume names found for restore.")
        fd.send(P.FD_ERROR)
        return False
    if dev is None:
        job.fatal("No device reserved for reading.")
        fd.send(P.FD_ERROR)
        return False
    fd.send(P.OK_DATA)
    job.send_status(JS_RUNNING)
    matcher = BsrMatcher(bsr)
    reader = RecordReader()
    ok = True
    with dev.lock:
        dev.num_readers += 1
    try:
        for vol in bsr.volume_list():
            if matcher.done:
                break
            if not matcher.wants_volume(vol.name):
                continue
            if not _load_volume(job, dev, vol):
                ok = False
                break
            r = _read_volume(job, fd, dev, vol.name, matcher, reader)
            if r is None:
                ok = False
                break
            if r is ALL_DONE:
                break
        if ok:
            job.info("End of all volumes.")
        sdplugins.job_end(job)
    except (bnet.BnetError, OSError) as exc:
        job.fatal(f"Error sending to File daemon. ERR={exc}")
        ok = False
    finally:
        release_read_device(job, dev)
    try:
        fd.signal(bnet.BNET_EOD)
    except (bnet.BnetError, OSError):
        ok = False
    return ok


def release_read_device(job, dev) -> None:
    """The job stops reading from *dev*: close it, release the reservation."""
    with dev.lock:
        dev.num_readers = max(0, dev.num_readers - 1)
        if dev.mode == "read":
            dev.close()
            dev.volume_name = ""
            dev.label = None
    job.info(f"Releasing device {dev.print_name()}.")
    job.sd.devices.release(dev, job.job_id)
    job.read_device = None


def _load_volume(job, dev, vol) -> bool:
    """A drive of an autochanger: load the volume's slot (from the BSR, else
    from the Director's catalog)."""
    ch = dev.changer
    if ch is None or not ch.attached(dev) or ch.virtual(dev):
        return True
    slot, in_changer = vol.slot, vol.slot > 0
    if slot <= 0:
        try:
            info = job.volume_request(P.get_vol_info(job.job, vol.name, False))
        except Exception:  # the catalog request failing is reported below
            info = None
        if info is not None:
            slot, in_changer = info.slot, bool(info.in_changer)
    with dev.lock:
        r = ch.autoload(dev, slot, in_changer, vol.name, job.info, job=job.job)
    if r != 1:
        job.fatal(f'Cannot load Volume "{vol.name}" (slot {slot}) into device '
                  f"{dev.print_name()} for reading.")
        return False
    return True


def _read_volume(job, fd, dev, name: str, matcher: BsrMatcher, reader: RecordReader):
    from bareos.plugins import sd as sdplugins

    """Send the selected records of one volume; ALL_DONE when the BSR is
    satisfied, True to go on with the next volume, None on error."""
    with dev.lock:
        try:
            dev.open(name, "read")
            sdplugins.generate_event(job, sdplugins.bSdEventDeviceOpen, dev)
            dev.read_volume_label(expected=name)
            sdplugins.generate_event(job, sdplugins.bSdEventLabelRead, dev)
            sdplugins.generate_event(job, sdplugins.bSdEventLabelVerified, dev)
        except (VolumeLabelError, DeviceError) as exc:
            job.fatal(f'Cannot open Volume "{name}" for reading: {exc}')
            dev.close()
            return None
        dev.volume_name = name
    records = volume_records(job, dev, name, matcher, reader)
    plugins = sdplugins.job_plugins(job) is not None
    translate = sdplugins.translate
    out = PacketBatch(fd)
    add = out.add_record
    try:
        try:
            while True:
                rec = next(records)
                if plugins:
                    rstream, rdata = translate(job, dev, rec.stream, rec.data, False)
                else:
                    rstream, rdata = rec.stream, rec.data
                add(rec.vol_session_id, rec.vol_session_time, rec.file_index, rstream, rdata)
        except StopIteration as stop:
            result = stop.value
    finally:
        out.flush()
    if result is None:
        return None
    sdplugins.generate_event(job, sdplugins.bSdEventDeviceClose, dev)
    return result


class PacketBatch:
    """The records of a restore for the File Daemon, framed as ``BSock.send``
    would frame them (a ``rechdr`` packet, then the data packet) and written
    with one ``send_packets`` per :attr:`LIMIT` bytes: one TLS record and one
    system call carry many small files instead of two each."""

    LIMIT = 256 * 1024

    def __init__(self, fd) -> None:
        self.fd = fd
        self.parts: list = []
        self.size = 0

    def add_record(self, sid: int, stime: int, file_index: int, stream: int, data) -> None:
        n = len(data)
        head = b"rechdr %d %d %d %d %d" % (sid, stime, file_index, stream, n)
        parts = self.parts
        parts.append(_HEADER_PACK(len(head)))
        parts.append(head)
        if n <= bnet.MAX_PAYLOAD:
            parts.append(_HEADER_PACK(n))
            parts.append(data)
        else:
            parts.append(bnet.encode_packet(data))
        self.size += n + len(head) + 8
        if self.size >= self.LIMIT:
            self.flush()

    def flush(self) -> None:
        if self.parts:
            wire = b"".join(self.parts)
            self.parts = []
            self.size = 0
            self.fd.send_packets(wire)


def volume_records(job, dev, name: str, matcher: BsrMatcher, reader: RecordReader,
                   labels: bool = False):
    """Yield the records of the opened volume *name* that the bootstrap
    selects (from the BSR's start address when it positions), and close the
    volume at its end.  *labels* also yields the session-start labels of
    selected sessions.  Returns ALL_DONE when the bootstrap is satisfied,
    True at the end of the volume, None when the job was canceled (the
    volume is left open)."""
    job.info(f'Ready to read from volume "{name}" on device {dev.print_name()}.')
    if name not in job.volume_names:
        job.volume_names.append(name)
    start = 0
    if matcher.bsr.use_positioning:
        starts = [e.start_address() for e in matcher.bsr.entries if name in e.volume_names]
        start = min(starts) if starts else 0
    if start:
        f, b = split_address(start)
        job.info(f'Forward spacing Volume "{name}" to file:block {f}:{b}.')
    dev.seek(start)
    blocks = BlockReader(checksum=dev.settings.block_checksum, offset=start, name=name)
    sessions: dict[tuple[int, int], SessionLabel] = {}
    first = start == 0
    result = True
    done = False
    while not done:
        chunk = dev.read(CHUNK)
        if chunk:
            blocks.feed(chunk)
            items = []
            while (item := blocks.next()) is not None:
                items.append(item)
        else:
            items = blocks.close()
            done = True
        for item in items:
            if isinstance(item, DamagedBlock):
                job.jmsg(4, item.message(name))
                continue
            if not first and not matcher.match_block(item.vol_session_id, item.vol_session_time):
                continue
            here = item.offset + item.header.block_len - 1
            for rec in reader.read_block(item):
                fi = rec.file_index
                if first:
                    first = False
                    continue          # the volume label
                key = (rec.vol_session_id, rec.vol_session_time)
                if fi < 0:
                    if fi == SOS_LABEL:
                        try:
                            sessions[key] = SessionLabel.decode(rec.data, fi)
                        except ValueError:
                            pass
                        if labels and matcher.match_block(*key):
                            yield rec
                    elif fi == EOS_LABEL:
                        sessions.pop(key, None)
                    continue
                m = matcher.match(name, rec, sessions.get(key), here)
                if m == ALL_DONE:
                    result = ALL_DONE
                    done = True
                    break
                if m == NO_MATCH:
                    continue
                dev.read_bytes += len(rec.data)
                yield rec
            if done:
                break
        if job.is_canceled:
            return None
    with dev.lock:
        f, _ = split_address(dev.position)
        job.info(f'End of Volume at file {f} on device {dev.print_name()}, Volume "{name}"')
        dev.close()
    return result
