"""Data and attribute spooling through a real SD (the test plays Director and
FD over 127.0.0.1): the spool file exists while the job runs, the volume
gets the same records as without spooling, small spool limits despool
several times, attributes reach the Director only after the data is on the
volume, and a canceled job leaves neither spool files nor attributes."""

import glob
import os
import threading

from bareos.lib import bnet
from bareos.lib.bsr import Bsr, BsrEntry, BsrVolume, format_bsr
from bareos.lib.streams import STREAM_FILE_DATA, STREAM_UNIX_ATTRIBUTES
from bareos.stored import protocol as P
from bareos.stored.volume.record import EOS_LABEL, SOS_LABEL

from .test_sd_backup_restore import attr, expected_records, read_volume, run_restore
from .toys import ToyDirector, ToyFD

JOB = "spool.2026-01-01_00.00.00_01"


def make_files(n=6, size=300_000):
    files = []
    for i in range(1, n + 1):
        data = os.urandom(size)
        files.append([(STREAM_UNIX_ATTRIBUTES, attr(i, f"/data/f{i}", size)),
                      (STREAM_FILE_DATA, [data[j:j + 65536] for j in range(0, size, 65536)])])
    return files


def spool_files(sd):
    work = sd.working_directory
    return (glob.glob(os.path.join(work, "bareos-sd.data.*.spool")),
            glob.glob(os.path.join(work, "bareos-sd.attr.*.spool")))


def start_job(sd, job=JOB, job_id=1, **kw):
    d = ToyDirector(sd.port)
    sdid, sdtime, key = d.job(job_id, job, **kw)
    assert d.use().startswith("3000 OK use device device=")
    return d, sdid, sdtime, key


def send_files(fd, files, first_fi=1):
    for fi, streams in enumerate(files, start=first_fi):
        for stream, data in streams:
            fd.bs.send(f"{fi} {stream} 0")
            for piece in (data if isinstance(data, list) else [data]):
                fd.bs.send(piece)
            fd.bs.signal(bnet.BNET_EOD)


def backup_with_pause(sd, files, *, seen, **kw):
    """A backup whose FD stops half-way to let *seen* look at the SD; returns
    (director, sdid, sdtime, FD replies, end line)."""
    d, sdid, sdtime, key = start_job(sd, **kw)
    result = {}

    def fd_side():
        fd = ToyFD(sd.port, JOB, key)
        replies = []
        fd.bs.send("append open session\n")
        replies.append(fd.text())
        ticket = replies[-1].split("=")[1].strip()
        fd.bs.send(f"append data {ticket}\n")
        replies.append(fd.text())
        half = len(files) // 2
        send_files(fd, files[:half])
        seen()
        send_files(fd, files[half:], first_fi=half + 1)
        fd.bs.signal(bnet.BNET_EOD)
        replies.append(fd.text())
        fd.bs.send(f"append end session {ticket}\n")
        replies.append(fd.text())
        fd.bs.send(f"append close session {ticket}\n")
        replies.append(fd.text())
        assert fd.bs.recv() == bnet.BNET_EOD
        fd.bs.signal(bnet.BNET_TERMINATE)
        fd.close()
        result["replies"] = replies

    t = threading.Thread(target=fd_side)
    t.start()
    end = d.run_and_serve()
    t.join(30)
    d.close()
    return d, sdid, sdtime, result.get("replies"), end


def wait_for(pred, timeout=20.0):
    import time
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return True
        time.sleep(0.05)
    return False


def jmsg_index(d, text):
    for i, m in enumerate(d.messages):
        if text.encode() in m and m.startswith(b"Jmsg"):
            return i
    return -1


def first_updcat(d):
    return next(i for i, m in enumerate(d.messages) if m.startswith(b"UpdCat"))


def device(**directives):
    return [dict(name="FileStorage", max_jobs=1, block_size=65536, directives=directives)]


