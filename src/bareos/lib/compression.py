"""Bareos's compressed data records (streams 29, 30, 31 and the encrypted variants).

Every record is compressed on its own and carries a 12-byte big-endian header::

    u32 magic  u32 compressed-length  u16 level  u16 version (=1)  <compressed bytes>

(sparse and offset streams put their 8-byte file offset in front of that
header; the caller handles the offset).  The magic names the algorithm:

``GZIP``  a complete zlib stream (what ``zlib.compress(data, level)`` makes)
``LZOX``  one LZO1X block (``lzallright``)
``FZFZ``  FastLZ level 1 blocks inside the "fastlzlib" stream framing
``FZ4L``  LZ4 blocks inside the same framing
``FZ4H``  LZ4 high-compression blocks, same framing

The fastlzlib framing is a sequence of blocks, each with a 16-byte header:
the 7 bytes ``"FastLZ\\0"``, one byte *type* (``0x10`` raw or ``0xC0``
compressed, plus the block-size exponent: 256 KiB -> 8), the little-endian
u32 stored length and the little-endian u32 original length; a block of at
most 64 bytes, or one that does not shrink, is stored raw.  An empty
compressed block (both lengths 0) ends the stream.

Pure functions, bytes in and out.  zlib, lz4 and lzallright release the GIL.
"""

from __future__ import annotations

import struct
import zlib

try:  # optional C accelerators
    import lz4.block as _lz4
except ImportError:  # pragma: no cover - depends on the installation
    _lz4 = None
try:
    import lzallright as _lzallright
except ImportError:  # pragma: no cover - depends on the installation
    _lzallright = None

__all__ = [
    "COMPRESS_NONE", "COMPRESS_GZIP", "COMPRESS_LZO1X", "COMPRESS_FZFZ", "COMPRESS_FZ4L",
    "COMPRESS_FZ4H", "COMP_HEAD_VERSION", "HEADER_SIZE", "CompressionError",
    "algorithm_name", "available", "compress_parts", "compress_record", "decompress_record",
    "parse_header", "fastlz_stream_compress", "fastlz_stream_decompress",
    "fastlz_compress", "fastlz_decompress",
]


def _magic(text: str) -> int:
    return struct.unpack(">I", text.encode("ascii"))[0]


COMPRESS_NONE = _magic("NONE")
COMPRESS_GZIP = _magic("GZIP")
COMPRESS_LZO1X = _magic("LZOX")
COMPRESS_FZFZ = _magic("FZFZ")
COMPRESS_FZ4L = _magic("FZ4L")
COMPRESS_FZ4H = _magic("FZ4H")
COMP_HEAD_VERSION = 1

_HEADER = struct.Struct(">IIHH")
HEADER_SIZE = _HEADER.size          # 12

_NAMES = {
    COMPRESS_GZIP: "GZIP", COMPRESS_LZO1X: "LZO", COMPRESS_FZFZ: "FASTLZ",
    COMPRESS_FZ4L: "LZ4", COMPRESS_FZ4H: "LZ4HC",
}


class CompressionError(ValueError):
    """A record that cannot be compressed or decompressed."""


def algorithm_name(magic: int) -> str:
    """Bareos's name of a compression algorithm (``GZIP``, ``LZ4``, ...)."""
    return _NAMES.get(magic, "Unknown")


def available(magic: int) -> bool:
    """True when this installation can compress and decompress *magic*."""
    if magic in (COMPRESS_GZIP, COMPRESS_FZFZ):
        return True
    if magic in (COMPRESS_FZ4L, COMPRESS_FZ4H):
        return _lz4 is not None
    if magic == COMPRESS_LZO1X:
        return _lzallright is not None
    return False


# --------------------------------------------------------------------------
# The record header
# --------------------------------------------------------------------------


def parse_header(record: bytes | memoryview) -> tuple[int, int, int, int]:
    """(magic, compressed length, level, version) of a compressed record."""
    if len(record) < HEADER_SIZE:
        raise CompressionError(f"compressed record of {len(record)} bytes is shorter than its header")
    return _HEADER.unpack_from(record, 0)


def compress_parts(magic: int, level: int, data: bytes | memoryview) -> list:
    """:func:`compress_record` as a list of pieces (the 12-byte header
    first) whose concatenation is the record, for callers that frame the
    record further and want to copy the bytes only once."""
    if magic == COMPRESS_GZIP:
        body = zlib.compress(data, level)
        return [_HEADER.pack(magic, len(body), level, COMP_HEAD_VERSION), body]
    if magic == COMPRESS_LZO1X:
        if _lzallright is None:
            raise CompressionError("LZO compression is not available (install lzallright)")
        body = _lzallright.LZOCompressor().compress(bytes(data))
        return [_HEADER.pack(magic, len(body), 0, COMP_HEAD_VERSION), body]
    if magic in (COMPRESS_FZFZ, COMPRESS_FZ4L, COMPRESS_FZ4H):
        parts = _fastlz_stream_parts(data, magic)
        total = sum(len(p) for p in parts)
        return [_HEADER.pack(magic, total, level, COMP_HEAD_VERSION), *parts]
    raise CompressionError(f"unknown compression algorithm 0x{magic:08x}")


