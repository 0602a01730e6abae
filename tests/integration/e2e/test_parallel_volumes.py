"""Several jobs written at the same time to one device whose volumes are tiny
(Bareos's parallel-jobs scenario): each job's data is spread, interleaved with
the others', over several volumes; every job must restore whole."""

from __future__ import annotations

import os
import re

import pytest

from .conftest import needs_psk
from .treecmp import compare_strict


def _make_tree(root):
    root.mkdir()
    for d in range(4):
        sub = root / f"dir{d}"
        sub.mkdir()
        for i in range(20):
            # 1-3 KiB of data that does not compress away
            (sub / f"file{i}").write_bytes(os.urandom(1024 + 97 * i))
    (root / "link").symlink_to("dir0/file0")


@needs_psk
@pytest.mark.timeout(300)
def test_interleaved_jobs_over_small_volumes_restore_whole(site_factory, tmp_path):
    src = tmp_path / "data"
    _make_tree(src)
    site = site_factory(src)
    pool = site.dir_conf("pool/Full.conf")
    pool.write_text(pool.read_text().replace("Maximum Volume Bytes = 50G", "Maximum Volume Bytes = 70K"))
    dev = site.base / "etc" / "bareos-sd.d" / "device" / "FileStorage.conf"
    dev.write_text(dev.read_text().replace("Maximum Concurrent Jobs = 5",
                                           "Maximum Concurrent Jobs = 12\n  Maximum Block Size = 16k"))
    site.add_directives("client/bareos-fd.conf", "Maximum Concurrent Jobs = 10")
    site.add_directives("storage/File.conf", "Maximum Concurrent Jobs = 10")
    site.add_directives("job/backup-bareos-fd.conf", "Maximum Concurrent Jobs = 10",
                        "Maximum Bandwidth = 50K")
    site.start()
    con = site.console()
    jobids = []
    for _ in range(4):
        out = con.call("run job=backup-bareos-fd level=Full yes").decode()
        m = re.search(r"JobId=(\d+)", out)
        assert m, out
        jobids.append(int(m.group(1)))
    for jobid in jobids:
        assert site.wait_job(con, jobid) == "T", site.job_log(con, jobid)
    # the jobs really share volumes and span several
    media = con.call("list jobmedia").decode()
    # ... and wrote at the same time: some volume holds data of several jobs
    owners: dict[str, set] = {}
    for line in media.splitlines():
        cells = [c.strip() for c in line.split("|")]
        if len(cells) > 3 and cells[1].isdigit():
            owners.setdefault(cells[2], set()).add(cells[1])
    assert any(len(v) > 1 for v in owners.values()), media
    for jobid in jobids:
        vols = {line.split("|")[2].strip() for line in media.splitlines()
                if line.startswith("|") and line.split("|")[1].strip() == str(jobid)}
        assert len(vols) >= 2, media + con.call("list volumes").decode() + site.job_log(con, jobid)
    for n, jobid in enumerate(jobids):
        where = tmp_path / f"restore{n}"
        rid, status = site.run_job(con, f"restore jobid={jobid} where={where} all done yes")
        log = site.job_log(con, rid)
        assert status == "T", log
        assert compare_strict(src, where / str(src).lstrip("/"), dir_mtimes=False) == [], log


@needs_psk
@pytest.mark.timeout(300)
def test_jobs_on_different_devices_do_not_share_a_volume(site_factory, tmp_path):
    """Three jobs at once, one device each (Count = 3, one job per device):
    a volume being written on one device is not mounted on another; the
    Director gives each device its own (new) volume (Bareos's sd-volume-limit)."""
    src = tmp_path / "data"
    src.mkdir()
    for i in range(30):
        (src / f"f{i}").write_bytes(os.urandom(64 * 1024))
    site = site_factory(src)
    dev = site.base / "etc" / "bareos-sd.d" / "device" / "FileStorage.conf"
    dev.write_text(dev.read_text().replace("Maximum Concurrent Jobs = 5",
                                           "Maximum Concurrent Jobs = 1\n  Count = 3"))
    site.add_directives("client/bareos-fd.conf", "Maximum Concurrent Jobs = 10")
    site.add_directives("storage/File.conf", "Maximum Concurrent Jobs = 10")
    # all three start their data at the same moment, after the client script
    site.add_directives("job/backup-bareos-fd.conf", "Maximum Concurrent Jobs = 10",
                        'Client Run Before Job = "sleep 1"', "Maximum Bandwidth = 1M")
    site.start()
    con = site.console()
    try:
        jobids = []
        for _ in range(3):
            out = con.call("run job=backup-bareos-fd level=Full yes").decode()
            m = re.search(r"JobId=(\d+)", out)
            assert m, out
            jobids.append(int(m.group(1)))
        for jobid in jobids:
            assert site.wait_job(con, jobid) == "T", site.job_log(con, jobid)
        media = con.call("list jobmedia").decode()
        vols = {}
        for line in media.splitlines():
            cells = [c.strip() for c in line.split("|")]
            if len(cells) > 3 and cells[1].isdigit():
                vols.setdefault(int(cells[1]), set()).add(cells[2])
        used = [frozenset(vols.get(j, ())) for j in jobids]
        assert all(used), media
        assert len(set().union(*used)) == 3 and all(len(u) == 1 for u in used), media
    finally:
        con.close()
