"""bconsole's side of the login to a Director.

TCP connect (with Bareos's retry schedule), TLS-PSK first unless the
console's TLS is switched off, the protocol-2 Hello, the connecting side of
the mutual CRAM-MD5 (our challenges name ``R_CONSOLE::<name>``), the
cleartext TLS policy check, and the first response message (``1000`` OK or
``1001`` PAM required).  Reading the ``1002`` info message and the PAM
conversation are left to the caller, which prints the banner in between.

Failures raise :class:`ConnectError` with a text meant for the user.
"""

from __future__ import annotations

import logging
import socket
import ssl
import time
from dataclasses import dataclass, field

from bareos.lib import bnet, cram, tls
from bareos.lib import version as v
from bareos.lib.bnet import BnetError, HelloKind
from bareos.lib.bsock import AuthenticationFailed, BSock, authenticate_client

log = logging.getLogger("bareos.console")

DEFAULT_CONSOLE = "*UserAgent*"
DEFAULT_PORT = 9101

MSG_OK = 1000
MSG_PAM_REQUIRED = 1001
MSG_INFO = 1002
MSG_PAM_INTERACTIVE = 4001
MSG_PAM_USER_CREDENTIALS = 4002

#: Bareos's console connects with a 5 s retry interval for at most 15 s.
RETRY_INTERVAL = 5.0
MAX_RETRY_TIME = 15.0


class ConnectError(Exception):
    """The Director could not be reached or refused us; ``str()`` says why."""


@dataclass
class Login:
    """Everything the console needs to know to log in to one Director."""

    address: str
    port: int
    name: str  # console name, or *UserAgent* for the default console
    key: bytes  # hex MD5 of the password, the CRAM-MD5 and TLS-PSK secret
    tls: tls.TlsSettings = field(default_factory=tls.TlsSettings)
    heartbeat: int = 0

    @property
    def qualified_name(self) -> str:
        return "R_CONSOLE::" + bnet.bash_spaces(self.name)

    @classmethod
    def from_resources(cls, director, console=None) -> "Login":
        """Name, key and TLS of the console resource, else the default console's."""
        address = director["Address"]
        port = int(director.get("Port", DEFAULT_PORT) or DEFAULT_PORT)
        heartbeat = int(director.get("Heartbeat Interval", 0) or 0)
        if console is not None:
            name = console.name
            password = console["Password"]
            tls_res = console
            if not heartbeat:
                heartbeat = int(console.get("Heartbeat Interval", 0) or 0)
        else:
            name = DEFAULT_CONSOLE
            password = director.get("Password")
            tls_res = director
        if password is None:
            raise ConnectError(f'Director "{director.name}": no Password configured')
        return cls(address=address, port=port, name=name, key=_md5_key(password),
                   tls=tls.TlsSettings.from_resource(tls_res), heartbeat=heartbeat)


def _md5_key(password) -> bytes:
    md5 = getattr(password, "md5", None)
    if isinstance(md5, str):
        return md5.encode("ascii")
    return cram.as_key(password)


def hello_line(name: str) -> bytes:
    """``Hello <name> calling version 25.1.1\\n`` (spaces in the name bashed)."""
    return bnet.make_hello(HelloKind.CONSOLE, name, version=v.VERSION)


def readable_response(args: list[str]) -> str:
    """The arguments of a response message joined by blanks, as bconsole prints them."""
    return " ".join(args)


def _tcp_connect(login: Login, retry_interval: float, max_retry_time: float, report) -> socket.socket:
    deadline = time.monotonic() + max_retry_time
    while True:
        try:
            return socket.create_connection((login.address, login.port), timeout=30.0)
        except OSError as exc:
            err = exc.strerror or str(exc)
            if time.monotonic() + retry_interval > deadline:
                raise ConnectError(
                    f"Could not connect to Director daemon on {login.address}:{login.port}. ERR={err}"
                ) from exc
            if report is not None:
                report(f"Could not connect to Director daemon on {login.address}:{login.port}. "
                       f"ERR={err}\nRetrying ...\n")
            time.sleep(retry_interval)


