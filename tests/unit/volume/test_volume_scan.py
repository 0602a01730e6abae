"""scan_volume: a volume with two interleaved jobs, read whole and through a BSR."""

import io

import pytest

from bareos.lib.bsr import BsrMatcher, parse_bsr
from bareos.lib.stat import encode_attributes
from bareos.stored.volume import (
    DamagedBlock, NotABareosVolume, SessionLabel, VolumeLabel, label_volume_block,
)
from bareos.stored.volume.record import EOS_LABEL, SOS_LABEL, Record, RecordWriter
from bareos.stored.volume.scan import LabelRecord, scan_volume

STIME = 1_700_000_000


def build_volume(block_size=2048):
    out = [label_volume_block(VolumeLabel("Full-0001", pool_name="Full", media_type="File"))]
    writers = {}
    for jobid in (1, 2):
        w = RecordWriter(block_size, vol_session_id=jobid, vol_session_time=STIME,
                         block_number=1)
        writers[jobid] = w
        out += w.write_label(SOS_LABEL, jobid, SessionLabel(
            SOS_LABEL, job_id=jobid, job=f"job.{jobid}", client_name=f"fd{jobid}").encode())
    for fi in range(1, 6):
        for jobid, w in writers.items():
            out += w.write(fi, 1, encode_attributes(fi, 3, f"/j{jobid}/f{fi}", "A"))
            out += w.write(fi, 2, bytes([jobid * 16 + fi]) * (700 * fi))
    for jobid, w in writers.items():
        out += w.write_label(EOS_LABEL, jobid, SessionLabel(EOS_LABEL, job_id=jobid).encode())
        out.append(w.flush())
    data = b"".join(bytes(b) for b in out)
    return data, out


def test_scan_whole_volume():
    data, _ = build_volume()
    items = list(scan_volume(io.BytesIO(data), name="Full-0001"))
    labels = [i for i in items if isinstance(i, LabelRecord)]
    assert labels[0].label.volume_name == "Full-0001"
    # Blocks of the two sessions interleave in the order they filled up.
    assert sorted((lr.record.file_index, lr.record.stream) for lr in labels[1:]) == sorted(
        [(SOS_LABEL, 1), (SOS_LABEL, 2), (EOS_LABEL, 1), (EOS_LABEL, 2)])
    assert all(lr.label.job_id == lr.record.stream for lr in labels[1:])
    recs = [i for i in items if isinstance(i, Record)]
    assert len(recs) == 2 * 5 * 2
    for r in recs:
        if r.stream == 2:
            assert r.data == bytes([r.vol_session_id * 16 + r.file_index]) * (700 * r.file_index)


def test_scan_with_bsr_selects_and_stops_early():
    data, _ = build_volume()
    bsr = parse_bsr(f"Volume=Full-0001\nVolSessionId=2\nVolSessionTime={STIME}\n"
                    "FileIndex=2-3\n")
    items = list(scan_volume(io.BytesIO(data), matcher=BsrMatcher(bsr)))
    recs = [(r.vol_session_id, r.file_index, r.stream) for r in items if isinstance(r, Record)]
    assert recs == [(2, 2, 1), (2, 2, 2), (2, 3, 1), (2, 3, 2)]
    # Stopped at FileIndex 4: no EOS label was reached.
    assert not any(isinstance(i, LabelRecord) and i.record.file_index == EOS_LABEL
                   for i in items)


def test_scan_bsr_by_client_uses_session_labels():
    data, _ = build_volume()
    bsr = parse_bsr("Volume=Full-0001\nClient=fd1\nStream=1\n")
    recs = [r for r in scan_volume(io.BytesIO(data), matcher=BsrMatcher(bsr))
            if isinstance(r, Record)]
    assert [(r.vol_session_id, r.file_index) for r in recs] == [(1, i) for i in range(1, 6)]


def test_scan_reports_damage_and_goes_on():
    data, blocks = build_volume()
    data = bytearray(data)
    off = sum(len(b) for b in blocks[:4]) + 100
    data[off] ^= 0xFF
    items = list(scan_volume(io.BytesIO(bytes(data))))
    assert sum(isinstance(i, DamagedBlock) for i in items) == 1
    assert sum(isinstance(i, Record) for i in items) >= 10


def test_volume_without_label_is_refused():
    w = RecordWriter(1024)
    assert w.write(1, 2, b"x") == []
    data = bytes(w.flush())
    with pytest.raises(NotABareosVolume, match="not a volume label"):
        list(scan_volume(io.BytesIO(data), name="nolabel"))
    with pytest.raises(NotABareosVolume):
        list(scan_volume(io.BytesIO(b"#!/bin/sh\necho hello\n" * 5), name="script"))
