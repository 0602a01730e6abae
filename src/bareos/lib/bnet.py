"""Bareos network framing, signals, space bashing and Hello lines (no I/O).

Every unit on a Bareos connection is a packet: a signed 32-bit big-endian
header followed, when the header is positive, by that many payload bytes.
A zero header is an empty message, a negative one a *signal* without payload.
This module only turns values into bytes and bytes into values; sockets live
in :mod:`bareos.lib.bsock`.
"""

from __future__ import annotations

import enum
import re
import struct
from dataclasses import dataclass
from typing import Iterator

# --------------------------------------------------------------------------
# Signals (negative packet headers)
# --------------------------------------------------------------------------

BNET_EOD = -1
BNET_EOD_POLL = -2
BNET_STATUS = -3
BNET_TERMINATE = -4
BNET_POLL = -5
BNET_HEARTBEAT = -6
BNET_HB_RESPONSE = -7
BNET_xxxxxxPROMPT = -8
BNET_BTIME = -9
BNET_BREAK = -10
BNET_START_SELECT = -11
BNET_END_SELECT = -12
BNET_INVALID_CMD = -13
BNET_CMD_FAILED = -14
BNET_CMD_OK = -15
BNET_CMD_BEGIN = -16
BNET_MSGS_PENDING = -17
BNET_MAIN_PROMPT = -18
BNET_SELECT_INPUT = -19
BNET_WARNING_MSG = -20
BNET_ERROR_MSG = -21
BNET_INFO_MSG = -22
BNET_RUN_CMD = -23
BNET_YESNO = -24
BNET_START_RTREE = -25
BNET_END_RTREE = -26
BNET_SUB_PROMPT = -27
BNET_TEXT_INPUT = -28

#: value -> constant name, e.g. ``SIGNAL_NAMES[-1] == "BNET_EOD"``
SIGNAL_NAMES: dict[int, str] = {
    value: name
    for name, value in list(globals().items())
    if name.startswith("BNET_") and isinstance(value, int)
}

#: value -> short human description (the wording python-bareos users see)
SIGNAL_DESCRIPTIONS: dict[int, str] = {
    BNET_EOD: "End of data stream, new data may follow",
    BNET_EOD_POLL: "End of data and poll all in one",
    BNET_STATUS: "Send full status",
    BNET_TERMINATE: "Conversation terminated",
    BNET_POLL: "Poll request, I'm hanging on a read",
    BNET_HEARTBEAT: "Heartbeat Response requested",
    BNET_HB_RESPONSE: "Only response permited to HB",
    BNET_xxxxxxPROMPT: "No longer used -- Prompt for subcommand",
    BNET_BTIME: "Send UTC btime",
    BNET_BREAK: "Stop current command -- ctl-c",
    BNET_START_SELECT: "Start of a selection list",
    BNET_END_SELECT: "End of a select list",
    BNET_INVALID_CMD: "Invalid command sent",
    BNET_CMD_FAILED: "Command failed",
    BNET_CMD_OK: "Command succeeded",
    BNET_CMD_BEGIN: "Start command execution",
    BNET_MSGS_PENDING: "Messages pending",
    BNET_MAIN_PROMPT: "Server ready and waiting",
    BNET_SELECT_INPUT: "Return selection input",
    BNET_WARNING_MSG: "Warning message",
    BNET_ERROR_MSG: "Error message -- command failed",
    BNET_INFO_MSG: "Info message -- status line",
    BNET_RUN_CMD: "Run command follows",
    BNET_YESNO: "Request yes no response",
    BNET_START_RTREE: "Start restore tree mode",
    BNET_END_RTREE: "End restore tree mode",
    BNET_SUB_PROMPT: "Indicate we are at a subprompt",
    BNET_TEXT_INPUT: "Get text input from user",
}


def signal_name(sig: int) -> str:
    """``BNET_EOD`` for -1; ``BNET_SIGNAL(<n>)`` for values Bareos does not define."""
    return SIGNAL_NAMES.get(sig, f"BNET_SIGNAL({sig})")


