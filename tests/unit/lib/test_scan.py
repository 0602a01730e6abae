"""bsscanf as Bareos's lib/scan.cc reads protocol lines."""

from __future__ import annotations

from bareos.lib.scan import bsscanf


def test_width_stops_the_string_and_the_rest_must_match():
    assert bsscanf("dev=abcdef x=1", "dev=%3s x=%d") == ["abc"]
    assert bsscanf("dev=abc x=1", "dev=%3s x=%d") == ["abc", 1]


def test_signs_sizes_and_nul():
    assert bsscanf("a=-4 b=-4", "a=%d b=%u") == [-4, 0]
    assert bsscanf("mount d drive=1 slot=-2", "mount %127s drive=%hd slot=%hd") == ["d", 1, -2]
    assert bsscanf("n=7 m=8", "n=%lld m=%llu") == [7, 8]
    assert bsscanf("name=ab\0cd", "name=%s") == ["ab"]
    assert bsscanf("100%", "%d%%") == [100]
