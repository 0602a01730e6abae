"""Volume and session labels, serialised as Bareos does (network byte order,
NUL-terminated strings, ``btime`` = signed 64-bit microseconds since the
epoch, ``float64`` = IEEE double).

Volume label record (FileIndex VOL_LABEL, or PRE_LABEL on old tapes)::

    string Id "Bareos 2.0 immortal\\n" | u32 VerNum 20 | btime label_btime |
    btime write_btime | float64 write_date 0 | float64 write_time 0 |
    string VolumeName | PrevVolumeName | PoolName | PoolType | MediaType |
    HostName | LabelProg | ProgVersion | ProgDate

Session label (SOS_LABEL / EOS_LABEL, Stream = JobId)::

    string Id | u32 VerNum | u32 JobId | btime write_btime | float64 0 |
    string PoolName | PoolType | JobName | ClientName | Job | FileSetName |
    u32 JobType | u32 JobLevel | string FileSetMD5
    EOS only: u32 JobFiles | u64 JobBytes | u32 StartBlock | u32 EndBlock |
              u32 StartFile | u32 EndFile | u32 JobErrors | u32 JobStatus

Readers also accept the older VerNum layouts (< 11: float dates, < 10: no
Job/FileSet fields), as Bareos does.
"""

from __future__ import annotations

import struct
import time
from dataclasses import dataclass, field

from bareos.stored.volume.record import EOS_LABEL, PRE_LABEL, SOS_LABEL, VOL_LABEL

__all__ = [
    "BAREOS_ID", "BAREOS_TAPE_VERSION", "SER_LENGTH_LABEL", "LabelError",
    "btime_now", "btime_to_unix", "unix_to_btime",
    "VolumeLabel", "SessionLabel", "default_prog_version", "default_prog_date",
]

BAREOS_ID = "Bareos 2.0 immortal\n"
BAREOS_TAPE_VERSION = 20
#: Bareos reserves 1024 bytes for a serialised label.
SER_LENGTH_LABEL = 1024

_U32 = struct.Struct(">I")
_U64 = struct.Struct(">Q")
_I64 = struct.Struct(">q")
_F64 = struct.Struct(">d")


class LabelError(ValueError):
    """A label record that cannot be decoded or is not a Bareos label."""


def btime_now() -> int:
    """Current time as a Bareos btime (microseconds since the epoch)."""
    return time.time_ns() // 1000


def btime_to_unix(bt: int) -> int:
    return bt // 1_000_000


def unix_to_btime(t: float) -> int:
    return int(t * 1_000_000)


def default_prog_version() -> str:
    from bareos.lib.version import BDATE, VERSION
    return f"Ver. {VERSION[:26]} {BDATE[:17]}"


def default_prog_date() -> str:
    """``Build <date time>`` in the form of C's ``__DATE__ " " __TIME__``,
    which is what Bareos binaries put here; we use our release date."""
    import datetime
    from bareos.lib.version import BDATE
    try:
        d = datetime.datetime.strptime(BDATE, "%d %B %Y")
    except ValueError:
        return f"Build {BDATE}"
    months = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
    return f"Build {months[d.month - 1]} {d.day:2d} {d.year} 00:00:00"


class _Writer:
    __slots__ = ("parts",)

    def __init__(self):
        self.parts: list[bytes] = []

    def string(self, s: str) -> None:
        b = s.encode("utf-8", "surrogateescape")
        if b"\0" in b:
            raise LabelError(f"label string contains NUL: {s!r}")
        self.parts.append(b + b"\0")

    def u32(self, v: int) -> None:
        self.parts.append(_U32.pack(v & 0xFFFFFFFF))

    def u64(self, v: int) -> None:
        self.parts.append(_U64.pack(v & 0xFFFFFFFFFFFFFFFF))

    def btime(self, v: int) -> None:
        self.parts.append(_I64.pack(v))

    def f64(self, v: float) -> None:
        self.parts.append(_F64.pack(v))

    def done(self) -> bytes:
        data = b"".join(self.parts)
        if len(data) > SER_LENGTH_LABEL:
            raise LabelError(f"serialised label is {len(data)} bytes, more than {SER_LENGTH_LABEL}")
        return data


