"""The Storage Daemon's side of the daemon protocols, without I/O.

Parsers for what the Director and the File Daemon send, builders for what the
SD answers and asks.  Parsing follows Bareos's ``bsscanf`` (see
:mod:`bareos.lib.scan`), so the same lines are accepted and refused as by a real SD.
Every string here is a wire format of docs/storage-daemon.md and
daemon-protocols.md; keep them byte for byte.
"""

from __future__ import annotations

import re
import secrets
import struct
from dataclasses import dataclass, field

from bareos.lib.bnet import MAX_PAYLOAD, bash_spaces, encode_packet, unbash_spaces
from bareos.lib.scan import bsscanf


def as_text(msg: bytes | str) -> str:
    """A received message as text (C code stops at the first NUL)."""
    if isinstance(msg, bytes):
        msg = msg.decode("utf-8", "surrogateescape")
    return msg.split("\0", 1)[0]


# --------------------------------------------------------------------------
# Session key, counters
# --------------------------------------------------------------------------


def make_session_key(rand: bytes | None = None) -> str:
    """Bareos's ``MakeSessionKey``: 16 random bytes, each as two letters
    ``'A'+low nibble``, ``'A'+high nibble``, a ``-`` after every second byte,
    the last ``-`` dropped (39 characters, alphabet A-P)."""
    raw = rand if rand is not None else secrets.token_bytes(16)
    if len(raw) != 16:
        raise ValueError("a session key needs 16 bytes")
    parts = []
    for j, b in enumerate(raw):
        parts.append(chr(65 + (b & 0x0F)) + chr(65 + (b >> 4)))
        if j & 1:
            parts.append("-")
    return "".join(parts)[:-1]


# --------------------------------------------------------------------------
# Director commands
# --------------------------------------------------------------------------

JOB_CMD = ("JobId=%d job=%127s job_name=%127s client_name=%127s "
           "type=%d level=%d FileSet=%127s NoAttr=%d SpoolAttr=%d FileSetMD5=%127s "
           "SpoolData=%d PreferMountedVols=%d SpoolSize=%127s "
           "rerunning=%d VolSessionId=%d VolSessionTime=%d Quota=%llu "
           "Protocol=%d BackupFormat=%127s\n")


@dataclass
class JobCommand:
    job_id: int
    job: str
    job_name: str
    client_name: str
    job_type: str          # letter
    job_level: str         # letter
    fileset_name: str
    no_attributes: bool
    spool_attributes: bool
    fileset_md5: str
    spool_data: bool
    prefer_mounted_vols: bool
    spool_size: int
    rerunning: bool
    vol_session_id: int
    vol_session_time: int
    quota: int
    protocol: int
    backup_format: str


class CommandError(ValueError):
    """A command that does not parse; ``reply`` is what the SD answers."""

    def __init__(self, reply: str) -> None:
        super().__init__(reply.rstrip("\n"))
        self.reply = reply


def parse_job_command(line: str) -> JobCommand:
    v = bsscanf(line, JOB_CMD)
    if len(v) != 19:
        raise CommandError(f"3915 Bad Job command. stat={len(v)} CMD: {line}\n")
    try:
        spool_size = int(v[12])
    except ValueError:
        spool_size = 0
    return JobCommand(
        job_id=v[0], job=v[1], job_name=unbash_spaces(v[2]), client_name=unbash_spaces(v[3]),
        job_type=_letter(v[4]), job_level=_letter(v[5]), fileset_name=unbash_spaces(v[6]),
        no_attributes=bool(v[7]), spool_attributes=bool(v[8]), fileset_md5=v[9],
        spool_data=bool(v[10]), prefer_mounted_vols=bool(v[11]), spool_size=spool_size,
        rerunning=bool(v[13]), vol_session_id=v[14], vol_session_time=v[15], quota=v[16],
        protocol=v[17], backup_format=unbash_spaces(v[18]))


def _letter(code: int) -> str:
    return chr(code) if 0 < code < 0x110000 else " "


def ok_job(sdid: int, sdtime: int, key: str) -> str:
    return f"3000 OK Job SDid={sdid} SDtime={sdtime} Authorization={key}\n"


USE_STORAGE = ("use storage=%127s media_type=%127s "
               "pool_name=%127s pool_type=%127s append=%d copy=%d stripe=%d\n")
USE_DEVICE = "use device=%127s\n"


@dataclass
class DirStore:
    """One ``use storage=`` block of a reservation request."""

    append: bool
    name: str
    media_type: str
    pool_name: str
    pool_type: str
    copy: int = 0
    stripe: int = 0
    device_names: list[str] = field(default_factory=list)


