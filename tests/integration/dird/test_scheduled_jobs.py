"""The Director starts scheduled jobs at their run times (fake clock, no sleeping)."""

from __future__ import annotations

import time

from bareos.dird.config import SCHEMA
from bareos.dird.director import Director
from bareos.dird.scheduler import FakeClock
from bareos.lib.config import load_config

from tests.conftest import write_director_config


def test_weekly_cycle_starts_jobs_on_time(tmp_path):
    etc = write_director_config(tmp_path)
    (etc / "bareos-dir.d" / "catalog" / "MyCatalog.conf").write_text(
        "Catalog {\n  Name = MyCatalog\n  DB Driver = sqlite3\n  DB Name = bareos\n  DB User = bareos\n}\n")
    # no File Daemon is reachable: the jobs are started and fail quickly
    dconf = etc / "bareos-dir.d" / "director" / "bareos-dir.conf"
    dconf.write_text(dconf.read_text().replace("Maximum Concurrent Jobs = 10",
                                               "Maximum Concurrent Jobs = 10\n  SD Connect Timeout = 1"))
    start = time.mktime((2026, 11, 22, 0, 36, 0, 0, 0, -1))  # Sunday
    clock = FakeClock(start)
    d = Director(load_config(str(etc), SCHEMA), config_path=str(etc), clock=clock)
    d.start([("127.0.0.1", 0)])
    try:
        monday_2105 = time.mktime((2026, 11, 23, 21, 5, 0, 0, 0, -1))
        fired = d.scheduler.run_until(monday_2105)
        assert [f.job for f in fired] == ["backup-bareos-fd"]
        assert time.localtime(fired[0].runtime)[3:5] == (21, 0)
        assert fired[0].overrides == {"level": "Incremental"}
        monday_2115 = time.mktime((2026, 11, 23, 21, 15, 0, 0, 0, -1))
        fired = d.scheduler.run_until(monday_2115)
        assert [f.job for f in fired] == ["BackupCatalog"]
        assert d.jobs.wait(None, timeout=120)
        rows = d.catalog.sql("SELECT Name, Level, JobStatus FROM Job ORDER BY JobId")[1]
        assert [r[0] for r in rows] == ["backup-bareos-fd", "BackupCatalog"]
        assert all(r[2] in ("f", "E") for r in rows)  # no daemons: failed, but started by the schedule
    finally:
        d.shutdown()
