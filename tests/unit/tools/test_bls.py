"""bls on volumes written like a Storage Daemon writes them."""

from __future__ import annotations

import os
import re
import shutil
import struct

from bareos.lib.base64 import bin_to_base64
from bareos.tools import bls
from tests.unit.tools.conftest import file_names


def test_lists_every_file_of_the_job_by_device_name(backup, run_tool):
    r = run_tool(bls, "-c", backup["conf"], "-V", "Full-0001", "FileStorage")
    assert r.rc == 0, r.err
    lines = r.lines("bls JobId 7: ")
    names = [ln.split("  ", 2)[-1].split(" -> ")[0] for ln in lines]
    # the ls line ends with two spaces and the name
    names = [re.split(r"\d\d:\d\d:\d\d  ", ln, maxsplit=1)[1].split(" -> ")[0] for ln in lines]
    assert names == file_names(backup["job"])
    assert f"{len(names)} files and directories found." in r.out
    assert 'Using device: "FileStorage" for reading.' in r.out
    assert 'Ready to read from volume "Full-0001" on device "FileStorage"' in r.out
    assert "End of all volumes." in r.out


def test_ls_line_shape(backup, run_tool):
    r = run_tool(bls, backup["volume"])
    assert r.rc == 0, r.err
    reg = [ln for ln in r.lines("bls JobId 7: ") if ln.endswith("/regular.txt")][0]
    # mode, links, owner, group (8 wide), size (12 wide), date, two spaces, name
    assert re.match(r"-rw-r-----   2 \S+\s+\S+\s+130 \d{4}-\d\d-\d\d \d\d:\d\d:\d\d  /", reg), reg
    link = [ln for ln in r.lines("bls JobId 7: ") if "/symlink" in ln][0]
    assert link.startswith("lrwxrwxrwx") and link.endswith("/symlink -> regular.txt")
    fifo = [ln for ln in r.lines("bls JobId 7: ") if ln.endswith("/fifo")][0]
    assert fifo.startswith("frw--w----")
    d = [ln for ln in r.lines("bls JobId 7: ") if ln.endswith("/sub/deeper/")][0]
    assert d.startswith("drwxr-x---")


def test_path_of_volume_without_config(backup, run_tool):
    r = run_tool(bls, backup["volume"])
    assert r.rc == 0
    assert len(r.lines("bls JobId 7: ")) == len(backup["job"].files)


def test_jobs_listing(backup, run_tool):
    r = run_tool(bls, "-j", "-c", backup["conf"], "-V", "Full-0001", "FileStorage")
    assert r.rc == 0, r.err
    job = backup["job"]
    assert re.search(r"^Volume Record: File:blk=0:\d+ SessId=0 SessTime=0 JobId=0 DataLen=\d+$",
                     r.out, re.M)
    assert re.search(r"^Begin Job Session Record: File:blk=0:\d+ SessId=3 "
                     r"SessTime=1714000000 JobId=7$", r.out, re.M)
    assert f"   Job={job.job} Date=" in r.out
    assert re.search(rf"^   Job={re.escape(job.job)} Date=.* Level=F Type=B "
                     rf"Files={len(job.files)} Bytes=[\d,]+ Errors=0 Status=T$", r.out, re.M)


def test_jobs_verbose_dumps_labels(backup, run_tool):
    r = run_tool(bls, "-j", "-v", backup["volume"])
    assert "\nVolume Label:\nId                : Bareos 2.0 immortal\nVerNo             : 20\n" in r.out
    assert "VolName           : Full-0001\n" in r.out
    assert "\nBegin Job Session Record:\nJobId             : 7\n" in r.out
    assert "JobStatus         : T\n" in r.out
    assert f"JobFiles          : {len(backup['job'].files)}\n" in r.out


def test_dump_label(backup, run_tool):
    r = run_tool(bls, "-L", backup["volume"])
    assert r.rc == 0
    assert "LabelType         : VOL_LABEL\n" in r.out
    assert "PoolName          : Full\nMediaType         : File\nPoolType          : Backup\n" in r.out
    assert "HostName          : testhost\n" in r.out


def _block_lengths(path):
    out = []
    with open(path, "rb") as fh:
        data = fh.read()
    pos = 0
    while pos < len(data):
        (blen,) = struct.unpack_from(">I", data, pos + 4)
        out.append(blen)
        pos += blen
    return out


def test_blocks_listing(backup, run_tool):
    r = run_tool(bls, "-k", backup["volume"])
    lens = _block_lengths(backup["volume"])
    got = [tuple(map(int, m)) for m in re.findall(r"^Block: (\d+) size=(\d+)$", r.out, re.M)]
    assert got == list(enumerate(lens))
    rv = run_tool(bls, "-k", "-v", backup["volume"])
    assert "blk_num=0 blen=%d First rec FI=VOL_LABEL SessId=0 SessTim=0 Strm=0" % lens[0] in rv.out
    assert "First rec FI=SOS_LABEL SessId=3 SessTim=1714000000 Strm=7" in rv.out
    assert "Strm=contDATA" in rv.out


def test_verbose_records(backup, run_tool):
    r = run_tool(bls, "-v", backup["volume"])
    with open(backup["paths"]["regular"], "rb") as fh:
        import hashlib
        digest = bin_to_base64(hashlib.md5(fh.read()).digest(), True)
    assert re.search(rf"^FileIndex=\d+\s+Stream=3  MD5\s+DataLen=16    \| {re.escape(digest)} "
                     r"\(base64\)$", r.out, re.M)
    assert "Begin Job Session Record: VolSessionId=3 VolSessionTime=1714000000 JobId=7" in r.out
    # attribute records: stat part, then the name indented under " | "
    m = re.search(r"^(FileIndex=\d+\s+Stream=1  UATTR\s+DataLen=\d+\s*) \| -rw-r-----.*\n"
                  r"(\s+) \| (/.*regular\.txt)$", r.out, re.M)
    assert m and len(m.group(2)) == len(m.group(1))


