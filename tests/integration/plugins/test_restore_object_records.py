"""The restore-object record and the Director's ``restoreobject`` command
line, as bytes (no daemons): what the File Daemon writes decodes with the
catalog's decoder, big objects are compressed, plugin strings with spaces
survive the command line."""

from __future__ import annotations

import zlib

from bareos.lib.stat import decode_restore_object
from bareos.lib.streams import FT_RESTORE_FIRST
from bareos.plugins.restore_objects import backup_record, parse_command


def test_small_object_record_round_trip():
    rec = backup_record(5, FT_RESTORE_FIRST, "python:module_name=x:a=1", "cfg", b"tag=1", 7)
    ro = decode_restore_object(rec)
    assert (ro.file_index, ro.type, ro.object_index, ro.compression) == (5, FT_RESTORE_FIRST, 7, 0)
    assert (ro.fname, ro.object_name, ro.data, ro.object_full_len) == (
        "python:module_name=x:a=1", "cfg", b"tag=1", 5)
    assert rec.endswith(b"tag=1\0")          # one extra NUL after the object, as Bareos


def test_big_object_is_zlib_compressed_when_smaller():
    big = b"abc" * 1000
    ro = decode_restore_object(backup_record(1, FT_RESTORE_FIRST, "p:", "big", big, 0))
    assert ro.compression == 1 and ro.object_full_len == 3000 and ro.object_len < 3000
    assert zlib.decompress(ro.data) == big
    noise = bytes(range(256)) * 2 + bytes(reversed(range(256))) * 2   # 1024 bytes
    ro = decode_restore_object(backup_record(1, FT_RESTORE_FIRST, "p:", "n", zlib.compress(noise), 0))
    assert ro.compression == 0


def test_parse_restoreobject_command():
    line = "restoreobject JobId=12 10,10,7,25,0,3,python:module_name=x:path=/a\x01b\n"
    assert parse_command(line) == (12, 10, 10, 7, 25, 0, 3, "python:module_name=x:path=/a b")
    assert parse_command("restoreobject JobId=12 10,10,7,25,0,3\n")[-1] == ""
    assert parse_command("restoreobject JobId=x 1,2\n") is None