def parse_use_storage(line: str) -> DirStore | None:
    v = bsscanf(line, USE_STORAGE)
    if len(v) != 7:
        return None
    return DirStore(bool(v[4]), unbash_spaces(v[0]), unbash_spaces(v[1]), unbash_spaces(v[2]),
                    unbash_spaces(v[3]), v[5], v[6])


def parse_use_device(line: str) -> str | None:
    v = bsscanf(line, USE_DEVICE)
    if len(v) != 1:
        return None
    return unbash_spaces(v[0])


def ok_use_device(device_name: str) -> str:
    return f"3000 OK use device device={bash_spaces(device_name)}\n"


def no_device(device_name: str) -> str:
    return f'3924 Device "{device_name}" not in SD Device resources or no matching Media Type.\n'


def bad_use(line: str) -> str:
    return f"3913 Bad use command: {line}\n"


LABEL_CMD = ("label %127s VolumeName=%127s PoolName=%127s "
             "MediaType=%127s Slot=%hd drive=%hd MinBlocksize=%d MaxBlocksize=%d")
RELABEL_CMD = ("relabel %127s OldName=%127s NewName=%127s PoolName=%127s "
               "MediaType=%127s Slot=%hd drive=%hd MinBlocksize=%d MaxBlocksize=%d")


@dataclass
class LabelCommand:
    device: str
    volume: str
    pool: str
    media_type: str
    slot: int
    drive: int
    min_block_size: int
    max_block_size: int
    old_volume: str = ""
    relabel: bool = False


def parse_label_command(line: str) -> LabelCommand | None:
    if line.startswith("relabel"):
        v = bsscanf(line, RELABEL_CMD)
        if len(v) != 9:
            return None
        return LabelCommand(unbash_spaces(v[0]), unbash_spaces(v[2]), unbash_spaces(v[3]),
                            unbash_spaces(v[4]), v[5], v[6], v[7], v[8],
                            old_volume=unbash_spaces(v[1]), relabel=True)
    v = bsscanf(line, LABEL_CMD)
    if len(v) != 8:
        return None
    return LabelCommand(unbash_spaces(v[0]), unbash_spaces(v[1]), unbash_spaces(v[2]),
                        unbash_spaces(v[3]), v[4], v[5], v[6], v[7])


def parse_device_command(line: str, verb: str) -> tuple[str, int, int] | None:
    """``mount <dev> drive=<n> [slot=<n>]``, ``unmount``/``release <dev> drive=<n>``
    -> (device, drive, slot)."""
    if verb == "mount":
        v = bsscanf(line, "mount %127s drive=%hd slot=%hd")
        if len(v) == 3:
            return unbash_spaces(v[0]), v[1], v[2]
    v = bsscanf(line, f"{verb} %127s drive=%hd")
    if len(v) == 2:
        return unbash_spaces(v[0]), v[1], 0
    return None


def parse_cancel(line: str) -> str | None:
    v = bsscanf(line, "cancel Job=%127s")
    return v[0] if len(v) == 1 else None


def parse_passive(line: str) -> tuple[str, int, int] | None:
    v = bsscanf(line, "passive client address=%s port=%d ssl=%d")
    if len(v) != 3:
        return None
    return v[0], v[1], v[2]


def parse_setdebug(line: str) -> tuple[int, int, int | None] | None:
    v = bsscanf(line, "setdebug=%d trace=%d timestamp=%d")
    if len(v) == 3:
        return v[0], v[1], v[2]
    v = bsscanf(line, "setdebug=%d trace=%d")
    if len(v) == 2:
        return v[0], v[1], None
    return None


# --------------------------------------------------------------------------
# Catalog requests (SD -> DIR) and the Director's volume-info answer
# --------------------------------------------------------------------------

OK_MEDIA = ("1000 OK VolName=%127s VolJobs=%u VolFiles=%lu"
            " VolBlocks=%lu VolBytes=%lld VolMounts=%lu VolErrors=%lu VolWrites=%lu"
            " MaxVolBytes=%lld VolCapacityBytes=%lld VolStatus=%20s"
            " Slot=%ld MaxVolJobs=%lu MaxVolFiles=%lu InChanger=%ld"
            " VolReadTime=%lld VolWriteTime=%lld EndFile=%lu EndBlock=%lu"
            " LabelType=%ld MediaId=%lld EncryptionKey=%127s"
            " MinBlocksize=%lu MaxBlocksize=%lu\n")


