"""BB02 blocks: header layout, checksum, reader, damage and foreign files."""

import io
import struct
import zlib

import pytest
from hypothesis import given, settings, strategies as st

from bareos.stored.volume.block import (
    BLKHDR2_LENGTH, DEFAULT_BLOCK_SIZE, Block, BlockReader, DamagedBlock, NotABareosVolume,
    VolumeFormatError, check_volume_start, encode_block, parse_block_header, read_blocks,
)
from bareos.stored.volume.record import RecordReader, RecordWriter


def test_default_block_size_is_bareos_63k():
    assert DEFAULT_BLOCK_SIZE == 64512 == 126 * 512


def test_block_header_bytes_computed_by_hand():
    # One record: FileIndex 1, Stream 2 (FILE_DATA), data b"abc".
    payload = bytes.fromhex("00000001" "00000002" "00000003") + b"abc"
    blk = encode_block(payload, block_number=7, vol_session_id=3, vol_session_time=0x5D1A2B3C)
    body = (
        (24 + 15).to_bytes(4, "big")        # block_len
        + (7).to_bytes(4, "big")            # BlockNumber
        + b"BB02"
        + (3).to_bytes(4, "big")            # VolSessionId
        + bytes.fromhex("5D1A2B3C")         # VolSessionTime
        + payload
    )
    # CheckSum = CRC-32 (IEEE, reflected, init/xorout 0xFFFFFFFF) over the
    # block after the checksum field.  Check value of that CRC: "123456789"
    # -> 0xCBF43926, which zlib.crc32 yields.
    assert zlib.crc32(b"123456789") == 0xCBF43926
    assert blk == zlib.crc32(body).to_bytes(4, "big") + body
    hdr = parse_block_header(blk)
    assert (hdr.block_len, hdr.block_number, hdr.version) == (39, 7, 2)
    assert (hdr.vol_session_id, hdr.vol_session_time) == (3, 0x5D1A2B3C)


def test_checksum_off_writes_zero():
    blk = encode_block(b"\0" * 12, 0, 1, 1, checksum=False)
    assert blk[:4] == b"\0\0\0\0"
    r = BlockReader(checksum=False)
    r.feed(blk)
    assert isinstance(r.next(), Block)


def _volume(nblocks=5, block_size=1024, rec_size=700):
    w = RecordWriter(block_size, vol_session_id=1, vol_session_time=100)
    out = []
    for i in range(nblocks * 2):
        out += w.write(i + 1, 2, bytes([i % 256]) * rec_size)
    tail = w.flush()
    if tail is not None:
        out.append(tail)
    return [bytes(b) for b in out]


def test_reader_handles_any_chunking():
    blocks = _volume()
    data = b"".join(blocks)
    for step in (1, 7, 24, 100, 1023, 1 << 20):
        r = BlockReader()
        got = []
        for i in range(0, len(data), step):
            r.feed(data[i:i + step])
            while (b := r.next()) is not None:
                got.append(b)
        assert r.close() == []
        assert [b.data for b in got] == blocks
        assert [b.block_number for b in got] == list(range(len(blocks)))
        offsets = [b.offset for b in got]
        assert offsets[0] == 0 and offsets[1] == len(blocks[0])


def test_damaged_block_reported_with_number_and_next_blocks_read():
    blocks = _volume()
    data = bytearray(b"".join(blocks))
    off2 = len(blocks[0]) + len(blocks[1])
    data[off2 + 300] ^= 0x40            # flip one bit inside block 2's records
    items = list(read_blocks(io.BytesIO(bytes(data))))
    assert len(items) == len(blocks)
    bad = [i for i in items if isinstance(i, DamagedBlock)]
    assert len(bad) == 1
    assert bad[0].block_number == 2 and bad[0].offset == off2
    assert "checksum mismatch" in bad[0].reason and "block=2" in bad[0].message()
    good = [i for i in items if isinstance(i, Block)]
    expect = [i for i in range(len(blocks)) if i != 2]
    assert [b.block_number for b in good] == expect
    assert [b.data for b in good] == [blocks[i] for i in expect]
    # The damaged block is still available to a caller that wants it.
    assert bad[0].block is not None and bad[0].block.data[300] == blocks[2][300] ^ 0x40


def test_damaged_length_field_resynchronises():
    blocks = _volume()
    data = bytearray(b"".join(blocks))
    off2 = len(blocks[0]) + len(blocks[1])
    data[off2 + 5] ^= 0x01             # block_len of block 2 now 256 bytes off
    items = list(read_blocks(io.BytesIO(bytes(data))))
    good = [i.block_number for i in items if isinstance(i, Block)]
    assert good == [i for i in range(len(blocks)) if i != 2]
    bad = [i for i in items if isinstance(i, DamagedBlock)]
    assert len(bad) == 1 and bad[0].offset == off2 and bad[0].block_number == 2
    assert bad[0].length == len(blocks[2])


