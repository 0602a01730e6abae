"""Schedule `Run =` parsing: every form of Bareos's manual, the golden
configuration's schedules, error messages and the masks' quirks."""

from __future__ import annotations

import pytest

from bareos.dird.schedule import (ALL_HOURS, ALL_MDAYS, ALL_MONTHS, ALL_WDAYS, ALL_WOMS,
                                  ALL_WOYS, RunSpecError, check_schedules, parse_run,
                                  schedule_runs)
from bareos.lib import jobcodes
from bareos.lib.config import ConfigError, load_config, load_config_text
from bareos.dird.config import SCHEMA

from tests.conftest import GOLDEN_CONFIG, need_shared

SUN, MON, TUE, WED, THU, FRI, SAT = range(7)


def bits(*positions: int) -> int:
    out = 0
    for p in positions:
        out |= 1 << p
    return out


def rng(lo: int, hi: int) -> int:
    return bits(*range(lo, hi + 1))


# -- the manual's examples ---------------------------------------------------------

def test_weekly_cycle_of_the_manual():
    full = parse_run("Level=Full sun at 2:05")
    assert full.level == jobcodes.L_FULL and full.job_type == jobcodes.JT_BACKUP
    assert full.wday == bits(SUN) and full.hour == bits(2) and full.minute == 5
    assert (full.mday, full.month, full.wom, full.woy) == (ALL_MDAYS, ALL_MONTHS, ALL_WOMS, ALL_WOYS)
    inc = parse_run("Level=Incremental mon-sat at 2:05")
    assert inc.level == jobcodes.L_INCREMENTAL and inc.wday == rng(MON, SAT)


def test_monthly_cycle_of_the_manual():
    full = parse_run("Level=Full Pool=Monthly 1st sun at 2:05")
    assert full.pool == "Monthly" and full.wom == bits(0) and full.wday == bits(SUN)
    diff = parse_run("Level=Differential 2nd-5th sun at 2:05")
    assert diff.level == jobcodes.L_DIFFERENTIAL and diff.wom == rng(1, 4)
    inc = parse_run("Level=Incremental Pool=Daily mon-sat at 2:05")
    assert inc.pool == "Daily" and inc.wday == rng(MON, SAT)


def test_first_of_every_month():
    assert parse_run("Level=Full on 1 at 2:05").mday == bits(0)
    assert parse_run("Level=Incremental on 2-31 at 2:05").mday == rng(1, 30)


def test_last_friday():
    run = parse_run("Level=Full last fri at 21:00")
    assert run.last_7days_of_month and run.wom == 0 and run.wday == bits(FRI)
    assert run.hour == bits(21) and run.minute == 0


def test_every_ten_minutes():
    for minute in (5, 15, 25, 35, 45, 55):
        run = parse_run(f"Level=Full hourly at 0:{minute:02d}")
        assert run.hour == ALL_HOURS and run.minute == minute


@pytest.mark.parametrize("text,mday,woy", [
    ("1/2 at 23:10", bits(*range(0, 31, 2)), ALL_WOYS),        # odd days
    ("2/2 at 23:10", bits(*range(1, 31, 2)), ALL_WOYS),        # even days
    ("w03/w05 at 23:10", ALL_MDAYS, bits(*range(3, 54, 5))),
    ("w01/w02 at 23:10", ALL_MDAYS, bits(*range(1, 54, 2))),   # odd weeks
    ("w02/w02 at 23:10", ALL_MDAYS, bits(*range(2, 54, 2))),   # even weeks
])
def test_modulo_forms(text, mday, woy):
    run = parse_run(text)
    assert (run.mday, run.woy, run.hour, run.minute) == (mday, woy, bits(23), 10)
    assert run.level is None


