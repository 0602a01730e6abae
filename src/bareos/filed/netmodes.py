"""The File Daemon's side of the network modes.

* Client-initiated connections (connection 4): for every Director resource
  with ``Connection From Client To Director = yes`` a thread dials the
  Director's ``Address``/``Port``, authenticates (``Hello Client <name>
  FdProtocolVersion=54 calling``, CRAM-MD5 as the outbound side, the
  Director's ``1000 OK:`` line) and keeps the connection waiting.  When the
  Director sends a command the connection is handed to a Director session
  thread and the next waiting connection is opened at once.
* Passive clients (connection 7): the SD calls us with ``Hello Storage
  calling Start Job <Job>`` (TLS-PSK identity ``R_JOB`` 0x1E <Job>, key = the
  job's session key); the socket becomes the job's storage connection.
* Local message files: ``Append = "<file>" = <types>`` / ``File = ...`` of the
  Client's Messages resource receive the daemon's and the jobs' messages.
"""

from __future__ import annotations

import logging
import select
import ssl
import threading
import time

from bareos.lib import bnet, cram, jmsg, tls
from bareos.lib.bnet import BnetError, HelloKind
from bareos.lib.bsock import AuthenticationFailed, authenticate_client, authenticate_server, connect

log = logging.getLogger("bareos-fd.netmodes")

FD_PROTOCOL_VERSION = 54
RETRY_INTERVAL = 60.0
IDLE_POLL = 1.0

_file_lock = threading.Lock()


# -- local message files -------------------------------------------------------------

def local_destinations(daemon) -> list:
    """(kind, path, types) of the file destinations of the Client's Messages resource."""
    res = daemon.client
    mname = res.get("Messages") if res is not None else None
    mres = daemon.config.get("Messages", mname) if mname else daemon.config.first("Messages")
    if mres is None:
        return []
    out = []
    for dest in getattr(mres, "extra", {}).get("destinations", []) or []:
        kind = dest.kind.replace(" ", "").lower()
        if kind in ("append", "file") and dest.where:
            out.append((kind, dest.where, set(dest.types)))
    return out


def write_local_message(daemon, mtype: int, text: str, jobid: int | None = None) -> None:
    """Write one message to the FD's local Append/File destinations that want it."""
    dests = getattr(daemon, "_local_dests", None)
    if dests is None:
        dests = daemon._local_dests = local_destinations(daemon)
        daemon._truncated = set()
    if not dests:
        return
    tname = jmsg.TYPE_NAMES.get(mtype, "")
    res = daemon.client
    fmt = (res.get("Log Timestamp Format") if res is not None else None) or "%d-%b %H:%M"
    body = jmsg.message_text(daemon.name, jobid, mtype, text)
    if not body.endswith("\n"):
        body += "\n"
    line = f"{time.strftime(fmt)} {body}"
    for kind, path, types in dests:
        if tname not in types:
            continue
        try:
            with _file_lock:
                mode = "a"
                if kind == "file" and path not in daemon._truncated:
                    mode = "w"
                    daemon._truncated.add(path)
                with open(path, mode, encoding="utf-8", errors="surrogateescape") as f:
                    f.write(line)
        except OSError as exc:
            log.warning("cannot write message file %s: %s", path, exc)


# -- client-initiated connections ------------------------------------------------------

