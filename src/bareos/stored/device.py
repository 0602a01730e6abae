"""Devices: where volumes live.

:class:`Device` is the interface every backend implements (open, close, read,
write, seek, end of data, sync, volume existence) plus the state the SD keeps
per device (mounted volume, label, writers, readers, blocked state).
:class:`FileDevice` stores each volume as the file ``<Archive Device>/<Volume>``
(Bareos's ``File`` device type).  A virtual-tape or object-store backend
subclasses :class:`Device` and implements the ``_``-less primitive methods;
everything above them (labels, blocks, positions, reservation) is shared.

Positions on disk volumes are byte addresses; Bareos splits them into
``File = addr >> 32`` and ``Block = addr & 0xFFFFFFFF`` for JobMedia and BSRs.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass

from bareos.stored.protocol import VolumeInfo
from bareos.stored.volume import (
    DEFAULT_BLOCK_SIZE, NotABareosVolume, RecordReader, VolumeLabel, label_volume_block,
)
from bareos.stored.volume.block import BlockReader, DamagedBlock
from bareos.stored.volume.label import LabelError
from bareos.stored.volume.record import PRE_LABEL, VOL_LABEL

DEFAULT_MAX_BLOCK_SIZE = 1_048_576

# blocked states, as Bareos's BST_*
BST_NOT_BLOCKED = 0
BST_UNMOUNTED = 1
BST_WAITING_FOR_SYSOP = 2
BST_DOING_ACQUIRE = 3
BST_WRITING_LABEL = 4
BST_UNMOUNTED_WAITING_FOR_SYSOP = 5
BST_MOUNT = 6


class DeviceError(Exception):
    """An I/O or state error of a device; the text is for the job log."""


class VolumeLabelError(DeviceError):
    """The volume has no usable Bareos label (or another volume's label)."""

    def __init__(self, message: str, status: str) -> None:
        super().__init__(message)
        self.status = status   # "no-label", "name", "version", "io"


def split_address(addr: int) -> tuple[int, int]:
    """Disk address -> (File, Block) as JobMedia and BSRs store them."""
    return addr >> 32, addr & 0xFFFFFFFF


def _res(res, name, default=None):
    """A directive's value (its default when unset, *default* when unknown)."""
    if res is None:
        return default
    if isinstance(res, dict):
        return res.get(name, default)
    return res.get(name, default)


@dataclass
class DeviceSettings:
    """The directives of a Device resource the SD acts on."""

    name: str
    media_type: str
    archive_device: str
    device_type: str = "File"
    label_media: bool = False
    automatic_mount: bool = False
    always_open: bool = True
    maximum_block_size: int = DEFAULT_MAX_BLOCK_SIZE
    label_block_size: int = DEFAULT_BLOCK_SIZE
    maximum_concurrent_jobs: int = 1
    maximum_volume_size: int = 0
    block_checksum: bool = True
    autoselect: bool = True
    drive_index: int = 0
    read_only: bool = False
    autochanger: bool = False              # Autochanger = yes (attached to a changer)
    changer_device: str = ""
    changer_command: str | None = None     # None: not set; "": virtual disk changer
    diagnostic_device: str = ""
    max_changer_wait: int = 300
    logical_drive: int = 0                 # position in its Autochanger resource
    spool_directory: str = ""              # data spool files ("" = working directory)
    max_spool_size: int = 0                # all jobs' spool on this device (0 = no limit)
    max_job_spool_size: int = 0            # one job's spool (0 = no limit)

    @classmethod
    def from_resource(cls, res, name: str | None = None) -> "DeviceSettings":
        access = str(_res(res, "Access Mode", "readwrite") or "readwrite").lower()
        return cls(
            name=name or res.name,
            media_type=str(_res(res, "Media Type", "")),
            archive_device=str(_res(res, "Archive Device", "")),
            device_type=str(_res(res, "Device Type", "") or "File"),
            label_media=bool(_res(res, "Label Media", False)),
            automatic_mount=bool(_res(res, "Automatic Mount", False)),
            always_open=bool(_res(res, "Always Open", True)),
            maximum_block_size=int(_res(res, "Maximum Block Size", 0) or DEFAULT_MAX_BLOCK_SIZE),
            label_block_size=int(_res(res, "Label Block Size", 0) or DEFAULT_BLOCK_SIZE),
            maximum_concurrent_jobs=int(_res(res, "Maximum Concurrent Jobs", 1) or 1),
            maximum_volume_size=int(_res(res, "Maximum Volume Size", 0) or 0),
            block_checksum=bool(_res(res, "Block Checksum", True)),
            autoselect=bool(_res(res, "Auto Select", True)),
            drive_index=int(_res(res, "Drive Index", 0) or 0),
            read_only=access in ("readonly", "read", "in"),
            autochanger=bool(_res(res, "Autochanger", False)),
            changer_device=str(_res(res, "Changer Device", "") or ""),
            changer_command=(None if _res(res, "Changer Command", None) is None
                             else str(_res(res, "Changer Command", ""))),
            diagnostic_device=str(_res(res, "Diagnostic Device", "") or ""),
            max_changer_wait=int(_res(res, "Maximum Changer Wait", 300) or 300),
            spool_directory=str(_res(res, "Spool Directory", "") or ""),
            max_spool_size=int(_res(res, "Maximum Spool Size", 0) or 0),
            max_job_spool_size=int(_res(res, "Maximum Job Spool Size", 0) or 0),
        )


class Device:
    """A device and the volume mounted on it.

    Backends implement the primitives ``_open(volume, mode)``, ``_close()``,
    ``_read(n)``, ``_write(data)``, ``_seek(offset)``, ``_size()``,
    ``_sync()``, ``volume_exists(name)``, ``volume_size(name)``,
    ``_truncate()``.  Callers hold :attr:`lock` around sequences of calls.
    """

    type_name = "Device"

    def __init__(self, settings: DeviceSettings) -> None:
        self.settings = settings
        self.lock = threading.RLock()
        self.volume_name: str = ""          # mounted volume ("" = none)
        self.label: VolumeLabel | None = None
        self.vol: VolumeInfo | None = None  # catalog info of the mounted volume
        self.pool_name = ""
        self.mode = ""                      # "", "read", "append"
        self.is_open = False
        self.position = 0                   # byte address of the next read/write
        self.num_writers = 0
        self.num_reserved = 0
        self.num_readers = 0
        self.blocked = BST_NOT_BLOCKED
        self.generation = 0                 # bumped at every volume change
        self.full = False                   # mounted volume reached its end
        self.fresh = False                  # mounted volume was labeled by this mount
        self.mount_position = 0             # end of data when it was mounted
        self.attached_jobs: list[int] = []
        self.read_bytes = 0
        self.read_blocks = 0
        self.changer = None                 # the Changer this drive belongs to
        self.slot = -1                      # loaded slot: -1 unknown, 0 none
        self.spool_size = 0                 # bytes all jobs have spooled for this device

    # -- identity ----------------------------------------------------------
    @property
    def name(self) -> str:
        return self.settings.name

    @property
    def media_type(self) -> str:
        return self.settings.media_type

    def print_name(self) -> str:
        """``"Name" (archive device)`` as in Bareos's messages."""
        return f'"{self.name}" ({self.settings.archive_device})'

    # -- primitives (backend) ---------------------------------------------
    def _open(self, volume: str, mode: str) -> None:
        raise NotImplementedError

    def _close(self) -> None:
        raise NotImplementedError

    def _read(self, n: int) -> bytes:
        raise NotImplementedError

    def _write(self, data) -> None:
        raise NotImplementedError

    def _seek(self, offset: int) -> None:
        raise NotImplementedError

    def _size(self) -> int:
        raise NotImplementedError

    def _sync(self) -> None:
        raise NotImplementedError

    def _truncate(self) -> None:
        raise NotImplementedError

    def volume_exists(self, volume: str) -> bool:
        raise NotImplementedError

    def volume_size(self, volume: str) -> int:
        raise NotImplementedError

    # -- operations ---------------------------------------------------------
    def open(self, volume: str, mode: str) -> None:
        """Open *volume*: mode ``read``, ``append`` (must exist) or ``create``
        (create or truncate)."""
        if self.is_open:
            self.close()
        try:
            self._open(volume, mode)
        except OSError as exc:
            raise DeviceError(f"Unable to open device {self.print_name()}: ERR={exc.strerror or exc}") from exc
        self.is_open = True
        self.volume_name = volume
        self.position = 0
        self.mode = "append" if mode in ("append", "create") else "read"

    def close(self) -> None:
        if self.is_open:
            try:
                self._close()
            finally:
                self.is_open = False
        self.mode = ""

    def unmount(self) -> None:
        """Close and forget the mounted volume."""
        self.close()
        self.volume_name = ""
        self.label = None
        self.vol = None
        self.pool_name = ""
        self.full = False
        self.generation += 1

    def seek(self, offset: int) -> None:
        self._seek(offset)
        self.position = offset

    def eod(self) -> int:
        """Position at the end of data; returns that address."""
        size = self._size()
        self._seek(size)
        self.position = size
        return size

    def read(self, n: int) -> bytes:
        data = self._read(n)
        self.position += len(data)
        return data

    def write_block(self, block) -> tuple[int, int]:
        """Append one block; returns (start address, end address) where end
        is the address of its last byte."""
        start = self.position
        try:
            self._write(block)
        except OSError as exc:
            raise DeviceError(f"Write error at {start} on device {self.print_name()}. "
                              f"ERR={exc.strerror or exc}.") from exc
        self.position = start + len(block)
        return start, self.position - 1

    def sync(self) -> None:
        try:
            self._sync()
        except OSError as exc:
            raise DeviceError(f"Sync error on device {self.print_name()}: {exc}") from exc

    # -- labels ---------------------------------------------------------------
    def read_volume_label(self, expected: str | None = None) -> VolumeLabel:
        """Read the label of the open volume (position 0); checks the name."""
        self.seek(0)
        data = self.read(self.settings.label_block_size)
        if not data:
            raise VolumeLabelError(f"Volume on device {self.print_name()} has no label (empty).",
                                   "no-label")
        reader = BlockReader(checksum=self.settings.block_checksum, name=self.volume_name)
        reader.feed(data)
        reader.feed_eof()
        try:
            block = reader.next()
        except NotABareosVolume as exc:
            raise VolumeLabelError(str(exc), "no-label") from exc
        if block is None or isinstance(block, DamagedBlock):
            raise VolumeLabelError(f"Could not read the label block of {self.volume_name!r} "
                                   f"on device {self.print_name()}.", "io")
        records = RecordReader().read_block(block)
        if not records or records[0].file_index not in (VOL_LABEL, PRE_LABEL):
            raise VolumeLabelError(f"Volume on device {self.print_name()} has no Bareos label.",
                                   "no-label")
        try:
            label = VolumeLabel.decode(records[0].data, records[0].file_index)
        except LabelError as exc:
            raise VolumeLabelError(str(exc), "version") from exc
        if expected is not None and label.volume_name != expected:
            raise VolumeLabelError(
                f'Wrong Volume mounted on device {self.print_name()}: Wanted {expected} '
                f'have {label.volume_name}', "name")
        self.label = label
        return label

    def write_volume_label(self, volume: str, pool: str, *, host_name: str = "",
                           prog: str = "bareos-sd", vol_session_id: int = 0,
                           vol_session_time: int = 0) -> int:
        """Create (or truncate) *volume* and write its label block; leaves the
        volume open for appending; returns the volume size."""
        self.open(volume, "create")
        label = VolumeLabel(volume, pool_name=pool, media_type=self.media_type,
                            host_name=host_name, label_prog=prog)
        block = label_volume_block(label, vol_session_id=vol_session_id,
                                   vol_session_time=vol_session_time,
                                   block_size=self.settings.label_block_size,
                                   checksum=self.settings.block_checksum)
        self._truncate()
        self.seek(0)
        self.write_block(block)
        self.sync()
        self.label = label
        self.pool_name = pool
        return self.position


def _load_sync_file_range():
    """libc's sync_file_range (Linux), or None."""
    try:
        import ctypes
        import ctypes.util

        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        fn = libc.sync_file_range
    except (OSError, AttributeError, ImportError):
        return None
    fn.argtypes = (ctypes.c_int, ctypes.c_int64, ctypes.c_int64, ctypes.c_uint)
    fn.restype = ctypes.c_int
    return fn


_sync_file_range = _load_sync_file_range()
_SYNC_FILE_RANGE_WRITE = 2


class FileDevice(Device):
    """A directory with one file per volume."""

    type_name = "File"
    #: bytes written between two starts of the kernel's write-out of the
    #: volume, so that the fsync at the end of a job (our guarantee that what
    #: the job reported is on disk) finds little left to write
    WRITEBACK_STEP = 32 << 20

    def __init__(self, settings: DeviceSettings) -> None:
        super().__init__(settings)
        self._fd: int | None = None
        self._unsubmitted = 0

    def path(self, volume: str) -> str:
        if not volume or "/" in volume or volume in (".", ".."):
            raise DeviceError(f"Invalid volume name {volume!r}")
        path = os.path.join(self.settings.archive_device, volume)
        ch = self.changer
        if ch is not None and ch.attached(self) and not ch.virtual(self) \
                and not os.path.exists(path):
            # A drive of an autochanger holds one cartridge, whatever its name:
            # the file the changer put into the drive's directory.
            from bareos.stored.autochanger import files_in
            loaded = files_in(self.settings.archive_device)
            if len(loaded) == 1:
                return os.path.join(self.settings.archive_device, loaded[0])
        return path

    def _open(self, volume: str, mode: str) -> None:
        path = self.path(volume)
        if mode == "read":
            flags = os.O_RDONLY
        elif mode == "append":
            flags = os.O_RDWR
        else:
            flags = os.O_RDWR | os.O_CREAT
        self._fd = os.open(path, flags | getattr(os, "O_CLOEXEC", 0), 0o640)

    def _close(self) -> None:
        if self._fd is not None:
            fd, self._fd = self._fd, None
            os.close(fd)

    def _read(self, n: int) -> bytes:
        return os.read(self._fd, n)

    def readinto(self, buf) -> int:
        n = os.readv(self._fd, [buf])
        self.position += n
        return n

    def _write(self, data) -> None:
        mv = memoryview(data)
        while mv:
            n = os.write(self._fd, mv)
            mv = mv[n:]
        self._unsubmitted += len(data)
        if self._unsubmitted >= self.WRITEBACK_STEP:
            self._unsubmitted = 0
            if _sync_file_range is not None:
                # start writing out the dirty pages (does not wait for them)
                _sync_file_range(self._fd, 0, 0, _SYNC_FILE_RANGE_WRITE)

    def _seek(self, offset: int) -> None:
        os.lseek(self._fd, offset, os.SEEK_SET)

    def _size(self) -> int:
        return os.fstat(self._fd).st_size

    def _sync(self) -> None:
        if self._fd is not None:
            os.fsync(self._fd)

    def _truncate(self) -> None:
        os.ftruncate(self._fd, 0)

    def volume_exists(self, volume: str) -> bool:
        return os.path.isfile(self.path(volume))

    def volume_size(self, volume: str) -> int:
        try:
            return os.path.getsize(self.path(volume))
        except OSError:
            return -1


BACKENDS: dict[str, type[Device]] = {"file": FileDevice}


def create_device(settings: DeviceSettings) -> Device:
    """The backend named by ``Device Type`` (``File`` when not set)."""
    kind = (settings.device_type or "File").lower()
    cls = BACKENDS.get(kind)
    if cls is None:
        raise DeviceError(f'Device "{settings.name}": Device Type "{settings.device_type}" '
                          "is not supported by this Storage Daemon")
    return cls(settings)
