"""Backup: walk the FileSet and stream every file to the Storage Daemon.

Records go out as Bareos sends them (daemon-protocols §1.3): a header
message ``<FileIndex> <Stream> 0``, data messages, ⟨EOD⟩; per file the
attributes (stream 1), the data (2/6/29/30), ACL and xattr streams, then
the digest.  Packets are gathered into ~1 MiB batches that a sender thread
writes to the socket while the walk goes on reading and hashing.
"""

from __future__ import annotations

import base64
import errno
import os
import queue
import stat as S
import struct
import threading
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor

from bareos.findlib.fileset import (
    FO_ACL, FO_CHKCHANGES, FO_COMPRESS, FO_KEEPATIME, FO_NOATIME, FO_OFFSETS, FO_SPARSE,
    FO_STRIPPATH, FO_XATTR, FindOptions,
)
from bareos.findlib.find import FFPkt, FindFiles, since_time_check
from bareos.lib import bnet, compression, digest as digestmod, jmsg
from bareos.lib.bwlimit import BandwidthLimit
from bareos.lib.lsfmt import ls_stat_text
from bareos.lib.stat import StatPacket, decode_stat, encode_attributes, encode_stat
from bareos.lib.streams import (
    FT_DELETED, FT_DIRBEGIN, FT_DIREND, FT_DIRNOCHG, FT_FIFO, FT_INVALIDDT, FT_INVALIDFS, FT_LNK,
    FT_LNKSAVED, FT_NOACCESS, FT_NOCHG, FT_NOFOLLOW, FT_NOFSCHG, FT_NOOPEN, FT_NORECURSE, FT_NOSTAT,
    FT_RAW, FT_REG, FT_REGE, FT_SPEC, STREAM_COMPRESSED_DATA, STREAM_FILE_DATA,
    STREAM_SPARSE_COMPRESSED_DATA, STREAM_SPARSE_DATA, STREAM_UNIX_ATTRIBUTES,
)

from . import xattr as xattrmod

DEFAULT_BUFFER_SIZE = 256 * 1024
_OFFSET = struct.Struct(">Q")
_HDR = struct.Struct("!i")
_O_NOATIME = getattr(os, "O_NOATIME", 0)


class SendError(Exception):
    """Writing to the Storage Daemon failed."""


_EOD = _HDR.pack(bnet.BNET_EOD)


class RecordWriter:
    """Batches packets for the SD; a thread does the socket writes.

    Small packets are gathered into ~1 MiB batches.  Large data chunks go
    out without a copy (:meth:`send_view`, the buffer is handed back through
    a callback once written), and chunks compressed on worker threads are
    queued as futures (:meth:`send_future`) that the sender thread waits for
    in order, so the stream keeps the order of the calls.
    """

    def __init__(self, bsock, batch: int = 1 << 20, threaded: bool = True,
                 bandwidth: int = 0) -> None:
        self.bsock = bsock
        self.batch = batch
        # Maximum Bandwidth (bytes/s; 0: none): the writes are paced
        self.limit = BandwidthLimit(bandwidth) if bandwidth > 0 else None
        self.buf = bytearray()
        self.error: BaseException | None = None
        self.q: queue.Queue | None = None
        self.thread = None
        if threaded:
            self.q = queue.Queue(maxsize=8)
            self.thread = threading.Thread(target=self._run, name="fd-sd-writer", daemon=True)
            self.thread.start()

    def _write(self, data) -> None:
        if self.limit is None:
            self.bsock._sendall(data)
        else:
            self.limit.send(self.bsock._sendall, data)

    def _handle(self, item) -> None:
        kind = type(item)
        if kind is tuple:                       # (view, release)
            view, release = item
            try:
                if self.error is None:
                    self._write(view)
            finally:
                if release is not None:
                    release()
            return
        if kind is not bytearray and kind is not bytes and isinstance(item, Future):
            item = item.result()
        if self.error is None:
            self._write(item)

    def _run(self) -> None:
        while True:
            item = self.q.get()
            if item is None:
                return
            try:
                self._handle(item)
            except BaseException as exc:  # noqa: BLE001 - reported to the job
                if self.error is None:
                    self.error = exc

    def _check(self) -> None:
        if self.error is not None:
            raise SendError(f"Network send error to SD. ERR={self.error}")

    def _put(self, item) -> None:
        if self.q is not None:
            self.q.put(item)
        else:
            try:
                self._handle(item)
            except BaseException as exc:  # noqa: BLE001
                if self.error is None:
                    self.error = exc

    def packet(self, data) -> None:
        self.buf += _HDR.pack(len(data))
        self.buf += data
        if len(self.buf) >= self.batch:
            self.flush()

    def packet_parts(self, *parts) -> None:
        self.buf += _HDR.pack(sum(len(p) for p in parts))
        for p in parts:
            self.buf += p
        if len(self.buf) >= self.batch:
            self.flush()

    def record(self, fi: int, stream: int, data) -> None:
        """A whole record: the ``<fi> <stream> 0`` header, one data packet, EOD."""
        head = b"%d %d 0" % (fi, stream)
        buf = self.buf
        buf += _HDR.pack(len(head))
        buf += head
        buf += _HDR.pack(len(data))
        buf += data
        buf += _EOD
        if len(buf) >= self.batch:
            self.flush()

    def signal(self, sig: int) -> None:
        self.buf += _HDR.pack(sig)

    def send_view(self, view, release=None) -> None:
        """Queue an already framed packet (header included) without copying
        it; *release()* is called once it is written (or dropped)."""
        self.flush()
        self._put((view, release))

    def send_future(self, fut) -> None:
        """Queue a future whose result is framed packet bytes."""
        self.flush()
        self._put(fut)

    def flush(self) -> None:
        self._check()
        if not self.buf:
            return
        data, self.buf = self.buf, bytearray()
        self._put(data)

    def close(self) -> None:
        try:
            self.flush()
        finally:
            if self.q is not None:
                self.q.put(None)
                self.thread.join()
        self._check()