def signal_description(sig: int) -> str | None:
    return SIGNAL_DESCRIPTIONS.get(sig)


# --------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------


class BnetError(Exception):
    """Base of the errors raised by the network core."""


class ProtocolError(BnetError):
    """The peer violated the wire protocol (bad header, bad Hello, ...)."""


class ConnectionClosed(BnetError, EOFError):
    """The peer closed the connection (possibly in the middle of a packet)."""


# --------------------------------------------------------------------------
# Packets
# --------------------------------------------------------------------------

#: largest header value a receiver accepts (bigger = "packet too big")
MAX_PACKET_SIZE = 1_000_000
#: largest payload a sender puts into one packet (header + payload <= 1 000 000)
MAX_PAYLOAD = 999_996

_HEADER = struct.Struct("!i")
HEADER_SIZE = _HEADER.size


def _as_bytes(data: bytes | bytearray | memoryview | str) -> bytes:
    if isinstance(data, str):
        return data.encode("utf-8")
    return bytes(data)


def encode_packet(data: bytes | bytearray | memoryview | str, max_payload: int = MAX_PAYLOAD) -> bytes:
    """Frame one logical message; longer than *max_payload* -> several packets.

    An empty message is a single zero header.  Strings are sent as UTF-8.
    """
    payload = _as_bytes(data)
    n = len(payload)
    if n <= max_payload:
        return _HEADER.pack(n) + payload
    parts = []
    for start in range(0, n, max_payload):
        chunk = payload[start : start + max_payload]
        parts.append(_HEADER.pack(len(chunk)))
        parts.append(chunk)
    return b"".join(parts)


def encode_signal(sig: int) -> bytes:
    """Frame a signal (a negative header, no payload)."""
    if sig >= 0:
        raise ValueError(f"a signal is negative, got {sig}")
    return _HEADER.pack(sig)


def decode_header(header: bytes) -> int:
    return _HEADER.unpack(header)[0]


class PacketDecoder:
    """Sans-I/O packet reader.

    ``feed()`` any number of bytes, then call ``next()`` until it returns
    ``None``: each call yields one packet payload (``bytes``, possibly empty)
    or one signal (a negative ``int``).  A header above *max_size* raises
    :class:`ProtocolError`; the decoder is then unusable.
    """

    def __init__(self, max_size: int = MAX_PACKET_SIZE) -> None:
        self.max_size = max_size
        self._buf = bytearray()
        self._need: int | None = None  # payload length of the current packet
        self._broken: ProtocolError | None = None

    def feed(self, data: bytes | bytearray | memoryview) -> None:
        if self._broken:
            raise self._broken
        self._buf += data

    @property
    def buffered(self) -> int:
        """Bytes received but not yet returned."""
        return len(self._buf)

    @property
    def in_packet(self) -> bool:
        """True while part of a packet (header or payload) is buffered."""
        return bool(self._buf) or self._need is not None

    def next(self) -> bytes | int | None:
        if self._broken:
            raise self._broken
        if self._need is None:
            if len(self._buf) < HEADER_SIZE:
                return None
            value = _HEADER.unpack_from(self._buf)[0]
            if value > self.max_size:
                self._broken = ProtocolError(
                    f"packet too big: header announces {value} bytes (limit {self.max_size})"
                )
                raise self._broken
            del self._buf[:HEADER_SIZE]
            if value < 0:
                return value
            self._need = value
        if len(self._buf) < self._need:
            return None
        payload = bytes(self._buf[: self._need])
        del self._buf[: self._need]
        self._need = None
        return payload

    def __iter__(self) -> Iterator[bytes | int]:
        while True:
            item = self.next()
            if item is None:
                return
            yield item

    def bytes_wanted(self) -> int:
        """How many more bytes complete the current header or payload (>= 1)."""
        if self._need is None:
            return max(1, HEADER_SIZE - len(self._buf))
        return max(1, self._need - len(self._buf))