def test_manual_bnf_keywords():
    # week keywords, long and short weekday and month names, ranges, daily/monthly
    assert parse_run("first monday at 1:00").wom == bits(0)
    assert parse_run("second tuesday at 1:00").wom == bits(1)
    assert parse_run("third wed at 1:00").wom == bits(2)
    assert parse_run("fourth thursday at 1:00").wom == bits(3)
    assert parse_run("fifth friday at 1:00").wom == bits(4)
    assert parse_run("3rd saturday at 1:00").wday == bits(SAT)
    assert parse_run("4th sunday at 1:00").wom == bits(3)
    run = parse_run("january february at 1:00")
    assert run.month == bits(0, 1)
    assert parse_run("jan-mar at 1:00").month == rng(0, 2)
    assert parse_run("March-May 1 at 1:00").month == rng(2, 4)
    assert parse_run("nov-feb at 1:00").month == bits(10, 11, 0, 1)   # wraps
    assert parse_run("fri-mon at 1:00").wday == bits(FRI, SAT, SUN, MON)
    assert parse_run("monthly at 1:00").month == ALL_MONTHS
    assert parse_run("daily at 1:00").wday == ALL_WDAYS
    assert parse_run("w00 at 1:00").woy == bits(0)
    assert parse_run("W53 at 1:00").woy == bits(53)
    assert parse_run("w01-w10 at 1:00").woy == rng(1, 10)
    assert parse_run("w50-w02 at 1:00").woy == rng(50, 53) | rng(0, 2)
    assert parse_run("on 25-5 at 1:00").mday == rng(24, 30) | rng(0, 4)  # wraps
    assert parse_run("dec 24, 25, 26 at 20:00").mday == bits(23, 24, 25)
    assert parse_run("mon, wed,fri at 20:00").wday == bits(MON, WED, FRI)


@pytest.mark.parametrize("spec,hour,minute", [
    ("at 12am", None, None),
    ("at 12:00am", 0, 0),
    ("at 12:30pm", 12, 30),
    ("at 1:15pm", 13, 15),
    ("at 11:59PM", 23, 59),
    ("at 7:05AM", 7, 5),
    ("at 0:00", 0, 0),
    ("at 23:59", 23, 59),
])
def test_times(spec, hour, minute):
    if hour is None:
        with pytest.raises(RunSpecError):
            parse_run("daily " + spec)
        return
    run = parse_run("daily " + spec)
    assert run.hour == bits(hour) and run.minute == minute


def test_several_times_accumulate_hours_last_minute_wins():
    run = parse_run("daily at 1:10 at 13:20")
    assert run.hour == bits(1, 13) and run.minute == 20


def test_defaults_every_hour_of_every_day():
    run = parse_run("Level=Full daily")
    assert run.hour == ALL_HOURS and run.minute == 0
    # "weekly" does not restrict the week day (Bareos's masks)
    assert parse_run("Full weekly").wday == ALL_WDAYS


def test_all_overrides():
    run = parse_run('Level=VirtualFull Pool=P FullPool=F IncrementalPool=I '
                    'DifferentialPool=D NextPool=N Storage=S Messages=M Priority=7 '
                    'SpoolData=yes Accurate=no MaxRunSchedTime="2 hours" sun at 3:00')
    assert run.level == jobcodes.L_VIRTUAL_FULL
    assert (run.pool, run.full_pool, run.incremental_pool, run.differential_pool,
            run.next_pool, run.storage, run.messages) == ("P", "F", "I", "D", "N", "S", "M")
    assert run.priority == 7 and run.spool_data is True and run.accurate is False
    assert run.max_run_sched_time == 7200
    assert run.overrides() == {
        "level": "VirtualFull", "pool": "P", "full_pool": "F", "incremental_pool": "I",
        "differential_pool": "D", "next_pool": "N", "storage": "S", "messages": "M",
        "priority": 7, "spool_data": True, "accurate": False, "max_run_sched_time": 7200}
    assert run.overrides_text() == ("Level=VirtualFull Priority=7 Spool Data=1 Accurate=0 "
                                    "Pool=P Storage=S Messages=M")


def test_override_keywords_ignore_case_and_take_quoted_names():
    run = parse_run('level=full POOL="My Pool" spooldata=False accurate=TRUE mon at 1:00')
    assert run.level == jobcodes.L_FULL and run.pool == "My Pool"
    assert run.spool_data is False and run.accurate is True