def test_spool_data_then_volume_and_restore(start_sd):
    sd = start_sd(devices=device())
    files = make_files()
    during = {}

    def seen():
        # the FD is half-way: the data is in the spool file, not on the volume
        assert wait_for(lambda: all(spool_files(sd))
                        and os.path.getsize(spool_files(sd)[0][0]) > 600_000)
        data, attrs = spool_files(sd)
        during["data"], during["attr"] = data, attrs
        during["size"] = os.path.getsize(data[0])
        during["volume"] = os.path.getsize(sd.archive / "Full-0001")

    d, sdid, sdtime, replies, end = backup_with_pause(sd, files, seen=seen,
                                                      spool_data=True)
    assert replies[-1] == "3000 OK close Status = 84\n"
    assert end.startswith(f"3099 Job {JOB} end JobStatus=84 JobFiles=6 ")
    assert during["data"] == [os.path.join(sd.working_directory,
                                           f"bareos-sd.data.1.{JOB}.FileStorage.spool")]
    assert os.path.basename(during["attr"][0]).startswith(f"bareos-sd.attr.{JOB}.")
    assert during["size"] > 600_000
    assert during["volume"] < 1000          # only the volume label so far
    # spool files gone at the end; the job log tells the story
    assert spool_files(sd) == ([], [])
    for text in ("Spooling data ...", 'Committing spooled data to Volume "Full-0001". Despooling ',
                 "Despooling elapsed time = ", "Sending spooled attrs to the Director. Despooling "):
        assert jmsg_index(d, text) >= 0, text
    assert jmsg_index(d, "Writing spooled data to Volume") == -1
    # the volume holds exactly the records of an unspooled backup
    want = expected_records(files)
    recs = read_volume(sd.archive / "Full-0001")
    assert recs[1].file_index == SOS_LABEL and recs[-1].file_index == EOS_LABEL
    assert [(r.file_index, r.stream, r.data) for r in recs[2:-1]] == want
    # the attributes came, after the commit
    assert [(a[3], a[4]) for a in d.attributes] == [(fi, 1) for fi in range(1, 7)]
    assert first_updcat(d) > jmsg_index(d, "Committing spooled data")
    # JobMedia covers the files; restore gives the same records
    v = P.bsscanf(d.jobmedia[-1], "CatReq Job=%127s CreateJobMedia FirstIndex=%u LastIndex=%u "
                  "StartFile=%u EndFile=%u StartBlock=%u EndBlock=%u Copy=%d Strip=%d MediaId=%s")
    assert v[1:3] == [1, 6]
    bsr = Bsr([BsrEntry(volumes=[BsrVolume("Full-0001", "File")], sessids=[(sdid, sdid)],
                        sesstimes=[sdtime], fileindexes=[(1, 6)], count=6)])
    restored, _ = run_restore(sd, 2, "restore.2026-01-01_00.00.01_02", format_bsr(bsr), sdid, sdtime)
    assert [(h[2], h[3], data) for h, data in restored] == want


def test_small_job_spool_size_despools_several_times(start_sd):
    sd = start_sd(devices=device(**{"Maximum Job Spool Size": "400000"}))
    files = make_files()
    d, sdid, sdtime, replies, end = backup_with_pause(sd, files, seen=lambda: None,
                                                      spool_data=True)
    assert replies[-1] == "3000 OK close Status = 84\n"
    limits = [m for m in d.jmsgs if "User specified Job spool size reached: " in m]
    despools = [m for m in d.jmsgs if "Writing spooled data to Volume. Despooling " in m]
    assert len(limits) >= 3 and len(despools) == len(limits)
    assert "MaxJobSpoolSize=400,000" in limits[0]
    assert sum("Spooling data again ..." in m for m in d.jmsgs) == len(despools)
    assert sum("Committing spooled data" in m for m in d.jmsgs) == 1
    # one JobMedia per despool, contiguous and covering all files
    rows = [P.bsscanf(j, "CatReq Job=%127s CreateJobMedia FirstIndex=%u LastIndex=%u "
                         "StartFile=%u EndFile=%u StartBlock=%u EndBlock=%u Copy=%d Strip=%d "
                         "MediaId=%s") for j in d.jobmedia]
    rows = [r for r in rows if r[2]]
    assert len(rows) >= len(despools)
    assert rows[0][1] == 1 and rows[-1][2] == 6
    for a, b in zip(rows, rows[1:]):
        assert b[5] == a[6] + 1                 # next part starts after the last
    recs = read_volume(sd.archive / "Full-0001")
    assert [(r.file_index, r.stream, r.data) for r in recs[2:-1]] == expected_records(files)
    assert spool_files(sd) == ([], [])


