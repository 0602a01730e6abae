"""BSock: a blocking socket (plain or TLS) that speaks Bareos packets.

Also the client-side connect helper (TCP, TLS first, then Hello) and the
blocking mutual CRAM-MD5 for both roles, built on :mod:`bareos.lib.cram`.
"""

from __future__ import annotations

import logging
import socket
import ssl
import threading

from . import bnet, cram, tls
from .bnet import BnetError, ConnectionClosed, ProtocolError
from .cram import AuthenticationFailed

log = logging.getLogger(__name__)

__all__ = [
    "BSock",
    "BnetError",
    "ConnectionClosed",
    "ProtocolError",
    "AuthenticationFailed",
    "connect",
    "authenticate_server",
    "authenticate_client",
    "AUTH_TIMEOUT",
]

#: seconds each CRAM-MD5 step may take (python-bareos uses 10 s per reply)
AUTH_TIMEOUT = 10.0
_UNSET = object()
_HEADER_PACK = bnet._HEADER.pack
_HEADER_UNPACK = bnet._HEADER.unpack_from


def _peer_text(sock) -> str:
    try:
        addr = sock.getpeername()
    except OSError:
        return "?"
    if isinstance(addr, tuple):
        host, port = addr[0], addr[1]
        return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    return str(addr)