def test_damaged_length_field_smaller_resynchronises():
    blocks = _volume()
    data = bytearray(b"".join(blocks))
    off2 = len(blocks[0]) + len(blocks[1])
    data[off2 + 6] ^= 0x01             # block_len 1024 -> 768: checksum fails
    items = list(read_blocks(io.BytesIO(bytes(data)), chunk_size=333))
    good = [i.block_number for i in items if isinstance(i, Block)]
    assert good == [i for i in range(len(blocks)) if i != 2]
    bad = [i for i in items if isinstance(i, DamagedBlock)]
    assert len(bad) == 1 and bad[0].block_number == 2


def test_garbage_between_blocks_is_skipped_and_reported():
    blocks = _volume()
    junk = b"this is not a block at all" * 10
    data = blocks[0] + blocks[1] + junk + b"".join(blocks[2:])
    items = list(read_blocks(io.BytesIO(data), chunk_size=50))
    good = [i.block_number for i in items if isinstance(i, Block)]
    assert good == list(range(len(blocks)))
    bad = [i for i in items if isinstance(i, DamagedBlock)]
    assert len(bad) == 1
    assert bad[0].offset == len(blocks[0]) + len(blocks[1]) and bad[0].length == len(junk)


def test_truncated_last_block_reported():
    blocks = _volume()
    data = b"".join(blocks)[:-10]
    items = list(read_blocks(io.BytesIO(data)))
    assert isinstance(items[-1], DamagedBlock)
    assert items[-1].block_number == len(blocks) - 1
    assert "short block" in items[-1].reason


def test_non_bareos_file_is_refused(tmp_path):
    p = tmp_path / "notes.txt"
    p.write_text("Dear diary, today I backed up nothing.\n" * 20)
    with open(p, "rb") as f, pytest.raises(NotABareosVolume) as exc:
        list(read_blocks(f, name=str(p)))
    assert "not a Bareos volume" in str(exc.value) and str(p) in str(exc.value)
    with pytest.raises(NotABareosVolume, match="not a Bareos volume"):
        check_volume_start(p.read_bytes(), "notes.txt")


def test_empty_and_tiny_files_are_refused():
    with pytest.raises(NotABareosVolume, match="empty"):
        list(read_blocks(io.BytesIO(b""), name="empty"))
    with pytest.raises(NotABareosVolume, match="empty"):
        check_volume_start(b"", "empty")
    with pytest.raises(NotABareosVolume):
        list(read_blocks(io.BytesIO(b"BB02"), name="tiny"))


def test_insane_length_at_start_is_refused():
    hdr = struct.pack(">III4sII", 0, 30_000_000, 0, b"BB02", 0, 0)
    with pytest.raises(NotABareosVolume, match="insane"):
        list(read_blocks(io.BytesIO(hdr + b"\0" * 100)))
    with pytest.raises(VolumeFormatError):
        parse_block_header(hdr)


def test_bb01_block_with_20_byte_record_headers_is_read():
    # Old format: 16-byte block header, record header carries the session.
    rec = struct.pack(">IIiiI", 9, 1234, 5, 2, 4) + b"data"
    block_len = 16 + len(rec)
    blk = bytearray(struct.pack(">III4s", 0, block_len, 3, b"BB01") + rec)
    struct.pack_into(">I", blk, 0, zlib.crc32(bytes(blk[4:])))
    r = BlockReader()
    r.feed(bytes(blk))
    b = r.next()
    assert isinstance(b, Block) and b.version == 1 and b.block_number == 3
    recs = RecordReader().read_block(b)
    assert len(recs) == 1
    assert (recs[0].vol_session_id, recs[0].vol_session_time) == (9, 1234)
    assert (recs[0].file_index, recs[0].stream, recs[0].data) == (5, 2, b"data")


def test_block_end_address_is_last_byte():
    blocks = _volume(2)
    r = BlockReader(offset=0)
    r.feed(b"".join(blocks))
    b0 = r.next()
    b1 = r.next()
    assert b0.end_address == len(blocks[0]) - 1
    assert b1.end_address == len(blocks[0]) + len(blocks[1]) - 1
    assert BLKHDR2_LENGTH == 24


@settings(max_examples=150, deadline=None)
@given(where=st.integers(min_value=0, max_value=10**9), bit=st.integers(0, 7),
       chunk=st.sampled_from([13, 500, 4096, 1 << 20]))
def test_any_flipped_bit_costs_exactly_one_block(where, bit, chunk):
    blocks = _volume()
    data = bytearray(b"".join(blocks))
    # Leave block 0 alone: a damaged first header makes the file "not a volume".
    pos = len(blocks[0]) + where % (len(data) - len(blocks[0]))
    data[pos] ^= 1 << bit
    hit, start = 0, 0
    for i, b in enumerate(blocks):
        if start <= pos < start + len(b):
            hit = i
        start += len(b)
    items = list(read_blocks(io.BytesIO(bytes(data)), chunk_size=chunk))
    good = [i for i in items if isinstance(i, Block)]
    assert [b.block_number for b in good] == [i for i in range(len(blocks)) if i != hit]
    assert all(bytes(b.data) == blocks[b.block_number] for b in good)
    bad = [i for i in items if isinstance(i, DamagedBlock)]
    assert bad and bad[0].offset <= pos
