"""Writing restored files to disk for ``bextract``.

One :class:`RestoreWriter` receives, in volume order, the attribute record
of a file (:meth:`start_file`), its data records (:meth:`write_data`) and
its extended-attribute records (:meth:`add_xattr_stream`), and finishes the
file when the next one starts (or at :meth:`close`): extended attributes
first, then owner, mode and times, as Bareos's ``ClosePreviousStream`` does.

It handles regular files (plain, sparse, compressed in Bareos's record
framing via :mod:`bareos.lib.compression`, old headerless GZIP), empty
files, directories (their record comes after their contents, so their times
stick), symbolic links, hard links (``FT_LNKSAVED``, linked to the already
restored partner), fifos and device nodes (device nodes need root).

This is the offline tool's writer; the File Daemon's restore does the same
work over the network and the two should share this code once the FD's
restore has landed (see docs/volume-tools.md).
"""

from __future__ import annotations

import errno
import os
import stat as _stat
import struct
from dataclasses import dataclass, field

from bareos.lib import compression
from bareos.lib.stat import Attributes, StatPacket
from bareos.lib.streams import (
    FT_DELETED, FT_DIREND, FT_FIFO, FT_LNK, FT_LNKSAVED, FT_RAW, FT_REG, FT_REGE,
    FT_SPEC, STREAM_COMPRESSED_DATA, STREAM_FILE_DATA, STREAM_GZIP_DATA,
    STREAM_SPARSE_COMPRESSED_DATA, STREAM_SPARSE_DATA, STREAM_SPARSE_GZIP_DATA,
    STREAM_WIN32_COMPRESSED_DATA, STREAM_WIN32_DATA,
)

__all__ = ["RestoreWriter", "RestoreResult", "CREATED", "EXTRACT", "SKIP", "ERROR",
           "parse_xattr_stream", "DATA_STREAMS", "XATTR_MAGIC"]

CREATED, EXTRACT, SKIP, ERROR = "created", "extract", "skip", "error"
XATTR_MAGIC = 0x5C5884
OFFSET_FADDR_SIZE = 8

_PLAIN = (STREAM_FILE_DATA, STREAM_SPARSE_DATA, STREAM_WIN32_DATA)
_COMPRESSED = (STREAM_COMPRESSED_DATA, STREAM_SPARSE_COMPRESSED_DATA,
               STREAM_WIN32_COMPRESSED_DATA)
_OLD_GZIP = (STREAM_GZIP_DATA, STREAM_SPARSE_GZIP_DATA)
_SPARSE = (STREAM_SPARSE_DATA, STREAM_SPARSE_COMPRESSED_DATA, STREAM_SPARSE_GZIP_DATA)
#: The data streams the writer restores.
DATA_STREAMS = _PLAIN + _COMPRESSED + _OLD_GZIP


def parse_xattr_stream(data: bytes) -> list[tuple[bytes, bytes]]:
    """Decode a Bareos xattr stream: repeated ``u32 magic, u32 name_len,
    name, u32 value_len, value`` (big-endian)."""
    out = []
    pos = 0
    n = len(data)
    while pos < n:
        if n - pos < 8:
            raise ValueError("xattr stream truncated")
        magic, nlen = struct.unpack_from(">II", data, pos)
        if magic != XATTR_MAGIC:
            raise ValueError("Illegal xattr stream, no XATTR_MAGIC")
        pos += 8
        name = bytes(data[pos:pos + nlen])
        pos += nlen
        if n - pos < 4:
            raise ValueError("xattr stream truncated")
        (vlen,) = struct.unpack_from(">I", data, pos)
        pos += 4
        value = bytes(data[pos:pos + vlen])
        pos += vlen
        out.append((name.rstrip(b"\0"), value))
    return out


@dataclass
class RestoreResult:
    status: str
    message: str = ""


