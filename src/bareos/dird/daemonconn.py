"""Connections from the Director to Storage and File Daemons.

TLS-PSK first when the resource's TLS is enabled (identity ``R_DIRECTOR``
0x1E <director name>, key = the resource's password), then
``Hello Director <name> calling Version="..."``, mutual CRAM-MD5 and the
daemon's ``3000 OK Hello`` / ``2000 OK Hello <n>``.  Connecting retries every
few seconds until the Director's FD/SD Connect Timeout is reached.
"""

from __future__ import annotations

import logging
import ssl
import time
from dataclasses import dataclass

from bareos.lib import bnet, cram, tls
from bareos.lib import version as v
from bareos.lib.bnet import BnetError
from bareos.lib.bsock import AuthenticationFailed, BSock, authenticate_client, connect

log = logging.getLogger("bareos.dird.conn")

RETRY_INTERVAL = 5.0


class DaemonConnectError(Exception):
    #: True when no TCP connection could be opened at all (nobody listens)
    tcp_failed = False


@dataclass
class Connected:
    bsock: BSock
    address: str
    port: int
    reply: str
    tls_used: bool

    def cipher_text(self) -> str:
        info = self.bsock.tls_cipher()
        return f"{info[0]} {info[1]}" if info else "None"


def hello_line(director_name: str) -> str:
    return f'Hello Director {bnet.bash_spaces(director_name)} calling Version="{v.VERSION}"\n'


def connect_daemon(director, res, kind: str, *, timeout: float | None = None,
                   cancel_event=None, address: str | None = None,
                   use_tls: bool | None = None) -> Connected:
    """Connect to the daemon a Storage or Client resource describes.

    *kind* is "storage" (expects ``3000 OK Hello``) or "client" (``2000 OK Hello``).
    *use_tls* forces immediate TLS (True) or the cleartext handshake (False);
    then a failed handshake is not retried (the caller probes the other mode).
    Raises DaemonConnectError with the reason once the timeout has passed.
    """
    host = address or res.get("Address")
    port = int(res.get("Port") or (9103 if kind == "storage" else 9102))
    settings = tls.TlsSettings.from_resource(res)
    password = res.get("Password")
    if timeout is None:
        key = "Sd Connect Timeout" if kind == "storage" else "Fd Connect Timeout"
        timeout = float(director.resource.get(key) or 180)
    deadline = time.time() + timeout
    last_error = "no attempt"
    tcp_failed = False
    while True:
        try:
            return _connect_once(director, host, port, settings, password, kind, use_tls,
                                 float(res.get("Heartbeat Interval", 0) or 0)
                                 or float(director.resource.get("Heartbeat Interval", 0) or 0))
        except (OSError, ssl.SSLError, tls.TlsError, BnetError, AuthenticationFailed,
                DaemonConnectError) as exc:
            last_error = str(exc) or type(exc).__name__
            tcp_failed = isinstance(exc, _TcpConnectError)
            if isinstance(exc, (AuthenticationFailed, DaemonConnectError)):
                break  # a wrong password does not get better by retrying
            if use_tls is not None and not tcp_failed:
                break  # a handshake in this mode failed: the caller tries the other one
        if time.time() + RETRY_INTERVAL > deadline:
            break
        if cancel_event is not None:
            if cancel_event.wait(RETRY_INTERVAL):
                raise DaemonConnectError("job canceled")
        else:
            time.sleep(RETRY_INTERVAL)
    what = "Storage daemon" if kind == "storage" else "File daemon"
    err = DaemonConnectError(f"Failed to connect to {what} at {host}:{port}: {last_error}")
    err.tcp_failed = tcp_failed
    raise err


class _TcpConnectError(OSError):
    """The TCP connection itself could not be opened."""


def _is_tcp_failure(exc: OSError) -> bool:
    import errno
    import socket

    if isinstance(exc, ssl.SSLError):
        return False
    if isinstance(exc, (ConnectionRefusedError, socket.gaierror, TimeoutError)):
        return True
    return exc.errno in (errno.EHOSTUNREACH, errno.ENETUNREACH, errno.EHOSTDOWN, errno.ECONNREFUSED)


def _connect_once(director, host, port, settings, password, kind, use_tls=None,
                  heartbeat: float = 0.0) -> Connected:
    name = director.name
    try:
        bs = connect(host, port, "R_DIRECTOR", name, password, settings, hello=hello_line(name),
                     timeout=60, connect_timeout=15, use_tls=use_tls)
    except OSError as exc:
        if _is_tcp_failure(exc):
            raise _TcpConnectError(str(exc)) from None
        raise
    if heartbeat > 0:
        set_keepalive(bs.sock, heartbeat)
    try:
        local = settings.policy()
        remote = authenticate_client(bs, cram.as_key(password), cram.qualified_name("R_DIRECTOR", name), local)
        if tls.needs_tls_after_auth(bs.tls_used, remote, local):
            # the cleartext handshake of a daemon before 18.2 that has TLS
            # configured: certificate TLS now, inside the authenticated connection
            try:
                tls.start_tls_after_auth(bs, settings, server_side=False, host=host, handshake_timeout=15)
            except (ssl.SSLError, tls.TlsError, OSError) as exc:
                log.warning("%s:%s: TLS negotiation after CRAM-MD5 failed: %s", host, port, exc)
                raise DaemonConnectError(f"TLS negotiation after CRAM-MD5 with {host}:{port} failed: {exc}") from exc
            log.info("%s:%s: TLS started after CRAM-MD5 (peer before 18.2), %s", host, port,
                     " ".join(bs.tls_cipher() or ()))
        elif not bs.tls_used and tls.cleartext_decision(remote, local) != tls.CLEARTEXT_OK:
            raise DaemonConnectError(
                f"TLS negotiation failed with {host}:{port} (remote policy {remote}, local {local})")
        reply = bs.recv(timeout=60)
        if isinstance(reply, int):
            raise DaemonConnectError(f"{host}:{port} answered the Hello with signal {reply}")
        text = reply.decode("utf-8", "replace")
        want = "3000 OK Hello" if kind == "storage" else "2000 OK Hello"
        if not text.startswith(want):
            raise DaemonConnectError(f"{host}:{port} refused us: {text.strip()}")
        bs.settimeout(None)
        return Connected(bs, host, port, text, bs.tls_used)
    except BaseException:
        bs.close()
        raise


def set_keepalive(sock, interval: float) -> None:
    """TCP keepalive probes every *interval* seconds (Heartbeat Interval)."""
    import socket

    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
        secs = max(1, int(interval))
        for opt in ("TCP_KEEPIDLE", "TCP_KEEPINTVL"):
            if hasattr(socket, opt):
                sock.setsockopt(socket.IPPROTO_TCP, getattr(socket, opt), secs)
    except OSError:
        pass


def recv_text(bs: BSock, timeout: float | None = None) -> str | int:
    """One message as text (signals as int); heartbeats are skipped."""
    while True:
        msg = bs.recv(timeout=timeout)
        if isinstance(msg, int):
            if msg == bnet.BNET_HEARTBEAT or msg == bnet.BNET_HB_RESPONSE:
                log.debug("%s: heartbeat from the daemon", bs.peer)
                continue
            return msg
        return msg.decode("utf-8", "replace")
