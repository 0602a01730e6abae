"""Mutual CRAM-MD5 as Bareos does it (message builders and checkers, no I/O).

The accepting side challenges first::

    A -> C  auth cram-md5 <R.T@NAME> ssl=P\\n
    C -> A  base64(HMAC-MD5(key, "<R.T@NAME>"))           (C code adds a NUL)
    A -> C  1000 OK auth\\n  |  1999 Authorization failed.\\n
    ... then the same with the roles swapped.

The key is the 32-character lower-case hex MD5 of the password, as ASCII
bytes.  ``cram-md5c`` asks for the standard base64 variant in the answer,
``cram-md5`` for Bareos's own.  The blocking two-way exchange over a socket
lives in :mod:`bareos.lib.bsock`.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
from dataclasses import dataclass

from .base64 import bin_to_base64
from .bnet import BnetError, bash_spaces

AUTH_OK = b"1000 OK auth\n"
AUTH_FAILED = b"1999 Authorization failed.\n"
NOT_AUTHORIZED = b"1999 You are not authorized.\n"


class AuthenticationFailed(BnetError):
    """CRAM-MD5 did not succeed (wrong key, garbled or replayed challenge, ...)."""


def password_key(password: str | bytes) -> bytes:
    """The shared key for a cleartext password: hex MD5 as 32 ASCII bytes."""
    if isinstance(password, str):
        password = password.encode("utf-8")
    return hashlib.md5(password).hexdigest().encode("ascii")


def as_key(key) -> bytes:
    """Accept bytes, str, or an object with ``.md5`` (config Password) / ``.md5()``."""
    md5 = getattr(key, "md5", None)
    if md5 is not None:
        key = md5() if callable(md5) else md5
    if isinstance(key, str):
        key = key.encode("utf-8")
    return bytes(key)


def qualified_name(resource_type: str, name: str) -> str:
    """``R_DIRECTOR::bareos-dir`` (spaces bashed), the name a daemon challenges with."""
    return f"{resource_type}::{bash_spaces(name)}"


def challenge(name: str, rand: int | None = None, now: int | None = None) -> str:
    """A fresh challenge token ``<R.T@NAME>``."""
    if rand is None:
        rand = secrets.randbits(32)
    if now is None:
        now = int(time.time())
    return f"<{rand}.{now}@{name}>"


def challenge_line(token: str, tls_policy: int = 0, compatible: bool = False) -> bytes:
    """``auth cram-md5 <token> ssl=P\\n`` (``cram-md5c`` when *compatible*)."""
    word = "cram-md5c" if compatible else "cram-md5"
    return f"auth {word} {token} ssl={int(tls_policy)}\n".encode("utf-8")


@dataclass(frozen=True)
class Challenge:
    token: str  # "<R.T@NAME>" exactly as received
    tls_policy: int  # the sender's ssl=N
    compatible: bool  # cram-md5c: answer in standard base64

    @property
    def name(self) -> str:
        """NAME part of the token (between ``@`` and ``>``)."""
        body = self.token[1:-1] if self.token.endswith(">") else self.token[1:]
        return body.split("@", 1)[1] if "@" in body else ""


_CHALLENGE_RE = re.compile(r"^auth cram-md5(c?) +(\S+) +ssl=(\d+)")


def parse_challenge_line(line: bytes | str) -> Challenge:
    """Parse ``auth cram-md5[c] <...> ssl=N`` leniently (big numbers, extra tokens)."""
    if isinstance(line, (bytes, bytearray)):
        line = bytes(line).split(b"\0", 1)[0].decode("utf-8", "replace")
    m = _CHALLENGE_RE.match(line)
    if not m:
        raise AuthenticationFailed(f"malformed challenge: {line[:200]!r}")
    token = m.group(2)
    if not (token.startswith("<") and "@" in token):
        raise AuthenticationFailed(f"malformed challenge token: {token[:200]!r}")
    return Challenge(token, int(m.group(3)), m.group(1) == "c")


def hmac_digest(key, token: str | bytes) -> bytes:
    if isinstance(token, str):
        token = token.encode("utf-8")
    return hmac.new(as_key(key), token, hashlib.md5).digest()


def response(key, challenge: str | bytes, compatible: bool = False) -> str:
    """The 22-character answer to *challenge* (a token ``<R.T@NAME>``)."""
    return bin_to_base64(hmac_digest(key, challenge), compatible)


def verify(key, challenge: str | bytes, answer: bytes | str) -> bool:
    """Check an answer in either base64 variant (a trailing NUL is allowed)."""
    if isinstance(answer, str):
        answer = answer.encode("utf-8", "replace")
    answer = bytes(answer)
    if answer.endswith(b"\0"):
        answer = answer[:-1]
    digest = hmac_digest(key, challenge)
    ok = False
    for compat in (True, False):
        expected = bin_to_base64(digest, compat).encode("ascii")
        ok |= hmac.compare_digest(expected, answer)
    return ok


def is_replay(ch: Challenge, own_qualified_name: str) -> bool:
    """Bareos refuses to answer a challenge carrying its own name, except for R_STORAGE."""
    return ch.name == own_qualified_name and "R_STORAGE" not in ch.token
