import pytest

from bareos.lib.config.units import (format_duration, format_size, parse_duration,
                                     parse_size, parse_speed)


@pytest.mark.parametrize("text,secs", [
    ("30", 30), ("30 sec", 30), ("1m", 30 * 86400), ("1 m", 30 * 86400),
    ("1 month", 30 * 86400), ("1min", 60), ("5 minutes", 300), ("2 mins", 120),
    ("1n", 60), ("1 day 2 hours", 86400 + 7200), ("1day2hours", 93600),
    ("1 h", 3600), ("2 weeks", 14 * 86400), ("1 quarter", 91 * 86400),
    ("1 year", 365 * 86400), ("1.5 days", 129600), ("90 days", 90 * 86400),
    ("10 d ", 864000),
])
def test_durations(text, secs):
    assert parse_duration(text) == secs


@pytest.mark.parametrize("text", ["days", "1 fortnight", "1 day x", "abc"])
def test_bad_durations(text):
    assert parse_duration(text) is None


@pytest.mark.parametrize("text,size", [
    ("100", 100), ("1k", 1024), ("1kb", 1000), ("1 K", 1024), ("1 KB", 1000),
    ("1m", 1048576), ("1mb", 1000000), ("1G", 1024 ** 3), ("10GB", 10 ** 10),
    ("1t", 1024 ** 4), ("1 g 512 m", 1024 ** 3 + 512 * 1024 ** 2),
])
def test_sizes(text, size):
    assert parse_size(text) == size


def test_bad_size():
    assert parse_size("1 kib") is None
    assert parse_size("big") is None


def test_speed():
    assert parse_speed("1 kb/s") == 1000
    assert parse_speed("1k/s") == 1024
    assert parse_speed("100") == 100


def test_format_duration_like_show():
    assert format_duration(30 * 86400) == "1 months "
    assert format_duration(90 * 86400) == "3 months "
    assert format_duration(0) == "0"
    assert format_duration(86400 + 61) == "1 days 1 minutes 1 seconds "
    assert format_duration(365 * 86400) == "1 years "


def test_format_size_like_show():
    assert format_size(1024 ** 3) == "1 g"
    assert format_size(50 * 1024 ** 3) == "50 g"
    assert format_size(0) == "0"
    assert format_size(1024 ** 3 + 5) == "1 g 5"
    assert format_size(1000) == "1000"