def decode_all(data: bytes) -> list[bytes | int]:
    """Decode a complete byte string into packets and signals (tests, tools)."""
    dec = PacketDecoder()
    dec.feed(data)
    out = list(dec)
    if dec.in_packet:
        raise ProtocolError(f"{dec.buffered} trailing bytes do not form a packet")
    return out


# --------------------------------------------------------------------------
# Bashing: spaces inside names travel as 0x01
# --------------------------------------------------------------------------


def bash_spaces(value):
    """Replace every space by 0x01 (``str`` or ``bytes``)."""
    if isinstance(value, str):
        return value.replace(" ", "\x01")
    return bytes(value).replace(b" ", b"\x01")


def unbash_spaces(value):
    """Turn every 0x01 back into a space (``str`` or ``bytes``)."""
    if isinstance(value, str):
        return value.replace("\x01", " ")
    return bytes(value).replace(b"\x01", b" ")


# --------------------------------------------------------------------------
# Hello lines
# --------------------------------------------------------------------------

RECORD_SEPARATOR = "\x1e"


class HelloKind(enum.Enum):
    """Who is calling, as told by the first line after the optional TLS handshake."""

    CONSOLE = "console"  # Hello <name> calling [version <v>]
    DIRECTOR = "director"  # Hello Director <name> calling [Version="x"]
    STORAGE = "storage"  # Hello Storage <name> calling
    CLIENT = "client"  # Hello Client <name> [FdProtocolVersion=<n>] calling
    START_JOB = "start-job"  # Hello Start Job <job>             (FD -> SD)
    START_STORAGE_JOB = "start-storage-job"  # Hello Start Storage Job <job>  (SD -> SD)
    STORAGE_START_JOB = "storage-start-job"  # Hello Storage calling Start Job <job> (SD -> FD)


# prefix, name token index, resource type; tried in this order, first match wins
_HELLO_TABLE: tuple[tuple[str, HelloKind, int, str], ...] = (
    ("Hello Storage calling Start Job", HelloKind.STORAGE_START_JOB, 5, "R_JOB"),
    ("Hello Start Storage Job", HelloKind.START_STORAGE_JOB, 4, "R_JOB"),
    ("Hello Start Job", HelloKind.START_JOB, 3, "R_JOB"),
    ("Hello Director", HelloKind.DIRECTOR, 2, "R_DIRECTOR"),
    ("Hello Storage", HelloKind.STORAGE, 2, "R_STORAGE"),
    ("Hello Client", HelloKind.CLIENT, 2, "R_CLIENT"),
    ("Hello", HelloKind.CONSOLE, 1, "R_CONSOLE"),
)

_VERSION_ATTR = re.compile(r'(?:^|\s)Version="([^"]*)"')
_FD_PROTO = re.compile(r"(?:^|\s)FdProtocolVersion=(\d+)")


def version_number(version: str | None) -> int | None:
    """``"25.1.1"`` -> 2501 (major*100 + minor); None when it has fewer than 2 parts."""
    if not version:
        return None
    parts = version.strip().split(".")
    if len(parts) < 2:
        return None
    try:
        major = int(re.match(r"\d*", parts[0]).group() or "0")
        minor = int(re.match(r"\d*", parts[1]).group() or "0")
    except (AttributeError, ValueError):
        return None
    return major * 100 + minor


@dataclass(frozen=True)
class Hello:
    """A parsed Hello line."""

    kind: HelloKind
    name: str  # unbashed
    resource_type: str  # R_CONSOLE, R_DIRECTOR, R_CLIENT, R_STORAGE, R_JOB
    version: str | None = None  # console: token 4; daemons: Version="..."
    fd_protocol_version: int | None = None  # Hello Client ... FdProtocolVersion=n
    raw: bytes = b""

    @property
    def version_number(self) -> int | None:
        return version_number(self.version)

    @property
    def protocol_18_2(self) -> bool:
        """True when a console announced version >= 18.2 (the 1000/1002 banner protocol)."""
        n = self.version_number
        return n is not None and n >= 1802

    @property
    def psk_identity(self) -> bytes:
        return (self.resource_type + RECORD_SEPARATOR + self.name).encode("utf-8")


