"""Delivering the Director's messages through Messages resources.

A message has a type (``bareos.lib.jmsg.M_*``), a text that already carries
Bareos's prefix (``bareos-dir JobId 3: ...``) and a time.  Each destination of
the job's (or the Director's) Messages resource that wants the type gets it:

* ``console``: the Director's console queue (read by `messages`),
* ``append`` / ``file``: a log file (`file` truncates once per Director run),
* ``catalog``: the job's Log rows,
* ``stdout`` / ``stderr`` / ``syslog``,
* ``mail`` / ``mail on error`` / ``mail on success`` / ``operator``: collected per
  job and piped into the Mail/Operator Command when the job ends.
"""

from __future__ import annotations

import logging
import os
import shlex
import subprocess
import sys
import threading
import time

from bareos.lib import jmsg
from bareos.lib.edit import edit_codes

log = logging.getLogger("bareos.dird.msgs")

_file_locks: dict[str, threading.Lock] = {}
_truncated: set[str] = set()
_global_lock = threading.Lock()


def type_name(mtype: int) -> str:
    if mtype == jmsg.M_ERROR_TERM:
        return "error"
    return jmsg.TYPE_NAMES.get(mtype, "info")


def line_prefix(t: float) -> str:
    return time.strftime("%d-%b %H:%M", time.localtime(t))


def _append_file(path: str, text: str, truncate_once: bool) -> None:
    with _global_lock:
        lock = _file_locks.setdefault(path, threading.Lock())
        mode = "a"
        if truncate_once and path not in _truncated:
            _truncated.add(path)
            mode = "w"
    with lock:
        try:
            with open(path, mode, encoding="utf-8", errors="replace") as f:
                f.write(text)
        except OSError as exc:
            log.error("cannot write messages to %s: %s", path, exc)


def expand_command(cmd: str, values: dict[str, str]) -> str:
    """Replace Bareos's %-codes in a mail or operator command (unknown ones
    are dropped)."""
    return edit_codes(cmd, {**values, "%": "%"}, keep_unknown=False)


class MessageSink:
    """Routes messages for one job (or for the Director itself when jcr is None)."""

    def __init__(self, director, messages_res, jcr=None):
        self.director = director
        self.res = messages_res
        self.jcr = jcr
        self._mail: dict[tuple[str, str], list[str]] = {}
        self._lock = threading.Lock()

    def destinations(self):
        if self.res is None:
            return []
        return list(self.res.extra.get("destinations", [])) if hasattr(self.res, "extra") else []

    def deliver(self, mtype: int, text: str, mtime: float | None = None) -> None:
        mtime = mtime if mtime is not None else time.time()
        if not text.endswith("\n"):
            text += "\n"
        tname = type_name(mtype)
        dests = self.destinations()
        if not dests:
            # No Messages resource: keep the text visible on the console.
            self.director.console_messages.add(f"{line_prefix(mtime)} {text}")
            return
        dated = f"{line_prefix(mtime)} {text}"
        for dest in dests:
            if tname not in dest.types:
                continue
            kind = dest.kind.replace(" ", "")
            try:
                if kind == "console":
                    self.director.console_messages.add(dated)
                elif kind == "append":
                    _append_file(dest.where, dated, truncate_once=False)
                elif kind == "file":
                    _append_file(dest.where, dated, truncate_once=True)
                elif kind == "catalog":
                    if self.jcr is not None and self.jcr.jobid:
                        self.director.catalog_log(self.jcr.jobid, text, mtime)
                elif kind == "stdout":
                    sys.stdout.write(dated)
                    sys.stdout.flush()
                elif kind == "stderr":
                    sys.stderr.write(dated)
                    sys.stderr.flush()
                elif kind == "syslog":
                    import syslog

                    syslog.syslog(syslog.LOG_DAEMON | syslog.LOG_ERR, text.rstrip("\n"))
                elif kind in ("mail", "mailonerror", "mailonsuccess", "operator"):
                    with self._lock:
                        self._mail.setdefault((kind, dest.where or ""), []).append(dated)
                    if kind == "operator":
                        self._send_mail(kind, dest.where or "", final_status=None)
                elif kind == "director":
                    pass  # only meaningful for FD/SD Messages resources
            except Exception:  # a broken destination never breaks the job
                log.exception("message destination %s failed", dest.kind)

    def _send_mail(self, kind: str, address: str, final_status: str | None) -> None:
        with self._lock:
            lines = self._mail.pop((kind, address), [])
        if not lines or self.res is None:
            return
        cmd_directive = "Operator Command" if kind == "operator" else "Mail Command"
        cmd = self.res.get(cmd_directive)
        jcr = self.jcr
        values = {
            "r": address, "d": self.director.name, "c": getattr(jcr, "client_name", "") or "",
            "j": getattr(jcr, "job", "") or "", "n": getattr(jcr, "job_name", "") or "",
            "i": str(getattr(jcr, "jobid", "") or ""), "t": getattr(jcr, "type_name", "") or "",
            "l": getattr(jcr, "level_name", "") or "", "e": final_status or "",
        }
        if cmd:
            argv = shlex.split(expand_command(cmd, values))
        else:
            argv = ["/usr/sbin/sendmail", "-oi", address] if os.path.exists("/usr/sbin/sendmail") else None
        if not argv:
            log.warning("no mail command for %s messages to %s; %d lines dropped",
                        kind, address, len(lines))
            return
        try:
            subprocess.run(argv, input="".join(lines), text=True, timeout=120,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        except (OSError, subprocess.SubprocessError) as exc:
            log.error("mail command %r failed: %s", argv, exc)

    def job_finished(self, ok: bool, status_text: str) -> None:
        """Send the collected mail at the end of a job."""
        with self._lock:
            keys = list(self._mail)
        for kind, address in keys:
            if kind == "mailonerror" and ok:
                with self._lock:
                    self._mail.pop((kind, address), None)
                continue
            if kind == "mailonsuccess" and not ok:
                with self._lock:
                    self._mail.pop((kind, address), None)
                continue
            self._send_mail(kind, address, status_text)