def select_data_stream(opts: FindOptions) -> int:
    """Bareos's SelectDataStream without Win32/encryption."""
    flags = opts.flags
    stream = STREAM_SPARSE_DATA if (FO_SPARSE in flags or FO_OFFSETS in flags) else STREAM_FILE_DATA
    if FO_COMPRESS in flags:
        stream = STREAM_SPARSE_COMPRESSED_DATA if stream == STREAM_SPARSE_DATA else STREAM_COMPRESSED_DATA
    return stream


def strip_path(name: str, count: int) -> str:
    """Drop *count* leading path components (Bareos's do_strip); unchanged if too short."""
    if count <= 0:
        return name
    parts = name.split("/")
    lead = 1 if name.startswith("/") else 0
    comps = parts[lead:]
    if len(comps) <= count:
        return name
    return "/".join(comps[count:])


def _db64(d: bytes) -> str:
    return base64.b64encode(d).decode("ascii").rstrip("=")


# --------------------------------------------------------------------------
# Accurate mode
# --------------------------------------------------------------------------


class AccurateList:
    """The Director's file list (``accurate files=N``) and the seen marks."""

    def __init__(self) -> None:
        self.files: dict[str, list] = {}

    def add_message(self, msg: bytes) -> None:
        """``fname\\0lstat\\0chksum\\0delta_seq`` (checksum and delta optional)."""
        parts = msg.split(b"\0")
        if len(parts) < 2:
            return
        fname = parts[0].decode("utf-8", "surrogateescape")
        lstat = parts[1].decode("ascii", "replace")
        chksum = parts[2].decode("ascii", "replace") if len(parts) > 2 else ""
        try:
            delta = int(parts[3] or 0) if len(parts) > 3 else 0
        except ValueError:
            delta = 0
        self.files[fname] = [lstat, chksum, delta, False]

    def __len__(self) -> int:
        return len(self.files)

    def lookup(self, name: str) -> list | None:
        """The entry of *name* (as the walk spells it), or None.

        Our Director's catalog cannot hold bytes that are not UTF-8: such a
        byte of a name is stored as the Latin-1 character of that byte (see
        ``bareos.dird.catreq.storable_name``), and that is how the name comes
        back in the accurate list.  A name of the walk with such bytes (the
        ``\\udc80``-``\\udcff`` of ``surrogateescape``) that is not in the
        list under its own spelling is looked up in that catalog spelling, so
        that an unchanged file is neither saved again nor reported deleted.
        """
        entry = self.files.get(name)
        if entry is None and not name.isascii():
            stored = catalog_spelling(name)
            if stored is not name:
                entry = self.files.get(stored)
        return entry


def catalog_spelling(name: str) -> str:
    """*name* with every ``surrogateescape`` byte (U+DC80..U+DCFF) turned
    into the Latin-1 character of that byte; *name* itself when it has none."""
    if not any("\udc80" <= ch <= "\udcff" for ch in name):
        return name
    return "".join(chr(ord(ch) - 0xDC00) if "\udc80" <= ch <= "\udcff" else ch for ch in name)


# --------------------------------------------------------------------------
# ls -l style lines (estimate listing)
# --------------------------------------------------------------------------


def ls_line(ff: FFPkt) -> str:
    st = ff.statp
    text = ls_stat_text(st.st_mode, st.st_nlink, st.st_uid, st.st_gid, st.st_size,
                        int(st.st_ctime))
    name = ff.fname
    if ff.type in (FT_LNK, FT_LNKSAVED) and ff.link:
        name += " -> " + ff.link
    return f"{text}  {name}\n"


# --------------------------------------------------------------------------
# The backup
# --------------------------------------------------------------------------


