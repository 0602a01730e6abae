"""bpipe-fd: back up what a program writes, restore into what a program reads.

``Plugin = "bpipe:file=<pseudo path>:reader=<program>:writer=<program>"``.
The programs run without a shell (their command lines are split like a
shell would split words, quotes kept together, but no redirection,
variables or globbing); they get ``BareosClientName``, ``BareosJobId``,
``BareosJobLevel``, ``BareosSinceTime`` and ``BareosJobType`` in their
environment.  In the writer, ``%w`` is the restore's where and ``%r`` its
replace letter.  The pseudo path is what the restore tree shows; the
restore creates no directory for it.  The older positional form
``bpipe:<file>:<reader>:<writer>`` is accepted too.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import time

from bareos.lib.edit import edit_codes

from . import bRC_Error, bRC_OK, split_options
from . import bareosfd as B
from .fd import FdPlugin

_EVENTS = (B.bEventNewPluginOptions, B.bEventPluginCommand, B.bEventJobStart,
           B.bEventRestoreCommand, B.bEventEstimateCommand, B.bEventBackupCommand)
_KEYWORDS = {"file": "fname", "reader": "reader", "writer": "writer"}


def _unescape(value: str) -> str:
    return value.replace("\\", "")


class BpipePlugin(FdPlugin):
    def __init__(self, ctx) -> None:
        super().__init__(ctx)
        self.fname = self.reader = self.writer = None
        self.plugin_options = None
        self.proc: subprocess.Popen | None = None
        self.where = ""
        self.replace = "a"
        ctx.register_events(_EVENTS)

    # -- definition ----------------------------------------------------------
    def handle_event(self, event, value):
        if event == B.bEventJobStart:
            return bRC_OK
        if event in (B.bEventRestoreCommand, B.bEventBackupCommand, B.bEventEstimateCommand,
                     B.bEventPluginCommand):
            return self.parse(value)
        if event == B.bEventNewPluginOptions:
            self.plugin_options = None
            rc = self.parse(value)
            self.plugin_options = value
            return rc
        self.ctx.job_message(B.M_FATAL, f"bpipe-fd: unknown event={event}\n")
        return bRC_Error

    def parse(self, value) -> int:
        if not value or ":" not in value:
            self.ctx.job_message(B.M_FATAL, f"bpipe-fd: Illegal plugin definition {value}\n")
            return bRC_Error
        keep = self.plugin_options is not None
        parts = [p for p in split_options(value.split(":", 1)[1])]
        keyword = any(p.split("=", 1)[0].lower() in _KEYWORDS and "=" in p for p in parts)
        if keyword:
            for p in parts:
                if not p:
                    continue
                key, eq, val = p.partition("=")
                attr = _KEYWORDS.get(key.strip().lower()) if eq else None
                if attr is None:
                    self.ctx.job_message(B.M_FATAL, "bpipe-fd: Found mixing of old and new syntax, please "
                                                    f"fix your plugin definition ({value})\n")
                    return bRC_Error
                if attr == "fname" and "/" not in val:
                    self.ctx.job_message(B.M_FATAL, f"bpipe-fd: file argument ({val}) must contain a "
                                                    "directory structure. Please fix your plugin "
                                                    "definition\n")
                    return bRC_Error
                self._set(attr, _unescape(val), keep)
        else:
            for attr, val in zip(("fname", "reader", "writer"), parts):
                self._set(attr, _unescape(val), keep)
        return bRC_OK

    def _set(self, attr: str, val: str, keep: bool) -> None:
        if keep and getattr(self, attr) is not None:
            return
        setattr(self, attr, val)

    def _has_all(self) -> int:
        for attr, what in (("fname", "File"), ("reader", "Reader"), ("writer", "Writer")):
            if not getattr(self, attr):
                self.ctx.job_message(B.M_FATAL, f"bpipe-fd: Plugin {what} argument not specified.\n")
                return bRC_Error
        return bRC_OK

    # -- backup ----------------------------------------------------------------
    def start_backup_file(self, sp):
        if self._has_all() != bRC_OK:
            return bRC_Error
        now = int(time.time())
        sp.fname = self.fname
        sp.type = B.FT_REG
        sp.statp = B.StatPacket(mode=0o700 | 0o100000, ctime=now, mtime=now, atime=now, size=-1,
                                blksize=4096, blocks=1)
        return bRC_OK

    def end_backup_file(self):
        return bRC_OK

    # -- restore ---------------------------------------------------------------
    def start_restore_file(self, cmd):
        return self._has_all()

    def create_file(self, rp):
        self.where = rp.where or ""
        self.replace = chr(rp.replace) if isinstance(rp.replace, int) and rp.replace else "a"
        rp.create_status = B.CF_EXTRACT
        return bRC_OK

    def set_file_attributes(self, rp):
        return bRC_OK

    # -- I/O -------------------------------------------------------------------
    def _environment(self) -> dict:
        ctx = self.ctx
        env = dict(os.environ)
        env.update({
            "BareosClientName": str(ctx.get_value(B.bVarFDName)),
            "BareosJobId": str(ctx.get_value(B.bVarJobId)),
            "BareosJobLevel": chr(ctx.get_value(B.bVarLevel) or 32),
            "BareosSinceTime": str(ctx.get_value(B.bVarSinceTime)),
            "BareosJobType": chr(ctx.get_value(B.bVarType) or 32),
        })
        return env

    def _codes(self, text: str) -> str:
        return edit_codes(text, {"%": "%", "w": self.where, "r": self.replace})

    def plugin_io(self, iop):
        iop.status = 0
        iop.io_errno = 0
        if iop.func == B.IO_OPEN:
            writing = bool(iop.flags & (os.O_CREAT | os.O_WRONLY))
            if writing:
                if not self.writer:
                    self.ctx.job_message(B.M_FATAL, "bpipe-fd: writer command is not set\n")
                    return bRC_Error
                command = self._codes(self.writer)
            else:
                command = self.reader
            what = "writer" if writing else "reader"
            try:
                argv = shlex.split(command)
                if not argv:
                    raise FileNotFoundError(2, "No such file or directory")
                self.proc = subprocess.Popen(
                    argv, stdin=subprocess.PIPE if writing else subprocess.DEVNULL,
                    stdout=None if writing else subprocess.PIPE, env=self._environment(),
                    close_fds=True)
            except (OSError, ValueError) as exc:
                iop.io_errno = getattr(exc, "errno", None) or 2
                iop.status = -1
                self.ctx.job_message(B.M_FATAL, f"bpipe-fd: Open pipe {what}={command} failed: "
                                                f"ERR={getattr(exc, 'strerror', None) or exc}\n")
                return bRC_Error
            return bRC_OK
        if iop.func == B.IO_READ:
            if self.proc is None or self.proc.stdout is None:
                self.ctx.job_message(B.M_FATAL, "bpipe-fd: Logic error: NULL read FD\n")
                return bRC_Error
            try:
                data = self.proc.stdout.read(iop.count)
            except OSError as exc:
                iop.io_errno = exc.errno or 5
                iop.status = -1
                self.ctx.job_message(B.M_FATAL, f"bpipe-fd: Pipe read error: ERR={exc.strerror}\n")
                return bRC_Error
            iop.buf = bytearray(data)
            iop.status = len(data)
            return bRC_OK
        if iop.func == B.IO_WRITE:
            if self.proc is None or self.proc.stdin is None:
                self.ctx.job_message(B.M_FATAL, "bpipe-fd: Logic error: NULL write FD\n")
                return bRC_Error
            try:
                self.proc.stdin.write(iop.buf)
            except OSError as exc:
                iop.io_errno = exc.errno or 5
                iop.status = -1
                self.ctx.job_message(B.M_FATAL, f"bpipe-fd: Pipe write error: ERR={exc.strerror}\n")
                return bRC_Error
            iop.status = iop.count
            return bRC_OK
        if iop.func == B.IO_CLOSE:
            proc, self.proc = self.proc, None
            if proc is None:
                self.ctx.job_message(B.M_FATAL, "bpipe-fd: Logic error: NULL FD on bpipe close\n")
                return bRC_Error
            for stream in (proc.stdin, proc.stdout):
                if stream is not None:
                    try:
                        stream.close()
                    except OSError:
                        pass
            rc = proc.wait()
            status = rc if rc >= 0 else 128 - rc
            iop.status = status
            if status:
                self.ctx.job_message(B.M_FATAL, f"bpipe-fd: Error closing stream for pseudo file "
                                                f"{self.fname}: {status}\n")
            return bRC_OK
        if iop.func == B.IO_SEEK:
            iop.offset = 0
            return bRC_OK
        return bRC_OK

    def free(self):
        if self.proc is not None:
            try:
                self.proc.kill()
                self.proc.wait(5)
            except (OSError, subprocess.TimeoutExpired):
                pass
