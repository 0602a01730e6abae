"""Restore: turn the records the Storage Daemon sends back into files.

:class:`Restorer` takes records one by one (``record(file_index, stream,
data)``) and needs no sockets, so tests can drive it directly; the read
session on the SD socket is in :func:`read_session`.  Per file: the
attribute record says name, type and stat; ``where`` / ``regexwhere``
rewrite the name; data streams (plain, sparse, compressed) are written;
ACL and xattr streams are applied after owner, mode and times; digests are
checked against what was written.
"""

from __future__ import annotations

import os
import queue
import stat as S
import struct
import threading

from bareos.lib import bnet, compression, digest as digestmod, jmsg
from bareos.lib.bregexp import (  # noqa: F401  (BregexpError, build_regexwhere re-exported)
    BregexpError, apply_bregexps, build_regexwhere, parse_bregexps,
)
from bareos.lib.streams import (
    FT_DELETED, FT_DIREND, FT_FIFO, FT_LNK, FT_LNKSAVED, FT_RAW, FT_REG, FT_REGE, FT_SPEC,
    STREAM_ACL_LINUX_ACCESS_ACL, STREAM_ACL_LINUX_DEFAULT_ACL, STREAM_COMPRESSED_DATA,
    STREAM_FILE_DATA, STREAM_GZIP_DATA, STREAM_PLUGIN_NAME, STREAM_SPARSE_COMPRESSED_DATA,
    STREAM_SPARSE_DATA, STREAM_SPARSE_GZIP_DATA, STREAM_UNIX_ATTRIBUTES, STREAM_UNIX_ATTRIBUTES_EX,
    STREAM_XATTR_LINUX, STREAMMASK_TYPE,
)
from bareos.lib.streams import STREAM_ACL_PLUGIN, STREAM_XATTR_PLUGIN

from . import xattr as xattrmod
from .attrfast import decode_attributes_fast
from .scan import bsscanf

_OFFSET = struct.Struct(">Q")
#: The data streams :meth:`Restorer.write_data` writes.
DATA_STREAMS = (STREAM_FILE_DATA, STREAM_SPARSE_DATA, STREAM_COMPRESSED_DATA,
                STREAM_SPARSE_COMPRESSED_DATA, STREAM_GZIP_DATA, STREAM_SPARSE_GZIP_DATA)
_IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0

# Inflating GZIP records: ISA-L's zlib-compatible decoder when the isal
# package is installed (about three times as fast on text), else zlib.
try:
    from isal.isal_zlib import decompress as _inflate
except ImportError:  # pragma: no cover - depends on the installation
    from zlib import decompress as _inflate
_COMP_HEADER = struct.Struct(">IIHH")   # magic, compressed length, level, version


def _decompress_record(data) -> bytes:
    """:func:`bareos.lib.compression.decompress_record` with the fast inflater
    for GZIP records; anything else, and every error, goes the general way."""
    if len(data) > 12:
        magic, clen, _level, version = _COMP_HEADER.unpack_from(data, 0)
        if (magic == compression.COMPRESS_GZIP and version == compression.COMP_HEAD_VERSION
                and clen + 12 == len(data)):
            try:
                return _inflate(data[12:])
            except Exception:  # noqa: BLE001 - the general decoder reports it
                pass
    return compression.decompress_record(data)
# A new regular file, failing when anything is in the way.
_O_NEW = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)


class RestoreError(Exception):
    pass


class _File:
    __slots__ = ("fi", "attrs", "st", "path", "fd", "extract", "digest", "digest_stream",
                 "delayed", "size_written", "sparse", "had_data", "ftype", "pwriter", "plugin_rp",
                 "background", "mode_set", "owner_set", "core_made")

    def __init__(self, fi, attrs, st, path, ftype):
        self.fi = fi
        self.attrs = attrs
        self.st = st
        self.path = path
        self.ftype = ftype
        self.fd = -1
        self.extract = False
        self.digest = None
        self.digest_stream = 0
        self.delayed: list = []
        self.size_written = 0
        self.sparse = False
        self.had_data = False
        self.pwriter = None
        self.plugin_rp = None
        self.background = False   # data records go to the writer thread
        self.mode_set = False     # created with its mode (no fchmod needed)
        self.owner_set = False    # created with its owner and group (no fchown needed)
        self.core_made = False    # a plugin said CF_CORE: made by the core, I/O through the plugin