def test_job_spool_size_from_the_director_and_device_limit(start_sd):
    sd = start_sd(devices=device(**{"Maximum Spool Size": "700000"}))
    files = make_files()
    # the job's SpoolSize wins over the device's Maximum Job Spool Size
    d, *_ , end = backup_with_pause(sd, files, seen=lambda: None, spool_data=True,
                                    spool_size=500000)
    assert end.startswith(f"3099 Job {JOB} end JobStatus=84 ")
    assert any("MaxJobSpoolSize=500,000" in m for m in d.jmsgs)
    sd2 = sd
    d2, *_ , end2 = backup_with_pause(sd2, files, seen=lambda: None, spool_data=True)
    assert end2.startswith(f"3099 Job {JOB} end JobStatus=84 ")
    assert any("User specified Device spool size reached: DevSpoolSize=" in m
               and "MaxDevSpoolSize=700,000" in m for m in d2.jmsgs)


def test_attribute_spooling_sends_attributes_after_the_data(start_sd):
    sd = start_sd(devices=device())
    files = make_files(n=8, size=400_000)
    during = {}

    def seen():
        assert wait_for(lambda: spool_files(sd)[1])
        during["files"] = spool_files(sd)
        # blocks have gone to the volume, but no attribute to the Director
        assert wait_for(lambda: os.path.getsize(sd.archive / "Full-0001") > 1_000_000)

    d, sdid, sdtime, replies, end = backup_with_pause(sd, files, seen=seen, spool_attr=True)
    assert replies[-1] == "3000 OK close Status = 84\n"
    assert during["files"][0] == []           # no data spooling
    assert len(during["files"][1]) == 1
    assert jmsg_index(d, "Spooling data ...") == -1
    sending = jmsg_index(d, "Sending spooled attrs to the Director.")
    assert sending >= 0
    assert first_updcat(d) > sending
    # all JobMedia rows came before any attribute
    last_jobmedia = max(i for i, m in enumerate(d.messages) if b" CreateJobMedia " in m)
    assert first_updcat(d) > last_jobmedia
    assert [(a[3], a[4]) for a in d.attributes] == [(fi, 1) for fi in range(1, 9)]
    assert spool_files(sd) == ([], [])


def test_without_spooling_attributes_flow_during_the_job(start_sd):
    sd = start_sd(devices=device())
    files = make_files(n=8, size=400_000)
    d, *_ , end = backup_with_pause(sd, files, seen=lambda: None)
    assert end.startswith(f"3099 Job {JOB} end JobStatus=84 ")
    # attributes of written files go out while the job still writes
    last_jobmedia = max(i for i, m in enumerate(d.messages) if b" CreateJobMedia " in m)
    assert first_updcat(d) < last_jobmedia
    assert jmsg_index(d, "Sending spooled attrs") == -1


def test_cancel_while_spooling_leaves_no_spool_and_no_attributes(start_sd):
    sd = start_sd(devices=device())
    files = make_files()
    d, sdid, sdtime, key = start_job(sd, spool_data=True)
    result = {}
    half = threading.Event()
    go_on = threading.Event()

    def fd_side():
        fd = ToyFD(sd.port, JOB, key)
        try:
            fd.bs.send("append open session\n")
            ticket = fd.text().split("=")[1].strip()
            fd.bs.send(f"append data {ticket}\n")
            fd.text()
            send_files(fd, files[:3])
            half.set()
            go_on.wait(20)
            try:
                send_files(fd, files[3:], first_fi=4)
                fd.bs.signal(bnet.BNET_EOD)
                result["reply"] = fd.bs.recv()
            except (OSError, bnet.BnetError) as exc:
                result["reply"] = exc
        finally:
            fd.close()

    t = threading.Thread(target=fd_side)
    t.start()
    d.send("run")

    def canceler():
        assert half.wait(20)
        assert wait_for(lambda: spool_files(sd)[0]
                        and os.path.getsize(spool_files(sd)[0][0]) > 800_000)
        c = ToyDirector(sd.port)
        c.send(f"cancel Job={JOB}\n")
        result["cancel"] = c.text()
        c.close()
        go_on.set()

    ct = threading.Thread(target=canceler)
    ct.start()
    end = d.serve_job()
    ct.join(30)
    t.join(30)
    d.close()
    assert result["cancel"] == f'3000 JobId=1 Job="{JOB}" marked to be canceled.\n'
    # (the SD ends a canceled append with E, spooled or not)
    assert f"JobStatus={ord('A')}" in end or f"JobStatus={ord('E')}" in end
    assert spool_files(sd) == ([], [])
    assert d.attributes == []
    # nothing of the job's data reached the volume, no JobMedia names it
    assert all(" FirstIndex=0 LastIndex=0 " in j for j in d.jobmedia)
    recs = read_volume(sd.archive / "Full-0001")
    assert [r for r in recs if r.file_index > 0] == []
    assert jmsg_index(d, "Committing spooled data") == -1
