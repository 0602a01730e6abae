"""Bareos volume blocks (BB02, and reading of old BB01), without I/O.

A block is a 24-byte header followed by records::

    offset size field
     0     4    CheckSum   CRC-32 (zlib's) over bytes 4 .. block_len-1, or 0
     4     4    block_len  total length including the header
     8     4    BlockNumber  sequence number of the writer's blocks (label = 0)
    12     4    ID         b"BB02"
    16     4    VolSessionId
    20     4    VolSessionTime

all big-endian.  BB01 blocks have a 16-byte header (no session fields) and
20-byte record headers that carry the session themselves.

:class:`BlockReader` is fed bytes and hands out :class:`Block` and
:class:`DamagedBlock` values; a damaged block is reported with its number and
offset and reading goes on with the next block.  Writing blocks is done by
:class:`bareos.stored.volume.record.RecordWriter`, which fills a buffer and
calls :func:`finish_block`.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

__all__ = [
    "BLKHDR1_ID", "BLKHDR2_ID", "BLKHDR1_LENGTH", "BLKHDR2_LENGTH", "BLKHDR_CS_LENGTH",
    "RECHDR1_LENGTH", "RECHDR2_LENGTH", "DEFAULT_BLOCK_SIZE", "DEFAULT_MAX_BLOCK_SIZE",
    "MAX_BLOCK_LENGTH",
    "VolumeFormatError", "NotABareosVolume",
    "BlockHeader", "Block", "DamagedBlock",
    "parse_block_header", "finish_block", "encode_block", "check_volume_start",
    "BlockReader", "read_blocks",
]

BLKHDR1_ID = b"BB01"
BLKHDR2_ID = b"BB02"
BLKHDR_CS_LENGTH = 4
BLKHDR1_LENGTH = 16
BLKHDR2_LENGTH = 24
RECHDR1_LENGTH = 20
RECHDR2_LENGTH = 12
#: 126 tape records of 512 bytes: Bareos's default (and label) block size.
DEFAULT_BLOCK_SIZE = 512 * 126
#: Bareos 25's default "Maximum Block Size" of a Device (data blocks).
DEFAULT_MAX_BLOCK_SIZE = 1_048_576
#: Bareos's sanity limit for a block length read from a volume.
MAX_BLOCK_LENGTH = 20_000_000

try:  # ISA-L's CRC-32 (same polynomial and results as zlib's) is ~20x faster
    from isal.isal_zlib import crc32
except ImportError:  # pragma: no cover - depends on the installation
    from zlib import crc32

_HDR2 = struct.Struct(">III4sII")
_HDR1 = struct.Struct(">III4s")
_U32 = struct.Struct(">I")


class VolumeFormatError(Exception):
    """Something in a volume does not follow the Bareos volume format."""


class NotABareosVolume(VolumeFormatError):
    """The data does not start with a Bareos block (wrong file, or unlabeled)."""


@dataclass(slots=True, frozen=True)
class BlockHeader:
    checksum: int
    block_len: int
    block_number: int
    version: int            # 1 (BB01) or 2 (BB02)
    vol_session_id: int = 0
    vol_session_time: int = 0

    @property
    def header_length(self) -> int:
        return BLKHDR2_LENGTH if self.version == 2 else BLKHDR1_LENGTH

    @property
    def record_header_length(self) -> int:
        return RECHDR2_LENGTH if self.version == 2 else RECHDR1_LENGTH


@dataclass(slots=True)
class Block:
    """One block read from a volume.  ``data`` is the whole block, header
    included (a read-only ``memoryview`` when it comes from :class:`BlockReader`)."""

    header: BlockHeader
    data: bytes | memoryview
    offset: int             # byte offset of the block in the volume

    @property
    def block_number(self) -> int:
        return self.header.block_number

    @property
    def block_len(self) -> int:
        return self.header.block_len

    @property
    def version(self) -> int:
        return self.header.version

    @property
    def vol_session_id(self) -> int:
        return self.header.vol_session_id

    @property
    def vol_session_time(self) -> int:
        return self.header.vol_session_time

    @property
    def end_address(self) -> int:
        """Address of the block's last byte: what Bareos stores as a disk
        record's File/Block (``File << 32 | Block``) and compares with a BSR
        ``VolAddr`` range."""
        return self.offset + self.header.block_len - 1


@dataclass(slots=True)
class DamagedBlock:
    """A stretch of a volume that could not be used as a block.

    ``block_number`` is known when the header was readable (a checksum
    mismatch); ``block`` then holds the block so that a caller that wants to
    (Bareos's ``forge_on``) can still look at its records.
    """

    offset: int
    length: int
    reason: str
    block_number: int | None = None
    block: Block | None = None

    def message(self, volume: str = "") -> str:
        where = f"Volume \"{volume}\" " if volume else ""
        num = f" block={self.block_number}" if self.block_number is not None else ""
        return f"{where}data error at offset {self.offset}{num}: {self.reason}"


def parse_block_header(buf, offset: int = 0) -> BlockHeader:
    """Decode a block header at ``offset`` of ``buf``; raises VolumeFormatError."""
    if len(buf) - offset < BLKHDR1_LENGTH:
        raise VolumeFormatError(f"short block header ({len(buf) - offset} bytes)")
    checksum, block_len, number, ident = _HDR1.unpack_from(buf, offset)
    if ident == BLKHDR2_ID:
        if len(buf) - offset < BLKHDR2_LENGTH:
            raise VolumeFormatError(f"short block header ({len(buf) - offset} bytes)")
        _, _, _, _, sid, stime = _HDR2.unpack_from(buf, offset)
        hdr = BlockHeader(checksum, block_len, number, 2, sid, stime)
    elif ident == BLKHDR1_ID:
        hdr = BlockHeader(checksum, block_len, number, 1)
    else:
        raise VolumeFormatError(f"wanted block ID \"BB02\", got {ident!r}")
    if block_len < hdr.header_length or block_len > MAX_BLOCK_LENGTH:
        raise VolumeFormatError(f"block length {block_len} is insane")
    return hdr


def block_checksum(buf, length: int) -> int:
    """CRC-32 of ``buf[4:length]`` (what the CheckSum field holds)."""
    return crc32(memoryview(buf)[BLKHDR_CS_LENGTH:length])


def finish_block(buf: bytearray, length: int, block_number: int, vol_session_id: int,
                 vol_session_time: int, checksum: bool = True) -> None:
    """Write the BB02 header into ``buf[0:24]`` for a block of ``length`` bytes
    (records already in ``buf[24:length]``) and compute the checksum."""
    _HDR2.pack_into(buf, 0, 0, length, block_number & 0xFFFFFFFF, BLKHDR2_ID,
                    vol_session_id & 0xFFFFFFFF, vol_session_time & 0xFFFFFFFF)
    if checksum:
        _U32.pack_into(buf, 0, crc32(memoryview(buf)[BLKHDR_CS_LENGTH:length]))


def encode_block(payload: bytes, block_number: int, vol_session_id: int,
                 vol_session_time: int, checksum: bool = True) -> bytes:
    """A complete BB02 block around already serialised records."""
    buf = bytearray(BLKHDR2_LENGTH + len(payload))
    buf[BLKHDR2_LENGTH:] = payload
    finish_block(buf, len(buf), block_number, vol_session_id, vol_session_time, checksum)
    return bytes(buf)


def check_volume_start(data: bytes, name: str = "volume") -> BlockHeader:
    """Refuse data that is not a Bareos volume; return the first block header.

    ``data`` is the start of the file (at least 24 bytes when available).
    """
    if len(data) == 0:
        raise NotABareosVolume(f"{name}: empty file, not a Bareos volume (no label)")
    if len(data) < BLKHDR1_LENGTH or data[12:16] not in (BLKHDR1_ID, BLKHDR2_ID):
        found = bytes(data[12:16]) if len(data) >= 16 else bytes(data[:16])
        raise NotABareosVolume(
            f"{name}: not a Bareos volume (no \"BB02\" block header at offset 0; "
            f"found {found!r})")
    try:
        return parse_block_header(data, 0)
    except VolumeFormatError as exc:
        raise NotABareosVolume(f"{name}: not a Bareos volume ({exc})") from None


class BlockReader:
    """Sans-I/O block reader: :meth:`feed` bytes, take values from :meth:`next`.

    ``next()`` returns a :class:`Block`, a :class:`DamagedBlock`, or ``None``
    when more bytes are needed.  After the last :meth:`feed`, call
    :meth:`feed_eof` and drain :meth:`next` (or call :meth:`close`, which
    does both) to learn about a truncated or damaged end.

    With ``expect_volume`` (the default) the first bytes must be a block
    header, otherwise :class:`NotABareosVolume` is raised.
    """

    def __init__(self, *, checksum: bool = True, offset: int = 0,
                 max_block_size: int = MAX_BLOCK_LENGTH, expect_volume: bool = True,
                 name: str = "volume") -> None:
        self.checksum = checksum
        self.max_block_size = max_block_size
        self.name = name
        self._buf = b""            # immutable: blocks are zero-copy views of it
        self._pos = 0              # start of unread data in _buf
        self._pending: list[list] = []    # [chunk, start] fed, not yet in _buf
        self._pending_len = 0
        self._pending_base = offset       # volume offset of the first pending chunk's byte 0
        self._need = BLKHDR2_LENGTH       # bytes from _pos needed to make progress
        self._base = offset        # volume offset of _buf[0]
        self._first = expect_volume
        self._resync_from: int | None = None   # volume offset where garbage started
        self._resync_mark = 0
        self._resync_silent = False
        self._eof = False
        self.blocks_read = 0
        self.damaged = 0

    # -- input ---------------------------------------------------------------
    def feed(self, data) -> None:
        """Add bytes read from the volume (the reader keeps a reference to
        ``bytes``; other buffer types are copied)."""
        if not data:
            return
        if type(data) is not bytes:
            data = bytes(data)
        if not self._pending:
            self._pending_base = self._base + len(self._buf)
        self._pending.append([data, 0])
        self._pending_len += len(data)

    def _can_merge(self, need: int) -> bool:
        """Record that ``need`` bytes are wanted; can fed data provide progress?"""
        self._need = need
        if not self._pending:
            return False
        avail = len(self._buf) - self._pos
        return avail == 0 or self._eof or avail + self._pending_len >= need

    def _merge(self) -> None:
        """Make more bytes available in ``_buf``.

        When the current buffer is used up, the next fed chunk becomes the
        buffer as it is (no copy).  Otherwise only the bytes needed to
        complete the block that straddles the two are joined.
        """
        pending = self._pending
        left = len(self._buf) - self._pos
        if left == 0:
            chunk, start = pending.pop(0)
            self._base = self._pending_base
            self._pending_base += len(chunk)
            self._pending_len -= len(chunk) - start
            self._buf = chunk
            self._pos = start
            return
        want = self._need - left
        parts = [memoryview(self._buf)[self._pos:]]
        new_base = self._base + self._pos
        while want > 0 and pending:
            item = pending[0]
            chunk, start = item
            n = len(chunk) - start
            if n > want:
                n = want
            parts.append(memoryview(chunk)[start:start + n])
            want -= n
            self._pending_len -= n
            if start + n == len(chunk):
                pending.pop(0)
                self._pending_base += len(chunk)
            else:
                item[1] = start + n
        self._buf = b"".join(parts)
        self._pos = 0
        self._base = new_base

    @property
    def offset(self) -> int:
        """Volume offset of the next unread byte."""
        return self._base + self._pos

    # -- output --------------------------------------------------------------
    def feed_eof(self) -> None:
        """No more data will come; :meth:`next` then reports what is left."""
        self._eof = True

    def next(self) -> Block | DamagedBlock | None:
        while True:
            buf = self._buf
            pos = self._pos
            avail = len(buf) - pos
            if self._pending and avail < self._need and self._can_merge(self._need):
                self._merge()
                continue
            if self._resync_from is not None:
                found = self._resync(pos)
                if found is None:
                    # Search on in (at least) the next megabyte.
                    if self._can_merge(len(buf) - self._pos + (1 << 20)):
                        continue
                    if not self._eof:
                        return None
                    # Nothing valid up to the end of the data.
                    self._pos = len(buf)
                    found = len(buf)
                start = self._resync_from
                self._resync_from = None
                if self._resync_silent:
                    self._resync_silent = False
                    continue
                if self._base + found <= start:
                    continue
                self.damaged += 1
                what = "up to the end of the volume" if found == len(buf) else ""
                return DamagedBlock(start, self._base + found - start,
                                    ("no valid block header; bytes skipped " + what).strip())
            if avail == 0:
                if self._can_merge(BLKHDR2_LENGTH):
                    continue
                if self._eof and self._first:
                    self._first = False
                    raise NotABareosVolume(
                        f"{self.name}: empty file, not a Bareos volume (no label)")
                return None
            if avail < BLKHDR2_LENGTH:
                if self._can_merge(BLKHDR2_LENGTH):
                    continue
                if not self._eof:
                    return None
                return self._short_tail(pos, avail)
            ident = bytes(buf[pos + 12:pos + 16])
            if ident == BLKHDR2_ID:
                checksum, block_len, number, _, sid, stime = _HDR2.unpack_from(buf, pos)
                version, hlen = 2, BLKHDR2_LENGTH
            elif ident == BLKHDR1_ID:
                checksum, block_len, number, _ = _HDR1.unpack_from(buf, pos)
                sid = stime = 0
                version, hlen = 1, BLKHDR1_LENGTH
            else:
                if self._first:
                    raise NotABareosVolume(
                        f"{self.name}: not a Bareos volume (no \"BB02\" block header at "
                        f"offset {self.offset}; found {ident!r})")
                self._start_resync(pos)
                continue
            if block_len < hlen or block_len > self.max_block_size:
                if self._first:
                    raise NotABareosVolume(
                        f"{self.name}: not a Bareos volume (block length {block_len} is insane)")
                self._start_resync(pos)
                continue
            if avail < block_len:
                if self._can_merge(block_len):
                    continue
                if not self._eof:
                    return None
                if self._first:
                    raise NotABareosVolume(
                        f"{self.name}: not a Bareos volume (first block of {block_len} bytes "
                        f"truncated to {avail})")
                # Either the last block is truncated or its length is damaged:
                # look for a valid block further on.
                self._start_resync(pos)
                self._resync_silent = True
                found = self._resync(pos)
                self._resync_from = None
                self._resync_silent = False
                self.damaged += 1
                if found is None:
                    self._pos = len(buf)
                    return DamagedBlock(self._base + pos, avail,
                                        f"short block of {avail} bytes at end of volume "
                                        f"(block length {block_len})", number)
                return DamagedBlock(self._base + pos, found - pos,
                                    f"block length {block_len} runs past the end of the "
                                    "volume; skipped to the next valid block", number)
            self._first = False
            offset = self._base + pos
            hdr = BlockHeader(checksum, block_len, number, version, sid, stime)
            data = memoryview(buf)[pos:pos + block_len]
            block = Block(hdr, data, offset)
            if self.checksum and version == 2:
                calc = crc32(data[BLKHDR_CS_LENGTH:])
                if calc != checksum:
                    self.damaged += 1
                    # The length field may be damaged too: continue with the
                    # next block whose header and checksum are valid, searching
                    # from just after this header; only bytes beyond this
                    # block's announced end are reported again.
                    self._start_resync(pos, report_from=offset + block_len)
                    return DamagedBlock(
                        offset, block_len,
                        f"block checksum mismatch in block={number} len={block_len}: "
                        f"calc={calc:x} blk={checksum:x}", number, block)
            self._pos = pos + block_len
            self._need = BLKHDR2_LENGTH
            self.blocks_read += 1
            return block

    def _short_tail(self, pos: int, avail: int) -> DamagedBlock:
        if self._first:
            self._first = False
            raise NotABareosVolume(
                f"{self.name}: not a Bareos volume (only {avail} bytes, no complete block)")
        self._pos = len(self._buf)
        self.damaged += 1
        return DamagedBlock(self._base + pos, avail,
                            f"short block of {avail} bytes at end of volume")

    def close(self) -> list[Block | DamagedBlock]:
        """Mark the end of the data and return everything still readable."""
        self.feed_eof()
        out = []
        while (item := self.next()) is not None:
            out.append(item)
        return out

    # -- resynchronisation after garbage --------------------------------------
    def _start_resync(self, pos: int, report_from: int | None = None) -> None:
        self._resync_from = self._base + pos if report_from is None else report_from
        self._resync_mark = self._base + pos + 1     # absolute offset to search from

    def _resync(self, pos: int) -> int | None:
        """Search for the next block whose header and checksum are valid.

        Returns the buffer index of that block, or None if more data is
        needed.  Uses ``bytes.find`` so the scan runs in C.
        """
        buf = self._buf
        search = max(self._resync_mark - self._base, pos)
        while True:
            i2 = buf.find(BLKHDR2_ID, search + 12)
            i1 = buf.find(BLKHDR1_ID, search + 12)
            cands = [i for i in (i2, i1) if i >= 0]
            if not cands:
                keep = max(search, len(buf) - 15)
                self._resync_mark = self._base + keep
                self._pos = keep
                return None
            idx = min(cands) - 12
            try:
                hdr = parse_block_header(buf, idx)
            except VolumeFormatError:
                search = idx + 1
                continue
            if hdr.block_len > self.max_block_size:
                search = idx + 1
                continue
            if len(buf) - idx < hdr.block_len:
                if self._eof:
                    search = idx + 1
                    continue
                # Possibly a real block that is not complete yet.
                self._resync_mark = self._base + idx
                self._pos = idx
                return None
            if self.checksum and hdr.version == 2:
                if crc32(memoryview(buf)[idx + 4:idx + hdr.block_len]) != hdr.checksum:
                    search = idx + 1
                    continue
            self._pos = idx
            return idx


def read_blocks(fileobj, *, chunk_size: int = 1 << 20, **kwargs):
    """Yield Block / DamagedBlock values from a binary file object."""
    reader = BlockReader(**kwargs)
    while True:
        chunk = fileobj.read(chunk_size)
        if not chunk:
            break
        reader.feed(chunk)
        while (item := reader.next()) is not None:
            yield item
    yield from reader.close()