@dataclass
class _Current:
    attrs: Attributes
    st: StatPacket
    ofname: str
    olname: str
    status: str
    fd: int = -1
    addr: int = 0
    sparse: bool = False
    data_failed: bool = False
    xattrs: list[tuple[bytes, bytes]] = field(default_factory=list)


class RestoreWriter:
    """Restore files below ``where`` (Bareos's "where" prefix)."""

    def __init__(self, where: str, report=None):
        self.where = where
        self.report = report or (lambda kind, text: None)   # kind: "error"/"warning"/"info"
        self.cur: _Current | None = None
        self.is_root = os.geteuid() == 0
        self.bytes_written = 0
        self.files_restored = 0

    # -- names ---------------------------------------------------------------

    def output_names(self, attrs: Attributes) -> tuple[str, str]:
        where = self.where
        fn = attrs.fname
        if not where:
            return fn, attrs.link
        sep = "" if where.endswith("/") or fn.startswith("/") else "/"
        ofname = where + sep + fn
        olname = attrs.link
        if attrs.type == FT_LNKSAVED and attrs.link.startswith("/"):
            olname = where.rstrip("/") + attrs.link
        return ofname, olname

    # -- file lifecycle ------------------------------------------------------

    def start_file(self, attrs: Attributes) -> RestoreResult:
        """Create the file of an attribute record (``CreateFile`` with
        replace=always).  ``EXTRACT``: data records follow; ``CREATED``:
        nothing to write; ``SKIP``/``ERROR``: nothing was made."""
        self.finish_file()
        st = attrs.stat()
        ofname, olname = self.output_names(attrs)
        t = attrs.type
        if t == FT_DELETED:
            return RestoreResult(SKIP, f"{attrs.fname} was deleted.")
        ofname_stripped = ofname.rstrip("/") if t == FT_DIREND else ofname
        try:
            parent = os.path.dirname(ofname_stripped)
            if parent:
                os.makedirs(parent, exist_ok=True)
            if t in (FT_REG, FT_REGE, FT_RAW, FT_FIFO):
                self._remove_existing(ofname)
                flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0)
                fd = os.open(ofname, flags, 0o600)
                self.cur = _Current(attrs, st, ofname, olname, EXTRACT, fd=fd)
                return RestoreResult(EXTRACT)
            if t == FT_DIREND:
                if os.path.lexists(ofname_stripped) and not os.path.isdir(ofname_stripped):
                    os.unlink(ofname_stripped)
                os.makedirs(ofname_stripped, mode=0o700, exist_ok=True)
                self.cur = _Current(attrs, st, ofname_stripped, olname, CREATED)
                return RestoreResult(CREATED)
            if t == FT_LNK:
                self._remove_existing(ofname)
                os.symlink(olname, ofname)
                self.cur = _Current(attrs, st, ofname, olname, CREATED)
                return RestoreResult(CREATED)
            if t == FT_LNKSAVED:
                self._remove_existing(ofname)
                try:
                    os.link(olname, ofname)
                except OSError as exc:
                    return RestoreResult(ERROR, f"Could not hard link {ofname} -> {olname}: "
                                                f"ERR={exc.strerror}")
                # the partner's attributes are the link's attributes
                return RestoreResult(CREATED)
            if t == FT_SPEC:
                mode = st.st_mode
                self._remove_existing(ofname)
                if _stat.S_ISFIFO(mode):
                    os.mkfifo(ofname, 0o600)
                elif _stat.S_ISCHR(mode) or _stat.S_ISBLK(mode):
                    os.mknod(ofname, _stat.S_IFMT(mode) | 0o600, st.st_rdev)
                elif _stat.S_ISSOCK(mode):
                    return RestoreResult(SKIP, f"{ofname}: sockets are not restored")
                else:
                    return RestoreResult(ERROR, f"Unknown special file mode {mode:o}: {ofname}")
                self.cur = _Current(attrs, st, ofname, olname, CREATED)
                return RestoreResult(CREATED)
        except OSError as exc:
            return RestoreResult(ERROR, f"Could not create {ofname}: ERR={exc.strerror}")
        return RestoreResult(SKIP, f"{attrs.fname}: file type {t} is not restored by bextract")

    def _remove_existing(self, path: str) -> None:
        try:
            st = os.lstat(path)
        except FileNotFoundError:
            return
        if _stat.S_ISDIR(st.st_mode):
            raise OSError(errno.EISDIR, os.strerror(errno.EISDIR), path)
        os.unlink(path)

    @property
    def extracting(self) -> bool:
        return self.cur is not None and self.cur.status == EXTRACT and not self.cur.data_failed

    def write_data(self, stream: int, data) -> bool:
        """Write one data record of the current file (masked stream id).
        Returns False when the record could not be used (reported)."""
        cur = self.cur
        if cur is None or cur.fd < 0 or cur.data_failed:
            return False
        mv = memoryview(data)
        try:
            if stream in _SPARSE:
                if len(mv) < OFFSET_FADDR_SIZE:
                    raise ValueError("sparse record shorter than its offset")
                (faddr,) = struct.unpack_from(">Q", mv, 0)
                mv = mv[OFFSET_FADDR_SIZE:]
                cur.sparse = True
                if faddr != cur.addr:
                    os.lseek(cur.fd, faddr, os.SEEK_SET)
                    cur.addr = faddr
            if stream in _COMPRESSED:
                payload = compression.decompress_record(mv)
            elif stream in _OLD_GZIP:
                import zlib
                payload = zlib.decompress(mv)
            elif stream in _PLAIN:
                payload = mv
            else:
                return False
            view = memoryview(payload)
            while view:
                n = os.write(cur.fd, view)
                view = view[n:]
            cur.addr += len(payload)
            self.bytes_written += len(payload)
            return True
        except (compression.CompressionError, ValueError) as exc:
            cur.data_failed = True
            self.report("error", f"{cur.ofname}: {exc}")
            return False
        except OSError as exc:
            cur.data_failed = True
            self.report("error", f"Write error on {cur.ofname}: {exc.strerror}")
            return False

    def add_xattr_stream(self, data) -> None:
        cur = self.cur
        if cur is None:
            return
        try:
            cur.xattrs.extend(parse_xattr_stream(bytes(data)))
        except ValueError as exc:
            self.report("error", f"{exc} on file \"{cur.ofname}\"")

    def finish_file(self) -> None:
        """Close the current file and set xattrs, owner, mode and times."""
        cur, self.cur = self.cur, None
        if cur is None:
            return
        st = cur.st
        if cur.fd >= 0:
            try:
                if cur.sparse and cur.addr < st.st_size:
                    # a trailing hole: give the file its full length
                    size = os.fstat(cur.fd).st_size
                    if size < st.st_size:
                        os.ftruncate(cur.fd, st.st_size)
            except OSError:
                pass
            os.close(cur.fd)
            cur.fd = -1
        path = cur.ofname
        link = cur.attrs.type == FT_LNK
        for name, value in cur.xattrs:
            try:
                os.setxattr(path, name, value, follow_symlinks=not link)
            except OSError as exc:
                self.report("error", f"setxattr error on file \"{path}\": ERR={exc.strerror}")
        try:
            os.chown(path, st.st_uid, st.st_gid, follow_symlinks=not link)
        except OSError as exc:
            if self.is_root:
                self.report("error", f"Unable to set file owner {path}: ERR={exc.strerror}")
        if not link:
            try:
                os.chmod(path, _stat.S_IMODE(st.st_mode))
            except OSError as exc:
                self.report("error", f"Unable to set file modes {path}: ERR={exc.strerror}")
        try:
            os.utime(path, (st.st_atime, st.st_mtime), follow_symlinks=not link)
        except (OSError, NotImplementedError) as exc:
            self.report("error", f"Unable to set file times {path}: ERR={exc}")

    def close(self) -> None:
        self.finish_file()
