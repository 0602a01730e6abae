"""Records in Bareos volume blocks: placing them into blocks and reading them
back, without I/O.

A BB02 record header is 12 bytes, big-endian::

    int32  FileIndex   (> 0 file records, < 0 labels)
    int32  Stream      (negative: continuation of a record split across blocks)
    uint32 data_len    (data bytes of the record still to be written when
                        this header was written)

Placement follows Bareos's ``WriteRecordToBlock``: a header is never split;
if it does not fit the block is flushed; if it fits but no data byte does,
the block is flushed and the next one starts with a continuation header
(``-Stream``, remaining length); data that does not fit continues in the
next block(s), each starting with a continuation header.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from bareos.lib.streams import STREAMMASK_TYPE, stream_name
from bareos.stored.volume.block import (
    BLKHDR2_LENGTH, DEFAULT_BLOCK_SIZE, MAX_BLOCK_LENGTH, RECHDR1_LENGTH, RECHDR2_LENGTH,
    Block, finish_block,
)

__all__ = [
    "PRE_LABEL", "VOL_LABEL", "EOM_LABEL", "SOS_LABEL", "EOS_LABEL", "EOT_LABEL",
    "SOB_LABEL", "EOB_LABEL", "file_index_name", "Record", "OutBlock",
    "RecordWriter", "RecordReader", "encode_record_header",
]

# FileIndex values of label records.
PRE_LABEL = -1   # volume label on an unwritten tape
VOL_LABEL = -2   # volume label
EOM_LABEL = -3   # end of medium
SOS_LABEL = -4   # start of session
EOS_LABEL = -5   # end of session
EOT_LABEL = -6   # end of physical tape
SOB_LABEL = -7   # start of object
EOB_LABEL = -8   # end of object

_LABEL_NAMES = {
    PRE_LABEL: "PRE_LABEL", VOL_LABEL: "VOL_LABEL", EOM_LABEL: "EOM_LABEL",
    SOS_LABEL: "SOS_LABEL", EOS_LABEL: "EOS_LABEL", EOT_LABEL: "EOT_LABEL",
    SOB_LABEL: "SOB_LABEL", EOB_LABEL: "EOB_LABEL",
}

_RECHDR2 = struct.Struct(">iiI")
_RECHDR1 = struct.Struct(">IIiiI")
_RECHDR2_PACK_INTO = _RECHDR2.pack_into


def file_index_name(fi: int) -> str:
    """Printable FileIndex, like Bareos's ``FI_to_ascii``."""
    if fi >= 0:
        return str(fi)
    return _LABEL_NAMES.get(fi, f"unknown: {fi}")


def encode_record_header(file_index: int, stream: int, data_len: int) -> bytes:
    return _RECHDR2.pack(file_index, stream, data_len)


@dataclass(slots=True)
class Record:
    """A complete record read from a volume (or to be written)."""

    file_index: int
    stream: int
    data: bytes
    vol_session_id: int = 0
    vol_session_time: int = 0
    block_number: int = 0       # block holding the record's (first) header
    address: int = 0            # that block's end address (BSR VolAddr matching)
    continued: bool = False     # began with a continuation whose start was not read

    @property
    def masked_stream(self) -> int:
        return self.stream & STREAMMASK_TYPE

    @property
    def is_label(self) -> bool:
        return self.file_index < 0

    def describe(self) -> str:
        """One-line summary as Bareos's ``record_to_str`` starts it."""
        return (f"FileIndex={self.file_index:<5d} Stream={self.stream:<2d} "
                f"{stream_name(self.stream, self.file_index):<25s} DataLen={len(self.data):<5d}")


class OutBlock(bytearray):
    """A finished block as produced by :class:`RecordWriter`: the bytes to
    write, plus what the SD needs for its bookkeeping (JobMedia)."""

    __slots__ = ("block_number", "first_index", "last_index",
                 "vol_session_id", "vol_session_time")


_ST_HEADER, _ST_CONT, _ST_DATA = 1, 2, 3


