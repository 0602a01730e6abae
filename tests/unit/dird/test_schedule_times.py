"""Run times: masks against calendar days, next run times, DST changes."""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings, strategies as st

from bareos.dird.schedule import (LocalDay, fire_times, next_schedule_time, parse_run,
                                  triggers_on_day, triggers_on_day_and_hour, wall_time,
                                  week_of_year)

UTC = ZoneInfo("UTC")
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


def ts(y, mo, d, h=0, mi=0, tz=UTC) -> int:
    return int(datetime(y, mo, d, h, mi, tzinfo=tz).timestamp())


def local(t, tz=UTC) -> datetime:
    return datetime.fromtimestamp(t, tz).replace(tzinfo=None)


def times(run, start, stop, tz=UTC):
    return [local(t, tz) for t in fire_times(run, start, stop, tz)]


# -- week of the year -------------------------------------------------------------

@settings(deadline=None, max_examples=300)
@given(st.dates(min_value=date(1971, 1, 1), max_value=date(2099, 12, 31)))
def test_week_of_year_is_iso_with_w00(d):
    iso_year, iso_week, _ = d.isocalendar()
    woy = week_of_year(d)
    if iso_year == d.year:
        assert woy == iso_week
    elif iso_year < d.year:      # early January days before ISO week 1
        assert woy == 0
    else:                        # late December days ISO counts in next year's week 1
        assert woy == 53


def test_week_of_year_known_dates():
    assert week_of_year(date(2026, 1, 1)) == 1     # Thursday: ISO week 1
    assert week_of_year(date(2027, 1, 1)) == 0     # Friday: w00
    assert week_of_year(date(2027, 1, 4)) == 1
    assert week_of_year(date(2026, 11, 23)) == 48


# -- day masks ----------------------------------------------------------------------

def test_first_saturday_and_second_to_fifth():
    first = parse_run("Full 1st sat at 21:00")
    rest = parse_run("Differential 2nd-5th sat at 21:00")
    day = date(2026, 1, 1)
    while day.year == 2026:
        ld = LocalDay.of(day)
        if day.weekday() == 5:
            assert triggers_on_day(first, ld) == (day.day <= 7)
            assert triggers_on_day(rest, ld) == (day.day > 7)
        else:
            assert not triggers_on_day(first, ld) and not triggers_on_day(rest, ld)
        day += timedelta(days=1)


def test_last_friday_of_every_month():
    run = parse_run("Level=Full last fri at 21:00")
    got = times(run, ts(2026, 1, 1), ts(2027, 1, 1))
    assert len(got) == 12
    for t in got:
        assert t.weekday() == 4 and t.hour == 21 and t.minute == 0
        assert (t + timedelta(days=7)).month != t.month
    assert got[1] == datetime(2026, 2, 27, 21, 0)


def test_last_seven_days_in_a_leap_february():
    run = parse_run("last sun at 1:00")
    assert times(run, ts(2024, 2, 1), ts(2024, 3, 1)) == [datetime(2024, 2, 25, 1, 0)]
    assert times(run, ts(2028, 2, 1), ts(2028, 3, 1)) == [datetime(2028, 2, 27, 1, 0)]


def test_odd_and_even_days_and_weeks():
    odd = parse_run("1/2 at 23:10")
    got = times(odd, ts(2026, 1, 1), ts(2026, 2, 3))
    assert [t.day for t in got[:3]] == [1, 3, 5] and got[15].day == 31
    assert got[16] == datetime(2026, 2, 1, 23, 10)          # restarts with the month
    even = parse_run("w02/w02 at 23:10")
    for t in times(even, ts(2026, 1, 1), ts(2026, 4, 1)):
        assert t.isocalendar()[1] % 2 == 0


def test_hourly_at_minute():
    run = parse_run("Level=Full hourly at 0:05")
    got = times(run, ts(2026, 5, 1, 10, 6), ts(2026, 5, 1, 14, 0))
    assert got == [datetime(2026, 5, 1, h, 5) for h in (11, 12, 13)]


def test_no_at_means_every_hour_on_the_minute():
    run = parse_run("Full mon")
    got = times(run, ts(2026, 11, 23), ts(2026, 11, 24))
    assert got == [datetime(2026, 11, 23, h, 0) for h in range(24)]


def test_month_and_day_of_month():
    run = parse_run("Full dec 24 at 18:30")
    got = times(run, ts(2026, 1, 1), ts(2029, 1, 1))
    assert got == [datetime(y, 12, 24, 18, 30) for y in (2026, 2027, 2028)]


def test_impossible_schedule_has_no_times():
    run = parse_run("Full feb 30 at 1:00")
    assert list(fire_times(run, ts(2026, 1, 1), ts(2036, 1, 1), UTC)) == []
    assert next_schedule_time(run, ts(2026, 1, 1), 400, UTC) is None


# -- next run times (status director) -----------------------------------------------

GOLDEN_NOW = ts(2026, 11, 22, 0, 36)     # Sunday, when the golden files were recorded


def test_next_schedule_time_of_the_golden_schedules():
    inc = parse_run("Incremental mon-fri at 21:00")
    cat = parse_run("Full mon-fri at 21:10")
    full = parse_run("Full 1st sat at 21:00")
    diff = parse_run("Differential 2nd-5th sat at 21:00")
    assert next_schedule_time(inc, GOLDEN_NOW, 1, UTC) == ts(2026, 11, 23, 21, 0) == 1795467600
    assert next_schedule_time(cat, GOLDEN_NOW, 1, UTC) == 1795468200
    assert next_schedule_time(full, GOLDEN_NOW, 1, UTC) is None
    assert next_schedule_time(diff, GOLDEN_NOW, 1, UTC) is None
    assert next_schedule_time(diff, GOLDEN_NOW, 7, UTC) == ts(2026, 11, 28, 21, 0)
    assert next_schedule_time(full, GOLDEN_NOW, 14, UTC) == ts(2026, 12, 5, 21, 0)
    # days=0: only today
    assert next_schedule_time(inc, ts(2026, 11, 23, 8, 0), 0, UTC) == ts(2026, 11, 23, 21, 0)
    assert next_schedule_time(inc, GOLDEN_NOW, 0, UTC) is None


