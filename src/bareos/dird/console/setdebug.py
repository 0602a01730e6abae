"""`setdebug`, `setbandwidth` and `trace` (Bareos's SetdebugCmd,
SetbwlimitCmd, TraceCmd): debug settings of the Director and, over a
Director connection, of File and Storage Daemons."""

from __future__ import annotations

import logging
import os

from bareos.lib import bnet
from bareos.lib.bnet import BnetError

from .. import acl
from ..daemonconn import DaemonConnectError, connect_daemon, recv_text
from ..select import get_client_resource, get_storage_resource, select_client

TRACE_HANDLER = "_bareos_trace_handler"


def _int(text, default=-1) -> int:
    try:
        return int(str(text).strip())
    except (TypeError, ValueError):
        return default if text is None else 0


def director_state(d) -> dict:
    """The Director's debug settings (level, trace, hangup, timestamp)."""
    state = getattr(d, "debug_settings", None)
    if state is None:
        state = {"level": 0, "trace": 0, "hangup": 0, "timestamp": 0}
        d.debug_settings = state
    return state


def trace_file(d) -> str:
    return os.path.join(d.working_directory or ".", f"{d.name}.trace")


def set_trace(d, on: bool) -> None:
    """Send the Director's debug log to <working directory>/<name>.trace (or stop)."""
    state = director_state(d)
    logger = logging.getLogger("bareos")
    old = getattr(d, TRACE_HANDLER, None)
    if old is not None and not on:
        logger.removeHandler(old)
        old.close()
        setattr(d, TRACE_HANDLER, None)
    if on and old is None:
        handler = logging.FileHandler(trace_file(d))
        handler.setFormatter(logging.Formatter("%(asctime)s %(name)s: %(message)s"))
        logger.addHandler(handler)
        setattr(d, TRACE_HANDLER, handler)
    state["trace"] = int(on)


def do_director_setdebug(ua, level: int, trace: int, timestamp: int) -> None:
    d = ua.director
    state = director_state(d)
    state["level"] = level
    logging.getLogger("bareos").setLevel(logging.DEBUG if level > 0 else logging.NOTSET)
    if trace >= 0:
        set_trace(d, bool(trace))
    if timestamp >= 0:
        state["timestamp"] = timestamp
    ua.send_msg(f"level={level} trace={state['trace']} hangup={state['hangup']} "
                f"timestamp={state['timestamp']} tracefilename={trace_file(d)}\n")


def _daemon_command(ua, res, kind: str, line: str, until_eod: bool = False) -> list[str] | None:
    """Connect (15 seconds), send one command, relay the answer."""
    try:
        conn = connect_daemon(ua.director, res, kind, timeout=15)
    except DaemonConnectError:
        return None
    bs = conn.bsock
    out = []
    try:
        bs.send(line)
        while True:
            try:
                msg = recv_text(bs, timeout=60)
            except (BnetError, OSError, TimeoutError):
                break
            if isinstance(msg, int):
                break
            out.append(msg)
            if not until_eod:
                break
    finally:
        bs.terminate()
    return out


def _port(res, kind: str) -> int:
    return int(res.get("Port") or (9103 if kind == "storage" else 9102))


def do_client_setdebug(ua, client, level, trace, hangup, timestamp) -> None:
    ua.send_msg(f"Connecting to Client {client.name} at {client.get('Address')}:"
                f"{_port(client, 'client')}\n")
    lines = _daemon_command(ua, client, "client", f"setdebug={level} trace={trace} hangup={hangup} "
                                                  f"timestamp={timestamp}\n")
    if lines is None:
        ua.error_msg("Failed to connect to Client.\n")
        return
    for text in lines:
        ua.send_msg(text)


def do_storage_setdebug(ua, store, level, trace, timestamp) -> None:
    ua.send_msg(f"Connecting to Storage daemon {store.name} at {store.get('Address')}:"
                f"{_port(store, 'storage')}\n")
    lines = _daemon_command(ua, store, "storage", f"setdebug={level} trace={trace} "
                                                  f"timestamp={timestamp}\n")
    if lines is None:
        ua.error_msg("Failed to connect to Storage daemon.\n")
        return
    for text in lines:
        ua.send_msg(text)


def _unique_by_address(resources, kind):
    seen, out = set(), []
    for res in resources:
        key = (res.get("Address"), _port(res, kind))
        if key not in seen:
            seen.add(key)
            out.append(res)
    return out


def do_all_setdebug(ua, level, trace, hangup, timestamp) -> None:
    d = ua.director
    do_director_setdebug(ua, level, trace, timestamp)
    for store in _unique_by_address(d.resources("Storage"), "storage"):
        do_storage_setdebug(ua, store, level, trace, timestamp)
    for client in _unique_by_address(d.resources("Client"), "client"):
        do_client_setdebug(ua, client, level, trace, hangup, timestamp)


