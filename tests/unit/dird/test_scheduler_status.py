"""`status scheduler` and the Scheduled Jobs of `status director` against the
golden transcripts of a real Bareos 25 Director (recorded 2026-11-22 00:36 UTC)."""

from __future__ import annotations

import json
import shutil
import time
from datetime import datetime, timezone

import pytest

from bareos.dird.config import SCHEMA
from bareos.dird.director import Director
from bareos.dird.output import OutputFormatter
from bareos.dird.ua import UaContext
from bareos.lib.config import load_config

from tests.conftest import GOLDEN, GOLDEN_CONFIG, need_shared

RECORDED = int(datetime(2026, 11, 22, 0, 36, tzinfo=timezone.utc).timestamp())


@pytest.fixture
def utc(monkeypatch):
    """Local time = UTC, the recording Director's zone."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def director(tmp_path=None, edit=None, now=RECORDED) -> Director:
    need_shared()
    path = GOLDEN_CONFIG
    if edit is not None:
        path = tmp_path / "config"
        shutil.copytree(GOLDEN_CONFIG / "bareos-dir.d", path / "bareos-dir.d")
        edit(path / "bareos-dir.d")
    cfg = load_config(str(path), SCHEMA)
    return Director(cfg, clock=lambda: now)


def run(d: Director, cmd: str, api: int = 0) -> str:
    out: list[str] = []
    ua = UaContext(d)
    ua.api = api
    ua.batch = True
    ua.send = OutputFormatter(out.append, api=api, compact=True)
    ua.execute_line(cmd)
    return "".join(out)


def golden(name: str) -> str:
    return (GOLDEN / name).read_text()


def test_status_scheduler_text_matches_bareos(utc):
    assert run(director(), "status scheduler") == golden("status-scheduler.api0.txt")


def test_status_scheduler_json_matches_bareos(utc):
    got = json.loads(run(director(), "status scheduler", api=2))
    assert got == json.loads(golden("status-scheduler.api2.json"))


def test_status_scheduler_abbreviation(utc):
    assert run(director(), "status sched") == golden("status-scheduler.api0.txt")


def test_status_director_scheduled_jobs_match_bareos(utc):
    text = run(director(), "status director")
    want = golden("status-director.api0.txt")
    section = want[want.index("\nScheduled Jobs:"):want.index("\nRunning Jobs:")]
    assert section in text
    got = json.loads(run(director(), "status director", api=2))["result"]["scheduled"]
    assert got == json.loads(golden("status-director.api2.json"))["result"]["scheduled"]


def test_dot_status_dir_scheduled(utc):
    text = run(director(), ".status dir scheduled")
    assert "23-Nov-26 21:00    backup-bareos-fd   *unknown*" in text
    assert text.endswith("====\n")


def test_status_director_days(utc):
    text = run(director(), "status director days=7")
    lines = [ln for ln in text.splitlines() if "*unknown*" in ln]
    # one line per Run line: the next time of each within seven days
    assert lines == [
        "Incremental    Backup    10  23-Nov-26 21:00    backup-bareos-fd   *unknown*",
        "Full           Backup    11  23-Nov-26 21:10    BackupCatalog      *unknown*",
        "Differential   Backup    10  28-Nov-26 21:00    backup-bareos-fd   *unknown*",
    ]
    assert "Ignoring invalid value for days. Max is 500." in run(director(), "status dir days=501")


def _preview(text: str) -> list[str]:
    body = text.split("Overrides\n", 1)[1]
    return [ln for ln in body.splitlines()[1:] if ln and ln != "===="]


def test_days_schedule_and_job_filters(utc):
    d = director()
    two = run(d, "status scheduler days=2")
    assert "Scheduler Preview for 2 days:" in two
    assert _preview(two) == ["Mon 23-Nov-2026 21:10  WeeklyCycleAfterBackup  Level=Full",
                             "Mon 23-Nov-2026 21:00  WeeklyCycle             Level=Incremental"]
    only = run(d, "status scheduler schedule=WeeklyCycle days=14")
    assert "WeeklyCycleAfterBackup" not in only
    assert "Sat 05-Dec-2026 21:00  WeeklyCycle             Level=Full" in _preview(only)
    job = run(d, "status scheduler job=BackupCatalog")
    assert "WeeklyCycleAfterBackup\n                       BackupCatalog\n" in job
    assert "backup-bareos-fd" not in job
    assert {ln.split("  ")[1] for ln in _preview(job)} == {"WeeklyCycleAfterBackup"}
    client = run(d, "status scheduler client=bareos-fd days=1")
    assert "WeeklyCycle\n                       backup-bareos-fd\n" in client
    # the past: nothing ran on the Saturday and Sunday before
    past = run(d, "status scheduler days=-2")
    assert "Scheduler Preview for -2 days:" in past
    assert _preview(past) == ["Fri 20-Nov-2026 21:10  WeeklyCycleAfterBackup  Level=Full",
                              "Fri 20-Nov-2026 21:00  WeeklyCycle             Level=Incremental",
                              "Sat 21-Nov-2026 21:00  WeeklyCycle             Level=Differential"]
    bad = run(d, "status scheduler days=400")
    assert bad.startswith("Ignoring invalid value for days. Allowed is -366 < days < 366.\n")
    assert "Scheduler Preview for 7 days:" in bad


def test_json_days_range_and_overrides(utc):
    d = director()
    got = json.loads(run(d, "status scheduler days=-1,1", api=2))["result"]["preview"]
    assert [(p["datetime"], p["schedule"], p["level"]) for p in got] == [
        ("Sat 21-Nov-2026 21:00", "WeeklyCycle", "Differential")]
    assert got[0]["runtime"] == int(datetime(2026, 11, 21, 21, 0, tzinfo=timezone.utc).timestamp())


def test_disabled_job_and_overrides_column(utc, tmp_path):
    def edit(root):
        job = root / "job" / "BackupCatalog.conf"
        job.write_text(job.read_text().replace("Priority = 11", "Priority = 11\n  Enabled = no"))
        sched = root / "schedule" / "WeeklyCycle.conf"
        sched.write_text(sched.read_text().replace(
            "Run = Incremental mon-fri at 21:00",
            "Run = Level=Incremental Priority=9 SpoolData=yes Accurate=no Pool=Incremental "
            "Storage=File Messages=Standard mon-fri at 21:00"))

    d = director(tmp_path, edit)
    text = run(d, "status scheduler days=2")
    assert "WeeklyCycleAfterBackup\n                       BackupCatalog (disabled)\n" in text
    assert _preview(text)[-1] == ("Mon 23-Nov-2026 21:00  WeeklyCycle             "
                                  "Level=Incremental Priority=9 Spool Data=1 Accurate=0 "
                                  "Pool=Incremental Storage=File Messages=Standard")
    doc = json.loads(run(d, "status scheduler days=2", api=2))["result"]
    assert doc["schedules"][0]["jobs"] == [{"name": "BackupCatalog", "enabled": False}]
    assert doc["preview"][-1] == {
        "datetime": "Mon 23-Nov-2026 21:00", "runtime": 1795467600, "schedule": "WeeklyCycle",
        "level": "Incremental", "priority": 9, "pool": "Incremental", "storage": "File",
        "messages": "Standard", "spool_data": True, "accurate": False}
    # the disabled job is not listed by status director
    sd = run(d, "status director")
    assert "BackupCatalog      *unknown*" not in sd
    assert "Incremental    Backup     9  23-Nov-26 21:00    backup-bareos-fd   *unknown*" in sd


def test_unknown_client_is_reported(utc):
    text = run(director(), "status scheduler client=nope")
    assert "Error: Client resource nope does not exist.\n" in text


def test_a_bad_run_added_at_run_time_does_not_break_the_listings(utc):
    d = director()
    d.config.get("Schedule", "WeeklyCycle").set("Run", ["Full mon at 99:00"])
    text = run(d, "status scheduler")
    assert _preview(text) == [f"{day} 21:10  WeeklyCycleAfterBackup  Level=Full" for day in (
        "Mon 23-Nov-2026", "Tue 24-Nov-2026", "Wed 25-Nov-2026", "Thu 26-Nov-2026",
        "Fri 27-Nov-2026")]
    assert "BackupCatalog      *unknown*" in run(d, "status director")
    assert "backup-bareos-fd   *unknown*" not in run(d, "status director")
