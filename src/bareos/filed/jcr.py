"""The File Daemon's job control record: the state of one Director session."""

from __future__ import annotations

import logging
import threading
import time

from bareos.lib import bnet, jmsg, jobcodes
from bareos.lib.bnet import BnetError

log = logging.getLogger("bareos.filed")

# Job status letters (jobcodes): Bareos's JS_*.
JS_CREATED = "C"
JS_RUNNING = "R"
JS_BLOCKED = "B"
JS_TERMINATED = "T"
JS_WARNINGS = "W"
JS_ERROR = "E"
JS_FATAL = "f"
JS_CANCELED = "A"
JS_INCOMPLETE = "I"

LEVEL_NAMES = {"F": "Full", "I": "Incremental", "D": "Differential", "S": "Since", "B": "Base",
               " ": " "}

# Message types the FD sends to the Director when no Messages resource says otherwise.
_DEFAULT_EXCLUDED = {jmsg.M_SKIPPED, jmsg.M_RESTORED}


class Jcr:
    """State of one Director connection (a job, or a status/estimate session)."""

    def __init__(self, daemon, dir_bsock, director=None) -> None:
        self.daemon = daemon
        self.dir_bsock = dir_bsock
        self.director = director
        self.job_id = 0
        self.job = "*Director*"
        self.vol_session_id = 0
        self.vol_session_time = 0
        self.sd_auth_key = ""
        self.sd_tls_policy = 0
        self.multi_restore = False
        self.level = " "
        self.job_type = " "
        self.accurate = False
        self.rerunning = False
        self.incremental = False
        self.since_time = 0
        self.prev_job = ""
        self.fileset = None
        self.runscripts: list = []
        self.plugin_options: list[str] = []
        self.store_bsock = None
        self.status = JS_CREATED
        self.job_files = 0
        self.read_bytes = 0
        self.job_bytes = 0
        self.job_errors = 0
        self.job_warnings = 0
        self.num_files_examined = 0
        self.last_fname = ""
        self.start_time = time.time()
        self.max_bandwidth = 0
        self.accurate_list = None
        self.where = ""
        self.regexwhere = None
        self.replace = "a"
        self.prefix_links = False
        self.ticket = 0
        self.listing = 0
        self.canceled = threading.Event()
        self.lock = threading.Lock()

    # -- status ------------------------------------------------------------
    def set_status(self, st: str) -> None:
        with self.lock:
            if jobcodes.status_replaces(self.status, st):
                self.status = st

    @property
    def is_canceled(self) -> bool:
        return self.canceled.is_set() or self.status in (JS_CANCELED, JS_ERROR, JS_FATAL)

    def cancel(self) -> None:
        self.canceled.set()
        self.set_status(JS_CANCELED)
        sd = self.store_bsock
        if sd is not None:
            sd.shutdown()

    # -- messages ----------------------------------------------------------
    def jmsg(self, mtype: int, text: str, raw: bool = False) -> None:
        """Send a job message to the Director (``Jmsg Job=... type=... level=...``).

        *raw* sends the text without the ``<fd> JobId <n>:`` prefix and
        regardless of the Messages filter (Bareos's mtime==1 messages, used
        for estimate listings).
        """
        if mtype == jmsg.M_FATAL:
            self.job_errors += 1
            self.set_status(JS_FATAL)
        elif mtype == jmsg.M_ERROR:
            self.job_errors += 1
        elif mtype == jmsg.M_WARNING:
            self.job_warnings += 1
        if not text.endswith("\n"):
            text += "\n"
        if not raw:
            from .netmodes import write_local_message

            write_local_message(self.daemon, mtype, text, self.job_id)
        if raw:
            line = jmsg.jmsg_line(self.job, mtype, text, mtime=1)
        else:
            if not self.daemon.message_wanted(mtype):
                return
            line = jmsg.job_message_line(self.daemon.name, self.job_id, self.job, mtype, text)
        log.debug("jmsg: %s", line.rstrip())
        if self.dir_bsock is None:
            return
        try:
            self.dir_bsock.send(line.encode("utf-8", "surrogateescape"))
        except (BnetError, OSError):
            pass

    def send_dir(self, text: str | bytes) -> None:
        self.dir_bsock.send(text)

    def signal_dir(self, sig: int = bnet.BNET_EOD) -> None:
        self.dir_bsock.signal(sig)