def compress_record(magic: int, level: int, data: bytes | memoryview) -> bytes:
    """Compress one record and put Bareos's 12-byte header in front.

    *level* is the GZIP level (0-9); the other algorithms ignore it and
    Bareos writes 0 (LZO) or the option's level 1 (the FastLZ family).
    """
    return b"".join(compress_parts(magic, level, data))


def decompress_record(record: bytes | memoryview, size_hint: int = 0) -> bytes:
    """Undo :func:`compress_record` (checks version and length like Bareos)."""
    magic, clen, _level, version = parse_header(record)
    if version != COMP_HEAD_VERSION:
        raise CompressionError(f"Compressed header version error. version=0x{version:x}")
    if clen + HEADER_SIZE != len(record):
        raise CompressionError(
            f"Compressed header size error. comp_len={clen}, message_length={len(record)}")
    body = memoryview(record)[HEADER_SIZE:]
    try:
        if magic == COMPRESS_GZIP:
            return zlib.decompress(body)
        if magic == COMPRESS_LZO1X:
            if _lzallright is None:
                raise CompressionError("LZO data found but LZO is not available (install lzallright)")
            return _lzallright.LZOCompressor().decompress(bytes(body))
        if magic in (COMPRESS_FZFZ, COMPRESS_FZ4L, COMPRESS_FZ4H):
            return fastlz_stream_decompress(body, magic)
    except CompressionError:
        raise
    except Exception as exc:  # zlib.error, lz4 errors, LZOError ...
        raise CompressionError(f"{algorithm_name(magic)} uncompression error: {exc}") from None
    raise CompressionError(f"Compression algorithm 0x{magic:x} found, but not supported!")


# --------------------------------------------------------------------------
# fastlzlib stream framing
# --------------------------------------------------------------------------

_BLOCK_MAGIC = b"FastLZ\0"
_BLOCK_SIZE = 262144               # DEFAULT_BLOCK_SIZE
_BLOCK_POWER = 8                   # 2 ** (8 + 10) == 262144
_MIN_BLOCK_SIZE = 64
_TYPE_RAW = 0x10
_TYPE_COMPRESSED = 0xC0
_FZ_HEADER = struct.Struct("<7sBII")


def _block_compress(magic: int, chunk: bytes) -> bytes:
    if magic == COMPRESS_FZ4L or magic == COMPRESS_FZ4H:
        if _lz4 is None:
            raise CompressionError("LZ4 compression is not available (install lz4)")
        if magic == COMPRESS_FZ4H:
            return _lz4.compress(chunk, mode="high_compression", compression=9, store_size=False)
        return _lz4.compress(chunk, store_size=False)
    return fastlz_compress(chunk)


def _block_decompress(magic: int, data: bytes, size: int) -> bytes:
    if magic == COMPRESS_FZ4L or magic == COMPRESS_FZ4H:
        if _lz4 is None:
            raise CompressionError("LZ4 data found but LZ4 is not available (install lz4)")
        return _lz4.decompress(data, uncompressed_size=size)
    return fastlz_decompress(data, size)


def fastlz_stream_compress(data: bytes | memoryview, magic: int = COMPRESS_FZ4L) -> bytes:
    """Compress *data* into fastlzlib blocks plus the end marker (``Z_FINISH``)."""
    return b"".join(_fastlz_stream_parts(data, magic))


def _fastlz_stream_parts(data: bytes | memoryview, magic: int) -> list:
    n = len(data)
    if n <= _BLOCK_SIZE and type(data) is bytes:
        chunks = [data] if n else []
    else:
        view = memoryview(data)
        chunks = [bytes(view[start:start + _BLOCK_SIZE]) for start in range(0, n, _BLOCK_SIZE)]
    out = []
    for chunk in chunks:
        btype = _TYPE_RAW
        payload = chunk
        if len(chunk) > _MIN_BLOCK_SIZE:
            packed = _block_compress(magic, chunk)
            if len(packed) < len(chunk):
                btype, payload = _TYPE_COMPRESSED, packed
        out.append(_FZ_HEADER.pack(_BLOCK_MAGIC, btype | _BLOCK_POWER, len(payload), len(chunk)))
        out.append(payload)
    out.append(_FZ_HEADER.pack(_BLOCK_MAGIC, _TYPE_COMPRESSED | _BLOCK_POWER, 0, 0))
    return out