class BSock:
    """Packets over a connected socket.

    ``recv()`` returns ``bytes`` for a data packet (possibly empty) or a
    negative ``int`` for a signal.  It raises :class:`ConnectionClosed` at EOF,
    :class:`ProtocolError` for an oversized header and ``TimeoutError`` when
    *timeout* seconds pass without a complete packet.  ``send()`` is safe to
    call from several threads (a heartbeat thread, say).
    """

    #: size of the receive buffer; packets longer than this get a buffer of their own size
    RECV_BUFFER = 256 * 1024
    #: bytes asked of a TLS socket per read: one TLS record's plaintext at
    #: most comes back, and Python allocates the whole size asked for each
    #: call (256 KiB a read cost about 2 CPU s per GB received)
    TLS_READ = 16 * 1024

    def __init__(self, sock: socket.socket, peer: str | None = None, timeout: float | None = None,
                 max_packet_size: int = bnet.MAX_PACKET_SIZE) -> None:
        self.sock = sock
        self.peer = peer or _peer_text(sock)
        self.timeout = timeout
        self.max_packet_size = max_packet_size
        # Receive buffer: _rbuf[_rpos:] is received and not yet returned.
        # One read brings many packets; each is sliced out of the buffer.
        self._rbuf = b""
        self._rpos = 0
        self._broken: ProtocolError | None = None
        self._send_lock = threading.Lock()
        self._closed = False
        self.terminated = False  # set once BNET_TERMINATE was received
        sock.settimeout(timeout)

    # -- sending -----------------------------------------------------------

    def send(self, data: bytes | bytearray | str) -> None:
        """Send one logical message (split into packets above 999 996 bytes)."""
        if isinstance(data, str):
            data = data.encode("utf-8")
        elif not isinstance(data, bytes):
            data = bytes(data)
        n = len(data)
        if n <= bnet.MAX_PAYLOAD:
            self._sendall(_HEADER_PACK(n) + data)
        else:
            self._sendall(bnet.encode_packet(data))

    def send_many(self, messages) -> None:
        """Send several messages with one write (one ``sendall``).

        On the wire this is exactly the packets ``send()`` would produce for
        each message in turn; writing them together saves a system call (and,
        with TLS, a record) per message.  Messages are ``bytes`` or ``str``.
        """
        parts = []
        append = parts.append
        for data in messages:
            if isinstance(data, str):
                data = data.encode("utf-8")
            elif not isinstance(data, bytes):
                data = bytes(data)
            n = len(data)
            if n <= bnet.MAX_PAYLOAD:
                append(_HEADER_PACK(n))
                append(data)
            else:
                append(bnet.encode_packet(data))
        if parts:
            self._sendall(b"".join(parts))

    def send_packets(self, wire: bytes) -> None:
        """Write bytes that already are whole packets (``bnet.encode_packet``
        output, concatenated) with one ``sendall``."""
        if wire:
            self._sendall(wire)

    def fsend(self, fmt: str, *args) -> None:
        """printf-style convenience: ``bs.fsend("%s OK\\n", code)``."""
        self.send(fmt % args if args else fmt)

    def signal(self, sig: int) -> None:
        self._sendall(bnet.encode_signal(sig))

    def terminate(self, close: bool = True) -> None:
        """Say goodbye (BNET_TERMINATE; a peer already gone is no error), then
        close unless *close* is False."""
        try:
            self.signal(bnet.BNET_TERMINATE)
        except (BnetError, OSError):
            pass
        if close:
            self.close()

    def _sendall(self, data: bytes) -> None:
        if self._closed:
            raise ConnectionClosed(f"{self.peer}: socket already closed")
        with self._send_lock:
            try:
                self.sock.sendall(data)
            except (BrokenPipeError, ConnectionResetError) as exc:
                raise ConnectionClosed(f"{self.peer}: {exc}") from exc

    # -- receiving ---------------------------------------------------------

    def recv(self, timeout=_UNSET) -> bytes | int:
        """Next packet payload or signal; see the class doc for the errors."""
        # Fast path: a whole packet is already buffered.
        buf = self._rbuf
        pos = self._rpos
        if len(buf) - pos >= 4:
            n = _HEADER_UNPACK(buf, pos)[0]
            stop = pos + 4 + n
            if n >= 0:
                if stop <= len(buf) and n <= self.max_packet_size:
                    self._rpos = stop
                    return buf[pos + 4:stop]
            else:
                self._rpos = pos + 4
                if n == bnet.BNET_TERMINATE:
                    self.terminated = True
                return n
        return self._recv_slow(timeout)

    def _recv_slow(self, timeout) -> bytes | int:
        if self._broken is not None:
            raise self._broken
        if timeout is not _UNSET:
            self.sock.settimeout(timeout)
        try:
            while True:
                buf = self._rbuf
                avail = len(buf) - self._rpos
                if avail >= 4:
                    n = _HEADER_UNPACK(buf, self._rpos)[0]
                    if n > self.max_packet_size:
                        self._broken = ProtocolError(
                            f"packet too big: header announces {n} bytes (limit {self.max_packet_size})")
                        raise self._broken
                    if n < 0 or 4 + n <= avail:
                        return self.recv()
                if self._closed:
                    raise ConnectionClosed(f"{self.peer}: socket closed")
                pos = self._rpos
                if avail >= 4:
                    # The header is here: gather the payload by itself, so that
                    # joining the pieces gives the packet (no second copy).
                    head = buf[pos:pos + 4]
                    chunks = [buf[pos + 4:]] if avail > 4 else []
                    have = avail - 4
                    need = n
                else:
                    head = b""
                    chunks = [buf[pos:]] if avail else []
                    have = avail
                    need = 4
                size = self.TLS_READ if isinstance(self.sock, ssl.SSLSocket) else max(
                    need - have, self.RECV_BUFFER)
                while have < need:
                    try:
                        chunk = self.sock.recv(size)
                    except ssl.SSLZeroReturnError:
                        chunk = b""
                    except (ConnectionResetError, ssl.SSLEOFError) as exc:
                        raise ConnectionClosed(f"{self.peer}: {exc}") from exc
                    except socket.timeout as exc:
                        self._keep([head, *chunks])
                        raise TimeoutError(f"{self.peer}: timed out waiting for a packet") from exc
                    if not chunk:
                        self._keep([head, *chunks])
                        where = " in the middle of a packet" if head or have else ""
                        raise ConnectionClosed(f"{self.peer}: connection closed by peer{where}")
                    chunks.append(chunk)
                    have += len(chunk)
                if not head:
                    self._keep(chunks)
                    continue
                extra = have - need
                if extra:
                    last = chunks[-1]
                    cut = len(last) - extra
                    chunks[-1] = last[:cut]
                    self._rbuf = last[cut:]
                else:
                    self._rbuf = b""
                self._rpos = 0
                return chunks[0] if len(chunks) == 1 else b"".join(chunks)
        finally:
            if timeout is not _UNSET and not self._closed:
                try:
                    self.sock.settimeout(self.timeout)
                except OSError:
                    pass

    def _keep(self, chunks: list) -> None:
        """Make the received pieces the buffer (nothing returned from it yet)."""
        self._rbuf = chunks[0] if len(chunks) == 1 else b"".join(chunks)
        self._rpos = 0

    @property
    def buffered(self) -> int:
        """Bytes received from the socket but not yet returned by ``recv()``
        (a ``select()`` on the socket does not see them)."""
        return len(self._rbuf) - self._rpos

    def recv_data(self, timeout=_UNSET) -> bytes:
        """Next *data* packet, skipping heartbeats; other signals raise ProtocolError."""
        while True:
            item = self.recv(timeout)
            if isinstance(item, bytes):
                return item
            if item in (bnet.BNET_HEARTBEAT, bnet.BNET_HB_RESPONSE):
                continue
            raise ProtocolError(f"{self.peer}: expected data, got signal {bnet.signal_name(item)}")

    # -- misc --------------------------------------------------------------

    def settimeout(self, timeout: float | None) -> None:
        self.timeout = timeout
        self.sock.settimeout(timeout)

    @property
    def tls_used(self) -> bool:
        return isinstance(self.sock, ssl.SSLSocket)

    def tls_cipher(self) -> tuple[str, str] | None:
        """(cipher name, protocol version) of the TLS session, None in cleartext."""
        if not self.tls_used:
            return None
        c = self.sock.cipher()
        if not c:
            return None
        return c[0], c[1]

    @property
    def closed(self) -> bool:
        return self._closed

    def fileno(self) -> int:
        return self.sock.fileno()

    def close(self) -> None:
        """TLS close_notify (if TLS), then TCP close.  Idempotent."""
        if self._closed:
            return
        self._closed = True
        if self.tls_used:
            tls.tls_close(self.sock)
        else:
            try:
                self.sock.close()
            except OSError:
                pass

    def shutdown(self) -> None:
        """Abort blocking reads from another thread (then call close())."""
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def __enter__(self) -> "BSock":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        mode = "tls" if self.tls_used else "plain"
        return f"<BSock {self.peer} {mode}{' closed' if self._closed else ''}>"


