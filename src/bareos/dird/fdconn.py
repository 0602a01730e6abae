"""The Director's connections to File Daemons in every network mode.

* Director to client (connection 3): outbound, with the handshake-mode
  probing of Bareos 18.2+ (TLS first, then the old cleartext handshake; what
  worked is remembered per client until the next reload).
* Client to Director (connection 4): the FD dials the Director and keeps an
  authenticated connection waiting (``Hello Client <name> FdProtocolVersion=N
  calling``); the Director parks it in a pool keyed by client name.

:func:`connect_client` does what a job (or ``status client``, ``estimate``)
needs in Bareos's order: a waiting connection, then an outbound connect, then
waiting for a client connection, each as the Client's ``Connection From ...``
directives allow.
"""

from __future__ import annotations

import logging
import select
import ssl
import threading
import time
from dataclasses import dataclass, field

from bareos.lib import bnet, cram, tls
from bareos.lib import version as v
from bareos.lib.bnet import BnetError
from bareos.lib.bsock import AuthenticationFailed, authenticate_server

from .daemonconn import Connected, DaemonConnectError, connect_daemon

log = logging.getLogger("bareos.dird.fdconn")

PROBING_MESSAGE = "Probing client protocol... (result will be saved until config reload)\n"
NOT_AUTHORIZED = "1999 You are not authorized.\n"

MODE_TLS = "tls"            # Bareos's ClientConnectionHandshakeMode::kTlsFirst
MODE_CLEARTEXT = "cleartext"  # kCleartextFirst


@dataclass
class WaitingConnection:
    """One authenticated client-initiated connection parked in the pool."""

    name: str
    protocol_version: int
    connect_time: float
    bsock: object
    tls_used: bool
    taken: bool = False
    done: threading.Event = field(default_factory=threading.Event)


class ConnectionPool:
    """Client-initiated connections waiting for jobs (Bareos's connection_pool)."""

    def __init__(self) -> None:
        self._conns: list[WaitingConnection] = []
        self._cond = threading.Condition()

    def add(self, conn: WaitingConnection) -> None:
        with self._cond:
            self._conns.append(conn)
            self._cond.notify_all()

    def waiting(self) -> list[WaitingConnection]:
        """The live waiting connections, oldest first (dead ones are dropped)."""
        with self._cond:
            self._prune()
            return list(self._conns)

    def take(self, name: str, timeout: float = 0.0, cancel_event=None) -> WaitingConnection | None:
        """The newest live connection of client *name*, waiting up to *timeout* seconds."""
        deadline = time.monotonic() + max(0.0, timeout)
        with self._cond:
            while True:
                self._prune()
                for conn in reversed(self._conns):
                    if conn.name == name:
                        self._conns.remove(conn)
                        conn.taken = True
                        return conn
                left = deadline - time.monotonic()
                if left <= 0 or (cancel_event is not None and cancel_event.is_set()):
                    return None
                self._cond.wait(min(left, 1.0))

    def remove(self, conn: WaitingConnection) -> None:
        with self._cond:
            if conn in self._conns:
                self._conns.remove(conn)

    def clear(self) -> None:
        with self._cond:
            conns, self._conns = self._conns, []
        for c in conns:
            _close_quietly(c.bsock)
            c.done.set()

    def _prune(self) -> None:
        for conn in list(self._conns):
            if not _alive(conn.bsock):
                self._conns.remove(conn)
                _close_quietly(conn.bsock)
                conn.done.set()


def _alive(bs) -> bool:
    """Zero-timeout readability probe; stray packets (heartbeats) are consumed."""
    if bs.closed:
        return False
    try:
        pending = bs.sock.pending() if isinstance(bs.sock, ssl.SSLSocket) else 0
        if not pending and not getattr(bs, "buffered", 0):
            r, _, _ = select.select([bs.sock], [], [], 0)
            if not r:
                return True
        while True:
            try:
                bs.recv(timeout=0.05)
            except TimeoutError:
                return True
            if getattr(bs, "buffered", 0) or (isinstance(bs.sock, ssl.SSLSocket)
                                               and bs.sock.pending()):
                continue
            r, _, _ = select.select([bs.sock], [], [], 0)
            if not r:
                return True
    except (BnetError, OSError, ValueError):
        return False


