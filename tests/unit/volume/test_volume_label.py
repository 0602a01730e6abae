"""Volume and session labels, serialised byte by byte as Bareos does."""

import struct

import pytest

from bareos.stored.volume import (
    LabelError, SessionLabel, VolumeLabel, decode_label, iter_records, label_volume_block,
)
from bareos.stored.volume.block import parse_block_header
from bareos.stored.volume.label import BAREOS_ID, btime_to_unix, unix_to_btime
from bareos.stored.volume.record import (
    EOS_LABEL, PRE_LABEL, SOS_LABEL, VOL_LABEL, Record, RecordWriter,
)


def test_volume_label_bytes_from_the_spec():
    lab = VolumeLabel("Full-0001", pool_name="Full", media_type="File", host_name="sd1",
                      label_prog="bareos-sd", prog_version="Ver. 25.1.1 05 December 2025",
                      prog_date="Build Dec  5 2025 10:00:00",
                      label_btime=1_700_000_000_000_001, write_btime=1_700_000_000_500_000)
    expect = (
        b"Bareos 2.0 immortal\n\0"
        + (20).to_bytes(4, "big")
        + (1_700_000_000_000_001).to_bytes(8, "big")
        + (1_700_000_000_500_000).to_bytes(8, "big")
        + b"\0" * 16                                  # two float64 zeros
        + b"Full-0001\0" + b"\0" + b"Full\0" + b"Backup\0" + b"File\0"
        + b"sd1\0" + b"bareos-sd\0" + b"Ver. 25.1.1 05 December 2025\0"
        + b"Build Dec  5 2025 10:00:00\0"
    )
    assert lab.encode() == expect
    back = VolumeLabel.decode(expect, VOL_LABEL)
    assert back == lab


def test_label_block_layout():
    lab = VolumeLabel("Full-0001", pool_name="Full", media_type="File", host_name="h",
                      prog_date="Build Dec  5 2025 10:00:00", label_btime=1, write_btime=2)
    blk = label_volume_block(lab, vol_session_id=0, vol_session_time=0)
    data = lab.encode()
    assert len(blk) == 24 + 12 + len(data)
    hdr = parse_block_header(blk)
    assert (hdr.block_number, hdr.block_len, hdr.vol_session_id) == (0, len(blk), 0)
    # Record header: FileIndex VOL_LABEL (-2), Stream 0, length.
    assert struct.unpack_from(">iiI", blk, 24) == (-2, 0, len(data))
    assert blk[36:] == data
    # With a one-letter host name and a C-style build date this is the 189
    # bytes a real bareos-sd 25.1.1 reported for a fresh Full-0001 volume
    # ("Ready to append to end of Volume "Full-0001" size=189").
    assert len(blk) == 189


def test_label_decode_checks_id_and_version():
    good = VolumeLabel("V", label_btime=1, write_btime=1).encode()
    bad_ver = good.replace((20).to_bytes(4, "big"), (19).to_bytes(4, "big"), 1)
    with pytest.raises(LabelError, match="version 19"):
        VolumeLabel.decode(bad_ver)
    assert VolumeLabel.decode(bad_ver, check=False).ver_num == 19
    with pytest.raises(LabelError, match="wrong Id"):
        VolumeLabel.decode(b"Bacula 1.0 immortal\n" + good[len(BAREOS_ID):])
    with pytest.raises(LabelError, match="truncated"):
        VolumeLabel.decode(good[:30])
    with pytest.raises(LabelError, match="expecting a volume label"):
        VolumeLabel.decode(good, SOS_LABEL)
    assert VolumeLabel.decode(good, PRE_LABEL).label_type == PRE_LABEL


def test_old_volume_label_with_float_dates():
    data = (b"Bareos 2.0 immortal\n\0" + (10).to_bytes(4, "big")
            + struct.pack(">dddd", 2450000.5, 0.25, 0.0, 0.0)
            + b"Old\0\0Pool\0Backup\0File\0host\0prog\0ver\0date\0")
    lab = VolumeLabel.decode(data, check=False)
    assert (lab.ver_num, lab.label_date, lab.label_time) == (10, 2450000.5, 0.25)
    assert (lab.volume_name, lab.pool_name, lab.prog_date) == ("Old", "Pool", "date")