# --------------------------------------------------------------------------
# Client side: connect, TLS first, Hello
# --------------------------------------------------------------------------


def connect(
    host: str,
    port: int,
    identity_type: str,
    name: str,
    key,
    tls_settings: tls.TlsSettings | None = None,
    *,
    hello: bytes | str | None = None,
    timeout: float | None = None,
    connect_timeout: float | None = 30.0,
    use_tls: bool | None = None,
    psk_identity: bytes | None = None,
) -> BSock:
    """Open a connection as Bareos clients do: TCP, TLS handshake first, then Hello.

    TLS is used when *tls_settings* has TLS enabled (or *use_tls* forces it):
    TLS-PSK with identity ``identity_type`` 0x1E ``name`` and the hex-MD5
    *key*, plus certificates if the settings name some.  If *hello* is given it
    is sent as the first packet.  Errors: ``OSError`` for TCP failures,
    ``ssl.SSLError``/:class:`tls.TlsError` for TLS failures.
    """
    settings = tls_settings if tls_settings is not None else tls.TlsSettings.disabled()
    if use_tls is None:
        use_tls = settings.policy() != tls.TLS_POLICY_NONE
    sock = socket.create_connection((host, int(port)), timeout=connect_timeout)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
        peer = _peer_text(sock)
        if use_tls:
            identity = psk_identity if psk_identity is not None else tls.psk_identity(identity_type, name)
            # "If no certificates are configured PSK ciphers will be used": a client
            # with a certificate of its own uses certificate TLS only, and so does
            # one with TLS Verify Peer (it checks the server certificate against
            # TLS Allowed CN or the host name; a PSK session has no certificate).
            wants_cert = settings.has_certificate or settings.verify_peer
            psk = cram.as_key(key) if (key is not None and tls.psk_available()
                                       and not wants_cert) else None
            if psk is None and not settings.has_certificate and not settings.ca_certificate_file:
                raise tls.TlsError("TLS requested but TLS-PSK is not available and no certificate is configured")
            sock.settimeout(connect_timeout)
            sock = tls.client_wrap(sock, settings, identity, psk, verify_host=host)
        bs = BSock(sock, peer=peer, timeout=timeout)
    except BaseException:
        try:
            sock.close()
        except OSError:
            pass
        raise
    if hello is not None:
        try:
            bs.send(hello)
        except BaseException:
            bs.close()
            raise
    return bs


