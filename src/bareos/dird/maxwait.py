"""A job's ``Max Wait Time`` while its Storage Daemon waits for a volume.

The SD reports ``Status Job=... JobStatus=`` 'M' (waiting for a mount) or
'm' (waiting for an appendable volume) when it asks the operator for a
volume, and 'R' when it has one.  The time spent in those states adds up;
when it reaches the job's Max Wait Time the Director cancels the job with
``Max wait time exceeded. Job canceled.``, as Bareos's job watchdog does
(Bareos 25's watchdog only counts waits of the Director's own job status;
this counts the SD's volume waits too, as the directive's documentation
describes).

:func:`sd_status_changed` is called by the SD message thread
(``dird/storage.py``) at every status change; a timer per wait does the rest.
"""

from __future__ import annotations

import logging
import threading
import time

from bareos.lib import jmsg, jobcodes

log = logging.getLogger("bareos.dird.maxwait")

#: SD job statuses that count as waiting
WAIT_STATUSES = (jobcodes.JS_WAIT_MOUNT, jobcodes.JS_WAIT_MEDIA, jobcodes.JS_WAIT_MAX_JOBS)

_lock = threading.Lock()


def max_wait_time(jcr) -> int:
    res = getattr(jcr, "job_res", None)
    if res is None:
        return 0
    try:
        return int(res.get("Max Wait Time", 0) or 0)
    except (TypeError, ValueError):
        return 0


def sd_status_changed(jcr, old: str, new: str) -> None:
    """Account the job's waiting time; arm or disarm its Max Wait Time timer."""
    limit = max_wait_time(jcr)
    if limit <= 0:
        return
    was, now_waiting = old in WAIT_STATUSES, new in WAIT_STATUSES
    if was == now_waiting:
        return
    with _lock:
        state = jcr.__dict__.setdefault("_max_wait", {"sum": 0.0, "start": None, "timer": None})
        if now_waiting:
            state["start"] = start = time.monotonic()
            left = max(0.0, limit - state["sum"])
            timer = threading.Timer(left, _expired, args=(jcr, start))
            timer.daemon = True
            timer.name = f"maxwait-{jcr.jobid}"
            state["timer"] = timer
            timer.start()
        else:
            if state["start"] is not None:
                state["sum"] += time.monotonic() - state["start"]
            state["start"] = None
            if state["timer"] is not None:
                state["timer"].cancel()
                state["timer"] = None


def _expired(jcr, start: float) -> None:
    with _lock:
        state = jcr.__dict__.get("_max_wait") or {}
        if state.get("start") != start:
            return                               # the wait ended meanwhile
    if jcr.cancel_event.is_set() or jcr.done_event.is_set() \
            or jcr.sd_status not in WAIT_STATUSES:
        return
    jcr.msg(jmsg.M_FATAL, "Max wait time exceeded. Job canceled.\n")
    cancel_job(jcr)


class _LogUa:
    """What the cancel helpers need of a console: the Director and a place to say things."""

    def __init__(self, director) -> None:
        self.director = director

    def info_msg(self, text: str) -> None:
        log.info("%s", text.rstrip())

    error_msg = send_msg = info_msg


def cancel_job(jcr) -> None:
    """Cancel *jcr* as the console's ``cancel`` does: mark it, then tell its
    File Daemon and Storage Daemon on connections of their own."""
    from .console import cancel as cancelcmd

    director = jcr.director
    started = bool(jcr.sockets)
    director.jobs.cancel(jcr.jobid)
    if not started:
        return
    ua = _LogUa(director)
    if getattr(jcr, "client", None) is not None:
        cancelcmd._cancel_on(ua, jcr, jcr.client, "client")
    for res in cancelcmd._storages(jcr):
        cancelcmd._cancel_on(ua, jcr, res, "storage")
