"""Concurrent jobs, end of volume, classic reservation, labels, status, bad peers, TLS-PSK."""

import os
import socket
import threading

import pytest

from bareos.lib import bnet, tls
from bareos.lib.bsr import Bsr, BsrEntry, BsrVolume, format_bsr
from bareos.lib.streams import STREAM_FILE_DATA, STREAM_UNIX_ATTRIBUTES
from bareos.stored import protocol as P
from bareos.stored.volume import RecordReader, iter_records
from bareos.stored.volume.record import EOS_LABEL, SOS_LABEL, VOL_LABEL

from .test_sd_backup_restore import attr, expected_records, run_backup, run_restore
from .toys import ToyDirector, ToyFD, ToyPool


def small_files(tag: bytes, n: int = 6, size: int = 300_000):
    files = []
    for i in range(1, n + 1):
        data = (tag * (size // len(tag) + 1))[:size] + bytes([i])
        files.append([(STREAM_UNIX_ATTRIBUTES, attr(i, f"/{tag.decode()}/{i}", len(data))),
                      (STREAM_FILE_DATA, [data[j:j + 65536] for j in range(0, len(data), 65536)])])
    return files


def records_by_session(path):
    out = {}
    with open(path, "rb") as f:
        for r in iter_records(f):
            if r.file_index == VOL_LABEL:
                continue
            out.setdefault((r.vol_session_id, r.vol_session_time), []).append(r)
    return out


def test_two_jobs_append_to_one_device_at_once(start_sd):
    sd = start_sd(devices=[dict(name="FileStorage", max_jobs=2, block_size=64512)])
    pool = ToyPool()
    fa, fb = small_files(b"A"), small_files(b"B")
    results = {}

    def job(n, files):
        results[n] = run_backup(sd, n, f"job{n}.2026-01-01_00.00.0{n}_0{n}", files, pool=pool)

    ta = threading.Thread(target=job, args=(1, fa))
    tb = threading.Thread(target=job, args=(2, fb))
    ta.start(); tb.start()
    ta.join(60); tb.join(60)
    assert set(results) == {1, 2}
    for n in (1, 2):
        assert results[n][4].startswith(f"3099 Job job{n}.") and "JobStatus=84" in results[n][4]
    # one volume, both sessions, blocks interleaved, every record intact
    assert list(pool.volumes) == ["Full-0001"]
    sessions = records_by_session(sd.archive / "Full-0001")
    for n, files in ((1, fa), (2, fb)):
        sid, stime = results[n][1], results[n][2]
        recs = sessions[(sid, stime)]
        assert recs[0].file_index == SOS_LABEL and recs[-1].file_index == EOS_LABEL
        assert [(r.file_index, r.stream, r.data) for r in recs[1:-1]] == expected_records(files)
    with open(sd.archive / "Full-0001", "rb") as f:
        from bareos.stored.volume import read_blocks
        order = [b.vol_session_id for b in read_blocks(f)][1:]
    switches = sum(1 for a, b in zip(order, order[1:]) if a != b)
    assert switches >= 1


def test_end_of_volume_continues_on_next_volume(start_sd):
    sd = start_sd(devices=[dict(name="FileStorage", block_size=64512)])
    pool = ToyPool(max_vol_bytes=700_000)
    files = small_files(b"E", n=5)
    d, sdid, sdtime, replies, end = run_backup(sd, 1, "eov.2026-01-01_00.00.00_01", files, pool=pool)
    assert replies[2] == "3000 OK append data\n"
    assert "JobStatus=84" in end
    vols = list(pool.volumes)
    assert len(vols) >= 2
    assert pool.volumes[vols[0]].status == "Full"
    assert any("User defined maximum volume capacity 700,000 exceeded" in m for m in d.jmsgs)
    for v in vols:
        assert os.path.getsize(sd.archive / v) <= 700_000
    # one JobMedia per volume (placeholder rows have MediaId of the labels)
    real = [j for j in d.jobmedia if "FirstIndex=0 " not in j]
    assert len(real) == len(vols)
    # read back across volumes with one RecordReader: identical records
    reader = RecordReader()
    recs = []
    for v in vols:
        with open(sd.archive / v, "rb") as f:
            recs.extend(r for r in iter_records(f, reader=reader) if r.file_index != VOL_LABEL)
    data = [(r.file_index, r.stream, r.data) for r in recs if r.file_index > 0]
    assert data == expected_records(files)
    sos = [r for r in recs if r.file_index == SOS_LABEL]
    assert len(sos) == 1                   # as Bareos: no SOS on the continuation volume
    # restore across both volumes
    bsr = Bsr([BsrEntry(volumes=[BsrVolume(v, "File")], sessids=[(sdid, sdid)], sesstimes=[sdtime],
                        fileindexes=[(1, 5)]) for v in vols])
    restored, _ = run_restore(sd, 2, "r.2026-01-01_00.00.01_02", format_bsr(bsr), sdid, sdtime)
    assert [(h[2], h[3], b) for h, b in restored] == expected_records(files)


def test_classic_reservation_and_device_not_found(start_sd):
    sd = start_sd(jit=False)
    files = small_files(b"C", n=2, size=1000)
    d, sdid, sdtime, replies, end = run_backup(sd, 1, "c.2026-01-01_00.00.00_01", files)
    assert "JobStatus=84" in end
    assert not any("just in time" in m for m in d.jmsgs)
    d2 = ToyDirector(sd.port)
    d2.job(2, "c.2026-01-01_00.00.00_02")
    reply = d2.use(["NoSuchDevice"])
    assert reply == '3924 Device "NoSuchDevice" not in SD Device resources or no matching Media Type.\n'
    d2.close()


def test_label_command_and_status(start_sd):
    sd = start_sd()
    d = ToyDirector(sd.port)
    d.send("label FileStorage VolumeName=Vol1 PoolName=Full MediaType=File Slot=0 drive=0 "
           "MinBlocksize=0 MaxBlocksize=0")
    reply = d.text()
    assert reply.startswith('3000 OK label. VolFiles=0 VolBytes=') and 'Volume="Vol1"' in reply
    assert d.bs.recv() == bnet.BNET_EOD
    d.send("label FileStorage VolumeName=Vol1 PoolName=Full MediaType=File Slot=0 drive=0 "
           "MinBlocksize=0 MaxBlocksize=0")
    assert d.text() == '3920 Cannot label Volume because it is already labeled: "Vol1"\n'
    assert d.bs.recv() == bnet.BNET_EOD
    d.send("mount FileStorage drive=0")
    assert d.text().startswith("3")
    assert d.bs.recv() == bnet.BNET_EOD
    d.send("status")
    assert d.text() == "\n"
    text = d.text()
    assert d.bs.recv() == bnet.BNET_EOD
    lines = text.splitlines()
    assert lines[0].startswith("bareos-sd Version: 25.1.1 (05 December 2025) ")
    assert lines[1].startswith("Daemon started ") and "Jobs: run=0, running=0" in lines[1]
    for part in ("\nJob inventory:\n\nNo Jobs running.\n====\n",
                 "\nJobs waiting to reserve a drive:\n====\n",
                 "\nTerminated Jobs:\n====\n",
                 '\nDevice status:\n\nDevice "FileStorage" (',
                 "\nUsed Volume status:\n"):
        assert part in text
    assert text.endswith("====\n\n====\n\n")
    d.send("unknowncommand\n")
    assert d.text() == "3900 Invalid command: unknowncommand\n\n"
    d.close()


def test_monitor_may_only_ask_for_status(start_sd):
    sd = start_sd()
    d = ToyDirector(sd.port, name="bareos-mon", password="monpass")
    assert d.hello_reply == "3000 OK Hello\n"
    d.send("label FileStorage VolumeName=V PoolName=Full MediaType=File Slot=0 drive=0 "
           "MinBlocksize=0 MaxBlocksize=0")
    assert d.text() == "3997 Invalid command for a Director with Monitor directive enabled.\n"
    assert d.bs.recv() == bnet.BNET_EOD
    d.send(".status current")
    assert d.text() == "3000 OK .status\n"
    d.close()


def test_terminated_jobs_in_status(start_sd):
    sd = start_sd()
    run_backup(sd, 7, "backup-bareos-fd.2026-11-22_00.36.36_03", small_files(b"S", 2, 1000))
    d = ToyDirector(sd.port)
    d.send("status")
    d.text()
    text = d.text()
    assert " JobId  Level    Files      Bytes   Status   Finished        Name \n" in text
    row = [l for l in text.splitlines() if l.startswith("     7  Full   ")]
    assert row and row[0].endswith(" backup-bareos-fd") and "  OK       " in row[0]
    assert "Jobs: run=1, running=0" in text
    d.close()


def _garbage(port, data):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(data)
    s.settimeout(5)
    try:
        while s.recv(4096):
            pass
    except OSError:
        pass
    s.close()


def test_bad_peers_are_dropped_and_sd_keeps_serving(start_sd, caplog):
    sd = start_sd()
    d = ToyDirector(sd.port)
    sdid, sdtime, key = d.job(1, "bad.2026-01-01_00.00.00_01")
    # garbage, an unknown job, a wrong job key, an unknown director
    _garbage(sd.port, b"\x00\x00\x00\x10GET / HTTP/1.1\r\n\r\n")
    _garbage(sd.port, b"\xff\xff\xff\xffnonsense")
    with pytest.raises(Exception):
        ToyFD(sd.port, "nosuchjob.2026", key)
    with pytest.raises(Exception):
        ToyFD(sd.port, "bad.2026-01-01_00.00.00_01", "AAAA-BBBB-CCCC-DDDD-AAAA-BBBB-CCCC-DDDD")
    with pytest.raises(Exception):
        ToyDirector(sd.port, name="intruder", password="x")
    with pytest.raises(Exception):
        ToyDirector(sd.port, password="wrong")
    # the job is still usable with the right key
    assert d.use().startswith("3000 OK use device device=JustInTime")
    files = small_files(b"G", 1, 100)
    result = {}

    def fd_side():
        fd = ToyFD(sd.port, "bad.2026-01-01_00.00.00_01", key)
        result["r"] = fd.backup(files)

    t = threading.Thread(target=fd_side)
    t.start()
    end = d.run_and_serve()
    t.join(30)
    assert "JobStatus=84" in end
    assert "Job name not found: nosuchjob.2026" in caplog.text


def test_data_channel_protocol_errors(start_sd):
    sd = start_sd()
    d = ToyDirector(sd.port)
    sdid, sdtime, key = d.job(1, "err.2026-01-01_00.00.00_01")
    d.use()
    fd = ToyFD(sd.port, "err.2026-01-01_00.00.00_01", key)
    d.send("run")
    fd.bs.send("append data 1\n")
    assert fd.text() == "3902 Error session not opened\n"
    end = d.serve_job()
    assert "JobStatus=69" in end          # 'E'
    assert any("Command error with FD, hanging up." in m for m in d.jmsgs)


@pytest.mark.skipif(not tls.psk_available(), reason="no TLS-PSK on this Python")
def test_tls_psk_director_and_fd(start_sd):
    sd = start_sd(tls_enable=True)
    d, sdid, sdtime, replies, end = run_backup(sd, 1, "tls.2026-01-01_00.00.00_01",
                                               small_files(b"T", 2, 5000), use_tls=True)
    assert "JobStatus=84" in end
    assert replies[-1] == "3000 OK close Status = 84\n"


def test_passive_client(start_sd):
    """passive client: the SD connects to the FD (Hello Storage calling Start Job)."""
    from bareos.lib import cram
    from bareos.lib.bsock import BSock, authenticate_server

    sd = start_sd()
    lsock = socket.socket()
    lsock.bind(("127.0.0.1", 0))
    lsock.listen(1)
    d = ToyDirector(sd.port)
    job = "passive.2026-01-01_00.00.00_01"
    sdid, sdtime, key = d.job(1, job)
    assert d.use().startswith("3000 OK use device")
    files = small_files(b"P", 2, 3000)
    result = {}

    def fd_side():
        conn, _ = lsock.accept()
        bs = BSock(conn, timeout=30)
        hello = bnet.parse_hello(bs.recv())
        result["hello"] = hello
        authenticate_server(bs, key.encode(), cram.qualified_name("R_CLIENT", "fd1"), 0)
        fd = ToyFD.__new__(ToyFD)
        fd.bs = bs
        result["r"] = fd.backup(files)

    t = threading.Thread(target=fd_side)
    t.start()
    d.send(f"passive client address=127.0.0.1 port={lsock.getsockname()[1]} ssl=0\n")
    reply = d.text()
    while reply.startswith("Jmsg "):  # "Connected File Daemon at ..." comes first
        assert "Connected File Daemon" in reply
        reply = d.text()
    assert reply == "2000 OK passive client\n"
    end = d.run_and_serve()
    t.join(30)
    lsock.close()
    assert result["hello"].kind == bnet.HelloKind.STORAGE_START_JOB and result["hello"].name == job
    assert result["r"][-1] == "3000 OK close Status = 84\n"
    assert "JobStatus=84" in end


def test_cancel_job_waiting_for_the_fd(start_sd):
    sd = start_sd()
    d = ToyDirector(sd.port)
    job = "cancel.2026-01-01_00.00.00_01"
    d.job(1, job)
    assert d.use().startswith("3000 OK use device")
    d.send("run")
    item = d.bs.recv()
    assert item == b"Status Job=cancel.2026-01-01_00.00.00_01 JobStatus=70\n"
    c = ToyDirector(sd.port)
    c.send(f"cancel Job={job}\n")
    assert c.text() == f'3000 JobId=1 Job="{job}" marked to be canceled.\n'
    assert c.bs.recv() == bnet.BNET_EOD
    c.send("cancel Job=nosuchjob\n")
    assert c.text() == "3904 Job nosuchjob not found.\n"
    c.close()
    # the job's connection ends; the job is gone and listed as canceled
    while True:
        item = d.bs.recv()
        if item == bnet.BNET_TERMINATE:
            break
    assert sd.find_job(job) is None
