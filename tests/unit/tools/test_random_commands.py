"""random-commands: random `update` console commands (Bareos's test tool)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from bareos.tools.random_commands import XorShiftStar, random_update


def test_xorshift_star_reference_values():
    r = XorShiftStar(1)
    # xorshift* (Vigna): x ^= x>>12; x ^= x<<25; x ^= x>>27; x * 0x2545F4914F6CDD1D
    # from state 1: 1 -> 1 -> 1 | 1 << 25 -> unchanged, times the constant
    assert r.next() == (33554433 * 0x2545F4914F6CDD1D) % (1 << 64)
    with pytest.raises(ValueError):
        XorShiftStar(0)


def test_commands_are_update_lines_and_repeatable():
    a = [random_update(XorShiftStar(99)) for _ in range(1)]
    r1, r2 = XorShiftStar(7), XorShiftStar(7)
    cmds = [random_update(r1) for _ in range(200)]
    assert cmds == [random_update(r2) for _ in range(200)]
    assert all(c.startswith("update ") and "\n" not in c and "\0" not in c for c in cmds)
    assert len(set(cmds)) > 150 and a


def test_program_zero_delimited_with_offset():
    run = [sys.executable, "-m", "bareos.tools.random_commands", "--zero", "-s", "0x10"]
    full = subprocess.run(run + ["-c", "6"], capture_output=True, check=True)
    part = subprocess.run(run + ["-c", "2", "-o", "4"], capture_output=True, check=True)
    cmds = full.stdout.split(b"\0")
    assert len(cmds) == 7 and cmds[-1] == b""
    assert part.stdout.split(b"\0")[:2] == cmds[4:6]
    assert b"Chosen seed: 0x10" in full.stderr
