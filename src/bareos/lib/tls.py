"""TLS for Bareos connections: TLS-PSK and certificates, and the TLS policy.

* TLS-PSK: identity ``<R_TYPE>`` 0x1E ``<name>``, key = the 32-character hex
  MD5 of the password as ASCII bytes.  Python >= 3.13 has PSK in :mod:`ssl`
  (``ssl.HAS_PSK``); before that the ``sslpsk3`` extension provides it.
* Certificates: the classic ``TLS Certificate``/``TLS Key``/``TLS CA ...``
  directives.  A server context may carry certificates *and* a PSK callback,
  as Bareos's does; the client's offer decides.
* Policy: ``ssl=N`` numbers in the CRAM-MD5 challenge (0 none, 1 enabled,
  2 required) and the rule that combines them on a cleartext connection.
"""

from __future__ import annotations

import logging
import socket
import ssl
import sys
from dataclasses import dataclass, field
from typing import Callable, Iterable

log = logging.getLogger(__name__)

#: Bareos's default cipher list for TLS <= 1.2 (contains the PSK suites)
PSK_CIPHERS = "ALL:!ADH:!LOW:!EXP:!MD5:@STRENGTH"
RECORD_SEPARATOR = b"\x1e"

TLS_POLICY_NONE = 0
TLS_POLICY_ENABLED = 1
TLS_POLICY_REQUIRED = 2
TLS_POLICY_AUTO = 4
TLS_POLICY_DENY = 255
TLS_POLICY_UNKNOWN = 254

# results of cleartext_decision()
CLEARTEXT_OK = "ok"
CLEARTEXT_DENY = "deny"
CLEARTEXT_NEEDS_TLS = "needs-old-tls"

_sslpsk3 = None
if getattr(ssl, "HAS_PSK", False):
    PSK_BACKEND: str | None = "ssl"
else:
    try:
        import sslpsk3 as _sslpsk3  # type: ignore[no-redef]

        PSK_BACKEND = "sslpsk3"
    except ImportError:  # pragma: no cover - depends on the installation
        PSK_BACKEND = None


class TlsError(Exception):
    """TLS could not be set up as configured (bad files, disallowed peer, ...)."""


def psk_available() -> bool:
    """True when TLS-PSK can be used in this interpreter."""
    return PSK_BACKEND is not None


def psk_identity(resource_type: str, name: str) -> bytes:
    """``R_CONSOLE`` 0x1E ``admin`` as bytes (plain name, spaces not bashed)."""
    return resource_type.encode("utf-8") + RECORD_SEPARATOR + name.encode("utf-8")


def split_psk_identity(identity: bytes) -> tuple[str, str] | None:
    """``b"R_CONSOLE\\x1eadmin"`` -> ("R_CONSOLE", "admin"); None if no separator."""
    if RECORD_SEPARATOR not in identity:
        return None
    rtype, name = identity.split(RECORD_SEPARATOR, 1)
    return rtype.decode("utf-8", "replace"), name.decode("utf-8", "replace")


# --------------------------------------------------------------------------
# Settings and policy
# --------------------------------------------------------------------------


def _res_get(res, name, default=None):
    getter = getattr(res, "get", None)
    if getter is None:
        return default
    try:
        value = getter(name, default)
    except TypeError:
        value = getter(name)
    return default if value is None else value