class Restorer:
    """Recreate files from records (sans network)."""

    def __init__(self, jcr, where: str = "", regexwhere: str | None = None, replace: str = "a",
                 prefix_links: bool = False, xattrs_first: bool = False,
                 verify_digests: bool = False, threaded: bool = False) -> None:
        self.jcr = jcr
        # Check the MD5/SHA digest records against the data written.  Off by
        # default: Bareos's File Daemon ignores plain digest streams on restore
        # (their cost is a hash of every byte restored).
        self.verify_digests = verify_digests
        # threaded: big files (more than one data record) are decompressed and
        # written by a second thread (inflate and os.write release the GIL).
        # Off by default: measured on two busy cores it cost ~1 CPU s per GiB
        # in lock hand-offs and did not shorten the job.
        self.threaded = threaded
        self._writer: _Writer | None = None
        # ACLs/xattrs before owner, mode and times (bextract's order) instead of after
        # them (the File Daemon's order)
        self.xattrs_first = xattrs_first
        self.where = where or ""
        if self.where == "/":
            self.where = ""
        self.bregexps = parse_bregexps(regexwhere) if regexwhere else None
        self.replace = replace or "a"
        self.prefix_links = prefix_links
        self.cur: _File | None = None
        self.made_dirs: set[str] = set()
        self.created_dirs: set[str] = set()
        self.files_restored = 0
        self.bytes_restored = 0
        self.last_fi = 0
        self.digest_guess = 0
        self.plugins = None       # the job's FdJobPlugins: files of plugin streams
        # (path, atime, mtime) of restored directories: set again at the end, because
        # files of later jobs (Incrementals) restored into them change their mtime
        self.dir_times: list[tuple[str, int, int]] = []
        self._umask = _umask()
        self._euid = os.geteuid() if hasattr(os, "geteuid") else -1
        self._egid = os.getegid() if hasattr(os, "getegid") else -1
        # directory -> its group, for the files created in it (a new file gets
        # the directory's group or ours: when both are the one wanted, no fchown)
        self._dir_gid: dict[str, int] = {}

    # -- names -------------------------------------------------------------
    def output_name(self, fname: str) -> str:
        if self.bregexps is not None:
            return apply_bregexps(fname, self.bregexps)
        if self.where:
            return self.where.rstrip("/") + (fname if fname.startswith("/") else "/" + fname)
        return fname

    def _link_target(self, link: str) -> str:
        if self.prefix_links and link.startswith("/"):
            return self.output_name(link)
        return link

    # -- helpers -----------------------------------------------------------
    def _msg(self, mtype, text):
        self.jcr.jmsg(mtype, text)

    def _makepath(self, directory: str) -> None:
        if not directory or directory in self.made_dirs:
            return
        try:
            st = os.stat(directory)
            if S.S_ISDIR(st.st_mode):
                self.made_dirs.add(directory)
                return
        except OSError:
            pass
        parent = os.path.dirname(directory.rstrip("/"))
        if parent and parent != directory:
            self._makepath(parent)
        try:
            os.mkdir(directory, 0o777 & ~self._umask)
            self.created_dirs.add(directory)
        except FileExistsError:
            pass
        self.made_dirs.add(directory)

    def _remove_existing(self, path: str, is_dir_wanted: bool = False) -> None:
        try:
            st = os.lstat(path)
        except FileNotFoundError:
            return
        if S.S_ISDIR(st.st_mode):
            if is_dir_wanted:
                return
            try:
                os.rmdir(path)
            except OSError:
                pass
            return
        os.unlink(path)

    # -- records -----------------------------------------------------------
    def record(self, fi: int, stream: int, data: bytes) -> None:
        stream_type = stream & STREAMMASK_TYPE
        if stream_type in (STREAM_UNIX_ATTRIBUTES, STREAM_UNIX_ATTRIBUTES_EX):
            self.close_file()
            self.start_file(fi, data)
            return
        if stream_type == STREAM_PLUGIN_NAME:
            self.close_file()
            if self.plugins is not None:
                self.plugins.name_stream(data)
            return
        if stream_type == 28:       # STREAM_RESTORE_OBJECT: the Director sends these
            return
        cur = self.cur
        if cur is None or cur.fi != fi:
            if fi != self.last_fi:
                self._msg(jmsg.M_ERROR, f"Record header file index {fi} not equal record index "
                                        f"{cur.fi if cur else 0}")
            return
        if stream_type in DATA_STREAMS:
            if cur.extract:
                if cur.background:
                    self._writer.add(cur, stream_type, data)
                elif cur.had_data and cur.pwriter is None and self.threaded:
                    # the second data record of a file: the file is big, its
                    # decompression and writes go to the writer thread while
                    # this one receives the next records
                    cur.background = True
                    if self._writer is None:
                        self._writer = _Writer(self)
                    self._writer.add(cur, stream_type, data)
                else:
                    self.write_data(cur, stream_type, data)
        elif digestmod.is_digest_stream(stream_type):
            if self.verify_digests:       # else the record is not used
                if cur.background:
                    self._writer.drain()
                self.check_digest(cur, stream_type, data)
        elif stream_type in (STREAM_ACL_LINUX_ACCESS_ACL, STREAM_ACL_LINUX_DEFAULT_ACL,
                             STREAM_XATTR_LINUX, STREAM_ACL_PLUGIN, STREAM_XATTR_PLUGIN):
            if cur.extract:
                cur.delayed.append((stream_type, bytes(data)))
        elif 1000 <= stream_type <= 1999:
            if cur.extract:
                self._msg(jmsg.M_WARNING, f"Can't restore ACLs/xattrs of {cur.path} - incompatible "
                                          f"stream {stream_type}")
        else:
            self._msg(jmsg.M_WARNING, f"Unknown stream={stream_type} ignored. This shouldn't happen!")

    def start_file(self, fi: int, data: bytes) -> bool:
        """Make the file of an attribute record; True when it was made (data,
        ACL and xattr records of it are used)."""
        jcr = self.jcr
        attrs, st = decode_attributes_fast(data)
        self.last_fi = fi
        ftype = attrs.type
        fname = attrs.fname
        if ftype == FT_DELETED:
            self.cur = None
            return False
        if ftype == FT_DIREND:
            fname = fname.rstrip("/") or "/"
        path = self.output_name(fname)
        cur = self.cur = _File(fi, attrs, st, path, ftype)
        jcr.job_files += 1
        jcr.last_fname = path
        if self.plugins is not None and self.plugins.restoring:
            if self._plugin_start_file(cur, attrs, st, path):
                return cur.extract
        if self.replace == "a" and self._create_fast(cur):
            cur.extract = True
            self.files_restored += 1
            self._start_digest(cur)
            return True
        # replace policy
        try:
            existing = os.lstat(path)
        except OSError:
            existing = None
        if existing is not None:
            skip = None
            if self.replace == "w" and st.st_mtime <= int(existing.st_mtime):
                skip = f"File skipped. Not newer: {path}"
            elif self.replace == "o" and st.st_mtime >= int(existing.st_mtime):
                skip = f"File skipped. Not older: {path}"
            elif self.replace == "n" and not (ftype == FT_DIREND and path in self.created_dirs):
                skip = f"File skipped. Already exists: {path}"
            if skip is not None:
                self._msg(jmsg.M_INFO, skip)
                return False
        parent = os.path.dirname(path)
        try:
            self._makepath(parent)
            if ftype == FT_DIREND:
                if existing is not None and not S.S_ISDIR(existing.st_mode):
                    os.unlink(path)
                    existing = None
                if existing is None:
                    os.mkdir(path, 0o700)
                    self.created_dirs.add(path)
                self.made_dirs.add(path)
            elif ftype in (FT_REG, FT_REGE, FT_RAW, FT_FIFO):
                if ftype == FT_RAW and existing is not None and (S.S_ISBLK(existing.st_mode) or S.S_ISCHR(existing.st_mode)):
                    cur.fd = os.open(path, os.O_WRONLY)
                else:
                    if existing is not None:
                        self._remove_existing(path)
                    cur.fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
                cur.sparse = False
            elif ftype == FT_LNK:
                if existing is not None:
                    self._remove_existing(path)
                os.symlink(self._link_target(attrs.link), path)
            elif ftype == FT_LNKSAVED:
                target = self.output_name(attrs.link)
                if existing is not None:
                    self._remove_existing(path)
                os.link(target, path, follow_symlinks=False)
            elif ftype == FT_SPEC:
                if existing is not None:
                    self._remove_existing(path)
                mode = st.st_mode
                if S.S_ISFIFO(mode):
                    os.mkfifo(path, 0o600)
                elif S.S_ISSOCK(mode):
                    self._msg(jmsg.M_INFO, f"Socket file not restored: {path}")
                    return False
                else:
                    os.mknod(path, S.S_IFMT(mode) | 0o600, st.st_rdev)
            else:
                self._msg(jmsg.M_ERROR, f"Unknown file type {ftype}; not restored: {path}")
                return False
        except OSError as exc:
            self._msg(jmsg.M_ERROR, f"Could not create {path}: ERR={exc.strerror or exc}")
            if cur.fd >= 0:
                os.close(cur.fd)
                cur.fd = -1
            return False
        cur.extract = True
        self.files_restored += 1
        self._start_digest(cur)
        return True

    def _create_fast(self, cur: _File) -> bool:
        """Replace "always": make the common kinds of file without looking
        first.  True when it is made; False sends the caller down the general
        path (something is in the way, the parent is missing, another kind of
        file), which then reports any error."""
        ftype = cur.ftype
        path = cur.path
        try:
            if ftype == FT_REG or ftype == FT_REGE:
                st = cur.st
                mode = st.st_mode & 0o7777
                if mode & 0o7000 or mode & self._umask:
                    cur.fd = os.open(path, _O_NEW, 0o600)
                else:
                    # the mode the umask leaves as it is: made with it (no fchmod)
                    cur.fd = os.open(path, _O_NEW, mode)
                    cur.mode_set = True
                if st.st_uid == self._euid and st.st_gid == self._egid:
                    cur.owner_set = self._dir_gid_of(path) == self._egid
            elif ftype == FT_DIREND:
                # a directory this job made or found (its files came before it)
                return path in self.made_dirs
            elif ftype == FT_LNK:
                os.symlink(self._link_target(cur.attrs.link), path)
            else:
                return False
        except OSError:
            return False
        return True

    def _dir_gid_of(self, path: str) -> int:
        """The group of the directory *path* is in (-1 when unknown)."""
        d = path.rpartition("/")[0] or "/"
        gid = self._dir_gid.get(d)
        if gid is None:
            try:
                gid = os.stat(d).st_gid
            except OSError:
                gid = -1
            self._dir_gid[d] = gid
        return gid

    def stop_writer(self) -> None:
        """End the writer thread (after writing what it was given)."""
        if self._writer is not None:
            self._writer.stop()
            self._writer = None

    def _plugin_start_file(self, cur, attrs, st, path) -> bool:
        """A file inside a plugin stream: the plugin creates it.  False when
        the plugin leaves it to the core (CF_CORE)."""
        from bareos.plugins import bareosfd as B
        status, rp = self.plugins.create_file(self, attrs, st, path)
        if status == B.CF_CORE:
            if cur.ftype not in (FT_REG, FT_REGE) or rp is None or self.replace != "a":
                return False
            # Bareos: the core makes the file's directory, then opens it with
            # bopen, which inside a command plugin's stream is the plugin's
            # pluginIO (its open/write/close); setFileAttributes at the end
            try:
                self._makepath(os.path.dirname(path))
            except OSError as exc:
                self._msg(jmsg.M_ERROR, f"Could not create {path}: ERR={exc.strerror or exc}")
                return True
            writer = self.plugins.open_writer(path, rp)
            if writer is None:
                return True
            status = rp.create_status = B.CF_EXTRACT     # what the core's CreateFile gives
            cur.core_made = True
        cur.plugin_rp = rp
        if status == B.CF_EXTRACT:
            cur.pwriter = self.plugins.writer
        elif status != B.CF_CREATED:
            return True
        cur.extract = True
        self.files_restored += 1
        self._start_digest(cur)
        return True

    def _start_digest(self, cur: _File) -> None:
        """Digest a regular file's data as it is written when the job's
        digest stream is known (from the files before it)."""
        if self.digest_guess and cur.ftype in (FT_REG, FT_REGE, FT_RAW):
            try:
                cur.digest = digestmod.new_digest(self.digest_guess)
                cur.digest_stream = self.digest_guess
            except digestmod.DigestUnavailable:
                cur.digest = None

    def _digest_of_file(self, path: str, stream: int) -> bytes | None:
        try:
            d = digestmod.new_digest(stream)
            with open(path, "rb", buffering=0) as f:
                buf = bytearray(1 << 18)
                while True:
                    n = f.readinto(buf)
                    if not n:
                        break
                    d.update(memoryview(buf)[:n])
            return d.digest()
        except (OSError, digestmod.DigestUnavailable):
            return None

    def write_data(self, cur: _File, stream: int, data) -> None:
        data = memoryview(data)
        offset = None
        if stream in (STREAM_SPARSE_DATA, STREAM_SPARSE_COMPRESSED_DATA, STREAM_SPARSE_GZIP_DATA):
            if len(data) < 8:
                self._msg(jmsg.M_ERROR, f"Sparse record too short for {cur.path}")
                return
            offset = _OFFSET.unpack_from(data, 0)[0]
            data = data[8:]
            cur.sparse = True
        try:
            if stream in (STREAM_COMPRESSED_DATA, STREAM_SPARSE_COMPRESSED_DATA):
                data = _decompress_record(data)
            elif stream in (STREAM_GZIP_DATA, STREAM_SPARSE_GZIP_DATA):
                data = _inflate(data)
        except (compression.CompressionError, Exception) as exc:  # noqa: BLE001
            self._msg(jmsg.M_ERROR, f"Uncompression error on file {cur.path}. ERR={exc}")
            cur.extract = False
            return
        if cur.digest is not None:
            cur.digest.update(data)
        cur.had_data = True
        if cur.pwriter is not None:
            if offset is not None:
                self._msg(jmsg.M_ERROR, f"Sparse data cannot be restored through a plugin: {cur.path}")
            elif cur.pwriter.write(data):
                self.bytes_restored += len(data)
                self.jcr.job_bytes += len(data)
            return
        if cur.fd < 0:
            return
        try:
            if offset is not None:
                n = os.pwrite(cur.fd, data, offset)
                end = offset + n
                if end > cur.size_written:
                    cur.size_written = end
            else:
                mv = memoryview(data)
                while mv:
                    n = os.write(cur.fd, mv)
                    mv = mv[n:]
                cur.size_written += len(data)
            self.bytes_restored += len(data)
            self.jcr.job_bytes += len(data)
        except OSError as exc:
            self._msg(jmsg.M_ERROR, f"Write error on {cur.path}: ERR={exc.strerror}")
            cur.extract = False

    def check_digest(self, cur: _File, stream: int, data: bytes) -> None:
        if not self.verify_digests or not cur.extract or cur.ftype not in (FT_REG, FT_REGE, FT_RAW):
            return
        self.digest_guess = stream
        if cur.plugin_rp is not None and (cur.digest is None or cur.digest_stream != stream):
            return                # the plugin still holds the file open
        if cur.digest is not None and cur.digest_stream == stream:
            value = cur.digest.digest()
        elif not cur.sparse:
            value = self._digest_of_file(cur.path, stream)
            if value is None:
                return
        else:
            return
        if value != bytes(data):
            self._msg(jmsg.M_ERROR, f"{digestmod.digest_name(stream)} digest mismatch for {cur.path}")

    def close_file(self) -> None:
        cur = self.cur
        self.cur = None
        if cur is not None and cur.background:
            self._writer.drain()
        if cur is None or not cur.extract:
            if cur is not None and cur.fd >= 0:
                os.close(cur.fd)
            return
        if cur.plugin_rp is not None:
            # Bareos's PluginSetAttributes: the plugin's setFileAttributes
            # while the file is still open, then the file is closed; CF_CORE
            # leaves owner, mode and times to the core
            core = self.plugins.set_attributes(cur.plugin_rp)
            if cur.pwriter is not None:
                cur.pwriter.close()
            # (unlike Bareos, a file the core made gets its owner, mode and
            # times also when the plugin does not ask for it, if it is there)
            if core or (cur.core_made and os.path.lexists(cur.path)):
                try:
                    self.set_attributes(cur)
                except OSError as exc:
                    self._msg(jmsg.M_ERROR, f"Could not set attributes of {cur.path}: "
                                            f"ERR={exc.strerror or exc}")
            self._restore_delayed(cur)
            return
        st = cur.st
        path = cur.path
        try:
            fd = cur.fd
            if fd >= 0:
                cur.fd = -1
                try:
                    if cur.sparse and cur.ftype == FT_REG and cur.size_written < st.st_size:
                        os.ftruncate(fd, st.st_size)
                    if not self.xattrs_first:
                        # owner, mode and times through the open file: no more
                        # path lookups; then the ACLs and xattrs by name
                        self.set_attributes(cur, fd)
                finally:
                    os.close(fd)
                if not self.xattrs_first:
                    self._restore_delayed(cur)
                    return
            if self.xattrs_first:
                self._restore_delayed(cur)
            if cur.ftype != FT_LNKSAVED:
                self.set_attributes(cur)
            if not self.xattrs_first:
                self._restore_delayed(cur)
        except OSError as exc:
            self._msg(jmsg.M_ERROR, f"Could not set attributes of {path}: ERR={exc.strerror or exc}")

    def _restore_delayed(self, cur: _File) -> None:
        """The ACL and xattr records of the file."""
        path = cur.path
        for stream, data in cur.delayed:
            if stream in (STREAM_ACL_PLUGIN, STREAM_XATTR_PLUGIN):   # to the plugin, if any
                if self.plugins is not None:
                    self.plugins.restore_acl_xattr(stream, data, path, cur.plugin_rp, cur.ftype)
                continue
            try:
                if stream == STREAM_XATTR_LINUX:
                    xattrmod.restore_xattr_stream(path, data)
                else:
                    xattrmod.restore_acl_stream(path, stream, data)
            except (OSError, xattrmod.XattrFormatError) as exc:
                what = "xattr" if stream == STREAM_XATTR_LINUX else "acl"
                self._msg(jmsg.M_WARNING, f"Cannot restore {what} on {path}: ERR={getattr(exc, 'strerror', None) or exc}")

    def set_attributes(self, cur: _File, fd: int = -1) -> None:
        """Owner (as root), mode and times of the file; through *fd* when the
        file is open."""
        st = cur.st
        path = cur.path
        is_link = cur.ftype == FT_LNK
        if _IS_ROOT and not cur.owner_set:
            try:
                if fd >= 0:
                    os.fchown(fd, st.st_uid, st.st_gid)
                else:
                    os.chown(path, st.st_uid, st.st_gid, follow_symlinks=False)
                    if cur.ftype == FT_DIREND:
                        self._dir_gid.pop(path, None)
            except OSError as exc:
                self._msg(jmsg.M_ERROR, f"Unable to set file owner {path}: ERR={exc.strerror}")
        if fd >= 0:
            if not cur.mode_set:
                os.fchmod(fd, S.S_IMODE(st.st_mode))
        elif not is_link:
            os.chmod(path, S.S_IMODE(st.st_mode))
        try:
            if fd >= 0:
                os.utime(fd, ns=(st.st_atime * 1_000_000_000, st.st_mtime * 1_000_000_000))
            else:
                os.utime(path, ns=(st.st_atime * 1_000_000_000, st.st_mtime * 1_000_000_000),
                         follow_symlinks=False)
        except OSError as exc:
            if not is_link:
                self._msg(jmsg.M_ERROR, f"Unable to set file times {path}: ERR={exc.strerror}")
        else:
            if cur.ftype == FT_DIREND:
                self.dir_times.append((path, st.st_atime, st.st_mtime))

    def finish(self) -> None:
        self.close_file()
        self.stop_writer()
        for path, atime, mtime in self.dir_times:
            try:
                os.utime(path, ns=(atime * 1_000_000_000, mtime * 1_000_000_000), follow_symlinks=False)
            except OSError:
                pass
        self.dir_times = []