@dataclass
class VolumeInfo:
    """What the Director says about a volume (``1000 OK VolName=...``)."""

    name: str
    jobs: int = 0
    files: int = 0
    blocks: int = 0
    bytes: int = 0
    mounts: int = 0
    errors: int = 0
    writes: int = 0
    max_bytes: int = 0
    capacity_bytes: int = 0
    status: str = "Append"
    slot: int = 0
    max_jobs: int = 0
    max_files: int = 0
    in_changer: int = 0
    read_time: int = 0
    write_time: int = 0
    end_file: int = 0
    end_block: int = 0
    label_type: int = 0
    media_id: int = 0
    encryption_key: str = ""
    min_blocksize: int = 0
    max_blocksize: int = 0
    first_written: int = 0     # kept by the SD, sent in UpdateMedia

    def reply(self) -> str:
        """The Director's line for this volume (tests and toy Directors)."""
        return (f"1000 OK VolName={bash_spaces(self.name)} VolJobs={self.jobs} "
                f"VolFiles={self.files} VolBlocks={self.blocks} VolBytes={self.bytes} "
                f"VolMounts={self.mounts} VolErrors={self.errors} VolWrites={self.writes} "
                f"MaxVolBytes={self.max_bytes} VolCapacityBytes={self.capacity_bytes} "
                f"VolStatus={self.status} Slot={self.slot} MaxVolJobs={self.max_jobs} "
                f"MaxVolFiles={self.max_files} InChanger={self.in_changer} "
                f"VolReadTime={self.read_time} VolWriteTime={self.write_time} "
                f"EndFile={self.end_file} EndBlock={self.end_block} "
                f"LabelType={self.label_type} MediaId={self.media_id} "
                f"EncryptionKey={self.encryption_key} MinBlocksize={self.min_blocksize} "
                f"MaxBlocksize={self.max_blocksize}\n")


def parse_volume_info(line: str) -> VolumeInfo | None:
    """The 24-field volume-info reply; None for anything else (as Bareos)."""
    v = bsscanf(line, OK_MEDIA)
    if len(v) != 24:
        return None
    return VolumeInfo(unbash_spaces(v[0]), *v[1:10], v[10], *v[11:21], v[21], v[22], v[23])


def find_media(job: str, index: int, pool: str, media_type: str, unwanted: list[str]) -> str:
    return (f"CatReq Job={job} FindMedia={index} pool_name={bash_spaces(pool)} "
            f"media_type={bash_spaces(media_type)} "
            f"unwanted_volumes={bash_spaces(','.join(unwanted))}\n")


def get_vol_info(job: str, volume: str, write: bool) -> str:
    return f"CatReq Job={job} GetVolInfo VolName={bash_spaces(volume)} write={int(write)}\n"


def update_media(job: str, vol: VolumeInfo, *, end_time: int, relabel: bool) -> str:
    return (f"CatReq Job={job} UpdateMedia VolName={bash_spaces(vol.name)}"
            f" VolJobs={vol.jobs} VolFiles={vol.files} VolBlocks={vol.blocks}"
            f" VolBytes={vol.bytes} VolMounts={vol.mounts} VolErrors={vol.errors}"
            f" VolWrites={vol.writes} MaxVolBytes={vol.max_bytes} EndTime={end_time}"
            f" VolStatus={vol.status} Slot={vol.slot} relabel={int(relabel)}"
            f" InChanger={vol.in_changer} VolReadTime={vol.read_time}"
            f" VolWriteTime={vol.write_time} VolFirstWritten={vol.first_written}\n")


def create_jobmedia(job: str, first_index: int, last_index: int, start_file: int, end_file: int,
                    start_block: int, end_block: int, media_id: int, copy: int = 0,
                    stripe: int = 0) -> str:
    return (f"CatReq Job={job} CreateJobMedia FirstIndex={first_index} LastIndex={last_index}"
            f" StartFile={start_file} EndFile={end_file} StartBlock={start_block}"
            f" EndBlock={end_block} Copy={copy} Strip={stripe} MediaId={media_id}\n")


OK_CREATE_JOBMEDIA = "1000 OK CreateJobMedia\n"


def delete_null_jobmedia(job: str, job_id: int) -> str:
    # Bareos sends this one without a newline.
    return f"CatReq Job={job} DeleteNullJobmediaRecords jobid={job_id}"


_UPDCAT_HDR = struct.Struct(">IIiiI")


def update_file_attributes(job: str, vol_session_id: int, vol_session_time: int,
                           file_index: int, stream: int, data: bytes) -> bytes:
    """``UpdCat Job=<job> FileAttributes `` + 20-byte big-endian header + record."""
    return (f"UpdCat Job={job} FileAttributes ".encode()
            + _UPDCAT_HDR.pack(vol_session_id & 0xFFFFFFFF, vol_session_time & 0xFFFFFFFF,
                               file_index, stream, len(data))
            + bytes(data))


