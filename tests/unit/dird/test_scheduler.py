"""The scheduler loop under a fake clock: the right jobs at the right times,
priorities, disabled resources, clock jumps; nothing sleeps."""

from __future__ import annotations

import threading
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bareos.dird.config import SCHEMA
from bareos.dird.scheduler import FakeClock, Scheduler, SystemClock, list_scheduled_jobs
from bareos.lib.config import load_config, load_config_text

from tests.conftest import GOLDEN_CONFIG, need_shared

UTC = ZoneInfo("UTC")


def ts(y, mo, d, h=0, mi=0, s=0) -> int:
    return int(datetime(y, mo, d, h, mi, s, tzinfo=UTC).timestamp())


GOLDEN_NOW = ts(2026, 11, 22, 0, 36)


class Recorder:
    def __init__(self, clock):
        self.clock = clock
        self.calls: list[tuple[float, str, dict]] = []

    def __call__(self, job, overrides):
        self.calls.append((self.clock.time(), job, overrides))


def make(cfg, start, **kw):
    clock = FakeClock(start)
    rec = Recorder(clock)
    return Scheduler(cfg, rec, clock=clock, tz=UTC, **kw), clock, rec


BASE = '''
Director {
  Name = d
  Password = "x"
  QueryFile = "/tmp/q.sql"
  Messages = M
}
Messages { Name = M }
Catalog {
  Name = C
  DB Name = bareos
  DB User = bareos
}
Client {
  Name = c1
  Address = localhost
  Password = "p"
}
Client {
  Name = c2
  Address = localhost
  Password = "p"
  %(c2_enabled)s
}
Storage {
  Name = S
  Address = localhost
  Password = "p"
  Device = D
  Media Type = File
}
Storage {
  Name = S2
  Address = localhost
  Password = "p"
  Device = D
  Media Type = File
}
Pool { Name = P }
Pool { Name = Weekly }
FileSet { Name = F }
Schedule {
  Name = Nightly
  Run = Level=Full Pool=Weekly Storage=S2 SpoolData=yes sat at 21:00
  Run = Level=Incremental mon-fri at 21:00
}
Schedule {
  Name = Hourly
  Run = Level=Incremental Priority=5 hourly at 0:30
  %(hourly_enabled)s
}
Schedule {
  Name = Twice
  Run = daily at 6:00
  Run = Level=Differential daily at 6:00
}
Job {
  Name = low
  Type = Backup
  Level = Full
  Client = c1
  FileSet = F
  Storage = S
  Pool = P
  Messages = M
  Schedule = Nightly
  Priority = 20
}
Job {
  Name = high
  Type = Backup
  Level = Full
  Client = c1
  FileSet = F
  Storage = S
  Pool = P
  Messages = M
  Schedule = Nightly
  Priority = 3
  %(high_enabled)s
}
Job {
  Name = frequent
  Type = Backup
  Level = Full
  Client = c2
  FileSet = F
  Storage = S
  Pool = P
  Messages = M
  Schedule = Hourly
}
Job {
  Name = manual
  Type = Backup
  Level = Full
  Client = c1
  FileSet = F
  Storage = S
  Pool = P
  Messages = M
}
'''


def config(c2_enabled=True, hourly_enabled=True, high_enabled=True, extra=""):
    text = BASE % {"c2_enabled": "" if c2_enabled else "Enabled = no",
                   "hourly_enabled": "" if hourly_enabled else "Enabled = no",
                   "high_enabled": "" if high_enabled else "Enabled = no"}
    return load_config_text(text + extra, SCHEMA)


# -- the golden configuration -------------------------------------------------------

def test_golden_week_fires_the_right_jobs_at_the_right_times():
    need_shared()
    cfg = load_config(str(GOLDEN_CONFIG), SCHEMA)
    sched, clock, rec = make(cfg, GOLDEN_NOW)
    sched.run_until(GOLDEN_NOW + 14 * 86400)
    got = [(datetime.fromtimestamp(t, UTC).strftime("%a %d %H:%M"), job, o.get("level"))
           for t, job, o in rec.calls]
    expected = []
    for day, wd in zip(range(23, 28), ("Mon", "Tue", "Wed", "Thu", "Fri")):
        expected += [(f"{wd} {day} 21:00", "backup-bareos-fd", "Incremental"),
                     (f"{wd} {day} 21:10", "BackupCatalog", "Full")]
    expected.append(("Sat 28 21:00", "backup-bareos-fd", "Differential"))
    for day, wd in zip(range(30, 35), ("Mon", "Tue", "Wed", "Thu", "Fri")):
        d = day if day <= 30 else day - 30
        expected += [(f"{wd} {d:02d} 21:00", "backup-bareos-fd", "Incremental"),
                     (f"{wd} {d:02d} 21:10", "BackupCatalog", "Full")]
    expected.append(("Sat 05 21:00", "backup-bareos-fd", "Full"))   # 1st Saturday
    assert got == expected
    # started exactly on time, without a real sleep, waking at most a minute apart
    assert [t for t, _, _ in rec.calls] == [f.runtime for f in sched.fired]
    assert max(clock.sleeps) <= 60 and min(clock.sleeps) > 0


