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
import io
import os
import queue
import stat as S
import struct
import threading

from bareos.findlib.fileset import (
    FO_ACL, FO_CHKCHANGES, FO_COMPRESS, FO_KEEPATIME, FO_NOATIME, FO_OFFSETS, FO_SPARSE,
    FO_STRIPPATH, FO_XATTR, FindOptions,
)
from bareos.findlib.find import FFPkt, FindFiles, since_time_check
from bareos.lib import bnet, compression, digest as digestmod, jmsg
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


class RecordWriter:
    """Batches packets for the SD; a thread does the socket writes."""

    def __init__(self, bsock, batch: int = 1 << 20, threaded: bool = True) -> None:
        self.bsock = bsock
        self.batch = batch
        self.buf = bytearray()
        self.error: BaseException | None = None
        self.q: queue.Queue | None = None
        self.thread = None
        if threaded:
            self.q = queue.Queue(maxsize=8)
            self.thread = threading.Thread(target=self._run, name="fd-sd-writer", daemon=True)
            self.thread.start()

    def _write(self, data) -> None:
        self.bsock._sendall(bytes(data) if not isinstance(data, bytes) else data)

    def _run(self) -> None:
        while True:
            item = self.q.get()
            if item is None:
                return
            if self.error is not None:
                continue
            try:
                self._write(item)
            except BaseException as exc:  # noqa: BLE001 - reported to the job
                self.error = exc

    def _check(self) -> None:
        if self.error is not None:
            raise SendError(f"Network send error to SD. ERR={self.error}")

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

    def signal(self, sig: int) -> None:
        self.buf += _HDR.pack(sig)

    def flush(self) -> None:
        self._check()
        if not self.buf:
            return
        data, self.buf = self.buf, bytearray()
        if self.q is not None:
            self.q.put(data)
        else:
            self._write(data)

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
        entry = jcr.accurate_list.files.get(name)
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
                changed = old.st_atime != int(st.st_atime)
            elif ch == "m":
                changed = old.st_mtime != int(st.st_mtime)
            elif ch == "c":
                changed = old.st_ctime != int(st.st_ctime)
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
        jcr = self.jcr
        ff = FindFiles(jcr.fileset, self.estimate_file if self.estimate else self.save_file,
                       check_changes=self.check_changes(), cancelled=lambda: jcr.is_canceled)
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
            self.w.packet(b"%d %d 0" % (fi, STREAM_UNIX_ATTRIBUTES))
            self.w.packet(attrs)
            self.w.signal(bnet.BNET_EOD)

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
            if ff.extra.get("top_level"):
                jcr.jmsg(jmsg.M_INFO, f'Top level directory "{ff.fname}" has unlisted fstype "{ff.extra.get("fstype", "unknown")}"')
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
            jcr.jmsg(jmsg.M_SKIPPED, f"     Unchanged file skipped: {ff.fname}")
            return 1
        elif t in (FT_LNKSAVED, FT_LNK, FT_DIREND, FT_FIFO, FT_DELETED):
            pass
        else:
            jcr.jmsg(jmsg.M_NOTSAVED, f"     Unknown file type {t}; not saved: {ff.fname}")
            jcr.job_errors += 1
            return 1

        if ff.opts.plugin and self.w is not None:
            from bareos.plugins import fd as fdplugins
            jp = fdplugins.job_plugins(jcr)
            if jp is not None:
                handled = jp.option_handle_file(self, ff)
                if handled is not None:
                    return handled
        opts = ff.opts
        dstream = opts.digest_stream if has_file_data else 0
        digest = None
        if dstream:
            try:
                digest = digestmod.new_digest(dstream)
            except digestmod.DigestUnavailable:
                jcr.jmsg(jmsg.M_WARNING, f"{digestmod.digest_name(dstream)} digest initialization failed")
                dstream = 0
        data_stream = select_data_stream(opts)
        if FO_COMPRESS in opts.flags and not compression.available(opts.compress_algo):
            data_stream = STREAM_SPARSE_DATA if data_stream == STREAM_SPARSE_COMPRESSED_DATA else STREAM_FILE_DATA
        self.send_attributes(ff, data_stream)
        w = self.w
        st = ff.statp
        fi = ff.file_index
        do_read = (ff.type != FT_LNKSAVED and S.S_ISREG(st.st_mode) and st.st_size > 0) \
            or ff.type in (FT_RAW, FT_FIFO)
        if do_read:
            flags = os.O_RDONLY | (_O_NOATIME if FO_NOATIME in opts.flags else 0)
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
                self.send_data(ff, fd, fi, data_stream, digest)
            finally:
                os.close(fd)
            if FO_CHKCHANGES in opts.flags:
                self._check_changed(ff)
            if FO_KEEPATIME in opts.flags:
                try:
                    os.utime(ff.fname, ns=(st.st_atime_ns, st.st_mtime_ns), follow_symlinks=False)
                except OSError:
                    pass
        if FO_ACL in opts.flags and ff.type != FT_LNK:
            try:
                for stream, data in xattrmod.build_acl_streams(ff.fname, S.S_ISDIR(st.st_mode)):
                    w.packet(b"%d %d 0" % (fi, stream))
                    w.packet(data)
                    w.signal(bnet.BNET_EOD)
            except OSError as exc:
                if exc.errno not in (errno.ENOTSUP, errno.ENOENT, errno.ENODATA):
                    self.acl_errors += 1
                    jcr.jmsg(jmsg.M_ERROR, f'acl_get_file error on file "{ff.fname}": ERR={exc.strerror}')
        if FO_XATTR in opts.flags:
            try:
                got = xattrmod.build_xattr_stream(ff.fname)
            except OSError as exc:
                got = None
                if exc.errno not in (errno.ENOTSUP, errno.ENOENT):
                    self.xattr_errors += 1
                    jcr.jmsg(jmsg.M_ERROR, f'llistxattr error on file "{ff.fname}": ERR={exc.strerror}')
            if got:
                w.packet(b"%d %d 0" % (fi, got[0]))
                w.packet(got[1])
                w.signal(bnet.BNET_EOD)
        if digest is not None:
            value = digest.digest()
            if ff.linked is not None:
                ff.linked.digest_stream = dstream
                ff.linked.digest = value
            w.packet(b"%d %d 0" % (fi, dstream))
            w.packet(value)
            w.signal(bnet.BNET_EOD)
        if ff.type == FT_LNKSAVED and ff.digest:
            w.packet(b"%d %d 0" % (fi, ff.digest_stream))
            w.packet(ff.digest)
            w.signal(bnet.BNET_EOD)
        return 0 if jcr.is_canceled else 1

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
        jcr.last_fname = ff.fname
        fname = ff.fname
        link = b""
        if ff.type in (FT_LNK, FT_LNKSAVED):
            link = ff.link
        elif ff.type == FT_DIREND:
            fname = ff.link
        if FO_STRIPPATH in ff.opts.flags:
            fname = strip_path(fname, ff.opts.strip_path)
            if ff.type == FT_LNKSAVED:
                link = strip_path(link, ff.opts.strip_path)
        self.w.packet(b"%d %d 0" % (fi, STREAM_UNIX_ATTRIBUTES))
        self.w.packet(encode_attributes(fi, ff.type, fname, lstat, link, b"", ff.delta_seq))
        self.w.signal(bnet.BNET_EOD)

    def send_data(self, ff: FFPkt, fd: int, fi: int, stream: int, digest) -> None:
        jcr = self.jcr
        w = self.w
        opts = ff.opts
        sparse = stream in (STREAM_SPARSE_DATA, STREAM_SPARSE_COMPRESSED_DATA)
        compress = stream in (STREAM_COMPRESSED_DATA, STREAM_SPARSE_COMPRESSED_DATA)
        algo, level = opts.compress_algo, opts.compress_level
        size = ff.statp.st_size
        unsized = ff.type in (FT_RAW, FT_FIFO) and size == 0
        rsize = self.buf_size - 8 if sparse else self.buf_size
        buf = self._buf
        view = memoryview(buf)[:rsize]
        w.packet(b"%d %d 0" % (fi, stream))
        addr = 0
        f = io.FileIO(fd, "rb", closefd=False)
        while True:
            try:
                n = f.readinto(view)
            except OSError as exc:
                jcr.jmsg(jmsg.M_ERROR, f"Read error on file {ff.fname}. ERR={exc.strerror}")
                break
            if not n:
                break
            chunk = view[:n]
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
                jcr.job_bytes += len(prefix) + len(payload)
            else:
                w.packet_parts(prefix, chunk)
                jcr.job_bytes += len(prefix) + n
            if jcr.is_canceled:
                break
        w.signal(bnet.BNET_EOD)
