"""Retention through the three real daemons: auto prune at the end of a
backup, purge + truncate of a file volume on the Storage Daemon, recycling
of the purged volume by the next backup, and the daemon commands setdebug,
setbandwidth and resolve."""

from __future__ import annotations

import os
import re

from .conftest import needs_psk

pytestmark = needs_psk


def call_all(con, cmd: str) -> str:
    """The whole answer: python-bareos's call() stops early at a daemon's
    "NNNN OK" line that the Director relays; read on to the end signal."""
    out = con.call(cmd)
    last = out.rstrip(b"\n").rsplit(b"\n", 1)[-1]
    if re.match(rb"\d\d\d\d OK", last):
        out += con.recv_msg(regex=rb"(?!x)x")
    return out.decode()


def test_autoprune_purge_truncate_recycle(site_factory, tmp_path):
    src = tmp_path / "data"
    src.mkdir()
    (src / "big.bin").write_bytes(os.urandom(300_000))
    (src / "small.txt").write_text("small\n")
    site = site_factory(src)
    site.add_directives("client/bareos-fd.conf", "AutoPrune = yes")
    site.start()
    con = site.console()
    try:
        jobid, status = site.run_job(con, "run job=backup-bareos-fd level=Full yes")
        assert status == "T"
        log = site.job_log(con, jobid)
        assert "Begin pruning Jobs older than 6 months .\n" in log
        assert "No jobids found to be purged\n" in log
        assert "Begin pruning Files.\n" in log
        assert "End auto prune.\n" in log
        vol = re.search(r"Volume name\(s\):\s+(\S+)", log).group(1)
        path = site.base / "storage" / vol
        size_before = path.stat().st_size
        assert size_before > 300_000

        out = con.call(f"purge volume={vol} yes").decode()
        assert f'Found 1 Jobs for media "{vol}" in catalog.\n' in out
        assert f'1 Jobs on Volume "{vol}" purged from catalog.\n' in out
        assert f'There are no more Jobs associated with Volume "{vol}". Marking it purged.\n' in out
        assert f"jobid={jobid}" not in con.call("list jobs").decode()

        out = call_all(con, "truncate volstatus=Purged yes")
        assert f"The volume '{vol}' has been truncated.\n" in out, out
        assert path.stat().st_size < 64_512
        vols = con.call(f"llist volume={vol}").decode()
        assert re.search(r"volstatus: Purged", vols), vols

        # the next backup recycles the purged volume
        jobid2, status2 = site.run_job(con, "run job=backup-bareos-fd level=Full yes")
        assert status2 == "T"
        log2 = site.job_log(con, jobid2)
        assert f'Recycled volume "{vol}"' in log2, log2
        assert re.search(rf"Volume name\(s\):\s+{vol}\b", log2)
        assert path.stat().st_size > 300_000
    finally:
        con.close()


def test_daemon_debug_bandwidth_resolve(site_factory, tmp_path):
    src = tmp_path / "data"
    src.mkdir()
    site = site_factory(src)
    site.start()
    con = site.console()
    try:
        out = call_all(con, "setdebug level=0 trace=0 client=bareos-fd")
        assert "Connecting to Client bareos-fd at 127.0.0.1:" in out
        assert "2000 OK setdebug=0 trace=0" in out
        out = call_all(con, "setdebug level=0 dir")
        assert out.startswith("level=0 trace=0 hangup=0 timestamp=0 tracefilename=")
        out = call_all(con, "setbandwidth client=bareos-fd limit=100 yes")
        assert "OK Limiting bandwidth to 100kb/s" in out, out
        out = call_all(con, "resolve client=bareos-fd localhost")
        assert "bareos-fd resolves localhost to" in out, out
        out = call_all(con, "resolve localhost")
        assert "bareos-dir resolves localhost to host[ipv4;127.0.0.1]" in out, out
        out = call_all(con, "setdebug level=0 storage=File")
        assert "Connecting to Storage daemon File at 127.0.0.1:" in out
    finally:
        con.close()