def test_include_and_exclude_lists(backup, run_tool, tmp_path):
    inc = tmp_path / "inc"
    inc.write_text(backup["paths"]["sub"] + "\n")
    exc = tmp_path / "exc"
    exc.write_text("*.bin\n")
    r = run_tool(bls, "-i", str(inc), "-e", str(exc), backup["volume"])
    names = [ln.rsplit("  ", 1)[1] for ln in r.lines("bls JobId 7: ")]
    names = [n.split(" -> ")[0] for n in names]
    sub = backup["paths"]["sub"]
    assert names and all(n.startswith(sub) for n in names)
    assert not any(n.endswith(".bin") for n in names)
    assert sub + "/" in names and sub + "/deeper/note.md" in names


def test_bootstrap_selects_files(backup, run_tool, tmp_path):
    job = backup["job"]
    fi = {f.fname: f.file_index for f in job.files}
    want = [fi[backup["paths"]["regular"]], fi[backup["paths"]["deep"]]]
    bsr = tmp_path / "x.bsr"
    bsr.write_text('Volume="Full-0001"\nMediaType="File"\nVolSessionId=3\n'
                   'VolSessionTime=1714000000\n'
                   + "".join(f"FileIndex={i}\n" for i in sorted(want)) + "Count=2\n")
    r = run_tool(bls, "-b", str(bsr), "-c", backup["conf"], "FileStorage")
    assert r.rc == 0, r.err
    assert "2 files and directories found." in r.out


def test_damaged_block_is_reported_with_its_number_and_reading_goes_on(backup, run_tool,
                                                                       tmp_path):
    vol = tmp_path / "Full-0001"
    shutil.copy(backup["volume"], vol)
    lens = _block_lengths(str(vol))
    k = 5                                   # a block in the middle of large.bin's data
    off = sum(lens[:k]) + 1000
    data = bytearray(vol.read_bytes())
    data[off] ^= 0x40
    vol.write_bytes(bytes(data))
    r = run_tool(bls, str(vol))
    assert r.rc == 0
    assert re.search(rf"bls JobId 0: Error: .*block={k}\b", r.out), r.out
    # every file record lies outside the damaged data block: all listed
    assert f"{len(backup['job'].files)} files and directories found." in r.out
    rk = run_tool(bls, "-k", str(vol))
    assert f"Block: {k - 1} size=" in rk.out and f"Block: {k + 1} size=" in rk.out
    assert f"Block: {k} size=" not in rk.out
    assert re.search(rf"Error: .*block={k}\b", rk.out)


def test_foreign_file_is_refused(tmp_path, run_tool):
    f = tmp_path / "notes.txt"
    f.write_text("this is not a volume, just text that is long enough\n" * 3)
    r = run_tool(bls, str(f))
    assert r.rc != 0
    assert "not a Bareos volume" in r.err
    empty = tmp_path / "empty"
    empty.write_bytes(b"")
    r = run_tool(bls, "-j", str(empty))
    assert r.rc != 0 and "not a Bareos volume" in r.err


def test_unknown_device_lists_available(backup, run_tool):
    r = run_tool(bls, "-c", backup["conf"], "-V", "Full-0001", "NoSuchDevice")
    assert r.rc == 1
    assert 'Cannot find device "NoSuchDevice"' in r.err
    assert '"FileStorage" (' in r.err


def test_missing_device_argument(backup, run_tool):
    r = run_tool(bls, "-c", backup["conf"])
    assert r.rc != 0
    assert "Missing input device." in r.out and "FileStorage" in r.out


def test_two_volumes_with_split_record(tmp_path, run_tool):
    """A job that continues on a second volume, a record split across them."""
    from bareos.lib.stat import encode_attributes, encode_stat
    from bareos.stored.volume import SessionLabel, VolumeLabel, label_volume_block
    from bareos.stored.volume.record import EOS_LABEL, SOS_LABEL, RecordWriter
    src = tmp_path / "f.bin"
    src.write_bytes(os.urandom(200_000))
    st = os.stat(src)
    store = tmp_path / "store"
    store.mkdir()
    w = RecordWriter(64512, vol_session_id=1, vol_session_time=5, block_number=1)
    sos = SessionLabel(SOS_LABEL, job_id=3, job="j.3", job_name="j", client_name="c")
    blocks = w.write_label(SOS_LABEL, 3, sos.encode())
    blocks += w.write(1, 1, encode_attributes(1, 3, str(src), encode_stat(st, 0, 2)))
    blocks += w.write(1, 2, src.read_bytes())
    eos = SessionLabel(EOS_LABEL, job_id=3, job="j.3", job_name="j", client_name="c",
                       job_files=1)
    blocks += w.write_label(EOS_LABEL, 3, eos.encode())
    blocks.append(w.flush())
    half = len(blocks) // 2
    for name, part in (("V1", blocks[:half]), ("V2", blocks[half:])):
        with open(store / name, "wb") as fh:
            fh.write(label_volume_block(VolumeLabel(name, pool_name="P", media_type="File",
                                                    prev_volume_name="V1" if name == "V2" else "")))
            for b in part:
                fh.write(b)
    r = run_tool(bls, "-v", "-V", "V1|V2", str(store))
    assert r.rc == 0, r.err
    assert "FileIndex=1     Stream=2  DATA                      DataLen=200000" in r.out
    assert 'Ready to read from volume "V2"' in r.out