def test_sos_label_bytes_and_round_trip():
    sos = SessionLabel(SOS_LABEL, job_id=1, job_name="backup-bareos-fd",
                       client_name="bareos-fd", job="backup-bareos-fd.2026-11-22_00.36.36_03",
                       fileset_name="SelfTest", fileset_md5="abc", pool_name="Full",
                       job_type="B", job_level="F", write_btime=123456789)
    data = sos.encode()
    expect = (b"Bareos 2.0 immortal\n\0" + (20).to_bytes(4, "big") + (1).to_bytes(4, "big")
              + (123456789).to_bytes(8, "big") + b"\0" * 8
              + b"Full\0Backup\0backup-bareos-fd\0bareos-fd\0"
              + b"backup-bareos-fd.2026-11-22_00.36.36_03\0SelfTest\0"
              + (ord("B")).to_bytes(4, "big") + (ord("F")).to_bytes(4, "big") + b"abc\0")
    assert data == expect
    back = SessionLabel.decode(data, SOS_LABEL)
    assert back.job == sos.job and back.job_type_letter == "B" and back.job_level_letter == "F"
    assert back.job_files == 0


def test_eos_label_carries_job_statistics():
    eos = SessionLabel(EOS_LABEL, job_id=7, job="j.1", job_files=410, job_bytes=5 * 2**32 + 3,
                       start_block=209, end_block=4_000_000, start_file=0, end_file=1,
                       job_errors=2, job_status="T", write_btime=5)
    data = eos.encode()
    tail = struct.pack(">IQIIIIII", 410, 5 * 2**32 + 3, 209, 4_000_000, 0, 1, 2, ord("T"))
    assert data.endswith(tail)
    back = SessionLabel.decode(data, EOS_LABEL)
    assert (back.job_files, back.job_bytes, back.end_block, back.end_file) == (
        410, 5 * 2**32 + 3, 4_000_000, 1)
    assert back.job_status_letter == "T" and back.job_errors == 2
    # An SOS decoder does not read the statistics.
    assert SessionLabel.decode(data, SOS_LABEL).job_files == 0
    with pytest.raises(LabelError):
        SessionLabel.decode(data[:-3], EOS_LABEL)


def test_btime_helpers():
    assert btime_to_unix(1_562_050_726_123_456) == 1_562_050_726
    assert unix_to_btime(1_562_050_726) == 1_562_050_726_000_000


def test_whole_volume_file_round_trip(tmp_path):
    vol = tmp_path / "Full-0001"
    lab = VolumeLabel("Full-0001", pool_name="Full", media_type="File")
    w = RecordWriter(vol_session_id=1, vol_session_time=1_700_000_000, block_number=1)
    sos = SessionLabel(SOS_LABEL, job_id=1, job="job.1")
    eos = SessionLabel(EOS_LABEL, job_id=1, job="job.1", job_files=2, job_bytes=3 << 20)
    blocks = w.write_label(SOS_LABEL, 1, sos.encode())
    blocks += w.write(1, 1, b"1 3 /etc/passwd\0P0D BJAEy IG0 B A A A b BAA I A A A A A C\0\0\0" + b"0\0")
    blocks += w.write(1, 2, b"p" * (3 << 20))
    blocks += w.write(2, 2, b"")
    blocks += w.write_label(EOS_LABEL, 1, eos.encode())
    blocks.append(w.flush())
    with open(vol, "wb") as f:
        f.write(label_volume_block(lab))
        for b in blocks:
            f.write(b)
    with open(vol, "rb") as f:
        items = list(iter_records(f, name=str(vol)))
    assert all(isinstance(i, Record) for i in items)
    kinds = [(r.file_index, r.stream, len(r.data)) for r in items]
    assert kinds[0][0] == VOL_LABEL and kinds[1][:2] == (SOS_LABEL, 1)
    assert kinds[3] == (1, 2, 3 << 20) and kinds[4] == (2, 2, 0)
    assert kinds[-1][:2] == (EOS_LABEL, 1)
    assert decode_label(items[0]).volume_name == "Full-0001"
    assert decode_label(items[-1]).job_bytes == 3 << 20
    assert decode_label(items[2]) is None
    # The data blocks belong to session 1 at time 1_700_000_000.
    assert {(r.vol_session_id, r.vol_session_time) for r in items[1:]} == {(1, 1_700_000_000)}
    with open(vol, "rb") as f:
        assert f.read(16)[12:] == b"BB02"