def open_connection(login: Login, *, retry_interval: float = RETRY_INTERVAL,
                    max_retry_time: float = MAX_RETRY_TIME, report=None) -> BSock:
    """TCP connect with retries, then the TLS-PSK handshake when TLS is enabled.

    *report(text)* is told about each failed attempt before the retry.
    """
    use_tls = login.tls.enable
    if use_tls and not tls.psk_available() and not login.tls.has_certificate:
        raise ConnectError("TLS is enabled for this console, but TLS-PSK is not available "
                           "in this Python (install sslpsk3 or use Python 3.13+)")
    sock = _tcp_connect(login, retry_interval, max_retry_time, report)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
        if login.heartbeat > 0 and hasattr(socket, "TCP_KEEPIDLE"):
            # Bareos uses the heartbeat interval as the TCP keepalive time
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, login.heartbeat)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL, login.heartbeat)
        peer = f"{login.address}:{login.port}"
        log.debug("connected to %s", peer)
        if use_tls:
            identity = tls.psk_identity("R_CONSOLE", login.name)
            # certificates configured, or the Director's certificate to be verified
            # (TLS Verify Peer): certificate TLS only; PSK when there are none
            wants_cert = login.tls.has_certificate or login.tls.verify_peer
            psk = login.key if (tls.psk_available() and not wants_cert) else None
            log.debug("TLS handshake with identity %r (%s)", identity, "PSK" if psk else "certificates")
            # With TLS Verify Peer the Director's certificate must carry a CN in
            # TLS Allowed CN, or without that list name the address we dialled.
            sock = tls.client_wrap(sock, login.tls, identity, psk, verify_host=login.address)
            log.debug("TLS established: %s", sock.cipher())
        return BSock(sock, peer=peer)
    except ssl.SSLError as exc:
        _close_quietly(sock)
        reason = f"{exc.reason} {exc}".upper()
        if "UNKNOWN_PSK_IDENTITY" in reason or "UNKNOWN PSK IDENTITY" in reason:
            hint = f' (the Director knows no console "{login.name}")'
        elif "ALERT" in reason:
            hint = (" (most likely the passwords of console and Director do not agree, or the "
                    f'Director knows no console "{login.name}")')
        else:
            hint = ""
        raise ConnectError(f"TLS negotiation with Director {login.address}:{login.port} failed: "
                           f"{exc.reason or exc}{hint}") from exc
    except tls.TlsError as exc:
        _close_quietly(sock)
        raise ConnectError(f"TLS with Director {login.address}:{login.port} failed: {exc}") from exc
    except OSError as exc:
        _close_quietly(sock)
        raise ConnectError(f"Connection to Director {login.address}:{login.port} failed during the "
                           f"TLS handshake: {exc.strerror or exc}") from exc


def _close_quietly(sock) -> None:
    try:
        sock.close()
    except OSError:
        pass


def authenticate(bs: BSock, login: Login, *, timeout: float = 300.0) -> tuple[int, list[str]]:
    """Hello, mutual CRAM-MD5 and the first response message.

    Returns ``(message id, arguments)``, where the arguments include the id
    as first element (as bconsole prints them).
    """
    where = f"Director at {bs.peer}"
    try:
        bs.send(hello_line(login.name))
        log.debug("sent %r", hello_line(login.name))
        remote_policy = authenticate_client(bs, login.key, login.qualified_name, login.tls.policy(),
                                            timeout=timeout)
    except AuthenticationFailed as exc:
        text = str(exc)
        if "TERMINATE" in text or "closed" in text:
            raise ConnectError(
                f"{where} refused the connection: {text}. Is console \"{login.name}\" known to it, "
                "and do the TLS settings of both sides agree?") from exc
        raise ConnectError(
            f"Director authorization problem: {text}.\n"
            "Most likely the passwords do not agree.\n"
            "Please see the Bareos manual (Authorization Errors) for help.") from exc
    except (BnetError, OSError) as exc:
        raise ConnectError(f"{where}: connection lost during authentication: {exc}") from exc
    log.debug("CRAM-MD5 done, Director ssl=%d", remote_policy)
    if not bs.tls_used:
        decision = tls.cleartext_decision(remote_policy, login.tls.policy())
        if decision != tls.CLEARTEXT_OK:
            raise ConnectError(
                f"{where}: TLS policies do not agree (Director ssl={remote_policy}, console "
                f"ssl={login.tls.policy()}); the connection would need TLS")
    return receive_response(bs, where, timeout)


