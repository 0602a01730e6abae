"""Records in blocks: placement as Bareos's WriteRecordToBlock, split
records, continuation headers, interleaved sessions, and round trips."""

import struct

from hypothesis import given, settings, strategies as st

from bareos.stored.volume.block import BLKHDR2_LENGTH, RECHDR2_LENGTH, BlockReader
from bareos.stored.volume.record import (
    EOS_LABEL, SOS_LABEL, Record, RecordReader, RecordWriter, file_index_name,
)

HDR = struct.Struct(">iiI")


def records_in(block: bytes):
    """Walk the record headers of a block by hand (independent of RecordReader)."""
    out = []
    pos = BLKHDR2_LENGTH
    blen = struct.unpack_from(">I", block, 4)[0]
    while blen - pos >= RECHDR2_LENGTH:
        fi, stream, dlen = HDR.unpack_from(block, pos)
        pos += RECHDR2_LENGTH
        n = min(dlen, blen - pos)
        out.append((fi, stream, dlen, bytes(block[pos:pos + n])))
        pos += n
    return out


def read_all(blocks):
    r = BlockReader(expect_volume=False)
    for b in blocks:
        r.feed(bytes(b))
    rr = RecordReader()
    recs = []
    for item in r.close():
        recs += rr.read_block(item)
    return recs, rr


def test_small_records_share_a_block():
    w = RecordWriter(1024, vol_session_id=4, vol_session_time=99)
    assert w.write(1, 1, b"attr") == []
    assert w.write(1, 2, b"data") == []
    blk = w.flush()
    assert len(blk) == 24 + 2 * 12 + 8
    assert records_in(blk) == [(1, 1, 4, b"attr"), (1, 2, 4, b"data")]
    assert (blk.first_index, blk.last_index, blk.block_number) == (1, 1, 0)
    assert struct.unpack_from(">II", blk, 16) == (4, 99)
    assert w.flush() is None            # nothing left: no empty block


def test_record_crossing_a_block_boundary():
    w = RecordWriter(100)               # 76 bytes for records per block
    out = w.write(3, 2, bytes(range(100)))
    assert len(out) == 1 and len(out[0]) == 100
    assert records_in(out[0]) == [(3, 2, 100, bytes(range(64)))]
    tail = w.flush()
    # Continuation header: negative stream, remaining length.
    assert records_in(tail) == [(3, -2, 36, bytes(range(64, 100)))]
    recs, rr = read_all(out + [tail])
    assert [(r.file_index, r.stream, r.data) for r in recs] == [(3, 2, bytes(range(100)))]
    assert not rr.problems