def test_old_style_level_and_verify_levels():
    assert parse_run("Incremental mon at 1:00").level == jobcodes.L_INCREMENTAL
    run = parse_run("VolumeToCatalog mon at 1:00")
    assert run.level == jobcodes.L_VERIFY_VOLUME_TO_CATALOG and run.job_type == jobcodes.JT_VERIFY


@pytest.mark.parametrize("text,message", [
    ("Level=Bogus mon at 1:00", "Job level field: Bogus not found in run record"),
    ("Level Full mon at 1:00", "Expected an equals, got: Full"),
    ("Full mon at 25:00", "Bad time specification."),
    ("Full mon at 1:60", "Bad time specification."),
    ("Full mon at 1:5", "Bad time specification."),
    ("Full mon 21:00", "Time must be preceded by keyword AT."),
    ("Full noday at 1:00", "Job type field: noday in run record not found"),
    ("Full on 32 at 1:00", "Day number out of range (1-31)"),
    ("Full on 0 at 1:00", "Day number out of range (1-31)"),
    ("Full w54 at 1:00", "Week number out of range (0-53)"),
    ("Full mon-jan at 1:00", "Invalid month, weekday or position range"),
    ("Full mon-mon at 1:00", "Invalid month, weekday or position range"),
    ("Full at-mon at 1:00", "Invalid month, week or position day range"),
    ("Full 0-3 at 1:00", "Bad day range specification."),
    ("Full 4/2 at 1:00", "Bad day specification, offset must always be <= than modulo."),
    ("Full 1/0 at 1:00", "Bad day specification in modulo."),
    ("Full w03/w02 at 1:00", "Bad week number specification in modulo, offset must always be <= than modulo."),
    ("Full w01/w00 at 1:00", "Week interval out of range (1-53) in modulo"),
    ("Full x/y at 1:00", "Bad modulo time specification. Format for weekdays is '01/02', for yearweeks is 'w01/w02'."),
    ("SpoolData=maybe mon at 1:00", "Expect a YES or NO, got: maybe"),
    ("Priority=high mon at 1:00", "expected a positive integer number, got: high"),
    ("MaxRunSchedTime=soon mon at 1:00", "expected a time period, got: soon"),
    ("Full", "expected a name, got BCT_EOL: "),
    ("1 at 2:05", "expected a name, got BCT_NUMBER: 1"),        # Bareos wants "on 1"
    ("Full mon = at 1:00", "Unexpected token: BCT_EQUALS:="),
])
def test_errors_carry_bareos_messages(text, message):
    with pytest.raises(RunSpecError) as exc:
        parse_run(text)
    assert str(exc.value) == message


# -- configuration ------------------------------------------------------------------

def test_golden_schedules():
    need_shared()
    cfg = load_config(str(GOLDEN_CONFIG), SCHEMA)
    weekly = schedule_runs(cfg.get("Schedule", "WeeklyCycle"))
    assert [r.level_name for r in weekly] == ["Full", "Differential", "Incremental"]
    assert weekly[0].wom == bits(0) and weekly[0].wday == bits(SAT)
    assert weekly[1].wom == rng(1, 4) and weekly[1].wday == bits(SAT)
    assert weekly[2].wday == rng(MON, FRI)
    assert all(r.hour == bits(21) and r.minute == 0 for r in weekly)
    after = schedule_runs(cfg.get("Schedule", "WeeklyCycleAfterBackup"))
    assert len(after) == 1 and after[0].minute == 10 and after[0].wday == rng(MON, FRI)
    assert check_schedules(cfg) == []


def _config(run_lines: list[str]):
    runs = "\n".join(f"  Run = {r}" for r in run_lines)
    return load_config_text(f'''
Director {{
  Name = d
  Password = "x"
  QueryFile = "/tmp/q.sql"
  Messages = M
}}
Messages {{ Name = M }}
Pool {{ Name = Weekly }}
Schedule {{
  Name = S
{runs}
}}
''', SCHEMA)


