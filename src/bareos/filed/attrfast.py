"""Fast decoding of attribute records and stat packets for the restore path.

The same results as :func:`bareos.lib.stat.decode_attributes` and
:func:`bareos.lib.stat.decode_stat`, for the records a restore reads tens of
thousands of times a job.  The stat packet is decoded in one go: every field
is left-padded with ``A`` (the digit 0) to 16 digits, the whole line goes
through the C base64 decoder, and each field comes out as 12 bytes whose low
8 are the value wrapped to a signed 64-bit integer (as Bareos's
``FromBase64`` wraps it).  Anything out of the ordinary (a ``-`` sign, a
field of more than 16 digits, characters outside the alphabet, a restore
object) goes to the general decoders of :mod:`bareos.lib.stat`, so both
always agree.
"""

from __future__ import annotations

import binascii
import itertools
import struct

from bareos.lib.stat import (
    Attributes,
    StatPacket,
    decode_attributes,
    decode_stat,
)
from bareos.lib.streams import AR_DATA_STREAM, FT_MASK, FT_RESTORE_FIRST

__all__ = ["decode_attributes_fast", "decode_stat_fast", "parse_rechdr"]

_rjust = bytes.rjust
_SIXTEEN = itertools.repeat(16)
_DIGIT0 = itertools.repeat(b"A")
_UNPACK: dict[int, struct.Struct] = {n: struct.Struct(">" + "Iq" * n) for n in range(13, 17)}
_a2b = binascii.a2b_base64


def decode_stat_fast(text: bytes | str) -> StatPacket:
    """:func:`bareos.lib.stat.decode_stat`, faster for ordinary packets."""
    raw = text.encode("ascii", "replace") if isinstance(text, str) else bytes(text)
    parts = raw.split(b" ")
    n = len(parts)
    joined = b"".join(map(_rjust, parts, _SIXTEEN, _DIGIT0))
    # every field of 1 to 16 digits (padded ones are 16 long, longer ones
    # more), 13 to 16 fields; strict base64 refuses a sign or anything else
    # outside the alphabet
    if len(joined) != n << 4 or not 13 <= n <= 16 or b"" in parts:
        return decode_stat(text)
    try:
        decoded = _a2b(joined, strict_mode=True)
    except binascii.Error:
        return decode_stat(text)
    if len(decoded) != 12 * n:
        return decode_stat(text)
    vals = _UNPACK[n].unpack(decoded)
    sp = StatPacket(*vals[1:26:2])
    if n > 13:
        lf = vals[27] & 0xFFFFFFFF      # Bareos keeps LinkFI as a 32-bit value
        sp.link_fi = lf - (1 << 32) if lf >> 31 else lf
        if n > 14:
            sp.st_flags = vals[29]
            if n > 15:
                sp.data_stream = vals[31]
    return sp


def decode_attributes_fast(data: bytes | bytearray | memoryview) -> tuple[Attributes, StatPacket]:
    """The attribute record and its decoded stat packet; the same values as
    ``decode_attributes(data)`` and ``decode_stat(attrs.lstat)``.  Raises
    :class:`AttributeFormatError` as they do."""
    data = bytes(data)
    try:
        sp1 = data.index(b" ")
        sp2 = data.index(b" ", sp1 + 1)
        fi = int(data[:sp1])
        ftype = int(data[sp1 + 1:sp2])
        z1 = data.index(b"\0", sp2 + 1)
        z2 = data.index(b"\0", z1 + 1)
        z3 = data.index(b"\0", z2 + 1)
    except ValueError:
        attrs = decode_attributes(data)          # raises the precise error
        return attrs, decode_stat(attrs.lstat)
    if ftype & AR_DATA_STREAM or not 0 <= ftype <= FT_MASK or ftype == FT_RESTORE_FIRST:
        attrs = decode_attributes(data)
        return attrs, decode_stat(attrs.lstat)
    fname = data[sp2 + 1:z1].decode("utf-8", "surrogateescape")
    link = data[z2 + 1:z3].decode("utf-8", "surrogateescape") if z3 > z2 + 1 else ""
    lstat = data[z1 + 1:z2]
    attrs = Attributes(fi, ftype, fname, lstat.decode("ascii", "replace"), link)
    # ExtAttr and DeltaSeq
    pos = z3 + 1
    end = data.find(b"\0", pos)
    if end < 0:
        end = len(data)
    if end > pos:
        attrs.attr_ex = data[pos:end].decode("utf-8", "surrogateescape")
    pos = end + 1
    if pos < len(data):
        tail = data[pos:].split(b"\0", 1)[0]
        if tail:
            try:
                attrs.delta_seq = int(tail)
            except ValueError:
                attrs.delta_seq = 0
    return attrs, decode_stat_fast(lstat)


def parse_rechdr(line: bytes) -> tuple[int, int, int, int, int] | None:
    """The five numbers of the SD's ``rechdr %u %u %d %d %u`` line
    (VolSessionId, VolSessionTime, FileIndex, Stream, data length), or None
    when the line is not one (the caller then reports it)."""
    parts = line.split()
    if len(parts) == 6 and parts[0] == b"rechdr":
        try:
            return (int(parts[1]), int(parts[2]), int(parts[3]), int(parts[4]), int(parts[5]))
        except ValueError:
            return None
    return None