class _Writer:
    """The thread that writes the data records of big files, in order.

    The restorer hands it a file's records in batches of :attr:`BATCH`
    (``add``); at most :attr:`DEPTH` batches wait (the receiving side then
    waits too, so memory stays bounded).  ``drain`` hands over the rest and
    waits until all is written: the restorer calls it before it closes the
    file or checks its digest, so writes, attributes and messages keep the
    order of the records.  ``stop`` ends the thread.
    """

    BATCH = 8
    DEPTH = 4

    def __init__(self, restorer: Restorer) -> None:
        self.restorer = restorer
        self.queue: queue.SimpleQueue = queue.SimpleQueue()
        self.slots = threading.BoundedSemaphore(self.DEPTH)
        self.cur = None
        self.batch: list = []
        self.thread = threading.Thread(target=self._run, name="restore-writer", daemon=True)
        self.thread.start()

    def add(self, cur, stream, data) -> None:
        if cur is not self.cur:
            self._hand_over()
            self.cur = cur
        batch = self.batch
        batch.append((stream, data))
        if len(batch) >= self.BATCH:
            self._hand_over()

    def _hand_over(self) -> None:
        if self.batch:
            self.slots.acquire()
            self.queue.put((self.cur, self.batch))
            self.batch = []

    def drain(self) -> None:
        self._hand_over()
        done = threading.Lock()
        done.acquire()
        self.queue.put(done)
        done.acquire()          # released by the thread once everything before it is written

    def stop(self) -> None:
        if self.thread.is_alive():
            self.drain()
            self.queue.put(None)
            self.thread.join()

    def _run(self) -> None:
        write = self.restorer.write_data
        get = self.queue.get
        while True:
            item = get()
            if item is None:
                return
            if not isinstance(item, tuple):
                item.release()
                continue
            cur, batch = item
            try:
                for stream, data in batch:
                    if cur.extract:
                        write(cur, stream, data)
            except Exception as exc:  # noqa: BLE001 - reported like a write error
                cur.extract = False
                try:
                    self.restorer._msg(jmsg.M_ERROR, f"Write error on {cur.path}: ERR={exc}")
                except Exception:  # noqa: BLE001
                    pass
            finally:
                self.slots.release()