class Backup:
    """One backup (or estimate) run of a job."""

    def __init__(self, jcr, writer: RecordWriter | None, buf_size: int = DEFAULT_BUFFER_SIZE,
                 estimate: bool = False) -> None:
        self.jcr = jcr
        self.w = writer
        self.buf_size = buf_size or DEFAULT_BUFFER_SIZE
        self.estimate = estimate
        self.acl_errors = 0
        self.xattr_errors = 0
        self._buf = bytearray(self.buf_size)
        self._zero = bytes(self.buf_size)
        self._view = memoryview(self._buf)
        self._plans: dict[int, _Plan] = {}
        self._no_xattr_devs: set[int] = set()     # filesystems that said ENOTSUP
        self._lock = threading.Lock()              # jcr.job_bytes (compression workers)
        self._pool: _BufferPool | None = None
        self._cpool: _BufferPool | None = None
        self._executor: ThreadPoolExecutor | None = None
        self._workers = _compress_workers()
        self._skipped_wanted = _message_wanted(jcr, jmsg.M_SKIPPED)

    # -- checks ------------------------------------------------------------
    def check_changes(self):
        jcr = self.jcr
        if jcr.accurate and jcr.accurate_list is not None:
            return self.accurate_check
        return since_time_check(jcr.since_time, jcr.incremental)

    def accurate_check(self, ff: FFPkt) -> bool:
        jcr = self.jcr
        ff.delta_seq = 0
        ff.accurate_found = False
        name = ff.link if S.S_ISDIR(ff.statp.st_mode) else ff.fname
        if FO_STRIPPATH in ff.opts.flags:
            name = strip_path(name, ff.opts.strip_path)
        entry = jcr.accurate_list.lookup(name)
        if entry is None:
            return True
        ff.accurate_found = True
        ff.delta_seq = entry[2]
        old = decode_stat(entry[0])
        st = ff.statp
        full = jcr.level == "F" and not jcr.rerunning
        opts = (ff.opts.basejob_opts or "Jspug5") if full else (ff.opts.accurate_opts or "Cmcs")
        changed = False
        for ch in opts:
            if changed:
                break
            if ch == "i":
                changed = old.st_ino != st.st_ino
            elif ch == "p":
                changed = old.st_mode != st.st_mode
            elif ch == "n":
                changed = old.st_nlink != st.st_nlink
            elif ch == "u":
                changed = old.st_uid != st.st_uid
            elif ch == "g":
                changed = old.st_gid != st.st_gid
            elif ch == "s":
                changed = old.st_size != st.st_size
            elif ch == "a":
                changed = old.st_atime != _secs(st, "st_atime")
            elif ch == "m":
                changed = old.st_mtime != _secs(st, "st_mtime")
            elif ch == "c":
                changed = old.st_ctime != _secs(st, "st_ctime")
            elif ch == "d":
                changed = old.st_size > st.st_size
            elif ch == "A":
                changed = True
            elif ch in "51":
                dstream = ff.opts.digest_stream
                if ff.type != FT_LNKSAVED and S.S_ISREG(st.st_mode) and dstream:
                    if not entry[1] and not jcr.rerunning:
                        jcr.jmsg(jmsg.M_WARNING, f"Cannot verify checksum for {ff.fname}")
                        changed = True
                    else:
                        changed = self._file_digest_b64(ff.fname, dstream) != entry[1]
        if not full or not changed:
            entry[3] = True
        return changed

    def _file_digest_b64(self, path: str, dstream: int) -> str | None:
        try:
            d = digestmod.new_digest(dstream)
            with open(path, "rb", buffering=0) as f:
                while True:
                    n = f.readinto(self._buf)
                    if not n:
                        break
                    d.update(memoryview(self._buf)[:n])
            return _db64(d.digest())
        except OSError:
            return None

    # -- running -----------------------------------------------------------
    def run(self) -> bool:
        try:
            return self._run()
        finally:
            if self._executor is not None:
                self._executor.shutdown(wait=True)
                self._executor = None

    def _run(self) -> bool:
        jcr = self.jcr
        ff = FindFiles(jcr.fileset, self.estimate_file if self.estimate else self.save_file,
                       check_changes=self.check_changes(), cancelled=lambda: jcr.is_canceled,
                       on_unchanged=None if self.estimate else self._unchanged)
        ok = ff.run()
        if self.estimate:
            return ok
        ok = self.run_plugin_commands() and ok
        if self.acl_errors:
            jcr.jmsg(jmsg.M_WARNING, f"Encountered {self.acl_errors} acl errors while doing backup")
        if self.xattr_errors:
            jcr.jmsg(jmsg.M_WARNING, f"Encountered {self.xattr_errors} xattr errors while doing backup")
        if ok and jcr.accurate and jcr.accurate_list is not None and not jcr.is_canceled:
            if jcr.level != "F":
                self.send_deleted()
        return ok

    def _unchanged(self, fname: str, st, opts) -> int:
        """An unchanged regular file of an Incremental (what save_file does
        with its FT_NOCHG packet, without the packet)."""
        jcr = self.jcr
        jcr.num_files_examined += 1
        if self._skipped_wanted:
            jcr.jmsg(jmsg.M_SKIPPED, f"     Unchanged file skipped: {fname}")
        return 1

    def run_plugin_commands(self) -> bool:
        """The ``Plugin =`` items of each Include (Bareos's PluginSave)."""
        from bareos.plugins import fd as fdplugins
        from bareos.findlib.fileset import FindOptions
        jcr = self.jcr
        ok = True
        for inc in jcr.fileset.include_list:
            for cmd in inc.plugin_list:
                if jcr.is_canceled:
                    return False
                jp = fdplugins.job_plugins(jcr)
                if jp is None:
                    jcr.jmsg(jmsg.M_FATAL, f'PluginSave: Command plugin "{cmd}" requested, but is not loaded.')
                    return False
                opts = inc.opts_list[0] if inc.opts_list else FindOptions()
                ok = jp.save_command(self, cmd, opts, inc) and ok
        return ok and not jcr.is_canceled

    def send_deleted(self) -> None:
        jcr = self.jcr
        for fname, (lstat, _chk, _delta, seen) in jcr.accurate_list.files.items():
            if seen:
                continue
            old = decode_stat(lstat)
            sp = StatPacket(st_mtime=old.st_mtime, st_ctime=old.st_ctime)
            jcr.job_files += 1
            fi = jcr.job_files
            attrs = encode_attributes(fi, FT_DELETED, fname, encode_stat(sp, 0, STREAM_FILE_DATA),
                                      b"", b"", 0)
            self.w.record(fi, STREAM_UNIX_ATTRIBUTES, attrs)

    def estimate_file(self, ff: FFPkt) -> int:
        jcr = self.jcr
        if jcr.is_canceled:
            return 0
        if ff.type not in (FT_LNKSAVED, FT_REGE, FT_REG, FT_LNK, FT_NORECURSE, FT_NOFSCHG,
                           FT_INVALIDFS, FT_INVALIDDT, FT_DIREND, FT_SPEC, FT_RAW, FT_FIFO):
            return 1
        if ff.type != FT_LNKSAVED and S.S_ISREG(ff.statp.st_mode) and ff.statp.st_size > 0:
            jcr.job_bytes += ff.statp.st_size
        jcr.num_files_examined += 1
        jcr.job_files += 1
        if jcr.listing:
            jcr.jmsg(jmsg.M_RESTORED, ls_line(ff), raw=True)
        return 1

    def save_file(self, ff: FFPkt) -> int:  # noqa: C901 - mirrors SaveFile
        jcr = self.jcr
        if jcr.is_canceled:
            return 0
        jcr.num_files_examined += 1
        t = ff.type
        has_file_data = False
        if t in (FT_REGE, FT_REG, FT_RAW):
            has_file_data = True
        elif t == FT_DIRBEGIN:
            jcr.num_files_examined -= 1
            return 1
        elif t == FT_NORECURSE:
            jcr.jmsg(jmsg.M_INFO, f"     Recursion turned off. Will not descend from {ff.top_fname} into {ff.fname}")
            ff.type = FT_DIREND
        elif t == FT_NOFSCHG:
            if ff.fname not in jcr.fileset.file_names():
                jcr.jmsg(jmsg.M_INFO, f"     {ff.fname} is a different filesystem. Will not descend from {ff.top_fname} into it.")
            ff.type = FT_DIREND
        elif t == FT_INVALIDFS:
            extra = ff.extra or {}
            if extra.get("top_level"):
                jcr.jmsg(jmsg.M_INFO, f'Top level directory "{ff.fname}" has unlisted fstype "{extra.get("fstype", "unknown")}"')
                return 1
            jcr.jmsg(jmsg.M_INFO, f"     Disallowed filesystem. Will not descend from {ff.top_fname} into {ff.fname}")
            ff.type = FT_DIREND
        elif t == FT_INVALIDDT:
            jcr.jmsg(jmsg.M_INFO, f"     Disallowed drive type. Will not descend into {ff.fname}")
        elif t == FT_SPEC:
            if S.S_ISSOCK(ff.statp.st_mode):
                jcr.jmsg(jmsg.M_SKIPPED, f"     Socket file skipped: {ff.fname}")
                return 1
        elif t in (FT_NOACCESS, FT_NOFOLLOW, FT_NOSTAT, FT_NOOPEN):
            what = {FT_NOACCESS: "Could not access", FT_NOFOLLOW: "Could not follow link",
                    FT_NOSTAT: "Could not stat", FT_NOOPEN: "Could not open directory"}[t]
            jcr.jmsg(jmsg.M_NOTSAVED, f'     {what} "{ff.fname}": ERR={ff.error}')
            jcr.job_errors += 1
            return 1
        elif t in (FT_DIRNOCHG, FT_NOCHG):
            if self._skipped_wanted:
                jcr.jmsg(jmsg.M_SKIPPED, f"     Unchanged file skipped: {ff.fname}")
            return 1
        elif t in (FT_LNKSAVED, FT_LNK, FT_DIREND, FT_FIFO, FT_DELETED):
            pass
        else:
            jcr.jmsg(jmsg.M_NOTSAVED, f"     Unknown file type {t}; not saved: {ff.fname}")
            jcr.job_errors += 1
            return 1

        opts = ff.opts
        if opts.plugin and self.w is not None:
            from bareos.plugins import fd as fdplugins
            jp = fdplugins.job_plugins(jcr)
            if jp is not None:
                handled = jp.option_handle_file(self, ff)
                if handled is not None:
                    return handled
        plan = self._plans.get(id(opts))
        if plan is None or plan.opts is not opts:
            plan = self._plans[id(opts)] = _Plan(opts)
        dstream = plan.dstream if has_file_data else 0
        digest = None
        if dstream:
            if plan.digest_ok:
                digest = plan.digest_proto.copy()
            else:
                jcr.jmsg(jmsg.M_WARNING, f"{digestmod.digest_name(dstream)} digest initialization failed")
                dstream = 0
        self.send_attributes(ff, plan.data_stream)
        w = self.w
        st = ff.statp
        fi = ff.file_index
        t = ff.type
        if (t != FT_LNKSAVED and st.st_size > 0 and S.S_ISREG(st.st_mode)) or t == FT_RAW or t == FT_FIFO:
            flags = plan.open_flags
            try:
                try:
                    fd = os.open(ff.fname, flags)
                except PermissionError:
                    if not flags & _O_NOATIME:
                        raise
                    fd = os.open(ff.fname, os.O_RDONLY)
            except OSError as exc:
                jcr.jmsg(jmsg.M_NOTSAVED, f'     Cannot open "{ff.fname}": ERR={exc.strerror}.')
                jcr.job_errors += 1
                return 0 if jcr.is_canceled else 1
            try:
                if t == FT_REG and plan.data_stream == STREAM_FILE_DATA and st.st_size < _LARGE_FILE:
                    self._send_small(ff, fd, fi, STREAM_FILE_DATA, digest)   # send_data's choice
                else:
                    self.send_data(ff, fd, fi, plan.data_stream, digest)
            finally:
                os.close(fd)
            if plan.chkchanges:
                self._check_changed(ff)
            if plan.keepatime:
                try:
                    os.utime(ff.fname, ns=(st.st_atime_ns, st.st_mtime_ns), follow_symlinks=False)
                except OSError:
                    pass
        if plan.acl_or_xattr:
            self._send_acl_xattr(ff, plan, fi)
        if digest is not None:
            value = digest.digest()
            if ff.linked is not None:
                ff.linked.digest_stream = dstream
                ff.linked.digest = value
            w.record(fi, dstream, value)
        if t == FT_LNKSAVED and ff.digest:
            w.record(fi, ff.digest_stream, ff.digest)
        return 0 if jcr.is_canceled else 1

    def _send_acl_xattr(self, ff: FFPkt, plan: _Plan, fi: int) -> None:
        """ACL streams, then the xattr stream, of one file.

        One ``llistxattr`` per file tells both: the kernel lists the POSIX
        ACL attributes of a file that has them, so a file without ACLs and
        xattrs costs one system call, and a filesystem that answered ENOTSUP
        is not asked again during this job (Bareos does the same per device).
        """
        if not xattrmod.HAVE_XATTR:
            return
        st = ff.statp
        dev = st.st_dev
        if dev in self._no_xattr_devs:
            return
        want_acl = plan.acl and ff.type != FT_LNK
        want_xattr = plan.xattr
        if not (want_acl or want_xattr):
            return
        jcr = self.jcr
        w = self.w
        try:
            names = os.listxattr(ff.fname, follow_symlinks=False)
        except OSError as exc:
            if exc.errno in (errno.ENOTSUP, errno.EOPNOTSUPP):
                if not S.S_ISLNK(st.st_mode):
                    self._no_xattr_devs.add(dev)
                return
            if exc.errno == errno.ENOENT:
                return
            names = None
            if want_xattr:
                want_xattr = False
                self.xattr_errors += 1
                jcr.jmsg(jmsg.M_ERROR, f'llistxattr error on file "{ff.fname}": ERR={exc.strerror}')
        if names is not None and not names:
            return
        if want_acl:
            try:
                for stream, data in xattrmod.build_acl_streams(ff.fname, S.S_ISDIR(st.st_mode), names):
                    w.record(fi, stream, data)
            except OSError as exc:
                if exc.errno not in (errno.ENOTSUP, errno.ENOENT, errno.ENODATA):
                    self.acl_errors += 1
                    jcr.jmsg(jmsg.M_ERROR, f'acl_get_file error on file "{ff.fname}": ERR={exc.strerror}')
        if want_xattr:
            try:
                got = xattrmod.build_xattr_stream(ff.fname, names)
            except OSError as exc:
                got = None
                if exc.errno not in (errno.ENOTSUP, errno.ENOENT):
                    self.xattr_errors += 1
                    jcr.jmsg(jmsg.M_ERROR, f'llistxattr error on file "{ff.fname}": ERR={exc.strerror}')
            if got:
                w.record(fi, got[0], got[1])

    def _check_changed(self, ff: FFPkt) -> None:
        if ff.type != FT_REG:
            return
        jcr = self.jcr
        try:
            st = os.lstat(ff.fname)
        except OSError as exc:
            jcr.jmsg(jmsg.M_WARNING, f"Cannot stat file {ff.fname}: ERR={exc.strerror}")
            return
        old = ff.statp
        if int(st.st_mtime) != int(old.st_mtime):
            jcr.jmsg(jmsg.M_ERROR, f"{ff.fname}: mtime changed during backup.")
        elif int(st.st_ctime) != int(old.st_ctime):
            jcr.jmsg(jmsg.M_ERROR, f"{ff.fname}: ctime changed during backup.")
        elif st.st_size != old.st_size or st.st_blocks != old.st_blocks:
            jcr.jmsg(jmsg.M_ERROR, f"{ff.fname}: size changed during backup.")

    def send_attributes(self, ff: FFPkt, data_stream: int) -> None:
        jcr = self.jcr
        lstat = encode_stat(ff.statp, ff.link_fi, data_stream)
        jcr.job_files += 1
        fi = ff.file_index = jcr.job_files
        fname = ff.fname
        jcr.last_fname = fname
        t = ff.type
        link = b""
        if t == FT_LNK or t == FT_LNKSAVED:
            link = ff.link
        elif t == FT_DIREND:
            fname = ff.link
        if FO_STRIPPATH in ff.opts.flags:
            fname = strip_path(fname, ff.opts.strip_path)
            if t == FT_LNKSAVED:
                link = strip_path(link, ff.opts.strip_path)
        # encode_attributes(fi, t, fname, lstat, link, b"", delta_seq), inlined
        data = b"%d %d %s\0%s\0%s\0\0%d\0" % (
            fi, t, fname.encode("utf-8", "surrogateescape") if type(fname) is str else bytes(fname),
            lstat.encode("ascii"), _name_bytes(link) if link else b"", ff.delta_seq)
        self.w.record(fi, STREAM_UNIX_ATTRIBUTES, data)

    def _add_job_bytes(self, n: int) -> None:
        # Compression workers run only inside _send_compressed_parallel, which
        # waits for them before it returns: elsewhere this thread is alone.
        with self._lock:
            self.jcr.job_bytes += n

    def send_data(self, ff: FFPkt, fd: int, fi: int, stream: int, digest) -> None:
        """The data records of one open file: header, chunks, EOD.

        Three ways, same records: small files are read into one buffer and
        copied into the current batch; large ones are read into pooled
        buffers that go to the socket without a copy; compressed chunks of
        large files are compressed on worker threads (zlib and lz4 release
        the GIL) while this thread reads and hashes the next ones.
        """
        w = self.w
        sparse = stream == STREAM_SPARSE_DATA or stream == STREAM_SPARSE_COMPRESSED_DATA
        compress = stream == STREAM_COMPRESSED_DATA or stream == STREAM_SPARSE_COMPRESSED_DATA
        size = ff.statp.st_size
        unsized = (ff.type == FT_RAW or ff.type == FT_FIFO) and size == 0
        big = unsized or size >= _LARGE_FILE
        if not (big or compress or sparse):
            self._send_small(ff, fd, fi, stream, digest)
            return
        w.packet(b"%d %d 0" % (fi, stream))
        if compress:
            if big and self._workers > 1:
                self._send_compressed_parallel(ff, fd, sparse, unsized, digest)
            else:
                self._send_chunks(ff, fd, sparse, unsized, digest, True)
        elif big:
            self._send_pooled(ff, fd, sparse, unsized, digest)
        else:
            self._send_chunks(ff, fd, sparse, unsized, digest, False)
        w.signal(bnet.BNET_EOD)

    def _send_small(self, ff: FFPkt, fd: int, fi: int, stream: int, digest) -> None:
        """A small file, not sparse, not compressed: every packet straight
        into the writer's batch (the same records as :meth:`_send_chunks`)."""
        jcr = self.jcr
        w = self.w
        head = b"%d %d 0" % (fi, stream)
        out = w.buf
        out += _HDR.pack(len(head))
        out += head
        view = self._view
        bufs = (view,)
        rsize = len(view)
        size = ff.statp.st_size
        total = 0
        while True:
            try:
                n = os.readv(fd, bufs)
            except OSError as exc:
                self._read_error(ff, exc)
                break
            if not n:
                break
            chunk = view[:n] if n != rsize else view
            if digest is not None:
                digest.update(chunk)
            out += _HDR.pack(n)
            out += chunk
            total += n
            if len(out) >= w.batch:
                w.flush()
                out = w.buf
            if n == rsize:
                if jcr.is_canceled:
                    break
            elif total == size:
                # a short read that brought exactly the size stat gave: the
                # end of the file (saves the read that would return 0)
                break
        out += _EOD
        jcr.read_bytes += total
        jcr.job_bytes += total
        if len(out) >= w.batch:
            w.flush()

    def _read_error(self, ff: FFPkt, exc: OSError) -> None:
        self.jcr.jmsg(jmsg.M_ERROR, f"Read error on file {ff.fname}. ERR={exc.strerror}")

    def _send_chunks(self, ff: FFPkt, fd: int, sparse: bool, unsized: bool, digest,
                     compress: bool) -> None:
        """Read into one buffer; each chunk is copied (or compressed) into the batch."""
        jcr = self.jcr
        w = self.w
        algo, level = ff.opts.compress_algo, ff.opts.compress_level
        size = ff.statp.st_size
        rsize = self.buf_size - 8 if sparse else self.buf_size
        buf = self._buf
        view = memoryview(buf)[:rsize]
        bufs = (view,)
        addr = 0
        nbytes = 0
        readv = os.readv
        while True:
            try:
                n = readv(fd, bufs)
            except OSError as exc:
                self._read_error(ff, exc)
                break
            if not n:
                break
            chunk = view[:n] if n != rsize else view
            prefix = b""
            if sparse:
                if ((n == rsize and addr + n < size) or unsized) and buf[:n] == self._zero[:n]:
                    addr += n
                    continue
                prefix = _OFFSET.pack(addr)
                addr += n
            jcr.read_bytes += n
            if digest is not None:
                digest.update(chunk)
            if compress:
                payload = compression.compress_record(algo, level, chunk)
                w.packet_parts(prefix, payload)
                nbytes += len(prefix) + len(payload)
            else:
                if sparse:
                    w.packet_parts(prefix, chunk)
                else:
                    w.packet(chunk)
                nbytes += len(prefix) + n
            if jcr.is_canceled:
                break
        self._add_job_bytes(nbytes)

    def _send_pooled(self, ff: FFPkt, fd: int, sparse: bool, unsized: bool, digest) -> None:
        """Read straight into pooled buffers laid out as the packets go on
        the wire (``[len][data]`` or, sparse, ``[len][offset][data]``, a few
        in a row): one ``readv`` fills several chunks of the buffer size,
        the headers are written into the gaps, and the run goes to the
        sender uncopied, in one piece."""
        jcr = self.jcr
        w = self.w
        size = ff.statp.st_size
        rsize = self.buf_size - 8 if sparse else self.buf_size
        off = 12 if sparse else 4
        stride = off + rsize
        count = max(1, min(8, w.batch // rsize))
        pool = self._pool
        if pool is None or pool.key != (rsize, off, count):
            pool = self._pool = _BufferPool(stride * count, (rsize, off, count))
        zero = self._zero
        addr = 0
        nbytes = 0
        nread = 0
        readv = os.readv
        while True:
            b = pool.get()
            mv = memoryview(b)
            try:
                n = readv(fd, [mv[k * stride + off:(k + 1) * stride] for k in range(count)])
            except OSError as exc:
                pool.put(b)
                self._read_error(ff, exc)
                break
            if not n:
                pool.put(b)
                break
            runs = []                # [start, end) of packets to send, merged when adjacent
            k = 0
            left = n
            while left > 0:
                ln = rsize if left > rsize else left
                left -= ln
                pos = k * stride
                data_at = pos + off
                k += 1
                if sparse:
                    if (((ln == rsize and addr + ln < size) or unsized)
                            and b[data_at:data_at + ln] == zero[:ln]):
                        addr += ln
                        continue
                    _HDR.pack_into(b, pos, ln + 8)
                    _OFFSET.pack_into(b, pos + 4, addr)
                    addr += ln
                    nbytes += ln + 8
                else:
                    _HDR.pack_into(b, pos, ln)
                    nbytes += ln
                nread += ln
                if digest is not None:
                    digest.update(mv[data_at:data_at + ln])
                if runs and runs[-1][1] == pos:
                    runs[-1][1] = data_at + ln
                else:
                    runs.append([pos, data_at + ln])
            if not runs:
                pool.put(b)
            else:
                last = len(runs) - 1
                for i, (a, e) in enumerate(runs):
                    w.send_view(mv[a:e], pool.releaser(b) if i == last else None)
            jcr.read_bytes += nread         # as it goes, for `status client`
            self._add_job_bytes(nbytes)
            nread = nbytes = 0
            if jcr.is_canceled:
                break

    def _compress_group(self, algo: int, level: int, items: list, release) -> bytes:
        """Worker thread: the framed data packets of a few chunks, each
        compressed on its own (one record per chunk, as Bareos writes)."""
        try:
            out = []
            total = 0
            for prefix, data in items:
                parts = compression.compress_parts(algo, level, data)
                n = len(prefix) + sum(len(p) for p in parts)
                total += n
                out.append(_HDR.pack(n))
                out.append(prefix)
                out.extend(parts)
            self._add_job_bytes(total)
            return b"".join(out)
        finally:
            release()

    def _send_compressed_parallel(self, ff: FFPkt, fd: int, sparse: bool, unsized: bool,
                                  digest) -> None:
        """Chunks are read (a few per ``readv``) and hashed here and
        compressed on worker threads, a group of chunks per task; the sender
        writes the results in submission order.  Every chunk of this file
        is compressed before the file's EOD goes out."""
        jcr = self.jcr
        w = self.w
        algo, level = ff.opts.compress_algo, ff.opts.compress_level
        size = ff.statp.st_size
        rsize = self.buf_size - 8 if sparse else self.buf_size
        count = max(1, min(8, w.batch // rsize))
        ex = self._executor
        if ex is None:
            ex = self._executor = ThreadPoolExecutor(self._workers, thread_name_prefix="fd-compress")
        pool = self._cpool
        if pool is None or pool.key != (rsize, count):
            pool = self._cpool = _BufferPool(rsize * count, (rsize, count), self._workers + 4)
        zero = self._zero
        pending: deque = deque()
        addr = 0
        readv = os.readv
        try:
            while True:
                b = pool.get()
                mv = memoryview(b)
                try:
                    n = readv(fd, [mv[k * rsize:(k + 1) * rsize] for k in range(count)])
                except OSError as exc:
                    pool.put(b)
                    self._read_error(ff, exc)
                    break
                if not n:
                    pool.put(b)
                    break
                items = []
                pos = 0
                nread = 0
                while pos < n:
                    ln = rsize if n - pos > rsize else n - pos
                    chunk = mv[pos:pos + ln]
                    pos += ln
                    prefix = b""
                    if sparse:
                        if ((ln == rsize and addr + ln < size) or unsized) and \
                                b[pos - ln:pos] == zero[:ln]:
                            addr += ln
                            continue
                        prefix = _OFFSET.pack(addr)
                        addr += ln
                    nread += ln
                    if digest is not None:
                        digest.update(chunk)
                    items.append((prefix, chunk))
                jcr.read_bytes += nread
                if not items:
                    pool.put(b)
                else:
                    fut = ex.submit(self._compress_group, algo, level, items, pool.releaser(b))
                    pending.append(fut)
                    w.send_future(fut)
                while pending and pending[0].done():
                    pending.popleft()
                if jcr.is_canceled:
                    break
        finally:
            for fut in pending:       # no worker touches the job after this file
                try:
                    fut.result()
                except BaseException:  # noqa: BLE001, S110 - the sender reports it
                    pass


# --------------------------------------------------------------------------
# Helpers of the data path
# --------------------------------------------------------------------------

_LARGE_FILE = 256 * 1024          # files from this size on take the pooled/parallel paths
_DATA_OFF = 12                    # packet header (4) + sparse offset (8) before the data


def _secs(st, name: str) -> int:
    """A time of *st* in whole seconds as the stat packet holds it (the floor
    of the nanoseconds, also before 1970); plugins give plain ints."""
    ns = getattr(st, name + "_ns", None)
    if ns is not None:
        return ns // 1_000_000_000
    return int(getattr(st, name) // 1)


def _name_bytes(name) -> bytes:
    if type(name) is str:
        return name.encode("utf-8", "surrogateescape")
    return bytes(name)


def _message_wanted(jcr, mtype: int) -> bool:
    """Whether a job message of *mtype* goes anywhere (the Director or a
    local Append/File destination); when in doubt, yes.  An Incremental
    skips tens of thousands of files that nobody wants to hear about."""
    daemon = getattr(jcr, "daemon", None)
    try:
        if daemon.message_wanted(mtype):
            return True
        from .netmodes import local_destinations
        tname = jmsg.TYPE_NAMES.get(mtype, "")
        return any(tname in types for _kind, _path, types in local_destinations(daemon))
    except Exception:  # noqa: BLE001 - a daemon without the usual parts: keep sending
        return True


def _compress_workers() -> int:
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cpus = os.cpu_count() or 1
    return max(1, min(4, cpus))


class _BufferPool:
    """A few reusable packet buffers; ``get`` waits until the sender gave one back."""

    def __init__(self, length: int, key, count: int = 3) -> None:
        self.key = key
        self.free: queue.SimpleQueue = queue.SimpleQueue()
        for _ in range(count):
            self.free.put(bytearray(length))

    def get(self) -> bytearray:
        return self.free.get()

    def put(self, b: bytearray) -> None:
        self.free.put(b)

    def releaser(self, b: bytearray):
        put = self.free.put
        return lambda: put(b)


class _Plan:
    """What one Options block means for saving a file, worked out once."""

    __slots__ = ("opts", "dstream", "digest_ok", "digest_proto", "data_stream", "open_flags", "chkchanges",
                 "keepatime", "acl", "xattr", "acl_or_xattr")

    def __init__(self, opts: FindOptions) -> None:
        flags = opts.flags
        self.opts = opts
        self.dstream = opts.digest_stream
        self.digest_ok = bool(self.dstream) and digestmod.available(self.dstream)
        self.digest_proto = None         # a fresh hash object; .copy() is cheaper than a new one
        if self.digest_ok:
            try:
                self.digest_proto = digestmod.new_digest(self.dstream)
            except (digestmod.DigestUnavailable, ValueError):
                self.digest_ok = False
        data_stream = select_data_stream(opts)
        if FO_COMPRESS in flags and not compression.available(opts.compress_algo):
            data_stream = STREAM_SPARSE_DATA if data_stream == STREAM_SPARSE_COMPRESSED_DATA else STREAM_FILE_DATA
        self.data_stream = data_stream
        self.open_flags = os.O_RDONLY | (_O_NOATIME if FO_NOATIME in flags else 0)
        self.chkchanges = FO_CHKCHANGES in flags
        self.keepatime = FO_KEEPATIME in flags
        self.acl = FO_ACL in flags
        self.xattr = FO_XATTR in flags
        self.acl_or_xattr = self.acl or self.xattr
