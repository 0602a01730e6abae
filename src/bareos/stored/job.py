"""One job in the Storage Daemon (Bareos's JCR for the SD side).

A job is created by the Director's ``JobId=`` command on a Director
connection; the File Daemon (or, for passive clients, the SD itself) then
attaches the data connection.  The Director connection's thread runs the job
after ``run``; it alone reads from the Director socket (catalog replies), so
catalog requests are plain send-then-receive.
"""

from __future__ import annotations

import logging
import threading
import time

from bareos.lib import bnet, jmsg
from bareos.lib.bnet import BnetError
from bareos.lib.jobcodes import (
    JS_CANCELED, JS_CREATED, JS_ERROR_TERMINATED, JS_FATAL_ERROR, JS_TERMINATED, status_replaces,
)
from bareos.stored import protocol as P

log = logging.getLogger("bareos.stored.job")


class CatalogError(Exception):
    """The Director did not answer a catalog request as expected."""


class JobCanceled(Exception):
    pass


class SdJob:
    def __init__(self, sd, cmd: P.JobCommand, dir_bsock, key: str) -> None:
        self.sd = sd
        self.cmd = cmd
        self.job_id = cmd.job_id
        self.job = cmd.job
        self.job_name = cmd.job_name
        self.client_name = cmd.client_name
        self.job_type = cmd.job_type
        self.job_level = cmd.job_level
        self.vol_session_id = cmd.vol_session_id
        self.vol_session_time = cmd.vol_session_time
        self.key = key
        self.dir = dir_bsock
        self.fd = None                    # data connection (BSock)
        self.fd_lock = threading.Lock()
        self.status = JS_CREATED
        self.authenticated = False
        self.client_available = threading.Event()
        self.fd_done = threading.Event()  # FD handler thread may return
        self.canceled = False
        self.stores: list[P.DirStore] = []
        self.jit = False                  # just-in-time reservation pending
        self.write_dcr = None             # append.WriteDcr
        self.attr_spool = None            # spool.AttrSpool while attributes are spooled
        self.read_device = None           # Device reserved for reading
        self.read_store: P.DirStore | None = None
        self.bsr = None
        self.plugin_options: list[str] = []
        self.files = 0
        self.bytes = 0
        self.errors = 0
        self.created = time.time()
        self.start_time = 0.0
        self.end_time = 0.0
        self.volume_names: list[str] = []
        self.wait_reason = ""

    # -- status ------------------------------------------------------------
    def set_status(self, status: str) -> None:
        """Set the job status unless a more important one is already set."""
        if status_replaces(self.status, status):
            self.status = status

    @property
    def is_canceled(self) -> bool:
        return self.canceled or self.status in (JS_CANCELED, JS_ERROR_TERMINATED, JS_FATAL_ERROR)

    def send_status(self, status: str | None = None) -> None:
        if status is not None:
            self.set_status(status)
        self._dir_send(P.job_status_line(self.job, self.status))

    # -- messages ------------------------------------------------------------
    def jmsg(self, mtype: int, text: str) -> None:
        """A job message to the Director (its Messages resource routes it)."""
        if not text.endswith("\n"):
            text += "\n"
        if mtype in (jmsg.M_FATAL, jmsg.M_ERROR):
            self.errors += 1
            log.warning("JobId %s: %s", self.job_id, text.rstrip())
        else:
            log.info("JobId %s: %s", self.job_id, text.rstrip())
        if mtype == jmsg.M_FATAL and self.status != JS_CANCELED:
            self.set_status(JS_ERROR_TERMINATED)
        self._dir_send(jmsg.job_message_line(self.sd.name, self.job_id, self.job, mtype, text))

    def info(self, text: str) -> None:
        self.jmsg(jmsg.M_INFO, text)

    def warning(self, text: str) -> None:
        self.jmsg(jmsg.M_WARNING, text)

    def fatal(self, text: str) -> None:
        self.jmsg(jmsg.M_FATAL, text)

    def _dir_send(self, data) -> None:
        if self.dir is None:
            return
        try:
            self.dir.send(data)
        except (BnetError, OSError) as exc:
            log.warning("JobId %s: cannot send to the Director: %s", self.job_id, exc)

    # -- catalog requests -------------------------------------------------------
    def dir_request(self, line: str) -> str:
        """Send a catalog request and return the Director's answer."""
        if self.dir is None:
            raise CatalogError("no Director connection")
        try:
            self.dir.send(line)
            while True:
                item = self.dir.recv()
                if isinstance(item, bytes):
                    return P.as_text(item)
                if item in (bnet.BNET_HEARTBEAT, bnet.BNET_HB_RESPONSE):
                    continue
                raise CatalogError(f"Director sent {bnet.signal_name(item)} instead of an answer")
        except (BnetError, OSError, TimeoutError) as exc:
            raise CatalogError(f"Network error talking to the Director: {exc}") from exc

    def volume_request(self, line: str) -> P.VolumeInfo | None:
        reply = self.dir_request(line)
        info = P.parse_volume_info(reply)
        if info is None:
            log.info("JobId %s: Director answered %r", self.job_id, reply.rstrip())
        return info

    def end_line(self) -> str:
        return P.job_end_line(self.job, self.status, self.files, self.bytes, self.errors)

    def finish_status(self) -> None:
        """Terminate the job status: T unless something failed."""
        if self.status not in (JS_CANCELED, JS_ERROR_TERMINATED, JS_FATAL_ERROR):
            self.status = JS_TERMINATED