class RecordWriter:
    """Packs records into blocks of ``block_size`` bytes (sans-I/O).

    :meth:`write` and :meth:`write_label` return the blocks that became full
    (a list of :class:`OutBlock`, usually empty); :meth:`flush` returns the
    partly filled current block (or ``None`` if it holds no record).  Each
    block carries the session pair of the records in it; one writer is one
    session (a DCR in Bareos terms).
    """

    def __init__(self, block_size: int = DEFAULT_BLOCK_SIZE, *, vol_session_id: int = 0,
                 vol_session_time: int = 0, block_number: int = 0,
                 checksum: bool = True) -> None:
        if block_size < BLKHDR2_LENGTH + 2 * RECHDR2_LENGTH or block_size > MAX_BLOCK_LENGTH:
            raise ValueError(f"block size {block_size} out of range")
        self.block_size = block_size
        self.vol_session_id = vol_session_id
        self.vol_session_time = vol_session_time
        self.block_number = block_number      # number the current block will get
        self.checksum = checksum
        self.blocks_written = 0
        self.bytes_written = 0
        self._spare: OutBlock | None = None
        self._new_buffer()

    def _new_buffer(self) -> None:
        spare = self._spare
        if spare is not None:
            self._spare = None
            self._buf = spare
        else:
            self._buf = OutBlock(self.block_size)
        self._pos = BLKHDR2_LENGTH
        self._first_index = 0
        self._last_index = 0

    def _emit(self) -> OutBlock:
        buf = self._buf
        n = self._pos
        if n < self.block_size:
            del buf[n:]
        finish_block(buf, n, self.block_number, self.vol_session_id,
                     self.vol_session_time, self.checksum)
        buf.block_number = self.block_number
        buf.first_index = self._first_index
        buf.last_index = self._last_index
        buf.vol_session_id = self.vol_session_id
        buf.vol_session_time = self.vol_session_time
        self.block_number = (self.block_number + 1) & 0xFFFFFFFF
        self.blocks_written += 1
        self.bytes_written += n
        self._new_buffer()
        return buf

    def recycle(self, block: OutBlock) -> None:
        """Give back a block this writer emitted once it has been written
        out and nobody looks at it any more: its memory becomes the next
        block's (saves allocating and faulting in a fresh block each time)."""
        if (block.__class__ is not OutBlock or self._spare is not None or block is self._buf
                or len(block) > self.block_size or len(block) < self.block_size // 2):
            return
        if len(block) < self.block_size:
            block.extend(bytes(self.block_size - len(block)))
        self._spare = block

    @property
    def pending(self) -> int:
        """Bytes in the current, not yet emitted block (header included)."""
        return self._pos

    @property
    def free(self) -> int:
        return self.block_size - self._pos

    def can_write(self, data_len: int) -> bool:
        """Does a record of ``data_len`` bytes fit entirely in the current block?"""
        return self.block_size - self._pos >= RECHDR2_LENGTH + data_len

    def write(self, file_index: int, stream: int, data) -> list[OutBlock]:
        """Append one record; return the blocks that were completed."""
        if data.__class__ is bytes:
            # Fast path: the whole record fits the current block (an empty
            # record whose header would fill the block exactly does not: it
            # gets a continuation header in the next block).
            pos = self._pos
            n = len(data)
            end = pos + RECHDR2_LENGTH + n
            size = self.block_size
            if end < size or (end == size and n):
                buf = self._buf
                _RECHDR2_PACK_INTO(buf, pos, file_index, stream, n)
                buf[pos + RECHDR2_LENGTH:end] = data
                self._pos = end
                if file_index > 0:
                    if not self._first_index:
                        self._first_index = file_index
                    self._last_index = file_index
                return []
        out: list[OutBlock] = []
        mv = memoryview(data)
        if mv.ndim != 1 or mv.itemsize != 1:
            mv = mv.cast("B")
        remainder = len(mv)
        done = 0
        size = self.block_size
        pack_hdr = _RECHDR2.pack_into
        state = _ST_HEADER
        while True:
            if state == _ST_HEADER:
                if size - self._pos < RECHDR2_LENGTH:
                    out.append(self._emit())
                    continue
                pack_hdr(self._buf, self._pos, file_index, stream, remainder)
                self._pos += RECHDR2_LENGTH
                self._note_index(file_index)
                if self._pos == size:
                    # Header fits, no data byte does: continue in the next block.
                    state = _ST_CONT
                    out.append(self._emit())
                    continue
                state = _ST_DATA
            elif state == _ST_CONT:
                pack_hdr(self._buf, self._pos, file_index, -stream, remainder)
                self._pos += RECHDR2_LENGTH
                self._note_index(file_index)
                state = _ST_DATA
                if self._pos == size:
                    out.append(self._emit())
                    continue
            # _ST_DATA
            if remainder:
                pos = self._pos
                n = size - pos
                if n > remainder:
                    n = remainder
                self._buf[pos:pos + n] = mv[done:done + n]
                self._pos = pos + n
                done += n
                remainder -= n
                if remainder:
                    state = _ST_CONT
                    out.append(self._emit())
                    continue
            return out

    def _note_index(self, file_index: int) -> None:
        if file_index > 0:
            if self._first_index == 0:
                self._first_index = file_index
            self._last_index = file_index

    def write_label(self, file_index: int, stream: int, data) -> list[OutBlock]:
        """Append a label record, flushing first so it lies in one block."""
        out: list[OutBlock] = []
        if not self.can_write(len(data)):
            if self._pos > BLKHDR2_LENGTH:
                out.append(self._emit())
            if not self.can_write(len(data)):
                raise ValueError(f"label of {len(data)} bytes does not fit a block of "
                                 f"{self.block_size} bytes")
        out.extend(self.write(file_index, stream, data))
        return out

    def flush(self) -> OutBlock | None:
        """Finish the current block if it holds any record."""
        if self._pos <= BLKHDR2_LENGTH:
            return None
        return self._emit()


class _Partial:
    __slots__ = ("file_index", "stream", "chunks", "block_number", "address", "continued",
                 "remaining")

    def __init__(self, file_index, stream, chunks, block_number, address, continued, remaining):
        self.remaining = remaining
        self.file_index = file_index
        self.stream = stream
        self.chunks = chunks
        self.block_number = block_number
        self.address = address
        self.continued = continued


class RecordReader:
    """Turns blocks into complete records (sans-I/O).

    Records split across blocks are reassembled per session (VolSessionId,
    VolSessionTime), so interleaved jobs on one volume read correctly.
    Irregularities (a split record whose continuation never came, a
    continuation without its start) are noted in :attr:`problems` and
    reading goes on.
    """

    def __init__(self) -> None:
        self._partial: dict[tuple[int, int], _Partial] = {}
        self.problems: list[str] = []

    @property
    def incomplete(self) -> int:
        """Number of sessions with a split record still waiting for its rest."""
        return len(self._partial)

    def read_block(self, block: Block) -> list[Record]:
        """The records completed in *block*, as :class:`Record` values."""
        return [Record(fi, stream, data if data.__class__ is bytes else bytes(data),
                       sid, stime, number, address, continued)
                for fi, stream, data, sid, stime, number, address, continued
                in self.read_block_raw(block)]

    def read_block_raw(self, block: Block) -> list[tuple]:
        """The records completed in *block* as tuples ``(file_index, stream,
        data, vol_session_id, vol_session_time, block_number, address,
        continued)`` (the fields of :class:`Record`).  ``data`` of a record
        that lies wholly in the block is a ``memoryview`` of the block (no
        copy); the caller copies what it keeps beyond the block."""
        data = block.data
        mv = memoryview(data)
        hdr = block.header
        blen = min(hdr.block_len, len(data))
        pos = hdr.header_length
        v2 = hdr.version == 2
        rhl = RECHDR2_LENGTH if v2 else RECHDR1_LENGTH
        sid, stime = hdr.vol_session_id, hdr.vol_session_time
        number = hdr.block_number
        address = block.offset + hdr.block_len - 1
        out: list[tuple] = []
        append = out.append
        partials = self._partial
        unpack2 = _RECHDR2.unpack_from
        key = (sid, stime)
        while blen - pos >= rhl:
            if v2:
                fi, stream, dlen = unpack2(data, pos)
            else:
                sid, stime, fi, stream, dlen = _RECHDR1.unpack_from(data, pos)
                key = (sid, stime)
            pos += rhl
            left = blen - pos
            if dlen <= left and stream >= 0 and not partials:
                # the common case: a whole record, no split record waiting
                append((fi, stream, mv[pos:pos + dlen], sid, stime, number, address, False))
                pos += dlen
                continue
            if dlen >= MAX_BLOCK_LENGTH:
                self.problems.append(
                    f"block {number} at offset {block.offset}: record length {dlen} is insane; "
                    "rest of block discarded")
                break
            n = dlen if dlen <= left else left
            piece = mv[pos:pos + n]
            pos += n
            part = partials.get(key)
            if stream < 0:
                if (part is not None and part.stream == -stream and part.file_index == fi
                        and part.remaining == dlen):
                    part.chunks.append(piece)
                    part.remaining = dlen - n
                    if n == dlen:
                        del partials[key]
                        append((fi, part.stream, b"".join(part.chunks), sid, stime,
                                part.block_number, part.address, part.continued))
                    continue
                if part is not None:
                    self._lost(key, part, block)
                if dlen == 0:
                    # Bareos writes an empty continuation after an empty record
                    # whose header filled a block exactly: nothing to deliver.
                    continue
                self.problems.append(
                    f"block {number} at offset {block.offset}: continuation of FileIndex={fi} "
                    f"Stream={-stream} without its beginning")
                if n == dlen:
                    append((fi, -stream, bytes(piece), sid, stime, number, address, True))
                else:
                    partials[key] = _Partial(fi, -stream, [piece], number, address, True, dlen - n)
                continue
            if part is not None and fi >= 0:
                # (a label -- e.g. the volume label of the next volume, written
                # by the same session -- does not end the waiting record)
                self._lost(key, part, block)
            if n == dlen:
                append((fi, stream, piece, sid, stime, number, address, False))
            else:
                partials[key] = _Partial(fi, stream, [piece], number, address, False, dlen - n)
        return out

    def _lost(self, key, part: _Partial, block: Block) -> None:
        del self._partial[key]
        self.problems.append(
            f"block {block.block_number} at offset {block.offset}: record FileIndex="
            f"{part.file_index} Stream={part.stream} (begun in block {part.block_number}) "
            "was not continued; partial data dropped")

    def finish(self) -> list[Record]:
        """At end of volume: give up on split records still waiting."""
        for key, part in list(self._partial.items()):
            self.problems.append(
                f"record FileIndex={part.file_index} Stream={part.stream} (begun in block "
                f"{part.block_number}) incomplete at end of volume")
        self._partial.clear()
        return []