def _close_quietly(bs) -> None:
    try:
        bs.close()
    except Exception:
        pass


# -- the inbound side (connection 4) -------------------------------------------------

def handle_client_connection(director, bs, hello, tls_used: bool) -> None:
    """A File Daemon dialled us (`Hello Client ...`): authenticate and park it.

    Runs in the NetServer's connection thread, which keeps the socket until a
    job has used and closed it (the NetServer closes it when we return).
    """
    name = hello.name
    res = director.config.get("Client", name)
    if res is None:
        log.warning('Client "%s" tries to connect, but no matching resource is defined.', name)
        _terminate(bs)
        return
    if not res.get("Connection From Client To Director", False):
        log.warning('Connection from client "%s" to director is not allowed.', name)
        _terminate(bs)
        return
    settings = tls.TlsSettings.from_resource(res)
    local = settings.policy()
    try:
        remote = authenticate_server(bs, cram.as_key(res.get("Password")),
                                     cram.qualified_name("R_DIRECTOR", director.name), local)
    except AuthenticationFailed as exc:
        log.warning('Unable to authenticate client "%s" at %s: %s', name, bs.peer, exc)
        _send_quietly(bs, NOT_AUTHORIZED)
        return
    if not tls_used and tls.cleartext_decision(remote, local) != tls.CLEARTEXT_OK:
        log.warning('Client "%s" at %s: TLS required but the connection is cleartext', name, bs.peer)
        _send_quietly(bs, NOT_AUTHORIZED)
        return
    bs.send(f"1000 OK: {director.name} Version: {v.VERSION} ({v.BDATE})\n")
    bs.settimeout(None)
    conn = WaitingConnection(name=name, protocol_version=int(hello.fd_protocol_version or 0),
                             connect_time=director.clock(), bsock=bs, tls_used=tls_used)
    log.info("%s: client %r connected and waits for jobs (%s)", bs.peer, name,
             "TLS" if tls_used else "cleartext")
    director.client_pool.add(conn)
    try:
        run_on_incoming_connect(director, name)
    except Exception:  # never lose the waiting connection over this
        log.exception("Run On Incoming Connect Interval for client %s failed", name)
    stop = getattr(director, "_shutdown", None)
    while not conn.done.wait(1.0):
        if bs.closed or (stop is not None and stop.is_set()):
            break
        if not conn.taken and director.config.get("Client", name) is None:
            break
    director.client_pool.remove(conn)


def last_job_start(director, job_name: str, client_name: str) -> float | None:
    """Start time of the newest job *job_name* of *client_name* (T, W, C or R).

    0.0 when there is none; a job created but not started yet counts as now.
    None when the catalog cannot be asked.
    """
    cat = getattr(director, "catalog", None)
    if cat is None:
        return None
    from bareos.cats.catalog import parse_time

    try:
        _cols, rows = cat.sql(
            "SELECT StartTime FROM Job WHERE Name = ? AND JobStatus IN ('T', 'W', 'C', 'R') "
            "AND ClientId = (SELECT ClientId FROM Client WHERE Name = ?) "
            "ORDER BY JobId DESC LIMIT 1", (job_name, client_name))
    except Exception as exc:
        log.warning("Run On Incoming Connect Interval: catalog query failed: %s", exc)
        return None
    if not rows:
        return 0.0
    started = parse_time(rows[0][0] or "")
    return started if started is not None else time.time()


def run_on_incoming_connect(director, client_name: str) -> list[int]:
    """Jobs with ``Run On Incoming Connect Interval`` for a client that just dialled in.

    Each Job of this client whose last run (by start time; running and created
    jobs count) is older than its interval, or that never ran, is started
    (triggered by "Client").  Returns the new JobIds.
    """
    started = []
    for job in director.config.resources("Job"):
        interval = float(job.get("Run On Incoming Connect Interval", 0) or 0)
        if interval <= 0 or job.get("Client") != client_name:
            continue
        if any(getattr(j, "job_name", None) == job.name for j in _running_jobs(director)):
            continue
        last = last_job_start(director, job.name, client_name)
        if last is None:
            continue
        if last and time.time() - last <= interval:
            continue
        log.info("client %s connected: starting job %s (Run On Incoming Connect Interval %ds)",
                 client_name, job.name, int(interval))
        jcr = director.jobs.new_jcr(job, triggered_by="Client")
        started.append(director.jobs.submit(jcr))
    return started