class _Reader:
    __slots__ = ("data", "pos", "what")

    def __init__(self, data, what: str):
        self.data = bytes(data)
        self.pos = 0
        self.what = what

    def _need(self, n: int) -> None:
        if self.pos + n > len(self.data):
            raise LabelError(f"{self.what} truncated at byte {self.pos} ({len(self.data)} bytes)")

    def string(self) -> str:
        end = self.data.find(b"\0", self.pos)
        if end < 0:
            raise LabelError(f"{self.what} truncated: unterminated string at byte {self.pos}")
        s = self.data[self.pos:end].decode("utf-8", "surrogateescape")
        self.pos = end + 1
        return s

    def u32(self) -> int:
        self._need(4)
        v = _U32.unpack_from(self.data, self.pos)[0]
        self.pos += 4
        return v

    def u64(self) -> int:
        self._need(8)
        v = _U64.unpack_from(self.data, self.pos)[0]
        self.pos += 8
        return v

    def btime(self) -> int:
        self._need(8)
        v = _I64.unpack_from(self.data, self.pos)[0]
        self.pos += 8
        return v

    def f64(self) -> float:
        self._need(8)
        v = _F64.unpack_from(self.data, self.pos)[0]
        self.pos += 8
        return v


@dataclass(slots=True)
class VolumeLabel:
    volume_name: str
    pool_name: str = ""
    media_type: str = ""
    pool_type: str = "Backup"
    prev_volume_name: str = ""
    host_name: str = ""
    label_prog: str = "bareos-sd"
    prog_version: str = field(default_factory=default_prog_version)
    prog_date: str = field(default_factory=default_prog_date)
    label_btime: int = field(default_factory=btime_now)
    write_btime: int = 0          # 0: set to "now" by encode()
    write_date: float = 0.0       # unused since VerNum 11
    write_time: float = 0.0
    label_type: int = VOL_LABEL
    ver_num: int = BAREOS_TAPE_VERSION
    id: str = BAREOS_ID
    # Only filled when reading VerNum < 11 labels.
    label_date: float = 0.0
    label_time: float = 0.0

    def encode(self) -> bytes:
        """Serialise (``CreateVolumeLabelRecord``); always the current layout."""
        if not self.write_btime:
            self.write_btime = btime_now()
        w = _Writer()
        w.string(self.id)
        w.u32(self.ver_num)
        w.btime(self.label_btime)
        w.btime(self.write_btime)
        w.f64(self.write_date)
        w.f64(self.write_time)
        for s in (self.volume_name, self.prev_volume_name, self.pool_name, self.pool_type,
                  self.media_type, self.host_name, self.label_prog, self.prog_version,
                  self.prog_date):
            w.string(s)
        return w.done()

    @classmethod
    def decode(cls, data, file_index: int = VOL_LABEL, *, check: bool = True) -> "VolumeLabel":
        """Parse a volume label record (``UnserVolumeLabel``).

        With ``check`` the Id and VerNum must be Bareos's current ones, as the
        SD requires before it uses a volume.
        """
        if file_index not in (VOL_LABEL, PRE_LABEL):
            raise LabelError(f"expecting a volume label, got FileIndex={file_index}")
        r = _Reader(data, "volume label")
        lab = cls("", label_btime=0)
        lab.label_type = file_index
        lab.id = r.string()
        lab.ver_num = r.u32()
        lab.label_date = lab.label_time = 0.0
        lab.label_btime = lab.write_btime = 0
        if lab.ver_num >= 11:
            lab.label_btime = r.btime()
            lab.write_btime = r.btime()
        else:
            lab.label_date = r.f64()
            lab.label_time = r.f64()
        lab.write_date = r.f64()
        lab.write_time = r.f64()
        lab.volume_name = r.string()
        lab.prev_volume_name = r.string()
        lab.pool_name = r.string()
        lab.pool_type = r.string()
        lab.media_type = r.string()
        lab.host_name = r.string()
        lab.label_prog = r.string()
        lab.prog_version = r.string()
        lab.prog_date = r.string()
        if check:
            if lab.id != BAREOS_ID:
                raise LabelError(f"volume has wrong Id {lab.id!r}, not a Bareos volume label")
            if lab.ver_num != BAREOS_TAPE_VERSION:
                raise LabelError(f"volume label has version {lab.ver_num}, "
                                 f"{BAREOS_TAPE_VERSION} expected")
        return lab


