"""Bareos's stat packet ("LStat") and the attribute record of stream 1.

The stat packet is sixteen integers separated by single spaces, each written
as an *integer* in base 64 (alphabet ``A-Z a-z 0-9 + /``, most significant
digit first, as few digits as needed, ``-`` in front of negative values).
Field order::

    st_dev st_ino st_mode st_nlink st_uid st_gid st_rdev st_size st_blksize
    st_blocks st_atime st_mtime st_ctime LinkFI st_flags data_stream

Values are taken as signed 64-bit integers, as Bareos casts them.  Old
writers stop after ``st_ctime``; the last three fields are then 0.

The attribute record (the data of a ``STREAM_UNIX_ATTRIBUTES`` record) is::

    <FileIndex> <Type> <Filename>\\0<LStat>\\0<Link>\\0<ExtAttr>\\0<DeltaSeq>\\0

and the restore-object record (``STREAM_RESTORE_OBJECT``)::

    <FileIndex> <Type> <ObjIndex> <ObjLen> <ObjFullLen> <Compression>
    <Filename>\\0<ObjectName>\\0<object bytes>\\0

Everything here is pure: strings and bytes in, values out.
"""

from __future__ import annotations

import os as _os
import stat as _stat
from dataclasses import dataclass, field

from bareos.lib.streams import AR_DATA_STREAM, FT_MASK, FT_RESTORE_FIRST

__all__ = [
    "to_base64_int",
    "from_base64_int",
    "StatPacket",
    "encode_stat",
    "decode_stat",
    "Attributes",
    "encode_attributes",
    "decode_attributes",
    "RestoreObject",
    "encode_restore_object",
    "decode_restore_object",
    "AttributeFormatError",
]

_DIGITS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
# Unknown characters count as 0, as Bareos's decoder does (it never checks).
_VALUE = [0] * 256
for _i, _c in enumerate(_DIGITS):
    _VALUE[ord(_c)] = _i
del _i, _c

_MASK64 = (1 << 64) - 1


class AttributeFormatError(ValueError):
    """An attribute record or stat packet that cannot be parsed."""


def _signed64(value: int) -> int:
    value &= _MASK64
    return value - (1 << 64) if value >> 63 else value


# Digit strings of every value below 64 ** 2, without leading zeros ("A") and
# with exactly two digits: the encoder takes twelve bits at a time.
_SHORT = [_DIGITS[v] if v < 64 else _DIGITS[v >> 6] + _DIGITS[v & 0x3F] for v in range(4096)]
_PAIR = [_DIGITS[v >> 6] + _DIGITS[v & 0x3F] for v in range(4096)]


def _b64_nonneg(mag: int) -> str:
    """Digits of 0 <= mag < 2**64 (no sign)."""
    if mag < 4096:
        return _SHORT[mag]
    text = _PAIR[mag & 0xFFF]
    mag >>= 12
    while mag >= 4096:
        text = _PAIR[mag & 0xFFF] + text
        mag >>= 12
    return _SHORT[mag] + text


def to_base64_int(value: int) -> str:
    """Encode one integer the way Bareos's ``ToBase64`` does.

    The value is first reduced to a signed 64-bit integer (Bareos casts every
    stat field to ``int64_t``).
    """
    value = int(value)
    if 0 <= value < 4096:
        return _SHORT[value]
    value = _signed64(value)
    if value < 0:
        return "-" + _b64_nonneg((-value) & _MASK64)
    return _b64_nonneg(value)


def from_base64_int(text: str) -> int:
    """Decode one base-64 integer (``FromBase64``); wraps at 64 bits like C."""
    neg = text.startswith("-")
    if neg:
        text = text[1:]
    val = 0
    for ch in text:
        o = ord(ch)
        val = ((val << 6) + (_VALUE[o] if o < 256 else 0)) & _MASK64
    return _signed64(-val if neg else val)


_STAT_FIELDS = (
    "st_dev", "st_ino", "st_mode", "st_nlink", "st_uid", "st_gid", "st_rdev",
    "st_size", "st_blksize", "st_blocks", "st_atime", "st_mtime", "st_ctime",
)


@dataclass(slots=True)
class StatPacket:
    """The decoded fields of a stat packet (integers, times in seconds)."""

    st_dev: int = 0
    st_ino: int = 0
    st_mode: int = 0
    st_nlink: int = 0
    st_uid: int = 0
    st_gid: int = 0
    st_rdev: int = 0
    st_size: int = 0
    st_blksize: int = 0
    st_blocks: int = 0
    st_atime: int = 0
    st_mtime: int = 0
    st_ctime: int = 0
    link_fi: int = 0
    st_flags: int = 0
    data_stream: int = 0

    # Helpers that restore code and list output use.
    def is_dir(self) -> bool:
        return _stat.S_ISDIR(self.st_mode)

    def is_reg(self) -> bool:
        return _stat.S_ISREG(self.st_mode)

    def is_link(self) -> bool:
        return _stat.S_ISLNK(self.st_mode)