def test_upcoming_lists_the_plan():
    need_shared()
    cfg = load_config(str(GOLDEN_CONFIG), SCHEMA)
    sched, _clock, _rec = make(cfg, GOLDEN_NOW)
    assert sched.upcoming()[:2] == [(ts(2026, 11, 23, 21, 0), "backup-bareos-fd"),
                                    (ts(2026, 11, 23, 21, 10), "BackupCatalog")]


# -- overrides, priorities, several runs ----------------------------------------------

def test_overrides_and_priority_order():
    sched, clock, rec = make(config(hourly_enabled=False), ts(2026, 11, 27, 20, 0))  # Friday
    sched.run_until(ts(2026, 11, 28, 22, 0))
    assert rec.calls == [
        (ts(2026, 11, 27, 21), "high", {"level": "Incremental"}),
        (ts(2026, 11, 27, 21), "low", {"level": "Incremental"}),
        (ts(2026, 11, 28, 21), "high", {"level": "Full", "pool": "Weekly", "storage": "S2",
                                        "spool_data": True}),
        (ts(2026, 11, 28, 21), "low", {"level": "Full", "pool": "Weekly", "storage": "S2",
                                       "spool_data": True}),
    ]


def test_two_runs_at_the_same_time_both_fire():
    extra = '''
Job {
  Name = twice
  Type = Backup
  Client = c1
  FileSet = F
  Storage = S
  Pool = P
  Messages = M
  Schedule = Twice
}
'''
    cfg = config(hourly_enabled=False, extra=extra)
    sched, clock, rec = make(cfg, ts(2026, 11, 24, 5, 0))
    sched.run_until(ts(2026, 11, 24, 7, 0))
    assert [(t, j, o) for t, j, o in rec.calls if j == "twice"] == [
        (ts(2026, 11, 24, 6), "twice", {}),
        (ts(2026, 11, 24, 6), "twice", {"level": "Differential"})]


def test_hourly_runs_every_hour_and_disabled_client_is_skipped():
    sched, clock, rec = make(config(), ts(2026, 11, 24, 0, 0))
    sched.run_until(ts(2026, 11, 24, 5, 0))
    assert [(t, j) for t, j, _ in rec.calls] == [
        (ts(2026, 11, 24, h, 30), "frequent") for h in range(5)]
    assert rec.calls[0][2] == {"level": "Incremental", "priority": 5}
    sched2, _c, rec2 = make(config(c2_enabled=False), ts(2026, 11, 24, 0, 0))
    sched2.run_until(ts(2026, 11, 24, 5, 0))
    assert rec2.calls == []


def test_disabled_job_and_schedule_are_skipped_and_reload_resumes():
    cfg = config(hourly_enabled=False, high_enabled=False)
    sched, clock, rec = make(cfg, ts(2026, 11, 24, 20, 0))
    sched.run_until(ts(2026, 11, 24, 22, 0))
    assert [j for _, j, _ in rec.calls] == ["low"]
    sched.reload(config())        # everything enabled again
    sched.run_until(ts(2026, 11, 25, 1, 0))
    assert [(t, j) for t, j, _ in rec.calls[1:]] == [
        (ts(2026, 11, 24, 22, 30), "frequent"), (ts(2026, 11, 24, 23, 30), "frequent"),
        (ts(2026, 11, 25, 0, 30), "frequent")]


def test_config_callable_is_read_when_planning():
    current = {"cfg": config(hourly_enabled=False)}
    clock = FakeClock(ts(2026, 11, 24, 0, 0))
    rec = Recorder(clock)
    sched = Scheduler(lambda: current["cfg"], rec, clock=clock, tz=UTC)
    sched.run_until(ts(2026, 11, 24, 2, 0))
    assert rec.calls == []
    current["cfg"] = config()
    sched.reload()
    sched.run_until(ts(2026, 11, 24, 3, 0))
    assert [(t, j) for t, j, _ in rec.calls] == [(ts(2026, 11, 24, 2, 30), "frequent")]


# -- late starts and clock jumps ---------------------------------------------------------

