"""Console connections to the Director: Hello, admission, CRAM-MD5, banners,
and the command loop with API modes 0, 1 and 2.

The network server (``bareos.lib.netserver``) has already decided between TLS
and cleartext and read the Hello; this module takes it from there.
"""

from __future__ import annotations

import logging
import threading

from bareos.lib import bnet, cram, tls
from bareos.lib import version as v
from bareos.lib.bnet import BnetError, HelloKind
from bareos.lib.bsock import AuthenticationFailed, authenticate_server

from . import acl as aclmod
from .ua import UaContext

log = logging.getLogger("bareos.dird.console")

# The message ids of the 18.2 console protocol.
MSG_OK = 1000
MSG_PAM_REQUIRED = 1001
MSG_INFO = 1002

SERVICES_MESSAGE = "bareos-py: Bareos rebuilt in Python"
DEFAULT_CONSOLE = "*UserAgent*"


def response_message(msg_id: int, text: str) -> str:
    """The 18.2 "response message": id, RS, arguments (no trailing newline)."""
    return f"{msg_id}{bnet.RECORD_SEPARATOR}{text}"


def cipher_message(bs) -> str:
    info = bs.tls_cipher()
    if info is None:
        return " Encryption: None"
    return f" Encryption: {info[0]} {info[1]}"


def handle_connection(director, bs, raw_hello: bytes, tls_used: bool) -> None:
    """Entry point from the NetServer for every connection on the Director port."""
    try:
        hello = bnet.parse_hello(raw_hello)
    except (BnetError, ValueError) as exc:
        log.warning("%s: invalid connection (%s)", bs.peer, exc)
        bs.terminate(close=False)
        return
    if hello.kind == HelloKind.CONSOLE:
        handle_console(director, bs, hello, tls_used)
    elif hello.kind == HelloKind.CLIENT:
        from .fdconn import handle_client_connection

        handle_client_connection(director, bs, hello, tls_used)
    else:
        log.warning("%s: %s connection from %r is not accepted by this Director",
                    bs.peer, hello.kind.value, hello.name)
        bs.terminate(close=False)


def _console_resource(director, name: str):
    if name == DEFAULT_CONSOLE:
        return director.resource
    return director.config.get("Console", name)


def authenticate_console(director, bs, hello, tls_used: bool) -> UaContext | None:
    """Run the login of one console; returns its UaContext or None (connection to close)."""
    name = hello.name
    res = _console_resource(director, name)
    password = director.console_password(name)
    if res is None or password is None:
        log.warning("%s: unknown console %r", bs.peer, name)
        bs.terminate(close=False)
        return None
    settings = tls.TlsSettings.from_resource(res)
    local_policy = settings.policy()
    new_protocol = hello.protocol_18_2
    if not tls_used and new_protocol and local_policy != tls.TLS_POLICY_NONE:
        # An 18.2+ console must come with TLS unless its TLS is switched off.
        log.info("%s: console %r refused in cleartext (its TLS policy requires TLS-PSK first)",
                 bs.peer, name)
        bs.terminate(close=False)
        return None
    own_name = cram.qualified_name("R_DIRECTOR", director.name)
    try:
        remote_policy = authenticate_server(bs, cram.as_key(password), own_name, local_policy)
    except AuthenticationFailed as exc:
        log.warning('Unable to authenticate console "%s" at %s: %s', name, bs.peer, exc)
        if not new_protocol:
            _send_quietly(bs, "1999 You are not authorized.\n")
        return None
    if not tls_used:
        decision = tls.cleartext_decision(remote_policy, local_policy)
        if decision != tls.CLEARTEXT_OK:
            log.warning("%s: console %r: TLS policies do not allow this cleartext connection "
                        "(remote %d, local %d)", bs.peer, name, remote_policy, local_policy)
            if not new_protocol:
                _send_quietly(bs, "1999 You are not authorized.\n")
            return None
    user_acl = None
    if name != DEFAULT_CONSOLE:
        if res.get("Use Pam Authentication", False):
            log.error("PAM is not available on this director (console %r)", name)
            if not new_protocol:
                _send_quietly(bs, "1999 You are not authorized.\n")
            return None
        user_acl = aclmod.UserAcl.from_resource(res, director.config)
    ua = UaContext(director, bs, name=name, user_acl=user_acl)
    if new_protocol:
        bs.send(response_message(MSG_OK, f"OK: {director.name} Version: {v.VERSION} ({v.BDATE})"))
        who = (f"logged in as: {name}" if user_acl is not None
               else "connected using the default console")
        bs.send(response_message(MSG_INFO, f"{SERVICES_MESSAGE}\nYou are {who}"))
    else:
        bs.send(f"1000 OK: {director.name} Version: {v.VERSION} ({v.BDATE}) --{cipher_message(bs)}\n")
    return ua


def _send_quietly(bs, text: str) -> None:
    try:
        bs.send(text)
    except (BnetError, OSError):
        pass


def handle_console(director, bs, hello, tls_used: bool) -> None:
    ua = authenticate_console(director, bs, hello, tls_used)
    if ua is None:
        return
    key = threading.get_ident()
    director.console_connected(key)
    log.info("%s: console %r logged in (%s)", bs.peer, ua.name,
             "TLS" if tls_used else "cleartext")
    try:
        bs.settimeout(None)
        command_loop(ua)
    finally:
        director.console_disconnected(key)


def command_loop(ua: UaContext) -> None:
    bs = ua.bsock
    director = ua.director
    while not ua.quit:
        if ua.api:
            bs.signal(bnet.BNET_MAIN_PROMPT)
        try:
            msg = bs.recv(timeout=None)
        except (BnetError, OSError, TimeoutError) as exc:
            log.debug("%s: console session ends: %s", bs.peer, exc)
            break
        if isinstance(msg, int):
            if msg == bnet.BNET_TERMINATE:
                break
            bs.signal(bnet.BNET_POLL)
            continue
        line = msg.decode("utf-8", "replace")
        try:
            ua.execute_line(line)
        except (BnetError, OSError) as exc:
            log.info("%s: console connection lost: %s", bs.peer, exc)
            break
        if ua.quit:
            break
        if director.console_messages.pending and ua.acl_access_ok(aclmod.COMMAND, "messages"):
            if ua.auto_display_messages:
                from .console.messages import dot_messages

                dot_messages(ua)
                ua.user_notified_msg_pending = False
            elif not ua.gui and not ua.user_notified_msg_pending:
                if ua.api:
                    bs.signal(bnet.BNET_MSGS_PENDING)
                else:
                    bs.send("You have messages.\n")
                ua.user_notified_msg_pending = True
        if not ua.api:
            bs.signal(bnet.BNET_EOD)