def setdebug(ua) -> bool:
    d = ua.director
    level = _int(ua.arg_value("level"))
    if level < 0:
        n = ua.get_pint("Enter new debug level: ")
        if n is None:
            return True
        level = n
    trace = ua.arg_value("trace")
    trace = -1 if trace is None else (1 if _int(trace, 0) > 0 else _int(trace, 0))
    hangup = ua.arg_value("hangup")
    hangup = -1 if hangup is None else _int(hangup, 0)
    stamp = ua.arg_value("timestamp")
    stamp = -1 if stamp is None else (1 if _int(stamp, 0) > 0 else _int(stamp, 0))
    for i in range(1, ua.argc):
        key = ua.argk[i].lower()
        if key == "all":
            do_all_setdebug(ua, level, trace, hangup, stamp)
            return True
        if key in ("dir", "director"):
            do_director_setdebug(ua, level, trace, stamp)
            return True
        if key in ("client", "fd"):
            client = None
            if ua.argv[i]:
                client = d.get("Client", ua.argv[i])
                if client is not None and not ua.acl_access_ok(acl.CLIENT, client.name):
                    client = None
            if client is None:
                client = select_client(ua)
            if client is not None:
                do_client_setdebug(ua, client, level, trace, hangup, stamp)
                return True
        if key in ("store", "storage", "sd"):
            store = None
            if ua.argv[i]:
                store = d.get("Storage", ua.argv[i])
                if store is not None and not ua.acl_access_ok(acl.STORAGE, store.name):
                    store = None
            if store is None:
                store = get_storage_resource(ua)
            if store is not None:
                do_storage_setdebug(ua, store, level, trace, stamp)
                return True
    choice = ua.select_item("Available daemons are: \n", ["Director", "Storage", "Client", "All"],
                            "Select daemon type to set debug level", "")
    if choice == 0:
        do_director_setdebug(ua, level, trace, stamp)
    elif choice == 1:
        store = get_storage_resource(ua)
        if store is not None:
            do_storage_setdebug(ua, store, level, trace, stamp)
    elif choice == 2:
        client = select_client(ua)
        if client is not None:
            do_client_setdebug(ua, client, level, trace, hangup, stamp)
    elif choice == 3:
        do_all_setdebug(ua, level, trace, hangup, stamp)
    return True


def trace(ua) -> bool:
    if ua.argc != 2:
        answer = ua.get_cmd("Turn on or off? ")
        if answer is None:
            return True
        onoff = answer.strip()
    else:
        onoff = ua.argk[1]
    set_trace(ua.director, onoff.lower() != "off")
    return True


def setbandwidth(ua) -> bool:
    d = ua.director
    limit = -1
    value = ua.arg_value("limit")
    if value is not None:
        limit = _int(value, 0) * 1024
    if limit < 0:
        n = ua.get_pint("Enter new bandwidth limit kb/s: ")
        if n is None:
            return True
        limit = n * 1024
    client = store = None
    job = ""
    if ua.find_arg_keyword(("job", "jobid", "ujobid", "all", "state")) >= 0:
        running = d.running_jobs()
        sel = _select_running(ua, running)
        if sel is None:
            return True
        for jcr in sel:
            jcr.max_bandwidth = limit
            job = jcr.job
            if jcr.job_type in ("c", "g", "C", "M"):
                store = jcr.storage
            else:
                client = jcr.client
    elif ua.find_arg("storage") >= 0:
        store = get_storage_resource(ua)
    else:
        client = get_client_resource(ua)
    line = f"setbandwidth={limit} Job={bnet.bash_spaces(job)}\n"
    if client is not None:
        ua.send_msg(f"Connecting to Client {client.name} at {client.get('Address')}:"
                    f"{_port(client, 'client')}\n")
        lines = _daemon_command(ua, client, "client", line)
        if lines is None:
            ua.error_msg("Failed to connect to Client.\n")
        elif not lines or not lines[0].startswith("2000 OK"):
            ua.error_msg("Failed to set bandwidth limit on Client.\n")
        else:
            ua.info_msg(f"OK Limiting bandwidth to {limit // 1024}kb/s {job}\n")
        return True
    if store is not None:
        ua.send_msg(f"Connecting to Storage daemon {store.name} at {store.get('Address')}:"
                    f"{_port(store, 'storage')}\n")
        lines = _daemon_command(ua, store, "storage", line)
        if lines is None:
            ua.error_msg("Failed to connect to Storage daemon.\n")
        elif not lines or not lines[0].startswith(("2000 OK", "3000 OK")):
            ua.error_msg("Failed to set bandwidth limit on Storage daemon.\n")
        else:
            ua.info_msg(f"OK Limiting bandwidth to {limit // 1024}kb/s {job}\n")
    return True


def _select_running(ua, running):
    """The running jobs named by jobid=/job=/ujobid=/all (Bareos's select_jobs)."""
    if ua.find_arg("all") >= 0:
        if not running:
            ua.send_msg("No Jobs running.\n")
            return None
        return running
    out = []
    for i in range(1, ua.argc):
        key, val = ua.argk[i].lower(), ua.argv[i]
        if not val:
            continue
        for jcr in running:
            if (key == "jobid" and str(jcr.jobid) in val.split(",")) or \
                    (key == "job" and jcr.job_name == val) or (key == "ujobid" and jcr.job == val):
                if ua.acl_access_ok(acl.JOB, jcr.job_name) and jcr not in out:
                    out.append(jcr)
    if not out:
        ua.send_msg("No Jobs running.\n" if not running else "Job not found.\n")
        return None
    return out