def _as_list(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    out: list[str] = []
    for item in value:
        out.extend(_as_list(item))
    return out


@dataclass
class TlsSettings:
    """The TLS directives of one resource (all optional; defaults as Bareos 25)."""

    enable: bool = True
    require: bool = True
    certificate: str | None = None
    key: str | None = None
    ca_certificate_file: str | None = None
    ca_certificate_dir: str | None = None
    verify_peer: bool = False
    allowed_cn: list[str] = field(default_factory=list)
    crl: str | None = None
    dh_file: str | None = None
    cipher_list: str | None = None
    cipher_suites: str | None = None
    protocol: str | None = None
    key_password: str | None = None

    @classmethod
    def disabled(cls) -> "TlsSettings":
        return cls(enable=False, require=False)

    @classmethod
    def from_resource(cls, res) -> "TlsSettings":
        """Read the ``TLS ...`` directives of a configuration resource (duck-typed ``get``)."""
        enable = bool(_res_get(res, "TLS Enable", True))
        require = bool(_res_get(res, "TLS Require", True))
        return cls(
            enable=enable,
            require=require,
            certificate=_res_get(res, "TLS Certificate"),
            key=_res_get(res, "TLS Key"),
            ca_certificate_file=_res_get(res, "TLS CA Certificate File"),
            ca_certificate_dir=_res_get(res, "TLS CA Certificate Dir"),
            verify_peer=bool(_res_get(res, "TLS Verify Peer", False)),
            allowed_cn=_as_list(_res_get(res, "TLS Allowed CN")),
            crl=_res_get(res, "TLS Certificate Revocation List"),
            dh_file=_res_get(res, "TLS DH File"),
            cipher_list=_res_get(res, "TLS Cipher List"),
            cipher_suites=_res_get(res, "TLS Cipher Suites"),
            protocol=_res_get(res, "TLS Protocol"),
        )

    def policy(self) -> int:
        """0 none, 1 enabled, 2 required (what goes into ``ssl=N``)."""
        if not self.enable:
            return TLS_POLICY_NONE
        return TLS_POLICY_REQUIRED if self.require else TLS_POLICY_ENABLED

    @property
    def has_certificate(self) -> bool:
        return bool(self.certificate)


def cleartext_decision(remote: int, local: int) -> str:
    """Combine the peer's ``ssl=`` with our policy after CRAM-MD5 on a cleartext link.

    Returns :data:`CLEARTEXT_OK` (stay in cleartext), :data:`CLEARTEXT_DENY`
    (refuse the connection) or :data:`CLEARTEXT_NEEDS_TLS` (Bareos would start
    an old-style certificate TLS handshake now).
    """
    if (remote, local) in ((0, 0), (0, 1), (1, 0)):
        return CLEARTEXT_OK
    if (remote, local) in ((0, 2), (2, 0)):
        return CLEARTEXT_DENY
    return CLEARTEXT_NEEDS_TLS


# --------------------------------------------------------------------------
# Contexts
# --------------------------------------------------------------------------

_PROTOCOL_NAMES = {
    "TLSV1": ssl.TLSVersion.TLSv1,
    "TLSV1.1": ssl.TLSVersion.TLSv1_1,
    "TLSV1.2": ssl.TLSVersion.TLSv1_2,
    "TLSV1.3": ssl.TLSVersion.TLSv1_3,
}
_ORDER = [ssl.TLSVersion.TLSv1, ssl.TLSVersion.TLSv1_1, ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3]


def parse_protocol_string(text: str) -> tuple[ssl.TLSVersion, ssl.TLSVersion]:
    """OpenSSL ``Protocol`` syntax (``-ALL,TLSv1.2``, ``-TLSv1.3`` ...) -> (min, max)."""
    enabled = set(_ORDER[2:])  # what OpenSSL 3 enables by default
    for raw in text.replace(",", " ").split():
        word = raw.strip()
        sign = "+"
        if word[:1] in "+-":
            sign, word = word[0], word[1:]
        key = word.upper()
        if key == "ALL":
            versions = set(_ORDER)
        elif key in _PROTOCOL_NAMES:
            versions = {_PROTOCOL_NAMES[key]}
        elif key in ("SSLV2", "SSLV3"):
            continue
        else:
            raise TlsError(f"unknown TLS protocol {raw!r} in {text!r}")
        enabled = enabled - versions if sign == "-" else enabled | versions
    if not enabled:
        raise TlsError(f"TLS Protocol {text!r} enables no protocol version")
    ordered = [v for v in _ORDER if v in enabled]
    return ordered[0], ordered[-1]


def _apply_common(ctx: ssl.SSLContext, settings: TlsSettings, server: bool) -> None:
    try:
        ctx.set_ciphers(settings.cipher_list or PSK_CIPHERS)
    except ssl.SSLError as exc:
        raise TlsError(f"TLS Cipher List {settings.cipher_list!r}: {exc}") from exc
    if settings.cipher_suites and not set_tls13_ciphersuites(ctx, settings.cipher_suites):
        log.warning("TLS Cipher Suites %r could not be applied; OpenSSL's defaults stay", settings.cipher_suites)
    if settings.protocol:
        lo, hi = parse_protocol_string(settings.protocol)
        ctx.minimum_version = lo
        ctx.maximum_version = hi
    try:
        if settings.certificate:
            ctx.load_cert_chain(settings.certificate, settings.key or None, settings.key_password)
        if settings.ca_certificate_file or settings.ca_certificate_dir:
            ctx.load_verify_locations(
                cafile=settings.ca_certificate_file or None, capath=settings.ca_certificate_dir or None
            )
        if settings.crl:
            ctx.load_verify_locations(cafile=settings.crl)
            ctx.verify_flags |= ssl.VERIFY_CRL_CHECK_LEAF
        if server and settings.dh_file:
            ctx.load_dh_params(settings.dh_file)
    except (OSError, ssl.SSLError) as exc:
        raise TlsError(f"cannot load TLS files: {exc}") from exc
    has_ca = bool(settings.ca_certificate_file or settings.ca_certificate_dir)
    if settings.verify_peer and has_ca:
        ctx.verify_mode = ssl.CERT_REQUIRED
    else:
        ctx.verify_mode = ssl.CERT_NONE


#: TLS 1.3 suites usable with the legacy PSK callbacks (their hash must be SHA-256)
PSK_TLS13_SUITES = "TLS_AES_128_GCM_SHA256:TLS_CHACHA20_POLY1305_SHA256"
_libssl = None


def set_tls13_ciphersuites(ctx: ssl.SSLContext, suites: str) -> bool:
    """Set the TLS 1.3 cipher suites of *ctx* (the ssl module has no API for it).

    Uses OpenSSL's ``SSL_CTX_set_ciphersuites`` through ctypes on the context's
    ``SSL_CTX`` pointer, after checking that the pointer really is the context
    (its verify mode must read back).  Returns False when that is not possible.
    """
    global _libssl
    try:
        import ctypes
        import ctypes.util

        if _libssl is None:
            _libssl = ctypes.CDLL(ctypes.util.find_library("ssl") or "libssl.so.3")
            _libssl.SSL_CTX_get_verify_mode.argtypes = [ctypes.c_void_p]
            _libssl.SSL_CTX_get_verify_mode.restype = ctypes.c_int
            _libssl.SSL_CTX_set_ciphersuites.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
            _libssl.SSL_CTX_set_ciphersuites.restype = ctypes.c_int
        if ssl.OPENSSL_VERSION_INFO < (1, 1, 1):
            return False
        # PySSLContext is PyObject_HEAD followed by SSL_CTX *ctx
        ptr = ctypes.c_void_p.from_address(id(ctx) + object.__basicsize__).value
        if not ptr:
            return False
        probe = ssl.CERT_REQUIRED if ctx.verify_mode != ssl.CERT_REQUIRED else ssl.CERT_NONE
        saved = ctx.verify_mode
        ctx.verify_mode = probe
        ok = _libssl.SSL_CTX_get_verify_mode(ptr) == (1 | 2 if probe == ssl.CERT_REQUIRED else 0)
        ctx.verify_mode = saved
        if not ok:
            return False
        return _libssl.SSL_CTX_set_ciphersuites(ptr, suites.encode("ascii")) == 1
    except Exception:  # pragma: no cover - exotic builds
        return False


def _new_context(protocol: int, want_psk: bool) -> ssl.SSLContext:
    if want_psk and PSK_BACKEND == "sslpsk3":
        return _sslpsk3.SSLPSKContext(protocol)
    return ssl.SSLContext(protocol)


def server_context(
    settings: TlsSettings | None = None,
    psk_lookup: Callable[[bytes], bytes | None] | None = None,
) -> ssl.SSLContext:
    """A server context with a PSK callback and, where configured, certificates.

    *psk_lookup(identity_bytes)* returns the PSK (bytes) or None for an
    unknown identity (the handshake then fails with ``unknown_psk_identity``).
    """
    settings = settings or TlsSettings()
    want_psk = psk_lookup is not None
    if want_psk and not psk_available():
        raise TlsError("TLS-PSK is not available (Python < 3.13 needs sslpsk3)")
    ctx = _new_context(ssl.PROTOCOL_TLS_SERVER, want_psk)
    ctx.check_hostname = False
    _apply_common(ctx, settings, server=True)
    if want_psk:

        def callback(identity):
            if identity is None:
                return b""
            if isinstance(identity, str):
                identity = identity.encode("utf-8", "surrogateescape")
            try:
                key = psk_lookup(identity)
            except Exception:  # never let a lookup bug escape into OpenSSL
                log.exception("PSK lookup for %r failed", identity)
                return b""
            if not key:
                return b""
            return key.encode("utf-8") if isinstance(key, str) else bytes(key)

        ctx.set_psk_server_callback(callback)
        if settings.has_certificate and not settings.cipher_suites:
            # Otherwise TLS 1.3 clients get a SHA-384 suite and a certificate
            # handshake instead of PSK (and then fail on TLS Verify Peer).
            set_tls13_ciphersuites(ctx, PSK_TLS13_SUITES)
    return ctx


def client_context(
    settings: TlsSettings | None = None,
    identity: bytes | None = None,
    psk: bytes | None = None,
) -> ssl.SSLContext:
    """A client context offering PSK (when *identity*/*psk* are given) and certificates."""
    settings = settings or TlsSettings()
    want_psk = psk is not None
    if want_psk and not psk_available():
        raise TlsError("TLS-PSK is not available (Python < 3.13 needs sslpsk3)")
    ctx = _new_context(ssl.PROTOCOL_TLS_CLIENT, want_psk)
    ctx.check_hostname = False
    _apply_common(ctx, settings, server=False)
    if want_psk and not settings.has_certificate and not settings.cipher_list:
        # Without a certificate of our own only PSK suites can succeed; offering
        # certificate suites would let a server that also has a certificate pick
        # one and then ask us for a client certificate (TLS <= 1.2).
        ctx.set_ciphers("PSK")
    if want_psk:
        ident = (identity or b"").decode("utf-8", "surrogateescape")
        key = psk.encode("utf-8") if isinstance(psk, str) else bytes(psk)
        if PSK_BACKEND == "sslpsk3" and sys.version_info < (3, 13):
            # sslpsk3's legacy client callback does not work for TLS 1.3
            ctx.maximum_version = ssl.TLSVersion.TLSv1_2
        ctx.set_psk_client_callback(lambda hint: (ident, key))
    return ctx


def peer_common_names(sslsock) -> list[str]:
    cert = sslsock.getpeercert()
    if not cert:
        return []
    names = []
    for rdn in cert.get("subject", ()):
        for key, value in rdn:
            if key == "commonName":
                names.append(value)
    return names


def check_allowed_cn(sslsock, allowed: Iterable[str], require_certificate: bool = True) -> None:
    """Raise :class:`TlsError` unless the peer certificate's (first) CN is in *allowed*.

    Nothing is checked when *allowed* is empty.  A session without a peer
    certificate (TLS-PSK) passes only when *require_certificate* is false;
    Bareos refuses it ("Peer failed to present a TLS certificate") whenever
    it verifies the peer against an Allowed CN list.
    """
    allowed = list(allowed)
    if not allowed:
        return
    cert = sslsock.getpeercert()
    if not cert:
        if require_certificate:
            raise TlsError("TLS certificate verification failed: the peer failed to present a TLS "
                           f"certificate (TLS Allowed CN {allowed!r})")
        return
    # Bareos compares the subject's first CN only (X509_NAME_get_text_by_NID)
    names = peer_common_names(sslsock)[:1]
    if not any(n in allowed for n in names):
        raise TlsError("TLS certificate verification failed: peer certificate did not match a "
                       f"required commonName (CN {names!r}, TLS Allowed CN {allowed!r})")


def verify_peer_cn(sslsock, settings: TlsSettings | None) -> None:
    """The accepting side's check after a handshake (Bareos's TLS server).

    Only with ``TLS Verify Peer = yes``: the peer must then present a
    certificate whose CN is in ``TLS Allowed CN`` (when that list is set;
    without one any certificate the CA signed is accepted -- the chain was
    checked during the handshake).  Without Verify Peer the Allowed CN list is
    not used.
    """
    if settings is None or not settings.verify_peer:
        return
    check_allowed_cn(sslsock, settings.allowed_cn, require_certificate=True)


def peer_dns_names(sslsock) -> list[str]:
    """The ``DNS`` entries of the peer certificate's subjectAltName."""
    cert = sslsock.getpeercert()
    if not cert:
        return []
    return [value for kind, value in cert.get("subjectAltName", ()) if kind == "DNS"]


def check_host(sslsock, host: str) -> None:
    """Raise :class:`TlsError` unless the peer certificate names *host*.

    As Bareos's client does it: every ``DNS`` subjectAltName, then every
    commonName, compared with the address we dialled ignoring case (no
    wildcards, no IP-address entries).
    """
    if not sslsock.getpeercert():
        raise TlsError(f"TLS host certificate verification failed: peer {host} failed to present "
                       "a TLS certificate")
    wanted = host.strip("[]").casefold()
    names = list(dict.fromkeys(peer_dns_names(sslsock) + peer_common_names(sslsock)))
    if not any(n.casefold() == wanted for n in names):
        raise TlsError(f'TLS host certificate verification failed. Host name "{host}" did not match '
                       f"presented certificate (names {names!r})")


def verify_server(sslsock, settings: TlsSettings | None, host: str | None) -> None:
    """The connecting side's check after a handshake (Bareos's TLS client).

    With ``TLS Verify Peer = yes``: when ``TLS Allowed CN`` is set the server
    certificate's CN must be in it; otherwise the certificate must name the
    host we dialled (*host*; skipped when the caller does not know it).
    """
    if settings is None or not settings.verify_peer:
        return
    if settings.allowed_cn:
        check_allowed_cn(sslsock, settings.allowed_cn, require_certificate=True)
    elif host:
        check_host(sslsock, host)


#: seconds a TLS handshake may take when the socket has no timeout of its own
HANDSHAKE_TIMEOUT = 30.0


def _handshake(ssock: ssl.SSLSocket, timeout: float | None) -> None:
    """do_handshake() that never blocks forever.

    A peer that drops the connection (or stalls) in the middle of the
    handshake must not hang us (sslpsk3's client can otherwise wait for
    ever): the socket's own timeout applies, else *timeout*; the socket's
    previous timeout is restored afterwards.
    """
    previous = ssock.gettimeout()
    limit = previous if previous is not None else (timeout or HANDSHAKE_TIMEOUT)
    ssock.settimeout(limit)
    try:
        ssock.do_handshake()
    except socket.timeout as exc:
        raise ssl.SSLError(f"TLS handshake timed out after {limit:g} s") from exc
    ssock.settimeout(previous)


def server_wrap(sock: socket.socket, ctx: ssl.SSLContext, settings: TlsSettings | None = None,
                handshake_timeout: float | None = None) -> ssl.SSLSocket:
    """Run the server handshake on an accepted socket (its timeout, else *handshake_timeout*)."""
    ssock = ctx.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
    try:
        _handshake(ssock, handshake_timeout)
        verify_peer_cn(ssock, settings)
    except BaseException:
        _release(ssock)
        raise
    return ssock


def client_wrap(
    sock: socket.socket,
    settings: TlsSettings | None,
    identity: bytes | None,
    psk: bytes | None,
    server_hostname: str | None = None,
    handshake_timeout: float | None = None,
    verify_host: str | None = None,
) -> ssl.SSLSocket:
    """Run the client handshake on a connected socket; returns the TLS socket.

    The handshake is bounded by the socket's timeout, else *handshake_timeout*
    (default :data:`HANDSHAKE_TIMEOUT`); a timeout raises ``ssl.SSLError``.
    With ``TLS Verify Peer`` the server certificate is checked against
    ``TLS Allowed CN``, or without that list against *verify_host* (the
    address dialled; *server_hostname* when not given) -- see
    :func:`verify_server`.
    """
    ctx = client_context(settings, identity, psk)
    ssock = ctx.wrap_socket(sock, server_side=False, do_handshake_on_connect=False, server_hostname=server_hostname)
    try:
        _handshake(ssock, handshake_timeout)
        verify_server(ssock, settings, verify_host or server_hostname)
    except BaseException:
        _release(ssock)
        raise
    return ssock


def _release(ssock) -> None:
    try:
        ssock.close()
    except OSError:
        pass


def tls_close(ssock) -> None:
    """Send close_notify (best effort), then close the TCP socket."""
    if isinstance(ssock, ssl.SSLSocket):
        try:
            ssock.settimeout(1.0)
            raw = ssock.unwrap()
            raw.close()
        except (OSError, ValueError, ssl.SSLError):
            pass
    try:
        ssock.close()
    except OSError:
        pass


# --------------------------------------------------------------------------
# TLS after CRAM-MD5 (peers before 18.2)
# --------------------------------------------------------------------------
#
# Before 18.2 a connection started in cleartext: Hello, the mutual CRAM-MD5
# whose challenges carry each side's ``ssl=N``, and then -- when both sides
# have TLS enabled -- a certificate TLS handshake inside the authenticated
# connection (the side that accepted the connection is the TLS server).
# Bareos 25 still does this on every cleartext connection that authenticated
# with both policies >= 1 (TwoWayAuthenticate -> DoTlsHandshake).


def needs_tls_after_auth(tls_used: bool, remote: int, local: int) -> bool:
    """True when a cleartext connection must now start TLS (both policies >= 1)."""
    return not tls_used and cleartext_decision(remote, local) == CLEARTEXT_NEEDS_TLS


def recv_packet_exact(sock: socket.socket, timeout: float | None) -> bytes | int:
    """Read exactly one packet from a plain socket (never a byte more).

    Used for the last CRAM-MD5 message before a TLS handshake: the peer's
    ClientHello may follow it at once and must stay in the socket for OpenSSL.
    """
    import struct

    def exact(n: int) -> bytes:
        buf = b""
        while len(buf) < n:
            chunk = sock.recv(n - len(buf))
            if not chunk:
                raise ConnectionError("connection closed by peer")
            buf += chunk
        return buf

    previous = sock.gettimeout()
    sock.settimeout(timeout)
    try:
        (length,) = struct.unpack(">i", exact(4))
        if length < 0:
            return length
        if length > 1_000_000:
            raise ConnectionError(f"packet of {length} bytes during authentication")
        return exact(length)
    finally:
        sock.settimeout(previous)


class ExactReads:
    """A stand-in for a cleartext BSock during CRAM-MD5 that never reads ahead.

    ``authenticate_server(ExactReads(bs), ...)`` leaves any bytes after the
    last CRAM-MD5 message (an old peer's ClientHello) in the socket, so that
    :func:`start_tls_after_auth` can run the TLS handshake on it.
    """

    def __init__(self, bs) -> None:
        self.bs = bs
        self.peer = bs.peer

    def send(self, data) -> None:
        self.bs.send(data)

    def recv(self, timeout=None):
        from .bnet import ConnectionClosed

        if getattr(self.bs, "buffered", 0):
            return self.bs.recv(timeout)
        try:
            return recv_packet_exact(self.bs.sock, timeout)
        except ConnectionError as exc:
            raise ConnectionClosed(f"{self.peer}: {exc}") from exc


def start_tls_after_auth(bs, settings: TlsSettings, *, server_side: bool, host: str | None = None,
                         handshake_timeout: float | None = None) -> None:
    """Turn the authenticated cleartext BSock *bs* into certificate TLS in place.

    The accepting side is the TLS server (it needs ``TLS Certificate``/``Key``);
    the checks afterwards are those of :func:`verify_peer_cn` (server) and
    :func:`verify_server` (client, *host* = the address dialled).  TLS-PSK is
    not offered: peers before 18.2 do not know it.  Raises ``ssl.SSLError``,
    :class:`TlsError` or ``OSError``.
    """
    if getattr(bs, "buffered", 0):
        raise TlsError("data arrived before the TLS handshake could start")
    raw = bs.sock
    if server_side:
        if not settings.has_certificate:
            raise TlsError("TLS after CRAM-MD5 needs a TLS Certificate and TLS Key on this side")
        ctx = server_context(settings, None)
        ssock = server_wrap(raw, ctx, settings, handshake_timeout=handshake_timeout)
    else:
        ssock = client_wrap(raw, settings, None, None, handshake_timeout=handshake_timeout, verify_host=host)
    bs.sock = ssock
    ssock.settimeout(bs.timeout)