def _umask() -> int:
    """The process's umask; read from /proc where it can be (setting it to
    read it would race with other threads creating files)."""
    try:
        with open("/proc/self/status", "rb") as f:
            for line in f:
                if line.startswith(b"Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    m = os.umask(0)
    os.umask(m)
    return m


# --------------------------------------------------------------------------
# The read session with the SD
# --------------------------------------------------------------------------


def read_session(jcr, sd, restorer: Restorer) -> bool:
    """Open the read session, feed every record to *restorer*, close it."""
    sd.send(f"read open session = DummyVolume {jcr.vol_session_id} {jcr.vol_session_time} 0 0 0 0\n")
    reply = _recv_msg(sd)
    vals = bsscanf(reply.decode("utf-8", "replace"), "3000 OK open ticket = %d") if reply else []
    if len(vals) != 1:
        jcr.jmsg(jmsg.M_FATAL, f"Bad response to SD read open: {reply!r}")
        return False
    jcr.ticket = vals[0]
    sd.send(f"read data {jcr.ticket}\n")
    reply = _recv_msg(sd)
    if reply != b"3000 OK data\n":
        jcr.jmsg(jmsg.M_FATAL, f"Bad response to Read Data command. Wanted 3000 OK data\n, got {reply!r}")
        return False
    ok = True
    try:
        recv = sd.recv
        record = restorer.record
        beats = (bnet.BNET_HEARTBEAT, bnet.BNET_HB_RESPONSE)
        count = 0
        while True:
            if not count & 63 and jcr.is_canceled:
                break
            count += 1
            item = recv()
            if item.__class__ is not bytes:
                if item in beats:
                    continue
                break
            # rechdr <VolSessionId> <VolSessionTime> <FileIndex> <Stream> <length>
            parts = item.split()
            try:
                if len(parts) != 6 or parts[0] != b"rechdr":
                    raise ValueError
                fi = int(parts[3])
                stream = int(parts[4])
                length = int(parts[5])
            except ValueError:
                vals = bsscanf(item.decode("ascii", "replace"), "rechdr %u %u %d %d %u")
                if len(vals) != 5:
                    jcr.jmsg(jmsg.M_FATAL, f"Record header scan error: {item[:200]!r}")
                    ok = False
                    break
                fi, stream, length = vals[2], vals[3], vals[4]
            data = recv()
            while data.__class__ is not bytes:
                if data not in beats:
                    jcr.jmsg(jmsg.M_FATAL, "Data record error.")
                    ok = False
                    break
                data = recv()
            if not ok:
                break
            if len(data) != length:
                jcr.jmsg(jmsg.M_ERROR, f"Record length {len(data)} does not match header {length}")
            record(fi, stream, data)
    except BaseException:
        restorer.stop_writer()    # a network error: no thread left behind
        raise
    restorer.finish()
    try:
        sd.send(f"read close session {jcr.ticket}\n")
        _recv_msg(sd)
        sd.signal(bnet.BNET_TERMINATE)
    except Exception:  # noqa: BLE001 - the data is written; closing is best effort
        pass
    return ok


def _recv_item(sd):
    while True:
        item = sd.recv()
        if item in (bnet.BNET_HEARTBEAT, bnet.BNET_HB_RESPONSE):
            continue
        return item


def _recv_msg(sd) -> bytes | None:
    """BgetMsg: the next data message, or None on a signal."""
    item = _recv_item(sd)
    return item if isinstance(item, bytes) else None
