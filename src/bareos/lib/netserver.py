"""Threaded TCP listener shared by the daemons.

For every accepted connection (in its own thread) the server

1. peeks at the first bytes: a packet header followed by ``Hello `` means a
   cleartext session, anything else is taken as a TLS ClientHello and a TLS
   server handshake is run (PSK via *psk_lookup*, plus certificates when the
   settings name some);
2. reads the Hello packet (its length must lie within *hello_limits*);
3. calls ``handler(bsock, hello_bytes, tls_used)``.

Peers that send garbage, oversized packets, fail the handshake or stall are
logged with their address and dropped; the server keeps serving the others.
The handler owns the BSock while it runs; it is closed when the handler returns.
"""

from __future__ import annotations

import errno
import logging
import socket
import ssl
import threading
import time
from typing import Callable, Iterable

from . import bnet, tls
from .bsock import BSock
from .bnet import BnetError

log = logging.getLogger(__name__)

Handler = Callable[[BSock, bytes, bool], None]

#: the Director's console port accepts Hellos of 15..153 bytes
DIRECTOR_HELLO_LIMITS = (15, 153)


def _format_addr(addr) -> str:
    host, port = addr[0], addr[1]
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


class NetServer:
    """Listen on *addresses* and hand authenticated-later connections to *handler*.

    *addresses*: iterable of ``(host, port)``; host ``""``/``"0.0.0.0"``/``"::"``
    or a literal address; port 0 picks an ephemeral port (see :attr:`ports`).
    *psk_lookup(identity_bytes) -> bytes | None* enables TLS-PSK; *tls_settings*
    may add certificates.  Without either the server is cleartext-only: a TLS
    ClientHello is drained and the connection closed (clients then fall back).
    """

    def __init__(
        self,
        addresses: Iterable[tuple[str, int]],
        handler: Handler,
        psk_lookup: Callable[[bytes], bytes | None] | None = None,
        tls_settings: tls.TlsSettings | None = None,
        *,
        hello_limits: tuple[int, int] = (1, bnet.MAX_PACKET_SIZE),
        handshake_timeout: float = 10.0,
        connection_timeout: float | None = None,
        reject_delay: float = 0.0,
        name: str = "netserver",
        max_connections: int | None = None,
    ) -> None:
        self.addresses = list(addresses)
        self.handler = handler
        self.psk_lookup = psk_lookup
        self.tls_settings = tls_settings
        self.hello_limits = hello_limits
        self.handshake_timeout = handshake_timeout
        self.connection_timeout = connection_timeout
        self.reject_delay = reject_delay
        self.name = name
        self.max_connections = max_connections
        self._ctx: ssl.SSLContext | None = None
        if psk_lookup is not None or (tls_settings is not None and tls_settings.has_certificate):
            self._ctx = tls.server_context(tls_settings or tls.TlsSettings(), psk_lookup)
        self._listeners: list[socket.socket] = []
        self._threads: list[threading.Thread] = []
        self._conns: dict[int, tuple[socket.socket, threading.Thread]] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self.bound: list[tuple[str, int]] = []

    # -- lifecycle ---------------------------------------------------------

    @property
    def tls_capable(self) -> bool:
        return self._ctx is not None

    @property
    def ports(self) -> list[int]:
        return [p for _, p in self.bound]

    @property
    def port(self) -> int:
        return self.bound[0][1]

    def start(self) -> "NetServer":
        """Bind and listen on every address, start the accept threads."""
        try:
            for host, port in self.addresses:
                self._listeners.append(self._bind(host, port))
        except BaseException:
            for s in self._listeners:
                s.close()
            self._listeners.clear()
            raise
        for lsock in self._listeners:
            t = threading.Thread(target=self._accept_loop, args=(lsock,), name=f"{self.name}-accept", daemon=True)
            self._threads.append(t)
            t.start()
        return self

    def _bind(self, host: str, port: int) -> socket.socket:
        infos = socket.getaddrinfo(host or None, port, socket.AF_UNSPEC, socket.SOCK_STREAM, 0, socket.AI_PASSIVE)
        family, stype, proto, _, sockaddr = infos[0]
        s = socket.socket(family, stype, proto)
        try:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6 and host in ("::", ""):
                try:
                    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
                except OSError:
                    pass
            s.bind(sockaddr)
            s.listen(128)
        except BaseException:
            s.close()
            raise
        addr = s.getsockname()
        self.bound.append((addr[0], addr[1]))
        log.info("%s: listening on %s", self.name, _format_addr(addr))
        return s

    def shutdown(self, timeout: float = 5.0) -> None:
        """Stop accepting, abort open connections, wait for the threads."""
        self._stopping.set()
        for s in self._listeners:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            try:
                s.close()
            except OSError:
                pass
        with self._lock:
            conns = list(self._conns.values())
        for sock, _ in conns:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        deadline = time.monotonic() + timeout
        for t in self._threads + [t for _, t in conns]:
            if t is threading.current_thread():
                continue
            t.join(max(0.0, deadline - time.monotonic()))
        self._listeners.clear()

    def __enter__(self) -> "NetServer":
        if not self._listeners:
            self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.shutdown()

    @property
    def active_connections(self) -> int:
        with self._lock:
            return len(self._conns)

    # -- accepting ---------------------------------------------------------

    def _accept_loop(self, lsock: socket.socket) -> None:
        while not self._stopping.is_set():
            try:
                conn, addr = lsock.accept()
            except OSError as exc:
                if self._stopping.is_set():
                    return
                if exc.errno in (errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM):
                    log.error("%s: accept failed: %s", self.name, exc)
                    time.sleep(0.1)
                    continue
                if exc.errno in (errno.EBADF, errno.EINVAL):
                    return
                log.warning("%s: accept failed: %s", self.name, exc)
                continue
            peer = _format_addr(addr)
            with self._lock:
                too_many = self.max_connections is not None and len(self._conns) >= self.max_connections
            if too_many:
                log.warning("%s: too many connections, refusing %s", self.name, peer)
                conn.close()
                continue
            t = threading.Thread(target=self._serve, args=(conn, peer), name=f"{self.name}-{peer}", daemon=True)
            with self._lock:
                self._conns[id(conn)] = (conn, t)
            t.start()

    def _serve(self, conn: socket.socket, peer: str) -> None:
        bs = None
        try:
            bs = self._open(conn, peer)
            if bs is None:
                return
            hello = self._read_hello(bs)
            if hello is None:
                return
            bs.settimeout(self.connection_timeout)
            self.handler(bs, hello, bs.tls_used)
        except Exception as exc:
            if self._stopping.is_set():
                log.debug("%s: %s: dropped during shutdown: %s", self.name, peer, exc)
            elif isinstance(exc, (BnetError, OSError)):
                log.warning("%s: %s: connection dropped: %s", self.name, peer, exc)
            else:
                log.exception("%s: %s: handler failed", self.name, peer)
        finally:
            if bs is not None:
                bs.close()
            else:
                try:
                    conn.close()
                except OSError:
                    pass
            with self._lock:
                self._conns.pop(id(conn), None)

    def _peek(self, conn: socket.socket, deadline: float) -> bytes:
        """Peek until 10 bytes are there, EOF, or the deadline passes."""
        data = b""
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return data
            conn.settimeout(remaining)
            try:
                data = conn.recv(255, socket.MSG_PEEK)
            except socket.timeout:
                return data
            if len(data) >= 10 or not data:
                return data
            time.sleep(min(0.02, max(0.0, deadline - time.monotonic())))

    def _open(self, conn: socket.socket, peer: str) -> BSock | None:
        deadline = time.monotonic() + self.handshake_timeout
        first = self._peek(conn, deadline)
        if not first:
            log.info("%s: %s: closed or silent before sending anything", self.name, peer)
            return None
        if bnet.looks_like_cleartext_hello(first):
            return BSock(conn, peer=peer, timeout=self.handshake_timeout)
        if len(first) < 10 and first[:1] != b"\x16":
            log.warning("%s: %s: stalled after %d bytes, dropped", self.name, peer, len(first))
            return None
        if self._ctx is None:
            log.warning("%s: %s: TLS requested but this port is cleartext-only; closing", self.name, peer)
            self._drain(conn)
            return None
        conn.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            ssock = tls.server_wrap(conn, self._ctx, self.tls_settings)
        except (ssl.SSLError, OSError, tls.TlsError) as exc:
            log.warning("%s: %s: TLS handshake failed: %s", self.name, peer, exc)
            return None
        return BSock(ssock, peer=peer, timeout=self.handshake_timeout)

    @staticmethod
    def _drain(conn: socket.socket, limit: int = 65536, timeout: float = 0.5) -> None:
        """Read what the peer sent so that close() sends FIN, not RST."""
        got = 0
        conn.settimeout(timeout)
        try:
            while got < limit:
                chunk = conn.recv(4096)
                if not chunk:
                    break
                got += len(chunk)
                conn.settimeout(0.05)
        except OSError:
            pass
        try:
            conn.shutdown(socket.SHUT_WR)
        except OSError:
            pass

    def _read_hello(self, bs: BSock) -> bytes | None:
        lo, hi = self.hello_limits
        try:
            item = bs.recv()
        except TimeoutError:
            log.warning("%s: %s: no Hello within %.0fs, dropped", self.name, bs.peer, self.handshake_timeout)
            return None
        except BnetError as exc:
            log.warning("%s: %s: invalid connection: %s", self.name, bs.peer, exc)
            self._reject(bs)
            return None
        if isinstance(item, int) or not (lo <= len(item) <= hi):
            what = bnet.signal_name(item) if isinstance(item, int) else f"{len(item)} bytes"
            log.warning("%s: %s: invalid connection: Hello of %s (allowed %d..%d)", self.name, bs.peer, what, lo, hi)
            self._reject(bs)
            return None
        return item

    def _reject(self, bs: BSock) -> None:
        if self.reject_delay > 0:
            self._stopping.wait(self.reject_delay)
        bs.terminate(close=False)