# --------------------------------------------------------------------------
# Mutual CRAM-MD5
# --------------------------------------------------------------------------


def _recv_auth(bs: BSock, what: str, timeout: float | None) -> bytes:
    try:
        item = bs.recv(timeout)
    except TimeoutError as exc:
        raise AuthenticationFailed(f"{bs.peer}: timeout waiting for {what}") from exc
    except ConnectionClosed as exc:
        raise AuthenticationFailed(f"{bs.peer}: connection closed waiting for {what}") from exc
    if isinstance(item, int):
        raise AuthenticationFailed(f"{bs.peer}: got signal {bnet.signal_name(item)} waiting for {what}")
    return item


def _challenge_peer(bs: BSock, key, own_name: str, local_policy: int, timeout, compatible: bool) -> None:
    token = cram.challenge(own_name)
    bs.send(cram.challenge_line(token, local_policy, compatible))
    answer = _recv_auth(bs, "the CRAM-MD5 answer", timeout)
    if cram.verify(key, token, answer):
        bs.send(cram.AUTH_OK)
        return
    try:
        bs.send(cram.AUTH_FAILED)
    except BnetError:
        pass
    raise AuthenticationFailed(f"{bs.peer}: wrong CRAM-MD5 answer (bad password?)")


def _respond_to_peer(bs: BSock, key, own_name: str, timeout, nul: bool) -> int:
    line = _recv_auth(bs, "a CRAM-MD5 challenge", timeout)
    if line.rstrip(b"\0") in (cram.NOT_AUTHORIZED, cram.AUTH_FAILED):
        raise AuthenticationFailed(f"{bs.peer}: {line.decode('utf-8', 'replace').strip()}")
    try:
        ch = cram.parse_challenge_line(line)
    except AuthenticationFailed as exc:
        try:
            bs.send(cram.AUTH_FAILED)
        except BnetError:
            pass
        raise AuthenticationFailed(f"{bs.peer}: {exc}") from None
    if cram.is_replay(ch, own_name):
        try:
            bs.send(cram.AUTH_FAILED)
        except BnetError:
            pass
        raise AuthenticationFailed(f"{bs.peer}: challenge carries our own name {own_name!r} (replay?)")
    answer = cram.response(key, ch.token, ch.compatible).encode("ascii")
    bs.send(answer + (b"\0" if nul else b""))
    verdict = _recv_auth(bs, "the CRAM-MD5 verdict", timeout)
    if verdict.rstrip(b"\0") != cram.AUTH_OK:
        raise AuthenticationFailed(
            f"{bs.peer}: peer refused our CRAM-MD5 answer: {verdict[:80].decode('utf-8', 'replace').strip()!r}"
        )
    return ch.tls_policy


def authenticate_server(bs: BSock, key, own_name: str, local_policy: int, *,
                        timeout: float | None = AUTH_TIMEOUT, compatible: bool = False,
                        nul: bool = True) -> int:
    """Accepting side: challenge first, then answer the peer's challenge.

    *own_name* is our qualified name (``R_DIRECTOR::bareos-dir``); *key* the
    hex-MD5 password (bytes, str, or an object with ``.md5``).  Returns the
    peer's TLS policy (its ``ssl=N``).  Raises :class:`AuthenticationFailed`.
    """
    _challenge_peer(bs, key, own_name, local_policy, timeout, compatible)
    return _respond_to_peer(bs, key, own_name, timeout, nul)


def authenticate_client(bs: BSock, key, own_name: str, local_policy: int, *,
                        timeout: float | None = AUTH_TIMEOUT, compatible: bool = False,
                        nul: bool = True) -> int:
    """Connecting side: answer the peer's challenge, then challenge it.

    Returns the peer's TLS policy.  Raises :class:`AuthenticationFailed`.
    """
    remote = _respond_to_peer(bs, key, own_name, timeout, nul)
    _challenge_peer(bs, key, own_name, local_policy, timeout, compatible)
    return remote
