"""A Copy job whose source volume cannot be read asks for it and waits, as a
restore does (stored/wait.py through stored/mac.py), instead of failing at
once; putting the volume back and ``mount`` lets the copy finish."""

from __future__ import annotations

import re
import shutil
import time

from .conftest import configure, job_row, joblog, make_tree, needs_psk, query, run, wait

pytestmark = needs_psk


def _wait_for(pred, timeout=60.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if pred():
            return True
        time.sleep(0.3)
    return False


def _copy_worker(con, control_id: int) -> int | None:
    ids = [int(x) for x in re.findall(r"Copying JobId (\d+) started\.", joblog(con, control_id))]
    return ids[0] if ids else None


def test_copy_waits_for_its_source_volume(site_factory, tmp_path):
    src = tmp_path / "data"
    src.mkdir()
    make_tree(src)
    site = site_factory(src)
    configure(site)
    site.start()
    con = site.console()
    try:
        bid = run(con, "run job=backup-bareos-fd level=Full yes")
        assert wait(con, bid) == "T", joblog(con, bid)
        volume = site.base / "storage" / "Full-0001"
        assert volume.exists()
        kept = tmp_path / "Full-0001.kept"
        shutil.move(volume, kept)
        sel = run(con, "run job=copy-job yes")
        assert _wait_for(lambda: _copy_worker(con, sel) is not None), joblog(con, sel)
        worker = _copy_worker(con, sel)
        assert _wait_for(lambda: 'Please mount read Volume "Full-0001" for:' in joblog(con, worker)), \
            joblog(con, worker)
        log = joblog(con, worker)
        assert re.search(r'Read open device "FileStorage" \(\S+\) Volume "Full-0001" failed: ERR=', log), log
        assert _wait_for(lambda: "is waiting for a mount request" in con.call("status director").decode())
        shutil.move(kept, volume)
        out = con.call("mount storage=File").decode()
        out += con.recv_msg(regex=rb"(?!)").decode()   # the rest after the "3001 OK" line
        assert "3001 OK mount requested" in out, out
        assert wait(con, worker) == "T", joblog(con, worker)
        new_id = job_row(site, worker)["PriorJobId"]
        n_orig = query(site, "SELECT COUNT(*) FROM File WHERE JobId = ?", (bid,))[0][0]
        n_new = query(site, "SELECT COUNT(*) FROM File WHERE JobId = ?", (new_id,))[0][0]
        assert n_new == n_orig > 0
    finally:
        con.close()