def test_a_run_just_missed_at_start_fires_a_long_missed_one_does_not():
    sched, clock, rec = make(config(hourly_enabled=False), ts(2026, 11, 24, 21, 0, 30))
    sched.run_until(ts(2026, 11, 24, 21, 5))
    assert [j for _, j, _ in rec.calls] == ["high", "low"]
    assert rec.calls[0][0] == ts(2026, 11, 24, 21, 0, 30)
    sched2, _c, rec2 = make(config(hourly_enabled=False), ts(2026, 11, 24, 21, 2))
    sched2.run_until(ts(2026, 11, 24, 23, 0))
    assert rec2.calls == []


def test_forward_jump_fires_each_pending_run_once_then_resumes():
    sched, clock, rec = make(config(), ts(2026, 11, 24, 0, 0))
    sched.run_until(ts(2026, 11, 24, 0, 45))
    assert [j for _, j, _ in rec.calls] == ["frequent"]
    clock.set(ts(2026, 11, 27, 12, 10))     # three and a half days later
    sched.run_until(ts(2026, 11, 27, 13, 0))
    after = [(t, j) for t, j, _ in rec.calls[1:]]
    # one late start of the missed hourly run, then back on the hour
    assert after == [(ts(2026, 11, 27, 12, 10), "frequent"), (ts(2026, 11, 27, 12, 30), "frequent")]


def test_backward_jump_does_not_run_again():
    sched, clock, rec = make(config(hourly_enabled=False), ts(2026, 11, 24, 20, 59))
    sched.run_until(ts(2026, 11, 24, 21, 30))
    assert len(rec.calls) == 2
    clock.set(ts(2026, 11, 24, 20, 0))      # an hour and a half back
    sched.run_until(ts(2026, 11, 25, 20, 0))
    assert len(rec.calls) == 2             # 21:00 of the 24th does not run again
    sched.run_until(ts(2026, 11, 25, 21, 1))
    assert [(t, j) for t, j, _ in rec.calls[2:]] == [
        (ts(2026, 11, 25, 21), "high"), (ts(2026, 11, 25, 21), "low")]


def test_a_failing_start_does_not_stop_the_scheduler():
    clock = FakeClock(ts(2026, 11, 24, 0, 0))
    seen = []

    def run_job(job, overrides):
        seen.append(clock.time())
        raise RuntimeError("no storage")

    sched = Scheduler(config(), run_job, clock=clock, tz=UTC)
    sched.run_until(ts(2026, 11, 24, 3, 0))
    assert seen == [ts(2026, 11, 24, h, 30) for h in range(3)]


# -- the thread with the real clock ---------------------------------------------------

def test_thread_starts_and_stops_promptly():
    started = threading.Event()

    class Clock(SystemClock):
        def sleep(self, seconds, wake=None):
            started.set()
            super().sleep(seconds, wake)

    sched = Scheduler(config(hourly_enabled=False), lambda j, o: None, clock=Clock(),
                      wait_interval=3600)
    sched.start()
    assert started.wait(10)
    sched.stop(timeout=10)
    assert sched._thread is None and sched.fired == []


# -- status director's list ---------------------------------------------------------------

def test_list_scheduled_jobs_levels_pools_storages():
    items = list_scheduled_jobs(config(), ts(2026, 11, 28, 12, 0), 1, tz=UTC)   # Saturday
    rows = [(i.job, i.type, i.level, i.priority, i.runtime, i.pool, i.storage, i.volume)
            for i in items]
    assert rows == [
        ("frequent", "Backup", "Incremental", 5, ts(2026, 11, 28, 12, 30), None, "S", "*unknown*"),
        ("high", "Backup", "Full", 3, ts(2026, 11, 28, 21), "Weekly", "S2", "*unknown*"),
        ("low", "Backup", "Full", 20, ts(2026, 11, 28, 21), "Weekly", "S2", "*unknown*"),
    ]


def test_list_scheduled_jobs_skips_disabled_jobs_and_clients():
    items = list_scheduled_jobs(config(c2_enabled=False, high_enabled=False),
                                ts(2026, 11, 24, 12, 0), 1, tz=UTC)
    assert [(i.job, i.level, i.runtime) for i in items] == [
        ("low", "Incremental", ts(2026, 11, 24, 21))]


@pytest.mark.parametrize("days,runtimes", [
    (0, [ts(2026, 11, 24, 21)]),
    (1, [ts(2026, 11, 24, 21)]),
    (6, [ts(2026, 11, 24, 21), ts(2026, 11, 28, 21)]),
])
def test_list_scheduled_jobs_next_time_of_each_run_line(days, runtimes):
    cfg = config(hourly_enabled=False)
    items = [i for i in list_scheduled_jobs(cfg, ts(2026, 11, 24, 12, 0), days, tz=UTC)
             if i.job == "low"]
    assert [i.runtime for i in items] == runtimes
