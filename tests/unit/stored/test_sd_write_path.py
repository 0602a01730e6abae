"""The SD's fast write path gives the same bytes as the plain definitions."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from bareos.lib import bnet
from bareos.stored import protocol as P
from bareos.stored.volume.block import BlockReader
from bareos.stored.volume.record import RecordReader, RecordWriter


def test_attribute_packets_are_the_packets_send_would_write():
    rnd = random.Random(3)
    files = []
    for fi in range(1, 60):
        recs = [(2, b"%d 3 /some/file\x00P0D BJAEy IG0\x00\x00\x00\x00" % fi)]
        if fi % 3:
            recs.append((3, rnd.randbytes(16)))
        files.append((fi, recs))
    files.append((60, [(2, b"x" * 1_200_000)]))   # too long for one packet: split as send() does
    expected = b"".join(
        bnet.encode_packet(P.update_file_attributes("job.1", 7, 1700000000, fi, stream, data))
        for fi, recs in files for stream, data in recs)
    assert P.file_attribute_packets("job.1", 7, 1700000000, files) == expected
    decoded = bnet.decode_all(P.file_attribute_packets("job.1", 7, 1700000000, files[:3]))
    assert [P.parse_update_file_attributes(m)[3:5] for m in decoded] == [
        (1, 2), (1, 3), (2, 2), (2, 3), (3, 2)]


@settings(max_examples=120)
@given(st.from_regex(rb"\A[ \t]*[-+]?[0-9]{1,12}[ \t\x1c]+[-+]?[0-9]{1,12}( [^\x00]*)?\Z")
       | st.binary(max_size=30))
def test_data_header_fast_path_agrees_with_the_regex(msg):
    m = P._DATA_HDR.match(P.as_text(msg))
    slow = None if m is None else (int(m.group(1)), int(m.group(2)))
    assert P.parse_data_header(msg) == slow


def _records(rnd, n):
    out = []
    for i in range(n):
        size = rnd.choice([0, 1, 11, 12, 13, rnd.randint(0, 3000), rnd.randint(3000, 20000)])
        out.append((i // 3 + 1, rnd.choice([1, 2, 3, 26]), rnd.randbytes(size)))
    return out


def _blocks(records, as_bytes: bool, recycle: bool, block_size: int):
    w = RecordWriter(block_size, vol_session_id=5, vol_session_time=6)
    out = []
    for fi, stream, data in records:
        for blk in w.write(fi, stream, data if as_bytes else memoryview(data)):
            out.append((bytes(blk), blk.first_index, blk.last_index))
            if recycle:
                w.recycle(blk)
    last = w.flush()
    if last is not None:
        out.append((bytes(last), last.first_index, last.last_index))
    return out


def test_fast_path_and_recycled_blocks_give_the_same_volume():
    rnd = random.Random(11)
    for block_size in (64512, 1024, 500):
        records = _records(rnd, 400)
        plain = _blocks(records, as_bytes=False, recycle=False, block_size=block_size)
        assert _blocks(records, as_bytes=True, recycle=False, block_size=block_size) == plain
        assert _blocks(records, as_bytes=True, recycle=True, block_size=block_size) == plain
        reader = BlockReader()
        reader.feed(b"".join(b for b, _, _ in plain))
        reader.feed_eof()
        rr = RecordReader()
        got = []
        for blk in iter(reader.next, None):
            got += [(r.file_index, r.stream, r.data) for r in rr.read_block(blk)]
        assert got == records


def test_empty_record_whose_header_fills_the_block_exactly():
    w = RecordWriter(24 + 12 + 12, vol_session_id=1, vol_session_time=2)
    assert w.write(1, 1, b"") == []
    blocks = w.write(2, 1, b"")          # header fills the block: continuation in the next one
    assert len(blocks) == 1
    assert w.pending == 24 + 12


def test_block_checksum_is_zlibs_crc32():
    import os
    import zlib

    from bareos.stored.volume.block import block_checksum, encode_block

    payload = os.urandom(70000)
    blk = encode_block(payload, 3, 4, 5)
    assert int.from_bytes(blk[:4], "big") == zlib.crc32(blk[4:]) == block_checksum(blk, len(blk))