def receive_response(bs: BSock, where: str, timeout: float | None = 300.0) -> tuple[int, list[str]]:
    """Read one ``<id>RS<args>`` response message."""
    try:
        while True:
            item = bs.recv(timeout)
            if isinstance(item, int):
                if item in (bnet.BNET_HEARTBEAT,):
                    bs.signal(bnet.BNET_HB_RESPONSE)
                    continue
                raise ConnectError(f"{where}: unexpected signal {bnet.signal_name(item)}")
            parsed = bnet.parse_response_message(item)
            if parsed is None:
                raise ConnectError(f"{where}: unexpected message "
                                   f"{item[:200].decode('utf-8', 'replace')!r}")
            msg_id, args = parsed
            return msg_id, [str(msg_id)] + args
    except TimeoutError as exc:
        raise ConnectError(f"{where}: timed out waiting for the Director") from exc
    except BnetError as exc:
        raise ConnectError(f"{where}: connection closed by the Director ({exc})") from exc
    except OSError as exc:
        raise ConnectError(f"{where}: {exc}") from exc


def send_pam_credentials(bs: BSock, user: str, password: str) -> None:
    bs.send(bnet.format_response_message(MSG_PAM_USER_CREDENTIALS, user, password))


def send_pam_interactive(bs: BSock) -> None:
    bs.send(bnet.format_response_message(MSG_PAM_INTERACTIVE, ""))


def read_pam_credentials_file(path: str) -> tuple[str, str]:
    """First line user, second line password (both required)."""
    try:
        with open(path, encoding="utf-8") as f:
            user = f.readline().rstrip("\r\n")
            password = f.readline().rstrip("\r\n")
    except OSError as exc:
        raise ConnectError(f"Could not open PAM credentials file {path}: {exc.strerror}") from exc
    if not user or not password:
        raise ConnectError(f"Could not read user or password from {path}.")
    return user, password


# PAM message styles the Director sends before each prompt.
PAM_SUCCESS = 0
PAM_PROMPT_ECHO_OFF = 1
PAM_PROMPT_ECHO_ON = 2


def pam_conversation(bs: BSock, ask, timeout: float = 30.0) -> bool:
    """Client side of the interactive PAM conversation.

    *ask(prompt, echo)* returns the user's answer or None (cancel).  Returns
    True when the Director reports success.
    """
    try:
        while True:
            kind = bs.recv(timeout)
            if not isinstance(kind, bytes) or len(kind) != 1:
                return False
            style = kind[0]
            if style == PAM_SUCCESS:
                last = bs.recv(timeout)
                return isinstance(last, bytes) and len(last) == 1
            if style not in (PAM_PROMPT_ECHO_OFF, PAM_PROMPT_ECHO_ON):
                return False
            prompt = bs.recv(timeout)
            if not isinstance(prompt, bytes):
                return False
            answer = ask(prompt.rstrip(b"\0").decode("utf-8", "replace"), style == PAM_PROMPT_ECHO_ON)
            if answer is None:
                return False
            bs.send(answer)
    except (BnetError, OSError, TimeoutError):
        return False