def test_run_values_survive_the_config_lexer():
    cfg = _config(['Level=Full Pool=Weekly Priority=3 SpoolData=yes 1st sun at 2:05',
                   'Level=Incremental mon-sat, 1-31 at 12:30pm',
                   'Level=Full Pool="Weekly" w01/w02 at 23:10',
                   'Full jan 1 at 0:00'])
    sched = cfg.get("Schedule", "S")
    runs = schedule_runs(sched)
    assert runs[0].pool == "Weekly" and runs[0].priority == 3 and runs[0].spool_data
    assert runs[0].wom == bits(0) and runs[0].hour == bits(2) and runs[0].minute == 5
    assert runs[1].wday == rng(MON, SAT) and runs[1].hour == bits(12) and runs[1].minute == 30
    assert runs[2].pool == "Weekly" and runs[2].woy == bits(*range(1, 54, 2))
    assert runs[3].month == bits(0) and runs[3].mday == bits(0)
    assert check_schedules(cfg) == []


def test_bad_run_is_a_config_error_with_a_place():
    with pytest.raises(ConfigError) as exc:
        _config(["Level=Full mon at 27:00"])
    err = exc.value
    assert err.directive == "Run" and err.file == "<string>" and err.line
    assert err.resource == 'Schedule "S"'
    assert "Bad time specification." in str(err) and "Level=Full mon at 27:00" in str(err)


def test_unknown_override_resources_are_config_errors():
    with pytest.raises(ConfigError) as exc:
        _config(["Level=Full Pool=Nope Storage=Gone Messages=M mon at 1:00"])
    assert exc.value.message == "Could not find specified Pool Resource: Nope"
    with pytest.raises(ConfigError) as exc:
        _config(["Level=Full Storage=Gone Messages=M mon at 1:00"])
    assert exc.value.message == "Could not find specified Storage Resource: Gone"
    with pytest.raises(ConfigError) as exc:
        _config(["Messages=Nope mon at 1:00"])
    assert exc.value.message == "Could not find specified Messages Resource: Nope"


# -- show schedule -------------------------------------------------------------------

@pytest.mark.parametrize("text,shown", [
    ("Full 1st sat at 21:00", "Full 1st Sat at 21:00"),
    ("Differential 2nd-5th sat at 21:00", "Differential 2nd-5th Sat at 21:00"),
    ("Incremental mon-fri at 21:00", "Incremental Mon-Fri at 21:00"),
    ("Level=Full Pool=Weekly Priority=10 Accurate=yes last fri at 21:00",
     'pool="Weekly" Full accurate="yes" last Fri at 21:00'),
    ("Level=Incremental Storage=S Messages=M Priority=4 FullPool=F mon at 2:05",
     'fullpool="F" Incremental storage="S" messages="M" priority=4 Mon at 02:05'),
    ("on 1,2 at 1:00", "on 1-2 at 01:00"),
    ("1/2 at 23:10", "on 1,3,5,7,9,11,13,15,17,19,21,23,25,27,29,31 at 23:10"),
    ("Full 1/2 at 23:10", "Full on 1,3,5,7,9,11,13,15,17,19,21,23,25,27,29,31 at 23:10"),
    ("w01-w05 jan-mar sat,sun at 1:10 at 13:20", "Sun,Sat Jan-Mar w01-w05 at 01:20 at 13:20"),
    ("Full fri-sat at 1:00", "Full Fri-Sat at 01:00"),
])
def test_format_run_as_show_prints_it(text, shown):
    from bareos.dird.schedule import format_run
    assert format_run(parse_run(text)) == shown
    # what show prints reads back to the same schedule
    again = parse_run(shown)
    first = parse_run(text)
    assert (again.hour, again.mday, again.month, again.wday, again.wom, again.woy,
            again.last_7days_of_month, again.minute, again.level) == \
        (first.hour, first.mday, first.month, first.wday, first.wom, first.woy,
         first.last_7days_of_month, first.minute, first.level)


def test_show_schedule_prints_rebuilt_run_lines():
    from bareos.lib.config.printer import format_resource
    need_shared()
    cfg = load_config(str(GOLDEN_CONFIG), SCHEMA)
    text = format_resource(cfg.get("Schedule", "WeeklyCycle"))
    assert "  Run = Full 1st Sat at 21:00\n" in text
    assert "  Run = Incremental Mon-Fri at 21:00\n" in text