def _running_jobs(director) -> list:
    jobs = getattr(director, "jobs", None)
    running = getattr(jobs, "running", None) or {}
    lock = getattr(jobs, "_lock", None)
    if lock is not None:
        with lock:
            return list(running.values())
    return list(running.values())


def _terminate(bs) -> None:
    try:
        bs.signal(bnet.BNET_TERMINATE)
    except (BnetError, OSError):
        pass


def _send_quietly(bs, text: str) -> None:
    try:
        bs.send(text)
    except (BnetError, OSError):
        pass


# -- what a job uses -----------------------------------------------------------------

class ClientConnectError(DaemonConnectError):
    pass


def connect_client(director, res, *, timeout: float | None = None, cancel_event=None,
                   say=None) -> Connected:
    """A connection to the File Daemon of Client resource *res*, ready for commands.

    *say(text)* receives the job-log lines (probing). Raises ClientConnectError.
    """
    from_dir = bool(res.get("Connection From Director To Client", True))
    from_client = bool(res.get("Connection From Client To Director", False))
    if not from_dir and not from_client:
        raise ClientConnectError(f"Connecting to {res.name} is not allowed.")
    if timeout is None:
        timeout = float(director.resource.get("Fd Connect Timeout") or 180)
    modes = director.handshake_modes
    known = modes.get(res.name)
    if known is None and say is not None:
        say(PROBING_MESSAGE)
    if from_client:
        waiting = director.client_pool.take(res.name, 0)
        if waiting is not None:
            return _from_pool(director, res, waiting)
    errors = []
    if from_dir:
        settings = tls.TlsSettings.from_resource(res)
        if known is not None:
            order = [known]
        elif settings.policy() != tls.TLS_POLICY_NONE:
            order = [MODE_TLS] if settings.require else [MODE_TLS, MODE_CLEARTEXT]
        else:
            order = [MODE_CLEARTEXT]
        for mode in order:
            try:
                conn = connect_daemon(director, res, "client", timeout=timeout, cancel_event=cancel_event,
                                      use_tls=(mode == MODE_TLS))
            except DaemonConnectError as exc:
                errors.append(str(exc))
                if getattr(exc, "tcp_failed", False):
                    break  # nobody listens: another handshake will not help
                continue
            modes[res.name] = mode
            conn.handshake = mode
            return conn
    if from_client:
        wait = timeout if not from_dir else timeout
        waiting = director.client_pool.take(res.name, wait, cancel_event=cancel_event)
        if waiting is not None:
            return _from_pool(director, res, waiting)
        errors.append(f"no connection from client {res.name} within {int(wait)} s")
    raise ClientConnectError("; ".join(errors) or f'Failed to connect to client "{res.name}".')


def _from_pool(director, res, waiting: WaitingConnection) -> Connected:
    bs = waiting.bsock
    mode = MODE_TLS if waiting.tls_used else MODE_CLEARTEXT
    director.handshake_modes[res.name] = mode
    peer = bs.peer
    host, _, port = peer.rpartition(":")
    conn = Connected(bs, host.strip("[]"), int(port) if port.isdigit() else 0,
                     f"2000 OK Hello {waiting.protocol_version}\n", waiting.tls_used)
    conn.handshake = mode
    conn.waiting = waiting
    return conn


def handshake_text(conn: Connected) -> str:
    mode = getattr(conn, "handshake", None) or (MODE_TLS if conn.tls_used else MODE_CLEARTEXT)
    return "Immediate TLS" if mode == MODE_TLS else "Cleartext"


def release(conn: Connected) -> None:
    """Tell a parked connection's thread that the job is done with it."""
    waiting = getattr(conn, "waiting", None)
    if waiting is not None:
        waiting.done.set()