def _enc(value: int) -> str:
    # to_base64_int for ints known to be ints (the hot path of encode_stat)
    if 0 <= value < 4096:
        return _SHORT[value]
    if 0 < value < (1 << 63):
        return _b64_nonneg(value)
    return to_base64_int(value)


_NS = 1_000_000_000

# Digits of values seen before (every value below 4096 from the start); kept
# below _MEMO_MAX entries by starting afresh when full.
_MEMO: dict[int, str] = dict(enumerate(_SHORT))
_MEMO_MAX = 1 << 16


def _memo(value: int) -> str:
    text = _enc(value)
    if len(_MEMO) >= _MEMO_MAX:
        _MEMO.clear()
        _MEMO.update(enumerate(_SHORT))
    _MEMO[value] = text
    return text


def encode_stat(st, link_fi: int = 0, data_stream: int = 0, flags: int | None = None) -> str:
    """Return the LStat string for ``st`` (an ``os.stat_result`` or anything
    with the ``st_*`` attributes, e.g. a :class:`StatPacket`).

    ``flags`` defaults to ``st.st_flags`` when the object has it (BSD/macOS
    ``chflags``), else 0, as Bareos writes a placeholder 0 on Linux.
    """
    if type(st) is _os.stat_result:
        # os.stat_result gives float times; C's st_atime is the floor of the
        # nanosecond value, which also holds before 1970.  Most fields repeat
        # from file to file (device, mode, owner, sizes, times): their digits
        # come from a memo; the inode number rarely does.
        if flags is None:
            flags = getattr(st, "st_flags", 0) or 0
        g = _MEMO.get
        m = _memo
        return " ".join((
            g(st.st_dev) or m(st.st_dev), _enc(st.st_ino), g(st.st_mode) or m(st.st_mode),
            g(st.st_nlink) or m(st.st_nlink), g(st.st_uid) or m(st.st_uid),
            g(st.st_gid) or m(st.st_gid), g(st.st_rdev) or m(st.st_rdev),
            g(st.st_size) or m(st.st_size), g(st.st_blksize) or m(st.st_blksize),
            g(st.st_blocks) or m(st.st_blocks),
            g(st.st_atime_ns // _NS) or m(st.st_atime_ns // _NS),
            g(st.st_mtime_ns // _NS) or m(st.st_mtime_ns // _NS),
            g(st.st_ctime_ns // _NS) or m(st.st_ctime_ns // _NS),
            g(link_fi) or m(link_fi), g(flags) or m(flags), g(data_stream) or m(data_stream)))
    vals = []
    for name in _STAT_FIELDS:
        v = getattr(st, name, 0)
        if isinstance(v, float):
            ns = getattr(st, name + "_ns", None)
            v = ns // 1_000_000_000 if ns is not None else int(v // 1)
        vals.append(v)
    if flags is None:
        flags = getattr(st, "st_flags", 0) or 0
        if isinstance(st, StatPacket):
            flags = st.st_flags
    vals.append(link_fi)
    vals.append(flags)
    vals.append(data_stream)
    return " ".join([to_base64_int(v) for v in vals])


def decode_stat(text: str | bytes) -> StatPacket:
    """Parse an LStat string; missing trailing fields (old writers) are 0."""
    if isinstance(text, (bytes, bytearray, memoryview)):
        text = bytes(text).decode("ascii", "replace")
    parts = text.split(" ")
    if len(parts) < 13:
        raise AttributeFormatError(
            f"stat packet has {len(parts)} fields, at least 13 expected: {text!r}")
    nums = [from_base64_int(p) for p in parts[:16]]
    sp = StatPacket(*nums[:13])
    if len(nums) > 13:
        # Bareos keeps LinkFI as a 32-bit value.
        lf = nums[13] & 0xFFFFFFFF
        sp.link_fi = lf - (1 << 32) if lf >> 31 else lf
    if len(nums) > 14:
        sp.st_flags = nums[14]
    if len(nums) > 15:
        sp.data_stream = nums[15]
    return sp


def _b(value: str | bytes) -> bytes:
    if isinstance(value, str):
        return value.encode("utf-8", "surrogateescape")
    return bytes(value)


def _s(value: bytes) -> str:
    return value.decode("utf-8", "surrogateescape")


@dataclass(slots=True)
class Attributes:
    """A decoded attribute record (stream 1 / 5)."""

    file_index: int
    type: int                 # FT_* (low 16 bits only)
    fname: str
    lstat: str                # the LStat string as stored in File.LStat
    link: str = ""
    attr_ex: str = ""
    delta_seq: int = 0
    data_stream: int | None = None   # only when the AR_DATA_STREAM flag was set
    object_data: bytes | None = None  # FT_RESTORE_FIRST objects (binary tail)

    def stat(self) -> StatPacket:
        return decode_stat(self.lstat)


def encode_attributes(file_index: int, ftype: int, fname: str | bytes, lstat: str | bytes,
                      link: str | bytes = b"", attr_ex: str | bytes = b"",
                      delta_seq: int = 0) -> bytes:
    """Build the data of an attribute record exactly as the FD sends it.

    For ``FT_DIREND``/``FT_REPARSE`` the caller passes the directory name with
    its trailing slash as ``fname`` and an empty ``link``; for links the
    target (or the hard-link partner) as ``link``.
    """
    return b"".join((
        b"%d %d " % (file_index, ftype), _b(fname), b"\0", _b(lstat), b"\0",
        _b(link), b"\0", _b(attr_ex), b"\0", b"%d" % delta_seq, b"\0",
    ))


def _scan_int(data: bytes, pos: int) -> tuple[int, int]:
    """Parse a (possibly signed) decimal integer followed by one space."""
    end = data.find(b" ", pos)
    if end < 0:
        raise AttributeFormatError(f"missing field separator at offset {pos}")
    try:
        return int(data[pos:end]), end + 1
    except ValueError:
        raise AttributeFormatError(f"bad integer {data[pos:end]!r} at offset {pos}") from None


def decode_attributes(data: bytes | bytearray | memoryview) -> Attributes:
    """Parse the data of an attribute record (``UnpackAttributesRecord``)."""
    data = bytes(data)
    fi, pos = _scan_int(data, 0)
    ftype, pos = _scan_int(data, pos)
    has_stream = bool(ftype & AR_DATA_STREAM)
    ftype &= FT_MASK
    parts = []
    for _ in range(3):
        end = data.find(b"\0", pos)
        if end < 0:
            raise AttributeFormatError("attribute record truncated (missing NUL terminator)")
        parts.append(data[pos:end])
        pos = end + 1
    fname, lstat, link = parts
    attrs = Attributes(fi, ftype, _s(fname), lstat.decode("ascii", "replace"), _s(link))
    if ftype == FT_RESTORE_FIRST:
        attrs.object_data = data[pos:]
        return attrs
    end = data.find(b"\0", pos)
    if end < 0:
        end = len(data)
    attrs.attr_ex = _s(data[pos:end])
    pos = end + 1
    if has_stream:
        tail = data[pos:].split(b"\0", 1)[0]
        attrs.data_stream = from_base64_int(tail.decode("ascii", "replace"))
    elif pos < len(data):
        tail = data[pos:].split(b"\0", 1)[0]
        try:
            attrs.delta_seq = int(tail) if tail else 0
        except ValueError:
            attrs.delta_seq = 0
    return attrs


@dataclass(slots=True)
class RestoreObject:
    """A decoded restore-object record (stream 28)."""

    file_index: int
    type: int
    object_index: int
    object_len: int          # length of the (possibly compressed) object bytes
    object_full_len: int     # uncompressed length
    compression: int         # 0 none, 1 zlib
    fname: str
    object_name: str
    data: bytes = field(default=b"")


def encode_restore_object(obj: RestoreObject) -> bytes:
    """Build a restore-object record; ``obj.data`` is sent as is plus one NUL."""
    head = b"%d %d %d %d %d %d " % (obj.file_index, obj.type, obj.object_index,
                                    len(obj.data), obj.object_full_len, obj.compression)
    return b"".join((head, _b(obj.fname), b"\0", _b(obj.object_name), b"\0", obj.data, b"\0"))


def decode_restore_object(data: bytes | bytearray | memoryview) -> RestoreObject:
    data = bytes(data)
    pos = 0
    nums = []
    for _ in range(6):
        v, pos = _scan_int(data, pos)
        nums.append(v)
    end = data.find(b"\0", pos)
    if end < 0:
        raise AttributeFormatError("restore object truncated (file name)")
    fname = data[pos:end]
    pos = end + 1
    end = data.find(b"\0", pos)
    if end < 0:
        raise AttributeFormatError("restore object truncated (object name)")
    oname = data[pos:end]
    pos = end + 1
    olen = nums[3]
    if pos + olen > len(data):
        raise AttributeFormatError(
            f"restore object truncated: {olen} object bytes announced, {len(data) - pos} present")
    return RestoreObject(nums[0], nums[1] & FT_MASK, nums[2], olen, nums[4], nums[5],
                         _s(fname), _s(oname), data[pos:pos + olen])