class DirectorDialer:
    """Keeps one authenticated connection to a Director waiting for commands."""

    def __init__(self, daemon, director_res) -> None:
        self.daemon = daemon
        self.res = director_res
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, name=f"dial-{director_res.name}", daemon=True)
        self.current = None
        self.connections = 0

    def start(self) -> "DirectorDialer":
        self.thread.start()
        return self

    def shutdown(self) -> None:
        self.stop.set()
        bs = self.current
        if bs is not None:
            bs.shutdown()

    def _run(self) -> None:
        d = self.daemon
        res = self.res
        while not self.stop.is_set():
            try:
                bs = self._connect()
            except (OSError, ssl.SSLError, tls.TlsError, BnetError, AuthenticationFailed, ValueError) as exc:
                msg = (f'Failed to connect to Director "{res.name}" at {res.get("Address")}:'
                       f'{res.get("Port") or 9101}: {exc}. Retry in {int(RETRY_INTERVAL)}s.')
                log.error("%s", msg)
                write_local_message(d, jmsg.M_ERROR, msg)
                self.stop.wait(RETRY_INTERVAL)
                continue
            self.current = bs
            self.connections += 1
            if not self._wait_for_data(bs):
                self.current = None
                bs.close()
                continue
            self.current = None
            threading.Thread(target=self._serve, args=(bs,), name=f"dir-{res.name}", daemon=True).start()

    def _connect(self):
        d = self.daemon
        res = self.res
        host = res.get("Address")
        if not host:
            raise ValueError("the Director resource has no Address")
        port = int(res.get("Port") or 9101)
        settings = tls.TlsSettings.from_resource(res)
        password = res.get("Password")
        hello = bnet.make_hello(HelloKind.CLIENT, d.name, fd_protocol_version=FD_PROTOCOL_VERSION)
        bs = connect(host, port, "R_CLIENT", d.name, password, settings, hello=hello,
                     timeout=60, connect_timeout=15)
        try:
            if d.heartbeat_interval > 0:
                set_keepalive(bs.sock, d.heartbeat_interval)
            local = settings.policy()
            remote = authenticate_client(bs, cram.as_key(password),
                                         cram.qualified_name("R_CLIENT", d.name), local)
            if not bs.tls_used and tls.cleartext_decision(remote, local) != tls.CLEARTEXT_OK:
                raise AuthenticationFailed(f"{bs.peer}: TLS policies do not allow cleartext "
                                           f"(remote {remote}, local {local})")
            reply = bs.recv(timeout=60)
            if isinstance(reply, int) or not reply.startswith(b"1000 OK"):
                raise AuthenticationFailed(f"{bs.peer}: Director refused us: {reply!r}")
            log.info("connected to Director %s at %s (%s), waiting for jobs", res.name, bs.peer,
                     "TLS" if bs.tls_used else "cleartext")
            bs.settimeout(None)
            return bs
        except BaseException:
            bs.close()
            raise

    def _wait_for_data(self, bs) -> bool:
        while not self.stop.is_set():
            try:
                # packets BSock already read ahead are invisible to select()
                if getattr(bs, "buffered", 0) or (isinstance(bs.sock, ssl.SSLSocket)
                                                  and bs.sock.pending()):
                    return True
                r, _, _ = select.select([bs.sock], [], [], IDLE_POLL)
            except (OSError, ValueError):
                return False
            if r:
                return True
        return False

    def _serve(self, bs) -> None:
        from .dircmd import DirSession

        try:
            DirSession(self.daemon, bs, self.res).run()
        except Exception:
            log.exception("Director session on a client-initiated connection failed")
        finally:
            bs.close()


def start_dialers(daemon) -> list[DirectorDialer]:
    out = []
    for res in daemon.config.resources("Director"):
        if res.get("Connection From Client To Director", False):
            out.append(DirectorDialer(daemon, res).start())
    return out


def set_keepalive(sock, interval: float) -> None:
    import socket

    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
        for opt in ("TCP_KEEPIDLE", "TCP_KEEPINTVL"):
            if hasattr(socket, opt):
                sock.setsockopt(socket.IPPROTO_TCP, getattr(socket, opt), max(1, int(interval)))
    except OSError:
        pass


# -- passive clients -----------------------------------------------------------------------

def job_psk(daemon, job_name: str) -> bytes | None:
    jcr = daemon.find_job(job_name)
    if jcr is None or not jcr.sd_auth_key:
        return None
    return cram.as_key(jcr.sd_auth_key.encode("utf-8"))


def handle_storage_connection(daemon, bs, hello, tls_used: bool) -> None:
    """The SD calls a passive client (Hello Storage calling Start Job <Job>)."""
    jcr = daemon.find_job(hello.name)
    if jcr is None or not jcr.sd_auth_key:
        log.warning("%s: Storage daemon calls for unknown job %r", bs.peer, hello.name)
        _terminate(bs)
        return
    settings = tls.TlsSettings.from_resource(daemon.client)
    if not tls_used and settings.policy() == tls.TLS_POLICY_REQUIRED:
        log.warning("%s: Storage daemon of job %s refused: TLS is required", bs.peer, jcr.job)
        _terminate(bs)
        return
    try:
        authenticate_server(bs, jcr.sd_auth_key.encode("utf-8"),
                            cram.qualified_name("R_CLIENT", daemon.name),
                            tls.TLS_POLICY_NONE if not tls_used else settings.policy())
    except AuthenticationFailed as exc:
        log.warning("%s: Unable to authenticate Storage daemon of job %s: %s", bs.peer, jcr.job, exc)
        return
    bs.settimeout(None)
    if jcr.store_bsock is not None:
        jcr.store_bsock.close()
    jcr.store_bsock = bs
    log.info("%s: Storage daemon connected for job %s (%s)", bs.peer, jcr.job,
             "TLS" if tls_used else "cleartext")
    stop = getattr(daemon, "_shutdown", None)
    while not bs.closed and jcr.store_bsock is bs:
        if stop is not None and stop.wait(0.2):
            break
    # the job closes the socket when it is done with it


def wait_for_storage(jcr, timeout: float = 30.0):
    """A passive job's storage connection, waiting briefly for the SD's call."""
    deadline = time.monotonic() + timeout
    while jcr.store_bsock is None and time.monotonic() < deadline and not jcr.is_canceled:
        time.sleep(0.05)
    return jcr.store_bsock


def _terminate(bs) -> None:
    try:
        bs.signal(bnet.BNET_TERMINATE)
    except (BnetError, OSError):
        pass


__all__ = ["DirectorDialer", "start_dialers", "handle_storage_connection", "job_psk",
           "write_local_message", "wait_for_storage", "local_destinations"]
