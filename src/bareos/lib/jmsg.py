"""Job messages: the message types of Bareos and the `Jmsg` line daemons send
to the Director, and the text prefix Bareos puts in front of each message.

Sans-I/O: build and parse lines; the daemons decide where to send them.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

# Message types (message_severity.h); the wire carries the number.
M_ABORT = 1
M_DEBUG = 2
M_FATAL = 3
M_ERROR = 4
M_WARNING = 5
M_INFO = 6
M_SAVED = 7
M_NOTSAVED = 8
M_SKIPPED = 9
M_MOUNT = 10
M_ERROR_TERM = 11
M_TERM = 12
M_RESTORED = 13
M_SECURITY = 14
M_ALERT = 15
M_VOLMGMT = 16
M_AUDIT = 17

TYPE_NAMES = {
    M_ABORT: "abort", M_DEBUG: "debug", M_FATAL: "fatal", M_ERROR: "error",
    M_WARNING: "warning", M_INFO: "info", M_SAVED: "saved", M_NOTSAVED: "notsaved",
    M_SKIPPED: "skipped", M_MOUNT: "mount", M_ERROR_TERM: "error_term", M_TERM: "terminate",
    M_RESTORED: "restored", M_SECURITY: "security", M_ALERT: "alert", M_VOLMGMT: "volmgmt",
    M_AUDIT: "audit",
}
TYPES_BY_NAME = {v: k for k, v in TYPE_NAMES.items()}

_SEVERITY_PREFIX = {
    M_FATAL: "Fatal error: ",
    M_ERROR: "Error: ",
    M_WARNING: "Warning: ",
    M_SECURITY: "Security violation: ",
    M_ABORT: "ABORTING due to ERROR ",
    M_ERROR_TERM: "ERROR TERMINATION ",
}


def message_text(daemon: str, jobid: int | None, mtype: int, text: str) -> str:
    """The text of a job message with Bareos's prefix:
    ``<daemon> JobId <n>: [Fatal error: |Error: |Warning: ]<text>``."""
    prefix = f"{daemon} JobId {jobid}: " if jobid else f"{daemon}: "
    return prefix + _SEVERITY_PREFIX.get(mtype, "") + text


def jmsg_line(job: str, mtype: int, text: str, mtime: float | None = None) -> str:
    """``Jmsg Job=<job> type=<t> level=<unix time> <text>`` as FD/SD send it."""
    when = int(mtime if mtime is not None else time.time())
    return f"Jmsg Job={job} type={mtype} level={when} {text}"


def job_message_line(daemon: str, jobid: int | None, job: str, mtype: int, text: str) -> str:
    """The Jmsg line of a job message of *daemon*, its text prefixed as
    :func:`message_text` does (what the FD and SD send the Director)."""
    return jmsg_line(job, mtype, message_text(daemon, jobid, mtype, text))


_JMSG = re.compile(r"Jmsg Job=(\S*) type=(-?\d*) level=(-?\d*) ?(.*)\Z", re.S)


@dataclass(frozen=True)
class Jmsg:
    job: str
    mtype: int
    mtime: int
    text: str


def parse_jmsg(line: str | bytes) -> Jmsg | None:
    """Parse a Jmsg line (None when it is not one)."""
    if isinstance(line, bytes):
        line = line.decode("utf-8", "replace")
    m = _JMSG.match(line)
    if m is None:
        return None
    return Jmsg(m.group(1), int(m.group(2) or 0), int(m.group(3) or 0), m.group(4))


def message_time_prefix(t: float | None = None) -> str:
    """``22-Nov 00:36`` as in front of console/log messages."""
    return time.strftime("%d-%b %H:%M", time.localtime(t if t is not None else time.time()))
