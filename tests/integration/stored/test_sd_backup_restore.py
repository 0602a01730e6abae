"""Backup and restore through a real SD: the test plays Director and FD."""

import os
import threading

import pytest

from bareos.lib import bnet
from bareos.lib.bsr import format_bsr, BsrEntry, BsrVolume, Bsr
from bareos.lib.stat import encode_attributes, encode_stat
from bareos.lib.streams import STREAM_FILE_DATA, STREAM_MD5_DIGEST, STREAM_UNIX_ATTRIBUTES
from bareos.stored import protocol as P
from bareos.stored.volume import iter_records, SessionLabel, VolumeLabel
from bareos.stored.volume.record import EOS_LABEL, SOS_LABEL, VOL_LABEL

from .toys import ToyDirector, ToyFD, ToyPool


def attr(fi: int, name: str, size: int) -> bytes:
    st = os.stat("/etc/hostname" if os.path.exists("/etc/hostname") else "/")
    return encode_attributes(fi, 3, name, encode_stat(st, 0, STREAM_FILE_DATA), "", "", 0)


def make_files():
    big = os.urandom(3 * 1024 * 1024 + 17)              # several MiB, many messages
    large_record = os.urandom(1_500_000)                # one record > a 1 MiB block
    files = [
        [(STREAM_UNIX_ATTRIBUTES, attr(1, "/etc/hosts", 20)), (STREAM_FILE_DATA, b"127.0.0.1 localhost\n"),
         (STREAM_MD5_DIGEST, os.urandom(16))],
        [(STREAM_UNIX_ATTRIBUTES, attr(2, "/data/big", len(big))),
         (STREAM_FILE_DATA, [big[i:i + 262144] for i in range(0, len(big), 262144)])],
        [(STREAM_UNIX_ATTRIBUTES, attr(3, "/data/large", len(large_record))),
         (STREAM_FILE_DATA, large_record)],
        [(STREAM_UNIX_ATTRIBUTES, attr(4, "/data/empty", 0))],
    ]
    return files


def expected_records(files):
    out = []
    for fi, streams in enumerate(files, start=1):
        for stream, data in streams:
            for piece in (data if isinstance(data, list) else [data]):
                # a message longer than 999,996 bytes travels as several
                # packets, and each packet is a record (as in Bareos)
                for i in range(0, max(len(piece), 1), bnet.MAX_PAYLOAD):
                    out.append((fi, stream, piece[i:i + bnet.MAX_PAYLOAD]))
    return out


def run_backup(sd, job_id, job, files, *, pool=None, use_tls=False, devices=("FileStorage",)):
    d = ToyDirector(sd.port, pool=pool, use_tls=use_tls)
    assert d.hello_reply == "3000 OK Hello\n"
    sdid, sdtime, key = d.job(job_id, job)
    d.send("getSecureEraseCmd\n")
    assert d.text() == "2000 OK SDSecureEraseCmd *None* \n"
    reply = d.use(devices)
    assert reply.startswith("3000 OK use device device="), reply
    result = {}

    def fd_side():
        fd = ToyFD(sd.port, job, key, use_tls=use_tls)
        result["replies"] = fd.backup(files)
        fd.close()

    t = threading.Thread(target=fd_side)
    t.start()
    end = d.run_and_serve()
    t.join(30)
    d.close()
    return d, sdid, sdtime, result["replies"], end


def read_volume(path):
    with open(path, "rb") as f:
        return list(iter_records(f, name=str(path)))