@dataclass(slots=True)
class SessionLabel:
    label_type: int = SOS_LABEL   # SOS_LABEL or EOS_LABEL
    job_id: int = 0
    job_name: str = ""            # Job resource name
    client_name: str = ""
    job: str = ""                 # unique job name
    fileset_name: str = ""
    fileset_md5: str = ""
    pool_name: str = ""
    pool_type: str = "Backup"
    job_type: int = ord("B")      # letter code, as an integer
    job_level: int = ord("F")
    write_btime: int = 0          # 0: "now" at encode()
    write_date: float = 0.0
    write_time: float = 0.0
    # EOS only
    job_files: int = 0
    job_bytes: int = 0
    start_block: int = 0
    end_block: int = 0
    start_file: int = 0
    end_file: int = 0
    job_errors: int = 0
    job_status: int = ord("T")
    ver_num: int = BAREOS_TAPE_VERSION
    id: str = BAREOS_ID

    @staticmethod
    def _code(v) -> int:
        return ord(v) if isinstance(v, str) else int(v)

    def encode(self) -> bytes:
        """Serialise (``CreateSessionLabel``); the record's Stream is the JobId."""
        if self.label_type not in (SOS_LABEL, EOS_LABEL):
            raise LabelError(f"bad session label type {self.label_type}")
        if not self.write_btime:
            self.write_btime = btime_now()
        w = _Writer()
        w.string(self.id)
        w.u32(self.ver_num)
        w.u32(self.job_id)
        w.btime(self.write_btime)
        w.f64(self.write_time)
        for s in (self.pool_name, self.pool_type, self.job_name, self.client_name,
                  self.job, self.fileset_name):
            w.string(s)
        w.u32(self._code(self.job_type))
        w.u32(self._code(self.job_level))
        w.string(self.fileset_md5)
        if self.label_type == EOS_LABEL:
            w.u32(self.job_files)
            w.u64(self.job_bytes)
            w.u32(self.start_block)
            w.u32(self.end_block)
            w.u32(self.start_file)
            w.u32(self.end_file)
            w.u32(self.job_errors)
            w.u32(self._code(self.job_status))
        return w.done()

    @classmethod
    def decode(cls, data, file_index: int) -> "SessionLabel":
        """Parse a session label record (``UnserSessionLabel``)."""
        if file_index not in (SOS_LABEL, EOS_LABEL):
            raise LabelError(f"expecting a session label, got FileIndex={file_index}")
        r = _Reader(data, "session label")
        lab = cls(label_type=file_index)
        lab.id = r.string()
        lab.ver_num = r.u32()
        lab.job_id = r.u32()
        if lab.ver_num >= 11:
            lab.write_btime = r.btime()
        else:
            lab.write_date = r.f64()
        lab.write_time = r.f64()
        lab.pool_name = r.string()
        lab.pool_type = r.string()
        lab.job_name = r.string()
        lab.client_name = r.string()
        if lab.ver_num >= 10:
            lab.job = r.string()
            lab.fileset_name = r.string()
            lab.job_type = r.u32()
            lab.job_level = r.u32()
        if lab.ver_num >= 11:
            lab.fileset_md5 = r.string()
        else:
            lab.fileset_md5 = ""
        if file_index == EOS_LABEL:
            lab.job_files = r.u32()
            lab.job_bytes = r.u64()
            lab.start_block = r.u32()
            lab.end_block = r.u32()
            lab.start_file = r.u32()
            lab.end_file = r.u32()
            lab.job_errors = r.u32()
            if lab.ver_num >= 11:
                lab.job_status = r.u32()
        return lab

    @property
    def job_type_letter(self) -> str:
        return chr(self.job_type) if 0 < self.job_type < 0x110000 else "?"

    @property
    def job_level_letter(self) -> str:
        return chr(self.job_level) if 0 < self.job_level < 0x110000 else "?"

    @property
    def job_status_letter(self) -> str:
        return chr(self.job_status) if 0 < self.job_status < 0x110000 else "?"
