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

import functools
import logging
import struct

from bareos.lib import bnet
from bareos.lib.bsr import ALL_DONE, NO_MATCH, BsrMatcher
from bareos.lib.jobcodes import JS_RUNNING
from bareos.stored import protocol as P
from bareos.stored.device import DeviceError, VolumeLabelError, split_address
from bareos.stored.volume import Record, RecordReader, SessionLabel
from bareos.stored.volume.block import BlockReader, DamagedBlock
from bareos.stored.volume.record import EOS_LABEL, SOS_LABEL

log = logging.getLogger("bareos.stored.read")

CHUNK = 4 << 20   # volume bytes per read (blocks are up to 1 MiB)
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
    """Send the selected records of one volume; ALL_DONE when the BSR is
    satisfied, True to go on with the next volume, None on error.  A volume
    that cannot be opened or has another label is asked for and waited for
    (stored/wait.py)."""
    from bareos.plugins import sd as sdplugins
    from bareos.stored.wait import mount_for_read

    if not mount_for_read(job, dev, name, functools.partial(open_for_read, job, dev, name)):
        return None
    records = volume_records(job, dev, name, matcher, reader, raw=True)
    translate = None
    if sdplugins.job_plugins(job) is not None:
        def translate(stream, data):
            return sdplugins.translate(job, dev, stream, bytes(data), False)
    result = send_records(fd, records, translate)
    if result is None:
        return None
    sdplugins.generate_event(job, sdplugins.bSdEventDeviceClose, dev)
    return result


def open_for_read(job, dev, name: str) -> str | None:
    """Open volume *name* on *dev* and check its label (with the SD plugin
    events of both): None, or the warning for the job log (stored/wait.py's
    ``mount_for_read`` then asks for the volume and tries again)."""
    from bareos.plugins import sd as sdplugins

    with dev.lock:
        try:
            dev.open(name, "read")
            sdplugins.generate_event(job, sdplugins.bSdEventDeviceOpen, dev)
            dev.read_volume_label(expected=name)
            sdplugins.generate_event(job, sdplugins.bSdEventLabelRead, dev)
            sdplugins.generate_event(job, sdplugins.bSdEventLabelVerified, dev)
        except VolumeLabelError as exc:
            dev.close()
            return f"Read acquire: {exc}"
        except DeviceError as exc:
            dev.close()
            return f'Read open device {dev.print_name()} Volume "{name}" failed: ERR={exc}'
        dev.volume_name = name
    return None


def send_records(fd, records, translate=None):
    """Send the records *records* yields (lists of ``(file_index, stream,
    data, vol_session_id, vol_session_time, ...)`` tuples, as
    ``volume_records(..., raw=True)`` yields them; *translate*, when given,
    maps ``(stream, data)`` first) to the File Daemon, framed as ``BSock.send``
    would frame them (a ``rechdr`` packet, then the data packet), many to one
    ``send_packets`` (:data:`SEND_LIMIT` bytes): one TLS record and one
    system call carry many small files instead of two each.  Returns the
    generator's return value."""
    send = fd.send_packets
    limit = SEND_LIMIT
    pack = _HEADER_PACK
    max_payload = bnet.MAX_PAYLOAD
    encode = bnet.encode_packet
    parts: list = []
    size = 0
    result = None
    try:
        try:
            while True:
                for fi, stream, data, sid, stime, *_ in next(records):
                    if translate is not None:
                        stream, data = translate(stream, data)
                    n = len(data)
                    head = b"rechdr %d %d %d %d %d" % (sid, stime, fi, stream, n)
                    if n <= max_payload:
                        parts += (pack(len(head)), head, pack(n), data)
                    else:
                        parts += (pack(len(head)), head, encode(data))
                    size += n + 60
                    if size >= limit:
                        send(b"".join(parts))
                        parts = []
                        size = 0
        except StopIteration as stop:
            result = stop.value
    finally:
        if parts:
            send(b"".join(parts))
    return result


#: Bytes of records gathered before one send to the File Daemon.
SEND_LIMIT = 256 * 1024


def volume_records(job, dev, name: str, matcher: BsrMatcher, reader: RecordReader,
                   labels: bool = False, raw: bool = False):
    """Yield the records of the opened volume *name* that the bootstrap
    selects (from the BSR's start address when it positions), and close the
    volume at its end.  *labels* also yields the session-start labels of
    selected sessions.  Returns ALL_DONE when the bootstrap is satisfied,
    True at the end of the volume, None when the job was canceled (the
    volume is left open).  The records are :class:`Record` values; with
    *raw*, lists (one per block) of tuples of Record's fields
    (``RecordReader.read_block_raw``) whose data may be a memoryview."""
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
    match = matcher.match_fields
    read_block = reader.read_block_raw
    match_block = matcher.match_block
    # A record of the same file, session and block as the last match
    # matches too when the BSR allows it (BsrMatcher.repeats_match).
    repeat_ok = matcher.repeats_match
    last = None
    read_bytes = 0
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
            if not first and not match_block(item.vol_session_id, item.vol_session_time):
                continue
            here = item.offset + item.header.block_len - 1
            selected = []
            for rec in read_block(item):
                fi, stream, data, sid, stime, _n, _a, _c = rec
                if fi < 0:
                    if first:
                        first = False
                        continue          # the volume label
                    key = (sid, stime)
                    if fi == SOS_LABEL:
                        try:
                            sessions[key] = SessionLabel.decode(bytes(data), fi)
                        except ValueError:
                            pass
                        if labels and match_block(*key):
                            selected.append(rec)
                    elif fi == EOS_LABEL:
                        sessions.pop(key, None)
                    continue
                if first:
                    first = False
                    continue
                if last is None or last != (fi, sid, stime, here):
                    m = match(name, fi, stream, sid, stime, here, data,
                              sessions.get((sid, stime)) if sessions else None)
                    if m == ALL_DONE:
                        result = ALL_DONE
                        done = True
                        break
                    if m == NO_MATCH:
                        continue
                    if repeat_ok:
                        last = (fi, sid, stime, here)
                read_bytes += len(data)
                selected.append(rec)
            if selected:
                if raw:
                    yield selected
                else:
                    yield from map(_record, selected)
            if done:
                break
        dev.read_bytes += read_bytes
        read_bytes = 0
        if job.is_canceled:
            return None
    with dev.lock:
        f, _ = split_address(dev.position)
        job.info(f'End of Volume at file {f} on device {dev.print_name()}, Volume "{name}"')
        dev.close()
    return result


def _record(t: tuple) -> Record:
    fi, stream, data, sid, stime, number, address, continued = t
    return Record(fi, stream, data if data.__class__ is bytes else bytes(data), sid, stime,
                  number, address, continued)