def test_backup_then_volume_and_restore(start_sd):
    sd = start_sd()
    files = make_files()
    d, sdid, sdtime, replies, end = run_backup(sd, 1, "bk.2026-01-01_00.00.00_01", files)
    assert replies == ["3000 OK open ticket = 1\n", "3000 OK data\n", "3000 OK append data\n",
                       "3000 OK end\n", "3000 OK close Status = 84\n"]
    want = expected_records(files)
    assert end == (f"3099 Job bk.2026-01-01_00.00.00_01 end JobStatus=84 JobFiles=4 "
                   f"JobBytes={sum(len(r[2]) for r in want)} JobErrors=0\n")
    # JIT reservation, statuses, catalog traffic in Bareos's order
    assert any("Using just in time reservation for job 1" in m for m in d.jmsgs)
    assert any('Labeled new Volume "Full-0001"' in m for m in d.jmsgs)
    assert d.statuses[:2] == [ord("F"), ord("R")] and d.statuses[-1] == ord("T")
    kinds = [c.split()[2].split("=")[0] for c in d.catreqs]
    assert kinds[0] == "FindMedia" and "CreateJobMedia" in kinds
    assert kinds[-1] == "DeleteNullJobmediaRecords"
    # attributes forwarded: streams 1 and the digest, nothing else
    sent = [(a[3], a[4], a[5]) for a in d.attributes]
    assert sent == [(fi, s, data) for fi, s, data in want if s in (1, 3)]
    assert all(a[1] == sdid and a[2] == sdtime for a in d.attributes)
    # the volume, read back with stored.volume: every record identical
    recs = read_volume(sd.archive / "Full-0001")
    assert recs[0].file_index == VOL_LABEL
    assert VolumeLabel.decode(recs[0].data).volume_name == "Full-0001"
    assert recs[1].file_index == SOS_LABEL and recs[-1].file_index == EOS_LABEL
    sos = SessionLabel.decode(recs[1].data, SOS_LABEL)
    assert (sos.job, sos.job_name, sos.fileset_name) == ("bk.2026-01-01_00.00.00_01", "backup job", "Full Set")
    eos = SessionLabel.decode(recs[-1].data, EOS_LABEL)
    assert eos.job_files == 4 and eos.job_status == ord("T")
    got = [(r.file_index, r.stream, r.data) for r in recs[2:-1]]
    # the FD's several data messages of file 2 are several records
    assert got == want
    assert {(r.vol_session_id, r.vol_session_time) for r in recs[1:]} == {(sdid, sdtime)}
    # JobMedia covers the job's blocks
    jm = d.jobmedia[-1]
    v = P.bsscanf(jm, "CatReq Job=%127s CreateJobMedia FirstIndex=%u LastIndex=%u StartFile=%u "
                      "EndFile=%u StartBlock=%u EndBlock=%u Copy=%d Strip=%d MediaId=%s")
    assert v[1:3] == [1, 4]
    size = os.path.getsize(sd.archive / "Full-0001")
    assert v[6] == size - 1
    # restore through a BSR
    bsr = Bsr([BsrEntry(volumes=[BsrVolume("Full-0001", "File")], sessids=[(sdid, sdid)],
                        sesstimes=[sdtime], voladdrs=[(v[5], v[6])], fileindexes=[(1, 4)], count=4)])
    restored, rreplies = run_restore(sd, 2, "restore.2026-01-01_00.00.01_02", format_bsr(bsr), sdid, sdtime)
    # Bareos reports the job status at that moment: still running (R)
    assert rreplies == ["3000 OK open ticket = 2\n", "3000 OK data\n", "3000 OK close Status = 82\n"]
    assert [(h[2], h[3], data) for h, data in restored] == want
    assert all(h[0] == sdid and h[1] == sdtime and h[4] == len(data) for h, data in restored)


def run_restore(sd, job_id, job, bsr_text, sdid, sdtime, file_indexes=None):
    d = ToyDirector(sd.port)
    _, _, key = d.job(job_id, job, job_type="R", level=" ")
    d.send("bootstrap\n")
    for line in bsr_text.splitlines(keepends=True):
        d.send(line)
    d.bs.signal(bnet.BNET_EOD)
    assert d.text() == "3000 OK bootstrap\n"
    reply = d.use(append=False)
    assert reply == "3000 OK use device device=FileStorage\n"
    result = {}

    def fd_side():
        fd = ToyFD(sd.port, job, key)
        result["r"] = fd.restore(sdid, sdtime)
        fd.close()

    t = threading.Thread(target=fd_side)
    t.start()
    end = d.run_and_serve()
    t.join(30)
    d.close()
    assert end.startswith(f"3099 Job {job} end JobStatus=84 ")
    replies, records = result["r"]
    return records, replies


def test_restore_selects_file_indexes(start_sd):
    sd = start_sd()
    files = make_files()
    d, sdid, sdtime, replies, end = run_backup(sd, 1, "bk.2026-01-01_00.00.00_01", files)
    bsr = Bsr([BsrEntry(volumes=[BsrVolume("Full-0001", "File")], sessids=[(sdid, sdid)],
                        sesstimes=[sdtime], fileindexes=[(3, 3)], count=1)])
    restored, _ = run_restore(sd, 2, "restore.2026-01-01_00.00.01_02", format_bsr(bsr), sdid, sdtime)
    want = [r for r in expected_records(files) if r[0] == 3]
    assert [(h[2], h[3], data) for h, data in restored] == want