def test_record_larger_than_several_blocks():
    data = bytes(i % 251 for i in range(1000))
    w = RecordWriter(100)
    blocks = w.write(7, 29, data)
    blocks.append(w.flush())
    assert len(blocks) == -(-1000 // 64)
    for b in blocks:
        assert len(b) <= 100
    heads = [records_in(b)[0][:3] for b in blocks]
    assert heads[0] == (7, 29, 1000)
    assert heads[1] == (7, -29, 1000 - 64)
    assert heads[-1] == (7, -29, 1000 - 64 * (len(blocks) - 1))
    recs, _ = read_all(blocks)
    assert len(recs) == 1 and recs[0].data == data and recs[0].stream == 29
    assert recs[0].block_number == 0


def test_header_fits_but_no_data_continues_with_full_length():
    w = RecordWriter(100)
    w.write(1, 2, b"x" * 52)            # 24 + 12 + 52 = 88: 12 bytes left
    out = w.write(2, 2, b"hello")
    assert len(out) == 1
    assert records_in(out[0])[-1] == (2, 2, 5, b"")
    tail = w.flush()
    assert records_in(tail) == [(2, -2, 5, b"hello")]
    recs, rr = read_all(out + [tail])
    assert [(r.file_index, r.data) for r in recs] == [(1, b"x" * 52), (2, b"hello")]
    assert not rr.problems


def test_header_that_does_not_fit_goes_to_next_block():
    w = RecordWriter(100)
    w.write(1, 2, b"x" * 54)            # 10 bytes left: no room for a header
    out = w.write(2, 2, b"hello")
    assert len(out) == 1 and len(out[0]) == 90      # disk blocks are not padded
    assert records_in(w.flush()) == [(2, 2, 5, b"hello")]


def test_exactly_full_block_then_next_record():
    w = RecordWriter(100)
    assert w.write(1, 2, b"x" * 64) == []          # fills the block exactly
    out = w.write(2, 2, b"y")
    assert len(out) == 1 and len(out[0]) == 100
    assert records_in(w.flush()) == [(2, 2, 1, b"y")]


def test_empty_record_filling_block_gets_empty_continuation():
    # Bareos's state machine writes a 0-length continuation header in the
    # next block in this case; the reader must not deliver it twice.
    w = RecordWriter(100)
    w.write(1, 2, b"x" * 52)
    out = w.write(2, 1, b"")
    tail = w.write(3, 2, b"z")
    assert len(out) == 1
    assert records_in(out[0])[-1] == (2, 1, 0, b"")
    last = w.flush()
    assert records_in(last) == [(2, -1, 0, b""), (3, 2, 1, b"z")]
    recs, rr = read_all(out + tail + [last])
    assert [(r.file_index, r.stream, r.data) for r in recs] == [
        (1, 2, b"x" * 52), (2, 1, b""), (3, 2, b"z")]
    assert not rr.problems


def test_label_is_never_split():
    w = RecordWriter(200)
    w.write(1, 2, b"x" * 100)
    out = w.write_label(EOS_LABEL, 5, b"L" * 80)   # does not fit in the 64 left
    assert len(out) == 1 and records_in(out[0]) == [(1, 2, 100, b"x" * 100)]
    assert records_in(w.flush()) == [(EOS_LABEL, 5, 80, b"L" * 80)]


def test_block_numbers_and_indexes():
    w = RecordWriter(100, block_number=5)
    blocks = w.write(1, 2, b"a" * 70) + w.write(2, 2, b"b" * 70)
    blocks.append(w.flush())
    assert [b.block_number for b in blocks] == [5, 6, 7]
    assert [(b.first_index, b.last_index) for b in blocks] == [(1, 1), (1, 2), (2, 2)]
    assert w.blocks_written == 3 and w.bytes_written == sum(len(b) for b in blocks)


def test_interleaved_sessions_are_reassembled():
    a = RecordWriter(100, vol_session_id=1, vol_session_time=10)
    b = RecordWriter(100, vol_session_id=2, vol_session_time=10)
    da = bytes(range(200))
    db = bytes(reversed(range(200)))
    ba = a.write(1, 2, da) + [a.flush()]
    bb = b.write(1, 2, db) + [b.flush()]
    mixed = [x for pair in zip(ba, bb) for x in pair]
    recs, rr = read_all(mixed)
    got = {(r.vol_session_id, r.file_index): r.data for r in recs}
    assert got == {(1, 1): da, (2, 1): db}
    assert not rr.problems


def test_lost_continuation_is_reported_and_reading_goes_on():
    w = RecordWriter(100)
    blocks = w.write(1, 2, b"q" * 150)
    blocks += w.write(2, 2, b"r" * 10)
    blocks.append(w.flush())
    del blocks[1]                        # lose the middle block
    recs, rr = read_all(blocks)
    assert (2, b"r" * 10) in [(r.file_index, r.data) for r in recs]
    assert rr.problems


def test_label_names():
    assert file_index_name(SOS_LABEL) == "SOS_LABEL"
    assert file_index_name(-2) == "VOL_LABEL"
    assert file_index_name(12) == "12"
    assert file_index_name(-42) == "unknown: -42"
    assert Record(1, 2, b"ab").describe().startswith("FileIndex=1     Stream=2  DATA")


record_st = st.tuples(
    st.integers(min_value=1, max_value=2**31 - 1),
    st.integers(min_value=1, max_value=0x7FF) | st.sampled_from([1, 2, 29, 1 << 28 | 2]),
    st.binary(min_size=0, max_size=700),
)


@settings(max_examples=300, deadline=None)
@given(records=st.lists(record_st, max_size=30),
       block_size=st.integers(min_value=48, max_value=600),
       chunk=st.integers(min_value=1, max_value=5000))
def test_any_record_sequence_round_trips(records, block_size, chunk):
    w = RecordWriter(block_size, vol_session_id=3, vol_session_time=77)
    blocks = []
    for fi, stream, data in records:
        blocks += w.write(fi, stream, data)
    tail = w.flush()
    if tail is not None:
        blocks.append(tail)
    for b in blocks:
        assert 24 < len(b) <= block_size
    stream_bytes = b"".join(blocks)
    reader = BlockReader(expect_volume=False)
    rr = RecordReader()
    got = []
    for i in range(0, len(stream_bytes), chunk):
        reader.feed(stream_bytes[i:i + chunk])
        while (blk := reader.next()) is not None:
            got += rr.read_block(blk)
    for blk in reader.close():
        got += rr.read_block(blk)
    assert [(r.file_index, r.stream, r.data) for r in got] == records
    assert all((r.vol_session_id, r.vol_session_time) == (3, 77) for r in got)
    assert not rr.problems and rr.incomplete == 0


@settings(max_examples=100, deadline=None)
@given(records=st.lists(st.tuples(st.booleans(), record_st), max_size=25),
       block_size=st.integers(min_value=48, max_value=400))
def test_two_interleaved_sessions_round_trip(records, block_size):
    writers = [RecordWriter(block_size, vol_session_id=1, vol_session_time=5),
               RecordWriter(block_size, vol_session_id=2, vol_session_time=5)]
    blocks = []
    for which, (fi, stream, data) in records:
        blocks += writers[which].write(fi, stream, data)
    for w in writers:
        t = w.flush()
        if t is not None:
            blocks.append(t)
    recs, rr = read_all(blocks)
    for sid in (1, 2):
        want = [r for which, r in records if which == sid - 1]
        got = [(r.file_index, r.stream, r.data) for r in recs if r.vol_session_id == sid]
        assert got == want
    assert not rr.problems


def test_raw_records_view_the_block_and_carry_records_fields():
    w = RecordWriter(1000, vol_session_id=4, vol_session_time=9)
    blocks = w.write(1, 1, b"attr") + w.write(1, 2, b"x" * 1500) + w.write(2, 1, b"second")
    blocks.append(w.flush())
    r = BlockReader(expect_volume=False)
    for b in blocks:
        r.feed(bytes(b))
    rr = RecordReader()
    raw = []
    for item in r.close():
        raw += rr.read_block_raw(item)
    assert [(t[0], t[1], bytes(t[2]), t[3], t[4]) for t in raw] == [
        (1, 1, b"attr", 4, 9), (1, 2, b"x" * 1500, 4, 9), (2, 1, b"second", 4, 9)]
    assert isinstance(raw[0][2], memoryview)          # whole in its block: no copy
    assert isinstance(raw[1][2], bytes)               # split over two blocks: joined
    assert [len(t) for t in raw] == [8, 8, 8]
    assert raw[1][5] == 0 and raw[2][5] == 1          # block number of the record's header