def fastlz_stream_decompress(data: bytes | memoryview, magic: int = COMPRESS_FZ4L) -> bytes:
    """Decompress a fastlzlib stream (blocks until the end marker or the end of data)."""
    data = memoryview(data)
    pos = 0
    out = []
    while pos < len(data):
        if len(data) - pos < _FZ_HEADER.size:
            raise CompressionError("fastlz stream: truncated block header")
        bmagic, ptype, stored, original = _FZ_HEADER.unpack_from(data, pos)
        if bmagic != _BLOCK_MAGIC:
            raise CompressionError("corrupted compressed stream (bad magic)")
        pos += _FZ_HEADER.size
        btype = ptype & 0xF0
        if stored == 0 and original == 0:
            break
        if (1 << ((ptype & 0x0F) + 10)) > _BLOCK_SIZE:
            raise CompressionError("block size too large")
        limit = _BLOCK_SIZE + _BLOCK_SIZE // 10 + 32
        if original > limit or stored > limit:
            raise CompressionError("corrupted compressed stream (illegal size)")
        if pos + stored > len(data):
            raise CompressionError("fastlz stream: truncated block")
        chunk = bytes(data[pos:pos + stored])
        pos += stored
        if btype == _TYPE_RAW:
            if stored != original:
                raise CompressionError("unable to decompress block stream")
            out.append(chunk)
        elif btype == _TYPE_COMPRESSED:
            plain = _block_decompress(magic, chunk, original)
            if len(plain) != original:
                raise CompressionError("unable to decompress block stream")
            out.append(plain)
        else:
            raise CompressionError("corrupted compressed stream (illegal block type)")
    return b"".join(out)


# --------------------------------------------------------------------------
# FastLZ blocks (level 1 writer; level 1 and 2 reader), written from the
# format description: a literal run is a control byte 0..31 (count - 1)
# followed by the bytes; a match is a control byte whose top three bits are
# the length code, whose low five bits are the high bits of the distance,
# then (length code 7 only) one extension byte, then the low distance byte.
# --------------------------------------------------------------------------

_MAX_L1_DISTANCE = 8192
_MAX_L2_DISTANCE = 8191
_MAX_COPY = 32
_MAX_LEN = 264


def fastlz_compress(data: bytes) -> bytes:
    """FastLZ level-1 block (greedy matcher; slow in pure Python but exact format)."""
    n = len(data)
    out = bytearray()
    if n == 0:
        return bytes(out)
    table: dict[bytes, int] = {}
    lit_start = 0
    ip = 0
    limit = n - 2

    def flush_literals(end: int) -> None:
        s = lit_start
        while s < end:
            k = min(_MAX_COPY, end - s)
            out.append(k - 1)
            out.extend(data[s:s + k])
            s += k

    while ip < limit:
        key = data[ip:ip + 3]
        ref = table.get(key)
        table[key] = ip
        if ref is not None and ip - ref - 1 < _MAX_L1_DISTANCE - 1 and ip > 0:
            dist = ip - ref - 1
            length = 3
            maxlen = min(_MAX_LEN, n - ip)
            while length < maxlen and data[ref + length] == data[ip + length]:
                length += 1
            flush_literals(ip)
            if length <= 8:
                out.append(((length - 2) << 5) | (dist >> 8))
            else:
                out.append((7 << 5) | (dist >> 8))
                out.append(length - 9)
            out.append(dist & 0xFF)
            ip += length
            lit_start = ip
        else:
            ip += 1
    flush_literals(n)
    return bytes(out)


def fastlz_decompress(data: bytes, size: int | None = None) -> bytes:
    """Decode a FastLZ block of either level (``size`` bounds the output)."""
    n = len(data)
    if n == 0:
        return b""
    level = (data[0] >> 5) + 1
    if level not in (1, 2):
        raise CompressionError(f"unknown FastLZ level {level}")
    out = bytearray()
    ip = 1
    ctrl = data[0] & 31
    try:
        while True:
            if ctrl >= 32:
                length = (ctrl >> 5) - 1
                ofs = (ctrl & 31) << 8
                if level == 1:
                    if length == 6:
                        length += data[ip]
                        ip += 1
                    ref = len(out) - ofs - 1 - data[ip]
                    ip += 1
                else:
                    if length == 6:
                        while True:
                            code = data[ip]
                            ip += 1
                            length += code
                            if code != 255:
                                break
                    code = data[ip]
                    ip += 1
                    ref = len(out) - ofs - 1 - code
                    if code == 255 and ofs == (31 << 8):
                        ofs = (data[ip] << 8) + data[ip + 1]
                        ip += 2
                        ref = len(out) - ofs - _MAX_L2_DISTANCE - 1
                length += 3
                if ref < 0:
                    raise CompressionError("FastLZ: match before start of output")
                if ref + length <= len(out):
                    out += out[ref:ref + length]
                else:
                    for i in range(length):
                        out.append(out[ref + i])
            else:
                ctrl += 1
                if ip + ctrl > n:
                    raise CompressionError("FastLZ: literal run past end of input")
                out += data[ip:ip + ctrl]
                ip += ctrl
            if size is not None and len(out) > size:
                raise CompressionError("FastLZ: output larger than announced")
            if ip >= n:
                break
            ctrl = data[ip]
            ip += 1
    except IndexError:
        raise CompressionError("FastLZ: truncated block") from None
    return bytes(out)
