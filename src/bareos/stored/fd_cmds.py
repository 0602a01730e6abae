"""Commands of the File Daemon on the data channel (Bareos's fd_cmds.cc).

Prefix dispatch over ``append open``, ``append data``, ``append end``,
``append close``, ``read open``, ``read data``, ``read close``; anything
else is answered ``3900 Invalid command`` and ends the session.  When the
loop ends the SD sends TERMINATE to the FD.
"""

from __future__ import annotations

import logging

from bareos.lib import bnet
from bareos.lib.bnet import BnetError
from bareos.lib.jobcodes import JS_ERROR_TERMINATED
from bareos.stored import protocol as P
from bareos.stored.append import do_append_data
from bareos.stored.read import do_read_data

log = logging.getLogger("bareos.stored.fd_cmds")


class FdSession:
    def __init__(self, job, fd) -> None:
        self.job = job
        self.fd = fd
        self.open = False
        self.error = ""

    def append_open(self, line: str) -> bool:
        if self.open:
            self.error = "Attempt to open already open session."
            self.fd.send(P.NO_OPEN)
            return False
        self.open = True
        self.fd.send(P.OK_OPEN.format(self.job.vol_session_id))
        return True

    def append_data(self, line: str) -> bool:
        if not self.open:
            self.error = "Attempt to append on non-open session."
            self.fd.send(P.NOT_OPENED)
            return False
        self.job.job_type = self.job.job_type or "B"
        if do_append_data(self.job, self.fd):
            return True
        self.error = "Append data error."
        return False

    def append_end(self, line: str) -> bool:
        if not self.open:
            self.error = "Attempt to close non-open session."
            self.fd.send(P.NOT_OPENED)
            return False
        self.fd.send(P.OK_END)
        return True

    def append_close(self, line: str) -> bool:
        if not self.open:
            self.error = "Attempt to close non-open session."
            self.fd.send(P.NOT_OPENED)
            return False
        self.fd.send(P.OK_CLOSE.format(ord(self.job.status)))
        self.fd.signal(bnet.BNET_EOD)
        self.open = False
        return True

    def read_open(self, line: str) -> bool:
        if self.open:
            self.error = "Attempt to open read on non-open session."
            self.fd.send(P.NO_OPEN)
            return False
        P.parse_read_open(line)        # legacy positional values; the BSR selects
        self.open = True
        self.job.job_type = "R"
        self.fd.send(P.OK_OPEN.format(self.job.vol_session_id))
        return True

    def read_data(self, line: str) -> bool:
        if not self.open:
            self.error = "Attempt to read on non-open session."
            self.fd.send(P.NOT_OPENED)
            return False
        return do_read_data(self.job, self.fd)

    def read_close(self, line: str) -> bool:
        if not self.open:
            self.fd.send(P.NOT_OPENED)
            return False
        self.fd.send(P.OK_CLOSE.format(ord(self.job.status)))
        self.fd.signal(bnet.BNET_EOD)
        self.open = False
        return True

    COMMANDS = (
        ("append open", append_open), ("append data", append_data),
        ("append end", append_end), ("append close", append_close),
        ("read open", read_open), ("read data", read_data), ("read close", read_close),
    )

    def run(self) -> None:
        job = self.job
        fd = self.fd
        try:
            while True:
                try:
                    item = fd.recv()
                except (BnetError, OSError, TimeoutError):
                    break
                if isinstance(item, int):
                    if item == bnet.BNET_TERMINATE:
                        break
                    continue
                if not item:
                    continue
                line = P.as_text(item)
                for prefix, func in self.COMMANDS:
                    if line.startswith(prefix):
                        self.error = ""
                        if not func(self, line):
                            if not job.is_canceled:
                                extra = f" {self.error}" if self.error else ""
                                job.fatal(f"Command error with FD, hanging up.{extra}")
                                job.set_status(JS_ERROR_TERMINATED)
                            return
                        break
                else:
                    if not job.is_canceled:
                        job.fatal(f"FD command not found: {line.rstrip()}")
                    fd.send(P.FD_INVALID)
                    return
        except (BnetError, OSError) as exc:
            if not job.is_canceled:
                job.fatal(f"Network error with FD: {exc}")
        finally:
            fd.terminate(close=False)
