"""SD heartbeats while a job waits for a device reservation (daemon-protocols
§3.6), on loopback.

Job "holder" keeps the only device: its FileSet reads a FIFO (ReadFifo) that
the test feeds only later, so the FD blocks after the first data.  Job
"backup" then waits in the SD to reserve the device; with Heartbeat Interval
= 1 the SD signals heartbeats to the Director and the FD meanwhile.  When
the FIFO is fed, both jobs end OK and the waiting job restores identically.
"""

from __future__ import annotations

import os
import re
import threading
import time

from bareos.quickstart.run import compare_trees

from .conftest import make_tree, needs_psk

pytestmark = needs_psk

HOLDER = """Job {{
  Name = "holder"
  Type = Backup
  Level = Full
  Client = bareos-fd
  FileSet = "Fifo"
  Storage = File
  Messages = Standard
  Pool = Full
  Maximum Concurrent Jobs = 5
}}
FileSet {{
  Name = "Fifo"
  Include {{
    Options {{
      Read Fifo = yes
    }}
    File = "{first}"
    File = "{fifo}"
  }}
}}
"""


def _wait_for(pred, timeout=60.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if pred():
            return True
        time.sleep(0.3)
    return False


def test_sd_heartbeats_while_waiting_for_a_device(site_factory, tmp_path):
    src = tmp_path / "data"
    src.mkdir()
    make_tree(src)
    hold = tmp_path / "hold"
    hold.mkdir()
    # large enough to leave the FD's network buffer before the FIFO blocks it
    (hold / "first.txt").write_bytes(os.urandom(4 * 1024 * 1024))
    fifo = hold / "pipe"
    os.mkfifo(fifo)
    many = "  Maximum Concurrent Jobs = 5\n"
    site = site_factory(src, client_extra=many, storage_extra=many, job_extra=many,
                        sd_extra="  Heartbeat Interval = 1\n")
    etc = site.base / "etc"
    (etc / "bareos-dir.d" / "job" / "holder.conf").write_text(
        HOLDER.format(first=hold / "first.txt", fifo=fifo))
    dev = etc / "bareos-sd.d" / "device" / "FileStorage.conf"
    dev.write_text(dev.read_text().replace("Maximum Concurrent Jobs = 5", "Maximum Concurrent Jobs = 1"))
    site.start()
    con = site.console()
    feeder = None
    try:
        out = con.call("run job=holder yes").decode()
        holder = int(re.search(r"JobId=(\d+)", out).group(1))
        # the holder has reserved the device (its first file is written)
        assert _wait_for(lambda: f"JobId {holder}: Ready to append" in site.log_text("bareos-sd")), \
            site.log_text("bareos-sd")[-3000:]
        out = con.call("run job=backup yes").decode()
        waiter = int(re.search(r"JobId=(\d+)", out).group(1))
        assert _wait_for(lambda: "waiting to reserve one" in site.log_text("bareos-sd"))
        # heartbeats reach the Director while the job waits in the SD
        assert _wait_for(lambda: "heartbeat from the" in site.log_text("bareos-dir")), \
            site.log_text("bareos-dir")[-3000:]
        assert _wait_for(lambda: "heartbeat sent to the File Daemon" in site.log_text("bareos-sd"))
        time.sleep(1.5)  # a few more rounds

        def feed():
            with open(fifo, "wb") as f:
                f.write(b"fifo data\n" * 1000)

        feeder = threading.Thread(target=feed, daemon=True)
        feeder.start()
        for jobid in (holder, waiter):
            waited = con.call(f"wait jobid={jobid} timeout=120").decode()
            assert re.search(r"JobStatus=.*\(T\)", waited), (
                waited + con.call(f"list joblog jobid={jobid}").decode())
        # the FD read the SD's heartbeats on the data connection and skipped them
        assert "heartbeat from the Storage daemon" in site.log_text("bareos-fd")
        bsr = site.base / "work-dir" / "bareos-fd.bsr"
        where = site.base / "restores" / "hb"
        _, rstatus, rlog = site.run_job(con, f"run job=restore bootstrap={bsr} where={where} yes")
        assert rstatus == "T", rlog
        assert compare_trees(src, where / str(src).lstrip("/")) == []
    finally:
        if feeder is None:
            try:  # unblock the FD so that the daemons can stop
                fdw = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
                os.close(fdw)
            except OSError:
                pass
        con.close()
