"""Run On Incoming Connect Interval (Job directive), on loopback: when a
client-initiated connection arrives, the Director starts the client's jobs
whose last run is older than the interval (or that never ran)."""

from __future__ import annotations

import re
import signal
import time

from .conftest import make_tree, needs_psk

pytestmark = needs_psk

INTERVAL = 4


def _backup_jobids(con) -> list[int]:
    out = con.call("list jobs job=backup").decode()
    return sorted(int(m.group(1)) for m in re.finditer(r"^\|\s*(\d+)\s*\|\s*backup\b", out, re.M))


def _wait_for_jobs(con, count: int, timeout: float = 60.0) -> list[int]:
    deadline = time.time() + timeout
    while True:
        ids = _backup_jobids(con)
        if len(ids) >= count or time.time() > deadline:
            return ids
        time.sleep(0.3)


def _waiting_fd(con, timeout: float = 30.0) -> bool:
    deadline = time.time() + timeout
    while time.time() < deadline:
        out = con.call("status director").decode()
        part = out.split("Client Initiated Connections (waiting for jobs):", 1)[1]
        if "bareos-fd" in part:
            return True
        time.sleep(0.3)
    return False


def test_run_on_incoming_connect_interval(site_factory, tmp_path):
    src = tmp_path / "data"
    src.mkdir()
    make_tree(src)
    site = site_factory(src,
                        client_extra="  Connection From Director To Client = no\n"
                                     "  Connection From Client To Director = yes\n",
                        fd_director_extra="  Address = 127.0.0.1\n  Port = {dir_port}\n"
                                          "  Connection From Client To Director = yes\n"
                                          "  Connection From Director To Client = no\n",
                        job_extra=f"  Run On Incoming Connect Interval = {INTERVAL} seconds\n")
    site.start(which=("bareos-dir", "bareos-sd"))
    con = site.console()
    try:
        assert _backup_jobids(con) == []
        site.start(which=("bareos-fd",))
        # the job never ran: the FD's connection starts it
        ids = _wait_for_jobs(con, 1)
        assert len(ids) == 1, con.call("list jobs").decode()
        waited = con.call(f"wait jobid={ids[0]} timeout=120").decode()
        assert re.search(r"JobStatus=.*\(T\)", waited), waited
        log = con.call(f"list joblog jobid={ids[0]}").decode()
        assert "Job triggered by:       Client" in log, log
        # the FD dialled again when the job took its connection; the last run
        # is younger than the interval, so nothing else starts (the restore job
        # of the same client has no interval)
        assert _waiting_fd(con)
        assert _backup_jobids(con) == ids
        assert "restore" not in con.call("list jobs").decode()
        # once the interval has passed, the next incoming connection runs it again
        time.sleep(INTERVAL + 1)
        fd = site.procs.pop("bareos-fd")
        fd.send_signal(signal.SIGTERM)
        fd.wait(15)
        site.start(which=("bareos-fd",))
        ids2 = _wait_for_jobs(con, 2)
        assert len(ids2) == 2, con.call("list jobs").decode()
        waited = con.call(f"wait jobid={ids2[1]} timeout=120").decode()
        assert re.search(r"JobStatus=.*\(T\)", waited), waited
    finally:
        con.close()