def file_attribute_packets(job: str, vol_session_id: int, vol_session_time: int,
                           files) -> bytes:
    """The wire bytes of the ``UpdCat`` messages for the records of *files*
    (an iterable of ``(file_index, [(stream, data), ...])``): exactly
    ``bnet.encode_packet(update_file_attributes(...))`` for each record in
    turn, built with one ``struct`` call per record."""
    prefix = f"UpdCat Job={job} FileAttributes ".encode()
    fixed = len(prefix) + _UPDCAT_HDR.size
    pack = _attribute_packet_struct(len(prefix)).pack
    sid = vol_session_id & 0xFFFFFFFF
    stime = vol_session_time & 0xFFFFFFFF
    out: list[bytes] = []
    append = out.append
    for file_index, records in files:
        for stream, data in records:
            n = len(data)
            if fixed + n > MAX_PAYLOAD:
                append(encode_packet(update_file_attributes(job, vol_session_id, vol_session_time,
                                                            file_index, stream, data)))
                continue
            append(pack(fixed + n, prefix, sid, stime, file_index, stream, n))
            append(data)
    return b"".join(out)


_PACKET_STRUCTS: dict[int, struct.Struct] = {}


def _attribute_packet_struct(prefix_len: int) -> struct.Struct:
    """Packet header + message prefix + the 20-byte record header."""
    st = _PACKET_STRUCTS.get(prefix_len)
    if st is None:
        st = _PACKET_STRUCTS[prefix_len] = struct.Struct(f">i{prefix_len}sIIiiI")
    return st


def parse_update_file_attributes(msg: bytes) -> tuple[str, int, int, int, int, bytes] | None:
    """Inverse of :func:`update_file_attributes` (tests, toy Directors)."""
    marker = b" FileAttributes "
    if not msg.startswith(b"UpdCat Job="):
        return None
    pos = msg.find(marker)
    if pos < 0:
        return None
    job = msg[len(b"UpdCat Job="):pos].decode()
    hdr = msg[pos + len(marker):pos + len(marker) + _UPDCAT_HDR.size]
    if len(hdr) != _UPDCAT_HDR.size:
        return None
    sid, stime, fi, stream, n = _UPDCAT_HDR.unpack(hdr)
    data = msg[pos + len(marker) + _UPDCAT_HDR.size:]
    if len(data) != n:
        return None
    return job, sid, stime, fi, stream, data


def job_status_line(job: str, status: str) -> str:
    return f"Status Job={job} JobStatus={ord(status)}\n"


def job_end_line(job: str, status: str, files: int, bytes_: int, errors: int) -> str:
    return f"3099 Job {job} end JobStatus={ord(status)} JobFiles={files} JobBytes={bytes_} JobErrors={errors}\n"


# --------------------------------------------------------------------------
# File Daemon data channel
# --------------------------------------------------------------------------

OK_OPEN = "3000 OK open ticket = {}\n"
NO_OPEN = "3901 Error session already open\n"
NOT_OPENED = "3902 Error session not opened\n"
OK_DATA = "3000 OK data\n"
OK_APPEND = "3000 OK append data\n"
ERROR_APPEND = "3903 Error append data\n"
FAILED_APPEND = "3999 Failed append\n"
OK_END = "3000 OK end\n"
OK_CLOSE = "3000 OK close Status = {}\n"
FD_ERROR = "3000 error\n"
FD_INVALID = "3900 Invalid command\n"


_DATA_HDR = re.compile(r"\s*([-+]?\d+)\s+([-+]?\d+)")


def parse_data_header(msg: bytes | str) -> tuple[int, int] | None:
    """``<FileIndex> <Stream> <info>`` (info ignored) -> (FileIndex, Stream).
    (Bareos reads it with C's ``sscanf``, which needs digits.)"""
    if msg.__class__ is bytes:
        # the usual "<digits> <digits> <digits>": no decoding, no regex
        parts = msg.split(None, 2)
        if len(parts) >= 2:
            a, b = parts[0], parts[1]
            if a.isdigit() and b.isdigit():
                return int(a), int(b)
    m = _DATA_HDR.match(as_text(msg))
    if m is None:
        return None
    return int(m.group(1)), int(m.group(2))


def rechdr(sid: int, stime: int, file_index: int, stream: int, length: int) -> str:
    """Header the SD sends before each record of a restore (no newline, as Bareos)."""
    return f"rechdr {sid} {stime} {file_index} {stream} {length}"


def parse_rechdr(msg: bytes | str) -> tuple[int, int, int, int, int] | None:
    v = bsscanf(as_text(msg), "rechdr %u %u %d %d %u")
    return tuple(v) if len(v) == 5 else None  # type: ignore[return-value]


READ_OPEN = "read open session = %127s %ld %ld %ld %ld %ld %ld\n"


def parse_read_open(line: str) -> tuple | None:
    v = bsscanf(line, READ_OPEN)
    return tuple(v) if len(v) == 7 else None
