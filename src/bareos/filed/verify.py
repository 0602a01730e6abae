"""Verify jobs on the File Daemon (Bareos's filed/verify.cc and verify_vol.cc).

``verify level=init|catalog|disk_to_catalog``: walk the FileSet and send the
Director, for every file, ``<n> <stream> <VerifyOpts> <name>\\0<lstat>\\0<link>\\0``
(names stripped like in a backup) and, for regular files when the FileSet
asks for a signature, ``<n> <digest stream> <digest> *<NAME>-<n>*``.

``verify level=volume``: the Storage Daemon sends the records of the backup;
the attribute and digest records become the same lines (VerifyOpts
``pinsug5``).
"""

from __future__ import annotations

import logging
import os
import stat as S

from bareos.findlib.fileset import FO_NOATIME, FO_SPARSE, FO_STRIPPATH
from bareos.findlib.find import FFPkt, FindFiles
from bareos.lib import bnet, digest as digestmod, jmsg
from bareos.lib.base64 import bin_to_base64
from bareos.lib.stat import decode_attributes, encode_stat
from bareos.lib.streams import (
    FT_DELETED, FT_DIRBEGIN, FT_DIREND, FT_DIRNOCHG, FT_FIFO, FT_INVALIDDT, FT_INVALIDFS, FT_LNK,
    FT_LNKSAVED, FT_NOACCESS, FT_NOCHG, FT_NOFOLLOW, FT_NOFSCHG, FT_NOOPEN, FT_NORECURSE, FT_NOSTAT,
    FT_RAW, FT_REG, FT_REGE, FT_SPEC, STREAM_RESTORE_OBJECT, STREAM_UNIX_ATTRIBUTES,
    STREAM_UNIX_ATTRIBUTES_EX,
)

from .backup import DEFAULT_BUFFER_SIZE, strip_path

log = logging.getLogger("bareos.filed.verify")

__all__ = ["LEVELS", "DiskVerify", "VolumeVerify", "attribute_line", "digest_line"]

#: the ``verify level=`` words and the job level codes
LEVELS = {"init": "V", "catalog": "C", "volume": "O", "data": "A", "disk_to_catalog": "d"}

_O_NOATIME = getattr(os, "O_NOATIME", 0)
_NOTSAVED = {FT_NOACCESS: "Could not access", FT_NOFOLLOW: "Could not follow link",
             FT_NOSTAT: "Could not stat", FT_NOOPEN: "Could not open directory"}


def _b(name) -> bytes:
    return name.encode("utf-8", "surrogateescape") if isinstance(name, str) else bytes(name)


def attribute_line(fi: int, opts: str, fname, lstat: str, link=b"") -> bytes:
    """``<fi> 1 <opts> <fname>\\0<lstat>\\0<link>\\0`` as the FD sends it."""
    return b"%d %d %s %s\0%s\0%s\0" % (fi, STREAM_UNIX_ATTRIBUTES, opts.encode("ascii"), _b(fname),
                                      lstat.encode("ascii"), _b(link) if link else b"")


def digest_line(fi: int, stream: int, digest: bytes) -> bytes:
    """``<fi> <stream> <base64 digest> *<NAME>-<fi>*``."""
    return b"%d %d %s *%s-%d*" % (fi, stream, bin_to_base64(digest, compatible=True).encode("ascii"),
                                  digestmod.digest_name(stream).encode("ascii"), fi)


