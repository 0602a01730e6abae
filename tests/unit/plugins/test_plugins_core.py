"""Plugin strings, loading rules, bareosfd constants and autoxflate records."""

from __future__ import annotations

import os

import pytest

from bareos.lib import compression
from bareos.lib.streams import STREAM_COMPRESSED_DATA, STREAM_FILE_DATA, STREAM_SPARSE_COMPRESSED_DATA, STREAM_SPARSE_DATA
from bareos.plugins import load_plugins, parse_plugin_options, plugin_name_of, split_options
from bareos.plugins import bareosfd
from bareos.plugins.autoxflate import Xflater, direction


def test_plugin_string_parsing():
    assert plugin_name_of("bpipe:file=/a/b:reader=x") == "bpipe"
    assert split_options(r"a=1:b=x\:y:c=") == ["a=1", r"b=x\:y", "c="]
    name, pairs = parse_plugin_options("python:module_name=m:instance=1:flag")
    assert name == "python"
    assert pairs == [("module_name", "m"), ("instance", "1"), ("flag", None)]


def test_loading_needs_a_directory_and_honours_names(tmp_path):
    assert load_plugins("fd", None, None) == []
    assert {p.name for p in load_plugins("fd", str(tmp_path), None)} == {"bpipe", "python3"}
    only = load_plugins("fd", str(tmp_path), ["python"])
    assert [p.name for p in only] == ["python3"]
    assert only[0].matches("python") and only[0].matches("python3") and not only[0].matches("bpipe")
    assert [p.name for p in load_plugins("sd", str(tmp_path), "autoxflate")] == ["autoxflate"]


def test_bareosfd_constants_match_bareos():
    assert (bareosfd.bRC_OK, bareosfd.bRC_Stop, bareosfd.bRC_Error, bareosfd.bRC_More,
            bareosfd.bRC_Skip) == (0, 1, 2, 3, 7)
    assert bareosfd.bEventHandleBackupFile == 19 and bareosfd.bEventNewPluginOptions == 20
    assert bareosfd.bVarUsedConfig == 21 and bareosfd.bVarFDName == 2
    assert bareosfd.CF_EXTRACT == 3 and bareosfd.CF_CORE == 5
    assert bareosfd.iostat_do_in_core == 1
    assert bareosfd.bRCs[b"bRC_More"] == 3
    assert bareosfd.L_FULL == "F"


def test_bareosfd_calls_without_context_raise():
    from bareos.plugins import pyhost
    pyhost.set_current(None)
    pyhost._last_context = None
    with pytest.raises(pyhost.NoContext):
        bareosfd.GetValue(bareosfd.bVarJobId)


@pytest.mark.parametrize("value,expected", [("in", (True, False)), ("out", (False, True)),
                                            ("both", (True, True)), (None, (False, False))])
def test_direction(value, expected):
    assert direction(value) == expected


@pytest.mark.parametrize("algo", ["GZIP", "LZO", "LZ4", "LZ4HC", "LZFAST"])
def test_deflate_then_inflate_gives_fd_records(algo):
    res = {"Auto Deflate": "both", "Auto Inflate": "both", "Auto Deflate Algorithm": algo}
    lines = []
    fl = Xflater("FileStorage", res, lambda t, m: lines.append(m))
    if not fl.active:
        pytest.skip(f"{algo} not available")
    data = b"abc" * 50_000
    stream, out = fl.translate(STREAM_FILE_DATA, data, True)
    assert stream == STREAM_COMPRESSED_DATA
    assert compression.decompress_record(out) == data      # what the FD's restore reads
    stream2, back = fl.translate(stream, out, False)
    assert (stream2, back) == (STREAM_FILE_DATA, data)
    sparse = (1234).to_bytes(8, "big") + data
    s, o = fl.deflate(STREAM_SPARSE_DATA, sparse)
    assert s == STREAM_SPARSE_COMPRESSED_DATA and o[:8] == sparse[:8]
    assert compression.decompress_record(o[8:]) == data
    fl.report()
    assert any("deflate ratio" in m for m in lines)
    assert any("OUT:[SD->inflate=yes->deflate=yes->DEV]" in m for m in lines)