def test_next_schedule_time_counts_the_current_hour_like_bareos():
    run = parse_run("Full daily at 21:00")
    assert next_schedule_time(run, ts(2026, 11, 23, 21, 30), 1, UTC) == ts(2026, 11, 23, 21, 0)
    assert next_schedule_time(run, ts(2026, 11, 23, 22, 0), 1, UTC) == ts(2026, 11, 24, 21, 0)


def test_triggers_on_day_and_hour():
    run = parse_run("Incremental mon-fri at 21:00")
    assert triggers_on_day_and_hour(run, ts(2026, 11, 23, 21, 59), UTC)
    assert not triggers_on_day_and_hour(run, ts(2026, 11, 23, 20, 59), UTC)
    assert not triggers_on_day_and_hour(run, ts(2026, 11, 22, 21, 0), UTC)
    # the same instant is Tuesday 06:00 in Tokyo
    assert not triggers_on_day_and_hour(run, ts(2026, 11, 23, 21, 0), ZoneInfo("Asia/Tokyo"))


# -- daylight saving time -------------------------------------------------------------

def test_spring_forward_moves_a_missing_time_past_the_gap():
    run = parse_run("Full daily at 2:30")
    got = times(run, ts(2026, 3, 28, tz=BERLIN), ts(2026, 3, 31, tz=BERLIN), BERLIN)
    assert got == [datetime(2026, 3, 28, 2, 30), datetime(2026, 3, 29, 3, 30),
                   datetime(2026, 3, 30, 2, 30)]


def test_fall_back_runs_an_ambiguous_time_once():
    run = parse_run("Full daily at 2:30")
    start, stop = ts(2026, 10, 24, tz=BERLIN), ts(2026, 10, 27, tz=BERLIN)
    got = list(fire_times(run, start, stop, BERLIN))
    assert len(got) == 3
    # the first 02:30 (summer time, UTC+2)
    assert got[1] == int(datetime(2026, 10, 25, 0, 30, tzinfo=UTC).timestamp())
    assert [local(t, BERLIN) for t in got] == [datetime(2026, 10, d, 2, 30) for d in (24, 25, 26)]


def test_hourly_across_both_changes_keeps_one_run_per_local_hour():
    run = parse_run("hourly at 0:15")
    # spring: 02:15 does not exist (moved to 03:15, which runs anyway): 23 runs;
    # autumn: the repeated 01:15 runs once: 24 runs in 25 hours
    for day, expected in ((date(2026, 3, 8), 23), (date(2026, 11, 1), 24)):
        start = wall_time(day, 0, 0, NEW_YORK)
        stop = wall_time(day + timedelta(days=1), 0, 0, NEW_YORK)
        got = list(fire_times(run, start, stop, NEW_YORK))
        assert len(set(got)) == len(got)
        assert len(got) == expected
        assert sorted(got) == got


def test_next_schedule_time_across_dst_is_wall_clock():
    run = parse_run("Full mon-fri at 21:00")
    # Friday before the end of summer time, asking for three days ahead
    t = next_schedule_time(run, ts(2026, 10, 24, 12, 0, BERLIN), 3, BERLIN)
    assert local(t, BERLIN) == datetime(2026, 10, 26, 21, 0)
    assert t - ts(2026, 10, 24, 12, 0, BERLIN) == (2 * 24 + 9 + 1) * 3600


@settings(deadline=None, max_examples=60)
@given(st.sampled_from(["Full mon-fri at 21:00", "last sun at 2:30", "1/3 at 0:45",
                        "w01/w02 sat at 12:00pm", "hourly at 0:05", "jan-mar 1st mon at 3:00"]),
       st.integers(min_value=ts(2020, 1, 1), max_value=ts(2035, 1, 1)))
def test_fire_times_agree_with_triggers(text, start):
    run = parse_run(text)
    got = list(itertools.islice(fire_times(run, start, None, BERLIN), 5))
    assert got == sorted(set(got)) and all(t >= start for t in got)
    for t in got:
        lt = local(t, BERLIN)
        assert lt.minute == run.minute
        if lt.hour in run.hours():
            assert triggers_on_day_and_hour(run, t, BERLIN)
        else:  # a 02:xx that does not exist, moved past the gap
            assert lt.hour == 3 and 2 in run.hours()
            assert local(t - 3600, BERLIN).hour == 1


def test_local_time_zone_gives_the_same_times(monkeypatch):
    import time
    monkeypatch.setenv("TZ", "Europe/Berlin")
    time.tzset()
    try:
        for text in ("Full daily at 2:30", "hourly at 0:15", "last sun at 1:00"):
            run = parse_run(text)
            start, stop = ts(2026, 3, 1, tz=BERLIN), ts(2026, 11, 1, tz=BERLIN)
            assert list(fire_times(run, start, stop)) == list(fire_times(run, start, stop, BERLIN))
            assert next_schedule_time(run, start, 30) == next_schedule_time(run, start, 30, BERLIN)
    finally:
        monkeypatch.undo()
        time.tzset()