class DiskVerify:
    """One walk of a verify at level init, catalog or disk_to_catalog."""

    def __init__(self, jcr, send, buf_size: int = DEFAULT_BUFFER_SIZE) -> None:
        self.jcr = jcr
        self.send = send
        self.buf_size = buf_size or DEFAULT_BUFFER_SIZE
        self._buf = bytearray(self.buf_size)

    def run(self) -> bool:
        jcr = self.jcr
        return FindFiles(jcr.fileset, self.verify_file, cancelled=lambda: jcr.is_canceled).run()

    def verify_file(self, ff: FFPkt) -> int:  # noqa: C901 - mirrors VerifyFile
        jcr = self.jcr
        if jcr.is_canceled:
            return 0
        jcr.num_files_examined += 1
        t = ff.type
        if t == FT_DIRBEGIN:
            jcr.num_files_examined -= 1
            return 1
        if t in _NOTSAVED:
            jcr.jmsg(jmsg.M_NOTSAVED, f"     {_NOTSAVED[t]} {ff.fname}: ERR={ff.error}")
            jcr.job_errors += 1
            return 1
        if t in (FT_DIRNOCHG, FT_NOCHG):
            jcr.jmsg(jmsg.M_SKIPPED, f"     Unchanged file skipped: {ff.fname}")
            return 1
        if t == FT_NORECURSE:
            jcr.jmsg(jmsg.M_SKIPPED, f"     Recursion turned off. Directory skipped: {ff.fname}")
            t = FT_DIREND
        elif t in (FT_NOFSCHG, FT_INVALIDFS, FT_INVALIDDT):
            if t == FT_INVALIDFS and (ff.extra or {}).get("top_level"):
                return 1
            jcr.jmsg(jmsg.M_SKIPPED, f"     File system change prohibited. Directory skipped: {ff.fname}")
            return 1
        elif t == FT_SPEC and S.S_ISSOCK(ff.statp.st_mode):
            return 1
        elif t not in (FT_LNKSAVED, FT_REGE, FT_REG, FT_LNK, FT_DIREND, FT_SPEC, FT_RAW, FT_FIFO):
            jcr.jmsg(jmsg.M_NOTSAVED, f"     Unknown file type {t}: {ff.fname}")
            jcr.job_errors += 1
            return 1
        lstat = encode_stat(ff.statp, ff.link_fi, 0)
        jcr.job_files += 1
        fi = jcr.job_files
        jcr.last_fname = ff.fname
        opts = "V" + (ff.opts.verify_opts or "")
        strip = FO_STRIPPATH in ff.opts.flags and ff.opts.strip_path > 0
        link = b""
        if t in (FT_LNK, FT_LNKSAVED):
            fname, link = ff.fname, ff.link
        elif t == FT_DIREND:
            fname = ff.link
        else:
            fname = ff.fname
        if strip:
            fname = strip_path(fname, ff.opts.strip_path)
        self.send(attribute_line(fi, opts, fname, lstat, link))
        dstream = ff.opts.digest_stream
        if t != FT_LNKSAVED and S.S_ISREG(ff.statp.st_mode) and dstream:
            if not digestmod.available(dstream):
                jcr.jmsg(jmsg.M_WARNING, f"{digestmod.digest_name(dstream)} digest initialization failed")
            else:
                value = self.file_digest(ff, dstream)
                if value is not None:
                    self.send(digest_line(fi, dstream, value))
        return 1

    def file_digest(self, ff: FFPkt, dstream: int) -> bytes | None:
        """The digest of a file's data as a backup computes it (sparse blocks skipped)."""
        jcr = self.jcr
        d = digestmod.new_digest(dstream)
        flags = os.O_RDONLY | (_O_NOATIME if FO_NOATIME in ff.opts.flags else 0)
        try:
            fd = os.open(ff.fname, flags)
        except OSError as exc:
            jcr.jmsg(jmsg.M_ERROR, f"     Cannot open {ff.fname}: ERR={exc.strerror}.")
            jcr.job_errors += 1
            return None
        sparse = FO_SPARSE in ff.opts.flags
        size = ff.statp.st_size
        addr = 0
        view = memoryview(self._buf)
        try:
            while True:
                n = os.readv(fd, [self._buf])
                if n <= 0:
                    break
                chunk = view[:n]
                if sparse and n == self.buf_size and addr + n < size and not any(chunk):
                    addr += n
                    continue
                addr += n
                d.update(chunk)
                jcr.job_bytes += n
                jcr.read_bytes += n
        except OSError as exc:
            jcr.jmsg(jmsg.M_ERROR, f"Error reading file {ff.fname}: ERR={exc.strerror}")
            jcr.job_errors += 1
            return None
        finally:
            os.close(fd)
        return d.digest()


class VolumeVerify:
    """The record handler of ``read_session`` for ``verify level=volume``."""

    def __init__(self, jcr, send) -> None:
        self.jcr = jcr
        self.send = send
        self.fname = ""

    def record(self, fi: int, stream: int, data) -> None:
        jcr = self.jcr
        if stream in (STREAM_UNIX_ATTRIBUTES, STREAM_UNIX_ATTRIBUTES_EX):
            try:
                attr = decode_attributes(data)
            except Exception as exc:  # noqa: BLE001 - a damaged record
                jcr.jmsg(jmsg.M_FATAL, f"Error scanning record header: {exc}")
                return
            jcr.job_files += 1
            jcr.num_files_examined += 1
            jcr.last_fname = self.fname = attr.fname
            link = attr.link if attr.type in (FT_LNK, FT_LNKSAVED) else b""
            n = 0 if attr.type == FT_DELETED else jcr.job_files
            self.send(attribute_line(n, "pinsug5", attr.fname, attr.lstat, link))
        elif digestmod.is_digest_stream(stream):
            self.send(digest_line(jcr.job_files, stream & 0x7FF, bytes(data)))
        elif stream == STREAM_RESTORE_OBJECT:
            jcr.job_files += 1
            jcr.num_files_examined += 1
            self.send(b"%d %d ReStOrEObJeCt %s\0\0\0" % (jcr.job_files, STREAM_RESTORE_OBJECT,
                                                         _b(self.fname)))

    def finish(self) -> None:
        pass

    def stop_writer(self) -> None:
        pass


def run(session, word: str) -> None:
    """The body of the FD's ``verify`` command after ``2000 OK verify``."""
    jcr = session.jcr
    send = jcr.dir_bsock.send
    from .jcr import JS_ERROR, JS_RUNNING, JS_TERMINATED

    jcr.set_status(JS_RUNNING)
    if word == "volume":
        from .restore import read_session

        sd = jcr.store_bsock
        if sd is None:
            from .netmodes import wait_for_storage

            sd = wait_for_storage(jcr)
        if sd is None:
            jcr.jmsg(jmsg.M_FATAL, "Storage command not issued before Verify.")
            jcr.set_status(JS_ERROR)
            return
        try:
            ok = read_session(jcr, sd, VolumeVerify(jcr, send))
        except (OSError, bnet.BnetError) as exc:
            jcr.jmsg(jmsg.M_FATAL, f"Network error with SD during verify: {exc}")
            ok = False
        sd.close()
        jcr.store_bsock = None
        jcr.set_status(JS_TERMINATED if ok else JS_ERROR)
        return
    res = session.daemon.client
    buf_size = int(res.get("Maximum Network Buffer Size", 0) or 0) if res is not None else 0
    ok = DiskVerify(jcr, send, buf_size or DEFAULT_BUFFER_SIZE).run()
    jcr.set_status(JS_TERMINATED if ok or not jcr.is_canceled else JS_ERROR)