def parse_hello(data: bytes | str) -> Hello:
    """Parse any Bareos Hello line; raise :class:`ProtocolError` if it is none."""
    raw = data if isinstance(data, bytes) else data.encode("utf-8")
    text = raw.decode("utf-8", "replace")
    # C code reads the message as a NUL-terminated string
    text = text.split("\0", 1)[0]
    line = text.rstrip("\r\n")
    for prefix, kind, index, rtype in _HELLO_TABLE:
        if not line.startswith(prefix):
            continue
        rest = line[len(prefix) :]
        if rest and not rest[0].isspace():
            continue  # "Hello Directorate" is a console named Directorate
        tokens = line.split(" ")
        if len(tokens) <= index or not tokens[index]:
            raise ProtocolError(f"malformed Hello: {line[:200]!r}")
        name = unbash_spaces(tokens[index].strip())
        version = None
        fdproto = None
        if kind is HelloKind.CONSOLE:
            if len(tokens) > 4 and tokens[3] == "version":
                version = tokens[4].strip() or None
        else:
            m = _VERSION_ATTR.search(line)
            if m:
                version = m.group(1)
            if kind is HelloKind.CLIENT:
                m = _FD_PROTO.search(line)
                if m:
                    fdproto = int(m.group(1))
        return Hello(kind, name, rtype, version, fdproto, raw)
    raise ProtocolError(f"not a Hello: {line[:200]!r}")


def make_hello(
    kind: HelloKind,
    name: str,
    version: str | None = None,
    fd_protocol_version: int | None = None,
) -> bytes:
    """Build the Hello line a peer of *kind* sends (name bashed, ends with \\n).

    For consoles *version* becomes `` version <v>`` (protocol 18.2); for the
    daemons it becomes `` Version="<v>"`` as Bareos 25 sends it.
    """
    n = bash_spaces(name)
    if kind is HelloKind.CONSOLE:
        line = f"Hello {n} calling" + (f" version {version}" if version else "")
    else:
        if kind is HelloKind.DIRECTOR:
            line = f"Hello Director {n} calling"
        elif kind is HelloKind.STORAGE:
            line = f"Hello Storage {n} calling"
        elif kind is HelloKind.CLIENT:
            fd = f" FdProtocolVersion={fd_protocol_version}" if fd_protocol_version is not None else ""
            line = f"Hello Client {n}{fd} calling"
        elif kind is HelloKind.START_JOB:
            line = f"Hello Start Job {n}"
        elif kind is HelloKind.START_STORAGE_JOB:
            line = f"Hello Start Storage Job {n}"
        elif kind is HelloKind.STORAGE_START_JOB:
            line = f"Hello Storage calling Start Job {n}"
        else:  # pragma: no cover - enum is closed
            raise ValueError(kind)
        if version:
            line += f' Version="{version}"'
    return (line + "\n").encode("utf-8")


def looks_like_cleartext_hello(first_bytes: bytes) -> bool:
    """True if the first bytes on a connection are a packet header + ``Hello ``."""
    return len(first_bytes) >= 10 and first_bytes[4:10] == b"Hello "


# --------------------------------------------------------------------------
# Response messages of the 18.2 console protocol: "<id>RS<arg>RS<arg>"
# --------------------------------------------------------------------------


def format_response_message(msg_id: int, *args: str) -> bytes:
    """``1000`` + RS + args joined with RS (no newline); no args -> ``<id>RS``."""
    body = RECORD_SEPARATOR.join(args) if args else ""
    return f"{msg_id}{RECORD_SEPARATOR}{body}".encode("utf-8")


_RESPONSE_RE = re.compile(rb"^(\d\d\d\d)[ \x1e](.*)$", re.DOTALL)


def parse_response_message(data: bytes) -> tuple[int, list[str]] | None:
    """``b"1000\\x1eOK: x"`` -> (1000, ["OK: x"]); None if it is no such message."""
    m = _RESPONSE_RE.match(data)
    if not m:
        return None
    text = m.group(2).decode("utf-8", "replace")
    return int(m.group(1)), text.split(RECORD_SEPARATOR)
