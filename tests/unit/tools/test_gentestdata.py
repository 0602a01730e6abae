"""gentestdata: Bareos's systemtest data generator (mt19937_64 stream)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from bareos.tools.gentestdata import generate, mt19937_64, parse_size


def test_mt19937_64_matches_the_standard_sequence():
    # C++ [rand.predef]: the 10000th value of a default-constructed mt19937_64
    values: list[int] = []
    for block in mt19937_64():
        values.extend(block)
        if len(values) >= 10000:
            break
    assert values[9999] == 9981545732273789042
    assert values[0] == 14514284786278117030


@pytest.mark.parametrize("text,size", [("1", 1), ("1024", 1024), ("1k", 1024), ("1M", 1 << 20),
                                       ("2KiB", 2048), ("1kb", 1024), ("3G", 3 << 30)])
def test_parse_size(text, size):
    assert parse_size(text) == size


@pytest.mark.parametrize("text", ["", "0", "-5", "1X", "M"])
def test_parse_size_rejects(text):
    with pytest.raises(ValueError):
        parse_size(text)


def test_generate_exact_length_and_little_endian_prefix():
    data = b"".join(generate(13))
    assert len(data) == 13
    assert data[:8] == (14514284786278117030).to_bytes(8, "little")
    assert b"".join(generate(5000))[:13] == data


def test_program_writes_size_bytes():
    out = subprocess.run([sys.executable, "-m", "bareos.tools.gentestdata", "--size=3k"],
                         capture_output=True, check=True).stdout
    assert out == b"".join(generate(3072))
    bad = subprocess.run([sys.executable, "-m", "bareos.tools.gentestdata", "-s", "0"],
                         capture_output=True)
    assert bad.returncode != 0 and b"size" in bad.stderr
